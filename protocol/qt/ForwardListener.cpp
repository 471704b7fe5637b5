// ForwardListener: QTcpServer (one per address family for "localhost") or QLocalServer.
#include "ForwardListener.h"

#include "LocalStreamSocket.h"

#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QTcpServer>
#include <QTcpSocket>

#ifndef Q_OS_WIN
#include <netinet/in.h>
#include <sys/socket.h>
#endif

namespace portal::protocol::qt {

namespace {

#ifndef Q_OS_WIN
// The servers hand over the accepted descriptor itself, to be wrapped in a LocalStreamSocket
// (half-close) instead of Qt's socket classes.
class DescriptorTcpServer : public QTcpServer {
public:
    DescriptorTcpServer(std::function<void(int)> accepted, QObject* parent)
        : QTcpServer(parent), accepted_(std::move(accepted)) {}

protected:
    void incomingConnection(qintptr descriptor) override {
        accepted_(static_cast<int>(descriptor));
    }

private:
    std::function<void(int)> accepted_;
};

class DescriptorLocalServer : public QLocalServer {
public:
    DescriptorLocalServer(std::function<void(int)> accepted, QObject* parent)
        : QLocalServer(parent), accepted_(std::move(accepted)) {}

protected:
    void incomingConnection(quintptr descriptor) override {
        accepted_(static_cast<int>(descriptor));
    }

private:
    std::function<void(int)> accepted_;
};

QString peerAddressOf(int fd, quint16* port) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    *port = 0;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        return QStringLiteral("127.0.0.1");
    QHostAddress host(reinterpret_cast<const sockaddr*>(&address));
    if (address.ss_family == AF_INET || address.ss_family == AF_INET6)
        *port =
            static_cast<quint16>(ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port));
    return host.toString();
}
#endif

} // namespace

ForwardListener::ForwardListener(QObject* parent) : QObject(parent) {}

ForwardListener::~ForwardListener() {
    stop();
}

bool ForwardListener::listen(const PortForward& forward, quint16* boundPort, QString* error) {
    if (!forward.bindPath.isEmpty()) {
        *boundPort = 0;
        return listenUnix(forward.bindPath, error);
    }
    return listenTcp(forward, boundPort, error);
}

bool ForwardListener::listenTcp(const PortForward& forward, quint16* boundPort, QString* error) {
    // Loopback only unless asked: "localhost" or empty binds 127.0.0.1 and, when the host
    // has it, ::1 on the same port (as OpenSSH binds every address "localhost" has).
    QList<QHostAddress> addresses;
    const QString bind = forward.bindAddress.trimmed();
    if (bind.isEmpty() || bind.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0) {
        addresses << QHostAddress(QHostAddress::LocalHost)
                  << QHostAddress(QHostAddress::LocalHostIPv6);
    } else if (bind == QLatin1String("*")) {
        addresses << QHostAddress(QHostAddress::Any);
    } else {
        QHostAddress address;
        if (!address.setAddress(bind)) {
            *error = QStringLiteral("bind address \"%1\" is not an IP address").arg(bind);
            return false;
        }
        addresses << address;
    }
    quint16 port = forward.bindPort;
    for (int i = 0; i < addresses.size(); ++i) {
#ifdef Q_OS_WIN
        auto* server = new QTcpServer(this);
#else
        auto* server = new DescriptorTcpServer(
            [this](int fd) {
                quint16 peerPort = 0;
                const QString peer = peerAddressOf(fd, &peerPort);
                emit accepted(new LocalStreamSocket(fd), peer, peerPort);
            },
            this);
#endif
        if (!server->listen(addresses[i], port)) {
            const QString reason = server->errorString();
            delete server;
            if (i > 0)
                continue; // the second loopback family is a bonus (hosts without IPv6)
            *error = QStringLiteral("cannot listen on %1 port %2: %3")
                         .arg(addresses[i].toString())
                         .arg(port)
                         .arg(reason);
            return false;
        }
        port = server->serverPort();
        connect(server, &QTcpServer::pendingConnectionAvailable, this, [this, server] {
            while (QTcpSocket* socket = server->nextPendingConnection()) {
                socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
                emit accepted(socket, socket->peerAddress().toString(), socket->peerPort());
            }
        });
        tcpServers_.push_back(server);
    }
    *boundPort = port;
    return true;
}

bool ForwardListener::listenUnix(const QString& path, QString* error) {
#ifdef Q_OS_WIN
    Q_UNUSED(path);
    *error = QStringLiteral("Unix socket forwarding is not available on Windows");
    return false;
#else
    localServer_ = new DescriptorLocalServer(
        [this](int fd) { emit accepted(new LocalStreamSocket(fd), path_, 0); }, this);
    // Only the user may connect (OpenSSH's StreamLocalBindMask default 0177).
    localServer_->setSocketOptions(QLocalServer::UserAccessOption);
    if (!localServer_->listen(path)) {
        *error = QStringLiteral("cannot listen on %1: %2").arg(path, localServer_->errorString());
        delete localServer_;
        localServer_ = nullptr;
        return false;
    }
    path_ = path;
    return true;
#endif
}

void ForwardListener::stop() {
    for (QTcpServer* server : tcpServers_) {
        server->close();
        server->deleteLater();
    }
    tcpServers_.clear();
    if (localServer_) {
        localServer_->close(); // removes the socket file it created
        localServer_->deleteLater();
        localServer_ = nullptr;
    }
}

} // namespace portal::protocol::qt
