// A live terminal pane: a TerminalView joined to a TerminalConnection. Channel data goes to
// the emulator, keys and pastes go to the channel, size changes become window-change
// requests; while the connection is down the screen keeps its content, a notice says why,
// and Enter (or the button) reconnects.
#pragma once

#include "ConnectionPane.h"
#include "TerminalConnection.h"

#include <QSize>

#include <memory>

class QLabel;
class QPushButton;

namespace portal::terminal {
class TerminalView;
}

namespace portal::ui {

class TerminalSearchBar;

class TerminalTab : public ConnectionPane {
    Q_OBJECT
public:
    TerminalTab(const Session& session, const Preferences& preferences, QWidget* parent = nullptr);
    ~TerminalTab() override;

    const Session& session() const override { return session_; }
    QString title() const override;
    Status status() const override { return connection_->status(); }
    QString statusText() const override { return connection_->statusText(); }
    void reconnect() override;
    void disconnectNow() override { connection_->disconnect(); }
    std::optional<ConnectionDetails> connectionDetails() const override { return connection_->details(); }

    terminal::TerminalView* view() const { return view_; }
    // The search bar (Ctrl+Shift+F in the terminal); hidden until asked for.
    TerminalSearchBar* searchBar() const { return searchBar_; }
    // The visible screen as text, one line per row (trailing spaces trimmed).
    QString screenText() const;
    // The terminal size in character cells.
    QSize gridSize() const;
    // The notice shown while the connection is not up; empty when hidden.
    QString noticeText() const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void applyPreferences();

    Session session_;
    Preferences preferences_;
    terminal::TerminalView* view_ = nullptr;
    TerminalSearchBar* searchBar_ = nullptr;
    QWidget* noticeBar_ = nullptr;
    QLabel* notice_ = nullptr;
    QPushButton* reconnectButton_ = nullptr;
    std::unique_ptr<TerminalConnection> connection_;
};

} // namespace portal::ui
