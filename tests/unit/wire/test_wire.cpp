// RFC 4251 §5 data types: the encodings the RFC gives as examples, and the sticky error.
#include "common/SecretBytes.h"
#include "wire/Reader.h"
#include "wire/Writer.h"

#include <QtTest>

using namespace portal::protocol;

class TestWire : public QObject {
    Q_OBJECT
private slots:
    void mpintExamples_data() {
        QTest::addColumn<QByteArray>("magnitude");
        QTest::addColumn<QByteArray>("encoded");
        // The examples of RFC 4251 §5 (positive values only; SSH never sends negatives).
        QTest::newRow("zero") << QByteArray() << QByteArray::fromHex("00000000");
        QTest::newRow("9a378f9b2e332a7") << QByteArray::fromHex("09a378f9b2e332a7")
                                         << QByteArray::fromHex("0000000809a378f9b2e332a7");
        QTest::newRow("80") << QByteArray::fromHex("80") << QByteArray::fromHex("000000020080");
        QTest::newRow("leading zeros stripped") << QByteArray::fromHex("000080")
                                                << QByteArray::fromHex("000000020080");
    }
    void mpintExamples() {
        QFETCH(QByteArray, magnitude);
        QFETCH(QByteArray, encoded);
        wire::Writer w;
        w.mpint(ByteView(reinterpret_cast<const std::uint8_t*>(magnitude.constData()), magnitude.size()));
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(w.bytes().data()), w.size()), encoded);

        wire::Reader r(w.bytes());
        ByteView back = r.mpint();
        QVERIFY(r.atEnd());
        QByteArray stripped = magnitude;
        while (!stripped.isEmpty() && stripped[0] == 0)
            stripped.remove(0, 1);
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(back.data()), back.size()), stripped);
    }

    void mpintRejectsNegativeAndNonMinimal_data() {
        QTest::addColumn<QByteArray>("encoded");
        QTest::newRow("negative") << QByteArray::fromHex("00000001ff");
        QTest::newRow("redundant zero") << QByteArray::fromHex("000000020001");
        QTest::newRow("lone zero byte") << QByteArray::fromHex("0000000100");
    }
    void mpintRejectsNegativeAndNonMinimal() {
        QFETCH(QByteArray, encoded);
        wire::Reader r(ByteView(reinterpret_cast<const std::uint8_t*>(encoded.constData()), encoded.size()));
        r.mpint();
        QVERIFY(!r.ok());
    }

    void integersRoundTrip() {
        wire::Writer w;
        w.byte(0x14).boolean(true).uint32(0xdeadbeef).uint64(0x0102030405060708ull).string("ssh-userauth");
        QCOMPARE(toHex(w.bytes()), std::string("1401deadbeef0102030405060708"
                                               "0000000c7373682d7573657261757468"));
        wire::Reader r(w.bytes());
        QCOMPARE(r.byte(), std::uint8_t(0x14));
        QCOMPARE(r.boolean(), true);
        QCOMPARE(r.uint32(), 0xdeadbeefu);
        QCOMPARE(r.uint64(), 0x0102030405060708ull);
        QCOMPARE(std::string(r.text()), std::string("ssh-userauth"));
        QVERIFY(r.atEnd());
    }

    void stickyErrorOnShortInput() {
        Bytes input = fromHex("000000ff4142"); // claims 255 bytes, has 2
        wire::Reader r(input);
        QVERIFY(r.string().empty());
        QVERIFY(!r.ok());
        QCOMPARE(r.uint32(), 0u);   // later reads return empty values...
        QVERIFY(!r.ok());           // ...and the error stays
        QCOMPARE(r.remaining(), std::size_t(0));
    }

    void nameLists_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("names");
        QTest::addColumn<bool>("valid");
        QTest::newRow("empty") << "" << QStringList() << true;
        QTest::newRow("one") << "zlib" << QStringList{"zlib"} << true;
        QTest::newRow("two") << "zlib,none" << QStringList{"zlib", "none"} << true;
        QTest::newRow("empty element") << "zlib,,none" << QStringList() << false;
        QTest::newRow("trailing comma") << "zlib," << QStringList() << false;
        QTest::newRow("space") << "zl ib" << QStringList() << false;
    }
    void nameLists() {
        QFETCH(QString, text);
        QFETCH(QStringList, names);
        QFETCH(bool, valid);
        wire::Writer w;
        w.string(text.toStdString());
        wire::Reader r(w.bytes());
        std::vector<std::string> parsed = r.nameList();
        QCOMPARE(r.ok(), valid);
        if (valid) {
            QStringList got;
            for (const auto& n : parsed)
                got << QString::fromStdString(n);
            QCOMPARE(got, names);
            wire::Writer again;
            again.nameList(parsed);
            QCOMPARE(again.bytes(), w.bytes());
        }
    }

    void secretBytesWipesAndCompares() {
        SecretBytes secret = SecretBytes::fromText("hunter2");
        QVERIFY(secret.equals(asBytes("hunter2")));
        QVERIFY(!secret.equals(asBytes("hunter3")));
        QVERIFY(!secret.equals(asBytes("hunter")));
        secret.append(asBytes("!"));
        QCOMPARE(std::string(secret.text()), std::string("hunter2!"));
        SecretBytes moved = std::move(secret);
        QVERIFY(secret.empty());
        QCOMPARE(moved.size(), std::size_t(8));
    }

    void hexRoundTrip() {
        QCOMPARE(toHex(fromHex("00 ff 7A")), std::string("00ff7a"));
        QVERIFY(fromHex("abc").empty());
        QVERIFY(fromHex("zz").empty());
    }
};

QTEST_GUILESS_MAIN(TestWire)
#include "test_wire.moc"
