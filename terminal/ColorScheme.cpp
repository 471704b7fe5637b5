// Colour schemes; palettes as published by their authors (Solarized: Ethan Schoonover;
// Tango: the Tango Desktop Project; Dracula: draculatheme.com).
#include "ColorScheme.h"

namespace portal::terminal {
namespace {

ColorScheme make(const char* name, const char* fg, const char* bg, const char* cursor, const char* selection,
                 std::array<const char*, 16> ansi) {
    ColorScheme s;
    s.name = QString::fromLatin1(name);
    s.foreground = QColor(QLatin1String(fg));
    s.background = QColor(QLatin1String(bg));
    s.cursor = QColor(QLatin1String(cursor));
    s.selectionBackground = QColor(QLatin1String(selection));
    s.searchMatch = QColor(0xd7, 0xa6, 0x00);
    s.currentMatch = QColor(0xff, 0x6e, 0x00);
    for (std::size_t i = 0; i < 16; ++i)
        s.ansi[i] = QColor(QLatin1String(ansi[i]));
    return s;
}

const std::array<ColorScheme, 6>& schemes() {
    static const std::array<ColorScheme, 6> all = {
        make("Portal Dark", "#d0d0d0", "#1c1c1c", "#e0e0e0", "#3a5f8a",
             {"#2e2e2e", "#e06c75", "#98c379", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#d0d0d0", "#5c6370",
              "#ff7b86", "#b5e890", "#ffd68a", "#8cc8ff", "#e099ff", "#7fd6e0", "#ffffff"}),
        make("Portal Light", "#2a2a2a", "#fbfbfb", "#202020", "#b5d5ff",
             {"#000000", "#c4262e", "#2d8a2d", "#a06c00", "#1f5fbf", "#9a37a8", "#1a8a94", "#bcbcbc", "#6a6a6a",
              "#e0454c", "#3fae3f", "#c38a00", "#3b7ee0", "#bb55c9", "#2aa9b5", "#ffffff"}),
        make("Solarized Dark", "#839496", "#002b36", "#93a1a1", "#073642",
             {"#073642", "#dc322f", "#859900", "#b58900", "#268bd2", "#d33682", "#2aa198", "#eee8d5", "#002b36",
              "#cb4b16", "#586e75", "#657b83", "#839496", "#6c71c4", "#93a1a1", "#fdf6e3"}),
        make("Solarized Light", "#657b83", "#fdf6e3", "#586e75", "#eee8d5",
             {"#073642", "#dc322f", "#859900", "#b58900", "#268bd2", "#d33682", "#2aa198", "#eee8d5", "#002b36",
              "#cb4b16", "#586e75", "#657b83", "#839496", "#6c71c4", "#93a1a1", "#fdf6e3"}),
        make("Tango", "#d3d7cf", "#2e3436", "#d3d7cf", "#4e6a8a",
             {"#2e3436", "#cc0000", "#4e9a06", "#c4a000", "#3465a4", "#75507b", "#06989a", "#d3d7cf", "#555753",
              "#ef2929", "#8ae234", "#fce94f", "#729fcf", "#ad7fa8", "#34e2e2", "#eeeeec"}),
        make("Dracula", "#f8f8f2", "#282a36", "#f8f8f2", "#44475a",
             {"#21222c", "#ff5555", "#50fa7b", "#f1fa8c", "#bd93f9", "#ff79c6", "#8be9fd", "#f8f8f2", "#6272a4",
              "#ff6e6e", "#69ff94", "#ffffa5", "#d6acff", "#ff92df", "#a4ffff", "#ffffff"}),
    };
    return all;
}

} // namespace

ColorScheme ColorScheme::named(const QString& name) {
    for (const ColorScheme& s : schemes())
        if (s.name.compare(name, Qt::CaseInsensitive) == 0)
            return s;
    return schemes()[0];
}

QStringList ColorScheme::names() {
    QStringList out;
    for (const ColorScheme& s : schemes())
        out << s.name;
    return out;
}

QColor ColorScheme::resolve(Color c, bool isForeground) const {
    switch (c.kind()) {
    case Color::Kind::Default: return isForeground ? foreground : background;
    case Color::Kind::Rgb: return QColor(c.red(), c.green(), c.blue());
    case Color::Kind::Indexed: break;
    }
    const int i = c.index();
    if (i < 16)
        return ansi[std::size_t(i)];
    if (!extended.empty())
        return extended[std::size_t(i - 16)];
    const Rgb rgb = xtermPaletteColor(i);
    return QColor::fromRgb(QRgb(rgb));
}

TerminalColors ColorScheme::terminalColors() const {
    TerminalColors c;
    c.foreground = foreground.rgb() & 0xffffff;
    c.background = background.rgb() & 0xffffff;
    c.cursor = cursor.rgb() & 0xffffff;
    for (std::size_t i = 0; i < 16; ++i)
        c.palette[i] = ansi[i].rgb() & 0xffffff;
    return c;
}

ColorScheme ColorScheme::withColors(const TerminalColors& colors) const {
    auto color = [](Rgb rgb) { return QColor::fromRgb(QRgb(rgb)); };
    ColorScheme s = *this;
    s.foreground = color(colors.foreground);
    s.background = color(colors.background);
    s.cursor = color(colors.cursor);
    for (std::size_t i = 0; i < 16; ++i)
        s.ansi[i] = color(colors.palette[i]);
    s.extended.clear();
    for (int i = 16; i < 256; ++i) {
        if (colors.palette[std::size_t(i)] != xtermPaletteColor(i)) {
            s.extended.resize(240);
            for (int k = 16; k < 256; ++k)
                s.extended[std::size_t(k - 16)] = color(colors.palette[std::size_t(k)]);
            break;
        }
    }
    return s;
}

} // namespace portal::terminal
