// TerminalEmulator: bytes from the host in, a screen and scrollback out. libvterm's state layer
// parses (ECMA-48, xterm ctlseqs) and keeps modes, pen and charsets; the cell grid, the
// scrollback and reflow are ours, because libvterm 0.1's screen layer moves the whole screen
// for every scrolled line and has no reflow (see /work/shared/PERFORMANCE.md).
#pragma once

#include "Cell.h"
#include "DynamicColors.h"
#include "TerminalModes.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace portal::terminal {

class TerminalEmulator : public QObject {
    Q_OBJECT
public:
    struct Options {
        std::size_t scrollbackLines = 10000;
        // OSC 52 lets the host set the local clipboard. Off by default: a remote program could
        // otherwise plant a command to be pasted later. Reads ("?") are never answered.
        bool clipboardWriteAllowed = false;
        std::size_t clipboardWriteLimit = 64 * 1024; // decoded bytes; larger writes are dropped
        // Runs of printable ASCII go into the grid directly rather than a libvterm callback per
        // character (same result; off only to compare the two in tests).
        bool directText = true;
    };

    struct Cursor {
        enum class Shape { Block, Underline, Bar };
        int row = 0;
        int column = 0;
        bool visible = true;
        bool blinking = true;
        Shape shape = Shape::Block;
    };

    // What changed since the last clearDamage(): rows of the screen (0 … rows()-1), or
    // everything (scrolling, screen switch, resize, reset).
    struct Damage {
        bool everything = true;
        std::vector<std::uint8_t> rows;
        bool row(int r) const { return everything || rows[std::size_t(r)] != 0; }
    };

    TerminalEmulator(int rows, int columns, Options options, QObject* parent = nullptr);
    TerminalEmulator(int rows, int columns, QObject* parent = nullptr)
        : TerminalEmulator(rows, columns, Options{}, parent) {}
    ~TerminalEmulator() override;

    void feed(const char* bytes, std::size_t length);
    void feed(const QByteArray& bytes) { feed(bytes.constData(), std::size_t(bytes.size())); }
    // Re-wraps the primary screen and the scrollback to the new width (the alternate screen is
    // cropped or padded, as its application redraws it anyway).
    // The newest history rows are re-wrapped at once; the rest in slices of a few
    // milliseconds from the event loop (historyReflowed() after each). Until then those rows
    // read as they were cut, and rows joined across wraps still give the same lines.
    void resize(int rows, int columns);
    bool reflowPending() const;
    // History rows -1 … -n, the newest n, are at the current width (all of them unless a
    // reflow is pending; older rows then read as they were cut at an earlier width).
    int historyRowsReflowed() const;
    void finishReflow(); // the rest of a running reflow, now
    void setScrollbackLines(std::size_t lines);
    void setClipboardWrite(bool allowed, std::size_t limit);

    int rows() const;
    int columns() const;
    int historySize() const;
    // Total lines ever moved into the scrollback (so a scrolled-up view can stay put).
    std::uint64_t historyPushed() const;

    // Row `row` is 0 … rows()-1 for the screen and -1 … -historySize() for the scrollback
    // (-1 is the newest history line). Screen rows are returned in place; history rows are
    // decoded into `scratch` and may be shorter than columns() (trailing blanks trimmed).
    std::span<const Cell> line(int row, std::vector<Cell>& scratch) const;
    bool isWrapped(int row) const;
    // Text of a row: trailing blanks trimmed, combining clusters expanded, wide-glyph
    // continuation cells skipped.
    QString text(int row) const;
    QString cellText(const Cell& cell) const;
    void appendCellText(const Cell& cell, QString& out) const;
    const Style& style(std::uint16_t id) const;
    // The URI of an OSC 8 hyperlink id (empty for 0).
    QString hyperlink(std::uint16_t link) const;

    Cursor cursor() const;
    TerminalModes modes() const;
    bool reverseVideo() const;
    QString title() const;
    QString workingDirectory() const; // from OSC 7; the path of a file:// URL

    // The colour scheme's colours, which OSC 10/11/12/4 queries answer with; the host may
    // override them for this terminal (OSC 10/11/12/4 set, OSC 110/111/112/104 reset).
    void setBaseColors(const TerminalColors& colors);
    // The scheme's colours with the host's overrides: what the view paints.
    const TerminalColors& colors() const;
    std::size_t historyMemoryBytes() const;

    const Damage& damage() const;
    void clearDamage();

    // xterm focus reporting (?1004): the bytes to send on focus change, empty if not asked.
    QByteArray focusReport(bool focused) const;

signals:
    // Bytes to send to the host: libvterm's answers to DA, DSR and DECRQM queries, and ours
    // to OSC colour queries.
    void replyBytes(const QByteArray& bytes);
    void titleChanged(const QString& title);
    void workingDirectoryChanged(const QString& path);
    void bell();
    void modesChanged();
    // A slice of a reflow was done: historySize() and history rows may have changed.
    void historyReflowed();
    // The host erased the scrollback (ED 3); historySize() is 0.
    void historyErased();
    // colors() changed (a host's OSC colour set or reset, or setBaseColors()).
    void colorsChanged();
    // OSC 52 write (when allowed): `selection` is the xterm target list ("c", "p", "s", …).
    void clipboardWriteRequested(const QString& selection, const QByteArray& data);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace portal::terminal
