// ChunkQueue, the byte queue of the forwarding path: order and sizes across chunks, whole
// chunks handed on without a copy, partial reads that never move what is left.
#include "ChunkQueue.h"

#include <QTest>

using portal::protocol::qt::ChunkQueue;

class TestChunkQueue : public QObject {
    Q_OBJECT
private slots:
    void wholeChunksAreHandedOnShared() {
        ChunkQueue queue;
        const QByteArray first("first chunk");
        queue.append(first);
        queue.append(QByteArray("second"));
        QCOMPARE(queue.size(), qint64(17));
        const QByteArray taken = queue.take(1024);
        QCOMPARE(taken, first);
        QCOMPARE(taken.constData(), first.constData()); // the same array, not a copy
        QCOMPARE(queue.size(), qint64(6));
        QCOMPARE(queue.take(1024), QByteArray("second"));
        QVERIFY(queue.isEmpty());
        QVERIFY(queue.take(1024).isEmpty());
    }

    void takeStopsAtMaxSizeAndAtTheChunkEnd() {
        ChunkQueue queue;
        queue.append(QByteArray("abcdef"));
        queue.append(QByteArray("ghi"));
        QCOMPARE(queue.take(4), QByteArray("abcd")); // part of a chunk: a copy of that part
        QCOMPARE(queue.take(100), QByteArray("ef"));  // the rest of it, not into the next
        QCOMPARE(queue.take(0), QByteArray());
        QCOMPARE(queue.take(100), QByteArray("ghi"));
    }

    void readAndDropCrossChunks() {
        ChunkQueue queue;
        queue.append(QByteArray("one"));
        queue.append(QByteArray()); // ignored
        queue.append(QByteArray("two"));
        queue.append(QByteArray("three"));
        QCOMPARE(queue.size(), qint64(11));
        char buffer[5];
        QCOMPARE(queue.read(buffer, 5), qint64(5));
        QCOMPARE(QByteArray(buffer, 5), QByteArray("onetw"));
        QCOMPARE(queue.frontSize(), qint64(1));
        QCOMPARE(*queue.frontData(), 'o');
        queue.drop(3); // the last byte of "two" and "th"
        QCOMPARE(queue.size(), qint64(3));
        QCOMPARE(QByteArray(queue.frontData(), queue.frontSize()), QByteArray("ree"));
        char rest[8];
        QCOMPARE(queue.read(rest, 8), qint64(3));
        QCOMPARE(QByteArray(rest, 3), QByteArray("ree"));
        QVERIFY(queue.isEmpty());
        QCOMPARE(queue.frontSize(), qint64(0));
        QCOMPARE(queue.read(rest, 8), qint64(0));
    }

    void clearForgetsEverything() {
        ChunkQueue queue;
        queue.append(QByteArray("abc"));
        char one;
        QCOMPARE(queue.read(&one, 1), qint64(1));
        queue.clear();
        QVERIFY(queue.isEmpty());
        queue.append(QByteArray("xyz"));
        QCOMPARE(queue.take(10), QByteArray("xyz")); // no stale offset into the new chunk
    }
};

QTEST_GUILESS_MAIN(TestChunkQueue)
#include "test_chunk_queue.moc"
