// TerminalEmulator: byte streams → screen cells, attributes, cursor, titles, replies, modes,
// scrollback and reflow; and the hostile sequences that have hurt terminals before.
#include "EmulatorComparison.h"
#include "Scrollback.h"
#include "StreamScanner.h"
#include "TerminalEmulator.h"
#include "TerminalTestTools.h"
#include "VTermCompat.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QtTest>

#include <deque>
#include <memory>

using namespace portal::terminal;
using portal::terminal::testing::feed;

namespace {

std::unique_ptr<TerminalEmulator> make(int rows, int cols, TerminalEmulator::Options o = {}) {
    return std::make_unique<TerminalEmulator>(rows, cols, o);
}

QStringList screen(const TerminalEmulator& t) {
    QStringList rows;
    for (int r = 0; r < t.rows(); ++r)
        rows << t.text(r);
    while (!rows.isEmpty() && rows.last().isEmpty())
        rows.removeLast();
    return rows;
}

QStringList history(const TerminalEmulator& t) {
    QStringList rows;
    for (int r = -t.historySize(); r < 0; ++r)
        rows << t.text(r);
    return rows;
}

const Style& styleAt(const TerminalEmulator& t, int row, int col) {
    std::vector<Cell> scratch;
    return t.style(t.line(row, scratch)[std::size_t(col)].style);
}

} // namespace

class TestTerminalEmulator : public QObject {
    Q_OBJECT
private slots:
    void screenContent_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<int>("cursorRow");
        QTest::addColumn<int>("cursorCol");

        QTest::newRow("plain") << 3 << 10 << QByteArray("hello") << QStringList{"hello"} << 0 << 5;
        QTest::newRow("CR LF") << 3 << 10 << QByteArray("ab\r\ncd") << QStringList{"ab", "cd"} << 1 << 2;
        QTest::newRow("autowrap") << 3 << 5 << QByteArray("abcdefg") << QStringList{"abcde", "fg"} << 1 << 2;
        QTest::newRow("CUP") << 3 << 10 << QByteArray("\033[2;3Hx") << QStringList{"", "  x"} << 1 << 3;
        QTest::newRow("EL") << 3 << 10 << QByteArray("abcdef\033[3D\033[K") << QStringList{"abc"} << 0 << 3;
        QTest::newRow("ED") << 3 << 10 << QByteArray("ab\r\ncd\033[2J") << QStringList{} << 1 << 2;
        QTest::newRow("ICH") << 3 << 10 << QByteArray("abc\r\033[2@") << QStringList{"  abc"} << 0 << 0;
        QTest::newRow("DCH") << 3 << 10 << QByteArray("abcde\r\033[2P") << QStringList{"cde"} << 0 << 0;
        QTest::newRow("IL") << 3 << 10 << QByteArray("a\r\nb\033[1;1H\033[L") << QStringList{"", "a", "b"} << 0 << 0;
        QTest::newRow("DL") << 3 << 10 << QByteArray("a\r\nb\r\nc\033[1;1H\033[M") << QStringList{"b", "c"} << 0 << 0;
        QTest::newRow("scroll region") << 4 << 10 << QByteArray("1\r\n2\r\n3\r\n4\033[2;3r\033[3;1H\n\nX")
                                       << QStringList{"1", "", "X", "4"} << 2 << 1;
        QTest::newRow("scroll region beyond the screen") << 3 << 10 << QByteArray("1\r\n2\r\n3\033[2;99r\033[3;1H\n")
                                                         << QStringList{"1", "3"} << 2 << 0;
        QTest::newRow("empty scroll region ignored") << 3 << 10 << QByteArray("1\r\n2\r\n3\033[3;2r\033[3;1H\n")
                                                     << QStringList{"2", "3"} << 2 << 0;
        QTest::newRow("tab") << 3 << 20 << QByteArray("a\tb") << QStringList{"a       b"} << 0 << 9;
        QTest::newRow("UTF-8") << 3 << 10 << QByteArray("h\xc3\xa9llo") << QStringList{"h\u00e9llo"} << 0 << 5;
        QTest::newRow("wide CJK") << 3 << 10 << QByteArray("\xe4\xb8\xad\xe6\x96\x87!")
                                  << QStringList{"\u4e2d\u6587!"} << 0 << 5;
        QTest::newRow("emoji") << 3 << 10 << QByteArray("\xf0\x9f\x98\x80x") << QStringList{"\U0001F600x"} << 0 << 3;
        QTest::newRow("combining") << 3 << 10 << QByteArray("e\xcc\x81" "x") << QStringList{"e\u0301x"} << 0 << 2;
        QTest::newRow("malformed UTF-8") << 3 << 10 << QByteArray("a\xff" "b") << QStringList{"a\ufffdb"}
                                         << 0 << 3;
        QTest::newRow("REP") << 3 << 10 << QByteArray("z\033[3b") << QStringList{"zzzz"} << 0 << 4;
        QTest::newRow("REP wraps like typed text") << 3 << 4 << QByteArray("z\033[5b") << QStringList{"zzzz", "zz"} << 1 << 2;
        QTest::newRow("REP repeats clusters") << 3 << 10 << QByteArray("e\xcc\x81\033[2b") << QStringList{"e\u0301e\u0301e\u0301"} << 0 << 3;
        QTest::newRow("REP before any glyph") << 3 << 10 << QByteArray("\033[5bx") << QStringList{"x"} << 0 << 1;
        QTest::newRow("huge REP is capped at a screenful") << 3 << 10 << QByteArray("z\033[99999b")
                                                           << QStringList{"zzzzzzzzzz", "zzzzzzzzzz", "z"} << 2 << 1;
        // Uncapped this would be 2^31 lines.
        QTest::newRow("REP at one column") << 3 << 1 << QByteArray("z\033[2147483647b!")
                                           << QStringList{"z", "z", "!"} << 2 << 0;
        QTest::newRow("box drawing") << 3 << 10 << QByteArray("\xe2\x94\x8c\xe2\x94\x80\xe2\x94\x90")
                                     << QStringList{"\u250c\u2500\u2510"} << 0 << 3;
        QTest::newRow("DEC graphics") << 3 << 10 << QByteArray("\033(0lqk\033(B") << QStringList{"\u250c\u2500\u2510"} << 0
                                      << 3;
        QTest::newRow("alternate screen") << 3 << 10 << QByteArray("main\033[?1049hALT") << QStringList{"    ALT"} << 0 << 7;
        QTest::newRow("alternate screen left") << 3 << 10 << QByteArray("main\033[?1049hALT\033[?1049l")
                                               << QStringList{"main"} << 0 << 4;
        QTest::newRow("scrolling at the bottom") << 2 << 10 << QByteArray("1\r\n2\r\n3") << QStringList{"2", "3"} << 1 << 1;
        QTest::newRow("reverse index at top") << 2 << 10 << QByteArray("1\r\n2\033[H\033M") << QStringList{"", "1"} << 0 << 0;
        QTest::newRow("RIS") << 3 << 10 << QByteArray("junk\033c") << QStringList{} << 0 << 0;
        QTest::newRow("OSC never reaches the screen") << 3 << 10 << QByteArray("a\033]2;title\007b\033]0;x\033\\c")
                                                      << QStringList{"abc"} << 0 << 3;
        QTest::newRow("CAN aborts OSC") << 3 << 10 << QByteArray("a\033]2;t\030b") << QStringList{"ab"} << 0 << 2;
        // Transitions of libvterm 0.1.4's parser that the scanner mirrors.
        QTest::newRow("control inside a CSI is executed") << 3 << 10 << QByteArray("ab\033[1\rCx") << QStringList{"ax"} << 0 << 2;
        QTest::newRow("NUL and DEL inside a CSI are ignored") << 3 << 10 << QByteArray("ab\033[\0001\177D", 8)
                                                              << QStringList{"ab"} << 0 << 1;
        QTest::newRow("CAN aborts a CSI") << 3 << 10 << QByteArray("a\033[1\030Cb") << QStringList{"aCb"} << 0 << 3;
        QTest::newRow("ESC restarts inside a CSI") << 3 << 10 << QByteArray("a\033[5\033[2Cb") << QStringList{"a  b"} << 0 << 4;
        // libvterm abandons a CSI at a byte that cannot come next (the byte is consumed); with
        // more than 16 arguments before it, the sequence must not reach libvterm at all.
        QTest::newRow("parameter after an intermediate ends a CSI")
            << 3 << 40 << QByteArray("\033[1$" + QByteArray(20, ';') + "m") << QStringList{QString(19, ';') + "m"} << 0 << 20;
        QTest::newRow("marker after a parameter ends a CSI")
            << 3 << 40 << QByteArray("\033[1" + QByteArray(20, ';') + "?;m") << QStringList{";m"} << 0 << 2;
        QTest::newRow("byte from 0x80 up ends a CSI") << 3 << 10 << QByteArray("\033[1;2\x80" "5Cx") << QStringList{"5Cx"} << 0 << 3;
        QTest::newRow("NUL inside an escape") << 3 << 10 << QByteArray("\033(\0000q", 5) << QStringList{"\u2500"} << 0 << 1;
    }
    void screenContent() {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(QByteArray, input);
        QFETCH(QStringList, expected);
        QFETCH(int, cursorRow);
        QFETCH(int, cursorCol);
        for (bool byteByByte : {false, true}) {
            auto t = make(rows, cols);
            feed(*t, input, byteByByte);
            QCOMPARE(screen(*t), expected);
            QCOMPARE(t->cursor().row, cursorRow);
            QCOMPARE(t->cursor().column, cursorCol);
        }
    }

    void wideCellsOccupyTwoColumns() {
        auto t = make(2, 6);
        t->feed(QByteArray("\xe4\xb8\xad" "a"));
        std::vector<Cell> scratch;
        auto row = t->line(0, scratch);
        QCOMPARE(row[0].ch, char32_t(0x4e2d));
        QCOMPARE(int(row[0].width), 2);
        QCOMPARE(int(row[1].width), 0);
        QCOMPARE(row[2].ch, char32_t('a'));
        // Overwriting the right half blanks the left half.
        t->feed(QByteArray("\033[1;2Hb"));
        row = t->line(0, scratch);
        QCOMPARE(int(row[0].width), 1);
        QCOMPARE(t->text(0), QStringLiteral(" ba"));
    }

    void attributes_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<quint32>("fg");
        QTest::addColumn<quint32>("bg");
        QTest::addColumn<int>("attrs");
        const quint32 def = Color{}.packed();
        QTest::newRow("plain") << QByteArray("X") << def << def << 0;
        QTest::newRow("bold") << QByteArray("\033[1mX") << def << def << int(attr::Bold);
        QTest::newRow("faint") << QByteArray("\033[2mX") << def << def << int(attr::Faint);
        QTest::newRow("bold faint off by 22") << QByteArray("\033[1;2m\033[22mX") << def << def << 0;
        QTest::newRow("italic") << QByteArray("\033[3mX") << def << def << int(attr::Italic);
        QTest::newRow("underline") << QByteArray("\033[4mX") << def << def << int(1 << attr::UnderlineShift);
        QTest::newRow("double underline") << QByteArray("\033[21mX") << def << def << int(2 << attr::UnderlineShift);
        QTest::newRow("blink") << QByteArray("\033[5mX") << def << def << int(attr::Blink);
        QTest::newRow("reverse") << QByteArray("\033[7mX") << def << def << int(attr::Reverse);
        QTest::newRow("invisible") << QByteArray("\033[8mX") << def << def << int(attr::Invisible);
        QTest::newRow("invisible off") << QByteArray("\033[8m\033[28mX") << def << def << 0;
        QTest::newRow("strike") << QByteArray("\033[9mX") << def << def << int(attr::Strike);
        QTest::newRow("SGR 0 resets all") << QByteArray("\033[1;2;3;4;5;7;8;9;31;42m\033[0mX") << def << def << 0;
        QTest::newRow("empty SGR resets") << QByteArray("\033[2;8m\033[mX") << def << def << 0;
        QTest::newRow("red") << QByteArray("\033[31mX") << Color::indexed(1).packed() << def << 0;
        QTest::newRow("bright red") << QByteArray("\033[91mX") << Color::indexed(9).packed() << def << 0;
        QTest::newRow("blue background") << QByteArray("\033[44mX") << def << Color::indexed(4).packed() << 0;
        QTest::newRow("256 colours") << QByteArray("\033[38;5;200;48;5;17mX") << Color::indexed(200).packed()
                                     << Color::indexed(17).packed() << 0;
        QTest::newRow("colour index 2 is not faint") << QByteArray("\033[38;5;2mX") << Color::indexed(2).packed() << def
                                                     << 0;
        QTest::newRow("truecolour") << QByteArray("\033[38;2;1;2;3;48;2;250;251;252mX") << Color::rgb(1, 2, 3).packed()
                                    << Color::rgb(250, 251, 252).packed() << 0;
        QTest::newRow("truecolour component 8 is not invisible") << QByteArray("\033[38;2;8;2;8mX")
                                                                 << Color::rgb(8, 2, 8).packed() << def << 0;
        // libvterm 0.1 overruns its argument array past 16 arguments: long SGRs are split.
        QTest::newRow("SGR with 24 arguments") << QByteArray("\033[1;2;3;4;5;7;9;31;42;0;1;2;3;4;5;7;9;38;2;1;2;3;42;49mX")
                                               << Color::rgb(1, 2, 3).packed() << def
                                               << int(attr::Bold | attr::Faint | attr::Italic | (1 << attr::UnderlineShift) |
                                                      attr::Blink | attr::Reverse | attr::Strike);
        QTest::newRow("default colours") << QByteArray("\033[31;42m\033[39;49mX") << def << def << 0;
        QTest::newRow("SGR abandoned at a byte from 0x80 up is not faint") << QByteArray("\033[2\x80m\rX") << def << def << 0;
        QTest::newRow("NUL inside an SGR") << QByteArray("\033[3\0001mX", 7) << Color::indexed(1).packed() << def << 0;
        QTest::newRow("intermediate SGR is not faint") << QByteArray("\033[2$mX") << def << def << 0;
    }
    void attributes() {
        QFETCH(QByteArray, input);
        QFETCH(quint32, fg);
        QFETCH(quint32, bg);
        QFETCH(int, attrs);
        for (bool byteByByte : {false, true}) {
            auto t = make(2, 10);
            feed(*t, input, byteByByte);
            const Style& s = styleAt(*t, 0, 0);
            QCOMPARE(s.fg.packed(), fg);
            QCOMPARE(s.bg.packed(), bg);
            QCOMPARE(int(s.attrs), attrs);
        }
    }

    void underlineColour_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<quint32>("colour");
        QTest::addColumn<int>("attrs");
        const quint32 def = Color().packed();
        const int single = 1 << attr::UnderlineShift;
        const quint32 rgb = Color::rgb(10, 20, 30).packed();
        QTest::newRow("58;2;r;g;b") << QByteArray("\033[4;58;2;10;20;30mX") << rgb << single;
        QTest::newRow("58:2::r:g:b") << QByteArray("\033[4;58:2::10:20:30mX") << rgb << single;
        QTest::newRow("58:2:r:g:b") << QByteArray("\033[4;58:2:10:20:30mX") << rgb << single;
        QTest::newRow("58;5;n") << QByteArray("\033[4;58;5;200mX") << Color::indexed(200).packed() << single;
        QTest::newRow("58:5:n") << QByteArray("\033[4;58:5:9mX") << Color::indexed(9).packed() << single;
        QTest::newRow("59 resets") << QByteArray("\033[4;58;5;1m\033[59mX") << def << single;
        QTest::newRow("SGR 0 resets") << QByteArray("\033[4;58;5;1m\033[0;4mX") << def << single;
        QTest::newRow("empty SGR resets") << QByteArray("\033[58;5;1m\033[m\033[4mX") << def << single;
        // libvterm 0.1 would read 2 as faint, 10 and 20 as font selections and 30 as black.
        QTest::newRow("mixed: bold and underline kept, not faint")
            << QByteArray("\033[1;58;2;10;20;30;4mX") << rgb << (int(attr::Bold) | single);
        QTest::newRow("58 alone keeps the pen") << QByteArray("\033[1;4m\033[58;5;3mX") << Color::indexed(3).packed()
                                                << (int(attr::Bold) | single);
        QTest::newRow("colour before underline") << QByteArray("\033[58;5;1m\033[21mX") << Color::indexed(1).packed()
                                                 << (2 << attr::UnderlineShift);
        QTest::newRow("not stored without an underline") << QByteArray("\033[58;5;1mX") << def << 0;
        QTest::newRow("malformed 58 ignored, not faint") << QByteArray("\033[4;58;2;300;1;2mX") << def << single;
        QTest::newRow("58 in an SGR of 24 arguments")
            << QByteArray("\033[1;2;3;4;5;7;9;31;42;0;1;4;3;58;2;7;8;9;38;2;1;2;3mX") << Color::rgb(7, 8, 9).packed()
            << (int(attr::Bold) | int(attr::Italic) | single);
        QTest::newRow("DECSTR resets") << QByteArray("\033[58;5;1m\033[!p\033[4mX") << def << single;
    }
    void underlineColour() {
        QFETCH(QByteArray, input);
        QFETCH(quint32, colour);
        QFETCH(int, attrs);
        for (bool byteByByte : {false, true}) {
            auto t = make(2, 10);
            feed(*t, input, byteByByte);
            QCOMPARE(t->text(0), QStringLiteral("X"));
            QCOMPARE(styleAt(*t, 0, 0).underlineColor.packed(), colour);
            QCOMPARE(int(styleAt(*t, 0, 0).attrs), attrs);
            // The scrollback keeps it (the style id is what a history line stores).
            t->feed(QByteArray("\033[m\r\n\n"));
            QCOMPARE(t->text(-1), QStringLiteral("X"));
            QCOMPARE(styleAt(*t, -1, 0).underlineColor.packed(), colour);
        }
    }

    void eraseUsesBackgroundColour() {
        auto t = make(2, 10);
        t->feed(QByteArray("\033[44m\033[2J"));
        QCOMPARE(styleAt(*t, 1, 9).bg, Color::indexed(4));
    }

    void titleAndDirectory_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("title");
        QTest::addColumn<QString>("cwd");
        QTest::newRow("OSC 0") << QByteArray("\033]0;hello\007") << "hello" << "";
        QTest::newRow("OSC 2 with ST") << QByteArray("\033]2;there\033\\") << "there" << "";
        QTest::newRow("UTF-8 title") << QByteArray("\033]2;\xe4\xb8\xad\007") << "\u4e2d" << "";
        QTest::newRow("controls stripped") << QByteArray("\033]2;a\001b\177c\007") << "abc" << "";
        QTest::newRow("last one wins") << QByteArray("\033]2;one\007\033]2;two\007") << "two" << "";
        QTest::newRow("OSC 1 is the icon") << QByteArray("\033]1;icon\007") << "" << "";
        QTest::newRow("OSC 7") << QByteArray("\033]7;file://host/home/me/a%20b\007") << "" << "/home/me/a b";
        QTest::newRow("OSC 7 not a file URL") << QByteArray("\033]7;http://host/x\007") << "" << "";
        QTest::newRow("unterminated") << QByteArray("\033]2;never") << "" << "";
    }
    void titleAndDirectory() {
        QFETCH(QByteArray, input);
        QFETCH(QString, title);
        QFETCH(QString, cwd);
        for (bool byteByByte : {false, true}) {
            auto t = make(2, 10);
            QSignalSpy titles(t.get(), &TerminalEmulator::titleChanged);
            feed(*t, input, byteByByte);
            QCOMPARE(t->title(), title);
            QCOMPARE(t->workingDirectory(), cwd);
            if (!title.isEmpty())
                QCOMPARE(titles.last().at(0).toString(), title);
        }
    }

    void titleIsCapped() {
        auto t = make(2, 10);
        t->feed("\033]2;" + QByteArray(6000, 'A') + "\007");
        QCOMPARE(t->title(), QString(1024, QLatin1Char('A')));
    }

    void replies_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("reply");
        QTest::newRow("DA1") << QByteArray("\033[c") << QByteArray("\033[?1;2c");
        QTest::newRow("DSR status") << QByteArray("\033[5n") << QByteArray("\033[0n");
        QTest::newRow("CPR") << QByteArray("\033[3;4H\033[6n") << QByteArray("\033[3;4R");
        QTest::newRow("DECRQM bracketed paste") << QByteArray("\033[?2004h\033[?2004$p") << QByteArray("\033[?2004;1$y");
        QTest::newRow("DECRQSS SGR") << QByteArray("\033[1m\033P$qm\033\\") << QByteArray("\033P1$r1m\033\\");
        QTest::newRow("DECRQSS unknown unanswered") << QByteArray("\033P$qevil\033\\") << QByteArray();
        QTest::newRow("DCS passthrough dropped") << QByteArray("\033Ptmux;\033\033]2;evil\007\033\\") << QByteArray();
        QTest::newRow("title report unanswered") << QByteArray("\033]2;evil\007\033[21t") << QByteArray();
        QTest::newRow("icon report unanswered") << QByteArray("\033]1;evil\007\033[20t") << QByteArray();
        QTest::newRow("window ops unanswered") << QByteArray("\033[18t\033[14t\033[13t") << QByteArray();
        QTest::newRow("OSC 52 read unanswered") << QByteArray("\033]52;c;?\007") << QByteArray();
        // Answered from our colours (xterm's defaults until a view sets its scheme's), ended as
        // each query was; test_terminal_colors has the rest.
        QTest::newRow("colour queries") << QByteArray("\033]10;?\007\033]11;?\033\\\033]4;1;?\007")
                                        << QByteArray("\033]10;rgb:0000/0000/0000\007\033]11;rgb:ffff/ffff/ffff\033\\"
                                                      "\033]4;1;rgb:cdcd/0000/0000\007");
        QTest::newRow("XTVERSION unanswered") << QByteArray("\033[>0q") << QByteArray();
        QTest::newRow("DECID unanswered") << QByteArray("\033Z") << QByteArray();
    }
    void replies() {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, reply);
        for (bool byteByByte : {false, true}) {
            auto t = make(5, 20);
            QByteArray sent;
            connect(t.get(), &TerminalEmulator::replyBytes, this, [&](const QByteArray& b) { sent += b; });
            feed(*t, input, byteByByte);
            QCOMPARE(sent, reply);
            QVERIFY(!sent.contains("evil"));
        }
    }

    void modes_data() {
        using M = TerminalModes::Mouse;
        using E = TerminalModes::MouseEncoding;
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<bool>("appCursor");
        QTest::addColumn<bool>("appKeypad");
        QTest::addColumn<bool>("bracketed");
        QTest::addColumn<bool>("focus");
        QTest::addColumn<int>("mouse");
        QTest::addColumn<int>("encoding");
        QTest::addColumn<bool>("alt");
        QTest::newRow("defaults") << QByteArray() << false << false << false << false << int(M::Off) << int(E::Default) << false;
        QTest::newRow("DECCKM") << QByteArray("\033[?1h") << true << false << false << false << int(M::Off) << int(E::Default) << false;
        QTest::newRow("DECKPAM") << QByteArray("\033=") << false << true << false << false << int(M::Off) << int(E::Default) << false;
        QTest::newRow("DECKPNM") << QByteArray("\033=\033>") << false << false << false << false << int(M::Off) << int(E::Default) << false;
        QTest::newRow("bracketed paste") << QByteArray("\033[?2004h") << false << false << true << false << int(M::Off) << int(E::Default) << false;
        QTest::newRow("focus events") << QByteArray("\033[?1004h") << false << false << false << true << int(M::Off) << int(E::Default) << false;
        QTest::newRow("mouse 1000") << QByteArray("\033[?1000h") << false << false << false << false << int(M::Click) << int(E::Default) << false;
        QTest::newRow("mouse 1002 SGR") << QByteArray("\033[?1002;1006h") << false << false << false << false << int(M::Drag) << int(E::Sgr) << false;
        QTest::newRow("mouse 1003 off") << QByteArray("\033[?1003h\033[?1003l") << false << false << false << false << int(M::Off) << int(E::Default) << false;
        QTest::newRow("urxvt") << QByteArray("\033[?1015h") << false << false << false << false << int(M::Off) << int(E::Urxvt) << false;
        QTest::newRow("alt screen") << QByteArray("\033[?1049h") << false << false << false << false << int(M::Off) << int(E::Default) << true;
        QTest::newRow("several at once") << QByteArray("\033[?1;2004;1004h\033=") << true << true << true << true << int(M::Off) << int(E::Default) << false;
        QTest::newRow("DECSTR") << QByteArray("\033[?1h\033=\033[!p") << false << false << false << false << int(M::Off) << int(E::Default) << false;
        QTest::newRow("RIS") << QByteArray("\033[?1;2004h\033c") << false << false << false << false << int(M::Off) << int(E::Default) << false;
        QTest::newRow("not a DECSET") << QByteArray("\033[1h\033[?1$p") << false << false << false << false << int(M::Off) << int(E::Default) << false;
        QTest::newRow("DECSET abandoned at a byte from 0x80 up") << QByteArray("\033[?2004\xc3\xa9h") << false << false << false << false << int(M::Off) << int(E::Default) << false;
        QTest::newRow("DECSET abandoned at a parameter after an intermediate") << QByteArray("\033[?1 1h") << false << false << false << false << int(M::Off) << int(E::Default) << false;
        QTest::newRow("DECKPAM after a C0 inside the escape") << QByteArray("\033\r=") << false << true << false << false << int(M::Off) << int(E::Default) << false;
        QTest::newRow("designation is not DECKPAM") << QByteArray("\033(=") << false << false << false << false << int(M::Off) << int(E::Default) << false;
    }
    void modes() {
        QFETCH(QByteArray, input);
        QFETCH(bool, appCursor);
        QFETCH(bool, appKeypad);
        QFETCH(bool, bracketed);
        QFETCH(bool, focus);
        QFETCH(int, mouse);
        QFETCH(int, encoding);
        QFETCH(bool, alt);
        for (bool byteByByte : {false, true}) {
            auto t = make(3, 10);
            feed(*t, input, byteByByte);
            const TerminalModes m = t->modes();
            QCOMPARE(m.applicationCursor, appCursor);
            QCOMPARE(m.applicationKeypad, appKeypad);
            QCOMPARE(m.bracketedPaste, bracketed);
            QCOMPARE(m.focusEvents, focus);
            QCOMPARE(int(m.mouse), mouse);
            QCOMPARE(int(m.mouseEncoding), encoding);
            QCOMPARE(m.alternateScreen, alt);
            QCOMPARE(t->focusReport(true), focus ? QByteArray("\033[I") : QByteArray());
        }
    }

    void clipboardWrite_data() {
        QTest::addColumn<bool>("allowed");
        QTest::addColumn<int>("limit");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("selection");
        QTest::addColumn<QByteArray>("data");
        QTest::newRow("off by default") << false << 1024 << QByteArray("\033]52;c;aGVsbG8=\007") << "" << QByteArray();
        QTest::newRow("allowed") << true << 1024 << QByteArray("\033]52;c;aGVsbG8=\007") << "c" << QByteArray("hello");
        QTest::newRow("default target") << true << 1024 << QByteArray("\033]52;;aGk=\033\\") << "s0" << QByteArray("hi");
        QTest::newRow("over the limit") << true << 4 << QByteArray("\033]52;c;aGVsbG8=\007") << "" << QByteArray();
        QTest::newRow("read is never answered") << true << 1024 << QByteArray("\033]52;c;?\007") << "" << QByteArray();
        QTest::newRow("invalid base64") << true << 1024 << QByteArray("\033]52;c;!!!!\007") << "" << QByteArray();
        QTest::newRow("bad target") << true << 1024 << QByteArray("\033]52;x;aGk=\007") << "" << QByteArray();
    }
    void clipboardWrite() {
        QFETCH(bool, allowed);
        QFETCH(int, limit);
        QFETCH(QByteArray, input);
        QFETCH(QString, selection);
        QFETCH(QByteArray, data);
        TerminalEmulator::Options o;
        o.clipboardWriteAllowed = allowed;
        o.clipboardWriteLimit = std::size_t(limit);
        auto t = make(3, 10, o);
        t->setClipboardWrite(allowed, std::size_t(limit));
        QSignalSpy spy(t.get(), &TerminalEmulator::clipboardWriteRequested);
        QByteArray replies;
        connect(t.get(), &TerminalEmulator::replyBytes, this, [&](const QByteArray& b) { replies += b; });
        t->feed(input);
        QVERIFY(replies.isEmpty());
        if (selection.isEmpty()) {
            QCOMPARE(spy.count(), 0);
        } else {
            QCOMPARE(spy.count(), 1);
            QCOMPARE(spy.at(0).at(0).toString(), selection);
            QCOMPARE(spy.at(0).at(1).toByteArray(), data);
        }
    }

    void hyperlinks() {
        auto t = make(3, 20);
        t->feed(QByteArray("\033]8;id=1;https://example.com/a\007LINK\033[1m!\033[0m\033]8;;\007X"));
        std::vector<Cell> scratch;
        auto row = t->line(0, scratch);
        for (int c = 0; c < 5; ++c)
            QCOMPARE(t->hyperlink(t->style(row[std::size_t(c)].style).link), QStringLiteral("https://example.com/a"));
        QCOMPARE(t->style(row[5].style).link, 0);
        QCOMPARE(t->text(0), QStringLiteral("LINK!X"));
        // A URI with control characters or beyond 2048 bytes is not a link.
        t->feed("\r\n\033]8;;" + QByteArray(3000, 'a') + "\007Y\033]8;;\007");
        QCOMPARE(t->style(t->line(1, scratch)[0].style).link, 0);
    }

    void bell() {
        auto t = make(3, 10);
        QSignalSpy spy(t.get(), &TerminalEmulator::bell);
        t->feed(QByteArray("a\007b\033]2;x\007"));
        QCOMPARE(spy.count(), 1);
    }

    void cursorShapeAndVisibility() {
        auto t = make(3, 10);
        QVERIFY(t->cursor().visible);
        t->feed(QByteArray("\033[?25l\033[6 q"));
        QVERIFY(!t->cursor().visible);
        QCOMPARE(t->cursor().shape, TerminalEmulator::Cursor::Shape::Bar);
        QVERIFY(!t->cursor().blinking);
        t->feed(QByteArray("\033[?25h\033[3 q"));
        QVERIFY(t->cursor().visible);
        QCOMPARE(t->cursor().shape, TerminalEmulator::Cursor::Shape::Underline);
    }

    void wrapFlags() {
        auto t = make(3, 5);
        t->feed(QByteArray("abcdefg\r\nxy"));
        QVERIFY(t->isWrapped(0));
        QVERIFY(!t->isWrapped(1));
        QVERIFY(!t->isWrapped(2));
        // A full row followed by CR LF is not a wrap.
        auto u = make(3, 5);
        u->feed(QByteArray("abcde\r\nfg"));
        QVERIFY(!u->isWrapped(0));
    }

    // Runs of printable ASCII are placed in the grid directly (Options::directText) unless the
    // state says libvterm would do more than overwrite: each row compares that with libvterm's
    // callback per character, cell by cell, fed whole and in small writes.
    void directTextMatchesLibvterm_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QStringList>("expected");

        const QByteArray run = "abcdefghijklmnopqrstuvwxyz";
        QTest::newRow("plain run") << 3 << 30 << run << QStringList{QString::fromLatin1(run)};
        QTest::newRow("run wraps") << 3 << 10 << run << QStringList{"abcdefghij", "klmnopqrst", "uvwxyz"};
        QTest::newRow("run fills the row exactly") << 3 << 10 << QByteArray("0123456789\r\nabcdefghij")
                                                   << QStringList{"0123456789", "abcdefghij"};
        QTest::newRow("pending wrap before run") << 3 << 10 << QByteArray("0123456789\033[1mabcdefghijkl")
                                                 << QStringList{"0123456789", "abcdefghij", "kl"};
        QTest::newRow("pending wrap after wide glyph") << 3 << 10
                                                       << QByteArray("01234567\xe4\xb8\xad" "abcdefghijkl")
                                                       << QStringList{"01234567\u4e2d", "abcdefghij", "kl"};
        QTest::newRow("scrolls into history") << 2 << 10 << run + "\r\n" + run
                                              << QStringList{"klmnopqrst", "uvwxyz"};
        QTest::newRow("DECAWM off") << 3 << 10 << QByteArray("\033[?7l") + run + "\033[?7h"
                                    << QStringList{"abcdefghiz"};
        QTest::newRow("cursor at the last column") << 3 << 10 << QByteArray("\033[1;10H") + run
                                                   << QStringList{"bcdefghijk", "lmnopqrstu", "vwxyz"};
        QTest::newRow("IRM") << 3 << 20 << QByteArray("0123456789\r\033[4habcdefghij\033[4l")
                             << QStringList{"abcdefghij0123456789"};
        QTest::newRow("IRM reset with RM 4") << 3 << 20 << QByteArray("\033[4h\033[4labcdefghij")
                                             << QStringList{"abcdefghij"};
        QTest::newRow("IRM set as second parameter") << 3 << 20 << QByteArray("0123456789\r\033[20;4habcdefghij")
                                                     << QStringList{"abcdefghij"};
        QTest::newRow("IRM not reset as second parameter")
            << 3 << 20 << QByteArray("0123456789\r\033[4h\033[20;4labcdefghij") << QStringList{"abcdefghij0123456789"};
        QTest::newRow("DEC special graphics") << 3 << 12 << QByteArray("\033(0qqqqqqqqqq\033(Bqqqqqqqqqq")
                                              << QStringList{QString(10, QChar(0x2500)) + "qq", "qqqqqqqq"};
        QTest::newRow("SO and SI") << 3 << 12 << QByteArray("\033)0\016qqqqqqqqqq\017qqqqqqqqqq")
                                   << QStringList{QString(10, QChar(0x2500)) + "qq", "qqqqqqqq"};
        QTest::newRow("LS2 and LS0") << 3 << 12 << QByteArray("\033*0\033nqqqqqqqqqq\017qqqqqqqqqq")
                                     << QStringList{QString(10, QChar(0x2500)) + "qq", "qqqqqqqq"};
        QTest::newRow("SS2 shifts one character") << 3 << 12 << QByteArray("\033*0\033Nqqqqqqqqqq")
                                                  << QStringList{QString(QChar(0x2500)) + "qqqqqqqqq"};
        QTest::newRow("UK set") << 3 << 12 << QByteArray("\033(A##########") << QStringList{QString(10, QChar(0xa3))};
        QTest::newRow("designation with two intermediates") << 3 << 12 << QByteArray("\033(%5##########")
                                                            << QStringList{"##########"};
        // DECSTR after each state that keeps text off the direct path: libvterm 0.1 ignores it,
        // 0.3 puts the state back to its default (StreamScanner::libvtermPerformsSoftReset).
        const bool softReset = StreamScanner::libvtermPerformsSoftReset();
        const QString lines(10, QChar(0x2500));
        QTest::newRow("DECSTR after G0 designation") << 3 << 12 << QByteArray("\033(0\033[!pqqqqqqqqqq")
                                                     << QStringList{softReset ? "qqqqqqqqqq" : lines};
        QTest::newRow("DECSTR after G1 designation and SO")
            << 3 << 12 << QByteArray("\033)0\016\033[!pqqqqqqqqqq") << QStringList{softReset ? "qqqqqqqqqq" : lines};
        QTest::newRow("DECSTR after G2 designation and LS2")
            << 3 << 12 << QByteArray("\033*0\033n\033[!pqqqqqqqqqq") << QStringList{softReset ? "qqqqqqqqqq" : lines};
        QTest::newRow("DECSTR after G3 designation and LS3")
            << 3 << 12 << QByteArray("\033+0\033o\033[!pqqqqqqqqqq") << QStringList{softReset ? "qqqqqqqqqq" : lines};
        QTest::newRow("DECSTR after a designation this does not model")
            << 3 << 12 << QByteArray("\033(%5\033[!pqqqqqqqqqq") << QStringList{"qqqqqqqqqq"};
        QTest::newRow("DECSTR after IRM") << 3 << 20 << QByteArray("0123456789\r\033[4h\033[!pabcdefghij")
                                          << QStringList{softReset ? "abcdefghij" : "abcdefghij0123456789"};
        QTest::newRow("DECSTR after DECOM")
            << 5 << 20 << QByteArray("\033[?69h\033[3;8s\033[2;4r\033[?6h\033[!pabcdefghijklmnop")
            << QStringList{"", "  abcdefghijklmnop"};
        QTest::newRow("DECSTR after DECOM, then a move") << 5 << 20
                                                         << QByteArray("\033[2;4r\033[?6h\033[!p\033[2;1Habcdefghij")
                                                         << (softReset ? QStringList{"", "abcdefghij"}
                                                                       : QStringList{"", "", "abcdefghij"});
        QTest::newRow("RIS resets the set") << 3 << 12 << QByteArray("\033(0\033cqqqqqqqqqq") << QStringList{"qqqqqqqqqq"};
        QTest::newRow("DECRC keeps the set") << 3 << 12 << QByteArray("\033(0\0337\033(B\0338qqqqqqqqqq")
                                             << QStringList{"qqqqqqqqqq"};
        QTest::newRow("DECRC after IRM changed") << 3 << 20 << QByteArray("0123456789\r\033[4h\0337\033[4l\0338abcdefghij")
                                                 << QStringList{"abcdefghij"};
        QTest::newRow("DECRC after DECOM changed")
            << 5 << 20 << QByteArray("\033[?69h\033[3;8s\033[2;4r\033[?6h\0337\033[?6l\0338abcdefghijklmnop")
            << QStringList{"", "  abcdefghijklmnop"};
        QTest::newRow("origin mode in margins")
            << 5 << 20 << QByteArray("\033[?69h\033[3;8s\033[2;4r\033[?6habcdefghijklmnop\033[?6l\033[?69l")
            << QStringList{"", "  abcdefghijklmnop"};
        QTest::newRow("left and right margins without origin mode")
            << 5 << 20 << QByteArray("\033[?69h\033[3;8s\033[2;3Habcdefghijklmnopqrstuvw\033[?69l")
            << QStringList{"", "  abcdefghijklmnopqr", "stuvw"};
        QTest::newRow("REP after run") << 3 << 20 << QByteArray("abcdefghij\033[3b") << QStringList{"abcdefghijjjj"};
        QTest::newRow("combining mark after run at the last column")
            << 3 << 6 << QByteArray("\033[?7l\033[1;6H0123456789\xcc\x81\033[?7h") << QStringList{"     9\u0301"};
        QTest::newRow("combining mark after run at the last column, G0 designated ASCII")
            << 3 << 6 << QByteArray("\033(B\xe4\xb8\xad\033[1;6H0123456789\xcc\x81") << QStringList{"\u4e2d   0", "123456", "789\u0301"};
        QTest::newRow("combining mark after run") << 3 << 20 << QByteArray("abcdefghij\xcc\x81")
                                                  << QStringList{"abcdefghij\u0301"};
        QTest::newRow("run splits wide glyphs at both ends")
            << 3 << 20 << QByteArray("\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\r x") +
                              "abcdefgh"
            << QStringList{" xabcdefgh\u4e2d"};
        QTest::newRow("run splits a wide glyph at its end")
            << 3 << 20 << QByteArray("\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\r x") +
                              "abcdefghi"
            << QStringList{" xabcdefghi"};
        QTest::newRow("DECDWL line") << 3 << 20 << QByteArray("\033#6") + run << QStringList{"abcdefghij", "klmnopqrstuvwxyz"};
        QTest::newRow("DECSCA and selective erase") << 3 << 20 << QByteArray("\033[1\"qabcdefghij\033[0\"q\033[?2K")
                                                    << QStringList{};
        QTest::newRow("incomplete UTF-8 before run") << 3 << 20 << QByteArray("\xe4" "abcdefghij")
                                                     << QStringList{"\ufffd" "abcdefghij"};
        QTest::newRow("SGR between runs") << 3 << 30 << QByteArray("abcdefgh\033[31mijklmnop\033[0mqrstuvwx")
                                          << QStringList{"abcdefghijklmnopqrstuvwx"};
        QTest::newRow("tab and backspace") << 3 << 30 << QByteArray("abc\tdefghijklm\b\b\bXYZWVUTSRQ")
                                           << QStringList{"abc     defghijXYZWVUTSRQ"};
        QTest::newRow("alternate screen") << 3 << 12 << QByteArray("\033[?1049h") + run + "\033[?1049l" + run
                                          << QStringList{"abcdefghijkl", "mnopqrstuvwx", "yz"};
        QTest::newRow("region at the top") << 3 << 10 << QByteArray("\033[1;2r") + run + run
                                           << QStringList{"opqrstuvwx", "yz"};
    }

    void directTextMatchesLibvterm() {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(QByteArray, input);
        QFETCH(QStringList, expected);
        TerminalEmulator::Options perCharacter;
        perCharacter.directText = false;
        for (int writeSize : {int(input.size()), 11, 5}) {
            auto reference = make(rows, cols, perCharacter);
            auto direct = make(rows, cols);
            // Cut between characters: libvterm 0.1.4 can lose a UTF-8 character cut across writes
            // (its decoder's state does not always survive), and the direct path writes in
            // other places than the host did.
            for (qsizetype off = 0, end = 0; off < input.size(); off = end) {
                end = std::min(off + qsizetype(writeSize), input.size());
                while (end < input.size() && (static_cast<unsigned char>(input[end]) & 0xc0) == 0x80)
                    ++end;
                reference->feed(input.mid(off, end - off));
                direct->feed(input.mid(off, end - off));
            }
            if (writeSize == int(input.size()))
                QCOMPARE(screen(*reference), expected);
            const QString difference = testing::firstDifference(*direct, *reference);
            if (!difference.isEmpty())
                QFAIL(qPrintable(QStringLiteral("writes of %1 bytes: %2").arg(writeSize).arg(difference)));
        }
    }

    // The same on random streams of long runs among the sequences that change how text is
    // written, with resizes. (No incomplete UTF-8: libvterm 0.1.4 can lose a character cut
    // across writes, and the direct path writes to libvterm in other places than the host.)
    void directTextMatchesLibvtermOnRandomStreams() {
        static const char* pieces[] = {
            "abcdefghijklmnopqrstuvwxyz", "0123456789 the quick brown fox", "qqqqqqqqqqqqqqqq", "##########",
            "\r\n", "\r", "\n", "\b", "\t", "\033[4h", "\033[4l", "\033(0", "\033(B", "\033)0", "\016", "\017",
            "\033N", "\033*0", "\033n", "\033(A", "\033[?7l", "\033[?7h", "\033[?6h", "\033[?6l", "\033[2;5r",
            "\033[r", "\033[?69h\033[4;30s", "\033[?69l", "\033#6", "\033#5", "\033[!p", "\033c", "\0337", "\0338",
            "\033[5b", "\xcc\x81", "\xe4\xb8\xad", "\033[1;31m", "\033[0m", "\033[3;7H", "\033[20C",
            "\033[K", "\033[2J", "\033[?1049h", "\033[?1049l", "\033[3@", "\033[2P", "\033[L", "\033[M"};
        QRandomGenerator rng(4242);
        for (int round = 0; round < 150; ++round) {
            const int rows = int(rng.bounded(1, 12)), cols = int(rng.bounded(1, 50));
            TerminalEmulator::Options perCharacter;
            perCharacter.directText = false;
            auto reference = make(rows, cols, perCharacter);
            auto direct = make(rows, cols);
            for (int step = 0; step < 60; ++step) {
                QByteArray chunk;
                for (int k = int(rng.bounded(1, 8)); k > 0; --k)
                    chunk += pieces[rng.bounded(int(std::size(pieces)))];
                reference->feed(chunk);
                direct->feed(chunk);
                if (step % 20 == 19) {
                    const int r = int(rng.bounded(1, 12)), c = int(rng.bounded(1, 50));
                    reference->resize(r, c);
                    direct->resize(r, c);
                }
                const QString difference = testing::firstDifference(*direct, *reference);
                if (!difference.isEmpty())
                    QFAIL(qPrintable(QStringLiteral("round %1 step %2: %3").arg(round).arg(step).arg(difference)));
            }
        }
    }

    void scrollback() {
        TerminalEmulator::Options o;
        o.scrollbackLines = 5;
        auto t = make(3, 10, o);
        for (int i = 1; i <= 10; ++i)
            t->feed(QByteArray::number(i) + (i < 10 ? "\r\n" : ""));
        QCOMPARE(screen(*t), (QStringList{"8", "9", "10"}));
        QCOMPARE(history(*t), (QStringList{"3", "4", "5", "6", "7"}));
        QCOMPARE(t->historyPushed(), quint64(7));
        // The alternate screen does not add to the history.
        t->feed(QByteArray("\033[?1049h\r\n\r\n\r\n\r\n"));
        QCOMPARE(t->historySize(), 5);
        t->feed(QByteArray("\033[?1049l"));
        QCOMPARE(screen(*t), (QStringList{"8", "9", "10"}));
        t->setScrollbackLines(2);
        QCOMPARE(history(*t), (QStringList{"6", "7"}));
    }

    // ED 3 (xterm's "erase saved lines", sent by `clear`) empties the scrollback and nothing
    // else; the other erases and the selective DECSED 3 leave it.
    void eraseSavedLines_data() {
        QTest::addColumn<QList<QByteArray>>("writes");
        QTest::addColumn<QStringList>("expectedHistory");
        QTest::addColumn<QStringList>("expectedScreen"); // trailing blank rows left out
        QTest::addColumn<bool>("erased");
        const QStringList kept{"1", "2", "3", "4", "5"};
        const QStringList unchanged{"6", "7", "8"};
        QTest::newRow("ED 3") << QList<QByteArray>{"\033[3J"} << QStringList{} << unchanged << true;
        QTest::newRow("clear(1): home, ED 2, ED 3") << QList<QByteArray>{"\033[H\033[2J\033[3J"} << QStringList{}
                                                    << QStringList{} << true;
        QTest::newRow("ED 3 split across writes") << QList<QByteArray>{"\033[", "3", "J"} << QStringList{} << unchanged
                                                  << true;
        // The scrollback fills again from the erase on; line numbering goes on counting.
        QTest::newRow("ED 3 then output") << QList<QByteArray>{"\033[3J\r\nnine"} << QStringList{"6"}
                                          << QStringList{"7", "8", "nine"} << true;
        QTest::newRow("ED 2 keeps it") << QList<QByteArray>{"\033[2J"} << kept << QStringList{} << false;
        QTest::newRow("ED 0 keeps it") << QList<QByteArray>{"\033[J"} << kept << unchanged << false;
        QTest::newRow("DECSED 3 keeps it") << QList<QByteArray>{"\033[?3J"} << kept << unchanged << false;
    }
    void eraseSavedLines() {
        QFETCH(QList<QByteArray>, writes);
        QFETCH(QStringList, expectedHistory);
        QFETCH(QStringList, expectedScreen);
        QFETCH(bool, erased);
        auto t = make(3, 10);
        QSignalSpy erasures(t.get(), &TerminalEmulator::historyErased);
        t->feed(QByteArray("1\r\n2\r\n3\r\n4\r\n5\r\n6\r\n7\r\n8"));
        QCOMPARE(t->historySize(), 5);
        for (const QByteArray& w : writes)
            t->feed(w);
        QCOMPARE(history(*t), expectedHistory);
        QCOMPARE(screen(*t), expectedScreen);
        QCOMPARE(erasures.size(), erased ? 1 : 0);
        QCOMPARE(t->historyPushed(), quint64(5 + expectedHistory.size() - (erased ? 0 : 5)));
    }

    void scrollbackKeepsAttributesAndWideText() {
        auto t = make(1, 10);
        t->feed(QByteArray("\033[31mred\033[0m \xe4\xb8\xad\r\nnext"));
        QCOMPARE(history(*t), QStringList{"red \u4e2d"});
        std::vector<Cell> scratch;
        auto line = t->line(-1, scratch);
        QCOMPARE(line.size(), std::size_t(6));
        QCOMPARE(t->style(line[0].style).fg, Color::indexed(1));
        QCOMPARE(t->style(line[3].style).fg, Color{});
        QCOMPARE(int(line[4].width), 2);
        QCOMPARE(int(line[5].width), 0);
    }

    void scrollbackRingWraps() {
        Scrollback sb(1000);
        std::vector<Cell> cells(80, Cell{U'x', 0, 1, 0});
        for (int i = 0; i < 5000; ++i) {
            cells[0].ch = char32_t('0' + i % 10);
            sb.push(cells, i % 3 == 0);
        }
        QCOMPARE(sb.size(), std::size_t(1000));
        std::vector<Cell> out;
        sb.line(0, out); // line 4000
        QCOMPARE(out[0].ch, char32_t('0'));
        QVERIFY(sb.wrapped(2));  // push 4002
        QVERIFY(!sb.wrapped(0)); // push 4000
        // Latin-1 text costs one byte per cell plus a 5-byte header and 4 bytes per style run;
        // on top, at most three chunks (the oldest partly dropped, the newest partly filled, a
        // spare) and the ring of line positions.
        QVERIFY(sb.memoryBytes() <= 1000 * (5 + 4 + 80) + 3 * Scrollback::kChunkBytes + 1024 * sizeof(void*));
    }

    // The chunked ring against a plain model: pushes of every size (Latin-1, wide, long lines
    // that fill chunks), pops of the newest line, shrinking and growing the capacity; every line
    // and wrap flag must read back as pushed, and memory must stay bounded.
    void scrollbackAgreesWithModel_data() {
        QTest::addColumn<int>("capacity");
        QTest::addColumn<int>("maxCells");
        QTest::addColumn<int>("steps");
        QTest::newRow("small ring, short lines") << 7 << 40 << 3000;
        QTest::newRow("ring spanning chunks") << 300 << 1200 << 1500;
        QTest::newRow("lines larger than a chunk") << 5 << 20000 << 150;
        QTest::newRow("no scrollback") << 0 << 80 << 200;
    }
    void scrollbackAgreesWithModel() {
        QFETCH(int, capacity);
        QFETCH(int, maxCells);
        QFETCH(int, steps);
        Scrollback sb{std::size_t(capacity)};
        std::deque<std::pair<std::vector<Cell>, bool>> model;
        std::size_t modelCapacity = std::size_t(capacity);
        QRandomGenerator rng(1234);
        auto randomLine = [&] {
            std::vector<Cell> cells(std::size_t(rng.bounded(maxCells + 1)));
            const bool wideLine = rng.bounded(3) == 0;
            for (std::size_t i = 0; i < cells.size(); ++i) {
                const auto style = std::uint16_t(rng.bounded(3));
                if (wideLine && i + 1 < cells.size() && rng.bounded(2) == 0) {
                    cells[i] = Cell{0x4e00 + rng.bounded(100u), style, 2, 0};
                    cells[++i] = Cell{0, style, 0, 0};
                } else {
                    cells[i] = Cell{char32_t('a' + rng.bounded(26)), style, 1, 0};
                }
            }
            return cells;
        };
        std::vector<Cell> out;
        for (int step = 0; step < steps; ++step) {
            const int action = int(rng.bounded(100));
            if (action < 80) {
                const std::vector<Cell> cells = randomLine();
                const bool wrapped = rng.bounded(4) == 0;
                sb.push(cells, wrapped);
                if (modelCapacity > 0) {
                    model.emplace_back(cells, wrapped);
                    if (model.size() > modelCapacity)
                        model.pop_front();
                }
            } else if (action < 92) {
                bool wrapped = false;
                QCOMPARE(sb.popNewest(out, wrapped), !model.empty());
                if (!model.empty()) {
                    QVERIFY(out == model.back().first);
                    QCOMPARE(wrapped, model.back().second);
                    model.pop_back();
                }
            } else if (action < 95 && !model.empty()) {
                sb.markNewestWrapped();
                model.back().second = true;
            } else if (action < 97) {
                modelCapacity = std::size_t(rng.bounded(capacity + 1));
                sb.setCapacity(modelCapacity);
                while (model.size() > modelCapacity)
                    model.pop_front();
            } else {
                modelCapacity = std::size_t(capacity);
                sb.setCapacity(modelCapacity);
            }
            QCOMPARE(sb.size(), model.size());
        }
        std::size_t encoded = 0;
        for (std::size_t i = 0; i < model.size(); ++i) {
            sb.line(i, out);
            QVERIFY2(out == model[i].first, qPrintable(QStringLiteral("line %1").arg(i)));
            QCOMPARE(sb.wrapped(i), model[i].second);
            QCOMPARE(sb.length(i), model[i].first.size());
            encoded += 5 + 4 * model[i].first.size() * 2; // generous: 4 bytes per cell and run
        }
        QVERIFY(sb.memoryBytes() <= encoded + 3 * std::max<std::size_t>(Scrollback::kChunkBytes, 5 + 8 * std::size_t(maxCells)) +
                                        std::size_t(capacity) * sizeof(void*) * 2);
    }

    void reflow_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("newRows");
        QTest::addColumn<int>("newCols");
        QTest::addColumn<QStringList>("expectedScreen");
        QTest::addColumn<QStringList>("expectedHistory");
        QTest::addColumn<int>("cursorRow");
        QTest::addColumn<int>("cursorCol");

        QTest::newRow("narrower") << 5 << 10 << QByteArray("abcdefghijkl") << 5 << 6
                                  << QStringList{"abcdef", "ghijkl"} << QStringList{} << 2 << 0;
        QTest::newRow("wider joins wrapped rows") << 5 << 5 << QByteArray("abcdefghijkl\r\nxy") << 5 << 20
                                                  << QStringList{"abcdefghijkl", "xy"} << QStringList{} << 1 << 2;
        QTest::newRow("wider pulls from history") << 2 << 5 << QByteArray("aaaaabbbbbccccc\r\nxy") << 2 << 15
                                                  << QStringList{"aaaaabbbbbccccc", "xy"} << QStringList{} << 1 << 2;
        QTest::newRow("narrower pushes to history") << 2 << 6 << QByteArray("abcdef\r\nxy") << 2 << 3
                                                    << QStringList{"def", "xy"} << QStringList{"abc"} << 1 << 2;
        QTest::newRow("history re-wrapped") << 1 << 4 << QByteArray("abcdefgh\r\nz") << 1 << 8
                                            << QStringList{"z"} << QStringList{"abcdefgh"} << 0 << 1;
        QTest::newRow("shorter") << 3 << 10 << QByteArray("1\r\n2\r\n3") << 2 << 10 << QStringList{"2", "3"}
                                 << QStringList{"1"} << 1 << 1;
        QTest::newRow("shorter keeps blank rows below the cursor out") << 3 << 10 << QByteArray("1") << 2 << 10
                                                                       << QStringList{"1"} << QStringList{} << 0 << 1;
        QTest::newRow("wide glyph not split") << 3 << 6 << QByteArray("a\xe4\xb8\xad\xe6\x96\x87") << 3 << 4
                                              << QStringList{"a\u4e2d", "\u6587"} << QStringList{} << 1 << 2;
        QTest::newRow("wide glyph wrapped early") << 3 << 4 << QByteArray("abc\xe4\xb8\xad") << 3 << 8
                                                  << QStringList{"abc\u4e2d"} << QStringList{} << 0 << 5;
        QTest::newRow("cursor inside a line") << 3 << 10 << QByteArray("abcdefgh\033[1;3H") << 3 << 4
                                              << QStringList{"abcd", "efgh"} << QStringList{} << 0 << 2;
        QTest::newRow("cursor after a prompt") << 3 << 10 << QByteArray("$ ") << 3 << 5 << QStringList{"$"}
                                               << QStringList{} << 0 << 2;
    }
    void reflow() {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(QByteArray, input);
        QFETCH(int, newRows);
        QFETCH(int, newCols);
        QFETCH(QStringList, expectedScreen);
        QFETCH(QStringList, expectedHistory);
        QFETCH(int, cursorRow);
        QFETCH(int, cursorCol);
        auto t = make(rows, cols);
        t->feed(input);
        t->resize(newRows, newCols);
        QCOMPARE(t->rows(), newRows);
        QCOMPARE(t->columns(), newCols);
        QCOMPARE(screen(*t), expectedScreen);
        QCOMPARE(history(*t), expectedHistory);
        QCOMPARE(t->cursor().row, cursorRow);
        QCOMPARE(t->cursor().column, cursorCol);
        // Output continues at the cursor after the resize.
        t->feed(QByteArray("@"));
        std::vector<Cell> scratch;
        QCOMPARE(t->line(cursorRow, scratch)[std::size_t(cursorCol)].ch, char32_t('@'));
        // And going back restores the original layout of the text.
        auto u = make(rows, cols);
        u->feed(input);
        const QStringList before = history(*u) + screen(*u);
        u->resize(newRows, newCols);
        u->resize(rows, cols);
        QCOMPARE(history(*u) + screen(*u), before);
    }

    // The blank a wide glyph leaves at the end of a row when it wraps early is padding, not text:
    // rows joined again (reflow, in the history too, and after several resizes) do not gain a
    // space. `widths` are applied in turn; `lines` are history and screen joined across wraps.
    void wrapPaddingIsNotText_data() {
        QTest::addColumn<int>("cols");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QList<int>>("widths");
        QTest::addColumn<QStringList>("lines");
        const QString text = QStringLiteral("a\u4e2d\u6587b");
        QTest::newRow("live wrap, scrolled into history") << 4 << QByteArray("abc\xe4\xb8\xad\r\n1\r\n2\r\n3\r\n4")
                                                          << QList<int>{9} << QStringList{"abc\u4e2d", "1", "2", "3", "4"};
        QTest::newRow("reflow pads, history keeps it") << 8 << QByteArray("a\xe4\xb8\xad\xe6\x96\x87" "b\r\n1\r\n2\r\n3\r\n4")
                                                       << QList<int>{4, 8} << QStringList{text, "1", "2", "3", "4"};
        QTest::newRow("several resizes") << 8 << QByteArray("a\xe4\xb8\xad\xe6\x96\x87" "b\r\n1\r\n2\r\n3\r\n4")
                                         << QList<int>{4, 3, 5, 4, 20} << QStringList{text, "1", "2", "3", "4"};
    }
    void wrapPaddingIsNotText() {
        QFETCH(int, cols);
        QFETCH(QByteArray, input);
        QFETCH(QList<int>, widths);
        QFETCH(QStringList, lines);
        auto t = make(2, cols);
        t->feed(input);
        for (int w : widths) {
            t->resize(2, w);
            t->finishReflow();
        }
        QStringList got;
        QString current;
        for (int r = -t->historySize(); r < t->rows(); ++r) {
            std::vector<Cell> scratch;
            for (const Cell& c : t->line(r, scratch))
                t->appendCellText(c, current); // as selection copies: every cell of a wrapped row
            if (!t->isWrapped(r)) {
                while (current.endsWith(QLatin1Char(' ')))
                    current.chop(1);
                got << current;
                current.clear();
            }
        }
        while (!got.isEmpty() && got.last().isEmpty())
            got.removeLast();
        QCOMPARE(got, lines);
    }

    // xterm resets the margins on resize (screen.c ScreenResize: resetMargins), so under origin
    // mode CUP 1;1 is the screen's corner afterwards, not a margin that no longer fits.
    void marginsResetOnResize_data() {
        QTest::addColumn<QSize>("before"); // columns × rows
        QTest::addColumn<QByteArray>("setup");
        QTest::addColumn<QSize>("after");
        QTest::addColumn<QByteArray>("move");

        QTest::newRow("top and bottom, origin mode")
            << QSize(80, 24) << QByteArray("\033[15;20r\033[?6h") << QSize(80, 10) << QByteArray("\033[1;1H");
        QTest::newRow("left and right, narrowed, origin mode")
            << QSize(80, 10) << QByteArray("\033[?69h\033[61;70s\033[?6h") << QSize(40, 10) << QByteArray("\033[1;1H");
        QTest::newRow("left and right, narrowed, DECLRMM set again afterwards")
            << QSize(80, 10) << QByteArray("\033[?69h\033[61;70s\033[?69l") << QSize(40, 10)
            << QByteArray("\033[?69h\033[?6h\033[1;1H");
        QTest::newRow("left and right, widened, origin mode")
            << QSize(40, 10) << QByteArray("\033[?69h\033[21;30s\033[?6h") << QSize(80, 10) << QByteArray("\033[1;1H");
    }

    void marginsResetOnResize() {
        QFETCH(QSize, before);
        QFETCH(QByteArray, setup);
        QFETCH(QSize, after);
        QFETCH(QByteArray, move);
        auto t = make(before.height(), before.width());
        t->feed(setup);
        t->resize(after.height(), after.width());
        t->feed(move + "X");
        QCOMPARE(t->cursor().row, 0);
        QCOMPARE(t->cursor().column, 1);
        QCOMPARE(t->text(0), QStringLiteral("X"));
    }

    // A double-width line (DECDWL) keeps its attribute when a resize moves its row: into the
    // history and up, or down under rows refilled from the history. libvterm 0.3 lets the resize
    // callback move its per-row line info; 0.1 keeps it row for row, so there the attribute
    // stays at its old index (the second screen of each row).
    void lineAttributesFollowTheirRows_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<QByteArray>("setup");
        QTest::addColumn<int>("newRows");
        QTest::addColumn<QByteArray>("write");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<QStringList>("expectedLibvterm01");

        QTest::newRow("moved up, two rows into the history")
            << 4 << QByteArray("a\r\nb\r\n\033#6cd\r\ne") << 2 << QByteArray("\033[1;1Habcdefghij")
            << QStringList{"abcde", "fghij"} << QStringList{"abcdefghij", "e"};
        QTest::newRow("moved down, two rows refilled from the history")
            << 2 << QByteArray("1\r\n2\r\n3\r\n\033#6cd") << 4 << QByteArray("\033[2;1Habcdefghij")
            << QStringList{"1", "abcdefghij", "3", "cd"} << QStringList{"1", "abcde", "fghij", "cd"};
    }

    void lineAttributesFollowTheirRows() {
        QFETCH(int, rows);
        QFETCH(QByteArray, setup);
        QFETCH(int, newRows);
        QFETCH(QByteArray, write);
        QFETCH(QStringList, expected);
        QFETCH(QStringList, expectedLibvterm01);
        auto t = make(rows, 10);
        t->feed(setup);
        t->resize(newRows, 10);
        t->feed(write);
        QCOMPARE(screen(*t), vterm_compat::kResizeReportsDelta ? expectedLibvterm01 : expected);
    }

    void alternateScreenIsCroppedOnResize() {
        auto t = make(3, 10);
        t->feed(QByteArray("\033[?1049habcdefghij"));
        t->resize(3, 5);
        QCOMPARE(screen(*t), QStringList{"abcde"});
        t->feed(QByteArray("\033[?1049l"));
        QCOMPARE(t->columns(), 5);
    }

    // --- hostile input ---

    void hugeOscIsDroppedAndParsingRecovers() {
        for (bool allowClipboard : {false, true}) {
            TerminalEmulator::Options o;
            o.clipboardWriteAllowed = allowClipboard;
            auto t = make(3, 10, o);
            QSignalSpy clip(t.get(), &TerminalEmulator::clipboardWriteRequested);
            const QByteArray chunk(64 * 1024, 'A');
            t->feed(QByteArray("\033]52;c;"));
            for (int i = 0; i < 256; ++i) // 16 MiB, as a host would send it: in pieces
                t->feed(chunk);
            t->feed(QByteArray("\007\033]2;ok\007after"));
            QCOMPARE(clip.count(), 0);
            QCOMPARE(t->title(), QStringLiteral("ok"));
            QCOMPARE(t->text(0), QStringLiteral("after"));
        }
    }

    void manyCombiningMarksAreBounded() {
        for (int perWrite : {200000, 64, 2}) {
            auto t = make(3, 10);
            QByteArray marks;
            for (int i = 0; i < 100000; ++i)
                marks += "\xcc\x81";
            QElapsedTimer timer;
            timer.start();
            t->feed(QByteArray("x"));
            for (qsizetype i = 0; i < marks.size(); i += perWrite)
                t->feed(marks.mid(i, perWrite));
            t->feed(QByteArray("y"));
            QVERIFY2(timer.elapsed() < 20000, "combining marks must not take quadratic time");
            const QString row = t->text(0);
            QVERIFY(row.startsWith(QLatin1Char('x')));
            QVERIFY(row.endsWith(QLatin1Char('y')));
            QVERIFY(row.size() <= 2 + int(ClusterTable::kMaxMarks));
        }
    }

    void hostileSequencesDoNotCrashOrReply_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::newRow("huge CSI numbers") << QByteArray("\033[99999999999999999999;99999999999999999999H\033[4294967295L"
                                                        "\033[4294967296M\033[2147483648@\033[-1P");
        QTest::newRow("huge REP") << QByteArray("x\033[99999999999999999999b\033[2147483647b");
        QTest::newRow("many parameters") << QByteArray("\033[" + QByteArray("1;").repeated(10000) + "m");
        QTest::newRow("scroll region nonsense") << QByteArray("\033[0;0r\033[50;2r\033[2;1r\n\n\n\033[r");
        QTest::newRow("private modes nonsense") << QByteArray("\033[?99999999h\033[?-1h\033[?;;;h");
        QTest::newRow("title reports") << QByteArray("\033]2;\033[21t\007\033]l\033\\\033[21t\033[20t");
        QTest::newRow("DECRQSS") << QByteArray("\033P$q\"p\033\\\033P$qr\033\\\033P$q\033[21t\033\\\033P$q;;;\033\\");
        QTest::newRow("unterminated DCS") << QByteArray("\033P" + QByteArray(100000, 'x'));
        QTest::newRow("malformed UTF-8") << QByteArray("\xc0\xaf\xe0\x80\xaf\xed\xa0\x80\xf4\x90\x80\x80\xfe\xff\xc3");
        QTest::newRow("C1 bytes") << QByteArray("\x9b" "2J\x9d" "2;x\x9c\x90" "x\x9c");
        QTest::newRow("OSC 8 flood") << QByteArray("\033]8;;http://a/1\007a\033]8;;\007").repeated(100);
        // libvterm executes C0 controls inside an escape sequence and stays in it, so these are
        // still CSIs with too many arguments (a fuzzer found the NUL case crashing libvterm).
        QTest::newRow("C0 between ESC and [") << QByteArray(QByteArray("\033\000[", 3) + QByteArray(40, ';') + "H\033\a[" +
                                                            QByteArray(40, ';') + "J\033\177\r[" + QByteArray(40, ';') + "K");
        // libvterm 0.1 starts a CSI, OSC or DCS at [ ] P even after intermediates.
        QTest::newRow("intermediates before [") << QByteArray("\033([" + QByteArray(40, ';') + "H\033 #[" +
                                                              QByteArray(40, ';') + "J");
        QTest::newRow("intermediates before ] and P")
            << QByteArray(QByteArray("\033)]7\000\000p\033\\\033(P$q\033[21t\033\\", 21) + "\033%]2;" +
                          QByteArray(10000, 'x') + "\a");
        // libvterm 0.1 ignores a byte from 0x80 up inside an escape sequence and stays in it, so
        // these are an OSC split across writes and an overlong CSI (a fuzzer found the first).
        QTest::newRow("high byte between ESC and ] or [")
            << QByteArray(QByteArray("\033\xb4]4\000\000p\033\\\033\xff\x80[", 13) + QByteArray(40, ';') + "H");
        QTest::newRow("SGR truecolour flood") << QByteArray("\033[38;2;1;2;3m#\033[48;2;255;0;1m#").repeated(200);
        // Held escape sequences are bounded across writes; a long one is dropped, not grown.
        QTest::newRow("long run of intermediates") << QByteArray("\033" + QByteArray(1000, '(') + "[" + QByteArray(40, ';') +
                                                              "H\033" + QByteArray(1000, ' ') + "]2;x\a\033" +
                                                              QByteArray(1000, '#') + "8");
        QTest::newRow("long run of markers") << QByteArray("\033[" + QByteArray(1000, '?') + QByteArray(20, ';') + "h");
    }
    void hostileSequencesDoNotCrashOrReply() {
        QFETCH(QByteArray, input);
        for (bool byteByByte : {false, true}) {
            auto t = make(24, 80);
            QByteArray sent;
            connect(t.get(), &TerminalEmulator::replyBytes, this, [&](const QByteArray& b) { sent += b; });
            feed(*t, input, byteByByte);
            t->feed(QByteArray("\033\\\030\033[0m\r\nok"));
            QVERIFY2(!sent.contains("21t") && !sent.contains("\033]"), sent.toHex().constData());
            // The terminal still works.
            QVERIFY(t->text(t->cursor().row).endsWith(QLatin1String("ok")));
        }
    }

    void hugeSingleWritesFitOnTheStack() {
        // libvterm 0.1 decodes a write's text into a stack array of 4 bytes per byte: 16 MB of
        // text, or a screenful of REP at a huge size, handed over at once would overflow it.
        auto t = make(24, 80);
        QByteArray text(16 * 1024 * 1024, 'a');
        text += "\r\nend";
        t->feed(text);
        QCOMPARE(t->text(t->cursor().row), QStringLiteral("end"));
        auto wide = make(1000, 1000);
        wide->feed(QByteArray("\xe4\xb8\xad\033[999999b\r\nok"));
        QCOMPARE(wide->text(wide->cursor().row), QStringLiteral("ok"));
        QCOMPARE(wide->text(0).left(2), QStringLiteral("\u4e2d\u4e2d"));
    }

    void controlInsideEscapeSequenceKeepsTheSequence() {
        // VT500 parsers (and libvterm) execute a C0 control met inside an escape sequence.
        for (bool byteByByte : {false, true}) {
            auto t = make(2, 10);
            int bells = 0;
            connect(t.get(), &TerminalEmulator::bell, this, [&] { ++bells; });
            feed(*t, QByteArray("\033\a[31mX\033\000[1mY", 14), byteByByte);
            QCOMPARE(t->text(0), QStringLiteral("XY"));
            QCOMPARE(styleAt(*t, 0, 0).fg, Color::indexed(1));
            QCOMPARE(int(styleAt(*t, 0, 1).attrs), int(attr::Bold));
            QCOMPARE(bells, 1);
        }
    }

    void escapeIntermediates() {
        for (bool byteByByte : {false, true}) {
            auto t = make(2, 10);
            // A designation still works when split anywhere: DEC line drawing maps q to ─.
            feed(*t, QByteArray("\033(0q\033(Bq"), byteByByte);
            QCOMPARE(t->text(0), QStringLiteral("\u2500q"));
            // [ and ] after intermediates: a CSI and an OSC to libvterm 0.1; from 0.3 the final
            // bytes of escape sequences (unknown designations), the rest being text.
            feed(*t, QByteArray("\033([1mZ\033(]2;hi\a"), byteByByte);
            if (vterm_compat::kIntroducersAfterIntermediates) {
                QCOMPARE(int(styleAt(*t, 0, 2).attrs), int(attr::Bold));
                QCOMPARE(t->title(), QStringLiteral("hi"));
            } else {
                QCOMPARE(t->text(0), QStringLiteral("\u2500q1mZ2;hi"));
                QCOMPARE(int(styleAt(*t, 0, 2).attrs), 0);
                QCOMPARE(t->title(), QString());
            }
        }
    }

    void escapeSequenceHeldAcrossResize() {
        // A pending escape sequence stays with the scanner, not half inside libvterm, so the
        // resize's own sequences cannot cut it in two.
        auto t = make(2, 10);
        t->feed(QByteArray("\033("));
        t->resize(3, 12);
        t->feed(QByteArray("0q\033["));
        t->resize(2, 10);
        t->feed(QByteArray("1mq"));
        QCOMPARE(t->text(0), QStringLiteral("\u2500\u2500"));
        QCOMPARE(int(styleAt(*t, 0, 1).attrs), int(attr::Bold));
    }

    // libvterm restores a saved cursor as it was saved, also onto rows and columns the screen
    // has lost since; the emulator keeps it on the screen as xterm does, so that what follows is
    // written where the user sees it (and libvterm reads no row data past its screen).
    void savedCursorRestoredAfterShrink_data() {
        QTest::addColumn<QSize>("before"); // columns × rows
        QTest::addColumn<QByteArray>("save");
        QTest::addColumn<QSize>("after");
        QTest::addColumn<QByteArray>("restore");
        QTest::addColumn<int>("row");
        QTest::addColumn<QString>("text");

        QTest::newRow("DECRC, below the screen") << QSize(80, 24) << QByteArray("\033[24;5H\0337") << QSize(80, 12)
                                                 << QByteArray("\0338") << 11 << QStringLiteral("    XYZ");
        QTest::newRow("DECRC, beyond the last column")
            << QSize(80, 10) << QByteArray("\033[3;70H\0337") << QSize(40, 10) << QByteArray("\0338") << 3
            << QStringLiteral("YZ");
        QTest::newRow("DECRC, inside the screen") << QSize(80, 24) << QByteArray("\033[5;5H\0337") << QSize(80, 12)
                                                  << QByteArray("\0338") << 4 << QStringLiteral("    XYZ");
        QTest::newRow("DECRST 1048") << QSize(80, 24) << QByteArray("\033[24;5H\033[?1048h") << QSize(80, 12)
                                     << QByteArray("\033[?1048l") << 11 << QStringLiteral("    XYZ");
        QTest::newRow("DECRST 1049, resized on the alternate screen")
            << QSize(80, 24) << QByteArray("\033[24;5H\033[?1049h") << QSize(80, 12) << QByteArray("\033[?1049l")
            << 11 << QStringLiteral("    XYZ");
    }

    void savedCursorRestoredAfterShrink() {
        QFETCH(QSize, before);
        QFETCH(QByteArray, save);
        QFETCH(QSize, after);
        QFETCH(QByteArray, restore);
        QFETCH(int, row);
        QFETCH(QString, text);
        auto t = make(before.height(), before.width());
        t->feed(save);
        t->resize(after.height(), after.width());
        t->feed(restore + "XYZ");
        QCOMPARE(t->cursor().row, row);
        QCOMPARE(t->text(row), text);
    }

    void manyStylesAreBounded() {
        auto t = make(24, 80);
        QByteArray stream;
        for (int r = 0; r < 256; r += 1)
            for (int g = 0; g < 256; g += 1)
                stream += "\033[38;2;" + QByteArray::number(r) + ';' + QByteArray::number(g) + ";7m#";
        t->feed(stream + "\033[38;2;9;9;9mZ");
        // Past 65,535 styles, new colours are quantised to the palette rather than growing.
        const Style& s = styleAt(*t, t->cursor().row, t->cursor().column - 1);
        QVERIFY(s.fg.kind() != Color::Kind::Default);
    }

    void randomBytesSurvive() {
        QRandomGenerator rng(1234);
        auto t = make(24, 80);
        QByteArray alphabet("\033[]?;0123456789mHJKlhtqPp\\\007\r\n\x9b\xe4\xb8\xad\xcc\x81 abc");
        for (int round = 0; round < 200; ++round) {
            QByteArray chunk;
            for (int i = 0; i < 500; ++i)
                chunk += alphabet[int(rng.bounded(alphabet.size()))];
            t->feed(chunk);
            if (round % 50 == 49)
                t->resize(int(rng.bounded(1, 40)), int(rng.bounded(1, 120)));
        }
        t->feed(QByteArray("\030\033\\\033[0m\033[?1049l\r\nend"));
        QVERIFY(t->text(t->cursor().row).endsWith(QLatin1String("end")));
    }
};

QTEST_GUILESS_MAIN(TestTerminalEmulator)
#include "test_terminal_emulator.moc"
