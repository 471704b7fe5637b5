// Packet protection for every cipher x MAC of the tables: a published
// chacha20-poly1305@openssh.com packet, packets checked against independent computations
// (a from-scratch ChaCha20/Poly1305, OpenSSL one-shot AES-GCM, AES-CTR and HMAC), round trips
// across sequence-number wrap, tamper detection of every byte, the CTR peekLength path and
// the refusals of bad input.
#include "crypto/Algorithms.h"
#include "crypto/PacketProtection.h"
#include "crypto/Random.h"

#include <QtTest>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstring>
#include <memory>

using namespace portal::protocol;
using namespace portal::protocol::crypto;

namespace {

QByteArray qbytes(ByteView bytes) {
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
}
ByteView view(const QByteArray& bytes) {
    return {reinterpret_cast<const std::uint8_t*>(bytes.constData()), static_cast<std::size_t>(bytes.size())};
}
std::span<std::uint8_t> mutableView(QByteArray& bytes) {
    return {reinterpret_cast<std::uint8_t*>(bytes.data()), static_cast<std::size_t>(bytes.size())};
}

QByteArray be32(std::uint32_t value) {
    QByteArray out(4, '\0');
    for (int i = 0; i < 4; ++i)
        out[i] = char(value >> (24 - 8 * i));
    return out;
}

// A well-formed plaintext packet (RFC 4253 §6) with `payloadSize` payload bytes and the
// least padding (at least 4) that aligns it for `protection`.
QByteArray makePacket(const PacketProtection& protection, int payloadSize, char fill) {
    const int block = int(protection.blockSize());
    const int counted = protection.lengthExcludedFromPadding() ? 1 + payloadSize : 5 + payloadSize;
    int padding = block - counted % block;
    if (padding < 4)
        padding += block;
    QByteArray body(1, char(padding));
    for (int i = 0; i < payloadSize; ++i)
        body.append(char(fill + i));
    body.append(QByteArray(padding, '\x5a'));
    return be32(std::uint32_t(body.size())) + body;
}

struct Pair {
    std::unique_ptr<PacketProtection> sender;
    std::unique_ptr<PacketProtection> receiver;
};

DirectionKeys keysFor(const QString& cipher, const QString& mac) {
    const CipherInfo* info = findCipher(cipher.toStdString());
    const MacInfo* macInfo = findMac(mac.toStdString());
    DirectionKeys keys;
    keys.encryptionKey = SecretBytes(randomBytes(info->keyLength));
    keys.iv = SecretBytes(randomBytes(info->ivLength));
    keys.integrityKey = SecretBytes(randomBytes(info->aead || !macInfo ? 0 : macInfo->keyLength));
    return keys;
}

std::unique_ptr<PacketProtection> make(const QString& cipher, const QString& mac, Direction direction,
                                       const DirectionKeys& keys) {
    auto made = makePacketProtection(cipher.toStdString(), mac.toStdString(), direction, keys);
    if (!made)
        qFatal("makePacketProtection(%s, %s): %s", qPrintable(cipher), qPrintable(mac), made.error().message.c_str());
    return std::move(*made);
}

// Receives one sealed packet the way the transport does: peek at the prefix, then open.
Result<QByteArray> receive(PacketProtection& receiver, std::uint32_t sequence, QByteArray wire) {
    const std::size_t prefix = receiver.lengthPrefixSize();
    if (std::size_t(wire.size()) < prefix)
        return Error::protocol("short");
    Result<std::uint32_t> length = receiver.peekLength(sequence, view(wire).first(prefix));
    if (!length)
        return length.error();
    if (std::size_t(wire.size()) != 4 + std::size_t(*length) + receiver.tagLength())
        return Error::protocol("length mismatch");
    Status opened = receiver.open(sequence, mutableView(wire));
    if (!opened)
        return opened.error();
    return wire.left(4 + qsizetype(*length));
}

// ---- An independent chacha20-poly1305@openssh.com, from the specifications alone. ----

// ChaCha20 as in Bernstein's original (64-bit block counter in words 12-13, 64-bit nonce in
// words 14-15), which is what OpenSSH's PROTOCOL.chacha20poly1305 uses.
void chachaBlock(const std::uint8_t key[32], std::uint64_t counter, const std::uint8_t nonce[8],
                 std::uint8_t out[64]) {
    auto load = [](const std::uint8_t* p) {
        return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
    };
    std::uint32_t input[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    for (int i = 0; i < 8; ++i)
        input[4 + i] = load(key + 4 * i);
    input[12] = std::uint32_t(counter);
    input[13] = std::uint32_t(counter >> 32);
    input[14] = load(nonce);
    input[15] = load(nonce + 4);
    std::uint32_t x[16];
    std::memcpy(x, input, sizeof x);
    auto rotl = [](std::uint32_t v, int n) { return (v << n) | (v >> (32 - n)); };
    auto quarter = [&](int a, int b, int c, int d) {
        x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 16);
        x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 12);
        x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 8);
        x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 7);
    };
    for (int round = 0; round < 10; ++round) {
        quarter(0, 4, 8, 12); quarter(1, 5, 9, 13); quarter(2, 6, 10, 14); quarter(3, 7, 11, 15);
        quarter(0, 5, 10, 15); quarter(1, 6, 11, 12); quarter(2, 7, 8, 13); quarter(3, 4, 9, 14);
    }
    for (int i = 0; i < 16; ++i) {
        std::uint32_t v = x[i] + input[i];
        for (int b = 0; b < 4; ++b)
            out[4 * i + b] = std::uint8_t(v >> (8 * b));
    }
}

QByteArray chachaXor(const QByteArray& key32, std::uint64_t firstBlock, const std::uint8_t nonce[8], QByteArray data) {
    std::uint8_t block[64];
    for (qsizetype offset = 0; offset < data.size(); offset += 64) {
        chachaBlock(reinterpret_cast<const std::uint8_t*>(key32.constData()), firstBlock + std::uint64_t(offset / 64),
                    nonce, block);
        for (qsizetype i = offset; i < std::min(data.size(), offset + 64); ++i)
            data[i] = char(data[i] ^ block[i - offset]);
    }
    return data;
}

// Poly1305 (RFC 8439 §2.5.1) with big-number arithmetic: acc = (acc + n) * r mod 2^130 - 5.
QByteArray poly1305Reference(const QByteArray& key, const QByteArray& message) {
    std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
    auto bn = [] { return std::unique_ptr<BIGNUM, decltype(&BN_free)>(BN_new(), BN_free); };
    auto r = bn(), s = bn(), p = bn(), acc = bn(), n = bn(), mask = bn();
    QByteArray rBytes = key.left(16);
    const std::uint8_t clamp[16] = {0xff, 0xff, 0xff, 0x0f, 0xfc, 0xff, 0xff, 0x0f,
                                    0xfc, 0xff, 0xff, 0x0f, 0xfc, 0xff, 0xff, 0x0f};
    for (int i = 0; i < 16; ++i)
        rBytes[i] = char(rBytes[i] & clamp[i]);
    BN_lebin2bn(reinterpret_cast<const unsigned char*>(rBytes.constData()), 16, r.get());
    BN_lebin2bn(reinterpret_cast<const unsigned char*>(key.constData()) + 16, 16, s.get());
    BN_set_bit(p.get(), 130);
    BN_sub_word(p.get(), 5);
    BN_zero(acc.get());
    for (qsizetype offset = 0; offset < message.size(); offset += 16) {
        QByteArray chunk = message.mid(offset, 16);
        chunk.append('\x01');
        BN_lebin2bn(reinterpret_cast<const unsigned char*>(chunk.constData()), int(chunk.size()), n.get());
        BN_add(acc.get(), acc.get(), n.get());
        BN_mod_mul(acc.get(), acc.get(), r.get(), p.get(), ctx.get());
    }
    BN_add(acc.get(), acc.get(), s.get());
    BN_mask_bits(acc.get(), 128);
    QByteArray tag(16, '\0');
    BN_bn2lebinpad(acc.get(), reinterpret_cast<unsigned char*>(tag.data()), 16);
    return tag;
}

QByteArray chachaPolyReference(const QByteArray& key64, std::uint32_t sequence, const QByteArray& packet) {
    std::uint8_t nonce[8] = {};
    for (int i = 0; i < 4; ++i)
        nonce[4 + i] = std::uint8_t(sequence >> (24 - 8 * i)); // uint64 big-endian
    const QByteArray k2 = key64.left(32), k1 = key64.mid(32);
    const QByteArray length = chachaXor(k1, 0, nonce, packet.left(4));
    const QByteArray body = chachaXor(k2, 1, nonce, packet.mid(4));
    const QByteArray polyKey = chachaXor(k2, 0, nonce, QByteArray(32, '\0'));
    return length + body + poly1305Reference(polyKey, length + body);
}

// ---- One-shot OpenSSL computations for the AES modes. ----

QByteArray evpEncrypt(const char* name, const QByteArray& key, const QByteArray& iv, const QByteArray& aad,
                      const QByteArray& plaintext, QByteArray* tag) {
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    QByteArray out(plaintext.size() + 16, '\0');
    int length = 0, total = 0;
    auto u = [](const QByteArray& b) { return reinterpret_cast<const unsigned char*>(b.constData()); };
    EVP_EncryptInit_ex(ctx.get(), EVP_get_cipherbyname(name), nullptr, u(key), u(iv));
    if (!aad.isEmpty())
        EVP_EncryptUpdate(ctx.get(), nullptr, &length, u(aad), int(aad.size()));
    EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, u(plaintext),
                      int(plaintext.size()));
    total = length;
    EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + total, &length);
    total += length;
    if (tag) {
        *tag = QByteArray(16, '\0');
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag->data());
    }
    return out.left(total);
}

QByteArray hmacOneShot(const QString& mac, const QByteArray& key, const QByteArray& data) {
    const EVP_MD* md = mac.startsWith("hmac-sha2-256") ? EVP_sha256()
                       : mac.startsWith("hmac-sha2-512") ? EVP_sha512() : EVP_sha1();
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(md, key.constData(), int(key.size()), reinterpret_cast<const unsigned char*>(data.constData()),
         std::size_t(data.size()), out, &length);
    return QByteArray(reinterpret_cast<const char*>(out), int(length));
}

QByteArray secret(const SecretBytes& bytes) { return qbytes(bytes.view()); }

// Every negotiable combination: AEAD ciphers once (their MAC is ignored), the rest with
// every MAC of the table, defaults and opt-in SHA-1 alike.
void addCombinationRows() {
    QTest::addColumn<QString>("cipher");
    QTest::addColumn<QString>("mac");
    for (const CipherInfo& cipher : cipherTable()) {
        if (cipher.aead) {
            QTest::newRow(cipher.name.data()) << QString::fromLatin1(cipher.name) << QString();
            continue;
        }
        for (const MacInfo& mac : macTable())
            QTest::addRow("%s %s", cipher.name.data(), mac.name.data())
                << QString::fromLatin1(cipher.name) << QString::fromLatin1(mac.name);
    }
}

} // namespace

class TestPacketProtection : public QObject {
    Q_OBJECT
private slots:
    // The worked example of draft-ietf-sshm-chacha20-poly1305-02, Appendix A: sequence number 7,
    // a 72-byte SSH_MSG_CHANNEL_DATA packet.
    void chachaPolyPublishedPacket() {
        DirectionKeys keys;
        keys.encryptionKey = SecretBytes(view(QByteArray::fromHex(
            "8bbff6855fc102338c373e73aac0c914f076a905b2444a32eecaffeae22becc5"
            "e9b7a7a5825a8249346ec1c28301cf394543fc7569887d76e168f37562ac0740")));
        const QByteArray packet = QByteArray::fromHex(
            "00000048065e00000000000000384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465"
            "747572206164697069736963696e6720656c69744e43e804dc6c");
        const QByteArray expected = QByteArray::fromHex(
            "2c3ecce4"
            "a5bc05895bf07a7ba956b6c68829ac7c83b780b7000ecde745afc705bbc378ce03a280236b87b53bed58396623"
            "02b164b6286a48cd1e097138e3cb909b8b2b829dd18d2a35ff82d9"
            "95349e855bf02c298ef775f2d1a7e8b8");
        auto sender = make("chacha20-poly1305@openssh.com", "", Direction::Encrypt, keys);
        Bytes wire;
        QVERIFY(sender->seal(7, view(packet), wire));
        QCOMPARE(qbytes(wire).toHex(), expected.toHex());
        QCOMPARE(chachaPolyReference(secret(keys.encryptionKey), 7, packet).toHex(), expected.toHex());

        auto receiver = make("chacha20-poly1305@openssh.com", "", Direction::Decrypt, keys);
        Result<QByteArray> opened = receive(*receiver, 7, expected);
        QVERIFY(opened);
        QCOMPARE(opened->toHex(), packet.toHex());
    }

    // Random keys and sequence numbers whose bytes all differ, so a byte-order or word-order
    // slip in the nonce cannot go unnoticed.
    void chachaPolyMatchesIndependentComputation() {
        const DirectionKeys keys = keysFor("chacha20-poly1305@openssh.com", "");
        auto sender = make("chacha20-poly1305@openssh.com", "", Direction::Encrypt, keys);
        for (std::uint32_t sequence : {0u, 1u, 0x01020304u, 0x80000000u, 0xffffffffu}) {
            for (int payload : {0, 11, 59, 200}) { // bodies within one ChaCha block and beyond it
                const QByteArray packet = makePacket(*sender, payload, char(sequence));
                Bytes wire;
                QVERIFY(sender->seal(sequence, view(packet), wire));
                QCOMPARE(qbytes(wire).toHex(),
                         chachaPolyReference(secret(keys.encryptionKey), sequence, packet).toHex());
            }
        }
    }

    // RFC 5647 §7: clear length as AAD, nonce = fixed || invocation counter + packets so far.
    void aesGcmMatchesOneShotOpenSsl() {
        for (const char* cipher : {"aes128-gcm@openssh.com", "aes256-gcm@openssh.com"}) {
            DirectionKeys keys = keysFor(cipher, "");
            // A counter one short of a carry out of its low 32 bits.
            QByteArray iv = secret(keys.iv);
            iv.replace(4, 8, QByteArray::fromHex("00000000ffffffff"));
            keys.iv = SecretBytes(view(iv));
            auto sender = make(cipher, "", Direction::Encrypt, keys);
            const char* evpName = keys.encryptionKey.size() == 16 ? "aes-128-gcm" : "aes-256-gcm";
            const QByteArray nonces[] = {iv, iv.left(4) + QByteArray::fromHex("0000000100000000"),
                                         iv.left(4) + QByteArray::fromHex("0000000100000001")};
            for (int i = 0; i < 3; ++i) {
                const QByteArray packet = makePacket(*sender, 30 + i * 17, char(i));
                Bytes wire;
                // The sequence number plays no part in GCM; pass unrelated ones.
                QVERIFY(sender->seal(std::uint32_t(1000 - i), view(packet), wire));
                QByteArray tag;
                const QByteArray body = evpEncrypt(evpName, secret(keys.encryptionKey), nonces[i], packet.left(4),
                                                   packet.mid(4), &tag);
                QCOMPARE(qbytes(wire).toHex(), (packet.left(4) + body + tag).toHex());
            }
        }
    }

    // RFC 4344 counter continuing across packets; RFC 4253 §6.4 MAC over the plaintext, or
    // (OpenSSH PROTOCOL §1.5) over the clear length and ciphertext.
    void ctrHmacMatchesOneShotOpenSsl_data() {
        QTest::addColumn<QString>("cipher");
        QTest::addColumn<QString>("mac");
        for (const char* cipher : {"aes128-ctr", "aes192-ctr", "aes256-ctr"})
            for (const MacInfo& mac : macTable())
                QTest::addRow("%s %s", cipher, mac.name.data()) << QString(cipher) << QString::fromLatin1(mac.name);
    }
    void ctrHmacMatchesOneShotOpenSsl() {
        QFETCH(QString, cipher);
        QFETCH(QString, mac);
        const DirectionKeys keys = keysFor(cipher, mac);
        const bool etm = findMac(mac.toStdString())->encryptThenMac;
        auto sender = make(cipher, mac, Direction::Encrypt, keys);
        const QByteArray evpName = "aes-" + QByteArray::number(qsizetype(keys.encryptionKey.size() * 8)) + "-ctr";

        QByteArray stream; // everything the counter has encrypted so far
        QByteArray expectedWire, actualWire;
        for (std::uint32_t sequence : {5u, 6u, 7u}) {
            const QByteArray packet = makePacket(*sender, int(sequence) * 9, 'a');
            Bytes wire;
            QVERIFY(sender->seal(sequence, view(packet), wire));
            actualWire += qbytes(wire);

            const QByteArray encrypted = etm ? packet.mid(4) : packet;
            const qsizetype before = stream.size();
            stream += encrypted;
            const QByteArray cipherStream =
                evpEncrypt(evpName.constData(), secret(keys.encryptionKey), secret(keys.iv), {}, stream, nullptr);
            const QByteArray ciphertext = cipherStream.mid(before);
            const QByteArray sent = etm ? packet.left(4) + ciphertext : ciphertext;
            const QByteArray macInput = be32(sequence) + (etm ? sent : packet);
            expectedWire += sent + hmacOneShot(mac, secret(keys.integrityKey), macInput);
        }
        QCOMPARE(actualWire.toHex(), expectedWire.toHex());
    }

    void roundTrip_data() { addCombinationRows(); }
    void roundTrip() {
        QFETCH(QString, cipher);
        QFETCH(QString, mac);
        const DirectionKeys keys = keysFor(cipher, mac);
        auto sender = make(cipher, mac, Direction::Encrypt, keys);
        auto receiver = make(cipher, mac, Direction::Decrypt, keys);
        QCOMPARE(receiver->blockSize(), sender->blockSize());
        QVERIFY(sender->blockSize() >= 8);
        const CipherInfo* info = findCipher(cipher.toStdString());
        QCOMPARE(sender->blockSize(), info->blockSize);
        QCOMPARE(sender->tagLength(), info->aead ? 16 : findMac(mac.toStdString())->tagLength);

        // Across the 2^32 wrap of the sequence number (RFC 4253 §6.4), sizes up to 256 KiB.
        std::uint32_t sequence = 0xfffffffcu;
        const int payloads[] = {0, 1, 15, 16, 17, 100, 1000, 32768, 262144, 3};
        for (int i = 0; i < int(std::size(payloads)); ++i, ++sequence) {
            const QByteArray packet = makePacket(*sender, payloads[i], char('A' + i));
            Bytes wire;
            QVERIFY(sender->seal(sequence, view(packet), wire));
            QCOMPARE(wire.size(), std::size_t(packet.size()) + sender->tagLength());
            // Everything after the length is encrypted (for long enough payloads the
            // chance of an accidental plaintext match is nil).
            if (payloads[i] >= 16)
                QVERIFY(qbytes(wire).mid(5, packet.size() - 5) != packet.mid(5));
            Result<QByteArray> opened = receive(*receiver, sequence, qbytes(wire));
            QVERIFY2(opened, opened ? "" : opened.error().message.c_str());
            QCOMPARE(*opened, packet);
        }
    }

    void sealAppendsToExistingOutput() {
        const DirectionKeys keys = keysFor("aes256-ctr", "hmac-sha2-512");
        auto sender = make("aes256-ctr", "hmac-sha2-512", Direction::Encrypt, keys);
        auto receiver = make("aes256-ctr", "hmac-sha2-512", Direction::Decrypt, keys);
        const QByteArray first = makePacket(*sender, 20, 'x'), second = makePacket(*sender, 50, 'y');
        Bytes out;
        QVERIFY(sender->seal(0, view(first), out));
        const std::size_t split = out.size();
        QVERIFY(sender->seal(1, view(second), out));
        QVERIFY(receive(*receiver, 0, qbytes(out).left(qsizetype(split))));
        Result<QByteArray> opened = receive(*receiver, 1, qbytes(out).mid(qsizetype(split)));
        QVERIFY(opened);
        QCOMPARE(*opened, second);
    }

    // OpenSSH's regression suite flips bits in transit; here every byte of a sealed packet is
    // flipped in turn (length, body, tag) and the receiver must refuse each.
    void tamperingIsDetected_data() { addCombinationRows(); }
    void tamperingIsDetected() {
        QFETCH(QString, cipher);
        QFETCH(QString, mac);
        const DirectionKeys keys = keysFor(cipher, mac);
        auto sender = make(cipher, mac, Direction::Encrypt, keys);
        const std::uint32_t sequence = 42;
        const QByteArray packet = makePacket(*sender, 37, 'q');
        Bytes sealed;
        QVERIFY(sender->seal(sequence, view(packet), sealed));
        for (qsizetype i = 0; i < qsizetype(sealed.size()); ++i) {
            for (char flip : {'\x01', '\x80'}) {
                QByteArray wire = qbytes(sealed);
                wire[i] = char(wire[i] ^ flip);
                auto receiver = make(cipher, mac, Direction::Decrypt, keys);
                const std::size_t prefix = receiver->lengthPrefixSize();
                (void)receiver->peekLength(sequence, view(wire).first(prefix)); // may read a wrong length
                Status opened = receiver->open(sequence, mutableView(wire));
                QVERIFY2(!opened, qPrintable(QString("byte %1 flipped with %2 was accepted").arg(i).arg(int(flip))));
            }
        }
        // The untouched packet still opens, and only under its own sequence number (GCM's
        // nonce follows its packet count instead, so a later packet is the test there).
        auto receiver = make(cipher, mac, Direction::Decrypt, keys);
        QVERIFY(receive(*receiver, sequence, qbytes(sealed)));
        auto wrongSequence = make(cipher, mac, Direction::Decrypt, keys);
        if (cipher.contains("gcm")) {
            QVERIFY(receive(*wrongSequence, 0, qbytes(sealed)));
            QVERIFY(!receive(*wrongSequence, sequence, qbytes(sealed))); // replayed as packet two
        } else {
            QVERIFY(!receive(*wrongSequence, sequence + 1, qbytes(sealed)));
        }
    }

    // Encrypt-and-MAC CTR: the length is inside the first encrypted block, so peekLength
    // decrypts it once; repeated peeks and an open without a peek must all work.
    void ctrPeekLength() {
        const DirectionKeys keys = keysFor("aes128-ctr", "hmac-sha2-256");
        auto sender = make("aes128-ctr", "hmac-sha2-256", Direction::Encrypt, keys);
        auto receiver = make("aes128-ctr", "hmac-sha2-256", Direction::Decrypt, keys);
        QCOMPARE(receiver->lengthPrefixSize(), std::size_t(16));
        QVERIFY(!receiver->lengthExcludedFromPadding());
        QByteArray packets[4];
        Bytes wires[4];
        for (std::uint32_t i = 0; i < 4; ++i) {
            packets[i] = makePacket(*sender, int(10 + 40 * i), 'm');
            QVERIFY(sender->seal(i, view(packets[i]), wires[i]));
        }
        // Too short a prefix changes nothing.
        QVERIFY(!receiver->peekLength(0, ByteView(wires[0]).first(15)));
        // Packet 0: peeked three times (a transport waiting for more bytes), then opened.
        for (int peek = 0; peek < 3; ++peek) {
            Result<std::uint32_t> length = receiver->peekLength(0, ByteView(wires[0]).first(16));
            QVERIFY(length);
            QCOMPARE(*length, std::uint32_t(packets[0].size() - 4));
        }
        QVERIFY(receiver->open(0, wires[0]));
        QCOMPARE(qbytes(ByteView(wires[0]).first(std::size_t(packets[0].size()))), packets[0]);
        // Packet 1: opened without a peek.
        QVERIFY(receiver->open(1, wires[1]));
        QCOMPARE(qbytes(ByteView(wires[1]).first(std::size_t(packets[1].size()))), packets[1]);
        // Packets 2 and 3 the usual way.
        QCOMPARE(*receive(*receiver, 2, qbytes(wires[2])), packets[2]);
        QCOMPARE(*receive(*receiver, 3, qbytes(wires[3])), packets[3]);
    }

    void noProtection() {
        auto none = makeNoProtection();
        QCOMPARE(none->blockSize(), std::size_t(8));
        QCOMPARE(none->tagLength(), std::size_t(0));
        QCOMPARE(none->lengthPrefixSize(), std::size_t(4));
        const QByteArray packet = makePacket(*none, 10, 'n');
        Bytes wire;
        QVERIFY(none->seal(3, view(packet), wire));
        QCOMPARE(qbytes(wire), packet);
        QCOMPARE(*none->peekLength(3, wire), std::uint32_t(packet.size() - 4));
        QVERIFY(none->open(3, wire));
        QVERIFY(!none->peekLength(3, ByteView(wire).first(3)));
        QVERIFY(!none->open(3, std::span(wire).first(wire.size() - 1)));
    }

    void refusesBadInput() {
        // Unknown names, and wrong key sizes from a confused caller.
        DirectionKeys keys = keysFor("aes128-ctr", "hmac-sha2-256");
        QVERIFY(!makePacketProtection("aes128-cbc", "hmac-sha2-256", Direction::Encrypt, keys));
        QVERIFY(!makePacketProtection("aes128-ctr", "umac-64@openssh.com", Direction::Encrypt, keys));
        QVERIFY(!makePacketProtection("aes128-ctr", "", Direction::Encrypt, keys));
        QVERIFY(!makePacketProtection("aes256-ctr", "hmac-sha2-256", Direction::Encrypt, keys));
        QVERIFY(!makePacketProtection("aes128-ctr", "hmac-sha2-512", Direction::Encrypt, keys));
        DirectionKeys gcmKeys = keysFor("aes128-gcm@openssh.com", "");
        QVERIFY(makePacketProtection("aes128-gcm@openssh.com", "no-such-mac", Direction::Encrypt, gcmKeys));
        gcmKeys.iv.resize(16);
        QVERIFY(!makePacketProtection("aes128-gcm@openssh.com", "", Direction::Encrypt, gcmKeys));

        for (const CipherInfo& cipher : cipherTable()) {
            const QString name = QString::fromLatin1(cipher.name);
            const QString mac = cipher.aead ? QString() : QString("hmac-sha2-256-etm@openssh.com");
            const DirectionKeys k = keysFor(name, mac);
            auto sender = make(name, mac, Direction::Encrypt, k);
            auto receiver = make(name, mac, Direction::Decrypt, k);
            QByteArray packet = makePacket(*sender, 12, 'r');
            Bytes out;
            // packet_length that does not describe the packet.
            QByteArray lying = packet;
            lying[3] = char(lying[3] + 8);
            QVERIFY2(!sender->seal(0, view(lying), out), cipher.name.data());
            // A packet that is not whole blocks.
            QByteArray ragged = be32(std::uint32_t(packet.size() - 4 + 1)) + packet.mid(4) + "x";
            QVERIFY2(!sender->seal(0, view(ragged), out), cipher.name.data());
            QVERIFY(out.empty());
            // Wire bytes shorter than any packet, and a well-formed packet cut short.
            Bytes tiny(3, 0);
            QVERIFY(!receiver->open(0, tiny));
            QVERIFY(sender->seal(0, view(packet), out));
            QVERIFY(!receiver->open(0, std::span(out).first(out.size() - 1)));
        }
    }
};

QTEST_GUILESS_MAIN(TestPacketProtection)
#include "test_packet_protection.moc"
