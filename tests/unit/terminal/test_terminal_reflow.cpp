// Incremental reflow of the scrollback on resize: the result equals the rows a terminal of
// the final width would hold had it received the same output (compared row by row and as
// logical lines), at every slice the rows still spell the same logical lines, repeated
// resizes during a running reflow, output and eviction meanwhile, and the event loop stays
// responsive while a large history is re-wrapped.
#include "Scrollback.h"
#include "TerminalEmulator.h"
#include "TerminalTestTools.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <QtTest>

#include <memory>

using namespace portal::terminal;
using namespace portal::terminal::testing;

namespace {

#if defined(__SANITIZE_ADDRESS__)
extern "C" void __sanitizer_purge_allocator();
void drainSanitizerQuarantine() { __sanitizer_purge_allocator(); }
#else
void drainSanitizerQuarantine() {}
#endif

// Lines of varied length (0–299 characters, some of them longer than any width used here).
QByteArray textLines(int first, int count) {
    QByteArray out;
    for (int i = first; i < first + count; ++i) {
        QByteArray line = "line " + QByteArray::number(i) + ':';
        const int length = (i * 7919) % 300;
        while (line.size() < length)
            line += char('a' + (line.size() + i) % 26);
        out += line.left(std::max<qsizetype>(length, 6)) + "\r\n";
    }
    return out;
}

struct Row {
    QString text;
    bool wrapped;
    bool operator==(const Row&) const = default;
};

// Every row, oldest history row first, down to the last non-empty screen row.
QList<Row> allRows(const TerminalEmulator& t) {
    QList<Row> rows;
    for (int r = -t.historySize(); r < t.rows(); ++r)
        rows.append({t.text(r), t.isWrapped(r)});
    while (!rows.isEmpty() && rows.last().text.isEmpty())
        rows.removeLast();
    return rows;
}

#define compareRow(got, want, index)                                                                          \
    do {                                                                                                       \
        if (!((got) == (want)))                                                                                \
            QFAIL(qPrintable(QStringLiteral("row %1: got \"%2\" (%3), want \"%4\" (%5)")                    \
                                 .arg(index).arg((got).text).arg((got).wrapped).arg((want).text).arg((want).wrapped))); \
    } while (false)

// The same rows joined across wraps.
QStringList logicalLines(const TerminalEmulator& t) {
    QStringList lines;
    QString current;
    for (int r = -t.historySize(); r < t.rows(); ++r) {
        current += t.text(r);
        if (!t.isWrapped(r)) {
            lines << current;
            current.clear();
        }
    }
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

std::unique_ptr<TerminalEmulator> terminal(int cols, std::size_t scrollback = 200000) {
    TerminalEmulator::Options o;
    o.scrollbackLines = scrollback;
    return std::make_unique<TerminalEmulator>(24, cols, o);
}

// Runs the event loop for at most `slices` reflow slices.
void runSlices(TerminalEmulator& t, int slices) {
    QSignalSpy spy(&t, &TerminalEmulator::historyReflowed);
    while (t.reflowPending() && spy.count() < slices)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

} // namespace

class TestTerminalReflow : public QObject {
    Q_OBJECT
private slots:
    // widths: the terminal starts at the first and is resized to each of the others; between
    // resizes the reflow runs `slices` slices (0: none, the next resize takes over).
    void equalsTerminalOfFinalWidth_data() {
        QTest::addColumn<QList<int>>("widths");
        QTest::addColumn<int>("slices");
        QTest::addColumn<bool>("outputDuring");
        QTest::newRow("80 to 200") << QList<int>{80, 200} << 1000 << false;
        QTest::newRow("200 to 80") << QList<int>{200, 80} << 1000 << false;
        QTest::newRow("80 to 37") << QList<int>{80, 37} << 1000 << false;
        QTest::newRow("second resize before any slice") << QList<int>{80, 200, 120} << 0 << false;
        QTest::newRow("resizes after one slice each") << QList<int>{80, 200, 50, 133, 80} << 1 << false;
        QTest::newRow("back and forth") << QList<int>{80, 200, 80, 200} << 2 << false;
        QTest::newRow("output during reflow") << QList<int>{80, 160} << 1 << true;
        QTest::newRow("output during repeated reflows") << QList<int>{80, 200, 61} << 1 << true;
    }
    void equalsTerminalOfFinalWidth() {
        QFETCH(QList<int>, widths);
        QFETCH(int, slices);
        QFETCH(bool, outputDuring);
        const QByteArray before = textLines(0, 2000);
        auto t = terminal(widths.first());
        feedAll(*t, before);
        const QStringList expectedLines = logicalLines(*t);
        QByteArray all = before;
        for (int i = 1; i < widths.size(); ++i) {
            t->resize(24, widths[i]);
            QVERIFY(t->reflowPending());
            // The screen and the newest history rows are right at once.
            auto now = terminal(widths[i]);
            feedAll(*now, all);
            const QList<Row> got = allRows(*t), want = allRows(*now);
            QVERIFY(got.size() > 500 && want.size() > 500);
            for (qsizetype k = 1; k <= 500; ++k)
                compareRow(got[got.size() - k], want[want.size() - k], -k);
            runSlices(*t, slices);
            if (outputDuring) {
                const QByteArray more = textLines(2000 + 100 * i, 100);
                feedAll(*t, more);
                all += more;
                runSlices(*t, slices);
            }
        }
        if (!outputDuring)
            QCOMPARE(logicalLines(*t), expectedLines); // still the same lines, mid-reflow
        t->finishReflow();
        QVERIFY(!t->reflowPending());

        auto reference = terminal(widths.last());
        feedAll(*reference, all);
        const QList<Row> got = allRows(*t), want = allRows(*reference);
        QCOMPARE(got.size(), want.size());
        for (qsizetype i = 0; i < got.size(); ++i)
            compareRow(got[i], want[i], i);
        QCOMPARE(t->historySize(), reference->historySize());
        QCOMPARE(logicalLines(*t), logicalLines(*reference));
    }

    // At every slice boundary the rows joined across wraps are the lines written, the row
    // count agrees with what can be read, and the newest rows are already at the new width.
    void linesIntactAtEverySlice() {
        auto t = terminal(80);
        feedAll(*t, textLines(0, 2000));
        const QStringList expected = logicalLines(*t);
        t->resize(24, 200);
        int slicesSeen = 0;
        while (t->reflowPending()) {
            runSlices(*t, 1);
            ++slicesSeen;
            QCOMPARE(logicalLines(*t), expected);
            for (int r = -1; r >= -500; --r)
                QVERIFY(t->text(r).size() <= 200);
        }
        QVERIFY(slicesSeen >= 1);
        QCOMPARE(logicalLines(*t), expected);
    }

    // A full history keeps its capacity while a narrower width turns rows into more rows and
    // output keeps arriving; the newest rows are those of a terminal of the final width.
    void capacityHeldDuringReflow() {
        constexpr std::size_t kCapacity = 3000;
        auto t = terminal(200, kCapacity);
        QByteArray all = textLines(0, 4000);
        feedAll(*t, all);
        QCOMPARE(t->historySize(), int(kCapacity));
        t->resize(24, 40);
        for (int i = 0; i < 5 && t->reflowPending(); ++i) {
            const QByteArray more = textLines(4000 + 50 * i, 50);
            feedAll(*t, more);
            all += more;
            QVERIFY(t->historySize() <= int(kCapacity));
            runSlices(*t, 1);
        }
        t->finishReflow();
        QCOMPARE(t->historySize(), int(kCapacity));
        auto reference = terminal(40, kCapacity);
        feedAll(*reference, all);
        const QList<Row> got = allRows(*t), want = allRows(*reference);
        QCOMPARE(got.size(), want.size());
        // The oldest line may have lost different rows to eviction; the rest is the same.
        for (qsizetype k = 1; k < got.size() - 20; ++k)
            compareRow(got[got.size() - k], want[want.size() - k], -k);
    }

    // Lines dropped from the front while the ring is still growing (as History does) keep
    // the order of what is pushed after them.
    void scrollbackOrderAfterDrops() {
        Scrollback ring(100000);
        auto cells = [](std::uint32_t n) {
            std::vector<Cell> v;
            for (char c : QByteArray::number(n))
                v.push_back(Cell{char32_t(c), 0, 1, 0});
            return v;
        };
        std::uint32_t next = 0, oldest = 0;
        for (int round = 0; round < 300; ++round) {
            for (int k = 0; k < 7; ++k)
                ring.push(cells(next++), false);
            for (int k = 0; k < 3; ++k, ++oldest)
                ring.dropOldest();
        }
        QCOMPARE(ring.size(), std::size_t(next - oldest));
        std::vector<Cell> line;
        for (std::size_t i = 0; i < ring.size(); ++i) {
            ring.line(i, line);
            QVERIFY2(line == cells(oldest + std::uint32_t(i)), qPrintable(QStringLiteral("index %1 of %2, first cell %3").arg(i).arg(ring.size()).arg(line.empty() ? 0 : int(line[0].ch))));
        }
    }

    // A timer keeps its time while 150,000 rows of history are re-wrapped, and the resize
    // itself returns quickly. (The 1,000,000-row figure: bench_terminal_reflow.)
    void eventLoopResponsive() {
        auto t = terminal(80, 200000);
        QByteArray lines;
        for (int i = 0; i < 75000; ++i)
            lines += QByteArray::number(i).rightJustified(10, '0') + QByteArray(90, char('a' + i % 26)) + "\r\n";
        feedAll(*t, lines);
        QVERIFY(t->historySize() > 149000);
        // AddressSanitizer keeps freed memory in a quarantine and recycles it in one go when it
        // is full, charging that pass with freeing what earlier tests left (up to ~150 ms): drain
        // it now so what is measured from here is the reflow's own work.
        drainSanitizerQuarantine();

        QElapsedTimer clock;
        clock.start();
        t->resize(24, 200);
        const qint64 resizeMs = clock.elapsed();
        QVERIFY(t->reflowPending());

        // The event loop is held by one pass at most for as long as that pass runs: its CPU
        // time is what the reflow costs the UI (the wall-clock lateness of a timer beside it
        // also counts whatever else this shared machine runs, so it is reported, not checked).
        double worstPassMs = 0;
        qint64 worstLateness = 0;
        QElapsedTimer since;
        QTimer tick;
        tick.setTimerType(Qt::PreciseTimer);
        tick.setInterval(5);
        connect(&tick, &QTimer::timeout, this, [&] {
            worstLateness = std::max(worstLateness, since.elapsed() - 5);
            since.restart();
        });
        since.start();
        tick.start();
        clock.restart();
        while (t->reflowPending()) {
            const double before = threadCpuMs();
            QCoreApplication::processEvents();
            worstPassMs = std::max(worstPassMs, threadCpuMs() - before);
        }
        qInfo("resize() %lld ms; reflow of %d rows in the background %lld ms; longest event-loop pass %.1f ms CPU; "
              "worst 5 ms-timer lateness %lld ms",
              resizeMs, t->historySize(), clock.elapsed(), worstPassMs, worstLateness);
        // Generous for a sanitizer build on a shared machine (a release build: ~8 ms for
        // 1,000,000 rows, see the benchmark).
        QVERIFY2(resizeMs < 1000, qPrintable(QString::number(resizeMs)));
        QVERIFY2(worstPassMs < 50, qPrintable(QString::number(worstPassMs)));
    }
};

QTEST_GUILESS_MAIN(TestTerminalReflow)
#include "test_terminal_reflow.moc"
