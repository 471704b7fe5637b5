// `portal`: the GUI. Loads the saved sessions (asking what to do when the file cannot be
// read), opens a main window, and connects to what the command line names.
#include "LaunchOptions.h"
#include "MainWindow.h"
#include "PreferencesDialog.h"
#include "SessionLibrary.h"
#include "TerminalTab.h"

#include <QApplication>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QStandardPaths>
#include <QTextStream>

using namespace portal::ui;

namespace {

// The sessions file could not be read: keep it, and let the user choose what happens next.
bool resolveUnreadableStore(SessionLibrary& library, const QString& message)
{
    QMessageBox box(QMessageBox::Warning, QObject::tr("Saved sessions"), message);
    QPushButton* setAside = box.addButton(QObject::tr("Keep It Aside and Start Empty"), QMessageBox::AcceptRole);
    QPushButton* readOnly = box.addButton(QObject::tr("Continue Without Saving"), QMessageBox::RejectRole);
    QPushButton* quit = box.addButton(QObject::tr("Quit"), QMessageBox::DestructiveRole);
    box.setDefaultButton(readOnly);
    box.exec();
    if (box.clickedButton() == quit)
        return false;
    if (box.clickedButton() == setAside) {
        if (const auto error = library.setAsideUnreadableFile())
            QMessageBox::warning(nullptr, QObject::tr("Saved sessions"), *error);
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("portal"));
    QApplication::setApplicationDisplayName(QStringLiteral("Portal"));
    QApplication::setOrganizationName(QStringLiteral("Portal"));
    QApplication::setApplicationVersion(QStringLiteral(PORTAL_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("portal"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/portal.svg")));

    const LaunchOptions options = parseLaunchArguments(QApplication::arguments());
    QTextStream err(stderr);
    if (options.showHelp) {
        QTextStream(stdout) << options.helpText;
        return 0;
    }
    if (!options.error.isEmpty()) {
        err << "portal: " << options.error << "\n" << options.helpText;
        return 2;
    }

    const QString storePath = options.configDirectory.isEmpty()
                                  ? SessionStore::defaultPath()
                                  : options.configDirectory + QStringLiteral("/sessions.json");
    SessionLibrary library(storePath);
    const SessionStore::LoadResult loaded = library.load();
    if (loaded.status == SessionStore::LoadStatus::Broken || loaded.status == SessionStore::LoadStatus::Newer) {
        if (!resolveUnreadableStore(library, loaded.message))
            return 1;
    }

    applyApplicationTheme(library.preferences());
    auto* window = new MainWindow(library, [](const Session& session, const Preferences& preferences) {
        return new TerminalTab(session, preferences);
    });
    library.setSaveListener([window](const QString& error) {
        if (!error.isEmpty())
            window->statusBar()->showMessage(error);
    });
    window->show();

    if (options.target) {
        window->openTarget(*options.target);
    } else if (!options.sessionName.isEmpty() && !window->openSavedSession(options.sessionName)) {
        QMessageBox::warning(window, QObject::tr("Portal"),
                             QObject::tr("There is no saved session named “%1”.").arg(options.sessionName));
    }
    const int status = app.exec();
    library.saveNow();
    return status;
}
