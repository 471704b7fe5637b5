// The sessions file: round trip, atomic save with backup, migration from schema 1, and the
// refusal to overwrite a file this build cannot read (broken or newer).
#include "SessionStore.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace portal::ui;

// A save that must succeed; on failure the refusal's sentence is the message.
#define QVERIFY_SAVED(expr) \
    do { \
        const auto refusal = (expr); \
        QVERIFY2(!refusal, refusal ? qPrintable(*refusal) : ""); \
    } while (false)

namespace {

QString dataFile(const char* name)
{
    return QStringLiteral(PORTAL_TEST_SOURCE_DIR "/data/") + QLatin1String(name);
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

Session fullSession()
{
    Session s;
    s.id = QUuid::createUuid();
    s.name = QStringLiteral("Prod “web” ✓");
    s.host = QStringLiteral("web.example.com");
    s.port = 2222;
    s.user = QStringLiteral("deploy");
    s.authMethods = {AuthMethod::KeyboardInteractive, AuthMethod::PublicKey};
    s.keyFile = QStringLiteral("/home/alice/.ssh/id_ed25519");
    s.jumpHosts = {QStringLiteral("jump@bastion:2200"), QStringLiteral("inner")};
    s.forwards = {{PortForward::Kind::Local, QString(), 8080, QStringLiteral("localhost"), 80},
                  {PortForward::Kind::Remote, QStringLiteral("0.0.0.0"), 9000, QStringLiteral("localhost"), 3000},
                  {PortForward::Kind::Dynamic, QStringLiteral("127.0.0.1"), 1080, QString(), 0}};
    s.environment = {{QStringLiteral("LANG"), QStringLiteral("C.UTF-8")}};
    s.remoteCommand = QStringLiteral("tmux attach");
    s.keepaliveSeconds = 30;
    s.autoReconnect = true;
    s.x11Forwarding = X11Mode::Untrusted;
    s.terminal = {QStringLiteral("DejaVu Sans Mono"), 12, QStringLiteral("Solarized Light"), 50000,
                  QStringLiteral("xterm-256color")};
    s.hostKeyPolicy = HostKeyPolicy::AcceptNew;
    s.notes = QStringLiteral("line one\nline two");
    s.tags = {QStringLiteral("prod"), QStringLiteral("web")};
    s.origin = QStringLiteral("ssh_config:web");
    return s;
}

SessionDocument sampleDocument()
{
    SessionDocument d;
    SessionFolder work{QStringLiteral("Work"), {}, {}};
    SessionFolder prod{QStringLiteral("Prod"), {}, {fullSession()}};
    work.folders << prod;
    Session plain;
    plain.id = QUuid::createUuid();
    plain.name = QStringLiteral("Home");
    plain.host = QStringLiteral("::1");
    work.sessions << plain;
    d.root.folders << work;
    d.preferences.fontPointSize = 14;
    d.preferences.cursorShape = Preferences::CursorShape::Bar;
    d.preferences.bell = Preferences::Bell::None;
    d.preferences.quickConnectHistory = {QStringLiteral("root@box:2022")};
    return d;
}

} // namespace

class TestSessionStore : public QObject {
    Q_OBJECT
private slots:
    void roundTripKeepsEveryField()
    {
        const SessionDocument original = sampleDocument();
        const ParsedDocument parsed = parseDocument(serializeDocument(original));
        QCOMPARE(parsed.status, ParsedDocument::Status::Ok);
        QCOMPARE(parsed.version, kSessionSchemaVersion);
        QVERIFY(parsed.document == original);
    }

    void saveThenLoadThroughTheFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("nested/config/sessions.json"));
        SessionStore store(path);
        QCOMPARE(store.load().status, SessionStore::LoadStatus::Missing);
        QVERIFY(store.saveAllowed());
        const SessionDocument original = sampleDocument();
        QVERIFY_SAVED(store.save(original));
        QVERIFY(!QFile::exists(store.backupPath())); // nothing to back up the first time

        SessionStore again(path);
        const auto loaded = again.load();
        QCOMPARE(loaded.status, SessionStore::LoadStatus::Loaded);
        QVERIFY(loaded.document == original);
    }

    void saveKeepsThePreviousVersionAsBackup()
    {
        QTemporaryDir dir;
        SessionStore store(dir.filePath(QStringLiteral("sessions.json")));
        SessionDocument first = sampleDocument();
        QVERIFY_SAVED(store.save(first));
        const QByteArray firstText = readAll(store.path());
        SessionDocument second = first;
        second.root.folders.clear();
        QVERIFY_SAVED(store.save(second));
        QCOMPARE(readAll(store.backupPath()), firstText);
        QVERIFY(parseDocument(readAll(store.path())).document == second);
        // No temporary files are left behind by the atomic write.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 2);
    }

    void migratesSchemaOne()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sessions.json"));
        QVERIFY(QFile::copy(dataFile("sessions-v1.json"), path));
        const QByteArray v1Text = readAll(path);
        SessionStore store(path);
        const auto loaded = store.load();
        QCOMPARE(loaded.status, SessionStore::LoadStatus::Migrated);
        QCOMPARE(loaded.fileVersion, 1);

        const SessionFolder& root = loaded.document.root;
        QCOMPARE(root.sessions.size(), 1);
        QCOMPARE(root.sessions[0].name, QStringLiteral("Home"));
        QCOMPARE(root.sessions[0].authMethods, defaultAuthMethods());
        QCOMPARE(root.folders.size(), 1);
        const SessionFolder& work = root.folders[0];
        QCOMPARE(work.name, QStringLiteral("Work"));
        QCOMPARE(work.sessions.size(), 1);
        QCOMPARE(work.sessions[0].name, QStringLiteral("Staging"));
        QCOMPARE(work.sessions[0].authMethods.first(), AuthMethod::Password);
        QCOMPARE(work.sessions[0].authMethods.size(), defaultAuthMethods().size());
        QCOMPARE(work.folders.size(), 1);
        QCOMPARE(work.folders[0].name, QStringLiteral("Prod"));
        const Session& web = work.folders[0].sessions.at(0);
        QCOMPARE(web.host, QStringLiteral("web.example.com"));
        QCOMPARE(web.port, 2222);
        QCOMPARE(web.keyFile, QStringLiteral("/home/alice/.ssh/id_web"));
        QCOMPARE(web.authMethods.first(), AuthMethod::PublicKey);
        QCOMPARE(web.notes, QStringLiteral("the main site"));
        QCOMPARE(web.forwards.size(), 3);
        QCOMPARE(web.forwards[0], (PortForward{PortForward::Kind::Local, {}, 8080, QStringLiteral("localhost"), 80}));
        QCOMPARE(web.forwards[1], (PortForward{PortForward::Kind::Dynamic, {}, 1080, {}, 0}));
        QCOMPARE(web.forwards[2], (PortForward{PortForward::Kind::Remote, QStringLiteral("127.0.0.1"), 9000,
                                               QStringLiteral("localhost"), 3000}));
        QVERIFY(!web.id.isNull());
        QCOMPARE(loaded.document.preferences.fontFamily, QStringLiteral("DejaVu Sans Mono"));
        QCOMPARE(loaded.document.preferences.scrollbackLines, 20000);

        // Saving writes schema 2 and keeps the schema-1 file beside it, twice over.
        QVERIFY(store.saveAllowed());
        QVERIFY_SAVED(store.save(loaded.document));
        QCOMPARE(readAll(store.preMigrationCopyPath(1)), v1Text);
        QCOMPARE(readAll(store.backupPath()), v1Text);
        const auto reloaded = SessionStore(path).load();
        QCOMPARE(reloaded.status, SessionStore::LoadStatus::Loaded);
        QVERIFY(reloaded.document == loaded.document);
    }

    void refusesToOverwriteUnreadableFile_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<int>("status");
        QTest::newRow("truncated JSON") << dataFile("sessions-broken.json") << int(SessionStore::LoadStatus::Broken);
        QTest::newRow("newer schema") << dataFile("sessions-newer.json") << int(SessionStore::LoadStatus::Newer);
    }

    void refusesToOverwriteUnreadableFile()
    {
        QFETCH(QString, source);
        QFETCH(int, status);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sessions.json"));
        QVERIFY(QFile::copy(source, path));
        const QByteArray originalText = readAll(path);

        SessionStore store(path);
        const auto loaded = store.load();
        QCOMPARE(int(loaded.status), status);
        QVERIFY(loaded.message.contains(path));
        QVERIFY(!store.saveAllowed());
        const auto refusal = store.save(sampleDocument());
        QVERIFY(refusal.has_value());
        QCOMPARE(readAll(path), originalText);
        QVERIFY(!QFile::exists(store.backupPath()));

        // The user's decision: the file is set aside under a new name, never deleted.
        QString error;
        const auto kept = store.setAsideUnreadableFile(&error);
        QVERIFY2(kept.has_value(), qPrintable(error));
        QCOMPARE(readAll(*kept), originalText);
        QVERIFY(store.saveAllowed());
        const SessionDocument fresh = sampleDocument();
        QVERIFY_SAVED(store.save(fresh));
        QVERIFY(SessionStore(path).load().document == fresh);
    }

    void refusesWhenTheFileBecameNewerAfterLoad()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sessions.json"));
        SessionStore store(path);
        QVERIFY_SAVED(store.save(sampleDocument()));
        QVERIFY(QFile::remove(path));
        QVERIFY(QFile::copy(dataFile("sessions-newer.json"), path));
        const QByteArray newerText = readAll(path);
        QVERIFY(store.save(sampleDocument()).has_value());
        QCOMPARE(readAll(path), newerText);
        QVERIFY(!store.saveAllowed());
    }

    void rejectsDocumentsThatAreNotOurs_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("array") << QByteArray("[1,2]");
        QTest::newRow("no version") << QByteArray(R"({"format":"portal-sessions","root":{}})");
        QTest::newRow("fractional version") << QByteArray(R"({"format":"portal-sessions","version":1.5,"root":{}})");
        QTest::newRow("other format") << QByteArray(R"({"format":"something-else","version":2,"root":{}})");
        QTest::newRow("v1 without sessions") << QByteArray(R"({"version":1})");
        QTest::newRow("empty") << QByteArray();
    }

    void rejectsDocumentsThatAreNotOurs()
    {
        QFETCH(QByteArray, text);
        const ParsedDocument parsed = parseDocument(text);
        QCOMPARE(parsed.status, ParsedDocument::Status::Broken);
        QVERIFY(!parsed.message.isEmpty());
    }

    void boundsFolderNesting()
    {
        QByteArray root = R"({"name":"x"})";
        for (int i = 0; i < 200; ++i)
            root = R"({"name":"x","folders":[)" + root + "]}";
        const QByteArray text = R"({"format":"portal-sessions","version":2,"root":)" + root + "}";
        QCOMPARE(parseDocument(text).status, ParsedDocument::Status::Broken);
    }

    void mergeUpdatesByOriginInsteadOfDuplicating()
    {
        SessionFolder root;
        Session imported;
        imported.name = QStringLiteral("web");
        imported.host = QStringLiteral("old.example.com");
        imported.origin = QStringLiteral("ssh_config:web");
        MergeCounts first = mergeSessions(root, {imported}, QStringLiteral("Imported/ssh"));
        QCOMPARE(first.added, 1);
        QCOMPARE(root.folders.at(0).folders.at(0).sessions.size(), 1);
        // The user adds notes; then the config changes and is imported again.
        root.folders[0].folders[0].sessions[0].notes = QStringLiteral("mine");
        const QUuid id = root.folders[0].folders[0].sessions[0].id;
        imported.host = QStringLiteral("new.example.com");
        MergeCounts second = mergeSessions(root, {imported}, QStringLiteral("Imported/ssh"));
        QCOMPARE(second.added, 0);
        QCOMPARE(second.updated, 1);
        const QList<SessionInFolder> all = flattenSessions(root);
        QCOMPARE(all.size(), 1);
        QCOMPARE(all[0].folderPath, QStringLiteral("Imported/ssh"));
        QCOMPARE(all[0].session.host, QStringLiteral("new.example.com"));
        QCOMPARE(all[0].session.notes, QStringLiteral("mine"));
        QCOMPARE(all[0].session.id, id);
    }
};

QTEST_GUILESS_MAIN(TestSessionStore)
#include "test_session_store.moc"
