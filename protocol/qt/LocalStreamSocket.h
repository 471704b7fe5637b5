// A connected stream socket (TCP or Unix) as a QIODevice that supports half-close, which
// QTcpSocket and QLocalSocket do not (they close both ways at the peer's EOF). Forwarded
// connections need it: a local client's EOF becomes the channel's EOF while the answer still
// flows back, and the channel's EOF becomes a FIN while the client may still send (RFC 4254
// §5.3). Reading pauses while kReadLimit bytes wait unread, so TCP's own flow control holds
// back a fast sender.
//
// POSIX only; on Windows the listener hands out QTcpSocket instead.
// (Also stdin/stdout as one stream, for -W.)
// Threading: used only in the thread that created it.
#pragma once

#include "ChunkQueue.h"

#include <QByteArray>
#include <QIODevice>

class QSocketNotifier;

namespace portal::protocol::qt {

class LocalStreamSocket : public QIODevice {
    Q_OBJECT
public:
    // Takes ownership of `fd`, a connected stream socket; sets it non-blocking.
    explicit LocalStreamSocket(int fd, QObject* parent = nullptr);
    // A stream made of two descriptors, pipes or files as well as sockets (stdin and stdout
    // of `ssh -W`): reads from `readFd`, writes to `writeFd`. Half-close points `writeFd` at
    // /dev/null, so that its reader sees EOF while the descriptor number stays taken.
    LocalStreamSocket(int readFd, int writeFd, QObject* parent = nullptr);
    ~LocalStreamSocket() override;

    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override {
        return readBuffer_.size() + QIODevice::bytesAvailable();
    }
    qint64 bytesToWrite() const override { return writeBuffer_.size(); }
    bool atEnd() const override { return peerEof_ && readBuffer_.isEmpty(); }

    // read() and write() without copies: up to maxSize bytes as received (one recv's chunk
    // handed on whole when it fits), and an array queued as it is (shared).
    QByteArray readChunk(qint64 maxSize);
    qint64 writeChunk(QByteArray data);
    // Sends what the kernel takes now, straight from `data` (no copy is queued), and returns
    // how much that was: 0 while it would block or earlier writes still wait, -1 once the
    // socket is closed or failed (disconnected() follows). writable() follows a short send.
    qint64 sendNow(const char* data, qint64 size);
    void close() override;

    // FIN to the peer once everything written has been sent; reading goes on.
    void shutdownWrite();
    bool peerFinished() const { return peerEof_; }

signals:
    // Closed both ways (after close(), or an error such as a reset).
    void disconnected();
    // The kernel takes bytes again after sendNow() sent less than it was given.
    void writable();

protected:
    qint64 readData(char* data, qint64 maxSize) override;
    qint64 writeData(const char* data, qint64 size) override;

private:
    void onReadable();
    void onWritable();
    void fail();

    int fd_;
    int writeFd_;         // fd_ for a socket
    bool socket_ = true;  // recv/send/shutdown; otherwise read/write and the /dev/null swap
    QSocketNotifier* readNotifier_ = nullptr;
    QSocketNotifier* writeNotifier_ = nullptr;
    ChunkQueue readBuffer_;
    ChunkQueue writeBuffer_;
    bool peerEof_ = false;
    bool shutdownPending_ = false;
    bool writeShut_ = false;
    bool gone_ = false;
    bool writableWanted_ = false; // a sendNow() was short
};

} // namespace portal::protocol::qt
