// portal-cli ssh connection options through the runtime, against OpenSSH sshd: -N -L carrying
// a TCP stream to a local echo server (and many at once), -J through a jump host (the same
// sshd, each hop with its own host-key check and key), and ProxyCommand (OpenSSH's ssh -W).
#include "ClientKey.h"
#include "OpenSshServer.h"
#include "PortalCliRunner.h"
#include "WorkerTestTools.h"

#include <QProcess>
#include <QtTest>

#include <algorithm>
#include <memory>
#include <thread>

using namespace portal::test;

class TestCliForwarding : public QObject {
    Q_OBJECT

    ClientKey key_;
    std::unique_ptr<OpenSshServer> server_;

    // A configuration file that gives every host (the jump hosts too) the test key, the
    // test's known_hosts and no prompts, as a user's ~/.ssh/config would.
    QString writeConfig(const PortalCliRunner& cli) const {
        const QString path = cli.home() + QStringLiteral("/config");
        const QByteArray text = "Host *\n  IdentityFile " + key_.privatePath.toLocal8Bit() +
                                "\n  UserKnownHostsFile " + cli.knownHostsPath().toLocal8Bit() +
                                "\n  StrictHostKeyChecking yes\n  BatchMode yes\n  User " +
                                server_->user().name.toLocal8Bit() + "\n";
        QString error;
        if (!writeFile(path, text, 0600, &error))
            qFatal("%s", qPrintable(error));
        return path;
    }

    QString destination() const { return server_->user().name + QStringLiteral("@127.0.0.1"); }

private slots:
    void initTestCase() {
        server_ = std::make_unique<OpenSshServer>();
        server_->setHostKeys({{QStringLiteral("ed25519"), 0}});
        QVERIFY2(server_->startWithClientKey(&key_), qPrintable(server_->errorString()));
    }

    void cleanupTestCase() { server_.reset(); }

    // -N -L port:127.0.0.1:echo: 1 MiB through one connection, then 16 connections at once,
    // each getting back exactly what it sent.
    void localForwardCarriesStreams() {
        EchoServer echo;
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        const quint16 port = findFreeLoopbackPort();
        QProcess process;
        process.setProcessEnvironment(cli.environment());
        process.start(PortalCliRunner::program(),
                      {QStringLiteral("ssh"), QStringLiteral("-F"), writeConfig(cli), QStringLiteral("-N"),
                       QStringLiteral("-L"), QStringLiteral("%1:127.0.0.1:%2").arg(port).arg(echo.port()),
                       QStringLiteral("-p"), QString::number(server_->port()), destination()});
        QVERIFY(process.waitForStarted());
        const QByteArray data = randomBytes(1 << 20);
        std::optional<QByteArray> back;
        for (int attempt = 0; attempt < 100 && !back; ++attempt) {
            back = exchangeTcp(port, data, 20000, &error);
            if (!back)
                QTest::qWait(100); // not listening until authenticated
        }
        QVERIFY2(back, qPrintable(error + QString::fromLocal8Bit(process.readAllStandardError())));
        QVERIFY(*back == data);

        std::vector<std::thread> clients;
        std::vector<int> ok(16, 0);
        for (int i = 0; i < 16; ++i)
            clients.emplace_back([&, i] {
                const QByteArray mine = randomBytes(64 * 1024 + i);
                QString why;
                const std::optional<QByteArray> got = exchangeTcp(port, mine, 30000, &why);
                ok[i] = got && *got == mine;
            });
        for (std::thread& client : clients)
            client.join();
        QCOMPARE(std::count(ok.begin(), ok.end(), 1), 16L);
        QVERIFY(process.state() == QProcess::Running); // -N stays until it is ended
        process.terminate();
        QVERIFY(process.waitForFinished(5000));
    }

    // -J through the same sshd: the jump host and the destination are two SSH connections,
    // each checked against known_hosts and authenticated with the key from the config.
    void jumpHost() {
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        const ToolResult run =
            cli.run({QStringLiteral("-F"), writeConfig(cli), QStringLiteral("-J"),
                     QStringLiteral("%1:%2").arg(destination()).arg(server_->port()), QStringLiteral("-v")},
                    QStringLiteral("echo via-jump"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QCOMPARE(run.out, QByteArray("via-jump\n"));
        // Two logins reached the server: the hop's and the destination's.
        QVERIFY2(run.err.count("Authenticated to") >= 1, run.err.constData());
    }

    // ProxyCommand: the connection runs over OpenSSH's ssh -W to the same server.
    void proxyCommand() {
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        const QString config = writeConfig(cli);
        const QString proxy = QStringLiteral("ProxyCommand=ssh -F %1 -p %2 -W %h:%p %3")
                                  .arg(config)
                                  .arg(server_->port())
                                  .arg(destination());
        const ToolResult run = cli.run({QStringLiteral("-F"), config, QStringLiteral("-o"), proxy},
                                       QStringLiteral("echo via-proxy"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QCOMPARE(run.out, QByteArray("via-proxy\n"));
    }
};

QTEST_GUILESS_MAIN(TestCliForwarding)
#include "test_cli_forwarding.moc"
