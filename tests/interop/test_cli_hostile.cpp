// portal-cli ssh against a hostile server: the scripted test peer (portal_test_peer) behind a
// real 127.0.0.1 socket sends, after a real key exchange, a tampered packet or impossible
// packet lengths, an IGNORE inside the strict initial KEX, an endless pre-banner, or drops
// the connection mid-transfer. Each ends promptly with exit status 255 and a one-line
// reason: no crash, no hang. (An unrequested USERAUTH_SUCCESS needs exact timing against a
// pending prompt; the in-memory client tests in tests/unit/transport cover it.)
#include "ClientKey.h"
#include "ProcessTools.h"
#include "ScriptedServer.h"

#include "keys/PrivateKey.h"
#include "transport/MessageNumbers.h"
#include "wire/Writer.h"

#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <functional>
#include <memory>

using namespace portal::test;
using namespace portal::protocol;
using portal::testing::ScriptedServer;
using portal::testing::ScriptedServerOptions;

namespace {

enum class Trigger { OnConnect, AfterAuth };

// One scripted server per accepted connection, fed from and writing to the socket, with a
// misbehaviour run once the trigger point is reached.
class HostilePeer : public QObject {
public:
    HostilePeer(ScriptedServerOptions options, keys::PrivateKey hostKey, Trigger trigger,
                std::function<void(HostilePeer&)> misbehave)
        : options_(std::move(options)), hostKey_(std::move(hostKey)), trigger_(trigger), misbehave_(std::move(misbehave)) {
        listener_.listen(QHostAddress::LocalHost, 0);
        connect(&listener_, &QTcpServer::newConnection, this, [this] { accept(); });
    }

    quint16 port() const { return listener_.serverPort(); }
    ScriptedServer& server() { return *server_; }
    QTcpSocket& socket() { return *socket_; }
    std::function<void(ScriptedServer&)> beforeKexReply;

    void flush() {
        if (!server_ || !socket_)
            return;
        const Bytes out = server_->takeOutgoing();
        if (!out.empty())
            socket_->write(reinterpret_cast<const char*>(out.data()), static_cast<qint64>(out.size()));
    }

private:
    void accept() {
        socket_ = listener_.nextPendingConnection();
        if (!socket_ || server_)
            return;
        if (trigger_ == Trigger::OnConnect) {
            misbehave_(*this);
            return;
        }
        server_ = std::make_unique<ScriptedServer>(options_, hostKey_);
        server_->beforeKexReply = beforeKexReply;
        connect(socket_, &QTcpSocket::readyRead, this, [this] {
            const QByteArray bytes = socket_->readAll();
            server_->receive(ByteView(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                                      static_cast<std::size_t>(bytes.size())));
            flush();
            if (server_->authenticated() && !misbehaved_) {
                misbehaved_ = true;
                misbehave_(*this);
                flush();
            }
        });
        server_->start();
        flush();
    }

    ScriptedServerOptions options_;
    keys::PrivateKey hostKey_;
    Trigger trigger_;
    std::function<void(HostilePeer&)> misbehave_;
    QTcpServer listener_;
    QTcpSocket* socket_ = nullptr;
    std::unique_ptr<ScriptedServer> server_;
    bool misbehaved_ = false;
};

Bytes ignorePayload() {
    wire::Writer ignore(transport::msg::Ignore);
    ignore.string("some data to flip a bit in");
    return ignore.bytes();
}

} // namespace

// Before any use: QTest::addColumn instantiates the type's metatype id (in an NDEBUG build a
// declaration after it was an error, so the release preset did not build).
Q_DECLARE_METATYPE(std::function<void(HostilePeer&)>)

class TestCliHostile : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::optional<keys::PrivateKey> hostKey_;
    QString askpass_;

    struct Outcome {
        int exitCode = -1; // -1: crashed or hung
        QByteArray out;
        QByteArray err;
    };

    // portal-cli -q (only the fatal reason on stderr) as user "tester" with password
    // "secret" (the peer's defaults), its own known_hosts, and the given cipher.
    Outcome runAgainst(HostilePeer& peer, const QString& cipher, const QString& command) {
        QProcess cli;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("HOME"), dir_.path());
        environment.insert(QStringLiteral("SSH_ASKPASS"), askpass_);
        environment.insert(QStringLiteral("SSH_ASKPASS_REQUIRE"), QStringLiteral("force"));
        cli.setProcessEnvironment(environment);
        QFile::remove(dir_.filePath(QStringLiteral("known_hosts")));
        cli.start(QStringLiteral(PORTAL_CLI_PATH),
                  {QStringLiteral("ssh"), QStringLiteral("-q"), QStringLiteral("-c"), cipher, QStringLiteral("-o"),
                   QStringLiteral("StrictHostKeyChecking=accept-new"), QStringLiteral("-o"),
                   QStringLiteral("UserKnownHostsFile=") + dir_.filePath(QStringLiteral("known_hosts")),
                   QStringLiteral("-o"), QStringLiteral("PubkeyAuthentication=no"), QStringLiteral("-o"),
                   QStringLiteral("KbdInteractiveAuthentication=no"), QStringLiteral("-p"), QString::number(peer.port()),
                   QStringLiteral("tester@127.0.0.1"), command});
        cli.closeWriteChannel();
        // The peer lives in this thread: spin the event loop while the client runs.
        QDeadlineTimer deadline(30000);
        while (cli.state() != QProcess::NotRunning && !deadline.hasExpired())
            QTest::qWait(10);
        Outcome outcome;
        if (cli.state() != QProcess::NotRunning) {
            cli.kill();
            cli.waitForFinished(5000);
            outcome.err = "portal-cli hung: killed after 30 s";
            return outcome;
        }
        outcome.exitCode = cli.exitStatus() == QProcess::NormalExit ? cli.exitCode() : -1;
        outcome.out = cli.readAllStandardOutput();
        outcome.err = cli.readAllStandardError();
        return outcome;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        ClientKey key;
        QString error;
        QVERIFY2(generateClientKey(dir_.path(), QStringLiteral("host_ed25519"), QStringLiteral("ed25519"), 0, QString(),
                                   &key, &error),
                 qPrintable(error));
        QFile file(key.privatePath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray contents = file.readAll();
        auto loaded = keys::PrivateKey::load(
            ByteView(reinterpret_cast<const std::uint8_t*>(contents.constData()), static_cast<std::size_t>(contents.size())),
            nullptr);
        QVERIFY2(loaded.key.has_value(), loaded.message.c_str());
        hostKey_ = *loaded.key;
        askpass_ = writeAskpassScript(dir_.path(), QStringLiteral("secret"), &error);
        QVERIFY2(!askpass_.isEmpty(), qPrintable(error));
    }

    // The scripted peer is a working server when it behaves: the harness itself is sound.
    void wellBehavedPeerWorks() {
        HostilePeer peer({}, *hostKey_, Trigger::AfterAuth, [](HostilePeer&) {});
        const Outcome outcome = runAgainst(peer, QStringLiteral("aes128-gcm@openssh.com"), QStringLiteral("exit 9"));
        QVERIFY2(outcome.exitCode == 9, outcome.err.constData());
    }

    void hostileServer_data() {
        QTest::addColumn<QString>("cipher");
        QTest::addColumn<int>("trigger");
        QTest::addColumn<QString>("expected"); // a fragment of the one-line reason
        QTest::addColumn<std::function<void(HostilePeer&)>>("misbehave");
        const auto tamper = [](HostilePeer& peer) {
            peer.server().sendTampered(ignorePayload(), [](Bytes& wire) { wire[wire.size() - 20] ^= 0x01; });
        };
        for (const char* cipher : {"chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr"})
            QTest::addRow("tampered packet %s", cipher) << QString::fromLatin1(cipher) << int(Trigger::AfterAuth) << QString()
                                                        << std::function<void(HostilePeer&)>(tamper);
        QTest::newRow("packet length 2^32-1")
            << "aes128-gcm@openssh.com" << int(Trigger::AfterAuth) << "packet length 4294967295 exceeds maximum"
            << std::function<void(HostilePeer&)>([](HostilePeer& peer) { peer.server().sendRaw(fromHex("ffffffff0000000000000000")); });
        QTest::newRow("oversized packet")
            << "aes256-gcm@openssh.com" << int(Trigger::AfterAuth) << "packet length 327680 exceeds maximum"
            << std::function<void(HostilePeer&)>([](HostilePeer& peer) { peer.server().sendRaw(fromHex("00050000")); });
        QTest::newRow("endless pre-banner")
            << "aes128-gcm@openssh.com" << int(Trigger::OnConnect) << "without an SSH identification string"
            << std::function<void(HostilePeer&)>([](HostilePeer& peer) {
                   QByteArray lines;
                   for (int i = 0; i < 4000; ++i)
                       lines += "Welcome to a very chatty server\r\n";
                   peer.socket().write(lines);
               });
        QTest::newRow("connection dropped mid-transfer")
            << "aes128-gcm@openssh.com" << int(Trigger::AfterAuth) << "closed"
            << std::function<void(HostilePeer&)>([](HostilePeer& peer) {
                   QTimer::singleShot(200, &peer, [&peer] { peer.socket().abort(); });
               });
    }
    void hostileServer() {
        QFETCH(QString, cipher);
        QFETCH(int, trigger);
        QFETCH(QString, expected);
        QFETCH(std::function<void(HostilePeer&)>, misbehave);
        HostilePeer peer({}, *hostKey_, Trigger(trigger), misbehave);
        QElapsedTimer elapsed;
        elapsed.start();
        const Outcome outcome = runAgainst(peer, cipher, QStringLiteral("produce 100000000"));
        QCOMPARE(outcome.exitCode, 255);
        QVERIFY2(!outcome.err.trimmed().isEmpty(), "no reason given");
        QVERIFY2(outcome.err.trimmed().count('\n') == 0, outcome.err.constData());
        if (!expected.isEmpty())
            QVERIFY2(outcome.err.contains(expected.toLatin1()), outcome.err.constData());
        QVERIFY2(elapsed.elapsed() < 20000, "the client took too long to give up");
    }

    // An IGNORE inside the strict initial key exchange (the Terrapin pattern).
    void ignoreDuringStrictKex() {
        HostilePeer peer({}, *hostKey_, Trigger::AfterAuth, [](HostilePeer&) {});
        peer.beforeKexReply = [](ScriptedServer& server) { server.sendPayload(ignorePayload()); };
        const Outcome outcome = runAgainst(peer, QStringLiteral("chacha20-poly1305@openssh.com"), QStringLiteral("exit 0"));
        QCOMPARE(outcome.exitCode, 255);
        QVERIFY2(outcome.err.contains("strict KEX violation"), outcome.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliHostile)
#include "test_cli_hostile.moc"
