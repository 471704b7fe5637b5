// portal-cli ssh connection options through the runtime, against OpenSSH sshd: -N -L carrying
// a TCP stream to a local echo server (and many at once), -D as a SOCKS5 proxy, -R with a
// port the server allocates, -J through a jump host (the same sshd, each hop with its own
// host-key check and key), ProxyCommand (OpenSSH's ssh -W), -W itself (also as OpenSSH's
// ProxyCommand), and ExitOnForwardFailure (also with -f) beside OpenSSH's ssh.
#include "PortalCliRunner.h"
#include "WorkerTestTools.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <algorithm>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace portal::test;

namespace {

// Holds a TCP port as something else's listener would, on every address of both families
// (IPv6 wildcard with IPV6_V6ONLY off, else IPv4 wildcard): a forward asking to listen there,
// here or on the server (the same machine), cannot bind it.
class HeldPort {
public:
    HeldPort() {
        fd_ = ::socket(AF_INET6, SOCK_STREAM, 0);
        if (fd_ >= 0) {
            const int off = 0;
            ::setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
            sockaddr_in6 address{};
            address.sin6_family = AF_INET6;
            address.sin6_addr = in6addr_any;
            if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
                ::close(fd_);
                fd_ = -1;
            }
        }
        if (fd_ < 0) {
            fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_addr.s_addr = htonl(INADDR_ANY);
            ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
        }
        ::listen(fd_, 4);
        sockaddr_storage bound{};
        socklen_t length = sizeof bound;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &length);
        port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                  : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    }
    ~HeldPort() { ::close(fd_); }
    HeldPort(const HeldPort&) = delete;
    HeldPort& operator=(const HeldPort&) = delete;
    quint16 port() const { return port_; }

private:
    int fd_ = -1;
    quint16 port_ = 0;
};

} // namespace

class TestCliForwarding : public QObject, public PortalCliTest {
    Q_OBJECT

    // portal-cli ssh -N <forward flags> to the server, running until the test ends it.
    void startForwarding(QProcess& process, const PortalCliRunner& cli, const QStringList& forwardArguments) const {
        cli.start(process, QStringList{QStringLiteral("-F"), writeConfig(cli), QStringLiteral("-N")} + forwardArguments);
    }

private slots:
    void initTestCase() { QVERIFY2(startServer(), qPrintable(server_->errorString())); }

    void cleanupTestCase() { server_.reset(); }

    // -N -L port:127.0.0.1:echo: 1 MiB through one connection, then 16 connections at once,
    // each getting back exactly what it sent.
    void localForwardCarriesStreams() {
        EchoServer echo;
        PortalCliRunner cli = trustingRunner();
        QString error;
        const quint16 port = findFreeLoopbackPort();
        QProcess process;
        startForwarding(process, cli, {QStringLiteral("-L"), QStringLiteral("%1:127.0.0.1:%2").arg(port).arg(echo.port())});
        QVERIFY(process.waitForStarted());
        const QByteArray data = randomBytes(1 << 20);
        std::optional<QByteArray> back;
        for (int attempt = 0; attempt < 100 && !back; ++attempt) {
            back = exchangeTcp(port, data, 20000, &error);
            if (!back)
                QTest::qWait(100); // not listening until authenticated
        }
        QVERIFY2(back, qPrintable(error + QString::fromLocal8Bit(process.readAllStandardError())));
        QVERIFY(*back == data);

        std::vector<std::thread> clients;
        std::vector<int> ok(16, 0);
        for (int i = 0; i < 16; ++i)
            clients.emplace_back([&, i] {
                const QByteArray mine = randomBytes(64 * 1024 + i);
                QString why;
                const std::optional<QByteArray> got = exchangeTcp(port, mine, 30000, &why);
                ok[i] = got && *got == mine;
            });
        for (std::thread& client : clients)
            client.join();
        QCOMPARE(std::count(ok.begin(), ok.end(), 1), 16L);
        QVERIFY(process.state() == QProcess::Running); // -N stays until it is ended
        process.terminate();
        QVERIFY(process.waitForFinished(5000));
    }

    // -N -D port: a SOCKS5 CONNECT to the echo server through the tunnel.
    void dynamicForwardSocks5() {
        EchoServer echo;
        PortalCliRunner cli = trustingRunner();
        QString error;
        const quint16 port = findFreeLoopbackPort();
        QProcess process;
        startForwarding(process, cli, {QStringLiteral("-D"), QStringLiteral("127.0.0.1:%1").arg(port)});
        QVERIFY(process.waitForStarted());
        int fd = -1;
        for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
            fd = socks5Connect(port, echo.port());
            if (fd < 0)
                QTest::qWait(100);
        }
        QVERIFY2(fd >= 0, process.readAllStandardError().constData());
        const QByteArray data = randomBytes(256 * 1024);
        const std::optional<QByteArray> back = exchangeOnSocket(fd, data, 20000, &error);
        QVERIFY2(back, qPrintable(error));
        QVERIFY(*back == data);
        process.terminate();
        QVERIFY(process.waitForFinished(5000));
    }

    // -N -R 0:127.0.0.1:echo: the server picks the port, portal-cli says which (as ssh(1)
    // does), and a connection to it on the server's side reaches the echo server here.
    void remoteForwardWithAllocatedPort() {
        EchoServer echo;
        PortalCliRunner cli = trustingRunner();
        QString error;
        QProcess process;
        startForwarding(process, cli, {QStringLiteral("-R"), QStringLiteral("0:127.0.0.1:%1").arg(echo.port())});
        QVERIFY(process.waitForStarted());
        QByteArray err;
        QElapsedTimer timer;
        timer.start();
        const QRegularExpression allocated(QStringLiteral("Allocated port (\\d+) for remote forward to 127.0.0.1:%1")
                                               .arg(echo.port()));
        QRegularExpressionMatch match;
        while (!(match = allocated.match(QString::fromLocal8Bit(err))).hasMatch() && timer.elapsed() < 15000) {
            process.waitForReadyRead(200);
            err += process.readAllStandardError();
        }
        QVERIFY2(match.hasMatch(), err.constData());
        const quint16 port = static_cast<quint16>(match.captured(1).toUInt());
        const QByteArray data = randomBytes(256 * 1024);
        const std::optional<QByteArray> back = exchangeTcp(port, data, 20000, &error);
        QVERIFY2(back, qPrintable(error));
        QVERIFY(*back == data);
        process.terminate();
        QVERIFY(process.waitForFinished(5000));
    }

    // ExitOnForwardFailure (ssh_config(5)): a forward that cannot be set up, -L on a local
    // port in use or -R on a port the server cannot bind (tcpip-forward refused, RFC 4254
    // §7.1), ends portal-cli with ssh's message and status 255; without it the same failure
    // is a warning and the session goes on. OpenSSH's ssh, run the same way, says the same.
    void exitOnForwardFailure_data() {
        QTest::addColumn<bool>("remote");
        QTest::newRow("-L, local port in use") << false;
        QTest::newRow("-R, refused by sshd") << true;
    }

    void exitOnForwardFailure() {
        QFETCH(bool, remote);
        PortalCliRunner cli = trustingRunner();
        const HeldPort held;
        QVERIFY(held.port() != 0);
        const QStringList forward{remote ? QStringLiteral("-R") : QStringLiteral("-L"),
                                  QStringLiteral("127.0.0.1:%1:127.0.0.1:9").arg(held.port())};
        const QString failed = remote ? QStringLiteral("Error: remote port forwarding failed for listen port %1").arg(held.port())
                                      : QStringLiteral("Could not request local forwarding.");
        const QString warned = remote ? QStringLiteral("Warning: remote port forwarding failed for listen port %1").arg(held.port())
                                      : failed;
        const QStringList common = QStringList{QStringLiteral("-F"), writeConfig(cli)} + forward +
                                   QStringList{QStringLiteral("-p"), QString::number(server_->port()), destination()};
        ToolOptions options;
        options.environment = cli.environment();
        options.timeoutMs = 20000;
        const QStringList portalSsh{QStringLiteral("ssh")};
        const QStringList exitOn{QStringLiteral("-o"), QStringLiteral("ExitOnForwardFailure=yes"), QStringLiteral("-N")};
        const QStringList goesOn{QStringLiteral("sleep 1; echo session-goes-on")};
        for (const auto& [program, prefix] : {std::pair{QStringLiteral("ssh"), QStringList()},
                                              std::pair{PortalCliRunner::program(), portalSsh}}) {
            // -N would run until ended: only the failure can end it, with 255 and the message.
            const ToolResult ended = runTool(program, prefix + exitOn + common, options);
            QVERIFY2(ended.started && !ended.timedOut && ended.exitCode == 255,
                     qPrintable(ended.describe(program)));
            QVERIFY2(ended.err.contains(failed.toUtf8()), qPrintable(program + ": " + ended.err));
            // Without ExitOnForwardFailure: the warning, then the command runs to its end.
            const ToolResult warning = runTool(program, prefix + common + goesOn, options);
            QVERIFY2(warning.succeeded(), qPrintable(warning.describe(program)));
            QCOMPARE(warning.out, QByteArray("session-goes-on\n"));
            QVERIFY2(warning.err.contains(warned.toUtf8()), qPrintable(program + ": " + warning.err));
        }
        // -G shows the option as ssh -G does.
        const ToolResult printed = runTool(PortalCliRunner::program(),
                                           portalSsh + QStringList{QStringLiteral("-G"), QStringLiteral("-o"),
                                                                   QStringLiteral("ExitOnForwardFailure=yes")} +
                                               common,
                                           options);
        QVERIFY2(printed.out.contains("\nexitonforwardfailure yes\n"), printed.out.constData());
    }

    // -f with ExitOnForwardFailure (ssh(1)): the fork to the background waits until every
    // forward is up (for -R, until the server's reply to tcpip-forward, RFC 4254 §7.1). A
    // forward that fails ends it there, with 255 and the message, never forked; one that is
    // up serves a connection the moment the foreground process has returned. OpenSSH's ssh
    // run the same way does the same.
    void backgroundAfterForwards_data() {
        QTest::addColumn<QString>("flag");
        QTest::addColumn<bool>("fails");
        QTest::newRow("-L up") << QStringLiteral("-L") << false;
        QTest::newRow("-R up") << QStringLiteral("-R") << false;
        QTest::newRow("-L, local port in use") << QStringLiteral("-L") << true;
        QTest::newRow("-R, refused by sshd") << QStringLiteral("-R") << true;
    }
    void backgroundAfterForwards() {
        QFETCH(QString, flag);
        QFETCH(bool, fails);
        EchoServer echo;
        const HeldPort held;
        for (const bool openssh : {true, false}) {
            const QString program = openssh ? QStringLiteral("ssh") : PortalCliRunner::program();
            PortalCliRunner cli = trustingRunner();
            const quint16 port = fails ? held.port() : findFreeLoopbackPort();
            const QStringList options{QStringLiteral("-F"), writeConfig(cli), QStringLiteral("-f"), QStringLiteral("-N"),
                                      QStringLiteral("-o"), QStringLiteral("ExitOnForwardFailure=yes"), flag,
                                      QStringLiteral("127.0.0.1:%1:127.0.0.1:%2").arg(port).arg(echo.port())};
            const ToolResult result = openssh ? cli.runOpenSsh(options, {}, {}, 20000) : cli.run(options, {}, {}, 20000);
            // Ended by PID when this round ends, whatever it found.
            const ProcessesToEnd background{cli.runningProcesses(program)};
            if (fails) {
                QVERIFY2(result.started && !result.timedOut && result.exitCode == 255, qPrintable(result.describe(program)));
                const QByteArray message = flag == QLatin1String("-L")
                                               ? QByteArray("Could not request local forwarding.")
                                               : "Error: remote port forwarding failed for listen port " +
                                                     QByteArray::number(port);
                QVERIFY2(result.err.contains(message), qPrintable(program + ": " + result.err));
                QVERIFY2(background.pids.isEmpty(), qPrintable(program + " forked although the forward failed"));
                continue;
            }
            QVERIFY2(result.succeeded(), qPrintable(result.describe(program)));
            QCOMPARE(background.pids.size(), 1);
            // Connected once, with no retry: the forward was up before the fork.
            QString error;
            const QByteArray data = randomBytes(64 * 1024);
            const std::optional<QByteArray> back = exchangeTcp(port, data, 20000, &error);
            QVERIFY2(back && *back == data, qPrintable(program + ": " + error));
        }
    }

    // -W 127.0.0.1:echo: stdin goes to the echo server through one direct-tcpip channel and
    // its answer comes back on stdout; stdin's EOF becomes the channel's EOF, the server's EOF
    // ends stdout, and portal-cli ends as OpenSSH's ssh -W does (status 0). A target that
    // refuses the connection ends it with ssh's message and 255.
    void stdioForward() {
        EchoServer echo;
        PortalCliRunner cli = trustingRunner();
        ToolOptions options;
        options.environment = cli.environment();
        options.input = randomBytes(1 << 20);
        options.timeoutMs = 30000;
        const QStringList common{QStringLiteral("-F"), writeConfig(cli), QStringLiteral("-p"),
                                 QString::number(server_->port()), destination()};
        const QStringList toEcho = QStringList{QStringLiteral("-W"), QStringLiteral("127.0.0.1:%1").arg(echo.port())} + common;
        const ToolResult ssh = runTool(QStringLiteral("ssh"), toEcho, options);
        QVERIFY2(ssh.succeeded(), qPrintable(ssh.describe(QStringLiteral("ssh"))));
        const ToolResult portal = runTool(PortalCliRunner::program(), QStringList{QStringLiteral("ssh")} + toEcho, options);
        QVERIFY2(portal.succeeded(), qPrintable(explain(portal, *server_)));
        QCOMPARE(portal.out.size(), options.input.size());
        QVERIFY(portal.out == options.input);

        // Nothing listens on a port just released: the channel open fails.
        options.input.clear();
        const QStringList toNothing =
            QStringList{QStringLiteral("-W"), QStringLiteral("127.0.0.1:%1").arg(findFreeLoopbackPort())} + common;
        const ToolResult refused = runTool(PortalCliRunner::program(), QStringList{QStringLiteral("ssh")} + toNothing, options);
        QCOMPARE(refused.exitCode, 255);
        QVERIFY2(refused.err.contains("open failed") && refused.err.contains("stdio forwarding failed"),
                 refused.err.constData());
    }

    // portal-cli -W as OpenSSH's ProxyCommand: ssh logs into the target through the jump
    // host's direct-tcpip channel that portal-cli carries on its stdin and stdout.
    void stdioForwardAsProxyCommandOfOpenSsh() {
        PortalCliRunner cli = trustingRunner();
        const QString config = writeConfig(cli);
        const QString proxy = QStringLiteral("ProxyCommand=%1 ssh -F %2 -p %3 -W %h:%p %4")
                                  .arg(PortalCliRunner::program(), config)
                                  .arg(server_->port())
                                  .arg(destination());
        ToolOptions options;
        options.environment = cli.environment();
        options.timeoutMs = 30000;
        const ToolResult ssh = runTool(QStringLiteral("ssh"),
                                       {QStringLiteral("-F"), config, QStringLiteral("-o"), proxy, QStringLiteral("-p"),
                                        QString::number(server_->port()), destination(), QStringLiteral("echo via-portal-W")},
                                       options);
        QVERIFY2(ssh.succeeded(), qPrintable(ssh.describe(QStringLiteral("ssh")) + "\n" + server_->log().right(1500)));
        QCOMPARE(ssh.out, QByteArray("via-portal-W\n"));
    }

    // -J through the same sshd: the jump host and the destination are two SSH connections,
    // each checked against known_hosts and authenticated with the key from the config.
    void jumpHost() {
        PortalCliRunner cli = trustingRunner();
        const ToolResult run =
            cli.run({QStringLiteral("-F"), writeConfig(cli), QStringLiteral("-J"),
                     QStringLiteral("%1:%2").arg(destination()).arg(server_->port()), QStringLiteral("-v")},
                    QStringLiteral("echo via-jump"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QCOMPARE(run.out, QByteArray("via-jump\n"));
        // Two logins reached the server: the hop's and the destination's.
        QVERIFY2(run.err.count("Authenticated to") >= 1, run.err.constData());
    }

    // ProxyCommand: the connection runs over OpenSSH's ssh -W to the same server.
    void proxyCommand() {
        PortalCliRunner cli = trustingRunner();
        const QString config = writeConfig(cli);
        const QString proxy = QStringLiteral("ProxyCommand=ssh -F %1 -p %2 -W %h:%p %3")
                                  .arg(config)
                                  .arg(server_->port())
                                  .arg(destination());
        const ToolResult run = cli.run({QStringLiteral("-F"), config, QStringLiteral("-o"), proxy},
                                       QStringLiteral("echo via-proxy"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QCOMPARE(run.out, QByteArray("via-proxy\n"));
    }
};

QTEST_GUILESS_MAIN(TestCliForwarding)
#include "test_cli_forwarding.moc"
