// Runs `portal-cli ssh` against a fixture server as the test user, isolated from the
// machine's own ~/.ssh: HOME is a temporary directory, known_hosts is a file of the test's.
// PortalCliTest is what the portal-cli test classes share: their sshd, key and runners.
#pragma once

#include "ClientKey.h"
#include "OpenSshServer.h"
#include "ProcessTools.h"
#include "SshServer.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <memory>

#include <signal.h>

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

    // ssh <options> <defaults> -p port user@127.0.0.1 <command>: portal-cli's arguments. The
    // test's own options come first: with ssh_config's first-value-wins they override the
    // defaults (known_hosts = knownHostsPath(), StrictHostKeyChecking=yes).
    QStringList arguments(const QStringList& options, const QString& command) const {
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
        return args;
    }

    // Runs portal-cli with arguments() to its end (or the timeout).
    ToolResult run(const QStringList& options, const QString& command, const QByteArray& input = {},
                   int timeoutMs = 60000) const {
        return runTool(program(), arguments(options, command), toolOptions(input, timeoutMs));
    }

    // OpenSSH's ssh with the same arguments and environment: the reference to compare with.
    ToolResult runOpenSsh(const QStringList& options, const QString& command, const QByteArray& input = {},
                          int timeoutMs = 60000) const {
        return runTool(QStringLiteral("ssh"), arguments(options, command).mid(1), toolOptions(input, timeoutMs));
    }

    // Starts portal-cli with arguments() in `process`, which the test drives and ends.
    void start(QProcess& process, const QStringList& options, const QString& command = {}) const {
        process.setProcessEnvironment(environment_);
        process.start(program(), arguments(options, command));
    }

    QProcessEnvironment& environment() { return environment_; }

    // The processes of `program` (portal-cli, or "ssh") running with this runner's files in
    // their arguments: how a test finds what -f or ~& left in the background.
    QList<pid_t> runningProcesses(const QString& program = PortalCliRunner::program()) const {
        const QString executable = QFileInfo(QStandardPaths::findExecutable(program)).canonicalFilePath();
        QList<pid_t> found;
        for (const QString& entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            bool number = false;
            const pid_t pid = static_cast<pid_t>(entry.toInt(&number));
            QFile commandLine(QStringLiteral("/proc/%1/cmdline").arg(entry));
            if (number && QFileInfo(QStringLiteral("/proc/%1/exe").arg(entry)).canonicalFilePath() == executable &&
                commandLine.open(QIODevice::ReadOnly) && commandLine.readAll().contains(home().toLocal8Bit()))
                found << pid;
        }
        return found;
    }

private:
    ToolOptions toolOptions(const QByteArray& input, int timeoutMs) const {
        ToolOptions options;
        options.input = input;
        options.timeoutMs = timeoutMs;
        options.environment = environment_;
        return options;
    }

    const SshServer& server_;
    QTemporaryDir home_;
    QString knownHosts_;
    QProcessEnvironment environment_;
};

// Processes a test found running in the background, ended by PID (SIGTERM) when it is done.
struct ProcessesToEnd {
    QList<pid_t> pids;
    ~ProcessesToEnd() {
        for (const pid_t pid : pids)
            ::kill(pid, SIGTERM);
    }
};

// The base of a portal-cli test class (beside QObject): one OpenSSH sshd with an ed25519
// host key that lets the test user in with key_, and runners that trust it.
class PortalCliTest {
protected:
    // Starts server_ with these sshd_config options; false with server_->errorString().
    bool startServer(const QList<QPair<QString, QString>>& sshdOptions = {}) {
        server_ = std::make_unique<OpenSshServer>();
        server_->setHostKeys({{QStringLiteral("ed25519"), 0}});
        for (const auto& [keyword, value] : sshdOptions)
            server_->setOption(keyword, value);
        return server_->startWithClientKey(&key_);
    }

    // A runner for `server` (server_ by default) whose known_hosts lists its host keys.
    PortalCliRunner trustingRunner(const SshServer* server = nullptr) const {
        PortalCliRunner cli(server ? *server : *server_);
        QString error;
        if (!cli.trustServer(&error))
            qFatal("%s", qPrintable(error));
        return cli;
    }

    // Log in with key_ and never prompt: -i key -o BatchMode=yes, then `more`.
    QStringList keyOptions(const QStringList& more = {}) const {
        return QStringList{QStringLiteral("-i"), key_.privatePath, QStringLiteral("-o"), QStringLiteral("BatchMode=yes")} +
               more;
    }

    QString destination() const { return server_->user().name + QStringLiteral("@127.0.0.1"); }

    // <home>/config giving every host (jump hosts too) key_, the runner's known_hosts, no
    // prompts and the test user, as a user's ~/.ssh/config would; its path.
    QString writeConfig(const PortalCliRunner& cli) const {
        const QString path = cli.home() + QStringLiteral("/config");
        const QByteArray text = "Host *\n  IdentityFile " + key_.privatePath.toLocal8Bit() +
                                "\n  UserKnownHostsFile " + cli.knownHostsPath().toLocal8Bit() +
                                "\n  StrictHostKeyChecking yes\n  BatchMode yes\n  User " +
                                server_->user().name.toLocal8Bit() + "\n";
        QString error;
        if (!writeFile(path, text, 0600, &error))
            qFatal("%s", qPrintable(error));
        return path;
    }

    ClientKey key_;
    std::unique_ptr<OpenSshServer> server_;
};

// Failure text for QVERIFY2: the tool's result and the end of the server's log.
inline QString explain(const ToolResult& result, const SshServer& server) {
    return result.describe(QStringLiteral("portal-cli")) + QStringLiteral("\nstdout: ") +
           QString::fromLocal8Bit(result.out.left(500)) + QStringLiteral("\n--- server log ---\n") +
           QString::fromLocal8Bit(server.log().right(2000));
}

} // namespace portal::test
