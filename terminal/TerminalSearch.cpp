// Background search over scrollback and screen; see TerminalSearch.h.
#include "TerminalSearch.h"

#include <algorithm>

namespace portal::terminal {
namespace {

// A slice keeps the event loop free for input and painting between slices.
constexpr auto kSlice = std::chrono::milliseconds(6);

} // namespace

TerminalSearch::RowText TerminalSearch::rowText(const TerminalEmulator& emulator, int row) {
    RowText out;
    std::vector<Cell> scratch;
    const auto cells = emulator.line(row, scratch);
    for (int c = 0; c < int(cells.size()); ++c) {
        const qsizetype before = out.text.size();
        emulator.appendCellText(cells[std::size_t(c)], out.text);
        for (qsizetype k = before; k < out.text.size(); ++k)
            out.column.push_back(c);
    }
    return out;
}

void TerminalSearch::matchRow(const QRegularExpression& expression, const TerminalEmulator& emulator, int row,
                              std::int64_t line, std::vector<Match>& out, RowBuffers& buffers) {
    buffers.text.clear(); // keeps the allocation
    for (const Cell& cell : emulator.line(row, buffers.cells)) {
        // Most cells are one UTF-16 unit; clusters, wide-glyph halves, padding and characters
        // beyond the BMP take the emulator's general path.
        if (cell.width == 1 && cell.reserved == 0 && cell.ch < 0xD800) {
            buffers.text.push_back(cell.ch == 0 ? u' ' : char16_t(cell.ch));
        } else {
            buffers.cell.truncate(0);
            emulator.appendCellText(cell, buffers.cell);
            buffers.text.append(reinterpret_cast<const char16_t*>(buffers.cell.utf16()), std::size_t(buffers.cell.size()));
        }
    }
    if (buffers.text.empty())
        return;
    auto it = expression.globalMatch(QStringView(buffers.text));
    std::vector<int> column; // of each UTF-16 unit, built for a row that has a match
    while (it.hasNext()) {
        const auto m = it.next();
        if (m.capturedLength() == 0)
            continue;
        if (column.empty())
            column = rowText(emulator, row).column;
        out.push_back({line, column[std::size_t(m.capturedStart())], column[std::size_t(m.capturedEnd() - 1)]});
    }
}

TerminalSearch::TerminalSearch(TerminalEmulator& emulator, QObject* parent) : QObject(parent), emulator_(emulator) {
    timer_.setInterval(0);
    connect(&timer_, &QTimer::timeout, this, [this] {
        if (step(std::chrono::steady_clock::now() + kSlice) || emulator_.reflowPending())
            timer_.stop();
    });
    // Reflow rewrites history rows: what was found there may have moved. Scan again once the
    // rows are final.
    connect(&emulator_, &TerminalEmulator::historyReflowed, this, [this] {
        if (active_ && !emulator_.reflowPending())
            restart();
    });
}

bool TerminalSearch::start(const QRegularExpression& expression) {
    cancel();
    if (expression.pattern().isEmpty() || !expression.isValid())
        return false;
    expression_ = expression;
    expression_.optimize();
    active_ = true;
    restart();
    return true;
}

void TerminalSearch::cancel() {
    const bool had = count() > 0;
    active_ = false;
    timer_.stop();
    expression_ = QRegularExpression();
    history_.clear();
    screen_.clear();
    if (had)
        emit progressed();
}

void TerminalSearch::restart() {
    if (!active_)
        return;
    history_.clear();
    screen_.clear();
    olderEdge_ = liveTop() - 1;
    newerEdge_ = liveTop();
    timer_.start();
    emit progressed();
}

void TerminalSearch::outputArrived() {
    if (active_ && !timer_.isActive())
        timer_.start();
}

bool TerminalSearch::finished() const {
    return !active_ || (olderEdge_ < firstLine() && newerEdge_ >= liveTop() && !emulator_.reflowPending());
}

bool TerminalSearch::step(std::chrono::steady_clock::time_point deadline) {
    if (!active_)
        return true;
    if (emulator_.reflowPending())
        return false; // historyReflowed() restarts the scan when the rows are final
    const std::size_t before = count();
    bool changed = false;

    // Rows evicted from the history take their matches with them.
    const std::int64_t oldest = firstLine();
    while (!history_.empty() && history_.front().line < oldest) {
        history_.pop_front();
        changed = true;
    }
    // The screen is small and changes all the time: scanned whole on every slice.
    scanScreen();

    std::size_t rows = 0;
    auto timeUp = [&] { return (++rows & 31) == 0 && std::chrono::steady_clock::now() >= deadline; };
    // History rows that arrived since the scan began, oldest first, go to the back…
    newerEdge_ = std::max(newerEdge_, oldest);
    while (newerEdge_ < liveTop()) {
        if (timeUp())
            break;
        matchRow(expression_, emulator_, int(newerEdge_ - liveTop()), newerEdge_, scratch_, buffers_);
        for (const Match& m : scratch_)
            history_.push_back(m);
        scratch_.clear();
        ++newerEdge_;
    }
    // …and older rows, newest first, to the front.
    while (newerEdge_ >= liveTop() && olderEdge_ >= oldest) {
        if (timeUp())
            break;
        matchRow(expression_, emulator_, int(olderEdge_ - liveTop()), olderEdge_, scratch_, buffers_);
        for (auto it = scratch_.rbegin(); it != scratch_.rend(); ++it)
            history_.push_front(*it);
        scratch_.clear();
        --olderEdge_;
    }
    if (changed || count() != before || finished())
        emit progressed();
    return finished();
}

void TerminalSearch::scanScreen() {
    screen_.clear();
    for (int r = 0; r < emulator_.rows(); ++r)
        matchRow(expression_, emulator_, r, liveTop() + r, screen_, buffers_);
}

std::vector<TerminalSearch::Match> TerminalSearch::matches() const {
    std::vector<Match> all(history_.begin(), history_.end());
    all.insert(all.end(), screen_.begin(), screen_.end());
    return all;
}

std::optional<TerminalSearch::Match> TerminalSearch::nearest(const Match& from, bool backwards) const {
    if (backwards) {
        auto before = [&](const auto& range) -> std::optional<Match> {
            auto it = std::lower_bound(range.begin(), range.end(), from);
            if (it == range.begin())
                return std::nullopt;
            return *std::prev(it);
        };
        if (auto m = before(screen_))
            return m;
        return before(history_);
    }
    auto after = [&](const auto& range) -> std::optional<Match> {
        auto it = std::upper_bound(range.begin(), range.end(), from);
        if (it == range.end())
            return std::nullopt;
        return *it;
    };
    if (auto m = after(history_))
        return m;
    return after(screen_);
}

std::optional<TerminalSearch::Match> TerminalSearch::first() const {
    if (!history_.empty())
        return history_.front();
    if (!screen_.empty())
        return screen_.front();
    return std::nullopt;
}

std::optional<TerminalSearch::Match> TerminalSearch::last() const {
    if (!screen_.empty())
        return screen_.back();
    if (!history_.empty())
        return history_.back();
    return std::nullopt;
}

} // namespace portal::terminal
