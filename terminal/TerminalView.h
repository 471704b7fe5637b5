// TerminalView: the widget that shows a TerminalEmulator and turns keys, mouse, paste and focus
// into bytes for the host. Repaints are coalesced to the display's frame rate and cover only
// damaged rows; selection, copy, search, scrollback and links are handled here.
#pragma once

#include "ColorScheme.h"
#include "TerminalEmulator.h"
#include "TerminalSearch.h"

#include <QAbstractScrollArea>
#include <QBasicTimer>
#include <QCache>
#include <QElapsedTimer>
#include <QFont>
#include <QPixmap>
#include <QRegularExpression>
#include <QStaticText>
#include <QUrl>

#include <cstdint>
#include <memory>
#include <optional>

namespace portal::terminal {

class TerminalView : public QAbstractScrollArea {
    Q_OBJECT
public:
    enum class SelectionMode { Character, Word, Line, Rectangle };
    // A position in the whole text: `line` counts from the first line ever written (it does
    // not move as output scrolls), `column` is a cell.
    struct TextPosition {
        std::int64_t line = 0;
        int column = 0;
        auto operator<=>(const TextPosition&) const = default;
    };

    explicit TerminalView(QWidget* parent = nullptr);
    ~TerminalView() override;

    TerminalEmulator& emulator() { return *emulator_; }

    // Host output. Parsed at once; painted at the next frame.
    void receive(const QByteArray& bytes);

    void setTerminalFont(const QFont& font);
    QFont terminalFont() const { return font_; }
    void setColorScheme(const ColorScheme& scheme);
    // The scheme as painted: the one set, with the host's OSC colour changes applied.
    const ColorScheme& colorScheme() const { return scheme_; }
    void setScrollbackLines(int lines);
    void setCopyOnSelect(bool on) { copyOnSelect_ = on; }
    void setMiddleClickPaste(bool on) { middleClickPaste_ = on; }
    void setWordCharacters(const QString& chars) { wordCharacters_ = chars; }
    void setOpenLinksAutomatically(bool on) { openLinks_ = on; }
    void setCursorBlinking(bool on);

    QSize cellSize() const { return QSize(cellWidth_, cellHeight_); }
    int columns() const { return emulator_->columns(); }
    int rows() const { return emulator_->rows(); }

    // Scrollback navigation: lines above the live screen (0 = following output).
    int scrollOffset() const { return scrollOffset_; }
    void scrollLines(int delta); // positive scrolls back into history
    void scrollToBottom();
    // Text of a visible row (0 = top of the viewport), trailing blanks trimmed.
    QString visibleText(int viewRow) const;

    // Selection.
    void setSelection(TextPosition from, TextPosition to, SelectionMode mode);
    void clearSelection();
    bool hasSelection() const { return selection_.has_value(); }
    // Selected text: trailing spaces trimmed per line, wrapped rows joined.
    QString selectedText() const;
    void copy();
    void paste(); // from the clipboard
    // Sends text as a paste: bracketed when the host asked for it; otherwise multi-line text
    // is held and pasteConfirmationRequested() is emitted, to be answered with answerPaste().
    void pasteText(const QString& text);
    void answerPaste(bool accepted);

    // Search over scrollback and screen, newest first when going backwards. Returns whether a
    // match is current; the view scrolls to it and highlights it and every visible match. A long
    // history is searched in the background (searchProgress()); a move that finds no match
    // yet is made when one is found. A new search cancels the running one.
    bool find(const QString& pattern, bool regularExpression, bool caseSensitive, bool backwards);
    bool findNext() { return findAgain(false); }
    bool findPrevious() { return findAgain(true); }
    void clearSearch();
    int searchMatchCount() const; // found so far
    bool searchFinished() const;
    std::vector<std::pair<TextPosition, TextPosition>> searchMatches() const; // found so far, oldest first
    std::optional<std::pair<TextPosition, TextPosition>> currentMatch() const { return match_; }

    // Maps a point in the viewport to a cell (clamped to the screen).
    TextPosition positionAt(const QPoint& viewportPoint) const;
    // The link under a cell: an OSC 8 hyperlink, or a URL written in the text.
    QUrl linkAt(TextPosition position) const;

    // Counters for tests and benchmarks.
    int paintCount() const { return paintCount_; }

signals:
    void sendBytes(const QByteArray& bytes);
    void terminalSizeChanged(int columns, int rows, int pixelWidth, int pixelHeight);
    void titleChanged(const QString& title);
    void workingDirectoryChanged(const QString& path);
    void bell();
    void pasteConfirmationRequested(const QString& text);
    void linkActivated(const QUrl& url);
    void searchRequested(); // Ctrl+Shift+F: the tab shows its search bar
    void searchProgress(int matches, bool finished);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void inputMethodEvent(QInputMethodEvent* event) override;
    QVariant inputMethodQuery(Qt::InputMethodQuery query) const override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    void timerEvent(QTimerEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    bool focusNextPrevChild(bool next) override;
    bool event(QEvent* event) override;

private:
    struct RowText;
    // A place in the text that a reflow keeps: its logical line (rows joined across wraps),
    // counted from the cursor's (positive above it), and the cell offset in that line.
    struct LinePlace {
        std::int64_t linesAboveCursor = 0;
        std::int64_t offset = 0;
    };
    int reflowAnchorRow() const;
    LinePlace linePlace(TextPosition position) const;
    std::optional<TextPosition> positionOf(LinePlace place);
    void showReflowedRows();
    void scheduleFrame();
    void renderFrame();
    void updateMetrics();
    void updateScrollBar();
    void historyShrank(); // rows left the history other than by scrolling off its far end
    void resizeTerminal();
    std::int64_t firstLine() const;    // TextPosition::line of the oldest history line
    std::int64_t topLine() const;      // TextPosition::line at the top of the viewport
    int emulatorRow(std::int64_t line) const { return int(line - liveTop()); }
    std::int64_t liveTop() const;      // TextPosition::line of screen row 0
    RowText rowText(std::int64_t line) const;
    bool isSelected(std::int64_t line, int column) const;
    void extendSelection(TextPosition to);
    void finishSelection();
    bool findAgain(bool backwards);
    void searchProgressed();
    bool sendMouse(QMouseEvent* event, int kind);
    void paintRow(QPainter& p, int viewRow, std::int64_t line, std::vector<Cell>& scratch);
    void drawBoxGlyph(QPainter& p, char32_t ch, const QRectF& cell, const QColor& color) const;
    const QStaticText& staticText(const QString& text, int fontVariant);
    int bandRows() const;
    const QPixmap& emojiPixmap(const QString& text, const QColor& color, const QSize& size);
    bool isEmoji(const Cell& cell) const;

    void applyColors();

    std::unique_ptr<TerminalEmulator> emulator_;
    std::unique_ptr<TerminalSearch> searcher_;
    ColorScheme baseScheme_; // as set by setColorScheme()
    ColorScheme scheme_;     // baseScheme_ with the host's colour changes: what is painted
    QFont font_;
    QFont fonts_[4]; // regular, bold, italic, bold italic
    QFont emojiFont_;
    int cellWidth_ = 8;
    int cellHeight_ = 16;
    int ascent_ = 12;
    QCache<QString, QStaticText> glyphCache_{4096};
    // Colour emoji are bitmaps (PNG in Noto Color Emoji) that the font engine decodes and
    // scales on every draw; each is drawn once per cell size into a pixmap instead.
    QCache<QString, QPixmap> emojiCache_{1024};

    QBasicTimer frameTimer_;
    QElapsedTimer lastFrame_; // since the last frame was rendered
    QBasicTimer blinkTimer_;
    QBasicTimer autoScrollTimer_;
    bool framePending_ = false;
    bool blinkPhase_ = true;
    bool cursorBlinking_ = true;
    bool blinkingCellsShown_ = false;
    int paintCount_ = 0;
    int lastPaintMs_ = 0;
    double paintNsPerRow_ = 0;
    int bandNext_ = -1;        // next row of a whole-screen redraw painted in bands; -1: none
    bool bandRestart_ = false; // the screen changed again during the bands: redraw once more
    std::uint64_t seenPushed_ = 0;
    bool scrolledSinceFrame_ = false;
    int scrollOffset_ = 0;
    bool updatingScrollBar_ = false;

    std::optional<std::pair<TextPosition, TextPosition>> selection_; // anchor, end (unordered)
    SelectionMode selectionMode_ = SelectionMode::Character;
    bool selecting_ = false;
    QPoint lastMousePoint_;
    QElapsedTimer lastDoubleClick_;
    int mouseButtonHeld_ = -1;

    bool copyOnSelect_ = false;
    bool middleClickPaste_ = true;
    bool openLinks_ = true;
    QString wordCharacters_ = QStringLiteral("-_.:/~@+%#?=&");
    QString pendingPaste_;
    QString preedit_;

    std::optional<std::pair<TextPosition, TextPosition>> match_;
    std::optional<bool> pendingFind_; // a move (backwards?) waiting for the background search
};

} // namespace portal::terminal
