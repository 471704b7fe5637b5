// Import of PuTTY sessions (Unix files and a Windows registry export) and ssh_config hosts,
// from sample files in tests/gui/data; a second import updates instead of duplicating.
#include "SessionImport.h"
#include "SessionStore.h"

#include <QDir>
#include <QFile>
#include <QStringEncoder>
#include <QTemporaryDir>
#include <QTest>

using namespace portal::ui;

namespace {

const QString kData = QStringLiteral(PORTAL_TEST_SOURCE_DIR "/data");

const Session* byName(const QList<Session>& sessions, const QString& name)
{
    for (const Session& s : sessions) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

bool copyTree(const QString& from, const QString& to)
{
    QDir().mkpath(to);
    const QDir source(from);
    for (const QFileInfo& info : source.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString target = to + u'/' + info.fileName();
        if (info.isDir() ? !copyTree(info.filePath(), target) : !QFile::copy(info.filePath(), target))
            return false;
    }
    return true;
}

} // namespace

class TestSessionImport : public QObject {
    Q_OBJECT
private slots:
    void puttySessionNamesAreUnescaped()
    {
        QCOMPARE(puttySessionNameFromFileName(QStringLiteral("web%20server")), QStringLiteral("web server"));
        QCOMPARE(puttySessionNameFromFileName(QStringLiteral("a%2Fb%25c")), QStringLiteral("a/b%c"));
        QCOMPARE(puttySessionNameFromFileName(QStringLiteral("caf%C3%A9")), QStringLiteral("café"));
    }

    void puttySessionDirectory()
    {
        const ImportResult result = importPuttySessionDirectory(kData + QStringLiteral("/putty-sessions"));
        // "Default Settings" is PuTTY's template; the telnet session is not SSH.
        QCOMPARE(result.sessions.size(), 2);
        QVERIFY(!byName(result.sessions, QStringLiteral("Default Settings")));
        QVERIFY(!byName(result.sessions, QStringLiteral("old telnet box")));
        QVERIFY(result.notes.join(u'\n').contains(QStringLiteral("old telnet box")));

        const Session* web = byName(result.sessions, QStringLiteral("web server"));
        QVERIFY(web);
        QCOMPARE(web->host, QStringLiteral("web.example.com"));
        QCOMPARE(web->port, 2222);
        QCOMPARE(web->user, QStringLiteral("deploy"));
        QCOMPARE(web->keyFile, QStringLiteral("/home/alice/.ssh/web.ppk"));
        QCOMPARE(web->authMethods, (QList<AuthMethod>{AuthMethod::PublicKey, AuthMethod::Agent, AuthMethod::Password}));
        QCOMPARE(web->origin, QStringLiteral("putty:web server"));
        QCOMPARE(web->forwards.size(), 4);
        QCOMPARE(web->forwards[0], (PortForward{PortForward::Kind::Local, {}, 8080, QStringLiteral("localhost"), 80}));
        QCOMPARE(web->forwards[1], (PortForward{PortForward::Kind::Local, QStringLiteral("127.0.0.1"), 5432,
                                                QStringLiteral("db.internal"), 5432}));
        QCOMPARE(web->forwards[2], (PortForward{PortForward::Kind::Remote, {}, 9000, QStringLiteral("localhost"), 3000}));
        QCOMPARE(web->forwards[3], (PortForward{PortForward::Kind::Dynamic, {}, 1080, {}, 0}));
        QCOMPARE(web->environment.size(), 2);
        QCOMPARE(web->environment[1], qMakePair(QStringLiteral("EDITOR"), QStringLiteral("vim")));
        QCOMPARE(web->keepaliveSeconds, 30);
        QCOMPARE(web->terminal.scrollbackLines, 5000);
        QCOMPARE(web->terminal.termType, QStringLiteral("xterm-256color"));
        QVERIFY(validateSession(*web).size() == 1); // only: the key file does not exist here

        const Session* router = byName(result.sessions, QStringLiteral("router"));
        QVERIFY(router);
        QCOMPARE(router->host, QStringLiteral("192.168.1.1"));
        QCOMPARE(router->user, QStringLiteral("admin")); // from "admin@192.168.1.1"
        QCOMPARE(router->authMethods, (QList<AuthMethod>{AuthMethod::KeyboardInteractive, AuthMethod::Password}));
        QCOMPARE(router->jumpHosts, QStringList{QStringLiteral("jump@bastion.example.com:2200")});
        QCOMPARE(router->terminal.scrollbackLines, 0); // PuTTY's defaults are not copied
        QCOMPARE(router->terminal.termType, QString());
        QVERIFY(validateSession(*router).isEmpty());
    }

    void puttyRegistryExport_data()
    {
        QTest::addColumn<bool>("utf16");
        QTest::newRow("UTF-8") << false;
        QTest::newRow("UTF-16LE with BOM, as regedit writes") << true;
    }

    void puttyRegistryExport()
    {
        QFETCH(bool, utf16);
        QFile file(kData + QStringLiteral("/putty-sessions.reg"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray bytes = file.readAll();
        if (utf16)
            bytes = QByteArray("\xFF\xFE", 2) + QStringEncoder(QStringEncoder::Utf16LE).encode(QString::fromUtf8(bytes));
        const ImportResult result = importPuttyRegistryExport(bytes);
        QCOMPARE(result.sessions.size(), 1);
        const Session& s = result.sessions[0];
        QCOMPARE(s.name, QStringLiteral("build box"));
        QCOMPARE(s.host, QStringLiteral("build.example.org"));
        QCOMPARE(s.port, 3389);
        QCOMPARE(s.user, QStringLiteral("ci"));
        QCOMPARE(s.keyFile, QStringLiteral("C:\\Users\\ci\\key.ppk"));
        QCOMPARE(s.forwards.size(), 1);
    }

    void sshConfigHosts()
    {
        QTemporaryDir home;
        QVERIFY(copyTree(kData + QStringLiteral("/ssh"), home.filePath(QStringLiteral(".ssh"))));
        const ImportResult result = importSshConfig(home.filePath(QStringLiteral(".ssh/config")), home.path());

        QStringList names;
        for (const Session& s : result.sessions)
            names << s.name;
        // Concrete aliases in order of appearance; wildcard and negated patterns are not hosts.
        QCOMPARE(names, (QStringList{QStringLiteral("included"), QStringLiteral("bastion"), QStringLiteral("web"),
                                     QStringLiteral("web-alias"), QStringLiteral("db"), QStringLiteral("app.internal")}));

        const Session* web = byName(result.sessions, QStringLiteral("web"));
        QCOMPARE(web->host, QStringLiteral("web.example.com"));
        QCOMPARE(web->user, QStringLiteral("deploy")); // first value wins over "Host *"
        QCOMPARE(web->keyFile, home.path() + QStringLiteral("/.ssh/id_web"));
        QCOMPARE(web->jumpHosts, QStringList{QStringLiteral("bastion")});
        QCOMPARE(web->forwards.size(), 4);
        QCOMPARE(web->forwards[1], (PortForward{PortForward::Kind::Local, QStringLiteral("127.0.0.1"), 5432,
                                                QStringLiteral("db.internal"), 5432}));
        QCOMPARE(web->forwards[2].kind, PortForward::Kind::Remote);
        QCOMPARE(web->forwards[3], (PortForward{PortForward::Kind::Dynamic, {}, 1080, {}, 0}));
        QCOMPARE(web->environment.size(), 2);
        QCOMPARE(web->keepaliveSeconds, 15);
        QCOMPARE(web->origin, QStringLiteral("ssh_config:web"));
        QCOMPARE(byName(result.sessions, QStringLiteral("web-alias"))->host, QStringLiteral("web.example.com"));

        const Session* bastion = byName(result.sessions, QStringLiteral("bastion"));
        QCOMPARE(bastion->port, 2200);
        QCOMPARE(bastion->user, QStringLiteral("jump"));
        QCOMPARE(bastion->keepaliveSeconds, 60); // from "Host *"

        const Session* db = byName(result.sessions, QStringLiteral("db"));
        QCOMPARE(db->host, QStringLiteral("10.0.0.5"));
        QCOMPARE(db->port, 2222);
        QCOMPARE(db->user, QStringLiteral("fallback")); // Match exec never matches (and is reported)
        QVERIFY(result.notes.join(u'\n').contains(QStringLiteral("exec")));
        QCOMPARE(db->hostKeyPolicy, HostKeyPolicy::AcceptNew);
        QCOMPARE(db->authMethods, (QList<AuthMethod>{AuthMethod::PublicKey, AuthMethod::Agent, AuthMethod::Password}));

        QCOMPARE(byName(result.sessions, QStringLiteral("app.internal"))->user, QStringLiteral("ops"));
        const Session* included = byName(result.sessions, QStringLiteral("included"));
        QCOMPARE(included->host, QStringLiteral("inc.example.net"));
        QCOMPARE(included->port, 2022);
    }

    void reimportUpdatesInsteadOfDuplicating()
    {
        QTemporaryDir home;
        QVERIFY(copyTree(kData + QStringLiteral("/ssh"), home.filePath(QStringLiteral(".ssh"))));
        const QString config = home.filePath(QStringLiteral(".ssh/config"));
        SessionFolder root;
        const MergeCounts first = mergeSessions(root, importSshConfig(config, home.path()).sessions,
                                                QStringLiteral("ssh_config"));
        QCOMPARE(first.added, 6);

        // Edit the config: bastion moves to another port.
        QFile file(config);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray text = file.readAll();
        file.close();
        text.replace("Port 2200", "Port 2201");
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(text);
        file.close();

        const MergeCounts second = mergeSessions(root, importSshConfig(config, home.path()).sessions,
                                                 QStringLiteral("ssh_config"));
        QCOMPARE(second.added, 0);
        QCOMPARE(second.updated, 6);
        const QList<SessionInFolder> all = flattenSessions(root);
        QCOMPARE(all.size(), 6);
        for (const SessionInFolder& s : all) {
            if (s.session.name == u"bastion")
                QCOMPARE(s.session.port, 2201);
        }
    }

    void missingInputsAreReportedNotFatal()
    {
        QVERIFY(importPuttySessionDirectory(QStringLiteral("/nonexistent/putty")).sessions.isEmpty());
        const ImportResult r = importSshConfig(QStringLiteral("/nonexistent/config"), QStringLiteral("/nonexistent"));
        QVERIFY(r.sessions.isEmpty());
        QCOMPARE(r.notes.size(), 1);
    }

    void includeLoopsAreBounded()
    {
        QTemporaryDir home;
        QDir().mkpath(home.filePath(QStringLiteral(".ssh")));
        QFile loop(home.filePath(QStringLiteral(".ssh/config")));
        QVERIFY(loop.open(QIODevice::WriteOnly));
        loop.write("Host a\n  Port 1\nInclude config\n");
        loop.close();
        const ImportResult r = importSshConfig(loop.fileName(), home.path());
        // As with ssh(1), a file that includes itself is an error, reported with its place;
        // nothing is imported from it.
        QVERIFY(r.sessions.isEmpty());
        QCOMPARE(r.notes.size(), 1);
        QVERIFY2(r.notes[0].contains(QStringLiteral("nested too deeply")), qPrintable(r.notes[0]));
        QVERIFY2(r.notes[0].contains(QStringLiteral("config:3")), qPrintable(r.notes[0]));
    }
};

QTEST_GUILESS_MAIN(TestSessionImport)
#include "test_session_import.moc"
