// Output for a terminal that arrives on another thread (Portal reads each connection in its
// own protocol thread, ARCHITECTURE.md) and goes to the emulator on the GUI thread.
//
// Posting every packet to the GUI thread as its own event lets a flood hold that thread: Qt
// delivers all events queued at the start of a pass before it looks at timers, input or
// repaints, so with a 2 MiB channel window in flight a 10 ms timer was 52–58 ms late and a
// 20 MB `cat` got 7 frames. Here the producer appends to a queue and wakes the consumer only
// when the queue was empty; the consumer feeds what is queued for at most a time slice, then
// yields to the event loop and goes on in its next pass. Batching also spares the GUI thread
// a wake-up per packet.
#pragma once

#include <QBasicTimer>
#include <QByteArray>
#include <QObject>

#include <deque>
#include <functional>
#include <mutex>

namespace portal::terminal {

class FeedQueue : public QObject {
    Q_OBJECT

public:
    using Sink = std::function<void(const QByteArray&)>;

    // `sink` (e.g. TerminalView::receive) runs on the thread this object lives in.
    explicit FeedQueue(Sink sink, QObject* parent = nullptr);
    ~FeedQueue() override;

    // Any thread. Bytes reach the sink in the order pushed.
    void push(QByteArray bytes);

    // The consumer's thread: feeds everything queued now, however long it takes (before
    // something that must come after the output, such as the end of the connection).
    void flush();

    qint64 pendingBytes() const; // pushed, not yet fed

    // How long one pass may feed before it yields to the event loop. The default keeps a
    // 60 Hz frame and a timer's lateness well inside the 50 ms the terminal promises.
    void setSliceMilliseconds(int milliseconds) { sliceNs_ = qint64(milliseconds) * 1000000; }

signals:
    // The consumer's thread, once per pass: `bytes` went to the sink. The moment to refill the
    // sender's window (RFC 4254 §5.2), so a slow consumer bounds what is queued.
    void fed(qint64 bytes);

protected:
    void timerEvent(QTimerEvent* event) override;

private:
    void postWake();
    void wake(); // the posted wake-up: one time slice
    void feed(qint64 budgetNs); // budgetNs < 0: everything queued
    bool takeNext(QByteArray* chunk);

    Sink sink_;
    qint64 sliceNs_ = 8 * 1000000;
    mutable std::mutex mutex_;
    std::deque<QByteArray> queue_; // guarded by mutex_
    qint64 queuedBytes_ = 0;       // guarded by mutex_
    bool wakeQueued_ = false;      // guarded by mutex_: the consumer is woken, feeding or resuming
    QBasicTimer resumeTimer_;      // the consumer's thread: the next slice of a backlog
};

} // namespace portal::terminal
