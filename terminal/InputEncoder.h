// Keys, mouse, paste and focus to the bytes xterm sends for them (xterm ctlseqs: "PC-Style
// Function Keys", "Mouse Tracking", "Bracketed Paste Mode"), given the modes the host set.
// Pure functions of their inputs, so every mode can be tested from a table.
#pragma once

#include "TerminalModes.h"

#include <QByteArray>
#include <QString>
#include <Qt>

namespace portal::terminal {

// `key` is a Qt::Key, `text` what the keyboard layout produced for it (may be empty).
// Qt::KeypadModifier marks keys of the numeric keypad. Returns empty for keys that send
// nothing (lone modifiers, unknown keys).
QByteArray encodeKey(int key, Qt::KeyboardModifiers modifiers, const QString& text, const TerminalModes& modes);

struct MouseEvent {
    enum class Kind { Press, Release, Move, WheelUp, WheelDown };
    Kind kind = Kind::Press;
    int button = 0; // 0 left, 1 middle, 2 right; for Move: the held button, or -1 for none
    int row = 0;    // 0-based cell
    int column = 0;
    Qt::KeyboardModifiers modifiers;
};

// Empty when the current mouse mode does not report this event, or when the default encoding
// cannot express the position (beyond column/row 223).
QByteArray encodeMouse(const MouseEvent& event, const TerminalModes& modes);

// Text to paste as bytes: line breaks become CR as a terminal's Enter does; with bracketed
// paste on, the text is wrapped in ESC [200~ … ESC [201~ and any ESC [201~ inside it is
// removed so the pasted text cannot end the bracket early.
QByteArray encodePaste(const QString& text, const TerminalModes& modes);

// Whether pasting `text` without bracketed paste could run commands: it has a line break.
bool pasteNeedsConfirmation(const QString& text, const TerminalModes& modes);

} // namespace portal::terminal
