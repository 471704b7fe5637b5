// SshWorker: feeds the stream's bytes into the sans-I/O SshClient, writes its output, follows
// its deadlines with a timer and turns its events into queued Qt signals; runs the agent
// connection, the forwards and the jump-host chain around it.
#include "SshWorker.h"

#include "AgentConnection.h"
#include "ChannelDevice.h"
#include "ForwardListener.h"
#include "ServerStream.h"
#include "SocksSession.h"
#include "StreamBridge.h"

#include <QLocalSocket>
#include <QMetaObject>
#include <QTcpSocket>
#include <QTimer>

#ifndef Q_OS_WIN
#include "LocalStreamSocket.h"

#include <unistd.h>
#endif

#include <algorithm>

namespace portal::protocol::qt {

using namespace client;

namespace {

constexpr qint64 kReadChunk = 256 * 1024;
// Stop feeding channel data to the core while this much waits to be sent (in the core's
// output or the stream's buffer), so a fast producer cannot grow memory without bound when
// the network is slower. The kernel's send buffer holds more besides.
constexpr qint64 kStreamBacklogLimit = 1024 * 1024;
constexpr int kCloseGraceMs = 1000;
// A jump host's prompt and host-key ids carry the hop in their top byte (hop + 1), so the
// answers find their way back; the core's own ids are small counters.
constexpr int kHopShift = 56;
constexpr quint64 kHopIdMask = (quint64(1) << kHopShift) - 1;

void registerMetaTypes() {
    static const bool registered = [] {
        qRegisterMetaType<HostKeyDecision>();
        qRegisterMetaType<PromptEvent>();
        qRegisterMetaType<ConnectionInfo>();
        qRegisterMetaType<PtyRequest>();
        qRegisterMetaType<Error>();
        qRegisterMetaType<std::vector<SecretBytes>>();
        qRegisterMetaType<PortForward>();
        return true;
    }();
    (void)registered;
}

QString fromStd(const std::string& text) {
    return QString::fromStdString(text);
}

std::string_view viewOf(const QByteArray& bytes) {
    return {bytes.constData(), static_cast<std::size_t>(bytes.size())};
}

// The address tcpip-forward names for -R, as ssh sends it: none given is "localhost", "*" is
// every address (the empty string, RFC 4254 §7.1).
QString remoteBindAddress(const PortForward& forward) {
    if (forward.bindAddress.isEmpty())
        return QStringLiteral("localhost");
    if (forward.bindAddress == QLatin1String("*"))
        return QString();
    return forward.bindAddress;
}

QString hopName(const ClientConfig& config) {
    return QStringLiteral("%1@%2:%3")
        .arg(fromStd(config.user), fromStd(config.host))
        .arg(config.port);
}

} // namespace

QString PortForward::describe() const {
    const QString bind = !bindPath.isEmpty() ? bindPath
                         : bindAddress.isEmpty()
                             ? QString::number(bindPort)
                             : QStringLiteral("%1:%2").arg(bindAddress).arg(bindPort);
    switch (kind) {
    case Kind::Local:
        return QStringLiteral("-L %1:%2:%3").arg(bind, targetHost).arg(targetPort);
    case Kind::Remote:
        return QStringLiteral("-R %1:%2:%3").arg(bind, targetHost).arg(targetPort);
    case Kind::Dynamic:
        return QStringLiteral("-D %1").arg(bind);
    }
    return bind;
}

SshWorker::SshWorker(ClientConfig config, ConnectOptions options, QObject* parent)
    : QObject(parent), config_(std::move(config)), options_(std::move(options)) {
    registerMetaTypes();
}

SshWorker::~SshWorker() {
    // Devices outlive nothing of ours: they must not call back into a half-destroyed worker.
    for (auto& [id, device] : devices_)
        if (device)
            device->worker_ = nullptr;
}

int SshWorker::jumpHostOfRequest(quint64 requestId) {
    const quint64 tag = requestId >> kHopShift;
    return tag == 0 ? -1 : static_cast<int>(tag) - 1;
}

bool SshWorker::usable() const {
    return client_ && streamOpen_ && !finished_;
}

void SshWorker::connectToServer() {
    if (client_ || finished_)
        return; // one connection per worker
    ClientConfig config = config_;
    if (!options_.agentSocket.isEmpty()) {
        agent_ = std::make_unique<AgentConnection>(options_.agentSocket);
        connect(agent_.get(), &AgentConnection::repliesDelivered, this, &SshWorker::pump);
        connect(agent_.get(), &AgentConnection::logMessage, this, &SshWorker::logMessage);
        config.agent = agent_->client();
        agent_->open();
    }
    if (options_.x11.enabled) {
        x11_ = new X11Forwarding(options_.x11, this);
        connect(x11_, &X11Forwarding::logMessage, this, &SshWorker::logMessage);
    }
    client_ = std::make_unique<SshClient>(std::move(config));
    deadlineTimer_ = new QTimer(this);
    deadlineTimer_->setSingleShot(true);
    connectTimer_ = new QTimer(this);
    connectTimer_->setSingleShot(true);
    closeTimer_ = new QTimer(this);
    closeTimer_->setSingleShot(true);
    connect(deadlineTimer_, &QTimer::timeout, this, &SshWorker::onDeadline);
    connect(connectTimer_, &QTimer::timeout, this, &SshWorker::onConnectTimeout);
    connect(closeTimer_, &QTimer::timeout, this, [this] {
        if (stream_)
            stream_->abort();
    });
    if (!options_.jumpHosts.empty() && !via_)
        startJumpChain();
    else
        openStream();
}

void SshWorker::openStream() {
    const QString address = options_.address.isEmpty() ? fromStd(config_.host) : options_.address;
    const quint16 port = static_cast<quint16>(config_.port);
    const QString proxyCommand = options_.proxyCommand.trimmed();
    if (via_) {
        stream_ = new ChannelServerStream(via_, address, port, this);
    } else if (!proxyCommand.isEmpty() &&
               proxyCommand.compare(QLatin1String("none"), Qt::CaseInsensitive) != 0) {
        QString expanded;
        QString error;
        if (!expandProxyCommand(proxyCommand, address, port, fromStd(config_.user),
                                fromStd(config_.host), &expanded, &error)) {
            finish(false, Error::network(error.toStdString()));
            return;
        }
        emit logMessage(static_cast<int>(LogLevel::Verbose),
                        QStringLiteral("Executing proxy command: %1").arg(expanded));
        stream_ = new ProxyCommandStream(expanded, this);
    } else {
        emit resolving(address);
        stream_ = new TcpServerStream(address, port, options_.protocol, this);
    }
    connect(stream_, &ServerStream::opened, this, &SshWorker::onStreamOpened);
    connect(stream_, &ServerStream::failed, this, &SshWorker::onStreamFailed);
    connect(stream_, &ServerStream::closed, this, &SshWorker::onStreamClosed);
    connect(stream_, &ServerStream::logMessage, this, &SshWorker::logMessage);
    stream_->open();
    if (options_.connectTimeout.count() > 0 && !finished_)
        connectTimer_->start(static_cast<int>(options_.connectTimeout.count()));
}

void SshWorker::onStreamOpened(const QString& peer, quint16 port) {
    connectTimer_->stop();
    QIODevice* device = stream_->device();
    connect(device, &QIODevice::readyRead, this, &SshWorker::onStreamReadable);
    // pump() writes the core's output (never re-entered: a jump host's channel reports
    // progress from inside our own write).
    const auto resumeWriting = [this] {
        flushChannels();
        pump();
    };
    connect(device, &QIODevice::bytesWritten, this, resumeWriting);
    connect(stream_, &ServerStream::writable, this, resumeWriting);
    streamOpen_ = true;
    emit socketConnected(peer, port);
    client_->start(now());
    pump();
    onStreamReadable(); // a proxy may have spoken before we listened
}

void SshWorker::onConnectTimeout() {
    if (streamOpen_ || finished_)
        return;
    stream_->abort();
    finish(false, Error::network("connect to host " + config_.host + " port " +
                                 std::to_string(config_.port) + ": Connection timed out"));
}

void SshWorker::onStreamReadable() {
    if (!stream_ || !stream_->device())
        return;
    QIODevice* device = stream_->device();
    if (finished_) {
        device->readAll(); // after the end nothing is parsed
        return;
    }
    while (device->bytesAvailable() > 0 && !finished_) {
        readBuffer_.resize(std::min<qint64>(device->bytesAvailable(), kReadChunk));
        const qint64 got = device->read(readBuffer_.data(), readBuffer_.size());
        if (got <= 0)
            break;
        client_->receiveBytes(
            ByteView(reinterpret_cast<const std::uint8_t*>(readBuffer_.constData()),
                     static_cast<std::size_t>(got)),
            now());
        pump();
    }
}

void SshWorker::onStreamFailed(const QString& reason) {
    if (finished_)
        return;
    if (!streamOpen_) {
        connectTimer_->stop();
        finish(false, Error::network("connect to host " + config_.host + " port " +
                                     std::to_string(config_.port) + ": " + reason.toStdString()));
        return;
    }
    client_->connectionLost(reason.toStdString(), now());
    pump();
    if (!finished_)
        finish(false, Error::network(reason.toStdString()));
}

void SshWorker::onStreamClosed() {
    closeTimer_->stop();
    if (finished_ || !streamOpen_)
        return;
    onStreamReadable(); // bytes that came with the end
    if (finished_)
        return;
    client_->connectionLost("Connection closed by remote host", now());
    pump();
    if (!finished_)
        finish(false, Error::network("Connection closed by remote host"));
}

void SshWorker::onDeadline() {
    if (!client_ || finished_)
        return;
    client_->tick(now());
    pump();
}

// ---- Jump hosts ----

void SshWorker::startJumpChain() {
    for (std::size_t i = 0; i < options_.jumpHosts.size(); ++i) {
        const JumpHost& jump = options_.jumpHosts[i];
        ConnectOptions hopOptions = jump.options;
        hopOptions.jumpHosts.clear();
        hopOptions.forwardAgent = false;
        hopOptions.x11 = {};
        if (i > 0)
            hopOptions.proxyCommand.clear();
        auto* hop = new SshWorker(jump.config, std::move(hopOptions), this);
        hop->via_ = i > 0 ? hops_[i - 1] : nullptr;
        const quint64 tag = quint64(i + 1) << kHopShift;
        const QString prefix = QStringLiteral("jump host %1: ").arg(hopName(jump.config));
        connect(hop, &SshWorker::logMessage, this, [this, prefix](int level, const QString& text) {
            emit logMessage(level, prefix + text);
        });
        connect(hop, &SshWorker::banner, this, &SshWorker::banner);
        connect(hop, &SshWorker::hostKeyDecisionRequested, this,
                [this, tag](HostKeyDecision decision) {
                    decision.id |= tag;
                    emit hostKeyDecisionRequested(decision);
                });
        connect(hop, &SshWorker::promptRequested, this, [this, tag](PromptEvent prompt) {
            prompt.id |= tag;
            emit promptRequested(prompt);
        });
        connect(hop, &SshWorker::authenticated, this,
                [this, i](const QString& method, const QString& info) {
                    emit jumpHostAuthenticated(static_cast<int>(i), method, info);
                    if (i + 1 < hops_.size()) {
                        startHop(i + 1);
                    } else {
                        via_ = hops_.back();
                        openStream();
                    }
                });
        connect(hop, &SshWorker::disconnected, this, [this, prefix](bool, const Error& error) {
            // A hop that ends takes every connection through it along.
            if (finished_)
                return;
            Error reported = error;
            reported.message = prefix.toStdString() + error.message;
            if (stream_)
                stream_->abort();
            finish(false, reported);
        });
        hops_.push_back(hop);
    }
    startHop(0);
}

void SshWorker::startHop(std::size_t index) {
    SshWorker* hop = hops_[index];
    emit jumpHostConnecting(static_cast<int>(index), fromStd(hop->config_.host),
                            static_cast<quint16>(hop->config_.port));
    hop->connectToServer();
}

// ---- The core's events and output ----

void SshWorker::writeOutgoing() {
    if (!client_ || !streamOpen_ || !stream_ || !stream_->device())
        return;
    // Straight from the core's buffer; what the stream does not take now waits there
    // (writable() resumes), counted in streamBacklog().
    while (client_->hasOutgoingBytes()) {
        const ByteView bytes = client_->outgoingBytes();
        const qint64 taken = stream_->writeSome(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<qint64>(bytes.size()));
        if (taken <= 0)
            return; // would block, or broken (the stream reports that itself)
        client_->outgoingBytesSent(static_cast<std::size_t>(taken));
    }
}

qint64 SshWorker::streamBacklog() const {
    return stream_->device()->bytesToWrite() +
           static_cast<qint64>(client_->outgoingBytes().size());
}

void SshWorker::pump() {
    if (!client_)
        return;
    if (pumping_) {
        pumpAgain_ = true; // a reader called back into us: the running pump goes round again
        return;
    }
    pumping_ = true;
    do {
        pumpAgain_ = false;
        while (std::optional<Event> event = client_->pollEvent())
            dispatch(*event);
        if (!finished_)
            writeOutgoing();
        if (channelsHeldBack_ && !finished_ && streamBacklog() <= kStreamBacklogLimit) {
            flushChannels(); // the kernel took it all at once: no writable() will come
            pumpAgain_ = true;
        }
        if (agent_)
            agent_->flush();
    } while (pumpAgain_ && !finished_);
    pumping_ = false;
    if (!finished_ && client_->isClosed())
        finish(true, Error::cancelled("connection closed"));
    if (finished_) {
        deadlineTimer_->stop();
        return;
    }
    if (const std::optional<TimePoint> deadline = client_->nextDeadline()) {
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now());
        deadlineTimer_->start(
            static_cast<int>(std::clamp<long long>(wait.count(), 0, 24LL * 3600 * 1000)));
    } else {
        deadlineTimer_->stop();
    }
}

bool SshWorker::dispatchToDevice(Event& event) {
    const auto deviceFor = [this](ChannelId id) -> ChannelDevice* {
        const auto it = devices_.find(id);
        return it == devices_.end() ? nullptr : it->second.data();
    };
    const auto owned = [this](ChannelId id) { return devices_.count(id) > 0; };
    return std::visit(
        [&](auto& e) -> bool {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, ChannelOpenedEvent>) {
                if (!owned(e.id))
                    return false;
                if (ChannelDevice* device = deviceFor(e.id))
                    device->deliverOpened();
                else
                    (void)client_->closeChannel(e.id); // its owner went away meanwhile
                return true;
            } else if constexpr (std::is_same_v<T, ChannelOpenFailedEvent>) {
                if (!owned(e.id))
                    return false;
                ChannelDevice* device = deviceFor(e.id);
                devices_.erase(e.id);
                if (device)
                    device->deliverOpenFailed(e.reasonCode, fromStd(e.description));
                return true;
            } else if constexpr (std::is_same_v<T, ChannelDataEvent>) {
                if (!owned(e.id))
                    return false;
                ChannelDevice* device = deviceFor(e.id);
                if (!device || e.extended) {
                    // Nobody reads it (no stderr on a forwarded stream): let the window refill.
                    client_->consumed(e.id, e.data.size());
                    return true;
                }
                device->deliverData(QByteArray(reinterpret_cast<const char*>(e.data.data()),
                                               static_cast<qsizetype>(e.data.size())));
                return true;
            } else if constexpr (std::is_same_v<T, ChannelEofEvent>) {
                if (!owned(e.id))
                    return false;
                if (ChannelDevice* device = deviceFor(e.id))
                    device->deliverEof();
                return true;
            } else if constexpr (std::is_same_v<T, ChannelClosedEvent>) {
                if (!owned(e.id))
                    return false;
                ChannelDevice* device = deviceFor(e.id);
                devices_.erase(e.id);
                pending_.erase(e.id);
                if (device)
                    device->deliverClosed();
                return true;
            } else if constexpr (std::is_same_v<T, ChannelRequestResultEvent> ||
                                 std::is_same_v<T, ExitStatusEvent> ||
                                 std::is_same_v<T, ExitSignalEvent>) {
                return owned(e.id);
            } else {
                return false;
            }
        },
        event);
}

void SshWorker::dispatch(Event& event) {
    if (!dispatchToDevice(event))
        dispatchToCaller(event);
    // The last channel gone (RFC 4254 §5.3: CLOSE both ways): a front end whose session ended
    // while forwarded connections were open waits for this, as ssh(1) does.
    if (std::holds_alternative<ChannelClosedEvent>(event) && usable() && client_->openChannelCount() == 0)
        emit allChannelsClosed();
}

void SshWorker::dispatchToCaller(Event& event) {
    std::visit(
        [this](auto& e) {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, LogEvent>) {
                emit logMessage(static_cast<int>(e.level), fromStd(e.text));
            } else if constexpr (std::is_same_v<T, HostKeyDecision>) {
                emit hostKeyDecisionRequested(e);
            } else if constexpr (std::is_same_v<T, PromptEvent>) {
                emit promptRequested(e);
            } else if constexpr (std::is_same_v<T, BannerEvent>) {
                emit banner(fromStd(e.text));
            } else if constexpr (std::is_same_v<T, AuthenticatedEvent>) {
                emit authenticated(fromStd(e.method), fromStd(e.info), client_->connectionInfo());
                startForwards();
            } else if constexpr (std::is_same_v<T, ChannelOpenedEvent>) {
                // -A: asked on every session before the caller's own requests (pty, shell),
                // as OpenSSH does; no reply is wanted.
                if (options_.forwardAgent && !options_.agentSocket.isEmpty())
                    if (const Status asked = client_->requestAgentForwarding(e.id); !asked)
                        emit logMessage(static_cast<int>(LogLevel::Info),
                                        fromStd(asked.error().message));
                if (!x11_) {
                    emit channelOpened(e.id);
                    return;
                }
                // x11-req too goes before the caller's requests, so the caller hears of the
                // session once xauth has answered; the connection's other channels go on
                // meanwhile (xauth is not waited for in this thread).
                awaitingX11_.insert(e.id);
                x11_->prepare([this, id = e.id](bool prepared) {
                    if (awaitingX11_.erase(id) == 0 || !usable())
                        return; // closed meanwhile
                    if (prepared)
                        requestX11Forwarding(id);
                    emit channelOpened(id);
                    pump();
                });
            } else if constexpr (std::is_same_v<T, ChannelOpenFailedEvent>) {
                emit channelOpenFailed(e.id, e.reasonCode, fromStd(e.description));
            } else if constexpr (std::is_same_v<T, ChannelDataEvent>) {
                emit channelData(e.id,
                                 QByteArray(reinterpret_cast<const char*>(e.data.data()),
                                            static_cast<qsizetype>(e.data.size())),
                                 e.extended);
            } else if constexpr (std::is_same_v<T, ChannelEofEvent>) {
                emit channelEof(e.id);
            } else if constexpr (std::is_same_v<T, ChannelRequestResultEvent>) {
                if (e.request == "x11-req" && x11Requests_.erase(e.id) > 0) {
                    if (!e.success) // ssh(1)'s words; the session goes on without it
                        emit logMessage(
                            static_cast<int>(LogLevel::Info),
                            QStringLiteral("X11 forwarding request failed on channel %1").arg(e.id));
                    return;
                }
                emit channelRequestResult(e.id, fromStd(e.request), e.success);
            } else if constexpr (std::is_same_v<T, ExitStatusEvent>) {
                emit exitStatus(e.id, e.status);
            } else if constexpr (std::is_same_v<T, ExitSignalEvent>) {
                emit exitSignal(e.id, fromStd(e.signal), e.coreDumped, fromStd(e.message));
            } else if constexpr (std::is_same_v<T, ChannelClosedEvent>) {
                pending_.erase(e.id);
                x11Requests_.erase(e.id);
                awaitingX11_.erase(e.id);
                emit channelClosed(e.id);
            } else if constexpr (std::is_same_v<T, ChannelWritableEvent>) {
                flushChannels();
            } else if constexpr (std::is_same_v<T, GlobalRequestResultEvent>) {
                // The worker sends no global requests of its own through sendGlobalRequest.
            } else if constexpr (std::is_same_v<T, ChannelOpenRequestEvent>) {
                onChannelOpenRequest(e);
            } else if constexpr (std::is_same_v<T, TcpipForwardResultEvent>) {
                onTcpipForwardResult(e);
            } else if constexpr (std::is_same_v<T, FlowControlEvent>) {
                // xon-xoff (RFC 4254 §6.8): a terminal front end may act on it; nothing to do here.
            } else if constexpr (std::is_same_v<T, DisconnectedEvent>) {
                // Write the DISCONNECT message (if any) before the stream is closed.
                writeOutgoing();
                finish(e.clean, e.error);
            }
        },
        event);
}

void SshWorker::flushChannels() {
    if (!usable())
        return;
    if (flushing_) {
        flushAgain_ = true;
        return;
    }
    flushing_ = true;
    // Progress is reported after the loop: a receiver may queue more data, which must not
    // change pending_ under the iteration.
    std::vector<std::pair<ChannelId, qint64>> progress;
    channelsHeldBack_ = false;
    do {
        flushAgain_ = false;
        for (auto it = pending_.begin(); it != pending_.end();) {
            if (streamBacklog() > kStreamBacklogLimit) {
                channelsHeldBack_ = true; // resumed from pump(), bytesWritten or writable
                break;
            }
            const ChannelId id = it->first;
            PendingChannelData& pending = it->second;
            if (pending.offset < pending.data.size()) {
                const Result<std::size_t> taken = client_->sendData(
                    id,
                    ByteView(reinterpret_cast<const std::uint8_t*>(pending.data.constData()) +
                                 pending.offset,
                             static_cast<std::size_t>(pending.data.size() - pending.offset)),
                    pending.extended);
                if (!taken) {
                    emit logMessage(static_cast<int>(LogLevel::Info),
                                    QStringLiteral("channel %1: %2")
                                        .arg(id)
                                        .arg(fromStd(taken.error().message)));
                    it = pending_.erase(it);
                    continue;
                }
                pending.offset += static_cast<qsizetype>(taken.value());
                if (taken.value() > 0)
                    progress.emplace_back(id, static_cast<qint64>(taken.value()));
                if (pending.offset < pending.data.size()) {
                    ++it; // the rest after ChannelWritable
                    continue;
                }
                pending.data.clear();
                pending.offset = 0;
            }
            if (pending.eofRequested) {
                (void)client_->sendEof(id);
                it = pending_.erase(it);
                continue;
            }
            ++it;
        }
    } while (flushAgain_);
    flushing_ = false;
    for (const auto& [id, bytes] : progress) {
        if (const auto device = devices_.find(id); device != devices_.end()) {
            if (device->second)
                device->second->deliverBytesWritten(bytes);
        } else {
            emit channelBytesWritten(id, bytes);
        }
    }
}

void SshWorker::finish(bool clean, Error error) {
    if (finished_)
        return;
    finished_ = true;
    if (deadlineTimer_)
        deadlineTimer_->stop();
    if (connectTimer_)
        connectTimer_->stop();
    pending_.clear();
    // Forwarded streams end with the connection; their owners see the channel close.
    const auto devices = std::move(devices_);
    devices_.clear();
    for (const auto& [id, device] : devices)
        if (device)
            device->deliverClosed();
    for (ActiveForward& forward : forwards_)
        if (forward.listener)
            forward.listener->stop();
    if (stream_) {
        if (streamOpen_) {
            // Let the queued bytes (our DISCONNECT) go out, but never linger: what the
            // stream did not take yet moves to its own buffer, which close() drains.
            if (client_ && client_->hasOutgoingBytes() && stream_->device()) {
                const Bytes rest = client_->takeOutgoingBytes();
                stream_->device()->write(reinterpret_cast<const char*>(rest.data()),
                                         static_cast<qint64>(rest.size()));
            }
            stream_->close();
            closeTimer_->start(kCloseGraceMs);
        } else {
            stream_->abort();
        }
    }
    // The hops carried only this connection: close them, last first.
    for (auto hop = hops_.rbegin(); hop != hops_.rend(); ++hop)
        (*hop)->closeConnection();
    emit disconnected(clean, std::move(error));
}

void SshWorker::closeConnection() {
    if (finished_)
        return;
    if (!usable()) {
        if (stream_)
            stream_->abort();
        finish(true, Error::cancelled("closed before the connection was established"));
        return;
    }
    client_->disconnect("disconnected by user");
    pump();
    if (!finished_)
        finish(true, Error::cancelled("disconnected by user"));
}

// ---- Answers ----

void SshWorker::answerHostKey(quint64 requestId, bool accept, bool saveToKnownHosts) {
    if (const int hop = jumpHostOfRequest(requestId); hop >= 0) {
        if (static_cast<std::size_t>(hop) < hops_.size())
            hops_[static_cast<std::size_t>(hop)]->answerHostKey(requestId & kHopIdMask, accept,
                                                                saveToKnownHosts);
        return;
    }
    if (!usable())
        return;
    client_->answerHostKey(requestId, accept, saveToKnownHosts);
    pump();
}

void SshWorker::answerPrompt(quint64 requestId, std::vector<SecretBytes> responses) {
    if (const int hop = jumpHostOfRequest(requestId); hop >= 0) {
        if (static_cast<std::size_t>(hop) < hops_.size())
            hops_[static_cast<std::size_t>(hop)]->answerPrompt(requestId & kHopIdMask,
                                                               std::move(responses));
        return;
    }
    if (!usable())
        return;
    client_->answerPrompt(requestId, std::move(responses));
    pump();
}

void SshWorker::cancelPrompt(quint64 requestId) {
    if (const int hop = jumpHostOfRequest(requestId); hop >= 0) {
        if (static_cast<std::size_t>(hop) < hops_.size())
            hops_[static_cast<std::size_t>(hop)]->cancelPrompt(requestId & kHopIdMask);
        return;
    }
    if (!usable())
        return;
    client_->cancelPrompt(requestId);
    pump();
}

// ---- Channels ----

void SshWorker::openSession() {
    if (!usable())
        return;
    Result<ChannelId> opened = client_->openSession();
    if (!opened)
        emit channelOpenFailed(0, 0, fromStd(opened.error().message));
    pump();
}

ChannelDevice* SshWorker::openDirectTcpipDevice(const QString& host, quint16 port,
                                                const QString& originatorAddress,
                                                quint16 originatorPort, QObject* parent,
                                                QString* error) {
    if (!usable() || !client_->isAuthenticated()) {
        *error = QStringLiteral("not connected");
        return nullptr;
    }
    const QByteArray hostBytes = host.toUtf8();
    const QByteArray originatorBytes = originatorAddress.toUtf8();
    Result<ChannelId> opened =
        client_->openDirectTcpip(viewOf(hostBytes), port, viewOf(originatorBytes), originatorPort);
    if (!opened) {
        *error = fromStd(opened.error().message);
        return nullptr;
    }
    auto* device = new ChannelDevice(this, *opened, false, parent);
    devices_[*opened] = device;
    pump();
    return device;
}

void SshWorker::runChannelRequest(quint32 channel, const char* request,
                                  const std::function<Status()>& call) {
    if (!usable())
        return;
    // A request the core refuses locally is reported like a refusal from the server, so
    // callers have one path for both.
    if (const Status status = call(); !status) {
        emit logMessage(static_cast<int>(LogLevel::Info), fromStd(status.error().message));
        emit channelRequestResult(channel, QString::fromLatin1(request), false);
    }
    pump();
}

void SshWorker::requestPty(quint32 channel, PtyRequest pty) {
    runChannelRequest(channel, "pty-req", [&] { return client_->requestPty(channel, pty); });
}

void SshWorker::requestShell(quint32 channel) {
    runChannelRequest(channel, "shell", [&] { return client_->requestShell(channel); });
}

void SshWorker::requestExec(quint32 channel, QByteArray command) {
    runChannelRequest(channel, "exec",
                      [&] { return client_->requestExec(channel, viewOf(command)); });
}

void SshWorker::requestSubsystem(quint32 channel, QByteArray subsystem) {
    runChannelRequest(channel, "subsystem",
                      [&] { return client_->requestSubsystem(channel, viewOf(subsystem)); });
}

void SshWorker::setEnv(quint32 channel, QByteArray name, QByteArray value) {
    runChannelRequest(channel, "env",
                      [&] { return client_->setEnv(channel, viewOf(name), viewOf(value)); });
}

void SshWorker::windowChange(quint32 channel, quint32 columns, quint32 rows) {
    runChannelRequest(channel, "window-change",
                      [&] { return client_->windowChange(channel, columns, rows); });
}

void SshWorker::sendSignal(quint32 channel, QByteArray signalName) {
    runChannelRequest(channel, "signal",
                      [&] { return client_->sendSignal(channel, viewOf(signalName)); });
}

void SshWorker::sendBreak(quint32 channel, quint32 milliseconds) {
    runChannelRequest(channel, "break", [&] { return client_->sendBreak(channel, milliseconds); });
}

void SshWorker::requestRekey() {
    if (!usable())
        return;
    client_->requestRekey();
    pump();
}

void SshWorker::queueChannelData(quint32 channel, QByteArray data, bool extended) {
    if (!usable() || data.isEmpty())
        return;
    PendingChannelData& pending = pending_[channel];
    pending.extended = extended;
    if (pending.offset == pending.data.size()) {
        pending.data = std::move(data);
        pending.offset = 0;
    } else {
        pending.data.append(data);
    }
    flushChannels();
    pump();
}

qint64 SshWorker::queuedChannelBytes(quint32 channel) const {
    const auto it = pending_.find(channel);
    return it == pending_.end() ? 0 : it->second.data.size() - it->second.offset;
}

void SshWorker::write(quint32 channel, QByteArray data, bool extended) {
    queueChannelData(channel, std::move(data), extended);
}

void SshWorker::sendEof(quint32 channel) {
    if (!usable())
        return;
    pending_[channel].eofRequested = true;
    flushChannels();
    pump();
}

void SshWorker::closeChannel(quint32 channel) {
    if (!usable())
        return;
    pending_.erase(channel);
    (void)client_->closeChannel(channel);
    pump();
}

void SshWorker::consumed(quint32 channel, qint64 bytes) {
    if (!usable() || bytes <= 0)
        return;
    client_->consumed(channel, static_cast<std::size_t>(bytes));
    pump();
}

// ---- Port forwarding ----

void SshWorker::addForward(PortForward forward) {
    ActiveForward active;
    active.spec = std::move(forward);
    forwards_.push_back(std::move(active));
    if (usable() && client_->isAuthenticated())
        startForward(forwards_.back());
}

void SshWorker::addLocalForward(QString bindAddress, quint16 bindPort, QString host,
                                quint16 hostPort) {
    addForward(PortForward{
        PortForward::Kind::Local, std::move(bindAddress), bindPort, {}, std::move(host), hostPort});
}

void SshWorker::addLocalSocketForward(QString bindPath, QString host, quint16 hostPort) {
    addForward(PortForward{
        PortForward::Kind::Local, {}, 0, std::move(bindPath), std::move(host), hostPort});
}

void SshWorker::addDynamicForward(QString bindAddress, quint16 bindPort) {
    addForward(
        PortForward{PortForward::Kind::Dynamic, std::move(bindAddress), bindPort, {}, {}, 0});
}

void SshWorker::addRemoteForward(QString bindAddress, quint16 bindPort, QString host,
                                 quint16 hostPort) {
    addForward(PortForward{PortForward::Kind::Remote,
                           std::move(bindAddress),
                           bindPort,
                           {},
                           std::move(host),
                           hostPort});
}

void SshWorker::removeForward(PortForward forward) {
    for (auto it = forwards_.begin(); it != forwards_.end(); ++it) {
        const bool sameRemote = it->spec.kind == PortForward::Kind::Remote &&
                                forward.kind == PortForward::Kind::Remote &&
                                it->spec.bindAddress == forward.bindAddress && it->remoteActive &&
                                it->remoteBoundPort == forward.bindPort;
        if (!(it->spec == forward) && !sameRemote)
            continue;
        if (it->listener) {
            it->listener->stop();
            it->listener->deleteLater();
        }
        if (it->remoteActive && usable()) {
            const QByteArray bind = remoteBindAddress(it->spec).toUtf8();
            (void)client_->cancelTcpipForward(viewOf(bind), it->remoteBoundPort);
            pump();
        }
        forwards_.erase(it);
        return;
    }
}

void SshWorker::startForwards() {
    for (ActiveForward& forward : forwards_)
        if (!forward.started)
            startForward(forward);
}

void SshWorker::forwardFailedFor(ActiveForward& forward, const QString& reason) {
    // Verbose only: forwardFailed carries the reason, and the front end words it.
    emit logMessage(static_cast<int>(LogLevel::Verbose),
                    QStringLiteral("%1: %2").arg(forward.spec.describe(), reason));
    emit forwardFailed(forward.spec, reason);
}

void SshWorker::startForward(ActiveForward& forward) {
    forward.started = true;
    switch (forward.spec.kind) {
    case PortForward::Kind::Local:
    case PortForward::Kind::Dynamic: {
        auto* listener = new ForwardListener(this);
        quint16 bound = 0;
        QString error;
        if (!listener->listen(forward.spec, &bound, &error)) {
            delete listener;
            forwardFailedFor(forward, error);
            return;
        }
        forward.listener = listener;
        const PortForward spec = forward.spec;
        connect(listener, &ForwardListener::accepted, this,
                [this, spec](QIODevice* connection, const QString& peerAddress, quint16 peerPort) {
                    onForwardAccepted(spec, connection, peerAddress, peerPort);
                });
        emit logMessage(static_cast<int>(LogLevel::Verbose),
                        QStringLiteral("%1: listening on port %2").arg(spec.describe()).arg(bound));
        emit forwardReady(spec, bound);
        return;
    }
    case PortForward::Kind::Remote: {
        const QByteArray bind = remoteBindAddress(forward.spec).toUtf8();
        Result<RequestId> requested =
            client_->requestTcpipForward(viewOf(bind), forward.spec.bindPort);
        if (!requested) {
            forwardFailedFor(forward, fromStd(requested.error().message));
            return;
        }
        forward.remoteRequest = *requested;
        pump();
        return;
    }
    }
}

void SshWorker::onTcpipForwardResult(const TcpipForwardResultEvent& result) {
    for (ActiveForward& forward : forwards_) {
        if (forward.remoteRequest != result.id)
            continue;
        forward.remoteRequest.reset();
        if (!result.success) {
            forwardFailedFor(forward, QStringLiteral("the server refused to listen on %1 port %2")
                                          .arg(fromStd(result.bindAddress))
                                          .arg(result.requestedPort));
            return;
        }
        forward.remoteActive = true;
        forward.remoteBoundPort = result.boundPort;
        if (result.requestedPort == 0)
            emit logMessage(static_cast<int>(LogLevel::Info),
                            QStringLiteral("Allocated port %1 for remote forward to %2:%3")
                                .arg(result.boundPort)
                                .arg(forward.spec.targetHost)
                                .arg(forward.spec.targetPort));
        emit forwardReady(forward.spec, static_cast<quint16>(result.boundPort));
        return;
    }
}

void SshWorker::onChannelOpenRequest(const ChannelOpenRequestEvent& request) {
    switch (request.kind) {
    case ChannelOpenKind::ForwardedTcpip:
        for (const ActiveForward& forward : forwards_) {
            if (forward.remoteActive && forward.remoteBoundPort == request.connectedPort &&
                remoteBindAddress(forward.spec) == fromStd(request.connectedAddress)) {
                connectForwardedChannel(request, forward.spec);
                return;
            }
        }
        // Cancelled meanwhile (the core refuses opens for forwards it does not know).
        (void)client_->rejectChannelOpen(request.id, 1, "no such forward");
        return;
    case ChannelOpenKind::AuthAgent:
        if (options_.forwardAgent && !options_.agentSocket.isEmpty()) {
            connectAgentChannel(request);
            return;
        }
        (void)client_->rejectChannelOpen(request.id, 1, "agent forwarding is off");
        return;
    case ChannelOpenKind::X11:
        connectX11Channel(request);
        return;
    }
}

void SshWorker::connectForwardedChannel(const ChannelOpenRequestEvent& request,
                                        const PortForward& spec) {
    const QString label = QStringLiteral("%1: connection from %2 port %3")
                              .arg(spec.describe(), fromStd(request.originatorAddress))
                              .arg(request.originatorPort);
    emit logMessage(static_cast<int>(LogLevel::Verbose), label);
    auto* socket = new QTcpSocket(this);
    const RequestId id = request.id;
    connect(socket, &QTcpSocket::connected, this, [this, socket, id, label] {
        socket->disconnect(this);
#ifdef Q_OS_WIN
        acceptAndBridge(id, socket, label);
#else
        // Our own socket class for half-close: the descriptor moves over, Qt's copy closes.
        const int fd = ::dup(static_cast<int>(socket->socketDescriptor()));
        socket->abort();
        socket->deleteLater();
        if (fd < 0) {
            (void)client_->rejectChannelOpen(id, 2, "cannot take over the connection");
            pump();
            return;
        }
        acceptAndBridge(id, new LocalStreamSocket(fd, this), label);
#endif
    });
    connect(socket, &QTcpSocket::errorOccurred, this, [this, socket, id, label, spec] {
        socket->disconnect(this);
        const QString reason = QStringLiteral("connect to %1 port %2 failed: %3")
                                   .arg(spec.targetHost)
                                   .arg(spec.targetPort)
                                   .arg(socket->errorString());
        emit logMessage(static_cast<int>(LogLevel::Info),
                        QStringLiteral("%1: %2").arg(label, reason));
        socket->deleteLater();
        if (usable()) {
            (void)client_->rejectChannelOpen(id, 2, reason.toStdString()); // connect failed
            pump();
        }
    });
    socket->connectToHost(spec.targetHost, spec.targetPort);
}

void SshWorker::connectAgentChannel(const ChannelOpenRequestEvent& request) {
    auto* socket = new QLocalSocket(this);
    const RequestId id = request.id;
    connect(socket, &QLocalSocket::connected, this, [this, socket, id] {
        socket->disconnect(this);
        acceptAndBridge(id, socket, QStringLiteral("forwarded agent"));
    });
    connect(socket, &QLocalSocket::errorOccurred, this, [this, socket, id] {
        socket->disconnect(this);
        emit logMessage(static_cast<int>(LogLevel::Info),
                        QStringLiteral("forwarded agent: %1: %2")
                            .arg(options_.agentSocket, socket->errorString()));
        socket->deleteLater();
        if (usable()) {
            (void)client_->rejectChannelOpen(id, 2, "cannot reach the local agent");
            pump();
        }
    });
    socket->connectToServer(options_.agentSocket);
}

void SshWorker::requestX11Forwarding(ChannelId session) {
    // Called once x11_ is prepared.
    // RFC 4254 §6.3.1: not single-connection (any number of X clients, as ssh(1) allows).
    if (const Status asked = client_->requestX11Forwarding(session, false, x11_->authProtocol(),
                                                           x11_->fakeCookieHex(), x11_->screen());
        !asked) {
        emit logMessage(static_cast<int>(LogLevel::Info), fromStd(asked.error().message));
        return;
    }
    emit logMessage(static_cast<int>(LogLevel::Verbose),
                    QStringLiteral("Requesting X11 forwarding with authentication spoofing."));
    x11Requests_.insert(session);
}

void SshWorker::connectX11Channel(const ChannelOpenRequestEvent& request) {
    const QString label = QStringLiteral("X11 connection from %1 port %2")
                              .arg(fromStd(request.originatorAddress))
                              .arg(request.originatorPort);
    if (!x11_ || !x11_->acceptsConnections()) {
        // The core lets x11 opens through only after an x11-req we sent; what remains is an
        // untrusted cookie past ForwardX11Timeout, which the X server no longer knows.
        emit logMessage(static_cast<int>(LogLevel::Info),
                        QStringLiteral("Rejected X11 connection after ForwardX11Timeout expired"));
        (void)client_->rejectChannelOpen(request.id, 1, "X11 forwarding is no longer accepted");
        return;
    }
    emit logMessage(static_cast<int>(LogLevel::Verbose), label);
    const RequestId id = request.id;
    x11_->connectDisplay(
        [this, id, label](QIODevice* display) {
            if (ChannelDevice* channel = acceptChannelDevice(id, display, label))
                x11_->relay(display, channel, this);
            pump();
        },
        [this, id, label](const QString& reason) {
            emit logMessage(static_cast<int>(LogLevel::Info),
                            QStringLiteral("%1: %2").arg(label, reason));
            if (usable()) {
                (void)client_->rejectChannelOpen(id, 2, reason.toStdString()); // connect failed
                pump();
            }
        });
}

ChannelDevice* SshWorker::acceptChannelDevice(RequestId request, QIODevice* local,
                                              const QString& label) {
    if (!usable()) {
        local->deleteLater();
        return nullptr;
    }
    Result<ChannelId> accepted = client_->acceptChannelOpen(request);
    if (!accepted) {
        emit logMessage(static_cast<int>(LogLevel::Info),
                        QStringLiteral("%1: %2").arg(label, fromStd(accepted.error().message)));
        local->deleteLater();
        return nullptr;
    }
    auto* channel = new ChannelDevice(this, *accepted, true, this);
    devices_[*accepted] = channel;
    return channel;
}

void SshWorker::acceptAndBridge(RequestId request, QIODevice* local, const QString& label) {
    if (ChannelDevice* channel = acceptChannelDevice(request, local, label))
        new StreamBridge(local, channel, this);
    if (usable())
        pump();
}

void SshWorker::onForwardAccepted(const PortForward& spec, QIODevice* connection,
                                  const QString& peerAddress, quint16 peerPort) {
    connection->setParent(this);
    if (spec.kind == PortForward::Kind::Dynamic) {
        auto* session = new SocksSession(this, connection, peerAddress, peerPort, spec.describe());
        connect(session, &SocksSession::logMessage, this, &SshWorker::logMessage);
        return;
    }
    QString error;
    ChannelDevice* channel = openDirectTcpipDevice(spec.targetHost, spec.targetPort, peerAddress,
                                                   peerPort, this, &error);
    if (!channel) {
        emit logMessage(static_cast<int>(LogLevel::Info),
                        QStringLiteral("%1: %2").arg(spec.describe(), error));
        connection->deleteLater();
        return;
    }
    const QString label = spec.describe();
    connect(channel, &ChannelDevice::opened, this, [this, connection, channel, label] {
        emit logMessage(static_cast<int>(LogLevel::Debug),
                        QStringLiteral("%1: channel %2 open").arg(label).arg(channel->channel()));
        new StreamBridge(connection, channel, this);
    });
    connect(channel, &ChannelDevice::openFailed, this,
            [this, connection, channel, label](quint32, const QString& description) {
                emit logMessage(static_cast<int>(LogLevel::Info),
                                QStringLiteral("%1: the server refused the connection: %2")
                                    .arg(label, description));
                connection->deleteLater();
                channel->deleteLater();
            });
}

// ---- The thread ----

SshWorkerThread::SshWorkerThread(SshWorker* worker)
    : thread_(std::make_unique<QThread>()), worker_(worker) {
    thread_->setObjectName(QStringLiteral("ssh-worker"));
    worker_->moveToThread(thread_.get());
    QObject::connect(thread_.get(), &QThread::finished, worker_, &QObject::deleteLater);
    thread_->start();
}

SshWorkerThread::~SshWorkerThread() {
    // Close in the worker's thread (DISCONNECT queued, stream closing), then stop the
    // thread; the worker is deleted there as the thread finishes.
    QMetaObject::invokeMethod(worker_, &SshWorker::closeConnection, Qt::BlockingQueuedConnection);
    thread_->quit();
    thread_->wait();
}

} // namespace portal::protocol::qt
