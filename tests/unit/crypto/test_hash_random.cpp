// Hash (FIPS 180-4 example vectors, incremental and cloned use) and Random (DRBG output).
#include "crypto/Hash.h"
#include "crypto/Random.h"

#include <QtTest>

using namespace portal::protocol;
using namespace portal::protocol::crypto;

Q_DECLARE_METATYPE(HashAlgorithm)

class TestHashRandom : public QObject {
    Q_OBJECT
private slots:
    void knownDigests_data() {
        QTest::addColumn<HashAlgorithm>("algorithm");
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QString>("expected");
        const QByteArray abc = "abc";
        const QByteArray twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        // FIPS 180-4 examples (NIST CSRC "Examples with intermediate values").
        QTest::newRow("sha1 abc") << HashAlgorithm::Sha1 << abc
                                  << "a9993e364706816aba3e25717850c26c9cd0d89d";
        QTest::newRow("sha1 448 bits") << HashAlgorithm::Sha1 << twoBlocks
                                       << "84983e441c3bd26ebaae4aa1f95129e5e54670f1";
        QTest::newRow("sha256 abc") << HashAlgorithm::Sha256 << abc
                                    << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        QTest::newRow("sha256 empty") << HashAlgorithm::Sha256 << QByteArray()
                                      << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        QTest::newRow("sha256 448 bits") << HashAlgorithm::Sha256 << twoBlocks
                                         << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
        QTest::newRow("sha384 abc") << HashAlgorithm::Sha384 << abc
                                    << "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                                       "8086072ba1e7cc2358baeca134c825a7";
        QTest::newRow("sha512 abc") << HashAlgorithm::Sha512 << abc
                                    << "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                                       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
    }
    void knownDigests() {
        QFETCH(HashAlgorithm, algorithm);
        QFETCH(QByteArray, message);
        QFETCH(QString, expected);
        ByteView input(reinterpret_cast<const std::uint8_t*>(message.constData()), message.size());
        QCOMPARE(QString::fromStdString(toHex(digest(algorithm, input))), expected);
        QCOMPARE(digestLength(algorithm) * 2, std::size_t(expected.size()));

        // Byte-at-a-time updates give the same digest as one update.
        Hasher hasher(algorithm);
        for (std::uint8_t byte : input)
            hasher.update(ByteView(&byte, 1));
        QCOMPARE(QString::fromStdString(toHex(hasher.finish())), expected);
    }

    // Key derivation (RFC 4253 §7.2) hashes K || H once and continues the prefix per key.
    void cloneContinuesFromTheSamePrefix() {
        Hasher prefix(HashAlgorithm::Sha256);
        prefix.update(asBytes("ab"));
        Hasher branch = prefix.clone();
        branch.update(asBytes("c"));
        QCOMPARE(QString::fromStdString(toHex(branch.finish())),
                 QString("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        prefix.update(asBytes("cdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
        QCOMPARE(QString::fromStdString(toHex(prefix.finish())),
                 QString("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    }

    void movedHasherKeepsItsState() {
        Hasher first(HashAlgorithm::Sha1);
        first.update(asBytes("a"));
        Hasher second = std::move(first);
        second.update(asBytes("bc"));
        QCOMPARE(QString::fromStdString(toHex(second.finish())),
                 QString("a9993e364706816aba3e25717850c26c9cd0d89d"));
    }

    void randomBytesHaveTheRequestedSizeAndDiffer() {
        Bytes a = randomBytes(32);
        Bytes b = randomBytes(32);
        QCOMPARE(a.size(), std::size_t(32));
        QCOMPARE(b.size(), std::size_t(32));
        QVERIFY(a != b); // a 2^-256 chance of a false failure
        QVERIFY(randomBytes(0).empty());

        std::uint8_t buffer[1000] = {};
        QVERIFY(randomFill(buffer));
        // 1000 random bytes all zero would mean the fill did nothing.
        QVERIFY(std::any_of(std::begin(buffer), std::end(buffer), [](std::uint8_t b) { return b != 0; }));
    }
};

QTEST_GUILESS_MAIN(TestHashRandom)
#include "test_hash_random.moc"
