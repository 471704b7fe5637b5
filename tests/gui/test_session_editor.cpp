// Session validation (every rule with the message it gives), the editor's round trip and its
// refusal to close on invalid input, connection targets, ssh command lines and `portal`'s
// command line.
#include "LaunchOptions.h"
#include "PreferencesDialog.h"
#include "SessionEditor.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryFile>
#include <QTest>

using namespace portal::ui;

Q_DECLARE_METATYPE(portal::ui::Session)

namespace {

Session validSession()
{
    Session s;
    s.id = QUuid::createUuid();
    s.name = QStringLiteral("web");
    s.host = QStringLiteral("web.example.com");
    s.user = QStringLiteral("deploy");
    return s;
}

} // namespace

class TestSessionEditor : public QObject {
    Q_OBJECT
private slots:
    void validation_data()
    {
        QTest::addColumn<Session>("session");
        QTest::addColumn<QString>("problem"); // a fragment of the one expected message; empty: valid
        auto with = [](auto change) {
            Session s = validSession();
            change(s);
            return s;
        };
        QTest::newRow("valid") << validSession() << QString();
        QTest::newRow("IPv6 host") << with([](Session& s) { s.host = QStringLiteral("fe80::1%eth0"); }) << QString();
        QTest::newRow("empty name") << with([](Session& s) { s.name = QStringLiteral(" "); }) << QStringLiteral("Name: give");
        QTest::newRow("slash in name") << with([](Session& s) { s.name = QStringLiteral("a/b"); }) << QStringLiteral("separates folders");
        QTest::newRow("empty host") << with([](Session& s) { s.host.clear(); }) << QStringLiteral("Host: enter");
        QTest::newRow("host with space") << with([](Session& s) { s.host = QStringLiteral("a b"); }) << QStringLiteral("is not a host name");
        QTest::newRow("host with control") << with([](Session& s) { s.host = QStringLiteral("a\x01"); }) << QStringLiteral("is not a host name");
        QTest::newRow("port 0") << with([](Session& s) { s.port = 0; }) << QStringLiteral("Port: 0");
        QTest::newRow("port 65536") << with([](Session& s) { s.port = 65536; }) << QStringLiteral("Port: 65536");
        QTest::newRow("user with space") << with([](Session& s) { s.user = QStringLiteral("a b"); }) << QStringLiteral("User:");
        QTest::newRow("no auth") << with([](Session& s) { s.authMethods.clear(); }) << QStringLiteral("at least one method");
        QTest::newRow("missing key file") << with([](Session& s) { s.keyFile = QStringLiteral("/nonexistent/id"); }) << QStringLiteral("does not exist");
        QTest::newRow("only publickey without key") << with([](Session& s) { s.authMethods = {AuthMethod::PublicKey}; })
                                                    << QStringLiteral("choose a key file");
        QTest::newRow("bad jump host") << with([](Session& s) { s.jumpHosts = {QStringLiteral("user@")}; }) << QStringLiteral("Jump hosts");
        QTest::newRow("forward port") << with([](Session& s) { s.forwards = {{PortForward::Kind::Local, {}, 0, QStringLiteral("h"), 80}}; })
                                      << QStringLiteral("listening port 0");
        QTest::newRow("remote forward port 0 allowed") << with([](Session& s) { s.forwards = {{PortForward::Kind::Remote, {}, 0, QStringLiteral("h"), 80}}; })
                                                       << QString();
        QTest::newRow("forward without destination") << with([](Session& s) { s.forwards = {{PortForward::Kind::Local, {}, 8080, {}, 80}}; })
                                                     << QStringLiteral("destination host");
        QTest::newRow("dynamic needs no destination") << with([](Session& s) { s.forwards = {{PortForward::Kind::Dynamic, {}, 1080, {}, 0}}; })
                                                      << QString();
        QTest::newRow("two forwards on one port") << with([](Session& s) {
            s.forwards = {{PortForward::Kind::Local, {}, 8080, QStringLiteral("a"), 80}, {PortForward::Kind::Dynamic, {}, 8080, {}, 0}};
        }) << QStringLiteral("already used by forward 1");
        QTest::newRow("env name") << with([](Session& s) { s.environment = {{QStringLiteral("1BAD"), QStringLiteral("x")}}; })
                                  << QStringLiteral("not a variable name");
        QTest::newRow("keepalive") << with([](Session& s) { s.keepaliveSeconds = -1; }) << QStringLiteral("Keepalive");
        QTest::newRow("scrollback") << with([](Session& s) { s.terminal.scrollbackLines = 2000000; }) << QStringLiteral("Scrollback");
        QTest::newRow("TERM") << with([](Session& s) { s.terminal.termType = QStringLiteral("xterm 256"); }) << QStringLiteral("TERM");
        QTest::newRow("empty tag") << with([](Session& s) { s.tags = {QStringLiteral(" ")}; }) << QStringLiteral("Tags");
    }

    void validation()
    {
        QFETCH(Session, session);
        QFETCH(QString, problem);
        const QStringList problems = validateSession(session);
        if (problem.isEmpty()) {
            QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        } else {
            QCOMPARE(problems.size(), 1);
            QVERIFY2(problems[0].contains(problem), qPrintable(problems[0]));
        }
    }

    void editorRoundTripsEveryField()
    {
        QTemporaryFile key;
        QVERIFY(key.open());
        Session s = validSession();
        s.port = 2222;
        s.authMethods = {AuthMethod::Password, AuthMethod::PublicKey};
        s.keyFile = key.fileName();
        s.jumpHosts = {QStringLiteral("jump@bastion:2200"), QStringLiteral("inner")};
        s.forwards = {{PortForward::Kind::Local, QStringLiteral("127.0.0.1"), 8080, QStringLiteral("localhost"), 80},
                      {PortForward::Kind::Dynamic, {}, 1080, {}, 0}};
        s.environment = {{QStringLiteral("LANG"), QStringLiteral("C.UTF-8")}};
        s.remoteCommand = QStringLiteral("tmux attach");
        s.keepaliveSeconds = 30;
        s.autoReconnect = true;
        s.x11Forwarding = X11Mode::Trusted;
        s.hostKeyPolicy = HostKeyPolicy::Strict;
        s.terminal.fontPointSize = 13;
        s.terminal.colorScheme = QStringLiteral("Solarized Dark");
        s.terminal.scrollbackLines = 50000;
        s.terminal.termType = QStringLiteral("xterm-256color");
        s.notes = QStringLiteral("notes\nhere");
        s.tags = {QStringLiteral("prod"), QStringLiteral("web")};
        s.origin = QStringLiteral("ssh_config:web");
        SessionEditor editor(s, QStringLiteral("Work/Prod"));
        QCOMPARE(editor.session(), s);
        QCOMPARE(editor.folderPath(), QStringLiteral("Work/Prod"));
        QVERIFY(editor.problems().isEmpty());
    }

    void editorRefusesToCloseWithProblems()
    {
        SessionEditor editor(validSession(), QString());
        editor.show();
        auto* host = editor.findChild<QLineEdit*>(QStringLiteral("host"));
        host->clear();
        editor.accept();
        QVERIFY(editor.isVisible());
        QCOMPARE(editor.result(), int(QDialog::Rejected));
        auto* problems = editor.findChild<QLabel*>(QStringLiteral("problems"));
        QVERIFY(problems->isVisible());
        QVERIFY(problems->text().contains(QStringLiteral("Host: enter a host name")));

        QTest::keyClicks(host, QStringLiteral("ok.example"));
        editor.accept();
        QCOMPARE(editor.result(), int(QDialog::Accepted));
        QCOMPARE(editor.session().host, QStringLiteral("ok.example"));
    }

    void editorNamesUnreadableForwardCells()
    {
        SessionEditor editor(validSession(), QString());
        auto* table = editor.findChild<QTableWidget*>(QStringLiteral("forwards"));
        auto* add = [&] {
            for (QPushButton* b : editor.findChildren<QPushButton*>()) {
                if (b->text().contains(QStringLiteral("Add forward")))
                    return b;
            }
            return static_cast<QPushButton*>(nullptr);
        }();
        QVERIFY(add);
        add->click();
        QCOMPARE(table->rowCount(), 1);
        table->item(0, 2)->setText(QStringLiteral("80a"));
        table->item(0, 3)->setText(QStringLiteral("localhost"));
        table->item(0, 4)->setText(QStringLiteral("80"));
        const QStringList problems = editor.problems();
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems[0].contains(QStringLiteral("“80a” is not a port number")), qPrintable(problems[0]));
        table->item(0, 2)->setText(QStringLiteral("8080"));
        QVERIFY(editor.problems().isEmpty());
        QCOMPARE(editor.session().forwards.value(0), (PortForward{PortForward::Kind::Local, {}, 8080, QStringLiteral("localhost"), 80}));
    }

    void preferencesRoundTrip()
    {
        Preferences p;
        p.fontPointSize = 15;
        p.colorScheme = QStringLiteral("Tango");
        p.scrollbackLines = 123000;
        p.cursorShape = Preferences::CursorShape::Underline;
        p.cursorBlinks = false;
        p.bell = Preferences::Bell::Audible;
        p.copyOnSelect = true;
        p.confirmMultilinePaste = false;
        p.defaultUser = QStringLiteral("alice");
        p.keepaliveSeconds = 45;
        p.themeFollowsSystem = false;
        p.quickConnectHistory = {QStringLiteral("a@b")};
        PreferencesDialog dialog(p);
        Preferences out = dialog.preferences();
        out.fontFamily = p.fontFamily; // the font combo picks the closest installed family
        QCOMPARE(out, p);
        // The preview follows the scheme choice.
        auto* scheme = dialog.findChild<QComboBox*>(QStringLiteral("colorScheme"));
        scheme->setCurrentIndex(scheme->findText(QStringLiteral("Solarized Light")));
        QCOMPARE(dialog.preferences().colorScheme, QStringLiteral("Solarized Light"));
    }

    void connectTargets_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::newRow("host") << "example.com" << true << "" << "example.com" << 22;
        QTest::newRow("user@host") << "alice@example.com" << true << "alice" << "example.com" << 22;
        QTest::newRow("user@host:port") << "alice@example.com:2222" << true << "alice" << "example.com" << 2222;
        QTest::newRow("IPv4:port") << "10.0.0.1:22022" << true << "" << "10.0.0.1" << 22022;
        QTest::newRow("bracketed IPv6") << "root@[::1]:2200" << true << "root" << "::1" << 2200;
        QTest::newRow("bare IPv6") << "fe80::1" << true << "" << "fe80::1" << 22;
        QTest::newRow("ssh URL") << "ssh://bob@host.example:2022" << true << "bob" << "host.example" << 2022;
        QTest::newRow("ssh URL slash") << "SSH://host.example/" << true << "" << "host.example" << 22;
        QTest::newRow("ssh URL with fingerprint param") << "ssh://bob;fingerprint=ssh-ed25519-abc@h" << true << "bob" << "h" << 22;
        QTest::newRow("user with @") << "me@corp.example@host" << true << "me@corp.example" << "host" << 22;
        QTest::newRow("empty") << "" << false << "" << "" << 0;
        QTest::newRow("port 0") << "host:0" << false << "" << "" << 0;
        QTest::newRow("port text") << "host:ssh" << false << "" << "" << 0;
        QTest::newRow("space") << "a host" << false << "" << "" << 0;
        QTest::newRow("empty user") << "@host" << false << "" << "" << 0;
        QTest::newRow("URL with path") << "ssh://host/path" << false << "" << "" << 0;
        QTest::newRow("http URL") << "http://host" << false << "" << "" << 0;
    }

    void connectTargets()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        const auto target = parseConnectTarget(text);
        QCOMPARE(target.has_value(), valid);
        if (!valid)
            return;
        QTEST(target->user, "user");
        QTEST(target->host, "host");
        QTEST(target->port, "port");
        // The canonical form parses back to the same target.
        const auto again = parseConnectTarget(target->toString());
        QVERIFY(again);
        QCOMPARE(again->toString(), target->toString());
    }

    void sshCommandLineIsQuotedForTheShell()
    {
        Session s = validSession();
        s.port = 2222;
        s.keyFile = QStringLiteral("/home/u/my keys/id");
        s.jumpHosts = {QStringLiteral("j1"), QStringLiteral("j2:2200")};
        s.forwards = {{PortForward::Kind::Local, {}, 8080, QStringLiteral("localhost"), 80},
                      {PortForward::Kind::Dynamic, QStringLiteral("::1"), 1080, {}, 0}};
        s.hostKeyPolicy = HostKeyPolicy::AcceptNew;
        s.remoteCommand = QStringLiteral("echo 'hi'");
        QCOMPARE(sshCommandLine(s),
                 QStringLiteral("ssh -p 2222 -i '/home/u/my keys/id' -J j1,j2:2200 -L 8080:localhost:80 -D '[::1]:1080' "
                                "-o StrictHostKeyChecking=accept-new -t deploy@web.example.com 'echo '\\''hi'\\'''"));
    }

    void launchArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("session");
        QTest::addColumn<bool>("error");
        QTest::newRow("nothing") << QStringList{} << QString() << QString() << false;
        QTest::newRow("host") << QStringList{"alice@h:2200"} << "alice@h:2200" << QString() << false;
        QTest::newRow("URL") << QStringList{"ssh://h:2022"} << "h:2022" << QString() << false;
        QTest::newRow("session") << QStringList{"--session", "Work/web"} << QString() << "Work/web" << false;
        QTest::newRow("both") << QStringList{"--session", "x", "h"} << QString() << "x" << true;
        QTest::newRow("garbage host") << QStringList{"not a host"} << QString() << QString() << true;
        QTest::newRow("two hosts") << QStringList{"a", "b"} << QString() << QString() << true;
        QTest::newRow("unknown option") << QStringList{"--frobnicate"} << QString() << QString() << true;
    }

    void launchArguments()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, target);
        QFETCH(QString, session);
        QFETCH(bool, error);
        const LaunchOptions options = parseLaunchArguments(QStringList{QStringLiteral("portal")} + arguments);
        QCOMPARE(!options.error.isEmpty(), error);
        if (error)
            return;
        QCOMPARE(options.target ? options.target->toString() : QString(), target);
        QCOMPARE(options.sessionName, session);
    }
};

QTEST_MAIN(TestSessionEditor)
#include "test_session_editor.moc"
