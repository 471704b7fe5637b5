// Scrollback with incremental reflow; see History.h.
#include "History.h"

#include <algorithm>
#include <utility>

namespace portal::terminal {

void appendToLogicalLine(std::vector<Cell>& line, std::span<const Cell> row) {
    for (const Cell& c : row)
        if (c.reserved != kWrapPadding)
            line.push_back(c);
}

History::History(std::size_t capacity) : capacity_(capacity), done_(capacity), tail_(capacity) {}

std::size_t History::size() const {
    std::size_t n = done_.size() + tail_.size();
    for (const Scrollback& s : sources_)
        n += s.size();
    return n;
}

std::size_t History::staleRows() const { return size() - done_.size() - tail_.size(); }

std::size_t History::memoryBytes() const {
    std::size_t n = done_.memoryBytes() + tail_.memoryBytes() + partial_.capacity() * sizeof(Cell);
    for (const Scrollback& s : sources_)
        n += s.memoryBytes();
    return n;
}

void History::clear() {
    done_.clear();
    tail_.clear();
    sources_.clear();
    readSource_ = readRow_ = 0;
    partial_.clear();
}

void History::setCapacity(std::size_t capacity) {
    capacity_ = capacity;
    enforceCapacity();
    done_.setCapacity(capacity);
    tail_.setCapacity(capacity);
    for (Scrollback& s : sources_)
        s.setCapacity(capacity);
}

const Scrollback* History::partOf(std::size_t& index) const {
    if (index < done_.size())
        return &done_;
    index -= done_.size();
    for (const Scrollback& s : sources_) {
        if (index < s.size())
            return &s;
        index -= s.size();
    }
    return &tail_;
}

void History::line(std::size_t index, std::vector<Cell>& cells) const { partOf(index)->line(index, cells); }

bool History::wrapped(std::size_t index) const { return partOf(index)->wrapped(index); }

void History::push(std::span<const Cell> cells, bool wrapped) {
    tail_.push(cells, wrapped);
    enforceCapacity();
}

// The newest rows live in tail_ while a reflow runs; should they all be taken (the screen grew
// by more than a reflow re-wraps at once), the reflow is finished first.
bool History::popNewest(std::vector<Cell>& cells, bool& wrapped) {
    if (tail_.size() > 0)
        return tail_.popNewest(cells, wrapped);
    finishReflow();
    return done_.popNewest(cells, wrapped);
}

void History::markNewestWrapped() {
    if (tail_.size() > 0) {
        tail_.markNewestWrapped();
        return;
    }
    finishReflow();
    done_.markNewestWrapped();
}

void History::enforceCapacity() {
    while (size() > capacity_)
        dropOldest();
}

void History::dropOldest() {
    if (done_.size() > 0) {
        done_.dropOldest();
    } else if (!sources_.empty()) {
        // A row already gathered into partial_ keeps its text there: the line it belongs to
        // is re-wrapped whole, and the capacity enforced again once it is.
        Scrollback& front = sources_.front();
        front.dropOldest();
        if (readSource_ == 0 && readRow_ > 0)
            --readRow_;
        if (front.size() == 0) {
            sources_.pop_front();
            if (readSource_ > 0)
                --readSource_;
        }
    } else {
        tail_.dropOldest();
    }
}

void History::beginReflow(int columns, std::size_t immediateRows) {
    columns_ = std::max(columns, 1);
    // Everything becomes a stale source, oldest first; nothing is copied.
    std::deque<Scrollback> all;
    if (done_.size() > 0)
        all.push_back(std::move(done_));
    for (Scrollback& s : sources_)
        if (s.size() > 0)
            all.push_back(std::move(s));
    if (tail_.size() > 0)
        all.push_back(std::move(tail_));
    sources_ = std::move(all);
    done_ = Scrollback(capacity_);
    tail_ = Scrollback(capacity_);
    readSource_ = readRow_ = 0;
    partial_.clear();

    // The newest rows, whole logical lines, come off the end of the sources now (newest first)…
    struct Row {
        std::vector<Cell> cells;
        bool wrapped = false;
    };
    std::vector<Row> taken;
    std::size_t newRows = 0;   // rows the complete lines taken make at the new width
    std::size_t lineCells = 0; // cells of the line being taken
    while (!sources_.empty()) {
        Scrollback& last = sources_.back();
        const bool lineStartsHere = !taken.empty() && !last.wrapped(last.size() - 1);
        if (lineStartsHere) {
            newRows += std::max<std::size_t>(1, (lineCells + std::size_t(columns_) - 1) / std::size_t(columns_));
            lineCells = 0;
            if (newRows >= immediateRows)
                break;
        }
        Row row;
        last.popNewest(row.cells, row.wrapped);
        lineCells += row.cells.size();
        taken.push_back(std::move(row));
        if (last.size() == 0)
            sources_.pop_back();
    }
    // …and go into tail_ re-wrapped, oldest first.
    std::vector<Cell> line;
    for (auto it = taken.rbegin(); it != taken.rend(); ++it) {
        appendToLogicalLine(line, it->cells);
        if (it->wrapped && it + 1 != taken.rend())
            continue;
        cutLogicalLine(line, columns_, [this](std::vector<Cell>&& row, bool wraps, std::size_t) { tail_.push(row, wraps); });
        line.clear();
    }
}

// Sources are read row by row; a logical line is cut to the new width when its last row has
// been read, and only then are its rows dropped from the sources, so the rows of a line being
// gathered stay readable (and counted) until their replacement is in done_.
bool History::reflowStep(std::chrono::steady_clock::time_point deadline) {
    std::size_t rows = 0;
    while (!sources_.empty()) {
        if ((++rows & 63) == 0 && std::chrono::steady_clock::now() >= deadline)
            return false;
        if (readSource_ == sources_.size()) {
            // Every row read with a line still open (the sources end on whole lines, so this
            // is defensive): the line is closed where it stops.
            cutLogicalLine(partial_, columns_, [this](std::vector<Cell>&& row, bool wraps, std::size_t) { done_.push(row, wraps); });
            partial_.clear();
            sources_.clear();
            readSource_ = readRow_ = 0;
            break;
        }
        const Scrollback& source = sources_[readSource_];
        source.line(readRow_, scratch_);
        const bool wraps = source.wrapped(readRow_);
        appendToLogicalLine(partial_, scratch_);
        if (++readRow_ == source.size()) {
            ++readSource_;
            readRow_ = 0;
        }
        if (wraps)
            continue;
        cutLogicalLine(partial_, columns_, [this](std::vector<Cell>&& row, bool w, std::size_t) { done_.push(row, w); });
        partial_.clear();
        dropConsumed();
        enforceCapacity();
    }
    partial_.shrink_to_fit();
    return true;
}

void History::dropConsumed() {
    for (; readSource_ > 0; --readSource_)
        sources_.pop_front();
    for (; readRow_ > 0; --readRow_)
        sources_.front().dropOldest();
    if (!sources_.empty() && sources_.front().size() == 0)
        sources_.pop_front();
}

void History::finishReflow() {
    if (reflowing())
        reflowStep(std::chrono::steady_clock::time_point::max());
}

} // namespace portal::terminal
