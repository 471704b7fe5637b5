// portal-cli ssh X11 forwarding (-X untrusted, -Y trusted; RFC 4254 §6.3) against OpenSSH
// sshd and a real X server (Xvfb with a screen size no other display has): remote X clients
// reach our Xvfb through the spoofed cookie, untrusted ones with the X SECURITY extension's
// restrictions, the real cookie never reaches the server, a client with the wrong cookie or
// after ForwardX11Timeout is turned away, nothing is forwarded unless asked for, and a slow
// xauth does not hold up the connection's other channels.
#include "PortalCliRunner.h"
#include "WorkerTestTools.h"
#include "XvfbServer.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QThread>
#include <QtTest>

using namespace portal::test;

namespace {

// What the remote side prints about its display: the screen, how many extensions it may see
// (the SECURITY extension hides most from an untrusted client) and the cookie it was given.
const QString kProbe = QStringLiteral(
    "echo \"display=[$DISPLAY]\"; [ -n \"$DISPLAY\" ] || exit 0; "
    "xdpyinfo | grep -E 'dimensions|number of extensions'; xauth list \"$DISPLAY\"");

int extensionCount(const QByteArray& out) {
    const QRegularExpressionMatch match =
        QRegularExpression(QStringLiteral("number of extensions:\\s+(\\d+)")).match(QString::fromLocal8Bit(out));
    return match.hasMatch() ? match.captured(1).toInt() : -1;
}

QString remoteCookie(const QByteArray& out) {
    const QRegularExpressionMatch match =
        QRegularExpression(QStringLiteral("MIT-MAGIC-COOKIE-1\\s+([0-9a-f]+)")).match(QString::fromLocal8Bit(out));
    return match.hasMatch() ? match.captured(1) : QString();
}

} // namespace

class TestCliX11 : public QObject, public PortalCliTest {
    Q_OBJECT

    XvfbServer xvfb_;

    // A runner trusting the server, with this machine's display set to our Xvfb (DISPLAY
    // and XAUTHORITY as a desktop session has them).
    PortalCliRunner runner() const {
        PortalCliRunner cli = trustingRunner();
        cli.environment().insert(QStringLiteral("DISPLAY"), xvfb_.display());
        cli.environment().insert(QStringLiteral("XAUTHORITY"), xvfb_.authorityFile());
        return cli;
    }

private slots:
    void initTestCase() {
        QVERIFY2(xvfb_.start(QSize(1234, 567)), qPrintable(xvfb_.errorString()));
        QVERIFY2(startServer({{QStringLiteral("X11Forwarding"), QStringLiteral("yes")},
                              {QStringLiteral("X11UseLocalhost"), QStringLiteral("yes")},
                              {QStringLiteral("XAuthLocation"), QStringLiteral("/usr/bin/xauth")}}),
                 qPrintable(server_->errorString()));
    }

    void cleanupTestCase() {
        server_.reset();
        xvfb_.stop();
    }

    // -Y: the remote X client sees our Xvfb's screen with every extension; -X: the same
    // screen through an untrusted cookie, so the SECURITY extension hides most extensions.
    // Either way the server holds a spoofed cookie, never the real one.
    void remoteClientReachesOurDisplay_data() {
        QTest::addColumn<QString>("flag");
        QTest::addColumn<bool>("trusted");
        QTest::newRow("-X untrusted") << QStringLiteral("-X") << false;
        QTest::newRow("-Y trusted") << QStringLiteral("-Y") << true;
        QTest::newRow("ForwardX11 in the config") << QStringLiteral("-oForwardX11=yes") << false;
    }
    void remoteClientReachesOurDisplay() {
        QFETCH(QString, flag);
        QFETCH(bool, trusted);
        PortalCliRunner cli = runner();
        const ToolResult run = cli.run(keyOptions({flag}), kProbe);
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QVERIFY2(run.out.contains("dimensions:    1234x567 pixels"), qPrintable(explain(run, *server_)));
        QVERIFY2(QRegularExpression(QStringLiteral("display=\\[localhost:\\d+\\.0\\]")).match(QString::fromLocal8Bit(run.out)).hasMatch(),
                 run.out.constData());
        const int extensions = extensionCount(run.out);
        if (trusted)
            QVERIFY2(extensions > 10 && run.out.contains("dimensions"), run.out.constData());
        else
            QVERIFY2(extensions >= 0 && extensions < 5, run.out.constData());
        const QString cookie = remoteCookie(run.out);
        QCOMPARE(cookie.size(), xvfb_.cookieHex().size());
        QVERIFY(cookie != xvfb_.cookieHex());
        QVERIFY2(!run.err.contains("Warning"), run.err.constData());
    }

    // An X client on the server that does not present the spoofed cookie is refused at the
    // setup, and we say so as ssh(1) does; the session itself goes on.
    void wrongCookieIsRefused() {
        PortalCliRunner cli = runner();
        const ToolResult run = cli.run(keyOptions({QStringLiteral("-X")}),
                                        QStringLiteral("XAUTHORITY=/dev/null xdpyinfo >/dev/null 2>&1; echo status=$?"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QVERIFY2(run.out.contains("status=1"), run.out.constData());
        QVERIFY2(run.err.contains("X11 connection rejected because of wrong authentication."), run.err.constData());
    }

    // Past ForwardX11Timeout an untrusted cookie is no longer honoured: new X connections are
    // refused with ssh(1)'s message.
    void connectionsRefusedAfterTimeout() {
        PortalCliRunner cli = runner();
        const ToolResult run =
            cli.run(keyOptions({QStringLiteral("-X"), QStringLiteral("-o"), QStringLiteral("ForwardX11Timeout=1")}),
                     QStringLiteral("sleep 2; xdpyinfo >/dev/null 2>&1; echo status=$?"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QVERIFY2(run.out.contains("status=1"), run.out.constData());
        QVERIFY2(run.err.contains("Rejected X11 connection after ForwardX11Timeout expired"), run.err.constData());
    }

    // xauth runs beside the connection, not in its way: with XAuthLocation naming a script
    // that sleeps before it runs xauth, a -L forward of the same connection carries a stream
    // to an echo server while the script still sleeps; X11 forwarding then works as usual.
    void slowXauthDoesNotStallTheConnection() {
        EchoServer echo;
        PortalCliRunner cli = runner();
        const QString started = cli.home() + QStringLiteral("/xauth-started");
        const QString slept = cli.home() + QStringLiteral("/xauth-slept");
        const QString script = cli.home() + QStringLiteral("/slow-xauth");
        QString error;
        QVERIFY2(writeFile(script,
                           "#!/bin/sh\n"
                           "if [ ! -e '" + started.toLocal8Bit() + "' ]; then\n"
                           "  touch '" + started.toLocal8Bit() + "'; sleep 4; touch '" + slept.toLocal8Bit() + "'\n"
                           "fi\n"
                           "exec /usr/bin/xauth \"$@\"\n",
                           0700, &error),
                 qPrintable(error));
        const quint16 port = findFreeLoopbackPort();
        QProcess process;
        cli.start(process,
                  keyOptions({QStringLiteral("-X"), QStringLiteral("-o"), QStringLiteral("XAuthLocation=") + script,
                              QStringLiteral("-L"), QStringLiteral("%1:127.0.0.1:%2").arg(port).arg(echo.port())}),
                  kProbe);
        QVERIFY(process.waitForStarted());
        QElapsedTimer timer;
        timer.start();
        while (!QFile::exists(started) && timer.elapsed() < 20000)
            QThread::msleep(20);
        QVERIFY2(QFile::exists(started), process.readAllStandardError().constData());

        // The listener is up since authentication, before the session and its xauth.
        const QByteArray data = randomBytes(256 * 1024);
        std::optional<QByteArray> back;
        while (!back && !QFile::exists(slept))
            back = exchangeTcp(port, data, 3000, &error);
        QVERIFY2(back && *back == data, qPrintable(QStringLiteral("the forward waited for xauth: ") + error));
        QVERIFY2(!QFile::exists(slept), "the stream got through only after xauth had slept");

        QVERIFY(process.waitForFinished(30000));
        const QByteArray out = process.readAllStandardOutput();
        QCOMPARE(process.exitCode(), 0);
        QVERIFY2(out.contains("dimensions:    1234x567 pixels"), out.constData());
    }

    // Without -X (or with -x after it) the server sets no DISPLAY.
    void noForwardingUnlessAsked_data() {
        QTest::addColumn<QStringList>("flags");
        QTest::newRow("none") << QStringList{};
        QTest::newRow("-X then -x") << QStringList{QStringLiteral("-X"), QStringLiteral("-x")};
    }
    void noForwardingUnlessAsked() {
        QFETCH(QStringList, flags);
        PortalCliRunner cli = runner();
        const ToolResult run = cli.run(keyOptions(flags), kProbe);
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QCOMPARE(run.out, QByteArray("display=[]\n"));
    }

    // No local display, a display that cannot be parsed, or no xauth for an untrusted cookie:
    // a clear warning, and the command runs without forwarding (as ssh(1) does).
    void unusableDisplayWarns_data() {
        QTest::addColumn<QString>("display");
        QTest::addColumn<QString>("xauth");
        QTest::addColumn<QString>("warning");
        QTest::newRow("DISPLAY unset") << QString() << QString()
                                       << QStringLiteral("X11 forwarding requested but DISPLAY not set");
        QTest::newRow("bad DISPLAY") << QStringLiteral("nonsense") << QString()
                                     << QStringLiteral("Could not parse DISPLAY \"nonsense\"");
        QTest::newRow("no xauth") << xvfb_.display() << QStringLiteral("/nonexistent/xauth")
                                  << QStringLiteral("Warning: untrusted X11 forwarding setup failed: xauth key data not generated");
    }
    void unusableDisplayWarns() {
        QFETCH(QString, display);
        QFETCH(QString, xauth);
        QFETCH(QString, warning);
        PortalCliRunner cli = runner();
        if (display.isEmpty())
            cli.environment().remove(QStringLiteral("DISPLAY"));
        else
            cli.environment().insert(QStringLiteral("DISPLAY"), display);
        QStringList flags{QStringLiteral("-X")};
        if (!xauth.isEmpty())
            flags << QStringLiteral("-o") << QStringLiteral("XAuthLocation=") + xauth;
        const ToolResult run = cli.run(keyOptions(flags), kProbe);
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QCOMPARE(run.out, QByteArray("display=[]\n"));
        QVERIFY2(run.err.contains(warning.toLocal8Bit()), run.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliX11)
#include "test_cli_x11.moc"
