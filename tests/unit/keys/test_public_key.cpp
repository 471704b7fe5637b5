// PublicKey against the reference: keys made by ssh-keygen (blob, fingerprint and randomart as
// `ssh-keygen -lv` prints them), signatures made by `ssh-keygen -Y sign`, Wycheproof
// verification vectors rebuilt in SSH wire form, and malformed blobs that must be refused.
#include "KeyTestTools.h"

#include "keys/PublicKey.h"
#include "wire/Reader.h"
#include "wire/Writer.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace portal::protocol;
using namespace portal::protocol::keys;
using keytest::view;

namespace {

struct GeneratedKey {
    QString type;
    int bits;
    QString path;
};

Bytes hexBytes(const QJsonValue& value) { return fromHex(value.toString().toStdString()); }

// The DER signature of a Wycheproof ECDSA vector as SSH's "mpint r, mpint s" (RFC 5656
// §3.1.2), or nothing when the vector tests DER itself (non-canonical or negative encodings
// that SSH cannot even express).
std::optional<Bytes> ecdsaSignatureFromDer(const Bytes& der) {
    const unsigned char* cursor = der.data();
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size()));
    if (!sig)
        return std::nullopt;
    std::optional<Bytes> out;
    unsigned char* again = nullptr;
    int length = i2d_ECDSA_SIG(sig, &again);
    const BIGNUM* r = ECDSA_SIG_get0_r(sig);
    const BIGNUM* s = ECDSA_SIG_get0_s(sig);
    if (length > 0 && Bytes(again, again + length) == der && !BN_is_negative(r) && !BN_is_negative(s)) {
        Bytes rBytes(static_cast<std::size_t>(BN_num_bytes(r))), sBytes(static_cast<std::size_t>(BN_num_bytes(s)));
        BN_bn2bin(r, rBytes.data());
        BN_bn2bin(s, sBytes.data());
        out = wire::Writer().mpint(rBytes).mpint(sBytes).take();
    }
    OPENSSL_free(again);
    ECDSA_SIG_free(sig);
    return out;
}

Bytes signatureBlob(std::string_view algorithm, ByteView signature) {
    return wire::Writer().string(algorithm).string(signature).take();
}

} // namespace

class TestPublicKey : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QList<GeneratedKey> keys_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const QList<QPair<QString, int>> kinds{{"ed25519", 0}, {"ecdsa", 256}, {"ecdsa", 384},
                                               {"ecdsa", 521}, {"rsa", 2048}, {"rsa", 3072}};
        for (const auto& [type, bits] : kinds) {
            QString path = dir_.filePath(QString("id_%1_%2").arg(type).arg(bits));
            auto run = keytest::generateKey(path, type, bits, "");
            QVERIFY2(run.ok(), run.err.constData());
            keys_.append({type, bits == 0 ? 256 : bits, path});
        }
    }

    void generatedKeys_data() {
        QTest::addColumn<int>("index");
        for (int i = 0; i < keys_.size(); ++i)
            QTest::newRow(qPrintable(QString("%1-%2").arg(keys_[i].type).arg(keys_[i].bits))) << i;
    }
    // The .pub line parses; blob, type, bits, fingerprint and randomart match ssh-keygen -lv.
    void generatedKeys() {
        QFETCH(int, index);
        const GeneratedKey& generated = keys_[index];
        QByteArray pubLine = keytest::readFile(generated.path + ".pub").trimmed();
        auto key = PublicKey::fromOpenSshLine(pubLine.toStdString());
        QVERIFY2(key.ok(), keytest::why(key).c_str());
        QCOMPARE(key->bits(), generated.bits);

        QList<QByteArray> fields = pubLine.split(' ');
        QCOMPARE(QByteArray::fromStdString(key->openSshLine()), fields[0] + ' ' + fields[1]);
        QCOMPARE(QByteArray::fromStdString(key->keyType()), fields[0]);

        auto listing = keytest::runTool("ssh-keygen", {"-lv", "-f", generated.path + ".pub"});
        QVERIFY2(listing.ok(), listing.err.constData());
        QList<QByteArray> lines = listing.out.trimmed().split('\n');
        QVERIFY(lines.size() == 12);
        // "256 SHA256:... comment (ED25519)"
        QList<QByteArray> summary = lines[0].split(' ');
        QCOMPARE(summary[0].toInt(), key->bits());
        QCOMPARE(QByteArray::fromStdString(key->fingerprintSha256()), summary[1]);
        QCOMPARE(QByteArray::fromStdString(key->randomArt()), lines.mid(1).join('\n'));

        // The blob round-trips through fromBlob.
        auto again = PublicKey::fromBlob(key->blob());
        QVERIFY(again.ok());
        QVERIFY(*again == *key);
    }

    void verifiesSshKeygenSignatures_data() { generatedKeys_data(); }
    // `ssh-keygen -Y sign` wraps an ordinary SSH signature in an SSHSIG envelope
    // (OpenSSH PROTOCOL.sshsig); rebuilding the signed data lets us check OpenSSH's signatures.
    void verifiesSshKeygenSignatures() {
        QFETCH(int, index);
        const GeneratedKey& generated = keys_[index];
        QString messagePath = dir_.filePath(QString("message-%1").arg(index));
        QByteArray message = "data signed by ssh-keygen for " + generated.type.toUtf8();
        QVERIFY(keytest::writeFile(messagePath, message));
        QFile::remove(messagePath + ".sig");
        auto signing = keytest::runTool("ssh-keygen", {"-q", "-Y", "sign", "-f", generated.path, "-n", "portal", messagePath});
        QVERIFY2(signing.ok(), signing.err.constData());

        QByteArray armored = keytest::readFile(messagePath + ".sig");
        QByteArray body;
        for (const QByteArray& line : armored.split('\n'))
            if (!line.startsWith("-----"))
                body += line.trimmed();
        auto envelope = base64Decode(body.toStdString());
        QVERIFY(envelope.ok());
        wire::Reader reader(*envelope);
        QCOMPARE(asText(reader.raw(6)), std::string_view("SSHSIG"));
        QCOMPARE(reader.uint32(), 1u);
        ByteView publicBlob = reader.string();
        std::string_view nameSpace = reader.text();
        ByteView reserved = reader.string();
        std::string_view hashAlgorithm = reader.text();
        ByteView signature = reader.string();
        QVERIFY(reader.atEnd());
        QCOMPARE(hashAlgorithm, std::string_view("sha512"));

        auto key = PublicKey::fromBlob(publicBlob);
        QVERIFY(key.ok());
        QCOMPARE(QByteArray::fromStdString(key->openSshLine()),
                 keytest::readFile(generated.path + ".pub").split(' ').mid(0, 2).join(' '));
        wire::Reader sigReader(signature);
        std::string algorithm(sigReader.text());

        Bytes digest(64);
        unsigned int length = 0;
        QVERIFY(EVP_Digest(message.constData(), static_cast<std::size_t>(message.size()), digest.data(), &length, EVP_sha512(), nullptr) == 1);
        Bytes signedData = toBytes("SSHSIG");
        append(signedData, wire::Writer().string(nameSpace).string(reserved).string(hashAlgorithm).string(digest).bytes());

        auto status = key->verify(algorithm, signedData, signature);
        QVERIFY2(status.ok(), keytest::why(status).c_str());
        // The same signature over anything else fails.
        signedData.back() ^= 1;
        QVERIFY(!key->verify(algorithm, signedData, signature).ok());
    }

    void wycheproof_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("keyType");
        QTest::addColumn<QString>("algorithm");
        QTest::newRow("ed25519") << "ed25519_test.json" << "ssh-ed25519" << "ssh-ed25519";
        QTest::newRow("ecdsa p256") << "ecdsa_secp256r1_sha256_test.json" << "ecdsa-sha2-nistp256" << "ecdsa-sha2-nistp256";
        QTest::newRow("ecdsa p384") << "ecdsa_secp384r1_sha384_test.json" << "ecdsa-sha2-nistp384" << "ecdsa-sha2-nistp384";
        QTest::newRow("ecdsa p521") << "ecdsa_secp521r1_sha512_test.json" << "ecdsa-sha2-nistp521" << "ecdsa-sha2-nistp521";
        QTest::newRow("rsa-sha2-256") << "rsa_signature_2048_sha256_test.json" << "ssh-rsa" << "rsa-sha2-256";
        QTest::newRow("rsa-sha2-512") << "rsa_signature_2048_sha512_test.json" << "ssh-rsa" << "rsa-sha2-512";
    }
    // Each vector's key and signature in SSH form through PublicKey::verify: "valid" must
    // verify, "invalid" must not ("acceptable" may go either way).
    void wycheproof() {
        QFETCH(QString, file);
        QFETCH(QString, keyType);
        QFETCH(QString, algorithm);
        QByteArray json = keytest::readFile(PORTAL_SOURCE_ROOT "/tests/vectors/keys/" + file);
        QVERIFY2(!json.isEmpty(), qPrintable("missing vector file " + file));
        QJsonObject root = QJsonDocument::fromJson(json).object();
        int validChecked = 0, invalidChecked = 0, derOnly = 0;
        const std::string type = keyType.toStdString();
        const std::string alg = algorithm.toStdString();
        for (const QJsonValue& groupValue : root["testGroups"].toArray()) {
            QJsonObject group = groupValue.toObject();
            QJsonObject pk = group["publicKey"].toObject();
            wire::Writer blob;
            blob.string(type);
            if (type == "ssh-ed25519") {
                blob.string(hexBytes(pk["pk"]));
            } else if (type == "ssh-rsa") {
                blob.mpint(hexBytes(pk["publicExponent"])).mpint(hexBytes(pk["modulus"]));
            } else {
                blob.string(type.substr(std::string("ecdsa-sha2-").size())).string(hexBytes(pk["uncompressed"]));
            }
            auto key = PublicKey::fromBlob(blob.bytes());
            QVERIFY2(key.ok(), keytest::why(key).c_str());

            for (const QJsonValue& testValue : group["tests"].toArray()) {
                QJsonObject test = testValue.toObject();
                QString result = test["result"].toString();
                Bytes signature = hexBytes(test["sig"]);
                if (type.starts_with("ecdsa")) {
                    auto converted = ecdsaSignatureFromDer(signature);
                    if (!converted) {
                        QVERIFY2(result != "valid", qPrintable(QString("tcId %1").arg(test["tcId"].toInt())));
                        ++derOnly;
                        continue;
                    }
                    signature = *converted;
                }
                Status status = key->verify(alg, hexBytes(test["msg"]), signatureBlob(alg, signature));
                QString context = QString("tcId %1 (%2): %3").arg(test["tcId"].toInt()).arg(test["comment"].toString(), result);
                if (result == "valid") {
                    QVERIFY2(status.ok(), qPrintable(context + " " + QString::fromStdString(keytest::why(status))));
                    ++validChecked;
                } else if (result == "invalid") {
                    QVERIFY2(!status.ok(), qPrintable(context));
                    ++invalidChecked;
                }
            }
        }
        qInfo("%s: %d valid and %d invalid vectors checked, %d DER-encoding vectors not applicable", qPrintable(file),
              validChecked, invalidChecked, derOnly);
        QVERIFY(validChecked >= 5); // the RSA files hold 8–9 valid signatures, the rest many more
        QVERIFY(invalidChecked >= 20);
    }

    void rejectsMalformedBlobs_data() {
        QTest::addColumn<QByteArray>("blob");
        QTest::addColumn<QString>("why");
        Bytes ed = wire::Writer().string("ssh-ed25519").string(Bytes(32, 7)).take();
        QTest::newRow("ed25519 ok control") << QByteArray() << "";
        Bytes edTrailing = ed;
        edTrailing.push_back(0);
        QTest::newRow("ed25519 trailing byte") << keytest::toQt(edTrailing) << "malformed";
        QTest::newRow("ed25519 short key") << keytest::toQt(wire::Writer().string("ssh-ed25519").string(Bytes(31, 7)).take()) << "32 bytes";
        QTest::newRow("truncated") << keytest::toQt(ByteView(ed).first(20)) << "malformed";
        QTest::newRow("unknown type") << keytest::toQt(wire::Writer().string("ssh-dss").string(Bytes(32, 7)).take()) << "not supported";
        QTest::newRow("empty") << QByteArray() << "too short";

        // A real P-256 point (the generator), then variations of it.
        Bytes g = fromHex("046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
                          "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
        auto ecBlob = [](std::string_view type, std::string_view curve, const Bytes& point) {
            return keytest::toQt(wire::Writer().string(type).string(curve).string(point).take());
        };
        Bytes offCurve = g;
        offCurve.back() ^= 1;
        QTest::newRow("ecdsa point off curve") << ecBlob("ecdsa-sha2-nistp256", "nistp256", offCurve) << "curve";
        QTest::newRow("ecdsa curve name mismatch") << ecBlob("ecdsa-sha2-nistp256", "nistp384", g) << "names curve";
        QTest::newRow("ecdsa point for another curve") << ecBlob("ecdsa-sha2-nistp384", "nistp384", g) << "uncompressed point";
        Bytes compressed(g.begin(), g.begin() + 33);
        compressed[0] = 0x02 | (g.back() & 1);
        QTest::newRow("ecdsa compressed point") << ecBlob("ecdsa-sha2-nistp256", "nistp256", compressed) << "uncompressed";
        Bytes infinity{0x00};
        QTest::newRow("ecdsa point at infinity") << ecBlob("ecdsa-sha2-nistp256", "nistp256", infinity) << "uncompressed";

        auto rsaBlob = [](int bits) {
            Bytes n(static_cast<std::size_t>((bits + 7) / 8), 0x5b);
            n[0] = static_cast<std::uint8_t>(1u << ((bits - 1) % 8)); // exactly `bits` bits
            n.back() |= 1;
            return keytest::toQt(wire::Writer().string("ssh-rsa").mpint(fromHex("010001")).mpint(n).take());
        };
        QTest::newRow("rsa 1023 bits") << rsaBlob(1023) << "too small";
        QTest::newRow("rsa 512 bits") << rsaBlob(512) << "too small";
        QTest::newRow("rsa 1024 bits control") << rsaBlob(1024) << "";
        QTest::newRow("rsa even exponent") << keytest::toQt(wire::Writer().string("ssh-rsa").mpint(fromHex("010000")).mpint(Bytes(256, 0x5b)).take()) << "malformed";
        QTest::newRow("rsa negative modulus") << keytest::toQt(wire::Writer().string("ssh-rsa").mpint(fromHex("010001")).string(Bytes(256, 0xc5)).take()) << "malformed";
    }
    void rejectsMalformedBlobs() {
        QFETCH(QByteArray, blob);
        QFETCH(QString, why);
        if (QByteArray(QTest::currentDataTag()).contains("control")) {
            if (blob.isEmpty())
                blob = keytest::toQt(wire::Writer().string("ssh-ed25519").string(Bytes(32, 7)).take());
            auto key = PublicKey::fromBlob(view(blob));
            QVERIFY2(key.ok(), keytest::why(key).c_str());
            return;
        }
        auto key = PublicKey::fromBlob(view(blob));
        QVERIFY(!key.ok());
        QVERIFY2(QString::fromStdString(key.error().message).contains(why), key.error().message.c_str());
    }

    void verifyChecksTheEnvelope() {
        auto key = PublicKey::fromOpenSshLine(keytest::readFile(keys_[4].path + ".pub").toStdString()); // rsa 2048
        QVERIFY(key.ok());
        Bytes signature(256, 1);
        // Algorithm in the blob differs from the one asked for.
        QVERIFY(!key->verify("rsa-sha2-256", toBytes("x"), signatureBlob("rsa-sha2-512", signature)).ok());
        // Algorithm that does not suit the key.
        Status wrongKind = key->verify("ssh-ed25519", toBytes("x"), signatureBlob("ssh-ed25519", Bytes(64)));
        QVERIFY(!wrongKind.ok());
        QVERIFY(QString::fromStdString(wrongKind.error().message).contains("does not suit"));
        // Longer than the modulus.
        Status tooLong = key->verify("rsa-sha2-256", toBytes("x"), signatureBlob("rsa-sha2-256", Bytes(257, 1)));
        QVERIFY(!tooLong.ok());
        // Trailing bytes after the signature.
        Bytes trailing = signatureBlob("rsa-sha2-256", signature);
        trailing.push_back(0);
        QVERIFY(QString::fromStdString(key->verify("rsa-sha2-256", toBytes("x"), trailing).error().message).contains("malformed"));

        auto ed = PublicKey::fromOpenSshLine(keytest::readFile(keys_[0].path + ".pub").toStdString());
        QVERIFY(ed.ok());
        QVERIFY(!ed->verify("ssh-ed25519", toBytes("x"), signatureBlob("ssh-ed25519", Bytes(63))).ok());
    }

    void openSshLineErrors_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("why");
        QTest::newRow("no data") << "ssh-ed25519" << "needs a key type";
        QTest::newRow("bad base64") << "ssh-ed25519 AAAA$AAA" << "base64";
        QTest::newRow("type mismatch") << "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIHd1wM1vHnT/0r6tyJ8DFsoMZP4ML5KBU4rG8b0aXqRk" << "says";
    }
    void openSshLineErrors() {
        QFETCH(QString, line);
        QFETCH(QString, why);
        auto key = PublicKey::fromOpenSshLine(line.toStdString());
        QVERIFY(!key.ok());
        QVERIFY2(QString::fromStdString(key.error().message).contains(why), key.error().message.c_str());
    }

    void base64_data() {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("padded");
        // RFC 4648 §10.
        QTest::newRow("empty") << QByteArray("") << "";
        QTest::newRow("f") << QByteArray("f") << "Zg==";
        QTest::newRow("fo") << QByteArray("fo") << "Zm8=";
        QTest::newRow("foo") << QByteArray("foo") << "Zm9v";
        QTest::newRow("foob") << QByteArray("foob") << "Zm9vYg==";
        QTest::newRow("fooba") << QByteArray("fooba") << "Zm9vYmE=";
        QTest::newRow("foobar") << QByteArray("foobar") << "Zm9vYmFy";
        QTest::newRow("high bytes") << QByteArray::fromHex("fbff") << "+/8=";
    }
    void base64() {
        QFETCH(QByteArray, data);
        QFETCH(QString, padded);
        QCOMPARE(QString::fromStdString(base64Encode(view(data))), padded);
        QString unpadded = padded;
        unpadded.remove('=');
        QCOMPARE(QString::fromStdString(base64Encode(view(data), false)), unpadded);
        for (const QString& form : {padded, unpadded}) {
            auto decoded = base64Decode(form.toStdString());
            QVERIFY(decoded.ok());
            QCOMPARE(keytest::toQt(*decoded), data);
        }
    }

    void base64Rejects_data() {
        QTest::addColumn<QString>("text");
        QTest::newRow("space") << "Zm9v YmFy";
        QTest::newRow("bad char") << "Zm9v*mFy";
        QTest::newRow("one char group") << "Zm9vY";
        QTest::newRow("padding inside") << "Zg==Zm8=";
        QTest::newRow("padding wrong length") << "Zm9=";
        QTest::newRow("non-zero tail bits") << "Zh==";
        QTest::newRow("three pads") << "Z===";
    }
    void base64Rejects() {
        QFETCH(QString, text);
        QVERIFY(!base64Decode(text.toStdString()).ok());
    }
};

QTEST_GUILESS_MAIN(TestPublicKey)
#include "test_public_key.moc"
