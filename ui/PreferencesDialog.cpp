// The preferences dialog and its colour-scheme preview.
#include "PreferencesDialog.h"

#include "ColorScheme.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLineEdit>
#include <QPainter>
#include <QSpinBox>
#include <QStyle>
#include <QStyleFactory>
#include <QVBoxLayout>

namespace portal::ui {

void applyApplicationTheme(const Preferences& preferences)
{
    // What the platform chose at start-up, so "follow the system" can go back to it.
    static const QString platformStyle = QApplication::style()->name();
    static const QPalette platformPalette = QApplication::palette();
    if (preferences.themeFollowsSystem) {
        QApplication::setStyle(QStyleFactory::create(platformStyle));
        QApplication::setPalette(platformPalette);
        return;
    }
    const terminal::ColorScheme colors = terminal::ColorScheme::named(preferences.colorScheme);
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette palette = QApplication::style()->standardPalette();
    if (colors.background.lightness() < 128) {
        const QColor window(0x2b, 0x2f, 0x33), base(0x1f, 0x22, 0x26), text(0xe6, 0xe9, 0xec);
        palette.setColor(QPalette::Window, window);
        palette.setColor(QPalette::WindowText, text);
        palette.setColor(QPalette::Base, base);
        palette.setColor(QPalette::AlternateBase, window);
        palette.setColor(QPalette::Text, text);
        palette.setColor(QPalette::Button, window);
        palette.setColor(QPalette::ButtonText, text);
        palette.setColor(QPalette::ToolTipBase, base);
        palette.setColor(QPalette::ToolTipText, text);
        palette.setColor(QPalette::PlaceholderText, QColor(0x8b, 0x94, 0x9e));
        palette.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xb3));
        palette.setColor(QPalette::HighlightedText, Qt::white);
        palette.setColor(QPalette::Disabled, QPalette::Text, QColor(0x6e, 0x76, 0x81));
        palette.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x6e, 0x76, 0x81));
    }
    QApplication::setPalette(palette);
}

// A few lines of a shell session painted in the chosen scheme and font.
class SchemePreview : public QWidget {
public:
    using QWidget::QWidget;
    void setScheme(const terminal::ColorScheme& colors, const QFont& font)
    {
        colors_ = colors;
        font_ = font;
        setMinimumHeight(QFontMetrics(font_).height() * 5 + 12);
        update();
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        p.fillRect(rect(), colors_.background);
        p.setFont(font_);
        const QFontMetrics metrics(font_);
        const int line = metrics.height();
        int y = 6 + metrics.ascent();
        auto run = [&](int& x, const QString& text, const QColor& colour) {
            p.setPen(colour);
            p.drawText(x, y, text);
            x += metrics.horizontalAdvance(text);
        };
        int x = 6;
        run(x, QStringLiteral("alice@web"), colors_.ansi[10]);
        run(x, QStringLiteral(":"), colors_.foreground);
        run(x, QStringLiteral("~/site"), colors_.ansi[12]);
        run(x, QStringLiteral("$ ls --color"), colors_.foreground);
        y += line;
        x = 6;
        run(x, QStringLiteral("bin/  "), colors_.ansi[4]);
        run(x, QStringLiteral("deploy.sh  "), colors_.ansi[2]);
        run(x, QStringLiteral("notes.txt  "), colors_.foreground);
        run(x, QStringLiteral("site.tar.gz"), colors_.ansi[1]);
        y += line;
        // Each ANSI colour as a swatch: normal row, then bright row.
        const int cell = std::max(10, metrics.horizontalAdvance(u'M') * 2);
        for (int row = 0; row < 2; ++row) {
            for (int i = 0; i < 8; ++i)
                p.fillRect(6 + i * cell, y - metrics.ascent() + row * (line / 2 + 2), cell - 2, line / 2, colors_.ansi[row * 8 + i]);
        }
        y += line + 4;
        x = 6;
        run(x, QStringLiteral("$ "), colors_.foreground);
        p.fillRect(x, y - metrics.ascent(), metrics.horizontalAdvance(u'M'), line, colors_.foreground);
    }

private:
    terminal::ColorScheme colors_ = terminal::ColorScheme::named(QString());
    QFont font_;
};

PreferencesDialog::PreferencesDialog(const Preferences& preferences, QWidget* parent)
    : QDialog(parent)
    , original_(preferences)
{
    setObjectName(QStringLiteral("preferencesDialog"));
    setWindowTitle(tr("Preferences"));
    auto* layout = new QVBoxLayout(this);

    auto* terminal = new QGroupBox(tr("Terminal"), this);
    auto* form = new QFormLayout(terminal);
    fontFamily_ = new QFontComboBox(terminal);
    fontFamily_->setObjectName(QStringLiteral("fontFamily"));
    fontFamily_->setFontFilters(QFontComboBox::MonospacedFonts);
    fontFamily_->setCurrentFont(QFont(preferences.fontFamily));
    fontSize_ = new QSpinBox(terminal);
    fontSize_->setObjectName(QStringLiteral("fontSize"));
    fontSize_->setRange(4, 200);
    fontSize_->setSuffix(tr(" pt"));
    fontSize_->setValue(preferences.fontPointSize);
    form->addRow(tr("&Font:"), fontFamily_);
    form->addRow(tr("Font si&ze:"), fontSize_);
    colorScheme_ = new QComboBox(terminal);
    colorScheme_->setObjectName(QStringLiteral("colorScheme"));
    colorScheme_->addItems(terminal::ColorScheme::names());
    colorScheme_->setCurrentIndex(std::max(0, colorScheme_->findText(preferences.colorScheme)));
    form->addRow(tr("Colour &scheme:"), colorScheme_);
    preview_ = new SchemePreview(terminal);
    preview_->setObjectName(QStringLiteral("schemePreview"));
    form->addRow(preview_);
    auto updatePreview = [this] {
        QFont font = fontFamily_->currentFont();
        font.setPointSize(fontSize_->value());
        font.setStyleHint(QFont::Monospace);
        preview_->setScheme(terminal::ColorScheme::named(colorScheme_->currentText()), font);
    };
    connect(colorScheme_, &QComboBox::currentIndexChanged, this, updatePreview);
    connect(fontFamily_, &QFontComboBox::currentFontChanged, this, updatePreview);
    connect(fontSize_, &QSpinBox::valueChanged, this, updatePreview);
    updatePreview();

    scrollback_ = new QSpinBox(terminal);
    scrollback_->setObjectName(QStringLiteral("scrollback"));
    scrollback_->setRange(0, 1000000);
    scrollback_->setSingleStep(1000);
    scrollback_->setSuffix(tr(" lines"));
    scrollback_->setValue(preferences.scrollbackLines);
    form->addRow(tr("Scroll&back:"), scrollback_);
    cursorShape_ = new QComboBox(terminal);
    cursorShape_->setObjectName(QStringLiteral("cursorShape"));
    cursorShape_->addItems({tr("Block"), tr("Bar"), tr("Underline")});
    cursorShape_->setCurrentIndex(static_cast<int>(preferences.cursorShape));
    cursorBlinks_ = new QCheckBox(tr("Blinks"), terminal);
    cursorBlinks_->setChecked(preferences.cursorBlinks);
    form->addRow(tr("&Cursor:"), cursorShape_);
    form->addRow(QString(), cursorBlinks_);
    bell_ = new QComboBox(terminal);
    bell_->setObjectName(QStringLiteral("bell"));
    bell_->addItems({tr("Off"), tr("Flash the tab"), tr("Sound")});
    bell_->setCurrentIndex(static_cast<int>(preferences.bell));
    form->addRow(tr("B&ell:"), bell_);
    copyOnSelect_ = new QCheckBox(tr("Copy selected text automatically"), terminal);
    copyOnSelect_->setObjectName(QStringLiteral("copyOnSelect"));
    copyOnSelect_->setChecked(preferences.copyOnSelect);
    confirmPaste_ = new QCheckBox(tr("Ask before pasting several lines into a shell"), terminal);
    confirmPaste_->setObjectName(QStringLiteral("confirmPaste"));
    confirmPaste_->setChecked(preferences.confirmMultilinePaste);
    form->addRow(tr("Selection:"), copyOnSelect_);
    form->addRow(tr("Paste:"), confirmPaste_);
    layout->addWidget(terminal);

    auto* connection = new QGroupBox(tr("Connections and appearance"), this);
    auto* form2 = new QFormLayout(connection);
    defaultUser_ = new QLineEdit(preferences.defaultUser, connection);
    defaultUser_->setObjectName(QStringLiteral("defaultUser"));
    defaultUser_->setPlaceholderText(tr("empty: ask the system"));
    form2->addRow(tr("Default &user:"), defaultUser_);
    keepalive_ = new QSpinBox(connection);
    keepalive_->setObjectName(QStringLiteral("keepalive"));
    keepalive_->setRange(0, 86400);
    keepalive_->setSuffix(tr(" s"));
    keepalive_->setSpecialValueText(tr("off"));
    keepalive_->setValue(preferences.keepaliveSeconds);
    form2->addRow(tr("&Keepalive every:"), keepalive_);
    followSystemTheme_ = new QCheckBox(tr("Follow the system's light/dark theme"), connection);
    followSystemTheme_->setObjectName(QStringLiteral("followSystemTheme"));
    followSystemTheme_->setChecked(preferences.themeFollowsSystem);
    form2->addRow(tr("Theme:"), followSystemTheme_);
    layout->addWidget(connection);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

Preferences PreferencesDialog::preferences() const
{
    Preferences p = original_;
    p.fontFamily = fontFamily_->currentFont().family();
    p.fontPointSize = fontSize_->value();
    p.colorScheme = colorScheme_->currentText();
    p.scrollbackLines = scrollback_->value();
    p.cursorShape = static_cast<Preferences::CursorShape>(cursorShape_->currentIndex());
    p.cursorBlinks = cursorBlinks_->isChecked();
    p.bell = static_cast<Preferences::Bell>(bell_->currentIndex());
    p.copyOnSelect = copyOnSelect_->isChecked();
    p.confirmMultilinePaste = confirmPaste_->isChecked();
    p.defaultUser = defaultUser_->text().trimmed();
    p.keepaliveSeconds = keepalive_->value();
    p.themeFollowsSystem = followSystemTheme_->isChecked();
    return p;
}

} // namespace portal::ui
