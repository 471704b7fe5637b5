// SocksSession: the SOCKS negotiation in front of a forwarded channel.
#include "SocksSession.h"

#include "ChannelDevice.h"
#include "SshWorker.h"
#include "StreamBridge.h"
#include "client/ClientEvents.h"

#include <QAbstractSocket>
#include <QLocalSocket>
#include <QTimer>

#ifndef Q_OS_WIN
#include "LocalStreamSocket.h"
#endif

namespace portal::protocol::qt {

using client::LogLevel;

void closeWhenWritten(QIODevice* device) {
    const auto close = [device] {
        if (auto* socket = qobject_cast<QAbstractSocket*>(device))
            socket->disconnectFromHost();
        else if (auto* local = qobject_cast<QLocalSocket*>(device))
            local->disconnectFromServer();
        else
            device->close();
        device->deleteLater();
    };
#ifndef Q_OS_WIN
    // Our own socket keeps its buffer in user space: wait for it to drain.
    if (qobject_cast<LocalStreamSocket*>(device) && device->bytesToWrite() > 0) {
        QObject::connect(device, &QIODevice::bytesWritten, device, [device, close] {
            if (device->bytesToWrite() == 0)
                close();
        });
        return;
    }
#endif
    close();
}

SocksSession::SocksSession(SshWorker* worker, QIODevice* client, QString peerAddress,
                           quint16 peerPort, QString label)
    : QObject(worker), worker_(worker), client_(client), peerAddress_(std::move(peerAddress)),
      peerPort_(peerPort), label_(std::move(label)) {
    client_->setParent(this);
    connect(client_, &QIODevice::readyRead, this, &SocksSession::onClientReadable);
    connect(client_, &QIODevice::readChannelFinished, this, [this] {
        if (!requestDone_)
            fail({}, QStringLiteral("the client closed before its request was complete"));
    });
    QTimer::singleShot(0, this, &SocksSession::onClientReadable); // bytes already buffered
}

void SocksSession::onClientReadable() {
    if (requestDone_)
        return; // the rest is the stream itself, read by the bridge
    const QByteArray bytes = client_->readAll();
    handle(parser_.feed(ByteView(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                                 static_cast<std::size_t>(bytes.size()))));
}

void SocksSession::handle(forward::SocksStep step) {
    if (auto* reply = std::get_if<forward::SocksReply>(&step)) {
        client_->write(reinterpret_cast<const char*>(reply->bytes.data()),
                       static_cast<qint64>(reply->bytes.size()));
        // A client may have pipelined its request behind the greeting.
        handle(parser_.feed({}));
        return;
    }
    if (auto* error = std::get_if<forward::SocksError>(&step)) {
        fail(error->reply, QString::fromStdString(error->message));
        return;
    }
    auto* request = std::get_if<forward::SocksConnect>(&step);
    if (!request)
        return; // need more bytes
    requestDone_ = true;
    version_ = request->version;
    const QString host = QString::fromStdString(request->host);
    const quint16 port = request->port;
    QString why;
    ChannelDevice* channel =
        worker_ ? worker_->openDirectTcpipDevice(host, port, peerAddress_, peerPort_, this, &why)
                : nullptr;
    if (!channel) {
        fail(forward::socksFailureReply(version_, forward::SocksFailure::GeneralFailure), why);
        return;
    }
    emit logMessage(
        static_cast<int>(LogLevel::Verbose),
        QStringLiteral("%1: %2 connection from %3 port %4 to %5 port %6")
            .arg(label_,
                 QString::fromLatin1(version_ == forward::SocksVersion::Socks5    ? "SOCKS5"
                                     : version_ == forward::SocksVersion::Socks4a ? "SOCKS4a"
                                                                                  : "SOCKS4"),
                 peerAddress_)
            .arg(peerPort_)
            .arg(host)
            .arg(port));
    const QByteArray leftover(reinterpret_cast<const char*>(request->leftover.data()),
                              static_cast<qsizetype>(request->leftover.size()));
    connect(channel, &ChannelDevice::opened, this, [this, channel, leftover] {
        const Bytes reply = forward::socksSuccessReply(version_);
        client_->write(reinterpret_cast<const char*>(reply.data()),
                       static_cast<qint64>(reply.size()));
        if (!leftover.isEmpty())
            channel->write(leftover);
        new StreamBridge(client_, channel, worker_.data());
        deleteLater();
    });
    connect(
        channel, &ChannelDevice::openFailed, this,
        [this, channel, host, port](quint32 reason, const QString& text) {
            channel->deleteLater();
            fail(forward::socksFailureReply(version_, forward::socksFailureForOpenFailure(reason)),
                 QStringLiteral("the server could not connect to %1 port %2: %3")
                     .arg(host)
                     .arg(port)
                     .arg(text));
        });
}

void SocksSession::fail(const Bytes& reply, const QString& message) {
    emit logMessage(static_cast<int>(LogLevel::Info),
                    QStringLiteral("%1: %2").arg(label_, message));
    requestDone_ = true;
    if (!reply.empty())
        client_->write(reinterpret_cast<const char*>(reply.data()),
                       static_cast<qint64>(reply.size()));
    client_->setParent(worker_.data());
    closeWhenWritten(client_);
    deleteLater();
}

} // namespace portal::protocol::qt
