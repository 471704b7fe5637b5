// Tests for protocol/agent: framing and strict decoding of agent replies, and the client
// against a real OpenSSH ssh-agent started by the test (by PID, stopped at the end). The
// socket I/O lives here, in the test: the protocol core has none.
#include "agent/AgentClient.h"
#include "wire/Writer.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <cerrno>
#include <cstring>
#include <map>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace portal::protocol;
using namespace portal::protocol::agent;

namespace {

Bytes framed(const wire::Writer& body) {
    wire::Writer out;
    out.uint32(static_cast<std::uint32_t>(body.size())).raw(body.bytes());
    return std::move(out).take();
}

Bytes signatureBlob(std::string_view algorithm, std::string_view signature) {
    wire::Writer blob;
    blob.string(algorithm).string(signature);
    return std::move(blob).take();
}

Bytes ed25519Blob() {
    wire::Writer blob;
    blob.string("ssh-ed25519").string(Bytes(32, 0x11));
    return std::move(blob).take();
}

// A blocking Unix-socket connection to the agent, with timeouts so a silent agent fails the
// test instead of hanging it.
class AgentSocket {
public:
    explicit AgentSocket(const QString& path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const QByteArray native = QFile::encodeName(path);
        if (fd_ < 0 || native.size() >= qsizetype(sizeof address.sun_path))
            return;
        std::memcpy(address.sun_path, native.constData(), static_cast<std::size_t>(native.size()));
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~AgentSocket() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    bool connected() const { return fd_ >= 0; }

    bool writeAll(const Bytes& bytes) {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            done += static_cast<std::size_t>(n);
        }
        return true;
    }

    // Reads whatever arrives within the timeout (empty on timeout or EOF).
    Bytes readSome(int timeoutMs = 5000) {
        pollfd poller{fd_, POLLIN, 0};
        if (::poll(&poller, 1, timeoutMs) <= 0)
            return {};
        Bytes buffer(4096);
        const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
        buffer.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        return buffer;
    }

    // Sends what the client queued and feeds replies until nothing is pending. Returns the
    // raw reply bytes, for replays.
    Bytes exchange(AgentClient& client) {
        Bytes replies;
        if (!writeAll(client.takeOutgoingBytes()))
            return replies;
        while (client.pendingRequests() > 0) {
            const Bytes chunk = readSome();
            if (chunk.empty()) {
                client.connectionLost(Error::network("the test's agent socket went quiet"));
                break;
            }
            append(replies, chunk);
            if (!client.receiveBytes(chunk))
                break;
        }
        return replies;
    }

private:
    int fd_ = -1;
};

struct TestKey {
    QString name; // file name in the temp dir
    QString type; // ssh-keygen -t
    QString bits; // ssh-keygen -b
    bool addToAgent;
};

const TestKey testKeys[] = {
    {"id_ed25519", "ed25519", "", true},    {"id_ecdsa", "ecdsa", "384", true},
    {"id_ecdsa256", "ecdsa", "256", true},  {"id_rsa", "rsa", "2048", true},
    {"id_not_added", "ed25519", "", false},
};

} // namespace

class TestAgentClient : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_{QDir::tempPath() + "/portal-agent-XXXXXX"}; // short: sun_path is 108 bytes
    QProcess agent_;
    QString socketPath_;

    std::map<QString, keys::PublicKey> publicKeys_; // by file name, read in initTestCase

    keys::PublicKey publicKeyOf(const QString& name) const { return publicKeys_.at(name); }

    Result<Bytes> signWithAgent(const keys::PublicKey& key, ByteView data,
                                const std::string& algorithm) {
        AgentSocket socket(socketPath_);
        if (!socket.connected())
            return Error::network("cannot connect to the test agent");
        AgentClient client;
        std::optional<Result<Bytes>> result;
        Status sent = client.requestSignature(key.blob(), data, algorithm,
                                              [&](Result<Bytes> r) { result = std::move(r); });
        if (!sent)
            return sent.error();
        socket.exchange(client);
        if (!result)
            return Error::network("no reply from the agent");
        return *result;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QVERIFY2(!QStandardPaths::findExecutable("ssh-agent").isEmpty(),
                 "ssh-agent (openssh-client) is needed");
        for (const TestKey& key : testKeys) {
            QStringList args{"-q",
                             "-t",
                             key.type,
                             "-N",
                             "",
                             "-C",
                             "portal-test-" + key.name,
                             "-f",
                             dir_.filePath(key.name)};
            if (!key.bits.isEmpty())
                args += {"-b", key.bits};
            QCOMPARE(QProcess::execute("ssh-keygen", args), 0);
            QFile pub(dir_.filePath(key.name + ".pub"));
            QVERIFY(pub.open(QIODevice::ReadOnly));
            Result<keys::PublicKey> parsed =
                keys::PublicKey::fromOpenSshLine(pub.readAll().trimmed().toStdString());
            QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
            publicKeys_[key.name] = *parsed;
        }

        socketPath_ = dir_.filePath("agent.sock");
        agent_.setProcessChannelMode(QProcess::MergedChannels);
        agent_.start("ssh-agent", {"-D", "-a", socketPath_});
        QVERIFY2(agent_.waitForStarted(5000), "ssh-agent did not start");
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socketPath_), 5000);

        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert("SSH_AUTH_SOCK", socketPath_);
        for (const TestKey& key : testKeys) {
            if (!key.addToAgent)
                continue;
            QProcess add;
            add.setProcessEnvironment(environment);
            add.setProcessChannelMode(QProcess::MergedChannels);
            add.start("ssh-add", {dir_.filePath(key.name)});
            QVERIFY(add.waitForFinished(10000));
            QVERIFY2(add.exitCode() == 0, add.readAll().constData());
        }
    }

    void cleanupTestCase() {
        // The agent we started, by its PID (QProcess holds it), nothing else.
        if (agent_.state() != QProcess::NotRunning) {
            agent_.terminate();
            if (!agent_.waitForFinished(3000)) {
                agent_.kill();
                agent_.waitForFinished(3000);
            }
        }
    }

    void listsIdentities() {
        AgentSocket socket(socketPath_);
        QVERIFY(socket.connected());
        AgentClient client;
        std::optional<Result<std::vector<AgentIdentity>>> result;
        QVERIFY(client.requestIdentities([&](auto r) { result = std::move(r); }).ok());
        socket.exchange(client);
        QVERIFY(result.has_value());
        QVERIFY2(result->ok(), result->ok() ? "" : result->error().message.c_str());
        const std::vector<AgentIdentity>& identities = **result;
        QCOMPARE(identities.size(), std::size_t(4));
        for (const TestKey& key : testKeys) {
            const keys::PublicKey expected = publicKeyOf(key.name);
            const auto found =
                std::find_if(identities.begin(), identities.end(), [&](const AgentIdentity& id) {
                    return id.keyBlob == expected.blob();
                });
            QCOMPARE(found != identities.end(), key.addToAgent);
            if (found == identities.end())
                continue;
            QCOMPARE(QString::fromStdString(found->comment), "portal-test-" + key.name);
            QCOMPARE(found->keyType, expected.keyType());
            QVERIFY(found->publicKey.has_value());
            QVERIFY(*found->publicKey == expected);
        }
    }

    void signsWithEachKey_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("algorithm");
        QTest::newRow("ed25519") << "id_ed25519"
                                 << "ssh-ed25519";
        QTest::newRow("ecdsa-p384") << "id_ecdsa"
                                    << "ecdsa-sha2-nistp384";
        QTest::newRow("ecdsa-p256") << "id_ecdsa256"
                                    << "ecdsa-sha2-nistp256";
        QTest::newRow("rsa-sha2-256") << "id_rsa"
                                      << "rsa-sha2-256";
        QTest::newRow("rsa-sha2-512") << "id_rsa"
                                      << "rsa-sha2-512";
        QTest::newRow("rsa-sha1 (no flags)") << "id_rsa"
                                             << "ssh-rsa";
    }
    void signsWithEachKey() {
        QFETCH(QString, key);
        QFETCH(QString, algorithm);
        const keys::PublicKey publicKey = publicKeyOf(key);
        const Bytes data =
            toBytes("session id and userauth request stand-in for " + algorithm.toStdString());
        Result<Bytes> signature = signWithAgent(publicKey, data, algorithm.toStdString());
        QVERIFY2(signature.ok(), signature.ok() ? "" : signature.error().message.c_str());

        Status verified = publicKey.verify(algorithm.toStdString(), data, *signature);
        QVERIFY2(verified.ok(), verified.ok() ? "" : verified.error().message.c_str());
        Bytes tampered = data;
        tampered[0] ^= 1;
        QVERIFY(!publicKey.verify(algorithm.toStdString(), tampered, *signature).ok());
    }

    void agentRefusesKeyItDoesNotHold() {
        Result<Bytes> signature =
            signWithAgent(publicKeyOf("id_not_added"), toBytes("data"), "ssh-ed25519");
        QVERIFY(!signature.ok());
        QCOMPARE(signature.error().category, ErrorCategory::Auth);
        QVERIFY2(signature.error().message.find("refused") != std::string::npos,
                 signature.error().message.c_str());
    }

    // Several requests written at once come back in order, each to its own handler; the same
    // reply bytes fed one at a time give the same results.
    void pipelinedAndByteByByte() {
        AgentSocket socket(socketPath_);
        QVERIFY(socket.connected());
        const Bytes data = toBytes("pipelined");
        const QStringList keys = {"id_ed25519", "id_rsa", "id_ecdsa"};
        const QStringList algorithms = {"ssh-ed25519", "rsa-sha2-512", "ecdsa-sha2-nistp384"};

        auto queueAll = [&](AgentClient& client, std::vector<QString>& order,
                            std::vector<Bytes>& signatures) {
            QVERIFY(client
                        .requestIdentities([&](auto r) {
                            order.push_back(r.ok() ? "identities" : "identities-failed");
                        })
                        .ok());
            for (qsizetype i = 0; i < keys.size(); ++i)
                QVERIFY(client
                            .requestSignature(
                                publicKeyOf(keys[i]).blob(), data, algorithms[i].toStdString(),
                                [&, i](Result<Bytes> r) {
                                    order.push_back(r.ok() ? keys[i] : keys[i] + "-failed");
                                    if (r.ok())
                                        signatures.push_back(*r);
                                })
                            .ok());
        };

        AgentClient client;
        std::vector<QString> order;
        std::vector<Bytes> signatures;
        queueAll(client, order, signatures);
        QCOMPARE(client.pendingRequests(), std::size_t(4));
        const Bytes replies = socket.exchange(client);
        QCOMPARE(order, (std::vector<QString>{"identities", "id_ed25519", "id_rsa", "id_ecdsa"}));
        for (qsizetype i = 0; i < keys.size(); ++i)
            QVERIFY(publicKeyOf(keys[i])
                        .verify(algorithms[i].toStdString(), data, signatures[std::size_t(i)])
                        .ok());

        AgentClient replay;
        std::vector<QString> replayOrder;
        std::vector<Bytes> replaySignatures;
        queueAll(replay, replayOrder, replaySignatures);
        (void)replay.takeOutgoingBytes();
        for (std::uint8_t byte : replies)
            QVERIFY(replay.receiveBytes(ByteView(&byte, 1)).ok());
        QCOMPARE(replayOrder, order);
        QCOMPARE(replay.pendingRequests(), std::size_t(0));
    }

    void encodesRequests() {
        QCOMPARE(toHex(encodeRequestIdentities()), std::string("000000010b"));

        const Bytes key = ed25519Blob();
        Result<Bytes> plain = encodeSignRequest(key, toBytes("hi"), "ssh-ed25519");
        QVERIFY(plain.ok());
        // length, type 13, string key, string data, uint32 flags 0
        QCOMPARE(toHex(*plain), toHex(framed(wire::Writer(13).string(key).string("hi").uint32(0))));

        wire::Writer rsa;
        rsa.string("ssh-rsa").string(Bytes{1, 0, 1}).string(Bytes(129, 0x55));
        Result<Bytes> sha512 = encodeSignRequest(rsa.bytes(), toBytes("x"), "rsa-sha2-512");
        QVERIFY(sha512.ok());
        QCOMPARE(sha512->back(), std::uint8_t(signFlagRsaSha2_512));
        Result<Bytes> sha256 = encodeSignRequest(rsa.bytes(), toBytes("x"), "rsa-sha2-256");
        QVERIFY(sha256.ok());
        QCOMPARE(sha256->back(), std::uint8_t(signFlagRsaSha2_256));

        QVERIFY(
            !encodeSignRequest(key, toBytes("x"), "rsa-sha2-256").ok()); // flags need an RSA key
        QVERIFY(!encodeSignRequest({}, toBytes("x"), "ssh-ed25519").ok());
        QVERIFY(!encodeSignRequest(key, Bytes(maxAgentMessageLength, 0), "ssh-ed25519").ok());
    }

    void rejectsMalformedReplies_data() {
        QTest::addColumn<QByteArray>("body"); // one message body (without the length)
        QTest::addColumn<bool>("identities"); // which request it answers
        QTest::addColumn<int>("category");

        auto bytes = [](const wire::Writer& w) {
            return QByteArray(reinterpret_cast<const char*>(w.bytes().data()), qsizetype(w.size()));
        };
        QTest::newRow("failure to list")
            << bytes(wire::Writer(5)) << true << int(ErrorCategory::Auth);
        QTest::newRow("failure to sign")
            << bytes(wire::Writer(5)) << false << int(ErrorCategory::Auth);
        QTest::newRow("success is not an answer")
            << bytes(wire::Writer(6)) << true << int(ErrorCategory::Protocol);
        QTest::newRow("count too large")
            << bytes(wire::Writer(12).uint32(0xffffffff)) << true << int(ErrorCategory::Protocol);
        QTest::newRow("count beyond data")
            << bytes(wire::Writer(12).uint32(2).string(ed25519Blob()).string("c")) << true
            << int(ErrorCategory::Protocol);
        QTest::newRow("trailing bytes")
            << bytes(wire::Writer(12).uint32(0).byte(0)) << true << int(ErrorCategory::Protocol);
        QTest::newRow("empty blob") << bytes(wire::Writer(12).uint32(1).string("").string("c"))
                                    << true << int(ErrorCategory::Protocol);
        QTest::newRow("blob without type")
            << bytes(wire::Writer(12).uint32(1).string(Bytes{0, 0}).string("c")) << true
            << int(ErrorCategory::Protocol);
        QTest::newRow("identities answer to sign")
            << bytes(wire::Writer(12).uint32(0)) << false << int(ErrorCategory::Protocol);
        QTest::newRow("wrong algorithm")
            << bytes(wire::Writer(14).string(signatureBlob("ssh-rsa", "sig"))) << false
            << int(ErrorCategory::Auth);
        QTest::newRow("empty signature")
            << bytes(wire::Writer(14).string(signatureBlob("ssh-ed25519", ""))) << false
            << int(ErrorCategory::Protocol);
        QTest::newRow("signature trailing")
            << bytes(wire::Writer(14).string(signatureBlob("ssh-ed25519", "s")).byte(1)) << false
            << int(ErrorCategory::Protocol);
        QTest::newRow("inner trailing")
            << bytes(wire::Writer(14).string(
                   wire::Writer().string("ssh-ed25519").string("s").byte(0).bytes()))
            << false << int(ErrorCategory::Protocol);
    }
    void rejectsMalformedReplies() {
        QFETCH(QByteArray, body);
        QFETCH(bool, identities);
        QFETCH(int, category);
        AgentClient client;
        std::optional<Error> error;
        bool succeeded = false;
        if (identities)
            QVERIFY(client
                        .requestIdentities([&](auto r) {
                            r.ok() ? void(succeeded = true) : void(error = r.error());
                        })
                        .ok());
        else
            QVERIFY(client
                        .requestSignature(ed25519Blob(), toBytes("d"), "ssh-ed25519",
                                          [&](auto r) {
                                              r.ok() ? void(succeeded = true)
                                                     : void(error = r.error());
                                          })
                        .ok());
        wire::Writer message;
        message.uint32(static_cast<std::uint32_t>(body.size()))
            .raw(asBytes(std::string_view(body.constData(), std::size_t(body.size()))));
        // A bad reply fails its own request; the stream stays usable.
        QVERIFY(client.receiveBytes(message.bytes()).ok());
        QVERIFY(!succeeded);
        QVERIFY(error.has_value());
        QCOMPARE(int(error->category), category);
        QVERIFY(!client.closed());
    }

    void acceptsWellFormedReplies() {
        const Bytes key = ed25519Blob();
        wire::Writer unknownType;
        unknownType.string("sk-ssh-ed25519@openssh.com").string(Bytes(32, 1)).string("ssh:");
        Result<std::vector<AgentIdentity>> listed =
            parseIdentitiesAnswer(wire::Writer(12)
                                      .uint32(2)
                                      .string(key)
                                      .string("mine")
                                      .string(unknownType.bytes())
                                      .string("token")
                                      .bytes());
        QVERIFY(listed.ok());
        QCOMPARE(listed->size(), std::size_t(2));
        QCOMPARE((*listed)[0].comment, std::string("mine"));
        QCOMPARE((*listed)[1].keyType, std::string("sk-ssh-ed25519@openssh.com"));
        QVERIFY(!(*listed)[1].publicKey.has_value()); // listed, but not usable by us

        const Bytes blob = signatureBlob("ssh-ed25519", std::string(64, 's'));
        Result<Bytes> signature =
            parseSignResponse(wire::Writer(14).string(blob).bytes(), "ssh-ed25519");
        QVERIFY(signature.ok());
        QCOMPARE(*signature, blob);
    }

    void brokenStreamFailsEverything() {
        AgentClient client;
        int failures = 0;
        for (int i = 0; i < 3; ++i)
            QVERIFY(client.requestIdentities([&](auto r) { failures += r.ok() ? 0 : 1; }).ok());
        // A length over the bound can never be satisfied: the stream is dead.
        QVERIFY(!client.receiveBytes(Bytes{0x7f, 0xff, 0xff, 0xff}).ok());
        QCOMPARE(failures, 3);
        QVERIFY(client.closed());
        QVERIFY(!client.requestIdentities([](auto) { QFAIL("a closed client must not call back"); })
                     .ok());

        AgentClient zero;
        QVERIFY(zero.requestIdentities([&](auto r) { failures += r.ok() ? 0 : 1; }).ok());
        QVERIFY(!zero.receiveBytes(Bytes{0, 0, 0, 0}).ok());
        QCOMPARE(failures, 4);

        AgentClient unsolicited;
        QVERIFY(!unsolicited.receiveBytes(framed(wire::Writer(12).uint32(0))).ok());

        AgentClient lost;
        std::optional<Error> reason;
        QVERIFY(lost.requestIdentities([&](auto r) { reason = r.error(); }).ok());
        lost.connectionLost(Error::network("agent socket closed"));
        QVERIFY(reason.has_value());
        QCOMPARE(reason->message, std::string("agent socket closed"));
        QCOMPARE(lost.pendingRequests(), std::size_t(0));
    }

    // A handler may queue the next request from inside the callback (the auth layer signs
    // right after it has chosen a key from the list).
    void handlerMayRequestAgain() {
        AgentClient client;
        bool signedToo = false;
        QVERIFY(client
                    .requestIdentities([&](auto r) {
                        QVERIFY(r.ok());
                        QVERIFY(client
                                    .requestSignature(ed25519Blob(), toBytes("d"), "ssh-ed25519",
                                                      [&](auto s) { signedToo = s.ok(); })
                                    .ok());
                    })
                    .ok());
        (void)client.takeOutgoingBytes();
        QVERIFY(client.receiveBytes(framed(wire::Writer(12).uint32(0))).ok());
        QCOMPARE(client.pendingRequests(), std::size_t(1));
        QVERIFY(!client.takeOutgoingBytes().empty());
        QVERIFY(
            client.receiveBytes(framed(wire::Writer(14).string(signatureBlob("ssh-ed25519", "s"))))
                .ok());
        QVERIFY(signedToo);
    }
};

QTEST_GUILESS_MAIN(TestAgentClient)
#include "test_agent_client.moc"
