// Scrollback history: a ring of compactly encoded lines (trailing blanks trimmed, one byte per
// cell for Latin-1 text, four otherwise, style runs instead of per-cell styles), stored end to
// end in large chunks.
#pragma once

#include "Cell.h"

#include <cstddef>
#include <deque>
#include <memory>
#include <span>
#include <vector>

namespace portal::terminal {

// Cell::reserved of the blank left at the end of a row where a wide glyph did not fit and
// went on to the next row; it is not part of the text: dropped when rows are re-joined
// (reflow, copy) and kept as such in the scrollback.
inline constexpr std::uint8_t kWrapPadding = 1;

// Lines are indexed 0 (oldest) … size()-1 (newest). When full, push() drops the oldest line,
// so a scrolled line costs O(columns) whatever the capacity. Encoded lines are laid end to end
// in 64 KiB chunks (a 5-byte header, the text, then 4 bytes per style run; see Scrollback.cpp),
// oldest chunk first: pushing appends, dropping the oldest line releases a chunk only when its
// last line goes, so a scrolled line costs no allocation and touches no old memory.
class Scrollback {
public:
    static constexpr std::size_t kChunkBytes = 64 * 1024;

    explicit Scrollback(std::size_t capacity = 10000);

    std::size_t size() const { return count_; }
    std::size_t capacity() const { return capacity_; }
    // Keeps the newest lines when shrinking.
    void setCapacity(std::size_t capacity);
    void clear();

    // Stores a row. Trailing default blanks are trimmed unless the row wraps onto the next;
    // a wrapping row's last cell keeps its kWrapPadding mark.
    void push(std::span<const Cell> cells, bool wrapped);
    // Removes the newest line and returns it (for growing the screen on resize).
    bool popNewest(std::vector<Cell>& cells, bool& wrapped);

    // A row pushed as complete turned out to continue (libvterm reports the wrap late).
    void markNewestWrapped();
    // Removes the oldest line (size() > 0).
    void dropOldest();

    // Decodes line `index` into `cells` (resized to the stored length).
    void line(std::size_t index, std::vector<Cell>& cells) const;
    bool wrapped(std::size_t index) const;
    std::size_t length(std::size_t index) const;

    // Heap bytes held: the chunks (at most two of them partly unused, plus one kept spare)
    // and the ring of line positions.
    std::size_t memoryBytes() const { return chunkBytes_ + slots_.capacity() * sizeof(std::uint8_t*); }

private:
    struct Chunk {
        std::unique_ptr<std::uint8_t[]> bytes;
        std::size_t size = 0;
        std::size_t used = 0;
        std::size_t lines = 0;
    };
    const std::uint8_t* blob(std::size_t index) const { return slots_[slotOf(index)]; }
    std::size_t slotOf(std::size_t index) const {
        const std::size_t s = head_ + index;
        return s < slots_.size() ? s : s - slots_.size();
    }
    static std::size_t blobSize(const std::uint8_t* blob);
    std::uint8_t* allocate(std::size_t size);
    void release(std::size_t bytes);
    void growRing();

    std::deque<Chunk> chunks_; // oldest first; every line lies in one chunk
    Chunk spare_;              // the last chunk emptied, reused for the next one needed
    std::vector<std::uint8_t*> slots_; // ring of line starts, grown up to the capacity
    std::size_t capacity_;
    std::size_t head_ = 0; // slot of the oldest line
    std::size_t count_ = 0;
    std::size_t chunkBytes_ = 0;
};

} // namespace portal::terminal
