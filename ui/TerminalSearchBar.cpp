// The search bar of a terminal tab (see TerminalSearchBar.h).
#include "TerminalSearchBar.h"

#include "TerminalView.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QToolButton>

namespace portal::ui {

TerminalSearchBar::TerminalSearchBar(terminal::TerminalView* view, QWidget* parent)
    : QWidget(parent)
    , view_(view)
{
    setObjectName(QStringLiteral("searchBar"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 3, 6, 3);

    pattern_ = new QLineEdit(this);
    pattern_->setObjectName(QStringLiteral("searchPattern"));
    pattern_->setPlaceholderText(tr("Search scrollback"));
    pattern_->setClearButtonEnabled(true);
    pattern_->installEventFilter(this);
    // Room for a pattern in a narrow tab: the check boxes and the count give way first.
    pattern_->setMinimumWidth(pattern_->fontMetrics().horizontalAdvance(QLatin1Char('M')) * 12);
    regularExpression_ = new QCheckBox(tr("Re&gex"), this);
    regularExpression_->setObjectName(QStringLiteral("searchRegex"));
    regularExpression_->setToolTip(tr("Regular expression"));
    matchCase_ = new QCheckBox(tr("&Case"), this);
    matchCase_->setToolTip(tr("Match case"));
    matchCase_->setObjectName(QStringLiteral("searchMatchCase"));
    older_ = new QToolButton(this);
    older_->setObjectName(QStringLiteral("searchOlder"));
    older_->setArrowType(Qt::UpArrow);
    older_->setToolTip(tr("Older match (Enter)"));
    newer_ = new QToolButton(this);
    newer_->setObjectName(QStringLiteral("searchNewer"));
    newer_->setArrowType(Qt::DownArrow);
    newer_->setToolTip(tr("Newer match (Shift+Enter)"));
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("searchStatus"));
    status_->setMinimumWidth(status_->fontMetrics().horizontalAdvance(tr("9999 matches")));
    auto* close = new QToolButton(this);
    close->setObjectName(QStringLiteral("searchClose"));
    close->setText(QStringLiteral("✕"));
    close->setToolTip(tr("Close (Esc)"));

    layout->addWidget(pattern_, 1);
    layout->addWidget(regularExpression_);
    layout->addWidget(matchCase_);
    layout->addWidget(older_);
    layout->addWidget(newer_);
    layout->addWidget(status_);
    layout->addWidget(close);

    connect(pattern_, &QLineEdit::textChanged, this, [this] { search(); });
    connect(regularExpression_, &QCheckBox::toggled, this, [this] { search(); });
    connect(matchCase_, &QCheckBox::toggled, this, [this] { search(); });
    connect(older_, &QToolButton::clicked, this, [this] { move(true); });
    connect(newer_, &QToolButton::clicked, this, [this] { move(false); });
    connect(close, &QToolButton::clicked, this, [this] { this->close(); });
    connect(view_, &terminal::TerminalView::searchProgress, this,
            [this](int matches, bool finished) { showProgress(matches, finished); });
    hide();
}

void TerminalSearchBar::open()
{
    show();
    pattern_->setFocus(Qt::ShortcutFocusReason);
    pattern_->selectAll();
}

void TerminalSearchBar::close()
{
    view_->clearSearch();
    status_->clear();
    hide();
    view_->setFocus(Qt::OtherFocusReason);
}

QString TerminalSearchBar::statusText() const
{
    return status_->text();
}

bool TerminalSearchBar::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == pattern_ && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Escape) {
            close();
            return true;
        }
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            // Output grows downwards, so the first move from the bottom is to an older match.
            move(!(key->modifiers() & Qt::ShiftModifier));
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void TerminalSearchBar::search()
{
    const QString pattern = pattern_->text();
    if (pattern.isEmpty()) {
        view_->clearSearch();
        status_->clear();
        return;
    }
    if (regularExpression_->isChecked() && !QRegularExpression(pattern).isValid()) {
        view_->clearSearch();
        status_->setText(tr("Invalid regular expression"));
        return;
    }
    view_->find(pattern, regularExpression_->isChecked(), matchCase_->isChecked(), true);
    showProgress(view_->searchMatchCount(), view_->searchFinished());
}

void TerminalSearchBar::move(bool older)
{
    if (pattern_->text().isEmpty())
        return;
    if (older)
        view_->findPrevious();
    else
        view_->findNext();
}

void TerminalSearchBar::showProgress(int matches, bool finished)
{
    if (pattern_->text().isEmpty())
        return;
    const QString count = matches == 1 ? tr("1 match") : tr("%1 matches").arg(matches);
    if (finished)
        status_->setText(matches == 0 ? tr("No matches") : count);
    else
        status_->setText(tr("Searching… %1").arg(count));
}

} // namespace portal::ui
