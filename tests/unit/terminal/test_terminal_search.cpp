// Background search over scrollback and screen (TerminalSearch, and TerminalView's find on
// it): the matches equal those of a plain synchronous scan (plain, regex, case), also while
// output arrives and the history evicts old rows; a new query or cancel stops the old one;
// the view moves to matches as they are found and its event loop stays free meanwhile.
#include "TerminalSearch.h"
#include "TerminalTestTools.h"
#include "TerminalView.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>

#include <memory>

using namespace portal::terminal;
using namespace portal::terminal::testing;

namespace {

using Match = TerminalSearch::Match;

// ASCII lines, so a text index is a cell column; every 7th line has "needle", every 11th
// "NeEdLe".
QByteArray haystack(int first, int count) {
    QByteArray out;
    for (int i = first; i < first + count; ++i) {
        out += "row " + QByteArray::number(i) + (i % 7 == 0 ? " a needle here" : " hay") +
               (i % 11 == 0 ? " and NeEdLe" : "") + "\r\n";
    }
    return out;
}

// The reference: every row's text scanned at once.
std::vector<Match> synchronousSearch(const TerminalEmulator& t, const QRegularExpression& e) {
    std::vector<Match> out;
    const std::int64_t top = std::int64_t(t.historyPushed());
    for (int r = -t.historySize(); r < t.rows(); ++r) {
        auto it = e.globalMatch(t.text(r));
        while (it.hasNext()) {
            const auto m = it.next();
            if (m.capturedLength() > 0)
                out.push_back({top + r, int(m.capturedStart()), int(m.capturedEnd() - 1)});
        }
    }
    return out;
}

void runToEnd(TerminalSearch& s) {
    while (!s.finished())
        QCoreApplication::processEvents();
}

} // namespace

class TestTerminalSearch : public QObject {
    Q_OBJECT
private slots:
    void equalsSynchronousSearch_data() {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<bool>("caseSensitive");
        QTest::newRow("plain, case-insensitive") << QStringLiteral("needle") << false;
        QTest::newRow("plain, case-sensitive") << QStringLiteral("NeEdLe") << true;
        QTest::newRow("regex") << QStringLiteral("row [0-9]*5 ") << true;
        QTest::newRow("regex, several per row") << QStringLiteral("e+") << false;
        QTest::newRow("no match") << QStringLiteral("absent") << true;
    }
    void equalsSynchronousSearch() {
        QFETCH(QString, pattern);
        QFETCH(bool, caseSensitive);
        TerminalEmulator t(24, 80, TerminalEmulator::Options{50000});
        feedAll(t, haystack(0, 8000));
        const QRegularExpression e(pattern, caseSensitive ? QRegularExpression::NoPatternOption
                                                          : QRegularExpression::CaseInsensitiveOption);
        TerminalSearch s(t);
        QSignalSpy progress(&s, &TerminalSearch::progressed);
        QVERIFY(s.start(e));
        QVERIFY(!s.finished());
        runToEnd(s);
        const std::vector<Match> want = synchronousSearch(t, e);
        QCOMPARE(s.matches(), want);
        QCOMPARE(s.count(), want.size());
        if (want.size() > 300)
            QVERIFY(progress.count() > 2); // reported as found, not only at the end
        if (!want.empty()) {
            QCOMPARE(*s.first(), want.front());
            QCOMPARE(*s.last(), want.back());
            QCOMPARE(*s.nearest(want[want.size() / 2], true), want[want.size() / 2 - 1]);
            QCOMPARE(*s.nearest(want[want.size() / 2], false), want[want.size() / 2 + 1]);
        }
    }

    // Output keeps arriving and the ring evicts old rows while the scan runs: the result is
    // the search of what the terminal holds at the end.
    void outputDuringSearch() {
        TerminalEmulator t(24, 80, TerminalEmulator::Options{8000});
        feedAll(t, haystack(0, 8000));
        const QRegularExpression e(QStringLiteral("needle"));
        TerminalSearch s(t);
        QVERIFY(s.start(e));
        int next = 8000;
        for (int i = 0; i < 20 && !s.finished(); ++i) {
            QCoreApplication::processEvents();
            feedAll(t, haystack(next, 150));
            s.outputArrived();
            next += 150;
        }
        QVERIFY(next > 8000);
        runToEnd(s);
        QCOMPARE(s.matches(), synchronousSearch(t, e));
        // Still following output after the scan finished.
        feedAll(t, haystack(next, 700));
        s.outputArrived();
        runToEnd(s);
        QCoreApplication::processEvents();
        QCOMPARE(s.matches(), synchronousSearch(t, e));
    }

    // A new query replaces the running one; cancel stops it.
    void cancel() {
        TerminalEmulator t(24, 80, TerminalEmulator::Options{50000});
        feedAll(t, haystack(0, 20000));
        TerminalSearch s(t);
        QVERIFY(s.start(QRegularExpression(QStringLiteral("needle"))));
        QCoreApplication::processEvents();
        QVERIFY(!s.finished());
        const QRegularExpression other(QStringLiteral("NeEdLe"));
        QVERIFY(s.start(other));
        runToEnd(s);
        QCOMPARE(s.matches(), synchronousSearch(t, other)); // nothing of the first query left

        QVERIFY(s.start(QRegularExpression(QStringLiteral("needle"))));
        QCoreApplication::processEvents();
        s.cancel();
        QCOMPARE(s.count(), std::size_t(0));
        QVERIFY(!s.active());
        QSignalSpy progress(&s, &TerminalSearch::progressed);
        QTest::qWait(30);
        QCOMPARE(progress.count(), 0);
        QVERIFY(!s.start(QRegularExpression(QStringLiteral("(")))); // invalid
        QVERIFY(!s.start(QRegularExpression()));
    }

    // A reflow rewrites the history: the search runs again on the final rows.
    void reflowRestartsSearch() {
        TerminalEmulator t(24, 80, TerminalEmulator::Options{50000});
        feedAll(t, haystack(0, 8000));
        const QRegularExpression e(QStringLiteral("needle"));
        TerminalSearch s(t);
        QVERIFY(s.start(e));
        QCoreApplication::processEvents();
        t.resize(24, 17);
        QVERIFY(t.reflowPending());
        runToEnd(s);
        QVERIFY(!t.reflowPending());
        QCOMPARE(s.matches(), synchronousSearch(t, e));
    }

    // The scan holds the event loop for one short slice at a time (the 1,000,000-row figure
    // with a timer's lateness: bench_terminal_background).
    void slicesAreShort() {
        TerminalEmulator t(24, 200, TerminalEmulator::Options{100000});
        QByteArray lines;
        for (int i = 0; i < 20000; ++i)
            lines += "row " + QByteArray::number(i) + ' ' + QByteArray(150, char('a' + i % 26)) + " needle\r\n";
        feedAll(t, lines);
        TerminalSearch s(t);
        QVERIFY(s.start(QRegularExpression(QStringLiteral("ne+dle"), QRegularExpression::CaseInsensitiveOption)));
        double worstPassMs = 0;
        int passes = 0;
        while (!s.finished()) {
            const double before = threadCpuMs();
            QCoreApplication::processEvents();
            worstPassMs = std::max(worstPassMs, threadCpuMs() - before);
            ++passes;
        }
        qInfo("%zu matches in %d rows in %d event-loop passes, the longest %.1f ms CPU", s.count(), t.historySize(),
              passes, worstPassMs);
        QCOMPARE(s.count(), std::size_t(20000)); // one per line, history and screen
        QVERIFY2(worstPassMs < 50, qPrintable(QString::number(worstPassMs)));
    }

    // The view: find() returns at once over a long history, matches arrive in the background
    // (a count that grows), and next/previous move among them.
    void viewSearchesInBackground() {
        TerminalView view;
        view.setScrollbackLines(200000);
        view.resize(640, 400);
        view.show();
        const int lines = 20000;
        for (int i = 0; i < lines; i += 5000)
            view.receive(haystack(i, 5000));
        QSignalSpy progress(&view, &TerminalView::searchProgress);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(view.find(QStringLiteral("needle"), false, true, true)); // the newest match is near
        const qint64 findMs = clock.elapsed();
        QVERIFY(!view.searchFinished());
        const auto newest = view.currentMatch();
        QVERIFY(newest.has_value());

        int counts = 0, lastCount = 0;
        while (!view.searchFinished()) {
            QCoreApplication::processEvents();
            QVERIFY(view.searchMatchCount() >= lastCount);
            counts += view.searchMatchCount() != lastCount;
            lastCount = view.searchMatchCount();
        }
        qInfo("find() %lld ms; %d matches in %d rows, in the background %lld ms, %d updates", findMs,
              view.searchMatchCount(), view.emulator().historySize(), clock.elapsed(), counts);
        QVERIFY(counts > 2);
        QVERIFY2(findMs < 1000, qPrintable(QString::number(findMs)));

        const std::vector<Match> want = synchronousSearch(view.emulator(), QRegularExpression(QStringLiteral("needle")));
        QCOMPARE(std::size_t(view.searchMatchCount()), want.size());
        QCOMPARE(progress.last().at(0).toInt(), int(want.size()));
        QCOMPARE(progress.last().at(1).toBool(), true);
        QCOMPARE(newest->first.line, want.back().line);
        QVERIFY(view.findPrevious());
        QCOMPARE(view.currentMatch()->first.line, want[want.size() - 2].line);
        QVERIFY(view.findNext());
        QVERIFY(view.findNext()); // round to the oldest
        QCOMPARE(view.currentMatch()->first.line, want.front().line);
    }

    // Forward with no match yet: the oldest match is only known when the scan is done; the
    // view moves there then.
    void forwardFindWaitsForScan() {
        TerminalView view;
        view.setScrollbackLines(200000);
        view.resize(640, 400);
        view.show();
        for (int i = 0; i < 20000; i += 5000)
            view.receive(haystack(i, 5000));
        QVERIFY(!view.find(QStringLiteral("needle"), false, true, false));
        QVERIFY(!view.currentMatch());
        QTRY_VERIFY_WITH_TIMEOUT(view.searchFinished(), 30000);
        QVERIFY(view.currentMatch().has_value());
        const std::vector<Match> want = synchronousSearch(view.emulator(), QRegularExpression(QStringLiteral("needle")));
        QCOMPARE(view.currentMatch()->first.line, want.front().line);
        view.clearSearch();
        QCOMPARE(view.searchMatchCount(), 0);
    }
};

QTEST_MAIN(TestTerminalSearch)
#include "test_terminal_search.moc"
