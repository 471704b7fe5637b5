// portal-cli ssh authentication against OpenSSH sshd: publickey with ed25519, ecdsa and rsa
// keys made by ssh-keygen, encrypted (passphrase through SSH_ASKPASS) and not; password and
// keyboard-interactive through PAM for the test user; a wrong password and a refused key
// end with exit status 255 and ssh(1)'s one-line reason.
#include "ClientKey.h"
#include "OpenSshServer.h"
#include "PortalCliRunner.h"

#include <QElapsedTimer>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <vector>

using namespace portal::test;

class TestCliAuth : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::unique_ptr<OpenSshServer> server_;
    ClientKey unauthorizedKey_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        server_ = std::make_unique<OpenSshServer>();
        server_->setHostKeys({{QStringLiteral("ed25519"), 0}});
        QVERIFY2(server_->start(), qPrintable(server_->errorString()));
        QString error;
        QVERIFY2(generateClientKey(dir_.path(), QStringLiteral("stranger"), QStringLiteral("ed25519"), 0, QString(),
                                   &unauthorizedKey_, &error),
                 qPrintable(error));
    }

    void cleanupTestCase() { server_.reset(); }

    void publickey_data() {
        QTest::addColumn<QString>("type");
        QTest::addColumn<int>("bits");
        QTest::addColumn<QString>("passphrase");
        for (const char* passphrase : {"", "correct horse battery"}) {
            const bool encrypted = *passphrase != 0;
            QTest::addRow("ed25519%s", encrypted ? " encrypted" : "") << "ed25519" << 0 << passphrase;
            QTest::addRow("ecdsa-256%s", encrypted ? " encrypted" : "") << "ecdsa" << 256 << passphrase;
            QTest::addRow("ecdsa-384%s", encrypted ? " encrypted" : "") << "ecdsa" << 384 << passphrase;
            QTest::addRow("ecdsa-521%s", encrypted ? " encrypted" : "") << "ecdsa" << 521 << passphrase;
            QTest::addRow("rsa-3072%s", encrypted ? " encrypted" : "") << "rsa" << 3072 << passphrase;
        }
    }
    void publickey() {
        QFETCH(QString, type);
        QFETCH(int, bits);
        QFETCH(QString, passphrase);
        const QString name = QStringLiteral("id_%1_%2_%3").arg(type).arg(bits).arg(passphrase.isEmpty() ? 0 : 1);
        ClientKey key;
        QString error;
        QVERIFY2(generateClientKey(dir_.path(), name, type, bits, passphrase, &key, &error), qPrintable(error));
        QVERIFY2(server_->authorizeKey(key.publicLine, &error), qPrintable(error));

        PortalCliRunner cli(*server_);
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        QStringList options{QStringLiteral("-i"), key.privatePath, QStringLiteral("-o"),
                            QStringLiteral("PasswordAuthentication=no"), QStringLiteral("-o"),
                            QStringLiteral("KbdInteractiveAuthentication=no")};
        if (passphrase.isEmpty())
            options << QStringLiteral("-o") << QStringLiteral("BatchMode=yes");
        else
            QVERIFY2(cli.answerPromptsWith(passphrase, &error), qPrintable(error));
        const ToolResult run = cli.run(options, QStringLiteral("echo key-ok"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QCOMPARE(run.out, QByteArray("key-ok\n"));
        if (!passphrase.isEmpty()) {
            // The passphrase was asked for, naming the key file.
            QVERIFY2(cli.askpassLog().contains(key.privatePath.toLocal8Bit()), cli.askpassLog().constData());
        }
    }

    // The same key found as a default identity (~/.ssh/id_ed25519) without -i.
    void defaultIdentity() {
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        QDir(cli.home()).mkpath(QStringLiteral(".ssh"));
        ClientKey key;
        QVERIFY2(generateClientKey(QDir(cli.home()).filePath(QStringLiteral(".ssh")), QStringLiteral("id_ed25519"),
                                   QStringLiteral("ed25519"), 0, QString(), &key, &error),
                 qPrintable(error));
        QVERIFY2(server_->authorizeKey(key.publicLine, &error), qPrintable(error));
        const ToolResult run = cli.run({QStringLiteral("-o"), QStringLiteral("BatchMode=yes")}, QStringLiteral("echo default-ok"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QCOMPARE(run.out, QByteArray("default-ok\n"));
    }

    void passwordMethods_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QStringList>("options");
        QTest::newRow("password") << "password"
                                  << QStringList{QStringLiteral("-o"), QStringLiteral("KbdInteractiveAuthentication=no")};
        QTest::newRow("keyboard-interactive")
            << "keyboard-interactive" << QStringList{QStringLiteral("-o"), QStringLiteral("PasswordAuthentication=no")};
    }
    void passwordMethods() {
        QFETCH(QString, method);
        QFETCH(QStringList, options);
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        QVERIFY2(cli.answerPromptsWith(server_->user().password, &error), qPrintable(error));
        const ToolResult run = cli.run(options + QStringList{QStringLiteral("-v"), QStringLiteral("-o"),
                                                             QStringLiteral("PubkeyAuthentication=no")},
                                       QStringLiteral("echo password-ok"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QCOMPARE(run.out, QByteArray("password-ok\n"));
        QVERIFY2(run.err.contains(("using \"" + method + "\"").toLatin1()), run.err.constData());
        QVERIFY2(cli.askpassLog().contains("assword"), cli.askpassLog().constData());
    }

    void wrongPassword() {
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        QVERIFY2(cli.answerPromptsWith(QStringLiteral("certainly-wrong"), &error), qPrintable(error));
        const ToolResult run = cli.run({QStringLiteral("-o"), QStringLiteral("PubkeyAuthentication=no"),
                                        QStringLiteral("-o"), QStringLiteral("NumberOfPasswordPrompts=2")},
                                       QStringLiteral("echo should-not-run"));
        QVERIFY2(run.started && !run.timedOut, qPrintable(explain(run, *server_)));
        QCOMPARE(run.exitCode, 255);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains("Permission denied"), run.err.constData());
        // Asked once per allowed attempt for each method (password and keyboard-interactive).
        QVERIFY2(cli.askpassLog().count('\n') >= 2, cli.askpassLog().constData());
    }

    void refusedKey() {
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        const ToolResult run = cli.run({QStringLiteral("-o"), QStringLiteral("BatchMode=yes"), QStringLiteral("-i"),
                                        unauthorizedKey_.privatePath},
                                       QStringLiteral("echo should-not-run"));
        QCOMPARE(run.exitCode, 255);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains("Permission denied"), run.err.constData());
        QVERIFY2(run.err.trimmed().count('\n') == 0, run.err.constData()); // one line
    }

    // BatchMode never prompts: an encrypted key is skipped and nothing is asked.
    void batchModeNeverPrompts() {
        ClientKey key;
        QString error;
        QVERIFY2(generateClientKey(dir_.path(), QStringLiteral("batch_encrypted"), QStringLiteral("ed25519"), 0,
                                   QStringLiteral("secret words"), &key, &error),
                 qPrintable(error));
        QVERIFY2(server_->authorizeKey(key.publicLine, &error), qPrintable(error));
        PortalCliRunner cli(*server_);
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        QVERIFY2(cli.answerPromptsWith(QStringLiteral("secret words"), &error), qPrintable(error));
        const ToolResult run = cli.run({QStringLiteral("-o"), QStringLiteral("BatchMode=yes"), QStringLiteral("-i"),
                                        key.privatePath},
                                       QStringLiteral("echo should-not-run"));
        QCOMPARE(run.exitCode, 255);
        QVERIFY2(run.err.contains("Permission denied"), run.err.constData());
        QVERIFY2(cli.askpassLog().isEmpty(), cli.askpassLog().constData());
    }

    // Nothing listens: ssh(1)'s "connect to host ... port ...: Connection refused", 255.
    void connectionRefused() {
        OpenSshServer stopped;
        stopped.setHostKeys({{QStringLiteral("ed25519"), 0}});
        QVERIFY2(stopped.start(), qPrintable(stopped.errorString()));
        stopped.stop();
        PortalCliRunner cli(stopped);
        const ToolResult run = cli.run({QStringLiteral("-o"), QStringLiteral("BatchMode=yes")}, QStringLiteral("true"));
        QCOMPARE(run.exitCode, 255);
        QVERIFY2(run.err.contains(QStringLiteral("connect to host 127.0.0.1 port %1: Connection refused")
                                      .arg(stopped.port())
                                      .toLatin1()),
                 run.err.constData());
    }

    // ConnectTimeout expires on a connect that never completes: a listener with a full accept
    // queue (backlog 0, filled by two connections nobody accepts) drops further SYNs. As
    // ssh(1): "connect to host ... port ...: Connection timed out", 255, after about a second.
    void connectTimeoutExpires() {
        const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
        QVERIFY(listener >= 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        QVERIFY(::bind(listener, reinterpret_cast<sockaddr*>(&address), length) == 0);
        QVERIFY(::listen(listener, 0) == 0);
        QVERIFY(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        std::vector<int> fillers;
        for (int i = 0; i < 4; ++i) {
            const int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            ::connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof address); // EINPROGRESS is fine
            fillers.push_back(filler);
        }
        QTest::qWait(200);

        PortalCliRunner cli(*server_);
        QElapsedTimer timer;
        timer.start();
        const ToolResult run = cli.run({QStringLiteral("-o"), QStringLiteral("ConnectTimeout=1"), QStringLiteral("-o"),
                                        QStringLiteral("BatchMode=yes"), QStringLiteral("-p"),
                                        QString::number(ntohs(address.sin_port))},
                                       QStringLiteral("true"), {}, 20000);
        const qint64 elapsed = timer.elapsed();
        for (int fd : fillers)
            ::close(fd);
        ::close(listener);
        QCOMPARE(run.exitCode, 255);
        QVERIFY2(run.err.contains(QStringLiteral("connect to host 127.0.0.1 port %1: Connection timed out")
                                      .arg(ntohs(address.sin_port))
                                      .toLatin1()),
                 run.err.constData());
        QVERIFY2(elapsed >= 900 && elapsed < 8000, qPrintable(QString::number(elapsed)));
    }
};

QTEST_GUILESS_MAIN(TestCliAuth)
#include "test_cli_auth.moc"
