// SOCKS requests for dynamic forwarding: the wire layouts of RFC 1928 (SOCKS5) and of the
// SOCKS4 / SOCKS4a protocol notes, fed whole, byte by byte and with the stream's first bytes
// behind them; the exact replies for every refusal; RFC 5952 text for IPv6 targets.
#include "forward/SocksRequest.h"

#include <QtTest>

using namespace portal::protocol;
using namespace portal::protocol::forward;

namespace {

Bytes bytesOf(const QByteArray& hexText) {
    QByteArray raw = QByteArray::fromHex(hexText);
    return Bytes(raw.begin(), raw.end());
}

QByteArray hex(ByteView bytes) { return QByteArray::fromStdString(toHex(bytes)); }

// What a whole exchange came to: the replies written before the end, and the end itself.
struct Outcome {
    QByteArray replies; // concatenated SocksReply bytes
    std::optional<SocksConnect> connect;
    std::optional<SocksError> error;
};

// Feeds `input` in chunks of `chunk` bytes (0: all at once), as a forwarder would.
Outcome run(const Bytes& input, std::size_t chunk) {
    SocksRequestParser parser;
    Outcome outcome;
    std::size_t step = chunk == 0 ? std::max<std::size_t>(input.size(), 1) : chunk;
    for (std::size_t offset = 0; offset < input.size(); offset += step) {
        ByteView piece = ByteView(input).subspan(offset, std::min(step, input.size() - offset));
        SocksStep result = parser.feed(piece);
        while (auto* reply = std::get_if<SocksReply>(&result)) {
            outcome.replies += hex(reply->bytes);
            result = parser.feed({});
        }
        if (auto* connect = std::get_if<SocksConnect>(&result)) {
            outcome.connect = *connect;
            // The rest of the input is stream data, which the parser must have handed on.
            Bytes rest(input.begin() + std::ptrdiff_t(offset + piece.size()), input.end());
            outcome.connect->leftover.insert(outcome.connect->leftover.end(), rest.begin(), rest.end());
            return outcome;
        }
        if (auto* error = std::get_if<SocksError>(&result)) {
            outcome.error = *error;
            return outcome;
        }
    }
    return outcome;
}

} // namespace

class TestSocksRequest : public QObject {
    Q_OBJECT
private slots:
    void connectRequests_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("version");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QByteArray>("replies");
        QTest::addColumn<QByteArray>("leftover");
        auto v4 = int(SocksVersion::Socks4), v4a = int(SocksVersion::Socks4a), v5 = int(SocksVersion::Socks5);

        // SOCKS4: VN=4 CD=1 DSTPORT DSTIP USERID NUL ("Fred" to 66.102.7.99:80).
        QTest::newRow("socks4 with user id") << QByteArray("04010050426607634672656400") << v4 << "66.102.7.99"
                                             << 80 << QByteArray() << QByteArray();
        QTest::newRow("socks4 empty user id") << QByteArray("040100167f00000100") << v4 << "127.0.0.1" << 22
                                              << QByteArray() << QByteArray();
        QTest::newRow("socks4 then stream bytes") << QByteArray("040100167f00000100" "5353482d322e300d0a") << v4
                                                  << "127.0.0.1" << 22 << QByteArray()
                                                  << QByteArray("5353482d322e300d0a");
        // SOCKS4a: DSTIP 0.0.0.x (x != 0), then the domain name after the user id's NUL.
        QTest::newRow("socks4a example.com") << QByteArray("0401005000000001" "4672656400" "6578616d706c652e636f6d00")
                                             << v4a << "example.com" << 80 << QByteArray() << QByteArray();
        QTest::newRow("socks4a then stream bytes")
            << QByteArray("040101bb000000ff" "00" "6578616d706c652e636f6d00" "16030100") << v4a << "example.com"
            << 443 << QByteArray() << QByteArray("16030100");
        // SOCKS5: greeting VER NMETHODS METHODS, then VER CMD RSV ATYP DST.ADDR DST.PORT.
        QTest::newRow("socks5 ipv4") << QByteArray("050100" "05010001c00002010050") << v5 << "192.0.2.1" << 80
                                     << QByteArray("0500") << QByteArray();
        QTest::newRow("socks5 domain") << QByteArray("050100" "050100030b6578616d706c652e636f6d0050") << v5
                                       << "example.com" << 80 << QByteArray("0500") << QByteArray();
        QTest::newRow("socks5 ipv6") << QByteArray("050100" "0501000420010db8000000000000000000000001" "01bb") << v5
                                     << "2001:db8::1" << 443 << QByteArray("0500") << QByteArray();
        QTest::newRow("socks5 ipv4-mapped ipv6") << QByteArray("050100" "05010004" "00000000000000000000ffffc0000201"
                                                               "0016")
                                                 << v5 << "::ffff:192.0.2.1" << 22 << QByteArray("0500") << QByteArray();
        QTest::newRow("socks5 several methods offered") << QByteArray("0503020100" "05010001c0000201ffff") << v5
                                                        << "192.0.2.1" << 65535 << QByteArray("0500") << QByteArray();
        QTest::newRow("socks5 nonzero reserved byte") << QByteArray("050100" "05017f01c00002010050") << v5
                                                      << "192.0.2.1" << 80 << QByteArray("0500") << QByteArray();
        QTest::newRow("socks5 then stream bytes")
            << QByteArray("050100" "050100030b6578616d706c652e636f6d0050" "474554202f20485454502f312e300d0a0d0a")
            << v5 << "example.com" << 80 << QByteArray("0500") << QByteArray("474554202f20485454502f312e300d0a0d0a");
        QTest::newRow("socks4a 255-byte name") << QByteArray("0401005000000001" "00") + QByteArray(255, 'a').toHex() +
                                                      QByteArray("00")
                                               << v4a << QString(255, 'a') << 80 << QByteArray() << QByteArray();
    }
    void connectRequests() {
        QFETCH(QByteArray, input);
        QFETCH(int, version);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(QByteArray, replies);
        QFETCH(QByteArray, leftover);
        Bytes bytes = bytesOf(input);
        for (std::size_t chunk : {std::size_t(0), std::size_t(1), std::size_t(3), std::size_t(7)}) {
            Outcome outcome = run(bytes, chunk);
            QVERIFY2(outcome.connect, qPrintable(QString("chunk %1: %2").arg(chunk).arg(
                                          outcome.error ? QString::fromStdString(outcome.error->message) : "no result")));
            QCOMPARE(int(outcome.connect->version), version);
            QCOMPARE(QString::fromStdString(outcome.connect->host), host);
            QCOMPARE(int(outcome.connect->port), port);
            QCOMPARE(outcome.replies, replies);
            QCOMPARE(hex(outcome.connect->leftover), leftover);
        }
    }

    void refusedRequests_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("replies");
        QTest::addColumn<QByteArray>("errorReply");
        QTest::addColumn<QString>("message");
        const QByteArray socks4Rejected("005b000000000000");
        QTest::newRow("socks4 bind") << QByteArray("04020050c000020100") << QByteArray() << socks4Rejected
                                     << "CONNECT only";
        QTest::newRow("socks4 user id too long") << QByteArray("04010050c0000201") + QByteArray(256, 'u').toHex()
                                                 << QByteArray() << socks4Rejected << "user id is too long";
        QTest::newRow("socks4a name too long") << QByteArray("040100500000000100") + QByteArray(300, 'a').toHex()
                                               << QByteArray() << socks4Rejected << "domain name is too long";
        QTest::newRow("socks4a empty name") << QByteArray("04010050000000010000") << QByteArray() << socks4Rejected
                                            << "empty or not printable";
        QTest::newRow("socks4a name with a space") << QByteArray("040100500000000100" "6120622e636f6d00")
                                                   << QByteArray() << socks4Rejected << "not printable";
        QTest::newRow("socks5 authentication only") << QByteArray("050102") << QByteArray() << QByteArray("05ff")
                                                    << "no method";
        QTest::newRow("socks5 no methods") << QByteArray("0500") << QByteArray() << QByteArray("05ff") << "no method";
        // RFC 1928 §6: X'07' command not supported, X'08' address type not supported.
        QTest::newRow("socks5 bind") << QByteArray("050100" "05020001c00002010050") << QByteArray("0500")
                                     << QByteArray("05070001000000000000") << "CONNECT only";
        QTest::newRow("socks5 udp associate") << QByteArray("050100" "05030001c00002010050") << QByteArray("0500")
                                              << QByteArray("05070001000000000000") << "CONNECT only";
        QTest::newRow("socks5 address type 2") << QByteArray("050100" "05010002c00002010050") << QByteArray("0500")
                                               << QByteArray("05080001000000000000") << "address type";
        QTest::newRow("socks5 empty domain") << QByteArray("050100" "05010003000050") << QByteArray("0500")
                                             << QByteArray("05010001000000000000") << "empty or not printable";
        QTest::newRow("socks5 domain with NUL") << QByteArray("050100" "0501000303610062" "0050") << QByteArray("0500")
                                                << QByteArray("05010001000000000000") << "not printable";
        QTest::newRow("socks5 request version 4") << QByteArray("050100" "04010001c00002010050") << QByteArray("0500")
                                                  << QByteArray("05010001000000000000") << "version";
        QTest::newRow("http instead of socks") << QByteArray("474554202f20485454502f312e300d0a") << QByteArray()
                                               << QByteArray() << "neither SOCKS 4 nor SOCKS 5";
    }
    void refusedRequests() {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, replies);
        QFETCH(QByteArray, errorReply);
        QFETCH(QString, message);
        Bytes bytes = bytesOf(input);
        for (std::size_t chunk : {std::size_t(0), std::size_t(1), std::size_t(5)}) {
            Outcome outcome = run(bytes, chunk);
            QVERIFY2(outcome.error, qPrintable(QString("chunk %1: no error").arg(chunk)));
            QVERIFY(!outcome.connect);
            QCOMPARE(outcome.replies, replies);
            QCOMPARE(hex(outcome.error->reply), errorReply);
            QVERIFY2(QString::fromStdString(outcome.error->message).contains(message),
                     outcome.error->message.c_str());
        }
    }

    void incompleteRequestsNeedMore_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::newRow("nothing") << QByteArray();
        QTest::newRow("socks4 header") << QByteArray("04010050c0000201");
        QTest::newRow("socks4 user id without NUL") << QByteArray("04010050c0000201") + QByteArray(255, 'u').toHex();
        QTest::newRow("socks4a without name NUL") << QByteArray("04010050000000010065");
        QTest::newRow("socks5 greeting") << QByteArray("0502");
        QTest::newRow("socks5 request without port") << QByteArray("05010005010001c0000201");
        QTest::newRow("socks5 domain length only") << QByteArray("0501000501000310");
    }
    void incompleteRequestsNeedMore() {
        QFETCH(QByteArray, input);
        SocksRequestParser parser;
        SocksStep step = parser.feed(bytesOf(input));
        while (std::holds_alternative<SocksReply>(step))
            step = parser.feed({});
        QVERIFY(std::holds_alternative<SocksNeedMore>(step));
    }

    void parserIsDoneAfterTheRequest() {
        SocksRequestParser parser;
        QVERIFY(std::holds_alternative<SocksConnect>(parser.feed(bytesOf("040100167f00000100"))));
        // Later bytes belong to the stream, not to the parser.
        auto step = parser.feed(bytesOf("00"));
        auto* error = std::get_if<SocksError>(&step);
        QVERIFY(error);
        QVERIFY(error->reply.empty());
    }

    void replies_data() {
        QTest::addColumn<int>("version");
        QTest::addColumn<bool>("success");
        QTest::addColumn<int>("failure");
        QTest::addColumn<QByteArray>("reply");
        QTest::newRow("socks4 granted") << int(SocksVersion::Socks4) << true << 0 << QByteArray("005a000000000000");
        QTest::newRow("socks4a granted") << int(SocksVersion::Socks4a) << true << 0 << QByteArray("005a000000000000");
        QTest::newRow("socks4 rejected") << int(SocksVersion::Socks4) << false << int(SocksFailure::ConnectionRefused)
                                         << QByteArray("005b000000000000");
        QTest::newRow("socks5 succeeded") << int(SocksVersion::Socks5) << true << 0
                                          << QByteArray("05000001000000000000");
        QTest::newRow("socks5 refused") << int(SocksVersion::Socks5) << false << int(SocksFailure::ConnectionRefused)
                                        << QByteArray("05050001000000000000");
        QTest::newRow("socks5 not allowed") << int(SocksVersion::Socks5) << false << int(SocksFailure::NotAllowed)
                                            << QByteArray("05020001000000000000");
        QTest::newRow("socks5 host unreachable") << int(SocksVersion::Socks5) << false
                                                 << int(SocksFailure::HostUnreachable)
                                                 << QByteArray("05040001000000000000");
    }
    void replies() {
        QFETCH(int, version);
        QFETCH(bool, success);
        QFETCH(int, failure);
        QFETCH(QByteArray, reply);
        Bytes built = success ? socksSuccessReply(SocksVersion(version))
                              : socksFailureReply(SocksVersion(version), SocksFailure(failure));
        QCOMPARE(hex(built), reply);
    }

    void openFailureReasons() {
        // RFC 4254 §5.1 reason codes.
        QCOMPARE(int(socksFailureForOpenFailure(1)), int(SocksFailure::NotAllowed));
        QCOMPARE(int(socksFailureForOpenFailure(2)), int(SocksFailure::ConnectionRefused));
        QCOMPARE(int(socksFailureForOpenFailure(3)), int(SocksFailure::GeneralFailure));
        QCOMPARE(int(socksFailureForOpenFailure(4)), int(SocksFailure::GeneralFailure));
        QCOMPARE(int(socksFailureForOpenFailure(99)), int(SocksFailure::GeneralFailure));
    }

    // RFC 5952 §4 and §5 examples of the canonical text form.
    void ipv6Text_data() {
        QTest::addColumn<QByteArray>("address");
        QTest::addColumn<QString>("text");
        QTest::newRow("one trailing group") << QByteArray("20010db8000000000000000000000001") << "2001:db8::1";
        QTest::newRow("single zero group kept") << QByteArray("20010db8000000010001000100010001")
                                                << "2001:db8:0:1:1:1:1:1";
        QTest::newRow("longest run compressed") << QByteArray("20010000000000000001000000000001")
                                                << "2001::1:0:0:1";
        QTest::newRow("first of equal runs") << QByteArray("20010db8000000000001000000000001") << "2001:db8::1:0:0:1";
        QTest::newRow("later longer run") << QByteArray("20010db8000000010000000000000001") << "2001:db8:0:1::1";
        QTest::newRow("leading zeros dropped") << QByteArray("20010db800000000000000000002000a") << "2001:db8::2:a";
        QTest::newRow("lower case") << QByteArray("20010DB8AAAABBBBCCCCDDDDEEEEFFFF")
                                    << "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff";
        QTest::newRow("unspecified") << QByteArray("00000000000000000000000000000000") << "::";
        QTest::newRow("loopback") << QByteArray("00000000000000000000000000000001") << "::1";
        QTest::newRow("trailing run") << QByteArray("fe800000000000000000000000000000") << "fe80::";
        QTest::newRow("ipv4-mapped") << QByteArray("00000000000000000000ffffc0000280") << "::ffff:192.0.2.128";
    }
    void ipv6Text() {
        QFETCH(QByteArray, address);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(formatIpv6(bytesOf(address))), text);
    }
};

QTEST_GUILESS_MAIN(TestSocksRequest)
#include "test_socks_request.moc"
