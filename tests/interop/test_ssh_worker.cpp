// SshWorker against a real OpenSSH sshd: the worker runs in its own thread, every event
// reaches the test thread as a queued signal, and answers go back as queued calls.
#include "ClientKey.h"
#include "OpenSshServer.h"
#include "ProcessTools.h"
#include "SshWorker.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace portal::test;
using namespace portal::protocol;
using portal::protocol::qt::SshWorker;
using portal::protocol::qt::SshWorkerThread;

namespace {

// Collects what one exec channel produced, answering channelData with consumed() as a
// real consumer does.
struct ChannelRecorder {
    QByteArray out;
    QByteArray err;
    std::optional<quint32> exitStatus;
    bool closed = false;
    std::optional<quint32> channel;
};

} // namespace

class TestSshWorker : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    ClientKey key_;
    std::unique_ptr<OpenSshServer> server_;

    client::ClientConfig baseConfig(const QString& knownHosts) const {
        client::ClientConfig config;
        config.host = "127.0.0.1";
        config.port = server_->port();
        config.user = server_->user().name.toStdString();
        config.knownHostsFiles = {knownHosts.toStdString()};
        config.hostKeyPolicy = client::HostKeyPolicy::Strict;
        return config;
    }

    QString knownHostsWithServer() {
        const QString path = dir_.filePath(QStringLiteral("known_hosts_%1").arg(QRandomGenerator::global()->generate()));
        QString error;
        if (!server_->writeKnownHosts(path, &error))
            qFatal("%s", qPrintable(error));
        return path;
    }

    // Wires a recorder to the worker's channel signals (queued into this thread).
    void record(SshWorker* worker, ChannelRecorder& recorder) {
        connect(worker, &SshWorker::channelData, this, [worker, &recorder](quint32 channel, QByteArray data, bool extended) {
            (extended ? recorder.err : recorder.out) += data;
            QMetaObject::invokeMethod(worker, [worker, channel, size = data.size()] { worker->consumed(channel, size); });
        });
        connect(worker, &SshWorker::exitStatus, this, [&recorder](quint32, quint32 status) { recorder.exitStatus = status; });
        connect(worker, &SshWorker::channelClosed, this, [&recorder](quint32) { recorder.closed = true; });
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        server_ = std::make_unique<OpenSshServer>();
        QVERIFY2(server_->startWithClientKey(&key_), qPrintable(server_->errorString()));
    }

    void cleanupTestCase() { server_.reset(); }

    // publickey, exec `sha256sum; echo err >&2; exit 7` with 1 MiB of stdin: data both
    // ways, stderr apart, exit status, close; and every signal from the worker's thread.
    void execRoundTrip() {
        client::ClientConfig config = baseConfig(knownHostsWithServer());
        config.identities = {{key_.privatePath.toStdString()}};
        config.allowPassword = false;
        config.allowKeyboardInteractive = false;
        auto* worker = new SshWorker(config);
        SshWorkerThread running(worker);
        QVERIFY(worker->thread() == running.thread());

        QThread* emittingThread = nullptr;
        connect(worker, &SshWorker::authenticated, worker, [&emittingThread] { emittingThread = QThread::currentThread(); },
                Qt::DirectConnection);
        QSignalSpy authenticated(worker, &SshWorker::authenticated);
        QSignalSpy disconnected(worker, &SshWorker::disconnected);
        ChannelRecorder recorder;
        record(worker, recorder);
        connect(worker, &SshWorker::channelOpened, this, [worker, &recorder](quint32 channel) {
            recorder.channel = channel;
            QMetaObject::invokeMethod(worker, [worker, channel] {
                worker->requestExec(channel, "sha256sum; echo err >&2; exit 7");
            });
        });
        QByteArray input(1 << 20, Qt::Uninitialized);
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32*>(input.data()), input.size() / 4);
        connect(worker, &SshWorker::channelRequestResult, this, [worker, &input](quint32 channel, QString request, bool ok) {
            if (request == QLatin1String("exec") && ok) {
                QMetaObject::invokeMethod(worker, [worker, channel, input] {
                    worker->write(channel, input);
                    worker->sendEof(channel);
                });
            }
        });

        QMetaObject::invokeMethod(worker, &SshWorker::connectToServer);
        QTRY_COMPARE_WITH_TIMEOUT(authenticated.size() + disconnected.size(), 1, 20000);
        QVERIFY2(disconnected.isEmpty(), disconnected.isEmpty() ? "" : qPrintable(QString::fromStdString(
                                                                            disconnected[0][1].value<Error>().message)));
        QVERIFY(emittingThread == running.thread());
        QVERIFY(emittingThread != QThread::currentThread());
        QCOMPARE(authenticated[0][0].toString(), QStringLiteral("publickey"));

        QMetaObject::invokeMethod(worker, &SshWorker::openSession);
        QTRY_VERIFY_WITH_TIMEOUT(recorder.closed, 20000);
        const QByteArray expected = QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex() + "  -\n";
        QCOMPARE(recorder.out, expected);
        QCOMPARE(recorder.err, QByteArray("err\n"));
        QVERIFY(recorder.exitStatus.has_value());
        QCOMPARE(*recorder.exitStatus, 7u);

        QElapsedTimer closing;
        closing.start();
        QMetaObject::invokeMethod(worker, &SshWorker::closeConnection);
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 5000);
        QVERIFY(disconnected[0][0].toBool());
        QVERIFY2(closing.elapsed() < 2000, "closing took longer than the grace period");
    }

    // StrictHostKeyChecking=ask: the decision arrives as a signal, the answer goes back
    // queued, and the accepted key is saved to known_hosts.
    void hostKeyDecisionAndPasswordPrompt() {
        const QString knownHosts = dir_.filePath(QStringLiteral("known_hosts_ask"));
        client::ClientConfig config = baseConfig(knownHosts);
        config.hostKeyPolicy = client::HostKeyPolicy::Ask;
        config.allowPublicKey = false;
        config.allowKeyboardInteractive = false;
        auto* worker = new SshWorker(config);
        SshWorkerThread running(worker);
        QSignalSpy authenticated(worker, &SshWorker::authenticated);
        QSignalSpy disconnected(worker, &SshWorker::disconnected);
        QList<client::HostKeyDecision> decisions;
        QList<client::PromptEvent> prompts;
        const QString password = server_->user().password;
        connect(worker, &SshWorker::hostKeyDecisionRequested, this, [&decisions, worker](client::HostKeyDecision decision) {
            decisions << decision;
            QMetaObject::invokeMethod(worker, [worker, id = decision.id] { worker->answerHostKey(id, true, true); });
        });
        connect(worker, &SshWorker::promptRequested, this, [&prompts, worker, password](client::PromptEvent prompt) {
            prompts << prompt;
            std::vector<SecretBytes> answers;
            answers.push_back(SecretBytes::fromText(password.toStdString()));
            QMetaObject::invokeMethod(worker, [worker, id = prompt.id, answers] { worker->answerPrompt(id, answers); });
        });
        QMetaObject::invokeMethod(worker, &SshWorker::connectToServer);
        QTRY_COMPARE_WITH_TIMEOUT(authenticated.size() + disconnected.size(), 1, 20000);
        QVERIFY2(disconnected.isEmpty(), disconnected.isEmpty() ? "" : qPrintable(QString::fromStdString(
                                                                            disconnected[0][1].value<Error>().message)));
        QCOMPARE(decisions.size(), 1);
        QCOMPARE(decisions[0].status, client::HostKeyStatus::Unknown);
        QVERIFY(QString::fromStdString(decisions[0].fingerprint).startsWith(QStringLiteral("SHA256:")));
        QCOMPARE(prompts.size(), 1);
        QCOMPARE(prompts[0].kind, client::PromptKind::Password);
        QCOMPARE(authenticated[0][0].toString(), QStringLiteral("password"));
        QFile saved(knownHosts);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QVERIFY(saved.readAll().startsWith(QStringLiteral("[127.0.0.1]:%1 ").arg(server_->port()).toLatin1()));
    }

    // Nothing listens: a Network error naming host and port, no hang.
    void connectionRefused() {
        client::ClientConfig config = baseConfig(knownHostsWithServer());
        config.port = findFreeLoopbackPort();
        auto* worker = new SshWorker(config);
        SshWorkerThread running(worker);
        QSignalSpy disconnected(worker, &SshWorker::disconnected);
        QMetaObject::invokeMethod(worker, &SshWorker::connectToServer);
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 10000);
        QVERIFY(!disconnected[0][0].toBool());
        const Error error = disconnected[0][1].value<Error>();
        QCOMPARE(error.category, ErrorCategory::Network);
        QVERIFY2(QString::fromStdString(error.message).contains(QString::number(config.port)), error.message.c_str());
    }

    // A server that accepts but never speaks is cut off by the client's own deadlines only
    // if it has any; closing must still end it at once.
    void closeWhileHandshakePending() {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        client::ClientConfig config = baseConfig(knownHostsWithServer());
        config.port = silent.serverPort();
        auto* worker = new SshWorker(config);
        SshWorkerThread running(worker);
        QSignalSpy connected(worker, &SshWorker::socketConnected);
        QSignalSpy disconnected(worker, &SshWorker::disconnected);
        QMetaObject::invokeMethod(worker, &SshWorker::connectToServer);
        QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 10000);
        QElapsedTimer closing;
        closing.start();
        QMetaObject::invokeMethod(worker, &SshWorker::closeConnection);
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 5000);
        QVERIFY(closing.elapsed() < 2000);
    }
};

QTEST_GUILESS_MAIN(TestSshWorker)
#include "test_ssh_worker.moc"
