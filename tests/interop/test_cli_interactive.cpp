// portal-cli ssh as a person uses it, against OpenSSH sshd: an interactive shell driven
// through a real terminal (tmux: send-keys, capture-pane) with a pty of the terminal's size,
// resize followed by window-change, ^C reaching the remote process, the ~ escapes (~? ~~ ~#
// ~^Z ~. ~B ~R ~C), and the local terminal's modes the same afterwards (also after SIGTERM); plus -E,
// exit-signal and keepalive as ssh(1) does.
#include "ClientKey.h"
#include "OpenSshServer.h"
#include "PortalCliRunner.h"
#include "WorkerTestTools.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QThread>
#include <QtTest>

#include <memory>

#include <signal.h>

using namespace portal::test;

namespace {

// One tmux server of our own (its own socket, no user configuration), killed at the end.
class Tmux {
public:
    explicit Tmux(const QString& dir) : socket_(dir + QStringLiteral("/tmux.sock")) {}
    ~Tmux() { run({QStringLiteral("kill-server")}); }

    ToolResult run(const QStringList& args) const {
        ToolOptions options;
        options.timeoutMs = 10000;
        return runTool(QStringLiteral("tmux"), QStringList{QStringLiteral("-S"), socket_, QStringLiteral("-f"),
                                                           QStringLiteral("/dev/null")} + args,
                       options);
    }
    bool start(const QString& command, int columns, int rows) const {
        return run({QStringLiteral("new-session"), QStringLiteral("-d"), QStringLiteral("-s"), QStringLiteral("t"),
                    QStringLiteral("-x"), QString::number(columns), QStringLiteral("-y"), QString::number(rows),
                    command})
            .succeeded();
    }
    void keys(const QString& text, bool enter = true) const {
        QStringList args{QStringLiteral("send-keys"), QStringLiteral("-t"), QStringLiteral("t"), QStringLiteral("-l"),
                         text};
        run(args);
        if (enter)
            run({QStringLiteral("send-keys"), QStringLiteral("-t"), QStringLiteral("t"), QStringLiteral("Enter")});
    }
    void key(const QString& name) const {
        run({QStringLiteral("send-keys"), QStringLiteral("-t"), QStringLiteral("t"), name});
    }
    QString screen() const {
        return QString::fromLocal8Bit(run({QStringLiteral("capture-pane"), QStringLiteral("-p"), QStringLiteral("-J"),
                                           QStringLiteral("-S"), QStringLiteral("-200"), QStringLiteral("-t"),
                                           QStringLiteral("t")})
                                          .out);
    }
    // Waits until the pane shows a line matching `pattern`; false after `timeoutMs`.
    bool waitFor(const QRegularExpression& pattern, int timeoutMs = 15000) const {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            if (pattern.match(screen()).hasMatch())
                return true;
            QThread::msleep(100);
        }
        return false;
    }

private:
    QString socket_;
};

QString paneTty(const Tmux& tmux) {
    return QString::fromLocal8Bit(tmux.run({QStringLiteral("display-message"), QStringLiteral("-p"), QStringLiteral("-t"),
                                            QStringLiteral("t"), QStringLiteral("#{pane_tty}")})
                                      .out.trimmed());
}

qint64 paneProcess(const Tmux& tmux) {
    return tmux.run({QStringLiteral("display-message"), QStringLiteral("-p"), QStringLiteral("-t"), QStringLiteral("t"),
                     QStringLiteral("#{pane_pid}")})
        .out.trimmed()
        .toLongLong();
}

// The first child of `pid` (the pane's sh runs login.sh's commands one at a time).
qint64 childOf(qint64 pid) {
    QFile children(QStringLiteral("/proc/%1/task/%1/children").arg(pid));
    if (!children.open(QIODevice::ReadOnly))
        return 0;
    return children.readAll().trimmed().split(' ').value(0).toLongLong();
}

// Waits until /proc says the process is in `state` ('T': stopped).
bool waitForProcessState(qint64 pid, char state) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 5000) {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (stat.open(QIODevice::ReadOnly)) {
            const QByteArray text = stat.readAll();
            const qsizetype close = text.lastIndexOf(')');
            if (close > 0 && text.size() > close + 2 && text[close + 2] == state)
                return true;
        }
        QThread::msleep(50);
    }
    return false;
}

QByteArray sttyOf(const QString& tty) {
    return runTool(QStringLiteral("stty"), {QStringLiteral("-a"), QStringLiteral("-F"), tty}).out;
}

QRegularExpression line(const QString& pattern) {
    return QRegularExpression(QStringLiteral("(?m)") + pattern);
}

} // namespace

class TestCliInteractive : public QObject {
    Q_OBJECT

    ClientKey key_;
    std::unique_ptr<OpenSshServer> server_;

    // The command line that logs in to the fixture's sshd with the test key.
    QStringList loginArguments(const PortalCliRunner& cli) const {
        return {QStringLiteral("ssh"),      QStringLiteral("-F"), QStringLiteral("/dev/null"),
                QStringLiteral("-i"),       key_.privatePath,     QStringLiteral("-o"),
                QStringLiteral("UserKnownHostsFile=") + cli.knownHostsPath(),
                QStringLiteral("-o"),       QStringLiteral("StrictHostKeyChecking=yes"),
                QStringLiteral("-o"),       QStringLiteral("BatchMode=yes"),
                QStringLiteral("-p"),       QString::number(server_->port()),
                server_->user().name + QStringLiteral("@127.0.0.1")};
    }

    static QString shellQuote(const QString& word) {
        QString quoted = word;
        quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
        return QLatin1Char('\'') + quoted + QLatin1Char('\'');
    }

    // <home>/login.sh for the tmux pane: records the terminal's modes before and after
    // portal-cli (files "before" and "after"), prints "portal-exit=<status>", then waits.
    // `inBackground` runs portal-cli as a job whose PID is written to "pid".
    // `extra` options go right after "ssh".
    bool writeLoginScript(const PortalCliRunner& cli, bool inBackground, QString* error,
                          const QStringList& extra = {}) const {
        const QString dir = cli.home();
        QString login = QStringLiteral("HOME=") + shellQuote(dir) + QStringLiteral(" ") +
                        shellQuote(PortalCliRunner::program());
        QStringList arguments = loginArguments(cli);
        for (qsizetype i = 0; i < extra.size(); ++i)
            arguments.insert(1 + i, extra[i]);
        for (const QString& word : arguments)
            login += QLatin1Char(' ') + shellQuote(word);
        // Without job control a background job's stdin would be /dev/null; give it the
        // terminal explicitly.
        if (inBackground)
            login += QStringLiteral(" <&3 & echo $! > ") + shellQuote(dir + "/pid") + QStringLiteral("\nwait $!");
        const QByteArray script = "#!/bin/sh\n"
                                  "stty -a > " + shellQuote(dir + "/before").toLocal8Bit() + "\n"
                                  "exec 3<&0\n" +
                                  login.toLocal8Bit() + "\n"
                                  "echo \"portal-exit=$?\"\n"
                                  "stty -a > " + shellQuote(dir + "/after").toLocal8Bit() + "\n"
                                  "exec sleep 600\n";
        return writeFile(dir + "/login.sh", script, 0700, error);
    }

private slots:
    void initTestCase() {
        server_ = std::make_unique<OpenSshServer>();
        server_->setHostKeys({{QStringLiteral("ed25519"), 0}});
        QVERIFY2(server_->startWithClientKey(&key_), qPrintable(server_->errorString()));
    }

    void cleanupTestCase() { server_.reset(); }

    // Log in through a real terminal: the prompt, echo, the pty size following a resize,
    // ^C interrupting the remote command, ~? and ~. , and the terminal as it was before.
    void shellThroughTmux() {
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        const QString dir = cli.home();
        QVERIFY2(writeLoginScript(cli, false, &error), qPrintable(error));

        Tmux tmux(dir);
        // Under an interactive bash, with job control: the job's process group is not
        // orphaned, so ~^Z can really stop portal-cli (the kernel ignores SIGTSTP otherwise).
        QVERIFY(tmux.start(QStringLiteral("bash --norc --noprofile -i -c '%1/login.sh; true'").arg(dir), 100, 30));
        // The login shell's own prompt first (dash: "$ "), so nothing is typed ahead.
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^\\$ "))), qPrintable(tmux.screen() + server_->log().right(1500)));
        tmux.keys(QStringLiteral("PS1='remote> '"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^remote> "))), qPrintable(tmux.screen() + server_->log().right(1500)));

        tmux.keys(QStringLiteral("echo round-$((6*7))-trip"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^round-42-trip"))), qPrintable(tmux.screen()));

        // The pty was requested at the terminal's size; a resize reaches it as window-change.
        tmux.keys(QStringLiteral("stty size"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^30 100"))), qPrintable(tmux.screen()));
        QVERIFY(tmux.run({QStringLiteral("resize-window"), QStringLiteral("-t"), QStringLiteral("t"),
                          QStringLiteral("-x"), QStringLiteral("120"), QStringLiteral("-y"), QStringLiteral("40")})
                    .succeeded());
        QThread::msleep(300);
        tmux.keys(QStringLiteral("stty size"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^40 120"))), qPrintable(tmux.screen()));

        // ^C goes through the raw local terminal to the remote pty, which interrupts sleep.
        tmux.keys(QStringLiteral("sleep 30; echo not-interrupted"));
        QThread::msleep(500);
        tmux.key(QStringLiteral("C-c"));
        tmux.keys(QStringLiteral("echo status-$?"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^status-130"))), qPrintable(tmux.screen()));
        QVERIFY(!tmux.screen().contains(QStringLiteral("\nnot-interrupted")));

        // ~? lists the escapes; ~~ sends one ~; ~. ends the session.
        tmux.keys(QStringLiteral("~?"), false);
        QVERIFY2(tmux.waitFor(line(QStringLiteral("terminate connection"))), qPrintable(tmux.screen()));
        tmux.keys(QStringLiteral("~~echo tilde"), true);
        QVERIFY2(tmux.waitFor(line(QStringLiteral("sh: .*~echo: not found"))), qPrintable(tmux.screen()));
        // ~# lists the session channel.
        tmux.keys(QStringLiteral("~#"), false);
        QVERIFY2(tmux.waitFor(line(QStringLiteral("#\\d+ client-session \\(shell\\)"))), qPrintable(tmux.screen()));

        // ~^Z: portal-cli stops itself with the terminal given back (canonical mode again);
        // continued, it takes the terminal raw again and the session goes on.
        const QString tty = paneTty(tmux);
        const qint64 portal = childOf(childOf(paneProcess(tmux))); // bash -> login.sh -> portal-cli
        QVERIFY(portal > 0);
        tmux.keys(QStringLiteral("~"), false);
        tmux.key(QStringLiteral("C-z"));
        QVERIFY2(waitForProcessState(portal, 'T'), "portal-cli did not stop after ~^Z");
        QVERIFY(!sttyOf(tty).contains("-icanon"));
        QVERIFY(::kill(static_cast<pid_t>(portal), SIGCONT) == 0);
        QElapsedTimer rawAgain;
        rawAgain.start();
        while (!sttyOf(tty).contains("-icanon") && rawAgain.elapsed() < 5000)
            QThread::msleep(50);
        QVERIFY(sttyOf(tty).contains("-icanon"));
        tmux.keys(QStringLiteral("echo resumed-$((2*21))"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^resumed-42"))), qPrintable(tmux.screen()));

        tmux.keys(QStringLiteral("~."), false);
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^portal-exit=255"))), qPrintable(tmux.screen()));

        // The local terminal is as it was before portal-cli put it in raw mode.
        QElapsedTimer timer;
        timer.start();
        while (!QFile::exists(dir + "/after") && timer.elapsed() < 5000)
            QThread::msleep(50);
        QThread::msleep(200);
        QFile before(dir + "/before"), after(dir + "/after");
        QVERIFY(before.open(QIODevice::ReadOnly) && after.open(QIODevice::ReadOnly));
        const QByteArray beforeModes = before.readAll();
        QVERIFY(beforeModes.contains("icanon"));
        // The size line differs (the window was resized); every mode must be the same.
        const auto modesOnly = [](QByteArray text) { return text.mid(text.indexOf('\n')); };
        QCOMPARE(modesOnly(after.readAll()), modesOnly(beforeModes));
    }

    // ~B, ~R and ~C in a shell through tmux: a BREAK that sshd accepts (it answers success
    // only once tcsendbreak on the session's pty worked, RFC 4335 §3), a rekey that completes
    // while the shell goes on (the -vv log says "rekey complete"), and the ~C command line:
    // help, a bad command, -L adding a forward that carries bytes to an echo server here,
    // -KL cancelling it (new connections refused) and an unknown one.
    void escapeCommands() {
        EchoServer echo;
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        const QString dir = cli.home();
        const QString log = dir + QStringLiteral("/portal.log");
        QVERIFY2(writeLoginScript(cli, false, &error, {QStringLiteral("-vv"), QStringLiteral("-E"), log}),
                 qPrintable(error));
        const auto logText = [&log] {
            QFile file(log);
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        };
        const auto waitForLog = [&logText](const QByteArray& text) {
            QElapsedTimer timer;
            timer.start();
            while (!logText().contains(text) && timer.elapsed() < 15000)
                QThread::msleep(100);
            return logText().contains(text);
        };
        Tmux tmux(dir);
        QVERIFY(tmux.start(QStringLiteral("bash --norc --noprofile -i -c '%1/login.sh; true'").arg(dir), 120, 40));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^\\$ "))), qPrintable(tmux.screen() + server_->log().right(1500)));
        tmux.keys(QStringLiteral("PS1='remote> '"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^remote> "))), qPrintable(tmux.screen()));

        tmux.keys(QStringLiteral("~?"), false);
        QVERIFY2(tmux.waitFor(line(QStringLiteral("~R   - request rekey"))), qPrintable(tmux.screen()));
        QVERIFY(tmux.screen().contains(QStringLiteral("~B   - send a BREAK")));

        tmux.keys(QStringLiteral("~B"), false);
        QVERIFY2(waitForLog("BREAK accepted by the server"), logText().right(2000).constData());

        QVERIFY(!logText().contains("rekey complete"));
        tmux.keys(QStringLiteral("~R"), false);
        QVERIFY2(waitForLog("rekey complete"), logText().right(2000).constData());
        tmux.keys(QStringLiteral("echo after-rekey-$((40+2))"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^after-rekey-42"))), qPrintable(tmux.screen()));

        // Each ~C shows one more "ssh> " prompt; the command is typed once it is there.
        const auto command = [&tmux](const QString& text) {
            const qsizetype prompts = tmux.screen().count(QStringLiteral("ssh> "));
            tmux.keys(QStringLiteral("~C"), false);
            QElapsedTimer timer;
            timer.start();
            while (tmux.screen().count(QStringLiteral("ssh> ")) <= prompts && timer.elapsed() < 10000)
                QThread::msleep(50);
            // "--": the command starts with '-', which tmux would take for an option.
            tmux.run({QStringLiteral("send-keys"), QStringLiteral("-t"), QStringLiteral("t"), QStringLiteral("-l"),
                      QStringLiteral("--"), text});
            tmux.key(QStringLiteral("Enter"));
        };
        command(QStringLiteral("?"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("-KL\\[bind_address:\\]port +Cancel local forward"))),
                 qPrintable(tmux.screen()));
        command(QStringLiteral("-X 1"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Invalid command\\."))), qPrintable(tmux.screen()));
        command(QStringLiteral("-L nonsense"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Bad forwarding specification\\."))), qPrintable(tmux.screen()));

        const quint16 port = findFreeLoopbackPort();
        command(QStringLiteral("-L %1:127.0.0.1:%2").arg(port).arg(echo.port()));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Forwarding port\\."))), qPrintable(tmux.screen()));
        const QByteArray data = randomBytes(256 * 1024);
        const std::optional<QByteArray> back = exchangeTcp(port, data, 20000, &error);
        QVERIFY2(back, qPrintable(error));
        QVERIFY(*back == data);

        command(QStringLiteral("-KL %1").arg(port));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Canceled forwarding\\."))), qPrintable(tmux.screen()));
        QVERIFY(!exchangeTcp(port, data.left(16), 5000, &error));
        command(QStringLiteral("-KL %1").arg(port));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Unknown port forwarding\\."))), qPrintable(tmux.screen()));

        // The shell still answers, and ~. ends it as before.
        tmux.keys(QStringLiteral("echo still-$((6*7))"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^still-42"))), qPrintable(tmux.screen()));
        tmux.keys(QStringLiteral("~."), false);
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^portal-exit=255"))), qPrintable(tmux.screen()));
    }

    // SIGTERM to portal-cli in raw mode: the terminal is restored and it exits 255.
    void terminalRestoredWhenKilled() {
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        const QString dir = cli.home();
        QVERIFY2(writeLoginScript(cli, true, &error), qPrintable(error));
        Tmux tmux(dir);
        QVERIFY(tmux.start(dir + QStringLiteral("/login.sh"), 90, 25));
        const QString tty = paneTty(tmux);
        QVERIFY(tty.startsWith(QStringLiteral("/dev/")));
        QElapsedTimer timer;
        timer.start();
        QByteArray pid;
        while (pid.isEmpty() && timer.elapsed() < 10000) {
            QFile file(dir + "/pid");
            if (file.open(QIODevice::ReadOnly))
                pid = file.readAll().trimmed();
            QThread::msleep(50);
        }
        QVERIFY(!pid.isEmpty());
        // Logged in once the terminal is raw.
        timer.restart();
        bool raw = false;
        while (!raw && timer.elapsed() < 15000) {
            raw = sttyOf(tty).contains("-icanon");
            if (!raw)
                QThread::msleep(100);
        }
        QVERIFY2(raw, qPrintable(tmux.screen()));
        QVERIFY(::kill(pid.toInt(), SIGTERM) == 0);
        // The remote prompt was the last output, so the line does not start with it.
        QVERIFY2(tmux.waitFor(line(QStringLiteral("portal-exit=255"))), qPrintable(tmux.screen()));
        timer.restart();
        while (!QFile::exists(dir + "/after") && timer.elapsed() < 5000)
            QThread::msleep(50);
        QThread::msleep(200);
        QFile before(dir + "/before"), after(dir + "/after");
        QVERIFY(before.open(QIODevice::ReadOnly) && after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), before.readAll());
    }

    // -E file: the log lines go to the file (appended), not to stderr; output is unaffected.
    void logFile() {
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        const QString log = cli.home() + QStringLiteral("/portal.log");
        QVERIFY(writeFile(log, "earlier line\n", 0600, &error));
        const ToolResult run = cli.run({QStringLiteral("-i"), key_.privatePath, QStringLiteral("-o"),
                                        QStringLiteral("BatchMode=yes"), QStringLiteral("-v"), QStringLiteral("-E"), log},
                                       QStringLiteral("echo logged"));
        QVERIFY2(run.succeeded(), qPrintable(explain(run, *server_)));
        QCOMPARE(run.out, QByteArray("logged\n"));
        QVERIFY2(!run.err.contains("debug1:"), run.err.constData());
        QFile file(log);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.startsWith("earlier line\n"));
        QVERIFY2(text.contains("debug1: Authenticated to"), text.constData());
    }

    // A remote command killed by a signal: ssh(1) prints nothing special and exits 255.
    void exitSignalLikeOpenSsh() {
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        const QStringList options{QStringLiteral("-i"), key_.privatePath, QStringLiteral("-o"),
                                  QStringLiteral("BatchMode=yes")};
        const ToolResult portal = cli.run(options, QStringLiteral("echo before; kill -TERM $$"));
        QCOMPARE(portal.exitCode, 255);
        QCOMPARE(portal.out, QByteArray("before\n"));

        QStringList sshArgs{QStringLiteral("-F"), QStringLiteral("/dev/null")};
        sshArgs << options << QStringLiteral("-o") << QStringLiteral("UserKnownHostsFile=") + cli.knownHostsPath()
                << QStringLiteral("-p") << QString::number(server_->port())
                << server_->user().name + QStringLiteral("@127.0.0.1") << QStringLiteral("echo before; kill -TERM $$");
        const ToolResult openssh = runTool(QStringLiteral("ssh"), sshArgs);
        QCOMPARE(portal.exitCode, openssh.exitCode);
        QCOMPARE(portal.out, openssh.out);
    }

    // ServerAliveInterval=1, CountMax=2: a server stopped with SIGSTOP is given up on in
    // about two to three seconds, with ssh(1)'s message and status.
    void keepaliveCatchesAStoppedServer() {
        PortalCliRunner cli(*server_);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        QProcess process;
        process.setProcessEnvironment(cli.environment());
        process.start(PortalCliRunner::program(),
                      {QStringLiteral("ssh"), QStringLiteral("-F"), QStringLiteral("/dev/null"), QStringLiteral("-i"),
                       key_.privatePath, QStringLiteral("-o"), QStringLiteral("BatchMode=yes"), QStringLiteral("-o"),
                       QStringLiteral("UserKnownHostsFile=") + cli.knownHostsPath(), QStringLiteral("-o"),
                       QStringLiteral("ServerAliveInterval=1"), QStringLiteral("-o"),
                       QStringLiteral("ServerAliveCountMax=2"), QStringLiteral("-p"), QString::number(server_->port()),
                       server_->user().name + QStringLiteral("@127.0.0.1"), QStringLiteral("echo started; sleep 30")});
        QVERIFY(process.waitForStarted());
        QByteArray out;
        QElapsedTimer timer;
        timer.start();
        while (!out.contains("started") && timer.elapsed() < 15000) {
            process.waitForReadyRead(200);
            out += process.readAllStandardOutput();
        }
        QVERIFY2(out.contains("started"), process.readAllStandardError().constData());
        QVERIFY(server_->pause());
        timer.restart();
        const bool ended = process.waitForFinished(10000);
        const qint64 took = timer.elapsed();
        QVERIFY(server_->resume());
        QVERIFY2(ended, "portal-cli did not notice the stopped server");
        const QByteArray err = process.readAllStandardError();
        QCOMPARE(process.exitCode(), 255);
        QVERIFY2(err.contains("Timeout, server 127.0.0.1 not responding."), err.constData());
        QVERIFY2(took >= 1500 && took <= 4500, qPrintable(QString::number(took)));
    }
};

QTEST_GUILESS_MAIN(TestCliInteractive)
#include "test_cli_interactive.moc"
