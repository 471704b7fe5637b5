// Parsing of the `portal` command line.
#include "LaunchOptions.h"

#include <QCommandLineParser>

namespace portal::ui {

LaunchOptions parseLaunchArguments(const QStringList& arguments)
{
    LaunchOptions options;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Portal, a graphical SSH client."));
    const QCommandLineOption helpOption({QStringLiteral("h"), QStringLiteral("help")},
                                        QStringLiteral("Show this help."));
    const QCommandLineOption sessionOption(QStringLiteral("session"),
                                           QStringLiteral("Connect to the saved session NAME (or Folder/NAME)."),
                                           QStringLiteral("NAME"));
    const QCommandLineOption configOption(QStringLiteral("config-dir"),
                                          QStringLiteral("Keep sessions and preferences in DIR."),
                                          QStringLiteral("DIR"));
    parser.addOption(helpOption);
    parser.addOption(sessionOption);
    parser.addOption(configOption);
    parser.addPositionalArgument(QStringLiteral("destination"),
                                 QStringLiteral("[user@]host[:port] or ssh://[user@]host[:port]"),
                                 QStringLiteral("[destination]"));
    options.helpText = parser.helpText();
    if (!parser.parse(arguments)) {
        options.error = parser.errorText();
        return options;
    }
    options.showHelp = parser.isSet(helpOption);
    options.sessionName = parser.value(sessionOption);
    options.configDirectory = parser.value(configOption);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        options.error = QStringLiteral("Give one destination, not %1.").arg(positional.size());
    } else if (positional.size() == 1) {
        if (!options.sessionName.isEmpty())
            options.error = QStringLiteral("Give either a destination or --session, not both.");
        else if (!(options.target = parseConnectTarget(positional.first())))
            options.error = QStringLiteral("“%1” is not [user@]host[:port] or ssh://[user@]host[:port].").arg(positional.first());
    }
    return options;
}

} // namespace portal::ui
