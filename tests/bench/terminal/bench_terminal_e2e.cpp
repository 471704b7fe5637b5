// End-to-end terminal benchmark: `cat` of a 20 MB mixed file through a local pty into a
// visible 200×50 TerminalView, beside xterm and pterm showing the same file at the same size,
// alternately in the same run. Also reports the worst lateness of a 10 ms timer in Portal's
// event loop while the data streams in. Run under an X server, e.g.
//   xvfb-run -a -s "-screen 0 3000x1400x24" build/release/tests/bench/terminal/bench_terminal_e2e
#include "MixedStream.h"
#include "TerminalView.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QScrollBar>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <pty.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using portal::terminal::TerminalView;

namespace {

struct PortalRun {
    double seconds = 0;
    double cpuSeconds = 0; // this process, user + system
    double worstLatenessMs = 0;
    int paints = 0;
};

double processCpuSeconds() {
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

PortalRun runPortal(const QString& file) {
    TerminalView view;
    QFont font(QStringLiteral("DejaVu Sans Mono"));
    font.setPixelSize(12);
    view.setTerminalFont(font);
    const QSize cell = view.cellSize();
    view.resize(200 * cell.width() + view.verticalScrollBar()->sizeHint().width() + 2 * view.frameWidth(),
                50 * cell.height() + 2 * view.frameWidth());
    view.show();
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 300)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);

    struct winsize size {};
    size.ws_row = std::uint16_t(view.rows());
    size.ws_col = std::uint16_t(view.columns());
    int master = -1;
    QElapsedTimer clock;
    clock.start();
    const pid_t child = forkpty(&master, nullptr, nullptr, &size);
    if (child == 0) {
        execlp("cat", "cat", file.toLocal8Bit().constData(), static_cast<char*>(nullptr));
        _exit(127);
    }
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);

    PortalRun result;
    const double cpuBefore = processCpuSeconds();
    QEventLoop loop;
    QSocketNotifier notifier(master, QSocketNotifier::Read);
    QByteArray buffer(64 * 1024, Qt::Uninitialized);
    QObject::connect(&notifier, &QSocketNotifier::activated, [&] {
        // One bounded read per wake-up, so timers and repaints keep their turn.
        const ssize_t n = read(master, buffer.data(), std::size_t(buffer.size()));
        if (n > 0) {
            view.receive(QByteArray(buffer.constData(), qsizetype(n)));
        } else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            notifier.setEnabled(false);
            loop.quit();
        }
    });
    QElapsedTimer tick;
    tick.start();
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        result.worstLatenessMs = std::max(result.worstLatenessMs, double(tick.nsecsElapsed()) / 1e6 - 10.0);
        tick.restart();
    });
    probe.start(10);
    const int paintsBefore = view.paintCount();
    loop.exec();
    probe.stop();
    // The last frame: wait for the repaint that shows the final output.
    QElapsedTimer tail;
    tail.start();
    while (tail.elapsed() < 40)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    result.seconds = double(clock.nsecsElapsed()) / 1e9 - 0.040;
    result.cpuSeconds = processCpuSeconds() - cpuBefore;
    result.paints = view.paintCount() - paintsBefore;
    close(master);
    waitpid(child, nullptr, 0);
    return result;
}

// Seconds for `program` to show the file at 200×50 and exit, minus its start-up time (the
// same command on an empty file).
double runExternal(const QString& program, const QString& file, const QString& empty) {
    auto timed = [&](const QString& f) {
        QProcess p;
        QElapsedTimer clock;
        clock.start();
        p.start(program, {QStringLiteral("-geometry"), QStringLiteral("200x50"), QStringLiteral("-e"),
                          QStringLiteral("cat"), f});
        if (!p.waitForFinished(600000))
            return -1.0;
        return double(clock.nsecsElapsed()) / 1e9;
    };
    const double startup = timed(empty);
    const double total = timed(file);
    return total < 0 || startup < 0 ? -1.0 : std::max(0.001, total - startup);
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    int megabytes = 20;
    int rounds = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--mb") == 0)
            megabytes = std::atoi(argv[i + 1]);
        else if (std::strcmp(argv[i], "--rounds") == 0)
            rounds = std::max(1, std::atoi(argv[i + 1]));
    }
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("mixed.txt"));
    const QString empty = dir.filePath(QStringLiteral("empty.txt"));
    {
        QFile f(file);
        if (!f.open(QIODevice::WriteOnly))
            return 1;
        f.write(portal::terminal::bench::mixedStream(std::size_t(megabytes) * 1000 * 1000));
        QFile e(empty);
        if (!e.open(QIODevice::WriteOnly))
            return 1;
    }
    const double mb = megabytes;
    std::printf("cat of %d MB mixed output into a visible 200x50 terminal (platform %s)\n", megabytes,
                qPrintable(QGuiApplication::platformName()));
    const bool haveXterm = !QStandardPaths::findExecutable(QStringLiteral("xterm")).isEmpty();
    const bool havePterm = !QStandardPaths::findExecutable(QStringLiteral("pterm")).isEmpty();
    for (int round = 1; round <= rounds; ++round) {
        const PortalRun portal = runPortal(file);
        const double portalRate = mb / portal.seconds;
        std::printf("round %d: Portal %6.1f MB/s (%d paints, worst timer lateness %.1f ms, CPU %.0f%% of the time)", round,
                    portalRate, portal.paints, portal.worstLatenessMs, 100.0 * portal.cpuSeconds / portal.seconds);
        if (haveXterm) {
            const double s = runExternal(QStringLiteral("xterm"), file, empty);
            std::printf("   xterm %5.2f MB/s (Portal %.1fx)", mb / s, portalRate / (mb / s));
        }
        if (havePterm) {
            const double s = runExternal(QStringLiteral("pterm"), file, empty);
            std::printf("   pterm %5.2f MB/s (Portal %.1fx)", mb / s, portalRate / (mb / s));
        }
        std::printf("\n");
        std::fflush(stdout);
    }
    return 0;
}
