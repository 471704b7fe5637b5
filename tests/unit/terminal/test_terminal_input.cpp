// xterm input encoding: key events → bytes in every cursor/keypad mode, mouse reports in every
// tracking mode and encoding, paste with and without bracketed paste.
#include "InputEncoder.h"

#include <QtTest>

using namespace portal::terminal;

Q_DECLARE_METATYPE(Qt::KeyboardModifiers)

namespace {
constexpr auto None = Qt::NoModifier;
constexpr auto Shift = Qt::ShiftModifier;
constexpr auto Ctrl = Qt::ControlModifier;
constexpr auto Alt = Qt::AltModifier;
constexpr auto Keypad = Qt::KeypadModifier;
} // namespace

class TestTerminalInput : public QObject {
    Q_OBJECT
private slots:
    void keys_data() {
        QTest::addColumn<int>("key");
        QTest::addColumn<Qt::KeyboardModifiers>("mods");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("appCursor");
        QTest::addColumn<bool>("appKeypad");
        QTest::addColumn<QByteArray>("bytes");
        auto row = [](const char* name, int key, Qt::KeyboardModifiers mods, const QString& text, bool ac, bool ak,
                      const QByteArray& bytes) { QTest::newRow(name) << key << mods << text << ac << ak << bytes; };
        // Text and control characters.
        row("a", Qt::Key_A, None, "a", false, false, "a");
        row("Shift+a", Qt::Key_A, Shift, "A", false, false, "A");
        row("UTF-8 text", Qt::Key_unknown, None, "\u00e9", false, false, "\xc3\xa9");
        row("Ctrl+a", Qt::Key_A, Ctrl, "\x01", false, false, "\x01");
        row("Ctrl+Shift+a", Qt::Key_A, Ctrl | Shift, "", false, false, "\x01");
        row("Ctrl+c", Qt::Key_C, Ctrl, "", false, false, "\x03");
        row("Ctrl+Space", Qt::Key_Space, Ctrl, "", false, false, QByteArray(1, '\0'));
        row("Ctrl+@", Qt::Key_At, Ctrl, "", false, false, QByteArray(1, '\0'));
        row("Ctrl+[", Qt::Key_BracketLeft, Ctrl, "", false, false, "\x1b");
        row("Ctrl+\\", Qt::Key_Backslash, Ctrl, "", false, false, "\x1c");
        row("Ctrl+]", Qt::Key_BracketRight, Ctrl, "", false, false, "\x1d");
        row("Ctrl+^", Qt::Key_AsciiCircum, Ctrl, "", false, false, "\x1e");
        row("Ctrl+_", Qt::Key_Underscore, Ctrl, "", false, false, "\x1f");
        row("Ctrl+/", Qt::Key_Slash, Ctrl, "", false, false, "\x1f");
        row("Ctrl+2", Qt::Key_2, Ctrl, "", false, false, QByteArray(1, '\0'));
        row("Ctrl+8", Qt::Key_8, Ctrl, "", false, false, "\x7f");
        row("Alt+a (Meta sends Escape)", Qt::Key_A, Alt, "a", false, false, "\x1b" "a");
        row("Alt+a without text", Qt::Key_A, Alt, "", false, false, "\x1b" "a");
        row("Alt+Shift+a without text", Qt::Key_A, Alt | Shift, "", false, false, "\x1b" "A");
        row("Ctrl+Alt+a", Qt::Key_A, Ctrl | Alt, "", false, false, "\x1b\x01");
        row("Return", Qt::Key_Return, None, "\r", false, false, "\r");
        row("Alt+Return", Qt::Key_Return, Alt, "\r", false, false, "\x1b\r");
        row("Tab", Qt::Key_Tab, None, "\t", false, false, "\t");
        row("Shift+Tab", Qt::Key_Backtab, Shift, "", false, false, "\x1b[Z");
        row("Backspace", Qt::Key_Backspace, None, "\b", false, false, "\x7f");
        row("Ctrl+Backspace", Qt::Key_Backspace, Ctrl, "", false, false, "\x08");
        row("Alt+Backspace", Qt::Key_Backspace, Alt, "", false, false, "\x1b\x7f");
        row("Escape", Qt::Key_Escape, None, "\x1b", false, false, "\x1b");
        row("Shift alone", Qt::Key_Shift, Shift, "", false, false, "");
        // Cursor keys in both DECCKM modes, with modifiers.
        row("Up", Qt::Key_Up, None, "", false, false, "\x1b[A");
        row("Up app", Qt::Key_Up, None, "", true, false, "\x1bOA");
        row("Down", Qt::Key_Down, None, "", false, false, "\x1b[B");
        row("Right app", Qt::Key_Right, None, "", true, false, "\x1bOC");
        row("Left", Qt::Key_Left, None, "", false, false, "\x1b[D");
        row("Shift+Up", Qt::Key_Up, Shift, "", false, false, "\x1b[1;2A");
        row("Alt+Left", Qt::Key_Left, Alt, "", false, false, "\x1b[1;3D");
        row("Ctrl+Right", Qt::Key_Right, Ctrl, "", false, false, "\x1b[1;5C");
        row("Ctrl+Right app", Qt::Key_Right, Ctrl, "", true, false, "\x1b[1;5C");
        row("Ctrl+Shift+Alt+Down", Qt::Key_Down, Ctrl | Shift | Alt, "", false, false, "\x1b[1;8B");
        row("Home", Qt::Key_Home, None, "", false, false, "\x1b[H");
        row("Home app", Qt::Key_Home, None, "", true, false, "\x1bOH");
        row("End", Qt::Key_End, None, "", false, false, "\x1b[F");
        row("End app", Qt::Key_End, None, "", true, false, "\x1bOF");
        row("Ctrl+End", Qt::Key_End, Ctrl, "", false, false, "\x1b[1;5F");
        // Editing keypad.
        row("Insert", Qt::Key_Insert, None, "", false, false, "\x1b[2~");
        row("Delete", Qt::Key_Delete, None, "", false, false, "\x1b[3~");
        row("Shift+Delete", Qt::Key_Delete, Shift, "", false, false, "\x1b[3;2~");
        row("PageUp", Qt::Key_PageUp, None, "", false, false, "\x1b[5~");
        row("PageDown", Qt::Key_PageDown, None, "", false, false, "\x1b[6~");
        row("Ctrl+PageDown", Qt::Key_PageDown, Ctrl, "", false, false, "\x1b[6;5~");
        // Function keys.
        row("F1", Qt::Key_F1, None, "", false, false, "\x1bOP");
        row("F4", Qt::Key_F4, None, "", false, false, "\x1bOS");
        row("Shift+F1", Qt::Key_F1, Shift, "", false, false, "\x1b[1;2P");
        row("Ctrl+F3", Qt::Key_F3, Ctrl, "", false, false, "\x1b[1;5R");
        row("F5", Qt::Key_F5, None, "", false, false, "\x1b[15~");
        row("F6", Qt::Key_F6, None, "", false, false, "\x1b[17~");
        row("F10", Qt::Key_F10, None, "", false, false, "\x1b[21~");
        row("F11", Qt::Key_F11, None, "", false, false, "\x1b[23~");
        row("F12", Qt::Key_F12, None, "", false, false, "\x1b[24~");
        row("Alt+F12", Qt::Key_F12, Alt, "", false, false, "\x1b[24;3~");
        row("F13", Qt::Key_F13, None, "", false, false, "\x1b[1;2P");
        row("F24", Qt::Key_F24, None, "", false, false, "\x1b[24;2~");
        row("F1 app cursor", Qt::Key_F1, None, "", true, false, "\x1bOP");
        // Numeric keypad.
        row("KP 5 numeric", Qt::Key_5, Keypad, "5", false, false, "5");
        row("KP 5 application", Qt::Key_5, Keypad, "5", false, true, "\x1bOu");
        row("KP 0 application", Qt::Key_0, Keypad, "0", false, true, "\x1bOp");
        row("KP + application", Qt::Key_Plus, Keypad, "+", false, true, "\x1bOk");
        row("KP - application", Qt::Key_Minus, Keypad, "-", false, true, "\x1bOm");
        row("KP * application", Qt::Key_Asterisk, Keypad, "*", false, true, "\x1bOj");
        row("KP / application", Qt::Key_Slash, Keypad, "/", false, true, "\x1bOo");
        row("KP . application", Qt::Key_Period, Keypad, ".", false, true, "\x1bOn");
        row("KP Enter numeric", Qt::Key_Enter, Keypad, "\r", false, false, "\r");
        row("KP Enter application", Qt::Key_Enter, Keypad, "\r", false, true, "\x1bOM");
        row("KP Up application keypad", Qt::Key_Up, Keypad, "", false, true, "\x1b[A");
        row("main 5 in application keypad", Qt::Key_5, None, "5", false, true, "5");
    }
    void keys() {
        QFETCH(int, key);
        QFETCH(Qt::KeyboardModifiers, mods);
        QFETCH(QString, text);
        QFETCH(bool, appCursor);
        QFETCH(bool, appKeypad);
        QFETCH(QByteArray, bytes);
        TerminalModes m;
        m.applicationCursor = appCursor;
        m.applicationKeypad = appKeypad;
        QCOMPARE(encodeKey(key, mods, text, m).toHex(' '), bytes.toHex(' '));
    }

    void mouse_data() {
        using K = MouseEvent::Kind;
        using M = TerminalModes::Mouse;
        using E = TerminalModes::MouseEncoding;
        QTest::addColumn<int>("mode");
        QTest::addColumn<int>("encoding");
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("button");
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("col");
        QTest::addColumn<Qt::KeyboardModifiers>("mods");
        QTest::addColumn<QByteArray>("bytes");
        auto row = [](const char* name, M mode, E enc, K kind, int button, int r, int c, Qt::KeyboardModifiers mods,
                      const QByteArray& bytes) {
            QTest::newRow(name) << int(mode) << int(enc) << int(kind) << button << r << c << mods << bytes;
        };
        row("off", M::Off, E::Default, K::Press, 0, 0, 0, None, "");
        row("X10 press", M::Click, E::Default, K::Press, 0, 2, 4, None, "\x1b[M %#");
        row("X10 release", M::Click, E::Default, K::Release, 0, 2, 4, None, "\x1b[M#%#");
        row("X10 right + ctrl", M::Click, E::Default, K::Press, 2, 0, 0, Ctrl, "\x1b[M2!!");
        row("X10 wheel up", M::Click, E::Default, K::WheelUp, 0, 0, 0, None, "\x1b[M`!!");
        row("X10 wheel down", M::Click, E::Default, K::WheelDown, 0, 0, 0, None, "\x1b[Ma!!");
        row("X10 beyond 223", M::Click, E::Default, K::Press, 0, 0, 300, None, "");
        row("click mode ignores motion", M::Click, E::Default, K::Move, 0, 1, 1, None, "");
        row("drag mode reports drag", M::Drag, E::Default, K::Move, 0, 1, 1, None, "\x1b[M@\"\"");
        row("drag mode ignores hover", M::Drag, E::Default, K::Move, -1, 1, 1, None, "");
        row("motion mode reports hover", M::Motion, E::Default, K::Move, -1, 1, 1, None, "\x1b[MC\"\"");
        row("SGR press", M::Click, E::Sgr, K::Press, 0, 2, 4, None, "\x1b[<0;5;3M");
        row("SGR release keeps button", M::Click, E::Sgr, K::Release, 2, 2, 4, None, "\x1b[<2;5;3m");
        row("SGR shift+alt", M::Click, E::Sgr, K::Press, 1, 0, 0, Shift | Alt, "\x1b[<13;1;1M");
        row("SGR far", M::Click, E::Sgr, K::Press, 0, 299, 999, None, "\x1b[<0;1000;300M");
        row("SGR wheel", M::Click, E::Sgr, K::WheelDown, 0, 0, 0, None, "\x1b[<65;1;1M");
        row("urxvt", M::Click, E::Urxvt, K::Press, 0, 2, 4, None, "\x1b[32;5;3M");
        row("UTF-8 far", M::Click, E::Utf8, K::Press, 0, 0, 299, None, "\x1b[M \xc5\x8c!");
    }
    void mouse() {
        QFETCH(int, mode);
        QFETCH(int, encoding);
        QFETCH(int, kind);
        QFETCH(int, button);
        QFETCH(int, row);
        QFETCH(int, col);
        QFETCH(Qt::KeyboardModifiers, mods);
        QFETCH(QByteArray, bytes);
        TerminalModes m;
        m.mouse = TerminalModes::Mouse(mode);
        m.mouseEncoding = TerminalModes::MouseEncoding(encoding);
        MouseEvent e{MouseEvent::Kind(kind), button, row, col, mods};
        QCOMPARE(encodeMouse(e, m).toHex(' '), bytes.toHex(' '));
    }

    void paste_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("bracketed");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("confirm");
        QTest::newRow("one line") << "ls -l" << false << QByteArray("ls -l") << false;
        QTest::newRow("one line bracketed") << "ls" << true << QByteArray("\x1b[200~ls\x1b[201~") << false;
        QTest::newRow("multi-line asks") << "a\nb\n" << false << QByteArray("a\rb\r") << true;
        QTest::newRow("CRLF") << "a\r\nb" << false << QByteArray("a\rb") << true;
        QTest::newRow("multi-line bracketed") << "a\nb" << true << QByteArray("\x1b[200~a\rb\x1b[201~") << false;
        QTest::newRow("end marker removed") << "x\x1b[201~rm -rf ~\n" << true
                                            << QByteArray("\x1b[200~xrm -rf ~\r\x1b[201~") << false;
        QTest::newRow("nested marker removed") << "\x1b[20\x1b[201~1~" << true << QByteArray("\x1b[200~\x1b[201~") << false;
        QTest::newRow("UTF-8") << "\u4e2d" << false << QByteArray("\xe4\xb8\xad") << false;
    }
    void paste() {
        QFETCH(QString, text);
        QFETCH(bool, bracketed);
        QFETCH(QByteArray, bytes);
        QFETCH(bool, confirm);
        TerminalModes m;
        m.bracketedPaste = bracketed;
        QCOMPARE(encodePaste(text, m).toHex(' '), bytes.toHex(' '));
        QCOMPARE(pasteNeedsConfirmation(text, m), confirm);
    }
};

QTEST_GUILESS_MAIN(TestTerminalInput)
#include "test_terminal_input.moc"
