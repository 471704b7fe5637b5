// Joins a local stream (a forwarded TCP or Unix-socket connection, or the agent's socket) to
// an SSH channel: bytes both ways with flow control and half-close (RFC 4254 §5.2, §5.3).
// Reading stops while the other side has a backlog, so a slow reader on either side bounds
// memory: the channel's bytes are taken (and its window refilled) only as the local socket
// drains, and the local socket is read only as the channel's queue drains.
//
// Threading: used only in the thread of the SshWorker that owns the channel.
#pragma once

#include <QObject>
#include <QPointer>

class QIODevice;

namespace portal::protocol::qt {

class ChannelDevice;

class StreamBridge : public QObject {
    Q_OBJECT
public:
    // Takes ownership of both (reparented to the bridge); `channel` must be open. The
    // bridge deletes itself (and both ends) once both directions are done.
    StreamBridge(QIODevice* local, ChannelDevice* channel, QObject* parent);
    ~StreamBridge() override;

    // Bytes moved so far, for logs.
    qint64 bytesToChannel() const { return toChannel_; }
    qint64 bytesToLocal() const { return toLocal_; }

signals:
    void finished();

private:
    void localToChannel();
    void channelToLocal();
    void onLocalReadEnded();
    void onLocalGone();
    void onChannelClosed();
    void shutdownLocalWrite();
    void maybeFinish();
    void end();

    QPointer<QIODevice> local_;
    QPointer<ChannelDevice> channel_;
    qint64 toChannel_ = 0;
    qint64 toLocal_ = 0;
    bool localReadEnded_ = false; // EOF from the local side
    bool localGone_ = false;      // the local socket is closed both ways
    bool eofSentToChannel_ = false;
    bool localWriteShut_ = false;
    bool channelClosed_ = false;
    bool ended_ = false;
};

} // namespace portal::protocol::qt
