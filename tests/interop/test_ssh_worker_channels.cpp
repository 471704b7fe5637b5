// Many channels over one connection to a real sshd (RFC 4254 §5): 100 concurrent exec
// channels each moving 10 MiB both ways through `cat` with equal checksums, and a consumer
// that stops reading holding the server at the receive window (§5.2) until it reads again.
#include "ClientKey.h"
#include "OpenSshServer.h"
#include "WorkerTestTools.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

using namespace portal::test;
using namespace portal::protocol;

namespace {

// One channel's traffic: what we sent (hashed as generated) and what came back.
struct Stream {
    qint64 sent = 0;
    qint64 queued = 0; // written to the worker, not yet reported by channelBytesWritten
    qint64 received = 0;
    QCryptographicHash sentHash{QCryptographicHash::Sha256};
    QCryptographicHash receivedHash{QCryptographicHash::Sha256};
    bool eofSent = false;
    bool closed = false;
};

} // namespace

class TestSshWorkerChannels : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    ClientKey key_;
    std::unique_ptr<OpenSshServer> server_;

    client::ClientConfig config() {
        return publickeyConfig(*server_, dir_.filePath(QStringLiteral("known_hosts")), key_.privatePath);
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        server_ = std::make_unique<OpenSshServer>();
        QVERIFY2(server_->startWithClientKey(&key_), qPrintable(server_->errorString()));
    }

    void cleanupTestCase() { server_.reset(); }

    void hundredChannelsTenMiBBothWays() {
        constexpr int kChannels = 100;
        const qint64 bytesPerChannel = qEnvironmentVariableIntValue("PORTAL_TEST_CHANNEL_MIB") > 0
                                           ? qEnvironmentVariableIntValue("PORTAL_TEST_CHANNEL_MIB") * qint64(1 << 20)
                                           : 10 * qint64(1 << 20);
        constexpr qint64 kChunk = 256 * 1024;
        constexpr qint64 kMaxQueued = 1024 * 1024; // per channel, so the test's memory stays small

        // Each channel sends a different window of one random pool, so no two streams match.
        QByteArray pool(1 << 20, Qt::Uninitialized);
        QRandomGenerator generator(20261125);
        generator.fillRange(reinterpret_cast<quint32*>(pool.data()), pool.size() / 4);

        RunningWorker running(config());
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        qt::SshWorker* worker = running.worker();
        std::map<quint32, Stream> streams;
        int failures = 0;

        auto feed = [&](quint32 channel) {
            Stream& s = streams[channel];
            const qint64 index = channel % kChannels;
            while (s.sent < bytesPerChannel && s.queued < kMaxQueued) {
                const qint64 n = std::min(kChunk, bytesPerChannel - s.sent);
                const qint64 from = (s.sent + index * 7919) % pool.size();
                QByteArray chunk = pool.mid(from, n);
                if (chunk.size() < n)
                    chunk += pool.left(n - chunk.size());
                s.sentHash.addData(chunk);
                s.sent += n;
                s.queued += n;
                QMetaObject::invokeMethod(worker, [worker, channel, chunk] { worker->write(channel, chunk); });
            }
            if (s.sent == bytesPerChannel && !s.eofSent) {
                s.eofSent = true;
                QMetaObject::invokeMethod(worker, [worker, channel] { worker->sendEof(channel); });
            }
        };
        connect(worker, &qt::SshWorker::channelOpened, this, [&](quint32 channel) {
            streams[channel];
            QMetaObject::invokeMethod(worker, [worker, channel] { worker->requestExec(channel, "cat"); });
        });
        connect(worker, &qt::SshWorker::channelOpenFailed, this, [&](quint32, quint32, const QString&) { ++failures; });
        connect(worker, &qt::SshWorker::channelRequestResult, this, [&](quint32 channel, const QString&, bool ok) {
            if (!ok)
                ++failures;
            else
                feed(channel);
        });
        connect(worker, &qt::SshWorker::channelBytesWritten, this, [&](quint32 channel, qint64 n) {
            streams[channel].queued -= n;
            feed(channel);
        });
        connect(worker, &qt::SshWorker::channelData, this, [&](quint32 channel, const QByteArray& data, bool extended) {
            if (extended)
                return;
            Stream& s = streams[channel];
            s.receivedHash.addData(data);
            s.received += data.size();
            QMetaObject::invokeMethod(worker, [worker, channel, n = data.size()] { worker->consumed(channel, n); });
        });
        connect(worker, &qt::SshWorker::channelClosed, this, [&](quint32 channel) { streams[channel].closed = true; });

        running.run([](qt::SshWorker* w) {
            for (int i = 0; i < kChannels; ++i)
                w->openSession();
        });
        auto closedCount = [&] {
            return std::count_if(streams.begin(), streams.end(), [](const auto& entry) { return entry.second.closed; });
        };
        QVERIFY2(QTest::qWaitFor([&] { return closedCount() == kChannels || failures > 0 || !running.disconnected->isEmpty(); },
                                 240000),
                 qPrintable(QStringLiteral("%1 of %2 channels done, %3 failures; %4")
                                .arg(closedCount())
                                .arg(kChannels)
                                .arg(failures)
                                .arg(running.disconnectReason())));
        QCOMPARE(failures, 0);
        QCOMPARE(int(streams.size()), kChannels);
        for (auto& [channel, s] : streams) {
            QCOMPARE(s.sent, bytesPerChannel);
            QCOMPARE(s.received, bytesPerChannel);
            QVERIFY2(s.receivedHash.result() == s.sentHash.result(), qPrintable(QStringLiteral("channel %1").arg(channel)));
        }
    }

    void stalledConsumerHoldsTheServerAtTheWindow() {
        // The receive window is refilled only by consumed(): while we do not consume, sshd may
        // send no more than the window, however much the command writes.
        client::ClientConfig cfg = config();
        cfg.channelWindowSize = 1024 * 1024;
        constexpr qint64 kTotal = 32 * 1024 * 1024;
        RunningWorker running(cfg);
        QVERIFY2(running.connectAndAuthenticate(), qPrintable(running.why()));
        qt::SshWorker* worker = running.worker();
        std::optional<quint32> channel;
        qint64 received = 0;
        bool consuming = false;
        bool closed = false;
        connect(worker, &qt::SshWorker::channelOpened, this, [&](quint32 id) {
            channel = id;
            QMetaObject::invokeMethod(worker, [worker, id] {
                worker->requestExec(id, "head -c 33554432 /dev/zero");
            });
        });
        connect(worker, &qt::SshWorker::channelData, this, [&](quint32 id, const QByteArray& data, bool) {
            received += data.size();
            if (consuming)
                QMetaObject::invokeMethod(worker, [worker, id, n = data.size()] { worker->consumed(id, n); });
        });
        connect(worker, &qt::SshWorker::channelClosed, this, [&](quint32) { closed = true; });
        running.run([](qt::SshWorker* w) { w->openSession(); });

        QVERIFY(QTest::qWaitFor([&] { return received > 0; }, 20000));
        QTest::qWait(1500); // plenty of time for sshd to overrun the window if it could
        QVERIFY2(received <= cfg.channelWindowSize,
                 qPrintable(QStringLiteral("%1 bytes arrived with a window of %2").arg(received).arg(cfg.channelWindowSize)));
        QVERIFY(received >= cfg.channelWindowSize / 2); // and it did fill most of it

        // Reading again: the rest arrives.
        consuming = true;
        QMetaObject::invokeMethod(worker, [worker, id = *channel, n = received] { worker->consumed(id, n); });
        QVERIFY2(QTest::qWaitFor([&] { return closed; }, 60000), qPrintable(QString::number(received)));
        QCOMPARE(received, kTotal);
    }
};

QTEST_GUILESS_MAIN(TestSshWorkerChannels)
#include "test_ssh_worker_channels.moc"
