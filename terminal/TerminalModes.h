// The input-side modes an application sets (xterm ctlseqs, "DEC Private Mode Set") that decide
// how keys, mouse, paste and focus are encoded.
#pragma once

namespace portal::terminal {

struct TerminalModes {
    enum class Mouse { Off, Click, Drag, Motion };            // 9/1000, 1002, 1003
    enum class MouseEncoding { Default, Utf8, Sgr, Urxvt };   // X10 bytes, 1005, 1006, 1015

    bool applicationCursor = false; // DECCKM, ?1
    bool applicationKeypad = false; // DECKPAM (ESC =) / DECKPNM (ESC >)
    bool bracketedPaste = false;    // ?2004
    bool focusEvents = false;       // ?1004
    bool alternateScreen = false;   // ?47, ?1047, ?1049 (reported by libvterm)
    Mouse mouse = Mouse::Off;
    MouseEncoding mouseEncoding = MouseEncoding::Default;

    bool operator==(const TerminalModes&) const = default;
};

} // namespace portal::terminal
