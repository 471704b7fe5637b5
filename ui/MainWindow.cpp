// The main window: sidebar, quick connect, tabs and panes, menus and shortcuts.
#include "MainWindow.h"

#include "PreferencesDialog.h"
#include "SessionEditor.h"
#include "SessionImport.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDrag>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace portal::ui {

// The sidebar tree: Enter connects, and a drag moves items inside the model without the
// view removing the source rows afterwards (the model has already moved them).
class SessionTreeView : public QTreeView {
public:
    using QTreeView::QTreeView;
    std::function<void()> onActivate;

protected:
    void keyPressEvent(QKeyEvent* event) override
    {
        if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && state() != EditingState) {
            if (onActivate)
                onActivate();
            return;
        }
        QTreeView::keyPressEvent(event);
    }

    void startDrag(Qt::DropActions) override
    {
        const QModelIndexList indexes = selectedIndexes();
        if (indexes.isEmpty())
            return;
        auto* drag = new QDrag(this);
        drag->setMimeData(model()->mimeData(indexes));
        drag->exec(Qt::MoveAction);
    }
};

QIcon ConnectionPane::statusIcon(Status status)
{
    switch (status) {
    case Status::Connecting:
    case Status::Authenticating: return QIcon(QStringLiteral(":/icons/status-connecting.svg"));
    case Status::Connected: return QIcon(QStringLiteral(":/icons/status-connected.svg"));
    case Status::Closed: return QIcon(QStringLiteral(":/icons/status-closed.svg"));
    case Status::Failed: return QIcon(QStringLiteral(":/icons/status-failed.svg"));
    }
    return {};
}

namespace {

bool askWithMessageBox(QWidget* parent, const QString& title, const QString& question)
{
    return QMessageBox::question(parent, title, question, QMessageBox::Yes | QMessageBox::Cancel,
                                 QMessageBox::Cancel)
           == QMessageBox::Yes;
}

void collectPanes(QWidget* widget, QList<ConnectionPane*>& out)
{
    if (auto* pane = qobject_cast<ConnectionPane*>(widget)) {
        out << pane;
        return;
    }
    if (auto* splitter = qobject_cast<QSplitter*>(widget)) {
        for (int i = 0; i < splitter->count(); ++i)
            collectPanes(splitter->widget(i), out);
    }
}

QSplitter* newPage()
{
    auto* page = new QSplitter(Qt::Horizontal);
    page->setChildrenCollapsible(false);
    return page;
}

} // namespace

MainWindow::MainWindow(SessionLibrary& library, PaneFactory factory, QWidget* parent)
    : QMainWindow(parent)
    , library_(library)
    , factory_(std::move(factory))
    , confirm_(askWithMessageBox)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("Portal"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/portal.svg")));
    setAttribute(Qt::WA_DeleteOnClose);

    tabs_ = new QTabWidget(this);
    tabs_->setObjectName(QStringLiteral("tabs"));
    tabs_->setTabsClosable(true);
    tabs_->setMovable(true);
    tabs_->setDocumentMode(true);
    connect(tabs_, &QTabWidget::tabCloseRequested, this, [this](int index) { closeTab(index); });

    auto* welcome = new QLabel(this);
    welcome->setObjectName(QStringLiteral("welcome"));
    welcome->setTextFormat(Qt::PlainText);
    welcome->setAlignment(Qt::AlignCenter);
    welcome->setWordWrap(true);
    welcome->setText(tr("Double-click a saved session, or type user@host:port in Quick connect.\n\n"
                        "New session: %1    Keyboard shortcuts: %2")
                         .arg(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N).toString(QKeySequence::NativeText),
                              QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H).toString(QKeySequence::NativeText)));
    central_ = new QStackedWidget(this);
    central_->addWidget(welcome);
    central_->addWidget(tabs_);

    buildSidebar();
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(sidebar_);
    split->addWidget(central_);
    split->setStretchFactor(1, 1);
    split->setSizes({240, 760});
    setCentralWidget(split);

    buildActions();
    buildMenus();
    updateCentralPage();
    resize(1100, 700);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildSidebar()
{
    sidebar_ = new QWidget(this);
    sidebar_->setObjectName(QStringLiteral("sidebar"));
    auto* layout = new QVBoxLayout(sidebar_);
    layout->setContentsMargins(4, 4, 0, 4);

    quickConnect_ = new QComboBox(sidebar_);
    quickConnect_->setObjectName(QStringLiteral("quickConnect"));
    quickConnect_->setEditable(true);
    quickConnect_->setInsertPolicy(QComboBox::NoInsert);
    quickConnect_->addItems(library_.preferences().quickConnectHistory);
    quickConnect_->setCurrentIndex(-1);
    quickConnect_->lineEdit()->setPlaceholderText(tr("Quick connect: user@host:port"));
    connect(quickConnect_->lineEdit(), &QLineEdit::returnPressed, this, [this] { quickConnectActivated(); });
    layout->addWidget(quickConnect_);

    filter_ = new QLineEdit(sidebar_);
    filter_->setObjectName(QStringLiteral("sessionFilter"));
    filter_->setPlaceholderText(tr("Filter: name, host, user, tag"));
    filter_->setClearButtonEnabled(true);
    layout->addWidget(filter_);

    filterModel_.setSourceModel(&library_.model());
    tree_ = new SessionTreeView(sidebar_);
    tree_->setObjectName(QStringLiteral("sessionTree"));
    tree_->setModel(&filterModel_);
    tree_->setHeaderHidden(true);
    tree_->setDragDropMode(QAbstractItemView::DragDrop);
    tree_->setDefaultDropAction(Qt::MoveAction);
    tree_->setDropIndicatorShown(true);
    tree_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    tree_->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::SelectedClicked);
    tree_->setContextMenuPolicy(Qt::CustomContextMenu);
    tree_->expandAll();
    tree_->onActivate = [this] { connectSelectedSession(); };
    connect(tree_, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        if (!index.data(SessionTreeModel::IsFolderRole).toBool())
            connectSelectedSession();
    });
    connect(tree_, &QWidget::customContextMenuRequested, this, [this](const QPoint& p) { showSessionContextMenu(p); });
    connect(filter_, &QLineEdit::textChanged, this, [this](const QString& text) {
        filterModel_.setFilterText(text);
        tree_->expandAll();
    });
    // Enter in the filter connects to the first match, so "type, Enter" reaches a host.
    connect(filter_, &QLineEdit::returnPressed, this, [this] {
        std::function<QModelIndex(const QModelIndex&)> firstSession = [&](const QModelIndex& parent) -> QModelIndex {
            for (int row = 0; row < filterModel_.rowCount(parent); ++row) {
                const QModelIndex index = filterModel_.index(row, 0, parent);
                if (!index.data(SessionTreeModel::IsFolderRole).toBool())
                    return index;
                if (QModelIndex inner = firstSession(index); inner.isValid())
                    return inner;
            }
            return {};
        };
        if (const QModelIndex match = firstSession({}); match.isValid()) {
            tree_->setCurrentIndex(match);
            connectSelectedSession();
        }
    });
    connect(&library_.model(), &QAbstractItemModel::modelReset, tree_, &QTreeView::expandAll);
    connect(&library_.model(), &QAbstractItemModel::rowsInserted, tree_, [this](const QModelIndex& parent) {
        tree_->expand(filterModel_.mapFromSource(parent));
    });
    layout->addWidget(tree_, 1);
}

QAction* MainWindow::makeAction(const QString& text, const QKeySequence& shortcut, std::function<void()> slot,
                               QAction::MenuRole role)
{
    auto* action = new QAction(text, this);
    action->setShortcut(shortcut);
    action->setMenuRole(role);
    // Window-wide, so the shortcut works while the terminal has focus.
    action->setShortcutContext(Qt::WindowShortcut);
    connect(action, &QAction::triggered, this, [slot = std::move(slot)] { slot(); });
    QWidget::addAction(action);
    actions_ << action;
    return action;
}

void MainWindow::buildActions()
{
    // Ctrl+Shift chords throughout: plain Ctrl+letter belongs to the shell (Ctrl+W, Ctrl+R...).
    auto& a = sessionActions_;
    a.newSession = makeAction(tr("&New Session…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), [this] { newSession(); });
    a.newFolder = makeAction(tr("New &Folder…"), {}, [this] { newFolder(); });
    a.connect = makeAction(tr("&Connect"), {}, [this] { connectSelectedSession(); });
    a.connectNewWindow = makeAction(tr("Connect in New &Window"), {}, [this] { connectSelectedSession(true); });
    a.edit = makeAction(tr("&Edit…"), {}, [this] { editSession(currentSessionIndex()); });
    a.duplicate = makeAction(tr("D&uplicate"), {}, [this] { duplicateSession(); });
    a.rename = makeAction(tr("&Rename"), {}, [this] { renameItem(); });
    a.remove = makeAction(tr("&Delete…"), {}, [this] { deleteItem(); });
    a.copyCommand = makeAction(tr("Copy &ssh Command Line"), {}, [this] { copySshCommand(); });
    preferencesAction_ = makeAction(tr("&Preferences…"),
                                   QKeySequence::keyBindings(QKeySequence::Preferences).value(0, QKeySequence(Qt::CTRL | Qt::Key_Comma)),
                                   [this] { editPreferences(); }, QAction::PreferencesRole);
}

void MainWindow::buildMenus()
{
    const auto& a = sessionActions_;
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(a.newSession);
    file->addAction(a.newFolder);
    file->addAction(makeAction(tr("&Quick Connect"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T), [this] {
        quickConnect_->setFocus();
        quickConnect_->lineEdit()->selectAll();
    }));
    file->addAction(makeAction(tr("New &Window"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M), [this] {
        (new MainWindow(library_, factory_))->show();
    }));
    file->addSeparator();
    QMenu* import = file->addMenu(tr("&Import"));
    import->addAction(makeAction(tr("PuTTY Sessions Folder…"), {}, [this] { importFromPuttyDirectory(); }));
    import->addAction(makeAction(tr("PuTTY Registry Export (.reg)…"), {}, [this] { importFromPuttyRegistry(); }));
    import->addAction(makeAction(tr("OpenSSH Config…"), {}, [this] { importFromSshConfig(); }));
    import->addAction(makeAction(tr("Portal Sessions (JSON)…"), {}, [this] { importPortalJson(); }));
    file->addAction(makeAction(tr("&Export Sessions…"), {}, [this] { exportPortalJson(); }));
    file->addSeparator();
    file->addAction(makeAction(tr("&Close Tab"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W), [this] {
        if (tabs_->count())
            closeTab(tabs_->currentIndex());
    }));
    file->addAction(makeAction(tr("&Quit"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Q),
                              [] { QApplication::closeAllWindows(); }, QAction::QuitRole));

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(preferencesAction_);

    QMenu* session = menuBar()->addMenu(tr("&Session"));
    for (QAction* action : {a.connect, a.connectNewWindow, a.edit, a.duplicate, a.rename, a.remove, a.copyCommand})
        session->addAction(action);
    session->addSeparator();
    session->addAction(makeAction(tr("&Reconnect"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), [this] {
        if (ConnectionPane* pane = currentPane(); pane && !pane->isLive())
            pane->reconnect();
    }));
    session->addAction(makeAction(tr("Connection &Info…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I), [this] {
        ConnectionPane* pane = currentPane();
        const auto details = pane ? pane->connectionDetails() : std::nullopt;
        if (details)
            ConnectionInfoDialog(*details, this).exec();
        else
            statusBar()->showMessage(tr("No connection details yet."), 4000);
    }));

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(makeAction(tr("Focus Session &Filter"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), [this] {
        sidebar_->show();
        filter_->setFocus();
        filter_->selectAll();
    }));
    view->addAction(makeAction(tr("Show/Hide &Sidebar"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B),
                              [this] { sidebar_->setVisible(!sidebar_->isVisible()); }));
    view->addSeparator();
    view->addAction(makeAction(tr("Split &Left/Right"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
                              [this] { splitCurrentTab(Qt::Horizontal); }));
    view->addAction(makeAction(tr("Split &Top/Bottom"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
                              [this] { splitCurrentTab(Qt::Vertical); }));
    view->addAction(makeAction(tr("&Detach Tab to New Window"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D), [this] {
        if (tabs_->count())
            detachTab(tabs_->currentIndex());
    }));
    view->addAction(makeAction(tr("&Next Tab"), QKeySequence(Qt::CTRL | Qt::Key_PageDown), [this] {
        if (tabs_->count())
            tabs_->setCurrentIndex((tabs_->currentIndex() + 1) % tabs_->count());
    }));
    view->addAction(makeAction(tr("&Previous Tab"), QKeySequence(Qt::CTRL | Qt::Key_PageUp), [this] {
        if (tabs_->count())
            tabs_->setCurrentIndex((tabs_->currentIndex() + tabs_->count() - 1) % tabs_->count());
    }));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(makeAction(tr("&Keyboard Shortcuts"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H),
                              [this] { showShortcutHelp(); }));
    help->addAction(makeAction(tr("&About Portal"), {}, [this] {
        QMessageBox::about(this, tr("About Portal"),
                           tr("Portal %1\nA graphical SSH client: saved sessions, tabs with terminals, "
                              "and prompts you can trust.")
                               .arg(QApplication::applicationVersion()));
    }, QAction::AboutRole));
}

QList<QAction*> MainWindow::shortcutActions() const
{
    QList<QAction*> out;
    for (QAction* action : actions_) {
        if (!action->shortcut().isEmpty())
            out << action;
    }
    return out;
}

void MainWindow::showShortcutHelp()
{
    QDialog dialog(this);
    dialog.setObjectName(QStringLiteral("shortcutHelp"));
    dialog.setWindowTitle(tr("Keyboard Shortcuts"));
    auto* layout = new QVBoxLayout(&dialog);
    const QList<QAction*> actions = shortcutActions();
    auto* table = new QTableWidget(int(actions.size()), 2, &dialog);
    table->setHorizontalHeaderLabels({tr("Action"), tr("Keys")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (int row = 0; row < actions.size(); ++row) {
        table->setItem(row, 0, new QTableWidgetItem(actions[row]->text().remove(u'&').remove(QChar(0x2026))));
        table->setItem(row, 1, new QTableWidgetItem(actions[row]->shortcut().toString(QKeySequence::NativeText)));
    }
    table->resizeColumnsToContents();
    table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(table);
    layout->addWidget(new QLabel(tr("In the terminal: Ctrl+Shift+C copy, Ctrl+Shift+V paste, "
                                    "Shift+PgUp/PgDn scroll, Ctrl+Shift+F search."),
                                 &dialog));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::accept);
    layout->addWidget(buttons);
    dialog.resize(460, 520);
    dialog.exec();
}

QTreeView* MainWindow::sessionView() const
{
    return tree_;
}

QModelIndex MainWindow::currentSessionIndex() const
{
    return filterModel_.mapToSource(tree_->currentIndex());
}

void MainWindow::showSessionContextMenu(const QPoint& position)
{
    const QModelIndex proxyIndex = tree_->indexAt(position);
    if (proxyIndex.isValid())
        tree_->setCurrentIndex(proxyIndex);
    else
        tree_->setCurrentIndex({});
    const bool onSession = proxyIndex.isValid() && !proxyIndex.data(SessionTreeModel::IsFolderRole).toBool();
    const bool onItem = proxyIndex.isValid();
    const auto& a = sessionActions_;
    QMenu menu(this);
    if (onSession) {
        menu.addAction(a.connect);
        menu.addAction(a.connectNewWindow);
        menu.addSeparator();
        menu.addAction(a.edit);
        menu.addAction(a.duplicate);
    }
    if (onItem) {
        menu.addAction(a.rename);
        menu.addAction(a.remove);
        menu.addSeparator();
    }
    menu.addAction(a.newSession);
    menu.addAction(a.newFolder);
    if (onSession) {
        menu.addSeparator();
        menu.addAction(a.copyCommand);
    }
    menu.exec(tree_->viewport()->mapToGlobal(position));
}

void MainWindow::connectSelectedSession(bool inNewWindow)
{
    const QModelIndex index = currentSessionIndex();
    if (!index.isValid() || library_.model().isFolder(index))
        return;
    const Session session = library_.model().session(index);
    if (inNewWindow) {
        auto* window = new MainWindow(library_, factory_);
        window->show();
        window->openSession(session);
    } else {
        openSession(session);
    }
}

ConnectionPane* MainWindow::openSession(const Session& session)
{
    ConnectionPane* pane = factory_(session, library_.preferences());
    if (!pane)
        return nullptr;
    QSplitter* page = newPage();
    page->addWidget(pane);
    adoptPage(page);
    pane->setFocus();
    return pane;
}

ConnectionPane* MainWindow::openTarget(const ConnectTarget& target)
{
    Session session;
    session.id = QUuid::createUuid();
    session.name = target.toString();
    session.host = target.host;
    session.port = target.port;
    session.user = target.user.isEmpty() ? library_.preferences().defaultUser : target.user;
    return openSession(session);
}

bool MainWindow::openSavedSession(const QString& nameOrPath)
{
    const QModelIndex index = library_.model().findSession(nameOrPath);
    if (!index.isValid())
        return false;
    tree_->setCurrentIndex(filterModel_.mapFromSource(index));
    return openSession(library_.model().session(index)) != nullptr;
}

void MainWindow::quickConnectActivated()
{
    const QString text = quickConnect_->currentText().trimmed();
    const auto target = parseConnectTarget(text);
    if (!target) {
        statusBar()->showMessage(tr("“%1” is not user@host:port.").arg(text), 5000);
        return;
    }
    library_.rememberQuickConnect(target->toString());
    quickConnect_->clear();
    quickConnect_->addItems(library_.preferences().quickConnectHistory);
    quickConnect_->setCurrentIndex(-1);
    openTarget(*target);
}

void MainWindow::adoptPage(QSplitter* page)
{
    QList<ConnectionPane*> panes;
    collectPanes(page, panes);
    for (ConnectionPane* pane : panes)
        watchPane(pane);
    const int index = tabs_->addTab(page, QString());
    tabs_->setCurrentIndex(index);
    updateTab(page);
    updateCentralPage();
}

void MainWindow::watchPane(ConnectionPane* pane)
{
    auto update = [this, pane] {
        const int index = tabIndexOf(pane);
        if (index >= 0)
            updateTab(tabs_->widget(index));
    };
    connect(pane, &ConnectionPane::statusChanged, this, update);
    connect(pane, &ConnectionPane::titleChanged, this, update);
}

int MainWindow::tabIndexOf(const ConnectionPane* pane) const
{
    for (int i = 0; i < tabs_->count(); ++i) {
        if (tabs_->widget(i)->isAncestorOf(pane))
            return i;
    }
    return -1;
}

void MainWindow::updateTab(QWidget* page)
{
    const int index = tabs_->indexOf(page);
    if (index < 0)
        return;
    QList<ConnectionPane*> panes;
    collectPanes(page, panes);
    if (panes.isEmpty())
        return;
    // The tab speaks for the pane with focus, or the first one.
    ConnectionPane* lead = panes.first();
    for (ConnectionPane* pane : panes) {
        if (pane->isAncestorOf(QApplication::focusWidget()) || pane == QApplication::focusWidget())
            lead = pane;
    }
    QString title = lead->title();
    if (panes.size() > 1)
        title += QStringLiteral(" (+%1)").arg(panes.size() - 1);
    tabs_->setTabText(index, title);
    tabs_->setTabIcon(index, ConnectionPane::statusIcon(lead->status()));
    QStringList tips;
    for (ConnectionPane* pane : panes)
        tips << QStringLiteral("%1: %2").arg(pane->session().name, pane->statusText());
    tabs_->setTabToolTip(index, tips.join(u'\n'));
    if (index == tabs_->currentIndex())
        setWindowTitle(QStringLiteral("%1 — Portal").arg(lead->title()));
}

void MainWindow::updateCentralPage()
{
    central_->setCurrentIndex(tabs_->count() ? 1 : 0);
    if (!tabs_->count())
        setWindowTitle(QStringLiteral("Portal"));
}

QList<ConnectionPane*> MainWindow::panesInTab(int index) const
{
    QList<ConnectionPane*> panes;
    if (QWidget* page = tabs_->widget(index))
        collectPanes(page, panes);
    return panes;
}

ConnectionPane* MainWindow::currentPane() const
{
    const QList<ConnectionPane*> panes = panesInTab(tabs_->currentIndex());
    for (ConnectionPane* pane : panes) {
        if (pane->isAncestorOf(QApplication::focusWidget()) || pane == QApplication::focusWidget())
            return pane;
    }
    return panes.value(0);
}

bool MainWindow::closeTab(int index)
{
    QWidget* page = tabs_->widget(index);
    if (!page)
        return false;
    const QList<ConnectionPane*> panes = panesInTab(index);
    const auto live = std::count_if(panes.begin(), panes.end(), [](ConnectionPane* p) { return p->isLive(); });
    if (live > 0
        && !confirm_(this, tr("Close tab"),
                     live == 1 ? tr("A connection in this tab is still open. Close it?")
                               : tr("%1 connections in this tab are still open. Close them?").arg(live))) {
        return false;
    }
    for (ConnectionPane* pane : panes)
        pane->disconnectNow();
    tabs_->removeTab(index);
    page->deleteLater();
    updateCentralPage();
    return true;
}

void MainWindow::splitCurrentTab(Qt::Orientation orientation)
{
    ConnectionPane* pane = currentPane();
    if (!pane)
        return;
    ConnectionPane* added = factory_(pane->session(), library_.preferences());
    if (!added)
        return;
    auto* parent = qobject_cast<QSplitter*>(pane->parentWidget());
    const int position = parent->indexOf(pane);
    if (parent->orientation() == orientation || parent->count() == 1) {
        parent->setOrientation(orientation);
        parent->insertWidget(position + 1, added);
    } else {
        // Replace the pane by a splitter of the other orientation holding it and the new one.
        auto* nested = new QSplitter(orientation);
        nested->setChildrenCollapsible(false);
        parent->insertWidget(position, nested);
        nested->addWidget(pane);
        nested->addWidget(added);
    }
    watchPane(added);
    added->setFocus();
    updateTab(tabs_->currentWidget());
}

MainWindow* MainWindow::detachTab(int index)
{
    auto* page = qobject_cast<QSplitter*>(tabs_->widget(index));
    if (!page)
        return nullptr;
    for (ConnectionPane* pane : panesInTab(index))
        pane->disconnect(this); // the new window watches them from now on
    tabs_->removeTab(index);
    updateCentralPage();
    auto* window = new MainWindow(library_, factory_);
    window->adoptPage(page);
    window->resize(size());
    window->move(pos() + QPoint(40, 40));
    window->show();
    return window;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    int live = 0;
    for (int i = 0; i < tabs_->count(); ++i) {
        for (ConnectionPane* pane : panesInTab(i))
            live += pane->isLive() ? 1 : 0;
    }
    if (live > 0 && !confirm_(this, tr("Close window"), tr("%1 connection(s) in this window are still open. Close them?").arg(live))) {
        event->ignore();
        return;
    }
    for (int i = 0; i < tabs_->count(); ++i) {
        for (ConnectionPane* pane : panesInTab(i))
            pane->disconnectNow();
    }
    event->accept();
}

void MainWindow::newSession()
{
    Session session;
    session.user = library_.preferences().defaultUser;
    const QModelIndex current = currentSessionIndex();
    SessionEditor editor(session, library_.model().folderPath(current), this);
    if (editor.exec() != QDialog::Accepted)
        return;
    const QModelIndex folder = library_.model().folderIndex(editor.folderPath(), true);
    const QModelIndex added = library_.model().addSession(editor.session(), folder);
    tree_->setCurrentIndex(filterModel_.mapFromSource(added));
}

void MainWindow::newFolder()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("New Folder"), tr("Folder name:"), QLineEdit::Normal, QString(), &ok).trimmed();
    if (!ok || name.isEmpty())
        return;
    if (name.contains(u'/')) {
        statusBar()->showMessage(tr("A folder name cannot contain “/”."), 5000);
        return;
    }
    const QModelIndex folder = library_.model().addFolder(name, currentSessionIndex());
    tree_->setCurrentIndex(filterModel_.mapFromSource(folder));
}

void MainWindow::editSession(const QModelIndex& index)
{
    SessionTreeModel& model = library_.model();
    if (!index.isValid() || model.isFolder(index))
        return;
    SessionEditor editor(model.session(index), model.folderPath(index.parent()), this);
    if (editor.exec() != QDialog::Accepted)
        return;
    const QUuid id = model.session(index).id;
    model.updateSession(index, editor.session());
    if (editor.folderPath() != model.folderPath(index.parent()))
        model.move(model.indexForId(id), model.folderIndex(editor.folderPath(), true));
}

void MainWindow::duplicateSession()
{
    const QModelIndex copy = library_.model().duplicateSession(currentSessionIndex());
    if (copy.isValid())
        tree_->setCurrentIndex(filterModel_.mapFromSource(copy));
}

void MainWindow::renameItem()
{
    if (tree_->currentIndex().isValid())
        tree_->edit(tree_->currentIndex());
}

void MainWindow::deleteItem()
{
    const QModelIndex index = currentSessionIndex();
    if (!index.isValid())
        return;
    SessionTreeModel& model = library_.model();
    const QString name = index.data().toString();
    const QString question = model.isFolder(index)
                                 ? tr("Delete the folder “%1” and every session in it?").arg(name)
                                 : tr("Delete the session “%1”?").arg(name);
    if (confirm_(this, tr("Delete"), question))
        model.remove(index);
}

void MainWindow::copySshCommand()
{
    const QModelIndex index = currentSessionIndex();
    if (!index.isValid() || library_.model().isFolder(index))
        return;
    const QString command = sshCommandLine(library_.model().session(index));
    QApplication::clipboard()->setText(command);
    statusBar()->showMessage(tr("Copied: %1").arg(command), 5000);
}

void MainWindow::editPreferences()
{
    PreferencesDialog dialog(library_.preferences(), this);
    if (dialog.exec() == QDialog::Accepted) {
        library_.setPreferences(dialog.preferences());
        applyApplicationTheme(library_.preferences());
    }
}

void MainWindow::mergeImported(const QList<Session>& sessions, const QStringList& notes, const QString& folder)
{
    SessionFolder root = library_.model().rootFolder();
    const MergeCounts counts = mergeSessions(root, sessions, folder);
    library_.model().setRootFolder(root);
    QString summary = tr("Imported %1 new and updated %2 existing session(s).").arg(counts.added).arg(counts.updated);
    if (!notes.isEmpty()) {
        QMessageBox box(QMessageBox::Information, tr("Import"), summary, QMessageBox::Ok, this);
        box.setDetailedText(notes.join(u'\n'));
        box.exec();
    }
    statusBar()->showMessage(summary, 8000);
}

void MainWindow::importFromPuttyDirectory()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("PuTTY sessions folder"),
                                                          QDir::homePath() + QStringLiteral("/.putty/sessions"));
    if (dir.isEmpty())
        return;
    const ImportResult result = importPuttySessionDirectory(dir);
    mergeImported(result.sessions, result.notes, QStringLiteral("PuTTY"));
}

void MainWindow::importFromPuttyRegistry()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("PuTTY registry export"), QDir::homePath(),
                                                      tr("Registry files (*.reg);;All files (*)"));
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return;
    const ImportResult result = importPuttyRegistryExport(file.readAll());
    mergeImported(result.sessions, result.notes, QStringLiteral("PuTTY"));
}

void MainWindow::importFromSshConfig()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("OpenSSH client configuration"),
                                                      QDir::homePath() + QStringLiteral("/.ssh/config"));
    if (path.isEmpty())
        return;
    const ImportResult result = importSshConfig(path, QDir::homePath());
    mergeImported(result.sessions, result.notes, QStringLiteral("OpenSSH config"));
}

void MainWindow::importPortalJson()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Portal sessions"), QDir::homePath(),
                                                      tr("Portal sessions (*.json);;All files (*)"));
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return;
    const ParsedDocument parsed = parseDocument(file.readAll());
    if (parsed.status == ParsedDocument::Status::Broken || parsed.status == ParsedDocument::Status::Newer) {
        QMessageBox::warning(this, tr("Import"), tr("%1 cannot be imported: %2.").arg(path, parsed.message));
        return;
    }
    // Keep the file's folders: merge each session into its own folder path.
    SessionFolder root = library_.model().rootFolder();
    MergeCounts total;
    for (const SessionInFolder& entry : flattenSessions(parsed.document.root)) {
        const MergeCounts c = mergeSessions(root, {entry.session}, entry.folderPath);
        total.added += c.added;
        total.updated += c.updated;
    }
    library_.model().setRootFolder(root);
    statusBar()->showMessage(tr("Imported %1 new and updated %2 existing session(s).").arg(total.added).arg(total.updated), 8000);
}

void MainWindow::exportPortalJson()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export sessions"),
                                                      QDir::homePath() + QStringLiteral("/portal-sessions.json"),
                                                      tr("Portal sessions (*.json)"));
    if (path.isEmpty())
        return;
    QSaveFile file(path);
    const QByteArray text = serializeDocument(library_.document());
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit())
        QMessageBox::warning(this, tr("Export"), tr("Could not write %1: %2").arg(path, file.errorString()));
    else
        statusBar()->showMessage(tr("Exported to %1").arg(path), 5000);
}

} // namespace portal::ui
