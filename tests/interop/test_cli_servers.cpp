// portal-cli ssh against the other servers of TESTING.md: Dropbear (its host-key types,
// ciphers and MACs, publickey and password) and TinySSH (curve25519, ssh-ed25519,
// chacha20-poly1305, publickey only).
#include "ClientKey.h"
#include "DropbearServer.h"
#include "PortalCliRunner.h"
#include "TinySshServer.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QtTest>

#include <memory>

using namespace portal::test;

class TestCliServers : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    ClientKey ed25519_;
    ClientKey rsa_;
    std::unique_ptr<DropbearServer> dropbear_;
    std::unique_ptr<TinySshServer> tinyssh_;

    ToolResult runWithKey(const SshServer& server, const ClientKey& key, QStringList options, const QString& command,
                          const QByteArray& input = {}) {
        PortalCliRunner cli(server);
        QString error;
        if (!cli.trustServer(&error))
            qFatal("%s", qPrintable(error));
        options << QStringLiteral("-o") << QStringLiteral("BatchMode=yes") << QStringLiteral("-i") << key.privatePath;
        return cli.run(options, command, input);
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QString error;
        QVERIFY2(generateClientKey(dir_.path(), QStringLiteral("id_ed25519"), QStringLiteral("ed25519"), 0, QString(),
                                   &ed25519_, &error),
                 qPrintable(error));
        QVERIFY2(generateClientKey(dir_.path(), QStringLiteral("id_rsa"), QStringLiteral("rsa"), 3072, QString(), &rsa_,
                                   &error),
                 qPrintable(error));
        dropbear_ = std::make_unique<DropbearServer>();
        tinyssh_ = std::make_unique<TinySshServer>();
        QVERIFY2(dropbear_->start(), qPrintable(dropbear_->errorString()));
        QVERIFY2(tinyssh_->start(), qPrintable(tinyssh_->errorString()));
        QVERIFY2(dropbear_->authorizeKey(ed25519_.publicLine, &error), qPrintable(error));
        QVERIFY2(dropbear_->authorizeKey(rsa_.publicLine, &error), qPrintable(error));
        QVERIFY2(tinyssh_->authorizeKey(ed25519_.publicLine, &error), qPrintable(error));
    }

    void cleanupTestCase() {
        dropbear_.reset();
        tinyssh_.reset();
    }

    void dropbear_data() {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("negotiated");
        QTest::newRow("defaults") << QStringList{} << "kex: algorithm: curve25519-sha256";
        // What Dropbear 2022.83 offers (it has no group16/18, GCM, rsa-sha2-512 or SHA-512 MAC).
        for (const char* kex : {"curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
                                "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group14-sha256"})
            QTest::addRow("kex %s", kex) << QStringList{QStringLiteral("-o"), QStringLiteral("KexAlgorithms=") + QLatin1String(kex)}
                                         << QStringLiteral("kex: algorithm: ") + QLatin1String(kex);
        // ssh-rsa (SHA-1 signatures) only because the option names it explicitly.
        for (const char* hostKey : {"ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-256", "ssh-rsa"})
            QTest::addRow("host key %s", hostKey)
                << QStringList{QStringLiteral("-o"), QStringLiteral("HostKeyAlgorithms=") + QLatin1String(hostKey)}
                << QStringLiteral("host key algorithm: ") + QLatin1String(hostKey);
        for (const char* cipher : {"chacha20-poly1305@openssh.com", "aes128-ctr", "aes256-ctr"})
            QTest::addRow("cipher %s", cipher) << QStringList{QStringLiteral("-c"), QLatin1String(cipher)}
                                               << QStringLiteral("cipher: ") + QLatin1String(cipher);
        for (const char* mac : {"hmac-sha2-256", "hmac-sha1"})
            QTest::addRow("mac %s", mac) << QStringList{QStringLiteral("-c"), QStringLiteral("aes128-ctr"),
                                                        QStringLiteral("-m"), QLatin1String(mac)}
                                         << QStringLiteral("MAC: ") + QLatin1String(mac);
    }
    void dropbear() {
        QFETCH(QStringList, options);
        QFETCH(QString, negotiated);
        const ToolResult run = runWithKey(*dropbear_, ed25519_, options << QStringLiteral("-v"), QStringLiteral("echo dropbear-ok"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *dropbear_)));
        QCOMPARE(run.out, QByteArray("dropbear-ok\n"));
        QVERIFY2(run.err.contains(negotiated.toLatin1()), run.err.constData());
    }

    // RSA user key: the signature must be rsa-sha2-* (Dropbear takes them without ext-info).
    void dropbearRsaKey() {
        const ToolResult run = runWithKey(*dropbear_, rsa_, {}, QStringLiteral("echo rsa-ok"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *dropbear_)));
        QCOMPARE(run.out, QByteArray("rsa-ok\n"));
    }

    void dropbearPassword() {
        PortalCliRunner cli(*dropbear_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        QVERIFY2(cli.answerPromptsWith(dropbear_->user().password, &error), qPrintable(error));
        const ToolResult run = cli.run({QStringLiteral("-o"), QStringLiteral("PubkeyAuthentication=no")},
                                       QStringLiteral("echo password-ok"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *dropbear_)));
        QCOMPARE(run.out, QByteArray("password-ok\n"));
    }

    // Data both ways and the exit status through Dropbear's channel implementation.
    void dropbearStreams() {
        QByteArray input(2 << 20, Qt::Uninitialized);
        QRandomGenerator(7).fillRange(reinterpret_cast<quint32*>(input.data()), input.size() / 4);
        const ToolResult run = runWithKey(*dropbear_, ed25519_, {}, QStringLiteral("sha256sum; exit 3"), input);
        QCOMPARE(run.exitCode, 3);
        QCOMPARE(run.out, QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex() + "  -\n");
    }

    void tinyssh() {
        QByteArray input(1 << 20, Qt::Uninitialized);
        QRandomGenerator(9).fillRange(reinterpret_cast<quint32*>(input.data()), input.size() / 4);
        const ToolResult run = runWithKey(*tinyssh_, ed25519_, {QStringLiteral("-v")}, QStringLiteral("sha256sum; exit 5"), input);
        QVERIFY2(run.started && !run.timedOut, qPrintable(explain(run, *tinyssh_)));
        QCOMPARE(run.exitCode, 5);
        QCOMPARE(run.out, QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex() + "  -\n");
        QVERIFY2(run.err.contains("cipher: chacha20-poly1305@openssh.com"), run.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliServers)
#include "test_cli_servers.moc"
