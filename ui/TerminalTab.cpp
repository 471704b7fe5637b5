// A terminal pane joined to an SSH shell channel.
#include "TerminalTab.h"

#include "ColorScheme.h"
#include "TerminalEmulator.h"
#include "TerminalSearchBar.h"
#include "TerminalView.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace portal::ui {

TerminalTab::TerminalTab(const Session& session, const Preferences& preferences, QWidget* parent)
    : ConnectionPane(parent)
    , session_(session)
    , preferences_(preferences)
{
    setObjectName(QStringLiteral("terminalTab"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    view_ = new terminal::TerminalView(this);
    view_->setObjectName(QStringLiteral("terminalView"));
    view_->installEventFilter(this);
    setFocusProxy(view_);
    layout->addWidget(view_, 1);

    searchBar_ = new TerminalSearchBar(view_, this);
    layout->addWidget(searchBar_);
    connect(view_, &terminal::TerminalView::searchRequested, searchBar_, &TerminalSearchBar::open);

    noticeBar_ = new QWidget(this);
    noticeBar_->setObjectName(QStringLiteral("noticeBar"));
    auto* bar = new QHBoxLayout(noticeBar_);
    notice_ = new QLabel(noticeBar_);
    notice_->setObjectName(QStringLiteral("notice"));
    notice_->setTextFormat(Qt::PlainText);
    notice_->setWordWrap(true);
    reconnectButton_ = new QPushButton(tr("&Reconnect"), noticeBar_);
    reconnectButton_->setObjectName(QStringLiteral("reconnect"));
    reconnectButton_->setFocusPolicy(Qt::NoFocus); // Enter in the terminal does the same
    connect(reconnectButton_, &QPushButton::clicked, this, [this] { reconnect(); });
    bar->addWidget(notice_, 1);
    bar->addWidget(reconnectButton_);
    noticeBar_->hide();
    layout->addWidget(noticeBar_);

    applyPreferences();

    connection_ = std::make_unique<TerminalConnection>(session_, preferences_, this, TerminalConnection::Events{
        [this] { emit statusChanged(); },
        [this](const QByteArray& bytes) { view_->receive(bytes); },
        [this](const QString& text, bool offerReconnect) {
            notice_->setText(text);
            reconnectButton_->setVisible(offerReconnect);
            noticeBar_->setVisible(!text.isEmpty());
        }});

    // Terminal → channel: keys, pastes and the emulator's replies.
    connect(view_, &terminal::TerminalView::sendBytes, this, [this](const QByteArray& bytes) { connection_->send(bytes); });
    connect(view_, &terminal::TerminalView::terminalSizeChanged, this,
            [this](int columns, int rows, int, int) { connection_->resize(columns, rows); });
    connect(view_, &terminal::TerminalView::titleChanged, this, [this] { emit titleChanged(); });
    connect(view_, &terminal::TerminalView::pasteConfirmationRequested, this, [this](const QString& text) {
        if (!preferences_.confirmMultilinePaste) {
            view_->answerPaste(true);
            return;
        }
        const int lines = int(text.count(u'\n')) + 1;
        const auto answer = QMessageBox::question(this, tr("Paste"),
                                                  tr("Paste %1 lines into the shell? Each line may run as a command.").arg(lines),
                                                  QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        view_->answerPaste(answer == QMessageBox::Yes);
    });

    connection_->resize(view_->columns(), view_->rows());
    connection_->start();
}

TerminalTab::~TerminalTab() = default;

void TerminalTab::applyPreferences()
{
    const TerminalOverrides& o = session_.terminal;
    QFont font(o.fontFamily.isEmpty() ? preferences_.fontFamily : o.fontFamily);
    font.setStyleHint(QFont::Monospace);
    font.setPointSize(o.fontPointSize > 0 ? o.fontPointSize : preferences_.fontPointSize);
    view_->setTerminalFont(font);
    view_->setColorScheme(terminal::ColorScheme::named(o.colorScheme.isEmpty() ? preferences_.colorScheme : o.colorScheme));
    view_->setScrollbackLines(o.scrollbackLines > 0 ? o.scrollbackLines : preferences_.scrollbackLines);
    view_->setCopyOnSelect(preferences_.copyOnSelect);
    view_->setCursorBlinking(preferences_.cursorBlinks);
}

QString TerminalTab::title() const
{
    const QString remote = view_->emulator().title();
    return remote.isEmpty() ? session_.name : remote;
}

QString TerminalTab::screenText() const
{
    terminal::TerminalEmulator& emulator = view_->emulator();
    QStringList lines;
    for (int row = 0; row < emulator.rows(); ++row) {
        QString line = emulator.text(row);
        while (line.endsWith(u' '))
            line.chop(1);
        lines << line;
    }
    return lines.join(u'\n');
}

QSize TerminalTab::gridSize() const
{
    return {view_->columns(), view_->rows()};
}

QString TerminalTab::noticeText() const
{
    return noticeBar_->isHidden() ? QString() : notice_->text();
}

void TerminalTab::reconnect()
{
    if (isLive())
        return;
    view_->receive(QByteArrayLiteral("\r\n")); // the new session starts below the old output
    connection_->reconnect();
}

bool TerminalTab::eventFilter(QObject* watched, QEvent* event)
{
    // While disconnected, Enter reconnects; the terminal keeps what it showed.
    if (watched == view_ && event->type() == QEvent::KeyPress && !isLive()) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            reconnect();
            return true;
        }
    }
    return ConnectionPane::eventFilter(watched, event);
}

} // namespace portal::ui
