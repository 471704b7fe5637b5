// The byte stream an SSH connection runs over (RFC 4253 §2 asks only for a reliable,
// ordered stream): a TCP connection, a ProxyCommand's stdin/stdout, or a direct-tcpip channel
// of the previous hop (RFC 4254 §7.2) for jump hosts. SshWorker reads and writes device()
// and learns of the stream's life through the signals here, whatever carries it.
//
// Threading: used only in the thread of the SshWorker that owns it.
#pragma once

#include <QAbstractSocket>
#include <QIODevice>
#include <QObject>
#include <QPointer>
#include <QString>

class QProcess;
class QTcpSocket;

namespace portal::protocol::qt {

class ChannelDevice;
class LocalStreamSocket;
class SshWorker;

class ServerStream : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Starts opening the stream: opened() or failed() follows.
    virtual void open() = 0;
    // Readable and writable once opened(); nullptr before.
    virtual QIODevice* device() const = 0;
    // Writes what is buffered, then ends the stream; closed() follows.
    virtual void close() = 0;
    // Ends the stream at once.
    virtual void abort() = 0;
    // Writes a prefix of data[0, size) and returns its length, -1 once the stream is broken.
    // A stream that buffers takes it all (a copy in device()'s buffer); TCP takes what the
    // kernel accepts now without a copy, and writable() follows when it takes more.
    virtual qint64 writeSome(const char* data, qint64 size);

signals:
    // `peer` names the far end for messages ("127.0.0.1", "proxy command", "jump host ...").
    void opened(QString peer, quint16 port);
    // Could not open, or broke after opening.
    void failed(QString reason);
    // The far end ended the stream (EOF, process exit, channel close).
    void closed();
    // After a short writeSome(): more may be written (device()'s bytesWritten also says so).
    void writable();
    void logMessage(int level, QString text); // level: client::LogLevel
};

// A TCP connection (name resolution, IPv4/IPv6, TCP_NODELAY before the first byte). QTcpSocket
// connects; on POSIX the connected descriptor then moves to a LocalStreamSocket, so that
// writeSome() sends from the caller's buffer instead of copying every byte into QTcpSocket's
// write buffer (which allocates and frees a large block per write: PERFORMANCE.md).
class TcpServerStream : public ServerStream {
    Q_OBJECT
public:
    TcpServerStream(QString address, quint16 port, QAbstractSocket::NetworkLayerProtocol protocol,
                    QObject* parent = nullptr);
    void open() override;
    QIODevice* device() const override;
    void close() override;
    void abort() override;
    qint64 writeSome(const char* data, qint64 size) override;

private:
    void takeOverDescriptor();

    QString address_;
    quint16 port_;
    QAbstractSocket::NetworkLayerProtocol protocol_;
    QTcpSocket* socket_ = nullptr; // until connected (on Windows for good)
    LocalStreamSocket* connection_ = nullptr;
    bool connected_ = false;
    bool ending_ = false; // close() or abort() was called
};

// ProxyCommand (ssh_config(5)): the stream is a child process' stdin and stdout, run by the
// shell as OpenSSH does ("exec command" through /bin/sh -c; cmd.exe /c on Windows). Its
// stderr goes to logMessage line by line.
class ProxyCommandStream : public ServerStream {
    Q_OBJECT
public:
    // `command` already expanded (expandProxyCommand).
    explicit ProxyCommandStream(QString command, QObject* parent = nullptr);
    ~ProxyCommandStream() override;
    void open() override;
    QIODevice* device() const override;
    void close() override;
    void abort() override;

private:
    void forwardStderr(bool flushPartialLine);

    QString command_;
    QProcess* process_ = nullptr;
    QByteArray stderrLine_;
    bool started_ = false;
    bool ended_ = false;
};

// A direct-tcpip channel to host:port through `via`, the previous hop (same thread).
class ChannelServerStream : public ServerStream {
    Q_OBJECT
public:
    ChannelServerStream(SshWorker* via, QString host, quint16 port, QObject* parent = nullptr);
    void open() override;
    QIODevice* device() const override;
    void close() override;
    void abort() override;

private:
    QPointer<SshWorker> via_;
    QString host_;
    quint16 port_;
    QPointer<ChannelDevice> channel_;
};

// Expands the %-tokens ssh_config(5) allows in ProxyCommand: %h host, %p port, %r remote
// user, %n the host as given, %% a literal '%'. An unknown token is an error, as OpenSSH's
// percent_expand makes it fatal; returns false and sets *error.
bool expandProxyCommand(const QString& command, const QString& host, quint16 port,
                        const QString& user, const QString& originalHost, QString* expanded,
                        QString* error);

} // namespace portal::protocol::qt
