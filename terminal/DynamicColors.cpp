// OSC colour queries and changes; see DynamicColors.h. Formats as in xterm's ctlseqs and
// XParseColor (Xlib, "Color Strings").
#include "DynamicColors.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace portal::terminal {
namespace {

constexpr std::size_t kMaxSpecBytes = 64;
constexpr int kMaxItemsPerCommand = 256; // bounds the reply to one OSC

struct NamedColor {
    const char* name; // lower case, no spaces
    Rgb rgb;
};

// A few of X11's rgb.txt entries (its values, which differ from CSS for gray, green, maroon
// and purple).
constexpr NamedColor kNames[] = {
    {"black", 0x000000},     {"white", 0xffffff},       {"red", 0xff0000},         {"green", 0x00ff00},
    {"blue", 0x0000ff},      {"yellow", 0xffff00},      {"cyan", 0x00ffff},        {"magenta", 0xff00ff},
    {"gray", 0xbebebe},      {"grey", 0xbebebe},        {"darkgray", 0xa9a9a9},    {"darkgrey", 0xa9a9a9},
    {"lightgray", 0xd3d3d3}, {"lightgrey", 0xd3d3d3},   {"dimgray", 0x696969},     {"dimgrey", 0x696969},
    {"orange", 0xffa500},    {"purple", 0xa020f0},      {"brown", 0xa52a2a},       {"pink", 0xffc0cb},
    {"navy", 0x000080},      {"navyblue", 0x000080},    {"maroon", 0xb03060},      {"darkred", 0x8b0000},
    {"darkgreen", 0x006400}, {"darkblue", 0x00008b},    {"darkcyan", 0x008b8b},    {"darkmagenta", 0x8b008b},
    {"gold", 0xffd700},      {"violet", 0xee82ee},      {"lightblue", 0xadd8e6},   {"lightgreen", 0x90ee90},
    {"skyblue", 0x87ceeb},   {"orangered", 0xff4500},   {"slategray", 0x708090},   {"slategrey", 0x708090},
};

std::optional<unsigned> hexValue(std::string_view digits) {
    if (digits.empty() || digits.size() > 4)
        return std::nullopt;
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, 16);
    if (ec != std::errc() || end != digits.data() + digits.size())
        return std::nullopt;
    return v;
}

Rgb pack(unsigned r, unsigned g, unsigned b) { return (Rgb(r) << 16) | (Rgb(g) << 8) | Rgb(b); }

// "#" forms: each component has the same number of digits, which are its high bits.
std::optional<Rgb> parseHash(std::string_view digits) {
    if (digits.empty() || digits.size() % 3 != 0 || digits.size() > 12)
        return std::nullopt;
    const std::size_t n = digits.size() / 3;
    unsigned c[3];
    for (std::size_t i = 0; i < 3; ++i) {
        const auto v = hexValue(digits.substr(i * n, n));
        if (!v)
            return std::nullopt;
        const int bits = int(n) * 4;
        c[i] = bits >= 8 ? (*v >> (bits - 8)) : (*v << (8 - bits));
    }
    return pack(c[0], c[1], c[2]);
}

// "rgb:" form: components of 1–4 digits, each scaled from its own range to 0–255.
std::optional<Rgb> parseRgb(std::string_view body) {
    unsigned c[3];
    for (int i = 0; i < 3; ++i) {
        const auto slash = body.find('/');
        if ((i < 2) == (slash == std::string_view::npos))
            return std::nullopt;
        const std::string_view part = body.substr(0, slash);
        const auto v = hexValue(part);
        if (!v)
            return std::nullopt;
        const unsigned max = (1u << (4 * part.size())) - 1;
        c[i] = (*v * 255 + max / 2) / max;
        body = slash == std::string_view::npos ? std::string_view() : body.substr(slash + 1);
    }
    return pack(c[0], c[1], c[2]);
}

std::optional<Rgb> parseName(std::string_view spec) {
    std::string key;
    for (char ch : spec) {
        if (ch == ' ')
            continue;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
            return std::nullopt;
        key.push_back(char(ch | 0x20));
    }
    for (const NamedColor& n : kNames)
        if (key == n.name)
            return n.rgb;
    return std::nullopt;
}

std::optional<int> number(std::string_view text) {
    int v = 0;
    if (text.empty() || text.size() > 3 || text[0] < '0' || text[0] > '9')
        return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return v;
}

// Splits "a;b;c" one field at a time.
std::string_view nextField(std::string_view& rest) {
    const auto semicolon = rest.find(';');
    const std::string_view field = rest.substr(0, semicolon);
    rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
    return field;
}

} // namespace

std::optional<Rgb> parseColorSpec(std::string_view spec) {
    if (spec.empty() || spec.size() > kMaxSpecBytes)
        return std::nullopt;
    if (spec.front() == '#')
        return parseHash(spec.substr(1));
    if (spec.size() > 4 && (spec.substr(0, 4) == "rgb:" || spec.substr(0, 4) == "RGB:"))
        return parseRgb(spec.substr(4));
    return parseName(spec);
}

std::string formatColorSpec(Rgb rgb) {
    char out[32];
    const unsigned r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
    std::snprintf(out, sizeof out, "rgb:%04x/%04x/%04x", r * 0x101, g * 0x101, b * 0x101);
    return out;
}

Rgb xtermPaletteColor(int index) {
    if (index < 16)
        return 0;
    if (index < 232) {
        // 6×6×6 cube: levels 0, 95, 135, 175, 215, 255.
        const int v = index - 16;
        auto level = [](int x) { return unsigned(x == 0 ? 0 : 55 + 40 * x); };
        return pack(level(v / 36), level((v / 6) % 6), level(v % 6));
    }
    const unsigned grey = unsigned(8 + 10 * (std::min(index, 255) - 232));
    return pack(grey, grey, grey);
}

std::array<Rgb, 256> TerminalColors::xtermPalette() {
    std::array<Rgb, 256> p = {0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
                              0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff};
    for (int i = 16; i < 256; ++i)
        p[std::size_t(i)] = xtermPaletteColor(i);
    return p;
}

void DynamicColors::setBase(const TerminalColors& base) {
    base_ = base;
    recompute();
}

void DynamicColors::recompute() {
    effective_ = base_;
    if (dynamic_[0])
        effective_.foreground = *dynamic_[0];
    if (dynamic_[1])
        effective_.background = *dynamic_[1];
    if (dynamic_[2])
        effective_.cursor = *dynamic_[2];
    for (std::size_t i = 0; i < palette_.size(); ++i)
        if (palette_[i])
            effective_.palette[i] = *palette_[i];
}

bool DynamicColors::resetAll() {
    const TerminalColors before = effective_;
    dynamic_.fill(std::nullopt);
    palette_.fill(std::nullopt);
    recompute();
    return !(before == effective_);
}

DynamicColors::Outcome DynamicColors::apply(std::string_view command, std::string_view rest,
                                            std::string_view terminator) {
    const TerminalColors before = effective_;
    Outcome out;
    if (command == "10" || command == "11" || command == "12") {
        out = dynamic(10 + (command[1] - '0'), rest, terminator);
    } else if (command == "4") {
        out = palette(rest, terminator);
    } else if (command == "104") {
        out = resetPalette(rest);
    } else if (command == "110" || command == "111" || command == "112") {
        // Reset one dynamic colour; xterm ignores any parameter.
        dynamic_[std::size_t(command[2] - '0')] = std::nullopt;
        out.handled = true;
    } else {
        return out;
    }
    recompute();
    out.changed = !(before == effective_);
    return out;
}

// OSC 10/11/12: "Ps ; Pt" where each further ";Pt" moves on to the next dynamic colour
// (xterm: "OSC 10 ; fg ; bg" sets both). "?" queries, anything else is a colour to set.
DynamicColors::Outcome DynamicColors::dynamic(int first, std::string_view rest, std::string_view terminator) {
    Outcome out;
    out.handled = true;
    int which = first;
    while (which <= 12) {
        const std::string_view spec = nextField(rest);
        Rgb* current = which == 10 ? &effective_.foreground : which == 11 ? &effective_.background : &effective_.cursor;
        if (spec == "?") {
            out.reply += "\x1b]" + std::to_string(which) + ';' + formatColorSpec(*current);
            out.reply += terminator;
        } else if (const auto rgb = parseColorSpec(spec)) {
            dynamic_[std::size_t(which - 10)] = *rgb;
            *current = *rgb; // a later "?" in the same command sees it
        }
        if (rest.empty())
            break;
        ++which;
    }
    return out;
}

// OSC 4 ; c ; spec [; c ; spec …]: palette entry c (0–255) set or, for "?", queried.
DynamicColors::Outcome DynamicColors::palette(std::string_view rest, std::string_view terminator) {
    Outcome out;
    out.handled = true;
    for (int items = 0; !rest.empty() && items < kMaxItemsPerCommand; ++items) {
        const auto index = number(nextField(rest));
        const std::string_view spec = nextField(rest);
        if (!index || *index > 255)
            continue;
        const std::size_t i = std::size_t(*index);
        if (spec == "?") {
            out.reply += "\x1b]4;" + std::to_string(i) + ';' + formatColorSpec(effective_.palette[i]);
            out.reply += terminator;
        } else if (const auto rgb = parseColorSpec(spec)) {
            palette_[i] = *rgb;
            effective_.palette[i] = *rgb;
        }
    }
    return out;
}

// OSC 104 resets the whole palette; OSC 104 ; c [; c …] the entries named.
DynamicColors::Outcome DynamicColors::resetPalette(std::string_view rest) {
    Outcome out;
    out.handled = true;
    if (rest.empty()) {
        palette_.fill(std::nullopt);
        return out;
    }
    for (int items = 0; !rest.empty() && items < kMaxItemsPerCommand; ++items)
        if (const auto index = number(nextField(rest)); index && *index <= 255)
            palette_[std::size_t(*index)] = std::nullopt;
    return out;
}

} // namespace portal::terminal
