// RunningWorker, EchoServer and the blocking exchange client.
#include "WorkerTestTools.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace portal::test {

using protocol::qt::SshWorker;

protocol::client::ClientConfig
publickeyConfig(const SshServer& server, const QString& knownHostsPath, const QString& identity) {
    protocol::client::ClientConfig config;
    config.host = "127.0.0.1";
    config.port = server.port();
    config.user = server.user().name.toStdString();
    QString error;
    if (!server.writeKnownHosts(knownHostsPath, &error))
        qFatal("%s", qPrintable(error));
    config.knownHostsFiles = {knownHostsPath.toStdString()};
    config.hostKeyPolicy = protocol::client::HostKeyPolicy::Strict;
    if (!identity.isEmpty())
        config.identities = {{identity.toStdString()}};
    config.allowPassword = false;
    config.allowKeyboardInteractive = false;
    return config;
}

RunningWorker::RunningWorker(protocol::client::ClientConfig config,
                             protocol::qt::ConnectOptions options)
    : worker_(new SshWorker(std::move(config), std::move(options))) {
    authenticated = std::make_unique<QSignalSpy>(worker_, &SshWorker::authenticated);
    disconnected = std::make_unique<QSignalSpy>(worker_, &SshWorker::disconnected);
    QObject::connect(worker_, &SshWorker::logMessage, [this](int, const QString& text) {
        std::lock_guard lock(logMutex_);
        log_ << text;
    });
    thread_ = std::make_unique<protocol::qt::SshWorkerThread>(worker_);
}

QStringList RunningWorker::log() const {
    std::lock_guard lock(logMutex_);
    return log_;
}

QString RunningWorker::disconnectReason() const {
    return disconnected->isEmpty()
               ? QString()
               : QString::fromStdString((*disconnected)[0][1].value<protocol::Error>().message);
}

RunningWorker::~RunningWorker() {
    thread_.reset();
}

bool RunningWorker::connectAndAuthenticate(int timeoutMs) {
    QMetaObject::invokeMethod(worker_, &SshWorker::connectToServer);
    QElapsedTimer waited;
    waited.start();
    while (authenticated->isEmpty() && disconnected->isEmpty() && waited.elapsed() < timeoutMs)
        QTest::qWait(10);
    if (!authenticated->isEmpty())
        return true;
    why_ = disconnected->isEmpty() ? QStringLiteral("no authentication within %1 ms").arg(timeoutMs)
                                   : disconnectReason();
    if (const QStringList lines = log(); !lines.isEmpty())
        why_ += QStringLiteral("; log: ") + lines.join(QStringLiteral(" | "));
    return false;
}

void RunningWorker::run(const std::function<void(SshWorker*)>& call) {
    QMetaObject::invokeMethod(
        worker_, [this, call] { call(worker_); }, Qt::BlockingQueuedConnection);
}

EchoServer::EchoServer(Mode mode) : mode_(mode) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (mode_ == Mode::Sink || mode_ == Mode::Flood) {
        // Small kernel buffers (inherited by accepted sockets), so a slow reader is felt by
        // the sender instead of being absorbed by loopback's large default buffers.
        const int small = mode_ == Mode::Sink ? 32 * 1024 : 256 * 1024;
        ::setsockopt(listener_, SOL_SOCKET, mode_ == Mode::Sink ? SO_RCVBUF : SO_SNDBUF, &small,
                     sizeof small);
    }
    if (listener_ < 0 ||
        ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 256) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        qFatal("echo server: cannot listen on 127.0.0.1: %s", strerror(errno));
    port_ = ntohs(address.sin_port);
    acceptThread_ = std::thread([this] { acceptLoop(); });
}

EchoServer::~EchoServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    acceptThread_.join();
    ::close(listener_);
    std::lock_guard lock(mutex_);
    for (std::thread& connection : connections_)
        connection.join();
}

namespace {

bool writeAll(int fd, const char* data, qsizetype size) {
    for (qsizetype sent = 0; sent < size;) {
        const ssize_t n = ::send(fd, data + sent, static_cast<size_t>(size - sent), MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        sent += n;
    }
    return true;
}

} // namespace

QList<QByteArray> EchoServer::sinkDigests() const {
    std::lock_guard lock(mutex_);
    return sinkDigests_;
}

void EchoServer::acceptLoop() {
    while (!stopping_) {
        pollfd waiting{listener_, POLLIN, 0};
        if (::poll(&waiting, 1, 100) <= 0)
            continue;
        const int fd = ::accept(listener_, nullptr, nullptr);
        if (fd < 0)
            continue;
        std::lock_guard lock(mutex_);
        connections_.emplace_back([this, fd] {
            char buffer[65536];
            if (mode_ == Mode::Flood) {
                for (qint64 sent = 0; sent < kFloodBytes && !stopping_;) {
                    for (std::size_t i = 0; i < sizeof buffer; ++i)
                        buffer[i] = static_cast<char>((sent + static_cast<qint64>(i)) % 251);
                    if (!writeAll(fd, buffer, sizeof buffer))
                        break;
                    sent += static_cast<qint64>(sizeof buffer);
                    flooded_ += static_cast<qint64>(sizeof buffer);
                }
                ::shutdown(fd, SHUT_WR);
                ::close(fd);
                ++served_;
                return;
            }
            QCryptographicHash digest(QCryptographicHash::Sha256);
            if (mode_ == Mode::Sink)
                ::shutdown(fd, SHUT_WR); // EOF towards the client before it has sent anything
            // A sink reads slowly, so the channel's window runs dry and data waits on our side.
            const std::size_t readSize = mode_ == Mode::Sink ? 16 * 1024 : sizeof buffer;
            for (;;) {
                pollfd readable{fd, POLLIN, 0};
                if (::poll(&readable, 1, 30000) <= 0)
                    break; // a stuck peer: give up rather than hang the test's exit
                const ssize_t got = ::read(fd, buffer, readSize);
                if (got <= 0)
                    break;
                if (mode_ == Mode::Sink)
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
                if (mode_ == Mode::DigestAtEof || mode_ == Mode::Sink) {
                    digest.addData(QByteArrayView(buffer, got));
                    continue;
                }
                if (!writeAll(fd, buffer, got))
                    break;
            }
            if (mode_ == Mode::DigestAtEof) {
                const QByteArray answer = digest.result().toHex();
                writeAll(fd, answer.constData(), answer.size());
            }
            if (mode_ == Mode::Sink) {
                std::lock_guard lock(mutex_);
                sinkDigests_ << digest.result().toHex();
            }
            ::shutdown(fd, SHUT_WR);
            ::close(fd);
            ++served_;
        });
    }
}

std::optional<QByteArray> exchangeOnSocket(int fd, const QByteArray& data, int timeoutMs,
                                           QString* error) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    QByteArray received;
    qsizetype sent = 0;
    bool shut = false;
    bool readEnded = false;
    char buffer[65536];
    // Both directions run to their own end: the peer's EOF does not stop our sending.
    while (!(shut && readEnded)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            *error = QStringLiteral("timed out after sending %1 of %2 bytes and receiving %3%4")
                         .arg(sent)
                         .arg(data.size())
                         .arg(received.size())
                         .arg(readEnded ? QStringLiteral(" (peer EOF seen)") : QString());
            ::close(fd);
            return std::nullopt;
        }
        if (sent == data.size() && !shut) {
            ::shutdown(fd, SHUT_WR); // half-close: the far end sees EOF, we still read
            shut = true;
            continue;
        }
        pollfd events{fd, static_cast<short>((readEnded ? 0 : POLLIN) | (shut ? 0 : POLLOUT)), 0};
        if (::poll(&events, 1, static_cast<int>(std::min<long long>(left.count(), 1000))) <= 0)
            continue;
        if (!readEnded && (events.revents & (POLLIN | POLLHUP | POLLERR))) {
            const ssize_t got = ::read(fd, buffer, sizeof buffer);
            if (got < 0) {
                *error = QStringLiteral("read: %1").arg(strerror(errno));
                ::close(fd);
                return std::nullopt;
            }
            if (got == 0)
                readEnded = true;
            else
                received.append(buffer, got);
        }
        if (!shut && (events.revents & (POLLOUT | POLLERR))) {
            const ssize_t n = ::send(
                fd, data.constData() + sent,
                static_cast<size_t>(std::min<qsizetype>(data.size() - sent, 65536)), MSG_NOSIGNAL);
            if (n < 0) {
                *error = QStringLiteral("write after %1 of %2 bytes: %3")
                             .arg(sent)
                             .arg(data.size())
                             .arg(strerror(errno));
                ::close(fd);
                return std::nullopt;
            }
            sent += n;
        }
    }
    ::close(fd);
    return received;
}

std::optional<QByteArray> exchangeTcp(quint16 port, const QByteArray& data, int timeoutMs,
                                      QString* error) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        *error = QStringLiteral("connect to 127.0.0.1:%1: %2").arg(port).arg(strerror(errno));
        if (fd >= 0)
            ::close(fd);
        return std::nullopt;
    }
    return exchangeOnSocket(fd, data, timeoutMs, error);
}

namespace {

bool sendAll(int fd, const QByteArray& bytes) {
    return ::send(fd, bytes.constData(), static_cast<std::size_t>(bytes.size()), MSG_NOSIGNAL) == bytes.size();
}

QByteArray receiveExactly(int fd, qsizetype size) {
    QByteArray bytes(size, '\0');
    qsizetype got = 0;
    while (got < size) {
        const ssize_t n = ::recv(fd, bytes.data() + got, static_cast<std::size_t>(size - got), 0);
        if (n <= 0)
            return bytes.left(got);
        got += n;
    }
    return bytes;
}

// A TCP socket connected to 127.0.0.1:port with 10 s receive timeouts, or -1 (errno set).
int connectLoopback(quint16 port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

} // namespace

int socks5Connect(quint16 proxyPort, quint16 targetPort) {
    const int fd = connectLoopback(proxyPort);
    if (fd < 0)
        return -1;
    // No authentication offered; then CONNECT to the IPv4 address 127.0.0.1:targetPort.
    QByteArray request("\x05\x01\x00\x01\x7f\x00\x00\x01", 8);
    request.append(char(targetPort >> 8)).append(char(targetPort & 0xff));
    if (!sendAll(fd, QByteArray("\x05\x01\x00", 3)) || receiveExactly(fd, 2) != QByteArray("\x05\x00", 2) ||
        !sendAll(fd, request) || receiveExactly(fd, 10).left(2) != QByteArray("\x05\x00", 2)) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool refusesConnections(quint16 port) {
    const int fd = connectLoopback(port);
    if (fd >= 0) {
        ::close(fd);
        return false;
    }
    return errno == ECONNREFUSED;
}

std::optional<QByteArray> exchangeUnix(const QString& path, const QByteArray& data, int timeoutMs,
                                       QString* error) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray encoded = path.toLocal8Bit();
    if (encoded.size() >= static_cast<qsizetype>(sizeof address.sun_path)) {
        *error = QStringLiteral("socket path too long: %1").arg(path);
        return std::nullopt;
    }
    std::memcpy(address.sun_path, encoded.constData(), static_cast<size_t>(encoded.size()));
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        *error = QStringLiteral("connect to %1: %2").arg(path, strerror(errno));
        if (fd >= 0)
            ::close(fd);
        return std::nullopt;
    }
    return exchangeOnSocket(fd, data, timeoutMs, error);
}

std::optional<QByteArray> runExec(RunningWorker& running, const QByteArray& command, int timeoutMs,
                                  QString* error, const QByteArray& input) {
    SshWorker* worker = running.worker();
    QObject receiver; // lives in this thread: the lambdas below run here
    std::optional<quint32> channel;
    QByteArray out;
    QByteArray err;
    bool closed = false;
    bool execRefused = false;
    QObject::connect(worker, &SshWorker::channelOpened, &receiver, [&](quint32 id) {
        if (channel)
            return;
        channel = id;
        QMetaObject::invokeMethod(worker,
                                  [worker, id, command] { worker->requestExec(id, command); });
    });
    QObject::connect(worker, &SshWorker::channelRequestResult, &receiver,
                     [&](quint32 id, const QString& request, bool ok) {
                         if (channel != id || request != QLatin1String("exec"))
                             return;
                         if (!ok) {
                             execRefused = true;
                             return;
                         }
                         QMetaObject::invokeMethod(worker, [worker, id, input] {
                             if (!input.isEmpty())
                                 worker->write(id, input);
                             worker->sendEof(id);
                         });
                     });
    QObject::connect(worker, &SshWorker::channelData, &receiver,
                     [&](quint32 id, const QByteArray& data, bool extended) {
                         if (channel != id)
                             return;
                         (extended ? err : out) += data;
                         QMetaObject::invokeMethod(
                             worker, [worker, id, n = data.size()] { worker->consumed(id, n); });
                     });
    QObject::connect(worker, &SshWorker::channelClosed, &receiver,
                     [&](quint32 id) { closed = closed || channel == id; });
    QMetaObject::invokeMethod(worker, &SshWorker::openSession);
    QElapsedTimer waited;
    waited.start();
    while (!closed && !execRefused && running.disconnected->isEmpty() &&
           waited.elapsed() < timeoutMs)
        QTest::qWait(10);
    if (!closed) {
        *error = execRefused ? QStringLiteral("exec refused")
                 : !running.disconnected->isEmpty()
                     ? QStringLiteral("disconnected: ") + running.disconnectReason()
                     : QStringLiteral("exec did not finish in %1 ms").arg(timeoutMs);
        *error += QStringLiteral("; stderr: ") + QString::fromLocal8Bit(err);
        return std::nullopt;
    }
    if (!err.isEmpty())
        *error = QString::fromLocal8Bit(err);
    return out;
}

QByteArray randomBytes(qsizetype size) {
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = static_cast<char>(QRandomGenerator::global()->generate() & 0xff);
    return bytes;
}

} // namespace portal::test
