// X11 forwarding's cookie substitution: connection setups laid out as the X Window System
// Protocol's "Connection Setup" gives them, in both byte orders, fed whole and in pieces; the
// spoofed cookie replaced by the real one; every mismatch refused, early where the lengths
// already tell.
#include "forward/X11Setup.h"

#include <QtTest>

using namespace portal::protocol;
using namespace portal::protocol::forward;

namespace {

const char* const kFakeCookie = "00112233445566778899aabbccddeeff";
const char* const kRealCookie = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const char* const kProtocolHex = "4d49542d4d414749432d434f4f4b49452d31"; // "MIT-MAGIC-COOKIE-1", 18 bytes

Bytes bytesOf(const QByteArray& hexText) {
    QByteArray raw = QByteArray::fromHex(hexText);
    return Bytes(raw.begin(), raw.end());
}

QByteArray hex(ByteView bytes) { return QByteArray::fromStdString(toHex(bytes)); }

X11SetupRewriter rewriter(const char* realCookie = kRealCookie) {
    QByteArray real = realCookie;
    return X11SetupRewriter("MIT-MAGIC-COOKIE-1", SecretBytes(bytesOf(kFakeCookie)),
                            real.isEmpty() ? std::string() : std::string("MIT-MAGIC-COOKIE-1"),
                            SecretBytes(bytesOf(real)));
}

// Setup headers: byte order, unused, major 11, minor 0, name length 18, data length 16, unused.
const QByteArray kLsbHeader("6c000b0000001200" "10000000");
const QByteArray kMsbHeader("4200000b00000012" "00100000");

} // namespace

class TestX11Setup : public QObject {
    Q_OBJECT
private slots:
    void rewritesTheCookie_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("realCookie");
        QTest::addColumn<QByteArray>("setup");
        QTest::addColumn<QByteArray>("leftover");
        const QByteArray name = QByteArray(kProtocolHex) + "0000"; // padded to 20
        QTest::newRow("lsb first") << kLsbHeader + name + kFakeCookie << QByteArray(kRealCookie)
                                   << kLsbHeader + name + kRealCookie << QByteArray();
        QTest::newRow("msb first") << kMsbHeader + name + kFakeCookie << QByteArray(kRealCookie)
                                   << kMsbHeader + name + kRealCookie << QByteArray();
        QTest::newRow("stream after the setup") << kLsbHeader + name + kFakeCookie + "0102030405"
                                                << QByteArray(kRealCookie) << kLsbHeader + name + kRealCookie
                                                << QByteArray("0102030405");
        QTest::newRow("no local authorization") << kMsbHeader + name + kFakeCookie << QByteArray()
                                                << QByteArray("4200000b00000000" "00000000") << QByteArray();
        QTest::newRow("longer real cookie (lsb)") << kLsbHeader + name + kFakeCookie
                                                  << QByteArray("0102030405060708090a0b0c0d0e0f1011")
                                                  << QByteArray("6c000b0000001200" "11000000") + name +
                                                         "0102030405060708090a0b0c0d0e0f1011000000"
                                                  << QByteArray();
    }
    void rewritesTheCookie() {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, realCookie);
        QFETCH(QByteArray, setup);
        QFETCH(QByteArray, leftover);
        Bytes bytes = bytesOf(input);
        for (std::size_t chunk : {bytes.size(), std::size_t(1), std::size_t(5)}) {
            X11SetupRewriter x11 = rewriter(realCookie.constData());
            std::optional<X11Rewritten> result;
            for (std::size_t offset = 0; offset < bytes.size() && !result; offset += chunk) {
                X11SetupStep step = x11.feed(ByteView(bytes).subspan(offset, std::min(chunk, bytes.size() - offset)));
                QVERIFY(!std::holds_alternative<X11Refused>(step));
                if (auto* done = std::get_if<X11Rewritten>(&step)) {
                    result = std::move(*done);
                    // What the chunk carried past the setup belongs to leftover; later bytes are the caller's.
                    Bytes rest(bytes.begin() + std::ptrdiff_t(std::min(offset + chunk, bytes.size())), bytes.end());
                    result->leftover.insert(result->leftover.end(), rest.begin(), rest.end());
                }
            }
            QVERIFY2(result, qPrintable(QString("chunk %1").arg(chunk)));
            QCOMPARE(hex(result->setup.view()), setup);
            QCOMPARE(hex(result->leftover), leftover);
            QVERIFY(std::holds_alternative<X11Refused>(x11.feed(bytesOf("00"))));
        }
    }

    void refusesMismatches_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("refusedAfter"); // bytes fed when the refusal must have come
        QTest::addColumn<QString>("message");
        const QByteArray name = QByteArray(kProtocolHex) + "0000";
        QByteArray otherName = name;
        otherName.replace(34, 2, "32"); // "MIT-MAGIC-COOKIE-2"
        QByteArray wrongCookie = kFakeCookie;
        wrongCookie.replace(30, 2, "fe");
        QTest::newRow("wrong cookie") << kLsbHeader + name + wrongCookie << 48 << "cookie does not match";
        QTest::newRow("other protocol, same length") << kLsbHeader + otherName + kFakeCookie << 48
                                                     << "another authorization protocol";
        QTest::newRow("XDM-AUTHORIZATION-1") << QByteArray("6c000b0000001300" "08000000") << 12
                                             << "another authorization protocol or cookie";
        QTest::newRow("no authorization") << QByteArray("6c000b0000000000" "00000000") << 12
                                          << "another authorization protocol or cookie";
        QTest::newRow("huge lengths") << QByteArray("4200000b0000ffff" "ffff0000") << 12
                                      << "another authorization protocol or cookie";
        QTest::newRow("not a setup") << QByteArray("474554202f20485454502f31") << 12 << "did not start with";
    }
    void refusesMismatches() {
        QFETCH(QByteArray, input);
        QFETCH(int, refusedAfter);
        QFETCH(QString, message);
        Bytes bytes = bytesOf(input);
        X11SetupRewriter x11 = rewriter();
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            X11SetupStep step = x11.feed(ByteView(bytes).subspan(i, 1));
            if (i + 1 < std::size_t(refusedAfter)) {
                QVERIFY(std::holds_alternative<X11NeedMore>(step));
                continue;
            }
            auto* refused = std::get_if<X11Refused>(&step);
            QVERIFY2(refused, qPrintable(QString("not refused after %1 bytes").arg(i + 1)));
            QVERIFY2(QString::fromStdString(refused->message).contains(message), refused->message.c_str());
            // Never the cookie in a message.
            QVERIFY(!QString::fromStdString(refused->message).contains("0011223344"));
            return;
        }
        QFAIL("never refused");
    }
};

QTEST_GUILESS_MAIN(TestX11Setup)
#include "test_x11_setup.moc"
