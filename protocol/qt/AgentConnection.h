// The ssh-agent connection SshWorker authenticates with: the agent's local socket (a Unix
// socket named by SSH_AUTH_SOCK, or the Windows OpenSSH agent's named pipe, both through
// QLocalSocket) carrying the sans-I/O agent::AgentClient (draft-miller-ssh-agent §3).
//
// Threading: used only in the thread of the SshWorker that owns it.
#pragma once

#include "agent/AgentClient.h"

#include <QLocalSocket>
#include <QObject>
#include <QString>

namespace portal::protocol::qt {

class AgentConnection : public QObject {
    Q_OBJECT
public:
    explicit AgentConnection(QString socketPath, QObject* parent = nullptr);
    ~AgentConnection() override;

    // Where the user's agent listens: SSH_AUTH_SOCK when set; otherwise, on Windows, the
    // Windows OpenSSH agent's pipe (as its ssh.exe does); empty when there is none.
    static QString defaultAddress();

    // Starts connecting; requests made meanwhile wait in the client.
    void open();
    // The signer the core's ClientConfig::agent points at.
    agent::AgentClient* client() { return &client_; }
    // Writes the requests the client has queued (call after every pump of the core).
    void flush();

signals:
    // Replies were fed to the client (its handlers ran): the core has work to drain.
    void repliesDelivered();
    void logMessage(int level, QString text); // level: client::LogLevel

private:
    void onReadable();
    void onError();

    QString path_;
    QLocalSocket socket_;
    agent::AgentClient client_;
    QByteArray readBuffer_;
    bool failed_ = false;
};

} // namespace portal::protocol::qt
