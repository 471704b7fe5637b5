// What a main window holds in a tab or split pane: one connection's view. The window needs
// only its title, status and a few commands; TerminalTab is the pane for SSH terminals.
#pragma once

#include "PromptDialogs.h"
#include "Session.h"

#include <QIcon>
#include <QWidget>

#include <optional>

namespace portal::ui {

class ConnectionPane : public QWidget {
    Q_OBJECT
public:
    enum class Status { Connecting, Authenticating, Connected, Closed, Failed };

    using QWidget::QWidget;

    virtual const Session& session() const = 0;
    // The tab title: the remote window title when the server set one, else the session name.
    virtual QString title() const = 0;
    virtual Status status() const = 0;
    // A short phrase for the tab tooltip and status bar ("connected", "closed: exit 0", ...).
    virtual QString statusText() const = 0;
    virtual void reconnect() = 0;
    // Ends the connection now (SSH_MSG_DISCONNECT when one is open); the pane stays.
    virtual void disconnectNow() = 0;
    // What the connection negotiated, once it has.
    virtual std::optional<ConnectionDetails> connectionDetails() const = 0;

    // Live means closing it would cut a working or starting connection.
    bool isLive() const
    {
        const Status s = status();
        return s == Status::Connecting || s == Status::Authenticating || s == Status::Connected;
    }
    static QIcon statusIcon(Status status);

signals:
    void statusChanged();
    void titleChanged();
};

} // namespace portal::ui
