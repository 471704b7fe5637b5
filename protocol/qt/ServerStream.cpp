// ServerStream implementations: TCP, ProxyCommand and a channel of the previous hop.
#include "ServerStream.h"

#include "ChannelDevice.h"
#include "SshWorker.h"
#include "client/ClientEvents.h"

#include <QProcess>
#include <QTcpSocket>

#ifndef Q_OS_WIN
#include "LocalStreamSocket.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>
#endif

namespace portal::protocol::qt {

using client::LogLevel;

qint64 ServerStream::writeSome(const char* data, qint64 size) {
    QIODevice* stream = device();
    return stream ? stream->write(data, size) : -1;
}

// ---- TCP ----

TcpServerStream::TcpServerStream(QString address, quint16 port,
                                 QAbstractSocket::NetworkLayerProtocol protocol, QObject* parent)
    : ServerStream(parent), address_(std::move(address)), port_(port), protocol_(protocol) {}

void TcpServerStream::open() {
    socket_ = new QTcpSocket(this);
    connect(socket_, &QTcpSocket::connected, this, [this] {
        connected_ = true;
        // Before our first byte: the version line and KEXINIT go out at once instead of
        // waiting for a delayed ACK (PERFORMANCE.md, connection set-up).
        socket_->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        const QString peer = socket_->peerAddress().toString();
        const quint16 peerPort = socket_->peerPort();
#ifndef Q_OS_WIN
        takeOverDescriptor();
        if (!connection_)
            return;
#endif
        emit opened(peer, peerPort);
    });
    connect(socket_, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (connected_ && error == QAbstractSocket::RemoteHostClosedError)
            emit closed();
        else
            emit failed(socket_->errorString());
    });
    connect(socket_, &QTcpSocket::disconnected, this, &ServerStream::closed);
    // QAbstractSocket resolves the name (QHostInfo) and tries each address in turn.
    socket_->connectToHost(address_, port_, QIODevice::ReadWrite, protocol_);
}

void TcpServerStream::takeOverDescriptor() {
#ifndef Q_OS_WIN
    // As SshWorker does for forwarded connections: the descriptor moves over, Qt's copy closes.
    const int fd = ::dup(static_cast<int>(socket_->socketDescriptor()));
    const QString error = fd < 0 ? QString::fromLocal8Bit(std::strerror(errno)) : QString();
    socket_->disconnect(this);
    socket_->abort();
    socket_->deleteLater();
    socket_ = nullptr;
    if (fd < 0) {
        emit failed(error);
        return;
    }
    connection_ = new LocalStreamSocket(fd, this);
    // The server's EOF ends the stream; a reset or other error breaks it.
    connect(connection_, &QIODevice::readChannelFinished, this, &ServerStream::closed);
    connect(connection_, &LocalStreamSocket::disconnected, this, [this] {
        if (ending_)
            emit closed();
        else
            emit failed(connection_->errorString());
    });
    connect(connection_, &LocalStreamSocket::writable, this, &ServerStream::writable);
#endif
}

QIODevice* TcpServerStream::device() const {
    if (connection_)
        return connection_;
    return socket_;
}

qint64 TcpServerStream::writeSome(const char* data, qint64 size) {
#ifndef Q_OS_WIN
    if (connection_)
        return connection_->sendNow(data, size);
#endif
    return ServerStream::writeSome(data, size);
}

void TcpServerStream::close() {
    ending_ = true;
#ifndef Q_OS_WIN
    if (connection_) {
        // What is queued (our DISCONNECT) goes out, then a FIN; the server's close follows.
        // The owner aborts if it does not come soon.
        if (connection_->peerFinished() && connection_->bytesToWrite() == 0)
            connection_->close(); // the server has gone already
        else
            connection_->shutdownWrite();
        return;
    }
#endif
    if (!socket_)
        return;
    if (socket_->state() == QAbstractSocket::ConnectedState) {
        // Let the queued bytes (our DISCONNECT) go out, but never linger: the owner aborts
        // if closed() does not follow soon.
        socket_->flush();
        socket_->disconnectFromHost();
    } else {
        socket_->abort();
    }
}

void TcpServerStream::abort() {
    ending_ = true;
    if (connection_)
        connection_->close();
    if (socket_)
        socket_->abort();
}

// ---- ProxyCommand ----

ProxyCommandStream::ProxyCommandStream(QString command, QObject* parent)
    : ServerStream(parent), command_(std::move(command)) {}

ProxyCommandStream::~ProxyCommandStream() {
    if (process_ && process_->state() != QProcess::NotRunning) {
        // The command may not exit on EOF; it is ours to end.
        process_->kill();
        process_->waitForFinished(1000);
    }
}

void ProxyCommandStream::open() {
    process_ = new QProcess(this);
    process_->setReadChannel(QProcess::StandardOutput);
    connect(process_, &QProcess::started, this, [this] {
        started_ = true;
        emit opened(QStringLiteral("proxy command"), 0);
    });
    connect(process_, &QProcess::readyReadStandardError, this, [this] { forwardStderr(false); });
    connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (ended_)
            return;
        if (error == QProcess::FailedToStart || error == QProcess::Crashed) {
            ended_ = true;
            emit failed(
                QStringLiteral("proxy command \"%1\": %2").arg(command_, process_->errorString()));
        }
    });
    connect(process_, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus) {
        forwardStderr(true);
        if (ended_)
            return;
        ended_ = true;
        if (exitCode != 0)
            emit logMessage(static_cast<int>(LogLevel::Info),
                            QStringLiteral("proxy command exited with status %1").arg(exitCode));
        emit closed();
    });
#ifdef Q_OS_WIN
    process_->start(QStringLiteral("cmd.exe"), {QStringLiteral("/c"), command_});
#else
    // As OpenSSH: the user's command through the shell, exec'd so that the stream's end is
    // the command's own.
    process_->start(QStringLiteral("/bin/sh"),
                    {QStringLiteral("-c"), QStringLiteral("exec ") + command_});
#endif
}

QIODevice* ProxyCommandStream::device() const {
    return process_;
}

void ProxyCommandStream::close() {
    if (!process_ || ended_)
        return;
    // EOF on the command's stdin; a well-behaved proxy exits and finished() reports it.
    process_->closeWriteChannel();
}

void ProxyCommandStream::abort() {
    if (!process_ || process_->state() == QProcess::NotRunning)
        return;
    ended_ = true;
    process_->kill();
}

void ProxyCommandStream::forwardStderr(bool flushPartialLine) {
    stderrLine_ += process_->readAllStandardError();
    qsizetype newline;
    while ((newline = stderrLine_.indexOf('\n')) >= 0) {
        const QByteArray line = stderrLine_.left(newline);
        stderrLine_.remove(0, newline + 1);
        emit logMessage(static_cast<int>(LogLevel::Info), QString::fromLocal8Bit(line).trimmed());
    }
    if (flushPartialLine && !stderrLine_.isEmpty()) {
        emit logMessage(static_cast<int>(LogLevel::Info),
                        QString::fromLocal8Bit(stderrLine_).trimmed());
        stderrLine_.clear();
    }
}

// ---- A channel of the previous hop ----

ChannelServerStream::ChannelServerStream(SshWorker* via, QString host, quint16 port,
                                         QObject* parent)
    : ServerStream(parent), via_(via), host_(std::move(host)), port_(port) {}

void ChannelServerStream::open() {
    QString error;
    channel_ = via_ ? via_->openDirectTcpipDevice(host_, port_, QStringLiteral("127.0.0.1"), 0,
                                                  this, &error)
                    : nullptr;
    if (!channel_) {
        emit failed(error.isEmpty() ? QStringLiteral("the jump host connection is gone") : error);
        return;
    }
    connect(channel_, &ChannelDevice::opened, this, [this] { emit opened(host_, port_); });
    connect(channel_, &ChannelDevice::openFailed, this,
            [this](quint32, const QString& description) {
                emit failed(QStringLiteral("the jump host could not connect to %1 port %2: %3")
                                .arg(host_)
                                .arg(port_)
                                .arg(description));
            });
    // EOF from the hop means the server's side is gone, as a TCP FIN would.
    connect(channel_, &ChannelDevice::peerEofReceived, this, &ServerStream::closed);
    connect(channel_, &ChannelDevice::channelClosed, this, &ServerStream::closed);
}

QIODevice* ChannelServerStream::device() const {
    return channel_;
}

void ChannelServerStream::close() {
    if (channel_)
        channel_->sendEof();
}

void ChannelServerStream::abort() {
    if (channel_)
        channel_->close();
}

// ---- ProxyCommand tokens ----

bool expandProxyCommand(const QString& command, const QString& host, quint16 port,
                        const QString& user, const QString& originalHost, QString* expanded,
                        QString* error) {
    QString out;
    out.reserve(command.size());
    for (qsizetype i = 0; i < command.size(); ++i) {
        const QChar c = command[i];
        if (c != QLatin1Char('%')) {
            out += c;
            continue;
        }
        if (i + 1 >= command.size()) {
            *error = QStringLiteral("ProxyCommand ends with a lone %");
            return false;
        }
        const QChar token = command[++i];
        switch (token.unicode()) {
        case '%':
            out += QLatin1Char('%');
            break;
        case 'h':
            out += host;
            break;
        case 'p':
            out += QString::number(port);
            break;
        case 'r':
            out += user;
            break;
        case 'n':
            out += originalHost;
            break;
        default:
            *error = QStringLiteral("ProxyCommand: unknown token %%%1").arg(token);
            return false;
        }
    }
    *expanded = out;
    return true;
}

} // namespace portal::protocol::qt
