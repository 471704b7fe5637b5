// The bar under a terminal tab for searching its scrollback and screen (Ctrl+Shift+F): the
// pattern, plain or regular expression, case option, older/newer, and how many matches the
// background search has found so far.
#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QToolButton;

namespace portal::terminal {
class TerminalView;
}

namespace portal::ui {

class TerminalSearchBar : public QWidget {
public:
    TerminalSearchBar(terminal::TerminalView* view, QWidget* parent = nullptr);

    // Shows the bar with the pattern selected, ready to type over.
    void open();
    // Hides the bar, drops the highlights and gives the keyboard back to the terminal.
    void close();
    QString statusText() const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void search();
    void move(bool older);
    void showProgress(int matches, bool finished);

    terminal::TerminalView* view_;
    QLineEdit* pattern_;
    QCheckBox* regularExpression_;
    QCheckBox* matchCase_;
    QToolButton* older_;
    QToolButton* newer_;
    QLabel* status_;
};

} // namespace portal::ui
