// One SSH channel (RFC 4254 §5) as a sequential QIODevice, for the runtime's own streams:
// forwarded connections (§7), agent forwarding and the next hop's transport. Reading calls
// SshWorker::consumed(), so the peer's window is refilled only as the reader takes bytes
// (§5.2) and a slow reader bounds memory at the window size; writes queue in the worker and
// bytesToWrite() tells how much waits for the peer's window.
//
// Threading: created by SshWorker and used only in its thread. Events for such a channel go
// to the device, not to SshWorker's public channel signals.
#pragma once

#include "ChunkQueue.h"

#include "client/ClientEvents.h"

#include <QByteArray>
#include <QIODevice>
#include <QPointer>

namespace portal::protocol::qt {

class SshWorker;

class ChannelDevice : public QIODevice {
    Q_OBJECT
public:
    ~ChannelDevice() override;

    client::ChannelId channel() const { return id_; }
    // True once the channel is open (opened() was emitted, or it was accepted open).
    bool isChannelOpen() const { return open_; }
    // The peer sent EOF and every byte before it has been read.
    bool peerFinished() const { return peerEof_ && buffer_.isEmpty(); }

    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override;
    qint64 bytesToWrite() const override;
    bool atEnd() const override { return peerFinished(); }
    // Sends CHANNEL_CLOSE at once, dropping what is still queued (the abrupt end; sendEof()
    // is the graceful one, and StreamBridge waits for bytesToWrite() to reach 0 first).
    void close() override;

    // Half-close (RFC 4254 §5.3): EOF once everything written so far has gone out.
    void sendEof();

    // read() and write() without copies: up to maxSize bytes as the worker delivered them
    // (refilling the window like read()), and an array queued as it is (shared).
    QByteArray readChunk(qint64 maxSize);
    qint64 writeChunk(QByteArray data);

signals:
    void opened();
    void openFailed(quint32 reasonCode, QString description);
    // The peer will send nothing more; buffered bytes may still be read.
    void peerEofReceived();
    // The channel is closed both ways; the device is closed too.
    void channelClosed();

protected:
    qint64 readData(char* data, qint64 maxSize) override;
    qint64 writeData(const char* data, qint64 size) override;

private:
    friend class SshWorker;
    ChannelDevice(SshWorker* worker, client::ChannelId id, bool alreadyOpen, QObject* parent);

    // Called by the worker as the channel's events arrive.
    void deliverOpened();
    void deliverOpenFailed(quint32 reasonCode, const QString& description);
    void deliverData(QByteArray data);
    void deliverEof();
    void deliverClosed();
    void deliverBytesWritten(qint64 bytes);

    QPointer<SshWorker> worker_;
    client::ChannelId id_;
    ChunkQueue buffer_; // received, not yet read (bounded by our receive window)
    bool open_ = false;
    bool peerEof_ = false;
    bool closed_ = false;
};

} // namespace portal::protocol::qt
