// StreamBridge: the copy loops between a local socket and a ChannelDevice.
#include "StreamBridge.h"

#include "ChannelDevice.h"
#include "LocalStreamSocket.h"

#include <QAbstractSocket>
#include <QLocalSocket>
#include <QTimer>

#ifndef Q_OS_WIN
#include <sys/socket.h>
#endif

namespace portal::protocol::qt {

namespace {

// One read's worth, and the backlog on the writing side at which reading pauses: a few
// channel packets, small next to the 2 MiB receive window.
constexpr qint64 kChunk = 64 * 1024;
constexpr qint64 kBacklogLimit = 256 * 1024;

// The runtime's own devices hand whole chunks on (no copies on the forwarding path); Qt's
// sockets go through read() and write().
QByteArray takeFrom(QIODevice* device, qint64 maxSize) {
#ifndef Q_OS_WIN
    if (auto* stream = qobject_cast<LocalStreamSocket*>(device))
        return stream->readChunk(maxSize);
#endif
    if (auto* channel = qobject_cast<ChannelDevice*>(device))
        return channel->readChunk(maxSize);
    return device->read(maxSize);
}

void giveTo(QIODevice* device, QByteArray data) {
#ifndef Q_OS_WIN
    if (auto* stream = qobject_cast<LocalStreamSocket*>(device)) {
        stream->writeChunk(std::move(data));
        return;
    }
#endif
    if (auto* channel = qobject_cast<ChannelDevice*>(device)) {
        channel->writeChunk(std::move(data));
        return;
    }
    device->write(data);
}

} // namespace

StreamBridge::StreamBridge(QIODevice* local, ChannelDevice* channel, QObject* parent)
    : QObject(parent), local_(local), channel_(channel) {
    local->setParent(this);
    channel->setParent(this);
    connect(local, &QIODevice::readyRead, this, &StreamBridge::localToChannel);
    connect(local, &QIODevice::bytesWritten, this, &StreamBridge::channelToLocal);
    connect(local, &QIODevice::readChannelFinished, this, &StreamBridge::onLocalReadEnded);
    // The local side may have ended while the channel was opening.
#ifndef Q_OS_WIN
    if (auto* stream = qobject_cast<LocalStreamSocket*>(local)) {
        connect(stream, &LocalStreamSocket::disconnected, this, &StreamBridge::onLocalGone);
        localReadEnded_ = stream->peerFinished();
        localGone_ = !stream->isOpen();
    }
#endif
    if (auto* socket = qobject_cast<QAbstractSocket*>(local)) {
        connect(socket, &QAbstractSocket::disconnected, this, &StreamBridge::onLocalGone);
        localGone_ = socket->state() == QAbstractSocket::UnconnectedState;
    } else if (auto* localSocket = qobject_cast<QLocalSocket*>(local)) {
        connect(localSocket, &QLocalSocket::disconnected, this, &StreamBridge::onLocalGone);
        localGone_ = localSocket->state() == QLocalSocket::UnconnectedState;
    }
    connect(channel, &QIODevice::readyRead, this, &StreamBridge::channelToLocal);
    connect(channel, &QIODevice::bytesWritten, this, &StreamBridge::localToChannel);
    connect(channel, &ChannelDevice::peerEofReceived, this, &StreamBridge::channelToLocal);
    connect(channel, &ChannelDevice::channelClosed, this, &StreamBridge::onChannelClosed);
    // Bytes that arrived before the bridge was made.
    QTimer::singleShot(0, this, [this] {
        localToChannel();
        channelToLocal();
    });
}

StreamBridge::~StreamBridge() = default;

void StreamBridge::localToChannel() {
    if (ended_ || !local_ || !channel_ || channelClosed_ || eofSentToChannel_)
        return;
    while (channel_->bytesToWrite() < kBacklogLimit) {
        QByteArray data = takeFrom(local_, kChunk);
        if (data.isEmpty())
            break;
        toChannel_ += data.size();
        giveTo(channel_, std::move(data));
    }
    if ((localReadEnded_ || localGone_) && local_->bytesAvailable() == 0) {
        // Local EOF: half-close towards the server once what we wrote has gone out.
        eofSentToChannel_ = true;
        channel_->sendEof();
    }
    maybeFinish();
}

void StreamBridge::channelToLocal() {
    if (ended_ || !local_ || !channel_)
        return;
    if (!localGone_) {
        while (local_->bytesToWrite() < kBacklogLimit) {
            QByteArray data = takeFrom(channel_, kChunk); // refills the channel's window
            if (data.isEmpty())
                break;
            toLocal_ += data.size();
            giveTo(local_, std::move(data));
        }
    }
    if (channel_->peerFinished() && !localWriteShut_)
        shutdownLocalWrite();
    maybeFinish();
}

void StreamBridge::onLocalReadEnded() {
    localReadEnded_ = true;
    localToChannel();
}

void StreamBridge::onLocalGone() {
    localGone_ = true;
    localReadEnded_ = true;
    localToChannel();
    maybeFinish();
}

void StreamBridge::onChannelClosed() {
    channelClosed_ = true;
    channelToLocal(); // what arrived before CLOSE still goes out
    maybeFinish();
}

void StreamBridge::shutdownLocalWrite() {
    if (local_->bytesToWrite() > 0)
        return; // again from bytesWritten
    localWriteShut_ = true;
    if (localReadEnded_ || localGone_)
        return; // both directions done: maybeFinish closes the socket
        // Channel EOF: FIN towards the local peer while it may still send (half-close).
#ifndef Q_OS_WIN
    if (auto* stream = qobject_cast<LocalStreamSocket*>(local_.data())) {
        stream->shutdownWrite();
        return;
    }
    // Qt's sockets have no half-close of their own; with everything written (above), the
    // descriptor's is the same. An X server, for one, closes only once it sees that EOF.
    qintptr descriptor = -1;
    if (auto* tcp = qobject_cast<QAbstractSocket*>(local_.data()))
        descriptor = tcp->socketDescriptor();
    else if (auto* unixSocket = qobject_cast<QLocalSocket*>(local_.data()))
        descriptor = unixSocket->socketDescriptor();
    if (descriptor >= 0 && ::shutdown(static_cast<int>(descriptor), SHUT_WR) == 0)
        return;
#endif
    // No half-close to be had: the local side is closed once written.
    localReadEnded_ = true;
}

void StreamBridge::maybeFinish() {
    if (ended_ || !local_ || !channel_)
        return;
    const bool towardChannelDone = eofSentToChannel_ || channelClosed_;
    const bool towardLocalDone =
        localGone_ || (localWriteShut_ && channel_->peerFinished()) ||
        (channelClosed_ && channel_->bytesAvailable() == 0 && local_->bytesToWrite() == 0);
    if ((towardChannelDone && towardLocalDone) ||
        (localGone_ && (channelClosed_ || eofSentToChannel_)) ||
        (channelClosed_ && local_->bytesToWrite() == 0 && channel_->bytesAvailable() == 0))
        end();
}

void StreamBridge::end() {
    if (!ended_) {
        ended_ = true;
        if (auto* socket = qobject_cast<QAbstractSocket*>(local_.data()))
            socket->disconnectFromHost(); // writes what is buffered first
        else if (auto* localSocket = qobject_cast<QLocalSocket*>(local_.data()))
            localSocket->disconnectFromServer();
        else
            local_->close();
        emit finished();
        // Bytes still queued for the channel (and the EOF behind them) go out before CLOSE:
        // closing now would drop them.
        connect(channel_, &QIODevice::bytesWritten, this, &StreamBridge::end);
        connect(channel_, &ChannelDevice::channelClosed, this, &StreamBridge::end);
    }
    if (!channelClosed_ && channel_ && channel_->isChannelOpen() && channel_->bytesToWrite() > 0)
        return; // again from bytesWritten
    if (!channelClosed_ && channel_) {
        channelClosed_ = true;
        channel_->close();
    }
    deleteLater();
}

} // namespace portal::protocol::qt
