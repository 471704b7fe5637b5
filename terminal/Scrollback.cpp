// Scrollback history ring; see Scrollback.h.
//
// Line layout (all integers little-endian, unaligned, read with memcpy):
//   u16 cells   number of stored cells (after trimming)
//   u16 runs    number of style runs
//   u8  flags   bit 0: the line wraps onto the next; bit 1: text is 4 bytes per cell;
//               bit 2: the last cell is wrap padding (kWrapPadding)
//   text: cells × u8 (Latin-1, all narrow) or cells × u32 (code | kWideLead, or kWideTrail)
//   runs × { u16 length, u16 style }
#include "Scrollback.h"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace portal::terminal {
namespace {

constexpr std::uint8_t kWrapped = 1;
constexpr std::uint8_t kWideText = 2;
constexpr std::uint8_t kEndsInPadding = 4;
constexpr std::size_t kHeader = 5;
constexpr std::uint32_t kWideLead = 1u << 30;
constexpr std::uint32_t kWideTrail = 0x3FFFFFFFu; // never a scalar value nor a cluster code

template <typename T> T load(const std::uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
template <typename T> void store(std::uint8_t* p, T v) { std::memcpy(p, &v, sizeof v); }

// A cell read as one 64-bit word: ch in bits 0–31, style 32–47, width 48–55, reserved 56–63.
static_assert(sizeof(Cell) == sizeof(std::uint64_t) && offsetof(Cell, ch) == 0 && offsetof(Cell, style) == 4 &&
              offsetof(Cell, width) == 6 && std::endian::native == std::endian::little);
constexpr std::uint64_t kStyleMask = 0x0000'FFFF'0000'0000ull;
constexpr std::uint64_t kCodeHighAndWidthMask = 0x00FF'0000'FFFF'FF00ull; // ch above 0xFF, width
constexpr std::uint64_t kNarrow = 0x0001'0000'0000'0000ull;               // width 1, all else 0

std::uint64_t cellWord(std::span<const Cell> cells, std::size_t i) {
    std::uint64_t v;
    std::memcpy(&v, &cells[i], sizeof v);
    return v;
}

// The exact encoded size of a line (the header, the text, the style runs).
std::size_t encodedSize(std::span<const Cell> cells) {
    std::uint64_t notLatin1 = 0;
    std::size_t runs = cells.empty() ? 0 : 1;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        notLatin1 |= (cellWord(cells, i) & kCodeHighAndWidthMask) ^ kNarrow;
        runs += i > 0 && ((cellWord(cells, i) ^ cellWord(cells, i - 1)) & kStyleMask) != 0 ? 1 : 0;
    }
    return kHeader + cells.size() * (notLatin1 != 0 ? 4 : 1) + runs * 4;
}

// The row without its trailing default blanks (Cell::isBlank with style 0). Most of a scrolled
// row is such blanks, so they are tested four cells at a time: ch 0 or ' ' (bit 5 masked),
// style 0, width 1, `reserved` ignored.
std::size_t trimmedLength(std::span<const Cell> cells) {
    constexpr std::uint64_t kMask = 0x00FF'FFFF'FFFF'FFDFull;
    auto word = [&](std::size_t i) { return (cellWord(cells, i) & kMask) ^ kNarrow; }; // 0: a default blank
    std::size_t n = cells.size();
    while (n >= 4 && (word(n - 1) | word(n - 2) | word(n - 3) | word(n - 4)) == 0)
        n -= 4;
    while (n > 0 && word(n - 1) == 0)
        --n;
    return n;
}

} // namespace

Scrollback::Scrollback(std::size_t capacity) : capacity_(capacity) {}

std::size_t Scrollback::blobSize(const std::uint8_t* b) {
    const std::size_t cells = load<std::uint16_t>(b);
    const std::size_t runs = load<std::uint16_t>(b + 2);
    const std::size_t perCell = (b[4] & kWideText) ? 4 : 1;
    return kHeader + runs * 4 + cells * perCell;
}

void Scrollback::clear() {
    chunks_.clear();
    spare_ = Chunk{};
    slots_.clear();
    slots_.shrink_to_fit();
    head_ = count_ = chunkBytes_ = 0;
}

void Scrollback::setCapacity(std::size_t capacity) {
    while (count_ > capacity)
        dropOldest();
    if (count_ == 0) {
        clear();
    } else {
        std::vector<std::uint8_t*> kept;
        kept.reserve(count_);
        for (std::size_t i = 0; i < count_; ++i)
            kept.push_back(slots_[slotOf(i)]);
        slots_ = std::move(kept);
        head_ = 0;
    }
    capacity_ = capacity;
}

std::uint8_t* Scrollback::allocate(std::size_t size) {
    if (chunks_.empty() || chunks_.back().size - chunks_.back().used < size) {
        Chunk c;
        if (spare_.bytes && spare_.size >= size) {
            c = std::exchange(spare_, Chunk{});
        } else {
            c.size = std::max(kChunkBytes, size);
            c.bytes = std::make_unique_for_overwrite<std::uint8_t[]>(c.size);
            chunkBytes_ += c.size;
        }
        chunks_.push_back(std::move(c));
    }
    Chunk& back = chunks_.back();
    std::uint8_t* p = back.bytes.get() + back.used;
    back.used += size;
    ++back.lines;
    return p;
}

// Gives back the unused end of the newest line's allocation.
void Scrollback::release(std::size_t bytes) { chunks_.back().used -= bytes; }

// Lines leave from the front, so the oldest chunk empties first; nothing of the dropped line
// is read.
void Scrollback::dropOldest() {
    head_ = head_ + 1 == slots_.size() ? 0 : head_ + 1;
    --count_;
    Chunk& front = chunks_.front();
    if (--front.lines > 0)
        return;
    if (chunks_.size() == 1) {
        front.used = 0;
        return;
    }
    if (!spare_.bytes && front.size == kChunkBytes) {
        spare_ = std::move(front);
        spare_.used = spare_.lines = 0;
    } else {
        chunkBytes_ -= front.size;
    }
    chunks_.pop_front();
}

void Scrollback::push(std::span<const Cell> cells, bool wrapped) {
    if (capacity_ == 0)
        return;
    std::size_t n = wrapped ? cells.size() : trimmedLength(cells);
    n = std::min<std::size_t>(n, 0xFFFF);

    if (count_ == capacity_)
        dropOldest();
    // Room for the worst case (four bytes of text and one run per cell) is taken from the
    // chunk and the unused part handed back at the end, so the line is encoded in one go.
    std::size_t reserved = kHeader + 8 * n;
    if (reserved > kChunkBytes) // rows wider than 8,000 cells: a chunk of their own, sized exactly
        reserved = encodedSize(cells.first(n));
    std::uint8_t* p = allocate(reserved);
    std::uint8_t* text = p + kHeader;
    // Text as Latin-1 bytes, checking on the way (cells as 64-bit words) that every cell is a
    // narrow Latin-1 character; if one is not, the text is written again four bytes per cell.
    std::uint64_t notLatin1 = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t word = cellWord(cells, i);
        notLatin1 |= (word & kCodeHighAndWidthMask) ^ kNarrow;
        text[i] = std::uint8_t(word);
    }
    const bool wide = notLatin1 != 0;
    if (wide) {
        for (std::size_t i = 0; i < n; ++i) {
            const Cell& c = cells[i];
            const std::uint32_t code = c.width == 0 ? kWideTrail : (c.ch | (c.width == 2 ? kWideLead : 0));
            store<std::uint32_t>(text + 4 * i, code);
        }
    }
    std::uint8_t* run = text + n * (wide ? 4 : 1);
    std::size_t runs = 0;
    for (std::size_t i = 0; i < n; ++runs) {
        std::size_t j = i + 1;
        while (j < n && cells[j].style == cells[i].style)
            ++j;
        store<std::uint16_t>(run, std::uint16_t(j - i));
        store<std::uint16_t>(run + 2, cells[i].style);
        run += 4;
        i = j;
    }
    release(reserved - std::size_t(run - p));
    store<std::uint16_t>(p, std::uint16_t(n));
    store<std::uint16_t>(p + 2, std::uint16_t(runs));
    const bool padded = wrapped && n > 0 && cells[n - 1].reserved == kWrapPadding;
    p[4] = std::uint8_t((wrapped ? kWrapped : 0) | (wide ? kWideText : 0) | (padded ? kEndsInPadding : 0));

    if (count_ == slots_.size())
        growRing();
    slots_[slotOf(count_)] = p;
    ++count_;
}

// The ring is full below the capacity: it is laid out again from the oldest line, twice as
// large. (Lines may have been dropped from the front before, by dropOldest(), so the ring can
// have wrapped: appending in place would put the new line before the oldest.)
void Scrollback::growRing() {
    const std::size_t size = std::min(capacity_, std::max<std::size_t>(64, 2 * slots_.size()));
    std::vector<std::uint8_t*> grown(size, nullptr);
    for (std::size_t i = 0; i < count_; ++i)
        grown[i] = slots_[slotOf(i)];
    slots_ = std::move(grown);
    head_ = 0;
}

bool Scrollback::popNewest(std::vector<Cell>& cells, bool& wrapped) {
    if (count_ == 0)
        return false;
    line(count_ - 1, cells);
    wrapped = this->wrapped(count_ - 1);
    // The newest line is the last one laid into the newest chunk.
    Chunk& back = chunks_.back();
    back.used -= blobSize(blob(count_ - 1));
    --count_;
    if (--back.lines == 0 && chunks_.size() > 1) {
        chunkBytes_ -= back.size;
        chunks_.pop_back();
    }
    return true;
}

void Scrollback::markNewestWrapped() {
    if (count_ > 0)
        slots_[slotOf(count_ - 1)][4] |= kWrapped;
}

bool Scrollback::wrapped(std::size_t index) const { return (blob(index)[4] & kWrapped) != 0; }

std::size_t Scrollback::length(std::size_t index) const { return load<std::uint16_t>(blob(index)); }

void Scrollback::line(std::size_t index, std::vector<Cell>& cells) const {
    const std::uint8_t* p = blob(index);
    const std::size_t n = load<std::uint16_t>(p);
    const std::size_t runs = load<std::uint16_t>(p + 2);
    const bool wide = (p[4] & kWideText) != 0;
    cells.resize(n);
    const std::uint8_t* text = p + kHeader;
    const std::uint8_t* run = text + n * (wide ? 4 : 1);
    std::size_t i = 0;
    for (std::size_t r = 0; r < runs; ++r, run += 4) {
        const std::size_t len = load<std::uint16_t>(run);
        const std::uint16_t style = load<std::uint16_t>(run + 2);
        for (std::size_t k = 0; k < len && i < n; ++k, ++i) {
            Cell& c = cells[i];
            c.style = style;
            c.reserved = 0;
            if (!wide) {
                c.ch = text[i];
                c.width = 1;
            } else {
                const std::uint32_t code = load<std::uint32_t>(text + 4 * i);
                if (code == kWideTrail) {
                    c.ch = 0;
                    c.width = 0;
                } else {
                    c.ch = code & ~kWideLead;
                    c.width = (code & kWideLead) ? 2 : 1;
                }
            }
        }
    }
    if ((p[4] & kEndsInPadding) && n > 0)
        cells[n - 1].reserved = kWrapPadding;
}

} // namespace portal::terminal
