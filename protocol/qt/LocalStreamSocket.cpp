// LocalStreamSocket: non-blocking recv/send on a socket descriptor driven by QSocketNotifier.
#include "LocalStreamSocket.h"

#include <QSocketNotifier>
#include <QTimer>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace portal::protocol::qt {

namespace {

constexpr qint64 kReadChunk = 64 * 1024;
// Unread bytes at which we stop taking more from the kernel.
constexpr qint64 kReadLimit = 256 * 1024;

} // namespace

LocalStreamSocket::LocalStreamSocket(int fd, QObject* parent) : LocalStreamSocket(fd, fd, parent) {}

LocalStreamSocket::LocalStreamSocket(int readFd, int writeFd, QObject* parent)
    : QIODevice(parent), fd_(readFd), writeFd_(writeFd), socket_(readFd == writeFd) {
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    if (writeFd_ != fd_)
        ::fcntl(writeFd_, F_SETFL, ::fcntl(writeFd_, F_GETFL) | O_NONBLOCK);
    readNotifier_ = new QSocketNotifier(fd_, QSocketNotifier::Read, this);
    writeNotifier_ = new QSocketNotifier(writeFd_, QSocketNotifier::Write, this);
    writeNotifier_->setEnabled(false);
    connect(readNotifier_, &QSocketNotifier::activated, this, &LocalStreamSocket::onReadable);
    connect(writeNotifier_, &QSocketNotifier::activated, this, &LocalStreamSocket::onWritable);
    QIODevice::open(QIODevice::ReadWrite | QIODevice::Unbuffered);
}

LocalStreamSocket::~LocalStreamSocket() {
    if (fd_ >= 0)
        ::close(fd_);
    if (writeFd_ >= 0 && writeFd_ != fd_)
        ::close(writeFd_);
}

void LocalStreamSocket::close() {
    if (fd_ >= 0) {
        readNotifier_->setEnabled(false);
        writeNotifier_->setEnabled(false);
        // What we wrote and the kernel holds still goes out before the FIN.
        ::close(fd_);
        if (writeFd_ != fd_)
            ::close(writeFd_);
        fd_ = -1;
        writeFd_ = -1;
    }
    QIODevice::close();
    if (!gone_) {
        gone_ = true;
        emit disconnected();
    }
}

void LocalStreamSocket::shutdownWrite() {
    if (writeShut_ || fd_ < 0)
        return;
    if (!writeBuffer_.isEmpty()) {
        shutdownPending_ = true; // after the buffer drains
        return;
    }
    writeShut_ = true;
    if (socket_) {
        ::shutdown(fd_, SHUT_WR);
        return;
    }
    // A pipe has no half-close: its reader sees EOF once our end is gone.
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
        ::dup2(null, writeFd_);
        ::close(null);
    }
}

void LocalStreamSocket::onReadable() {
    if (fd_ < 0)
        return;
    // Received straight into the array that is handed on (readChunk), not via a stack copy.
    QByteArray chunk(kReadChunk, Qt::Uninitialized);
    const ssize_t got = socket_ ? ::recv(fd_, chunk.data(), kReadChunk, 0) : ::read(fd_, chunk.data(), kReadChunk);
    if (got > 0) {
        chunk.truncate(got);
        if (got < kReadChunk / 4)
            chunk.squeeze(); // many small reads must not each hold a whole chunk's memory
        readBuffer_.append(std::move(chunk));
        if (readBuffer_.size() >= kReadLimit)
            readNotifier_->setEnabled(false); // resumed as the reader drains
        emit readyRead();
        return;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (got < 0) {
        fail();
        return;
    }
    readNotifier_->setEnabled(false);
    peerEof_ = true;
    emit readChannelFinished();
}

void LocalStreamSocket::onWritable() {
    if (fd_ < 0)
        return;
    while (!writeBuffer_.isEmpty()) {
        const auto size = static_cast<size_t>(writeBuffer_.frontSize());
        // A pipe's reader that went away raises SIGPIPE, which the owner of a pipe ignores.
        const ssize_t sent = socket_ ? ::send(fd_, writeBuffer_.frontData(), size, MSG_NOSIGNAL)
                                     : ::write(writeFd_, writeBuffer_.frontData(), size);
        if (sent < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            fail();
            return;
        }
        writeBuffer_.drop(sent);
        emit bytesWritten(sent);
        if (fd_ < 0)
            return; // a receiver closed us
    }
    writeNotifier_->setEnabled(!writeBuffer_.isEmpty());
    if (writeBuffer_.isEmpty() && shutdownPending_) {
        shutdownPending_ = false;
        shutdownWrite();
    }
    if (writeBuffer_.isEmpty() && writableWanted_ && fd_ >= 0) {
        writableWanted_ = false;
        emit writable();
    }
}

qint64 LocalStreamSocket::sendNow(const char* data, qint64 size) {
    if (fd_ < 0 || writeShut_ || shutdownPending_)
        return -1;
    if (!writeBuffer_.isEmpty()) {
        writableWanted_ = true; // the queue goes first; its notifier is on
        return 0;
    }
    const auto length = static_cast<size_t>(size);
    const ssize_t sent = socket_ ? ::send(fd_, data, length, MSG_NOSIGNAL) : ::write(writeFd_, data, length);
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        // Reported from the event loop: the caller is in the middle of its own work.
        setErrorString(QString::fromLocal8Bit(std::strerror(errno)));
        peerEof_ = true;
        writeShut_ = true; // nothing more goes out
        writeBuffer_.clear();
        QTimer::singleShot(0, this, &LocalStreamSocket::close);
        return -1;
    }
    const qint64 taken = std::max<ssize_t>(sent, 0);
    if (taken < size) {
        writableWanted_ = true;
        writeNotifier_->setEnabled(true);
    }
    return taken;
}

void LocalStreamSocket::fail() {
    setErrorString(QString::fromLocal8Bit(std::strerror(errno)));
    peerEof_ = true;
    writeBuffer_.clear();
    close();
}

qint64 LocalStreamSocket::readData(char* data, qint64 maxSize) {
    const qint64 n = readBuffer_.read(data, maxSize);
    if (n == 0)
        return peerEof_ ? -1 : 0;
    if (fd_ >= 0 && !peerEof_ && readBuffer_.size() < kReadLimit)
        readNotifier_->setEnabled(true);
    return n;
}

QByteArray LocalStreamSocket::readChunk(qint64 maxSize) {
    QByteArray chunk = readBuffer_.take(maxSize);
    if (fd_ >= 0 && !peerEof_ && readBuffer_.size() < kReadLimit)
        readNotifier_->setEnabled(true);
    return chunk;
}

qint64 LocalStreamSocket::writeData(const char* data, qint64 size) {
    return writeChunk(QByteArray(data, size));
}

qint64 LocalStreamSocket::writeChunk(QByteArray data) {
    if (fd_ < 0 || writeShut_ || shutdownPending_)
        return -1;
    const qint64 size = data.size();
    writeBuffer_.append(std::move(data));
    writeNotifier_->setEnabled(true);
    return size;
}

} // namespace portal::protocol::qt
