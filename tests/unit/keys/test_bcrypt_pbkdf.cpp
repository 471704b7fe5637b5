// bcrypt_pbkdf and its Blowfish core: Blowfish known-answer vectors (Eric Young's published
// set for 8-byte keys), and the bcrypt_pbkdf vectors of OpenBSD's regression suite
// (regress/lib/libutil/bcrypt_pbkdf, as also carried by other implementations' tests).
// Keys encrypted by ssh-keygen exercise it end to end in test_private_key.
#include "KeyTestTools.h"

#include "keys/Blowfish.h"
#include "keys/PrivateKey.h"

#include <QtTest>

using namespace portal::protocol;
using namespace portal::protocol::keys;

class TestBcryptPbkdf : public QObject {
    Q_OBJECT
private slots:
    void blowfishKnownAnswers_data() {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("plain");
        QTest::addColumn<QByteArray>("cipher");
        auto row = [](const char* name, const char* key, const char* plain, const char* cipher) {
            QTest::newRow(name) << QByteArray::fromHex(key) << QByteArray::fromHex(plain) << QByteArray::fromHex(cipher);
        };
        row("zero", "0000000000000000", "0000000000000000", "4ef997456198dd78");
        row("ones", "ffffffffffffffff", "ffffffffffffffff", "51866fd5b85ecb8a");
        row("3000", "3000000000000000", "1000000000000001", "7d856f9a613063f2");
        row("0123", "0123456789abcdef", "1111111111111111", "61f9c3802281b096");
        row("fedc", "fedcba9876543210", "0123456789abcdef", "0aceab0fc6a0a28d");
    }
    void blowfishKnownAnswers() {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, plain);
        QFETCH(QByteArray, cipher);
        detail::Blowfish blowfish;
        blowfish.expandKey(keytest::view(key));
        auto word = [](const QByteArray& b, int at) {
            return std::uint32_t(std::uint8_t(b[at])) << 24 | std::uint32_t(std::uint8_t(b[at + 1])) << 16 |
                   std::uint32_t(std::uint8_t(b[at + 2])) << 8 | std::uint8_t(b[at + 3]);
        };
        std::uint32_t left = word(plain, 0), right = word(plain, 4);
        blowfish.encryptBlock(left, right);
        QCOMPARE(left, word(cipher, 0));
        QCOMPARE(right, word(cipher, 4));
    }

    void openBsdVectors_data() {
        QTest::addColumn<QByteArray>("password");
        QTest::addColumn<QByteArray>("salt");
        QTest::addColumn<unsigned>("rounds");
        QTest::addColumn<QByteArray>("expected");
        auto row = [](const char* name, QByteArray password, QByteArray salt, unsigned rounds, const char* hex) {
            QTest::newRow(name) << password << salt << rounds << QByteArray::fromHex(hex);
        };
        row("password/salt/4", "password", "salt", 4, "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9");
        row("salt NUL", "password", QByteArray(1, '\0'), 4, "c12b566235eee04c212598970a579a67");
        row("password NUL", QByteArray(1, '\0'), "salt", 4, "6051be18c2f4f82cbf0efee5471b4bb9");
        row("trailing NULs", QByteArray("password\0", 9), QByteArray("salt\0", 5), 4,
            "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050");
        row("inner NULs short", QByteArray("pass\0wor", 8), QByteArray("sa\0l", 4), 4, "c2bffd9db38f6569efef4372f4de83c0");
        row("inner NULs", QByteArray("pass\0word", 9), QByteArray("sa\0lt", 5), 4, "4ba4ac3925c0e8d7f0cdb6bb1684a56f");
        row("70 bytes striped", "password", "salt", 8,
            "e1367ec5151a33faac4cc1c144cd23fa15d5548493ecc99b9b5d9c0d3b27bec76227ea66088b849b20ab7aa478010246e74bba51723fefa9f9474d6508845e8d");
        row("42 rounds", "password", "salt", 42, "833cf0dcf56db65608e8f0dc0ce882bd");
        row("long password", "Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore "
                             "et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut "
                             "aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse "
                             "cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa "
                             "qui officia deserunt mollit anim id est laborum.",
            QByteArray("salis\0", 6), 8, "10978b07253df57f71a162eb0e8ad30a");
    }
    void openBsdVectors() {
        QFETCH(QByteArray, password);
        QFETCH(QByteArray, salt);
        QFETCH(unsigned, rounds);
        QFETCH(QByteArray, expected);
        Bytes out(static_cast<std::size_t>(expected.size()));
        QVERIFY(bcryptPbkdf(keytest::view(password), keytest::view(salt), out, rounds));
        QCOMPARE(keytest::toQt(out), expected);
    }

    void refusesDegenerateInput() {
        Bytes out(32);
        Bytes one{1};
        QVERIFY(!bcryptPbkdf(one, one, out, 0));                   // no rounds
        QVERIFY(!bcryptPbkdf({}, one, out, 1));                    // no password
        QVERIFY(!bcryptPbkdf(one, {}, out, 1));                    // no salt
        Bytes tooLong(1025);
        QVERIFY(!bcryptPbkdf(one, one, tooLong, 1));               // more than 32 blocks
        Bytes none;
        QVERIFY(!bcryptPbkdf(one, one, none, 1));
    }
};

QTEST_GUILESS_MAIN(TestBcryptPbkdf)
#include "test_bcrypt_pbkdf.moc"
