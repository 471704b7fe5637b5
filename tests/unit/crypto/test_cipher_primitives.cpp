// The primitives under packet protection, through Portal's wrappers: every Wycheproof case for
// AES-GCM, ChaCha20-Poly1305 (RFC 8439 AEAD assembled from the ChaCha20 and Poly1305 wrappers
// the packet code uses), HMAC-SHA-256 and HMAC-SHA-512; RFC 8439 and RFC 4231 vectors.
#include "crypto/CipherPrimitives.h"

#include "WycheproofVectors.h"

#include <QtTest>

#include <openssl/crypto.h>

#include <array>

using namespace portal::protocol;
using namespace portal::protocol::crypto;
using portal::test::hexField;
using portal::test::toQByteArray;
using portal::test::view;

Q_DECLARE_METATYPE(HashAlgorithm)

namespace {

std::span<std::uint8_t> mutableView(QByteArray& bytes) {
    return {reinterpret_cast<std::uint8_t*>(bytes.data()), static_cast<std::size_t>(bytes.size())};
}

// RFC 8439 §2.8: AEAD_CHACHA20_POLY1305 from the ChaCha20 and Poly1305 wrappers. Returns
// false when the wrappers fail; the construction itself exists only for 96-bit nonces.
struct AeadResult {
    bool ok = false;
    QByteArray output; // ciphertext when sealing, plaintext when opening
    QByteArray tag;    // computed over the ciphertext
};

AeadResult chachaPolyAead(const QByteArray& key, const QByteArray& nonce, const QByteArray& aad,
                          const QByteArray& input, bool sealing) {
    AeadResult result;
    if (nonce.size() != 12)
        return result;
    // OpenSSL's ChaCha20 IV is the 32-bit little-endian block counter then the 96-bit nonce.
    const QByteArray ivBlockZero = QByteArray(4, '\0') + nonce;
    Result<StreamCipher> chacha = StreamCipher::create("ChaCha20", view(key), view(ivBlockZero));
    Result<MacContext> poly = MacContext::poly1305();
    if (!chacha || !poly)
        return result;
    std::array<std::uint8_t, 64> zeros{}, blockZero{};
    result.output = input;
    if (!chacha->apply(zeros, blockZero.data()) || // the one-time key is block 0 (§2.6)
        !chacha->apply(view(input), mutableView(result.output).data()))
        return result;
    const QByteArray& ciphertext = sealing ? result.output : input;
    auto padding = [](qsizetype length) { return QByteArray((16 - length % 16) % 16, '\0'); };
    auto le64 = [](quint64 value) {
        QByteArray bytes(8, '\0');
        for (int i = 0; i < 8; ++i)
            bytes[i] = char(value >> (8 * i));
        return bytes;
    };
    const QByteArray macData = aad + padding(aad.size()) + ciphertext + padding(ciphertext.size()) +
                               le64(quint64(aad.size())) + le64(quint64(ciphertext.size()));
    result.tag = QByteArray(16, '\0');
    result.ok = poly->begin(ByteView(blockZero.data(), 32)) && poly->update(view(macData)) &&
                poly->finish(mutableView(result.tag));
    return result;
}

// One row per test case of a Wycheproof AEAD file (aead_test_schema_v1).
void addAeadRows(const char* file, int expectedCount) {
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("iv");
    QTest::addColumn<QByteArray>("aad");
    QTest::addColumn<QByteArray>("msg");
    QTest::addColumn<QByteArray>("ct");
    QTest::addColumn<QByteArray>("tag");
    QTest::addColumn<QString>("result");
    int count = portal::test::forEachWycheproofCase(file, [](const QJsonObject&, const QJsonObject& t) {
        QTest::newRow(qPrintable(portal::test::caseName(t)))
            << hexField(t, "key") << hexField(t, "iv") << hexField(t, "aad") << hexField(t, "msg")
            << hexField(t, "ct") << hexField(t, "tag") << t["result"].toString();
    });
    QCOMPARE(count, expectedCount);
}

} // namespace

class TestCipherPrimitives : public QObject {
    Q_OBJECT
private slots:
    void aesGcmWycheproof_data() { addAeadRows("aes_gcm_test.json", 316); }
    void aesGcmWycheproof() {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, iv);
        QFETCH(QByteArray, aad);
        QFETCH(QByteArray, msg);
        QFETCH(QByteArray, ct);
        QFETCH(QByteArray, tag);
        QFETCH(QString, result);
        Result<AesGcm> gcm = AesGcm::create(view(key));
        QVERIFY(gcm);

        QByteArray sealed = msg;
        QByteArray computedTag(16, '\0');
        Status sealStatus = gcm->seal(view(iv), view(aad), mutableView(sealed), mutableView(computedTag));
        QByteArray opened = ct;
        Status openStatus = gcm->open(view(iv), view(aad), mutableView(opened), view(tag));
        if (iv.size() != 12) {
            // SSH's GCM nonce is always 96 bits (RFC 5647 §7.1); other sizes are refused
            // outright, never processed with a different meaning.
            QVERIFY(!sealStatus);
            QVERIFY(!openStatus);
            return;
        }
        QVERIFY(sealStatus);
        QCOMPARE(sealed.toHex(), ct.toHex());
        if (result == "valid") {
            QCOMPARE(computedTag.toHex(), tag.toHex());
            QVERIFY2(openStatus, openStatus ? "" : openStatus.error().message.c_str());
            QCOMPARE(opened.toHex(), msg.toHex());
        } else {
            QVERIFY(computedTag != tag);
            QVERIFY(!openStatus);
        }
    }

    void chachaPolyWycheproof_data() { addAeadRows("chacha20_poly1305_test.json", 325); }
    void chachaPolyWycheproof() {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, iv);
        QFETCH(QByteArray, aad);
        QFETCH(QByteArray, msg);
        QFETCH(QByteArray, ct);
        QFETCH(QByteArray, tag);
        QFETCH(QString, result);
        AeadResult sealed = chachaPolyAead(key, iv, aad, msg, true);
        AeadResult opened = chachaPolyAead(key, iv, aad, ct, false);
        if (iv.size() != 12) {
            QCOMPARE(result, QString("invalid")); // RFC 8439 defines 96-bit nonces only
            QVERIFY(!sealed.ok && !opened.ok);
            return;
        }
        QVERIFY(sealed.ok && opened.ok);
        QCOMPARE(sealed.output.toHex(), ct.toHex());
        QCOMPARE(opened.output.toHex(), msg.toHex());
        const bool tagMatches = CRYPTO_memcmp(opened.tag.constData(), tag.constData(), 16) == 0 && tag.size() == 16;
        QCOMPARE(tagMatches, result == "valid");
        QCOMPARE(sealed.tag == tag, result == "valid");
    }

    // RFC 8439 §2.8.2.
    void chachaPolyRfc8439() {
        QByteArray key;
        for (int i = 0x80; i <= 0x9f; ++i)
            key.append(char(i));
        const QByteArray plaintext = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
                                     "for the future, sunscreen would be it.";
        AeadResult sealed = chachaPolyAead(key, QByteArray::fromHex("070000004041424344454647"),
                                           QByteArray::fromHex("50515253c0c1c2c3c4c5c6c7"), plaintext, true);
        QVERIFY(sealed.ok);
        QCOMPARE(sealed.output.toHex(),
                 QByteArray("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca967"
                            "1282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b"
                            "58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"));
        QCOMPARE(sealed.tag.toHex(), QByteArray("1ae10b594f09e26a7e902ecbd0600691"));
    }

    // RFC 8439 §2.5.2.
    void poly1305Rfc8439() {
        Result<MacContext> poly = MacContext::poly1305();
        QVERIFY(poly);
        QByteArray tag(16, '\0');
        const QByteArray key =
            QByteArray::fromHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        QVERIFY(poly->begin(view(key)));
        QVERIFY(poly->update(asBytes("Cryptographic Forum ")));
        QVERIFY(poly->update(asBytes("Research Group")));
        QVERIFY(poly->finish(mutableView(tag)));
        QCOMPARE(tag.toHex(), QByteArray("a8061dc1305136c6c22b8baf0c0127a9"));
        // A one-time key of the wrong size is refused, not padded.
        QVERIFY(!poly->begin(view(key.left(16))));
    }

    // RFC 8439 §2.4.2: ChaCha20 encryption starting at block 1.
    void chacha20Rfc8439() {
        QByteArray key;
        for (int i = 0; i < 32; ++i)
            key.append(char(i));
        Result<StreamCipher> chacha =
            StreamCipher::create("ChaCha20", view(key), view(QByteArray::fromHex("01000000000000000000004a00000000")));
        QVERIFY(chacha);
        QByteArray text = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
                          "future, sunscreen would be it.";
        // In two uneven pieces: the keystream continues across calls.
        QVERIFY(chacha->apply(view(text.left(37)), mutableView(text).data()));
        QVERIFY(chacha->apply(view(text.mid(37)), mutableView(text).data() + 37));
        QCOMPARE(text.toHex(),
                 QByteArray("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab"
                            "8f593dabcd62b3571639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e"
                            "52bc514d16ccf806818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d"));
        QVERIFY(!StreamCipher::create("ChaCha20", view(key.left(16)), view(QByteArray(16, '\0'))));
    }

    void hmacRfc4231_data() {
        QTest::addColumn<HashAlgorithm>("digest");
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QByteArray>("expected");
        const QByteArray key1(20, '\x0b'), key3(20, '\xaa'), key6(131, '\xaa');
        const QByteArray data3(50, '\xdd');
        const QByteArray data6 = "Test Using Larger Than Block-Size Key - Hash Key First";
        QTest::newRow("1 sha256") << HashAlgorithm::Sha256 << key1 << QByteArray("Hi There")
                                  << QByteArray("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        QTest::newRow("1 sha512") << HashAlgorithm::Sha512 << key1 << QByteArray("Hi There")
                                  << QByteArray("87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                                                "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
        QTest::newRow("2 sha256") << HashAlgorithm::Sha256 << QByteArray("Jefe")
                                  << QByteArray("what do ya want for nothing?")
                                  << QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        QTest::newRow("2 sha512") << HashAlgorithm::Sha512 << QByteArray("Jefe")
                                  << QByteArray("what do ya want for nothing?")
                                  << QByteArray("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                                                "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
        QTest::newRow("3 sha256") << HashAlgorithm::Sha256 << key3 << data3
                                  << QByteArray("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
        QTest::newRow("3 sha512") << HashAlgorithm::Sha512 << key3 << data3
                                  << QByteArray("fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
                                                "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb");
        QTest::newRow("6 sha256") << HashAlgorithm::Sha256 << key6 << data6
                                  << QByteArray("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        QTest::newRow("6 sha512") << HashAlgorithm::Sha512 << key6 << data6
                                  << QByteArray("80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
                                                "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598");
    }
    void hmacRfc4231() {
        QFETCH(HashAlgorithm, digest);
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, expected);
        Result<MacContext> mac = MacContext::hmac(digest, view(key));
        QVERIFY(mac);
        // Twice with the same context: a context is reused for every packet.
        for (int round = 0; round < 2; ++round) {
            QByteArray tag(static_cast<qsizetype>(mac->tagLength()), '\0');
            QVERIFY(mac->begin());
            QVERIFY(mac->update(view(data)));
            QVERIFY(mac->finish(mutableView(tag)));
            QCOMPARE(tag.toHex(), expected);
        }
    }

    void hmacWycheproof_data() {
        QTest::addColumn<HashAlgorithm>("digest");
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("msg");
        QTest::addColumn<QByteArray>("tag");
        QTest::addColumn<QString>("result");
        for (auto [file, digest] : {std::pair{"hmac_sha256_test.json", HashAlgorithm::Sha256},
                                    std::pair{"hmac_sha512_test.json", HashAlgorithm::Sha512}}) {
            // Named copies: a lambda may not capture structured bindings before C++20's P1091
            // reached every compiler (clang 14 refuses).
            const HashAlgorithm algorithm = digest;
            const char* const fileName = file;
            int count = portal::test::forEachWycheproofCase(fileName, [&](const QJsonObject&, const QJsonObject& t) {
                QTest::addRow("%s %s", fileName, qPrintable(portal::test::caseName(t)))
                    << algorithm << hexField(t, "key") << hexField(t, "msg") << hexField(t, "tag")
                    << t["result"].toString();
            });
            QCOMPARE(count, 174);
        }
    }
    void hmacWycheproof() {
        QFETCH(HashAlgorithm, digest);
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, msg);
        QFETCH(QByteArray, tag);
        QFETCH(QString, result);
        Result<MacContext> mac = MacContext::hmac(digest, view(key));
        QVERIFY(mac);
        QByteArray computed(static_cast<qsizetype>(mac->tagLength()), '\0');
        QVERIFY(mac->begin() && mac->update(view(msg)) && mac->finish(mutableView(computed)));
        // Some groups use truncated tags (RFC 2104 §5): compare the leading bytes.
        QVERIFY(tag.size() <= computed.size());
        QCOMPARE(computed.left(tag.size()) == tag, result == "valid");
    }

    void gcmRefusesBadSizes() {
        QVERIFY(!AesGcm::create(view(QByteArray(15, '\1'))));
        Result<AesGcm> gcm = AesGcm::create(view(QByteArray(16, '\1')));
        QVERIFY(gcm);
        QByteArray data(32, '\0'), tag(15, '\0');
        QVERIFY(!gcm->seal(view(QByteArray(12, '\0')), {}, mutableView(data), mutableView(tag)));
        QVERIFY(!gcm->open(view(QByteArray(12, '\0')), {}, mutableView(data), view(tag)));
    }
};

QTEST_GUILESS_MAIN(TestCipherPrimitives)
#include "test_cipher_primitives.moc"
