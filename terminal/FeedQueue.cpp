// Output from another thread, fed to the terminal in time slices: see FeedQueue.h.
#include "FeedQueue.h"

#include <QElapsedTimer>
#include <QTimerEvent>

namespace portal::terminal {

FeedQueue::FeedQueue(Sink sink, QObject* parent) : QObject(parent), sink_(std::move(sink)) {}

FeedQueue::~FeedQueue() = default;

void FeedQueue::push(QByteArray bytes) {
    if (bytes.isEmpty())
        return;
    {
        std::lock_guard lock(mutex_);
        queuedBytes_ += bytes.size();
        queue_.push_back(std::move(bytes));
        if (wakeQueued_)
            return; // the consumer is scheduled and will take these too
        wakeQueued_ = true;
    }
    postWake();
}

void FeedQueue::flush() {
    feed(-1);
}

qint64 FeedQueue::pendingBytes() const {
    std::lock_guard lock(mutex_);
    return queuedBytes_;
}

void FeedQueue::postWake() {
    // Deleting this object discards a wake-up still queued for it.
    QMetaObject::invokeMethod(this, [this] { wake(); }, Qt::QueuedConnection);
}

void FeedQueue::wake() {
    feed(sliceNs_);
}

void FeedQueue::timerEvent(QTimerEvent* event) {
    if (event->timerId() != resumeTimer_.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    resumeTimer_.stop();
    wake();
}

bool FeedQueue::takeNext(QByteArray* chunk) {
    std::lock_guard lock(mutex_);
    if (queue_.empty())
        return false;
    *chunk = std::move(queue_.front());
    queue_.pop_front();
    queuedBytes_ -= chunk->size();
    return true;
}

void FeedQueue::feed(qint64 budgetNs) {
    QElapsedTimer slice;
    slice.start();
    qint64 fedBytes = 0;
    QByteArray chunk;
    while ((budgetNs < 0 || slice.nsecsElapsed() < budgetNs) && takeNext(&chunk)) {
        sink_(chunk);
        fedBytes += chunk.size();
    }
    bool rest = false;
    {
        std::lock_guard lock(mutex_);
        // While a backlog remains the consumer stays scheduled, so pushes meanwhile post
        // nothing; once it is empty the next push wakes it.
        rest = !queue_.empty();
        wakeQueued_ = rest;
    }
    // The rest waits for a zero timer rather than a posted event: timers run in order of due
    // time, so every timer that fell due during this slice runs before the next one, and
    // posted input and repaints are delivered in the event loop's next pass, also before it.
    if (rest)
        resumeTimer_.start(0, this);
    if (fedBytes > 0)
        emit fed(fedBytes);
}

} // namespace portal::terminal
