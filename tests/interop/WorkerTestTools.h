// Test support for the SshWorker runtime tests: a worker running in its own thread and
// authenticated against a fixture server, a TCP echo server that honours half-close, and a
// blocking client that sends, half-closes and reads to EOF (plain POSIX sockets on threads of
// their own, so neither depends on the Qt code under test).
#pragma once

#include "SshServer.h"
#include "SshWorker.h"

#include <QByteArray>
#include <QSignalSpy>
#include <QString>
#include <QTest>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace portal::test {

// The configuration most runtime tests start from: the server's test user, its host keys
// written to `knownHostsPath` under StrictHostKeyChecking=yes, publickey only, with `identity`
// (a private key path) unless it is empty.
protocol::client::ClientConfig
publickeyConfig(const SshServer& server, const QString& knownHostsPath, const QString& identity);

// An SshWorker in its own thread, connected and authenticated (or failed, with why()).
class RunningWorker {
public:
    RunningWorker(protocol::client::ClientConfig config, protocol::qt::ConnectOptions options = {});
    ~RunningWorker();

    protocol::qt::SshWorker* worker() const { return worker_; }
    // Connects and waits up to `timeoutMs` for authenticated or disconnected.
    bool connectAndAuthenticate(int timeoutMs = 20000);
    QString why() const { return why_; }
    // Runs `call` in the worker's thread and waits for it.
    void run(const std::function<void(protocol::qt::SshWorker*)>& call);

    // Text of every logMessage so far (collected in the worker's thread).
    QStringList log() const;
    // The error of the disconnected signal, or an empty message.
    QString disconnectReason() const;

    std::unique_ptr<QSignalSpy> authenticated;
    std::unique_ptr<QSignalSpy> disconnected;

private:
    protocol::qt::SshWorker* worker_;
    std::unique_ptr<protocol::qt::SshWorkerThread> thread_;
    QString why_;
    mutable std::mutex logMutex_;
    QStringList log_;
};

// Accepts on 127.0.0.1 (a free port): every connection echoes what it reads; at the
// client's EOF it shuts down its own writing side and closes.
class EchoServer {
public:
    enum class Mode {
        Echo,        // echo as it reads
        DigestAtEof, // read to EOF, then answer the SHA-256 of it (needs a true half-close)
        Flood,       // write kFloodBytes of a counter pattern as fast as the peer takes them
        Sink,        // shut down our writing side at once, then read to EOF; sinkDigests()
    };
    static constexpr qint64 kFloodBytes = 32 * 1024 * 1024;
    explicit EchoServer(Mode mode = Mode::Echo);
    ~EchoServer();
    quint16 port() const { return port_; }
    int connectionsServed() const { return served_.load(); }
    // Sink mode: hex SHA-256 of what each finished connection delivered, in finishing order.
    QList<QByteArray> sinkDigests() const;
    // Flood mode: bytes the kernel accepted from us so far, over all connections.
    qint64 bytesFlooded() const { return flooded_.load(); }

private:
    void acceptLoop();
    Mode mode_;
    int listener_ = -1;
    quint16 port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> served_{0};
    std::atomic<qint64> flooded_{0};
    std::thread acceptThread_;
    mutable std::mutex mutex_;
    QList<QByteArray> sinkDigests_;
    std::vector<std::thread> connections_;
};

// Connects to 127.0.0.1:port (or a Unix socket path), writes `data`, shuts down writing,
// reads until EOF. nullopt (with *error) on a failure or after `timeoutMs`.
std::optional<QByteArray> exchangeTcp(quint16 port, const QByteArray& data, int timeoutMs,
                                      QString* error);
std::optional<QByteArray> exchangeUnix(const QString& path, const QByteArray& data, int timeoutMs,
                                       QString* error);
// Any connected socket fd: the same exchange.
std::optional<QByteArray> exchangeOnSocket(int fd, const QByteArray& data, int timeoutMs,
                                           QString* error);

// A SOCKS5 CONNECT (RFC 1928, no authentication) to 127.0.0.1:targetPort through the proxy
// on 127.0.0.1:proxyPort: the connected socket, or -1.
int socks5Connect(quint16 proxyPort, quint16 targetPort);

// Nothing listens on 127.0.0.1:port: a connection there is refused (ECONNREFUSED).
bool refusesConnections(quint16 port);

QByteArray randomBytes(qsizetype size);

// Runs `command` in a new session channel of an authenticated worker; returns stdout (stderr
// appended to *error on failure), or nullopt after `timeoutMs` or when the exec fails.
std::optional<QByteArray> runExec(RunningWorker& running, const QByteArray& command, int timeoutMs,
                                  QString* error, const QByteArray& input = {});

} // namespace portal::test
