// RFC 4253 §4.2 version exchange and §6 binary packet framing, byte by byte.
#include "crypto/PacketProtection.h"
#include "transport/BinaryPacket.h"
#include "transport/KexInit.h"
#include "transport/KexMethod.h"
#include "transport/KeyDerivation.h"
#include "transport/VersionExchange.h"
#include "wire/Writer.h"

#include <QtTest>

using namespace portal::protocol;
using namespace portal::protocol::transport;

namespace {

Bytes bytesOf(const QByteArray& a) { return Bytes(a.begin(), a.end()); }

Bytes rawPacket(std::uint32_t packetLength, std::uint8_t padding, std::size_t payloadLength) {
    wire::Writer w;
    w.uint32(packetLength).byte(padding);
    for (std::size_t i = 0; i < payloadLength; ++i)
        w.byte(i == 0 ? 2 : 0);
    for (std::size_t i = 0; i < padding; ++i)
        w.byte(0);
    return std::move(w).take();
}

} // namespace

class TestTransportFraming : public QObject {
    Q_OBJECT
private slots:
    void versionLines_data() {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<QString>("version");
        QTest::addColumn<int>("preBanner");
        QTest::addColumn<int>("rest");
        QTest::newRow("plain") << QByteArray("SSH-2.0-OpenSSH_9.2\r\nXYZ") << "SSH-2.0-OpenSSH_9.2" << 0 << 3;
        QTest::newRow("LF only") << QByteArray("SSH-2.0-dropbear\n") << "SSH-2.0-dropbear" << 0 << 0;
        QTest::newRow("pre-banner lines") << QByteArray("hello\r\nworld\r\nSSH-2.0-x y z\r\n")
                                          << "SSH-2.0-x y z" << 2 << 0;
        QTest::newRow("1.99 means 2.0") << QByteArray("SSH-1.99-old\r\n") << "SSH-1.99-old" << 0 << 0;
    }
    void versionLines() {
        QFETCH(QByteArray, stream);
        QFETCH(QString, version);
        QFETCH(int, preBanner);
        QFETCH(int, rest);
        // Fed one byte at a time: the exchange must not depend on how TCP splits the stream.
        VersionExchange exchange;
        Bytes input = bytesOf(stream);
        std::size_t offset = 0;
        while (exchange.state() != VersionExchange::State::Done && offset < input.size()) {
            auto consumed = exchange.feed(ByteView(input).subspan(offset, 1));
            QVERIFY2(consumed.ok(), consumed.ok() ? "" : consumed.error().message.c_str());
            offset += *consumed;
        }
        QCOMPARE(QString::fromStdString(exchange.serverVersion()), version);
        QCOMPARE(int(exchange.preBannerLines().size()), preBanner);
        QCOMPARE(int(input.size() - offset), rest);
    }

    void versionErrors_data() {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<QString>("error");
        QTest::newRow("ssh1") << QByteArray("SSH-1.5-old\r\n") << "unsupported protocol version";
        QTest::newRow("long version") << (QByteArray("SSH-2.0-") + QByteArray(300, 'a') + "\r\n") << "longer than 255";
        QTest::newRow("nul") << QByteArray("SSH-2.0-a\0b\r\n", 13) << "NUL";
        QTest::newRow("no software") << QByteArray("SSH-2.0-\r\n") << "no software version";
        QTest::newRow("huge banner line") << (QByteArray(9000, 'x') + "\n") << "line of more than";
        QByteArray endless;
        for (int i = 0; i < 1100; ++i)
            endless += "banner\r\n";
        QTest::newRow("endless banner") << endless << "more than 1024 lines";
    }
    void versionErrors() {
        QFETCH(QByteArray, stream);
        QFETCH(QString, error);
        VersionExchange exchange;
        auto consumed = exchange.feed(bytesOf(stream));
        QVERIFY(!consumed.ok());
        QVERIFY2(QString::fromStdString(consumed.error().message).contains(error),
                 consumed.error().message.c_str());
    }

    void packetRoundTripInPieces() {
        PacketWriter writer;
        Bytes wire;
        for (std::size_t size : {1u, 7u, 8u, 100u, 35000u, 256u * 1024u})
            QVERIFY(writer.write(Bytes(size, std::uint8_t(size & 0xff)), wire).ok());
        PacketReader reader;
        std::vector<std::size_t> sizes;
        for (std::size_t offset = 0; offset < wire.size(); offset += 997) {
            QVERIFY(reader.append(ByteView(wire).subspan(offset, std::min<std::size_t>(997, wire.size() - offset))).ok());
            for (;;) {
                auto next = reader.next();
                QVERIFY(next.ok());
                if (!next->has_value())
                    break;
                QVERIFY((*next)->payload.size() % 256 == ((*next)->payload.size() & 0xff));
                QCOMPARE((*next)->sequenceNumber, std::uint32_t(sizes.size()));
                sizes.push_back((*next)->payload.size());
            }
        }
        QCOMPARE(sizes, (std::vector<std::size_t>{1, 7, 8, 100, 35000, 256 * 1024}));
        QCOMPARE(writer.sequenceNumber(), std::uint32_t(6));
    }

    void paddingIsAlignedAndAtLeastFour() {
        PacketWriter writer;
        for (std::size_t size = 1; size < 40; ++size) {
            Bytes wire;
            QVERIFY(writer.write(Bytes(size, 1), wire).ok());
            std::uint8_t padding = wire[4];
            QVERIFY(padding >= 4);
            QCOMPARE(wire.size() % 8, std::size_t(0));
            QCOMPARE(wire.size(), 4 + 1 + size + padding);
        }
    }

    void packetErrors_data() {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<QString>("error");
        auto qa = [](const Bytes& b) { return QByteArray(reinterpret_cast<const char*>(b.data()), int(b.size())); };
        QTest::newRow("length 2^32-1") << QByteArray::fromHex("ffffffff00000000")
                                       << "packet length 4294967295 exceeds maximum 262400";
        QTest::newRow("oversized") << qa(rawPacket(300004, 4, 300000)) << "packet length 300004 exceeds maximum";
        QTest::newRow("unaligned") << qa(rawPacket(13, 4, 8)) << "not a positive multiple of the cipher block size 8";
        QTest::newRow("padding below 4") << qa(rawPacket(12, 2, 9)) << "padding length 2 is below the minimum of 4";
        QTest::newRow("padding eats payload") << qa(rawPacket(12, 11, 0)) << "leaves no payload";
    }
    void packetErrors() {
        QFETCH(QByteArray, wire);
        QFETCH(QString, error);
        PacketReader reader;
        QVERIFY(reader.append(bytesOf(wire)).ok());
        auto next = reader.next();
        while (next.ok() && !next->has_value() && reader.bufferedBytes() < std::size_t(wire.size()))
            next = reader.next();
        QVERIFY2(!next.ok(), "a malformed packet was accepted");
        QVERIFY2(QString::fromStdString(next.error().message).contains(error), next.error().message.c_str());
    }

    void bufferedInputIsBounded() {
        PacketReader reader;
        Bytes chunk(1024 * 1024, 0);
        Status status;
        for (int i = 0; i < 8 && status.ok(); ++i)
            status = reader.append(chunk);
        QVERIFY(!status.ok());
        QVERIFY(QString::fromStdString(status.error().message).contains("could not be processed"));
    }

    void kexInitRoundTripAndNegotiation() {
        KexInitMessage client;
        client.kexAlgorithms = {"curve25519-sha256", "ext-info-c", "kex-strict-c-v00@openssh.com"};
        client.hostKeyAlgorithms = {"ssh-ed25519", "rsa-sha2-512"};
        client.ciphersClientToServer = client.ciphersServerToClient = {"aes128-gcm@openssh.com", "aes128-ctr"};
        client.macsClientToServer = client.macsServerToClient = {"hmac-sha2-256"};
        client.compressionClientToServer = client.compressionServerToClient = {"none"};
        auto parsed = KexInitMessage::parse(client.encode());
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->kexAlgorithms, client.kexAlgorithms);

        KexInitMessage server = client;
        server.kexAlgorithms = {"ext-info-c", "ecdh-sha2-nistp256", "curve25519-sha256", "kex-strict-s-v00@openssh.com"};
        server.hostKeyAlgorithms = {"rsa-sha2-512", "ssh-ed25519"};
        server.ciphersServerToClient = {"aes128-ctr"};
        auto n = negotiateAlgorithms(client, server, true);
        QVERIFY(n.ok());
        // The client's order decides; a marker is never chosen as the method.
        QCOMPARE(n->kex, std::string("curve25519-sha256"));
        QCOMPARE(n->hostKey, std::string("ssh-ed25519"));
        QCOMPARE(n->cipherClientToServer, std::string("aes128-gcm@openssh.com"));
        QCOMPARE(n->macClientToServer, std::string()); // AEAD: no MAC
        QCOMPARE(n->cipherServerToClient, std::string("aes128-ctr"));
        QCOMPARE(n->macServerToClient, std::string("hmac-sha2-256"));
        QVERIFY(n->strictKex);
        QVERIFY(!negotiateAlgorithms(client, server, false)->strictKex); // only in the first KEX

        server.ciphersClientToServer = {"3des-cbc"};
        auto none = negotiateAlgorithms(client, server, true);
        QVERIFY(!none.ok());
        QVERIFY(QString::fromStdString(none.error().message).contains("no matching cipher (client to server)"));
    }

    void keyDerivationExtendsShortHashes() {
        // RFC 4253 §7.2: K1 = HASH(K || H || X || session_id), K2 = HASH(K || H || K1).
        SecretBytes k(fromHex("0102030405"));
        Bytes h = fromHex("aabbcc");
        Bytes sid = fromHex("ddeeff");
        SecretBytes key = deriveKey(crypto::HashAlgorithm::Sha256, k, h, sid, 'C', 64);
        QCOMPARE(key.size(), std::size_t(64));
        wire::Writer mp;
        mp.mpint(k.view());
        Bytes first = mp.bytes();
        append(first, h);
        first.push_back('C');
        append(first, sid);
        Bytes k1 = crypto::digest(crypto::HashAlgorithm::Sha256, first);
        Bytes second = mp.bytes();
        append(second, h);
        append(second, k1);
        Bytes k2 = crypto::digest(crypto::HashAlgorithm::Sha256, second);
        QCOMPARE(toHex(key.view().first(32)), toHex(k1));
        QCOMPARE(toHex(key.view().subspan(32)), toHex(k2));
    }
    // RFC 4253 §8, RFC 4419 §3, RFC 5656 §4 / RFC 8731 §3: H over a transcript spelled out
    // byte by byte here (not with wire::Writer), hashed by Qt rather than our Hash wrapper,
    // so an ordering or encoding slip in computeExchangeHash cannot hide behind shared code.
    void exchangeHashKnownAnswer_data() {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QByteArray>("hashedHex");
        const QByteArray prefix = "00000009" "5353482d322e302d41"  // V_C "SSH-2.0-A"
                                  "00000009" "5353482d322e302d42"  // V_S "SSH-2.0-B"
                                  "00000002" "1401"                // I_C
                                  "00000002" "1402"                // I_S
                                  "00000002" "aabb";               // K_S
        const QByteArray k = "00000003" "008001"; // K = 0x8001: sign bit set, so a zero byte
        QTest::newRow("ecdh strings") << "ecdh"
            << prefix + "00000003" "010203" "00000003" "040506" + k;
        QTest::newRow("modp mpints") << "modp"
            << prefix + "00000002" "00ff" "00000002" "0102" + k;
        QTest::newRow("group exchange") << "gex"
            << prefix + "00000800" "00000c00" "00002000"   // min, n, max bits
                        "00000002" "00c5" "00000001" "02"  // p, g
                        "00000002" "00ff" "00000002" "0102" + k;
    }
    void exchangeHashKnownAnswer() {
        QFETCH(QString, shape);
        QFETCH(QByteArray, hashedHex);
        transport::KexTranscript transcript{"SSH-2.0-A", "SSH-2.0-B", Bytes{0x14, 0x01}, Bytes{0x14, 0x02}};
        const Bytes hostKey{0xaa, 0xbb}, p{0xc5}, g{0x02};
        const Bytes ecdhClient{1, 2, 3}, ecdhServer{4, 5, 6}, e{0xff}, f{0x01, 0x02};
        transport::GexRequest request;
        request.minBits = 2048;
        request.preferredBits = 3072;
        request.maxBits = 8192;
        transport::ExchangeHashInput input;
        input.hostKeyBlob = hostKey;
        if (shape == "ecdh") {
            input.clientValue = ecdhClient;
            input.serverValue = ecdhServer;
        } else {
            input.clientValue = e;
            input.serverValue = f;
            input.valuesAreMpints = true;
        }
        if (shape == "gex") {
            input.gexRequest = &request;
            input.gexPrime = p;
            input.gexGenerator = g;
        }
        const SecretBytes sharedSecret(Bytes{0x80, 0x01});
        const QByteArray expected256 =
            QCryptographicHash::hash(QByteArray::fromHex(hashedHex), QCryptographicHash::Sha256).toHex();
        const QByteArray expected512 =
            QCryptographicHash::hash(QByteArray::fromHex(hashedHex), QCryptographicHash::Sha512).toHex();
        QCOMPARE(QByteArray::fromStdString(toHex(transport::computeExchangeHash(
                     crypto::HashAlgorithm::Sha256, transcript, input, sharedSecret))),
                 expected256);
        QCOMPARE(QByteArray::fromStdString(toHex(transport::computeExchangeHash(
                     crypto::HashAlgorithm::Sha512, transcript, input, sharedSecret))),
                 expected512);
    }
};

QTEST_GUILESS_MAIN(TestTransportFraming)
#include "test_transport_framing.moc"
