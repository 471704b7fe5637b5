// The connection layer (RFC 4254) driven message by message, with the server's side written
// out as wire bytes: channels the server opens (forwarded-tcpip §7.2, x11 §6.3.2, OpenSSH's
// auth-agent@openssh.com) and the policy that refuses the ones we never asked for,
// tcpip-forward and its cancel (§7.1), x11-req and auth-agent-req, xon-xoff (§6.8), flow
// control on accepted channels, and many channels with independent windows.
#include "client/ClientEvents.h"
#include "connection/ConnectionClient.h"
#include "transport/MessageNumbers.h"
#include "wire/Reader.h"
#include "wire/Writer.h"

#include <QtTest>

#include <optional>

using namespace portal::protocol;
using namespace portal::protocol::client;
namespace msg = transport::msg;

namespace {

constexpr std::uint32_t kWindow = 64 * 1024;
constexpr std::uint32_t kMaxPacket = 32768;
constexpr std::uint32_t kProhibited = 1;     // RFC 4254 §5.1
constexpr std::uint32_t kUnknownType = 3;
constexpr std::uint32_t kResourceShortage = 4;

QByteArray hex(ByteView bytes) { return QByteArray::fromStdString(toHex(bytes)); }

// Our side of the connection with the payloads it sent and the events it queued.
struct Connection {
    EventQueue events;
    RequestId ids = 0;
    std::vector<Bytes> sent;
    connection::ConnectionClient client{{kWindow, kMaxPacket}, events, ids, [this](Bytes payload) {
                                            sent.push_back(std::move(payload));
                                            return Status{};
                                        }};

    Status receive(ByteView payload) { return client.handle(payload); }

    // A session channel opened and confirmed by the server as `serverChannel`.
    ChannelId openSession(std::uint32_t serverChannel, std::uint32_t window = kWindow,
                          std::uint32_t maxPacket = kMaxPacket) {
        auto id = client.openSession();
        if (!id)
            qFatal("openSession failed");
        wire::Writer w(msg::ChannelOpenConfirmation);
        w.uint32(*id).uint32(serverChannel).uint32(window).uint32(maxPacket);
        if (!receive(w.bytes()))
            qFatal("confirmation refused");
        events.clear();
        return *id;
    }

    // tcpip-forward for address:port granted, then the server opens a channel for it as
    // `serverChannel`: the one ChannelOpenRequest reported, if exactly one was.
    std::optional<ChannelOpenRequestEvent> forwardAndConnect(std::string_view address, std::uint32_t port,
                                                             std::uint32_t serverChannel);

    template <typename T>
    std::vector<T> take() {
        std::vector<T> found;
        for (auto it = events.begin(); it != events.end();) {
            if (auto* e = std::get_if<T>(&*it)) {
                found.push_back(std::move(*e));
                it = events.erase(it);
            } else {
                ++it;
            }
        }
        return found;
    }
};

Bytes forwardedTcpipOpen(std::uint32_t sender, std::string_view address, std::uint32_t port,
                         std::uint32_t window = kWindow, std::uint32_t maxPacket = kMaxPacket) {
    wire::Writer w(msg::ChannelOpen);
    w.string("forwarded-tcpip").uint32(sender).uint32(window).uint32(maxPacket);
    w.string(address).uint32(port).string("192.0.2.7").uint32(50123);
    return std::move(w).take();
}

Bytes x11Open(std::uint32_t sender) {
    wire::Writer w(msg::ChannelOpen);
    w.string("x11").uint32(sender).uint32(kWindow).uint32(kMaxPacket).string("127.0.0.1").uint32(41000);
    return std::move(w).take();
}

Bytes agentOpen(std::uint32_t sender, std::uint32_t window = kWindow, std::uint32_t maxPacket = kMaxPacket) {
    wire::Writer w(msg::ChannelOpen);
    w.string("auth-agent@openssh.com").uint32(sender).uint32(window).uint32(maxPacket);
    return std::move(w).take();
}

Bytes channelMessage(std::uint8_t number, std::uint32_t recipient) {
    wire::Writer w(number);
    w.uint32(recipient);
    return std::move(w).take();
}

Bytes channelData(std::uint32_t recipient, std::size_t size, std::uint8_t fill = 0x61) {
    wire::Writer w(msg::ChannelData);
    w.uint32(recipient).string(Bytes(size, fill));
    return std::move(w).take();
}

Bytes globalSuccess(std::optional<std::uint32_t> port = std::nullopt) {
    wire::Writer w(msg::RequestSuccess);
    if (port)
        w.uint32(*port);
    return std::move(w).take();
}

Bytes channelOpenFailure(std::uint32_t recipient, std::uint32_t reason, std::string_view description) {
    wire::Writer w(msg::ChannelOpenFailure);
    w.uint32(recipient).uint32(reason).string(description).string("");
    return std::move(w).take();
}

std::optional<ChannelOpenRequestEvent> Connection::forwardAndConnect(std::string_view address, std::uint32_t port,
                                                                     std::uint32_t serverChannel) {
    if (!client.requestTcpipForward(address, port) || !receive(globalSuccess()) ||
        !receive(forwardedTcpipOpen(serverChannel, address, port)))
        return std::nullopt;
    take<TcpipForwardResultEvent>();
    auto requests = take<ChannelOpenRequestEvent>();
    if (requests.size() != 1)
        return std::nullopt;
    sent.clear();
    return requests[0];
}

} // namespace

class TestConnectionClient : public QObject {
    Q_OBJECT
private slots:
    // Each row: what we asked for (steps), then what the server opens, and whether the open is
    // reported (a ChannelOpenRequest) or refused with a reason code.
    void serverOpenedChannelPolicy_data() {
        QTest::addColumn<QStringList>("steps");
        QTest::addColumn<QString>("open");
        QTest::addColumn<bool>("reported");
        QTest::addColumn<int>("reason");

        QTest::newRow("forwarded-tcpip, active forward") << QStringList{"forward localhost 8080"}
                                                         << "tcpip localhost 8080" << true << 0;
        QTest::newRow("forwarded-tcpip, other port") << QStringList{"forward localhost 8080"}
                                                     << "tcpip localhost 8081" << false << int(kProhibited);
        QTest::newRow("forwarded-tcpip, other address") << QStringList{"forward localhost 8080"}
                                                        << "tcpip 0.0.0.0 8080" << false << int(kProhibited);
        QTest::newRow("forwarded-tcpip, nothing forwarded") << QStringList{} << "tcpip localhost 8080" << false
                                                            << int(kProhibited);
        QTest::newRow("forwarded-tcpip, reply pending") << QStringList{"forward-pending localhost 8080"}
                                                        << "tcpip localhost 8080" << false << int(kProhibited);
        QTest::newRow("forwarded-tcpip, forward refused") << QStringList{"forward-refused localhost 8080"}
                                                          << "tcpip localhost 8080" << false << int(kProhibited);
        QTest::newRow("forwarded-tcpip, forward cancelled")
            << QStringList{"forward localhost 8080", "cancel localhost 8080"} << "tcpip localhost 8080" << false
            << int(kProhibited);
        QTest::newRow("forwarded-tcpip, cancel refused by server still inactive")
            << QStringList{"forward localhost 8080", "cancel localhost 8080", "cancel-refused"}
            << "tcpip localhost 8080" << false << int(kProhibited);
        QTest::newRow("forwarded-tcpip, one of two forwards cancelled")
            << QStringList{"forward localhost 8080", "forward localhost 9090", "cancel localhost 8080"}
            << "tcpip localhost 9090" << true << 0;
        QTest::newRow("forwarded-tcpip, port 0 at the allocated port") << QStringList{"forward0 localhost 40123"}
                                                                       << "tcpip localhost 40123" << true << 0;
        QTest::newRow("forwarded-tcpip, port 0 at port 0") << QStringList{"forward0 localhost 40123"}
                                                           << "tcpip localhost 0" << false << int(kProhibited);
        QTest::newRow("x11, after x11-req succeeded") << QStringList{"session", "x11 ok"} << "x11" << true << 0;
        QTest::newRow("x11, x11-req refused") << QStringList{"session", "x11 refused"} << "x11" << false
                                              << int(kProhibited);
        QTest::newRow("x11, x11-req unanswered") << QStringList{"session", "x11 pending"} << "x11" << false
                                                 << int(kProhibited);
        QTest::newRow("x11, never requested") << QStringList{"session"} << "x11" << false << int(kProhibited);
        QTest::newRow("x11, session closed") << QStringList{"session", "x11 ok", "close"} << "x11" << false
                                             << int(kProhibited);
        QTest::newRow("x11, only agent forwarding") << QStringList{"session", "agent"} << "x11" << false
                                                    << int(kProhibited);
        QTest::newRow("agent, requested") << QStringList{"session", "agent"} << "agent" << true << 0;
        QTest::newRow("agent, never requested") << QStringList{"session"} << "agent" << false << int(kProhibited);
        QTest::newRow("agent, only x11") << QStringList{"session", "x11 ok"} << "agent" << false
                                         << int(kProhibited);
        QTest::newRow("agent, session closed") << QStringList{"session", "agent", "close"} << "agent" << false
                                               << int(kProhibited);
        QTest::newRow("unknown channel type") << QStringList{"session", "agent", "x11 ok"} << "other" << false
                                              << int(kUnknownType);
    }
    void serverOpenedChannelPolicy() {
        QFETCH(QStringList, steps);
        QFETCH(QString, open);
        QFETCH(bool, reported);
        QFETCH(int, reason);

        Connection c;
        std::optional<ChannelId> session;
        for (const QString& step : steps) {
            QStringList words = step.split(' ');
            const QString& what = words[0];
            if (what.startsWith("forward")) {
                std::string address = words[1].toStdString();
                std::uint32_t port = words[2].toUInt();
                auto id = c.client.requestTcpipForward(address, what == "forward0" ? 0 : port);
                QVERIFY(id);
                if (what == "forward" || what == "forward0")
                    QVERIFY(c.receive(globalSuccess(what == "forward0" ? std::optional(port) : std::nullopt)));
                else if (what == "forward-refused")
                    QVERIFY(c.receive(Bytes{msg::RequestFailure}));
            } else if (what == "cancel") {
                QVERIFY(c.client.cancelTcpipForward(words[1].toStdString(), words[2].toUInt()));
            } else if (what == "cancel-refused") {
                QVERIFY(c.receive(Bytes{msg::RequestFailure}));
            } else if (what == "session") {
                session = c.openSession(500);
            } else if (what == "x11") {
                QVERIFY(c.client.requestX11Forwarding(*session, false, "MIT-MAGIC-COOKIE-1",
                                                      "0123456789abcdef0123456789abcdef", 0));
                if (words[1] != "pending")
                    QVERIFY(c.receive(channelMessage(words[1] == "ok" ? msg::ChannelSuccess : msg::ChannelFailure,
                                                     *session)));
            } else if (what == "agent") {
                QVERIFY(c.client.requestAgentForwarding(*session));
            } else if (what == "close") {
                QVERIFY(c.client.closeChannel(*session));
                QVERIFY(c.receive(channelMessage(msg::ChannelClose, *session)));
            } else {
                QFAIL(qPrintable("unknown step " + step));
            }
        }
        c.events.clear();
        c.sent.clear();

        constexpr std::uint32_t serverChannel = 77;
        QStringList words = open.split(' ');
        Bytes payload;
        if (words[0] == "tcpip") {
            payload = forwardedTcpipOpen(serverChannel, words[1].toStdString(), words[2].toUInt());
        } else if (words[0] == "x11") {
            payload = x11Open(serverChannel);
        } else if (words[0] == "agent") {
            payload = agentOpen(serverChannel);
        } else {
            wire::Writer w(msg::ChannelOpen);
            w.string("tun@openssh.com").uint32(serverChannel).uint32(kWindow).uint32(kMaxPacket).uint32(1).uint32(0);
            payload = std::move(w).take();
        }
        QVERIFY(c.receive(payload));

        auto requests = c.take<ChannelOpenRequestEvent>();
        if (reported) {
            QCOMPARE(requests.size(), std::size_t(1));
            QVERIFY(c.sent.empty()); // the answer is the caller's
            const ChannelOpenRequestEvent& request = requests[0];
            QVERIFY(request.id != 0);
            if (words[0] == "tcpip") {
                QCOMPARE(int(request.kind), int(ChannelOpenKind::ForwardedTcpip));
                QCOMPARE(QString::fromStdString(request.connectedAddress), words[1]);
                QCOMPARE(request.connectedPort, words[2].toUInt());
                QCOMPARE(request.originatorAddress, std::string("192.0.2.7"));
                QCOMPARE(request.originatorPort, 50123u);
            } else if (words[0] == "x11") {
                QCOMPARE(int(request.kind), int(ChannelOpenKind::X11));
                QCOMPARE(request.originatorAddress, std::string("127.0.0.1"));
                QCOMPARE(request.originatorPort, 41000u);
            } else {
                QCOMPARE(int(request.kind), int(ChannelOpenKind::AuthAgent));
            }
            QCOMPARE(c.client.pendingChannelOpenCount(), std::size_t(1));
        } else {
            QVERIFY(requests.empty());
            QCOMPARE(c.take<LogEvent>().size(), std::size_t(1));
            QCOMPARE(c.sent.size(), std::size_t(1));
            wire::Reader r(c.sent[0]);
            QCOMPARE(r.byte(), msg::ChannelOpenFailure);
            QCOMPARE(r.uint32(), serverChannel);
            QCOMPARE(r.uint32(), std::uint32_t(reason));
            r.text();
            r.text();
            QVERIFY(r.atEnd());
            QCOMPARE(c.client.pendingChannelOpenCount(), std::size_t(0));
        }
    }

    void acceptedChannelCarriesDataEofAndClose() {
        Connection c;
        ChannelId session = c.openSession(500);
        QVERIFY(c.client.requestAgentForwarding(session));
        // The server's window for us is 1000 bytes, its max packet 300.
        QVERIFY(c.receive(agentOpen(9, 1000, 300)));
        auto requests = c.take<ChannelOpenRequestEvent>();
        QCOMPARE(requests.size(), std::size_t(1));
        c.sent.clear();

        auto accepted = c.client.acceptChannelOpen(requests[0].id);
        QVERIFY(accepted);
        ChannelId id = *accepted;
        QVERIFY(id != session);
        QVERIFY(c.events.empty()); // open at once, no ChannelOpened
        QCOMPARE(c.sent.size(), std::size_t(1));
        wire::Writer confirmation(msg::ChannelOpenConfirmation);
        confirmation.uint32(9).uint32(id).uint32(kWindow).uint32(kMaxPacket);
        QCOMPARE(hex(c.sent[0]), hex(confirmation.bytes()));
        QVERIFY(!c.client.acceptChannelOpen(requests[0].id)); // answered once only
        c.sent.clear();

        // Our data is cut to the server's window and max packet.
        QCOMPARE(c.client.sendWindow(id), std::size_t(1000));
        auto taken = c.client.sendData(id, Bytes(1500, 0x42), false);
        QVERIFY(taken);
        QCOMPARE(*taken, std::size_t(1000));
        QCOMPARE(c.sent.size(), std::size_t(4)); // 300 + 300 + 300 + 100
        for (const Bytes& packet : c.sent) {
            wire::Reader r(packet);
            QCOMPARE(r.byte(), msg::ChannelData);
            QCOMPARE(r.uint32(), 9u);
            QVERIFY(r.string().size() <= 300);
        }
        c.sent.clear();
        wire::Writer adjust(msg::ChannelWindowAdjust);
        adjust.uint32(id).uint32(500);
        QVERIFY(c.receive(adjust.bytes()));
        QCOMPARE(c.take<ChannelWritableEvent>().size(), std::size_t(1));
        QCOMPARE(c.client.sendWindow(id), std::size_t(500));

        // The server's data arrives as ChannelData; the window refills only as consumed.
        QVERIFY(c.receive(channelData(id, kMaxPacket)));
        auto data = c.take<ChannelDataEvent>();
        QCOMPARE(data.size(), std::size_t(1));
        QCOMPARE(data[0].id, id);
        QCOMPARE(data[0].data.size(), std::size_t(kMaxPacket));
        QVERIFY(c.sent.empty());
        QVERIFY(c.client.consumed(id, kMaxPacket));
        QCOMPARE(c.sent.size(), std::size_t(1));
        wire::Writer refill(msg::ChannelWindowAdjust);
        refill.uint32(9).uint32(kMaxPacket);
        QCOMPARE(hex(c.sent[0]), hex(refill.bytes()));
        c.sent.clear();

        // EOF both ways, then the server's CLOSE is answered and ends the channel.
        QVERIFY(c.receive(channelMessage(msg::ChannelEof, id)));
        QCOMPARE(c.take<ChannelEofEvent>().size(), std::size_t(1));
        QVERIFY(c.client.sendEof(id));
        QCOMPARE(hex(c.sent.back()), hex(channelMessage(msg::ChannelEof, 9)));
        QVERIFY(c.receive(channelMessage(msg::ChannelClose, id)));
        QCOMPARE(hex(c.sent.back()), hex(channelMessage(msg::ChannelClose, 9)));
        auto closed = c.take<ChannelClosedEvent>();
        QCOMPARE(closed.size(), std::size_t(1));
        QCOMPARE(closed[0].id, id);
        QCOMPARE(c.client.channelCount(), std::size_t(1)); // the session remains
        // Later messages for the closed channel are for an unknown channel.
        Status late = c.receive(channelData(id, 1));
        QVERIFY(!late);
        QVERIFY(late.error().message.find("unknown channel") != std::string::npos);
    }

    void closingAnAcceptedChannelFirst() {
        Connection c;
        auto request = c.forwardAndConnect("", 2222, 31);
        QVERIFY(request);
        auto id = c.client.acceptChannelOpen(request->id);
        QVERIFY(id);
        QVERIFY(c.client.closeChannel(*id));
        QCOMPARE(hex(c.sent.back()), hex(channelMessage(msg::ChannelClose, 31)));
        // Data in flight when we closed is dropped, its window handed back.
        QVERIFY(c.receive(channelData(*id, 10)));
        QVERIFY(c.take<ChannelDataEvent>().empty());
        QVERIFY(c.receive(channelMessage(msg::ChannelClose, *id)));
        QCOMPARE(c.take<ChannelClosedEvent>().size(), std::size_t(1));
        QCOMPARE(c.client.channelCount(), std::size_t(0));
    }

    void rejectedChannelOpen() {
        Connection c;
        auto request = c.forwardAndConnect("127.0.0.1", 8022, 12);
        QVERIFY(request);
        QVERIFY(c.client.rejectChannelOpen(request->id, 2, "connect failed"));
        QCOMPARE(c.sent.size(), std::size_t(1));
        QCOMPARE(hex(c.sent[0]), hex(channelOpenFailure(12, 2, "connect failed")));
        QCOMPARE(c.client.pendingChannelOpenCount(), std::size_t(0));
        QCOMPARE(c.client.channelCount(), std::size_t(0));
        // Answered already, and ids never issued: errors to the caller, nothing sent.
        QVERIFY(!c.client.rejectChannelOpen(request->id, 2, "again"));
        QVERIFY(!c.client.acceptChannelOpen(request->id));
        QVERIFY(!c.client.acceptChannelOpen(12345));
        QCOMPARE(c.sent.size(), std::size_t(1));
    }

    void serverOpenProtocolViolations_data() {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("error");
        auto bytes = [](const Bytes& b) { return QByteArray(reinterpret_cast<const char*>(b.data()), qsizetype(b.size())); };
        QTest::newRow("max packet 0") << bytes(forwardedTcpipOpen(1, "localhost", 8080, kWindow, 0))
                                      << "maximum packet size of 0";
        QTest::newRow("max packet 0, agent") << bytes(agentOpen(1, kWindow, 0)) << "maximum packet size of 0";
        Bytes trailing = agentOpen(1);
        trailing.push_back(0);
        QTest::newRow("agent open with trailing bytes") << bytes(trailing) << "malformed";
        Bytes shortX11 = x11Open(1);
        shortX11.resize(shortX11.size() - 2);
        QTest::newRow("x11 open cut short") << bytes(shortX11) << "malformed";
        Bytes shortTcpip = forwardedTcpipOpen(1, "localhost", 8080);
        shortTcpip.resize(shortTcpip.size() - 4);
        QTest::newRow("forwarded-tcpip without originator port") << bytes(shortTcpip) << "malformed";
        QTest::newRow("open header cut short") << QByteArray::fromHex("5a0000000378313100000001") << "malformed";
    }
    void serverOpenProtocolViolations() {
        QFETCH(QByteArray, payload);
        QFETCH(QString, error);
        Connection c;
        ChannelId session = c.openSession(500);
        QVERIFY(c.client.requestAgentForwarding(session));
        QVERIFY(c.client.requestTcpipForward("localhost", 8080));
        QVERIFY(c.receive(globalSuccess()));
        c.events.clear();
        Status status = c.receive(ByteView(reinterpret_cast<const std::uint8_t*>(payload.constData()),
                                           std::size_t(payload.size())));
        QVERIFY(!status);
        QVERIFY2(status.error().message.find(error.toStdString()) != std::string::npos,
                 status.error().message.c_str());
        QVERIFY(c.take<ChannelOpenRequestEvent>().empty());
    }

    void acceptedChannelViolations_data() {
        QTest::addColumn<int>("size");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("error");
        QTest::newRow("a full packet") << int(kMaxPacket) << true << "";
        QTest::newRow("beyond the max packet") << int(kMaxPacket) + 1 << false << "maximum packet size";
        QTest::newRow("beyond the window") << -1 << false << "beyond its window";
    }
    void acceptedChannelViolations() {
        QFETCH(int, size);
        QFETCH(bool, ok);
        QFETCH(QString, error);
        Connection c;
        ChannelId session = c.openSession(500);
        QVERIFY(c.client.requestAgentForwarding(session));
        QVERIFY(c.receive(agentOpen(3)));
        auto requests = c.take<ChannelOpenRequestEvent>();
        QCOMPARE(requests.size(), std::size_t(1));
        auto id = c.client.acceptChannelOpen(requests[0].id);
        QVERIFY(id);
        if (size < 0) {
            // Fill the window exactly, unconsumed, then one byte more.
            for (std::uint32_t sent = 0; sent < kWindow; sent += kMaxPacket)
                QVERIFY(c.receive(channelData(*id, kMaxPacket)));
            size = 1;
        }
        Status status = c.receive(channelData(*id, std::size_t(size)));
        QCOMPARE(bool(status), ok);
        if (!ok)
            QVERIFY2(status.error().message.find(error.toStdString()) != std::string::npos,
                     status.error().message.c_str());
    }

    void tcpipForwardPortZeroReturnsAllocatedPort() {
        Connection c;
        auto id = c.client.requestTcpipForward("", 0);
        QVERIFY(id);
        QCOMPARE(c.sent.size(), std::size_t(1));
        wire::Writer request(msg::GlobalRequest);
        request.string("tcpip-forward").boolean(true).string("").uint32(0);
        QCOMPARE(hex(c.sent[0]), hex(request.bytes()));

        QVERIFY(c.receive(globalSuccess(40123)));
        auto results = c.take<TcpipForwardResultEvent>();
        QCOMPARE(results.size(), std::size_t(1));
        QCOMPARE(results[0].id, *id);
        QCOMPARE(results[0].bindAddress, std::string());
        QCOMPARE(results[0].requestedPort, 0u);
        QCOMPARE(results[0].boundPort, 40123u);
        QVERIFY(results[0].success);
        QVERIFY(c.events.empty()); // no GlobalRequestResult as well

        // The forward is active at the bound port, and is cancelled by it.
        QVERIFY(c.receive(forwardedTcpipOpen(5, "", 40123)));
        QCOMPARE(c.take<ChannelOpenRequestEvent>().size(), std::size_t(1));
        c.sent.clear();
        QVERIFY(!c.client.cancelTcpipForward("", 0));
        QVERIFY(c.sent.empty());
        QVERIFY(c.client.cancelTcpipForward("", 40123));
        wire::Writer cancel(msg::GlobalRequest);
        cancel.string("cancel-tcpip-forward").boolean(true).string("").uint32(40123);
        QCOMPARE(hex(c.sent.back()), hex(cancel.bytes()));
        QVERIFY(c.receive(globalSuccess()));
        QVERIFY(c.events.empty());
        QVERIFY(!c.client.cancelTcpipForward("", 40123)); // no longer active
    }

    void tcpipForwardRepliesInRequestOrder() {
        Connection c;
        auto first = c.client.requestTcpipForward("localhost", 8080);
        QVERIFY(c.client.sendGlobalRequest("example@portal", {}, true));
        auto second = c.client.requestTcpipForward("localhost", 0);
        QVERIFY(first && second && *first != *second);
        QVERIFY(c.receive(Bytes{msg::RequestFailure}));
        QVERIFY(c.receive(globalSuccess()));
        QVERIFY(c.receive(globalSuccess(50000)));
        auto results = c.take<TcpipForwardResultEvent>();
        QCOMPARE(results.size(), std::size_t(2));
        QCOMPARE(results[0].id, *first);
        QVERIFY(!results[0].success);
        QCOMPARE(results[0].boundPort, 0u);
        QCOMPARE(results[1].id, *second);
        QVERIFY(results[1].success);
        QCOMPARE(results[1].boundPort, 50000u);
        auto others = c.take<GlobalRequestResultEvent>();
        QCOMPARE(others.size(), std::size_t(1));
        QCOMPARE(others[0].request, std::string("example@portal"));
        QVERIFY(others[0].success);
    }

    void tcpipForwardReplyViolations_data() {
        QTest::addColumn<int>("requestedPort");
        QTest::addColumn<QByteArray>("reply");
        QTest::addColumn<QString>("error");
        QTest::newRow("port 0 without the port") << 0 << QByteArray::fromHex("51") << "without the allocated port";
        QTest::newRow("port 0 allocated as 0") << 0 << QByteArray::fromHex("5100000000") << "allocated port 0";
        QTest::newRow("port 0 allocated beyond 65535") << 0 << QByteArray::fromHex("5100010000")
                                                       << "allocated port 65536";
        QTest::newRow("port 0 with trailing bytes") << 0 << QByteArray::fromHex("5100001f9000")
                                                    << "without the allocated port";
    }
    void tcpipForwardReplyViolations() {
        QFETCH(int, requestedPort);
        QFETCH(QByteArray, reply);
        QFETCH(QString, error);
        Connection c;
        QVERIFY(c.client.requestTcpipForward("localhost", std::uint32_t(requestedPort)));
        Status status =
            c.receive(ByteView(reinterpret_cast<const std::uint8_t*>(reply.constData()), std::size_t(reply.size())));
        QVERIFY(!status);
        QVERIFY2(status.error().message.find(error.toStdString()) != std::string::npos,
                 status.error().message.c_str());
    }

    void tcpipForwardArgumentsAndCancelRefusal() {
        Connection c;
        QVERIFY(!c.client.requestTcpipForward("localhost", 65536));
        QVERIFY(c.sent.empty());
        QVERIFY(!c.client.cancelTcpipForward("localhost", 8080)); // never forwarded
        QVERIFY(c.client.requestTcpipForward("localhost", 8080));
        QVERIFY(c.receive(globalSuccess()));
        QVERIFY(c.client.cancelTcpipForward("localhost", 8080));
        QVERIFY(c.receive(Bytes{msg::RequestFailure}));
        auto logs = c.take<LogEvent>();
        QCOMPARE(logs.size(), std::size_t(1));
        QVERIFY(logs[0].text.find("localhost:8080") != std::string::npos);
    }

    void forwardingRequestsOnTheWire() {
        Connection c;
        ChannelId session = c.openSession(500);
        c.sent.clear();
        QVERIFY(c.client.requestAgentForwarding(session));
        wire::Writer agent(msg::ChannelRequest);
        agent.uint32(500).string("auth-agent-req@openssh.com").boolean(false);
        QCOMPARE(hex(c.sent.back()), hex(agent.bytes()));

        QVERIFY(c.client.requestX11Forwarding(session, true, "MIT-MAGIC-COOKIE-1", "00ff00ff00ff00ff", 2));
        wire::Writer x11(msg::ChannelRequest);
        x11.uint32(500).string("x11-req").boolean(true).boolean(true).string("MIT-MAGIC-COOKIE-1")
            .string("00ff00ff00ff00ff").uint32(2);
        QCOMPARE(hex(c.sent.back()), hex(x11.bytes()));
        QVERIFY(c.receive(channelMessage(msg::ChannelSuccess, session)));
        auto results = c.take<ChannelRequestResultEvent>();
        QCOMPARE(results.size(), std::size_t(1));
        QCOMPARE(results[0].request, std::string("x11-req"));
        QVERIFY(results[0].success);

        // RFC 4254 §6.3.1: the cookie is hexadecimal; anything else is refused before sending.
        std::size_t before = c.sent.size();
        QVERIFY(!c.client.requestX11Forwarding(session, false, "MIT-MAGIC-COOKIE-1", "not hex!", 0));
        QVERIFY(!c.client.requestX11Forwarding(session, false, "MIT-MAGIC-COOKIE-1", "abc", 0));
        QVERIFY(!c.client.requestX11Forwarding(session, false, "MIT-MAGIC-COOKIE-1", "", 0));
        QVERIFY(!c.client.requestAgentForwarding(999)); // no such channel
        QCOMPARE(c.sent.size(), before);
    }

    void x11SingleConnectionAllowsOneChannel() {
        Connection c;
        ChannelId session = c.openSession(500);
        QVERIFY(c.client.requestX11Forwarding(session, true, "MIT-MAGIC-COOKIE-1", "0011", 0));
        QVERIFY(c.receive(channelMessage(msg::ChannelSuccess, session)));
        QVERIFY(c.receive(x11Open(1)));
        QCOMPARE(c.take<ChannelOpenRequestEvent>().size(), std::size_t(1));
        c.sent.clear();
        QVERIFY(c.receive(x11Open(2)));
        QVERIFY(c.take<ChannelOpenRequestEvent>().empty());
        QCOMPARE(hex(c.sent.back()).left(18), hex(channelOpenFailure(2, kProhibited, "")).left(18));
    }

    void xonXoffIsReported_data() {
        QTest::addColumn<bool>("clientCanDo");
        QTest::addColumn<bool>("wantReply");
        QTest::newRow("client can do") << true << false;
        QTest::newRow("client cannot") << false << false;
        QTest::newRow("with want-reply") << true << true;
    }
    void xonXoffIsReported() {
        QFETCH(bool, clientCanDo);
        QFETCH(bool, wantReply);
        Connection c;
        ChannelId session = c.openSession(500);
        c.sent.clear();
        wire::Writer w(msg::ChannelRequest);
        w.uint32(session).string("xon-xoff").boolean(wantReply).boolean(clientCanDo);
        QVERIFY(c.receive(w.bytes()));
        auto events = c.take<FlowControlEvent>();
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events[0].id, session);
        QCOMPARE(events[0].clientCanDo, clientCanDo);
        if (wantReply)
            QCOMPARE(hex(c.sent.back()), hex(channelMessage(msg::ChannelSuccess, 500)));
        else
            QVERIFY(c.sent.empty());
        // Without its boolean the request is malformed.
        wire::Writer cut(msg::ChannelRequest);
        cut.uint32(session).string("xon-xoff").boolean(false);
        QVERIFY(!c.receive(cut.bytes()));
    }

    void pendingOpensAreBounded() {
        Connection c;
        ChannelId session = c.openSession(500);
        QVERIFY(c.client.requestAgentForwarding(session));
        const std::size_t limit = connection::ConnectionClient::kMaxPendingChannelOpens;
        for (std::uint32_t i = 0; i < limit; ++i)
            QVERIFY(c.receive(agentOpen(1000 + i)));
        QCOMPARE(c.take<ChannelOpenRequestEvent>().size(), limit);
        c.sent.clear();
        QVERIFY(c.receive(agentOpen(5000)));
        QVERIFY(c.take<ChannelOpenRequestEvent>().empty());
        wire::Reader r(c.sent.back());
        QCOMPARE(r.byte(), msg::ChannelOpenFailure);
        QCOMPARE(r.uint32(), 5000u);
        QCOMPARE(r.uint32(), kResourceShortage);
    }

    // 100 channels at once, half we open and half the server opens, each with its own windows:
    // what one channel receives, consumes or sends never moves another's.
    void hundredConcurrentChannelsHaveIndependentWindows() {
        Connection c;
        ChannelId session = c.openSession(10000);
        QVERIFY(c.client.requestAgentForwarding(session));
        std::vector<ChannelId> ids;
        std::map<ChannelId, std::uint32_t> remote;
        for (std::uint32_t i = 0; i < 49; ++i) {
            ChannelId id = c.openSession(20000 + i, 1000 + i, 100);
            ids.push_back(id);
            remote[id] = 20000 + i;
        }
        for (std::uint32_t i = 0; i < 50; ++i) {
            QVERIFY(c.receive(agentOpen(30000 + i, 1000 + 49 + i, 100)));
            auto requests = c.take<ChannelOpenRequestEvent>();
            QCOMPARE(requests.size(), std::size_t(1));
            auto id = c.client.acceptChannelOpen(requests[0].id);
            QVERIFY(id);
            ids.push_back(*id);
            remote[*id] = 30000 + i;
        }
        QCOMPARE(ids.size(), std::size_t(99));
        QCOMPARE(c.client.channelCount(), std::size_t(100));
        c.sent.clear();

        // Channel i first receives i % 30 + 1 packets of 1 KiB, each byte naming the channel;
        // even channels consume everything, odd ones stall.
        auto deliver = [&](std::size_t i, std::size_t packets) {
            for (std::size_t k = 0; k < packets; ++k)
                QVERIFY(c.receive(channelData(ids[i], 1024, std::uint8_t(i))));
        };
        auto consumeAll = [&](std::map<ChannelId, std::size_t>& received) {
            for (const ChannelDataEvent& data : c.take<ChannelDataEvent>()) {
                std::size_t index = std::size_t(std::find(ids.begin(), ids.end(), data.id) - ids.begin());
                QVERIFY(index < ids.size());
                QVERIFY(std::all_of(data.data.begin(), data.data.end(),
                                    [&](std::uint8_t b) { return b == std::uint8_t(index); }));
                received[data.id] += data.data.size();
                if (index % 2 == 0)
                    QVERIFY(c.client.consumed(data.id, data.data.size()));
            }
        };
        std::map<ChannelId, std::size_t> received;
        for (std::size_t i = 0; i < ids.size(); ++i)
            deliver(i, i % 30 + 1);
        consumeAll(received);
        for (std::size_t i = 0; i < ids.size(); ++i)
            QCOMPARE(received[ids[i]], (i % 30 + 1) * 1024);
        // Below half a window consumed (32 KiB), no channel is adjusted yet.
        QVERIFY(c.sent.empty());
        // Topping every channel up to 32 KiB adjusts exactly the consuming ones, by 32 KiB each.
        for (std::size_t i = 0; i < ids.size(); ++i)
            deliver(i, 32 - (i % 30 + 1));
        consumeAll(received);
        std::map<std::uint32_t, std::uint32_t> adjusted;
        for (const Bytes& packet : c.sent) {
            wire::Reader r(packet);
            QCOMPARE(r.byte(), msg::ChannelWindowAdjust);
            std::uint32_t recipient = r.uint32();
            adjusted[recipient] += r.uint32();
        }
        QCOMPARE(adjusted.size(), std::size_t(50));
        for (std::size_t i = 0; i < ids.size(); ++i) {
            QCOMPARE(received[ids[i]], std::size_t(32 * 1024));
            if (i % 2 == 0)
                QCOMPARE(adjusted[remote[ids[i]]], 32u * 1024);
            else
                QVERIFY(!adjusted.contains(remote[ids[i]]));
        }
        // A stalled channel is still bounded by its own window, whatever the others do.
        std::size_t stalled = 1;
        std::size_t stalledReceived = 32 * 1024;
        for (; stalledReceived + kMaxPacket <= kWindow; stalledReceived += kMaxPacket)
            QVERIFY(c.receive(channelData(ids[stalled], kMaxPacket, std::uint8_t(stalled))));
        QVERIFY(!c.receive(channelData(ids[stalled], kWindow - stalledReceived + 1, std::uint8_t(stalled))));

        // Send windows are the server's per-channel grants, each used up independently.
        Connection d;
        std::vector<ChannelId> mine;
        for (std::uint32_t i = 0; i < 100; ++i)
            mine.push_back(d.openSession(i, 100 + i, 64));
        for (std::uint32_t i = 0; i < 100; i += 3) {
            auto taken = d.client.sendData(mine[i], Bytes(1000, 0x55), false);
            QVERIFY(taken);
            QCOMPARE(*taken, std::size_t(100 + i));
        }
        for (std::uint32_t i = 0; i < 100; ++i)
            QCOMPARE(d.client.sendWindow(mine[i]), std::size_t(i % 3 == 0 ? 0 : 100 + i));
    }

    void channelOpenFailureForOurOpen() {
        Connection c;
        auto id = c.client.openDirectTcpip("example.org", 80, "127.0.0.1", 5555);
        QVERIFY(id);
        QVERIFY(c.receive(channelOpenFailure(*id, 2, "connect failed")));
        auto failed = c.take<ChannelOpenFailedEvent>();
        QCOMPARE(failed.size(), std::size_t(1));
        QCOMPARE(failed[0].reasonCode, 2u);
        QCOMPARE(c.client.channelCount(), std::size_t(0));
        // A second failure for the same (now free) number is an error.
        QVERIFY(!c.receive(channelOpenFailure(*id, 2, "connect failed")));
    }
};

QTEST_GUILESS_MAIN(TestConnectionClient)
#include "test_connection_client.moc"
