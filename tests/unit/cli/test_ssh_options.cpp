// `portal-cli ssh` argument parsing: ssh(1) flags, ssh_config(5) -o keywords with
// first-value-wins, destinations, the command, defaults and errors.
#include "SshOptions.h"

#include <QtTest>

#include <set>

using namespace portal::app::cli;
using portal::protocol::client::HostKeyPolicy;

namespace {

std::set<std::string> existingFiles;

LocalContext local() {
    return {"/home/alice", "alice", [](const std::string& path) { return existingFiles.count(path) > 0; }};
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

    void errors_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("message");
        QTest::newRow("no destination") << "-v" << "usage:";
        QTest::newRow("unknown flag") << "-Z h" << "unknown option -- Z";
        QTest::newRow("missing value") << "h -p" << "option requires an argument -- p";
        QTest::newRow("bad port") << "-p 70000 h" << "Bad port";
        QTest::newRow("bad keyword") << "-o NoSuchThing=1 h" << "Bad configuration option: NoSuchThing";
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
