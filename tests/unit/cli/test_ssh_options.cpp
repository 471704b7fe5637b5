// `portal-cli ssh` argument parsing: ssh(1) flags, ssh_config(5) -o keywords with
// first-value-wins, destinations, the command, defaults and errors.
#include "SshOptions.h"

#include <QtTest>

#include <map>
#include <set>

using namespace portal::app::cli;
using portal::protocol::client::HostKeyPolicy;

namespace {

std::set<std::string> existingFiles;

LocalContext local() {
    return {"/home/alice", "alice", [](const std::string& path) { return existingFiles.count(path) > 0; },
            "workstation", "1000"};
}

std::vector<std::string> words(const QString& line) {
    std::vector<std::string> out;
    for (const QString& word : line.split(QLatin1Char(' '), Qt::SkipEmptyParts))
        out.push_back(word.toStdString());
    return out;
}

SshInvocation parseOk(const QString& line) {
    auto parsed = parseSshArguments(words(line), local());
    if (!parsed)
        qFatal("unexpected parse error for '%s': %s", qPrintable(line), parsed.error().message.c_str());
    return parsed.value();
}

// Parses, then resolves against in-memory ssh_config files as portal-cli's main() does.
SshInvocation resolveOk(const std::vector<std::string>& arguments, const std::map<std::string, std::string>& files = {}) {
    namespace config = portal::protocol::config;
    auto parsed = parseSshArguments(arguments, local());
    if (!parsed)
        qFatal("unexpected parse error: %s", parsed.error().message.c_str());
    SshInvocation invocation = parsed.value();
    const config::ConfigFileAccess access{
        [files](const std::string& path) -> portal::protocol::Result<std::optional<std::string>> {
            const auto found = files.find(path);
            return found == files.end() ? std::optional<std::string>() : std::optional<std::string>(found->second);
        },
        [](const std::string&) { return std::vector<std::string>(); }};
    auto resolved = resolveInvocation(invocation, local(), access);
    if (!resolved)
        qFatal("unexpected resolve error: %s", resolved.error().message.c_str());
    return invocation;
}

SshInvocation resolveOk(const QString& line, const std::map<std::string, std::string>& files = {}) {
    return resolveOk(words(line), files);
}

} // namespace

class TestSshOptions : public QObject {
    Q_OBJECT
private slots:
    void init() { existingFiles.clear(); }

    void destinationUserHostAndPort_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("command");
        QTest::newRow("host only") << "example.org" << "alice" << "example.org" << 22 << "";
        QTest::newRow("user@host") << "bob@example.org" << "bob" << "example.org" << 22 << "";
        QTest::newRow("-l before") << "-l carol bob@h" << "carol" << "h" << 22 << "";
        QTest::newRow("user@ before -l") << "bob@h -l carol" << "bob" << "h" << 22 << "";
        QTest::newRow("-p attached") << "-p2222 h" << "alice" << "h" << 2222 << "";
        QTest::newRow("-p after host") << "h -p 2200 uname -a" << "alice" << "h" << 2200 << "uname -a";
        QTest::newRow("-p first wins over -o Port") << "-p 1000 -o Port=2000 h" << "alice" << "h" << 1000 << "";
        QTest::newRow("-o Port first wins over -p") << "-oPort=2000 -p 1000 h" << "alice" << "h" << 2000 << "";
        QTest::newRow("-o User") << "-o User=dave h" << "dave" << "h" << 22 << "";
        QTest::newRow("command words joined") << "h echo a  b" << "alice" << "h" << 22 << "echo a b";
        QTest::newRow("command after --") << "h -- -v" << "alice" << "h" << 22 << "-v";
        QTest::newRow("command with dash args") << "h ls -l" << "alice" << "h" << 22 << "ls -l";
        QTest::newRow("ssh URI") << "ssh://erin@example.org:2022" << "erin" << "example.org" << 2022 << "";
        QTest::newRow("ssh URI IPv6") << "ssh://[::1]:2022/ true" << "alice" << "::1" << 2022 << "true";
        QTest::newRow("bracketed IPv6") << "frank@[::1]" << "frank" << "::1" << 22 << "";
        QTest::newRow("user with @") << "a@b@host" << "a@b" << "host" << 22 << "";
    }
    void destinationUserHostAndPort() {
        QFETCH(QString, line);
        QFETCH(QString, user);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(QString, command);
        const SshInvocation invocation = parseOk(line);
        QCOMPARE(QString::fromStdString(invocation.config.user), user);
        QCOMPARE(QString::fromStdString(invocation.config.host), host);
        QCOMPARE(invocation.config.port, port);
        QCOMPARE(QString::fromStdString(invocation.command), command);
    }

    void flags() {
        const SshInvocation invocation = parseOk(QStringLiteral("-vvq -4 -n -T h"));
        QCOMPARE(invocation.verbosity, 2);
        QVERIFY(invocation.quiet);
        QVERIFY(invocation.stdinFromDevNull);
        QCOMPARE(invocation.addressFamily, AddressFamily::IPv4);
        QCOMPARE(parseOk(QStringLiteral("-6 h")).addressFamily, AddressFamily::IPv6);
        QCOMPARE(parseOk(QStringLiteral("-o AddressFamily=inet6 h")).addressFamily, AddressFamily::IPv6);
    }

    void algorithmLists() {
        const SshInvocation invocation = parseOk(QStringLiteral(
            "-o KexAlgorithms=curve25519-sha256 -o Ciphers=aes128-ctr,aes256-ctr -o MACs=hmac-sha2-256 "
            "-o HostKeyAlgorithms=ssh-ed25519 -o PubkeyAcceptedAlgorithms=rsa-sha2-512 h"));
        QCOMPARE(invocation.config.kexAlgorithms, std::vector<std::string>{"curve25519-sha256"});
        QCOMPARE(invocation.config.ciphers, (std::vector<std::string>{"aes128-ctr", "aes256-ctr"}));
        QCOMPARE(invocation.config.macs, std::vector<std::string>{"hmac-sha2-256"});
        QCOMPARE(invocation.config.hostKeyAlgorithms, std::vector<std::string>{"ssh-ed25519"});
        QCOMPARE(invocation.config.pubkeyAcceptedAlgorithms, std::vector<std::string>{"rsa-sha2-512"});
        // -c and -m are ssh(1)'s short forms; the first setting wins.
        const SshInvocation shortForms = parseOk(QStringLiteral("-c aes256-gcm@openssh.com -o Ciphers=aes128-ctr h"));
        QCOMPARE(shortForms.config.ciphers, std::vector<std::string>{"aes256-gcm@openssh.com"});
        // "-name" removes from the defaults.
        const SshInvocation removed = parseOk(QStringLiteral("-o Ciphers=-chacha20-poly1305@openssh.com h"));
        QVERIFY(!removed.config.ciphers.empty());
        QVERIFY(std::find(removed.config.ciphers.begin(), removed.config.ciphers.end(),
                          "chacha20-poly1305@openssh.com") == removed.config.ciphers.end());
        // Unset families stay empty: the core fills in its defaults.
        QVERIFY(parseOk(QStringLiteral("h")).config.kexAlgorithms.empty());
    }

    void hostKeyPolicy_data() {
        QTest::addColumn<QString>("value");
        QTest::addColumn<int>("policy");
        QTest::newRow("yes") << "yes" << int(HostKeyPolicy::Strict);
        QTest::newRow("ask") << "ask" << int(HostKeyPolicy::Ask);
        QTest::newRow("accept-new") << "accept-new" << int(HostKeyPolicy::AcceptNew);
        QTest::newRow("no") << "no" << int(HostKeyPolicy::Off);
        QTest::newRow("off") << "off" << int(HostKeyPolicy::Off);
        QTest::newRow("case-insensitive") << "Accept-New" << int(HostKeyPolicy::AcceptNew);
    }
    void hostKeyPolicy() {
        QFETCH(QString, value);
        QFETCH(int, policy);
        QCOMPARE(int(parseOk(QStringLiteral("-o StrictHostKeyChecking=") + value + QStringLiteral(" h"))
                         .config.hostKeyPolicy),
                 policy);
        QCOMPARE(parseOk(QStringLiteral("h")).config.hostKeyPolicy, HostKeyPolicy::Ask);
    }

    void authenticationOptions() {
        const SshInvocation invocation = parseOk(QStringLiteral(
            "-o BatchMode=yes -o PasswordAuthentication=no -o PubkeyAuthentication=no "
            "-o KbdInteractiveAuthentication=no -o NumberOfPasswordPrompts=1 -o ConnectTimeout=1m5s h"));
        QVERIFY(invocation.config.batchMode);
        QVERIFY(!invocation.config.allowPassword);
        QVERIFY(!invocation.config.allowPublicKey);
        QVERIFY(!invocation.config.allowKeyboardInteractive);
        QCOMPARE(invocation.config.numberOfPasswordPrompts, 1);
        QCOMPARE(invocation.connectTimeout, std::chrono::seconds(65));
        // Keywords are case-insensitive; "Keyword value" and "Keyword = value" also parse;
        // the old name ChallengeResponseAuthentication still works.
        QVERIFY(parseOk(QStringLiteral("-o batchmode=yes h")).config.batchMode);
        QCOMPARE(parseSshArguments({"-o", "ConnectTimeout 7", "h"}, local()).value().connectTimeout,
                 std::chrono::seconds(7));
        QCOMPARE(parseSshArguments({"-o", "ConnectTimeout = 8", "h"}, local()).value().connectTimeout,
                 std::chrono::seconds(8));
        QVERIFY(!parseOk(QStringLiteral("-o ChallengeResponseAuthentication=no h")).config.allowKeyboardInteractive);
        // First value wins.
        QVERIFY(!parseOk(QStringLiteral("-o BatchMode=no -o BatchMode=yes h")).config.batchMode);
    }

    void defaultIdentitiesOnlyWhenPresent() {
        existingFiles = {"/home/alice/.ssh/id_rsa", "/home/alice/.ssh/id_ed25519"};
        const SshInvocation invocation = parseOk(QStringLiteral("h"));
        QCOMPARE(invocation.config.identities.size(), std::size_t(2));
        QCOMPARE(invocation.config.identities[0].path, std::string("/home/alice/.ssh/id_ed25519"));
        QCOMPARE(invocation.config.identities[1].path, std::string("/home/alice/.ssh/id_rsa"));
        QVERIFY(invocation.missingIdentityFiles.empty());
    }

    void explicitIdentitiesReplaceDefaults() {
        existingFiles = {"/home/alice/.ssh/id_ed25519", "/keys/a", "/home/alice/b"};
        const SshInvocation invocation = parseOk(QStringLiteral("-i /keys/a -o IdentityFile=~/b -i /keys/missing h"));
        QCOMPARE(invocation.config.identities.size(), std::size_t(2));
        QCOMPARE(invocation.config.identities[0].path, std::string("/keys/a"));
        QCOMPARE(invocation.config.identities[1].path, std::string("/home/alice/b"));
        QCOMPARE(invocation.missingIdentityFiles, std::vector<std::string>{"/keys/missing"});
    }

    void knownHostsFiles() {
        QCOMPARE(parseOk(QStringLiteral("h")).config.knownHostsFiles,
                 (std::vector<std::string>{"/home/alice/.ssh/known_hosts", "/home/alice/.ssh/known_hosts2"}));
        QCOMPARE(parseSshArguments({"-o", "UserKnownHostsFile=~/kh /tmp/kh2", "h"}, local()).value().config.knownHostsFiles,
                 (std::vector<std::string>{"/home/alice/kh", "/tmp/kh2"}));
        QVERIFY(parseOk(QStringLiteral("-o UserKnownHostsFile=none h")).config.knownHostsFiles.empty());
    }

    void interactiveFlags() {
        QCOMPARE(int(parseOk(QStringLiteral("h")).ttyRequest), int(TtyRequest::Auto));
        QCOMPARE(int(parseOk(QStringLiteral("-t h")).ttyRequest), int(TtyRequest::Yes));
        QCOMPARE(int(parseOk(QStringLiteral("-tt h")).ttyRequest), int(TtyRequest::Force));
        QCOMPARE(int(parseOk(QStringLiteral("-t -t h")).ttyRequest), int(TtyRequest::Force));
        QCOMPARE(int(parseOk(QStringLiteral("-T h")).ttyRequest), int(TtyRequest::No));
        const SshInvocation flags = parseOk(QStringLiteral("-N -f -G -X -E /tmp/log -F ~/cfg h"));
        QVERIFY(flags.noRemoteCommand && flags.background && flags.printConfig);
        QCOMPARE(flags.logFile, std::string("/tmp/log"));
        QCOMPARE(flags.configFile.value_or(""), std::string("/home/alice/cfg"));
        QCOMPARE(parseOk(QStringLiteral("h")).escapeChar, int('~'));
        QCOMPARE(parseOk(QStringLiteral("-e % h")).escapeChar, int('%'));
        QCOMPARE(parseOk(QStringLiteral("-e ^A h")).escapeChar, 1);
        QCOMPARE(parseOk(QStringLiteral("-e none h")).escapeChar, -1);
        QVERIFY(!parseSshArguments({"-e", "ab", "h"}, local()));
    }

    void forwardSpecs_data() {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("arguments");
        QTest::newRow("port:host:port") << "8080:example.org:80" << "8080 example.org:80";
        QTest::newRow("bind:port:host:port") << "127.0.0.1:8080:example.org:80" << "127.0.0.1:8080 example.org:80";
        QTest::newRow("IPv6 both sides") << "[::1]:8080:[2001:db8::1]:80" << "[::1]:8080 [2001:db8::1]:80";
        QTest::newRow("* bind") << "*:8080:h:22" << "*:8080 h:22";
        QTest::newRow("port:socket") << "8080:/run/app.sock" << "8080 /run/app.sock";
        QTest::newRow("socket:host:port") << "/tmp/l.sock:h:80" << "/tmp/l.sock h:80";
        QTest::newRow("bind:port:socket") << "localhost:8080:/run/a.sock" << "localhost:8080 /run/a.sock";
        QTest::newRow("socket:socket") << "/tmp/a:/tmp/b" << "/tmp/a /tmp/b";
        QTest::newRow("remote dynamic") << "1080" << "1080";
        QTest::newRow("remote dynamic with bind") << "0.0.0.0:1080" << "0.0.0.0:1080";
    }
    void forwardSpecs() {
        QFETCH(QString, spec);
        QFETCH(QString, arguments);
        QCOMPARE(QString::fromStdString(forwardSpecToConfigArguments(spec.toStdString())), arguments);
    }

    void forwardingFlagsResolve() {
        const SshInvocation invocation = resolveOk(
            QStringLiteral("-L 8080:example.org:80 -L [::1]:2222:inner:22 -R 9090:localhost:90 -R 1081 "
                           "-D 127.0.0.1:1080 -J jump@bastion:2200,second -A h"));
        QCOMPARE(invocation.localForwards.size(), std::size_t(2));
        QCOMPARE(invocation.localForwards[0].listen.port, 8080);
        QCOMPARE(invocation.localForwards[0].connect->host, std::string("example.org"));
        QCOMPARE(invocation.localForwards[0].connect->port, 80);
        QCOMPARE(invocation.localForwards[1].listen.host, std::string("::1"));
        QCOMPARE(invocation.remoteForwards.size(), std::size_t(2));
        QCOMPARE(invocation.remoteForwards[0].connect->port, 90);
        QVERIFY(!invocation.remoteForwards[1].connect); // dynamic -R
        QCOMPARE(invocation.dynamicForwards.size(), std::size_t(1));
        QCOMPARE(invocation.dynamicForwards[0].listen.host, std::string("127.0.0.1"));
        QCOMPARE(invocation.jumpHosts.size(), std::size_t(2));
        QCOMPARE(invocation.jumpHosts[0].user, std::string("jump"));
        QCOMPARE(invocation.jumpHosts[0].port, 2200);
        QCOMPARE(invocation.jumpHosts[1].host, std::string("second"));
        // Each hop is a connection of its own, with the user and port it was given.
        QCOMPARE(invocation.jumpHops.size(), std::size_t(2));
        QCOMPARE(invocation.jumpHops[0].config.user, std::string("jump"));
        QCOMPARE(invocation.jumpHops[0].config.port, 2200);
        QCOMPARE(invocation.jumpHops[0].address, std::string("bastion"));
        QCOMPARE(invocation.jumpHops[1].config.user, std::string("alice"));
        QCOMPARE(invocation.jumpHops[1].config.port, 22);
        QVERIFY(invocation.forwardAgent);
        QVERIFY(!resolveOk(QStringLiteral("-A -a h")).forwardAgent); // the last flag wins, as in ssh(1)
        QVERIFY(resolveOk(QStringLiteral("-a -A h")).forwardAgent);
        QVERIFY(!resolveOk(QStringLiteral("-a -o ForwardAgent=yes h")).forwardAgent);
    }

    // -X / -Y / -x stand for ForwardX11 (-Y also ForwardX11Trusted) and beat the files; the
    // last of -X, -Y and -x wins as in ssh(1).
    void x11Forwarding() {
        const SshInvocation none = resolveOk(QStringLiteral("h"));
        QVERIFY(!none.forwardX11 && !none.forwardX11Trusted);
        QCOMPARE(none.forwardX11Timeout, std::chrono::seconds(1200));
        QCOMPARE(none.xauthLocation, std::string("/usr/bin/xauth"));
        const SshInvocation untrusted = resolveOk(QStringLiteral("-X h"));
        QVERIFY(untrusted.forwardX11 && !untrusted.forwardX11Trusted);
        const SshInvocation trusted = resolveOk(QStringLiteral("-Y h"));
        QVERIFY(trusted.forwardX11 && trusted.forwardX11Trusted);
        QVERIFY(!resolveOk(QStringLiteral("-X -x h")).forwardX11);
        QVERIFY(resolveOk(QStringLiteral("-x -X h")).forwardX11);
        const std::map<std::string, std::string> files{
            {"/home/alice/.ssh/config",
             "Host h\n  ForwardX11 yes\n  ForwardX11Timeout 5m\n  XAuthLocation ~/bin/xauth\n"}};
        const SshInvocation configured = resolveOk(QStringLiteral("h"), files);
        QVERIFY(configured.forwardX11 && !configured.forwardX11Trusted);
        QCOMPARE(configured.forwardX11Timeout, std::chrono::seconds(300));
        QCOMPARE(configured.xauthLocation, std::string("/home/alice/bin/xauth"));
        QVERIFY(!resolveOk(QStringLiteral("-x h"), files).forwardX11);
        QCOMPARE(resolveOk(std::vector<std::string>{"-o", "ProxyCommand=nc %h %p", "h"}).proxyCommand, std::string("nc %h %p"));
        // Bad specifications fail while parsing, before anything connects.
        for (const char* flag : {"-L", "-R", "-D"}) {
            auto bad = parseSshArguments({flag, "nonsense:x", "h"}, local());
            QVERIFY2(!bad, flag);
            QVERIFY2(bad.error().message.find("forwarding specification") != std::string::npos,
                     bad.error().message.c_str());
        }
        QVERIFY(!parseSshArguments({"-J", "a@", "h"}, local()));
    }

    // -W host:port: stdio over direct-tcpip, implying -N -T, no forwards from anywhere
    // (ClearAllForwardings) and ExitOnForwardFailure, as ssh(1) documents it.
    void stdioForward() {
        const SshInvocation invocation =
            resolveOk(QStringLiteral("-W target.example:2222 -L 8080:example.org:80 -D 1080 h"),
                      {{"/home/alice/.ssh/config", "Host h\n  RemoteForward 9000 localhost:90\n"}});
        QVERIFY(invocation.stdioForward);
        QCOMPARE(invocation.stdioForward->host, std::string("target.example"));
        QCOMPARE(invocation.stdioForward->port, 2222);
        QVERIFY(invocation.noRemoteCommand);
        QCOMPARE(invocation.ttyRequest, TtyRequest::No);
        QVERIFY(invocation.exitOnForwardFailure);
        QVERIFY(invocation.localForwards.empty() && invocation.remoteForwards.empty() &&
                invocation.dynamicForwards.empty());
        const SshInvocation v6 = parseOk(QStringLiteral("-W [::1]:22 h"));
        QCOMPARE(v6.stdioForward->host, std::string("::1"));
        QCOMPARE(v6.stdioForward->port, 22);
        QVERIFY(!parseOk(QStringLiteral("h")).stdioForward);
        for (const char* bad : {"host", "host:", ":22", "host:0", "::1:22", "[::1]", "host:http"}) {
            auto parsed = parseSshArguments({"-W", bad, "h"}, local());
            QVERIFY2(!parsed, bad);
            QCOMPARE(parsed.error().message, "Bad stdio forwarding specification '" + std::string(bad) + "'");
        }
        auto twice = parseSshArguments({"-W", "a:1", "-W", "b:2", "h"}, local());
        QVERIFY(!twice);
        QCOMPARE(twice.error().message, std::string("stdio forward already specified"));
    }

    void configFileFeedsTheClientConfig() {
        existingFiles = {"/home/alice/.ssh/work_key"};
        const std::map<std::string, std::string> files{
            {"/home/alice/.ssh/config",
             "Host work\n  HostName Build.Example.Org\n  User builder\n  Port 2022\n"
             "  IdentityFile ~/.ssh/work_key\n  IdentitiesOnly yes\n  ServerAliveInterval 5\n"
             "  ServerAliveCountMax 2\n  ConnectTimeout 9\n  BatchMode yes\n"
             "  StrictHostKeyChecking accept-new\n  UserKnownHostsFile ~/.ssh/work_hosts\n"
             "  Ciphers aes256-gcm@openssh.com\n  SetEnv A=1 B=2\n  SendEnv LANG\n  RequestTTY force\n"
             "  RemoteCommand uptime\n  LocalForward 5432 db:5432\n  ForwardAgent yes\n  ProxyJump hop@gate\n"
             "Host gate\n  HostName bastion.example.org\n  Port 2222\n"},
            {"/etc/ssh/ssh_config", "Host *\n  Port 2999\n  User nobody\n"}};
        const SshInvocation work = resolveOk(QStringLiteral("work"), files);
        QCOMPARE(work.config.host, std::string("build.example.org"));
        QCOMPARE(work.connectAddress, std::string("build.example.org"));
        QCOMPARE(work.config.user, std::string("builder"));
        QCOMPARE(work.config.port, 2022);
        QCOMPARE(work.config.identities.size(), std::size_t(1));
        QCOMPARE(work.config.identities[0].path, std::string("/home/alice/.ssh/work_key"));
        QVERIFY(work.config.identitiesOnly);
        QCOMPARE(work.config.keepaliveInterval, std::chrono::seconds(5));
        QCOMPARE(work.config.keepaliveCountMax, 2);
        QCOMPARE(work.connectTimeout, std::chrono::seconds(9));
        QVERIFY(work.config.batchMode);
        QCOMPARE(int(work.config.hostKeyPolicy), int(HostKeyPolicy::AcceptNew));
        QCOMPARE(work.jumpHops.size(), std::size_t(1)); // the hop resolved from the same files
        QCOMPARE(work.jumpHops[0].address, std::string("bastion.example.org"));
        QCOMPARE(work.jumpHops[0].config.port, 2222);
        QCOMPARE(work.jumpHops[0].config.user, std::string("hop"));
        QCOMPARE(work.config.knownHostsFiles, std::vector<std::string>{"/home/alice/.ssh/work_hosts"});
        QCOMPARE(work.config.ciphers, std::vector<std::string>{"aes256-gcm@openssh.com"});
        QCOMPARE(work.setEnv, (std::vector<std::string>{"A=1", "B=2"}));
        QCOMPARE(work.sendEnv, std::vector<std::string>{"LANG"});
        QCOMPARE(int(work.ttyRequest), int(TtyRequest::Force));
        QCOMPARE(work.command, std::string("uptime"));
        QCOMPARE(work.localForwards.size(), std::size_t(1));
        QVERIFY(work.forwardAgent);

        // The command line comes first: -p, -l, -o, -T and a command beat the file.
        const SshInvocation overridden =
            resolveOk(QStringLiteral("-p 2200 -l root -o BatchMode=no -T work ls"), files);
        QCOMPARE(overridden.config.port, 2200);
        QCOMPARE(overridden.config.user, std::string("root"));
        QVERIFY(!overridden.config.batchMode);
        QCOMPARE(int(overridden.ttyRequest), int(TtyRequest::No));
        QCOMPARE(overridden.command, std::string("ls"));

        // Another host gets only the system file's values.
        const SshInvocation other = resolveOk(QStringLiteral("elsewhere"), files);
        QCOMPARE(other.config.port, 2999);
        QCOMPARE(other.config.user, std::string("nobody"));
        QVERIFY(other.config.identities.empty()); // no default identity file exists
        QVERIFY(other.missingIdentityFiles.empty());

        // -F replaces both files.
        std::map<std::string, std::string> withF = files;
        withF["/home/alice/only"] = "Port 1234\n";
        const SshInvocation fromF = resolveOk(QStringLiteral("-F ~/only work"), withF);
        QCOMPARE(fromF.config.port, 1234);
        QCOMPARE(fromF.config.user, std::string("alice"));
    }

    void errors_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("message");
        QTest::newRow("no destination") << "-v" << "usage:";
        QTest::newRow("unknown flag") << "-Z h" << "unknown option -- Z";
        QTest::newRow("missing value") << "h -p" << "option requires an argument -- p";
        QTest::newRow("bad port") << "-p 70000 h" << "Bad port";
        QTest::newRow("bad keyword") << "-o NoSuchThing=1 h" << "Bad configuration option: NoSuchThing";
        QTest::newRow("bad resolver keyword value") << "-o LocalForward=nonsense h" << "Missing target argument";
        QTest::newRow("bad yes/no") << "-o BatchMode=maybe h" << "unsupported option";
        QTest::newRow("bad policy") << "-o StrictHostKeyChecking=sometimes h" << "unsupported option";
        QTest::newRow("unknown cipher") << "-o Ciphers=rot13 h" << "rot13";
        QTest::newRow("bad timeout") << "-o ConnectTimeout=soon h" << "invalid time value";
        QTest::newRow("missing option value") << "-o BatchMode h" << "missing argument";
        QTest::newRow("bad URI") << "ssh://host:port" << "Invalid URI";
        QTest::newRow("empty user") << "@host" << "usage:";
    }
    void errors() {
        QFETCH(QString, line);
        QFETCH(QString, message);
        auto parsed = parseSshArguments(words(line), local());
        QVERIFY(!parsed);
        QVERIFY2(QString::fromStdString(parsed.error().message).contains(message),
                 parsed.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestSshOptions)
#include "test_ssh_options.moc"
