// The main window: the session sidebar (tree, filter, context menu), a quick-connect field,
// tabs of connections that split into panes and detach into new windows, and a menu bar that
// follows the platform's conventions. Windows share one SessionLibrary.
#pragma once

#include "ConnectionPane.h"
#include "SessionLibrary.h"

#include <QAction>
#include <QMainWindow>

#include <functional>

class QComboBox;
class QLineEdit;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTreeView;

namespace portal::ui {

class SessionTreeView;

class MainWindow : public QMainWindow {
public:
    // Makes the pane for a new connection; the window owns what it returns.
    using PaneFactory = std::function<ConnectionPane*(const Session&, const Preferences&)>;
    // Asks the user a yes/no question (closing a live tab, deleting); true means go ahead.
    using Confirmer = std::function<bool(QWidget* parent, const QString& title, const QString& question)>;

    MainWindow(SessionLibrary& library, PaneFactory factory, QWidget* parent = nullptr);
    ~MainWindow() override;

    ConnectionPane* openSession(const Session& session);
    ConnectionPane* openTarget(const ConnectTarget& target);
    // By name or Folder/Name; false when there is no such saved session.
    bool openSavedSession(const QString& nameOrPath);
    void connectSelectedSession(bool inNewWindow = false);

    // Tabs
    bool closeTab(int index); // asks first only when a connection in it is live
    void splitCurrentTab(Qt::Orientation orientation);
    MainWindow* detachTab(int index);
    QList<ConnectionPane*> panesInTab(int index) const;

    void showShortcutHelp();
    QList<QAction*> shortcutActions() const;
    void setConfirmer(Confirmer confirmer) { confirm_ = std::move(confirmer); }

    QTreeView* sessionView() const;
    QLineEdit* filterField() const { return filter_; }
    QComboBox* quickConnectField() const { return quickConnect_; }
    QTabWidget* tabs() const { return tabs_; }
    // The model index in SessionTreeModel of the sidebar's current item.
    QModelIndex currentSessionIndex() const;

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildActions();
    void buildMenus();
    void buildSidebar();
    QAction* makeAction(const QString& text, const QKeySequence& shortcut, std::function<void()> slot,
                       QAction::MenuRole role = QAction::NoRole);
    void showSessionContextMenu(const QPoint& position);
    void quickConnectActivated();
    void adoptPage(QSplitter* page);
    void watchPane(ConnectionPane* pane);
    void updateTab(QWidget* page);
    void updateCentralPage();
    ConnectionPane* currentPane() const;
    int tabIndexOf(const ConnectionPane* pane) const;

    // Session actions (sidebar)
    void newSession();
    void newFolder();
    void editSession(const QModelIndex& index);
    void duplicateSession();
    void renameItem();
    void deleteItem();
    void copySshCommand();
    void editPreferences();
    void importFromPuttyDirectory();
    void importFromPuttyRegistry();
    void importFromSshConfig();
    void importPortalJson();
    void exportPortalJson();
    void mergeImported(const QList<Session>& sessions, const QStringList& notes, const QString& folder);

    SessionLibrary& library_;
    PaneFactory factory_;
    Confirmer confirm_;
    SessionFilterModel filterModel_;
    QLineEdit* filter_ = nullptr;
    SessionTreeView* tree_ = nullptr;
    QComboBox* quickConnect_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QStackedWidget* central_ = nullptr;
    QWidget* sidebar_ = nullptr;
    QList<QAction*> actions_;

    struct SessionActions {
        QAction* connect = nullptr;
        QAction* connectNewWindow = nullptr;
        QAction* edit = nullptr;
        QAction* duplicate = nullptr;
        QAction* rename = nullptr;
        QAction* remove = nullptr;
        QAction* newFolder = nullptr;
        QAction* newSession = nullptr;
        QAction* copyCommand = nullptr;
    } sessionActions_;
    QAction* preferencesAction_ = nullptr;
};

} // namespace portal::ui
