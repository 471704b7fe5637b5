// known_hosts: a table of file lines × (host, port, key) → expected match, files hashed by
// `ssh-keygen -H` and searched with `ssh-keygen -F`, malformed lines, and append round trips.
#include "KeyTestTools.h"

#include "keys/KnownHosts.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace portal::protocol;
using namespace portal::protocol::keys;

Q_DECLARE_METATYPE(HostKeyMatch)

class TestKnownHosts : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    // A, B: two ed25519 keys; C: an ECDSA key.
    std::map<char, PublicKey> keys_;

    PublicKey key(char name) const { return keys_.at(name); }

    // "%A" in a line stands for key A's "type base64".
    QString expand(QString text) const {
        for (const auto& [name, key] : keys_)
            text.replace(QString("%") + name, QString::fromStdString(key.openSshLine()));
        return text;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        for (auto [name, type] : {std::pair{'A', "ed25519"}, std::pair{'B', "ed25519"}, std::pair{'C', "ecdsa"}}) {
            QString path = dir_.filePath(QString("key_%1").arg(name));
            auto run = keytest::generateKey(path, type, 0, "");
            QVERIFY2(run.ok(), run.err.constData());
            auto key = PublicKey::fromOpenSshLine(keytest::readFile(path + ".pub").toStdString());
            QVERIFY(key.ok());
            keys_.emplace(name, *key);
        }
    }

    void lookup_data() {
        QTest::addColumn<QString>("contents");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QChar>("presented");
        QTest::addColumn<HostKeyMatch>("expected");
        QTest::addColumn<int>("line"); // of the relevant entry, 0 if none

        using M = HostKeyMatch;
        QTest::newRow("plain known") << "example.com %A" << "example.com" << 22 << QChar('A') << M::Known << 1;
        QTest::newRow("plain changed") << "example.com %A" << "example.com" << 22 << QChar('B') << M::Changed << 1;
        QTest::newRow("other type unknown") << "example.com %A" << "example.com" << 22 << QChar('C') << M::Unknown << 0;
        QTest::newRow("other host unknown") << "example.com %A" << "example.org" << 22 << QChar('A') << M::Unknown << 0;
        QTest::newRow("case-insensitive") << "EXAMPLE.com %A" << "example.COM" << 22 << QChar('A') << M::Known << 1;
        QTest::newRow("comma list") << "alpha,example.com,10.0.0.1 %A" << "10.0.0.1" << 22 << QChar('A') << M::Known << 1;
        QTest::newRow("star") << "*.example.com %A" << "www.example.com" << 22 << QChar('A') << M::Known << 1;
        QTest::newRow("star needs the dot") << "*.example.com %A" << "example.com" << 22 << QChar('A') << M::Unknown << 0;
        QTest::newRow("question mark") << "h?st %A" << "host" << 22 << QChar('A') << M::Known << 1;
        QTest::newRow("question mark is one char") << "h?st %A" << "hoost" << 22 << QChar('A') << M::Unknown << 0;
        QTest::newRow("negation vetoes") << "*.example.com,!bad.example.com %A" << "bad.example.com" << 22 << QChar('B') << M::Unknown << 0;
        QTest::newRow("negation elsewhere") << "*.example.com,!bad.example.com %A" << "good.example.com" << 22 << QChar('A') << M::Known << 1;
        QTest::newRow("negation alone matches nothing") << "!bad.example.com %A" << "good.example.com" << 22 << QChar('A') << M::Unknown << 0;
        QTest::newRow("bracketed port") << "[example.com]:2222 %A" << "example.com" << 2222 << QChar('A') << M::Known << 1;
        QTest::newRow("bracketed port not for 22") << "[example.com]:2222 %A" << "example.com" << 22 << QChar('A') << M::Unknown << 0;
        QTest::newRow("plain name not for other ports") << "example.com %A" << "example.com" << 2222 << QChar('A') << M::Unknown << 0;
        QTest::newRow("port wildcard") << "[example.com]:* %A" << "example.com" << 2200 << QChar('B') << M::Changed << 1;
        QTest::newRow("ipv6 with port") << "[::1]:2022 %A" << "::1" << 2022 << QChar('A') << M::Known << 1;
        QTest::newRow("revoked for its host") << "@revoked example.com %A" << "example.com" << 22 << QChar('A') << M::Revoked << 1;
        QTest::newRow("revoked for any host") << "example.com %A\n@revoked other.host %A" << "example.com" << 22 << QChar('A') << M::Revoked << 2;
        QTest::newRow("revoked other key") << "@revoked * %B\nexample.com %A" << "example.com" << 22 << QChar('A') << M::Known << 2;
        QTest::newRow("cert-authority not a host key") << "@cert-authority *.example.com %A" << "www.example.com" << 22 << QChar('A') << M::Unknown << 0;
        QTest::newRow("known beats changed") << "# comment\n\nexample.com %B\nexample.com %A" << "example.com" << 22 << QChar('A') << M::Known << 4;
        QTest::newRow("changed names first line") << "example.com %B\n  example.com %C\nexample.com %B" << "example.com" << 22 << QChar('A') << M::Changed << 1;
        QTest::newRow("crlf and comment after key") << "example.com %A some comment\r\n" << "example.com" << 22 << QChar('A') << M::Known << 1;
        QTest::newRow("malformed lines skipped") << "garbage\nexample.com %A" << "example.com" << 22 << QChar('A') << M::Known << 2;
    }
    void lookup() {
        QFETCH(QString, contents);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(QChar, presented);
        QFETCH(HostKeyMatch, expected);
        QFETCH(int, line);
        KnownHostsFile file = KnownHostsFile::parse(expand(contents).toStdString(), "/test/known_hosts");
        HostKeyLookup result = file.lookup(host.toStdString(), port, key(presented.toLatin1()));
        QCOMPARE(int(result.match), int(expected));
        QCOMPARE(result.line, line);
        if (line > 0) {
            QCOMPARE(result.file, std::string("/test/known_hosts"));
            QVERIFY(result.listedKey.has_value());
        }
        if (expected == HostKeyMatch::Changed) {
            // The old key is the one on that line, for the "host key changed" message.
            QVERIFY(!(*result.listedKey == key(presented.toLatin1())));
            QCOMPARE(result.listedKey->keyType(), key(presented.toLatin1()).keyType());
        }
    }

    void knownKeyTypes() {
        KnownHostsFile file = KnownHostsFile::parse(
            expand("example.com %C\nexample.com %A\n*.com %B\n@cert-authority example.com %A\nother %C").toStdString(), "f");
        std::vector<std::string> expected{"ecdsa-sha2-nistp256", "ssh-ed25519"};
        QCOMPARE(file.keyTypesFor("example.com", 22), expected);
        QCOMPARE(file.lookup("example.com", 22, key('A')).knownKeyTypes, expected);
        QVERIFY(file.keyTypesFor("example.net", 22).empty());
    }

    void malformedLinesCounted() {
        QString contents = expand("garbage\n"
                                  "host ssh-ed25519 not!base64\n"
                                  "@bogus host %A\n"
                                  "lonely-host\n"
                                  "|1|c2hvcnQ=|c2hvcnQ= %A\n"
                                  "host ssh-dss AAAAB3NzaC1kc3M=\n"          // unsupported type: skipped, not counted
                                  "host ssh-ed25519 AAAAB3NzaC1kc3M=\n"      // says ed25519, holds ssh-dss
                                  "@revoked\n"
                                  "# a comment\n"
                                  "\n"
                                  "good %A\n");
        KnownHostsFile file = KnownHostsFile::parse(contents.toStdString(), "f");
        QCOMPARE(file.malformedLineCount(), 7);
        QCOMPARE(int(file.lookup("good", 22, key('A')).match), int(HostKeyMatch::Known));
        QCOMPARE(file.lookup("good", 22, key('A')).line, 11);
    }

    // Hashed entries written by ssh-keygen -H match by name and port; ssh-keygen -F agrees.
    void hashedBySshKeygen() {
        QString path = dir_.filePath("hashed_known_hosts");
        QVERIFY(keytest::writeFile(path, expand("example.com %A\n[example.com]:2222 %B\n10.1.2.3 %C\n").toUtf8()));
        auto hashing = keytest::runTool("ssh-keygen", {"-H", "-f", path});
        QVERIFY2(hashing.ok(), hashing.err.constData());
        QByteArray hashedText = keytest::readFile(path);
        QVERIFY(hashedText.startsWith("|1|"));
        QVERIFY(!hashedText.contains("example.com"));

        auto loaded = KnownHostsFile::load(path.toStdString());
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->malformedLineCount(), 0);
        QCOMPARE(int(loaded->lookup("example.com", 22, key('A')).match), int(HostKeyMatch::Known));
        QCOMPARE(int(loaded->lookup("Example.COM", 22, key('B')).match), int(HostKeyMatch::Changed));
        QCOMPARE(int(loaded->lookup("example.com", 2222, key('B')).match), int(HostKeyMatch::Known));
        QCOMPARE(int(loaded->lookup("example.com", 2223, key('B')).match), int(HostKeyMatch::Unknown));
        QCOMPARE(loaded->lookup("10.1.2.3", 22, key('C')).line, 3);
        QCOMPARE(int(loaded->lookup("10.1.2.4", 22, key('C')).match), int(HostKeyMatch::Unknown));

        for (const auto& [name, line] : {std::pair{"example.com", 1}, std::pair{"[example.com]:2222", 2}, std::pair{"10.1.2.3", 3}}) {
            auto found = keytest::runTool("ssh-keygen", {"-F", name, "-f", path});
            QVERIFY2(found.ok(), name);
            QVERIFY2(found.out.contains(QByteArray("found: line ") + QByteArray::number(line)), found.out.constData());
        }
    }

    void missingFileIsEmpty() {
        auto loaded = KnownHostsFile::load(dir_.filePath("does/not/exist").toStdString());
        QVERIFY(loaded.ok());
        QCOMPARE(int(loaded->lookup("example.com", 22, key('A')).match), int(HostKeyMatch::Unknown));
    }

    void appendRoundTrip_data() {
        QTest::addColumn<bool>("hashed");
        QTest::newRow("plain") << false;
        QTest::newRow("hashed") << true;
    }
    // append creates the directory (0700) and file (0600), writes the line OpenSSH writes,
    // and what it wrote is found again, by us and by ssh-keygen -F.
    void appendRoundTrip() {
        QFETCH(bool, hashed);
        QString directory = dir_.filePath(hashed ? "hashed/ssh" : "plain/ssh");
        QString path = directory + "/known_hosts";
        QVERIFY(KnownHostsFile::append(path.toStdString(), "Example.com", 22, key('A'), hashed).ok());
        QVERIFY(KnownHostsFile::append(path.toStdString(), "example.com", 2222, key('C'), hashed).ok());
        QCOMPARE(QFileInfo(directory).permissions() & 0x7777, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                                                  QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser);
        QCOMPARE(QFileInfo(path).permissions() & 0x7777, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                             QFileDevice::ReadUser | QFileDevice::WriteUser);

        QList<QByteArray> lines = keytest::readFile(path).split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[2].isEmpty()); // every line ends in '\n'
        if (hashed) {
            QVERIFY(lines[0].startsWith("|1|"));
            QCOMPARE(lines[0].split(' ').mid(1).join(' '), QByteArray::fromStdString(key('A').openSshLine()));
            QVERIFY(lines[0].split(' ')[0] != lines[1].split(' ')[0]);
        } else {
            QCOMPARE(lines[0], QByteArray::fromStdString("example.com " + key('A').openSshLine()));
            QCOMPARE(lines[1], QByteArray::fromStdString("[example.com]:2222 " + key('C').openSshLine()));
        }

        auto loaded = KnownHostsFile::load(path.toStdString());
        QVERIFY(loaded.ok());
        QCOMPARE(int(loaded->lookup("example.com", 22, key('A')).match), int(HostKeyMatch::Known));
        QCOMPARE(int(loaded->lookup("example.com", 2222, key('C')).match), int(HostKeyMatch::Known));
        QCOMPARE(int(loaded->lookup("example.com", 22, key('C')).match), int(HostKeyMatch::Unknown));
        auto found = keytest::runTool("ssh-keygen", {"-F", "[example.com]:2222", "-f", path});
        QVERIFY2(found.ok() && found.out.contains("found: line 2"), found.out.constData());
    }

    void appendAfterLineWithoutNewline() {
        QString path = dir_.filePath("no_newline_known_hosts");
        QVERIFY(keytest::writeFile(path, expand("first.example %B").toUtf8()));
        QVERIFY(KnownHostsFile::append(path.toStdString(), "second.example", 22, key('A'), false).ok());
        auto loaded = KnownHostsFile::load(path.toStdString());
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->malformedLineCount(), 0);
        QCOMPARE(int(loaded->lookup("first.example", 22, key('B')).match), int(HostKeyMatch::Known));
        QCOMPARE(loaded->lookup("second.example", 22, key('A')).line, 2);
    }

    void hostNames() {
        QCOMPARE(knownHostsName("Example.com", 22), std::string("example.com"));
        QCOMPARE(knownHostsName("example.com", 2222), std::string("[example.com]:2222"));
        QCOMPARE(knownHostsName("::1", 830), std::string("[::1]:830"));
    }
};

QTEST_GUILESS_MAIN(TestKnownHosts)
#include "test_known_hosts.moc"
