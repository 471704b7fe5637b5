// SshWorker port forwarding against a real OpenSSH sshd (RFC 4254 §7): -L over TCP and a
// Unix socket to a local echo server, many connections at once with their bytes compared,
// half-close both ways, and a refused target.
#include "ClientKey.h"
#include "OpenSshServer.h"
#include "ProcessTools.h"
#include "WorkerTestTools.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QtTest>
#include <arpa/inet.h>
#include <future>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace portal::test;
using namespace portal::protocol;
using portal::protocol::qt::PortForward;
using portal::protocol::qt::SshWorker;

namespace {

bool readExactly(int fd, char* buffer, int size) {
    for (int got = 0; got < size;) {
        pollfd readable{fd, POLLIN, 0};
        if (::poll(&readable, 1, 10000) <= 0)
            return false;
        const ssize_t n = ::read(fd, buffer + got, static_cast<size_t>(size - got));
        if (n <= 0)
            return false;
        got += static_cast<int>(n);
    }
    return true;
}

// Connects to the SOCKS port and asks for targetHost:targetPort the way `version` does
// ("5" and "4" with an IPv4 address, "4a" with a domain name); returns the connected descriptor
// once the proxy answered success, or -1 with *error.
int socksConnect(quint16 proxyPort, const QString& version, const QByteArray& targetHost,
                 quint16 targetPort, QString* error) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(proxyPort);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        *error = QStringLiteral("connect to the SOCKS port failed");
        ::close(fd);
        return -1;
    }
    QByteArray request;
    int replySize = 0;
    if (version == QLatin1String("5")) {
        // RFC 1928: greeting (no authentication), then CONNECT to an IPv4 address; the
        // request goes out without waiting for the method reply, as many clients do.
        request = QByteArray::fromHex("050100") + QByteArray::fromHex("05010001");
        in_addr ipv4{};
        ::inet_pton(AF_INET, targetHost.constData(), &ipv4);
        request.append(reinterpret_cast<const char*>(&ipv4), 4);
        replySize = 2 + 10;
    } else if (version == QLatin1String("4")) {
        // SOCKS4: the IPv4 address itself and a user id.
        in_addr ipv4{};
        ::inet_pton(AF_INET, targetHost.constData(), &ipv4);
        request = QByteArray::fromHex("0401") + QByteArray(1, char(targetPort >> 8)) +
                  QByteArray(1, char(targetPort & 0xff)) +
                  QByteArray(reinterpret_cast<const char*>(&ipv4), 4) + QByteArray("portal") +
                  QByteArray(1, '\0');
        replySize = 8;
    } else {
        // SOCKS4a: address 0.0.0.1, an empty user id, then the domain name.
        request = QByteArray::fromHex("0401") + QByteArray(1, char(targetPort >> 8)) +
                  QByteArray(1, char(targetPort & 0xff)) + QByteArray::fromHex("00000001") +
                  QByteArray(1, '\0') + targetHost + QByteArray(1, '\0');
        replySize = 8;
    }
    if (version == QLatin1String("5"))
        request.append(char(targetPort >> 8)).append(char(targetPort & 0xff));
    if (::write(fd, request.constData(), static_cast<size_t>(request.size())) != request.size()) {
        *error = QStringLiteral("write of the SOCKS request failed");
        ::close(fd);
        return -1;
    }
    QByteArray reply(replySize, '\0');
    if (!readExactly(fd, reply.data(), replySize)) {
        *error = QStringLiteral("no complete SOCKS reply");
        ::close(fd);
        return -1;
    }
    const bool ok = version == QLatin1String("5")
                        ? reply.startsWith(QByteArray::fromHex("0500050000"))
                        : reply.startsWith(QByteArray::fromHex("005a"));
    if (!ok) {
        *error = QStringLiteral("SOCKS reply %1").arg(QString::fromLatin1(reply.toHex()));
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

class TestSshWorkerForwarding : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    ClientKey key_;
    std::unique_ptr<OpenSshServer> server_;
    std::unique_ptr<EchoServer> echo_;

    client::ClientConfig config() {
        return publickeyConfig(*server_, dir_.filePath(QStringLiteral("known_hosts")),
                               key_.privatePath);
    }

    // Adds `forward` and waits for forwardReady; returns the bound port (0 and a failure
    // message in *why otherwise).
    static quint16 addForward(RunningWorker& running, const PortForward& forward, QString* why) {
        QSignalSpy ready(running.worker(), &SshWorker::forwardReady);
        QSignalSpy failed(running.worker(), &SshWorker::forwardFailed);
        QMetaObject::invokeMethod(running.worker(), [worker = running.worker(), forward] {
            worker->addForward(forward);
        });
        QElapsedTimer waited;
        waited.start();
        while (ready.isEmpty() && failed.isEmpty() && waited.elapsed() < 10000)
            QTest::qWait(10);
        if (!ready.isEmpty())
            return static_cast<quint16>(ready[0][1].toUInt());
        *why = failed.isEmpty() ? QStringLiteral("no forwardReady") : failed[0][1].toString();
        return 0;
    }

    // Runs `count` exchanges at once in threads while this thread's event loop runs.
    static QStringList parallelExchanges(
        int count,
        const std::function<std::optional<QByteArray>(const QByteArray&, QString*)>& exchange,
        qsizetype size) {
        std::vector<QByteArray> inputs;
        for (int i = 0; i < count; ++i)
            inputs.push_back(randomBytes(size + i * 997)); // lengths differ: no packet-size luck
        std::vector<std::future<QString>> results;
        for (int i = 0; i < count; ++i) {
            results.push_back(std::async(std::launch::async, [&exchange, input = inputs[i]] {
                QString error;
                const std::optional<QByteArray> echoed = exchange(input, &error);
                if (!echoed)
                    return error;
                if (QCryptographicHash::hash(*echoed, QCryptographicHash::Sha256) !=
                    QCryptographicHash::hash(input, QCryptographicHash::Sha256))
                    return QStringLiteral("echo differs: sent %1 bytes, got %2")
                        .arg(input.size())
                        .arg(echoed->size());
                return QString();
            }));
        }
        QStringList failures;
        for (auto& result : results) {
            while (result.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
                QTest::qWait(10);
            if (const QString failure = result.get(); !failure.isEmpty())
                failures << failure;
        }
        return failures;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        server_ = std::make_unique<OpenSshServer>();
        QVERIFY2(server_->startWithClientKey(&key_), qPrintable(server_->errorString()));
        echo_ = std::make_unique<EchoServer>();
    }

    void cleanupTestCase() {
        server_.reset();
        echo_.reset();
    }

    // -L 127.0.0.1:0:127.0.0.1:<echo>: 24 connections at once, each 256 KiB and more, each
    // echoed back whole; the client half-closes and still reads the tail.
    void localForwardCarriesParallelConnections() {
        RunningWorker running(config());
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        QString why;
        const quint16 port = addForward(
            running, {PortForward::Kind::Local, "127.0.0.1", 0, {}, "127.0.0.1", echo_->port()},
            &why);
        QVERIFY2(port != 0, qPrintable(why));
        const QStringList failures = parallelExchanges(
            24,
            [port](const QByteArray& input, QString* error) {
                return exchangeTcp(port, input, 30000, error);
            },
            256 * 1024);
        if (!failures.isEmpty())
            qWarning().noquote() << running.log().join(QLatin1Char('\n'));
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QStringLiteral("; "))));
    }

    // The server at the far end answers only after our EOF: local EOF must reach it as
    // channel EOF while the way back stays open (RFC 4254 §5.3).
    void localForwardHalfClose() {
        EchoServer digest(EchoServer::Mode::DigestAtEof);
        RunningWorker running(config());
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        QString why;
        const quint16 port = addForward(
            running, {PortForward::Kind::Local, {}, 0, {}, "127.0.0.1", digest.port()}, &why);
        QVERIFY2(port != 0, qPrintable(why));
        const QByteArray input = randomBytes(3 * 1024 * 1024 + 17);
        QString error;
        auto answer =
            std::async(std::launch::async, [&] { return exchangeTcp(port, input, 30000, &error); });
        while (answer.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
            QTest::qWait(10);
        const std::optional<QByteArray> reply = answer.get();
        QVERIFY2(reply.has_value(), qPrintable(error));
        QCOMPARE(*reply, QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex());
    }

    // A local client that does not read: the far end's writes stall once the channel window
    // (2 MiB), our bounded buffers and the kernels' socket buffers are full; nothing grows
    // without bound. Reading afterwards gets every byte in order.
    void localForwardSlowReaderBoundsMemory() {
        EchoServer flood(EchoServer::Mode::Flood);
        RunningWorker running(config());
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        QString why;
        const quint16 port = addForward(
            running, {PortForward::Kind::Local, "127.0.0.1", 0, {}, "127.0.0.1", flood.port()},
            &why);
        QVERIFY2(port != 0, qPrintable(why));
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        // A small receive buffer, so the stall shows in our buffers rather than the kernel's.
        const int small = 64 * 1024;
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(port);
        QVERIFY(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        // Wait until the flood has stalled: no progress over half a second.
        qint64 last = -1;
        QElapsedTimer waited;
        waited.start();
        while (flood.bytesFlooded() != last && waited.elapsed() < 20000) {
            last = flood.bytesFlooded();
            QTest::qWait(500);
        }
        const qint64 stalledAt = flood.bytesFlooded();
        qInfo("stalled at %lld bytes", static_cast<long long>(stalledAt));
        QVERIFY2(
            stalledAt < 16 * 1024 * 1024,
            qPrintable(QStringLiteral("%1 bytes in flight with nobody reading").arg(stalledAt)));
        QVERIFY2(stalledAt < EchoServer::kFloodBytes, "the flood never stalled");

        QString error;
        auto drained =
            std::async(std::launch::async, [&] { return exchangeOnSocket(fd, {}, 60000, &error); });
        while (drained.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
            QTest::qWait(10);
        const std::optional<QByteArray> received = drained.get();
        QVERIFY2(received.has_value(), qPrintable(error));
        QCOMPARE(received->size(), EchoServer::kFloodBytes);
        for (qsizetype i = 0; i < received->size(); i += 4099)
            QCOMPARE(static_cast<unsigned char>(received->at(i)),
                     static_cast<unsigned char>(i % 251));
    }

    // The far end sends EOF first and then reads an upload to its end: our EOF comes after
    // every byte, and the channel is not closed while bytes still wait for its window.
    void localForwardUploadAfterPeerEof() {
        EchoServer sink(EchoServer::Mode::Sink);
        RunningWorker running(config());
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        QString why;
        const quint16 port = addForward(
            running, {PortForward::Kind::Local, "127.0.0.1", 0, {}, "127.0.0.1", sink.port()},
            &why);
        QVERIFY2(port != 0, qPrintable(why));
        const QByteArray input = randomBytes(6 * 1024 * 1024 + 5);
        QString error;
        auto upload =
            std::async(std::launch::async, [&] { return exchangeTcp(port, input, 30000, &error); });
        while (upload.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
            QTest::qWait(10);
        const std::optional<QByteArray> echoed = upload.get();
        QVERIFY2(echoed.has_value(), qPrintable(error));
        QVERIFY(echoed->isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(sink.sinkDigests().size(), 1, 20000);
        QCOMPARE(sink.sinkDigests()[0],
                 QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex());
    }

    // -L on a Unix socket path.
    void localSocketForward() {
        RunningWorker running(config());
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        const QString path = dir_.filePath(QStringLiteral("forward.sock"));
        QString why;
        addForward(running, {PortForward::Kind::Local, {}, 0, path, "127.0.0.1", echo_->port()},
                   &why);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        const QStringList failures = parallelExchanges(
            4,
            [path](const QByteArray& input, QString* error) {
                return exchangeUnix(path, input, 30000, error);
            },
            100 * 1024);
        if (!failures.isEmpty())
            qWarning().noquote() << running.log().join(QLatin1Char('\n'));
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QStringLiteral("; "))));
    }

    // Nothing listens at the target: sshd refuses the channel and the local connection is
    // closed without data; the forward keeps working for the next connection.
    void localForwardToRefusedTarget() {
        RunningWorker running(config());
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        QString why;
        const quint16 closedPort = findFreeLoopbackPort();
        const quint16 port = addForward(
            running, {PortForward::Kind::Local, "127.0.0.1", 0, {}, "127.0.0.1", closedPort}, &why);
        QVERIFY2(port != 0, qPrintable(why));
        QString error;
        auto refused = std::async(std::launch::async,
                                  [&] { return exchangeTcp(port, "hello", 10000, &error); });
        while (refused.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
            QTest::qWait(10);
        const std::optional<QByteArray> reply = refused.get();
        QVERIFY2(!reply.has_value() || reply->isEmpty(), "data came back from a refused forward");
        QTRY_VERIFY_WITH_TIMEOUT(running.log().join('\n').contains(QStringLiteral("refused")),
                                 5000);
        QVERIFY(running.disconnected->isEmpty());
    }

    // -D: SOCKS5 and SOCKS4 (IPv4 address) and SOCKS4a (domain name) CONNECTs through to the
    // echo server, several of each at once.
    void dynamicForwardSocks() {
        RunningWorker running(config());
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        QString why;
        const quint16 port =
            addForward(running, {PortForward::Kind::Dynamic, "127.0.0.1", 0, {}, {}, 0}, &why);
        QVERIFY2(port != 0, qPrintable(why));
        const quint16 echoPort = echo_->port();
        for (const QString& version :
             {QStringLiteral("5"), QStringLiteral("4"), QStringLiteral("4a")}) {
            const QByteArray host = version == QLatin1String("4a") ? "localhost" : "127.0.0.1";
            const QStringList failures = parallelExchanges(
                6,
                [&](const QByteArray& input, QString* error) -> std::optional<QByteArray> {
                    const int fd = socksConnect(port, version, host, echoPort, error);
                    if (fd < 0)
                        return std::nullopt;
                    return exchangeOnSocket(fd, input, 30000, error);
                },
                64 * 1024);
            QVERIFY2(failures.isEmpty(), qPrintable(QStringLiteral("SOCKS%1: ").arg(version) +
                                                    failures.join(QStringLiteral("; "))));
        }
        // A target nothing listens on: after the method reply (05 00), a SOCKS5 reply with a
        // failure code (not 00), not a hang.
        QString error;
        auto refused = std::async(std::launch::async, [&] {
            return socksConnect(port, QStringLiteral("5"), "127.0.0.1", findFreeLoopbackPort(),
                                &error);
        });
        while (refused.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
            QTest::qWait(10);
        QCOMPARE(refused.get(), -1);
        QVERIFY2(error.startsWith(QStringLiteral("SOCKS reply 050005")) &&
                     !error.startsWith(QStringLiteral("SOCKS reply 05000500")),
                 qPrintable(error));
    }

    // -R 0:127.0.0.1:<echo>: sshd picks the port (reported by forwardReady) and each
    // connection to it comes back as a forwarded-tcpip channel that we connect to the echo
    // server; removing the forward cancels it on the server.
    void remoteForwardWithPortZero() {
        RunningWorker running(config());
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        QString why;
        const PortForward forward{PortForward::Kind::Remote, {}, 0, {}, "127.0.0.1", echo_->port()};
        const quint16 port = addForward(running, forward, &why);
        QVERIFY2(port != 0, qPrintable(why));
        const QStringList failures = parallelExchanges(
            8,
            [port](const QByteArray& input, QString* error) {
                return exchangeTcp(port, input, 30000, error);
            },
            128 * 1024);
        if (!failures.isEmpty())
            qWarning().noquote() << running.log().join(QLatin1Char('\n'));
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QStringLiteral("; "))));

        QMetaObject::invokeMethod(running.worker(), [worker = running.worker(), forward] {
            worker->removeForward(forward);
        });
        QString error;
        QTRY_VERIFY_WITH_TIMEOUT(!exchangeTcp(port, "x", 2000, &error).has_value(), 10000);
        QVERIFY(running.disconnected->isEmpty());
    }

    // removeForward stops listening; the connection stays up.
    void removedLocalForwardStopsListening() {
        RunningWorker running(config());
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        QString why;
        const PortForward forward{
            PortForward::Kind::Local, "127.0.0.1", 0, {}, "127.0.0.1", echo_->port()};
        const quint16 port = addForward(running, forward, &why);
        QVERIFY2(port != 0, qPrintable(why));
        QString error;
        QVERIFY2(exchangeTcp(port, "before", 10000, &error) == QByteArray("before"),
                 qPrintable(error));
        running.run([forward](SshWorker* worker) { worker->removeForward(forward); });
        QTRY_VERIFY_WITH_TIMEOUT(!exchangeTcp(port, "after", 2000, &error).has_value(), 5000);
        QVERIFY(error.contains(QStringLiteral("connect")));
        QVERIFY(running.disconnected->isEmpty());
    }

    // -R to a local port nothing listens on: each forwarded channel is refused (connect
    // failed), the server closes its side, and the connection carries on.
    void remoteForwardToRefusedTarget() {
        RunningWorker running(config());
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        QString why;
        const PortForward forward{PortForward::Kind::Remote, {}, 0, {}, "127.0.0.1",
                                  findFreeLoopbackPort()};
        const quint16 port = addForward(running, forward, &why);
        QVERIFY2(port != 0, qPrintable(why));
        QString error;
        auto attempt = std::async(std::launch::async,
                                  [&] { return exchangeTcp(port, "hello", 10000, &error); });
        while (attempt.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
            QTest::qWait(10);
        const std::optional<QByteArray> reply = attempt.get();
        QVERIFY2(!reply.has_value() || reply->isEmpty(), "data came back from a refused target");
        QTRY_VERIFY_WITH_TIMEOUT(
            running.log().join(QLatin1Char('\n')).contains(QStringLiteral("failed")), 5000);
        QVERIFY(running.disconnected->isEmpty());
    }

    // A bind address already taken is reported by forwardFailed, not silently ignored.
    void localForwardPortInUse() {
        RunningWorker running(config());
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        QString why;
        const quint16 port = addForward(
            running, {PortForward::Kind::Local, "127.0.0.1", echo_->port(), {}, "127.0.0.1", 1},
            &why);
        QCOMPARE(port, quint16(0));
        QVERIFY2(why.contains(QString::number(echo_->port())), qPrintable(why));
    }
};

QTEST_GUILESS_MAIN(TestSshWorkerForwarding)
#include "test_ssh_worker_forwarding.moc"
