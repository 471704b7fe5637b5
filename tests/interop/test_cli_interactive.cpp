// portal-cli ssh as a person uses it, against OpenSSH sshd: an interactive shell driven
// through a real terminal (tmux: send-keys, capture-pane) with a pty of the terminal's size,
// resize followed by window-change, ^C reaching the remote process, the ~ escapes (~? ~~ ~#
// ~^Z ~. ~B ~R ~V ~v ~& and ~C with its -L -R -D -K and !command, most beside OpenSSH's ssh in
// the same terminal), and the local terminal's modes the same afterwards (also after
// SIGTERM); plus -E, exit-signal and keepalive as ssh(1) does.
#include "PortalCliRunner.h"
#include "WorkerTestTools.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QThread>
#include <QtTest>

#include <utility>

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
    // ~C, then `text` typed at the "ssh> " prompt once it is there (one more than before).
    void commandLine(const QString& text) const {
        const qsizetype prompts = screen().count(QStringLiteral("ssh> "));
        keys(QStringLiteral("~C"), false);
        QElapsedTimer timer;
        timer.start();
        while (screen().count(QStringLiteral("ssh> ")) <= prompts && timer.elapsed() < 10000)
            QThread::msleep(50);
        // "--": the command may start with '-', which tmux would take for an option.
        run({QStringLiteral("send-keys"), QStringLiteral("-t"), QStringLiteral("t"), QStringLiteral("-l"),
             QStringLiteral("--"), text});
        key(QStringLiteral("Enter"));
    }
    // Waits until the pane shows a line matching `pattern`; false after `timeoutMs`.
    // `times`: until that many such lines are shown (a message seen before counts once).
    bool waitFor(const QRegularExpression& pattern, int timeoutMs = 15000, int times = 1) const {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            int seen = 0;
            for (auto match = pattern.globalMatch(screen()); match.hasNext(); match.next())
                ++seen;
            if (seen >= times)
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

// The -E log of a portal-cli run, read as it grows.
class LogFile {
public:
    explicit LogFile(QString path) : path_(std::move(path)) {}
    const QString& path() const { return path_; }
    QByteArray text() const {
        QFile file(path_);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
    // Waits until the log holds `wanted` (15 s at most).
    bool waitFor(const QByteArray& wanted) const {
        QElapsedTimer timer;
        timer.start();
        while (!text().contains(wanted) && timer.elapsed() < 15000)
            QThread::msleep(100);
        return text().contains(wanted);
    }

private:
    QString path_;
};

// The terminal's modes ("stty -a") that login.sh recorded before portal-cli and after it
// ended; empty when the files did not appear.
std::pair<QByteArray, QByteArray> modesBeforeAndAfter(const QString& dir) {
    QElapsedTimer timer;
    timer.start();
    while (!QFile::exists(dir + "/after") && timer.elapsed() < 5000)
        QThread::msleep(50);
    QThread::msleep(200); // created, and now written
    QFile before(dir + "/before"), after(dir + "/after");
    if (!before.open(QIODevice::ReadOnly) || !after.open(QIODevice::ReadOnly))
        return {};
    return {before.readAll(), after.readAll()};
}

QByteArray sttyOf(const QString& tty) {
    return runTool(QStringLiteral("stty"), {QStringLiteral("-a"), QStringLiteral("-F"), tty}).out;
}

// Rows for a test run with portal-cli and, the same way, with OpenSSH's ssh.
void addClientRows() {
    QTest::addColumn<bool>("openssh");
    QTest::newRow("portal-cli") << false;
    QTest::newRow("OpenSSH ssh") << true;
}

QRegularExpression line(const QString& pattern) {
    return QRegularExpression(QStringLiteral("(?m)") + pattern);
}

// The remote shell still answers after what the test did, and ~. then ends the client with
// status 255 (login.sh prints it); empty, or what went wrong.
QString answersThenDisconnects(const Tmux& tmux) {
    tmux.keys(QStringLiteral("echo still-$((6*7))"));
    if (!tmux.waitFor(line(QStringLiteral("^still-42"))))
        return QStringLiteral("the shell did not answer:\n") + tmux.screen();
    tmux.keys(QStringLiteral("~."), false);
    if (!tmux.waitFor(line(QStringLiteral("^portal-exit=255"))))
        return QStringLiteral("~. did not end it with 255:\n") + tmux.screen();
    return {};
}

} // namespace

class TestCliInteractive : public QObject, public PortalCliTest {
    Q_OBJECT

    static QString shellQuote(const QString& word) {
        QString quoted = word;
        quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
        return QLatin1Char('\'') + quoted + QLatin1Char('\'');
    }

    // <home>/login.sh for the tmux pane: records the terminal's modes before and after
    // portal-cli (files "before" and "after"), prints "portal-exit=<status>", then waits.
    // `inBackground` runs portal-cli as a job whose PID is written to "pid".
    // `extra` options come before the defaults (and so override them). `openssh` runs
    // OpenSSH's ssh the same way instead, the reference to compare with.
    bool writeLoginScript(const PortalCliRunner& cli, bool inBackground, QString* error,
                          const QStringList& extra = {}, bool openssh = false) const {
        const QString dir = cli.home();
        QStringList words = cli.arguments(keyOptions(extra), QString());
        if (openssh)
            words.front() = QStringLiteral("ssh"); // the program instead of portal-cli's "ssh" word
        else
            words.prepend(PortalCliRunner::program());
        QString login = QStringLiteral("HOME=") + shellQuote(dir);
        for (const QString& word : words)
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

    // portal-cli logged in to the server's shell in a tmux pane of `columns` x `rows`, the
    // prompt set to "remote> ". Under an interactive bash, with job control: the job's process
    // group is not orphaned, so ~^Z can really stop portal-cli (the kernel ignores SIGTSTP
    // otherwise). `extra` and `openssh` as writeLoginScript's.
    bool openShell(const PortalCliRunner& cli, const Tmux& tmux, int columns, int rows, QString* error,
                   const QStringList& extra = {}, bool openssh = false) const {
        if (!writeLoginScript(cli, false, error, extra, openssh))
            return false;
        const QString login = QStringLiteral("bash --norc --noprofile -i -c '%1/login.sh; true'").arg(cli.home());
        if (!tmux.start(login, columns, rows)) {
            *error = QStringLiteral("tmux did not start");
            return false;
        }
        // The login shell's own prompt first (dash: "$ "), so nothing is typed ahead.
        if (!tmux.waitFor(line(QStringLiteral("^\\$ ")))) {
            *error = QStringLiteral("no shell prompt:\n") + tmux.screen() + QString::fromLocal8Bit(server_->log().right(1500));
            return false;
        }
        tmux.keys(QStringLiteral("PS1='remote> '"));
        if (!tmux.waitFor(line(QStringLiteral("^remote> ")))) {
            *error = QStringLiteral("the prompt did not change:\n") + tmux.screen();
            return false;
        }
        return true;
    }

private slots:
    void initTestCase() { QVERIFY2(startServer(), qPrintable(server_->errorString())); }

    void cleanupTestCase() { server_.reset(); }

    // Log in through a real terminal: the prompt, echo, the pty size following a resize,
    // ^C interrupting the remote command, ~? and ~. , and the terminal as it was before.
    void shellThroughTmux() {
        PortalCliRunner cli = trustingRunner();
        QString error;
        const QString dir = cli.home();
        Tmux tmux(dir);
        QVERIFY2(openShell(cli, tmux, 100, 30, &error), qPrintable(error));

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
        const auto [before, after] = modesBeforeAndAfter(dir);
        QVERIFY(before.contains("icanon"));
        // The size line differs (the window was resized); every mode must be the same.
        const auto modesOnly = [](const QByteArray& text) { return text.mid(text.indexOf('\n')); };
        QCOMPARE(modesOnly(after), modesOnly(before));
    }

    // ~B, ~R and ~C in a shell through tmux: a BREAK that sshd accepts (it answers success
    // only once tcsendbreak on the session's pty worked, RFC 4335 §3), a rekey that completes
    // while the shell goes on (the -vv log says "rekey complete"), and the ~C command line:
    // help, a bad command, -L adding a forward that carries bytes to an echo server here,
    // -KL cancelling it (new connections refused) and an unknown one.
    void escapeCommands() {
        EchoServer echo;
        PortalCliRunner cli = trustingRunner();
        QString error;
        const LogFile log(cli.home() + QStringLiteral("/portal.log"));
        Tmux tmux(cli.home());
        QVERIFY2(openShell(cli, tmux, 120, 40, &error, {QStringLiteral("-vv"), QStringLiteral("-E"), log.path(), QStringLiteral("-o"),
                            QStringLiteral("EnableEscapeCommandline=yes")}),
                 qPrintable(error));

        tmux.keys(QStringLiteral("~?"), false);
        QVERIFY2(tmux.waitFor(line(QStringLiteral("~R   - request rekey"))), qPrintable(tmux.screen()));
        QVERIFY(tmux.screen().contains(QStringLiteral("~B   - send a BREAK")));

        tmux.keys(QStringLiteral("~B"), false);
        QVERIFY2(log.waitFor("BREAK accepted by the server"), log.text().right(2000).constData());

        QVERIFY(!log.text().contains("rekey complete"));
        tmux.keys(QStringLiteral("~R"), false);
        QVERIFY2(log.waitFor("rekey complete"), log.text().right(2000).constData());
        tmux.keys(QStringLiteral("echo after-rekey-$((40+2))"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^after-rekey-42"))), qPrintable(tmux.screen()));

        tmux.commandLine(QStringLiteral("?"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("-KL\\[bind_address:\\]port +Cancel local forward"))),
                 qPrintable(tmux.screen()));
        tmux.commandLine(QStringLiteral("-X 1"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Invalid command\\."))), qPrintable(tmux.screen()));
        tmux.commandLine(QStringLiteral("-L nonsense"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Bad forwarding specification\\."))), qPrintable(tmux.screen()));

        const quint16 port = findFreeLoopbackPort();
        tmux.commandLine(QStringLiteral("-L %1:127.0.0.1:%2").arg(port).arg(echo.port()));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Forwarding port\\."))), qPrintable(tmux.screen()));
        const QByteArray data = randomBytes(256 * 1024);
        const std::optional<QByteArray> back = exchangeTcp(port, data, 20000, &error);
        QVERIFY2(back, qPrintable(error));
        QVERIFY(*back == data);

        tmux.commandLine(QStringLiteral("-KL %1").arg(port));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Canceled forwarding\\."))), qPrintable(tmux.screen()));
        QVERIFY(!exchangeTcp(port, data.left(16), 5000, &error));
        tmux.commandLine(QStringLiteral("-KL %1").arg(port));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Unknown port forwarding\\."))), qPrintable(tmux.screen()));

        // The shell still answers, and ~. ends it as before.
        const QString ended = answersThenDisconnects(tmux);
        QVERIFY2(ended.isEmpty(), qPrintable(ended));
    }

    // ~C -R adds a remote forward (tcpip-forward, RFC 4254 §7.1) that carries bytes from the
    // server's port to an echo server here, and -KR cancels it (cancel-tcpip-forward): the
    // server's port then refuses connections, and a second -KR knows no such forward. ~C -D
    // and -KD do the same with a SOCKS listener here. OpenSSH's ssh says the same.
    void escapeCancelsRemoteAndDynamicForwards_data() { addClientRows(); }
    void escapeCancelsRemoteAndDynamicForwards() {
        QFETCH(bool, openssh);
        EchoServer echo;
        PortalCliRunner cli = trustingRunner();
        QString error;
        Tmux tmux(cli.home());
        // OpenSSH 9.2 opens the ~C command line only when asked to; portal-cli always does.
        QVERIFY2(openShell(cli, tmux, 120, 40, &error, {QStringLiteral("-o"), QStringLiteral("EnableEscapeCommandline=yes")},
                           openssh),
                 qPrintable(error));
        const QByteArray data = randomBytes(128 * 1024);

        const quint16 remote = findFreeLoopbackPort();
        tmux.commandLine(QStringLiteral("-R %1:127.0.0.1:%2").arg(remote).arg(echo.port()));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Forwarding port\\."))), qPrintable(tmux.screen()));
        // The server's answer comes after the message: it listens a moment later.
        std::optional<QByteArray> back;
        for (int attempt = 0; attempt < 50 && !back; ++attempt) {
            back = exchangeTcp(remote, data, 20000, &error);
            if (!back)
                QThread::msleep(100);
        }
        QVERIFY2(back && *back == data, qPrintable(error));
        tmux.commandLine(QStringLiteral("-KR %1").arg(remote));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Canceled forwarding\\."))), qPrintable(tmux.screen()));
        QElapsedTimer timer;
        timer.start();
        while (!refusesConnections(remote) && timer.elapsed() < 5000)
            QThread::msleep(100);
        QVERIFY2(refusesConnections(remote), "the server still listens after ~C -KR");
        tmux.commandLine(QStringLiteral("-KR %1").arg(remote));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Unknown port forwarding\\."))), qPrintable(tmux.screen()));

        const quint16 socks = findFreeLoopbackPort();
        tmux.commandLine(QStringLiteral("-D %1").arg(socks));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Forwarding port\\.")), 15000, 2), qPrintable(tmux.screen()));
        const int fd = socks5Connect(socks, echo.port());
        QVERIFY2(fd >= 0, qPrintable(tmux.screen()));
        back = exchangeOnSocket(fd, data, 20000, &error);
        QVERIFY2(back && *back == data, qPrintable(error));
        tmux.commandLine(QStringLiteral("-KD %1").arg(socks));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^Canceled forwarding\\.")), 15000, 2), qPrintable(tmux.screen()));
        QVERIFY(refusesConnections(socks));

        const QString ended = answersThenDisconnects(tmux);
        QVERIFY2(ended.isEmpty(), qPrintable(ended));
    }

    // Without EnableEscapeCommandline=yes (OpenSSH 9.2's default) ~C opens no prompt: it says
    // "commandline disabled" and the shell goes on. OpenSSH's ssh says the same.
    void commandLineIsOffByDefault_data() { addClientRows(); }
    void commandLineIsOffByDefault() {
        QFETCH(bool, openssh);
        PortalCliRunner cli = trustingRunner();
        QString error;
        Tmux tmux(cli.home());
        QVERIFY2(openShell(cli, tmux, 120, 40, &error, {}, openssh), qPrintable(error));
        tmux.keys(QStringLiteral("~C"), false);
        QVERIFY2(tmux.waitFor(line(QStringLiteral("commandline disabled"))), qPrintable(tmux.screen()));
        QVERIFY(!tmux.screen().contains(QStringLiteral("ssh> ")));
        const QString ended = answersThenDisconnects(tmux);
        QVERIFY2(ended.isEmpty(), qPrintable(ended));
    }

    // ~v and ~V step LogLevel up and down from INFO, each step said as ssh(1) says it; at
    // DEBUG1 portal-cli's debug lines (the server's answer to ~B) reach the terminal, and
    // ~? offers the two. OpenSSH's ssh says the same.
    void verbosityEscapes_data() { addClientRows(); }
    void verbosityEscapes() {
        QFETCH(bool, openssh);
        PortalCliRunner cli = trustingRunner();
        QString error;
        Tmux tmux(cli.home());
        QVERIFY2(openShell(cli, tmux, 120, 40, &error, {}, openssh), qPrintable(error));
        tmux.keys(QStringLiteral("~?"), false);
        QVERIFY2(tmux.waitFor(line(QStringLiteral("^ ~V/v - decrease/increase verbosity \\(LogLevel\\)"))),
                 qPrintable(tmux.screen()));
        tmux.keys(QStringLiteral("~v"), false);
        QVERIFY2(tmux.waitFor(line(QStringLiteral("~v \\[LogLevel VERBOSE\\]"))), qPrintable(tmux.screen()));
        tmux.keys(QStringLiteral("~v"), false);
        // DEBUG1 goes by its first name in ssh(1)'s table.
        QVERIFY2(tmux.waitFor(line(QStringLiteral("~v \\[LogLevel DEBUG\\]"))), qPrintable(tmux.screen()));
        if (!openssh) {
            tmux.keys(QStringLiteral("~B"), false);
            QVERIFY2(tmux.waitFor(line(QStringLiteral("debug1: channel \\d+: BREAK accepted by the server"))),
                     qPrintable(tmux.screen()));
        }
        // Down to INFO beside OpenSSH's ssh; below it ssh's answers reached this terminal only
        // now and then, so the rest is portal-cli's alone (with ssh's names for the levels).
        QStringList levels{QStringLiteral("VERBOSE"), QStringLiteral("INFO")};
        if (!openssh)
            levels << QStringLiteral("ERROR") << QStringLiteral("FATAL") << QStringLiteral("SILENT")
                   << QStringLiteral("SILENT");
        for (qsizetype step = 0; step < levels.size(); ++step) {
            tmux.keys(QStringLiteral("~V"), false);
            // At the bottom a further ~V says the same again.
            const int times = int(levels.mid(0, step + 1).count(levels[step]));
            QVERIFY2(tmux.waitFor(line(QStringLiteral("~V \\[LogLevel %1\\]").arg(levels[step])), 15000, times),
                     qPrintable(tmux.screen()));
        }
        const QString ended = answersThenDisconnects(tmux);
        QVERIFY2(ended.isEmpty(), qPrintable(ended));
    }

    // ~C !command runs the command here, on this terminal, when PermitLocalCommand is yes
    // (and ~C ? lists it); otherwise it is no command ("Invalid command.") and nothing runs.
    // The shell goes on either way. OpenSSH's ssh does the same.
    void localCommandEscape_data() {
        QTest::addColumn<bool>("openssh");
        QTest::addColumn<bool>("permitted");
        QTest::newRow("portal-cli, PermitLocalCommand=yes") << false << true;
        QTest::newRow("portal-cli, PermitLocalCommand=no") << false << false;
        QTest::newRow("OpenSSH ssh, PermitLocalCommand=yes") << true << true;
        QTest::newRow("OpenSSH ssh, PermitLocalCommand=no") << true << false;
    }
    void localCommandEscape() {
        QFETCH(bool, openssh);
        QFETCH(bool, permitted);
        PortalCliRunner cli = trustingRunner();
        QString error;
        Tmux tmux(cli.home());
        QVERIFY2(openShell(cli, tmux, 120, 40, &error,
                           {QStringLiteral("-o"), QStringLiteral("EnableEscapeCommandline=yes"), QStringLiteral("-o"),
                            QStringLiteral("PermitLocalCommand=") + (permitted ? "yes" : "no")},
                           openssh),
                 qPrintable(error));
        tmux.commandLine(QStringLiteral("?"));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("-KD\\[bind_address:\\]port +Cancel dynamic forward"))),
                 qPrintable(tmux.screen()));
        QCOMPARE(tmux.screen().contains(QStringLiteral("Execute local command")), permitted);

        // The marker file is written by the local shell only: the remote shell never sees the line.
        const QString marker = cli.home() + QStringLiteral("/local-command-ran");
        // To stderr: OpenSSH's ssh runs it with stdout on /dev/null (portal-cli on the terminal).
        tmux.commandLine(QStringLiteral("!echo local-$((6*7)) >&2; touch ") + marker);
        if (permitted) {
            QVERIFY2(tmux.waitFor(line(QStringLiteral("^local-42"))), qPrintable(tmux.screen()));
            QVERIFY(QFile::exists(marker));
        } else {
            QVERIFY2(tmux.waitFor(line(QStringLiteral("^Invalid command\\."))), qPrintable(tmux.screen()));
            QVERIFY(!QFile::exists(marker));
        }
        const QString ended = answersThenDisconnects(tmux);
        QVERIFY2(ended.isEmpty(), qPrintable(ended));
        QVERIFY(!tmux.screen().contains(QStringLiteral("local-42: not found")));
    }

    // ~& with a forwarded connection open: the terminal gets its shell back at once (status
    // 0), the remote shell is sent ^D and logs out, and a process in the background goes on
    // carrying the open connection, accepts no new one, and ends when that one ends. OpenSSH's
    // ssh does the same.
    void backgroundAtLogout_data() { addClientRows(); }
    void backgroundAtLogout() {
        QFETCH(bool, openssh);
        EchoServer echo;
        PortalCliRunner cli = trustingRunner();
        QString error;
        Tmux tmux(cli.home());
        const quint16 port = findFreeLoopbackPort();
        QVERIFY2(openShell(cli, tmux, 120, 40, &error,
                           {QStringLiteral("-L"), QStringLiteral("%1:127.0.0.1:%2").arg(port).arg(echo.port())}, openssh),
                 qPrintable(error));
        const QString program = openssh ? QStringLiteral("ssh") : PortalCliRunner::program();
        QCOMPARE(cli.runningProcesses(program).size(), 1);

        // A connection through the forward, kept open across ~&.
        QTcpSocket held;
        held.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(held.waitForConnected(5000));
        const auto echoes = [&held](const QByteArray& bytes) {
            held.write(bytes);
            QByteArray got;
            QElapsedTimer timer;
            timer.start();
            while (got.size() < bytes.size() && timer.elapsed() < 10000)
                if (held.waitForReadyRead(200))
                    got += held.readAll();
            return got == bytes;
        };
        QVERIFY(echoes("before ~&\n"));

        tmux.keys(QStringLiteral("~&"), false);
        QVERIFY2(tmux.waitFor(line(QStringLiteral("~& \\[backgrounded\\]"))), qPrintable(tmux.screen()));
        QVERIFY2(tmux.waitFor(line(QStringLiteral("portal-exit=0"))), qPrintable(tmux.screen()));
        const ProcessesToEnd background{cli.runningProcesses(program)};
        QCOMPARE(background.pids.size(), 1);

        QVERIFY(echoes("after ~&\n"));
        QVERIFY2(refusesConnections(port), "the forward still accepts new connections after ~&");
        // The shell has logged out; the last forwarded connection ending ends the process.
        held.disconnectFromHost();
        QElapsedTimer timer;
        timer.start();
        while (!cli.runningProcesses(program).isEmpty() && timer.elapsed() < 10000)
            QThread::msleep(100);
        QVERIFY2(cli.runningProcesses(program).isEmpty(), "the background process outlived its last connection");
    }

    // SIGTERM to portal-cli in raw mode: the terminal is restored and it exits 255.
    void terminalRestoredWhenKilled() {
        PortalCliRunner cli = trustingRunner();
        QString error;
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
        const auto [before, after] = modesBeforeAndAfter(dir);
        QVERIFY(!before.isEmpty());
        QCOMPARE(after, before);
    }

    // -E file: the log lines go to the file (appended), not to stderr; output is unaffected.
    void logFile() {
        PortalCliRunner cli = trustingRunner();
        QString error;
        const QString log = cli.home() + QStringLiteral("/portal.log");
        QVERIFY(writeFile(log, "earlier line\n", 0600, &error));
        const ToolResult run = cli.run(keyOptions({QStringLiteral("-v"), QStringLiteral("-E"), log}),
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
        PortalCliRunner cli = trustingRunner();
        const QString command = QStringLiteral("echo before; kill -TERM $$");
        const ToolResult portal = cli.run(keyOptions(), command);
        QCOMPARE(portal.exitCode, 255);
        QCOMPARE(portal.out, QByteArray("before\n"));
        const ToolResult openssh = cli.runOpenSsh(keyOptions(), command);
        QCOMPARE(portal.exitCode, openssh.exitCode);
        QCOMPARE(portal.out, openssh.out);
    }

    // ServerAliveInterval=1, CountMax=2: a server stopped with SIGSTOP is given up on in
    // about two to three seconds, with ssh(1)'s message and status.
    void keepaliveCatchesAStoppedServer() {
        PortalCliRunner cli = trustingRunner();
        QProcess process;
        cli.start(process,
                  keyOptions({QStringLiteral("-o"), QStringLiteral("ServerAliveInterval=1"), QStringLiteral("-o"),
                              QStringLiteral("ServerAliveCountMax=2")}),
                  QStringLiteral("echo started; sleep 30"));
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
