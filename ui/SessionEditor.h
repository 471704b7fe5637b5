// The session editor: every per-session setting on a few pages, checked with
// validateSession() (plus the editor's own table checks) before the dialog may close.
#pragma once

#include "Session.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QSpinBox;
class QTableWidget;
class QFontComboBox;

namespace portal::ui {

class SessionEditor : public QDialog {
public:
    SessionEditor(const Session& session, const QString& folderPath, QWidget* parent = nullptr);

    // The session as the fields describe it now (also when invalid).
    Session session() const;
    QString folderPath() const;
    // What stops saving, one sentence each; empty when the session can be saved.
    QStringList problems() const;

    void accept() override;

    static QStringList colorSchemeNames();

private:
    QWidget* buildGeneralPage();
    QWidget* buildAuthPage();
    QWidget* buildForwardingPage();
    QWidget* buildTerminalPage();
    void addForwardRow(const PortForward& forward);
    void addEnvironmentRow(const QString& name, const QString& value);
    void moveAuthMethod(int delta);
    // Rows of the tables that are not well formed, before validateSession sees them.
    QStringList tableProblems() const;

    Session original_;
    QLineEdit* name_ = nullptr;
    QLineEdit* folder_ = nullptr;
    QLineEdit* host_ = nullptr;
    QSpinBox* port_ = nullptr;
    QLineEdit* user_ = nullptr;
    QLineEdit* tags_ = nullptr;
    QPlainTextEdit* notes_ = nullptr;
    QListWidget* authMethods_ = nullptr;
    QLineEdit* keyFile_ = nullptr;
    QLineEdit* jumpHosts_ = nullptr;
    QTableWidget* forwards_ = nullptr;
    QTableWidget* environment_ = nullptr;
    QLineEdit* remoteCommand_ = nullptr;
    QSpinBox* keepalive_ = nullptr;
    QCheckBox* autoReconnect_ = nullptr;
    QComboBox* hostKeyPolicy_ = nullptr;
    QComboBox* x11Forwarding_ = nullptr;
    QCheckBox* overrideFont_ = nullptr;
    QFontComboBox* fontFamily_ = nullptr;
    QSpinBox* fontSize_ = nullptr;
    QComboBox* colorScheme_ = nullptr;
    QSpinBox* scrollback_ = nullptr;
    QLineEdit* termType_ = nullptr;
    QLabel* problemsLabel_ = nullptr;
};

} // namespace portal::ui
