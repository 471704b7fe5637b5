// A terminal pane's connection against a real OpenSSH sshd on 127.0.0.1 (interop fixture),
// with the emulator as the screen: accept the host key in the dialog, log in by password
// through the dialog, type a command and see its output, resize and check `stty size`
// remotely, lose the connection and reconnect from the offer, and meet the changed-key
// warning (no password asked); go through a jump host with a local port forward; a session
// with X11 forwarding shows a remote X client our Xvfb's screen.
#include "TerminalConnection.h"

#include "LiveSessionHelpers.h"
#include "ClientKey.h"
#include "OpenSshServer.h"
#include "TerminalEmulator.h"
#include "XvfbServer.h"

#include <QDialog>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace portal::ui;
using portal::ui::testing::waitForDialog;
using portal::terminal::TerminalEmulator;

namespace {

QString randomMarker(const char* prefix)
{
    return QStringLiteral("%1-%2").arg(QLatin1String(prefix)).arg(QRandomGenerator::global()->generate());
}

// A pane without the widget: the emulator is the screen, the notice is remembered.
struct Pane {
    QWidget owner;
    TerminalEmulator emulator{24, 80};
    QString notice;
    bool reconnectOffered = false;
    std::unique_ptr<TerminalConnection> connection;

    Pane(const Session& session)
    {
        owner.resize(200, 100);
        owner.show();
        connection = std::make_unique<TerminalConnection>(session, Preferences{}, &owner, TerminalConnection::Events{
            [] {},
            [this](const QByteArray& bytes) { emulator.feed(bytes); },
            [this](const QString& text, bool offer) {
                notice = text;
                reconnectOffered = offer;
            }});
        // Terminal replies (cursor reports and the like) go back to the server.
        QObject::connect(&emulator, &TerminalEmulator::replyBytes, &owner,
                         [this](const QByteArray& bytes) { connection->send(bytes); });
    }

    QStringList lines() const
    {
        QStringList out;
        for (int row = 0; row < emulator.rows(); ++row)
            out << emulator.text(row).trimmed();
        return out;
    }
    bool showsLine(const QString& line, int timeoutMs = 15000)
    {
        return QTest::qWaitFor([&] { return lines().contains(line); }, timeoutMs);
    }
    bool showsOutput(const QString& marker, int timeoutMs = 15000)
    {
        return QTest::qWaitFor([&] { return portal::ui::testing::showsEchoOutput(lines(), marker); }, timeoutMs);
    }
    void type(const QString& text)
    {
        QVERIFY2(portal::ui::testing::waitForPrompt(emulator), qPrintable(lines().join(u'\n')));
        connection->send(text.toUtf8() + '\r');
    }
};

} // namespace

class TestTerminalConnection : public QObject {
    Q_OBJECT
private:
    portal::ui::testing::LiveServerHome live_;
    std::unique_ptr<Pane> pane_;

    static Session sessionFor(const portal::test::SshServer& server)
    {
        return portal::ui::testing::passwordSessionFor(server);
    }

    bool logIn(Pane& pane)
    {
        auto* password = waitForDialog<CredentialDialog>(&pane.owner);
        if (!password)
            return false;
        QTest::keyClicks(password->field(0), live_.server().user().password);
        password->accept();
        return QTest::qWaitFor([&] { return pane.connection->status() == ConnectionPane::Status::Connected; }, 20000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(live_.start({{QStringLiteral("X11Forwarding"), QStringLiteral("yes")},
                              {QStringLiteral("X11UseLocalhost"), QStringLiteral("yes")},
                              {QStringLiteral("XAuthLocation"), QStringLiteral("/usr/bin/xauth")}}),
                 qPrintable(live_.server().errorString()));
    }

    void cleanupTestCase()
    {
        pane_.reset();
        live_.stop();
    }

    void acceptHostKeyAndLogInByPassword()
    {
        pane_ = std::make_unique<Pane>(sessionFor(live_.server()));
        pane_->connection->start();
        auto* hostKey = waitForDialog<UnknownHostKeyDialog>(&pane_->owner);
        QVERIFY2(hostKey, qPrintable(pane_->connection->statusText()));
        QVERIFY(hostKey->findChild<QLabel*>(QStringLiteral("fingerprint"))->text().startsWith(QStringLiteral("SHA256:")));
        QTest::mouseClick(hostKey->findChild<QPushButton*>(QStringLiteral("acceptAndSave")), Qt::LeftButton);
        QVERIFY2(logIn(*pane_), qPrintable(pane_->connection->statusText() + u' ' + pane_->notice));

        const auto details = pane_->connection->details();
        QVERIFY(details.has_value());
        QCOMPARE(details->authMethod, QStringLiteral("password"));
        QVERIFY(details->serverVersion.startsWith(QStringLiteral("SSH-2.0-OpenSSH")));
        QVERIFY(!details->kex.isEmpty());
        QFile knownHosts(live_.filePath(QStringLiteral(".ssh/known_hosts")));
        QVERIFY(knownHosts.open(QIODevice::ReadOnly));
        QVERIFY(knownHosts.readAll().contains(QStringLiteral("[127.0.0.1]:%1").arg(live_.server().port()).toUtf8()));
    }

    void typedCommandAppearsOnScreen()
    {
        QVERIFY(pane_);
        const QString marker = randomMarker("hello");
        pane_->type(QStringLiteral("echo %1").arg(marker));
        QVERIFY2(pane_->showsLine(marker), qPrintable(pane_->lines().join(u'\n')));
    }

    // The session's X11 forwarding option reaches the worker: an X client in the remote shell
    // sees the screen of the display in our $DISPLAY (an Xvfb of a size no other has).
    void x11ForwardingShowsOurDisplay()
    {
        portal::test::XvfbServer xvfb;
        QVERIFY2(xvfb.start(QSize(1234, 567)), qPrintable(xvfb.errorString()));
        const QByteArray savedDisplay = qgetenv("DISPLAY");
        const QByteArray savedAuthority = qgetenv("XAUTHORITY");
        const auto restore = qScopeGuard([&] {
            qputenv("DISPLAY", savedDisplay);
            qputenv("XAUTHORITY", savedAuthority);
        });
        qputenv("DISPLAY", xvfb.display().toUtf8());
        qputenv("XAUTHORITY", xvfb.authorityFile().toUtf8());
        Session session = sessionFor(live_.server());
        session.x11Forwarding = X11Mode::Untrusted;
        Pane pane(session);
        pane.connection->start();
        QVERIFY2(logIn(pane), qPrintable(pane.connection->statusText() + u' ' + pane.notice));
        pane.type(QStringLiteral("xdpyinfo | grep dimensions"));
        QVERIFY2(QTest::qWaitFor([&] { return pane.lines().join(u'\n').contains(QStringLiteral("1234x567 pixels")); },
                                 15000),
                 qPrintable(pane.lines().join(u'\n')));
    }

    void resizeReachesTheServer()
    {
        QVERIFY(pane_);
        pane_->emulator.resize(31, 97);
        pane_->connection->resize(97, 31);
        pane_->type(QStringLiteral("stty size"));
        QVERIFY2(pane_->showsLine(QStringLiteral("31 97")), qPrintable(pane_->lines().join(u'\n')));
    }

    void droppedConnectionOffersReconnect()
    {
        QVERIFY(pane_);
        const QString before = randomMarker("before");
        pane_->type(QStringLiteral("echo %1").arg(before));
        QVERIFY(pane_->showsLine(before));
        // Kill this connection's sshd process (the shell's parent); the listener stays up.
        pane_->type(QStringLiteral("kill -9 $PPID"));
        QVERIFY(QTest::qWaitFor([&] { return !pane_->connection->isLive(); }, 15000));
        QVERIFY2(pane_->reconnectOffered, qPrintable(pane_->notice));
        QVERIFY2(pane_->notice.contains(QStringLiteral("reconnect"), Qt::CaseInsensitive), qPrintable(pane_->notice));
        QVERIFY(pane_->lines().contains(before)); // the screen keeps what it showed

        // The key is known now: only the password is asked.
        pane_->connection->reconnect();
        if (auto* again = waitForDialog<UnknownHostKeyDialog>(&pane_->owner, 300)) {
            QFile knownHosts(live_.filePath(QStringLiteral(".ssh/known_hosts")));
            knownHosts.open(QIODevice::ReadOnly);
            QFAIL(qPrintable(QStringLiteral("asked again for %1; known_hosts:\n%2")
                                 .arg(again->findChild<QLabel*>(QStringLiteral("fingerprint"))->text(),
                                      QString::fromUtf8(knownHosts.readAll()))));
        }
        QVERIFY2(logIn(*pane_), qPrintable(pane_->connection->statusText() + u' ' + pane_->notice));
        const QString after = randomMarker("after");
        pane_->type(QStringLiteral("echo %1").arg(after));
        QVERIFY2(pane_->showsOutput(after), qPrintable(pane_->lines().join(u'\n')));
    }

    void exitClosesCleanlyWithStatus()
    {
        QVERIFY(pane_);
        pane_->type(QStringLiteral("exit 3"));
        QVERIFY(QTest::qWaitFor([&] { return pane_->connection->status() == ConnectionPane::Status::Closed; }, 15000));
        QVERIFY2(pane_->connection->statusText().contains(QStringLiteral("exit 3")), qPrintable(pane_->connection->statusText()));
        QVERIFY(pane_->reconnectOffered);
    }

    void jumpHostAndLocalForward()
    {
        // The session goes through a jump host (the same sshd, reached first) and forwards a
        // local port to an echo server here; both hops ask for the password in the dialog.
        QTcpServer echo;
        QVERIFY(echo.listen(QHostAddress::LocalHost));
        QObject::connect(&echo, &QTcpServer::newConnection, &echo, [&echo] {
            while (QTcpSocket* peer = echo.nextPendingConnection())
                QObject::connect(peer, &QTcpSocket::readyRead, peer, [peer] { peer->write(peer->readAll()); });
        });
        QTcpServer probe; // a free port for the forward to listen on
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 forwardPort = probe.serverPort();
        probe.close();

        Session session = sessionFor(live_.server());
        session.jumpHosts = {QStringLiteral("%1@%2:%3").arg(live_.server().user().name, live_.server().host()).arg(live_.server().port())};
        session.forwards = {PortForward{PortForward::Kind::Local, QStringLiteral("127.0.0.1"), forwardPort,
                                        QStringLiteral("127.0.0.1"), echo.serverPort()}};
        Pane pane(session);
        pane.connection->start();
        int passwordsTyped = 0;
        const bool connected = QTest::qWaitFor([&] {
            if (auto* password = waitForDialog<CredentialDialog>(&pane.owner, 50)) {
                QTest::keyClicks(password->field(0), live_.server().user().password);
                password->accept();
                ++passwordsTyped;
            }
            return pane.connection->status() == ConnectionPane::Status::Connected;
        }, 30000);
        QVERIFY2(connected, qPrintable(pane.connection->statusText() + u' ' + pane.notice));
        QCOMPARE(passwordsTyped, 2); // the jump host, then the destination

        // The shell's parent connection came through the jump host: sshd sees it from 127.0.0.1
        // as a forwarded connection, and the typed command still runs.
        const QString marker = randomMarker("jumped");
        pane.type(QStringLiteral("echo %1").arg(marker));
        QVERIFY2(pane.showsLine(marker), qPrintable(pane.lines().join(u'\n')));

        QTcpSocket client;
        const QByteArray payload = randomMarker("through-the-tunnel").toUtf8();
        QByteArray received;
        const bool echoed = QTest::qWaitFor([&] {
            if (client.state() == QAbstractSocket::UnconnectedState) {
                client.connectToHost(QHostAddress::LocalHost, forwardPort);
                if (client.waitForConnected(200))
                    client.write(payload);
            }
            received += client.readAll();
            return received == payload;
        }, 15000);
        QVERIFY2(echoed, qPrintable(QStringLiteral("got “%1”; notice: %2").arg(QString::fromUtf8(received), pane.notice)));
    }

    void passphraseDialogUnlocksTheKeyFile()
    {
        // An encrypted key file: the dialog says it is Portal asking for the key's passphrase
        // (naming the file, with no server text), and the key then logs in by publickey.
        QTemporaryDir keys;
        portal::test::ClientKey key;
        QString error;
        const QString passphrase = randomMarker("phrase");
        QVERIFY2(portal::test::generateClientKey(keys.path(), QStringLiteral("id_locked"), QStringLiteral("ed25519"), 0,
                                                 passphrase, &key, &error), qPrintable(error));
        QVERIFY2(live_.server().authorizeKey(key.publicLine, &error), qPrintable(error));
        Session session = sessionFor(live_.server());
        session.authMethods = {AuthMethod::PublicKey};
        session.keyFile = key.privatePath;
        Pane pane(session);
        pane.connection->start();
        auto* dialog = waitForDialog<CredentialDialog>(&pane.owner);
        QVERIFY2(dialog, qPrintable(pane.connection->statusText() + u' ' + pane.notice));
        const QString header = dialog->findChild<QLabel*>(QStringLiteral("portalText"))->text();
        QVERIFY2(header.contains(key.privatePath), qPrintable(header));
        QVERIFY(!dialog->findChild<QWidget*>(QStringLiteral("serverText")));
        QCOMPARE(dialog->field(0)->echoMode(), QLineEdit::Password);
        QTest::keyClicks(dialog->field(0), passphrase);
        dialog->accept();
        QVERIFY2(QTest::qWaitFor([&] { return pane.connection->status() == ConnectionPane::Status::Connected; }, 20000),
                 qPrintable(pane.connection->statusText() + u' ' + pane.notice));
        QCOMPARE(pane.connection->details()->authMethod, QStringLiteral("publickey"));
    }

    void automaticReconnectWithBackOff()
    {
        // autoReconnect: a dropped connection comes back by itself after 1 s, then 2 s, with
        // the countdown shown; an unencrypted key means no dialog is needed.
        QTemporaryDir keys;
        portal::test::ClientKey key;
        QString error;
        QVERIFY2(portal::test::generateClientKey(keys.path(), QStringLiteral("id_open"), QStringLiteral("ed25519"), 0,
                                                 QString(), &key, &error), qPrintable(error));
        QVERIFY2(live_.server().authorizeKey(key.publicLine, &error), qPrintable(error));
        Session session = sessionFor(live_.server());
        session.authMethods = {AuthMethod::PublicKey};
        session.keyFile = key.privatePath;
        session.autoReconnect = true;
        Pane pane(session);
        pane.connection->start();
        QVERIFY2(QTest::qWaitFor([&] { return pane.connection->status() == ConnectionPane::Status::Connected; }, 20000),
                 qPrintable(pane.connection->statusText() + u' ' + pane.notice));

        // Each drop of a working connection waits 1 s: a shell that opened resets the back-off.
        for (int drop = 0; drop < 2; ++drop) {
            pane.type(QStringLiteral("kill -9 $PPID"));
            QVERIFY(QTest::qWaitFor([&] { return !pane.connection->isLive(); }, 15000));
            QVERIFY2(pane.notice.contains(QStringLiteral("reconnecting in 1 s")), qPrintable(pane.notice));
            const int left = pane.connection->secondsUntilReconnect();
            QVERIFY2(left >= 0 && left <= 1, qPrintable(QStringLiteral("drop %1: %2 s left; %3").arg(drop).arg(left).arg(pane.notice)));
            QVERIFY2(QTest::qWaitFor([&] { return pane.connection->status() == ConnectionPane::Status::Connected; }, 20000),
                     qPrintable(pane.connection->statusText() + u' ' + pane.notice));
            const QString marker = randomMarker("back");
            pane.type(QStringLiteral("echo %1").arg(marker));
            QVERIFY2(pane.showsOutput(marker), qPrintable(pane.lines().join(u'\n')));
        }
    }

    void automaticReconnectBacksOffWhileAttemptsFail()
    {
        QTcpServer probe; // a port nobody listens on: every attempt is refused (a network error)
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        Session session = sessionFor(live_.server());
        session.port = probe.serverPort();
        probe.close();
        session.autoReconnect = true;
        Pane pane(session);
        pane.connection->start();
        for (int delay : {1, 2, 4}) {
            QVERIFY2(QTest::qWaitFor([&] { return pane.notice.contains(QStringLiteral("reconnecting in %1 s").arg(delay)); },
                                     delay * 1000 + 10000),
                     qPrintable(pane.notice));
        }
        QCOMPARE(pane.connection->status(), ConnectionPane::Status::Failed);
    }

    void changedHostKeyStopsWithTheWarning()
    {
        // Another server; known_hosts lists the first server's keys for its address.
        portal::test::OpenSshServer other;
        QVERIFY2(other.start(), qPrintable(other.errorString()));
        QFile knownHosts(live_.filePath(QStringLiteral(".ssh/known_hosts")));
        QVERIFY(portal::ui::testing::listKeysForImpostor(live_.server(), other, knownHosts.fileName()));

        Pane pane(sessionFor(other));
        pane.connection->start();
        auto* warning = waitForDialog<ChangedHostKeyDialog>(&pane.owner);
        QVERIFY2(warning, qPrintable(pane.connection->statusText() + u' ' + pane.notice));
        QVERIFY(warning->findChild<QPushButton*>(QStringLiteral("cancel"))->isDefault());
        const QString location = warning->findChild<QLabel*>(QStringLiteral("oldKeyLocation"))->text();
        QVERIFY2(location.startsWith(knownHosts.fileName() + u':'), qPrintable(location));
        QCOMPARE(pane.connection->status(), ConnectionPane::Status::Failed);
        QVERIFY(!waitForDialog<CredentialDialog>(&pane.owner, 300)); // nothing was sent
        warning->reject();
        other.stop();
    }
};

QTEST_MAIN(TestTerminalConnection)
#include "test_terminal_connection.moc"
