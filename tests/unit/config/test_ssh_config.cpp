// Tests for protocol/config: ssh_config(5) splitting, patterns, Include, Match, tokens and
// errors, and resolution of the data/*.conf files compared with OpenSSH's own `ssh -G`.
#include "config/ConfigLine.h"
#include "config/Patterns.h"
#include "config/SshConfig.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <map>
#include <pwd.h>
#include <unistd.h>

using namespace portal::protocol;
using namespace portal::protocol::config;

namespace {

// An in-memory file system: path -> contents.
struct FakeFiles {
    std::map<std::string, std::string> files;

    ConfigFileAccess access() const {
        ConfigFileAccess access;
        access.readFile = [this](const std::string& path) -> Result<std::optional<std::string>> {
            if (path.ends_with("/unreadable"))
                return Error::localFile("Can't open " + path + ": Permission denied");
            auto it = files.find(path);
            if (it == files.end())
                return std::optional<std::string>();
            return std::optional<std::string>(it->second);
        };
        access.listDirectory = [this](const std::string& directory) {
            std::vector<std::string> names;
            const std::string prefix = directory.ends_with('/') ? directory : directory + "/";
            for (const auto& [path, text] : files)
                if (path.starts_with(prefix)) {
                    std::string rest = path.substr(prefix.size());
                    rest = rest.substr(0, rest.find('/'));
                    if (names.empty() || names.back() != rest)
                        names.push_back(rest);
                }
            return names;
        };
        return access;
    }
};

LocalContext fakeLocal() {
    LocalContext local;
    local.homeDirectory = "/home/me";
    local.userName = "me";
    local.hostName = "laptop.example";
    local.userId = "1000";
    return local;
}

LocalContext realLocal() {
    LocalContext local;
    const passwd* entry = ::getpwuid(::getuid());
    local.homeDirectory = entry ? entry->pw_dir : "/";
    local.userName = entry ? entry->pw_name : "";
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    local.hostName = name;
    local.userId = std::to_string(::getuid());
    return local;
}

Result<SshOptions> resolveFake(const FakeFiles& fake, const std::string& host,
                               const std::string& path = "/cfg") {
    Destination destination;
    destination.host = host;
    return resolveSshConfig(destination, {{path, true, false}}, fakeLocal(), fake.access());
}

// The keywords compared with ssh -G for every file; data files add the algorithm lists whose
// defaults differ between Portal and OpenSSH (which offers sntrup, umac and certificates).
const QStringList comparedKeys = {"host",
                                  "hostname",
                                  "user",
                                  "port",
                                  "identityfile",
                                  "certificatefile",
                                  "identitiesonly",
                                  "proxyjump",
                                  "proxycommand",
                                  "localforward",
                                  "remoteforward",
                                  "dynamicforward",
                                  "forwardagent",
                                  "exitonforwardfailure",
                                  "permitlocalcommand",
                                  "enableescapecommandline",
                                  "serveraliveinterval",
                                  "serveralivecountmax",
                                  "connecttimeout",
                                  "batchmode",
                                  "stricthostkeychecking",
                                  "userknownhostsfile",
                                  "hashknownhosts",
                                  "ciphers",
                                  "setenv",
                                  "sendenv",
                                  "requesttty",
                                  "remotecommand",
                                  "passwordauthentication",
                                  "pubkeyauthentication",
                                  "kbdinteractiveauthentication",
                                  "numberofpasswordprompts",
                                  "preferredauthentications"};

QMap<QString, QStringList> valuesByKey(const QString& text, const QStringList& keys) {
    QMap<QString, QStringList> values;
    for (const QString& line : text.split('\n', Qt::SkipEmptyParts)) {
        const qsizetype space = line.indexOf(' ');
        const QString key = line.left(space);
        if (keys.contains(key))
            values[key].append(space < 0 ? QString() : line.mid(space + 1));
    }
    return values;
}

QStringList headerValues(const QString& text, const QString& name) {
    QStringList values;
    const QRegularExpression pattern("^# " + name + ":\\s*(.*)$",
                                     QRegularExpression::MultilineOption);
    for (auto it = pattern.globalMatch(text); it.hasNext();)
        values.append(it.next().captured(1).trimmed());
    return values;
}

// "-l user -p port -o Keyword=value host" as in the data files' destination lines.
struct CommandLine {
    Destination destination;
    std::vector<std::string> options; // -o
};

CommandLine parseDestination(const QString& line) {
    CommandLine parsed;
    const QStringList words = line.split(' ', Qt::SkipEmptyParts);
    for (qsizetype i = 0; i < words.size(); ++i) {
        if (words[i] == "-l" && i + 1 < words.size())
            parsed.destination.user = words[++i].toStdString();
        else if (words[i] == "-p" && i + 1 < words.size())
            parsed.destination.port = words[++i].toInt();
        else if (words[i] == "-o" && i + 1 < words.size())
            parsed.options.push_back(words[++i].toStdString());
        else
            parsed.destination.host = words[i].toStdString();
    }
    return parsed;
}

Result<SshOptions> resolveLikeSsh(const QString& path, const QString& destination) {
    const CommandLine parsed = parseDestination(destination);
    return resolveSshConfig(parsed.destination, {{path.toStdString(), true, false}}, realLocal(),
                            localConfigFileAccess(), parsed.options);
}

} // namespace

class TestSshConfig : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dataCopy_;

    // The data files with @DIR@ replaced by the copy's directory, so Include can name
    // absolute paths (ssh resolves relative ones under the passwd home, not the test's).
    void copyData() {
        const QString source = QStringLiteral(PORTAL_TEST_SOURCE_DIR) + "/data";
        QDirIterator it(source, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString from = it.next();
            const QString relative = QDir(source).relativeFilePath(from);
            QDir(dataCopy_.path()).mkpath(QFileInfo(relative).path());
            QFile in(from);
            QVERIFY(in.open(QIODevice::ReadOnly));
            QFile out(dataCopy_.filePath(relative));
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(QString::fromUtf8(in.readAll()).replace("@DIR@", dataCopy_.path()).toUtf8());
        }
    }

    QStringList dataFiles(bool errors) const {
        QStringList names;
        for (const QString& name :
             QDir(dataCopy_.path()).entryList({"*.conf"}, QDir::Files, QDir::Name))
            if (name.startsWith("error-") == errors)
                names.append(name);
        return names;
    }

    static QString readText(const QString& path) {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    }

    // Runs `ssh -G -F file destination...`; returns exit code and output.
    static std::pair<int, QString> runSshG(const QString& file, const QString& destination) {
        QProcess ssh;
        ssh.setProcessChannelMode(QProcess::MergedChannels);
        ssh.setStandardInputFile(QProcess::nullDevice());
        ssh.start("ssh",
                  QStringList{"-G", "-F", file} + destination.split(' ', Qt::SkipEmptyParts));
        if (!ssh.waitForFinished(20000))
            return {-1, "ssh -G did not finish"};
        return {ssh.exitCode(), QString::fromUtf8(ssh.readAll())};
    }

private slots:
    void initTestCase() {
        QVERIFY(dataCopy_.isValid());
        copyData();
        QVERIFY2(!QStandardPaths::findExecutable("ssh").isEmpty(),
                 "OpenSSH ssh is needed (openssh-client)");
    }

    void splitsLines_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("keyword");
        QTest::addColumn<QStringList>("args");
        QTest::newRow("space") << "Host foo bar"
                               << "host" << QStringList{"foo", "bar"};
        QTest::newRow("equals") << "Port=22"
                                << "port" << QStringList{"22"};
        QTest::newRow("spaced equals") << "  User = bob  "
                                       << "user" << QStringList{"bob"};
        QTest::newRow("tab") << "\tHostName\texample\t"
                             << "hostname" << QStringList{"example"};
        QTest::newRow("case") << "IdentitiesONLY yes"
                              << "identitiesonly" << QStringList{"yes"};
        QTest::newRow("double quotes") << "IdentityFile \"/a b/c\""
                                       << "identityfile" << QStringList{"/a b/c"};
        QTest::newRow("single quotes") << "IdentityFile '/a \"b'"
                                       << "identityfile" << QStringList{"/a \"b"};
        QTest::newRow("escaped space") << "IdentityFile /a\\ b"
                                       << "identityfile" << QStringList{"/a b"};
        QTest::newRow("comment after") << "SendEnv A B # C D"
                                       << "sendenv" << QStringList{"A", "B"};
        QTest::newRow("hash inside word") << "User a#b"
                                          << "user" << QStringList{"a#b"};
        QTest::newRow("quoted equals") << "SetEnv \"A=b c\""
                                       << "setenv" << QStringList{"A=b c"};
        QTest::newRow("crlf") << "Port 22\r"
                              << "port" << QStringList{"22"};
        QTest::newRow("comment") << "   # Host x"
                                 << "" << QStringList{};
        QTest::newRow("blank") << " \t "
                               << "" << QStringList{};
    }
    void splitsLines() {
        QFETCH(QString, line);
        QFETCH(QString, keyword);
        QFETCH(QStringList, args);
        Result<ConfigLine> split = splitConfigLine(line.toStdString());
        QVERIFY2(split.ok(), split.ok() ? "" : split.error().message.c_str());
        QCOMPARE(QString::fromStdString(split->keyword), keyword);
        QStringList got;
        for (const std::string& arg : split->args)
            got.append(QString::fromStdString(arg));
        QCOMPARE(got, args);
    }

    void rejectsBadLines_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("message");
        QTest::newRow("open quote") << "User \"bob"
                                    << "invalid quotes";
        QTest::newRow("no argument") << "User"
                                     << "no argument after keyword";
        QTest::newRow("only equals") << "User ="
                                     << "no argument after keyword";
    }
    void rejectsBadLines() {
        QFETCH(QString, line);
        QFETCH(QString, message);
        Result<ConfigLine> split = splitConfigLine(line.toStdString());
        QVERIFY(!split.ok());
        QVERIFY2(QString::fromStdString(split.error().message).contains(message),
                 split.error().message.c_str());
    }

    void matchesPatterns_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("list");
        QTest::addColumn<int>("expected");
        QTest::newRow("exact") << "host"
                               << "host" << int(ListMatch::Match);
        QTest::newRow("star") << "web1.example"
                              << "*.example" << int(ListMatch::Match);
        QTest::newRow("question") << "web1"
                                  << "web?" << int(ListMatch::Match);
        QTest::newRow("question needs one") << "web"
                                            << "web?" << int(ListMatch::NoMatch);
        QTest::newRow("list") << "b"
                              << "a,b,c" << int(ListMatch::Match);
        QTest::newRow("negated wins") << "web3"
                                      << "web*,!web3" << int(ListMatch::NegatedMatch);
        QTest::newRow("negation alone") << "web4"
                                        << "!web3" << int(ListMatch::NoMatch);
        QTest::newRow("lower-cased pattern") << "abc"
                                             << "ABC" << int(ListMatch::Match);
        QTest::newRow("many stars") << std::string(200, 'a').append("b").c_str()
                                    << "*a*a*a*a*a*a*a*c" << int(ListMatch::NoMatch);
    }
    void matchesPatterns() {
        QFETCH(QString, text);
        QFETCH(QString, list);
        QFETCH(int, expected);
        QCOMPARE(int(matchPatternList(text.toStdString(), list.toStdString(), true)), expected);
    }

    // The heart of it: every data file, every destination, compared with OpenSSH.
    void resolvesLikeSshG_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("destination");
        for (const QString& name : dataFiles(false))
            for (const QString& destination :
                 headerValues(readText(dataCopy_.filePath(name)), "destination"))
                QTest::newRow(qPrintable(name + ": " + destination)) << name << destination;
    }
    void resolvesLikeSshG() {
        QFETCH(QString, file);
        QFETCH(QString, destination);
        const QString path = dataCopy_.filePath(file);
        QStringList keys = comparedKeys;
        for (const QString& extra : headerValues(readText(path), "compare"))
            keys += extra.split(' ', Qt::SkipEmptyParts);

        const auto [exitCode, sshOutput] = runSshG(path, destination);
        QVERIFY2(exitCode == 0, qPrintable(sshOutput));

        Result<SshOptions> options = resolveLikeSsh(path, destination);
        QVERIFY2(options.ok(), options.ok() ? "" : options.error().message.c_str());
        const QString ours = QString::fromStdString(printSshOptions(*options));

        const QMap<QString, QStringList> expected = valuesByKey(sshOutput, keys);
        const QMap<QString, QStringList> actual = valuesByKey(ours, keys);
        for (const QString& key : keys)
            QVERIFY2(expected.value(key) == actual.value(key),
                     qPrintable(key + ": ssh -G says [" + expected.value(key).join(" | ") +
                                "], Portal says [" + actual.value(key).join(" | ") + "]"));
    }

    // Files that OpenSSH refuses are refused here too, naming the file and line.
    void rejectsLikeSshG_data() {
        QTest::addColumn<QString>("file");
        for (const QString& name : dataFiles(true))
            QTest::newRow(qPrintable(name)) << name;
    }
    void rejectsLikeSshG() {
        QFETCH(QString, file);
        const QString path = dataCopy_.filePath(file);
        const QString text = readText(path);
        const QString destination = headerValues(text, "destination").value(0);
        const QString message = headerValues(text, "error").value(0);
        const QString line = headerValues(text, "error-line").value(0);

        const auto [exitCode, sshOutput] = runSshG(path, destination);
        QVERIFY2(exitCode != 0, qPrintable("ssh -G accepted it: " + sshOutput));
        QVERIFY2(sshOutput.contains("line " + line), qPrintable(sshOutput));

        Result<SshOptions> options = resolveLikeSsh(path, destination);
        QVERIFY(!options.ok());
        const QString error = QString::fromStdString(options.error().message);
        QVERIFY2(error.startsWith(path + ":" + line + ": "), qPrintable(error));
        QVERIFY2(error.contains(message), qPrintable(error));
        QCOMPARE(options.error().category, ErrorCategory::LocalFile);
    }

    void includeGlobsRelativeToSshDirectory() {
        FakeFiles fake;
        fake.files["/cfg"] = "Include conf.d/*.conf\nHost *\n  User last\n";
        fake.files["/home/me/.ssh/conf.d/b.conf"] = "Port 2002\n";
        fake.files["/home/me/.ssh/conf.d/a.conf"] = "Port 2001\nUser from-a\n";
        fake.files["/home/me/.ssh/conf.d/.hidden.conf"] = "Port 2000\n";
        fake.files["/home/me/.ssh/conf.d/c.txt"] = "Port 2003\n";
        Result<SshOptions> options = resolveFake(fake, "h");
        QVERIFY(options.ok());
        QCOMPARE(options->port, 2001); // sorted like glob(3), dot files and other names left out
        QCOMPARE(options->user, std::string("from-a"));
    }

    // The real file system: ~/.ssh/config including a relative glob and a ~ path, with the
    // home directory a temporary one.
    void readsLocalFiles() {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        QVERIFY(QDir(home.path()).mkpath(".ssh/config.d"));
        auto write = [&](const QString& name, const QByteArray& text) {
            QFile file(home.filePath(name));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(text);
        };
        write(".ssh/config", "Include config.d/*\nInclude ~/extra.conf\nHost *\n  User last\n");
        write(".ssh/config.d/20-port", "Port 2020\n");
        write(".ssh/config.d/10-user", "User ten\n");
        write("extra.conf", "Port 1\nConnectTimeout 7\n");
        LocalContext local = fakeLocal();
        local.homeDirectory = home.path().toStdString();

        const std::vector<ConfigSource> sources = defaultConfigSources(local, std::nullopt);
        QCOMPARE(sources.size(), std::size_t(2));
        QCOMPARE(sources[0].path, local.homeDirectory + "/.ssh/config");
        QVERIFY(sources[1].systemWide && !sources[1].mustExist);
        Result<SshOptions> options = resolveSshConfig({"h", std::nullopt, std::nullopt},
                                                      {sources[0]}, local, localConfigFileAccess());
        QVERIFY2(options.ok(), options.ok() ? "" : options.error().message.c_str());
        QCOMPARE(options->user, std::string("ten"));
        QCOMPARE(options->port, 2020);
        QCOMPARE(options->connectTimeout.value_or(std::chrono::seconds(0)).count(), 7);
        QCOMPARE(options->userKnownHostsFiles.front(), local.homeDirectory + "/.ssh/known_hosts");

        const std::vector<ConfigSource> explicitFile =
            defaultConfigSources(local, home.filePath("nope").toStdString());
        QCOMPARE(explicitFile.size(), std::size_t(1));
        Result<SshOptions> missing = resolveSshConfig({"h", std::nullopt, std::nullopt},
                                                      explicitFile, local, localConfigFileAccess());
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().message.find("Can't open user config file") != std::string::npos,
                 missing.error().message.c_str());

        // A directory where a file is expected is an error, not an empty file.
        Result<SshOptions> directory = resolveSshConfig(
            {"h", std::nullopt, std::nullopt}, {{home.filePath(".ssh").toStdString(), true, false}},
            local, localConfigFileAccess());
        QVERIFY(!directory.ok());
    }

    void listsHostAliasesForImport() {
        FakeFiles fake;
        fake.files["/cfg"] = "Host web1 web2 !web3 *.example\n  Include conf.d/*\n"
                             "Match host db\n  Port 1\nHost db web1 \"quoted name\"\n";
        fake.files["/home/me/.ssh/conf.d/a"] = "Host inner\nHost ???\n";
        Result<std::vector<std::string>> hosts =
            listConfiguredHosts({{"/cfg", true, false}}, fakeLocal(), fake.access());
        QVERIFY(hosts.ok());
        QCOMPARE(*hosts, (std::vector<std::string>{"web1", "web2", "inner", "db", "quoted name"}));

        fake.files["/cfg"] += "Port x\n";
        QVERIFY(!listConfiguredHosts({{"/cfg", true, false}}, fakeLocal(), fake.access()).ok());
    }

    void includeRecursionIsBounded() {
        FakeFiles fake;
        fake.files["/cfg"] = "Include /cfg\n";
        Result<SshOptions> options = resolveFake(fake, "h");
        QVERIFY(!options.ok());
        QVERIFY2(options.error().message.find("nested too deeply") != std::string::npos,
                 options.error().message.c_str());

        // A glob that matches itself twice per level must stop on the file count, not fan out.
        FakeFiles fan;
        fan.files["/cfg"] = "Include /d/*\n";
        fan.files["/d/a"] = "Include /d/*\n";
        fan.files["/d/b"] = "Include /d/*\n";
        Result<SshOptions> fanned = resolveFake(fan, "h");
        QVERIFY(!fanned.ok());
        QVERIFY2(fanned.error().message.find("too many") != std::string::npos ||
                     fanned.error().message.find("nested too deeply") != std::string::npos,
                 fanned.error().message.c_str());
    }

    void unreadableIncludeIsAnError() {
        FakeFiles fake;
        fake.files["/cfg"] = "\nInclude /etc/unreadable\n";
        Result<SshOptions> options = resolveFake(fake, "h");
        QVERIFY(!options.ok());
        QVERIFY2(options.error().message.starts_with("/cfg:2: "), options.error().message.c_str());
    }

    void missingConfigFile() {
        FakeFiles fake;
        Result<SshOptions> required = resolveFake(fake, "h", "/nope");
        QVERIFY(!required.ok());
        Destination destination{"h", std::nullopt, std::nullopt};
        Result<SshOptions> optional =
            resolveSshConfig(destination, {{"/nope", false, false}}, fakeLocal(), fake.access());
        QVERIFY(optional.ok());
        QCOMPARE(optional->user, std::string("me"));
    }

    void matchExecIsReportedNotRun() {
        FakeFiles fake;
        fake.files["/cfg"] =
            "Match exec \"true\" host h\n  User from-exec\nMatch !exec \"false\"\n  Port 1\n";
        Result<SshOptions> options = resolveFake(fake, "h");
        QVERIFY(options.ok());
        QCOMPARE(options->user, std::string("me"));
        QCOMPARE(options->port, 22);
        QCOMPARE(options->warnings.size(), std::size_t(2));
        QVERIFY(options->warnings[0].starts_with("/cfg:1: Match exec is not supported"));
        QVERIFY(options->warnings[1].starts_with("/cfg:3: "));
    }

    void unknownAndIgnoredKeywords() {
        FakeFiles fake;
        fake.files["/cfg"] =
            "Compression yes\nHost other\n  ControlMaster auto\nHost *\n  FooBar 1\n";
        Result<SshOptions> refused = resolveFake(fake, "h");
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().message, std::string("/cfg:5: Bad configuration option: foobar"));

        fake.files["/cfg"] = "IgnoreUnknown foo*\n" + fake.files["/cfg"];
        Result<SshOptions> options = resolveFake(fake, "h");
        QVERIFY(options.ok());
        // Only applying lines are listed: Compression and FooBar, not ControlMaster.
        QCOMPARE(options->ignoredOptions.size(), std::size_t(2));
        QCOMPARE(options->ignoredOptions[0].keyword, std::string("compression"));
        QCOMPARE(options->ignoredOptions[0].location, std::string("/cfg:2"));
        QCOMPARE(options->ignoredOptions[1].keyword, std::string("foobar"));
        QCOMPARE(options->ignoredOptions[1].location, std::string("/cfg:6"));
    }

    void commandLineOptionsComeFirst() {
        FakeFiles fake;
        fake.files["/cfg"] = "Host *\n  Port 2200\n  User file-user\n  IdentityFile ~/b\n";
        Destination destination{"h", std::nullopt, std::nullopt};
        Result<SshOptions> options =
            resolveSshConfig(destination, {{"/cfg", true, false}}, fakeLocal(), fake.access(),
                             {"Port=2300", "IdentityFile ~/a"});
        QVERIFY(options.ok());
        QCOMPARE(options->port, 2300);
        QCOMPARE(options->user, std::string("file-user"));
        QCOMPARE(options->identityFiles, (std::vector<std::string>{"~/a", "~/b"}));
        Result<SshOptions> refused =
            resolveSshConfig(destination, {}, fakeLocal(), fake.access(), {"Match all"});
        QVERIFY(!refused.ok());
    }

    void expandsIdentityPaths() {
        FakeFiles fake;
        fake.files["/cfg"] = "Host h\n  HostName real.example\n  User u\n  Port 2022\n"
                             "  IdentityFile ~/.ssh/%r@%h:%p-%u-%n-%l-%L-%i-%%\n";
        Result<SshOptions> options = resolveFake(fake, "h");
        QVERIFY(options.ok());
        QCOMPARE(options->identityFiles.size(), std::size_t(1));
        Result<std::string> path = options->expandPath(options->identityFiles[0], fakeLocal());
        QVERIFY(path.ok());
        QCOMPARE(*path, std::string(
                            "/home/me/.ssh/u@real.example:2022-me-h-laptop.example-laptop-1000-%"));
        QVERIFY(!options->expandPath("~/%z", fakeLocal()).ok());
        QVERIFY(!options->expandPath("~/trailing%", fakeLocal()).ok());
        QVERIFY(!options->expandPath("~other/key", fakeLocal()).ok());
    }

    void parsesUnixSocketForwards() {
        FakeFiles fake;
        fake.files["/cfg"] =
            "LocalForward /tmp/l.sock remote.example:80\nRemoteForward /tmp/r.sock /run/app.sock\n";
        Result<SshOptions> options = resolveFake(fake, "h");
        QVERIFY(options.ok());
        QCOMPARE(options->localForwards.size(), std::size_t(1));
        QCOMPARE(options->localForwards[0].listen.path, std::string("/tmp/l.sock"));
        QCOMPARE(options->localForwards[0].connect->host, std::string("remote.example"));
        QCOMPARE(options->remoteForwards[0].connect->path, std::string("/run/app.sock"));
    }

    void validatesValues_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("port word") << "Port ssh"
                                   << "port number";
        QTest::newRow("port zero") << "Port 0"
                                   << "port number";
        QTest::newRow("yes/no") << "BatchMode maybe"
                                << "unsupported option";
        QTest::newRow("extra args") << "User a b"
                                    << "extra arguments";
        QTest::newRow("time") << "ConnectTimeout 5x"
                              << "invalid time";
        QTest::newRow("setenv") << "SetEnv NOVALUE"
                                << "Invalid SetEnv";
        QTest::newRow("cipher") << "Ciphers no-such-cipher"
                                << "no-such-cipher";
        QTest::newRow("local forward port 0") << "LocalForward 0 h:1"
                                              << "Bad forwarding";
        QTest::newRow("v6 without brackets") << "LocalForward ::1:80 h:1"
                                             << "Bad forwarding";
        QTest::newRow("match nothing") << "Match"
                                       << "no argument";
        QTest::newRow("match criterion") << "Match colour blue"
                                         << "Unsupported Match attribute";
        QTest::newRow("match missing value") << "Match host"
                                             << "Missing Match criteria";
        QTest::newRow("hostname token") << "HostName %p.example"
                                        << "unknown key %p";
    }
    void validatesValues() {
        QFETCH(QString, text);
        QFETCH(QString, message);
        FakeFiles fake;
        fake.files["/cfg"] = "Host nothing-matches-this\n" + text.toStdString() + "\n";
        if (text.startsWith("HostName"))
            fake.files["/cfg"] = text.toStdString() + "\n"; // checked when applied
        Result<SshOptions> options = resolveFake(fake, "h");
        QVERIFY(!options.ok());
        QVERIFY2(QString::fromStdString(options.error().message).contains(message),
                 options.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestSshConfig)
#include "test_ssh_config.moc"
