// SshWorker: feeds socket bytes into the sans-I/O SshClient, writes its output, follows its
// deadlines with a timer and turns its events into queued Qt signals.
#include "SshWorker.h"

#include <QMetaObject>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

namespace portal::protocol::qt {

using namespace client;

namespace {

constexpr qint64 kReadChunk = 256 * 1024;
// Stop feeding channel data to the core while this much waits in the socket's buffer, so a
// fast producer cannot grow memory without bound when the network is slower.
constexpr qint64 kSocketBacklogLimit = 4 * 1024 * 1024;
constexpr int kCloseGraceMs = 1000;

void registerMetaTypes() {
    static const bool registered = [] {
        qRegisterMetaType<HostKeyDecision>();
        qRegisterMetaType<PromptEvent>();
        qRegisterMetaType<ConnectionInfo>();
        qRegisterMetaType<PtyRequest>();
        qRegisterMetaType<Error>();
        qRegisterMetaType<std::vector<SecretBytes>>();
        return true;
    }();
    (void)registered;
}

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

std::string_view viewOf(const QByteArray& bytes) { return {bytes.constData(), static_cast<std::size_t>(bytes.size())}; }

} // namespace

SshWorker::SshWorker(ClientConfig config, ConnectOptions options, QObject* parent)
    : QObject(parent), config_(std::move(config)), options_(std::move(options)) {
    registerMetaTypes();
}

SshWorker::~SshWorker() = default;

bool SshWorker::usable() const { return client_ && tcpConnected_ && !finished_; }

void SshWorker::connectToServer() {
    if (client_)
        return; // one connection per worker
    client_ = std::make_unique<SshClient>(config_);
    socket_ = new QTcpSocket(this);
    deadlineTimer_ = new QTimer(this);
    deadlineTimer_->setSingleShot(true);
    connectTimer_ = new QTimer(this);
    connectTimer_->setSingleShot(true);
    closeTimer_ = new QTimer(this);
    closeTimer_->setSingleShot(true);
    connect(socket_, &QTcpSocket::connected, this, &SshWorker::onSocketConnected);
    connect(socket_, &QTcpSocket::readyRead, this, &SshWorker::onSocketReadable);
    connect(socket_, &QTcpSocket::errorOccurred, this, &SshWorker::onSocketError);
    connect(socket_, &QTcpSocket::disconnected, this, &SshWorker::onSocketClosed);
    connect(socket_, &QTcpSocket::bytesWritten, this, [this] {
        flushChannels();
        pump();
    });
    connect(deadlineTimer_, &QTimer::timeout, this, &SshWorker::onDeadline);
    connect(connectTimer_, &QTimer::timeout, this, &SshWorker::onConnectTimeout);
    connect(closeTimer_, &QTimer::timeout, this, [this] { socket_->abort(); });

    const QString address = options_.address.isEmpty() ? fromStd(config_.host) : options_.address;
    emit resolving(address);
    // QAbstractSocket resolves the name (QHostInfo) and tries each address in turn.
    socket_->connectToHost(address, static_cast<quint16>(config_.port), QIODevice::ReadWrite, options_.protocol);
    if (options_.connectTimeout.count() > 0)
        connectTimer_->start(static_cast<int>(options_.connectTimeout.count()));
}

void SshWorker::onSocketConnected() {
    connectTimer_->stop();
    // Before our first byte: the version line and KEXINIT go out at once instead of
    // waiting for a delayed ACK (PERFORMANCE.md, connection set-up).
    socket_->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    tcpConnected_ = true;
    emit socketConnected(socket_->peerAddress().toString(), socket_->peerPort());
    client_->start(now());
    pump();
}

void SshWorker::onConnectTimeout() {
    if (tcpConnected_ || finished_)
        return;
    socket_->abort();
    finish(false, Error::network("connect to host " + config_.host + " port " + std::to_string(config_.port) +
                                 ": Connection timed out"));
}

void SshWorker::onSocketReadable() {
    if (finished_) {
        socket_->readAll(); // after the end nothing is parsed
        return;
    }
    while (socket_->bytesAvailable() > 0 && !finished_) {
        readBuffer_.resize(std::min<qint64>(socket_->bytesAvailable(), kReadChunk));
        const qint64 got = socket_->read(readBuffer_.data(), readBuffer_.size());
        if (got <= 0)
            break;
        client_->receiveBytes(ByteView(reinterpret_cast<const std::uint8_t*>(readBuffer_.constData()),
                                       static_cast<std::size_t>(got)),
                              now());
        pump();
    }
}

void SshWorker::onSocketError() {
    if (finished_)
        return;
    if (!tcpConnected_) {
        connectTimer_->stop();
        finish(false, Error::network("connect to host " + config_.host + " port " + std::to_string(config_.port) +
                                     ": " + socket_->errorString().toStdString()));
        return;
    }
    const std::string reason = socket_->error() == QAbstractSocket::RemoteHostClosedError
                                   ? std::string("Connection closed by remote host")
                                   : socket_->errorString().toStdString();
    client_->connectionLost(reason, now());
    pump();
    if (!finished_)
        finish(false, Error::network(reason));
}

void SshWorker::onSocketClosed() {
    closeTimer_->stop();
    if (finished_ || !tcpConnected_)
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

void SshWorker::pump() {
    if (!client_)
        return;
    while (std::optional<Event> event = client_->pollEvent())
        dispatch(*event);
    if (client_->hasOutgoingBytes() && tcpConnected_ && socket_->state() == QAbstractSocket::ConnectedState) {
        const Bytes out = client_->takeOutgoingBytes();
        socket_->write(reinterpret_cast<const char*>(out.data()), static_cast<qint64>(out.size()));
    }
    if (!finished_ && client_->isClosed())
        finish(true, Error::cancelled("connection closed"));
    if (finished_) {
        deadlineTimer_->stop();
        return;
    }
    if (const std::optional<TimePoint> deadline = client_->nextDeadline()) {
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now());
        deadlineTimer_->start(static_cast<int>(std::clamp<long long>(wait.count(), 0, 24LL * 3600 * 1000)));
    } else {
        deadlineTimer_->stop();
    }
}

void SshWorker::dispatch(Event& event) {
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
            } else if constexpr (std::is_same_v<T, ChannelOpenedEvent>) {
                emit channelOpened(e.id);
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
                emit channelRequestResult(e.id, fromStd(e.request), e.success);
            } else if constexpr (std::is_same_v<T, ExitStatusEvent>) {
                emit exitStatus(e.id, e.status);
            } else if constexpr (std::is_same_v<T, ExitSignalEvent>) {
                emit exitSignal(e.id, fromStd(e.signal), e.coreDumped, fromStd(e.message));
            } else if constexpr (std::is_same_v<T, ChannelClosedEvent>) {
                pending_.erase(e.id);
                emit channelClosed(e.id);
            } else if constexpr (std::is_same_v<T, ChannelWritableEvent>) {
                flushChannels();
            } else if constexpr (std::is_same_v<T, GlobalRequestResultEvent>) {
                // No global requests are sent through the worker yet (forwarding is issue 3).
            } else if constexpr (std::is_same_v<T, DisconnectedEvent>) {
                // Write the DISCONNECT message (if any) before the socket is closed.
                if (client_->hasOutgoingBytes() && tcpConnected_) {
                    const Bytes out = client_->takeOutgoingBytes();
                    socket_->write(reinterpret_cast<const char*>(out.data()), static_cast<qint64>(out.size()));
                }
                finish(e.clean, e.error);
            }
        },
        event);
}

void SshWorker::flushChannels() {
    if (!usable())
        return;
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (socket_->bytesToWrite() > kSocketBacklogLimit)
            return; // resumed from bytesWritten
        const ChannelId id = it->first;
        PendingChannelData& pending = it->second;
        if (pending.offset < pending.data.size()) {
            const Result<std::size_t> taken = client_->sendData(
                id,
                ByteView(reinterpret_cast<const std::uint8_t*>(pending.data.constData()) + pending.offset,
                         static_cast<std::size_t>(pending.data.size() - pending.offset)),
                pending.extended);
            if (!taken) {
                emit logMessage(static_cast<int>(LogLevel::Info),
                                QStringLiteral("channel %1: %2").arg(id).arg(fromStd(taken.error().message)));
                it = pending_.erase(it);
                continue;
            }
            pending.offset += static_cast<qsizetype>(taken.value());
            if (taken.value() > 0)
                emit channelBytesWritten(id, static_cast<qint64>(taken.value()));
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
    if (socket_) {
        if (socket_->state() == QAbstractSocket::ConnectedState) {
            // Let the queued bytes (our DISCONNECT) go out, but never linger.
            socket_->flush();
            socket_->disconnectFromHost();
            if (socket_->state() != QAbstractSocket::UnconnectedState)
                closeTimer_->start(kCloseGraceMs);
        } else {
            socket_->abort();
        }
    }
    emit disconnected(clean, std::move(error));
}

void SshWorker::closeConnection() {
    if (finished_)
        return;
    if (!usable()) {
        if (socket_)
            socket_->abort();
        finish(true, Error::cancelled("closed before the connection was established"));
        return;
    }
    client_->disconnect("disconnected by user");
    pump();
    if (!finished_)
        finish(true, Error::cancelled("disconnected by user"));
}

void SshWorker::answerHostKey(quint64 requestId, bool accept, bool saveToKnownHosts) {
    if (!usable())
        return;
    client_->answerHostKey(requestId, accept, saveToKnownHosts);
    pump();
}

void SshWorker::answerPrompt(quint64 requestId, std::vector<SecretBytes> responses) {
    if (!usable())
        return;
    client_->answerPrompt(requestId, std::move(responses));
    pump();
}

void SshWorker::cancelPrompt(quint64 requestId) {
    if (!usable())
        return;
    client_->cancelPrompt(requestId);
    pump();
}

void SshWorker::openSession() {
    if (!usable())
        return;
    Result<ChannelId> opened = client_->openSession();
    if (!opened)
        emit channelOpenFailed(0, 0, fromStd(opened.error().message));
    pump();
}

void SshWorker::runChannelRequest(quint32 channel, const char* request, const std::function<Status()>& call) {
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
    runChannelRequest(channel, "exec", [&] { return client_->requestExec(channel, viewOf(command)); });
}

void SshWorker::requestSubsystem(quint32 channel, QByteArray subsystem) {
    runChannelRequest(channel, "subsystem", [&] { return client_->requestSubsystem(channel, viewOf(subsystem)); });
}

void SshWorker::setEnv(quint32 channel, QByteArray name, QByteArray value) {
    runChannelRequest(channel, "env", [&] { return client_->setEnv(channel, viewOf(name), viewOf(value)); });
}

void SshWorker::windowChange(quint32 channel, quint32 columns, quint32 rows) {
    runChannelRequest(channel, "window-change", [&] { return client_->windowChange(channel, columns, rows); });
}

void SshWorker::sendSignal(quint32 channel, QByteArray signalName) {
    runChannelRequest(channel, "signal", [&] { return client_->sendSignal(channel, viewOf(signalName)); });
}

void SshWorker::write(quint32 channel, QByteArray data, bool extended) {
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

SshWorkerThread::SshWorkerThread(SshWorker* worker) : thread_(std::make_unique<QThread>()), worker_(worker) {
    thread_->setObjectName(QStringLiteral("ssh-worker"));
    worker_->moveToThread(thread_.get());
    QObject::connect(thread_.get(), &QThread::finished, worker_, &QObject::deleteLater);
    thread_->start();
}

SshWorkerThread::~SshWorkerThread() {
    // Close in the worker's thread (DISCONNECT queued, socket closing), then stop the
    // thread; the worker is deleted there as the thread finishes.
    QMetaObject::invokeMethod(worker_, &SshWorker::closeConnection, Qt::BlockingQueuedConnection);
    thread_->quit();
    thread_->wait();
}

} // namespace portal::protocol::qt
