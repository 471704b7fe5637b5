// portal-cli's interactive pieces without a server: the ~ escape filter (ssh(1) "ESCAPE
// CHARACTERS"), the RFC 4254 §8 terminal-mode encoding, and raw mode on a real pty with the
// saved modes restored afterwards.
#include "EscapeFilter.h"
#include "LocalTerminal.h"

#include "wire/Reader.h"

#include <QtTest>

#include <map>
#include <pty.h>
#include <unistd.h>

using namespace portal::app::cli;
using portal::protocol::ByteView;

namespace {

// Feeds `input` in pieces of `step` bytes; records what goes to the server, with each
// command as "<.>", "<B>", "<C>", "<R>", "<Z>", "<#>", "<?>", "<V>", "<v>" or "<&>" at the point
// where it happened.
QByteArray filter(int escapeChar, const QByteArray& input, qsizetype step = 1 << 20) {
    EscapeFilter escapes(escapeChar);
    QByteArray out;
    for (qsizetype at = 0; at < input.size(); at += step) {
        const QByteArray piece = input.mid(at, step);
        escapes.feed(
            ByteView(reinterpret_cast<const std::uint8_t*>(piece.constData()), static_cast<std::size_t>(piece.size())),
            [&](ByteView run) { out.append(reinterpret_cast<const char*>(run.data()), static_cast<qsizetype>(run.size())); },
            [&](EscapeCommand command) {
                switch (command) {
                case EscapeCommand::Disconnect: out += "<.>"; break;
                case EscapeCommand::SendBreak: out += "<B>"; break;
                case EscapeCommand::CommandLine: out += "<C>"; break;
                case EscapeCommand::Rekey: out += "<R>"; break;
                case EscapeCommand::Suspend: out += "<Z>"; break;
                case EscapeCommand::ListConnections: out += "<#>"; break;
                case EscapeCommand::Help: out += "<?>"; break;
                case EscapeCommand::LessVerbose: out += "<V>"; break;
                case EscapeCommand::MoreVerbose: out += "<v>"; break;
                case EscapeCommand::Background: out += "<&>"; break;
                }
            });
    }
    return out;
}

// opcode -> value of an encoded modes string; fails the test on a malformed encoding.
std::map<int, std::uint32_t> decodeModes(const portal::protocol::Bytes& encoded) {
    std::map<int, std::uint32_t> modes;
    portal::protocol::wire::Reader reader{ByteView(encoded)};
    while (reader.remaining() > 0) {
        const std::uint8_t opcode = reader.byte();
        const std::uint32_t value = reader.uint32();
        if (!reader.ok() || opcode == 0 || opcode >= 160)
            break;
        modes[opcode] = value;
    }
    return modes;
}

} // namespace

class TestCliTerminal : public QObject {
    Q_OBJECT
private slots:
    void escapes_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("sent");
        QTest::newRow("plain text passes") << QByteArray("ls -l\r") << QByteArray("ls -l\r");
        QTest::newRow("~. at the very start") << QByteArray("~.") << QByteArray("<.>");
        QTest::newRow("~. after CR") << QByteArray("echo\r~.rest") << QByteArray("echo\r<.>rest");
        QTest::newRow("~. after LF") << QByteArray("a\n~.") << QByteArray("a\n<.>");
        QTest::newRow("~ mid-line is data") << QByteArray("cd ~.") << QByteArray("cd ~.");
        QTest::newRow("~~ sends one ~") << QByteArray("\r~~.") << QByteArray("\r~.");
        QTest::newRow("~x sends both") << QByteArray("\r~x") << QByteArray("\r~x");
        QTest::newRow("~ then CR sends both, next line escapes") << QByteArray("~\r~.") << QByteArray("~\r<.>");
        QTest::newRow("suspend") << QByteArray("\r~\x1a") << QByteArray("\r<Z>");
        QTest::newRow("list and help stay at line start") << QByteArray("~#~?~.") << QByteArray("<#><?><.>");
        QTest::newRow("break, command line, rekey") << QByteArray("~B\r~C\r~Rx") << QByteArray("<B>\r<C>\r<R>x");
        QTest::newRow("verbosity down and up, background") << QByteArray("~V\r~v\r~&") << QByteArray("<V>\r<v>\r<&>");
        QTest::newRow("~& mid-line is data") << QByteArray("sleep 9 ~&") << QByteArray("sleep 9 ~&");
        QTest::newRow("lower case b, c, r are data") << QByteArray("~b\r~c\r~r") << QByteArray("~b\r~c\r~r");
        QTest::newRow("binary around") << QByteArray("\x00\xff\r~#\x01", 6) << QByteArray("\x00\xff\r<#>\x01", 7);
    }
    void escapes() {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, sent);
        QCOMPARE(filter('~', input), sent);
        // Byte at a time (typing) gives the same result as one read.
        QCOMPARE(filter('~', input, 1), sent);
    }

    void otherEscapeCharacters() {
        QCOMPARE(filter('%', QByteArray("~.\r%.")), QByteArray("~.\r<.>"));
        QCOMPARE(filter(0x01, QByteArray("\x01#")), QByteArray("<#>"));
        QCOMPARE(filter(-1, QByteArray("~.\r~.")), QByteArray("~.\r~.")); // EscapeChar none
    }

    void helpNamesTheEscapeCharacter() {
        QVERIFY(QString::fromStdString(escapeHelp('~')).contains(QStringLiteral(" ~.   - terminate connection")));
        QVERIFY(QString::fromStdString(escapeHelp(0x01)).contains(QStringLiteral(" ^A.")));
        QVERIFY(QString::fromStdString(escapeHelp('~')).contains(QStringLiteral(" ~V/v - decrease/increase verbosity")));
        // Logging to a file (-E): the level stays as it is, so ~V/v is not offered.
        QVERIFY(!QString::fromStdString(escapeHelp('~', false)).contains(QStringLiteral("~V/v")));
    }

    void terminalModesEncoding() {
        termios modes{};
        modes.c_iflag = ICRNL | IXON | IUTF8;
        modes.c_oflag = OPOST | ONLCR;
        modes.c_cflag = CS8 | CREAD;
        modes.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN | ECHOCTL | ECHOKE;
        modes.c_cc[VINTR] = 0x03;
        modes.c_cc[VERASE] = 0x7f;
        modes.c_cc[VEOF] = 0x04;
        modes.c_cc[VEOL] = _POSIX_VDISABLE;
        // Linux keeps one speed for both directions.
        cfsetispeed(&modes, B38400);
        cfsetospeed(&modes, B38400);
        const std::map<int, std::uint32_t> decoded = decodeModes(encodeTerminalModes(modes));
        QCOMPARE(decoded.at(1), 3u);    // VINTR ^C
        QCOMPARE(decoded.at(3), 127u);  // VERASE DEL
        QCOMPARE(decoded.at(5), 4u);    // VEOF ^D
        QCOMPARE(decoded.at(6), 255u);  // VEOL disabled: 255 (RFC 4254 §8)
        QCOMPARE(decoded.at(36), 1u);   // ICRNL
        QCOMPARE(decoded.at(38), 1u);   // IXON
        QCOMPARE(decoded.at(40), 0u);   // IXOFF
        QCOMPARE(decoded.at(42), 1u);   // IUTF8 (RFC 8160)
        QCOMPARE(decoded.at(50), 1u);   // ISIG
        QCOMPARE(decoded.at(51), 1u);   // ICANON
        QCOMPARE(decoded.at(53), 1u);   // ECHO
        QCOMPARE(decoded.at(56), 0u);   // ECHONL
        QCOMPARE(decoded.at(72), 1u);   // ONLCR
        QCOMPARE(decoded.at(90), 0u);   // CS7
        QCOMPARE(decoded.at(91), 1u);   // CS8
        QCOMPARE(decoded.at(92), 0u);   // PARENB
        QCOMPARE(decoded.at(128), 38400u);
        QCOMPARE(decoded.at(129), 38400u);
    }

    void rawModeOnARealPtyIsRestored() {
        int master = -1, slave = -1;
        winsize size{};
        size.ws_col = 132;
        size.ws_row = 43;
        QVERIFY2(::openpty(&master, &slave, nullptr, nullptr, &size) == 0, "openpty failed");
        termios before{};
        QVERIFY(::tcgetattr(slave, &before) == 0);
        QVERIFY(before.c_lflag & ICANON);
        const std::optional<TerminalSize> reported = terminalSize(slave);
        QVERIFY(reported);
        QCOMPARE(reported->columns, 132u);
        QCOMPARE(reported->rows, 43u);
        {
            RawTerminal raw(slave);
            QVERIFY(raw.active());
            termios during{};
            QVERIFY(::tcgetattr(slave, &during) == 0);
            QVERIFY(!(during.c_lflag & (ICANON | ECHO | ISIG | IEXTEN)));
            QVERIFY(!(during.c_iflag & (ICRNL | IXON)));
            QVERIFY(!(during.c_oflag & OPOST));
            QCOMPARE(int(during.c_cc[VMIN]), 1);
            raw.restore(); // ~^Z gives the terminal back ...
            QVERIFY(::tcgetattr(slave, &during) == 0);
            QVERIFY(during.c_lflag & ICANON);
            raw.enter(); // ... and takes it again on resume
            QVERIFY(::tcgetattr(slave, &during) == 0);
            QVERIFY(!(during.c_lflag & ICANON));
        }
        termios after{};
        QVERIFY(::tcgetattr(slave, &after) == 0);
        QCOMPARE(after.c_lflag, before.c_lflag);
        QCOMPARE(after.c_iflag, before.c_iflag);
        QCOMPARE(after.c_oflag, before.c_oflag);
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(after.c_cc), NCCS),
                 QByteArray(reinterpret_cast<const char*>(before.c_cc), NCCS));
        QVERIFY(!terminalSize(-1));
        ::close(slave);
        ::close(master);
    }
};

QTEST_GUILESS_MAIN(TestCliTerminal)
#include "test_cli_terminal.moc"
