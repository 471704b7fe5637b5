// Scrollback history ring; see Scrollback.h.
//
// Line layout (all integers little-endian, unaligned, read with memcpy):
//   u16 cells   number of stored cells (after trimming)
//   u16 runs    number of style runs
//   u8  flags   bit 0: the line wraps onto the next; bit 1: text is 4 bytes per cell
//   runs × { u16 length, u16 style }
//   text: cells × u8 (Latin-1, all narrow) or cells × u32 (code | kWideLead, or kWideTrail)
#include "Scrollback.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <malloc.h>

namespace portal::terminal {
namespace {

constexpr std::uint8_t kWrapped = 1;
constexpr std::uint8_t kWideText = 2;
constexpr std::size_t kHeader = 5;
constexpr std::uint32_t kWideLead = 1u << 30;
constexpr std::uint32_t kWideTrail = 0x3FFFFFFFu; // never a scalar value nor a cluster code

template <typename T> T load(const std::uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
template <typename T> void store(std::uint8_t* p, T v) { std::memcpy(p, &v, sizeof v); }

} // namespace

Scrollback::Scrollback(std::size_t capacity) : capacity_(capacity) {}

void Scrollback::Free::operator()(std::uint8_t* p) const { std::free(p); }

std::size_t Scrollback::blobSize(const std::uint8_t* b) {
    const std::size_t cells = load<std::uint16_t>(b);
    const std::size_t runs = load<std::uint16_t>(b + 2);
    const std::size_t perCell = (b[4] & kWideText) ? 4 : 1;
    return kHeader + runs * 4 + cells * perCell;
}

void Scrollback::clear() {
    slots_.clear();
    slots_.shrink_to_fit();
    head_ = count_ = blobBytes_ = 0;
}

void Scrollback::setCapacity(std::size_t capacity) {
    std::vector<Blob> kept;
    const std::size_t keep = std::min(count_, capacity);
    kept.reserve(keep);
    for (std::size_t i = count_ - keep; i < count_; ++i)
        kept.push_back(std::move(slots_[slotOf(i)]));
    for (std::size_t i = 0; i < count_ - keep; ++i)
        blobBytes_ -= blobSize(slots_[slotOf(i)].get());
    slots_ = std::move(kept);
    head_ = 0;
    count_ = keep;
    capacity_ = capacity;
}

void Scrollback::push(std::span<const Cell> cells, bool wrapped) {
    if (capacity_ == 0)
        return;
    std::size_t n = cells.size();
    if (!wrapped) {
        while (n > 0 && cells[n - 1].isBlank() && cells[n - 1].style == 0)
            --n;
    }
    n = std::min<std::size_t>(n, 0xFFFF);

    bool wide = false;
    std::size_t runs = n > 0 ? 1 : 0;
    for (std::size_t i = 0; i < n; ++i) {
        const Cell& c = cells[i];
        wide |= c.ch > 0xFF || c.width != 1;
        runs += (i > 0 && c.style != cells[i - 1].style) ? 1 : 0;
    }
    const std::size_t size = kHeader + runs * 4 + n * (wide ? 4 : 1);
    // Once the ring is full, the oldest line's block is reused when it fits without wasting
    // more than half of it: a scrolled line then costs no allocation at all.
    Blob b;
    if (count_ == capacity_ && !slots_.empty()) {
        const std::size_t usable = malloc_usable_size(slots_[head_].get());
        if (usable >= size && usable / 2 <= size) {
            blobBytes_ -= blobSize(slots_[head_].get());
            b = std::move(slots_[head_]);
            --count_;
            head_ = (head_ + 1) % slots_.size();
        }
    }
    if (!b)
        b.reset(static_cast<std::uint8_t*>(std::malloc(std::max<std::size_t>(size, 1))));
    std::uint8_t* p = b.get();
    store<std::uint16_t>(p, std::uint16_t(n));
    store<std::uint16_t>(p + 2, std::uint16_t(runs));
    p[4] = std::uint8_t((wrapped ? kWrapped : 0) | (wide ? kWideText : 0));
    std::uint8_t* run = p + kHeader;
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i + 1;
        while (j < n && cells[j].style == cells[i].style && j - i < 0xFFFF)
            ++j;
        store<std::uint16_t>(run, std::uint16_t(j - i));
        store<std::uint16_t>(run + 2, cells[i].style);
        run += 4;
        i = j;
    }
    std::uint8_t* text = p + kHeader + runs * 4;
    for (std::size_t i = 0; i < n; ++i) {
        const Cell& c = cells[i];
        if (!wide) {
            text[i] = std::uint8_t(c.ch);
        } else {
            const std::uint32_t code = c.width == 0 ? kWideTrail : (c.ch | (c.width == 2 ? kWideLead : 0));
            store<std::uint32_t>(text + 4 * i, code);
        }
    }

    blobBytes_ += size;
    if (count_ == capacity_) {
        blobBytes_ -= blobSize(slots_[head_].get());
        slots_[head_] = std::move(b);
        head_ = (head_ + 1) % slots_.size();
        return;
    }
    if (count_ == slots_.size()) {
        // Only reachable while the ring has never wrapped, so head_ is 0 and order is kept.
        slots_.push_back(std::move(b));
    } else {
        slots_[slotOf(count_)] = std::move(b);
    }
    ++count_;
}

bool Scrollback::popNewest(std::vector<Cell>& cells, bool& wrapped) {
    if (count_ == 0)
        return false;
    line(count_ - 1, cells);
    wrapped = this->wrapped(count_ - 1);
    Blob& b = slots_[slotOf(count_ - 1)];
    blobBytes_ -= blobSize(b.get());
    b.reset();
    --count_;
    return true;
}

void Scrollback::markNewestWrapped() {
    if (count_ > 0)
        slots_[slotOf(count_ - 1)].get()[4] |= kWrapped;
}

const std::uint8_t* Scrollback::blob(std::size_t index) const { return slots_[slotOf(index)].get(); }

bool Scrollback::wrapped(std::size_t index) const { return (blob(index)[4] & kWrapped) != 0; }

std::size_t Scrollback::length(std::size_t index) const { return load<std::uint16_t>(blob(index)); }

void Scrollback::line(std::size_t index, std::vector<Cell>& cells) const {
    const std::uint8_t* p = blob(index);
    const std::size_t n = load<std::uint16_t>(p);
    const std::size_t runs = load<std::uint16_t>(p + 2);
    const bool wide = (p[4] & kWideText) != 0;
    cells.resize(n);
    const std::uint8_t* run = p + kHeader;
    const std::uint8_t* text = run + runs * 4;
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
}

} // namespace portal::terminal
