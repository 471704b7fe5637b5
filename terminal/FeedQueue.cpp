// Output from another thread, fed to the terminal in time slices: see FeedQueue.h.
#include "FeedQueue.h"

#include <QElapsedTimer>

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
            return; // the consumer has not run yet and will take these too
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
    {
        std::lock_guard lock(mutex_);
        wakeQueued_ = false;
    }
    feed(sliceNs_);
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
        rest = !queue_.empty() && !wakeQueued_;
        wakeQueued_ = wakeQueued_ || rest;
    }
    // Posted from within this pass, the wake-up waits for the event loop's next pass (Qt does
    // not deliver events posted during a pass in the same one), so the timers, input and
    // repaints waiting now go first.
    if (rest)
        postWake();
    if (fedBytes > 0)
        emit fed(fedBytes);
}

} // namespace portal::terminal
