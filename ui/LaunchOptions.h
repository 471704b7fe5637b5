// The `portal` command line: `portal [user@]host[:port]`, `portal ssh://user@host:port`,
// `portal --session NAME` (a saved session's name or Folder/Name path), and
// `--config-dir DIR` to use another sessions file location (demos, tests).
#pragma once

#include "Session.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace portal::ui {

struct LaunchOptions {
    std::optional<ConnectTarget> target;
    QString sessionName;
    QString configDirectory;
    bool showHelp = false;
    QString helpText;
    QString error; // a sentence for the user when the arguments make no sense
};

// `arguments` includes the program name first, as QCoreApplication::arguments() does.
LaunchOptions parseLaunchArguments(const QStringList& arguments);

} // namespace portal::ui
