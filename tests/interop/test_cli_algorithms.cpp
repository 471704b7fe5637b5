// portal-cli ssh against OpenSSH sshd with every default KEX, cipher, MAC and host-key
// algorithm of issue 2, one row each: the client offers only that algorithm (-o), so the
// row passes only if Portal's implementation of it interoperates with OpenSSH's; -v output
// confirms what was negotiated.
#include "ClientKey.h"
#include "OpenSshServer.h"
#include "PortalCliRunner.h"

#include <QtTest>

#include <memory>

using namespace portal::test;

class TestCliAlgorithms : public QObject {
    Q_OBJECT

    ClientKey key_;
    std::unique_ptr<OpenSshServer> server_;

    void addRows(const char* option, const char* logLabel, std::initializer_list<const char*> names,
                 const char* extra = nullptr) {
        for (const char* name : names) {
            QStringList options{QStringLiteral("-o"), QStringLiteral("%1=%2").arg(QLatin1String(option), QLatin1String(name))};
            if (extra)
                options << QStringLiteral("-o") << QLatin1String(extra);
            QTest::addRow("%s %s", option, name) << options << QStringLiteral("%1 %2").arg(QLatin1String(logLabel), QLatin1String(name));
        }
    }

private slots:
    void initTestCase() {
        server_ = std::make_unique<OpenSshServer>();
        server_->setHostKeys({{QStringLiteral("ed25519"), 0},
                              {QStringLiteral("ecdsa"), 256},
                              {QStringLiteral("ecdsa"), 384},
                              {QStringLiteral("ecdsa"), 521},
                              {QStringLiteral("rsa"), 2048}});
        // The server offers the SHA-1 MAC too, so the explicit-option row can negotiate it.
        server_->setOption(QStringLiteral("MACs"), QStringLiteral("+hmac-sha1"));
        QVERIFY2(server_->startWithClientKey(&key_), qPrintable(server_->errorString()));
    }

    void cleanupTestCase() { server_.reset(); }

    void negotiates_data() {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("negotiated"); // a fragment of the -v line "kex: ..."
        addRows("KexAlgorithms", "kex: algorithm:",
                {"curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
                 "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
                 "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256"});
        addRows("Ciphers", "cipher:",
                {"chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes256-ctr",
                 "aes192-ctr", "aes128-ctr"});
        // A MAC is negotiated only with a non-AEAD cipher.
        addRows("MACs", "MAC:",
                {"hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512",
                 "hmac-sha1"},
                "Ciphers=aes128-ctr");
        addRows("HostKeyAlgorithms", "host key algorithm:",
                {"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512",
                 "rsa-sha2-256"});
    }
    void negotiates() {
        QFETCH(QStringList, options);
        QFETCH(QString, negotiated);
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        const ToolResult run = cli.run(options + QStringList{QStringLiteral("-v"), QStringLiteral("-o"),
                                                             QStringLiteral("BatchMode=yes"), QStringLiteral("-i"),
                                                             key_.privatePath},
                                       QStringLiteral("echo negotiated"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QCOMPARE(run.out, QByteArray("negotiated\n"));
        QVERIFY2(run.err.contains(negotiated.toLatin1()), run.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliAlgorithms)
#include "test_cli_algorithms.moc"
