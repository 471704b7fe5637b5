// portal-cli ssh data paths against OpenSSH sshd: stdin streams to the remote command with
// EOF propagated, stdout and stderr stay apart, binary data survives both ways, the remote
// exit status becomes ours, and a server that rekeys every 256 KiB carries tens of MiB in
// both directions with checksums equal (issue 2 §4).
#include "PortalCliRunner.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QtTest>


using namespace portal::test;

namespace {

QByteArray randomBytes(qsizetype size) {
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(20261125);
    generator.fillRange(reinterpret_cast<quint32*>(bytes.data()), size / 4);
    return bytes;
}

QByteArray sha256Line(const QByteArray& data) {
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex() + "  -\n";
}

} // namespace

class TestCliStreams : public QObject, public PortalCliTest {
    Q_OBJECT

    // `command` on `server` with the test key, `options` first; up to two minutes.
    ToolResult run(const OpenSshServer& server, const QString& command, const QByteArray& input = {},
                   const QStringList& options = {}) const {
        return trustingRunner(&server).run(options + keyOptions(), command, input, 120000);
    }

private slots:
    void initTestCase() { QVERIFY2(startServer(), qPrintable(server_->errorString())); }

    void cleanupTestCase() { server_.reset(); }

    // 4 MiB of random bytes to the remote sha256sum: every byte arrived, EOF ended it.
    void stdinReachesRemoteCommand() {
        const QByteArray input = randomBytes(4 << 20);
        const ToolResult result = run(*server_, QStringLiteral("sha256sum"), input);
        QVERIFY2(result.succeeded(), qPrintable(explain(result, *server_)));
        QCOMPARE(result.out, sha256Line(input));
    }

    // Binary both ways through `cat`: what comes back is exactly what went.
    void binaryRoundTrip() {
        const QByteArray input = randomBytes(3 << 20) + QByteArray("\0\r\n\x1b[0m\xff", 7);
        const ToolResult result = run(*server_, QStringLiteral("cat"), input);
        QVERIFY2(result.succeeded(), qPrintable(explain(result, *server_)));
        QCOMPARE(result.out.size(), input.size());
        QVERIFY(result.out == input);
    }

    // EOF on our stdin reaches the remote side as EOF (the command then goes on).
    void eofPropagates() {
        const ToolResult result = run(*server_, QStringLiteral("cat; echo after-eof"), QByteArray("line\n"));
        QVERIFY2(result.succeeded(), qPrintable(explain(result, *server_)));
        QCOMPARE(result.out, QByteArray("line\nafter-eof\n"));
    }

    // -n: stdin is not read at all (the command sees EOF at once).
    void stdinFromDevNull() {
        const ToolResult result = run(*server_, QStringLiteral("wc -c"), QByteArray("ignored"), {QStringLiteral("-n")});
        QVERIFY2(result.succeeded(), qPrintable(explain(result, *server_)));
        QCOMPARE(result.out.trimmed(), QByteArray("0"));
    }

    void stderrKeptApart() {
        const ToolResult result = run(*server_, QStringLiteral("echo to-out; echo to-err >&2; echo more-out"));
        QVERIFY2(result.succeeded(), qPrintable(explain(result, *server_)));
        QCOMPARE(result.out, QByteArray("to-out\nmore-out\n"));
        QCOMPARE(result.err, QByteArray("to-err\n"));
    }

    void exitStatusPropagates_data() {
        QTest::addColumn<int>("status");
        for (int status : {0, 1, 42, 254})
            QTest::addRow("%d", status) << status;
    }
    void exitStatusPropagates() {
        QFETCH(int, status);
        const ToolResult result = run(*server_, QStringLiteral("exit %1").arg(status));
        QVERIFY2(result.started && !result.timedOut && !result.crashed, qPrintable(explain(result, *server_)));
        QCOMPARE(result.exitCode, status);
        QVERIFY2(result.err.isEmpty(), result.err.constData());
    }

    // Large output with nothing on stdin: the receive window is refilled as we write.
    void largeOutput() {
        const ToolResult result = run(*server_, QStringLiteral("head -c 20000000 /dev/zero"));
        QVERIFY2(result.succeeded(), qPrintable(explain(result, *server_)));
        QCOMPARE(result.out.size(), 20000000);
        QVERIFY(result.out.count('\0') == 20000000);
    }

    // RekeyLimit 256K: sshd starts a key exchange every 256 KiB in each direction, so
    // 24 MiB up and back crosses roughly 190 key exchanges with data in flight.
    void rekeyUnderLoad() {
        OpenSshServer rekeying;
        rekeying.setHostKeys({{QStringLiteral("ed25519"), 0}});
        rekeying.setOption(QStringLiteral("RekeyLimit"), QStringLiteral("256K"));
        rekeying.setOption(QStringLiteral("LogLevel"), QStringLiteral("DEBUG1"));
        QVERIFY2(rekeying.start(), qPrintable(rekeying.errorString()));
        QString error;
        QVERIFY2(rekeying.authorizeKey(key_.publicLine, &error), qPrintable(error));
        const QByteArray input = randomBytes(24 << 20);
        // The remote side checks what it received and sends it all back.
        const ToolResult result = run(rekeying, QStringLiteral("tee /dev/stderr | sha256sum >&2"), input);
        QVERIFY2(result.succeeded(), qPrintable(explain(result, rekeying)));
        QVERIFY(result.out.isEmpty());
        QCOMPARE(result.err.size(), input.size() + sha256Line(input).size());
        QVERIFY(result.err.left(input.size()) == input);
        QCOMPARE(result.err.mid(input.size()), sha256Line(input));
        // sshd really did rekey, many times.
        const int rekeys = rekeying.log().count("SSH2_MSG_KEXINIT sent");
        QVERIFY2(rekeys >= 20, qPrintable(QStringLiteral("sshd reported %1 KEXINITs").arg(rekeys)));
    }
};

QTEST_GUILESS_MAIN(TestCliStreams)
#include "test_cli_streams.moc"
