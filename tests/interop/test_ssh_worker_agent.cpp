// SshWorker with a real ssh-agent (draft-miller-ssh-agent): publickey authentication with
// the agent's key and no identity file, IdentitiesOnly keeping the agent's keys back, and
// agent forwarding (-A) seen by `ssh-add -l` on the server.
#include "ClientKey.h"
#include "OpenSshServer.h"
#include "SshAgent.h"
#include "WorkerTestTools.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace portal::test;
using namespace portal::protocol;

class TestSshWorkerAgent : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    ClientKey agentKey_;
    std::unique_ptr<OpenSshServer> server_;
    std::unique_ptr<SshAgent> agent_;

    client::ClientConfig config() {
        return publickeyConfig(*server_, dir_.filePath(QStringLiteral("known_hosts")), QString());
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        server_ = std::make_unique<OpenSshServer>();
        // The key lives only in the agent as far as the client is concerned: the worker is
        // never told its file.
        QVERIFY2(server_->startWithClientKey(&agentKey_), qPrintable(server_->errorString()));
        agent_ = std::make_unique<SshAgent>();
        QVERIFY2(agent_->start(), qPrintable(agent_->errorString()));
        QVERIFY2(agent_->addKey(agentKey_.privatePath), qPrintable(agent_->errorString()));
    }

    void cleanupTestCase() {
        server_.reset();
        agent_.reset();
    }

    void publickeyThroughAgent() {
        qt::ConnectOptions options;
        options.agentSocket = agent_->socketPath();
        RunningWorker running(config(), options);
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        QCOMPARE((*running.authenticated)[0][0].toString(), QStringLiteral("publickey"));
        QString error;
        const std::optional<QByteArray> out = runExec(running, "echo through-agent", 20000, &error);
        QVERIFY2(out.has_value(), qPrintable(error));
        QCOMPARE(*out, QByteArray("through-agent\n"));
    }

    // IdentitiesOnly with an identity file the agent does not hold: the agent's key must not
    // be offered, so publickey (the only method allowed) fails.
    void identitiesOnlyKeepsAgentKeysBack() {
        ClientKey other;
        QString error;
        QVERIFY2(generateClientKey(dir_.path(), QStringLiteral("other"), QStringLiteral("ed25519"),
                                   0, QString(), &other, &error),
                 qPrintable(error));
        client::ClientConfig withOnly = config();
        withOnly.identities = {{other.privatePath.toStdString()}};
        withOnly.identitiesOnly = true;
        qt::ConnectOptions options;
        options.agentSocket = agent_->socketPath();
        RunningWorker running(withOnly, options);
        QVERIFY(!running.connectAndAuthenticate());
        QCOMPARE((*running.disconnected)[0][1].value<Error>().category, ErrorCategory::Auth);
        const QString log = running.log().join(QLatin1Char('\n'));
        const QString agentFingerprint = agent_->listKeys().section(QLatin1Char(' '), 1, 1);
        QVERIFY(!agentFingerprint.isEmpty());
        QVERIFY2(!log.contains(agentFingerprint), qPrintable(log));
        QVERIFY2(log.contains(QStringLiteral("other")), qPrintable(log));
    }

    // A socket path where no agent listens: logged, and authentication goes on with the
    // identity files (here: none, so it fails as an Auth error, not a hang or a crash).
    void missingAgentIsNotFatal() {
        qt::ConnectOptions options;
        options.agentSocket = dir_.filePath(QStringLiteral("no-agent.sock"));
        RunningWorker running(config(), options);
        QVERIFY(!running.connectAndAuthenticate());
        QCOMPARE((*running.disconnected)[0][1].value<Error>().category, ErrorCategory::Auth);
        QVERIFY2(running.log().join(QLatin1Char('\n')).contains(QStringLiteral("ssh-agent")),
                 qPrintable(running.log().join(QLatin1Char('\n'))));
    }

    // -A: the session asks for agent forwarding, and `ssh-add -l` run on the server lists
    // our agent's key through an auth-agent@openssh.com channel.
    void forwardedAgentSeenRemotely() {
        qt::ConnectOptions options;
        options.agentSocket = agent_->socketPath();
        options.forwardAgent = true;
        RunningWorker running(config(), options);
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        QString error;
        const std::optional<QByteArray> out = runExec(running, "ssh-add -l", 20000, &error);
        QVERIFY2(out.has_value(), qPrintable(error));
        const QByteArray local = agent_->listKeys().toLocal8Bit();
        QVERIFY(!local.isEmpty());
        QCOMPARE(*out, local);
    }

    // Without -A the server has no agent to offer.
    void noForwardingUnlessAsked() {
        qt::ConnectOptions options;
        options.agentSocket = agent_->socketPath();
        RunningWorker running(config(), options);
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        QString error;
        const std::optional<QByteArray> out =
            runExec(running, "ssh-add -l; echo status=$?", 20000, &error);
        QVERIFY2(out.has_value(), qPrintable(error));
        QVERIFY2(out->contains("status=2"), out->constData()); // 2: could not contact an agent
    }
};

QTEST_GUILESS_MAIN(TestSshWorkerAgent)
#include "test_ssh_worker_agent.moc"
