// One connection to a dynamic forward (-D): the SOCKS4/4a/5 request is parsed by the core's
// sans-I/O forward::SocksRequestParser, the target is reached through a direct-tcpip channel
// (RFC 4254 §7.2), the SOCKS reply tells the client how that went, and from then on a
// StreamBridge carries the bytes.
//
// Threading: used only in the thread of the SshWorker it belongs to.
#pragma once

#include "forward/SocksRequest.h"

#include <QObject>
#include <QPointer>
#include <QString>

class QIODevice;

namespace portal::protocol::qt {

class ChannelDevice;
class SshWorker;

class SocksSession : public QObject {
    Q_OBJECT
public:
    // Takes ownership of `client`; deletes itself when done (handing the streams to a bridge
    // on success). `label` names the forward in log messages.
    SocksSession(SshWorker* worker, QIODevice* client, QString peerAddress, quint16 peerPort,
                 QString label);

signals:
    void logMessage(int level, QString text);

private:
    void onClientReadable();
    void handle(forward::SocksStep step);
    void fail(const Bytes& reply, const QString& message);

    QPointer<SshWorker> worker_;
    QIODevice* client_;
    QString peerAddress_;
    quint16 peerPort_;
    QString label_;
    forward::SocksRequestParser parser_;
    forward::SocksVersion version_ = forward::SocksVersion::Socks5;
    bool requestDone_ = false;
};

// Writes what `device` has buffered, then closes it and schedules its deletion.
void closeWhenWritten(QIODevice* device);

} // namespace portal::protocol::qt
