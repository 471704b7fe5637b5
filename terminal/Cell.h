// The compact cell model shared by the live grid, the scrollback and the view: a cell is
// 8 bytes (code point, interned style id, width); styles and combining clusters are interned.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace portal::terminal {

// A colour as the terminal knows it: the scheme's default, a palette index (0–255, resolved by
// the view's colour scheme) or a direct RGB value (SGR 38;2 / 48;2). Packed: 0xKKRRGGBB.
class Color {
public:
    enum class Kind : std::uint8_t { Default = 0, Indexed = 1, Rgb = 2 };

    constexpr Color() = default;
    static constexpr Color indexed(std::uint8_t index) { return Color((1u << 24) | index); }
    static constexpr Color rgb(std::uint8_t r, std::uint8_t g, std::uint8_t b) {
        return Color((2u << 24) | (std::uint32_t(r) << 16) | (std::uint32_t(g) << 8) | b);
    }

    constexpr Kind kind() const { return Kind(packed_ >> 24); }
    constexpr std::uint8_t index() const { return std::uint8_t(packed_); }
    constexpr std::uint8_t red() const { return std::uint8_t(packed_ >> 16); }
    constexpr std::uint8_t green() const { return std::uint8_t(packed_ >> 8); }
    constexpr std::uint8_t blue() const { return std::uint8_t(packed_); }
    constexpr std::uint32_t packed() const { return packed_; }
    constexpr bool operator==(const Color&) const = default;

private:
    constexpr explicit Color(std::uint32_t packed) : packed_(packed) {}
    std::uint32_t packed_ = 0;
};

// SGR attributes (ECMA-48 §8.3.117) as bits.
namespace attr {
inline constexpr std::uint16_t Bold = 1 << 0;
inline constexpr std::uint16_t Faint = 1 << 1;
inline constexpr std::uint16_t Italic = 1 << 2;
inline constexpr std::uint16_t UnderlineShift = 3; // two bits: 0 none, 1 single, 2 double, 3 curly
inline constexpr std::uint16_t UnderlineMask = 3 << UnderlineShift;
inline constexpr std::uint16_t Blink = 1 << 5;
inline constexpr std::uint16_t Reverse = 1 << 6;
inline constexpr std::uint16_t Strike = 1 << 7;
inline constexpr std::uint16_t Invisible = 1 << 8;
} // namespace attr

struct Style {
    Color fg;
    Color bg;
    Color underlineColor; // SGR 58 (Default: the foreground); kept only while underlined
    std::uint16_t attrs = 0;
    std::uint16_t link = 0; // OSC 8 hyperlink id, 0 = none

    int underline() const { return (attrs & attr::UnderlineMask) >> attr::UnderlineShift; }
    bool has(std::uint16_t bit) const { return (attrs & bit) != 0; }
    bool operator==(const Style&) const = default;
};

// One screen cell. `ch` is a Unicode scalar value, 0 for a never-written blank, or a
// combining-cluster reference (kClusterBit | id into ClusterTable). A wide glyph occupies two
// cells: the first has width 2, the second width 0 and ch 0.
struct Cell {
    static constexpr char32_t kClusterBit = 0x80000000u;

    char32_t ch = 0;
    std::uint16_t style = 0;
    std::uint8_t width = 1;
    std::uint8_t reserved = 0;

    bool isCluster() const { return (ch & kClusterBit) != 0; }
    bool isBlank() const { return (ch == 0 || ch == U' ') && width == 1; }
    bool operator==(const Cell&) const = default;
};
static_assert(sizeof(Cell) == 8, "cells must stay compact: 1,000,000 lines of scrollback");

// Interns Style values to 16-bit ids. Id 0 is the default style. Bounded: once 61,439 styles
// exist (a truecolour image can produce that many), new RGB colours are quantised to the
// 256-colour palette, and once 65,535 exist, a new style falls back to its attributes with
// default colours. The table only grows; memory is bounded by the cap (~1.5 MiB: 16-byte styles
// and the index).
class StyleTable {
public:
    StyleTable();
    std::uint16_t intern(const Style& style);
    const Style& at(std::uint16_t id) const { return styles_[id]; }
    std::size_t size() const { return styles_.size(); }

private:
    // Open addressing over a power-of-two array of ids + 1 (0 = empty): one probe usually
    // lands on the answer, which matters because every SGR change looks a style up.
    static std::size_t hashOf(const Style& s);
    std::uint16_t* find(const Style& style);
    std::uint16_t insert(const Style& style);
    std::vector<Style> styles_;
    std::vector<std::uint16_t> index_;
};

// Interns base + combining marks. Bounded twice: a cluster keeps at most kMaxMarks marks
// (more are dropped, as the Unicode stream-safe format does at 30), and the table holds at
// most kMaxClusters entries, after which new clusters keep their base character only.
class ClusterTable {
public:
    static constexpr std::size_t kMaxMarks = 8;
    static constexpr std::size_t kMaxClusters = 1 << 16;

    // Returns the cell code for `chars` (0-terminated, as libvterm delivers them).
    char32_t intern(const std::uint32_t* chars);
    const std::u32string& at(char32_t code) const { return clusters_[code & ~Cell::kClusterBit]; }
    std::size_t size() const { return clusters_.size(); }

private:
    std::vector<std::u32string> clusters_;
    std::unordered_map<std::u32string, std::uint32_t> ids_;
};

} // namespace portal::terminal
