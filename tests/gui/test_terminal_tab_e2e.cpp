// End to end against a real OpenSSH sshd on 127.0.0.1 (the interop fixture): double-click a
// saved session, accept the host key in the dialog, log in by password through the dialog,
// type into the terminal and see the output, resize and check `stty size` remotely, lose the
// connection and reconnect from the offer, and meet the changed-key warning.
#include "MainWindow.h"
#include "TerminalSearchBar.h"
#include "TerminalTab.h"

#include "LiveSessionHelpers.h"
#include "OpenSshServer.h"
#include "TerminalEmulator.h"
#include "TerminalView.h"

#include <QCheckBox>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace portal::ui;
using portal::ui::testing::waitForDialog;

class TestTerminalTabEndToEnd : public QObject {
    Q_OBJECT
private:
    portal::ui::testing::LiveServerHome live_;
    std::unique_ptr<SessionLibrary> library_;
    MainWindow* window_ = nullptr;
    QPointer<TerminalTab> tab_;

    void typeLine(const QString& text)
    {
        QVERIFY2(portal::ui::testing::waitForPrompt(tab_->view()->emulator()), qPrintable(tab_->screenText()));
        QTest::keyClicks(tab_->view(), text);
        QTest::keyClick(tab_->view(), Qt::Key_Return);
    }

    bool screenHasLine(const QString& line, int timeoutMs = 15000)
    {
        return QTest::qWaitFor([&] { return tab_ && tab_->screenText().split(u'\n').contains(line); }, timeoutMs);
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(live_.start(), qPrintable(live_.server().errorString()));

        library_ = std::make_unique<SessionLibrary>(live_.filePath(QStringLiteral("config/sessions.json")));
        library_->load();
        library_->model().addSession(portal::ui::testing::passwordSessionFor(live_.server()), library_->model().addFolder(QStringLiteral("Test"), {}));

        window_ = new MainWindow(*library_, [this](const Session& session, const Preferences& preferences) {
            auto* tab = new TerminalTab(session, preferences);
            tab_ = tab;
            return tab;
        });
        window_->setAttribute(Qt::WA_DeleteOnClose, false);
        window_->setConfirmer([](QWidget*, const QString&, const QString&) { return true; });
        window_->resize(900, 600);
        window_->show();
        QVERIFY(QTest::qWaitForWindowExposed(window_));
    }

    void cleanupTestCase()
    {
        delete window_;
        library_.reset();
        live_.stop();
    }

    void doubleClickAcceptKeyAndLogIn()
    {
        QTreeView* tree = window_->sessionView();
        const QModelIndexList hits = tree->model()->match(tree->model()->index(0, 0), Qt::DisplayRole,
                                                          QStringLiteral("Local sshd"), 1, Qt::MatchRecursive);
        QCOMPARE(hits.size(), 1);
        const QPoint centre = tree->visualRect(hits[0]).center();
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, centre);
        QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, centre);
        QVERIFY(tab_);

        auto* hostKey = waitForDialog<UnknownHostKeyDialog>(window_);
        QVERIFY2(hostKey, qPrintable(tab_->statusText()));
        QTest::mouseClick(hostKey->findChild<QPushButton*>(QStringLiteral("acceptAndSave")), Qt::LeftButton);

        auto* password = waitForDialog<CredentialDialog>(window_);
        QVERIFY2(password, qPrintable(tab_->statusText()));
        QTest::keyClicks(password->field(0), live_.server().user().password);
        password->accept();

        QTRY_COMPARE_WITH_TIMEOUT(tab_->status(), ConnectionPane::Status::Connected, 20000);
        QVERIFY(tab_->connectionDetails().has_value());
        QCOMPARE(tab_->connectionDetails()->authMethod, QStringLiteral("password"));
        // The accepted key was saved.
        QFile knownHosts(live_.filePath(QStringLiteral(".ssh/known_hosts")));
        QVERIFY(knownHosts.open(QIODevice::ReadOnly));
        QVERIFY(knownHosts.readAll().contains(QStringLiteral("[127.0.0.1]:%1").arg(live_.server().port()).toUtf8()));
    }

    void typedCommandAppearsOnScreen()
    {
        const QString marker = QStringLiteral("hello-%1").arg(QRandomGenerator::global()->generate());
        typeLine(QStringLiteral("echo %1").arg(marker));
        QVERIFY2(screenHasLine(marker), qPrintable(tab_->screenText()));

        // A picture of the live tab for people to look at: <build>/screenshots.
        typeLine(QStringLiteral("ls --color=always -F /usr"));
        QVERIFY(QTest::qWaitFor([&] { return tab_->screenText().contains(QStringLiteral("share/")); }, 10000));
        QTest::qWait(100); // the view paints at the next frame
        QDir().mkpath(QStringLiteral(PORTAL_BINARY_ROOT "/screenshots"));
        QVERIFY(window_->grab().save(QStringLiteral(PORTAL_BINARY_ROOT "/screenshots/main-window-live-terminal.png")));
    }

    void resizeReachesTheServer()
    {
        window_->resize(700, 420);
        QTRY_VERIFY_WITH_TIMEOUT(tab_->gridSize() != QSize(), 5000);
        QTest::qWait(200);
        const QSize grid = tab_->gridSize();
        typeLine(QStringLiteral("stty size"));
        const QString expected = QStringLiteral("%1 %2").arg(grid.height()).arg(grid.width());
        QVERIFY2(screenHasLine(expected), qPrintable(tab_->screenText() + QStringLiteral("\nexpected: ") + expected));
    }

    // More output than the channel window (2 MiB): it all arrives only if the window is
    // refilled as the emulator takes the bytes; none of it may be lost or reordered on the way
    // from the worker's thread through the feed queue, and the view repaints meanwhile.
    void floodLargerThanTheWindowArrivesWhole()
    {
        const QString marker = QStringLiteral("flood-done-%1").arg(QRandomGenerator::global()->generate());
        const int paintsBefore = tab_->view()->paintCount();
        typeLine(QStringLiteral("seq 1 600000; echo %1").arg(marker)); // 4.5 MB
        QVERIFY2(QTest::qWaitFor([&] { return tab_ && portal::ui::testing::showsEchoOutput(tab_->screenText().split(u'\n'), marker); }, 60000),
                 qPrintable(tab_->screenText()));
        // The rows above the marker are the end of the sequence, each number once, in order.
        QStringList lines = tab_->screenText().split(u'\n');
        for (QString& line : lines)
            line = line.trimmed();
        const qsizetype at = lines.lastIndexOf(marker);
        QVERIFY2(at >= 5, qPrintable(lines.join(u'\n')));
        for (int i = 1; i <= 5; ++i)
            QCOMPARE(lines[at - i], QString::number(600001 - i));
        QVERIFY(tab_->view()->paintCount() > paintsBefore + 2);
    }

    void droppedConnectionOffersReconnect()
    {
        const QString before = QStringLiteral("still-here-%1").arg(QRandomGenerator::global()->generate());
        typeLine(QStringLiteral("echo %1").arg(before));
        QVERIFY(screenHasLine(before));
        // Kill this connection's sshd process (the shell's parent): the listener stays up.
        typeLine(QStringLiteral("kill -9 $PPID"));
        QTRY_VERIFY_WITH_TIMEOUT(!tab_->isLive(), 15000);
        QVERIFY(tab_->noticeText().contains(QStringLiteral("reconnect"), Qt::CaseInsensitive));
        QVERIFY(tab_->findChild<QPushButton*>(QStringLiteral("reconnect"))->isVisible());
        QVERIFY(tab_->screenText().contains(before)); // the screen keeps its content

        // Enter reconnects; the key is known now, so only the password is asked.
        QTest::keyClick(tab_->view(), Qt::Key_Return);
        auto* password = waitForDialog<CredentialDialog>(window_);
        QVERIFY2(password, qPrintable(tab_->statusText()));
        QTest::keyClicks(password->field(0), live_.server().user().password);
        password->accept();
        QTRY_COMPARE_WITH_TIMEOUT(tab_->status(), ConnectionPane::Status::Connected, 20000);
        const QString after = QStringLiteral("again-%1").arg(QRandomGenerator::global()->generate());
        typeLine(QStringLiteral("echo %1").arg(after));
        QVERIFY2(QTest::qWaitFor([&] { return tab_ && portal::ui::testing::showsEchoOutput(tab_->screenText().split(u'\n'), after); }, 15000),
                 qPrintable(tab_->screenText()));
    }

    void searchBarFindsScrollbackMatches()
    {
        QVERIFY(tab_);
        TerminalSearchBar* bar = tab_->searchBar();
        QVERIFY(bar->isHidden());
        // Lines only the emulator sees: the shell is not involved in searching.
        tab_->view()->receive("\r\nalpha Needle one\r\nbeta needle two\r\ngamma nothing\r\n");
        tab_->view()->setFocus();
        QTest::keyClick(tab_->view(), Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(bar->isVisible());
        auto* pattern = bar->findChild<QLineEdit*>(QStringLiteral("searchPattern"));
        QCOMPARE(window_->focusWidget(), static_cast<QWidget*>(pattern)); // the window need not be active offscreen

        QTest::keyClicks(pattern, QStringLiteral("needle"));
        QVERIFY2(QTest::qWaitFor([&] { return bar->statusText() == QStringLiteral("2 matches"); }, 5000),
                 qPrintable(bar->statusText()));
        // Typing goes to the newest match ("beta needle two"); Enter to an older one, Shift+Enter back.
        QVERIFY(tab_->view()->currentMatch().has_value());
        const auto newest = tab_->view()->currentMatch()->first.line;
        QTest::keyClick(pattern, Qt::Key_Return);
        QVERIFY(tab_->view()->currentMatch()->first.line < newest);
        QTest::keyClick(pattern, Qt::Key_Return, Qt::ShiftModifier);
        QCOMPARE(tab_->view()->currentMatch()->first.line, newest);

        bar->findChild<QCheckBox*>(QStringLiteral("searchMatchCase"))->setChecked(true);
        QVERIFY2(QTest::qWaitFor([&] { return bar->statusText() == QStringLiteral("1 match"); }, 5000),
                 qPrintable(bar->statusText()));
        bar->findChild<QCheckBox*>(QStringLiteral("searchRegex"))->setChecked(true);
        pattern->setText(QStringLiteral("(unclosed"));
        QCOMPARE(bar->statusText(), QStringLiteral("Invalid regular expression"));
        pattern->setText(QStringLiteral("[Nn]eedle (one|two)"));
        QVERIFY2(QTest::qWaitFor([&] { return bar->statusText() == QStringLiteral("2 matches"); }, 5000),
                 qPrintable(bar->statusText()));

        QVERIFY(QDir().mkpath(QStringLiteral(PORTAL_BINARY_ROOT "/screenshots")));
        QVERIFY(window_->grab().save(QStringLiteral(PORTAL_BINARY_ROOT "/screenshots/main-window-search-bar.png")));

        QTest::keyClick(pattern, Qt::Key_Escape);
        QVERIFY(bar->isHidden());
        QVERIFY(!tab_->view()->currentMatch().has_value());
        QCOMPARE(window_->focusWidget(), static_cast<QWidget*>(tab_->view()));
    }

    void changedHostKeyStopsWithTheWarning()
    {
        // Another server; known_hosts lists the first server's key for its address.
        portal::test::OpenSshServer other;
        QVERIFY2(other.start(), qPrintable(other.errorString()));
        QFile knownHosts(live_.filePath(QStringLiteral(".ssh/known_hosts")));
        QVERIFY(portal::ui::testing::listKeysForImpostor(live_.server(), other, knownHosts.fileName()));

        Session s = portal::ui::testing::passwordSessionFor(other);
        s.name = QStringLiteral("Impostor");
        window_->openSession(s);
        auto* warning = waitForDialog<ChangedHostKeyDialog>(window_);
        QVERIFY2(warning, qPrintable(tab_->statusText() + u' ' + tab_->noticeText()));
        QVERIFY(warning->findChild<QPushButton*>(QStringLiteral("cancel"))->isDefault());
        QVERIFY(warning->findChild<QLabel*>(QStringLiteral("oldKeyLocation"))->text().startsWith(knownHosts.fileName() + u':'));
        QCOMPARE(tab_->status(), ConnectionPane::Status::Failed);
        QVERIFY(!waitForDialog<CredentialDialog>(window_, 300)); // no password was asked
        warning->reject();
        other.stop();
    }
};

QTEST_MAIN(TestTerminalTabEndToEnd)
#include "test_terminal_tab_e2e.moc"
