// TerminalEmulator: libvterm's state layer driving our own ring grid; see TerminalEmulator.h.
#include "TerminalEmulator.h"

#include "History.h"
#include "StreamScanner.h"
#include "VTermCompat.h"

#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>

namespace portal::terminal {
namespace {

constexpr int kNoRow = -1000000;     // no wrap candidate
constexpr int kHistoryRow = -1;      // the wrap candidate is the newest history line
constexpr int kMaxTitleChars = 1024;
constexpr std::size_t kMaxLinkBytes = 2048;
constexpr std::size_t kMaxLinks = 0xFFFF;
constexpr std::size_t kBaseOscBytes = 8192;
constexpr std::size_t kMaxVTermWrite = 64 * 1024; // bytes per vterm_input_write (see feed)
// Printable text placed directly (Impl::printableText) in pieces of at least this many
// characters: below it, moving libvterm's cursor costs more than the callbacks saved.
constexpr std::size_t kMinDirectText = 4;
// Reflow on resize: rows re-wrapped at once (beyond the screen's), and the slices the rest is
// re-wrapped in from the event loop, short enough to keep input and painting smooth.
constexpr std::size_t kImmediateReflowRows = 1000;
constexpr auto kReflowSlice = std::chrono::milliseconds(8);

// Cells filled as 64-bit words, which the compiler turns into wide stores (a Cell as a struct
// of four fields is stored field by field).
void fillCells(Cell* first, std::size_t count, Cell value) {
    static_assert(sizeof(Cell) == sizeof(std::uint64_t));
    std::uint64_t word;
    std::memcpy(&word, &value, sizeof word);
    for (std::size_t i = 0; i < count; ++i)
        std::memcpy(static_cast<void*>(first + i), &word, sizeof word);
}

// The live screen: rows are reached through rowMap, so scrolling a region rotates indices and
// clears one row instead of moving the screen.
struct Grid {
    int rows = 0;
    int cols = 0;
    std::vector<Cell> cells;
    std::vector<int> rowMap;
    std::vector<std::uint8_t> wrapped; // per logical row: the row continues on the next

    void reset(int r, int c) {
        rows = r;
        cols = c;
        // One cell more than the screen: the glyph fast path may look at the cell right of the
        // last column (it only decides whether to take the general path).
        cells.assign(std::size_t(r) * std::size_t(c) + 1, Cell{});
        rowMap.resize(std::size_t(r));
        for (int i = 0; i < r; ++i)
            rowMap[std::size_t(i)] = i;
        wrapped.assign(std::size_t(r), 0);
    }
    Cell* row(int r) { return cells.data() + std::size_t(rowMap[std::size_t(r)]) * std::size_t(cols); }
    const Cell* row(int r) const {
        return cells.data() + std::size_t(rowMap[std::size_t(r)]) * std::size_t(cols);
    }
    void clearRow(int r, std::uint16_t style) {
        fillCells(row(r), std::size_t(cols), Cell{0, style, 1, 0});
        wrapped[std::size_t(r)] = 0;
    }
};

Color fromVTerm(const VTermColor& c) {
    if (VTERM_COLOR_IS_DEFAULT_FG(&c) || VTERM_COLOR_IS_DEFAULT_BG(&c))
        return Color{};
    if (VTERM_COLOR_IS_INDEXED(&c))
        return Color::indexed(c.indexed.idx);
    return Color::rgb(c.rgb.red, c.rgb.green, c.rgb.blue);
}

// Title text is shown in window decorations and task bars: drop controls, cap the length.
QString sanitisedTitle(std::string_view raw) {
    QString s = QString::fromUtf8(raw.data(), qsizetype(raw.size()));
    QString out;
    out.reserve(std::min<qsizetype>(s.size(), kMaxTitleChars));
    for (QChar c : s) {
        if (out.size() >= kMaxTitleChars)
            break;
        const auto u = c.unicode();
        if (u < 0x20 || (u >= 0x7f && u < 0xa0))
            continue;
        out.append(c);
    }
    return out;
}

} // namespace

struct TerminalEmulator::Impl final : StreamScanner::Sink {
    TerminalEmulator* q;
    Options options;
    VTerm* vt = nullptr;
    VTermState* state = nullptr;
    StreamScanner scanner{*this};

    Grid primary;
    Grid alternate;
    Grid* active = &primary;
    History history;
    QTimer reflowTimer; // drives history.reflowStep() while a reflow runs
    std::uint64_t pushed = 0;

    StyleTable styles;
    ClusterTable clusters;
    std::vector<std::string> links{std::string()};
    std::unordered_map<std::string, std::uint16_t> linkIds;

    Style pen;
    std::uint16_t penId = 0;
    std::uint16_t eraseId = 0; // blank cells take the pen's background (xterm's BCE)
    Color eraseBg;
    bool eraseValid = false;
    bool penDirty = false;

    Cursor cursor;
    bool altScreen = false;
    bool reverse = false;
    int wrapCandidate = kNoRow;
    bool clusterSaturated = false;
    char32_t lastGlyph = 0; // cell code of the last glyph, for REP

    QString title;
    QString cwd;
    DynamicColors colors;
    Damage damage;

    explicit Impl(TerminalEmulator* owner, Options o) : q(owner), options(o), history(o.scrollbackLines) {}

    // --- StreamScanner::Sink ---
    void passThrough(const char* bytes, std::size_t length) override { vterm_input_write(vt, bytes, length); }
    void operatingSystemCommand(std::string_view payload) override;
    void repeatPrecedingCharacter(long count) override {
        if (lastGlyph == 0)
            return;
        const std::u32string glyph = (lastGlyph & Cell::kClusterBit) ? clusters.at(lastGlyph) : std::u32string(1, lastGlyph);
        const QByteArray one = QString::fromUcs4(glyph.data(), qsizetype(glyph.size())).toUtf8();
        // In whole glyphs of at most kMaxVTermWrite bytes a write (see feed).
        const long perWrite = std::max<long>(1, long(kMaxVTermWrite / std::size_t(one.size())));
        for (long left = count; left > 0; left -= perWrite) {
            const QByteArray some = one.repeated(qsizetype(std::min(left, perWrite)));
            vterm_input_write(vt, some.constData(), std::size_t(some.size()));
        }
    }
    // xterm drops the host's colour changes on RIS (OSC 4/10/11/12 included).
    void fullReset() override {
        if (colors.resetAll()) {
            markAll();
            emit q->colorsChanged();
        }
    }
    void cursorRestored() override;
    void scrollbackErased() override {
        if (history.size() == 0)
            return;
        history.clear();
        emit q->historyErased();
    }
    void printableText(const char* bytes, std::size_t length) override;
    void placeText(const char* bytes, std::size_t count, VTermPos pos);
    void scannerStateChanged() override {
        penDirty = true;
        emit q->modesChanged();
    }

    void updateOscLimit() {
        std::size_t limit = kBaseOscBytes;
        if (options.clipboardWriteAllowed)
            limit = std::max(limit, options.clipboardWriteLimit / 3 * 4 + 64);
        scanner.setMaxOscBytes(limit);
    }

    void refreshPen() {
        Style s = pen;
        if (scanner.faint())
            s.attrs |= attr::Faint;
        if (scanner.invisible())
            s.attrs |= attr::Invisible;
        if (s.underline() != 0) // a colour without an underline would only multiply styles
            s.underlineColor = scanner.underlineColour();
        penId = styles.intern(s);
        if (!(pen.bg == eraseBg) || !eraseValid) {
            Style blank;
            blank.bg = pen.bg;
            eraseId = styles.intern(blank);
            eraseBg = pen.bg;
            eraseValid = true;
        }
        penDirty = false;
    }
    std::uint16_t currentPen() {
        if (penDirty)
            refreshPen();
        return penId;
    }
    std::uint16_t currentErase() {
        if (penDirty)
            refreshPen();
        return eraseId;
    }

    void markRow(int r) {
        if (r >= 0 && r < active->rows)
            damage.rows[std::size_t(r)] = 1;
    }
    void markAll() { damage.everything = true; }
    void resetDamage() {
        damage.everything = false;
        damage.rows.assign(std::size_t(active->rows), 0);
    }

    void pushHistory(const Cell* cells, int count, bool wrapped) {
        history.push(std::span<const Cell>(cells, std::size_t(count)), wrapped);
        ++pushed;
    }

    // --- libvterm state callbacks ---
    [[gnu::always_inline]] int putGlyph(VTermGlyphInfo* info, VTermPos pos);
    int putWideGlyph(VTermGlyphInfo* info, VTermPos pos);
    int putGlyphInGeneral(VTermGlyphInfo* info, VTermPos pos);
    int moveCursor(VTermPos pos, VTermPos oldpos, int visible);
    int scrollRect(VTermRect rect, int downward, int rightward);
    int moveRect(VTermRect dest, VTermRect src);
    int erase(VTermRect rect);
    int initPen();
    int setPenAttr(VTermAttr attr, VTermValue* val);
    int setTermProp(VTermProp prop, VTermValue* val);
    int resized(int rows, int cols, VTermPos& cursorPos);
    void moveLineInfo(int buffer, const VTermLineInfo* old, VTermLineInfo* fresh, int rows) const;

    // What the last resize did to the rows, for libvterm's per-row line info (DECDWL, DECDHL):
    // the old height, and how far the primary screen's rows moved (none when they were re-cut
    // to a new width).
    int rowsBeforeResize = 0;
    std::optional<int> primaryRowShift;

    std::optional<int> reflowPrimary(int rows, int cols, VTermPos& cursorPos);
    static const VTermStateCallbacks& stateCallbacks();
    static void cropGrid(Grid& g, int rows, int cols);
    void skipSaturatedMarks(const char*& bytes, std::size_t& length);
};


// ---------------------------------------------------------------------------------------------

// libvterm calls this once per character, so the common case (one character, narrow or wide,
// the pen unchanged, no other wide glyph being split, no wrap to note) is kept to a few
// stores; everything else takes putGlyphInGeneral.
inline int TerminalEmulator::Impl::putGlyph(VTermGlyphInfo* info, VTermPos pos) {
    Grid& g = *active;
    const auto r = unsigned(pos.row), col = unsigned(pos.col);
    const auto cols = unsigned(g.cols);
    if (r >= unsigned(g.rows) || col >= cols)
        return 1;
    const std::uint32_t ch = info->chars[0];
    Cell* cell = g.row(int(r)) + col;
    // cell[1] is the next row's first cell (or the grid's spare one) at the last column: a wide
    // trail there is impossible, so it only ever sends us down the general path, which is right.
    const bool general = (info->chars[1] != 0) | (info->width != 1) | (ch > 0x10FFFF) | penDirty |
                         (cell[0].width == 0) | (cell[1].width == 0) | ((col == 0) & (wrapCandidate != kNoRow));
    if (general) [[unlikely]]
        return putWideGlyph(info, pos);
    clusterSaturated = false;
    lastGlyph = ch;
    *cell = Cell{ch, penId, 1, 0};
    damage.rows[r] = 1; // sized to the active screen's rows whenever they change
    wrapCandidate = col + 2 >= cols ? int(r) : kNoRow; // a wide glyph next may wrap early
    return 1;
}

// The same for a lone wide character (CJK, emoji), which libvterm has already moved to the
// next row when it would not fit.
int TerminalEmulator::Impl::putWideGlyph(VTermGlyphInfo* info, VTermPos pos) {
    Grid& g = *active;
    const auto r = unsigned(pos.row), col = unsigned(pos.col);
    const auto cols = unsigned(g.cols);
    const std::uint32_t ch = info->chars[0];
    if (info->width != 2 || col + 2 > cols || info->chars[1] != 0 || ch > 0x10FFFF || penDirty ||
        (col == 0 && wrapCandidate != kNoRow))
        return putGlyphInGeneral(info, pos);
    Cell* cell = g.row(int(r)) + col;
    // cell[2] may be the next row's first cell or the spare one: see putGlyph.
    if (cell[0].width == 0 || cell[2].width == 0)
        return putGlyphInGeneral(info, pos);
    clusterSaturated = false;
    lastGlyph = ch;
    cell[0] = Cell{ch, penId, 2, 0};
    cell[1] = Cell{0, penId, 0, 0};
    damage.rows[r] = 1;
    wrapCandidate = col + 3 >= cols ? int(r) : kNoRow;
    return 1;
}

// The rest of a run of printable ASCII whose first character libvterm has just written; the
// scanner has checked that libvterm writes such text as itself, overwriting (StreamScanner::
// plainText). Between that character and the last one, the characters that fit before the last
// column are placed here, and libvterm's cursor is moved over them with CUF (ECMA-48 §8.3.20);
// the character after them goes through libvterm, so that its wrap state (pending wrap at the
// last column, DECAWM), the glyph it may combine with, and REP's glyph stay its own.
//
// libvterm 0.1.4's on_text (src/state.c) does for each such character: wrap first if a wrap is
// pending; with IRM, shift the row right; put the glyph at the cursor; then step the cursor, or
// set the pending wrap at the row's end (half the width on a DECDWL line). Right after a
// character it has written, the cursor short of the last column of a single-width line means
// no wrap is pending, so the next characters up to the last column are plain overwrites.
void TerminalEmulator::Impl::printableText(const char* bytes, std::size_t length) {
    while (length > kMinDirectText) {
        VTermPos pos;
        vterm_state_get_cursorpos(state, &pos);
        const int room = active->cols - 1 - pos.col; // cells before the last column
        // libvterm 0.1 can leave its cursor off the screen (a row beyond it after a resize that
        // shrank the screen, column -1 after CBT), where putGlyph drops what it writes; and a
        // DECDWL line wraps at half the width. Both are left to libvterm.
        if (pos.row < 0 || pos.row >= active->rows || pos.col < 0 || pos.col >= active->cols ||
            vterm_state_get_lineinfo(state, pos.row)->doublewidth)
            break;
        if (room < int(kMinDirectText) || wrapCandidate != kNoRow) {
            // To the next row through libvterm (its wrap, and the first character there).
            const std::size_t n = std::min(length, std::size_t(std::max(room, 0)) + 2);
            vterm_input_write(vt, bytes, n);
            bytes += n;
            length -= n;
            continue;
        }
        const std::size_t count = std::min(length - 1, std::size_t(room));
        placeText(bytes, count, pos);
        // CSI <count> C, then the next character.
        char move[16];
        std::size_t n = sizeof move;
        move[--n] = bytes[count];
        move[--n] = 'C';
        for (std::size_t v = count; v > 0; v /= 10)
            move[--n] = char('0' + v % 10);
        move[--n] = '[';
        move[--n] = '\x1b';
        vterm_input_write(vt, move + n, sizeof move - n);
        bytes += count + 1;
        length -= count + 1;
    }
    if (length > 0)
        vterm_input_write(vt, bytes, length);
}

// libvterm restores a saved cursor exactly as it was saved (src/state.c savecursor, 0.1.4 and
// 0.3 alike), also when the screen has shrunk since; on a row beyond the screen it then reads
// its per-row line info past the end of the array, and text and line feeds go nowhere. xterm's
// DECRC keeps the cursor on the screen; so do we, with CUU and CUB, whose bounds check at the
// end of libvterm's on_csi clamps the row (into the margins under DECOM) and then the column.
void TerminalEmulator::Impl::cursorRestored() {
    VTermPos pos;
    vterm_state_get_cursorpos(state, &pos);
    const int rowsBelow = pos.row - (active->rows - 1);
    const int columnsBeyond = pos.col - (active->cols - 1);
    std::string back;
    if (rowsBelow > 0)
        back += "\x1b[" + std::to_string(rowsBelow) + 'A';
    if (columnsBeyond > 0)
        back += "\x1b[" + std::to_string(columnsBeyond) + 'D';
    if (!back.empty())
        vterm_input_write(vt, back.data(), back.size());
}

// Printable ASCII at pos, as putGlyphInGeneral would place it one character at a time.
void TerminalEmulator::Impl::placeText(const char* bytes, std::size_t count, VTermPos pos) {
    Grid& g = *active;
    Cell* row = g.row(pos.row);
    const int col = pos.col;
    const int end = col + int(count); // short of the last column
    // Overwriting half of a wide glyph leaves the other half blank, as xterm does.
    if (row[col].width == 0 && col > 0 && row[col - 1].width == 2)
        row[col - 1] = Cell{0, row[col - 1].style, 1, 0};
    if (row[end].width == 0)
        row[end] = Cell{0, row[end].style, 1, 0};
    const std::uint16_t style = currentPen();
    for (std::size_t k = 0; k < count; ++k)
        row[std::size_t(col) + k] = Cell{char32_t(static_cast<unsigned char>(bytes[k])), style, 1, 0};
    clusterSaturated = false;
    markRow(pos.row);
}

// ---------------------------------------------------------------------------------------------
// Callback trampolines (after putGlyph, so that its fast path is inlined into the trampoline)

const VTermStateCallbacks& TerminalEmulator::Impl::stateCallbacks() {
    // Set by name: 0.3 adds sb_clear (ED 3), left unset as 0.1 has no such call.
    static const VTermStateCallbacks callbacks = [] {
        VTermStateCallbacks c{};
        c.putglyph = [](VTermGlyphInfo* info, VTermPos pos, void* u) { return static_cast<Impl*>(u)->putGlyph(info, pos); };
        c.movecursor = [](VTermPos pos, VTermPos old, int visible, void* u) {
            return static_cast<Impl*>(u)->moveCursor(pos, old, visible);
        };
        c.scrollrect = [](VTermRect rect, int down, int right, void* u) {
            return static_cast<Impl*>(u)->scrollRect(rect, down, right);
        };
        c.moverect = [](VTermRect dest, VTermRect src, void* u) { return static_cast<Impl*>(u)->moveRect(dest, src); };
        c.erase = [](VTermRect rect, int, void* u) { return static_cast<Impl*>(u)->erase(rect); };
        c.initpen = [](void* u) { return static_cast<Impl*>(u)->initPen(); };
        c.setpenattr = [](VTermAttr a, VTermValue* v, void* u) { return static_cast<Impl*>(u)->setPenAttr(a, v); };
        c.settermprop = [](VTermProp p, VTermValue* v, void* u) { return static_cast<Impl*>(u)->setTermProp(p, v); };
        c.bell = [](void* u) {
            emit static_cast<Impl*>(u)->q->bell();
            return 1;
        };
        c.resize = &vterm_compat::resizeTrampoline<Impl>;
        c.setlineinfo = [](int, const VTermLineInfo*, const VTermLineInfo*, void*) { return 1; };
        return c;
    }();
    return callbacks;
}

int TerminalEmulator::Impl::putGlyphInGeneral(VTermGlyphInfo* info, VTermPos pos) {
    Grid& g = *active;
    const int width = std::clamp(info->width, 1, 2);
    // libvterm 0.1 decodes overlong 5- and 6-byte forms to values beyond Unicode; those
    // would collide with our cluster and wide-cell codes.
    char32_t ch = info->chars[0] <= 0x10FFFF ? char32_t(info->chars[0]) : U'\uFFFD';
    if (info->chars[1] != 0) {
        // libvterm hands over the whole cluster again for every mark added; we keep a bounded
        // prefix, and remember that the cell is full so further marks can be skipped cheaply.
        ch = clusters.intern(info->chars);
        std::size_t marks = 0;
        while (marks <= ClusterTable::kMaxMarks && info->chars[marks + 1] != 0)
            ++marks;
        clusterSaturated = marks > ClusterTable::kMaxMarks;
    } else {
        clusterSaturated = false;
    }

    lastGlyph = ch; // a cluster code keeps its marks
    Cell* row = g.row(pos.row);
    const int col = pos.col;
    // Overwriting half of a wide glyph leaves the other half blank, as xterm does.
    if (row[col].width == 0 && col > 0 && row[col - 1].width == 2)
        row[col - 1] = Cell{0, row[col - 1].style, 1, 0};
    const int end = std::min(col + width, g.cols);
    if (end < g.cols && row[end].width == 0)
        row[end] = Cell{0, row[end].style, 1, 0};

    const std::uint16_t style = currentPen();
    row[col] = Cell{ch, style, std::uint8_t(width), 0};
    if (width == 2 && col + 1 < g.cols)
        row[col + 1] = Cell{0, style, 0, 0};
    markRow(pos.row);

    // libvterm 0.1 does not report autowrap: a glyph at column 0 that directly follows one
    // that filled the previous row (no cursor motion between) is a wrapped continuation; so
    // is a wide glyph that follows one ending a cell short of the edge (it did not fit), and
    // the blank it left is marked as padding, not text.
    if (col == 0 && wrapCandidate != kNoRow) {
        if (wrapCandidate >= 0 && wrapCandidate == pos.row - 1) {
            Cell& last = g.row(pos.row - 1)[g.cols - 1];
            const bool leftBlank = last.ch == 0 && last.width == 1;
            if (leftBlank && width == 2)
                last.reserved = kWrapPadding;
            if (!leftBlank || width == 2)
                g.wrapped[std::size_t(pos.row - 1)] = 1;
        } else if (wrapCandidate == kHistoryRow) {
            history.markNewestWrapped(); // a one-row region scrolled the row away (its blank trimmed)
        }
    }
    wrapCandidate = (col + width + 1 >= g.cols) ? pos.row : kNoRow;
    return 1;
}

int TerminalEmulator::Impl::moveCursor(VTermPos pos, VTermPos oldpos, int visible) {
    // The cursor stays on the glyph that filled the row: the last column, or the one before
    // it for a wide glyph.
    if (wrapCandidate != kNoRow && !(pos.row == wrapCandidate && pos.col >= active->cols - 2) &&
        !(wrapCandidate == kHistoryRow && pos.row == 0))
        wrapCandidate = kNoRow;
    markRow(oldpos.row);
    markRow(pos.row);
    // libvterm 0.1 can report column -1 (seen with backward tabulation at the left margin).
    cursor.row = std::clamp(pos.row, 0, active->rows - 1);
    cursor.column = std::clamp(pos.col, 0, active->cols - 1);
    (void)visible;
    return 1;
}

int TerminalEmulator::Impl::scrollRect(VTermRect rect, int downward, int rightward) {
    Grid& g = *active;
    if (rightward != 0 || rect.start_col != 0 || rect.end_col != g.cols || downward == 0)
        return 0; // libvterm falls back to moverect + erase
    rect.start_row = std::max(rect.start_row, 0);
    rect.end_row = std::min(rect.end_row, g.rows);
    const int height = rect.end_row - rect.start_row;
    if (height <= 0)
        return 1;
    const int count = std::min(std::abs(downward), height);
    const std::uint16_t blank = currentErase();
    markAll();

    if (downward > 0) {
        // Lines leaving the top of a region that starts at the top of the primary screen go
        // into the history, as in xterm.
        if (active == &primary && rect.start_row == 0) {
            for (int r = 0; r < count; ++r)
                pushHistory(g.row(r), g.cols, g.wrapped[std::size_t(r)] != 0);
        }
        auto first = g.rowMap.begin() + rect.start_row;
        std::rotate(first, first + count, first + height);
        auto wfirst = g.wrapped.begin() + rect.start_row;
        std::rotate(wfirst, wfirst + count, wfirst + height);
        for (int r = rect.end_row - count; r < rect.end_row; ++r)
            g.clearRow(r, blank);
        if (wrapCandidate >= rect.start_row && wrapCandidate < rect.end_row) {
            const bool intoHistory = active == &primary && rect.start_row == 0;
            wrapCandidate -= count;
            if (wrapCandidate < rect.start_row)
                wrapCandidate = (intoHistory && wrapCandidate == -1) ? kHistoryRow : kNoRow;
        }
    } else {
        auto first = g.rowMap.begin() + rect.start_row;
        std::rotate(first, first + (height - count), first + height);
        auto wfirst = g.wrapped.begin() + rect.start_row;
        std::rotate(wfirst, wfirst + (height - count), wfirst + height);
        for (int r = rect.start_row; r < rect.start_row + count; ++r)
            g.clearRow(r, blank);
        wrapCandidate = kNoRow;
    }
    return 1;
}

int TerminalEmulator::Impl::moveRect(VTermRect dest, VTermRect src) {
    Grid& g = *active;
    const int height = src.end_row - src.start_row;
    const int width = src.end_col - src.start_col;
    if (height <= 0 || width <= 0)
        return 1;
    auto copyRow = [&](int i) {
        const int sr = src.start_row + i, dr = dest.start_row + i;
        if (sr < 0 || sr >= g.rows || dr < 0 || dr >= g.rows)
            return;
        const int w = std::min({width, g.cols - src.start_col, g.cols - dest.start_col});
        if (w <= 0)
            return;
        std::memmove(g.row(dr) + dest.start_col, g.row(sr) + src.start_col, std::size_t(w) * sizeof(Cell));
        markRow(dr);
    };
    if (dest.start_row <= src.start_row) {
        for (int i = 0; i < height; ++i)
            copyRow(i);
    } else {
        for (int i = height - 1; i >= 0; --i)
            copyRow(i);
    }
    return 1;
}

int TerminalEmulator::Impl::erase(VTermRect rect) {
    Grid& g = *active;
    const std::uint16_t blank = currentErase();
    const int c0 = std::max(rect.start_col, 0), c1 = std::min(rect.end_col, g.cols);
    for (int r = std::max(rect.start_row, 0); r < std::min(rect.end_row, g.rows); ++r) {
        Cell* row = g.row(r);
        if (c0 > 0 && c0 < g.cols && row[c0].width == 0)
            row[c0 - 1] = Cell{0, row[c0 - 1].style, 1, 0};
        if (c1 < g.cols && row[c1].width == 0)
            row[c1] = Cell{0, row[c1].style, 1, 0};
        if (c1 > c0)
            fillCells(row + c0, std::size_t(c1 - c0), Cell{0, blank, 1, 0});
        if (c1 == g.cols)
            g.wrapped[std::size_t(r)] = 0;
        markRow(r);
    }
    return 1;
}

int TerminalEmulator::Impl::initPen() {
    Style reset;
    reset.link = pen.link; // SGR 0 does not end an OSC 8 hyperlink
    penDirty |= !(reset == pen);
    pen = reset;
    return 1;
}

// libvterm reports every attribute in turn on SGR 0, which defeats a jump table's prediction:
// the boolean ones go through a table, and the pen is marked dirty only when it changed.
int TerminalEmulator::Impl::setPenAttr(VTermAttr a, VTermValue* val) {
    static constexpr auto kFlags = [] {
        std::array<std::uint16_t, 32> flags{}; // by VTermAttr, whose numbering differs across versions
        flags[VTERM_ATTR_BOLD] = attr::Bold;
        flags[VTERM_ATTR_ITALIC] = attr::Italic;
        flags[VTERM_ATTR_BLINK] = attr::Blink;
        flags[VTERM_ATTR_REVERSE] = attr::Reverse;
        flags[VTERM_ATTR_STRIKE] = attr::Strike;
        return flags;
    }();
    const Style before = pen;
    if (unsigned(a) < std::size(kFlags) && kFlags[a] != 0) {
        const std::uint16_t bit = kFlags[a];
        pen.attrs = val->boolean ? std::uint16_t(pen.attrs | bit) : std::uint16_t(pen.attrs & ~bit);
    } else if (a == VTERM_ATTR_FOREGROUND) {
        pen.fg = fromVTerm(val->color);
    } else if (a == VTERM_ATTR_BACKGROUND) {
        pen.bg = fromVTerm(val->color);
    } else if (a == VTERM_ATTR_UNDERLINE) {
        pen.attrs = std::uint16_t((pen.attrs & ~attr::UnderlineMask) |
                                  ((std::clamp(val->number, 0, 3) << attr::UnderlineShift) & attr::UnderlineMask));
    }
    penDirty |= !(before == pen);
    return 1;
}

int TerminalEmulator::Impl::setTermProp(VTermProp prop, VTermValue* val) {
    switch (prop) {
    case VTERM_PROP_CURSORVISIBLE:
        cursor.visible = val->boolean;
        markRow(cursor.row);
        break;
    case VTERM_PROP_CURSORBLINK: cursor.blinking = val->boolean; break;
    case VTERM_PROP_CURSORSHAPE:
        cursor.shape = val->number == VTERM_PROP_CURSORSHAPE_UNDERLINE ? Cursor::Shape::Underline
                       : val->number == VTERM_PROP_CURSORSHAPE_BAR_LEFT ? Cursor::Shape::Bar
                                                                        : Cursor::Shape::Block;
        markRow(cursor.row);
        break;
    case VTERM_PROP_ALTSCREEN: {
        const bool on = val->boolean != 0;
        if (on == altScreen)
            break;
        altScreen = on;
        if (on) {
            alternate.reset(primary.rows, primary.cols);
            active = &alternate;
        } else {
            active = &primary;
        }
        wrapCandidate = kNoRow;
        markAll();
        emit q->modesChanged();
        break;
    }
    case VTERM_PROP_REVERSE:
        reverse = val->boolean != 0;
        markAll();
        break;
    default: break; // titles come through our own OSC handling; mouse modes via the scanner
    }
    return 1;
}

void TerminalEmulator::Impl::cropGrid(Grid& g, int rows, int cols) {
    Grid n;
    n.reset(rows, cols);
    for (int r = 0; r < std::min(rows, g.rows); ++r) {
        std::copy_n(g.row(r), std::min(cols, g.cols), n.row(r));
        if (cols < g.cols && n.row(r)[cols - 1].width == 2)
            n.row(r)[cols - 1] = Cell{};
    }
    g = std::move(n);
}

int TerminalEmulator::Impl::resized(int rows, int cols, VTermPos& cursorPos) {
    rowsBeforeResize = primary.rows;
    if (altScreen) {
        cropGrid(alternate, rows, cols);
        VTermPos ignored{primary.rows - 1, 0};
        primaryRowShift = reflowPrimary(rows, cols, ignored);
    } else {
        primaryRowShift = reflowPrimary(rows, cols, cursorPos);
        alternate.reset(rows, cols);
    }
    wrapCandidate = kNoRow;
    markAll();
    damage.rows.assign(std::size_t(rows), 0);
    return 1;
}

// A row's line info goes where the row went: the alternate screen is cropped in place, the
// primary screen's rows moved by primaryRowShift. Rows re-cut to a new width, or refilled from
// the history, are single-width again.
void TerminalEmulator::Impl::moveLineInfo(int buffer, const VTermLineInfo* old, VTermLineInfo* fresh, int rows) const {
    const bool primaryBuffer = buffer == 0;
    if (!primaryBuffer && !altScreen)
        return; // the alternate screen starts blank next time
    if (primaryBuffer && !primaryRowShift)
        return;
    const int shift = primaryBuffer ? *primaryRowShift : 0;
    for (int r = 0; r < rows; ++r) {
        const int from = r - shift;
        if (from >= 0 && from < rowsBeforeResize)
            fresh[r] = old[from];
    }
}

// Rebuilds the primary screen at the new size. Logical lines (rows joined across wraps) are
// re-cut to the new width, history included; the cursor keeps its place in its line; rows
// that no longer fit go to the history, and rows freed at the top are refilled from it.
std::optional<int> TerminalEmulator::Impl::reflowPrimary(int rows, int cols, VTermPos& cursorPos) {
    Grid& g = primary;
    const bool rewrap = cols != g.cols;

    // The used part of the screen: up to the cursor or the last non-blank row.
    int used = std::clamp(cursorPos.row + 1, 0, g.rows);
    for (int r = g.rows - 1; r >= used; --r) {
        const Cell* row = g.row(r);
        if (std::any_of(row, row + g.cols, [](const Cell& c) { return !c.isBlank() || c.style != 0; })) {
            used = r + 1;
            break;
        }
    }

    struct Row {
        std::vector<Cell> cells;
        bool wrapped;
    };
    std::vector<Row> screen; // physical rows at the new width, oldest first
    int cursorRow = 0, cursorCol = 0;

    auto trimmed = [](std::vector<Cell>& cells) {
        while (!cells.empty() && cells.back().isBlank() && cells.back().style == 0)
            cells.pop_back();
    };

    if (rewrap) {
        // A logical line may start in the history and continue on the screen: take the
        // history's trailing wrapped rows back so the line is re-cut as one.
        std::vector<std::vector<Cell>> carried;
        {
            std::vector<Cell> cells;
            bool wrapped = false;
            while (history.size() > 0 && history.wrapped(history.size() - 1)) {
                history.popNewest(cells, wrapped);
                carried.insert(carried.begin(), cells);
            }
        }
        // The newest history rows are re-wrapped now, the rest in slices (see History).
        history.beginReflow(cols, kImmediateReflowRows + std::size_t(rows));
        if (history.reflowing())
            reflowTimer.start();
        std::vector<Cell> line;
        for (auto& c : carried)
            appendToLogicalLine(line, c);
        std::size_t cursorOffset = 0;
        bool cursorInLine = false;
        for (int r = 0; r < used; ++r) {
            if (r == cursorPos.row) {
                cursorOffset = line.size() + std::size_t(std::clamp(cursorPos.col, 0, g.cols - 1));
                cursorInLine = true;
            }
            const Cell* row = g.row(r);
            std::vector<Cell> rowCells(row, row + g.cols);
            const bool wraps = g.wrapped[std::size_t(r)] != 0 && r + 1 < used;
            if (!wraps)
                trimmed(rowCells);
            appendToLogicalLine(line, rowCells);
            if (wraps)
                continue;
            std::vector<std::size_t> starts;
            const std::size_t first = screen.size();
            cutLogicalLine(line, cols, [&](std::vector<Cell>&& rowOut, bool wrapped, std::size_t start) {
                screen.push_back({std::move(rowOut), wrapped});
                starts.push_back(start);
            });
            if (cursorInLine) {
                // The cursor keeps its offset in the line; right after text that fills the
                // last row exactly it moves to a fresh row, where the next glyph would go.
                std::size_t k = starts.size() - 1;
                while (k > 0 && starts[k] > cursorOffset)
                    --k;
                std::size_t col = cursorOffset - starts[k];
                if (col >= std::size_t(cols) && cursorOffset == line.size()) {
                    screen.push_back({{}, false});
                    ++k;
                    col = 0;
                }
                cursorRow = int(first + k);
                cursorCol = int(std::min(col, std::size_t(cols - 1)));
                cursorInLine = false;
            }
            line.clear();
        }
        if (used == 0) {
            cursorRow = 0;
            cursorCol = std::clamp(cursorPos.col, 0, cols - 1);
        }
    } else {
        for (int r = 0; r < used; ++r) {
            const Cell* row = g.row(r);
            screen.push_back({std::vector<Cell>(row, row + g.cols), g.wrapped[std::size_t(r)] != 0});
        }
        cursorRow = std::clamp(cursorPos.row, 0, std::max(used - 1, 0));
        cursorCol = std::clamp(cursorPos.col, 0, cols - 1);
    }

    // Rows beyond the new height go to the history, keeping the cursor on screen.
    int first = std::max(0, int(screen.size()) - rows);
    first = std::min(first, cursorRow);
    for (int r = 0; r < first; ++r)
        pushHistory(screen[std::size_t(r)].cells.data(), int(screen[std::size_t(r)].cells.size()),
                    screen[std::size_t(r)].wrapped);
    // Free rows at the top are refilled from the history.
    std::vector<Row> refill;
    const int visible = std::min(int(screen.size()) - first, rows);
    int room = rows - visible;
    while (room > 0 && history.size() > 0) {
        Row row;
        history.popNewest(row.cells, row.wrapped);
        refill.insert(refill.begin(), std::move(row));
        --pushed;
        --room;
    }

    Grid n;
    n.reset(rows, cols);
    int r = 0;
    auto place = [&](const Row& row) {
        std::copy_n(row.cells.begin(), std::min<std::size_t>(row.cells.size(), std::size_t(cols)), n.row(r));
        n.wrapped[std::size_t(r)] = row.wrapped ? 1 : 0;
        ++r;
    };
    for (const Row& row : refill)
        place(row);
    for (int k = first; k < first + visible; ++k)
        place(screen[std::size_t(k)]);
    g = std::move(n);
    cursorPos.row = std::clamp(cursorRow - first + int(refill.size()), 0, rows - 1);
    cursorPos.col = std::clamp(cursorCol, 0, cols - 1);
    if (rewrap)
        return std::nullopt;
    return int(refill.size()) - first; // screen row k was row k before
}

// libvterm 0.1 re-delivers the whole combining cluster for every mark that arrives in a later
// write, which is quadratic; once the cell is full, marks at the start of a write are dropped
// here instead (they would be dropped from the cell anyway).
void TerminalEmulator::Impl::skipSaturatedMarks(const char*& bytes, std::size_t& length) {
    while (clusterSaturated && length >= 2) {
        const auto b0 = static_cast<unsigned char>(bytes[0]);
        std::size_t n = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 1;
        if (n == 1 || length < n)
            return;
        const QString s = QString::fromUtf8(bytes, qsizetype(n));
        const char32_t u = s.size() == 2 ? QChar::surrogateToUcs4(s[0], s[1]) : s.size() == 1 ? s[0].unicode() : 0;
        if (!QChar::isMark(u) && u != 0x200d && !(u >= 0xfe00 && u <= 0xfe0f))
            return;
        bytes += n;
        length -= n;
    }
}

void TerminalEmulator::Impl::operatingSystemCommand(std::string_view payload) {
    const auto semicolon = payload.find(';');
    const std::string_view command = payload.substr(0, semicolon);
    const std::string_view rest = semicolon == std::string_view::npos ? std::string_view() : payload.substr(semicolon + 1);

    if (command == "0" || command == "2") {
        const QString t = sanitisedTitle(rest);
        if (t != title) {
            title = t;
            emit q->titleChanged(title);
        }
    } else if (command == "7") {
        // OSC 7: "file://host/path", percent-encoded (as sent by VTE's shell integration).
        const QUrl url(QString::fromUtf8(rest.data(), qsizetype(rest.size())), QUrl::StrictMode);
        if (url.isValid() && url.scheme() == QLatin1String("file")) {
            const QString path = url.path();
            if (!path.isEmpty() && path != cwd && path.size() <= 4096) {
                cwd = path;
                emit q->workingDirectoryChanged(cwd);
            }
        }
    } else if (command == "8") {
        // OSC 8 ; params ; URI — an empty URI ends the link.
        const auto sep = rest.find(';');
        if (sep == std::string_view::npos)
            return;
        const std::string_view uri = rest.substr(sep + 1);
        std::uint16_t id = 0;
        const bool printable = std::all_of(uri.begin(), uri.end(), [](char c) { return c > 0x20 && c < 0x7f; });
        if (!uri.empty() && uri.size() <= kMaxLinkBytes && printable) {
            const std::string key(uri);
            if (auto it = linkIds.find(key); it != linkIds.end()) {
                id = it->second;
            } else if (links.size() < kMaxLinks) {
                id = std::uint16_t(links.size());
                links.push_back(key);
                linkIds.emplace(key, id);
            }
        }
        pen.link = id;
        penDirty = true;
    } else if (command == "52") {
        // OSC 52 ; targets ; base64 — "?" asks us to send the clipboard: never answered.
        const auto sep = rest.find(';');
        if (sep == std::string_view::npos || !options.clipboardWriteAllowed)
            return;
        const std::string_view targets = rest.substr(0, sep);
        const std::string_view data = rest.substr(sep + 1);
        if (data == "?" || targets.size() > 16)
            return;
        if (!std::all_of(targets.begin(), targets.end(), [](char c) { return std::strchr("cpqs01234567", c) && c; }))
            return;
        auto decoded = QByteArray::fromBase64Encoding(QByteArray(data.data(), qsizetype(data.size())),
                                                      QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || std::size_t(decoded.decoded.size()) > options.clipboardWriteLimit)
            return;
        emit q->clipboardWriteRequested(targets.empty() ? QStringLiteral("s0") : QString::fromLatin1(targets.data(), qsizetype(targets.size())),
                                        decoded.decoded);
    } else {
        // Colours: OSC 4/10/11/12 (set or "?" query) and 104/110/111/112 (reset). The reply is
        // our colour in xterm's form, ended as the query was.
        const auto outcome = colors.apply(command, rest, scanner.stringEndedWithBel() ? "\a" : "\x1b\\");
        if (outcome.changed) {
            markAll();
            emit q->colorsChanged();
        }
        if (!outcome.reply.empty())
            emit q->replyBytes(QByteArray::fromStdString(outcome.reply));
    }
    // Everything else (OSC 52 reads among them) is not answered.
}

// ---------------------------------------------------------------------------------------------

TerminalEmulator::TerminalEmulator(int rows, int columns, Options options, QObject* parent)
    : QObject(parent), d(std::make_unique<Impl>(this, options)) {
    rows = std::max(rows, 1);
    columns = std::max(columns, 1);
    d->primary.reset(rows, columns);
    d->alternate.reset(rows, columns);
    d->damage.rows.assign(std::size_t(rows), 0);
    d->vt = vterm_compat::newVTerm(rows, columns);
    vterm_set_utf8(d->vt, 1);
    vterm_output_set_callback(
        d->vt,
        [](const char* s, size_t len, void* user) {
            emit static_cast<TerminalEmulator*>(user)->replyBytes(QByteArray(s, qsizetype(len)));
        },
        this);
    d->reflowTimer.setInterval(0);
    connect(&d->reflowTimer, &QTimer::timeout, this, [this] {
        if (d->history.reflowStep(std::chrono::steady_clock::now() + kReflowSlice))
            d->reflowTimer.stop();
        d->markAll();
        emit historyReflowed();
    });
    d->state = vterm_obtain_state(d->vt);
    vterm_state_set_callbacks(d->state, &Impl::stateCallbacks(), d.get());
    // Sequences libvterm does not handle are dropped, none answered: CSI t window reports (the
    // title report, CSI 21 t, among them) would echo text the host chose.
    vterm_state_set_unrecognised_fallbacks(d->state, &vterm_compat::ignoringFallbacks(), d.get());
    vterm_state_reset(d->state, 1);
    d->updateOscLimit();
    d->scanner.setTextRuns(options.directText);
    d->scanner.setScreenSize(rows, columns);
    d->refreshPen();
}

TerminalEmulator::~TerminalEmulator() { vterm_free(d->vt); }

void TerminalEmulator::feed(const char* bytes, std::size_t length) {
    d->skipSaturatedMarks(bytes, length);
    // libvterm 0.1 decodes each write's text into an array on the stack (4 bytes a byte): a
    // write of a few MB overflows it. Slices are what a network split would give us anyway.
    while (length > 0) {
        const std::size_t slice = std::min(length, kMaxVTermWrite);
        d->scanner.feed(bytes, slice);
        bytes += slice;
        length -= slice;
    }
}

void TerminalEmulator::resize(int rows, int columns) {
    rows = std::clamp(rows, 1, 10000);
    columns = std::clamp(columns, 1, 10000);
    if (rows == d->primary.rows && columns == d->primary.cols)
        return;
    vterm_set_size(d->vt, rows, columns); // calls Impl::resized through the state layer
    d->scanner.setScreenSize(rows, columns);
    VTermPos pos;
    vterm_state_get_cursorpos(d->state, &pos);
    // libvterm keeps the old margins, top/bottom (DECSTBM) and left/right (DECSLRM), which may
    // now lie beyond the screen (0.1 then moves memory with a negative size, and under DECOM a
    // cursor move lands on the edge). xterm resets both on resize (screen.c ScreenResize:
    // resetMargins); so do we, and put the cursor back where DECSTBM's homing took it from.
    // libvterm takes CSI s as DECSLRM whether or not DECLRMM is set (it has no SCOSC), so the
    // empty one resets the left/right margins in either mode. The scanner holds back incomplete
    // sequences, so libvterm's parser is between sequences here.
    const QByteArray reset =
        "\x1b[r\x1b[s\x1b[" + QByteArray::number(pos.row + 1) + ';' + QByteArray::number(pos.col + 1) + 'H';
    vterm_input_write(d->vt, reset.constData(), std::size_t(reset.size()));
    vterm_state_get_cursorpos(d->state, &pos);
    d->cursor.row = std::clamp(pos.row, 0, rows - 1);
    d->cursor.column = std::clamp(pos.col, 0, columns - 1);
}

void TerminalEmulator::setScrollbackLines(std::size_t lines) {
    d->options.scrollbackLines = lines;
    d->history.setCapacity(lines);
    d->markAll();
}

void TerminalEmulator::setClipboardWrite(bool allowed, std::size_t limit) {
    d->options.clipboardWriteAllowed = allowed;
    d->options.clipboardWriteLimit = limit;
    d->updateOscLimit();
}

bool TerminalEmulator::reflowPending() const { return d->history.reflowing(); }
int TerminalEmulator::historyRowsReflowed() const { return int(d->history.newestRowsAtWidth()); }

void TerminalEmulator::finishReflow() {
    if (!d->history.reflowing())
        return;
    d->history.finishReflow();
    d->reflowTimer.stop();
    d->markAll();
    emit historyReflowed();
}

int TerminalEmulator::rows() const { return d->active->rows; }
int TerminalEmulator::columns() const { return d->active->cols; }
int TerminalEmulator::historySize() const { return int(d->history.size()); }
std::uint64_t TerminalEmulator::historyPushed() const { return d->pushed; }
std::size_t TerminalEmulator::historyMemoryBytes() const { return d->history.memoryBytes(); }

std::span<const Cell> TerminalEmulator::line(int row, std::vector<Cell>& scratch) const {
    if (row >= 0 && row < d->active->rows)
        return {d->active->row(row), std::size_t(d->active->cols)};
    const int index = int(d->history.size()) + row;
    if (row < 0 && index >= 0) {
        d->history.line(std::size_t(index), scratch);
        return scratch;
    }
    scratch.clear();
    return scratch;
}

bool TerminalEmulator::isWrapped(int row) const {
    if (row >= 0 && row < d->active->rows)
        return d->active->wrapped[std::size_t(row)] != 0;
    const int index = int(d->history.size()) + row;
    return row < 0 && index >= 0 && d->history.wrapped(std::size_t(index));
}

void TerminalEmulator::appendCellText(const Cell& cell, QString& out) const {
    if (cell.width == 0 || cell.reserved == kWrapPadding)
        return;
    if (cell.isCluster()) {
        for (char32_t c : d->clusters.at(cell.ch))
            out.append(QString::fromUcs4(&c, 1));
        return;
    }
    const char32_t c = cell.ch == 0 ? U' ' : cell.ch;
    if (c < 0x10000)
        out.append(QChar(char16_t(c)));
    else
        out.append(QString::fromUcs4(&c, 1));
}

QString TerminalEmulator::cellText(const Cell& cell) const {
    QString s;
    appendCellText(cell, s);
    return s;
}

QString TerminalEmulator::text(int row) const {
    std::vector<Cell> scratch;
    QString s;
    for (const Cell& c : line(row, scratch))
        appendCellText(c, s);
    while (s.endsWith(QLatin1Char(' ')))
        s.chop(1);
    return s;
}

const Style& TerminalEmulator::style(std::uint16_t id) const { return d->styles.at(id); }

QString TerminalEmulator::hyperlink(std::uint16_t link) const {
    return link < d->links.size() ? QString::fromStdString(d->links[link]) : QString();
}

TerminalEmulator::Cursor TerminalEmulator::cursor() const { return d->cursor; }

TerminalModes TerminalEmulator::modes() const {
    TerminalModes m = d->scanner.modes();
    m.alternateScreen = d->altScreen;
    return m;
}

bool TerminalEmulator::reverseVideo() const { return d->reverse; }

void TerminalEmulator::setBaseColors(const TerminalColors& colors) {
    const TerminalColors before = d->colors.effective();
    d->colors.setBase(colors);
    if (!(before == d->colors.effective())) {
        d->markAll();
        emit colorsChanged();
    }
}

const TerminalColors& TerminalEmulator::colors() const { return d->colors.effective(); }
QString TerminalEmulator::title() const { return d->title; }
QString TerminalEmulator::workingDirectory() const { return d->cwd; }

const TerminalEmulator::Damage& TerminalEmulator::damage() const { return d->damage; }
void TerminalEmulator::clearDamage() { d->resetDamage(); }

QByteArray TerminalEmulator::focusReport(bool focused) const {
    if (!d->scanner.modes().focusEvents)
        return {};
    return focused ? QByteArrayLiteral("\x1b[I") : QByteArrayLiteral("\x1b[O");
}

} // namespace portal::terminal
