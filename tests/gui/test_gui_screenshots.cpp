// Renders the main window with saved sessions, the host-key dialogs, a credential prompt,
// the session editor (and its forwarding page) and the preferences to PNG files under <build>/screenshots so a person
// can look at them. Each image is checked for being drawn (not blank, expected size).
#include "MainWindow.h"
#include "PreferencesDialog.h"
#include "PromptDialogs.h"
#include "SessionEditor.h"

#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QTabWidget>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace portal::ui;

namespace {

const QString kShotDir = QStringLiteral(PORTAL_BINARY_ROOT "/screenshots");

// Counts distinct colours in a sample of pixels: a blank or failed grab has one or two.
int distinctColours(const QImage& image)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3) {
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y));
    }
    return int(colours.size());
}

void save(QWidget* widget, const QString& name)
{
    widget->show();
    QVERIFY(QTest::qWaitForWindowExposed(widget));
    QTest::qWait(50); // let layouts and icons settle
    const QImage image = widget->grab().toImage();
    QVERIFY(!image.isNull());
    QVERIFY2(distinctColours(image) > 8, qPrintable(name));
    QVERIFY(QDir().mkpath(kShotDir));
    const QString path = kShotDir + u'/' + name + QStringLiteral(".png");
    QVERIFY(image.save(path));
    qInfo("screenshot: %s (%dx%d)", qPrintable(path), image.width(), image.height());
}

Session session(const QString& name, const QString& host, const QString& user, QStringList tags = {})
{
    Session s;
    s.name = name;
    s.host = host;
    s.user = user;
    s.tags = tags;
    return s;
}

} // namespace

class TestGuiScreenshots : public QObject {
    Q_OBJECT
private slots:
    void mainWindowWithSessions()
    {
        QTemporaryDir dir;
        SessionLibrary library(dir.filePath(QStringLiteral("sessions.json")));
        library.load();
        SessionTreeModel& model = library.model();
        const QModelIndex work = model.addFolder(QStringLiteral("Work"), {});
        const QModelIndex prod = model.addFolder(QStringLiteral("Production"), work);
        model.addSession(session(QStringLiteral("web-1"), QStringLiteral("web1.example.com"), QStringLiteral("deploy"), {QStringLiteral("nginx")}), prod);
        model.addSession(session(QStringLiteral("db primary"), QStringLiteral("10.0.0.5"), QStringLiteral("postgres")), prod);
        model.addSession(session(QStringLiteral("staging"), QStringLiteral("staging.example.com"), QStringLiteral("deploy")), work);
        const QModelIndex home = model.addFolder(QStringLiteral("Home"), {});
        model.addSession(session(QStringLiteral("raspberry pi"), QStringLiteral("192.168.1.20"), QStringLiteral("pi")), home);
        model.addSession(session(QStringLiteral("Local demo"), QStringLiteral("127.0.0.1"), QStringLiteral("demo")), {});
        MainWindow window(library, [](const Session&, const Preferences&) { return nullptr; });
        window.setAttribute(Qt::WA_DeleteOnClose, false);
        window.resize(1000, 620);
        window.sessionView()->setCurrentIndex(window.sessionView()->model()->index(0, 0));
        save(&window, QStringLiteral("main-window"));

        // Not following the system: Fusion, dark to match the dark terminal scheme.
        Preferences dark;
        dark.themeFollowsSystem = false;
        dark.colorScheme = QStringLiteral("Portal Dark");
        applyApplicationTheme(dark);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 128);
        window.filterField()->setText(QStringLiteral("deploy"));
        save(&window, QStringLiteral("main-window-dark-filtered"));
        applyApplicationTheme(Preferences{});
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() >= 128);
    }

    void unknownHostKeyDialog()
    {
        UnknownHostKeyDialog dialog({QStringLiteral("server.example.com"), 2222, QStringLiteral("ssh-ed25519"),
                                     QStringLiteral("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"),
                                     QStringLiteral("+--[ED25519 256]--+\n|      .+=o.      |\n|     . =*o .     |\n"
                                                    "|      +.B+= .    |\n|     . =.O.+ o   |\n|      . S+= = .  |\n"
                                                    "|       .+=oo o   |\n|        oo+..    |\n|        .o.E     |\n"
                                                    "|         ..      |\n+----[SHA256]-----+"),
                                     {}, QStringLiteral("/home/alice/.ssh/known_hosts")});
        save(&dialog, QStringLiteral("host-key-unknown"));
    }

    void changedHostKeyDialog()
    {
        ChangedHostKeyDialog dialog({QStringLiteral("server.example.com"), 22, QStringLiteral("ssh-ed25519"),
                                     QStringLiteral("SHA256:Xq2yVgmWmW6o4zvOtQ8qvY1k1yq2cQ1WmQk0x8r3aZc"),
                                     QStringLiteral("/home/alice/.ssh/known_hosts"), 12, QString()});
        save(&dialog, QStringLiteral("host-key-changed"));
    }

    void keyboardInteractivePrompt()
    {
        CredentialPrompt prompt;
        prompt.kind = CredentialPrompt::Kind::KeyboardInteractive;
        prompt.user = QStringLiteral("alice");
        prompt.host = QStringLiteral("server.example.com");
        prompt.serverName = QStringLiteral("Two-factor login");
        prompt.serverInstruction = QStringLiteral("Enter the code from your authenticator app.");
        prompt.fields = {{QStringLiteral("Verification code: "), true}, {QStringLiteral("Password: "), false}};
        CredentialDialog dialog(prompt);
        save(&dialog, QStringLiteral("prompt-keyboard-interactive"));
    }

    void sessionEditor()
    {
        Session s = session(QStringLiteral("web-1"), QStringLiteral("web1.example.com"), QStringLiteral("deploy"),
                            {QStringLiteral("prod"), QStringLiteral("nginx")});
        s.port = 2222;
        s.notes = QStringLiteral("Front-end web server behind the load balancer.");
        SessionEditor editor(s, QStringLiteral("Work/Production"));
        save(&editor, QStringLiteral("session-editor"));
        // And with a validation message showing.
        editor.findChild<QWidget*>(QStringLiteral("host"))->setProperty("text", QString());
        editor.accept();
        save(&editor, QStringLiteral("session-editor-invalid"));
    }

    // The Forwarding & Environment page: the X11 choice, a forward of each kind, two variables.
    void sessionEditorForwarding()
    {
        Session s = session(QStringLiteral("build-box"), QStringLiteral("build.example.com"), QStringLiteral("ci"));
        s.forwards = {*PortForward::fromSshSpec(PortForward::Kind::Local, QStringLiteral("8080:intranet.example.com:80")),
                      *PortForward::fromSshSpec(PortForward::Kind::Remote, QStringLiteral("9000:localhost:3000")),
                      *PortForward::fromSshSpec(PortForward::Kind::Dynamic, QStringLiteral("127.0.0.1:1080"))};
        s.environment = {{QStringLiteral("LANG"), QStringLiteral("en_US.UTF-8")},
                         {QStringLiteral("EDITOR"), QStringLiteral("vim")}};
        s.x11Forwarding = X11Mode::Untrusted;
        SessionEditor editor(s, QStringLiteral("Work"));
        auto* pages = editor.findChild<QTabWidget*>();
        QVERIFY(pages);
        QWidget* forwarding = editor.findChild<QWidget*>(QStringLiteral("forwards"))->parentWidget();
        pages->setCurrentWidget(forwarding);
        QCOMPARE(pages->tabText(pages->currentIndex()), QStringLiteral("Forwarding && Environment"));
        QVERIFY(forwarding->isAncestorOf(editor.findChild<QWidget*>(QStringLiteral("x11Forwarding"))));
        save(&editor, QStringLiteral("session-editor-forwarding"));
    }

    void preferences()
    {
        PreferencesDialog dialog(Preferences{});
        save(&dialog, QStringLiteral("preferences"));
    }
};

QTEST_MAIN(TestGuiScreenshots)
#include "test_gui_screenshots.moc"
