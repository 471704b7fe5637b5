// SshWorker: one SSH connection on its own thread. It owns the QTcpSocket (name resolution,
// IPv4/IPv6, connect timeout, TCP_NODELAY before the first byte), a QTimer that follows
// SshClient::nextDeadline(), and the sans-I/O SshClient it feeds (ARCHITECTURE.md).
//
// Threading: after moveToThread (or SshWorkerThread), every slot below runs in the worker's
// thread; call them through queued connections or QMetaObject::invokeMethod. Every signal
// is emitted in the worker's thread and reaches receivers in other threads queued, so the
// UI thread never waits on the network or on key exchange.
#pragma once

#include "client/SshClient.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QThread>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <vector>

class QTcpSocket;
class QTimer;

Q_DECLARE_METATYPE(portal::protocol::client::HostKeyDecision)
Q_DECLARE_METATYPE(portal::protocol::client::PromptEvent)
Q_DECLARE_METATYPE(portal::protocol::client::ConnectionInfo)
Q_DECLARE_METATYPE(portal::protocol::client::PtyRequest)
Q_DECLARE_METATYPE(portal::protocol::Error)
Q_DECLARE_METATYPE(std::vector<portal::protocol::SecretBytes>)

namespace portal::protocol::qt {

// Where to connect; the rest of the configuration is the core's ClientConfig.
struct ConnectOptions {
    // Host name or address to resolve; empty means ClientConfig::host.
    QString address;
    QAbstractSocket::NetworkLayerProtocol protocol = QAbstractSocket::AnyIPProtocol;
    std::chrono::milliseconds connectTimeout{30000}; // TCP connect, resolution included
};

class SshWorker : public QObject {
    Q_OBJECT
public:
    using ChannelId = client::ChannelId;
    using RequestId = client::RequestId;

    explicit SshWorker(client::ClientConfig config, ConnectOptions options = {}, QObject* parent = nullptr);
    ~SshWorker() override;

public slots:
    // Resolves, connects and starts the SSH handshake. Progress arrives as signals.
    void connectToServer();
    // Sends SSH_MSG_DISCONNECT, writes what is queued and closes the socket; disconnected()
    // follows promptly (the socket is aborted if the peer does not close within a second).
    void closeConnection();

    // Answers to hostKeyDecisionRequested / promptRequested.
    void answerHostKey(quint64 requestId, bool accept, bool saveToKnownHosts);
    void answerPrompt(quint64 requestId, std::vector<portal::protocol::SecretBytes> responses);
    void cancelPrompt(quint64 requestId);

    // Channel operations (after authenticated). openSession() answers with channelOpened
    // (or channelOpenFailed) carrying the new id; requests answer with channelRequestResult.
    void openSession();
    void requestPty(quint32 channel, portal::protocol::client::PtyRequest pty);
    void requestShell(quint32 channel);
    void requestExec(quint32 channel, QByteArray command);
    void requestSubsystem(quint32 channel, QByteArray subsystem);
    void setEnv(quint32 channel, QByteArray name, QByteArray value);
    void windowChange(quint32 channel, quint32 columns, quint32 rows);
    void sendSignal(quint32 channel, QByteArray signalName);
    // Queues data for the channel; it goes out as the peer's window allows, and
    // channelBytesWritten reports progress. Nothing queued is dropped unless the channel closes.
    void write(quint32 channel, QByteArray data, bool extended = false);
    // Sends EOF once everything queued by write() has gone out.
    void sendEof(quint32 channel);
    void closeChannel(quint32 channel);
    // The receiver has processed n bytes of channelData: refills the server's window
    // (RFC 4254 §5.2), so a stalled consumer bounds memory at the window size.
    void consumed(quint32 channel, qint64 bytes);

signals:
    void resolving(QString host);
    void socketConnected(QString peerAddress, quint16 port);
    void logMessage(int level, QString text); // level: client::LogLevel
    void hostKeyDecisionRequested(portal::protocol::client::HostKeyDecision decision);
    void promptRequested(portal::protocol::client::PromptEvent prompt);
    void banner(QString text);
    void authenticated(QString method, QString info, portal::protocol::client::ConnectionInfo details);
    void channelOpened(quint32 channel);
    void channelOpenFailed(quint32 channel, quint32 reasonCode, QString description);
    void channelRequestResult(quint32 channel, QString request, bool success);
    void channelData(quint32 channel, QByteArray data, bool extended);
    void channelEof(quint32 channel);
    void exitStatus(quint32 channel, quint32 status);
    void exitSignal(quint32 channel, QString signalName, bool coreDumped, QString message);
    void channelClosed(quint32 channel);
    void channelBytesWritten(quint32 channel, qint64 bytes);
    // Always the last signal; `clean` when closeConnection() (or the server, with nothing
    // outstanding) ended it, otherwise `error` says why.
    void disconnected(bool clean, portal::protocol::Error error);

private:
    struct PendingChannelData {
        QByteArray data;       // queued by write(), not yet taken by the core
        qsizetype offset = 0;  // bytes of `data` already taken
        bool extended = false;
        bool eofRequested = false;
    };

    void onSocketConnected();
    void onSocketReadable();
    void onSocketError();
    void onSocketClosed();
    void onDeadline();
    void onConnectTimeout();
    // Runs after every input to the core: emits its events, writes its output, re-arms
    // the deadline timer.
    void pump();
    void dispatch(client::Event& event);
    void flushChannels();
    void runChannelRequest(quint32 channel, const char* request, const std::function<Status()>& call);
    void finish(bool clean, Error error);
    bool usable() const;
    static client::TimePoint now() { return client::Clock::now(); }

    // Set in the constructor, read-only afterwards.
    const client::ClientConfig config_;
    const ConnectOptions options_;

    // Owned by the worker's thread (created in connectToServer, used only by slots and
    // socket/timer callbacks running there).
    std::unique_ptr<client::SshClient> client_;
    QTcpSocket* socket_ = nullptr;
    QTimer* deadlineTimer_ = nullptr;
    QTimer* connectTimer_ = nullptr;
    QTimer* closeTimer_ = nullptr;
    std::map<ChannelId, PendingChannelData> pending_;
    QByteArray readBuffer_;
    bool tcpConnected_ = false;
    bool finished_ = false;
};

// Runs an SshWorker in a QThread of its own for the lifetime of this object. Destruction
// closes the connection, stops the thread and deletes the worker in its own thread.
class SshWorkerThread {
public:
    explicit SshWorkerThread(SshWorker* worker);
    ~SshWorkerThread();
    SshWorkerThread(const SshWorkerThread&) = delete;
    SshWorkerThread& operator=(const SshWorkerThread&) = delete;

    SshWorker* worker() const { return worker_; }
    QThread* thread() const { return thread_.get(); }

private:
    std::unique_ptr<QThread> thread_;
    SshWorker* worker_; // lives in thread_; deleted there on finish
};

} // namespace portal::protocol::qt
