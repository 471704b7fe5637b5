// One SSH shell connection behind a terminal pane: runs an SshWorker in its own thread
// (ARCHITECTURE.md), answers its host-key decisions and prompts through the trusted dialogs
// (PromptDialogs.h), opens a session channel with a pty (RFC 4254 §6.2) and a shell or
// command, passes bytes both ways, forwards window-size changes (§6.7), and after a drop
// says why and reconnects on request or, per session, automatically with back-off.
// It knows no widget but the one its dialogs belong to; TerminalTab joins it to the view.
#pragma once

#include "ConnectionPane.h"

#include <QByteArray>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

class QTimer;

namespace portal::protocol {
struct Error;
}
namespace portal::protocol::client {
struct ClientConfig;
struct ConnectionInfo;
struct HostKeyDecision;
struct PromptEvent;
}
namespace portal::terminal {
class FeedQueue;
}
namespace portal::protocol::qt {
class SshWorkerThread;
struct ConnectOptions;
struct PortForward;
}

namespace portal::ui {

class TerminalConnection {
public:
    using Status = ConnectionPane::Status;
    struct Events {
        std::function<void()> statusChanged;
        std::function<void(const QByteArray&)> output; // the shell's output, for the emulator
        // A sentence for the notice bar; empty hides it. `offerReconnect` shows the button.
        std::function<void(const QString& text, bool offerReconnect)> notice;
    };

    // Dialogs are children of `owner`, which must outlive this object.
    TerminalConnection(const Session& session, const Preferences& preferences, QWidget* owner, Events events);
    ~TerminalConnection();
    TerminalConnection(const TerminalConnection&) = delete;
    TerminalConnection& operator=(const TerminalConnection&) = delete;

    // Connects (again); the pty gets the size last given to resize().
    void start();
    void reconnect(); // start() unless a connection is live
    void disconnect(); // the user ends it: SSH_MSG_DISCONNECT, no automatic reconnect
    void send(const QByteArray& bytes);   // dropped while no channel is open
    void resize(int columns, int rows);

    Status status() const { return status_; }
    const QString& statusText() const { return statusText_; }
    bool isLive() const;
    std::optional<ConnectionDetails> details() const { return details_; }
    int secondsUntilReconnect() const; // -1 when none is scheduled

    static protocol::client::ClientConfig clientConfigFor(const Session& session, const Preferences& preferences);
    // Where the connection goes through: the agent (when the session allows agent keys) and
    // the session's jump hosts, each hop authenticated with the agent, the default identity
    // files and prompts. Nothing when a jump host is not "[user@]host[:port]" (*error says which).
    static std::optional<protocol::qt::ConnectOptions> connectOptionsFor(const Session& session,
                                                                         const Preferences& preferences,
                                                                         QString* error);
    // The session's forwards in the runtime's terms.
    static QList<protocol::qt::PortForward> portForwardsFor(const Session& session);

private:
    void setStatus(Status status, const QString& text);
    void showNotice(const QString& text, bool offerReconnect);
    void onHostKeyDecision(const protocol::client::HostKeyDecision& decision);
    void onPrompt(const protocol::client::PromptEvent& prompt);
    void onAuthenticated(const QString& method, const protocol::client::ConnectionInfo& info);
    void onChannelOpened(quint32 channel);
    void onDisconnected(bool clean, const protocol::Error& error);
    void scheduleAutomaticReconnect();

    const Session session_;
    const Preferences preferences_;
    QWidget* owner_;
    Events events_;
    QTimer* reconnectTimer_ = nullptr;
    QTimer* countdownTimer_ = nullptr;
    int columns_ = 80;
    int rows_ = 24;

    // The shell's output, pushed by the worker's thread and fed to events_.output here in time
    // slices; declared before worker_ so that it outlives the thread that pushes into it.
    std::unique_ptr<terminal::FeedQueue> output_;
    std::unique_ptr<protocol::qt::SshWorkerThread> worker_;
    Status status_ = Status::Closed;
    QString statusText_;
    std::optional<ConnectionDetails> details_;
    std::optional<quint32> channel_;
    std::optional<quint32> exitStatus_;
    QString shownBanner_;        // banners are shown once per pane, not again on reconnect
    int generation_ = 0;         // counts connections; signals of a replaced one are ignored
    int reconnectAttempts_ = 0;  // consecutive automatic attempts, for back-off
    QList<ConnectTarget> jumpHostsInUse_; // user@host:port of each hop, to name their prompts
    bool userClosed_ = false;
    bool triedRememberedPassword_ = false;
};

} // namespace portal::ui
