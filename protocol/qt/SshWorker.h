// SshWorker: one SSH connection on its own thread. It owns the stream the connection runs over
// (a TCP socket, a ProxyCommand, or a channel through jump hosts: ServerStream.h), a QTimer
// that follows SshClient::nextDeadline(), the sans-I/O SshClient it feeds (ARCHITECTURE.md),
// and what issue 3 puts outside the core: the ssh-agent connection, port forwarding (-L, -R,
// -D; RFC 4254 §7), agent forwarding and the jump-host chain.
//
// Threading: after moveToThread (or SshWorkerThread), every slot below runs in the worker's
// thread; call them through queued connections or QMetaObject::invokeMethod. Every signal
// is emitted in the worker's thread and reaches receivers in other threads queued, so the
// UI thread never waits on the network or on key exchange.
#pragma once

#include "X11Forwarding.h"
#include "client/SshClient.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThread>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

class QTimer;

Q_DECLARE_METATYPE(portal::protocol::client::HostKeyDecision)
Q_DECLARE_METATYPE(portal::protocol::client::PromptEvent)
Q_DECLARE_METATYPE(portal::protocol::client::ConnectionInfo)
Q_DECLARE_METATYPE(portal::protocol::client::PtyRequest)
Q_DECLARE_METATYPE(portal::protocol::Error)
Q_DECLARE_METATYPE(std::vector<portal::protocol::SecretBytes>)

namespace portal::protocol::qt {

class AgentConnection;
class ChannelDevice;
class ForwardListener;
class ServerStream;
struct JumpHost;

// Where and how to connect; the rest of the configuration is the core's ClientConfig.
struct ConnectOptions {
    // Host name or address to resolve; empty means ClientConfig::host.
    QString address;
    QAbstractSocket::NetworkLayerProtocol protocol = QAbstractSocket::AnyIPProtocol;
    // Until the stream is open (TCP connect with name resolution, the ProxyCommand started,
    // or the last jump host's channel confirmed); 0 turns it off.
    std::chrono::milliseconds connectTimeout{30000};
    // The ssh-agent whose keys publickey authentication offers (before the identity files,
    // filtered by ClientConfig::identitiesOnly): a Unix socket path (SSH_AUTH_SOCK) or, on
    // Windows, the OpenSSH agent pipe \\.\pipe\openssh-ssh-agent. Empty: no agent.
    // Pageant's shared-memory protocol is not supported.
    QString agentSocket;
    // ForwardAgent (-A): every session channel opened asks for agent forwarding
    // (auth-agent-req@openssh.com), and each agent channel the server opens is bridged to a
    // new connection to agentSocket. Off unless asked for, per host.
    bool forwardAgent = false;
    // X11 forwarding (-X / -Y): every session channel opened asks for it (x11-req with a
    // spoofed cookie) and each x11 channel the server opens is joined to the local display.
    X11Options x11;
    // ProxyCommand as ssh_config(5) writes it, tokens unexpanded (%h %p %r %n %%); empty or
    // "none" connects directly. Ignored when jumpHosts is not empty (OpenSSH: the two exclude
    // each other) and on every hop after the first.
    QString proxyCommand;
    // ProxyJump (-J): hops, the first connected first. Each hop is an SSH connection of its
    // own (host-key check, prompts, authentication) whose direct-tcpip channel (RFC 4254
    // §7.2) carries the next hop's connection, and the last one carries this worker's.
    std::vector<JumpHost> jumpHosts;
};

// One hop of a ProxyJump chain. options.jumpHosts, forwardAgent and x11 are ignored;
// options.proxyCommand applies to the first hop only.
struct JumpHost {
    client::ClientConfig config;
    ConnectOptions options;
};

// A port forward (RFC 4254 §7): -L, -R or -D.
struct PortForward {
    enum class Kind {
        Local,   // -L: we listen; each connection becomes a direct-tcpip channel to target
        Remote,  // -R: the server listens (tcpip-forward); each connection it forwards to us
                 //     is connected to target from here
        Dynamic, // -D: we listen as a SOCKS4/4a/5 server; each CONNECT becomes a channel
    };
    Kind kind = Kind::Local;
    // Where connections are accepted. Local/Dynamic: an address literal, "localhost" or
    // empty for loopback only, "*" for every address. Remote: as ssh sends it, empty meaning
    // "localhost" and "*" every address of the server (RFC 4254 §7.1).
    QString bindAddress;
    quint16 bindPort = 0; // 0: any free port, reported by forwardReady
    // Local/Dynamic only: a Unix socket path to listen on instead of bindAddress:bindPort.
    QString bindPath;
    // Local: where the server connects; Remote: where we connect. Unused for Dynamic.
    QString targetHost;
    quint16 targetPort = 0;

    bool operator==(const PortForward&) const = default;
    // "-L 127.0.0.1:8080:example.org:80" style, for messages.
    QString describe() const;
};

class SshWorker : public QObject {
    Q_OBJECT
public:
    using ChannelId = client::ChannelId;
    using RequestId = client::RequestId;

    explicit SshWorker(client::ClientConfig config, ConnectOptions options = {},
                       QObject* parent = nullptr);
    ~SshWorker() override;

    // Prompts and host-key decisions of jump hosts arrive through promptRequested and
    // hostKeyDecisionRequested like the destination's; their ids say which hop asked:
    // -1 for the destination, otherwise the index into ConnectOptions::jumpHosts. Answer
    // them with the same answerPrompt / answerHostKey slots.
    static int jumpHostOfRequest(quint64 requestId);

    // ---- For the runtime's own streams, in the worker's thread only ----

    // Opens a direct-tcpip channel (RFC 4254 §7.2) as a device owned by `parent`: opened()
    // or openFailed() follows. nullptr when not authenticated or the core refuses at once
    // (*error says why).
    ChannelDevice* openDirectTcpipDevice(const QString& host, quint16 port,
                                         const QString& originatorAddress, quint16 originatorPort,
                                         QObject* parent, QString* error);

    // Channels open now, forwarded connections' included (worker's thread only).
    std::size_t openChannelCount() const { return usable() ? client_->openChannelCount() : 0; }

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
    // RFC 4335 break of `milliseconds` (ssh(1) ~B sends 1000); channelRequestResult follows.
    void sendBreak(quint32 channel, quint32 milliseconds);
    // A key exchange now (RFC 4253 §9; ssh(1) ~R); channels go on meanwhile.
    void requestRekey();
    // Queues data for the channel; it goes out as the peer's window allows, and
    // channelBytesWritten reports progress. Nothing queued is dropped unless the channel closes.
    void write(quint32 channel, QByteArray data, bool extended = false);
    // Sends EOF once everything queued by write() has gone out.
    void sendEof(quint32 channel);
    void closeChannel(quint32 channel);
    // The receiver has processed n bytes of channelData: refills the server's window
    // (RFC 4254 §5.2), so a stalled consumer bounds memory at the window size.
    void consumed(quint32 channel, qint64 bytes);

    // Port forwarding. A forward added before authentication starts once authenticated.
    // forwardReady (with the bound port) or forwardFailed follows for each; connections
    // through it are logged (logMessage, Verbose) and never reach the channel signals above.
    void addForward(portal::protocol::qt::PortForward forward);
    // Stops accepting connections for a forward added before (matched by ==; for Remote
    // with port 0 either the requested 0 or the bound port); connections already made go on.
    void removeForward(portal::protocol::qt::PortForward forward);
    void addLocalForward(QString bindAddress, quint16 bindPort, QString host, quint16 hostPort);
    void addLocalSocketForward(QString bindPath, QString host, quint16 hostPort);
    void addDynamicForward(QString bindAddress, quint16 bindPort);
    void addRemoteForward(QString bindAddress, quint16 bindPort, QString host, quint16 hostPort);

signals:
    void resolving(QString host);
    void socketConnected(QString peerAddress, quint16 port);
    void logMessage(int level, QString text); // level: client::LogLevel
    void hostKeyDecisionRequested(portal::protocol::client::HostKeyDecision decision);
    void promptRequested(portal::protocol::client::PromptEvent prompt);
    void banner(QString text);
    void authenticated(QString method, QString info,
                       portal::protocol::client::ConnectionInfo details);
    void channelOpened(quint32 channel);
    void channelOpenFailed(quint32 channel, quint32 reasonCode, QString description);
    void channelRequestResult(quint32 channel, QString request, bool success);
    void channelData(quint32 channel, QByteArray data, bool extended);
    void channelEof(quint32 channel);
    void exitStatus(quint32 channel, quint32 status);
    void exitSignal(quint32 channel, QString signalName, bool coreDumped, QString message);
    void channelClosed(quint32 channel);
    void channelBytesWritten(quint32 channel, qint64 bytes);
    // A forward listens (Local/Dynamic: our socket; Remote: the server agreed); boundPort
    // is the port actually bound (0 for a Unix socket path).
    void forwardReady(portal::protocol::qt::PortForward forward, quint16 boundPort);
    void forwardFailed(portal::protocol::qt::PortForward forward, QString reason);
    // No channel is open any more (after the CLOSE of the last one, a session's or a
    // forwarded connection's); openChannelCount() is 0.
    void allChannelsClosed();
    // Jump hosts (ConnectOptions::jumpHosts): hop `hop` is being connected / is authenticated.
    void jumpHostConnecting(int hop, QString host, quint16 port);
    void jumpHostAuthenticated(int hop, QString method, QString info);
    // Always the last signal; `clean` when closeConnection() (or the server, with nothing
    // outstanding) ended it, otherwise `error` says why.
    void disconnected(bool clean, portal::protocol::Error error);

private:
    friend class ChannelDevice;

    struct PendingChannelData {
        QByteArray data;      // queued by write(), not yet taken by the core
        qsizetype offset = 0; // bytes of `data` already taken
        bool extended = false;
        bool eofRequested = false;
    };

    // A forward the caller added; `listener` for Local/Dynamic once listening, the
    // tcpip-forward bookkeeping for Remote.
    struct ActiveForward {
        PortForward spec;
        ForwardListener* listener = nullptr;
        bool started = false;
        std::optional<RequestId> remoteRequest; // tcpip-forward sent, no reply yet
        quint32 remoteBoundPort = 0;            // as the server bound it
        bool remoteActive = false;
    };

    void openStream();
    void onStreamOpened(const QString& peer, quint16 port);
    void onStreamReadable();
    void onStreamFailed(const QString& reason);
    void onStreamClosed();
    void onDeadline();
    void onConnectTimeout();
    void startJumpChain();
    void startHop(std::size_t index);
    // Runs after every input to the core: emits its events, writes its output, re-arms
    // the deadline timer. Re-entrant calls (from a device's reader) fold into the running one.
    void pump();
    void dispatch(client::Event& event);
    bool dispatchToDevice(client::Event& event);
    void dispatchToCaller(client::Event& event);
    void flushChannels();
    void writeOutgoing();
    // Bytes produced and not yet taken by the stream.
    qint64 streamBacklog() const;
    void queueChannelData(quint32 channel, QByteArray data, bool extended);
    qint64 queuedChannelBytes(quint32 channel) const;
    void runChannelRequest(quint32 channel, const char* request,
                           const std::function<Status()>& call);
    void finish(bool clean, Error error);
    bool usable() const;
    static client::TimePoint now() { return client::Clock::now(); }

    void startForwards();
    void startForward(ActiveForward& forward);
    void onForwardAccepted(const PortForward& spec, QIODevice* socket, const QString& peerAddress,
                           quint16 peerPort);
    void forwardFailedFor(ActiveForward& forward, const QString& reason);
    void onChannelOpenRequest(const client::ChannelOpenRequestEvent& request);
    void onTcpipForwardResult(const client::TcpipForwardResultEvent& result);
    void connectForwardedChannel(const client::ChannelOpenRequestEvent& request,
                                 const PortForward& spec);
    void connectAgentChannel(const client::ChannelOpenRequestEvent& request);
    void connectX11Channel(const client::ChannelOpenRequestEvent& request);
    void requestX11Forwarding(ChannelId session);
    // Accepts a server-opened channel and joins it to `local`; rejects it when that fails.
    void acceptAndBridge(RequestId request, QIODevice* local, const QString& label);
    // Accepts a server-opened channel as a device; nullptr (and `local` deleted) on failure.
    ChannelDevice* acceptChannelDevice(RequestId request, QIODevice* local, const QString& label);

    // Set in the constructor, read-only afterwards.
    const client::ClientConfig config_;
    const ConnectOptions options_;

    // Owned by the worker's thread (created in connectToServer, used only by slots and
    // stream/timer callbacks running there).
    // The agent outlives the client that points at it (ClientConfig::agent).
    std::unique_ptr<AgentConnection> agent_;
    std::unique_ptr<client::SshClient> client_;
    ServerStream* stream_ = nullptr;
    QTimer* deadlineTimer_ = nullptr;
    QTimer* connectTimer_ = nullptr;
    QTimer* closeTimer_ = nullptr;
    std::map<ChannelId, PendingChannelData> pending_;
    // Channels that belong to the runtime (forwards, agent, next hop): their events go to
    // the device, not to the public channel signals.
    std::map<ChannelId, QPointer<ChannelDevice>> devices_;
    std::vector<ActiveForward> forwards_;
    // X11 forwarding (ConnectOptions::x11), and the sessions whose x11-req awaits its reply
    // (answered here, not through channelRequestResult).
    X11Forwarding* x11_ = nullptr;
    std::set<ChannelId> x11Requests_;
    std::set<ChannelId> awaitingX11_; // sessions opened, not yet announced: xauth still runs
    QByteArray readBuffer_;
    bool streamOpen_ = false;
    bool finished_ = false;
    bool pumping_ = false;
    bool pumpAgain_ = false;
    bool flushing_ = false;
    bool flushAgain_ = false;
    // flushChannels() stopped at kStreamBacklogLimit: it goes on once the stream has taken
    // enough, whether or not a short write made the stream promise writable().
    bool channelsHeldBack_ = false;

    // Jump hosts: the hop workers (children, same thread), and for a hop worker the one
    // whose channel carries its stream.
    std::vector<SshWorker*> hops_;
    QPointer<SshWorker> via_;
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

Q_DECLARE_METATYPE(portal::protocol::qt::PortForward)
