// Colour schemes for TerminalView: default foreground/background, the 16 ANSI colours, and
// the colours of the cursor, selection and search matches. The xterm 256-colour palette
// (16–231 colour cube, 232–255 grey ramp) is derived, not stored.
#pragma once

#include "Cell.h"
#include "DynamicColors.h"

#include <QColor>
#include <QString>
#include <QStringList>

#include <array>
#include <vector>

namespace portal::terminal {

struct ColorScheme {
    QString name;
    QColor foreground;
    QColor background;
    QColor cursor;
    QColor selectionBackground;
    QColor searchMatch;   // every match
    QColor currentMatch;  // the match search moved to
    std::array<QColor, 16> ansi;
    // Palette entries 16–255 when a host changed one (OSC 4); empty: xterm's, derived.
    std::vector<QColor> extended;

    // "Portal Dark" (the default), "Portal Light", "Solarized Dark", "Solarized Light",
    // "Tango", "Dracula". Unknown names give the default.
    static ColorScheme named(const QString& name);
    static QStringList names();

    // A cell colour as RGB: default → foreground/background, 0–15 → ansi, 16–255 → xterm's.
    QColor resolve(Color color, bool foreground) const;

    // The colours a TerminalEmulator answers OSC colour queries with.
    TerminalColors terminalColors() const;
    // This scheme with a terminal's colours (the scheme's, overridden by the host) in place.
    ColorScheme withColors(const TerminalColors& colors) const;
};

} // namespace portal::terminal
