// Where X11 forwarding connects locally: DISPLAY values in Xlib's syntax (local Unix socket,
// XQuartz-style socket path, TCP 6000+N) and the errors for the ones that cannot be used;
// `xauth list` lines turned into a protocol and raw cookie.
#include "forward/X11Display.h"

#include <QtTest>

using namespace portal::protocol;
using namespace portal::protocol::forward;

class TestX11Display : public QObject {
    Q_OBJECT

private slots:
    void parsesDisplays_data() {
        QTest::addColumn<QString>("display");
        QTest::addColumn<QString>("socketPath");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<int>("screen");
        QTest::addColumn<QString>("xauthName");
        QTest::newRow(":0") << ":0" << "/tmp/.X11-unix/X0" << "" << 0 << 0 << ":0";
        QTest::newRow(":12.3") << ":12.3" << "/tmp/.X11-unix/X12" << "" << 0 << 3 << ":12.3";
        QTest::newRow("unix:5") << "unix:5" << "/tmp/.X11-unix/X5" << "" << 0 << 0 << "unix:5";
        QTest::newRow("socket path") << "/private/tmp/com.apple.launchd.abc/org.xquartz:0"
                                     << "/private/tmp/com.apple.launchd.abc/org.xquartz" << "" << 0 << 0
                                     << "/private/tmp/com.apple.launchd.abc/org.xquartz:0";
        QTest::newRow("localhost:10.0 (an ssh session's)")
            << "localhost:10.0" << "" << "localhost" << 6010 << 0 << "unix:10.0";
        QTest::newRow("host:2.1") << "xserver.example:2.1" << "" << "xserver.example" << 6002 << 1
                                  << "xserver.example:2.1";
        QTest::newRow("highest display") << "h:59535" << "" << "h" << 65535 << 0 << "h:59535";
    }
    void parsesDisplays() {
        QFETCH(QString, display);
        QFETCH(QString, socketPath);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(int, screen);
        QFETCH(QString, xauthName);
        const Result<X11Display> parsed = parseX11Display(display.toStdString());
        QVERIFY2(parsed, parsed ? "" : parsed.error().message.c_str());
        QCOMPARE(QString::fromStdString(parsed->socketPath), socketPath);
        QCOMPARE(QString::fromStdString(parsed->host), host);
        QCOMPARE(int(parsed->port), port);
        QCOMPARE(int(parsed->screen), screen);
        QCOMPARE(QString::fromStdString(parsed->xauthName), xauthName);
    }

    void refusesBadDisplays_data() {
        QTest::addColumn<QString>("display");
        for (const char* bad : {"", "nonsense", ":", ":x", ":1.", ":1.x", "host::0", "h:59536", ":-1",
                                ":99999999999", ":1 ", "host:"})
            QTest::newRow(bad) << QString::fromLatin1(bad);
    }
    void refusesBadDisplays() {
        QFETCH(QString, display);
        const Result<X11Display> parsed = parseX11Display(display.toStdString());
        QVERIFY(!parsed);
        QVERIFY(parsed.error().message.find("DISPLAY") != std::string::npos);
    }

    void parsesXauthList() {
        const Result<X11Authorization> found =
            parseXauthList("vm/unix:0  MIT-MAGIC-COOKIE-1  004a9a2184539c801d3567efff14d35e\nother line\n");
        QVERIFY(found);
        QCOMPARE(found->protocol, std::string("MIT-MAGIC-COOKIE-1"));
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(found->cookie.data()), int(found->cookie.size())).toHex(),
                 QByteArray("004a9a2184539c801d3567efff14d35e"));
    }

    void refusesBadXauthList_data() {
        QTest::addColumn<QByteArray>("output");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("two fields") << QByteArray("vm/unix:0 MIT-MAGIC-COOKIE-1\n");
        QTest::newRow("odd hex") << QByteArray("vm/unix:0 MIT-MAGIC-COOKIE-1 abc\n");
        QTest::newRow("not hex") << QByteArray("vm/unix:0 MIT-MAGIC-COOKIE-1 zz112233\n");
        QTest::newRow("entry on the second line only") << QByteArray("\nvm/unix:0 MIT-MAGIC-COOKIE-1 0011\n");
    }
    void refusesBadXauthList() {
        QFETCH(QByteArray, output);
        const Result<X11Authorization> found = parseXauthList(output.toStdString());
        QVERIFY(!found);
        QVERIFY(found.error().message.find("00") == std::string::npos); // never quotes the data
    }
};

QTEST_GUILESS_MAIN(TestX11Display)
#include "test_x11_display.moc"
