// xterm's input encoding; see InputEncoder.h and xterm ctlseqs ("PC-Style Function Keys",
// "Mouse Tracking", "Bracketed Paste Mode").
#include "InputEncoder.h"

#include <algorithm>

namespace portal::terminal {
namespace {

// xterm's modifier parameter: 1 + (Shift 1 | Alt 2 | Ctrl 4).
int modifierBits(Qt::KeyboardModifiers m) {
    return ((m & Qt::ShiftModifier) ? 1 : 0) | ((m & Qt::AltModifier) ? 2 : 0) | ((m & Qt::ControlModifier) ? 4 : 0);
}

// Cursor-style keys: ESC [ X, or ESC O X in application cursor mode, or ESC [ 1 ; m X.
QByteArray cursorKey(char final, int bits, bool application) {
    if (bits == 0)
        return QByteArray(application ? "\x1bO" : "\x1b[") + final;
    return "\x1b[1;" + QByteArray::number(1 + bits) + final;
}

// Editing and function keys: ESC [ n ~, or ESC [ n ; m ~.
QByteArray tildeKey(int number, int bits) {
    if (bits == 0)
        return "\x1b[" + QByteArray::number(number) + '~';
    return "\x1b[" + QByteArray::number(number) + ';' + QByteArray::number(1 + bits) + '~';
}

// F1–F4 are SS3 P…S; with modifiers CSI 1 ; m P…S.
QByteArray functionKey(int n, int bits) {
    static constexpr int kTilde[] = {0, 0, 0, 0, 0, 15, 17, 18, 19, 20, 21, 23, 24};
    if (n <= 4) {
        const char final = char('P' + n - 1);
        if (bits == 0)
            return QByteArray("\x1bO") + final;
        return "\x1b[1;" + QByteArray::number(1 + bits) + final;
    }
    return tildeKey(kTilde[n], bits);
}

// The C0 control Ctrl+key produces on a VT220-style keyboard, or -1.
int controlCode(int key) {
    if (key >= Qt::Key_A && key <= Qt::Key_Z)
        return key - Qt::Key_A + 1;
    switch (key) {
    case Qt::Key_At:
    case Qt::Key_Space:
    case Qt::Key_2: return 0x00;
    case Qt::Key_BracketLeft:
    case Qt::Key_3: return 0x1b;
    case Qt::Key_Backslash:
    case Qt::Key_4: return 0x1c;
    case Qt::Key_BracketRight:
    case Qt::Key_5: return 0x1d;
    case Qt::Key_AsciiCircum:
    case Qt::Key_AsciiTilde:
    case Qt::Key_6: return 0x1e;
    case Qt::Key_Underscore:
    case Qt::Key_Slash:
    case Qt::Key_Minus:
    case Qt::Key_7: return 0x1f;
    case Qt::Key_Question:
    case Qt::Key_8: return 0x7f;
    default: return -1;
    }
}

// Application keypad (DECKPAM): SS3 followed by the key's code.
char keypadCode(int key) {
    if (key >= Qt::Key_0 && key <= Qt::Key_9)
        return char('p' + (key - Qt::Key_0));
    switch (key) {
    case Qt::Key_Asterisk: return 'j';
    case Qt::Key_Plus: return 'k';
    case Qt::Key_Comma: return 'l';
    case Qt::Key_Minus: return 'm';
    case Qt::Key_Period: return 'n';
    case Qt::Key_Slash: return 'o';
    case Qt::Key_Equal: return 'X';
    case Qt::Key_Enter: return 'M';
    default: return 0;
    }
}

QByteArray withMeta(bool alt, QByteArray bytes) { return alt ? "\x1b" + bytes : bytes; }

void appendCoordinate(QByteArray& out, int value) {
    // DECSET 1005: the coordinate + 32 as UTF-8.
    const char32_t c = char32_t(value + 32);
    out += QString::fromUcs4(&c, 1).toUtf8();
}

} // namespace

QByteArray encodeKey(int key, Qt::KeyboardModifiers modifiers, const QString& text, const TerminalModes& modes) {
    const bool alt = modifiers & Qt::AltModifier;
    const bool ctrl = modifiers & Qt::ControlModifier;
    const bool keypad = modifiers & Qt::KeypadModifier;
    int bits = modifierBits(modifiers);

    if (key >= Qt::Key_F13 && key <= Qt::Key_F24) {
        // xterm numbers F13–F24 as shifted F1–F12.
        key = Qt::Key_F1 + (key - Qt::Key_F13);
        bits |= 1;
    }
    if (key >= Qt::Key_F1 && key <= Qt::Key_F12)
        return functionKey(key - Qt::Key_F1 + 1, bits);

    switch (key) {
    case Qt::Key_Up: return cursorKey('A', bits, modes.applicationCursor);
    case Qt::Key_Down: return cursorKey('B', bits, modes.applicationCursor);
    case Qt::Key_Right: return cursorKey('C', bits, modes.applicationCursor);
    case Qt::Key_Left: return cursorKey('D', bits, modes.applicationCursor);
    case Qt::Key_Home: return cursorKey('H', bits, modes.applicationCursor);
    case Qt::Key_End: return cursorKey('F', bits, modes.applicationCursor);
    case Qt::Key_Insert: return tildeKey(2, bits);
    case Qt::Key_Delete: return tildeKey(3, bits);
    case Qt::Key_PageUp: return tildeKey(5, bits);
    case Qt::Key_PageDown: return tildeKey(6, bits);
    case Qt::Key_Backspace: return withMeta(alt, ctrl ? QByteArray("\x08") : QByteArray("\x7f"));
    case Qt::Key_Backtab: return "\x1b[Z";
    case Qt::Key_Tab: return (modifiers & Qt::ShiftModifier) ? QByteArray("\x1b[Z") : withMeta(alt, "\t");
    case Qt::Key_Escape: return withMeta(alt, "\x1b");
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (keypad && key == Qt::Key_Enter && modes.applicationKeypad)
            return "\x1bOM";
        return withMeta(alt, "\r");
    case Qt::Key_Shift:
    case Qt::Key_Control:
    case Qt::Key_Alt:
    case Qt::Key_Meta:
    case Qt::Key_AltGr:
    case Qt::Key_CapsLock:
    case Qt::Key_NumLock:
    case Qt::Key_ScrollLock:
    case Qt::Key_Super_L:
    case Qt::Key_Super_R:
    case Qt::Key_Hyper_L:
    case Qt::Key_Hyper_R: return {};
    default: break;
    }

    if (keypad && modes.applicationKeypad && !ctrl && !alt) {
        if (const char code = keypadCode(key))
            return QByteArray("\x1bO") + code;
    }
    if (ctrl) {
        const int code = controlCode(key);
        if (code >= 0)
            return withMeta(alt, QByteArray(1, char(code)));
    }
    QString produced = text;
    // With Alt, some platforms report no text; fall back to the key's own character.
    if (produced.isEmpty() && alt && key >= 0x20 && key < 0x7f) {
        const QChar c(key);
        produced = (modifiers & Qt::ShiftModifier) ? QString(c.toUpper()) : QString(c.toLower());
    }
    if (produced.isEmpty())
        return {};
    // Text a layout produced with Ctrl held is already a control character; keep it.
    return withMeta(alt, produced.toUtf8());
}

QByteArray encodeMouse(const MouseEvent& e, const TerminalModes& modes) {
    using Mode = TerminalModes::Mouse;
    using Kind = MouseEvent::Kind;
    if (modes.mouse == Mode::Off)
        return {};
    int code = 0;
    bool release = false;
    switch (e.kind) {
    case Kind::Press: code = std::clamp(e.button, 0, 2); break;
    case Kind::Release:
        code = modes.mouseEncoding == TerminalModes::MouseEncoding::Sgr ? std::clamp(e.button, 0, 2) : 3;
        release = true;
        break;
    case Kind::Move:
        if (modes.mouse == Mode::Click || (modes.mouse == Mode::Drag && e.button < 0))
            return {};
        code = 32 + (e.button < 0 ? 3 : std::clamp(e.button, 0, 2));
        break;
    case Kind::WheelUp: code = 64; break;
    case Kind::WheelDown: code = 65; break;
    }
    if (e.modifiers & Qt::ShiftModifier)
        code += 4;
    if (e.modifiers & Qt::AltModifier)
        code += 8;
    if (e.modifiers & Qt::ControlModifier)
        code += 16;
    const int x = std::max(e.column, 0) + 1;
    const int y = std::max(e.row, 0) + 1;

    switch (modes.mouseEncoding) {
    case TerminalModes::MouseEncoding::Sgr:
        return "\x1b[<" + QByteArray::number(code) + ';' + QByteArray::number(x) + ';' + QByteArray::number(y) +
               (release ? 'm' : 'M');
    case TerminalModes::MouseEncoding::Urxvt:
        return "\x1b[" + QByteArray::number(code + 32) + ';' + QByteArray::number(x) + ';' + QByteArray::number(y) + 'M';
    case TerminalModes::MouseEncoding::Utf8: {
        if (x > 2015 || y > 2015)
            return {};
        QByteArray out("\x1b[M");
        out += char(32 + code);
        appendCoordinate(out, x);
        appendCoordinate(out, y);
        return out;
    }
    case TerminalModes::MouseEncoding::Default:
        if (x > 223 || y > 223)
            return {};
        QByteArray out("\x1b[M");
        out += char(32 + code);
        out += char(32 + x);
        out += char(32 + y);
        return out;
    }
    return {};
}

QByteArray encodePaste(const QString& text, const TerminalModes& modes) {
    QString normalised = text;
    normalised.replace(QLatin1String("\r\n"), QLatin1String("\r"));
    normalised.replace(QLatin1Char('\n'), QLatin1Char('\r'));
    QByteArray bytes = normalised.toUtf8();
    if (!modes.bracketedPaste)
        return bytes;
    // Remove bracket markers until none is left (removal can join the halves of another).
    for (;;) {
        const qsizetype before = bytes.size();
        bytes.replace("\x1b[201~", "");
        bytes.replace("\x1b[200~", "");
        if (bytes.size() == before)
            break;
    }
    return "\x1b[200~" + bytes + "\x1b[201~";
}

bool pasteNeedsConfirmation(const QString& text, const TerminalModes& modes) {
    return !modes.bracketedPaste && (text.contains(QLatin1Char('\n')) || text.contains(QLatin1Char('\r')));
}

} // namespace portal::terminal
