// Global preferences: terminal font, colour scheme (with a live preview), scrollback, cursor,
// bell, selection and paste behaviour, default user, keepalive, and theme.
#pragma once

#include "Session.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QFontComboBox;
class QLineEdit;
class QSpinBox;

namespace portal::ui {

// Applies the window theme: the platform's own when it follows the system, otherwise Fusion
// in light or dark to match the terminal colour scheme's background.
void applyApplicationTheme(const Preferences& preferences);

class SchemePreview;

class PreferencesDialog : public QDialog {
public:
    explicit PreferencesDialog(const Preferences& preferences, QWidget* parent = nullptr);
    Preferences preferences() const;

private:
    Preferences original_;
    QFontComboBox* fontFamily_ = nullptr;
    QSpinBox* fontSize_ = nullptr;
    QComboBox* colorScheme_ = nullptr;
    SchemePreview* preview_ = nullptr;
    QSpinBox* scrollback_ = nullptr;
    QComboBox* cursorShape_ = nullptr;
    QCheckBox* cursorBlinks_ = nullptr;
    QComboBox* bell_ = nullptr;
    QCheckBox* copyOnSelect_ = nullptr;
    QCheckBox* confirmPaste_ = nullptr;
    QLineEdit* defaultUser_ = nullptr;
    QSpinBox* keepalive_ = nullptr;
    QCheckBox* followSystemTheme_ = nullptr;
};

} // namespace portal::ui
