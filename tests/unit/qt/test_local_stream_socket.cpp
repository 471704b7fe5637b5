// LocalStreamSocket::sendNow(), the copy-free write the SSH connection's TCP stream uses: it
// sends only what the kernel takes, keeps order behind queued chunks, says when it can go on
// (writable()), and reports a broken peer.
#include "LocalStreamSocket.h"

#include <QSignalSpy>
#include <QTest>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using portal::protocol::qt::LocalStreamSocket;

namespace {

QByteArray pattern(qsizetype size) {
    QByteArray out(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
    return out;
}

// Everything readable on `fd` now (non-blocking).
QByteArray drain(int fd) {
    QByteArray out;
    char buffer[65536];
    for (;;) {
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (got <= 0)
            return out;
        out.append(buffer, got);
    }
}

} // namespace

class TestLocalStreamSocket : public QObject {
    Q_OBJECT
private slots:
    void init() {
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
        // A small send buffer, so the kernel takes only part of a large send.
        const int size = 64 * 1024;
        ::setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    }
    void cleanup() {
        if (fds_[1] >= 0)
            ::close(fds_[1]);
        fds_[1] = -1; // fds_[0] belongs to the socket under test
    }

    void sendNowTakesWhatTheKernelTakes() {
        LocalStreamSocket socket(fds_[0]);
        QSignalSpy writable(&socket, &LocalStreamSocket::writable);
        const QByteArray data = pattern(4 * 1024 * 1024 + 3);
        qint64 sent = socket.sendNow(data.constData(), data.size());
        QVERIFY2(sent > 0 && sent < data.size(), qPrintable(QString::number(sent)));
        QCOMPARE(socket.bytesToWrite(), 0); // nothing copied into a queue
        QByteArray received;
        for (int round = 0; round < 100000 && received.size() < data.size(); ++round) {
            received += drain(fds_[1]);
            const int before = static_cast<int>(writable.count());
            QCoreApplication::processEvents();
            if (writable.count() > before && sent < data.size()) {
                const qint64 more = socket.sendNow(data.constData() + sent, data.size() - sent);
                QVERIFY(more >= 0);
                sent += more;
            }
        }
        QCOMPARE(sent, data.size());
        QVERIFY(writable.count() > 0);
        QVERIFY(received == data);
    }

    void sendNowWaitsBehindQueuedChunks() {
        LocalStreamSocket socket(fds_[0]);
        QSignalSpy writable(&socket, &LocalStreamSocket::writable);
        socket.writeChunk(QByteArray("first "));
        // Queued bytes go first: sending now would overtake them.
        QCOMPARE(socket.sendNow("second", 6), 0);
        QTRY_COMPARE(writable.count(), 1);
        QCOMPARE(socket.bytesToWrite(), 0);
        QCOMPARE(socket.sendNow("second", 6), 6);
        QByteArray received;
        QTRY_COMPARE((received += drain(fds_[1])), QByteArray("first second"));
    }

    void sendNowToAClosedPeerFails() {
        LocalStreamSocket socket(fds_[0]);
        QSignalSpy disconnected(&socket, &LocalStreamSocket::disconnected);
        ::close(fds_[1]);
        fds_[1] = -1;
        QCOMPARE(socket.sendNow("lost", 4), -1); // EPIPE, without SIGPIPE
        QCOMPARE(socket.sendNow("lost", 4), -1); // and stays broken
        QTRY_COMPARE(disconnected.count(), 1);
        QVERIFY(!socket.errorString().isEmpty());
    }

private:
    int fds_[2] = {-1, -1};
};

QTEST_GUILESS_MAIN(TestLocalStreamSocket)
#include "test_local_stream_socket.moc"
