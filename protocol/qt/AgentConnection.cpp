// AgentConnection: moves bytes between the agent's local socket and agent::AgentClient.
#include "AgentConnection.h"

#include "client/ClientEvents.h"

namespace portal::protocol::qt {

AgentConnection::AgentConnection(QString socketPath, QObject* parent)
    : QObject(parent), path_(std::move(socketPath)), socket_(this) {
    connect(&socket_, &QLocalSocket::connected, this, &AgentConnection::flush);
    connect(&socket_, &QLocalSocket::readyRead, this, &AgentConnection::onReadable);
    connect(&socket_, &QLocalSocket::errorOccurred, this, &AgentConnection::onError);
    connect(&socket_, &QLocalSocket::disconnected, this, &AgentConnection::onError);
}

AgentConnection::~AgentConnection() {
    // The socket's last signals must not reach a half-destroyed client.
    socket_.disconnect(this);
    socket_.abort();
}

QString AgentConnection::defaultAddress() {
    const QString fromEnvironment = qEnvironmentVariable("SSH_AUTH_SOCK");
#ifdef Q_OS_WIN
    if (fromEnvironment.isEmpty())
        return QStringLiteral(R"(\\.\pipe\openssh-ssh-agent)");
#endif
    return fromEnvironment;
}

void AgentConnection::open() {
    emit logMessage(static_cast<int>(client::LogLevel::Debug),
                    QStringLiteral("ssh-agent: connecting to %1").arg(path_));
    socket_.connectToServer(path_);
}

void AgentConnection::flush() {
    if (failed_ || socket_.state() != QLocalSocket::ConnectedState)
        return; // the client keeps its requests until the socket is connected
    const Bytes out = client_.takeOutgoingBytes();
    if (!out.empty())
        socket_.write(reinterpret_cast<const char*>(out.data()), static_cast<qint64>(out.size()));
}

void AgentConnection::onReadable() {
    const QByteArray bytes = socket_.readAll();
    if (failed_ || bytes.isEmpty())
        return;
    const Status status =
        client_.receiveBytes(ByteView(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                                      static_cast<std::size_t>(bytes.size())));
    if (!status) {
        // The client has failed every pending request and is closed; nothing more to read.
        failed_ = true;
        emit logMessage(
            static_cast<int>(client::LogLevel::Info),
            QStringLiteral("ssh-agent: %1").arg(QString::fromStdString(status.error().message)));
        socket_.abort();
    }
    emit repliesDelivered();
}

void AgentConnection::onError() {
    if (failed_)
        return;
    failed_ = true;
    const QString reason = socket_.error() == QLocalSocket::PeerClosedError ||
                                   socket_.error() == QLocalSocket::UnknownSocketError
                               ? QStringLiteral("the agent closed the connection")
                               : socket_.errorString();
    const bool pending = client_.pendingRequests() > 0;
    client_.connectionLost(
        Error::network("ssh-agent at " + path_.toStdString() + ": " + reason.toStdString()));
    emit logMessage(static_cast<int>(client::LogLevel::Info),
                    QStringLiteral("ssh-agent at %1: %2").arg(path_, reason));
    if (pending)
        emit repliesDelivered();
}

} // namespace portal::protocol::qt
