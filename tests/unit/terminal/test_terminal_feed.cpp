// FeedQueue: output pushed on another thread reaches the sink in order and whole, the
// consumer yields to the event loop between time slices, flush() feeds the rest at once, and
// fed() reports what was taken (the channel window's refill).
#include "FeedQueue.h"

#include <QElapsedTimer>
#include <QThread>
#include <QtTest>

#include <memory>

using portal::terminal::FeedQueue;

namespace {

// Chunk i is `size(i)` copies of one byte derived from i, so order and loss both show.
QByteArray chunkNumber(int i) {
    return QByteArray(1 + (i * 7919) % 3001, char('a' + i % 26));
}

void busyFor(qint64 ns) {
    QElapsedTimer t;
    t.start();
    while (t.nsecsElapsed() < ns) {
    }
}

} // namespace

class TestTerminalFeed : public QObject {
    Q_OBJECT
private slots:
    void pushedFromAnotherThreadArrivesInOrder() {
        QByteArray received;
        FeedQueue feed([&](const QByteArray& bytes) { received += bytes; });
        qint64 reportedFed = 0;
        connect(&feed, &FeedQueue::fed, this, [&](qint64 n) { reportedFed += n; });

        constexpr int kChunks = 2000;
        QByteArray expected;
        for (int i = 0; i < kChunks; ++i)
            expected += chunkNumber(i);
        std::unique_ptr<QThread> producer(QThread::create([&feed] {
            for (int i = 0; i < kChunks; ++i) {
                feed.push(chunkNumber(i));
                if (i % 97 == 0)
                    QThread::usleep(200); // let the consumer catch up and sleep now and then
            }
        }));
        producer->start();
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), expected.size(), 20000);
        QVERIFY(producer->wait(5000));
        QCOMPARE(received, expected);
        QCOMPARE(reportedFed, qint64(expected.size()));
        QCOMPARE(feed.pendingBytes(), qint64(0));
    }

    // A long backlog is fed a slice per event-loop pass: what was waiting in the loop (here a
    // zero timer standing for a repaint, input or a timer) runs before the backlog is done.
    void yieldsToTheEventLoopBetweenSlices() {
        constexpr int kChunks = 60;
        constexpr qint64 kChunkNs = 1000000; // each chunk costs the sink at least 1 ms
        int fedChunks = 0;
        FeedQueue feed([&](const QByteArray&) {
            busyFor(kChunkNs);
            ++fedChunks;
        });
        feed.setSliceMilliseconds(3);
        QList<qint64> passes;
        connect(&feed, &FeedQueue::fed, this, [&](qint64 n) { passes << n; });
        for (int i = 0; i < kChunks; ++i)
            feed.push(QByteArray(10, 'x'));
        int fedWhenTimerRan = -1;
        QTimer::singleShot(0, this, [&] { fedWhenTimerRan = fedChunks; });
        QTRY_COMPARE_WITH_TIMEOUT(fedChunks, kChunks, 20000);
        QVERIFY2(fedWhenTimerRan >= 0 && fedWhenTimerRan < kChunks,
                 qPrintable(QStringLiteral("the timer ran after %1 of %2 chunks").arg(fedWhenTimerRan).arg(kChunks)));
        // A slice stops once 3 ms are spent: with each chunk taking at least 1 ms, no pass
        // feeds more than 4 chunks, so the backlog took many passes.
        QVERIFY(passes.size() >= kChunks / 4);
        for (qint64 bytes : std::as_const(passes))
            QVERIFY2(bytes <= 4 * 10, qPrintable(QStringLiteral("a pass fed %1 bytes").arg(bytes)));
    }

    // A timer that falls due during a slice runs before the next slice, not after two: what
    // bounds a timer's lateness during a flood to one slice (plus a repaint).
    void aTimerDueRunsBeforeTheNextSlice() {
        constexpr int kChunks = 80;
        int fedChunks = 0;
        FeedQueue feed([&](const QByteArray&) {
            busyFor(1000000);
            ++fedChunks;
        });
        feed.setSliceMilliseconds(3);
        for (int i = 0; i < kChunks; ++i)
            feed.push(QByteArray(10, 'x'));
        int lastSeen = 0;
        int mostBetweenTicks = 0;
        QTimer tick;
        tick.setTimerType(Qt::PreciseTimer);
        connect(&tick, &QTimer::timeout, this, [&] {
            mostBetweenTicks = std::max(mostBetweenTicks, fedChunks - lastSeen);
            lastSeen = fedChunks;
        });
        tick.start(1);
        QTRY_COMPARE_WITH_TIMEOUT(fedChunks, kChunks, 20000);
        // One 3 ms slice of chunks taking at least 1 ms each is at most 4 chunks.
        QVERIFY2(mostBetweenTicks <= 4, qPrintable(QStringLiteral("%1 chunks between two ticks").arg(mostBetweenTicks)));
    }

    void flushFeedsEverythingAtOnce() {
        QByteArray received;
        FeedQueue feed([&](const QByteArray& bytes) { received += bytes; });
        QList<qint64> passes;
        connect(&feed, &FeedQueue::fed, this, [&](qint64 n) { passes << n; });
        feed.push("one ");
        feed.push("two ");
        feed.push(QByteArray()); // nothing: not queued, no wake-up
        feed.push("three");
        QCOMPARE(feed.pendingBytes(), qint64(13));
        feed.flush();
        QCOMPARE(received, QByteArray("one two three"));
        QCOMPARE(passes, QList<qint64>{13});
        QCOMPARE(feed.pendingBytes(), qint64(0));
        // The wake-up posted by the first push finds nothing left and feeds nothing again.
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        QCOMPARE(received, QByteArray("one two three"));
        QCOMPARE(passes.size(), 1);
        // And the queue still wakes for later output.
        feed.push("four");
        QTRY_COMPARE(received, QByteArray("one two threefour"));
    }

    void deletedWithAWakeUpQueued() {
        int calls = 0;
        auto feed = std::make_unique<FeedQueue>([&](const QByteArray&) { ++calls; });
        feed->push("late output");
        feed.reset(); // its queued wake-up must go with it
        QCoreApplication::processEvents();
        QCOMPARE(calls, 0);
    }
};

QTEST_GUILESS_MAIN(TestTerminalFeed)
#include "test_terminal_feed.moc"
