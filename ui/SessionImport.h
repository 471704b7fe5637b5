// Imports saved sessions from other clients: PuTTY (Unix ~/.putty/sessions files and
// Windows registry exports) and OpenSSH client configuration (ssh_config(5) Host blocks).
// Each imported session records its origin, so importing again updates it (see
// mergeSessions in SessionStore.h) instead of adding a duplicate.
#pragma once

#include "Session.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace portal::ui {

struct ImportResult {
    QList<Session> sessions;
    QStringList notes; // what was skipped or not carried over, one sentence each
};

// PuTTY on Unix keeps one file per session in ~/.putty/sessions, named by the session name
// with unsafe characters %XX-escaped, each line "Key=Value".
ImportResult importPuttySessionDirectory(const QString& directory);
QString puttySessionNameFromFileName(const QString& fileName);

// A .reg file exported from HKEY_CURRENT_USER\Software\SimonTatham\PuTTY\Sessions
// (UTF-16 with BOM as regedit writes it, or UTF-8).
ImportResult importPuttyRegistryExport(const QByteArray& regFile);

// Turns one PuTTY session's settings into a Session; nothing (with a note) when it is not
// an SSH session or has no host.
std::optional<Session> sessionFromPuttySettings(const QString& name,
                                                const QMap<QString, QString>& settings,
                                                QStringList& notes);

// Reads an ssh_config file (following Include) and makes one session per concrete Host
// alias; wildcard and negated patterns only contribute options, as they do for ssh(1).
// `homeDirectory` expands "~" and resolves relative Include paths (under ~/.ssh).
ImportResult importSshConfig(const QString& path, const QString& homeDirectory);

} // namespace portal::ui
