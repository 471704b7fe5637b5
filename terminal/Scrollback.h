// Scrollback history: a ring of compactly encoded lines (trailing blanks trimmed, one byte per
// cell for Latin-1 text, four otherwise, style runs instead of per-cell styles).
#pragma once

#include "Cell.h"

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace portal::terminal {

// Lines are indexed 0 (oldest) … size()-1 (newest). When full, push() drops the oldest line,
// so a scrolled line costs O(columns) whatever the capacity. Each line is one heap block:
// a 5-byte header, 4 bytes per style run, then the text; see Scrollback.cpp for the layout.
class Scrollback {
public:
    explicit Scrollback(std::size_t capacity = 10000);

    std::size_t size() const { return count_; }
    std::size_t capacity() const { return capacity_; }
    // Keeps the newest lines when shrinking.
    void setCapacity(std::size_t capacity);
    void clear();

    // Stores a row. Trailing default blanks are trimmed unless the row wraps onto the next.
    void push(std::span<const Cell> cells, bool wrapped);
    // Removes the newest line and returns it (for growing the screen on resize).
    bool popNewest(std::vector<Cell>& cells, bool& wrapped);

    // A row pushed as complete turned out to continue (libvterm reports the wrap late).
    void markNewestWrapped();

    // Decodes line `index` into `cells` (resized to the stored length).
    void line(std::size_t index, std::vector<Cell>& cells) const;
    bool wrapped(std::size_t index) const;
    std::size_t length(std::size_t index) const;

    // Heap bytes held by the encoded lines plus the ring itself (allocator overhead excluded).
    std::size_t memoryBytes() const { return blobBytes_ + slots_.capacity() * sizeof(Blob); }

private:
    struct Free {
        void operator()(std::uint8_t* p) const;
    };
    using Blob = std::unique_ptr<std::uint8_t, Free>;
    const std::uint8_t* blob(std::size_t index) const;
    std::size_t slotOf(std::size_t index) const { return (head_ + index) % slots_.size(); }
    static std::size_t blobSize(const std::uint8_t* blob);

    std::vector<Blob> slots_;
    std::size_t capacity_;
    std::size_t head_ = 0; // slot of the oldest line
    std::size_t count_ = 0;
    std::size_t blobBytes_ = 0;
};

} // namespace portal::terminal
