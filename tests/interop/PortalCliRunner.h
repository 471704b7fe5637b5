// Runs `portal-cli ssh` against a fixture server as the test user, isolated from the
// machine's own ~/.ssh: HOME is a temporary directory, known_hosts is a file of the test's.
#pragma once

#include "ProcessTools.h"
#include "SshServer.h"

#include <QDir>
#include <QTemporaryDir>

namespace portal::test {

class PortalCliRunner {
public:
    explicit PortalCliRunner(const SshServer& server)
        : server_(server), environment_(QProcessEnvironment::systemEnvironment()) {
        environment_.insert(QStringLiteral("HOME"), home_.path());
        environment_.remove(QStringLiteral("SSH_AUTH_SOCK"));
        environment_.remove(QStringLiteral("DISPLAY"));
        environment_.remove(QStringLiteral("SSH_ASKPASS"));
        environment_.remove(QStringLiteral("SSH_ASKPASS_REQUIRE"));
        knownHosts_ = home_.filePath(QStringLiteral("known_hosts"));
    }

    static QString program() { return QStringLiteral(PORTAL_CLI_PATH); }

    QString home() const { return home_.path(); }
    QString knownHostsPath() const { return knownHosts_; }
    // Lists the server's own host keys in the known_hosts file (what most tests want).
    bool trustServer(QString* error) const { return server_.writeKnownHosts(knownHosts_, error); }

    // Answers every password, passphrase and confirmation prompt with `secret` through
    // SSH_ASKPASS (SSH_ASKPASS_REQUIRE=force), as a person at a terminal would type it.
    bool answerPromptsWith(const QString& secret, QString* error) {
        const QString script = writeAskpassScript(home_.path(), secret, error);
        if (script.isEmpty())
            return false;
        environment_.insert(QStringLiteral("SSH_ASKPASS"), script);
        environment_.insert(QStringLiteral("SSH_ASKPASS_REQUIRE"), QStringLiteral("force"));
        return true;
    }
    // The prompts the askpass program was shown, one per line.
    QByteArray askpassLog() const {
        QFile log(home_.filePath(QStringLiteral("askpass.log")));
        return log.open(QIODevice::ReadOnly) ? log.readAll() : QByteArray();
    }

    // portal-cli ssh <options> <defaults> -p port user@127.0.0.1 <command>. The test's own
    // options come first: with ssh_config's first-value-wins they override the defaults
    // (known_hosts = knownHostsPath(), StrictHostKeyChecking=yes).
    ToolResult run(const QStringList& options, const QString& command, const QByteArray& input = {},
                   int timeoutMs = 60000) const {
        QStringList args{QStringLiteral("ssh")};
        // Like the machine's ~/.ssh, its /etc/ssh/ssh_config stays out of the tests (Debian's
        // turns on HashKnownHosts) unless a test names a file of its own.
        if (!options.contains(QStringLiteral("-F")))
            args << QStringLiteral("-F") << QStringLiteral("/dev/null");
        args << options
             << QStringLiteral("-o") << QStringLiteral("UserKnownHostsFile=") + knownHosts_
             << QStringLiteral("-o") << QStringLiteral("StrictHostKeyChecking=yes")
             << QStringLiteral("-o") << QStringLiteral("ConnectTimeout=10")
             << QStringLiteral("-p") << QString::number(server_.port())
             << server_.user().name + QStringLiteral("@127.0.0.1");
        if (!command.isEmpty())
            args << command;
        ToolOptions run;
        run.input = input;
        run.timeoutMs = timeoutMs;
        run.environment = environment_;
        return runTool(program(), args, run);
    }

    QProcessEnvironment& environment() { return environment_; }

private:
    const SshServer& server_;
    QTemporaryDir home_;
    QString knownHosts_;
    QProcessEnvironment environment_;
};

// Failure text for QVERIFY2: the tool's result and the end of the server's log.
inline QString explain(const ToolResult& result, const SshServer& server) {
    return result.describe(QStringLiteral("portal-cli")) + QStringLiteral("\nstdout: ") +
           QString::fromLocal8Bit(result.out.left(500)) + QStringLiteral("\n--- server log ---\n") +
           QString::fromLocal8Bit(server.log().right(2000));
}

} // namespace portal::test
