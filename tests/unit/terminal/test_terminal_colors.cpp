// OSC 4/10/11/12 colour queries, sets and resets (xterm ctlseqs): the exact reply bytes for
// the dark and light schemes, the colours a set leaves for painting, resets, malformed input;
// and the colour specification parser (XParseColor's forms).
#include "ColorScheme.h"
#include "TerminalEmulator.h"
#include "TerminalTestTools.h"

#include <QtTest>

#include <memory>

using namespace portal::terminal;
using portal::terminal::testing::feed;

namespace {

constexpr Rgb kNoChange = 0xffffffffu; // a row's expected colour column: the scheme's own

struct Session {
    std::unique_ptr<TerminalEmulator> terminal = std::make_unique<TerminalEmulator>(5, 20);
    QByteArray sent;
    int changes = 0;
    explicit Session(const ColorScheme& scheme) {
        terminal->setBaseColors(scheme.terminalColors());
        QObject::connect(terminal.get(), &TerminalEmulator::replyBytes, [this](const QByteArray& b) { sent += b; });
        QObject::connect(terminal.get(), &TerminalEmulator::colorsChanged, [this] { ++changes; });
    }
};

Rgb rgbOf(const QColor& c) { return c.rgb() & 0xffffff; }

} // namespace

class TestTerminalColors : public QObject {
    Q_OBJECT
private slots:
    void queries_data() {
        QTest::addColumn<QString>("scheme");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("reply");
        const QString dark = QStringLiteral("Portal Dark"), light = QStringLiteral("Portal Light");
        // Portal Dark: fg #d0d0d0, bg #1c1c1c, cursor #e0e0e0, colour 1 #e06c75.
        QTest::newRow("dark fg BEL") << dark << QByteArray("\033]10;?\007") << QByteArray("\033]10;rgb:d0d0/d0d0/d0d0\007");
        QTest::newRow("dark bg ST") << dark << QByteArray("\033]11;?\033\\")
                                    << QByteArray("\033]11;rgb:1c1c/1c1c/1c1c\033\\");
        QTest::newRow("dark cursor") << dark << QByteArray("\033]12;?\007") << QByteArray("\033]12;rgb:e0e0/e0e0/e0e0\007");
        QTest::newRow("dark palette 1") << dark << QByteArray("\033]4;1;?\033\\")
                                        << QByteArray("\033]4;1;rgb:e0e0/6c6c/7575\033\\");
        QTest::newRow("dark palette 196 (cube)") << dark << QByteArray("\033]4;196;?\007")
                                                 << QByteArray("\033]4;196;rgb:ffff/0000/0000\007");
        QTest::newRow("dark palette 244 (grey)") << dark << QByteArray("\033]4;244;?\007")
                                                 << QByteArray("\033]4;244;rgb:8080/8080/8080\007");
        // Portal Light: fg #2a2a2a, bg #fbfbfb, cursor #202020, colour 1 #c4262e.
        QTest::newRow("light fg") << light << QByteArray("\033]10;?\033\\")
                                  << QByteArray("\033]10;rgb:2a2a/2a2a/2a2a\033\\");
        QTest::newRow("light bg") << light << QByteArray("\033]11;?\007") << QByteArray("\033]11;rgb:fbfb/fbfb/fbfb\007");
        QTest::newRow("light cursor") << light << QByteArray("\033]12;?\007") << QByteArray("\033]12;rgb:2020/2020/2020\007");
        QTest::newRow("light palette 1") << light << QByteArray("\033]4;1;?\007")
                                         << QByteArray("\033]4;1;rgb:c4c4/2626/2e2e\007");
        // xterm: further parameters move on to the next dynamic colour.
        QTest::newRow("fg and bg in one") << light << QByteArray("\033]10;?;?\007")
                                          << QByteArray("\033]10;rgb:2a2a/2a2a/2a2a\007\033]11;rgb:fbfb/fbfb/fbfb\007");
        QTest::newRow("two palette entries") << dark << QByteArray("\033]4;0;?;15;?\007")
                                             << QByteArray("\033]4;0;rgb:2e2e/2e2e/2e2e\007\033]4;15;rgb:ffff/ffff/ffff\007");
        // A query answers the colour as changed, not the scheme's.
        QTest::newRow("after set") << dark << QByteArray("\033]11;#102030\007\033]11;?\007")
                                   << QByteArray("\033]11;rgb:1010/2020/3030\007");
        QTest::newRow("after reset") << dark << QByteArray("\033]11;#102030\007\033]111\007\033]11;?\007")
                                     << QByteArray("\033]11;rgb:1c1c/1c1c/1c1c\007");
        QTest::newRow("set then query in one") << dark << QByteArray("\033]10;red;?\007")
                                               << QByteArray("\033]11;rgb:1c1c/1c1c/1c1c\007");
        // Nothing of the request's text comes back: malformed queries are ignored.
        QTest::newRow("index out of range") << dark << QByteArray("\033]4;256;?\007") << QByteArray();
        QTest::newRow("index not a number") << dark << QByteArray("\033]4;evil;?\007") << QByteArray();
        QTest::newRow("query with junk") << dark << QByteArray("\033]10;?evil\007") << QByteArray();
        QTest::newRow("OSC 13 not ours") << dark << QByteArray("\033]13;?\007") << QByteArray();
        QTest::newRow("reset answers nothing") << dark << QByteArray("\033]110;?\007\033]104;1\007") << QByteArray();
    }
    void queries() {
        QFETCH(QString, scheme);
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, reply);
        for (bool byteByByte : {false, true}) {
            Session s(ColorScheme::named(scheme));
            feed(*s.terminal, input, byteByByte);
            QCOMPARE(s.sent, reply);
            QVERIFY(!s.sent.contains("evil"));
        }
    }

    void sets_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<uint>("foreground");
        QTest::addColumn<uint>("background");
        QTest::addColumn<uint>("cursor");
        QTest::addColumn<int>("index");
        QTest::addColumn<uint>("indexed");
        const uint same = kNoChange;
        QTest::newRow("bg #rrggbb") << QByteArray("\033]11;#336699\007") << same << 0x336699u << same << -1 << same;
        QTest::newRow("bg #rgb high bits") << QByteArray("\033]11;#f80\007") << same << 0xf08000u << same << -1 << same;
        QTest::newRow("bg #rrrrggggbbbb") << QByteArray("\033]11;#12345678abcd\033\\") << same << 0x1256abu << same << -1
                                          << same;
        QTest::newRow("fg rgb: 2 digits") << QByteArray("\033]10;rgb:ff/80/00\007") << 0xff8000u << same << same << -1
                                          << same;
        QTest::newRow("fg rgb: 4 digits") << QByteArray("\033]10;rgb:ffff/8080/0000\007") << 0xff8000u << same << same
                                          << -1 << same;
        QTest::newRow("fg rgb: 1 digit scaled") << QByteArray("\033]10;rgb:f/8/0\007") << 0xff8800u << same << same << -1
                                                << same;
        QTest::newRow("fg rgb: mixed widths") << QByteArray("\033]10;RGB:f/80/000\007") << 0xff8000u << same << same
                                              << -1 << same;
        QTest::newRow("cursor X11 name") << QByteArray("\033]12;Orange\007") << same << same << 0xffa500u << -1 << same;
        QTest::newRow("X11 gray is not CSS gray") << QByteArray("\033]11;gray\007") << same << 0xbebebeu << same << -1
                                                  << same;
        QTest::newRow("name with space") << QByteArray("\033]11;dark blue\007") << same << 0x00008bu << same << -1
                                         << same;
        QTest::newRow("fg, bg, cursor in one") << QByteArray("\033]10;#010203;#040506;#070809\007") << 0x010203u
                                               << 0x040506u << 0x070809u << -1 << same;
        QTest::newRow("skip fg, set bg") << QByteArray("\033]10;;#040506\007") << same << 0x040506u << same << -1 << same;
        QTest::newRow("palette 1") << QByteArray("\033]4;1;#00ff00\007") << same << same << same << 1 << 0x00ff00u;
        QTest::newRow("palette 200 pairs") << QByteArray("\033]4;3;red;200;rgb:12/34/56\007") << same << same << same
                                           << 200 << 0x123456u;
        QTest::newRow("palette reset one") << QByteArray("\033]4;5;#123456\007\033]104;5\007") << same << same << same
                                           << 5 << same;
        QTest::newRow("palette reset all") << QByteArray("\033]4;5;#123456;100;#654321\007\033]104\007") << same << same
                                           << same << 100 << same;
        QTest::newRow("fg reset") << QByteArray("\033]10;#123456\007\033]110\007") << same << same << same << -1 << same;
        QTest::newRow("bg reset (ST)") << QByteArray("\033]11;#123456\033\\\033]111\033\\") << same << same << same
                                       << -1 << same;
        // RIS (ESC c) drops every override, as xterm does; a later set applies again.
        QTest::newRow("RIS resets fg, bg, cursor") << QByteArray("\033]10;#010203;#040506;#070809\007\033c") << same
                                                  << same << same << -1 << same;
        QTest::newRow("RIS resets the palette") << QByteArray("\033]4;5;#123456\007\033c") << same << same << same << 5
                                                << same;
        QTest::newRow("set after RIS") << QByteArray("\033]11;#123456\007\033c\033]4;9;#654321\007") << same << same
                                       << same << 9 << 0x654321u;
        QTest::newRow("cursor reset keeps bg") << QByteArray("\033]11;#123456\007\033]12;#654321\007\033]112\007")
                                               << same << 0x123456u << same << -1 << same;
        // Malformed: ignored whole, the colour stays.
        QTest::newRow("bad hex") << QByteArray("\033]11;#12345g\007") << same << same << same << -1 << same;
        QTest::newRow("wrong digit count") << QByteArray("\033]11;#1234\007") << same << same << same << -1 << same;
        QTest::newRow("too many digits") << QByteArray("\033]11;#1234567890abc\007") << same << same << same << -1 << same;
        QTest::newRow("rgb: two parts") << QByteArray("\033]11;rgb:12/34\007") << same << same << same << -1 << same;
        QTest::newRow("rgb: five digits") << QByteArray("\033]11;rgb:12345/0/0\007") << same << same << same << -1 << same;
        QTest::newRow("rgb: empty part") << QByteArray("\033]11;rgb:12//34\007") << same << same << same << -1 << same;
        QTest::newRow("rgb: sign") << QByteArray("\033]11;rgb:+1/2/3\007") << same << same << same << -1 << same;
        QTest::newRow("unknown name") << QByteArray("\033]11;notacolour\007") << same << same << same << -1 << same;
        QTest::newRow("overlong spec") << QByteArray("\033]11;" + QByteArray(80, 'a') + "\007") << same << same << same
                                       << -1 << same;
        QTest::newRow("palette index 256") << QByteArray("\033]4;256;#ffffff\007") << same << same << same << 255 << same;
        QTest::newRow("palette negative") << QByteArray("\033]4;-1;#ffffff\007") << same << same << same << 0 << same;
        QTest::newRow("palette missing spec") << QByteArray("\033]4;7\007") << same << same << same << 7 << same;
        QTest::newRow("CAN aborts the set") << QByteArray("\033]11;#123456\030") << same << same << same << -1 << same;
    }
    void sets() {
        QFETCH(QByteArray, input);
        QFETCH(uint, foreground);
        QFETCH(uint, background);
        QFETCH(uint, cursor);
        QFETCH(int, index);
        QFETCH(uint, indexed);
        const ColorScheme scheme = ColorScheme::named(QStringLiteral("Portal Dark"));
        auto expect = [](uint value, const QColor& schemes) { return value == kNoChange ? rgbOf(schemes) : Rgb(value); };
        for (bool byteByByte : {false, true}) {
            Session s(scheme);
            feed(*s.terminal, input, byteByByte);
            QVERIFY(s.sent.isEmpty());
            const TerminalColors& c = s.terminal->colors();
            QCOMPARE(c.foreground, expect(foreground, scheme.foreground));
            QCOMPARE(c.background, expect(background, scheme.background));
            QCOMPARE(c.cursor, expect(cursor, scheme.cursor));
            if (index >= 0) {
                const Rgb base = scheme.terminalColors().palette[std::size_t(index)];
                QCOMPARE(c.palette[std::size_t(index)], indexed == kNoChange ? base : Rgb(indexed));
            }
            // What the view paints: the scheme with these colours.
            const ColorScheme painted = scheme.withColors(c);
            QCOMPARE(rgbOf(painted.background), c.background);
            QCOMPARE(rgbOf(painted.foreground), c.foreground);
            if (index >= 0)
                QCOMPARE(rgbOf(painted.resolve(Color::indexed(std::uint8_t(index)), true)), c.palette[std::size_t(index)]);
            if (!(c == scheme.terminalColors()))
                QVERIFY(s.changes > 0); // the view learns of every change
        }
    }

    // Overrides belong to the terminal: a new scheme changes what is not overridden only.
    void overridesSurviveSchemeChange() {
        Session s(ColorScheme::named(QStringLiteral("Portal Dark")));
        s.terminal->feed("\033]11;#010203\007");
        const ColorScheme light = ColorScheme::named(QStringLiteral("Portal Light"));
        s.terminal->setBaseColors(light.terminalColors());
        QCOMPARE(s.terminal->colors().background, Rgb(0x010203));
        QCOMPARE(s.terminal->colors().foreground, rgbOf(light.foreground));
        s.terminal->feed("\033]111\007");
        QCOMPARE(s.terminal->colors().background, rgbOf(light.background));
    }

    // The view repaints after a RIS that dropped overrides (and only then).
    void resetNotifiesView() {
        Session s(ColorScheme::named(QStringLiteral("Portal Dark")));
        s.terminal->feed("\033c");
        QCOMPARE(s.changes, 0);
        s.terminal->feed("\033]11;#010203\007");
        QCOMPARE(s.changes, 1);
        s.terminal->feed("\033c");
        QCOMPARE(s.changes, 2);
        QCOMPARE(s.terminal->colors(), ColorScheme::named(QStringLiteral("Portal Dark")).terminalColors());
    }

    // A flood of queries in one OSC is answered at most 256 times.
    void queryFloodBounded() {
        Session s(ColorScheme::named(QString()));
        s.terminal->feed("\033]4;" + QByteArray("1;?;").repeated(1500) + "\007");
        QCOMPARE(s.sent.count("\033]4;1;"), 256);
    }
};

QTEST_GUILESS_MAIN(TestTerminalColors)
#include "test_terminal_colors.moc"
