// portal-cli ssh on the connection runtime (ARCHITECTURE.md): one SshWorker living in the
// main thread under a QCoreApplication event loop, with stdin/stdout/stderr bridged through
// non-blocking descriptors and QSocketNotifiers. Flow control follows RFC 4254 §5.2 both
// ways: the server's window is refilled (SshWorker::consumed) only for bytes stdout really
// took, and stdin is not read while much of it still waits for the peer's window.
#include "SshCommand.h"

#include "EscapeFilter.h"
#include "LocalTerminal.h"
#include "Prompter.h"

#include "AgentConnection.h"
#include "ChannelDevice.h"
#include "LocalStreamSocket.h"
#include "SshWorker.h"
#include "StreamBridge.h"
#include "config/Patterns.h"
#include "keys/KnownHosts.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimer>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace portal::app::cli {

using namespace protocol;
using namespace protocol::client;
using protocol::qt::SshWorker;

namespace {

constexpr int kExitFailure = 255;               // ssh(1): connection, host-key or auth failure
constexpr qint64 kStdinChunk = 256 * 1024;      // large reads: fewer syscalls and worker calls
// Stop reading stdin while this much of it has not been taken by the core (the peer's
// window is full): bounds memory when the network is slower than the local producer.
constexpr qint64 kStdinBacklogLimit = 2 * 1024 * 1024;

// ssh(1)'s LogLevel values, quietest first; -q is QUIET, none INFO, -v DEBUG1, -vv DEBUG2.
// Named as ssh 9.2 names them back after ~V / ~v (QUIET as "SILENT", DEBUG1 as "DEBUG").
constexpr const char* kLogLevelNames[] = {"SILENT",  "FATAL", "ERROR",  "INFO",
                                          "VERBOSE", "DEBUG", "DEBUG2", "DEBUG3"};
constexpr int kLogInfo = 3;
constexpr int kLogDebug1 = 5;
constexpr int kLogDebug3 = 7;

int initialLogLevel(const SshInvocation& invocation) {
    if (invocation.quiet)
        return 0;
    return invocation.verbosity == 0 ? kLogInfo : std::min(kLogDebug1 + invocation.verbosity - 1, kLogDebug3);
}

// ssh(1) shows key types upper-case without the algorithm prefix ("ED25519", "ECDSA", "RSA").
std::string displayKeyType(const std::string& keyType) {
    if (keyType == "ssh-ed25519") return "ED25519";
    if (keyType.rfind("ecdsa-", 0) == 0) return "ECDSA";
    if (keyType == "ssh-rsa" || keyType.rfind("rsa-", 0) == 0) return "RSA";
    return keyType;
}

// A server banner may hold terminal escapes; like OpenSSH, show control characters other
// than newline and tab as visible text rather than letting them act on the terminal.
std::string sanitizeForTerminal(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (c == '\n' || c == '\t' || c >= 0x20) {
            out += static_cast<char>(c);
        } else if (c != '\r') {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\%03o", c);
            out += escaped;
        }
    }
    return out;
}

void writeAll(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t wrote = ::write(fd, text.data() + done, text.size() - done);
        if (wrote < 0 && errno == EINTR)
            continue;
        if (wrote <= 0)
            return;
        done += static_cast<std::size_t>(wrote);
    }
}

// Channel data waiting for one descriptor, written in order with a read offset so partial
// writes never copy. Chunks are the worker's QByteArrays (implicitly shared, not copied).
struct OutputQueue {
    std::deque<QByteArray> chunks;
    qsizetype offset = 0; // into chunks.front()
    qint64 queued = 0;

    bool empty() const { return chunks.empty(); }
    void push(QByteArray bytes) {
        if (bytes.isEmpty())
            return;
        queued += bytes.size();
        chunks.push_back(std::move(bytes));
    }
    // Writes what the descriptor takes now; returns bytes written, or -1 on a hard error.
    qint64 flush(int fd) {
        qint64 total = 0;
        while (!chunks.empty()) {
            const QByteArray& front = chunks.front();
            const ssize_t wrote = ::write(fd, front.constData() + offset, static_cast<std::size_t>(front.size() - offset));
            if (wrote < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                return -1;
            }
            total += wrote;
            offset += wrote;
            if (offset == front.size()) {
                chunks.pop_front();
                offset = 0;
            }
        }
        queued -= total;
        return total;
    }
};

// Puts stdio descriptors that are not terminals into non-blocking mode for the session and
// restores their flags afterwards (a terminal is shared with the shell; leave it alone).
class NonBlockingStdio {
public:
    NonBlockingStdio() {
        for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
            const int flags = ::fcntl(fd, F_GETFL);
            saved_[fd] = flags;
            if (flags >= 0 && !::isatty(fd) && fd != STDERR_FILENO)
                ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        }
    }
    ~NonBlockingStdio() {
        for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO})
            if (saved_[fd] >= 0)
                ::fcntl(fd, F_SETFL, saved_[fd]);
    }
    NonBlockingStdio(const NonBlockingStdio&) = delete;
    NonBlockingStdio& operator=(const NonBlockingStdio&) = delete;

private:
    int saved_[3] = {-1, -1, -1};
};

// SIGWINCH into the event loop: the handler writes a byte to a pipe whose read end a
// QSocketNotifier watches (the self-pipe trick; the handler itself may do nothing else).
int gWinchPipe[2] = {-1, -1};

void onWindowChanged(int) {
    const int saved = errno;
    const char byte = 1;
    [[maybe_unused]] ssize_t wrote = ::write(gWinchPipe[1], &byte, 1);
    errno = saved;
}

class SshSession {
public:
    explicit SshSession(const SshInvocation& invocation);
    ~SshSession();

    int run();

private:
    // ---- worker signals ----
    void onSocketConnected(const QString& address, quint16 port);
    void onHostKeyDecision(const HostKeyDecision& decision);
    void onPrompt(const PromptEvent& prompt);
    void onAuthenticated();
    void onChannelOpened(quint32 channel);
    void onChannelRequestResult(quint32 channel, const QString& request, bool success);
    void onChannelData(quint32 channel, QByteArray data, bool extended);
    void onChannelClosed(quint32 channel);
    void onDisconnected(bool clean, const Error& error);
    void onForwardFailed(const qt::PortForward& forward, const std::string& reason);
    void startStdioForward();
    void onForwardSettled();

    // ---- local I/O ----
    void readStdin();
    void sendInput(ByteView bytes);
    void onEscape(EscapeCommand command);
    void runCommandLine();
    std::string commandLineResult(const std::string& command);
    void flushOutput(OutputQueue& queue, int fd, bool& broken);
    void updateNotifiers();
    void onWindowChange();
    void finishIfDone();
    void goToBackground();
    void backgroundAtLogout();
    void changeLogLevel(int step, char key);
    void runLocalCommand(const std::string& command);
    void log(int level, const std::string& text) const;
    void logLine(const std::string& text) const;

    bool wantsPty() const;

    const SshInvocation& invocation_;
    int logLevel_;              // LogLevel on ssh(1)'s scale (kLogLevelNames), changed by ~V / ~v
    Prompter prompter_;
    SshWorker worker_;
    std::string peerAddress_;
    bool tcpConnected_ = false;
    int logFd_ = STDERR_FILENO;

    std::optional<quint32> channel_;
    bool ptyRequested_ = false;
    bool channelReady_ = false; // exec/shell accepted; stdin may flow
    bool stdinEof_ = false;
    qint64 stdinBacklog_ = 0;   // given to worker_.write, not yet taken by the core
    QByteArray stdinBuffer_;
    std::unique_ptr<QSocketNotifier> stdinNotifier_;
    std::unique_ptr<QSocketNotifier> stdoutNotifier_;
    std::unique_ptr<QSocketNotifier> stderrNotifier_;
    std::unique_ptr<QSocketNotifier> winchNotifier_;
    std::unique_ptr<RawTerminal> rawTerminal_;
    std::optional<EscapeFilter> escapes_;

    OutputQueue stdout_;
    OutputQueue stderr_;
    bool stdoutBroken_ = false;
    bool stderrBroken_ = false;

    bool channelClosed_ = false; // the session's; forwarded connections may still be open
    bool disconnected_ = false;
    bool userDisconnected_ = false; // ~.
    bool finishing_ = false;
    std::optional<int> exitStatus_;
    std::string failure_; // printed once, at the end
    // Forwards listening (ours) or accepted by the server, for ~# and ~C -K.
    struct ReadyForward {
        qt::PortForward spec;
        quint16 boundPort = 0;
        std::string describe() const {
            return spec.describe().toStdString() +
                   (spec.bindPort == 0 && boundPort ? " (port " + std::to_string(boundPort) + ")" : "");
        }
    };
    std::vector<ReadyForward> readyForwards_;
    bool addingFromCommandLine_ = false; // ~C -L/-D: a failure is "Port forwarding failed."
    int commandLineFailures_ = 0;
    int forwardsUnsettled_ = 0;               // added, neither ready nor failed yet
    bool backgroundWhenForwardsSettle_ = false; // -f waiting for ExitOnForwardFailure's verdict
};

// -L/-R/-D (and LocalForward/RemoteForward/DynamicForward) as the runtime's forwards. A
// remote dynamic forward (-R with one side) has no target for the runtime to connect to.
std::vector<qt::PortForward> portForwards(const SshInvocation& invocation, std::vector<std::string>& unsupported) {
    std::vector<qt::PortForward> forwards;
    const auto text = [](const std::string& value) { return QString::fromStdString(value); };
    for (const protocol::config::Forward& spec : invocation.localForwards) {
        qt::PortForward forward;
        forward.kind = qt::PortForward::Kind::Local;
        forward.bindAddress = text(spec.listen.host);
        forward.bindPort = static_cast<quint16>(spec.listen.port);
        forward.bindPath = text(spec.listen.path);
        if (!spec.connect || !spec.connect->path.empty()) {
            unsupported.push_back("local forwarding to a Unix socket (" + spec.listen.host + ")");
            continue;
        }
        forward.targetHost = text(spec.connect->host);
        forward.targetPort = static_cast<quint16>(spec.connect->port);
        forwards.push_back(forward);
    }
    for (const protocol::config::Forward& spec : invocation.remoteForwards) {
        if (!spec.connect || !spec.connect->path.empty() || !spec.listen.path.empty()) {
            unsupported.push_back("remote forwarding of port " + std::to_string(spec.listen.port) +
                                  (spec.connect ? " with a Unix socket" : " as a SOCKS proxy"));
            continue;
        }
        qt::PortForward forward;
        forward.kind = qt::PortForward::Kind::Remote;
        forward.bindAddress = text(spec.listen.host);
        forward.bindPort = static_cast<quint16>(spec.listen.port);
        forward.targetHost = text(spec.connect->host);
        forward.targetPort = static_cast<quint16>(spec.connect->port);
        forwards.push_back(forward);
    }
    for (const protocol::config::Forward& spec : invocation.dynamicForwards) {
        qt::PortForward forward;
        forward.kind = qt::PortForward::Kind::Dynamic;
        forward.bindAddress = text(spec.listen.host);
        forward.bindPort = static_cast<quint16>(spec.listen.port);
        forwards.push_back(forward);
    }
    return forwards;
}

QString agentSocketFor(const SshInvocation& invocation) {
    // ForwardAgent naming a socket forwards that one; otherwise the agent is SSH_AUTH_SOCK's.
    if (!invocation.agentSocket.empty())
        return QString::fromStdString(invocation.agentSocket);
    return qt::AgentConnection::defaultAddress();
}

qt::ConnectOptions connectOptions(const SshInvocation& invocation) {
    qt::ConnectOptions options;
    options.address = QString::fromStdString(invocation.connectAddress.empty() ? invocation.config.host
                                                                               : invocation.connectAddress);
    options.agentSocket = agentSocketFor(invocation);
    options.forwardAgent = invocation.forwardAgent;
    options.x11.enabled = invocation.forwardX11;
    options.x11.trusted = invocation.forwardX11Trusted;
    options.x11.timeout = invocation.forwardX11Timeout;
    options.x11.xauthPath = QString::fromStdString(invocation.xauthLocation);
    options.proxyCommand = QString::fromStdString(invocation.proxyCommand);
    for (const JumpHop& hop : invocation.jumpHops) {
        qt::JumpHost jump;
        jump.config = hop.config;
        jump.options.address = QString::fromStdString(hop.address);
        jump.options.connectTimeout = std::chrono::duration_cast<std::chrono::milliseconds>(hop.connectTimeout);
        jump.options.agentSocket = options.agentSocket;
        options.jumpHosts.push_back(std::move(jump));
    }
    options.protocol = invocation.addressFamily == AddressFamily::IPv4   ? QAbstractSocket::IPv4Protocol
                       : invocation.addressFamily == AddressFamily::IPv6 ? QAbstractSocket::IPv6Protocol
                                                                         : QAbstractSocket::AnyIPProtocol;
    options.connectTimeout = std::chrono::duration_cast<std::chrono::milliseconds>(invocation.connectTimeout);
    for (qt::JumpHost& hop : options.jumpHosts)
        hop.options.protocol = options.protocol;
    return options;
}

SshSession::SshSession(const SshInvocation& invocation)
    : invocation_(invocation), logLevel_(initialLogLevel(invocation)),
      worker_(invocation.config, connectOptions(invocation)) {
    if (!invocation.logFile.empty()) {
        const int fd = ::open(invocation.logFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd >= 0)
            logFd_ = fd;
        else
            writeAll(STDERR_FILENO, "Couldn't open logfile " + invocation.logFile + ": " + std::strerror(errno) + "\n");
    }
    QObject::connect(&worker_, &SshWorker::resolving, [this](const QString& host) {
        log(1, "Connecting to " + host.toStdString() + " port " + std::to_string(invocation_.config.port) + ".");
    });
    QObject::connect(&worker_, &SshWorker::socketConnected,
                     [this](const QString& address, quint16 port) { onSocketConnected(address, port); });
    QObject::connect(&worker_, &SshWorker::logMessage, [this](int level, const QString& text) {
        const auto core = static_cast<LogLevel>(level);
        log(core == LogLevel::Info ? 0 : core == LogLevel::Verbose ? 1 : 2, text.toStdString());
    });
    QObject::connect(&worker_, &SshWorker::hostKeyDecisionRequested,
                     [this](const HostKeyDecision& decision) { onHostKeyDecision(decision); });
    QObject::connect(&worker_, &SshWorker::promptRequested, [this](const PromptEvent& prompt) { onPrompt(prompt); });
    QObject::connect(&worker_, &SshWorker::banner, [this](const QString& text) {
        if (!invocation_.quiet)
            writeAll(STDERR_FILENO, sanitizeForTerminal(text.toStdString()));
    });
    QObject::connect(&worker_, &SshWorker::authenticated, [this] { onAuthenticated(); });
    QObject::connect(&worker_, &SshWorker::channelOpened, [this](quint32 channel) { onChannelOpened(channel); });
    QObject::connect(&worker_, &SshWorker::channelOpenFailed,
                     [this](quint32 channel, quint32, const QString& description) {
                         failure_ = "channel " + std::to_string(channel) + ": open failed: " + description.toStdString();
                         // Closed from the event loop: when the connection itself just failed
                         // (the core refused to open because of it), its own reason comes first
                         // and replaces this one.
                         QTimer::singleShot(0, &worker_, &SshWorker::closeConnection);
                     });
    QObject::connect(&worker_, &SshWorker::channelRequestResult,
                     [this](quint32 channel, const QString& request, bool success) {
                         onChannelRequestResult(channel, request, success);
                     });
    QObject::connect(&worker_, &SshWorker::channelData, [this](quint32 channel, QByteArray data, bool extended) {
        onChannelData(channel, std::move(data), extended);
    });
    QObject::connect(&worker_, &SshWorker::channelEof, [this](quint32 channel) {
        log(2, "channel " + std::to_string(channel) + ": rcvd eof");
    });
    QObject::connect(&worker_, &SshWorker::exitStatus, [this](quint32, quint32 status) {
        exitStatus_ = static_cast<int>(status & 0xff);
        log(1, "Exit status " + std::to_string(status));
    });
    QObject::connect(&worker_, &SshWorker::exitSignal,
                     [this](quint32, const QString& signal, bool, const QString& message) {
                         // ssh(1) says nothing at the default level and exits 255.
                         log(1, "Remote command killed by signal " + signal.toStdString() +
                                    (message.isEmpty() ? std::string() : ": " + message.toStdString()));
                     });
    QObject::connect(&worker_, &SshWorker::channelClosed, [this](quint32 channel) { onChannelClosed(channel); });
    QObject::connect(&worker_, &SshWorker::allChannelsClosed, [this] {
        if (channelClosed_)
            worker_.closeConnection(); // the wait for forwarded connections is over
    });
    QObject::connect(&worker_, &SshWorker::channelBytesWritten, [this](quint32, qint64 bytes) {
        stdinBacklog_ -= bytes;
        updateNotifiers();
    });
    QObject::connect(&worker_, &SshWorker::disconnected,
                     [this](bool clean, const Error& error) { onDisconnected(clean, error); });
    QObject::connect(&worker_, &SshWorker::jumpHostConnecting, [this](int hop, const QString& host, quint16 port) {
        log(1, "Jump host " + std::to_string(hop + 1) + ": connecting to " + host.toStdString() + " port " +
                   std::to_string(port) + ".");
    });
    QObject::connect(&worker_, &SshWorker::forwardReady, [this](const qt::PortForward& forward, quint16 boundPort) {
        // ssh(1) announces the port the server chose for -R with port 0.
        if (forward.kind == qt::PortForward::Kind::Remote && forward.bindPort == 0)
            logLine("Allocated port " + std::to_string(boundPort) + " for remote forward to " +
                    forward.targetHost.toStdString() + ":" + std::to_string(forward.targetPort));
        readyForwards_.push_back({forward, boundPort});
        log(1, "Forwarding " + readyForwards_.back().describe());
        onForwardSettled();
    });
    QObject::connect(&worker_, &SshWorker::forwardFailed, [this](const qt::PortForward& forward, const QString& reason) {
        onForwardFailed(forward, reason.toStdString());
    });
    std::vector<std::string> unsupported;
    for (const qt::PortForward& forward : portForwards(invocation, unsupported)) {
        worker_.addForward(forward);
        ++forwardsUnsettled_;
    }
    for (const std::string& what : unsupported)
        logLine("Warning: " + what + " is not supported; ignored.");
}

SshSession::~SshSession() {
    if (gWinchPipe[0] >= 0) {
        ::signal(SIGWINCH, SIG_DFL);
        ::close(gWinchPipe[0]);
        ::close(gWinchPipe[1]);
        gWinchPipe[0] = gWinchPipe[1] = -1;
    }
    if (logFd_ != STDERR_FILENO)
        ::close(logFd_);
}

void SshSession::log(int level, const std::string& text) const {
    // Level 0 is INFO, 1 the core's verbose lines and debug1, 2 and 3 debug2 and debug3.
    static constexpr int kShownFrom[] = {kLogInfo, kLogInfo + 1, kLogDebug1 + 1, kLogDebug3};
    if (logLevel_ < kShownFrom[std::clamp(level, 0, 3)])
        return;
    logLine(level == 0 ? text : "debug" + std::to_string(level) + ": " + text);
}

void SshSession::logLine(const std::string& text) const {
    // In raw mode the terminal does not turn \n into \r\n.
    writeAll(logFd_, text + (rawTerminal_ && rawTerminal_->active() && logFd_ == STDERR_FILENO ? "\r\n" : "\n"));
}

bool SshSession::wantsPty() const {
    if (invocation_.noRemoteCommand)
        return false;
    switch (invocation_.ttyRequest) {
    case TtyRequest::No: return false;
    case TtyRequest::Force: return true;
    case TtyRequest::Yes: return ::isatty(STDIN_FILENO) != 0;
    case TtyRequest::Auto: return invocation_.command.empty() && ::isatty(STDIN_FILENO) != 0;
    }
    return false;
}

int SshSession::run() {
    NonBlockingStdio stdio;
    if (invocation_.ttyRequest == TtyRequest::Yes && !invocation_.noRemoteCommand && !::isatty(STDIN_FILENO) &&
        !invocation_.quiet)
        logLine("Pseudo-terminal will not be allocated because stdin is not a terminal.");
    // Started from inside the event loop, so that an end reported at once still stops it.
    QTimer::singleShot(0, &worker_, &SshWorker::connectToServer);
    const int status = QCoreApplication::exec();
    // Output that arrived before the end is delivered even when the end was an error.
    for (auto [queue, fd, broken] : {std::tuple{&stdout_, STDOUT_FILENO, &stdoutBroken_},
                                     std::tuple{&stderr_, STDERR_FILENO, &stderrBroken_}}) {
        if (!*broken && !queue->empty()) {
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            queue->flush(fd);
        }
    }
    rawTerminal_.reset(); // the terminal as it was, before any last words
    if (!failure_.empty()) {
        writeAll(logFd_ == STDERR_FILENO ? STDERR_FILENO : logFd_, failure_ + "\n");
        return kExitFailure;
    }
    if (ptyRequested_ && !invocation_.quiet)
        writeAll(STDERR_FILENO, "Connection to " + invocation_.config.host + " closed.\r\n");
    (void)status;
    if (userDisconnected_)
        return kExitFailure; // ssh(1) after ~.
    return exitStatus_.value_or(invocation_.noRemoteCommand ? 0 : kExitFailure);
}

void SshSession::onSocketConnected(const QString& address, quint16) {
    tcpConnected_ = true;
    peerAddress_ = address.toStdString();
    log(1, "Connection established.");
}

void SshSession::onHostKeyDecision(const HostKeyDecision& decision) {
    const std::string name = keys::knownHostsName(decision.host, decision.port);
    // A jump host's key is asked about by name; the destination's with the address answered.
    const bool destination = SshWorker::jumpHostOfRequest(decision.id) < 0;
    const std::string address = keys::knownHostsName(destination ? peerAddress_ : decision.host, decision.port);
    std::string question = "The authenticity of host '" + name + " (" + address + ")' can't be established.\n" +
                           displayKeyType(decision.keyType) + " key fingerprint is " + decision.fingerprint + ".\n";
    if (decision.knownKeyTypes.empty())
        question += "This key is not known by any other names.\n";
    question += "Are you sure you want to continue connecting (yes/no/[fingerprint])? ";
    for (;;) {
        std::optional<SecretBytes> answer = prompter_.ask(question, true);
        if (!answer) {
            worker_.answerHostKey(decision.id, false, false);
            return;
        }
        std::string text(answer->text());
        text.erase(0, text.find_first_not_of(" \t"));
        text.erase(text.find_last_not_of(" \t") + 1);
        std::string lower = text;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        if (lower == "yes" || text == decision.fingerprint) {
            worker_.answerHostKey(decision.id, true, true); // the core logs "Permanently added"
            return;
        }
        if (lower == "no") {
            worker_.answerHostKey(decision.id, false, false);
            return;
        }
        question = "Please type 'yes', 'no' or the fingerprint: ";
    }
}

void SshSession::onPrompt(const PromptEvent& prompt) {
    if (prompt.kind == PromptKind::KeyboardInteractive) {
        prompter_.show(prompt.name);
        prompter_.show(prompt.instruction);
    }
    std::vector<SecretBytes> responses;
    for (const PromptField& field : prompt.fields) {
        std::optional<SecretBytes> answer = prompter_.ask(field.text, field.echo);
        if (!answer) {
            worker_.cancelPrompt(prompt.id);
            return;
        }
        responses.push_back(std::move(*answer));
    }
    worker_.answerPrompt(prompt.id, std::move(responses));
}

void SshSession::onAuthenticated() {
    // The core has logged "Authenticated to ... using ...". With ExitOnForwardFailure, -f
    // waits until every forward listens or failed (ssh(1) defers its fork the same way), so
    // that a failure still reaches the shell that started us.
    if (invocation_.background) {
        if (invocation_.exitOnForwardFailure && forwardsUnsettled_ > 0)
            backgroundWhenForwardsSettle_ = true;
        else
            goToBackground();
    }
    if (invocation_.stdioForward) {
        startStdioForward();
        return;
    }
    if (invocation_.noRemoteCommand)
        return; // -N: the connection stays for forwarding until it ends or is ended
    worker_.openSession();
}

void SshSession::startStdioForward() {
    // -W: one direct-tcpip channel (RFC 4254 §7.2) joined to stdin and stdout, half-close
    // both ways (§5.3); the connection ends when the bridge does. Like ssh(1), a channel the
    // server cannot open ends portal-cli with status 255.
    const protocol::config::ForwardEndpoint& target = *invocation_.stdioForward;
    const auto failed = [this](const std::string& why) {
        failure_ = why + "\nstdio forwarding failed";
        QTimer::singleShot(0, &worker_, &SshWorker::closeConnection);
    };
    QString error;
    qt::ChannelDevice* channel = worker_.openDirectTcpipDevice(QString::fromStdString(target.host),
                                                               static_cast<quint16>(target.port),
                                                               QStringLiteral("127.0.0.1"), 65535, &worker_, &error);
    if (!channel) {
        failed(error.toStdString());
        return;
    }
    log(1, "Stdio forwarding to " + target.host + " port " + std::to_string(target.port));
    QObject::connect(channel, &qt::ChannelDevice::openFailed, [channel, failed](quint32, const QString& description) {
        failed("channel " + std::to_string(channel->channel()) + ": open failed: " + description.toStdString());
        channel->deleteLater();
    });
    QObject::connect(channel, &qt::ChannelDevice::opened, [this, channel] {
        auto* stdio = new qt::LocalStreamSocket(STDIN_FILENO, STDOUT_FILENO);
        auto* bridge = new qt::StreamBridge(stdio, channel, &worker_);
        // Deleted once both directions ended and everything queued went out before CLOSE.
        QObject::connect(bridge, &QObject::destroyed, &worker_, &SshWorker::closeConnection);
    });
}

void SshSession::goToBackground() {
    // ssh(1) -f: the parent returns to the shell once authentication is done; the child
    // carries on with stdin from /dev/null, detached from the terminal's session.
    const pid_t child = ::fork();
    if (child < 0) {
        log(0, std::string("fork: ") + std::strerror(errno));
        return;
    }
    if (child > 0)
        ::_exit(0);
    ::setsid();
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
        ::dup2(null, STDIN_FILENO);
        if (null != STDIN_FILENO)
            ::close(null);
    }
    stdinEof_ = true;
}

void SshSession::onChannelOpened(quint32 channel) {
    channel_ = channel;
    // Environment first, then the pty, then the program (RFC 4254 §6.4, §6.2, §6.5); the
    // requests are pipelined and answered in order.
    for (const std::string& assignment : invocation_.setEnv) {
        const std::size_t equals = assignment.find('=');
        if (equals == std::string::npos)
            continue;
        worker_.setEnv(channel, QByteArray::fromStdString(assignment.substr(0, equals)),
                       QByteArray::fromStdString(assignment.substr(equals + 1)));
    }
    if (!invocation_.sendEnv.empty()) {
        for (char** entry = environ; entry && *entry; ++entry) {
            const std::string assignment(*entry);
            const std::size_t equals = assignment.find('=');
            if (equals == std::string::npos)
                continue;
            const std::string name = assignment.substr(0, equals);
            const bool wanted = std::any_of(invocation_.sendEnv.begin(), invocation_.sendEnv.end(),
                                            [&](const std::string& pattern) {
                                                return pattern.rfind('-', 0) != 0 &&
                                                       protocol::matchWildcard(pattern, name);
                                            });
            if (wanted)
                worker_.setEnv(channel, QByteArray::fromStdString(name),
                               QByteArray::fromStdString(assignment.substr(equals + 1)));
        }
    }
    if (wantsPty()) {
        PtyRequest pty;
        const char* term = std::getenv("TERM");
        pty.term = term ? term : "";
        if (const std::optional<TerminalSize> size = terminalSize(STDIN_FILENO)) {
            pty.columns = size->columns;
            pty.rows = size->rows;
            pty.widthPixels = size->widthPixels;
            pty.heightPixels = size->heightPixels;
        }
        termios modes{};
        if (::tcgetattr(STDIN_FILENO, &modes) == 0)
            pty.modes = encodeTerminalModes(modes);
        worker_.requestPty(channel, pty);
        ptyRequested_ = true;
        escapes_.emplace(invocation_.escapeChar);
        if (::isatty(STDIN_FILENO)) {
            rawTerminal_ = std::make_unique<RawTerminal>(STDIN_FILENO);
            if (::pipe2(gWinchPipe, O_CLOEXEC | O_NONBLOCK) == 0) {
                winchNotifier_ = std::make_unique<QSocketNotifier>(gWinchPipe[0], QSocketNotifier::Read);
                QObject::connect(winchNotifier_.get(), &QSocketNotifier::activated, [this] { onWindowChange(); });
                struct sigaction action{};
                action.sa_handler = onWindowChanged;
                sigemptyset(&action.sa_mask);
                action.sa_flags = SA_RESTART;
                ::sigaction(SIGWINCH, &action, nullptr);
            }
        }
    }
    if (invocation_.command.empty())
        worker_.requestShell(channel);
    else
        worker_.requestExec(channel, QByteArray::fromStdString(invocation_.command));
}

void SshSession::onChannelRequestResult(quint32 channel, const QString& request, bool success) {
    if (request == QLatin1String("env") || request == QLatin1String("window-change"))
        return; // the server may refuse variables it does not accept; ssh(1) carries on
    if (request == QLatin1String("break")) {
        // RFC 4335 §3: sshd accepts only when it could send the break to the session's tty.
        log(1, "channel " + std::to_string(channel) + ": BREAK " + (success ? "accepted" : "refused") +
                   " by the server");
        return;
    }
    if (!success) {
        if (request == QLatin1String("pty-req")) {
            logLine("PTY allocation request failed on channel " + std::to_string(channel));
            return;
        }
        logLine(request.toStdString() + " request failed on channel " + std::to_string(channel));
        worker_.closeChannel(channel);
        return;
    }
    if (request == QLatin1String("exec") || request == QLatin1String("shell")) {
        channelReady_ = true;
        if (invocation_.stdinFromDevNull)
            stdinEof_ = true;
        if (stdinEof_)
            worker_.sendEof(channel);
        updateNotifiers();
    }
}

void SshSession::onChannelData(quint32 channel, QByteArray data, bool extended) {
    OutputQueue& queue = extended ? stderr_ : stdout_;
    bool& broken = extended ? stderrBroken_ : stdoutBroken_;
    if (broken) {
        worker_.consumed(channel, data.size());
        return;
    }
    queue.push(std::move(data));
    flushOutput(queue, extended ? STDERR_FILENO : STDOUT_FILENO, broken);
}

void SshSession::flushOutput(OutputQueue& queue, int fd, bool& broken) {
    const qint64 wrote = queue.flush(fd);
    if (wrote < 0) {
        // The reader went away (EPIPE): like ssh(1), keep the session going and discard.
        broken = true;
        const qint64 dropped = queue.queued;
        queue = OutputQueue();
        if (channel_)
            worker_.consumed(*channel_, dropped);
    } else if (wrote > 0 && channel_) {
        // Refill the server's window only for bytes really delivered (RFC 4254 §5.2).
        worker_.consumed(*channel_, wrote);
    }
    updateNotifiers();
    finishIfDone();
}

void SshSession::updateNotifiers() {
    const auto setWatch = [](std::unique_ptr<QSocketNotifier>& notifier, int fd, QSocketNotifier::Type type,
                             bool wanted, const std::function<void()>& handler) {
        if (!wanted) {
            if (notifier)
                notifier->setEnabled(false);
            return;
        }
        if (!notifier) {
            notifier = std::make_unique<QSocketNotifier>(fd, type);
            QObject::connect(notifier.get(), &QSocketNotifier::activated, handler);
        }
        notifier->setEnabled(true);
    };
    const bool readStdinNow = channelReady_ && !stdinEof_ && !disconnected_ && stdinBacklog_ < kStdinBacklogLimit;
    setWatch(stdinNotifier_, STDIN_FILENO, QSocketNotifier::Read, readStdinNow, [this] { readStdin(); });
    setWatch(stdoutNotifier_, STDOUT_FILENO, QSocketNotifier::Write, !stdout_.empty(),
             [this] { flushOutput(stdout_, STDOUT_FILENO, stdoutBroken_); });
    setWatch(stderrNotifier_, STDERR_FILENO, QSocketNotifier::Write, !stderr_.empty(),
             [this] { flushOutput(stderr_, STDERR_FILENO, stderrBroken_); });
}

void SshSession::readStdin() {
    if (!channel_ || stdinEof_)
        return;
    // One buffer reused while the worker has let go of the last chunk (the usual case: the
    // core takes it whole when the window allows). A fresh 256 KiB block per read would be
    // an mmap, page faults and an munmap each time.
    QByteArray& buffer = stdinBuffer_;
    if (!buffer.isDetached() || buffer.capacity() < kStdinChunk)
        buffer = QByteArray(kStdinChunk, Qt::Uninitialized);
    else
        buffer.resize(kStdinChunk);
    const ssize_t got = ::read(STDIN_FILENO, buffer.data(), static_cast<std::size_t>(buffer.size()));
    if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (got <= 0) {
        stdinEof_ = true;
        updateNotifiers();
        if (!ptyRequested_ || !::isatty(STDIN_FILENO))
            worker_.sendEof(*channel_); // after everything written before it
        return;
    }
    buffer.truncate(got);
    if (escapes_) {
        const auto bytes = reinterpret_cast<const std::uint8_t*>(buffer.constData());
        escapes_->feed(
            ByteView(bytes, static_cast<std::size_t>(got)), [this](ByteView run) { sendInput(run); },
            [this](EscapeCommand command) { onEscape(command); });
    } else {
        stdinBacklog_ += got;
        worker_.write(*channel_, buffer); // shared, not copied
    }
    updateNotifiers();
}

void SshSession::sendInput(ByteView bytes) {
    if (!channel_ || disconnected_ || bytes.empty())
        return;
    stdinBacklog_ += static_cast<qint64>(bytes.size());
    worker_.write(*channel_, QByteArray(reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size())));
}

void SshSession::onEscape(EscapeCommand command) {
    switch (command) {
    case EscapeCommand::Disconnect:
        userDisconnected_ = true;
        worker_.closeConnection();
        return;
    case EscapeCommand::SendBreak:
        // ssh(1) sends a break of 1000 ms; the server's answer is logged at -v.
        if (channel_)
            worker_.sendBreak(*channel_, 1000);
        return;
    case EscapeCommand::Rekey: worker_.requestRekey(); return;
    case EscapeCommand::CommandLine:
        // OpenSSH 9.2 made the command line opt-in (EnableEscapeCommandline): it can add
        // forwards to a running session.
        if (!invocation_.enableEscapeCommandline) {
            writeAll(STDERR_FILENO, "commandline disabled\r\n");
            return;
        }
        runCommandLine();
        return;
    case EscapeCommand::Suspend: {
        // Give the terminal back, stop ourselves like ^Z would, and take it again on resume.
        writeAll(STDERR_FILENO, "^Z [suspend ssh]\r\n");
        if (rawTerminal_)
            rawTerminal_->restore();
        ::raise(SIGTSTP);
        if (rawTerminal_)
            rawTerminal_->enter();
        onWindowChange();
        return;
    }
    case EscapeCommand::ListConnections: {
        std::string text = "The following connections are open:\r\n";
        if (channel_)
            text += "  #" + std::to_string(*channel_) + " client-session (" +
                    (invocation_.command.empty() ? std::string("shell") : "exec: " + invocation_.command) + ")\r\n";
        for (const ReadyForward& forward : readyForwards_)
            text += "  listening: " + forward.describe() + "\r\n";
        writeAll(STDERR_FILENO, text);
        return;
    }
    case EscapeCommand::Help:
        writeAll(STDERR_FILENO, escapeHelp(invocation_.escapeChar, logFd_ == STDERR_FILENO));
        return;
    case EscapeCommand::LessVerbose: changeLogLevel(-1, 'V'); return;
    case EscapeCommand::MoreVerbose: changeLogLevel(+1, 'v'); return;
    case EscapeCommand::Background: backgroundAtLogout(); return;
    }
}

void SshSession::changeLogLevel(int step, char key) {
    // ssh(1) ~V / ~v: one step along LogLevel, QUIET to DEBUG3, said as "~v [LogLevel DEBUG1]".
    // A log that goes to a file (-E) keeps its level; ssh says so in its own words.
    const std::string escape{static_cast<char>(invocation_.escapeChar), key};
    if (logFd_ != STDERR_FILENO) {
        writeAll(STDERR_FILENO, escape + " [Logging to syslog]\r\n");
        return;
    }
    logLevel_ = std::clamp(logLevel_ + step, 0, kLogDebug3);
    writeAll(STDERR_FILENO, escape + " [LogLevel " + kLogLevelNames[logLevel_] + "]\r\n");
}

void SshSession::backgroundAtLogout() {
    // ssh(1) ~&: the terminal given back, no new connections accepted by our listeners (those
    // made go on), then to the background; the session gets ^D and EOF, so the shell logs
    // out, and the background process ends once the forwarded connections have.
    rawTerminal_.reset();
    for (const ReadyForward& forward : readyForwards_)
        if (forward.spec.kind != qt::PortForward::Kind::Remote)
            worker_.removeForward(forward.spec);
    writeAll(STDERR_FILENO, std::string(1, static_cast<char>(invocation_.escapeChar)) + "& [backgrounded]\n");
    goToBackground();
    if (!channel_)
        return;
    static constexpr std::uint8_t kEndOfTransmission = 0x04;
    sendInput(ByteView(&kEndOfTransmission, 1));
    worker_.sendEof(*channel_);
    updateNotifiers();
}

void SshSession::runLocalCommand(const std::string& command) {
    // ssh(1) ~C !command: $SHELL -c command on this terminal (still in canonical mode from
    // the command line), waited for while the connection waits too. Unlike ssh, whose own
    // stdout is /dev/null by then, the command's output is shown.
    if (command.find_first_not_of(" \t") == std::string::npos)
        return;
    const char* shellVariable = std::getenv("SHELL");
    const std::string shell = shellVariable && *shellVariable ? shellVariable : "/bin/sh";
    const pid_t child = ::fork();
    if (child < 0) {
        logLine(std::string("fork: ") + std::strerror(errno));
        return;
    }
    if (child == 0) {
        ::signal(SIGPIPE, SIG_DFL); // ignored here, but the command expects the default
        ::execl(shell.c_str(), shell.c_str(), "-c", command.c_str(), static_cast<char*>(nullptr));
        writeAll(STDERR_FILENO, "Couldn't execute " + shell + " -c \"" + command + "\": " + std::strerror(errno) + "\n");
        ::_exit(1);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
}

void SshSession::runCommandLine() {
    // ssh(1) ~C: the terminal back in canonical mode with echo for one line read at the
    // "ssh> " prompt; the event loop waits meanwhile, as ssh's does.
    if (rawTerminal_)
        rawTerminal_->restore();
    writeAll(STDERR_FILENO, "\r\nssh> ");
    std::string line;
    for (char c = 0;;) {
        const ssize_t got = ::read(STDIN_FILENO, &c, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0 || c == '\n')
            break;
        line += c;
    }
    const std::string result = commandLineResult(line);
    if (!result.empty())
        writeAll(STDERR_FILENO, result + "\n");
    if (rawTerminal_)
        rawTerminal_->enter();
}

std::string SshSession::commandLineResult(const std::string& commandLine) {
    std::string command = commandLine;
    const auto trim = [](std::string& text) {
        text.erase(0, text.find_first_not_of(" \t\r"));
        text.erase(text.find_last_not_of(" \t\r") + 1);
    };
    trim(command);
    if (!command.empty() && command.front() == '-')
        command.erase(0, 1);
    if (command.empty())
        return {};
    if (command == "?" || command == "h" || command == "H")
        return std::string("Commands:\n"
                           "      -L[bind_address:]port:host:hostport    Request local forward\n"
                           "      -R[bind_address:]port:host:hostport    Request remote forward\n"
                           "      -D[bind_address:]port                  Request dynamic forward\n"
                           "      -KL[bind_address:]port                 Cancel local forward\n"
                           "      -KR[bind_address:]port                 Cancel remote forward\n"
                           "      -KD[bind_address:]port                 Cancel dynamic forward") +
               (invocation_.permitLocalCommand ? "\n      !args                                  Execute local command"
                                               : "");
    // Without PermitLocalCommand a '!' is no command at all ("Invalid command." below).
    if (command.front() == '!' && invocation_.permitLocalCommand) {
        runLocalCommand(command.substr(1));
        return {};
    }
    const bool cancel = command.front() == 'K';
    if (cancel)
        command.erase(0, 1);
    if (command.empty() || std::string_view("LRD").find(command.front()) == std::string_view::npos)
        return "Invalid command.";
    const char kind = command.front();
    std::string spec = command.substr(1);
    trim(spec);

    // The specification is read by the same ssh_config resolver as -L/-R/-D, so it takes the
    // same forms; a cancel names only the listening side, which is DynamicForward's form.
    namespace config = protocol::config;
    const std::string keyword = cancel || kind == 'D' ? "DynamicForward " : kind == 'L' ? "LocalForward " : "RemoteForward ";
    const config::ConfigFileAccess noFiles{
        [](const std::string&) -> Result<std::optional<std::string>> { return std::optional<std::string>(); },
        [](const std::string&) { return std::vector<std::string>(); }};
    const Result<config::SshOptions> parsed = config::resolveSshConfig(
        config::Destination{"~C", std::nullopt, std::nullopt}, {}, config::LocalContext{}, noFiles,
        {keyword + (cancel || kind == 'D' ? spec : forwardSpecToConfigArguments(spec))});
    if (!parsed || spec.empty())
        return cancel ? "Bad forwarding close port" : "Bad forwarding specification.";

    const qt::PortForward::Kind wanted = kind == 'L'   ? qt::PortForward::Kind::Local
                                         : kind == 'R' ? qt::PortForward::Kind::Remote
                                                       : qt::PortForward::Kind::Dynamic;
    if (cancel) {
        const config::ForwardEndpoint& listen = parsed->dynamicForwards.front().listen;
        const auto match = std::find_if(readyForwards_.begin(), readyForwards_.end(), [&](const ReadyForward& ready) {
            return ready.spec.kind == wanted &&
                   (ready.spec.bindPort == listen.port || ready.boundPort == listen.port) &&
                   (listen.host.empty() || ready.spec.bindAddress.toStdString() == listen.host);
        });
        if (match == readyForwards_.end())
            return "Unknown port forwarding.";
        qt::PortForward spec = match->spec;
        if (spec.kind == qt::PortForward::Kind::Remote && spec.bindPort == 0)
            spec.bindPort = match->boundPort; // the worker knows it by the port the server bound
        worker_.removeForward(spec);
        readyForwards_.erase(match);
        return "Canceled forwarding.";
    }
    SshInvocation request;
    request.localForwards = parsed->localForwards;
    request.remoteForwards = parsed->remoteForwards;
    request.dynamicForwards = parsed->dynamicForwards;
    std::vector<std::string> unsupported;
    const std::vector<qt::PortForward> forwards = portForwards(request, unsupported);
    if (!unsupported.empty() || forwards.size() != 1)
        return "Bad forwarding specification.";
    // Our own listeners answer at once; a remote forward's answer comes later, as in ssh(1).
    const int failuresBefore = commandLineFailures_;
    addingFromCommandLine_ = wanted != qt::PortForward::Kind::Remote;
    worker_.addForward(forwards.front());
    addingFromCommandLine_ = false;
    return commandLineFailures_ > failuresBefore ? "Port forwarding failed." : "Forwarding port.";
}

void SshSession::onWindowChange() {
    char drain[64];
    while (gWinchPipe[0] >= 0 && ::read(gWinchPipe[0], drain, sizeof drain) > 0) {
    }
    if (!channel_ || !ptyRequested_)
        return;
    if (const std::optional<TerminalSize> size = terminalSize(STDIN_FILENO))
        worker_.windowChange(*channel_, size->columns, size->rows);
}

void SshSession::onChannelClosed(quint32) {
    channelClosed_ = true;
    if (stdinNotifier_)
        stdinNotifier_->setEnabled(false);
    // Like ssh(1), the end waits for forwarded connections (and X11 clients) still open,
    // with the terminal given back meanwhile; ~& would have sent the wait to the background.
    if (worker_.openChannelCount() > 0) {
        rawTerminal_.reset();
        log(1, "session closed with " + std::to_string(worker_.openChannelCount()) +
                   " forwarded channel(s) open: waiting for them to terminate");
        return;
    }
    worker_.closeConnection();
}

void SshSession::onDisconnected(bool clean, const Error& error) {
    disconnected_ = true;
    if (!clean && !channelClosed_ && !userDisconnected_) {
        failure_ = error.message.empty() ? std::string("Connection closed") : error.message;
        if (!tcpConnected_)
            failure_ = "portal-cli: " + failure_;
    }
    updateNotifiers();
    finishIfDone();
}

void SshSession::onForwardFailed(const qt::PortForward& forward, const std::string& reason) {
    // ssh(1)'s words: a listener of ours that cannot be set up (-L, -D) is reported with the
    // reason, then "Could not request local forwarding."; a tcpip-forward the server refuses
    // (RFC 4254 §7.1) as "remote port forwarding failed for listen port N".
    std::string message;
    if (forward.kind == qt::PortForward::Kind::Remote) {
        log(1, forward.describe().toStdString() + ": " + reason);
        message = std::string(invocation_.exitOnForwardFailure ? "Error" : "Warning") +
                  ": remote port forwarding failed for listen port " + std::to_string(forward.bindPort);
    } else {
        if (!invocation_.quiet)
            logLine(forward.describe().toStdString() + ": " + reason);
        message = "Could not request local forwarding.";
    }
    if (addingFromCommandLine_) {
        ++commandLineFailures_; // ~C says "Port forwarding failed." and the session goes on
        return;
    }
    if (!invocation_.exitOnForwardFailure) {
        if (!invocation_.quiet)
            logLine(message);
        onForwardSettled();
        return;
    }
    // ExitOnForwardFailure: the end, with exit status 255. Closed from the event loop, not
    // from inside the worker's signal.
    if (failure_.empty())
        failure_ = message;
    backgroundWhenForwardsSettle_ = false;
    QTimer::singleShot(0, &worker_, &SshWorker::closeConnection);
}

void SshSession::onForwardSettled() {
    if (forwardsUnsettled_ > 0)
        --forwardsUnsettled_;
    if (forwardsUnsettled_ == 0 && backgroundWhenForwardsSettle_) {
        backgroundWhenForwardsSettle_ = false;
        goToBackground();
    }
}

void SshSession::finishIfDone() {
    if (!disconnected_ || finishing_)
        return;
    if (!stdout_.empty() && !stdoutBroken_)
        return;
    if (!stderr_.empty() && !stderrBroken_)
        return;
    finishing_ = true;
    QCoreApplication::exit(0);
}

} // namespace

int runSshCommand(const SshInvocation& invocation) {
    // A reader that goes away must not kill us with SIGPIPE: write() reports EPIPE instead.
    ::signal(SIGPIPE, SIG_IGN);
    if (!invocation.quiet) {
        for (const std::string& missing : invocation.missingIdentityFiles)
            writeAll(STDERR_FILENO, "Warning: Identity file " + missing + " not accessible: No such file or directory.\n");
    }
    static int argc = 1;
    static char name[] = "portal-cli";
    static char* argv[] = {name, nullptr};
    QCoreApplication application(argc, argv);
    SshSession session(invocation);
    return session.run();
}

} // namespace portal::app::cli
