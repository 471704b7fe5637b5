// The local listening side of -L and -D (RFC 4254 §7.2 asks nothing of it): TCP on the
// forward's bind address and port (loopback only unless told otherwise, as OpenSSH's
// GatewayPorts=no), or a Unix socket path where the platform has them.
//
// Threading: used only in the thread of the SshWorker that owns it.
#pragma once

#include "SshWorker.h"

#include <QObject>
#include <QString>
#include <vector>

class QIODevice;
class QLocalServer;
class QTcpServer;

namespace portal::protocol::qt {

class ForwardListener : public QObject {
    Q_OBJECT
public:
    explicit ForwardListener(QObject* parent = nullptr);
    ~ForwardListener() override;

    // Starts listening for `forward` (Local or Dynamic). On success *boundPort is the port
    // bound (the one chosen when bindPort was 0; 0 for a Unix socket path).
    bool listen(const PortForward& forward, quint16* boundPort, QString* error);
    void stop();

signals:
    // A connection came in; the receiver takes ownership of `connection`.
    void accepted(QIODevice* connection, QString peerAddress, quint16 peerPort);

private:
    bool listenTcp(const PortForward& forward, quint16* boundPort, QString* error);
    bool listenUnix(const QString& path, QString* error);

    std::vector<QTcpServer*> tcpServers_;
    QLocalServer* localServer_ = nullptr;
    QString path_;
};

} // namespace portal::protocol::qt
