// The portal-cli event loop: poll() over the socket and stdio, driving the sans-I/O
// SshClient. Chosen over SshWorker for the console because it adds no thread hop, no
// QByteArray copies and no event-loop latency between the socket and the core: bytes go
// from one large read() straight into receiveBytes(), and channel data from the core's
// buffer straight to write().
#include "SshCommand.h"

#include "Prompter.h"
#include "TcpConnector.h"

#include "client/SshClient.h"
#include "keys/KnownHosts.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace portal::app::cli {

using namespace protocol;
using namespace protocol::client;

namespace {

constexpr int kExitFailure = 255;          // ssh(1): connection, host-key or auth failure
constexpr std::size_t kReadChunk = 256 * 1024; // large reads: fewer syscalls and core calls
// Stop reading stdin while this much is waiting for the socket: bounds memory when the
// network is slower than the local producer.
constexpr std::size_t kSocketBacklogLimit = 4 * 1024 * 1024;

void writeStderrLine(const std::string& text) {
    const std::string line = text + "\n";
    [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
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

// A byte queue written out in order to one descriptor, with a read offset so partial
// writes never copy.
struct OutputQueue {
    std::deque<Bytes> chunks;
    std::size_t offset = 0; // into chunks.front()
    std::size_t queued = 0;

    bool empty() const { return chunks.empty(); }
    void push(Bytes bytes) {
        if (bytes.empty())
            return;
        queued += bytes.size();
        chunks.push_back(std::move(bytes));
    }
    // Writes what the descriptor takes now; returns bytes written, or -1 on a hard error.
    ssize_t flush(int fd) {
        std::size_t total = 0;
        while (!chunks.empty()) {
            const Bytes& front = chunks.front();
            const ssize_t wrote = ::write(fd, front.data() + offset, front.size() - offset);
            if (wrote < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                return -1;
            }
            total += static_cast<std::size_t>(wrote);
            offset += static_cast<std::size_t>(wrote);
            if (offset == front.size()) {
                chunks.pop_front();
                offset = 0;
            }
        }
        queued -= total;
        return static_cast<ssize_t>(total);
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

class CommandSession {
public:
    CommandSession(const SshInvocation& invocation, TcpConnection connection)
        : invocation_(invocation), connection_(std::move(connection)), client_(invocation.config) {}
    ~CommandSession() { ::close(connection_.fd); }

    int run();

private:
    // ---- event handling ----
    void handleEvents();
    void onHostKeyDecision(const HostKeyDecision& decision);
    void onPrompt(const PromptEvent& prompt);
    void onDisconnected(const DisconnectedEvent& event);
    void log(LogLevel level, const std::string& text) const;

    // ---- I/O ----
    void readSocket();
    void writeSocket();
    void readStdin();
    void offerPendingStdin();
    void flushOutput(OutputQueue& queue, int fd, bool& broken);
    bool finished() const;

    const SshInvocation& invocation_;
    TcpConnection connection_;
    SshClient client_;
    Prompter prompter_;

    Bytes socketOut_;          // bytes from the core not yet taken by the socket
    std::size_t socketOutOffset_ = 0;
    bool socketClosed_ = false;

    std::optional<ChannelId> channel_;
    bool channelReady_ = false; // exec/shell accepted; stdin may flow
    bool stdinEof_ = false;     // local stdin ended (EOF sent or about to be)
    bool eofSent_ = false;
    Bytes stdinPending_;        // read from stdin, not yet taken by sendData
    std::size_t stdinPendingOffset_ = 0;

    OutputQueue stdout_;
    OutputQueue stderr_;
    bool stdoutBroken_ = false;
    bool stderrBroken_ = false;

    bool channelClosed_ = false;
    bool disconnected_ = false;
    std::optional<int> exitStatus_;
    std::string failure_; // printed once, at the end
};

void CommandSession::log(LogLevel level, const std::string& text) const {
    const int needed = level == LogLevel::Info ? 0 : level == LogLevel::Verbose ? 1 : 2;
    if (invocation_.quiet || invocation_.verbosity < needed)
        return;
    writeStderrLine(needed == 0 ? text : "debug" + std::to_string(needed) + ": " + text);
}

int CommandSession::run() {
    NonBlockingStdio stdio;
    client_.start(Clock::now());
    writeSocket();
    while (!finished()) {
        handleEvents();
        writeSocket();
        if (finished())
            break;

        pollfd fds[4];
        int count = 0;
        const int socketIndex = count;
        short socketEvents = 0;
        if (!socketClosed_) {
            socketEvents = POLLIN;
            if (socketOutOffset_ < socketOut_.size())
                socketEvents |= POLLOUT;
        }
        fds[count++] = {connection_.fd, socketEvents, 0};
        int stdinIndex = -1;
        const std::size_t backlog = socketOut_.size() - socketOutOffset_;
        if (channelReady_ && !stdinEof_ && stdinPending_.empty() && backlog < kSocketBacklogLimit &&
            client_.sendWindow(*channel_) > 0) {
            stdinIndex = count;
            fds[count++] = {STDIN_FILENO, POLLIN, 0};
        }
        int stdoutIndex = -1;
        if (!stdout_.empty()) {
            stdoutIndex = count;
            fds[count++] = {STDOUT_FILENO, POLLOUT, 0};
        }
        int stderrIndex = -1;
        if (!stderr_.empty()) {
            stderrIndex = count;
            fds[count++] = {STDERR_FILENO, POLLOUT, 0};
        }

        int timeoutMs = -1;
        if (const std::optional<TimePoint> deadline = client_.nextDeadline()) {
            const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
            timeoutMs = static_cast<int>(std::clamp<long long>(wait.count(), 0, 24 * 3600 * 1000));
        }
        const int ready = ::poll(fds, static_cast<nfds_t>(count), timeoutMs);
        if (ready < 0 && errno != EINTR) {
            failure_ = std::string("poll: ") + std::strerror(errno);
            break;
        }
        if (fds[socketIndex].revents & (POLLIN | POLLHUP | POLLERR))
            readSocket();
        if (fds[socketIndex].revents & POLLOUT)
            writeSocket();
        if (stdinIndex >= 0 && (fds[stdinIndex].revents & (POLLIN | POLLHUP | POLLERR)))
            readStdin();
        if (stdoutIndex >= 0 && (fds[stdoutIndex].revents & (POLLOUT | POLLERR | POLLHUP)))
            flushOutput(stdout_, STDOUT_FILENO, stdoutBroken_);
        if (stderrIndex >= 0 && (fds[stderrIndex].revents & (POLLOUT | POLLERR | POLLHUP)))
            flushOutput(stderr_, STDERR_FILENO, stderrBroken_);
        if (const std::optional<TimePoint> deadline = client_.nextDeadline(); deadline && *deadline <= Clock::now())
            client_.tick(Clock::now());
    }
    // Output that arrived before the end is delivered even when the end was an error.
    for (auto [queue, fd, broken] : {std::tuple{&stdout_, STDOUT_FILENO, &stdoutBroken_},
                                     std::tuple{&stderr_, STDERR_FILENO, &stderrBroken_}}) {
        if (!*broken && !queue->empty()) {
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            queue->flush(fd);
        }
    }
    if (!failure_.empty()) {
        writeStderrLine(failure_);
        return kExitFailure;
    }
    return exitStatus_.value_or(kExitFailure);
}

bool CommandSession::finished() const {
    if (disconnected_)
        return stdout_.empty() && stderr_.empty();
    if (!failure_.empty())
        return true;
    // Done when the channel is closed, its output delivered and our DISCONNECT written.
    return channelClosed_ && stdout_.empty() && stderr_.empty() && client_.isClosed() &&
           socketOutOffset_ == socketOut_.size();
}

void CommandSession::readSocket() {
    // One large read per readiness: the core parses whole packets out of it at once.
    static thread_local std::vector<std::uint8_t> buffer(kReadChunk);
    for (int round = 0; round < 4; ++round) {
        const ssize_t got = ::read(connection_.fd, buffer.data(), buffer.size());
        if (got > 0) {
            client_.receiveBytes(ByteView(buffer.data(), static_cast<std::size_t>(got)), Clock::now());
            if (static_cast<std::size_t>(got) < buffer.size())
                return;
            continue;
        }
        if (got < 0 && (errno == EINTR))
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        socketClosed_ = true;
        client_.connectionLost(got == 0 ? "Connection closed by remote host" : std::strerror(errno), Clock::now());
        return;
    }
}

void CommandSession::writeSocket() {
    if (client_.hasOutgoingBytes()) {
        Bytes more = client_.takeOutgoingBytes();
        if (socketOutOffset_ == socketOut_.size()) {
            socketOut_ = std::move(more);
            socketOutOffset_ = 0;
        } else {
            socketOut_.insert(socketOut_.end(), more.begin(), more.end());
        }
    }
    while (!socketClosed_ && socketOutOffset_ < socketOut_.size()) {
        const ssize_t wrote = ::send(connection_.fd, socketOut_.data() + socketOutOffset_,
                                     socketOut_.size() - socketOutOffset_, MSG_NOSIGNAL);
        if (wrote < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            socketClosed_ = true;
            client_.connectionLost(std::strerror(errno), Clock::now());
            return;
        }
        socketOutOffset_ += static_cast<std::size_t>(wrote);
    }
    if (socketOutOffset_ == socketOut_.size()) {
        socketOut_.clear();
        socketOutOffset_ = 0;
    } else if (socketOutOffset_ > socketOut_.size() / 2) {
        socketOut_.erase(socketOut_.begin(), socketOut_.begin() + static_cast<std::ptrdiff_t>(socketOutOffset_));
        socketOutOffset_ = 0;
    }
}

void CommandSession::readStdin() {
    const std::size_t window = client_.sendWindow(*channel_);
    stdinPending_.resize(std::min(window, kReadChunk));
    const ssize_t got = ::read(STDIN_FILENO, stdinPending_.data(), stdinPending_.size());
    if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
        stdinPending_.clear();
        return;
    }
    if (got <= 0) {
        stdinPending_.clear();
        stdinEof_ = true;
        offerPendingStdin();
        return;
    }
    stdinPending_.resize(static_cast<std::size_t>(got));
    stdinPendingOffset_ = 0;
    offerPendingStdin();
}

void CommandSession::offerPendingStdin() {
    if (!channel_ || !channelReady_)
        return;
    if (stdinPendingOffset_ < stdinPending_.size()) {
        Result<std::size_t> taken = client_.sendData(
            *channel_, ByteView(stdinPending_.data() + stdinPendingOffset_, stdinPending_.size() - stdinPendingOffset_));
        if (!taken) {
            log(LogLevel::Verbose, "stdin: " + taken.error().message);
            stdinPending_.clear();
            stdinPendingOffset_ = 0;
            stdinEof_ = true;
            return;
        }
        stdinPendingOffset_ += taken.value();
        if (stdinPendingOffset_ < stdinPending_.size())
            return; // the rest goes after ChannelWritable
        stdinPending_.clear();
        stdinPendingOffset_ = 0;
    }
    if (stdinEof_ && !eofSent_) {
        eofSent_ = true;
        (void)client_.sendEof(*channel_);
    }
}

void CommandSession::flushOutput(OutputQueue& queue, int fd, bool& broken) {
    const ssize_t wrote = queue.flush(fd);
    if (wrote < 0) {
        // The reader went away (EPIPE): like ssh(1), keep the session going and discard.
        broken = true;
        const std::size_t dropped = queue.queued;
        queue = OutputQueue();
        if (channel_)
            client_.consumed(*channel_, dropped);
        return;
    }
    // Refill the server's window only for bytes really delivered (RFC 4254 §5.2).
    if (wrote > 0 && channel_)
        client_.consumed(*channel_, static_cast<std::size_t>(wrote));
}

void CommandSession::handleEvents() {
    while (std::optional<Event> event = client_.pollEvent()) {
        std::visit(
            [this](auto& e) {
                using T = std::decay_t<decltype(e)>;
                if constexpr (std::is_same_v<T, LogEvent>) {
                    log(e.level, e.text);
                } else if constexpr (std::is_same_v<T, HostKeyDecision>) {
                    onHostKeyDecision(e);
                } else if constexpr (std::is_same_v<T, PromptEvent>) {
                    onPrompt(e);
                } else if constexpr (std::is_same_v<T, BannerEvent>) {
                    if (!invocation_.quiet) {
                        const std::string text = sanitizeForTerminal(e.text);
                        [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, text.data(), text.size());
                    }
                } else if constexpr (std::is_same_v<T, AuthenticatedEvent>) {
                    // The core has logged "Authenticated to ... using ...".
                    Result<ChannelId> opened = client_.openSession();
                    if (!opened)
                        failure_ = opened.error().message;
                    else
                        channel_ = opened.value();
                } else if constexpr (std::is_same_v<T, ChannelOpenedEvent>) {
                    const Status requested = invocation_.command.empty() ? client_.requestShell(e.id)
                                                                         : client_.requestExec(e.id, invocation_.command);
                    if (!requested)
                        failure_ = requested.error().message;
                } else if constexpr (std::is_same_v<T, ChannelOpenFailedEvent>) {
                    failure_ = "channel " + std::to_string(e.id) + ": open failed: " + e.description;
                } else if constexpr (std::is_same_v<T, ChannelRequestResultEvent>) {
                    if (!e.success) {
                        writeStderrLine(e.request + " request failed on channel " + std::to_string(e.id));
                        (void)client_.closeChannel(e.id);
                        return;
                    }
                    if (e.request == "exec" || e.request == "shell") {
                        channelReady_ = true;
                        if (invocation_.stdinFromDevNull)
                            stdinEof_ = true;
                        offerPendingStdin();
                    }
                } else if constexpr (std::is_same_v<T, ChannelDataEvent>) {
                    OutputQueue& queue = e.extended ? stderr_ : stdout_;
                    const bool broken = e.extended ? stderrBroken_ : stdoutBroken_;
                    if (broken) {
                        client_.consumed(e.id, e.data.size());
                        return;
                    }
                    queue.push(std::move(e.data));
                    flushOutput(queue, e.extended ? STDERR_FILENO : STDOUT_FILENO,
                                e.extended ? stderrBroken_ : stdoutBroken_);
                } else if constexpr (std::is_same_v<T, ChannelEofEvent>) {
                    log(LogLevel::Debug, "channel " + std::to_string(e.id) + ": rcvd eof");
                } else if constexpr (std::is_same_v<T, ExitStatusEvent>) {
                    exitStatus_ = static_cast<int>(e.status & 0xff);
                    log(LogLevel::Verbose, "Exit status " + std::to_string(e.status));
                } else if constexpr (std::is_same_v<T, ExitSignalEvent>) {
                    log(LogLevel::Verbose, "Remote command killed by signal " + e.signal +
                                               (e.message.empty() ? std::string() : ": " + e.message));
                } else if constexpr (std::is_same_v<T, ChannelClosedEvent>) {
                    channelClosed_ = true;
                    client_.disconnect("disconnected by user");
                } else if constexpr (std::is_same_v<T, ChannelWritableEvent>) {
                    offerPendingStdin();
                } else if constexpr (std::is_same_v<T, GlobalRequestResultEvent>) {
                    // portal-cli ssh sends no global requests of its own.
                } else if constexpr (std::is_same_v<T, DisconnectedEvent>) {
                    onDisconnected(e);
                }
            },
            *event);
    }
}

void CommandSession::onHostKeyDecision(const HostKeyDecision& decision) {
    const std::string name = keys::knownHostsName(decision.host, decision.port);
    const std::string address = keys::knownHostsName(connection_.address, decision.port);
    std::string question = "The authenticity of host '" + name + " (" + address + ")' can't be established.\n" +
                           displayKeyType(decision.keyType) + " key fingerprint is " + decision.fingerprint + ".\n";
    if (decision.knownKeyTypes.empty())
        question += "This key is not known by any other names.\n";
    question += "Are you sure you want to continue connecting (yes/no/[fingerprint])? ";
    for (;;) {
        std::optional<SecretBytes> answer = prompter_.ask(question, true);
        if (!answer) {
            client_.answerHostKey(decision.id, false, false);
            return;
        }
        std::string text(answer->text());
        text.erase(0, text.find_first_not_of(" \t"));
        text.erase(text.find_last_not_of(" \t") + 1);
        std::string lower = text;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        if (lower == "yes" || text == decision.fingerprint) {
            client_.answerHostKey(decision.id, true, true); // the core logs "Permanently added"
            return;
        }
        if (lower == "no") {
            client_.answerHostKey(decision.id, false, false);
            return;
        }
        question = "Please type 'yes', 'no' or the fingerprint: ";
    }
}

void CommandSession::onPrompt(const PromptEvent& prompt) {
    if (prompt.kind == PromptKind::KeyboardInteractive) {
        prompter_.show(prompt.name);
        prompter_.show(prompt.instruction);
    }
    std::vector<SecretBytes> responses;
    for (const PromptField& field : prompt.fields) {
        std::optional<SecretBytes> answer = prompter_.ask(field.text, field.echo);
        if (!answer) {
            client_.cancelPrompt(prompt.id);
            return;
        }
        responses.push_back(std::move(*answer));
    }
    client_.answerPrompt(prompt.id, std::move(responses));
}

void CommandSession::onDisconnected(const DisconnectedEvent& event) {
    disconnected_ = true;
    if (event.clean || channelClosed_)
        return;
    failure_ = event.error.message;
    if (failure_.empty())
        failure_ = "Connection closed";
}

} // namespace

int runSshCommand(const SshInvocation& invocation) {
    // A reader that goes away must not kill us with SIGPIPE: write() reports EPIPE instead.
    ::signal(SIGPIPE, SIG_IGN);
    if (!invocation.quiet) {
        for (const std::string& missing : invocation.missingIdentityFiles)
            writeStderrLine("Warning: Identity file " + missing + " not accessible: No such file or directory.");
    }
    const auto log = [&](const std::string& text) {
        if (invocation.verbosity >= 1 && !invocation.quiet)
            writeStderrLine("debug1: " + text);
    };
    Result<TcpConnection> connection = connectTcp(invocation.config.host, invocation.config.port,
                                                  invocation.addressFamily, invocation.connectTimeout, log);
    if (!connection) {
        writeStderrLine("portal-cli: " + connection.error().message);
        return kExitFailure;
    }
    CommandSession session(invocation, std::move(connection.value()));
    return session.run();
}

} // namespace portal::app::cli
