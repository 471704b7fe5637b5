// Helpers for the tests that drive live connections: waiting for a dialog to appear and for
// the shell's prompt on the screen.
#pragma once

#include "OpenSshServer.h"
#include "Session.h"
#include "SshServer.h"
#include "TerminalEmulator.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <memory>

#include <QDialog>
#include <QTest>
#include <QWidget>

namespace portal::ui::testing {

// A private HOME (known_hosts and keys never touch the real one) and a throwaway sshd, for
// the tests that connect: start() in initTestCase, stop() in cleanupTestCase.
class LiveServerHome {
public:
    // `serverOptions`: sshd_config options beyond the fixture's (OpenSshServer::setOption).
    bool start(const QList<QPair<QString, QString>>& serverOptions = {})
    {
        savedHome_ = qgetenv("HOME");
        qputenv("HOME", home_.path().toUtf8());
        QDir().mkpath(home_.filePath(QStringLiteral(".ssh")));
        server_ = std::make_unique<portal::test::OpenSshServer>();
        for (const auto& [keyword, value] : serverOptions)
            server_->setOption(keyword, value);
        return server_->start();
    }
    void stop()
    {
        if (server_)
            server_->stop();
        qputenv("HOME", savedHome_);
    }

    QString filePath(const QString& relative) const { return home_.filePath(relative); }
    portal::test::OpenSshServer& server() { return *server_; }

private:
    QTemporaryDir home_;
    QByteArray savedHome_;
    std::unique_ptr<portal::test::OpenSshServer> server_;
};

// A saved session that logs into `server` as its test user with a password.
inline Session passwordSessionFor(const portal::test::SshServer& server)
{
    Session s;
    s.name = QStringLiteral("Local sshd");
    s.host = server.host();
    s.port = server.port();
    s.user = server.user().name;
    s.authMethods = {AuthMethod::Password};
    return s;
}

// The visible dialog of type Dialog among `within`'s children, once it appears.
template <typename Dialog>
Dialog* waitForDialog(QWidget* within, int timeoutMs = 20000)
{
    Dialog* found = nullptr;
    const bool appeared = QTest::qWaitFor([&] {
        // The dialogs have no Q_OBJECT of their own, so findChildren<Dialog*> would match
        // any QDialog: tell them apart with dynamic_cast.
        for (QDialog* candidate : within->findChildren<QDialog*>()) {
            if (auto* d = dynamic_cast<Dialog*>(candidate); d && d->isVisible())
                found = d;
        }
        return found != nullptr;
    }, timeoutMs);
    return appeared ? found : nullptr;
}

// Waits for the shell's prompt on the cursor's line, so typed text is not echoed early.
inline bool waitForPrompt(const terminal::TerminalEmulator& emulator, int timeoutMs = 15000)
{
    return QTest::qWaitFor([&] {
        const QString line = emulator.text(emulator.cursor().row).trimmed();
        return line.endsWith(u'$') || line.endsWith(u'#');
    }, timeoutMs);
}

// Whether the screen shows the output of `echo marker`. After a reconnect the old screen's
// prompt satisfies waitForPrompt, so a line may be typed before the new shell's prompt: the
// new pty echoes it early and the output then shares the prompt's line. The command's own
// echo never counts.
inline bool showsEchoOutput(const QStringList& lines, const QString& marker)
{
    for (const QString& line : lines) {
        const QString trimmed = line.trimmed();
        if (trimmed == marker || (trimmed.endsWith(marker) && !trimmed.contains(QStringLiteral("echo "))))
            return true;
    }
    return false;
}

// Lists `real`'s host keys for `impostor`'s address in known_hosts, so that connecting to the
// impostor meets a changed key.
inline bool listKeysForImpostor(const portal::test::SshServer& real, const portal::test::SshServer& impostor,
                                const QString& knownHostsPath)
{
    QFile knownHosts(knownHostsPath);
    if (!knownHosts.open(QIODevice::Append))
        return false;
    for (QString line : real.knownHostsLines()) {
        line.replace(QStringLiteral("]:%1 ").arg(real.port()), QStringLiteral("]:%1 ").arg(impostor.port()));
        knownHosts.write(line.toUtf8() + '\n');
    }
    return true;
}

} // namespace portal::ui::testing
