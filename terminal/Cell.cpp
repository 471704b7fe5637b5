// Style and combining-cluster interning; see Cell.h.
#include "Cell.h"

namespace portal::terminal {
namespace {

constexpr std::size_t kMaxStyles = 0xFFFF;
// Exact styles stop here; the rest of the table is kept for palette-quantised ones.
constexpr std::size_t kMaxExactStyles = kMaxStyles - 4096;

// Nearest entry of the xterm 6×6×6 colour cube (palette 16–231).
Color quantise(Color c) {
    if (c.kind() != Color::Kind::Rgb)
        return c;
    auto level = [](std::uint8_t v) { return v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40; };
    return Color::indexed(std::uint8_t(16 + 36 * level(c.red()) + 6 * level(c.green()) + level(c.blue())));
}

} // namespace

std::size_t StyleTable::hashOf(const Style& s) {
    std::uint64_t h = (std::uint64_t(s.fg.packed()) << 32) ^ s.bg.packed();
    h ^= (std::uint64_t(s.underlineColor.packed()) << 32 | std::uint64_t(s.attrs) << 16 | s.link) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    return std::size_t(h);
}

// Twice the largest table, so probes stay short even when full.
StyleTable::StyleTable() : index_(std::size_t(1) << 17, 0) { insert(Style{}); }

std::uint16_t* StyleTable::find(const Style& style) {
    const std::size_t mask = index_.size() - 1;
    for (std::size_t i = hashOf(style) & mask;; i = (i + 1) & mask) {
        std::uint16_t& slot = index_[i];
        if (slot == 0 || styles_[slot - 1u] == style)
            return &slot;
    }
}

std::uint16_t StyleTable::insert(const Style& style) {
    const auto id = std::uint16_t(styles_.size());
    styles_.push_back(style);
    *find(style) = std::uint16_t(id + 1);
    return id;
}

std::uint16_t StyleTable::intern(const Style& style) {
    if (const std::uint16_t* slot = find(style); *slot != 0)
        return std::uint16_t(*slot - 1);
    if (styles_.size() < kMaxExactStyles)
        return insert(style);
    Style coarse = style;
    coarse.fg = quantise(style.fg);
    coarse.bg = quantise(style.bg);
    coarse.underlineColor = quantise(style.underlineColor);
    if (const std::uint16_t* slot = find(coarse); *slot != 0)
        return std::uint16_t(*slot - 1);
    if (styles_.size() < kMaxStyles)
        return insert(coarse);
    Style plain;
    plain.attrs = style.attrs;
    if (const std::uint16_t* slot = find(plain); *slot != 0)
        return std::uint16_t(*slot - 1);
    return 0;
}

char32_t ClusterTable::intern(const std::uint32_t* chars) {
    auto scalar = [](std::uint32_t c) { return c <= 0x10FFFF ? char32_t(c) : U'\uFFFD'; };
    std::u32string key;
    key.push_back(scalar(chars[0]));
    for (std::size_t i = 1; i <= kMaxMarks && chars[i] != 0; ++i)
        key.push_back(scalar(chars[i]));
    if (key.size() == 1)
        return key[0];
    if (auto it = ids_.find(key); it != ids_.end())
        return Cell::kClusterBit | it->second;
    if (clusters_.size() >= kMaxClusters)
        return key[0];
    const auto id = std::uint32_t(clusters_.size());
    clusters_.push_back(key);
    ids_.emplace(std::move(key), id);
    return Cell::kClusterBit | id;
}

} // namespace portal::terminal
