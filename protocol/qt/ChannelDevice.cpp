// ChannelDevice: a channel's receive buffer and write queue behind QIODevice's interface.
#include "ChannelDevice.h"

#include "SshWorker.h"

#include <algorithm>
#include <cstring>

namespace portal::protocol::qt {

ChannelDevice::ChannelDevice(SshWorker* worker, client::ChannelId id, bool alreadyOpen,
                             QObject* parent)
    : QIODevice(parent), worker_(worker), id_(id), open_(alreadyOpen) {
    if (alreadyOpen)
        QIODevice::open(QIODevice::ReadWrite | QIODevice::Unbuffered);
}

ChannelDevice::~ChannelDevice() {
    // An owner that drops the device ends the channel; the worker forgets it.
    if (!closed_ && worker_)
        worker_->closeChannel(id_);
}

qint64 ChannelDevice::bytesAvailable() const {
    return buffer_.size() + QIODevice::bytesAvailable();
}

qint64 ChannelDevice::bytesToWrite() const {
    return worker_ ? worker_->queuedChannelBytes(id_) : 0;
}

void ChannelDevice::close() {
    if (!closed_ && worker_)
        worker_->closeChannel(id_);
    closed_ = true; // CLOSE is sent once; the worker still reports the peer's
    QIODevice::close();
}

void ChannelDevice::sendEof() {
    if (!closed_ && worker_)
        worker_->sendEof(id_);
}

qint64 ChannelDevice::readData(char* data, qint64 maxSize) {
    const qint64 n = buffer_.read(data, maxSize);
    if (n == 0)
        return peerEof_ || closed_ ? -1 : 0;
    // The bytes left the channel: now the peer may send that many more (RFC 4254 §5.2).
    if (worker_)
        worker_->consumed(id_, n);
    return n;
}

QByteArray ChannelDevice::readChunk(qint64 maxSize) {
    QByteArray chunk = buffer_.take(maxSize);
    if (!chunk.isEmpty() && worker_)
        worker_->consumed(id_, chunk.size()); // as readData (RFC 4254 §5.2)
    return chunk;
}

qint64 ChannelDevice::writeData(const char* data, qint64 size) {
    return writeChunk(QByteArray(data, size));
}

qint64 ChannelDevice::writeChunk(QByteArray data) {
    if (closed_ || !worker_)
        return -1;
    const qint64 size = data.size();
    worker_->queueChannelData(id_, std::move(data), false);
    return size;
}

void ChannelDevice::deliverOpened() {
    open_ = true;
    QIODevice::open(QIODevice::ReadWrite | QIODevice::Unbuffered);
    emit opened();
}

void ChannelDevice::deliverOpenFailed(quint32 reasonCode, const QString& description) {
    closed_ = true;
    emit openFailed(reasonCode, description);
}

void ChannelDevice::deliverData(QByteArray data) {
    buffer_.append(std::move(data));
    emit readyRead();
}

void ChannelDevice::deliverEof() {
    peerEof_ = true;
    emit readChannelFinished();
    emit peerEofReceived();
}

void ChannelDevice::deliverClosed() {
    closed_ = true;
    peerEof_ = true;
    emit channelClosed();
}

void ChannelDevice::deliverBytesWritten(qint64 bytes) {
    emit bytesWritten(bytes);
}

} // namespace portal::protocol::qt
