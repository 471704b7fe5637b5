// TerminalSearch: finds every match of a regular expression in a terminal's scrollback and
// screen without holding the event loop: rows are scanned in slices of a few milliseconds,
// newest first, and matches are reported as they are found. History rows do not change once
// written, so what was found stays right while output arrives: new history rows are scanned
// as they come, matches in evicted rows are dropped, the live screen is scanned again on every
// slice. A reflow rewrites the history, so the scan starts over once it is done.
#pragma once

#include "TerminalEmulator.h"

#include <QObject>
#include <QRegularExpression>
#include <QTimer>

#include <chrono>
#include <compare>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace portal::terminal {

class TerminalSearch : public QObject {
    Q_OBJECT
public:
    // Lines are numbered as TerminalView's TextPosition: screen row r is historyPushed() + r,
    // history row -k is historyPushed() - k; a number does not change as output scrolls.
    struct Match {
        std::int64_t line = 0;
        int firstColumn = 0; // cells, inclusive
        int lastColumn = 0;
        auto operator<=>(const Match&) const = default;
    };
    // A row's text with the cell column of every UTF-16 unit (wide glyphs and clusters map
    // several units or cells to one).
    struct RowText {
        QString text;
        std::vector<int> column;
    };
    static RowText rowText(const TerminalEmulator& emulator, int row);
    // What matching a row needs, kept from row to row: a scan visits up to a million rows, and
    // most have no match, so only the text is built (the columns when a match needs them).
    struct RowBuffers {
        std::vector<Cell> cells;
        std::u16string text; // matched as a QStringView: no QString to share or detach
        QString cell;
    };
    // The non-empty matches of `expression` in a row, left to right.
    static void matchRow(const QRegularExpression& expression, const TerminalEmulator& emulator, int row,
                         std::int64_t line, std::vector<Match>& out, RowBuffers& buffers);
    static void matchRow(const QRegularExpression& expression, const TerminalEmulator& emulator, int row,
                         std::int64_t line, std::vector<Match>& out) {
        RowBuffers buffers;
        matchRow(expression, emulator, row, line, out, buffers);
    }

    explicit TerminalSearch(TerminalEmulator& emulator, QObject* parent = nullptr);

    // Starts a search (a running one is cancelled); false for an empty or invalid expression.
    bool start(const QRegularExpression& expression);
    void cancel();
    // The text changed under the search (resize, reflow, scrollback cleared): scan again.
    void restart();
    // Output arrived: new history rows and the screen are scanned at the next slice.
    void outputArrived();

    bool active() const { return active_; }
    bool finished() const;
    const QRegularExpression& expression() const { return expression_; }
    std::size_t count() const { return history_.size() + screen_.size(); }
    // Every match found so far, oldest first.
    std::vector<Match> matches() const;
    // The nearest match found so far after (or before) `from`, if any.
    std::optional<Match> nearest(const Match& from, bool backwards) const;
    std::optional<Match> first() const;
    std::optional<Match> last() const;

    // Scans until `deadline` (the event loop calls this with a short one); returns finished().
    bool step(std::chrono::steady_clock::time_point deadline);

signals:
    // Matches were found or dropped, or the scan finished.
    void progressed();

private:
    std::int64_t liveTop() const { return std::int64_t(emulator_.historyPushed()); }
    std::int64_t firstLine() const { return liveTop() - emulator_.historySize(); }
    void scanScreen();

    TerminalEmulator& emulator_;
    QRegularExpression expression_;
    bool active_ = false;
    QTimer timer_;
    std::deque<Match> history_; // matches in history rows, oldest first
    std::vector<Match> screen_; // matches on the live screen, as of the last slice
    std::int64_t olderEdge_ = 0; // next history line to scan going back (scan done below firstLine())
    std::int64_t newerEdge_ = 0; // history lines from here to liveTop() arrived since, not yet scanned
    std::vector<Match> scratch_;
    RowBuffers buffers_;
};

} // namespace portal::terminal
