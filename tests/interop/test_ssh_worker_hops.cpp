// SshWorker connections that do not run over a TCP socket of their own: a two-hop ProxyJump
// chain through two sshd instances (each hop its own host-key check and authentication, a
// hop's prompt answered through the destination's worker), and ProxyCommand with OpenSSH's
// `ssh -W` as the proxy, its stderr in the log; the ssh_config(5) %-tokens.
#include "ClientKey.h"
#include "OpenSshServer.h"
#include "ProcessTools.h"
#include "ServerStream.h"
#include "WorkerTestTools.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QtTest>

using namespace portal::test;
using namespace portal::protocol;
using portal::protocol::qt::SshWorker;

class TestSshWorkerHops : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    ClientKey keyA_;
    std::unique_ptr<OpenSshServer> serverA_;
    std::unique_ptr<OpenSshServer> serverB_;

    client::ClientConfig configFor(const OpenSshServer& server, const QString& knownHostsName) {
        return publickeyConfig(server, dir_.filePath(knownHostsName), keyA_.privatePath);
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        serverA_ = std::make_unique<OpenSshServer>();
        QVERIFY2(serverA_->startWithClientKey(&keyA_), qPrintable(serverA_->errorString()));
        serverB_ = std::make_unique<OpenSshServer>();
        QVERIFY2(serverB_->start(), qPrintable(serverB_->errorString()));
        QString error;
        QVERIFY2(serverB_->authorizeKey(keyA_.publicLine, &error), qPrintable(error));
    }

    void cleanupTestCase() {
        serverA_.reset();
        serverB_.reset();
    }

    // -J A,B to A: three SSH connections, the second inside a channel of the first and the
    // third inside a channel of the second. Hop B asks about its host key (policy Ask with an
    // empty known_hosts): the decision's id names hop 1 and the answer goes back through the
    // destination's worker. 1 MiB through the innermost connection comes back hashed.
    void twoHopJump() {
        qt::ConnectOptions options;
        options.jumpHosts.push_back({configFor(*serverA_, QStringLiteral("known_hosts_a")), {}});
        client::ClientConfig hopB = configFor(*serverB_, QStringLiteral("known_hosts_b"));
        hopB.hostKeyPolicy = client::HostKeyPolicy::Ask;
        hopB.knownHostsFiles = {dir_.filePath(QStringLiteral("known_hosts_b_empty")).toStdString()};
        options.jumpHosts.push_back({hopB, {}});
        const qsizetype acceptedAtA = serverA_->log().count("Accepted publickey");
        const qsizetype acceptedAtB = serverB_->log().count("Accepted publickey");
        RunningWorker running(configFor(*serverA_, QStringLiteral("known_hosts_dest")), options);
        SshWorker* worker = running.worker();
        QSignalSpy connecting(worker, &SshWorker::jumpHostConnecting);
        QSignalSpy hopAuthenticated(worker, &SshWorker::jumpHostAuthenticated);
        QList<client::HostKeyDecision> decisions;
        QObject receiver;
        connect(worker, &SshWorker::hostKeyDecisionRequested, &receiver,
                [&decisions, worker](client::HostKeyDecision decision) {
                    decisions << decision;
                    QMetaObject::invokeMethod(worker, [worker, id = decision.id] {
                        worker->answerHostKey(id, true, false);
                    });
                });
        QVERIFY2(running.connectAndAuthenticate(30000), qPrintable(running.why()));

        QCOMPARE(connecting.size(), 2);
        QCOMPARE(connecting[0][0].toInt(), 0);
        QCOMPARE(connecting[0][2].toUInt(), uint(serverA_->port()));
        QCOMPARE(connecting[1][0].toInt(), 1);
        QCOMPARE(connecting[1][2].toUInt(), uint(serverB_->port()));
        QCOMPARE(hopAuthenticated.size(), 2);
        QCOMPARE(hopAuthenticated[1][1].toString(), QStringLiteral("publickey"));
        QCOMPARE(decisions.size(), 1);
        QCOMPARE(SshWorker::jumpHostOfRequest(decisions[0].id), 1);
        QCOMPARE(decisions[0].port, int(serverB_->port()));

        const QByteArray input = randomBytes(1 << 20);
        QString error;
        const std::optional<QByteArray> out = runExec(running, "sha256sum", 30000, &error, input);
        QVERIFY2(out.has_value(), qPrintable(error));
        QCOMPARE(*out,
                 QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex() + "  -\n");
        // Three logins: two at A (the first hop and the destination), one at B.
        QCOMPARE(serverA_->log().count("Accepted publickey") - acceptedAtA, 2);
        QCOMPARE(serverB_->log().count("Accepted publickey") - acceptedAtB, 1);

        QMetaObject::invokeMethod(worker, &SshWorker::closeConnection);
        QTRY_COMPARE_WITH_TIMEOUT(running.disconnected->size(), 1, 5000);
        QVERIFY((*running.disconnected)[0][0].toBool());
    }

    // The jump host asks for a password: the prompt reaches the destination's worker with
    // an id that names hop 0, and the answer given there authenticates the hop.
    void jumpHostPasswordPrompt() {
        qt::ConnectOptions options;
        client::ClientConfig hop = configFor(*serverB_, QStringLiteral("known_hosts_b5"));
        hop.identities.clear();
        hop.allowPublicKey = false;
        hop.allowPassword = true;
        options.jumpHosts.push_back({hop, {}});
        RunningWorker running(configFor(*serverA_, QStringLiteral("known_hosts_a5")), options);
        SshWorker* worker = running.worker();
        QList<client::PromptEvent> prompts;
        QObject receiver;
        const QString password = serverB_->user().password;
        connect(worker, &SshWorker::promptRequested, &receiver,
                [&prompts, worker, password](client::PromptEvent prompt) {
                    prompts << prompt;
                    std::vector<SecretBytes> answers;
                    answers.push_back(SecretBytes::fromText(password.toStdString()));
                    QMetaObject::invokeMethod(worker, [worker, id = prompt.id, answers] {
                        worker->answerPrompt(id, answers);
                    });
                });
        QSignalSpy hopAuthenticated(worker, &SshWorker::jumpHostAuthenticated);
        QVERIFY2(running.connectAndAuthenticate(30000), qPrintable(running.why()));
        QCOMPARE(prompts.size(), 1);
        QCOMPARE(prompts[0].kind, client::PromptKind::Password);
        QCOMPARE(SshWorker::jumpHostOfRequest(prompts[0].id), 0);
        QCOMPARE(hopAuthenticated.size(), 1);
        QCOMPARE(hopAuthenticated[0][1].toString(), QStringLiteral("password"));
        QCOMPARE((*running.authenticated)[0][0].toString(), QStringLiteral("publickey"));
    }

    // A jump host that refuses us ends the whole connection with an error naming the hop.
    void failingJumpHostNamed() {
        qt::ConnectOptions options;
        client::ClientConfig hop = configFor(*serverA_, QStringLiteral("known_hosts_a2"));
        hop.identities.clear();
        options.jumpHosts.push_back({hop, {}});
        RunningWorker running(configFor(*serverB_, QStringLiteral("known_hosts_b2")), options);
        QVERIFY(!running.connectAndAuthenticate());
        const Error error = (*running.disconnected)[0][1].value<Error>();
        QCOMPARE(error.category, ErrorCategory::Auth);
        QVERIFY2(QString::fromStdString(error.message).startsWith(QStringLiteral("jump host ")),
                 error.message.c_str());
    }

    // ProxyCommand: OpenSSH's `ssh -W %h:%p` through sshd A carries the connection to sshd B.
    void proxyCommandWithSshW() {
        const QString knownHostsA = dir_.filePath(QStringLiteral("known_hosts_proxy"));
        QString error;
        QVERIFY2(serverA_->writeKnownHosts(knownHostsA, &error), qPrintable(error));
        qt::ConnectOptions options;
        options.proxyCommand =
            QStringLiteral(
                "ssh -v -F none -i %1 -o IdentitiesOnly=yes -o BatchMode=yes "
                "-o UserKnownHostsFile=%2 -o StrictHostKeyChecking=yes -p %3 -W %h:%p %r@127.0.0.1")
                .arg(keyA_.privatePath, knownHostsA)
                .arg(serverA_->port());
        RunningWorker running(configFor(*serverB_, QStringLiteral("known_hosts_b3")), options);
        QVERIFY2(running.connectAndAuthenticate(30000), qPrintable(running.why()));
        const std::optional<QByteArray> out =
            runExec(running, "echo via-proxy-command", 20000, &error);
        QVERIFY2(out.has_value(), qPrintable(error));
        QCOMPARE(*out, QByteArray("via-proxy-command\n"));
        const QString log = running.log().join(QLatin1Char('\n'));
        QVERIFY2(log.contains(QStringLiteral("Executing proxy command")), qPrintable(log));
        // ssh -v writes "debug1: ..." to stderr, which reaches the log line by line.
        QVERIFY2(log.contains(QStringLiteral("debug1: ")), qPrintable(log));
    }

    // A proxy command that fails before speaking: a Network error, its stderr in the log.
    void proxyCommandFailing() {
        qt::ConnectOptions options;
        options.proxyCommand = QStringLiteral("echo proxy-says-no-to-%h >&2; exit 3");
        RunningWorker running(configFor(*serverB_, QStringLiteral("known_hosts_b4")), options);
        QVERIFY(!running.connectAndAuthenticate());
        QCOMPARE((*running.disconnected)[0][1].value<Error>().category, ErrorCategory::Network);
        QTRY_VERIFY_WITH_TIMEOUT(running.log()
                                     .join(QLatin1Char('\n'))
                                     .contains(QStringLiteral("proxy-says-no-to-127.0.0.1")),
                                 5000);
    }

    void proxyCommandTokens_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("expanded"); // empty: an error is expected
        QTest::newRow("all") << "nc %h %p # %r %n %%"
                             << "nc example.org 2222 # alice Example %";
        QTest::newRow("none") << "plain"
                              << "plain";
        QTest::newRow("unknown token") << "nc %h %x"
                                       << "";
        QTest::newRow("lone percent at end") << "nc %"
                                             << "";
    }

    void proxyCommandTokens() {
        QFETCH(QString, command);
        QFETCH(QString, expanded);
        QString out;
        QString error;
        const bool ok = qt::expandProxyCommand(command, QStringLiteral("example.org"), 2222,
                                               QStringLiteral("alice"), QStringLiteral("Example"),
                                               &out, &error);
        QCOMPARE(ok, !expanded.isEmpty());
        if (ok)
            QCOMPARE(out, expanded);
        else
            QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSshWorkerHops)
#include "test_ssh_worker_hops.moc"
