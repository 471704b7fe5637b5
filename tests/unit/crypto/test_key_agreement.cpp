// Key agreement: RFC 7748 and Wycheproof vectors for X25519 and the NIST curves (every case,
// invalid ones included), round trips between two parties, peer-value validation, and the
// RFC 3526 primes checked against the formula the RFC defines them by.
#include "crypto/KeyAgreement.h"

#include "WycheproofVectors.h"

#include <QtTest>

#include <openssl/bn.h>

#include <memory>

using namespace portal::protocol;
using namespace portal::protocol::crypto;
using portal::test::hexField;
using portal::test::toQByteArray;
using portal::test::view;

Q_DECLARE_METATYPE(NamedGroup)

namespace {

QByteArray stripLeadingZeros(QByteArray bytes) {
    while (!bytes.isEmpty() && bytes[0] == 0)
        bytes.remove(0, 1);
    return bytes;
}

struct BignumFree {
    void operator()(BIGNUM* n) const { BN_free(n); }
};
using Bignum = std::unique_ptr<BIGNUM, BignumFree>;

// floor(2^bits * atan(1/x)) by the series atan(1/x) = sum (-1)^k / ((2k+1) x^(2k+1)).
Bignum scaledArctanInverse(unsigned long x, int bits, BN_CTX* ctx) {
    Bignum sum(BN_new()), power(BN_new()), term(BN_new()), divisor(BN_new());
    BN_one(power.get());
    BN_lshift(power.get(), power.get(), bits);
    BN_div_word(power.get(), x); // 2^bits / x
    BN_copy(sum.get(), power.get());
    for (unsigned long k = 1; !BN_is_zero(power.get()); ++k) {
        BN_div_word(power.get(), x * x);
        BN_copy(term.get(), power.get());
        BN_div_word(term.get(), 2 * k + 1);
        if (k % 2)
            BN_sub(sum.get(), sum.get(), term.get());
        else
            BN_add(sum.get(), sum.get(), term.get());
    }
    return sum;
}

// RFC 3526: p = 2^n - 2^(n-64) - 1 + 2^64 * ( [2^(n-130) pi] + k ), with pi by Machin's formula
// pi = 16 atan(1/5) - 4 atan(1/239), computed with 64 guard bits.
QByteArray rfc3526Prime(int n, unsigned long k) {
    std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
    const int guard = 64;
    const int scale = n - 130 + guard;
    Bignum a = scaledArctanInverse(5, scale, ctx.get());
    Bignum b = scaledArctanInverse(239, scale, ctx.get());
    BN_mul_word(a.get(), 16);
    BN_mul_word(b.get(), 4);
    Bignum p(BN_new()), term(BN_new());
    BN_sub(p.get(), a.get(), b.get());
    BN_rshift(p.get(), p.get(), guard); // [2^(n-130) pi]
    BN_add_word(p.get(), k);
    BN_lshift(p.get(), p.get(), 64);
    BN_one(term.get());
    BN_lshift(term.get(), term.get(), n);
    BN_add(p.get(), p.get(), term.get());
    BN_one(term.get());
    BN_lshift(term.get(), term.get(), n - 64);
    BN_sub(p.get(), p.get(), term.get());
    BN_sub_word(p.get(), 1);
    QByteArray bytes(BN_num_bytes(p.get()), '\0');
    BN_bn2bin(p.get(), reinterpret_cast<unsigned char*>(bytes.data()));
    return bytes;
}

QByteArray minusOne(QByteArray value) {
    for (qsizetype i = value.size() - 1; i >= 0; --i) {
        if (static_cast<std::uint8_t>(value[i]--) != 0)
            break;
    }
    return value;
}

QByteArray secretOf(Result<SecretBytes>& result) { return toQByteArray(result->view()); }

} // namespace

class TestKeyAgreement : public QObject {
    Q_OBJECT
private slots:
    // RFC 7748 §6.1: Alice's and Bob's keys and their shared secret.
    void x25519Rfc7748() {
        const QByteArray alicePrivate =
            QByteArray::fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        const QByteArray bobPrivate =
            QByteArray::fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        auto alice = makeEcdhAgreementWithPrivateKey(NamedGroup::X25519, SecretBytes(view(alicePrivate)));
        auto bob = makeEcdhAgreementWithPrivateKey(NamedGroup::X25519, SecretBytes(view(bobPrivate)));
        QVERIFY(alice && bob);
        QCOMPARE(toQByteArray((*alice)->publicValue()).toHex(),
                 QByteArray("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
        QCOMPARE(toQByteArray((*bob)->publicValue()).toHex(),
                 QByteArray("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
        Result<SecretBytes> fromAlice = (*alice)->deriveSharedSecret((*bob)->publicValue());
        Result<SecretBytes> fromBob = (*bob)->deriveSharedSecret((*alice)->publicValue());
        QVERIFY(fromAlice && fromBob);
        const QByteArray expected = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        QCOMPARE(secretOf(fromAlice).toHex(), expected);
        QCOMPARE(secretOf(fromBob).toHex(), expected);
    }

    void wycheproof_data() {
        QTest::addColumn<NamedGroup>("group");
        QTest::addColumn<QByteArray>("privateKey");
        QTest::addColumn<QByteArray>("peerPublic");
        QTest::addColumn<QByteArray>("shared");
        QTest::addColumn<QString>("result");
        const struct {
            const char* file;
            const char* label;
            NamedGroup group;
        } files[] = {{"x25519_test.json", "x25519", NamedGroup::X25519},
                     {"ecdh_secp256r1_ssh.json", "p256", NamedGroup::NistP256},
                     {"ecdh_secp384r1_ssh.json", "p384", NamedGroup::NistP384},
                     {"ecdh_secp521r1_ssh.json", "p521", NamedGroup::NistP521}};
        for (const auto& file : files) {
            int count = portal::test::forEachWycheproofCase(file.file, [&](const QJsonObject&, const QJsonObject& test) {
                QTest::addRow("%s %s", file.label, qPrintable(portal::test::caseName(test)))
                    << file.group << hexField(test, "private") << hexField(test, "public")
                    << hexField(test, "shared") << test["result"].toString();
            });
            QVERIFY2(count > 300, file.file); // the files are there and parsed
        }
    }
    void wycheproof() {
        QFETCH(NamedGroup, group);
        QFETCH(QByteArray, privateKey);
        QFETCH(QByteArray, peerPublic);
        QFETCH(QByteArray, shared);
        QFETCH(QString, result);
        auto agreement = makeEcdhAgreementWithPrivateKey(group, SecretBytes(view(privateKey)));
        QVERIFY2(agreement, agreement ? "" : agreement.error().message.c_str());
        Result<SecretBytes> derived = (*agreement)->deriveSharedSecret(view(peerPublic));
        if (result == "valid") {
            QVERIFY2(derived, derived ? "" : derived.error().message.c_str());
            QCOMPARE(secretOf(derived).toHex(), stripLeadingZeros(shared).toHex());
        } else if (result == "invalid") {
            QVERIFY(!derived);
        } else if (derived) {
            // "acceptable": refusing is fine (we refuse compressed points and the all-zero
            // X25519 result); a result we give must be the right one.
            QCOMPARE(secretOf(derived).toHex(), stripLeadingZeros(shared).toHex());
        }
        // Portal refuses every all-zero X25519 result (RFC 7748 §6.1), Wycheproof's
        // "acceptable" low-order cases included.
        if (group == NamedGroup::X25519 && shared == QByteArray(32, '\0'))
            QVERIFY(!derived);
    }

    void roundTrip_data() {
        QTest::addColumn<int>("kind"); // 0: ECDH group, else a MODP group number
        QTest::addColumn<NamedGroup>("group");
        QTest::addColumn<int>("publicSize"); // 0: variable (MODP)
        QTest::newRow("x25519") << 0 << NamedGroup::X25519 << 32;
        QTest::newRow("p256") << 0 << NamedGroup::NistP256 << 65;
        QTest::newRow("p384") << 0 << NamedGroup::NistP384 << 97;
        QTest::newRow("p521") << 0 << NamedGroup::NistP521 << 133;
        QTest::newRow("modp14") << 14 << NamedGroup::X25519 << 256;
        QTest::newRow("modp16") << 16 << NamedGroup::X25519 << 512;
        QTest::newRow("modp18") << 18 << NamedGroup::X25519 << 1024;
    }
    void roundTrip() {
        QFETCH(int, kind);
        QFETCH(NamedGroup, group);
        QFETCH(int, publicSize);
        auto make = [&] { return kind == 0 ? makeEcdhAgreement(group) : makeModpAgreement(kind); };
        auto client = make();
        auto server = make();
        QVERIFY(client && server);
        if (kind == 0) {
            QCOMPARE((*client)->publicValue().size(), std::size_t(publicSize));
        } else {
            // e is a magnitude below p: at most the modulus size, almost always exactly it.
            QVERIFY((*client)->publicValue().size() <= std::size_t(publicSize));
            QVERIFY((*client)->publicValue().size() >= std::size_t(publicSize) - 4);
            QVERIFY((*client)->publicValue().front() != 0);
        }
        QVERIFY((*client)->publicValue() != (*server)->publicValue());
        Result<SecretBytes> k1 = (*client)->deriveSharedSecret((*server)->publicValue());
        Result<SecretBytes> k2 = (*server)->deriveSharedSecret((*client)->publicValue());
        QVERIFY2(k1, k1 ? "" : k1.error().message.c_str());
        QVERIFY(k2);
        QCOMPARE(secretOf(k1), secretOf(k2));
        QVERIFY(!k1->empty() && k1->data()[0] != 0); // magnitude without leading zeros

        // A third party's secret with the same server differs.
        auto other = make();
        QVERIFY(other);
        Result<SecretBytes> k3 = (*other)->deriveSharedSecret((*server)->publicValue());
        QVERIFY(k3);
        QVERIFY(secretOf(k3) != secretOf(k1));
    }

    void rejectsMalformedEcdhPeers_data() {
        QTest::addColumn<NamedGroup>("group");
        QTest::addColumn<QByteArray>("peer");
        QTest::newRow("x25519 empty") << NamedGroup::X25519 << QByteArray();
        QTest::newRow("x25519 31 bytes") << NamedGroup::X25519 << QByteArray(31, '\x09');
        QTest::newRow("x25519 33 bytes") << NamedGroup::X25519 << QByteArray(33, '\x09');
        QTest::newRow("x25519 zero point") << NamedGroup::X25519 << QByteArray(32, '\0');
        // u = 1 has order 1 (RFC 7748 §6.1 low-order points give an all-zero result).
        QTest::newRow("x25519 order one") << NamedGroup::X25519 << QByteArray::fromHex(
            "0100000000000000000000000000000000000000000000000000000000000000");
        QTest::newRow("p256 infinity") << NamedGroup::NistP256 << QByteArray(1, '\0');
        QTest::newRow("p256 empty") << NamedGroup::NistP256 << QByteArray();
        // The generator of P-256, compressed: valid point, form SSH peers do not send.
        QTest::newRow("p256 compressed") << NamedGroup::NistP256 << QByteArray::fromHex(
            "036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
        QTest::newRow("p256 off curve") << NamedGroup::NistP256
                                        << (QByteArray(1, '\x04') + QByteArray(31, '\0') + QByteArray(1, '\1') +
                                            QByteArray(31, '\0') + QByteArray(1, '\1'));
        QTest::newRow("p256 truncated") << NamedGroup::NistP256 << QByteArray::fromHex(
            "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
        QTest::newRow("p384 given a p256 point")
            << NamedGroup::NistP384
            << QByteArray::fromHex("046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
                                   "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
    }
    void rejectsMalformedEcdhPeers() {
        QFETCH(NamedGroup, group);
        QFETCH(QByteArray, peer);
        auto agreement = makeEcdhAgreement(group);
        QVERIFY(agreement);
        Result<SecretBytes> derived = (*agreement)->deriveSharedSecret(view(peer));
        QVERIFY(!derived);
        QVERIFY(!derived.error().message.empty());
    }

    // The P-256 generator itself, uncompressed, is a valid peer value (sanity for the row above).
    void acceptsP256Generator() {
        auto agreement = makeEcdhAgreement(NamedGroup::NistP256);
        QVERIFY(agreement);
        QVERIFY((*agreement)->deriveSharedSecret(view(QByteArray::fromHex(
            "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"))));
    }

    // Each MODP group's prime is the one RFC 3526 defines by formula: a group-exchange agreement
    // over the formula's prime agrees with the MODP agreement only if both use the same p.
    void modpPrimesMatchRfc3526Formula_data() {
        QTest::addColumn<int>("group");
        QTest::addColumn<int>("bits");
        QTest::addColumn<qulonglong>("k");
        QTest::newRow("group 14") << 14 << 2048 << 124476ull;
        QTest::newRow("group 16") << 16 << 4096 << 240904ull;
        QTest::newRow("group 18") << 18 << 8192 << 4743158ull;
    }
    void modpPrimesMatchRfc3526Formula() {
        QFETCH(int, group);
        QFETCH(int, bits);
        QFETCH(qulonglong, k);
        const QByteArray p = rfc3526Prime(bits, static_cast<unsigned long>(k));
        QCOMPARE(p.size(), bits / 8);
        QCOMPARE(p.left(8), QByteArray(8, '\xff')); // the formula's fixed top and bottom 64 bits
        QCOMPARE(p.right(8), QByteArray(8, '\xff'));
        const QByteArray two("\x02", 1);

        auto modp = makeModpAgreement(group);
        auto gex = makeGexAgreement(view(p), view(two), bits, bits);
        QVERIFY(modp && gex);
        Result<SecretBytes> k1 = (*modp)->deriveSharedSecret((*gex)->publicValue());
        Result<SecretBytes> k2 = (*gex)->deriveSharedSecret((*modp)->publicValue());
        QVERIFY(k1 && k2);
        QCOMPARE(secretOf(k1), secretOf(k2));

        // RFC 4253 §8: f must satisfy 1 < f < p-1.
        const QByteArray pMinusOne = minusOne(p);
        for (const QByteArray& bad : {QByteArray(), QByteArray(1, '\0'), QByteArray(1, '\1'), pMinusOne, p,
                                      QByteArray(1, '\1') + p}) {
            Result<SecretBytes> refused = (*modp)->deriveSharedSecret(view(bad));
            QVERIFY(!refused);
            QVERIFY(QString::fromStdString(refused.error().message).contains("1 < f < p-1"));
        }
        QVERIFY((*modp)->deriveSharedSecret(view(QByteArray(1, '\2'))));
        QVERIFY((*modp)->deriveSharedSecret(view(minusOne(pMinusOne))));
    }

    void gexValidatesTheGroup() {
        const QByteArray p2048 = rfc3526Prime(2048, 124476);
        const QByteArray two("\x02", 1);
        // RFC 4419 §3 bounds: 2048 to 8192 bits, as OpenSSH asks.
        QVERIFY(makeGexAgreement(view(p2048), view(two), 2048, 8192));
        auto tooSmall = makeGexAgreement(view(p2048), view(two), 3072, 8192);
        QVERIFY(!tooSmall);
        QVERIFY(QString::fromStdString(tooSmall.error().message).contains("2048-bit"));
        QVERIFY(!makeGexAgreement(view(p2048), view(two), 1024, 1536));
        QByteArray even = p2048;
        even[even.size() - 1] = '\xfe';
        QVERIFY(!makeGexAgreement(view(even), view(two), 2048, 8192));
        QVERIFY(!makeGexAgreement(view(p2048), view(QByteArray(1, '\1')), 2048, 8192));
        QVERIFY(!makeGexAgreement(view(p2048), view(QByteArray()), 2048, 8192));
        QVERIFY(!makeGexAgreement(view(p2048), view(minusOne(p2048)), 2048, 8192));
        QVERIFY(!makeGexAgreement(view(p2048), view(p2048), 2048, 8192));
        QVERIFY(!makeGexAgreement(view(QByteArray()), view(two), 2048, 8192));
        QVERIFY(makeGexAgreement(view(p2048), view(QByteArray(1, '\5')), 2048, 8192));
    }

    void unknownModpGroupIsAnError() {
        QVERIFY(!makeModpAgreement(1));
        QVERIFY(!makeModpAgreement(15));
        QVERIFY(!makeEcdhAgreementWithPrivateKey(NamedGroup::X25519, SecretBytes(16)));
    }
};

QTEST_GUILESS_MAIN(TestKeyAgreement)
#include "test_key_agreement.moc"
