// Work on 1,000,000 rows of scrollback that must not freeze the UI, each beside its
// all-at-once baseline from the same run:
// - reflow on a resize between 80 and 200 columns: the time the event loop is blocked when
//   everything is re-wrapped at once (resize() then finishReflow(), what a resize cost before
//   reflow became incremental) beside the resize() call and a 5 ms timer's worst lateness
//   while the rest is re-wrapped in slices;
// - search (regular expression): one synchronous scan beside the background scan's timer
//   lateness and the time to its first match and to the end.
//   cmake --build build/release --target bench_terminal_background
//   build/release/tests/bench/terminal/bench_terminal_background [search]   (search: that part only)
#include "TerminalEmulator.h"
#include "TerminalSearch.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string_view>

#include <time.h>

using portal::terminal::TerminalEmulator;
using portal::terminal::TerminalSearch;

namespace {

constexpr std::size_t kRows = 1000000;

// A terminal `cols` wide whose history holds kRows rows of text lines 150 characters long.
std::unique_ptr<TerminalEmulator> filled(int cols) {
    TerminalEmulator::Options o;
    o.scrollbackLines = kRows;
    auto t = std::make_unique<TerminalEmulator>(50, cols, o);
    QByteArray batch;
    std::size_t lines = 0;
    while (std::size_t(t->historySize()) < kRows) {
        batch.clear();
        for (int i = 0; i < 10000; ++i, ++lines)
            batch += QByteArray::number(qulonglong(lines)).rightJustified(10, '0') + ' ' +
                     QByteArray(139, char('a' + lines % 26)) + "\r\n";
        t->feed(batch);
    }
    return t;
}

// CPU time of this thread: on a shared machine the wall clock also counts other people's work.
double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// Worst lateness of a 5 ms timer while `busy` says work is going on in the event loop.
template <typename Busy> double worstLateness(Busy&& busy) {
    double worst = 0;
    QElapsedTimer since;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.setInterval(5);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        worst = std::max(worst, double(since.nsecsElapsed()) / 1e6 - 5);
        since.restart();
    });
    since.start();
    tick.start();
    while (busy())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return worst;
}

void measureReflow(int from, int to) {
    double blockingMs = 0;
    {
        auto t = filled(from);
        QElapsedTimer clock;
        clock.start();
        t->resize(50, to);
        t->finishReflow();
        blockingMs = double(clock.nsecsElapsed()) / 1e6;
    }
    auto t = filled(from);
    const int before = t->historySize();
    QElapsedTimer clock;
    clock.start();
    t->resize(50, to);
    const double resizeMs = double(clock.nsecsElapsed()) / 1e6;
    clock.restart();
    const double worst = worstLateness([&] { return t->reflowPending(); });
    const double backgroundMs = double(clock.nsecsElapsed()) / 1e6;
    std::printf("reflow %3d -> %3d cols, %d -> %d rows: all at once %.0f ms (the UI blocked) | incremental: "
                "resize() %.1f ms, rest in the background %.0f ms, worst 5 ms-timer lateness %.1f ms "
                "(%.0fx less blocking)\n",
                from, to, before, t->historySize(), blockingMs, resizeMs, backgroundMs, worst,
                blockingMs / std::max(worst, resizeMs));
    std::fflush(stdout);
}

void measureSearch() {
    auto t = filled(200);
    const QRegularExpression expression(QStringLiteral("00[0-9]*77 b"));
    TerminalSearch sync(*t);
    QElapsedTimer clock;
    clock.start();
    const double cpuBefore = threadCpuMs();
    sync.start(expression);
    sync.step(std::chrono::steady_clock::time_point::max());
    const double blockingMs = double(clock.nsecsElapsed()) / 1e6;
    const double blockingCpuMs = threadCpuMs() - cpuBefore;
    const std::size_t found = sync.count();
    sync.cancel();

    TerminalSearch search(*t);
    double firstMs = -1;
    QObject::connect(&search, &TerminalSearch::progressed, [&] {
        if (firstMs < 0 && search.count() > 0)
            firstMs = double(clock.nsecsElapsed()) / 1e6;
    });
    clock.restart();
    search.start(expression);
    const double worst = worstLateness([&] { return !search.finished(); });
    const double backgroundMs = double(clock.nsecsElapsed()) / 1e6;
    std::printf("search of %d rows, %zu matches: all at once %.0f ms (%.0f ms CPU; the UI blocked) | background: "
                "first match after %.1f ms, all %zu after %.0f ms, worst 5 ms-timer lateness %.1f ms (%.0fx less "
                "blocking)\n",
                t->historySize(), found, blockingMs, blockingCpuMs, firstMs, search.count(), backgroundMs, worst,
                blockingMs / std::max(worst, 1.0));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const bool searchOnly = argc > 1 && std::string_view(argv[1]) == "search";
    if (!searchOnly) {
        measureReflow(80, 200);
        measureReflow(200, 80);
    }
    measureSearch();
    return 0;
}
