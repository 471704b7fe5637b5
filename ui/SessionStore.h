// The sessions file: one versioned JSON document holding the session tree and the global
// preferences, in QStandardPaths::AppConfigLocation. Written atomically (QSaveFile) with a
// backup of the previous version; a file this build cannot read (broken, or written by a
// newer Portal) is never overwritten until the user decides what to do with it.
//
// Schema history:
//   1  {"version":1, "sessions":[{name, folder:"A/B", host, port, user,
//       auth:"password"|"publickey"|"agent"|"keyboard-interactive", identityFile,
//       forwards:["L8080:localhost:80", "D1080", ...], notes}], "preferences":{...}}
//   2  {"format":"portal-sessions", "version":2, "root":{"folders":[...], "sessions":[...]},
//       "preferences":{...}}: nested folders, an ordered list of auth methods, structured
//       forwards, and the fields of Session.h.
#pragma once

#include "Session.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace portal::ui {

inline constexpr int kSessionSchemaVersion = 2;

struct SessionFolder {
    QString name;
    QList<SessionFolder> folders;
    QList<Session> sessions;
    bool operator==(const SessionFolder&) const = default;
};

struct SessionDocument {
    SessionFolder root;
    Preferences preferences;
    bool operator==(const SessionDocument&) const = default;
};

// The current-schema JSON text of a document (also the export format).
QByteArray serializeDocument(const SessionDocument& document);

// Reads a document of any schema version up to ours, migrating older ones in memory.
struct ParsedDocument {
    enum class Status { Ok, Migrated, Broken, Newer };
    Status status = Status::Broken;
    int version = 0; // the version the text declares, when it declares one
    SessionDocument document;
    QString message; // why, for Broken and Newer
};
ParsedDocument parseDocument(const QByteArray& text);

// Merges `imported` into `into`: sessions whose id (or, for imported ones, origin) is
// already present are updated in place; others are added under `folderForNew` (created
// when missing). Returns how many were added and updated.
struct MergeCounts {
    int added = 0;
    int updated = 0;
};
MergeCounts mergeSessions(SessionFolder& into, const QList<Session>& imported,
                          const QString& folderForNew);

// All sessions of a tree, depth first, with their folder path ("A/B", "" for the root).
struct SessionInFolder {
    QString folderPath;
    Session session;
};
QList<SessionInFolder> flattenSessions(const SessionFolder& root);

class SessionStore {
public:
    // `path` is the sessions file; defaultPath() is where the application keeps it.
    explicit SessionStore(QString path);
    static QString defaultPath();

    enum class LoadStatus {
        Missing,  // no file yet: an empty document, saving allowed
        Loaded,   // read as is
        Migrated, // read from an older schema; the first save keeps a copy of the old file
        Broken,   // not a document we can read: kept, saving refused
        Newer,    // written by a newer Portal: kept, saving refused
    };
    struct LoadResult {
        LoadStatus status = LoadStatus::Missing;
        SessionDocument document;
        int fileVersion = 0;
        QString message; // for Broken and Newer, a sentence to show the user
    };
    LoadResult load();

    // False after a Broken/Newer load until the user chose setAsideUnreadableFile().
    bool saveAllowed() const { return !protected_; }

    // The user's decision after a Broken/Newer load: rename the file to
    // "<path>.unreadable-<UTC timestamp>" (nothing is deleted) and allow saving again.
    // Returns the new name of the kept file, or nothing (with `error`) if it failed.
    std::optional<QString> setAsideUnreadableFile(QString* error = nullptr);

    // Writes the document atomically after copying the current file to backupPath().
    // Refuses (returns the reason) when saving is not allowed or when the file on disk is
    // one this build cannot read: it changed since load, perhaps by a newer Portal.
    std::optional<QString> save(const SessionDocument& document);

    const QString& path() const { return path_; }
    QString backupPath() const { return path_ + QStringLiteral(".bak"); }
    // Where the first save after a migration keeps the old file: "<path>.v<version>".
    QString preMigrationCopyPath(int version) const;

private:
    QString path_;
    bool protected_ = false;
    int migratedFrom_ = 0;
};

} // namespace portal::ui
