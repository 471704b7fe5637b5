// portal-cli ssh host-key checking against OpenSSH sshd (StrictHostKeyChecking as in
// ssh_config(5)): unknown keys refused under "yes", saved under "accept-new", asked about
// under "ask" (answered through SSH_ASKPASS: yes, no, or the fingerprint); a changed key is
// always refused, naming the known_hosts file and line.
#include "ClientKey.h"
#include "OpenSshServer.h"
#include "PortalCliRunner.h"

#include <QCryptographicHash>
#include <QtTest>

#include <memory>

using namespace portal::test;

class TestCliHostKeys : public QObject {
    Q_OBJECT

    ClientKey key_;
    std::unique_ptr<OpenSshServer> server_;

    QStringList keyOptions() const { return {QStringLiteral("-i"), key_.privatePath}; }

    // The server's ed25519 known_hosts line (the only host key it has).
    QString serverLine() const { return server_->knownHostsLines().value(0); }

    // "SHA256:..." for the server's key, computed independently from its known_hosts line.
    QString serverFingerprint() const {
        const QByteArray blob = QByteArray::fromBase64(serverLine().section(QLatin1Char(' '), 2, 2).toLatin1());
        QByteArray digest = QCryptographicHash::hash(blob, QCryptographicHash::Sha256).toBase64();
        while (digest.endsWith('='))
            digest.chop(1);
        return QStringLiteral("SHA256:") + QString::fromLatin1(digest);
    }

    static QByteArray readFile(const QString& path) {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

private slots:
    void initTestCase() {
        server_ = std::make_unique<OpenSshServer>();
        server_->setHostKeys({{QStringLiteral("ed25519"), 0}});
        QVERIFY2(server_->startWithClientKey(&key_), qPrintable(server_->errorString()));
        QCOMPARE(server_->knownHostsLines().size(), 1);
    }

    void cleanupTestCase() { server_.reset(); }

    void unknownKeyRefusedWhenStrict() {
        PortalCliRunner cli(*server_);
        const ToolResult run = cli.run(keyOptions() << QStringLiteral("-o") << QStringLiteral("BatchMode=yes"),
                                       QStringLiteral("echo should-not-run"));
        QCOMPARE(run.exitCode, 255);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains("Host key verification failed") || run.err.contains("host key"), run.err.constData());
        QVERIFY(!QFile::exists(cli.knownHostsPath()) || readFile(cli.knownHostsPath()).isEmpty());
    }

    void acceptNewSavesTheKey() {
        PortalCliRunner cli(*server_);
        const ToolResult first = cli.run(keyOptions() << QStringLiteral("-o") << QStringLiteral("StrictHostKeyChecking=accept-new")
                                                      << QStringLiteral("-o") << QStringLiteral("BatchMode=yes"),
                                         QStringLiteral("echo first"));
        QVERIFY2(first.succeeded(), qPrintable(explain(first, *server_)));
        QCOMPARE(first.out, QByteArray("first\n"));
        QVERIFY2(first.err.contains("Permanently added"), first.err.constData());
        // The saved line is the server's key for "[127.0.0.1]:port".
        QCOMPARE(readFile(cli.knownHostsPath()).trimmed(), serverLine().toLatin1());
        // And is trusted from now on, strictly.
        const ToolResult second = cli.run(keyOptions() << QStringLiteral("-o") << QStringLiteral("BatchMode=yes"),
                                          QStringLiteral("echo second"));
        QVERIFY2(second.succeeded(), qPrintable(explain(second, *server_)));
        QCOMPARE(second.out, QByteArray("second\n"));
        QVERIFY(!second.err.contains("Permanently added"));
    }

    void askAnswered_data() {
        QTest::addColumn<QString>("answer");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("yes") << "yes" << true;
        QTest::newRow("fingerprint") << "<fingerprint>" << true;
        QTest::newRow("no") << "no" << false;
    }
    void askAnswered() {
        QFETCH(QString, answer);
        QFETCH(bool, accepted);
        if (answer == QLatin1String("<fingerprint>"))
            answer = serverFingerprint();
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.answerPromptsWith(answer, &error), qPrintable(error));
        const ToolResult run = cli.run(keyOptions() << QStringLiteral("-o") << QStringLiteral("StrictHostKeyChecking=ask"),
                                       QStringLiteral("echo asked"));
        const QByteArray asked = cli.askpassLog();
        QVERIFY2(asked.contains("Are you sure you want to continue connecting (yes/no/[fingerprint])?"), asked.constData());
        QVERIFY2(asked.contains(serverFingerprint().toLatin1()), asked.constData());
        QVERIFY2(asked.contains(QStringLiteral("[127.0.0.1]:%1").arg(server_->port()).toLatin1()), asked.constData());
        if (accepted) {
            QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
            QCOMPARE(run.out, QByteArray("asked\n"));
            QCOMPARE(readFile(cli.knownHostsPath()).trimmed(), serverLine().toLatin1());
        } else {
            QCOMPARE(run.exitCode, 255);
            QVERIFY(run.out.isEmpty());
            QVERIFY2(run.err.contains("Host key verification failed"), run.err.constData());
            QVERIFY(readFile(cli.knownHostsPath()).isEmpty());
        }
    }

    // BatchMode turns "ask" into a refusal without asking anybody.
    void batchModeDoesNotAsk() {
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.answerPromptsWith(QStringLiteral("yes"), &error), qPrintable(error));
        const ToolResult run = cli.run(keyOptions() << QStringLiteral("-o") << QStringLiteral("StrictHostKeyChecking=ask")
                                                    << QStringLiteral("-o") << QStringLiteral("BatchMode=yes"),
                                       QStringLiteral("echo should-not-run"));
        QCOMPARE(run.exitCode, 255);
        QVERIFY(cli.askpassLog().isEmpty());
    }

    // A different key listed for the host: refused under every policy, with file:line.
    void changedKeyRefused_data() {
        QTest::addColumn<QString>("policy");
        for (const char* policy : {"yes", "ask", "accept-new", "no"})
            QTest::newRow(policy) << QString::fromLatin1(policy);
    }
    void changedKeyRefused() {
        QFETCH(QString, policy);
        OpenSshServer impostor;
        impostor.setHostKeys({{QStringLiteral("ed25519"), 0}});
        QVERIFY2(impostor.start(), qPrintable(impostor.errorString()));
        const QString otherKey = impostor.knownHostsLines().value(0).section(QLatin1Char(' '), 1);
        impostor.stop();

        PortalCliRunner cli(*server_);
        QString error;
        const QByteArray knownHosts = "# an earlier key for this server\n" +
                                      QStringLiteral("[127.0.0.1]:%1 %2\n").arg(server_->port()).arg(otherKey).toLatin1();
        QVERIFY2(writeFile(cli.knownHostsPath(), knownHosts, 0600, &error), qPrintable(error));
        QVERIFY2(cli.answerPromptsWith(QStringLiteral("yes"), &error), qPrintable(error));
        const ToolResult run = cli.run(keyOptions() << QStringLiteral("-o") << QStringLiteral("StrictHostKeyChecking=") + policy,
                                       QStringLiteral("echo should-not-run"));
        QCOMPARE(run.exitCode, 255);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains((cli.knownHostsPath() + QStringLiteral(":2")).toLocal8Bit()), run.err.constData());
        QVERIFY2(run.err.contains(serverFingerprint().toLatin1()), run.err.constData());
        QCOMPARE(readFile(cli.knownHostsPath()), knownHosts); // untouched
        QVERIFY(cli.askpassLog().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCliHostKeys)
#include "test_cli_host_keys.moc"
