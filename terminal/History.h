// History: the scrollback as the emulator sees it, with reflow (re-wrapping to a new width)
// done incrementally. A resize re-wraps the newest lines at once and leaves the rest to
// reflowStep(), called in bounded slices from the event loop; meanwhile every row stays
// readable (not yet re-wrapped rows at the width they were cut at) and the rows joined across
// wraps always spell the same logical lines, so search, selection and scrolling keep working.
#pragma once

#include "Cell.h"
#include "Scrollback.h"

#include <chrono>
#include <cstddef>
#include <deque>
#include <span>
#include <vector>

namespace portal::terminal {

// Appends a row's cells to a logical line, leaving out wrap padding.
void appendToLogicalLine(std::vector<Cell>& line, std::span<const Cell> row);

// Cuts a logical line into rows of `columns` cells, never splitting a wide glyph (the row
// before it is padded instead). `sink(row, wraps, start)` gets each row, whether the line
// continues on the next, and the offset in the line where the row starts.
template <typename Sink> void cutLogicalLine(const std::vector<Cell>& line, int columns, Sink&& sink) {
    const std::size_t cols = std::size_t(columns);
    std::vector<Cell> row;
    std::size_t i = 0;
    do {
        std::size_t end = std::min(line.size(), i + cols);
        bool pad = false;
        if (end < line.size() && end > i + 1 && line[end - 1].width == 2) {
            --end;
            pad = true;
        }
        row.assign(line.begin() + std::ptrdiff_t(i), line.begin() + std::ptrdiff_t(end));
        if (pad)
            row.push_back(Cell{0, 0, 1, kWrapPadding});
        const std::size_t start = i;
        i = end;
        sink(std::move(row), i < line.size(), start);
    } while (i < line.size());
}

// Rows are indexed 0 (oldest) … size()-1 (newest). Three parts, oldest first: `done_` (rows
// re-wrapped at the current width), the stale sources (rows not yet re-wrapped, possibly at
// several older widths after repeated resizes), and `tail_` (the newest rows, at the current
// width, where output goes). Every source ends on a complete logical line.
class History {
public:
    explicit History(std::size_t capacity);

    std::size_t size() const;
    std::size_t capacity() const { return capacity_; }
    void setCapacity(std::size_t capacity); // keeps the newest rows
    void clear();

    void push(std::span<const Cell> cells, bool wrapped);
    bool popNewest(std::vector<Cell>& cells, bool& wrapped);
    void markNewestWrapped();

    void line(std::size_t index, std::vector<Cell>& cells) const;
    bool wrapped(std::size_t index) const;

    // Starts re-wrapping everything to `columns`: the newest logical lines, enough for
    // `immediateRows` rows at the new width, are re-wrapped now, the rest by reflowStep(). A reflow still
    // running is taken over (its finished part is simply re-wrapped again).
    void beginReflow(int columns, std::size_t immediateRows);
    bool reflowing() const { return !sources_.empty(); }
    // Re-wraps rows until `deadline`; returns whether the reflow is finished.
    bool reflowStep(std::chrono::steady_clock::time_point deadline);
    void finishReflow();
    // Rows not yet re-wrapped (for progress and tests).
    std::size_t staleRows() const;
    // How many of the newest rows are at the current width: all of them unless a reflow runs.
    std::size_t newestRowsAtWidth() const { return reflowing() ? tail_.size() : size(); }

    std::size_t memoryBytes() const;

private:
    const Scrollback* partOf(std::size_t& index) const;
    void dropOldest();
    void enforceCapacity();
    void dropConsumed();

    std::size_t capacity_;
    int columns_ = 0;
    Scrollback done_;
    std::deque<Scrollback> sources_;
    Scrollback tail_;
    // Reading position in the stale sources: rows before it are in `partial_`, the logical
    // line being gathered; they are dropped from the sources once that line is complete.
    std::size_t readSource_ = 0;
    std::size_t readRow_ = 0;
    std::vector<Cell> partial_;
    std::vector<Cell> scratch_;
};

} // namespace portal::terminal
