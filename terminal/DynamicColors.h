// DynamicColors: the colours a host may query and change with xterm's OSC 4/10/11/12 and
// reset with OSC 104/110/111/112 (xterm ctlseqs, "Operating System Commands"). The base
// colours come from the view's colour scheme; a set only overrides them for this terminal.
// Replies are built from our own colour values, never from the request's text.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portal::terminal {

// 0xRRGGBB.
using Rgb = std::uint32_t;

// Until a view sets its scheme's colours: xterm's own defaults (black on white, its VGA-like
// 16 colours).
struct TerminalColors {
    Rgb foreground = 0x000000;
    Rgb background = 0xffffff;
    Rgb cursor = 0x000000;
    std::array<Rgb, 256> palette = xtermPalette(); // 0–15 the scheme's, 16–255 cube and greys
    bool operator==(const TerminalColors&) const = default;

    static std::array<Rgb, 256> xtermPalette();
};

// A colour specification as XParseColor reads it: "#rgb" … "#rrrrggggbbbb" (the digits are
// the high bits), "rgb:r/g/b" with 1–4 hex digits per component (scaled), or one of a small
// set of X11 colour names (rgb.txt values, case and spaces ignored). Anything else, or a
// specification longer than 64 bytes, gives nothing.
std::optional<Rgb> parseColorSpec(std::string_view spec);

// "rgb:rrrr/gggg/bbbb", the form xterm answers queries with (each 8-bit value repeated).
std::string formatColorSpec(Rgb rgb);

// xterm's 256-colour palette beyond the 16 ANSI colours: the 6×6×6 cube and the grey ramp.
Rgb xtermPaletteColor(int index);

class DynamicColors {
public:
    // The scheme's colours; overrides survive a scheme change (xterm keeps them too).
    void setBase(const TerminalColors& base);
    const TerminalColors& base() const { return base_; }
    // Base with this terminal's overrides applied: what is painted and what queries answer.
    const TerminalColors& effective() const { return effective_; }

    struct Outcome {
        bool handled = false; // the command is one of ours (even if malformed and ignored)
        bool changed = false; // effective() changed
        std::string reply;    // bytes to send back, each answer terminated by `terminator`
    };
    // Applies OSC `command` with its parameter text `rest` (what follows "Ps;"). `terminator`
    // ends each reply: BEL or ST, as the query was ended.
    Outcome apply(std::string_view command, std::string_view rest, std::string_view terminator);

    // RIS: every override is dropped.
    bool resetAll();

private:
    void recompute();
    Outcome dynamic(int first, std::string_view rest, std::string_view terminator);
    Outcome palette(std::string_view rest, std::string_view terminator);
    Outcome resetPalette(std::string_view rest);

    TerminalColors base_;
    TerminalColors effective_;
    std::array<std::optional<Rgb>, 3> dynamic_;   // 10 foreground, 11 background, 12 cursor
    std::array<std::optional<Rgb>, 256> palette_; // OSC 4 entries
};

} // namespace portal::terminal
