// The sidebar model: add, edit, duplicate, rename, delete, move between folders, drag and
// drop through mime data, and filter-as-you-type; checked with QAbstractItemModelTester.
#include "SessionTreeModel.h"

#include <QAbstractItemModelTester>
#include <QMimeData>
#include <QTest>

using namespace portal::ui;

namespace {

Session makeSession(const QString& name, const QString& host, const QString& user = {}, QStringList tags = {})
{
    Session s;
    s.name = name;
    s.host = host;
    s.user = user;
    s.tags = tags;
    return s;
}

QStringList childNames(const QAbstractItemModel& model, const QModelIndex& parent = {})
{
    QStringList names;
    for (int row = 0; row < model.rowCount(parent); ++row)
        names << model.index(row, 0, parent).data().toString();
    return names;
}

} // namespace

class TestSessionModel : public QObject {
    Q_OBJECT
private:
    // Root: Work/{Prod/{web, db}, staging}, home
    void populate(SessionTreeModel& model)
    {
        const QModelIndex work = model.addFolder(QStringLiteral("Work"), {});
        const QModelIndex prod = model.addFolder(QStringLiteral("Prod"), work);
        model.addSession(makeSession(QStringLiteral("web"), QStringLiteral("web.example.com"), QStringLiteral("deploy"), {QStringLiteral("nginx")}), prod);
        model.addSession(makeSession(QStringLiteral("db"), QStringLiteral("10.0.0.5"), QStringLiteral("postgres"), {QStringLiteral("sql")}), prod);
        model.addSession(makeSession(QStringLiteral("staging"), QStringLiteral("staging.example.com")), work);
        model.addSession(makeSession(QStringLiteral("home"), QStringLiteral("192.168.1.10"), QStringLiteral("alice")), {});
    }

private slots:
    void addEditRenameDuplicateDelete()
    {
        SessionTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        populate(model);
        QCOMPARE(childNames(model), (QStringList{QStringLiteral("Work"), QStringLiteral("home")}));
        const QModelIndex prod = model.folderIndex(QStringLiteral("Work/Prod"), false);
        QVERIFY(prod.isValid());
        QCOMPARE(model.folderPath(prod), QStringLiteral("Work/Prod"));
        QCOMPARE(childNames(model, prod), (QStringList{QStringLiteral("web"), QStringLiteral("db")}));

        // Edit keeps the id; the view sees dataChanged.
        const QModelIndex web = model.findSession(QStringLiteral("web"));
        const QUuid id = model.session(web).id;
        QVERIFY(!id.isNull());
        Session edited = model.session(web);
        edited.port = 2222;
        edited.id = QUuid::createUuid();
        QVERIFY(model.updateSession(web, edited));
        QCOMPARE(model.session(web).port, 2222);
        QCOMPARE(model.session(web).id, id);
        QCOMPARE(model.indexForId(id), web);

        // Duplicate: a new id, right after the original, origin dropped.
        const QModelIndex copy = model.duplicateSession(web);
        QCOMPARE(copy.row(), web.row() + 1);
        QCOMPARE(copy.data().toString(), QStringLiteral("web (copy)"));
        QVERIFY(model.session(copy).id != id);
        QCOMPARE(model.session(copy).port, 2222);

        // Rename: names with '/' or empty are refused.
        QVERIFY(model.rename(copy, QStringLiteral("web 2")));
        QVERIFY(!model.rename(copy, QStringLiteral("a/b")));
        QVERIFY(!model.rename(copy, QStringLiteral("  ")));
        QCOMPARE(copy.data().toString(), QStringLiteral("web 2"));
        QVERIFY(model.rename(prod, QStringLiteral("Production")));
        QCOMPARE(model.findSession(QStringLiteral("Work/Production/web 2")), copy);

        QVERIFY(model.remove(copy));
        QVERIFY(!model.findSession(QStringLiteral("web 2")).isValid());
        // Deleting a folder deletes what it holds.
        QVERIFY(model.remove(model.folderIndex(QStringLiteral("Work"), false)));
        QCOMPARE(model.allSessions().size(), 1);
    }

    void foldersStayBeforeSessions()
    {
        SessionTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        populate(model);
        model.addFolder(QStringLiteral("Later"), {});
        QCOMPARE(childNames(model), (QStringList{QStringLiteral("Work"), QStringLiteral("Later"), QStringLiteral("home")}));
        // A session asked to go to row 0 lands after the folders.
        model.addSession(makeSession(QStringLiteral("first"), QStringLiteral("a")), {}, 0);
        QCOMPARE(childNames(model), (QStringList{QStringLiteral("Work"), QStringLiteral("Later"),
                                                 QStringLiteral("first"), QStringLiteral("home")}));
    }

    void moveBetweenFolders()
    {
        SessionTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        populate(model);
        const QModelIndex db = model.findSession(QStringLiteral("db"));
        const QUuid id = model.session(db).id;
        const QModelIndex moved = model.move(db, {}, -1);
        QVERIFY(moved.isValid());
        QCOMPARE(moved.parent(), QModelIndex());
        QCOMPARE(childNames(model), (QStringList{QStringLiteral("Work"), QStringLiteral("home"), QStringLiteral("db")}));
        QCOMPARE(model.session(moved).id, id);

        // Reorder within a folder.
        const QModelIndex dbAgain = model.indexForId(id);
        model.move(dbAgain, {}, 1);
        QCOMPARE(childNames(model), (QStringList{QStringLiteral("Work"), QStringLiteral("db"), QStringLiteral("home")}));

        // A folder moves with its contents, and never into itself or its children.
        const QModelIndex work = model.folderIndex(QStringLiteral("Work"), false);
        const QModelIndex prod = model.folderIndex(QStringLiteral("Work/Prod"), false);
        QVERIFY(!model.move(work, prod).isValid());
        QVERIFY(!model.move(work, work).isValid());
        const QModelIndex archive = model.addFolder(QStringLiteral("Archive"), {});
        QVERIFY(model.move(model.folderIndex(QStringLiteral("Work/Prod"), false), archive).isValid());
        QVERIFY(model.findSession(QStringLiteral("Archive/Prod/web")).isValid());

        // The tree survives the round trip through SessionFolder.
        SessionTreeModel copy;
        copy.setRootFolder(model.rootFolder());
        QVERIFY(copy.rootFolder() == model.rootFolder());
    }

    void dragAndDropThroughMimeData()
    {
        SessionTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        populate(model);
        const QModelIndex web = model.findSession(QStringLiteral("web"));
        const QModelIndex db = model.findSession(QStringLiteral("db"));
        const QModelIndex prod = model.folderIndex(QStringLiteral("Work/Prod"), false);
        // A session and the folder holding it: the session travels with the folder only.
        std::unique_ptr<QMimeData> mime(model.mimeData({web, prod}));
        QVERIFY(mime->hasFormat(QLatin1String(SessionTreeModel::kMimeType)));
        QVERIFY(!model.canDropMimeData(mime.get(), Qt::CopyAction, -1, 0, {}));
        QVERIFY(model.canDropMimeData(mime.get(), Qt::MoveAction, -1, 0, {}));
        QVERIFY(model.dropMimeData(mime.get(), Qt::MoveAction, -1, 0, {}));
        QCOMPARE(childNames(model), (QStringList{QStringLiteral("Work"), QStringLiteral("Prod"), QStringLiteral("home")}));
        QCOMPARE(childNames(model, model.folderIndex(QStringLiteral("Prod"), false)),
                 (QStringList{QStringLiteral("web"), QStringLiteral("db")}));

        // Dropping onto a session puts the items just after it, in its folder.
        std::unique_ptr<QMimeData> dbMime(model.mimeData({model.findSession(QStringLiteral("db"))}));
        QVERIFY(dbMime->text().startsWith(QStringLiteral("ssh ")));
        QVERIFY(model.dropMimeData(dbMime.get(), Qt::MoveAction, -1, 0, model.findSession(QStringLiteral("staging"))));
        QCOMPARE(childNames(model, model.folderIndex(QStringLiteral("Work"), false)),
                 (QStringList{QStringLiteral("staging"), QStringLiteral("db")}));
        Q_UNUSED(db);

        // Garbage mime data is refused without a crash.
        QMimeData garbage;
        garbage.setData(QLatin1String(SessionTreeModel::kMimeType), QByteArray("\x00\x00\x00\x05zz", 6));
        QVERIFY(!model.dropMimeData(&garbage, Qt::MoveAction, -1, 0, {}));
    }

    void filterAsYouType_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QStringList>("visible"); // session names left visible
        QTest::newRow("empty") << QString() << QStringList{QStringLiteral("web"), QStringLiteral("db"), QStringLiteral("staging"), QStringLiteral("home")};
        QTest::newRow("name") << QStringLiteral("STAG") << QStringList{QStringLiteral("staging")};
        QTest::newRow("host") << QStringLiteral("10.0.0") << QStringList{QStringLiteral("db")};
        QTest::newRow("user") << QStringLiteral("alice") << QStringList{QStringLiteral("home")};
        QTest::newRow("tag") << QStringLiteral("nginx") << QStringList{QStringLiteral("web")};
        QTest::newRow("folder") << QStringLiteral("prod") << QStringList{QStringLiteral("web"), QStringLiteral("db")};
        QTest::newRow("every word must match") << QStringLiteral("example deploy") << QStringList{QStringLiteral("web")};
        QTest::newRow("nothing") << QStringLiteral("zzz") << QStringList{};
    }

    void filterAsYouType()
    {
        QFETCH(QString, filter);
        QFETCH(QStringList, visible);
        SessionTreeModel model;
        populate(model);
        SessionFilterModel proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setFilterText(filter);
        QStringList shown;
        std::function<void(const QModelIndex&)> walk = [&](const QModelIndex& parent) {
            for (int row = 0; row < proxy.rowCount(parent); ++row) {
                const QModelIndex index = proxy.index(row, 0, parent);
                if (index.data(SessionTreeModel::IsFolderRole).toBool())
                    walk(index);
                else
                    shown << index.data().toString();
            }
        };
        walk({});
        QCOMPARE(shown, visible);
    }
};

QTEST_MAIN(TestSessionModel)
#include "test_session_model.moc"
