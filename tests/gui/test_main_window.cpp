// The main window with a test pane in place of the SSH terminal: opening sessions from the
// sidebar (double-click, Enter, filter + Enter, --session), quick connect with history, tabs
// that ask before closing only when live, split panes, detaching, sidebar actions that save,
// and shortcuts that leave the shell its keys.
#include "MainWindow.h"

#include <QApplication>
#include <QPointer>
#include <QClipboard>
#include <QComboBox>
#include <QLineEdit>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace portal::ui;

// Stands in for TerminalTab: records what the window asked of it.
class RecordingPane : public ConnectionPane {
    Q_OBJECT
public:
    explicit RecordingPane(const Session& session)
        : session_(session)
    {
        setFocusPolicy(Qt::StrongFocus);
    }
    const Session& session() const override { return session_; }
    QString title() const override { return session_.name; }
    Status status() const override { return status_; }
    QString statusText() const override { return status_ == Status::Connected ? QStringLiteral("connected") : QStringLiteral("closed"); }
    void reconnect() override { ++reconnects; }
    void disconnectNow() override
    {
        ++disconnects;
        setStatus(Status::Closed);
    }
    std::optional<ConnectionDetails> connectionDetails() const override { return std::nullopt; }
    void setStatus(Status status)
    {
        status_ = status;
        emit statusChanged();
    }
    int reconnects = 0;
    int disconnects = 0;

private:
    Session session_;
    Status status_ = Status::Connected;
};

class TestMainWindow : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> dir_;
    std::unique_ptr<SessionLibrary> library_;
    QList<QPointer<RecordingPane>> panes_;
    QStringList questions_;
    bool answer_ = true;

    MainWindow* makeWindow()
    {
        auto* window = new MainWindow(*library_, [this](const Session& s, const Preferences&) {
            auto* pane = new RecordingPane(s);
            panes_ << pane;
            return pane;
        });
        window->setConfirmer([this](QWidget*, const QString&, const QString& question) {
            questions_ << question;
            return answer_;
        });
        return window;
    }

    QModelIndex proxyIndexFor(MainWindow* window, const QString& name)
    {
        QTreeView* tree = window->sessionView();
        const QModelIndexList hits = tree->model()->match(tree->model()->index(0, 0), Qt::DisplayRole, name, 1,
                                                          Qt::MatchRecursive | Qt::MatchExactly);
        return hits.value(0);
    }

private slots:
    void init()
    {
        dir_ = std::make_unique<QTemporaryDir>();
        library_ = std::make_unique<SessionLibrary>(dir_->filePath(QStringLiteral("sessions.json")));
        QCOMPARE(library_->load().status, SessionStore::LoadStatus::Missing);
        SessionTreeModel& model = library_->model();
        const QModelIndex work = model.addFolder(QStringLiteral("Work"), {});
        Session web;
        web.name = QStringLiteral("web");
        web.host = QStringLiteral("web.example.com");
        web.user = QStringLiteral("deploy");
        web.port = 2222;
        model.addSession(web, work);
        Session db;
        db.name = QStringLiteral("db");
        db.host = QStringLiteral("db.example.com");
        db.tags = {QStringLiteral("postgres")};
        model.addSession(db, work);
        panes_.clear();
        questions_.clear();
        answer_ = true;
    }

    void cleanup()
    {
        // Deleting one window can delete other top-level widgets (menus), so hold guards.
        QList<QPointer<QWidget>> windows;
        for (QWidget* w : QApplication::topLevelWidgets())
            windows << w;
        for (const QPointer<QWidget>& w : windows) {
            if (w && dynamic_cast<MainWindow*>(w.data()))
                delete w.data();
        }
        library_.reset();
        dir_.reset();
    }

    void doubleClickAndEnterConnect()
    {
        MainWindow* window = makeWindow();
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window));
        QTreeView* tree = window->sessionView();
        const QModelIndex web = proxyIndexFor(window, QStringLiteral("web"));
        QVERIFY(web.isValid());
        QVERIFY(tree->visualRect(web).isValid());
        const QPoint webCentre = tree->visualRect(web).center();
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, webCentre);
        QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, webCentre);
        QCOMPARE(window->tabs()->count(), 1);
        QCOMPARE(panes_.value(0)->session().host, QStringLiteral("web.example.com"));
        QCOMPARE(window->tabs()->tabText(0), QStringLiteral("web"));

        tree->setFocus();
        tree->setCurrentIndex(proxyIndexFor(window, QStringLiteral("db")));
        QTest::keyClick(tree, Qt::Key_Return);
        QCOMPARE(window->tabs()->count(), 2);
        QCOMPARE(panes_.value(1)->session().name, QStringLiteral("db"));

        // Double-clicking a folder opens nothing.
        const QModelIndex folder = proxyIndexFor(window, QStringLiteral("Work"));
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualRect(folder).center());
        QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, tree->visualRect(folder).center());
        QCOMPARE(window->tabs()->count(), 2);
    }

    void filterThenEnterConnectsToTheFirstMatch()
    {
        MainWindow* window = makeWindow();
        window->show();
        QTest::keyClicks(window->filterField(), QStringLiteral("postgres"));
        QCOMPARE(window->sessionView()->model()->rowCount(window->sessionView()->model()->index(0, 0)), 1);
        QTest::keyClick(window->filterField(), Qt::Key_Return);
        QCOMPARE(window->tabs()->count(), 1);
        QCOMPARE(panes_.value(0)->session().name, QStringLiteral("db"));
    }

    void openSavedSessionByPath()
    {
        MainWindow* window = makeWindow();
        QVERIFY(window->openSavedSession(QStringLiteral("Work/web")));
        QVERIFY(!window->openSavedSession(QStringLiteral("Home/web")));
        QVERIFY(!window->openSavedSession(QStringLiteral("nope")));
        QCOMPARE(window->tabs()->count(), 1);
    }

    void quickConnectRemembersHistory()
    {
        library_->setPreferences([] {
            Preferences p;
            p.defaultUser = QStringLiteral("fallback");
            return p;
        }());
        MainWindow* window = makeWindow();
        window->show();
        QComboBox* quick = window->quickConnectField();
        QTest::keyClicks(quick->lineEdit(), QStringLiteral("ssh://h.example:2022"));
        QTest::keyClick(quick->lineEdit(), Qt::Key_Return);
        QCOMPARE(window->tabs()->count(), 1);
        QCOMPARE(panes_.value(0)->session().user, QStringLiteral("fallback"));
        QCOMPARE(panes_.value(0)->session().port, 2022);
        QTest::keyClicks(quick->lineEdit(), QStringLiteral("root@other"));
        QTest::keyClick(quick->lineEdit(), Qt::Key_Return);
        QCOMPARE(library_->preferences().quickConnectHistory,
                 (QStringList{QStringLiteral("root@other"), QStringLiteral("h.example:2022")}));
        QCOMPARE(quick->count(), 2);
        // Not a target: nothing opens.
        QTest::keyClicks(quick->lineEdit(), QStringLiteral("not valid"));
        QTest::keyClick(quick->lineEdit(), Qt::Key_Return);
        QCOMPARE(window->tabs()->count(), 2);
        // The history was saved with the sessions.
        QTRY_COMPARE(SessionStore(library_->store().path()).load().document.preferences.quickConnectHistory.size(), 2);
    }

    void closingAsksOnlyWhenLive()
    {
        MainWindow* window = makeWindow();
        window->openSavedSession(QStringLiteral("web"));
        window->openSavedSession(QStringLiteral("db"));
        panes_[0]->setStatus(ConnectionPane::Status::Closed);
        QVERIFY(window->closeTab(0));
        QVERIFY(questions_.isEmpty());
        QCOMPARE(window->tabs()->count(), 1);

        answer_ = false; // the user says no: the live tab stays
        QVERIFY(!window->closeTab(0));
        QCOMPARE(questions_.size(), 1);
        QCOMPARE(window->tabs()->count(), 1);
        QCOMPARE(panes_[1]->disconnects, 0);
        answer_ = true;
        QVERIFY(window->closeTab(0));
        QCOMPARE(panes_[1]->disconnects, 1);
        QCOMPARE(window->tabs()->count(), 0);
    }

    void tabShowsStatus()
    {
        MainWindow* window = makeWindow();
        window->openSavedSession(QStringLiteral("web"));
        const qint64 before = window->tabs()->tabIcon(0).cacheKey();
        panes_[0]->setStatus(ConnectionPane::Status::Failed);
        QVERIFY(window->tabs()->tabIcon(0).cacheKey() != before);
        QVERIFY(window->tabs()->tabToolTip(0).contains(QStringLiteral("closed")));
    }

    void splitAndDetach()
    {
        MainWindow* window = makeWindow();
        window->show();
        window->openSavedSession(QStringLiteral("web"));
        window->splitCurrentTab(Qt::Horizontal);
        QCOMPARE(window->panesInTab(0).size(), 2);
        window->splitCurrentTab(Qt::Vertical);
        QCOMPARE(window->panesInTab(0).size(), 3);
        // Each pane is its own connection to the same session.
        QCOMPARE(panes_.size(), 3);
        QCOMPARE(panes_[2]->session().name, QStringLiteral("web"));
        auto* nested = qobject_cast<QSplitter*>(panes_[2]->parentWidget());
        QCOMPARE(nested->orientation(), Qt::Vertical);
        QCOMPARE(window->tabs()->tabText(0), QStringLiteral("web (+2)"));

        MainWindow* detached = window->detachTab(0);
        QVERIFY(detached);
        QCOMPARE(window->tabs()->count(), 0);
        QCOMPARE(detached->tabs()->count(), 1);
        QCOMPARE(detached->panesInTab(0).size(), 3);
        QCOMPARE(panes_[0]->disconnects, 0); // the connections survive the move
        // The new window follows the panes' status.
        panes_[0]->setStatus(ConnectionPane::Status::Closed);
        QVERIFY(detached->tabs()->tabToolTip(0).contains(QStringLiteral("web: closed")));
    }

    void sidebarActionsChangeAndSave()
    {
        MainWindow* window = makeWindow();
        window->show();
        QTreeView* tree = window->sessionView();
        tree->setCurrentIndex(proxyIndexFor(window, QStringLiteral("web")));
        auto trigger = [&](const QString& text) {
            for (QAction* action : window->actions()) {
                if (action->text().remove(u'&').startsWith(text)) {
                    action->trigger();
                    return true;
                }
            }
            return false;
        };
        QVERIFY(trigger(QStringLiteral("Copy ssh")));
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("ssh -p 2222 deploy@web.example.com"));
        QVERIFY(trigger(QStringLiteral("Duplicate")));
        QVERIFY(library_->model().findSession(QStringLiteral("Work/web (copy)")).isValid());

        answer_ = false;
        QVERIFY(trigger(QStringLiteral("Delete")));
        QVERIFY(library_->model().findSession(QStringLiteral("web (copy)")).isValid());
        answer_ = true;
        QVERIFY(trigger(QStringLiteral("Delete")));
        QVERIFY(!library_->model().findSession(QStringLiteral("web (copy)")).isValid());
        QVERIFY(questions_.last().contains(QStringLiteral("web (copy)")));
        // Each change was written to the sessions file.
        QTRY_COMPARE(flattenSessions(SessionStore(library_->store().path()).load().document.root).size(), 2);
    }

    void shortcutsLeaveTheShellItsKeys()
    {
        MainWindow* window = makeWindow();
        QSet<QKeySequence> seen;
        const QList<QAction*> actions = window->shortcutActions();
        QVERIFY(actions.size() >= 12);
        for (QAction* action : actions) {
            const QKeySequence keys = action->shortcut();
            QVERIFY2(!seen.contains(keys), qPrintable(keys.toString()));
            seen.insert(keys);
            const QKeyCombination combo = keys[0];
            const Qt::KeyboardModifiers mods = combo.keyboardModifiers();
            // Plain Ctrl+letter and unmodified keys belong to the program in the terminal.
            const bool letter = combo.key() >= Qt::Key_A && combo.key() <= Qt::Key_Z;
            QVERIFY2(!(letter && mods == Qt::ControlModifier), qPrintable(keys.toString()));
            QVERIFY2(mods != Qt::NoModifier, qPrintable(keys.toString()));
        }
        // The platform's roles for the application menu (macOS moves these).
        bool hasPreferences = false, hasQuit = false, hasAbout = false;
        for (QAction* action : window->actions()) {
            hasPreferences |= action->menuRole() == QAction::PreferencesRole;
            hasQuit |= action->menuRole() == QAction::QuitRole;
            hasAbout |= action->menuRole() == QAction::AboutRole;
        }
        QVERIFY(hasPreferences && hasQuit && hasAbout);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
