// The SshClient facade driven in memory against the scripted server peer: full handshakes for
// every KEX, cipher, MAC and host-key type; strict KEX; hostile packets; host-key policy;
// every auth method; channels with flow control; rekeying in the middle of channel data.
#include "ScriptedServer.h"

#include "agent/AgentSigner.h"
#include "client/SshClient.h"
#include "crypto/Algorithms.h"
#include "keys/KnownHosts.h"
#include "keys/PrivateKey.h"
#include "transport/MessageNumbers.h"
#include "wire/Writer.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <map>

using namespace portal::protocol;
using namespace portal::protocol::client;
using portal::testing::ScriptedServer;
using portal::testing::ScriptedServerOptions;

namespace {

// Keys are made once per run by ssh-keygen, the reference tool for the formats.
class KeyStore {
public:
    static KeyStore& instance() {
        static KeyStore store;
        return store;
    }
    // Returns the private key file path for a type ("ed25519", "ecdsa", "rsa").
    QString path(const QString& name, const QString& type, const QString& bits = {}) {
        QString file = dir_.path() + "/" + name;
        if (!QFile::exists(file)) {
            QStringList args{"-q", "-t", type, "-N", "", "-C", name, "-f", file};
            if (!bits.isEmpty())
                args << "-b" << bits;
            QProcess keygen;
            keygen.start("ssh-keygen", args);
            if (!keygen.waitForFinished(60000) || keygen.exitCode() != 0)
                qFatal("ssh-keygen failed: %s", keygen.readAllStandardError().constData());
        }
        return file;
    }
    keys::PrivateKey load(const QString& name, const QString& type, const QString& bits = {}) {
        std::ifstream in(path(name, type, bits).toStdString(), std::ios::binary);
        Bytes contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto loaded = keys::PrivateKey::load(contents, nullptr);
        if (!loaded.key)
            qFatal("cannot load test key %s: %s", qPrintable(name), loaded.message.c_str());
        return *loaded.key;
    }
    QString dir() const { return dir_.path(); }

private:
    QTemporaryDir dir_;
};

struct Harness {
    explicit Harness(ScriptedServerOptions serverOptions = {},
                     std::optional<keys::PrivateKey> hostKey = std::nullopt) {
        config.host = "127.0.0.1";
        config.port = 2222;
        config.user = "tester";
        config.hostKeyPolicy = HostKeyPolicy::Ask;
        config.knownHostsFiles = {(home.path() + "/known_hosts").toStdString()};
        config.allowPublicKey = false;
        config.allowKeyboardInteractive = false;
        serverOptions_ = std::move(serverOptions);
        hostKey_ = hostKey ? *hostKey : KeyStore::instance().load("host_ed25519", "ed25519");
    }

    void start() {
        client = std::make_unique<SshClient>(config);
        server = std::make_unique<ScriptedServer>(serverOptions_, *hostKey_);
        server->start();
        client->start(now);
        pump();
    }

    // Moves bytes both ways until both sides are quiet, answering decisions and prompts.
    void pump(int rounds = 100000) {
        for (int i = 0; i < rounds; ++i) {
            Bytes toServer = takeFromClient(i);
            if (!toServer.empty())
                server->receive(toServer);
            Bytes toClient = server->takeOutgoing();
            if (!toClient.empty())
                client->receiveBytes(toClient, now);
            bool handled = drainEvents();
            QVERIFY2(!eventAfterDisconnect, "an event followed Disconnected");
            if (toServer.empty() && toClient.empty() && !handled && !client->hasOutgoingBytes())
                return;
        }
        QFAIL("the client and the scripted server never went quiet");
    }

    // What the client's socket would send this round: everything, or (writeLimit) a prefix
    // of outgoingBytes() as a busy socket takes it, with now and then a takeOutgoingBytes()
    // of the rest in between.
    Bytes takeFromClient(int round) {
        if (writeLimit == 0 || round % 5 == 4)
            return client->takeOutgoingBytes();
        const ByteView pending = client->outgoingBytes();
        const std::size_t n = std::min(pending.size(), writeLimit);
        Bytes prefix(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(n));
        client->outgoingBytesSent(n);
        return prefix;
    }

    bool drainEvents() {
        bool any = false;
        while (auto event = client->pollEvent()) {
            any = true;
            if (disconnected)
                eventAfterDisconnect = true;
            if (auto* decision = std::get_if<HostKeyDecision>(&*event)) {
                ++hostKeyDecisions;
                if (answerHostKeys)
                    client->answerHostKey(decision->id, acceptHostKey, saveHostKey);
            } else if (auto* prompt = std::get_if<PromptEvent>(&*event)) {
                prompts.push_back(*prompt);
                if (cancelPrompts) {
                    client->cancelPrompt(prompt->id);
                } else if (!answers.empty()) {
                    std::vector<SecretBytes> response;
                    for (const std::string& answer : answers.front())
                        response.push_back(SecretBytes::fromText(answer));
                    answers.erase(answers.begin());
                    client->answerPrompt(prompt->id, std::move(response));
                }
            } else if (auto* data = std::get_if<ChannelDataEvent>(&*event)) {
                Bytes& sink = data->extended ? stderrData[data->id] : stdoutData[data->id];
                append(sink, data->data);
                if (consumeData)
                    client->consumed(data->id, data->data.size());
                else
                    unconsumed[data->id] += data->data.size();
            } else if (auto* log = std::get_if<LogEvent>(&*event)) {
                logs.push_back(log->text);
            } else if (auto* d = std::get_if<DisconnectedEvent>(&*event)) {
                disconnected = *d;
            }
            events.push_back(std::move(*event));
        }
        return any;
    }

    template <typename T>
    std::vector<T> eventsOf() const {
        std::vector<T> out;
        for (const Event& e : events)
            if (auto* t = std::get_if<T>(&e))
                out.push_back(*t);
        return out;
    }

    QString error() const { return disconnected ? QString::fromStdString(disconnected->error.message) : QString(); }
    bool hasLog(const QString& text) const {
        return std::any_of(logs.begin(), logs.end(), [&](const std::string& l) { return QString::fromStdString(l).contains(text); });
    }

    // Opens a session channel, runs `command`, and returns the channel id.
    ChannelId exec(const std::string& command) {
        auto id = client->openSession();
        if (!id.ok())
            qFatal("openSession: %s", id.error().message.c_str());
        pump();
        Status requested = client->requestExec(*id, command);
        if (!requested.ok())
            qFatal("requestExec: %s", requested.error().message.c_str());
        pump();
        return *id;
    }

    QTemporaryDir home;
    ClientConfig config;
    std::unique_ptr<SshClient> client;
    std::unique_ptr<ScriptedServer> server;
    TimePoint now = TimePoint(std::chrono::seconds(1000));
    std::vector<Event> events;
    std::vector<std::string> logs;
    std::optional<DisconnectedEvent> disconnected;
    bool answerHostKeys = true;
    bool acceptHostKey = true;
    bool saveHostKey = true;
    bool cancelPrompts = false;
    bool eventAfterDisconnect = false;
    int hostKeyDecisions = 0;
    std::vector<std::vector<std::string>> answers{{"secret"}};
    std::vector<PromptEvent> prompts;
    bool consumeData = true;
    std::size_t writeLimit = 0; // bytes per round taken through outgoingBytes(); 0: all
    std::map<ChannelId, Bytes> stdoutData;
    std::map<ChannelId, Bytes> stderrData;
    std::map<ChannelId, std::size_t> unconsumed;

private:
    ScriptedServerOptions serverOptions_;
    std::optional<keys::PrivateKey> hostKey_;
};

// An in-memory agent holding private keys, answering only when the test says so, like a
// real agent whose replies come back through another socket.
class FakeAgent : public agent::AgentSigner {
public:
    std::vector<keys::PrivateKey> keys;
    std::vector<std::function<void()>> pending;
    int signatures = 0;

    Status requestIdentities(IdentitiesHandler done) override {
        pending.push_back([this, done] {
            std::vector<agent::AgentIdentity> list;
            for (const keys::PrivateKey& key : keys)
                list.push_back({key.publicKey().blob(), "agent-" + key.publicKey().keyType(), key.publicKey().keyType(), key.publicKey()});
            done(list);
        });
        return {};
    }
    Status requestSignature(ByteView keyBlob, ByteView data, std::string_view algorithm, SignatureHandler done) override {
        Bytes blob(keyBlob.begin(), keyBlob.end()), signed_(data.begin(), data.end());
        std::string name(algorithm);
        pending.push_back([this, blob, signed_, name, done] {
            for (const keys::PrivateKey& key : keys)
                if (key.publicKey().blob() == blob) {
                    ++signatures;
                    auto signature = key.sign(name, signed_);
                    if (signature)
                        return done(*signature);
                    return done(signature.error());
                }
            done(Error::auth("agent: no such key"));
        });
        return {};
    }
    // Runs the queued replies; returns how many ran.
    int deliver() {
        auto now = std::move(pending);
        pending.clear();
        for (auto& reply : now)
            reply();
        return int(now.size());
    }
};

Bytes pattern(std::size_t size, std::uint8_t seed) {
    Bytes out(size);
    for (std::size_t i = 0; i < size; ++i)
        out[i] = std::uint8_t((i * 13 + seed) % 256);
    return out;
}

// Sends all of `data` on a channel, offering the rest again as the window opens.
void sendAll(Harness& h, ChannelId id, ByteView data) {
    std::size_t offset = 0;
    for (int guard = 0; offset < data.size() && guard < 100000; ++guard) {
        auto taken = h.client->sendData(id, data.subspan(offset, std::min<std::size_t>(100000, data.size() - offset)));
        QVERIFY2(taken.ok(), taken.ok() ? "" : taken.error().message.c_str());
        offset += *taken;
        h.pump();
    }
    QCOMPARE(offset, data.size());
}

} // namespace

class TestSshClient : public QObject {
    Q_OBJECT
private slots:
    void handshakeForEachKex_data() {
        QTest::addColumn<QString>("kex");
        for (const std::string& name : crypto::defaultAlgorithms(crypto::AlgorithmFamily::Kex))
            QTest::newRow(name.c_str()) << QString::fromStdString(name);
    }
    void handshakeForEachKex() {
        QFETCH(QString, kex);
        Harness h;
        h.config.kexAlgorithms = {kex.toStdString()};
        h.start();
        QVERIFY2(!h.disconnected, qPrintable(h.error()));
        QVERIFY(h.client->isAuthenticated());
        ConnectionInfo info = h.client->connectionInfo();
        QCOMPARE(QString::fromStdString(info.kex), kex);
        QVERIFY(info.strictKex);
        QVERIFY(info.extInfo);
        QCOMPARE(info.authMethod, std::string("password"));
        QCOMPARE(h.hostKeyDecisions, 1);
        QCOMPARE(info.serverVersion, std::string("SSH-2.0-PortalTestPeer_1.0"));
    }

    void handshakeForEachCipherAndMac_data() {
        QTest::addColumn<QString>("cipher");
        QTest::addColumn<QString>("mac");
        for (const std::string& cipher : crypto::supportedAlgorithms(crypto::AlgorithmFamily::Cipher)) {
            if (crypto::findCipher(cipher)->aead) {
                QTest::newRow(cipher.c_str()) << QString::fromStdString(cipher) << QString("hmac-sha2-256");
                continue;
            }
            for (const std::string& mac : crypto::supportedAlgorithms(crypto::AlgorithmFamily::Mac))
                QTest::newRow((cipher + " " + mac).c_str()) << QString::fromStdString(cipher) << QString::fromStdString(mac);
        }
    }
    void handshakeForEachCipherAndMac() {
        QFETCH(QString, cipher);
        QFETCH(QString, mac);
        Harness h;
        h.config.ciphers = {cipher.toStdString()};
        h.config.macs = {mac.toStdString()};
        h.start();
        QVERIFY2(!h.disconnected, qPrintable(h.error()));
        ConnectionInfo info = h.client->connectionInfo();
        QCOMPARE(QString::fromStdString(info.cipherClientToServer), cipher);
        QCOMPARE(QString::fromStdString(info.cipherServerToClient), cipher);
        if (!crypto::findCipher(cipher.toStdString())->aead)
            QCOMPARE(QString::fromStdString(info.macServerToClient), mac);
        // Data both ways proves both directions' keys agree.
        ChannelId id = h.exec("echo");
        Bytes data = pattern(70000, 5);
        sendAll(h, id, data);
        QVERIFY(h.client->sendEof(id).ok());
        h.pump();
        QCOMPARE(h.stdoutData[id], data);
        QCOMPARE(h.eventsOf<ExitStatusEvent>().size(), std::size_t(1));
        QCOMPARE(h.eventsOf<ChannelClosedEvent>().size(), std::size_t(1));
    }

    void handshakeForEachHostKeyType_data() {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("bits");
        QTest::addColumn<QString>("algorithm");
        QTest::newRow("ed25519") << "ed25519" << "" << "ssh-ed25519";
        QTest::newRow("ecdsa-256") << "ecdsa" << "256" << "ecdsa-sha2-nistp256";
        QTest::newRow("ecdsa-384") << "ecdsa" << "384" << "ecdsa-sha2-nistp384";
        QTest::newRow("ecdsa-521") << "ecdsa" << "521" << "ecdsa-sha2-nistp521";
        QTest::newRow("rsa-sha2-512") << "rsa" << "2048" << "rsa-sha2-512";
        QTest::newRow("rsa-sha2-256") << "rsa" << "2048" << "rsa-sha2-256";
    }
    void handshakeForEachHostKeyType() {
        QFETCH(QString, type);
        QFETCH(QString, bits);
        QFETCH(QString, algorithm);
        keys::PrivateKey hostKey = KeyStore::instance().load("host_" + type + bits, type, bits);
        Harness h({}, hostKey);
        h.config.hostKeyAlgorithms = {algorithm.toStdString()};
        h.start();
        QVERIFY2(!h.disconnected, qPrintable(h.error()));
        ConnectionInfo info = h.client->connectionInfo();
        QCOMPARE(QString::fromStdString(info.hostKeyAlgorithm), algorithm);
        QCOMPARE(info.hostKeyFingerprint, hostKey.publicKey().fingerprintSha256());
        // Saved on acceptance: the next connection is known and asks nothing.
        Harness again({}, hostKey);
        again.config.hostKeyAlgorithms = {algorithm.toStdString()};
        again.config.knownHostsFiles = h.config.knownHostsFiles;
        again.start();
        QVERIFY2(!again.disconnected, qPrintable(again.error()));
        QCOMPARE(again.hostKeyDecisions, 0);
    }

    void strictKexRejectsIgnoreDuringInitialKex() {
        Harness h;
        h.start(); // sanity: the default handshake works
        QVERIFY(!h.disconnected);

        Harness hostile;
        hostile.config.kexAlgorithms = {"curve25519-sha256"};
        hostile.client = std::make_unique<SshClient>(hostile.config);
        hostile.server = std::make_unique<ScriptedServer>(ScriptedServerOptions{},
                                                          KeyStore::instance().load("host_ed25519", "ed25519"));
        hostile.server->beforeKexReply = [](ScriptedServer& s) {
            wire::Writer ignore(transport::msg::Ignore);
            ignore.string("terrapin");
            s.sendPayload(ignore.bytes());
        };
        hostile.server->start();
        hostile.client->start(hostile.now);
        hostile.pump();
        QVERIFY(hostile.disconnected);
        QVERIFY2(hostile.error().contains("strict KEX violation"), qPrintable(hostile.error()));
        QVERIFY(!hostile.client->isAuthenticated());
    }

    void ignoreDuringKexAllowedWithoutStrictKex() {
        ScriptedServerOptions options;
        options.offerStrictKex = false;
        Harness h(options);
        h.config.kexAlgorithms = {"curve25519-sha256"};
        h.client = std::make_unique<SshClient>(h.config);
        h.server = std::make_unique<ScriptedServer>(options, KeyStore::instance().load("host_ed25519", "ed25519"));
        h.server->beforeKexReply = [](ScriptedServer& s) {
            wire::Writer ignore(transport::msg::Ignore);
            ignore.string("padding");
            s.sendPayload(ignore.bytes());
        };
        h.server->start();
        h.client->start(h.now);
        h.pump();
        QVERIFY2(!h.disconnected, qPrintable(h.error()));
        QVERIFY(!h.client->connectionInfo().strictKex);
        QVERIFY(h.client->isAuthenticated());
    }

    void strictKexRequiresKexInitFirst() {
        // An IGNORE before the server's KEXINIT is legal for old peers, but once both sides
        // turn out to support strict KEX it is a violation.
        ScriptedServerOptions options;
        options.ignoreBeforeKexInit = true;
        Harness h(options);
        h.start();
        QVERIFY(h.disconnected);
        QVERIFY2(h.error().contains("KEXINIT was not the first packet"), qPrintable(h.error()));

        options.offerStrictKex = false;
        Harness lenient(options);
        lenient.start();
        QVERIFY2(!lenient.disconnected, qPrintable(lenient.error()));
        QVERIFY(lenient.client->isAuthenticated());
    }

    void unrequestedUserauthSuccessIsAnError() {
        Harness h;
        h.answers.clear(); // leave the password prompt pending
        h.start();
        QCOMPARE(h.prompts.size(), std::size_t(1));
        QVERIFY(!h.disconnected);
        h.server->sendPayload(Bytes{transport::msg::UserauthSuccess});
        h.pump();
        QVERIFY(h.disconnected);
        QVERIFY2(h.error().contains("USERAUTH_SUCCESS that was never asked for"), qPrintable(h.error()));
        QVERIFY(!h.client->isAuthenticated());
        QVERIFY(h.eventsOf<AuthenticatedEvent>().empty());
        // Answering the stale prompt now does nothing.
        h.client->answerPrompt(h.prompts[0].id, {SecretBytes::fromText("secret")});
        QVERIFY(!h.client->isAuthenticated());
    }

    void tamperedPacketsAreDetected_data() {
        QTest::addColumn<QString>("cipher");
        QTest::addColumn<QString>("mac");
        QTest::newRow("chacha20-poly1305") << "chacha20-poly1305@openssh.com" << "hmac-sha2-256";
        QTest::newRow("aes128-gcm") << "aes128-gcm@openssh.com" << "hmac-sha2-256";
        QTest::newRow("aes256-ctr etm") << "aes256-ctr" << "hmac-sha2-256-etm@openssh.com";
        QTest::newRow("aes128-ctr e&m") << "aes128-ctr" << "hmac-sha2-512";
    }
    void tamperedPacketsAreDetected() {
        QFETCH(QString, cipher);
        QFETCH(QString, mac);
        Harness h;
        h.config.ciphers = {cipher.toStdString()};
        h.config.macs = {mac.toStdString()};
        h.start();
        QVERIFY(h.client->isAuthenticated());
        wire::Writer ignore(transport::msg::Ignore);
        ignore.string("some data to flip a bit in");
        // Flip one bit in the last byte of the tag/MAC region and, separately, in the body.
        h.server->sendTampered(ignore.bytes(), [](Bytes& wire) { wire[wire.size() - 20] ^= 0x01; });
        h.pump();
        QVERIFY(h.disconnected);
        QCOMPARE(h.disconnected->error.category, ErrorCategory::Crypto);
        QVERIFY2(!h.error().isEmpty(), "no reason given");
    }

    void badPacketLengthAfterKeys() {
        Harness h;
        h.config.ciphers = {"aes128-gcm@openssh.com"}; // the length travels in the clear
        h.start();
        QVERIFY(h.client->isAuthenticated());
        h.server->sendRaw(fromHex("ffffffff0000000000000000"));
        h.pump();
        QVERIFY(h.disconnected);
        QVERIFY2(h.error().contains("packet length 4294967295 exceeds maximum"), qPrintable(h.error()));
    }

    void oversizedPacketAfterKeys() {
        Harness h;
        h.config.ciphers = {"aes256-gcm@openssh.com"};
        h.start();
        h.server->sendRaw(fromHex("00050000"));
        h.pump();
        QVERIFY(h.disconnected);
        QVERIFY2(h.error().contains("packet length 327680 exceeds maximum"), qPrintable(h.error()));
    }

    void badPaddingBeforeKeys() {
        Harness h;
        h.client = std::make_unique<SshClient>(h.config);
        h.client->start(h.now);
        // A KEXINIT-sized packet whose padding_length is 2 (RFC 4253 §6 requires 4).
        wire::Writer packet;
        packet.uint32(12).byte(2).byte(transport::msg::Ignore).uint32(0).uint32(0).byte(0).byte(0).byte(0);
        Bytes wire = toBytes("SSH-2.0-Hostile\r\n");
        append(wire, packet.bytes());
        h.client->receiveBytes(wire, h.now);
        h.drainEvents();
        QVERIFY(h.disconnected);
        QVERIFY2(h.error().contains("padding length 2 is below the minimum of 4"), qPrintable(h.error()));
    }

    void badPaddingAfterKeys_data() {
        QTest::addColumn<QString>("cipher");
        QTest::addColumn<int>("padding");
        QTest::addColumn<QString>("error");
        QTest::newRow("chacha20 padding 2") << "chacha20-poly1305@openssh.com" << 2 << "padding length 2 is below the minimum of 4";
        QTest::newRow("gcm padding 2") << "aes128-gcm@openssh.com" << 2 << "padding length 2 is below the minimum of 4";
        QTest::newRow("gcm padding eats payload") << "aes256-gcm@openssh.com" << 15 << "leaves no payload";
    }
    void badPaddingAfterKeys() {
        QFETCH(QString, cipher);
        QFETCH(int, padding);
        QFETCH(QString, error);
        Harness h;
        h.config.ciphers = {cipher.toStdString()};
        h.start();
        QVERIFY(h.client->isAuthenticated());
        // packet_length 16: padding_length byte, then payload and padding filling 15 bytes,
        // a multiple of 16 for GCM and 8 for chacha20 (the length is outside the blocks).
        wire::Writer packet;
        packet.uint32(16).byte(std::uint8_t(padding));
        for (int i = 0; i < 15; ++i)
            packet.byte(i == 0 ? transport::msg::Ignore : 0);
        h.server->sendPreparedPacket(packet.bytes());
        h.pump();
        QVERIFY(h.disconnected);
        QVERIFY2(h.error().contains(error), qPrintable(h.error()));
    }

    void endlessPreBannerIsAnError() {
        Harness h;
        h.client = std::make_unique<SshClient>(h.config);
        h.client->start(h.now);
        Bytes line = toBytes("Welcome to a very chatty server\r\n");
        for (int i = 0; i < 2000 && !h.client->isClosed(); ++i)
            h.client->receiveBytes(line, h.now);
        h.drainEvents();
        QVERIFY(h.disconnected);
        QVERIFY2(h.error().contains("without an SSH identification string"), qPrintable(h.error()));
    }

    void preBannerLinesAreTolerated() {
        ScriptedServerOptions options;
        options.preBannerLines = {"Hello there", "Second line"};
        Harness h(options);
        h.start();
        QVERIFY2(!h.disconnected, qPrintable(h.error()));
        QVERIFY(h.hasLog("Hello there"));
    }

    void knownHostsChangedKeyNamesFileAndLine() {
        Harness h;
        keys::PrivateKey other = KeyStore::instance().load("other_ed25519", "ed25519");
        std::string path = h.config.knownHostsFiles[0];
        {
            std::ofstream out(path);
            out << "# comment line\n";
            out << "[127.0.0.1]:2222 " << other.publicKey().openSshLine() << "\n";
        }
        h.start();
        QVERIFY(h.disconnected);
        QCOMPARE(h.disconnected->error.category, ErrorCategory::HostKey);
        QString expectedFingerprint = QString::fromStdString(
            KeyStore::instance().load("host_ed25519", "ed25519").publicKey().fingerprintSha256());
        QVERIFY2(h.error().contains(QString::fromStdString(path) + ":2"), qPrintable(h.error()));
        QVERIFY2(h.error().contains(expectedFingerprint), qPrintable(h.error()));
        QCOMPARE(h.hostKeyDecisions, 0); // a changed key is never just asked about
        QVERIFY(!h.server->authenticated());
        // The same facts, structured, for front ends that must not parse the sentence.
        const std::optional<ChangedHostKeyDetail>& detail = h.disconnected->error.changedHostKey;
        QVERIFY(detail.has_value());
        QCOMPARE(QString::fromStdString(detail->keyFamily), QStringLiteral("ED25519"));
        QCOMPARE(QString::fromStdString(detail->newFingerprint), expectedFingerprint);
        QCOMPARE(detail->knownHostsFile, path);
        QCOMPARE(detail->knownHostsLine, 2);
    }

    void knownHostKeyTypeIsPreferred() {
        // The server has ed25519 and ECDSA keys; known_hosts lists only the ECDSA one (as
        // after connecting with an older client). The client must pick ECDSA and pass,
        // instead of asking about the ed25519 key it would otherwise prefer.
        keys::PrivateKey ecdsa = KeyStore::instance().load("host_ecdsa256", "ecdsa", "256");
        ScriptedServerOptions options;
        options.additionalHostKeys = {ecdsa};
        Harness h(options);
        {
            std::ofstream out(h.config.knownHostsFiles[0]);
            out << "[127.0.0.1]:2222 " << ecdsa.publicKey().openSshLine() << "\n";
        }
        h.start();
        QVERIFY2(h.client->isAuthenticated(), qPrintable(h.error()));
        QCOMPARE(h.hostKeyDecisions, 0);
        QCOMPARE(h.client->connectionInfo().hostKeyAlgorithm, std::string("ecdsa-sha2-nistp256"));

        Harness fresh(options); // nothing known: the default order (ed25519 first) applies
        fresh.start();
        QCOMPARE(fresh.client->connectionInfo().hostKeyAlgorithm, std::string("ssh-ed25519"));
        QCOMPARE(fresh.hostKeyDecisions, 1);
    }

    void hostKeyPolicies() {
        // Strict: unknown key refused without asking.
        {
            Harness h;
            h.config.hostKeyPolicy = HostKeyPolicy::Strict;
            h.start();
            QVERIFY(h.disconnected);
            QCOMPARE(h.disconnected->error.category, ErrorCategory::HostKey);
            QCOMPARE(h.hostKeyDecisions, 0);
        }
        // accept-new: saved without asking, then known.
        {
            Harness h;
            h.config.hostKeyPolicy = HostKeyPolicy::AcceptNew;
            h.start();
            QVERIFY2(!h.disconnected, qPrintable(h.error()));
            QCOMPARE(h.hostKeyDecisions, 0);
            auto file = keys::KnownHostsFile::load(h.config.knownHostsFiles[0]);
            QVERIFY(file.ok());
            auto lookup = file->lookup("127.0.0.1", 2222, KeyStore::instance().load("host_ed25519", "ed25519").publicKey());
            QCOMPARE(lookup.match, keys::HostKeyMatch::Known);
        }
        // ask, declined: cancelled, nothing saved.
        {
            Harness h;
            h.acceptHostKey = false;
            h.start();
            QVERIFY(h.disconnected);
            QCOMPARE(h.disconnected->error.category, ErrorCategory::Cancelled);
            QVERIFY(!QFile::exists(QString::fromStdString(h.config.knownHostsFiles[0])));
        }
        // ask, pending: nothing proceeds until the answer.
        {
            Harness h;
            h.answerHostKeys = false;
            h.start();
            QCOMPARE(h.hostKeyDecisions, 1);
            QVERIFY(!h.disconnected);
            QVERIFY(!h.server->keyed());
            auto decision = h.eventsOf<HostKeyDecision>().at(0);
            QCOMPARE(decision.fingerprint, KeyStore::instance().load("host_ed25519", "ed25519").publicKey().fingerprintSha256());
            QVERIFY(!decision.randomArt.empty());
            h.client->answerHostKey(decision.id, true, false);
            h.pump();
            QVERIFY2(h.client->isAuthenticated(), qPrintable(h.error()));
        }
    }

    void publicKeyAuthentication_data() {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("bits");
        QTest::addColumn<QStringList>("serverSigAlgs");
        QTest::addColumn<QString>("expectedAlgorithm");
        QTest::newRow("ed25519") << "ed25519" << "" << QStringList{"ssh-ed25519"} << "ssh-ed25519";
        QTest::newRow("ecdsa") << "ecdsa" << "256" << QStringList{} << "ecdsa-sha2-nistp256";
        QTest::newRow("rsa 512") << "rsa" << "2048" << QStringList{"rsa-sha2-256", "rsa-sha2-512"} << "rsa-sha2-512";
        QTest::newRow("rsa 256 only") << "rsa" << "2048" << QStringList{"ssh-rsa", "rsa-sha2-256"} << "rsa-sha2-256";
    }
    void publicKeyAuthentication() {
        QFETCH(QString, type);
        QFETCH(QString, bits);
        QFETCH(QStringList, serverSigAlgs);
        QFETCH(QString, expectedAlgorithm);
        QString path = KeyStore::instance().path("id_" + type + bits, type, bits);
        keys::PrivateKey key = KeyStore::instance().load("id_" + type + bits, type, bits);
        ScriptedServerOptions options;
        options.authorizedKeys = {key.publicKey()};
        options.serverSigAlgs.clear();
        for (const QString& a : serverSigAlgs)
            options.serverSigAlgs.push_back(a.toStdString());
        options.authMethods = {"publickey"};
        Harness h(options);
        h.config.allowPublicKey = true;
        h.config.identities = {{(h.home.path() + "/missing").toStdString()}, {path.toStdString()}};
        h.start();
        QVERIFY2(h.client->isAuthenticated(), qPrintable(h.error()));
        QCOMPARE(h.client->connectionInfo().authMethod, std::string("publickey"));
        QVERIFY2(h.hasLog("Offering public key: " + path + " " + expectedAlgorithm), qPrintable(path));
        QVERIFY(h.prompts.empty());
        auto authenticated = h.eventsOf<AuthenticatedEvent>();
        QCOMPARE(authenticated.size(), std::size_t(1));
        QVERIFY(QString::fromStdString(authenticated[0].info).contains(QString::fromStdString(key.publicKey().fingerprintSha256())));
    }

    void agentKeysAreOfferedFirst() {
        keys::PrivateKey agentKey = KeyStore::instance().load("agent_ed25519", "ed25519");
        keys::PrivateKey fileKey = KeyStore::instance().load("id_ecdsa256", "ecdsa", "256");
        FakeAgent agent;
        agent.keys = {KeyStore::instance().load("id_rsa2048", "rsa", "2048"), agentKey};
        ScriptedServerOptions options;
        options.authorizedKeys = {agentKey.publicKey(), fileKey.publicKey()};
        options.authMethods = {"publickey"};
        Harness h(options);
        h.config.allowPublicKey = true;
        h.config.agent = &agent;
        h.config.identities = {{KeyStore::instance().path("id_ecdsa256", "ecdsa", "256").toStdString()}};
        h.start();
        QVERIFY(!h.client->isAuthenticated()); // waiting for the agent's list
        // Agent replies arrive from outside any SshClient call; the caller then flushes.
        for (int round = 0; round < 10 && !h.client->isAuthenticated(); ++round) {
            agent.deliver();
            h.pump();
        }
        QVERIFY2(h.client->isAuthenticated(), qPrintable(h.error()));
        QCOMPARE(agent.signatures, 1); // the RSA key was refused by query, never signed
        auto authenticated = h.eventsOf<AuthenticatedEvent>();
        QVERIFY(QString::fromStdString(authenticated.at(0).info).contains("agent key"));
        QVERIFY(QString::fromStdString(authenticated.at(0).info).contains(QString::fromStdString(agentKey.publicKey().fingerprintSha256())));
    }

    void identitiesOnlyFiltersAgentKeys() {
        keys::PrivateKey agentKey = KeyStore::instance().load("agent_ed25519", "ed25519");
        keys::PrivateKey fileKey = KeyStore::instance().load("id_ecdsa256", "ecdsa", "256");
        FakeAgent agent;
        agent.keys = {agentKey};
        ScriptedServerOptions options;
        options.authorizedKeys = {agentKey.publicKey(), fileKey.publicKey()};
        options.authMethods = {"publickey"};
        Harness h(options);
        h.config.allowPublicKey = true;
        h.config.agent = &agent;
        h.config.identitiesOnly = true;
        h.config.identities = {{KeyStore::instance().path("id_ecdsa256", "ecdsa", "256").toStdString()}};
        h.start();
        agent.deliver();
        h.pump();
        QVERIFY2(h.client->isAuthenticated(), qPrintable(h.error()));
        QCOMPARE(agent.signatures, 0);
        QVERIFY(!h.hasLog("agent key"));
        QVERIFY(h.hasLog("Offering public key: " + KeyStore::instance().path("id_ecdsa256", "ecdsa", "256")));
    }

    void refusedKeyFallsBackToPassword() {
        ScriptedServerOptions options;
        options.authMethods = {"publickey", "password"};
        Harness h(options);
        h.config.allowPublicKey = true;
        h.config.identities = {{KeyStore::instance().path("id_ed25519", "ed25519").toStdString()}};
        h.answers = {{"wrong"}, {"secret"}};
        h.start();
        QVERIFY2(h.client->isAuthenticated(), qPrintable(h.error()));
        QCOMPARE(h.prompts.size(), std::size_t(2));
        QVERIFY(h.hasLog("Permission denied, please try again."));
        QCOMPARE(h.client->connectionInfo().authMethod, std::string("password"));
    }

    void wrongPasswordsExhaustPrompts() {
        Harness h;
        h.config.numberOfPasswordPrompts = 2;
        h.answers = {{"a"}, {"b"}, {"c"}};
        h.start();
        QVERIFY(h.disconnected);
        QCOMPARE(h.disconnected->error.category, ErrorCategory::Auth);
        QVERIFY2(h.error().contains("Permission denied (publickey,password,keyboard-interactive)"), qPrintable(h.error()));
        QCOMPARE(h.prompts.size(), std::size_t(2));
    }

    void keyboardInteractiveWithZeroPromptRound() {
        ScriptedServerOptions options;
        options.authMethods = {"keyboard-interactive"};
        options.keyboardZeroPromptRoundFirst = true;
        options.keyboardPrompts = {{"Password: ", false}, {"Token: ", true}};
        options.keyboardAnswers = {"secret", "123456"};
        Harness h(options);
        h.config.allowKeyboardInteractive = true;
        h.answers = {{"secret", "123456"}};
        h.start();
        QVERIFY2(h.client->isAuthenticated(), qPrintable(h.error()));
        QCOMPARE(h.prompts.size(), std::size_t(1));
        QCOMPARE(h.prompts[0].kind, PromptKind::KeyboardInteractive);
        QCOMPARE(h.prompts[0].fields.size(), std::size_t(2));
        QVERIFY(!h.prompts[0].fields[0].echo);
        QVERIFY(h.prompts[0].fields[1].echo);
        QVERIFY(!h.eventsOf<BannerEvent>().empty()); // the zero-prompt round's text
    }

    void passwordChangeRequest() {
        ScriptedServerOptions options;
        options.authMethods = {"password"};
        options.requirePasswordChange = true;
        Harness h(options);
        h.answers = {{"secret"}, {"secret", "new1", "new2"}, {"secret", "fresh", "fresh"}};
        h.start();
        QVERIFY2(h.client->isAuthenticated(), qPrintable(h.error()));
        QCOMPARE(h.prompts.size(), std::size_t(3));
        QCOMPARE(h.prompts[1].kind, PromptKind::PasswordChange);
        QVERIFY(h.hasLog("Mismatch"));
    }

    void bannerAndBatchMode() {
        ScriptedServerOptions options;
        options.banner = "Authorized use only\n";
        Harness h(options);
        h.config.batchMode = true;
        h.config.hostKeyPolicy = HostKeyPolicy::AcceptNew;
        h.start();
        QVERIFY(h.disconnected); // batch mode never prompts for the password
        QCOMPARE(h.disconnected->error.category, ErrorCategory::Auth);
        QVERIFY(h.prompts.empty());
        auto banners = h.eventsOf<BannerEvent>();
        QCOMPARE(banners.size(), std::size_t(1));
        QCOMPARE(banners[0].text, std::string("Authorized use only\n"));
    }

    void cancelledPasswordPrompt() {
        Harness h;
        h.cancelPrompts = true;
        h.start();
        QVERIFY(h.disconnected);
        QCOMPARE(h.disconnected->error.category, ErrorCategory::Cancelled);
    }

    void sessionExitStatusSignalAndRequests() {
        Harness h;
        h.start();
        ChannelId status = h.exec("exit 3");
        ChannelId killed = h.exec("signal TERM");
        ChannelId refused = h.exec("no-such-command");
        auto exits = h.eventsOf<ExitStatusEvent>();
        QCOMPARE(exits.size(), std::size_t(1));
        QCOMPARE(exits[0].id, status);
        QCOMPARE(exits[0].status, std::uint32_t(3));
        auto exitSignals = h.eventsOf<ExitSignalEvent>();
        QCOMPARE(exitSignals.size(), std::size_t(1));
        QCOMPARE(exitSignals[0].id, killed);
        QCOMPARE(exitSignals[0].signal, std::string("TERM"));
        QVERIFY(exitSignals[0].coreDumped);
        auto results = h.eventsOf<ChannelRequestResultEvent>();
        QCOMPARE(results.size(), std::size_t(3));
        QVERIFY(results[0].success && results[1].success);
        QCOMPARE(results[2].id, refused);
        QVERIFY(!results[2].success);
        QCOMPARE(results[2].request, std::string("exec"));
        QCOMPARE(h.eventsOf<ChannelClosedEvent>().size(), std::size_t(2));
        QVERIFY(h.client->closeChannel(refused).ok());
        h.pump();
        QCOMPARE(h.eventsOf<ChannelClosedEvent>().size(), std::size_t(3));
        QVERIFY(!h.client->sendData(status, asBytes("late")).ok()); // closed channel
        QVERIFY(!h.disconnected);
    }

    void ptyShellResizeAndEnv() {
        Harness h;
        h.start();
        auto id = h.client->openSession();
        QVERIFY(id.ok());
        QVERIFY(!h.client->requestShell(*id).ok()); // not open yet
        h.pump();
        PtyRequest pty;
        pty.columns = 120;
        pty.rows = 40;
        QVERIFY(h.client->setEnv(*id, "LANG", "C.UTF-8").ok());
        QVERIFY(h.client->requestPty(*id, pty).ok());
        QVERIFY(h.client->requestShell(*id).ok());
        h.pump();
        QCOMPARE(h.server->channels().begin()->second.columns, std::uint32_t(120));
        QVERIFY(h.client->windowChange(*id, 100, 30).ok());
        QVERIFY(h.client->sendSignal(*id, "INT").ok());
        h.pump();
        const auto& record = h.server->channels().begin()->second;
        QCOMPARE(record.columns, std::uint32_t(100));
        QCOMPARE(record.rows, std::uint32_t(30));
        QCOMPARE(record.requests, (std::vector<std::string>{"env", "pty-req", "shell", "window-change", "signal"}));
        QCOMPARE(h.eventsOf<ChannelRequestResultEvent>().size(), std::size_t(2));
    }

    void manyChannelsAtOnce() {
        Harness h;
        h.start();
        std::vector<ChannelId> ids;
        for (int i = 0; i < 20; ++i)
            ids.push_back(h.exec("echo"));
        for (std::size_t i = 0; i < ids.size(); ++i)
            QCOMPARE(h.client->sendData(ids[i], pattern(1000 + i, std::uint8_t(i))).value(), 1000 + i);
        for (ChannelId id : ids)
            QVERIFY(h.client->sendEof(id).ok());
        h.pump();
        for (std::size_t i = 0; i < ids.size(); ++i)
            QCOMPARE(h.stdoutData[ids[i]], pattern(1000 + i, std::uint8_t(i)));
        QCOMPARE(h.eventsOf<ChannelClosedEvent>().size(), ids.size());
    }

    void directTcpipChannels() {
        Harness h;
        h.start();
        auto echo = h.client->openDirectTcpip("echo.internal", 7, "127.0.0.1", 50000);
        auto refused = h.client->openDirectTcpip("closed.internal", 9);
        QVERIFY(echo.ok() && refused.ok());
        h.pump();
        QCOMPARE(h.eventsOf<ChannelOpenedEvent>().size(), std::size_t(1));
        auto failed = h.eventsOf<ChannelOpenFailedEvent>();
        QCOMPARE(failed.size(), std::size_t(1));
        QCOMPARE(failed[0].id, *refused);
        QCOMPARE(failed[0].reasonCode, std::uint32_t(2));
        QCOMPARE(failed[0].description, std::string("connect failed: closed.internal"));
        QCOMPARE(h.client->sendData(*echo, asBytes("ping")).value(), std::size_t(4));
        h.pump();
        QCOMPARE(h.stdoutData[*echo], toBytes("ping"));
    }

    // -R through the facade: tcpip-forward with port 0, the server's forwarded-tcpip channel
    // accepted and carrying data both ways to EOF and CLOSE, and the policy refusing opens for
    // ports never forwarded, for a cancelled forward, and for agent channels not asked for.
    void remoteForwardAndServerOpenedChannels() {
        Harness h;
        h.start();
        auto forward = h.client->requestTcpipForward("localhost", 0);
        QVERIFY(forward.ok());
        h.pump();
        auto results = h.eventsOf<TcpipForwardResultEvent>();
        QCOMPARE(results.size(), std::size_t(1));
        QCOMPARE(results[0].id, *forward);
        QVERIFY(results[0].success);
        QCOMPARE(results[0].requestedPort, 0u);
        QCOMPARE(results[0].boundPort, 40000u);
        QVERIFY(h.server->forwards().contains({"localhost", 40000}));

        auto forwardedOpen = [](std::string_view address, std::uint32_t port) {
            wire::Writer w;
            w.string(address).uint32(port).string("127.0.0.1").uint32(55555);
            return std::move(w).take();
        };
        std::uint32_t serverChannel = h.server->openChannelToClient("forwarded-tcpip", forwardedOpen("localhost", 40000));
        h.pump();
        auto requests = h.eventsOf<ChannelOpenRequestEvent>();
        QCOMPARE(requests.size(), std::size_t(1));
        QCOMPARE(int(requests[0].kind), int(ChannelOpenKind::ForwardedTcpip));
        QCOMPARE(requests[0].connectedAddress, std::string("localhost"));
        QCOMPARE(requests[0].connectedPort, 40000u);
        QCOMPARE(requests[0].originatorPort, 55555u);
        auto id = h.client->acceptChannelOpen(requests[0].id);
        QVERIFY(id.ok());
        h.pump();
        QVERIFY(h.server->channels().at(serverChannel).confirmed);
        Bytes sent = pattern(300000, 9);
        sendAll(h, *id, sent);
        QCOMPARE(h.stdoutData[*id], sent);
        QVERIFY(h.client->sendEof(*id).ok());
        h.pump();
        auto closed = h.eventsOf<ChannelClosedEvent>();
        QCOMPARE(closed.size(), std::size_t(1));
        QCOMPARE(closed[0].id, *id);

        auto refusedWith = [&](const std::string& type, ByteView data) -> std::optional<std::uint32_t> {
            std::uint32_t channel = h.server->openChannelToClient(type, data);
            h.pump();
            return h.server->channels().at(channel).openFailureReason;
        };
        QCOMPARE(refusedWith("forwarded-tcpip", forwardedOpen("localhost", 40001)), std::optional<std::uint32_t>(1));
        QCOMPARE(refusedWith("auth-agent@openssh.com", {}), std::optional<std::uint32_t>(1));
        QVERIFY(h.client->cancelTcpipForward("localhost", 40000).ok());
        h.pump();
        QVERIFY(h.server->forwards().empty());
        QCOMPARE(refusedWith("forwarded-tcpip", forwardedOpen("localhost", 40000)), std::optional<std::uint32_t>(1));
        QCOMPARE(h.eventsOf<ChannelOpenRequestEvent>().size(), std::size_t(1));
        QVERIFY(!h.disconnected);
    }

    // -A through the facade: after auth-agent-req the server's agent channel is reported,
    // accepted, and independent of the session it came with.
    void agentForwardingChannel() {
        Harness h;
        h.start();
        ChannelId session = h.exec("echo");
        QVERIFY(h.client->requestAgentForwarding(session).ok());
        h.pump();
        QCOMPARE(h.server->channels().rbegin()->second.requests.back(), std::string("auth-agent-req@openssh.com"));
        std::uint32_t serverChannel = h.server->openChannelToClient("auth-agent@openssh.com", {});
        h.pump();
        auto requests = h.eventsOf<ChannelOpenRequestEvent>();
        QCOMPARE(requests.size(), std::size_t(1));
        QCOMPARE(int(requests[0].kind), int(ChannelOpenKind::AuthAgent));
        auto agent = h.client->acceptChannelOpen(requests[0].id);
        QVERIFY(agent.ok());
        h.pump();
        QVERIFY(h.server->channels().at(serverChannel).confirmed);
        QCOMPARE(h.client->sendData(*agent, asBytes("agent request")).value(), std::size_t(13));
        QCOMPARE(h.client->sendData(session, asBytes("shell input")).value(), std::size_t(11));
        h.pump();
        QCOMPARE(h.stdoutData[*agent], toBytes("agent request"));
        QCOMPARE(h.stdoutData[session], toBytes("shell input"));
        // A second answer to the same request is refused without harm.
        QVERIFY(!h.client->acceptChannelOpen(requests[0].id).ok());
        QVERIFY(!h.disconnected);
    }

    // -X through the facade: x11-req answered, one x11 channel for a single-connection
    // request, a second one refused by the client.
    void x11ForwardingSingleConnection() {
        Harness h;
        h.start();
        ChannelId session = h.exec("echo");
        QVERIFY(h.client->requestX11Forwarding(session, true, "MIT-MAGIC-COOKIE-1", "a1b2c3d4e5f60718", 0).ok());
        h.pump();
        auto results = h.eventsOf<ChannelRequestResultEvent>();
        QVERIFY(!results.empty());
        QCOMPARE(results.back().request, std::string("x11-req"));
        QVERIFY(results.back().success);
        wire::Writer originator;
        originator.string("127.0.0.1").uint32(6010);
        std::uint32_t first = h.server->openChannelToClient("x11", originator.bytes());
        std::uint32_t second = h.server->openChannelToClient("x11", originator.bytes());
        h.pump();
        auto requests = h.eventsOf<ChannelOpenRequestEvent>();
        QCOMPARE(requests.size(), std::size_t(1));
        QCOMPARE(int(requests[0].kind), int(ChannelOpenKind::X11));
        QCOMPARE(requests[0].originatorPort, 6010u);
        QVERIFY(h.client->acceptChannelOpen(requests[0].id).ok());
        h.pump();
        QVERIFY(h.server->channels().at(first).confirmed);
        QCOMPARE(h.server->channels().at(second).openFailureReason, std::optional<std::uint32_t>(1));
        QVERIFY(!h.disconnected);
    }

    void receiveWindowRefillsOnlyAsConsumed() {
        Harness h;
        h.config.channelWindowSize = 64 * 1024;
        h.consumeData = false;
        h.start();
        ChannelId id = h.exec("produce 300000");
        // A stalled consumer: the server can send exactly one window and no more.
        QCOMPARE(h.stdoutData[id].size(), std::size_t(64 * 1024));
        h.pump();
        QCOMPARE(h.stdoutData[id].size(), std::size_t(64 * 1024));
        // Draining refills the window.
        h.consumeData = true;
        h.client->consumed(id, h.unconsumed[id]);
        h.pump();
        QCOMPARE(h.stdoutData[id].size(), std::size_t(300000));
        for (std::size_t i = 0; i < h.stdoutData[id].size(); i += 4999)
            QCOMPARE(h.stdoutData[id][i], ScriptedServer::patternByte(i));
        QCOMPARE(h.eventsOf<ExitStatusEvent>().size(), std::size_t(1));
    }

    void sendWindowAndWritableEvent() {
        ScriptedServerOptions options;
        options.windowSize = 50000;
        options.maxPacket = 16384;
        Harness h(options);
        h.start();
        ChannelId id = h.exec("echo");
        h.server->holdWindowAdjust = true;
        QCOMPARE(h.client->sendWindow(id), std::size_t(50000));
        auto taken = h.client->sendData(id, pattern(80000, 1));
        QVERIFY(taken.ok());
        QCOMPARE(*taken, std::size_t(50000)); // cut to the peer's window
        QCOMPARE(h.client->sendWindow(id), std::size_t(0));
        h.pump();
        QVERIFY(h.eventsOf<ChannelWritableEvent>().empty());
        h.server->holdWindowAdjust = false;
        h.server->flushWindowAdjust();
        h.pump();
        QCOMPARE(h.eventsOf<ChannelWritableEvent>().size(), std::size_t(1));
        Bytes sent = pattern(80000, 1);
        sent.resize(50000);
        QCOMPARE(h.server->channels().begin()->second.received, sent);
    }

    void rekeyInTheMiddleOfChannelDataLosesNothing() {
        Harness h;
        h.config.rekeyBytes = 200 * 1024; // client-initiated rekeys every 200 KiB
        h.start();
        ChannelId id = h.exec("echo");
        Bytes data = pattern(3 * 1024 * 1024 + 17, 9);
        std::size_t offset = 0;
        int serverRekeys = 0;
        while (offset < data.size()) {
            auto taken = h.client->sendData(id, ByteView(data).subspan(offset, std::min<std::size_t>(50000, data.size() - offset)));
            QVERIFY(taken.ok());
            offset += *taken;
            // The server starts a rekey too, while client data is in flight.
            if (offset % 7 == 0 || (offset > 1000000 && serverRekeys == 0)) {
                h.server->startRekey();
                ++serverRekeys;
            }
            h.pump();
        }
        QVERIFY(h.client->sendEof(id).ok());
        h.pump();
        QVERIFY2(!h.disconnected, qPrintable(h.error()));
        QCOMPARE(h.stdoutData[id].size(), data.size());
        QVERIFY(h.stdoutData[id] == data);
        QVERIFY2(h.client->connectionInfo().keyExchanges > 10, qPrintable(QString::number(h.client->connectionInfo().keyExchanges)));
        QCOMPARE(h.server->keyExchanges(), h.client->connectionInfo().keyExchanges);
        QVERIFY(serverRekeys > 0);
    }

    void partialWritesLoseNothing_data() {
        QTest::addColumn<int>("writeLimit");
        QTest::newRow("1 byte a round") << 1;
        QTest::newRow("997 bytes a round") << 997;
        QTest::newRow("40000 bytes a round") << 40000;
    }

    // A socket that takes only part of what the client has to send: the rest stays in the
    // client, in order, across packets, key exchanges and takeOutgoingBytes() in between.
    void partialWritesLoseNothing() {
        QFETCH(int, writeLimit);
        Harness h;
        h.writeLimit = static_cast<std::size_t>(writeLimit);
        h.config.rekeyBytes = 64 * 1024;
        h.start();
        QVERIFY2(h.client->isAuthenticated(), qPrintable(h.error()));
        ChannelId id = h.exec("echo");
        Bytes data = pattern(writeLimit == 1 ? 20000 : 300 * 1024 + 5, 3);
        sendAll(h, id, data);
        QVERIFY(h.client->sendEof(id).ok());
        h.pump();
        QVERIFY2(!h.disconnected, qPrintable(h.error()));
        QVERIFY(h.stdoutData[id] == data);
        QVERIFY(!h.client->hasOutgoingBytes());
        QVERIFY(h.client->outgoingBytes().empty());
        if (writeLimit > 1)
            QVERIFY(h.client->connectionInfo().keyExchanges > 2);
    }

    void rekeyAfterTimeLimit() {
        Harness h;
        h.config.rekeyInterval = std::chrono::seconds(60);
        h.start();
        QCOMPARE(h.client->connectionInfo().keyExchanges, 1);
        auto deadline = h.client->nextDeadline();
        QVERIFY(deadline.has_value());
        QCOMPARE(*deadline, h.now + std::chrono::seconds(60));
        h.now += std::chrono::seconds(61);
        h.client->tick(h.now);
        h.pump();
        QCOMPARE(h.client->connectionInfo().keyExchanges, 2);
        QVERIFY(!h.disconnected);
    }

    void keepaliveDetectsDeadServer() {
        Harness h;
        h.config.keepaliveInterval = std::chrono::seconds(15);
        h.config.keepaliveCountMax = 3;
        h.start();
        // An answering server keeps the session alive.
        h.now += std::chrono::seconds(16);
        h.client->tick(h.now);
        h.pump();
        QCOMPARE(h.server->globalRequests(), std::vector<std::string>{"keepalive@openssh.com"});
        QVERIFY(!h.disconnected);
        // A silent one: three probes unanswered, then the fourth deadline ends the session.
        for (int i = 0; i < 4 && !h.disconnected; ++i) {
            h.now += std::chrono::seconds(16);
            h.client->tick(h.now);
            h.client->takeOutgoingBytes(); // lost
            h.drainEvents();
        }
        QVERIFY(h.disconnected);
        QCOMPARE(h.disconnected->error.category, ErrorCategory::Network);
        QVERIFY(h.error().contains("not responding"));
    }

    void serverKeepaliveAndUnknownRequestsGetFailure() {
        Harness h;
        h.start();
        wire::Writer keepalive(transport::msg::GlobalRequest);
        keepalive.string("keepalive@openssh.com").boolean(true);
        h.server->sendPayload(keepalive.bytes());
        h.pump();
        QVERIFY2(!h.disconnected, qPrintable(h.error()));
        // An unassigned message number gets UNIMPLEMENTED, not a disconnect (RFC 4253 §11.4).
        h.server->sendPayload(Bytes{200, 1, 2, 3});
        h.pump();
        QVERIFY2(!h.disconnected, qPrintable(h.error()));
    }

    void connectionProtocolViolations_data() {
        QTest::addColumn<QStringList>("payloads"); // hex, sent in order
        QTest::addColumn<QString>("error");
        QTest::newRow("data for unknown channel") << QStringList{"5e0000002a0000000141"} << "unknown channel 42";
        QTest::newRow("window adjust for unknown channel") << QStringList{"5d0000000700000010"} << "unknown channel 7";
        QTest::newRow("unsolicited global reply") << QStringList{"51"} << "without an outstanding global request";
        QTest::newRow("unsolicited channel success") << QStringList{"6300000000"} << "without an outstanding request";
        QTest::newRow("userauth after success") << QStringList{"34"} << "after authentication";
        QTest::newRow("kex message outside kex") << QStringList{"1f"} << "outside a key exchange";
        QTest::newRow("service request from server") << QStringList{"05000000016b"} << "only clients send";
        QTest::newRow("data after EOF") << QStringList{"6000000000", "5e000000000000000141"} << "after EOF";
        QTest::newRow("data after CLOSE") << QStringList{"6100000000", "5e000000000000000141"} << "unknown channel 0";
        QTest::newRow("max packet 0") << QStringList{"5b00000001000000090000100000000000"} << "maximum packet size of 0";
        QTest::newRow("confirm twice") << QStringList{"5b00000000000000090000100000008000"} << "already open";
        QTest::newRow("window overflow") << QStringList{"5d00000000ffffffff"} << "beyond 2^32-1";
        QTest::newRow("data beyond window") << QStringList{} << "beyond its window";
    }
    void connectionProtocolViolations() {
        QFETCH(QStringList, payloads);
        QFETCH(QString, error);
        Harness h;
        h.config.channelWindowSize = 1000;
        h.start();
        ChannelId id = h.exec("echo");
        QCOMPARE(id, ChannelId(0));
        QVERIFY(h.client->openSession().ok()); // channel 1, not yet confirmed
        if (payloads.isEmpty()) {
            wire::Writer data(transport::msg::ChannelData);
            data.uint32(0).string(Bytes(1001, 'x'));
            h.server->sendPayload(data.bytes());
        }
        for (const QString& hex : payloads)
            h.server->sendPayload(fromHex(hex.toStdString()));
        h.pump();
        QVERIFY(h.disconnected);
        QCOMPARE(h.disconnected->error.category, ErrorCategory::Protocol);
        QVERIFY2(h.error().contains(error), qPrintable(h.error()));
    }

    void disconnectIsLastAndClean() {
        Harness h;
        h.start();
        h.exec("echo");
        h.client->disconnect("bye");
        h.pump();
        QVERIFY(h.disconnected);
        QVERIFY(h.disconnected->clean);
        QVERIFY(std::holds_alternative<DisconnectedEvent>(h.events.back()));
        QVERIFY(h.client->isClosed());
        QVERIFY(h.server->failure().has_value()); // the server saw our DISCONNECT
        QVERIFY(QString::fromStdString(h.server->failure()->message).contains("bye"));
    }
};

QTEST_GUILESS_MAIN(TestSshClient)
#include "test_ssh_client.moc"
