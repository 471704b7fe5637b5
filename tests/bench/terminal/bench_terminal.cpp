// Terminal ingest and memory benchmark. Prints TerminalEmulator's throughput on a generated
// 100 MB mixed stream (plain text, SGR colours, UTF-8 CJK and emoji, cursor motion) beside two
// baselines measured alternately in the same run: libvterm's state layer driving a minimal
// ring grid (the design's ceiling) and libvterm's screen layer (what we replaced); then the
// bytes per scrollback line and the resident memory of 1,000,000 lines.
#include "MixedStream.h"
#include "TerminalEmulator.h"

#include <vterm.h>

#include <QByteArray>
#include <QCoreApplication>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

using portal::terminal::TerminalEmulator;
using portal::terminal::bench::mixedStream;

namespace {

// --- baseline: libvterm state layer + a minimal ring grid ----------------------------------

struct MinimalRing {
    struct Cell {
        std::uint32_t ch;
        std::uint32_t fg, bg;
        std::uint16_t attrs;
    };
    int rows, cols;
    std::vector<Cell> cells;
    std::vector<int> rowMap;
    std::vector<Cell> history; // fixed ring of scrolled lines
    std::size_t historyLines, historyNext = 0;
    Cell pen{};
    VTerm* vt;

    MinimalRing(int r, int c, std::size_t scrollback)
        : rows(r), cols(c), cells(std::size_t(r * c)), rowMap(std::size_t(r)),
          history(scrollback * std::size_t(c)), historyLines(scrollback) {
        for (int i = 0; i < r; ++i)
            rowMap[std::size_t(i)] = i;
        vt = vterm_new(r, c);
        vterm_set_utf8(vt, 1);
        VTermState* state = vterm_obtain_state(vt);
        // Set by name: libvterm 0.3 adds sb_clear, and its resize callback has another type (unset:
        // never resized here).
        static const VTermStateCallbacks callbacks = [] {
            VTermStateCallbacks c{};
            c.putglyph = [](VTermGlyphInfo* info, VTermPos pos, void* u) {
                auto* s = static_cast<MinimalRing*>(u);
                Cell* row = s->row(pos.row);
                row[pos.col] = s->pen;
                row[pos.col].ch = info->chars[0];
                return 1;
            };
            c.movecursor = [](VTermPos, VTermPos, int, void*) { return 1; };
            c.scrollrect = [](VTermRect rect, int down, int right, void* u) {
                auto* s = static_cast<MinimalRing*>(u);
                if (right != 0 || down <= 0 || rect.start_col != 0 || rect.end_col != s->cols)
                    return 0;
                const int height = rect.end_row - rect.start_row;
                const int count = std::min(down, height);
                for (int r = 0; r < count && rect.start_row == 0; ++r) {
                    std::memcpy(&s->history[s->historyNext * std::size_t(s->cols)], s->row(r),
                                std::size_t(s->cols) * sizeof(Cell));
                    s->historyNext = (s->historyNext + 1) % s->historyLines;
                }
                auto first = s->rowMap.begin() + rect.start_row;
                std::rotate(first, first + count, first + height);
                for (int r = rect.end_row - count; r < rect.end_row; ++r)
                    std::fill_n(s->row(r), s->cols, Cell{});
                return 1;
            };
            c.moverect = [](VTermRect dest, VTermRect src, void* u) {
                auto* s = static_cast<MinimalRing*>(u);
                for (int i = 0; i < src.end_row - src.start_row; ++i)
                    std::memmove(s->row(dest.start_row + i) + dest.start_col, s->row(src.start_row + i) + src.start_col,
                                 std::size_t(src.end_col - src.start_col) * sizeof(Cell));
                return 1;
            };
            c.erase = [](VTermRect rect, int, void* u) {
                auto* s = static_cast<MinimalRing*>(u);
                for (int r = rect.start_row; r < rect.end_row; ++r)
                    std::fill(s->row(r) + rect.start_col, s->row(r) + rect.end_col, Cell{});
                return 1;
            };
            c.initpen = [](void* u) {
                static_cast<MinimalRing*>(u)->pen = Cell{};
                return 1;
            };
            c.setpenattr = [](VTermAttr attr, VTermValue* val, void* u) {
                auto* s = static_cast<MinimalRing*>(u);
                if (attr == VTERM_ATTR_FOREGROUND)
                    std::memcpy(&s->pen.fg, &val->color, 4);
                else if (attr == VTERM_ATTR_BACKGROUND)
                    std::memcpy(&s->pen.bg, &val->color, 4);
                else
                    s->pen.attrs ^= std::uint16_t(1u << attr);
                return 1;
            };
            c.settermprop = [](VTermProp, VTermValue*, void*) { return 1; };
            c.bell = [](void*) { return 1; };
            c.setlineinfo = [](int, const VTermLineInfo*, const VTermLineInfo*, void*) { return 1; };
            return c;
        }();
        vterm_state_set_callbacks(state, &callbacks, this);
        vterm_state_reset(state, 1);
    }
    ~MinimalRing() { vterm_free(vt); }
    Cell* row(int r) { return cells.data() + std::size_t(rowMap[std::size_t(r)]) * std::size_t(cols); }
    void feed(const char* b, std::size_t n) { vterm_input_write(vt, b, n); }
};

// --- reference: libvterm screen layer with a scrollback callback ---------------------------

struct ScreenLayer {
    VTerm* vt;
    std::vector<VTermScreenCell> lastPushed;
    ScreenLayer(int r, int c) {
        vt = vterm_new(r, c);
        vterm_set_utf8(vt, 1);
        VTermScreen* screen = vterm_obtain_screen(vt);
        // Set by name: libvterm 0.3 adds sb_clear.
        static const VTermScreenCallbacks callbacks = [] {
            VTermScreenCallbacks c{};
            c.sb_pushline = [](int cols, const VTermScreenCell* cells, void* u) {
                auto* s = static_cast<ScreenLayer*>(u);
                s->lastPushed.assign(cells, cells + cols);
                return 1;
            };
            return c;
        }();
        vterm_screen_set_callbacks(screen, &callbacks, this);
        vterm_screen_enable_altscreen(screen, 1);
        vterm_screen_reset(screen, 1);
    }
    ~ScreenLayer() { vterm_free(vt); }
    void feed(const char* b, std::size_t n) { vterm_input_write(vt, b, n); }
};

double secondsFor(const std::function<void(const char*, std::size_t)>& feed, const QByteArray& stream) {
    constexpr std::size_t kRead = 16 * 1024; // a typical read from the connection
    const auto start = std::chrono::steady_clock::now();
    for (qsizetype off = 0; off < stream.size(); off += qsizetype(kRead))
        feed(stream.constData() + off, std::min<std::size_t>(kRead, std::size_t(stream.size() - off)));
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

long residentKiB() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * 4;
}

void ingest(const QByteArray& stream, int rows, int cols, int rounds, bool withScreenLayer) {
    const double mb = double(stream.size()) / 1e6;
    std::vector<double> ours, ring, screen;
    for (int round = 0; round < rounds; ++round) {
        {
            TerminalEmulator t(rows, cols); // default 10,000 lines of scrollback
            ours.push_back(mb / secondsFor([&](const char* b, std::size_t n) { t.feed(b, n); }, stream));
        }
        {
            MinimalRing m(rows, cols, 10000);
            ring.push_back(mb / secondsFor([&](const char* b, std::size_t n) { m.feed(b, n); }, stream));
        }
        if (withScreenLayer && round == 0) {
            ScreenLayer s(rows, cols);
            screen.push_back(mb / secondsFor([&](const char* b, std::size_t n) { s.feed(b, n); }, stream));
        }
    }
    const double o = median(ours), r = median(ring);
    std::printf("ingest %3dx%-3d  TerminalEmulator %6.1f MB/s   state+ring baseline %6.1f MB/s   ratio %.2f",
                cols, rows, o, r, o / r);
    if (!screen.empty())
        std::printf("   libvterm screen layer %5.1f MB/s (%.1fx slower than ours)", screen[0], o / screen[0]);
    std::printf("   [median of %d]\n", rounds);
    std::fflush(stdout);
}

void scrollbackMemory(int cols, const char* what) {
    // Lines of typical text: words, a few colour runs, filling 70–100% of the width.
    std::mt19937 rng(7);
    std::vector<QByteArray> lines;
    for (int i = 0; i < 64; ++i) {
        QByteArray line;
        const int width = cols * (70 + int(rng() % 31)) / 100;
        while (line.size() < width) {
            if (rng() % 8 == 0)
                line += "\033[3" + QByteArray::number(rng() % 8) + "mword\033[0m ";
            else
                line += "text ";
        }
        lines.push_back(line.left(width + 8) + "\r\n");
    }
    constexpr int kLines = 1000000;
    const long before = residentKiB();
    TerminalEmulator::Options o;
    o.scrollbackLines = kLines;
    auto* t = new TerminalEmulator(24, cols, o);
    for (int i = 0; i < kLines + 24; ++i)
        t->feed(lines[std::size_t(i) % lines.size()]);
    const long after = residentKiB();
    std::printf("scrollback %-22s %d lines: %.1f bytes/line encoded (%.1f MB), RSS +%.1f MB (%.1f bytes/line)\n", what,
                t->historySize(), double(t->historyMemoryBytes()) / t->historySize(),
                double(t->historyMemoryBytes()) / 1e6, double(after - before) / 1024.0,
                double(after - before) * 1024.0 / t->historySize());
    std::fflush(stdout);
    delete t;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    std::size_t megabytes = 100;
    int rounds = 3;
    const char* profile = nullptr; // "ours" or "ring": one ingest only, for callgrind
    int profileRows = 24, profileCols = 80;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--mb") == 0)
            megabytes = std::size_t(std::atoi(argv[i + 1]));
        else if (std::strcmp(argv[i], "--rounds") == 0)
            rounds = std::max(1, std::atoi(argv[i + 1]));
        else if (std::strcmp(argv[i], "--profile") == 0)
            profile = argv[i + 1];
        else if (std::strcmp(argv[i], "--size") == 0)
            std::sscanf(argv[i + 1], "%dx%d", &profileCols, &profileRows);
    }
    if (profile) {
        // e.g. valgrind --tool=callgrind bench_terminal --mb 5 --profile ours --size 80x24: the
        // instruction counts of the two paths compare where wall clock on a shared machine cannot.
        const QByteArray stream = mixedStream(megabytes * 1000 * 1000);
        const bool ours = std::strcmp(profile, "ours") == 0;
        double seconds = 0;
        if (ours) {
            TerminalEmulator t(profileRows, profileCols);
            seconds = secondsFor([&](const char* b, std::size_t n) { t.feed(b, n); }, stream);
        } else {
            MinimalRing m(profileRows, profileCols, 10000);
            seconds = secondsFor([&](const char* b, std::size_t n) { m.feed(b, n); }, stream);
        }
        std::printf("%s %dx%d: %.1f MB/s\n", ours ? "TerminalEmulator" : "state+ring baseline", profileCols,
                    profileRows, double(stream.size()) / 1e6 / seconds);
        return 0;
    }
    // Memory first, each figure in a child of a still-small process, so freed memory of other
    // phases cannot hide in the RSS difference.
    for (int cols : {80, 200}) {
        std::fflush(stdout);
        const pid_t child = fork();
        if (child == 0) {
            scrollbackMemory(cols, cols == 80 ? "80-column text" : "200-column text");
            std::fflush(stdout);
            _exit(0);
        }
        waitpid(child, nullptr, 0);
    }
    const QByteArray stream = mixedStream(megabytes * 1000 * 1000);
    std::printf("mixed stream: %.1f MB (plain text, SGR 16/256/truecolour, CJK, emoji, cursor motion), "
                "16 KiB writes, scrollback 10,000 lines\n",
                double(stream.size()) / 1e6);
    ingest(stream, 24, 80, rounds, true);
    ingest(stream, 50, 200, rounds, true);
    return 0;
}
