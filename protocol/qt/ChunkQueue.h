// Bytes in order as a queue of QByteArray chunks, for the runtime's stream buffers: appending
// shares the caller's array (implicitly shared, not copied), taking a whole chunk hands it on
// the same way, and consuming from the front never moves what is left (QByteArray::remove(0, n)
// would, once per read). The forwarding path then copies only where the kernel or the cipher
// must (PERFORMANCE.md).
#pragma once

#include <QByteArray>

#include <algorithm>
#include <cstring>
#include <deque>

namespace portal::protocol::qt {

class ChunkQueue {
public:
    qint64 size() const { return size_; }
    bool isEmpty() const { return size_ == 0; }
    void clear() {
        chunks_.clear();
        offset_ = 0;
        size_ = 0;
    }

    void append(QByteArray chunk) {
        if (chunk.isEmpty())
            return;
        size_ += chunk.size();
        chunks_.push_back(std::move(chunk));
    }

    // The unread part of the first chunk, e.g. for one write(2) without a copy.
    const char* frontData() const { return chunks_.front().constData() + offset_; }
    qint64 frontSize() const { return chunks_.empty() ? 0 : chunks_.front().size() - offset_; }

    // Forgets `n` bytes from the front (n <= size()).
    void drop(qint64 n) {
        size_ -= n;
        while (n > 0) {
            const qint64 inFront = frontSize();
            if (n < inFront) {
                offset_ += n;
                return;
            }
            n -= inFront;
            chunks_.pop_front();
            offset_ = 0;
        }
    }

    // Copies up to `maxSize` bytes out and forgets them; returns how many.
    qint64 read(char* data, qint64 maxSize) {
        qint64 done = 0;
        while (done < maxSize && !chunks_.empty()) {
            const qint64 n = std::min(maxSize - done, frontSize());
            std::memcpy(data + done, frontData(), static_cast<std::size_t>(n));
            done += n;
            drop(n);
        }
        return done;
    }

    // Up to `maxSize` bytes from the front as one array: the first chunk itself when it is
    // unread and fits, otherwise a copy of what fits of it.
    QByteArray take(qint64 maxSize) {
        if (chunks_.empty() || maxSize <= 0)
            return {};
        if (offset_ == 0 && chunks_.front().size() <= maxSize) {
            QByteArray chunk = std::move(chunks_.front());
            chunks_.pop_front();
            size_ -= chunk.size();
            return chunk;
        }
        const qint64 n = std::min(maxSize, frontSize());
        QByteArray part(frontData(), n);
        drop(n);
        return part;
    }

private:
    std::deque<QByteArray> chunks_;
    qint64 offset_ = 0; // into chunks_.front()
    qint64 size_ = 0;
};

} // namespace portal::protocol::qt
