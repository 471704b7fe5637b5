// Helpers for the tests that drive live connections: waiting for a dialog to appear and for
// the shell's prompt on the screen.
#pragma once

#include "SshServer.h"
#include "TerminalEmulator.h"

#include <QFile>

#include <QDialog>
#include <QTest>
#include <QWidget>

namespace portal::ui::testing {

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
