// End-to-end terminal benchmark: `cat` of a 20 MB mixed file through a local pty into a
// visible 200×50 TerminalView, beside xterm and pterm showing the same file at the same size,
// alternately in the same run. Also reports the worst lateness of a 10 ms timer in Portal's
// event loop while the data streams in. Portal's figure is for its own design: another thread
// reads (in Portal, the connection's protocol thread) and the GUI thread takes the bytes from a
// FeedQueue. A second line shows the GUI thread reading the pty itself, 4 KiB per wake-up, for
// comparison. Run under an X server, e.g.
//   xvfb-run -a -s "-screen 0 3000x1400x24" build/release/tests/bench/terminal/bench_terminal_e2e
#include "FeedQueue.h"
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
#include <QThread>
#include <QTimer>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <poll.h>

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

enum class Delivery {
    GuiThreadReads, // the GUI thread reads the pty itself, 4 KiB per wake-up
    ProtocolThread, // as in Portal: another thread reads and pushes into a FeedQueue
};

// Stands in for Portal's protocol thread (SshWorker): it reads the pty as sshd reads its pty
// and sends each batch (at most one SSH packet) to the view through a FeedQueue, as
// TerminalConnection does, with the flow control of an SSH channel window (RFC 4254 §5.2): no
// more than 2 MiB pushed and not yet taken by the emulator.
class ProtocolThreadStandIn : public QThread {
public:
    ProtocolThreadStandIn(int master, portal::terminal::FeedQueue* feed, QEventLoop* loop)
        : master_(master), feed_(feed), loop_(loop) {
        QObject::connect(feed, &portal::terminal::FeedQueue::fed, feed, [this](qint64 bytes) {
            std::lock_guard lock(mutex_);
            unconsumed_ -= bytes;
            windowOpen_.notify_one();
        });
    }

protected:
    void run() override {
        // OpenSSH's sshd sends a session's output in packets of up to 32 KiB.
        constexpr qsizetype kPacket = 32 * 1024;
        constexpr qint64 kWindow = 2 * 1024 * 1024;
        for (bool ended = false; !ended;) {
            {
                std::unique_lock lock(mutex_);
                windowOpen_.wait(lock, [&] { return unconsumed_ < kWindow; });
            }
            pollfd ready{master_, POLLIN, 0};
            if (poll(&ready, 1, -1) < 0 && errno != EINTR)
                break;
            QByteArray packet(kPacket, Qt::Uninitialized);
            qsizetype size = 0;
            while (size < kPacket) {
                const ssize_t n = read(master_, packet.data() + size, std::size_t(kPacket - size));
                if (n <= 0) {
                    ended = n == 0 || (errno != EAGAIN && errno != EINTR);
                    break;
                }
                size += n;
            }
            if (size == 0)
                continue;
            packet.truncate(size);
            {
                std::lock_guard lock(mutex_);
                unconsumed_ += size;
            }
            feed_->push(std::move(packet));
        }
        // Queued behind the feed's wake-ups; the feed is flushed before the loop ends.
        QMetaObject::invokeMethod(loop_, &QEventLoop::quit, Qt::QueuedConnection);
    }

private:
    const int master_;
    portal::terminal::FeedQueue* const feed_;
    QEventLoop* const loop_;
    std::mutex mutex_;
    std::condition_variable windowOpen_;
    qint64 unconsumed_ = 0;
};

PortalRun runPortal(const QString& file, Delivery delivery) {
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
    std::unique_ptr<portal::terminal::FeedQueue> feed;
    std::unique_ptr<ProtocolThreadStandIn> reader;
    QByteArray buffer(64 * 1024, Qt::Uninitialized);
    if (delivery == Delivery::GuiThreadReads) {
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
    } else {
        notifier.setEnabled(false);
        feed = std::make_unique<portal::terminal::FeedQueue>([&view](const QByteArray& bytes) { view.receive(bytes); });
        reader = std::make_unique<ProtocolThreadStandIn>(master, feed.get(), &loop);
        reader->start();
    }
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
    if (feed)
        feed->flush();
    // The last frame: wait for the repaint that shows the final output.
    QElapsedTimer tail;
    tail.start();
    while (tail.elapsed() < 40)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    result.seconds = double(clock.nsecsElapsed()) / 1e9 - 0.040;
    result.cpuSeconds = processCpuSeconds() - cpuBefore;
    result.paints = view.paintCount() - paintsBefore;
    if (reader)
        reader->wait();
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
        const PortalRun portal = runPortal(file, Delivery::ProtocolThread);
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
        const PortalRun gui = runPortal(file, Delivery::GuiThreadReads);
        std::printf("\n         the GUI thread reading the pty itself: %.1f MB/s (%d paints, worst timer lateness %.1f ms, CPU %.0f%%)",
                    mb / gui.seconds, gui.paints, gui.worstLatenessMs, 100.0 * gui.cpuSeconds / gui.seconds);
        std::printf("\n");
        std::fflush(stdout);
    }
    return 0;
}
