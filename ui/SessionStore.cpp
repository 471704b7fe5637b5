// The versioned sessions file: parse, migrate, merge and atomic save with backup.
#include "SessionStore.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

#include <algorithm>
#include <functional>

namespace portal::ui {

namespace {

const QLatin1String kFormatName("portal-sessions");

QJsonObject folderToJson(const SessionFolder& folder)
{
    QJsonArray folders;
    for (const SessionFolder& child : folder.folders)
        folders.append(folderToJson(child));
    QJsonArray sessions;
    for (const Session& session : folder.sessions)
        sessions.append(sessionToJson(session));
    QJsonObject o{{"folders", folders}, {"sessions", sessions}};
    if (!folder.name.isEmpty())
        o.insert("name", folder.name);
    return o;
}

// Nesting is bounded so a hostile file cannot exhaust the stack.
constexpr int kMaxFolderDepth = 64;

bool folderFromJson(const QJsonObject& o, SessionFolder& folder, int depth)
{
    if (depth > kMaxFolderDepth)
        return false;
    folder.name = o.value("name").toString();
    for (const QJsonValue& v : o.value("folders").toArray()) {
        SessionFolder child;
        if (!folderFromJson(v.toObject(), child, depth + 1))
            return false;
        folder.folders.append(child);
    }
    for (const QJsonValue& v : o.value("sessions").toArray())
        folder.sessions.append(sessionFromJson(v.toObject()));
    return true;
}

SessionFolder& folderAtPath(SessionFolder& root, const QString& path)
{
    SessionFolder* folder = &root;
    for (const QString& part : path.split(u'/', Qt::SkipEmptyParts)) {
        auto it = std::find_if(folder->folders.begin(), folder->folders.end(),
                               [&](const SessionFolder& f) { return f.name == part; });
        if (it == folder->folders.end()) {
            folder->folders.append(SessionFolder{part, {}, {}});
            folder = &folder->folders.last();
        } else {
            folder = &*it;
        }
    }
    return *folder;
}

// Schema 1 → 2: the flat list with "folder" paths becomes a tree; the single preferred
// "auth" becomes the head of an ordered list followed by the other default methods;
// "identityFile" becomes "keyFile"; forward strings become structured forwards.
SessionDocument migrateFromVersion1(const QJsonObject& o)
{
    SessionDocument document;
    document.preferences = preferencesFromJson(o.value("preferences").toObject());
    for (const QJsonValue& v : o.value("sessions").toArray()) {
        const QJsonObject old = v.toObject();
        Session s = sessionFromJson(old); // shares name, host, port, user, notes
        if (auto preferred = authMethodFromKey(old.value("auth").toString())) {
            s.authMethods = {*preferred};
            for (AuthMethod m : defaultAuthMethods()) {
                if (m != *preferred)
                    s.authMethods.append(m);
            }
        }
        s.keyFile = old.value("identityFile").toString();
        s.forwards.clear();
        for (const QJsonValue& f : old.value("forwards").toArray()) {
            const QString text = f.toString();
            if (text.isEmpty())
                continue;
            PortForward::Kind kind;
            switch (text.front().unicode()) {
            case 'L': kind = PortForward::Kind::Local; break;
            case 'R': kind = PortForward::Kind::Remote; break;
            case 'D': kind = PortForward::Kind::Dynamic; break;
            default: continue;
            }
            if (auto forward = PortForward::fromSshSpec(kind, text.mid(1)))
                s.forwards.append(*forward);
        }
        folderAtPath(document.root, old.value("folder").toString()).sessions.append(s);
    }
    return document;
}

void collectSessions(const SessionFolder& folder, const QString& path, QList<SessionInFolder>& out)
{
    for (const Session& s : folder.sessions)
        out.append({path, s});
    for (const SessionFolder& child : folder.folders)
        collectSessions(child, path.isEmpty() ? child.name : path + u'/' + child.name, out);
}

Session* findSession(SessionFolder& folder, const std::function<bool(const Session&)>& match)
{
    for (Session& s : folder.sessions) {
        if (match(s))
            return &s;
    }
    for (SessionFolder& child : folder.folders) {
        if (Session* s = findSession(child, match))
            return s;
    }
    return nullptr;
}

} // namespace

QByteArray serializeDocument(const SessionDocument& document)
{
    const QJsonObject o{
        {"format", kFormatName},
        {"version", kSessionSchemaVersion},
        {"root", folderToJson(document.root)},
        {"preferences", preferencesToJson(document.preferences)},
    };
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

ParsedDocument parseDocument(const QByteArray& text)
{
    ParsedDocument parsed;
    QJsonParseError error{};
    const QJsonDocument json = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError) {
        parsed.message = QStringLiteral("it is not valid JSON (%1 at byte %2)")
                             .arg(error.errorString())
                             .arg(error.offset);
        return parsed;
    }
    if (!json.isObject()) {
        parsed.message = QStringLiteral("it is JSON but not a Portal sessions document");
        return parsed;
    }
    const QJsonObject o = json.object();
    const QJsonValue version = o.value("version");
    if (!version.isDouble() || version.toDouble() < 1 || version.toDouble() != version.toInt()) {
        parsed.message = QStringLiteral("it has no schema version");
        return parsed;
    }
    parsed.version = version.toInt();
    if (parsed.version > kSessionSchemaVersion) {
        parsed.status = ParsedDocument::Status::Newer;
        parsed.message = QStringLiteral("it was written by a newer Portal (schema version %1; "
                                        "this Portal reads up to %2)")
                             .arg(parsed.version)
                             .arg(kSessionSchemaVersion);
        return parsed;
    }
    if (parsed.version == 1) {
        if (!o.value("sessions").isArray()) {
            parsed.message = QStringLiteral("its \"sessions\" list is missing");
            return parsed;
        }
        parsed.document = migrateFromVersion1(o);
        parsed.status = ParsedDocument::Status::Migrated;
        return parsed;
    }
    if (o.value("format").toString() != kFormatName || !o.value("root").isObject()) {
        parsed.message = QStringLiteral("it is not a Portal sessions document");
        return parsed;
    }
    if (!folderFromJson(o.value("root").toObject(), parsed.document.root, 0)) {
        parsed.message = QStringLiteral("its folders are nested more than %1 deep").arg(kMaxFolderDepth);
        return parsed;
    }
    parsed.document.root.name.clear();
    parsed.document.preferences = preferencesFromJson(o.value("preferences").toObject());
    parsed.status = ParsedDocument::Status::Ok;
    return parsed;
}

MergeCounts mergeSessions(SessionFolder& into, const QList<Session>& imported, const QString& folderForNew)
{
    MergeCounts counts;
    for (const Session& incoming : imported) {
        Session* existing = findSession(into, [&](const Session& s) {
            if (!incoming.origin.isEmpty())
                return s.origin == incoming.origin;
            return !incoming.id.isNull() && s.id == incoming.id;
        });
        if (existing) {
            // Keep what the user added here: identity, notes, tags and the place in the tree.
            Session updated = incoming;
            updated.id = existing->id;
            if (!incoming.origin.isEmpty()) {
                updated.notes = existing->notes;
                updated.tags = existing->tags;
            }
            *existing = updated;
            ++counts.updated;
        } else {
            Session added = incoming;
            if (added.id.isNull())
                added.id = QUuid::createUuid();
            folderAtPath(into, folderForNew).sessions.append(added);
            ++counts.added;
        }
    }
    return counts;
}

QList<SessionInFolder> flattenSessions(const SessionFolder& root)
{
    QList<SessionInFolder> out;
    collectSessions(root, QString(), out);
    return out;
}

SessionStore::SessionStore(QString path)
    : path_(std::move(path))
{
}

QString SessionStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation)
           + QStringLiteral("/sessions.json");
}

QString SessionStore::preMigrationCopyPath(int version) const
{
    return path_ + QStringLiteral(".v%1").arg(version);
}

SessionStore::LoadResult SessionStore::load()
{
    LoadResult result;
    protected_ = false;
    migratedFrom_ = 0;
    QFile file(path_);
    if (!file.exists()) {
        result.status = LoadStatus::Missing;
        return result;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        // Unreadable is treated like broken: we must not replace what we could not read.
        protected_ = true;
        result.status = LoadStatus::Broken;
        result.message = QStringLiteral("Portal could not read %1: %2. It has not been changed, "
                                        "and Portal will not save sessions over it.")
                             .arg(path_, file.errorString());
        return result;
    }
    const ParsedDocument parsed = parseDocument(file.readAll());
    result.fileVersion = parsed.version;
    result.document = parsed.document;
    switch (parsed.status) {
    case ParsedDocument::Status::Ok:
        result.status = LoadStatus::Loaded;
        break;
    case ParsedDocument::Status::Migrated:
        result.status = LoadStatus::Migrated;
        migratedFrom_ = parsed.version;
        break;
    case ParsedDocument::Status::Broken:
    case ParsedDocument::Status::Newer:
        protected_ = true;
        result.status = parsed.status == ParsedDocument::Status::Newer ? LoadStatus::Newer : LoadStatus::Broken;
        result.document = {};
        result.message = QStringLiteral("The sessions file %1 cannot be used: %2. It has not been "
                                        "changed, and Portal will not save sessions over it "
                                        "until you set it aside.")
                             .arg(path_, parsed.message);
        break;
    }
    return result;
}

std::optional<QString> SessionStore::setAsideUnreadableFile(QString* error)
{
    const QString kept = path_ + QStringLiteral(".unreadable-")
                         + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    if (QFile::exists(path_) && !QFile::rename(path_, kept)) {
        if (error)
            *error = QStringLiteral("Could not rename %1 to %2.").arg(path_, kept);
        return std::nullopt;
    }
    protected_ = false;
    return kept;
}

std::optional<QString> SessionStore::save(const SessionDocument& document)
{
    if (protected_)
        return QStringLiteral("Saving is off: %1 could not be read and is kept as it is.").arg(path_);

    QFile current(path_);
    if (current.exists()) {
        if (!current.open(QIODevice::ReadOnly))
            return QStringLiteral("Could not read %1 before replacing it: %2").arg(path_, current.errorString());
        const ParsedDocument onDisk = parseDocument(current.readAll());
        current.close();
        if (onDisk.status == ParsedDocument::Status::Broken || onDisk.status == ParsedDocument::Status::Newer) {
            protected_ = true;
            return QStringLiteral("Not saved: %1 changed on disk and %2.").arg(path_, onDisk.message);
        }
        if (migratedFrom_ > 0) {
            const QString copy = preMigrationCopyPath(migratedFrom_);
            if (!QFile::exists(copy) && !QFile::copy(path_, copy))
                return QStringLiteral("Not saved: could not keep the old-schema file as %1.").arg(copy);
        }
        QFile::remove(backupPath());
        if (!QFile::copy(path_, backupPath()))
            return QStringLiteral("Not saved: could not write the backup %1.").arg(backupPath());
    } else if (!QDir().mkpath(QFileInfo(path_).absolutePath())) {
        return QStringLiteral("Not saved: could not create the folder for %1.").arg(path_);
    }

    QSaveFile file(path_);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("Not saved: could not write %1: %2").arg(path_, file.errorString());
    const QByteArray text = serializeDocument(document);
    if (file.write(text) != text.size() || !file.commit())
        return QStringLiteral("Not saved: writing %1 failed: %2").arg(path_, file.errorString());
    migratedFrom_ = 0;
    return std::nullopt;
}

} // namespace portal::ui
