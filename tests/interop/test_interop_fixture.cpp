// The interop fixture, checked with the reference client: OpenSSH `ssh` logs in to every
// server the fixture starts (sshd, Dropbear, TinySSH) with the known_hosts lines and keys
// the fixture produced, by publickey and, where the server offers them, by password and
// keyboard-interactive through PAM.
#include "ClientKey.h"
#include "DropbearServer.h"
#include "OpenSshServer.h"
#include "ProcessTools.h"
#include "TinySshServer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace portal::test;

class TestInteropFixture : public QObject {
    Q_OBJECT

    QTemporaryDir clientDir_;
    ClientKey key_;
    std::unique_ptr<OpenSshServer> sshd_;
    std::unique_ptr<DropbearServer> dropbear_;
    std::unique_ptr<TinySshServer> tinyssh_;

    SshServer* server(const QString& kind) {
        if (kind == QLatin1String("sshd")) return sshd_.get();
        if (kind == QLatin1String("dropbear")) return dropbear_.get();
        return tinyssh_.get();
    }

    // OpenSSH ssh, isolated from the user's configuration and known_hosts.
    ToolResult runSsh(SshServer* server, const QStringList& options, const QString& command,
                      const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment()) {
        const QString knownHosts = QDir(clientDir_.path()).filePath(QStringLiteral("known_hosts"));
        QString error;
        if (!server->writeKnownHosts(knownHosts, &error))
            qFatal("%s", qPrintable(error));
        QStringList args{QStringLiteral("-F"), QStringLiteral("/dev/null"),
                         QStringLiteral("-o"), QStringLiteral("StrictHostKeyChecking=yes"),
                         QStringLiteral("-o"), QStringLiteral("UserKnownHostsFile=") + knownHosts,
                         QStringLiteral("-o"), QStringLiteral("GlobalKnownHostsFile=/dev/null"),
                         QStringLiteral("-o"), QStringLiteral("ConnectTimeout=10"),
                         QStringLiteral("-p"), QString::number(server->port())};
        args << options << server->user().name + QStringLiteral("@127.0.0.1") << command;
        ToolOptions run;
        run.environment = environment;
        return runTool(QStringLiteral("ssh"), args, run);
    }

private slots:
    void initTestCase() {
        QVERIFY(clientDir_.isValid());
        QString error;
        QVERIFY2(generateClientKey(clientDir_.path(), QStringLiteral("id_ed25519"), QStringLiteral("ed25519"), 0,
                                   QString(), &key_, &error),
                 qPrintable(error));
        sshd_ = std::make_unique<OpenSshServer>();
        dropbear_ = std::make_unique<DropbearServer>();
        tinyssh_ = std::make_unique<TinySshServer>();
        for (SshServer* server : {static_cast<SshServer*>(sshd_.get()), static_cast<SshServer*>(dropbear_.get()),
                                  static_cast<SshServer*>(tinyssh_.get())}) {
            QVERIFY2(server->start(), qPrintable(server->errorString()));
            QVERIFY2(server->authorizeKey(key_.publicLine, &error), qPrintable(error));
            QVERIFY(server->port() != 0);
            QVERIFY(!server->knownHostsLines().isEmpty());
        }
    }

    void cleanupTestCase() {
        sshd_.reset();
        dropbear_.reset();
        tinyssh_.reset();
    }

    // Every host key the fixture lists must be the one the server presents: a strict
    // known_hosts check passes for each algorithm in turn.
    void publickeyWithEachHostKey_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("hostKeyAlgorithm");
        for (const char* kind : {"sshd", "dropbear"}) {
            for (const char* algorithm : {"ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-256"})
                QTest::addRow("%s %s", kind, algorithm) << QString::fromLatin1(kind) << QString::fromLatin1(algorithm);
        }
        QTest::addRow("tinyssh ssh-ed25519") << QStringLiteral("tinyssh") << QStringLiteral("ssh-ed25519");
    }
    void publickeyWithEachHostKey() {
        QFETCH(QString, kind);
        QFETCH(QString, hostKeyAlgorithm);
        SshServer* target = server(kind);
        const QString marker = QStringLiteral("fixture-%1-%2").arg(kind, hostKeyAlgorithm);
        const ToolResult run = runSsh(target,
                                      {QStringLiteral("-o"), QStringLiteral("BatchMode=yes"), QStringLiteral("-o"),
                                       QStringLiteral("IdentitiesOnly=yes"), QStringLiteral("-i"), key_.privatePath,
                                       QStringLiteral("-o"), QStringLiteral("HostKeyAlgorithms=") + hostKeyAlgorithm},
                                      QStringLiteral("echo ") + marker);
        QVERIFY2(run.succeeded(), qPrintable(run.describe(QStringLiteral("ssh")) + QStringLiteral("\nserver log:\n") +
                                             QString::fromLocal8Bit(target->log().right(3000))));
        QCOMPARE(run.out, marker.toLatin1() + '\n');
    }

    // Password (sshd through PAM, Dropbear through shadow) and keyboard-interactive
    // (sshd's PAM conversation), answered by an SSH_ASKPASS program.
    void passwordMethods_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("method");
        QTest::newRow("sshd password") << QStringLiteral("sshd") << QStringLiteral("password");
        QTest::newRow("sshd keyboard-interactive") << QStringLiteral("sshd") << QStringLiteral("keyboard-interactive");
        QTest::newRow("dropbear password") << QStringLiteral("dropbear") << QStringLiteral("password");
    }
    void passwordMethods() {
        QFETCH(QString, kind);
        QFETCH(QString, method);
        SshServer* target = server(kind);
        QTemporaryDir askpassDir;
        QString error;
        const QString askpass = writeAskpassScript(askpassDir.path(), target->user().password, &error);
        QVERIFY2(!askpass.isEmpty(), qPrintable(error));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("SSH_ASKPASS"), askpass);
        environment.insert(QStringLiteral("SSH_ASKPASS_REQUIRE"), QStringLiteral("force"));
        const ToolResult run = runSsh(target,
                                      {QStringLiteral("-o"), QStringLiteral("PubkeyAuthentication=no"),
                                       QStringLiteral("-o"), QStringLiteral("PreferredAuthentications=") + method,
                                       QStringLiteral("-o"), QStringLiteral("NumberOfPasswordPrompts=1")},
                                      QStringLiteral("echo password-ok"), environment);
        QVERIFY2(run.succeeded(), qPrintable(run.describe(QStringLiteral("ssh")) + QStringLiteral("\nserver log:\n") +
                                             QString::fromLocal8Bit(target->log().right(3000))));
        QCOMPARE(run.out, QByteArray("password-ok\n"));
        QFile log(QDir(askpassDir.path()).filePath(QStringLiteral("askpass.log")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY2(log.readAll().contains("assword"), "the askpass program was never asked for the password");
    }

    // A wrong password is refused: the fixture's servers really check it.
    void wrongPasswordRefused() {
        QTemporaryDir askpassDir;
        QString error;
        const QString askpass = writeAskpassScript(askpassDir.path(), QStringLiteral("not-the-password"), &error);
        QVERIFY2(!askpass.isEmpty(), qPrintable(error));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("SSH_ASKPASS"), askpass);
        environment.insert(QStringLiteral("SSH_ASKPASS_REQUIRE"), QStringLiteral("force"));
        const ToolResult run = runSsh(sshd_.get(),
                                      {QStringLiteral("-o"), QStringLiteral("PubkeyAuthentication=no"),
                                       QStringLiteral("-o"), QStringLiteral("PreferredAuthentications=password"),
                                       QStringLiteral("-o"), QStringLiteral("NumberOfPasswordPrompts=1")},
                                      QStringLiteral("echo should-not-run"), environment);
        QCOMPARE(run.exitCode, 255);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains("Permission denied"), run.err.constData());
    }

    // sshd_config options from the test reach the server: a cipher-restricted server refuses
    // a client that offers only another cipher.
    void optionsReachSshd() {
        OpenSshServer restricted;
        restricted.setHostKeys({{QStringLiteral("ed25519"), 0}});
        restricted.setOption(QStringLiteral("Ciphers"), QStringLiteral("aes128-ctr"));
        QVERIFY2(restricted.start(), qPrintable(restricted.errorString()));
        QString error;
        QVERIFY2(restricted.authorizeKey(key_.publicLine, &error), qPrintable(error));
        const QStringList common{QStringLiteral("-o"), QStringLiteral("BatchMode=yes"), QStringLiteral("-o"),
                                 QStringLiteral("IdentitiesOnly=yes"), QStringLiteral("-i"), key_.privatePath};
        const ToolResult refused = runSsh(&restricted, common + QStringList{QStringLiteral("-c"), QStringLiteral("aes256-gcm@openssh.com")},
                                          QStringLiteral("true"));
        QCOMPARE(refused.exitCode, 255);
        QVERIFY2(refused.err.contains("no matching cipher"), refused.err.constData());
        const ToolResult accepted = runSsh(&restricted, common + QStringList{QStringLiteral("-c"), QStringLiteral("aes128-ctr")},
                                           QStringLiteral("echo ctr"));
        QVERIFY2(accepted.succeeded(), qPrintable(accepted.describe(QStringLiteral("ssh"))));
        QCOMPARE(accepted.out, QByteArray("ctr\n"));
    }

    // Stopping by PID frees the port: nothing answers there afterwards.
    void stopEndsTheServer() {
        DropbearServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        const quint16 port = server.port();
        const qint64 pid = server.pid();
        QVERIFY(pid > 0);
        server.stop();
        QVERIFY(!server.isRunning());
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(!probe.waitForConnected(500));
        QVERIFY(!QFile::exists(QStringLiteral("/proc/%1/cmdline").arg(pid)) ||
                QFile(QStringLiteral("/proc/%1/cmdline").arg(pid)).size() == 0);
    }
};

QTEST_GUILESS_MAIN(TestInteropFixture)
#include "test_interop_fixture.moc"
