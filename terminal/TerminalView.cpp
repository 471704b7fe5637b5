// TerminalView: see TerminalView.h. Key and mouse encodings come from InputEncoder (xterm
// ctlseqs); this file is painting, selection, search, scrolling and the glue to Qt's events.
#include "TerminalView.h"

#include "InputEncoder.h"
#include "Scrollback.h"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QFontDatabase>
#include <QFontMetricsF>
#include <QInputMethodEvent>
#include <QKeyEvent>
#include <QMessageBox>
#include <QMouseEvent>
#include <QMetaMethod>
#include <QPainter>
#include <QPainterPath>
#include <QScreen>
#include <QScrollBar>
#include <QStyleHints>
#include <QTimerEvent>
#include <QWheelEvent>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

namespace portal::terminal {
namespace {

constexpr int kRegular = 0, kBold = 1, kItalic = 2;
constexpr qsizetype kCachedRunLength = 16;
// find() searches this long before returning; the rest of a long history in the background.
constexpr auto kFirstSearchSlice = std::chrono::milliseconds(10);

// Box drawing (U+2500..U+257F) is drawn, not taken from the font, so lines join across cells at
// any size and scale. The solid lines: weights for left, right, up, down; 1 light, 2 heavy,
// 3 double; zero for the dashed and diagonal lines, which have tables of their own below.
// Rounded corners (U+256D..U+2570) name the arms a quarter arc joins.
// Read off the characters' Unicode names ("DOWN LIGHT AND RIGHT HEAVY" is {0, 2, 0, 1}).
struct BoxLines {
    std::uint8_t left, right, up, down;
};
constexpr BoxLines kBoxLines[128] = {
    {1, 1, 0, 0}, {2, 2, 0, 0}, {0, 0, 1, 1}, {0, 0, 2, 2}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0},  // U+2500
    {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 1, 0, 1}, {0, 2, 0, 1}, {0, 1, 0, 2}, {0, 2, 0, 2},  // U+2508
    {1, 0, 0, 1}, {2, 0, 0, 1}, {1, 0, 0, 2}, {2, 0, 0, 2}, {0, 1, 1, 0}, {0, 2, 1, 0}, {0, 1, 2, 0}, {0, 2, 2, 0},  // U+2510
    {1, 0, 1, 0}, {2, 0, 1, 0}, {1, 0, 2, 0}, {2, 0, 2, 0}, {0, 1, 1, 1}, {0, 2, 1, 1}, {0, 1, 2, 1}, {0, 1, 1, 2},  // U+2518
    {0, 1, 2, 2}, {0, 2, 2, 1}, {0, 2, 1, 2}, {0, 2, 2, 2}, {1, 0, 1, 1}, {2, 0, 1, 1}, {1, 0, 2, 1}, {1, 0, 1, 2},  // U+2520
    {1, 0, 2, 2}, {2, 0, 2, 1}, {2, 0, 1, 2}, {2, 0, 2, 2}, {1, 1, 0, 1}, {2, 1, 0, 1}, {1, 2, 0, 1}, {2, 2, 0, 1},  // U+2528
    {1, 1, 0, 2}, {2, 1, 0, 2}, {1, 2, 0, 2}, {2, 2, 0, 2}, {1, 1, 1, 0}, {2, 1, 1, 0}, {1, 2, 1, 0}, {2, 2, 1, 0},  // U+2530
    {1, 1, 2, 0}, {2, 1, 2, 0}, {1, 2, 2, 0}, {2, 2, 2, 0}, {1, 1, 1, 1}, {2, 1, 1, 1}, {1, 2, 1, 1}, {2, 2, 1, 1},  // U+2538
    {1, 1, 2, 1}, {1, 1, 1, 2}, {1, 1, 2, 2}, {2, 1, 2, 1}, {1, 2, 2, 1}, {2, 1, 1, 2}, {1, 2, 1, 2}, {2, 2, 2, 1},  // U+2540
    {2, 2, 1, 2}, {2, 1, 2, 2}, {1, 2, 2, 2}, {2, 2, 2, 2}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0},  // U+2548
    {3, 3, 0, 0}, {0, 0, 3, 3}, {0, 3, 0, 1}, {0, 1, 0, 3}, {0, 3, 0, 3}, {3, 0, 0, 1}, {1, 0, 0, 3}, {3, 0, 0, 3},  // U+2550
    {0, 3, 1, 0}, {0, 1, 3, 0}, {0, 3, 3, 0}, {3, 0, 1, 0}, {1, 0, 3, 0}, {3, 0, 3, 0}, {0, 3, 1, 1}, {0, 1, 3, 3},  // U+2558
    {0, 3, 3, 3}, {3, 0, 1, 1}, {1, 0, 3, 3}, {3, 0, 3, 3}, {3, 3, 0, 1}, {1, 1, 0, 3}, {3, 3, 0, 3}, {3, 3, 1, 0},  // U+2560
    {1, 1, 3, 0}, {3, 3, 3, 0}, {3, 3, 1, 1}, {1, 1, 3, 3}, {3, 3, 3, 3}, {0, 1, 0, 1}, {1, 0, 0, 1}, {1, 0, 1, 0},  // U+2568
    {0, 1, 1, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 0, 0}, {0, 0, 1, 0}, {0, 1, 0, 0}, {0, 0, 0, 1},  // U+2570
    {2, 0, 0, 0}, {0, 0, 2, 0}, {0, 2, 0, 0}, {0, 0, 0, 2}, {1, 2, 0, 0}, {0, 0, 1, 2}, {2, 1, 0, 0}, {0, 0, 2, 1},  // U+2578
};

const BoxLines* boxLines(char32_t ch) {
    if (ch < 0x2500 || ch > 0x257F)
        return nullptr;
    const BoxLines& b = kBoxLines[ch - 0x2500];
    return (b.left | b.right | b.up | b.down) ? &b : nullptr;
}

bool isRoundedCorner(char32_t ch) {
    return ch >= 0x256D && ch <= 0x2570;
}

// Dashed lines: the solid line of the weight cut into `dashes` dashes per cell.
struct DashedLine {
    char32_t ch;
    std::uint8_t weight, dashes;
    bool horizontal;
};
constexpr DashedLine kDashedLines[] = {
    {0x2504, 1, 3, true},  {0x2505, 2, 3, true},  {0x2506, 1, 3, false}, {0x2507, 2, 3, false}, // triple dash
    {0x2508, 1, 4, true},  {0x2509, 2, 4, true},  {0x250A, 1, 4, false}, {0x250B, 2, 4, false}, // quadruple dash
    {0x254C, 1, 2, true},  {0x254D, 2, 2, true},  {0x254E, 1, 2, false}, {0x254F, 2, 2, false}, // double dash
};

const DashedLine* dashedLine(char32_t ch) {
    const auto* found = std::find_if(std::begin(kDashedLines), std::end(kDashedLines),
                                     [ch](const DashedLine& d) { return d.ch == ch; });
    return found == std::end(kDashedLines) ? nullptr : found;
}

// Diagonals run corner to corner (U+2571 rising, U+2572 falling, U+2573 both), so that a
// staircase of them is one straight line.
struct Diagonals {
    bool rising, falling;
};
constexpr Diagonals diagonals(char32_t ch) {
    return {ch == 0x2571 || ch == 0x2573, ch == 0x2572 || ch == 0x2573};
}

// The strands of one line (two for a double line), as offsets of their near edge from the
// cell's centre line.
struct Strands {
    double first = 0, second = 0, width = 0;
    bool doubled = false;
    double low() const { return first; }
    double high() const { return (doubled ? second : first) + width; }
};

// Where a cell's lines lie. Lines are whole device pixels thick and start on a device pixel, so
// they stay sharp at any font size and scale factor (a line centred on a half pixel would blur
// or grow by one).
struct BoxGrid {
    double dpr, light, cx, cy;
    BoxGrid(const QPainter& p, const QRectF& r)
        : dpr(p.device() ? p.device()->devicePixelRatioF() : 1.0),
          light(std::max(1.0, std::round(r.height() * dpr / 16.0)) / dpr),
          cx(std::floor(r.center().x() * dpr) / dpr), cy(std::floor(r.center().y() * dpr) / dpr) {}
    double snap(double v) const { return std::floor(v * dpr + 0.5) / dpr; } // a 1-pixel line covers the centre pixel
    // A line of the given weight (1 light, 2 heavy, 3 double); all its strands are `width` thick.
    Strands strands(int weight) const {
        Strands s;
        s.width = weight == 2 ? 2 * light : light;
        s.doubled = weight == 3;
        s.first = snap((s.doubled ? -light : 0) - s.width / 2);
        s.second = snap(light - s.width / 2);
        return s;
    }
};

// Solid lines from the centre to the edges, closed at the junction.
void drawSolidLines(QPainter& p, const BoxLines& b, const BoxGrid& g, const QRectF& r, const QColor& color) {
    // Where an arm ends at the centre. Each strand of an arm meets the perpendicular arms so
    // that corners and tees close without a gap or a nub: a strand on the side of a
    // perpendicular arm joins that arm's nearer strand (the inner corner of ╬, ╠, ╟); otherwise
    // it reaches the far edge of the perpendicular strands (the outer corner of ╔, or ┌). A
    // single line that goes straight on (─ through ║ in ╫) crosses the whole junction.
    const Strands left = g.strands(b.left), right = g.strands(b.right), up = g.strands(b.up), down = g.strands(b.down);
    auto nearStrand = [](const Strands& s, bool secondStrand) { return secondStrand && s.doubled ? s.second : s.first; };
    // `sideA`/`sideB`: the perpendicular arms on the side of the arm's first strand (above a
    // horizontal arm, left of a vertical one) and of its second. `towardsEnd`: the arm runs
    // from the centre to the right or bottom edge. Returns the offset from the centre line at
    // which the strand stops.
    auto meet = [&](const Strands& own, bool straightOn, int sideAWeight, const Strands& sideA, int sideBWeight,
                    const Strands& sideB, bool secondStrand, bool towardsEnd) {
        const int innerWeight = secondStrand ? sideBWeight : sideAWeight;
        const int outerWeight = secondStrand ? sideAWeight : sideBWeight;
        const Strands& inner = secondStrand ? sideB : sideA;
        const Strands& outer = secondStrand ? sideA : sideB;
        // Inner corner: meet the perpendicular arm's strand on our side of the centre.
        if (innerWeight && !(own.doubled == false && straightOn))
            return towardsEnd ? nearStrand(inner, true) : nearStrand(inner, false) + inner.width;
        if (!innerWeight && !outerWeight)
            return 0.0;
        const Strands& far = innerWeight >= outerWeight ? inner : outer;
        return towardsEnd ? far.low() : far.high();
    };
    auto drawArm = [&](int weight, const Strands& own, bool horizontal, bool towardsEnd, bool straightOn, int aWeight,
                       const Strands& a, int bWeight, const Strands& bStrands) {
        if (!weight)
            return;
        for (int k = 0; k < (own.doubled ? 2 : 1); ++k) {
            const double offset = k ? own.second : own.first;
            const double stop = meet(own, straightOn, aWeight, a, bWeight, bStrands, k == 1, towardsEnd);
            const double centre = horizontal ? g.cx : g.cy;
            // QRectF's right() and bottom() are the far edges already: a line ends on the
            // cell's boundary and meets the next cell's line without spilling into it.
            const double edge = horizontal ? (towardsEnd ? r.right() : r.left()) : (towardsEnd ? r.bottom() : r.top());
            const double from = std::min(centre + stop, edge), to = std::max(centre + stop, edge);
            if (horizontal)
                p.fillRect(QRectF(from, g.cy + offset, to - from, own.width), color);
            else
                p.fillRect(QRectF(g.cx + offset, from, own.width, to - from), color);
        }
    };
    // Horizontal arms: strand 0 is the upper one (side A = up), strand 1 the lower (side B = down).
    drawArm(b.left, left, true, false, b.right != 0, b.up, up, b.down, down);
    drawArm(b.right, right, true, true, b.left != 0, b.up, up, b.down, down);
    // Vertical arms: strand 0 is the left one (side A = left), strand 1 the right (side B = right).
    drawArm(b.up, up, false, false, b.down != 0, b.left, left, b.right, right);
    drawArm(b.down, down, false, true, b.up != 0, b.left, left, b.right, right);
}

// ╭╮╯╰: a quarter circle joining the centres of the light │ and ─ it stands for, stroked as
// thick as they are. The radius leaves each arm at least one device pixel straight at the
// cell's edge, so the next cell's line meets whole pixels of the same rows or columns rather
// than the anti-aliased fringe of the arc; it is the same for all four corners, so a box is
// symmetric even where the centre line is a pixel nearer one edge than the other.
void drawRoundedCorner(QPainter& p, const BoxLines& b, const BoxGrid& g, const QRectF& r, const QColor& color) {
    const Strands light = g.strands(1);
    const double x = g.cx + light.first + light.width / 2, y = g.cy + light.first + light.width / 2;
    const double sx = b.right ? 1 : -1, sy = b.down ? 1 : -1;
    const QPointF verticalEnd(x, b.down ? r.bottom() : r.top()), horizontalEnd(b.right ? r.right() : r.left(), y);
    const double radius = std::max(0.0, std::min({x - r.left(), r.right() - x, y - r.top(), r.bottom() - y}) - 1 / g.dpr);
    const QPointF centre(x + sx * radius, y + sy * radius);
    QPainterPath path(verticalEnd);
    path.lineTo(x, centre.y());
    // Qt's angles run counter-clockwise from three o'clock; the arc starts on the circle's side
    // towards the vertical arm and turns a quarter towards the horizontal one.
    path.arcTo(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius), sx > 0 ? 180 : 0,
               sx * sy > 0 ? -90 : 90);
    path.lineTo(horizontalEnd);
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    p.strokePath(path, QPen(color, light.width, Qt::SolidLine, Qt::FlatCap, Qt::RoundJoin));
    p.restore();
}

// The solid line's strands cut into dashes in whole device pixels: the cell's length is split
// into equal segments of dash and gap, with half a gap at each end, so the gap between two
// cells is as wide as the gaps inside one.
void drawDashedLine(QPainter& p, const DashedLine& d, const BoxGrid& g, const QRectF& r, const QColor& color) {
    const Strands s = g.strands(d.weight);
    const double from = std::round((d.horizontal ? r.left() : r.top()) * g.dpr);
    const double to = std::round((d.horizontal ? r.right() : r.bottom()) * g.dpr);
    const double segment = (to - from) / d.dashes;
    const double gap = std::max(1.0, std::round(segment / 3)), lead = std::floor(gap / 2);
    for (int i = 0; i < d.dashes; ++i) {
        const double start = (from + std::round(i * segment) + lead) / g.dpr;
        const double end = (from + std::round((i + 1) * segment) - (gap - lead)) / g.dpr;
        if (end <= start)
            continue;
        if (d.horizontal)
            p.fillRect(QRectF(start, g.cy + s.first, end - start, s.width), color);
        else
            p.fillRect(QRectF(g.cx + s.first, start, s.width, end - start), color);
    }
}

// Each diagonal is the line through two opposite corners, stroked as thick as a light line,
// drawn past the corners and clipped to the cell's row: its ends are cut along the row's edges
// exactly where the diagonal of the next row carries on. Near a corner the stroke's width
// reaches a little into the cells beside this one; that part is drawn too (rows are always
// painted whole, so it is never left stale), or the line would pinch to a point at every join.
void drawDiagonals(QPainter& p, Diagonals d, const BoxGrid& g, const QRectF& r, const QColor& color) {
    const QPointF rise(r.width(), -r.height()), fall(r.width(), r.height());
    p.save();
    p.setClipRect(QRectF(r.left() - r.width(), r.top(), 3 * r.width(), r.height()), Qt::IntersectClip);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(color, g.light, Qt::SolidLine, Qt::FlatCap));
    if (d.rising)
        p.drawLine(QLineF(r.bottomLeft() - rise, r.topRight() + rise));
    if (d.falling)
        p.drawLine(QLineF(r.topLeft() - fall, r.bottomRight() + fall));
    p.restore();
}

// Block elements and shades (U+2580..U+2593): fills of the cell's eighths or halves, and of
// the whole cell at a quarter, half or three quarters of the colour.
void fillBlockElement(QPainter& p, char32_t ch, const QRectF& r, const QColor& color) {
    QRectF fill = r;
    QColor c = color;
    switch (ch) {
    case 0x2580: fill.setHeight(r.height() / 2); break;
    case 0x2584: fill.setTop(r.top() + r.height() / 2); break;
    case 0x2588: break;
    case 0x258C: fill.setWidth(r.width() / 2); break;
    case 0x2590: fill.setLeft(r.left() + r.width() / 2); break;
    case 0x2591: c.setAlphaF(0.25f); break;
    case 0x2592: c.setAlphaF(0.5f); break;
    case 0x2593: c.setAlphaF(0.75f); break;
    default:
        if (ch > 0x2580 && ch < 0x2588) // lower n/8 blocks
            fill.setTop(r.bottom() - r.height() * double(ch - 0x2580) / 8.0);
        else if (ch > 0x2588 && ch < 0x2590) // left n/8 blocks
            fill.setWidth(r.width() * double(0x2590 - ch) / 8.0);
    }
    p.fillRect(fill, c);
}

// A row's cells that hold text: all but the blank a wide glyph left when it wrapped early.
template <class Cells>
std::int64_t cellsOfText(const Cells& cells) {
    return std::int64_t(cells.size()) - (!cells.empty() && cells.back().reserved == kWrapPadding ? 1 : 0);
}

// Wide pictographs (Unicode emoji presentation ranges) are drawn with the emoji font.
bool isEmojiCodePoint(char32_t ch) {
    return (ch >= 0x1F300 && ch <= 0x1FAFF) || (ch >= 0x2600 && ch <= 0x27BF) || (ch >= 0x1F000 && ch <= 0x1F2FF);
}

// All box drawing, and the block elements up to the shades (U+2580..U+2593).
bool isDrawnGlyph(char32_t ch) {
    return ch >= 0x2500 && ch <= 0x2593;
}

QColor mix(const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

// Schemes a Ctrl+click may open; anything else (javascript:, custom handlers) is refused.
bool isOpenableScheme(const QUrl& url) {
    static const QStringList schemes{"http", "https", "ftp", "file", "mailto"};
    return url.isValid() && schemes.contains(url.scheme().toLower());
}

} // namespace

struct TerminalView::RowText {
    QString text;
    std::vector<int> column; // column of each UTF-16 unit of text
    int columnToIndex(int col) const {
        for (int i = 0; i < int(column.size()); ++i)
            if (column[std::size_t(i)] >= col)
                return i;
        return int(text.size());
    }
};

TerminalView::TerminalView(QWidget* parent)
    : QAbstractScrollArea(parent), emulator_(std::make_unique<TerminalEmulator>(24, 80)),
      searcher_(std::make_unique<TerminalSearch>(*emulator_)), baseScheme_(ColorScheme::named(QString())),
      scheme_(baseScheme_) {
    setAttribute(Qt::WA_InputMethodEnabled, true);
    setAttribute(Qt::WA_KeyCompression, false);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent, true);
    viewport()->setCursor(Qt::IBeamCursor);
    viewport()->setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);

    connect(emulator_.get(), &TerminalEmulator::replyBytes, this, &TerminalView::sendBytes);
    connect(emulator_.get(), &TerminalEmulator::titleChanged, this, &TerminalView::titleChanged);
    connect(emulator_.get(), &TerminalEmulator::workingDirectoryChanged, this, &TerminalView::workingDirectoryChanged);
    connect(emulator_.get(), &TerminalEmulator::bell, this, &TerminalView::bell);
    connect(emulator_.get(), &TerminalEmulator::colorsChanged, this, &TerminalView::applyColors);
    connect(searcher_.get(), &TerminalSearch::progressed, this, &TerminalView::searchProgressed);
    connect(emulator_.get(), &TerminalEmulator::historyReflowed, this, [this] {
        // Rows count from the newest, so a viewport below the re-wrapped part stays put.
        scrollOffset_ = std::min(scrollOffset_, emulator_->historySize());
        if (scrollOffset_ > 0)
            scrolledSinceFrame_ = true;
        scheduleFrame();
    });
    connect(emulator_.get(), &TerminalEmulator::historyErased, this, &TerminalView::historyShrank);
    connect(emulator_.get(), &TerminalEmulator::clipboardWriteRequested, this,
            [](const QString& selection, const QByteArray& data) {
                const bool primary = selection.contains(QLatin1Char('p')) || selection.contains(QLatin1Char('s'));
                QClipboard* clipboard = QGuiApplication::clipboard();
                const QString text = QString::fromUtf8(data);
                if (selection.contains(QLatin1Char('c')) || !clipboard->supportsSelection())
                    clipboard->setText(text, QClipboard::Clipboard);
                if (primary && clipboard->supportsSelection())
                    clipboard->setText(text, QClipboard::Selection);
            });

    emulator_->setBaseColors(baseScheme_.terminalColors());
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setStyleHint(QFont::Monospace);
    setTerminalFont(font);
    setCursorBlinking(true);
}

TerminalView::~TerminalView() = default;

// ---------------------------------------------------------------------------------------------
// Output and frames

void TerminalView::receive(const QByteArray& bytes) {
    emulator_->feed(bytes);
    // A user who scrolled up keeps seeing the same text while output pushes lines into the
    // history (done here, not at the next frame, so positions are right between frames).
    const std::uint64_t pushed = emulator_->historyPushed();
    const auto newLines = std::int64_t(pushed) - std::int64_t(seenPushed_);
    seenPushed_ = pushed;
    if (newLines != 0)
        scrolledSinceFrame_ = true;
    if (scrollOffset_ > 0 && newLines > 0)
        scrollOffset_ = int(std::min<std::int64_t>(scrollOffset_ + newLines, emulator_->historySize()));
    scrollOffset_ = std::min(scrollOffset_, emulator_->historySize());
    searcher_->outputArrived();
    scheduleFrame();
}

void TerminalView::scheduleFrame() {
    if (frameTimer_.isActive())
        return;
    // One repaint per display frame however fast data arrives; when painting a frame takes
    // longer than that (a slow machine, a huge window), frames are spaced to twice the paint
    // time so the event loop keeps time for input, timers and parsing. The interval counts
    // from the last frame: output after a pause (the echo of a typed key) is drawn at once.
    const qreal hz = screen() ? screen()->refreshRate() : 60.0;
    const int frame = std::max(4, int(1000.0 / std::clamp(hz, 24.0, 240.0)));
    const qint64 interval = std::clamp(2 * lastPaintMs_, frame, 250);
    const qint64 sinceLastFrame = lastFrame_.isValid() ? lastFrame_.elapsed() : interval;
    frameTimer_.start(int(std::max<qint64>(0, interval - sinceLastFrame)), Qt::PreciseTimer, this);
}

// Rows per paint when the whole screen must be redrawn: all of them, unless painting them at
// once would hold the event loop (timers, input, parsing) for more than kBandBudgetNs; then the
// screen is redrawn in bands on consecutive frames.
int TerminalView::bandRows() const {
    constexpr double kBandBudgetNs = 12e6;
    if (paintNsPerRow_ * rows() <= kBandBudgetNs)
        return rows();
    return std::clamp(int(kBandBudgetNs / paintNsPerRow_), 1, rows());
}

void TerminalView::renderFrame() {
    updateScrollBar();
    const bool scrolled = std::exchange(scrolledSinceFrame_, false);
    const TerminalEmulator::Damage& damage = emulator_->damage();
    const bool everything = damage.everything || scrolled || match_;
    if (everything) {
        // A redraw already under way finishes its bands, then starts over for this change.
        if (bandNext_ < 0)
            bandNext_ = 0;
        else
            bandRestart_ = true;
    }
    QRegion region;
    if (bandNext_ >= 0) {
        if (bandNext_ >= rows())
            bandNext_ = 0; // the view shrank meanwhile
        const int end = std::min(rows(), bandNext_ + bandRows());
        const int bottom = end >= rows() ? viewport()->height() : end * cellHeight_;
        region += QRect(0, bandNext_ * cellHeight_, viewport()->width(), bottom - bandNext_ * cellHeight_);
        bandNext_ = end;
        if (bandNext_ >= rows()) {
            bandNext_ = bandRestart_ ? 0 : -1;
            bandRestart_ = false;
        }
    }
    if (!everything) {
        const TerminalEmulator::Cursor cursor = emulator_->cursor();
        for (int r = 0; r < emulator_->rows(); ++r) {
            if (!damage.row(r) && r != cursor.row)
                continue;
            const int viewRow = r + scrollOffset_;
            if (viewRow < rows())
                region += QRect(0, viewRow * cellHeight_, viewport()->width(), cellHeight_);
        }
    }
    if (!region.isEmpty())
        viewport()->update(region);
    emulator_->clearDamage();
    if (bandNext_ >= 0)
        scheduleFrame();
}

// ---------------------------------------------------------------------------------------------
// Settings

void TerminalView::setTerminalFont(const QFont& font) {
    font_ = font;
    font_.setKerning(false);
    font_.setStyleStrategy(QFont::PreferAntialias);
    fonts_[kRegular] = font_;
    fonts_[kBold] = font_;
    fonts_[kBold].setBold(true);
    fonts_[kItalic] = font_;
    fonts_[kItalic].setItalic(true);
    fonts_[kBold | kItalic] = fonts_[kBold];
    fonts_[kBold | kItalic].setItalic(true);
    glyphCache_.clear();
    updateMetrics();
}

void TerminalView::updateMetrics() {
    const QFontMetricsF m(font_);
    const qreal advance = m.horizontalAdvance(QLatin1Char('M'));
    cellWidth_ = std::max(1, int(std::ceil(advance)));
    cellHeight_ = std::max(1, int(std::ceil(m.height())));
    ascent_ = int(std::ceil(m.ascent()));
    // Runs of text are laid out by the font; spacing each glyph out to the whole-pixel cell
    // keeps them on the grid.
    for (QFont& f : fonts_)
        f.setLetterSpacing(QFont::AbsoluteSpacing, cellWidth_ - advance);
    // Emoji come from a colour emoji font when one is installed, sized to the cell height.
    emojiFont_ = QFont(QStringLiteral("Noto Color Emoji"));
    emojiFont_.setPixelSize(std::max(1, cellHeight_ * 4 / 5));
    glyphCache_.clear();
    emojiCache_.clear();
    // Fallback fonts (CJK, Hangul, emoji) are found and loaded on first use, which takes tens
    // of milliseconds: here, at set-up, rather than in the first frame of streaming output.
    for (const QFont& f : fonts_)
        (void)QFontMetricsF(f).horizontalAdvance(QStringLiteral(u"\u4e2d\u3042\u30a2\ud55c\u2500\u2705"));
    (void)QFontMetricsF(emojiFont_).horizontalAdvance(QStringLiteral(u"\U0001F600\u2705"));
    resizeTerminal();
    viewport()->update();
}

void TerminalView::setColorScheme(const ColorScheme& scheme) {
    baseScheme_ = scheme;
    emulator_->setBaseColors(scheme.terminalColors()); // the host's overrides stay
    applyColors();
}

// Paints with the scheme as the host left it (OSC 4/10/11/12 overrides on top).
void TerminalView::applyColors() {
    scheme_ = baseScheme_.withColors(emulator_->colors());
    QPalette pal = viewport()->palette();
    pal.setColor(QPalette::Base, scheme_.background);
    viewport()->setPalette(pal);
    viewport()->update();
}

void TerminalView::setScrollbackLines(int lines) {
    emulator_->setScrollbackLines(std::size_t(std::max(0, lines)));
    historyShrank();
}

// A running search restarts (its matches may be gone), and a view scrolled up into rows that
// are gone stops at what is left (at the live screen when the host erased it all).
void TerminalView::historyShrank() {
    searcher_->restart();
    scrollOffset_ = std::min(scrollOffset_, emulator_->historySize());
    updateScrollBar();
    viewport()->update();
}

void TerminalView::setCursorBlinking(bool on) {
    cursorBlinking_ = on;
    const int interval = QGuiApplication::styleHints()->cursorFlashTime() / 2;
    blinkTimer_.start(interval > 0 ? interval : 500, this);
}

// ---------------------------------------------------------------------------------------------
// Geometry and scrolling

std::int64_t TerminalView::liveTop() const { return std::int64_t(emulator_->historyPushed()); }
std::int64_t TerminalView::firstLine() const { return liveTop() - emulator_->historySize(); }
std::int64_t TerminalView::topLine() const { return liveTop() - scrollOffset_; }

void TerminalView::resizeTerminal() {
    const int cols = std::max(1, viewport()->width() / cellWidth_);
    const int rowCount = std::max(1, viewport()->height() / cellHeight_);
    if (cols == emulator_->columns() && rowCount == emulator_->rows())
        return;
    // The selection stays on its text, wherever the reflow moves it (not on the alternate
    // screen, which is cropped, not reflowed).
    std::optional<std::pair<LinePlace, LinePlace>> selected;
    if (selection_ && !emulator_->modes().alternateScreen)
        selected.emplace(linePlace(selection_->first), linePlace(selection_->second));
    emulator_->resize(rowCount, cols);
    seenPushed_ = emulator_->historyPushed();
    scrollOffset_ = std::min(scrollOffset_, emulator_->historySize());
    selection_.reset();
    if (selected) {
        const auto from = positionOf(selected->first);
        const auto to = positionOf(selected->second);
        if (from && to)
            selection_.emplace(*from, *to);
    }
    showReflowedRows();
    match_.reset();
    searcher_->restart(); // rows moved between screen and history, or were re-wrapped
    updateScrollBar();
    viewport()->update();
    emit terminalSizeChanged(cols, rowCount, cols * cellWidth_, rowCount * cellHeight_);
}

void TerminalView::resizeEvent(QResizeEvent* event) {
    QAbstractScrollArea::resizeEvent(event);
    resizeTerminal();
}

void TerminalView::updateScrollBar() {
    updatingScrollBar_ = true;
    QScrollBar* bar = verticalScrollBar();
    bar->setRange(0, emulator_->historySize());
    bar->setPageStep(emulator_->rows());
    bar->setSingleStep(1);
    bar->setValue(emulator_->historySize() - scrollOffset_);
    updatingScrollBar_ = false;
}

void TerminalView::scrollContentsBy(int, int) {
    if (updatingScrollBar_)
        return;
    scrollOffset_ = emulator_->historySize() - verticalScrollBar()->value();
    showReflowedRows();
    viewport()->update();
}

void TerminalView::scrollLines(int delta) {
    const int offset = std::clamp(scrollOffset_ + delta, 0, emulator_->historySize());
    if (offset == scrollOffset_)
        return;
    scrollOffset_ = offset;
    showReflowedRows();
    updateScrollBar();
    viewport()->update();
}

// While a reflow runs in the background, history rows beyond the newest thousand or so are
// still at the width they were cut at: wider ones would be drawn cut off. Scrolling up to them
// finishes the reflow first. The viewport keeps its distance from the oldest row (the reflow
// goes oldest first, so the rows above it are final), and the top stays the top.
void TerminalView::showReflowedRows() {
    if (!emulator_->reflowPending() || scrollOffset_ <= emulator_->historyRowsReflowed())
        return;
    const int fromOldest = emulator_->historySize() - scrollOffset_;
    emulator_->finishReflow();
    scrollOffset_ = std::clamp(emulator_->historySize() - fromOldest, 0, emulator_->historySize());
    updateScrollBar();
}

// Logical lines are counted from the cursor's because a reflow keeps the cursor in its line
// and every line around it in order (the history only loses lines at its far end). One
// exception: text that ends at the cursor and fills its rows exactly leaves the cursor on a
// fresh empty row; so an empty cursor row counts from the nearest row with text above it.
int TerminalView::reflowAnchorRow() const {
    int row = emulator_->cursor().row;
    while (row > -emulator_->historySize() && emulator_->text(row).isEmpty())
        --row;
    return row;
}

TerminalView::LinePlace TerminalView::linePlace(TextPosition position) const {
    const int cursorRow = reflowAnchorRow();
    const int row = std::clamp(emulatorRow(position.line), -emulator_->historySize(), rows() - 1);
    LinePlace place;
    for (int r = row; r < cursorRow; ++r)
        place.linesAboveCursor += emulator_->isWrapped(r) ? 0 : 1;
    for (int r = cursorRow; r < row; ++r)
        place.linesAboveCursor -= emulator_->isWrapped(r) ? 0 : 1;
    std::vector<Cell> scratch;
    for (int r = row - 1; r >= -emulator_->historySize() && emulator_->isWrapped(r); --r) {
        const auto cells = emulator_->line(r, scratch);
        place.offset += cellsOfText(cells);
    }
    place.offset += position.column;
    return place;
}

// The inverse of linePlace() on the rows as they are now; nothing when the line is gone.
std::optional<TerminalView::TextPosition> TerminalView::positionOf(LinePlace place) {
    const int top = -emulator_->historySize();
    auto lineStart = [&](int r) {
        while (r > top && emulator_->isWrapped(r - 1))
            --r;
        return r;
    };
    int row = lineStart(reflowAnchorRow());
    for (std::int64_t n = place.linesAboveCursor; n > 0; --n) {
        if (row <= top)
            return std::nullopt;
        row = lineStart(row - 1);
        // Rows the reflow has not reached yet would give other offsets than they will have.
        if (emulator_->reflowPending() && row < -emulator_->historyRowsReflowed()) {
            emulator_->finishReflow();
            return positionOf(place);
        }
    }
    for (std::int64_t n = place.linesAboveCursor; n < 0; ++n) {
        while (row < rows() - 1 && emulator_->isWrapped(row))
            ++row;
        if (row >= rows() - 1)
            return std::nullopt;
        ++row;
    }
    std::vector<Cell> scratch;
    std::int64_t offset = place.offset;
    while (row < rows() - 1 && emulator_->isWrapped(row)) {
        const auto cells = emulator_->line(row, scratch);
        const std::int64_t length = cellsOfText(cells);
        if (offset < length)
            break;
        offset -= length;
        ++row;
    }
    return TextPosition{liveTop() + row, int(std::min<std::int64_t>(offset, columns() - 1))};
}

void TerminalView::scrollToBottom() { scrollLines(-scrollOffset_); }

QString TerminalView::visibleText(int viewRow) const {
    return emulator_->text(emulatorRow(topLine() + viewRow));
}

TerminalView::TextPosition TerminalView::positionAt(const QPoint& p) const {
    const int row = std::clamp(p.y() / cellHeight_, 0, rows() - 1);
    const int col = std::clamp(p.x() / cellWidth_, 0, columns() - 1);
    return {topLine() + row, col};
}

TerminalView::RowText TerminalView::rowText(std::int64_t line) const {
    TerminalSearch::RowText rt = TerminalSearch::rowText(*emulator_, emulatorRow(line));
    return RowText{std::move(rt.text), std::move(rt.column)};
}

// ---------------------------------------------------------------------------------------------
// Painting

bool TerminalView::isEmoji(const Cell& cell) const {
    if (!cell.isCluster())
        return isEmojiCodePoint(cell.ch);
    const QString text = emulator_->cellText(cell);
    return !text.isEmpty() && isEmojiCodePoint(text.toUcs4().value(0));
}

const QStaticText& TerminalView::staticText(const QString& text, int variant) {
    const QString key = QString::number(variant) + QLatin1Char(':') + text;
    if (QStaticText* cached = glyphCache_.object(key))
        return *cached;
    auto* st = new QStaticText(text);
    st->setTextFormat(Qt::PlainText);
    st->setPerformanceHint(QStaticText::AggressiveCaching);
    st->prepare(QTransform(), fonts_[variant]);
    glyphCache_.insert(key, st);
    return *glyphCache_.object(key);
}

const QPixmap& TerminalView::emojiPixmap(const QString& text, const QColor& color, const QSize& size) {
    const qreal ratio = devicePixelRatioF();
    // The colour matters only when the glyph comes from a monochrome fallback font.
    const QString key = text + QLatin1Char(':') + QString::number(color.rgba(), 16) + QLatin1Char(':') +
                        QString::number(size.width()) + QLatin1Char('x') + QString::number(size.height()) +
                        QLatin1Char('@') + QString::number(ratio);
    if (QPixmap* cached = emojiCache_.object(key))
        return *cached;
    auto* pixmap = new QPixmap(size * ratio);
    pixmap->setDevicePixelRatio(ratio);
    pixmap->fill(Qt::transparent);
    {
        QPainter painter(pixmap);
        painter.setFont(emojiFont_);
        painter.setPen(color);
        painter.drawText(QRectF(QPointF(0, 0), QSizeF(size)), Qt::AlignCenter, text);
    }
    emojiCache_.insert(key, pixmap);
    return *emojiCache_.object(key);
}

// For the characters isDrawnGlyph() accepts: box drawing up to U+257F, block elements beyond.
void TerminalView::drawBoxGlyph(QPainter& p, char32_t ch, const QRectF& r, const QColor& color) const {
    if (ch >= 0x2580) {
        fillBlockElement(p, ch, r, color);
        return;
    }
    const BoxGrid grid(p, r);
    if (const DashedLine* dashed = dashedLine(ch))
        drawDashedLine(p, *dashed, grid, r, color);
    else if (ch >= 0x2571 && ch <= 0x2573)
        drawDiagonals(p, diagonals(ch), grid, r, color);
    else if (const BoxLines* lines = boxLines(ch)) {
        if (isRoundedCorner(ch))
            drawRoundedCorner(p, *lines, grid, r, color);
        else
            drawSolidLines(p, *lines, grid, r, color);
    }
}

void TerminalView::paintEvent(QPaintEvent* event) {
    ++paintCount_;
    QElapsedTimer paintTime;
    paintTime.start();
    QPainter p(viewport());
    const QRect area = event->rect();
    p.fillRect(area, emulator_->reverseVideo() ? scheme_.foreground : scheme_.background);
    blinkingCellsShown_ = false;
    std::vector<Cell> scratch;
    // The rows the region touches (not its bounding rectangle: a band plus a changed row far
    // below it must not repaint everything between), each once.
    std::vector<std::uint8_t> wanted(std::size_t(std::max(rows(), 0)), 0);
    for (const QRect& rect : event->region()) {
        const int first = std::max(0, rect.top() / cellHeight_);
        const int last = std::min(rows() - 1, rect.bottom() / cellHeight_);
        for (int viewRow = first; viewRow <= last; ++viewRow)
            wanted[std::size_t(viewRow)] = 1;
    }
    int painted = 0;
    for (int viewRow = 0; viewRow < rows(); ++viewRow) {
        if (!wanted[std::size_t(viewRow)])
            continue;
        paintRow(p, viewRow, topLine() + viewRow, scratch);
        ++painted;
    }
    const qint64 paintNs = paintTime.nsecsElapsed();
    lastPaintMs_ = int(paintNs / 1000000);
    if (painted > 0)
        paintNsPerRow_ = double(paintNs) / painted;
}

void TerminalView::paintRow(QPainter& p, int viewRow, std::int64_t line, std::vector<Cell>& scratch) {
    const int y = viewRow * cellHeight_;
    const int cols = columns();
    const auto cells = emulator_->line(emulatorRow(line), scratch);
    const bool screenReverse = emulator_->reverseVideo();
    const QColor defaultBg = screenReverse ? scheme_.foreground : scheme_.background;

    // Search matches on this row, as column ranges.
    std::vector<TerminalSearch::Match> matches;
    if (searcher_->active())
        TerminalSearch::matchRow(searcher_->expression(), *emulator_, emulatorRow(line), line, matches);
    auto matchColor = [&](int col) -> std::optional<QColor> {
        for (const TerminalSearch::Match& m : matches) {
            if (col >= m.firstColumn && col <= m.lastColumn) {
                const bool current = match_ && match_->first.line == line && col >= match_->first.column &&
                                     col <= match_->second.column;
                return current ? scheme_.currentMatch : scheme_.searchMatch;
            }
        }
        return std::nullopt;
    };

    struct Resolved {
        QColor fg, bg;
        int font;
        const Style* style;
    };
    auto resolve = [&](int col) -> Resolved {
        const Cell* cell = col < int(cells.size()) ? &cells[std::size_t(col)] : nullptr;
        const Style& s = emulator_->style(cell ? cell->style : 0);
        QColor fg = scheme_.resolve(s.fg, true);
        QColor bg = scheme_.resolve(s.bg, false);
        if (screenReverse) {
            if (s.fg.kind() == Color::Kind::Default)
                fg = scheme_.background;
            if (s.bg.kind() == Color::Kind::Default)
                bg = scheme_.foreground;
        }
        if (s.has(attr::Reverse))
            std::swap(fg, bg);
        if (s.has(attr::Faint))
            fg = mix(fg, bg, 0.5);
        if (s.has(attr::Invisible) || (s.has(attr::Blink) && !blinkPhase_))
            fg = bg;
        if (isSelected(line, col))
            bg = scheme_.selectionBackground;
        if (auto m = matchColor(col)) {
            bg = *m;
            fg = QColor(Qt::black);
        }
        const int font = (s.has(attr::Bold) ? kBold : 0) | (s.has(attr::Italic) ? kItalic : 0);
        return {fg, bg, font, &s};
    };

    // Backgrounds: runs of equal colour.
    std::vector<Resolved> resolved;
    resolved.reserve(std::size_t(cols));
    for (int c = 0; c < cols; ++c)
        resolved.push_back(resolve(c));
    for (int c = 0; c < cols;) {
        int e = c + 1;
        while (e < cols && resolved[std::size_t(e)].bg == resolved[std::size_t(c)].bg)
            ++e;
        if (resolved[std::size_t(c)].bg != defaultBg)
            p.fillRect(QRect(c * cellWidth_, y, (e - c) * cellWidth_, cellHeight_), resolved[std::size_t(c)].bg);
        c = e;
    }

    // Text: runs of narrow cells with the same colour and font are one cached layout; wide
    // glyphs, clusters and box drawing are placed cell by cell so the grid never drifts.
    QString run;
    int runStart = 0;
    auto flushRun = [&](int end) {
        if (run.isEmpty())
            return;
        const Resolved& r = resolved[std::size_t(runStart)];
        p.setPen(r.fg);
        p.setFont(fonts_[r.font]);
        // Short runs (words, prompts, single glyphs) recur and are laid out once; long runs of
        // streaming output rarely do, and caching them would only churn the cache.
        if (run.size() <= kCachedRunLength)
            p.drawStaticText(QPointF(runStart * cellWidth_, y), staticText(run, r.font));
        else
            p.drawText(QPointF(runStart * cellWidth_, y + ascent_), run);
        (void)end;
        run.clear();
    };
    for (int c = 0; c < std::min(cols, int(cells.size())); ++c) {
        const Cell& cell = cells[std::size_t(c)];
        const Resolved& r = resolved[std::size_t(c)];
        if (r.style->has(attr::Blink))
            blinkingCellsShown_ = true;
        if (cell.width == 0)
            continue;
        const bool blank = cell.ch == 0 || cell.ch == U' ';
        const bool simple = !blank && cell.width == 1 && !cell.isCluster() && cell.ch < 0x2500;
        if (simple && !run.isEmpty() && r.fg == resolved[std::size_t(runStart)].fg &&
            r.font == resolved[std::size_t(runStart)].font && runStart + int(run.size()) == c) {
            run.append(QChar(char16_t(cell.ch)));
            continue;
        }
        flushRun(c);
        if (blank)
            continue;
        if (simple) {
            runStart = c;
            run.append(QChar(char16_t(cell.ch)));
            continue;
        }
        const QRectF rect(c * cellWidth_, y, cell.width * cellWidth_, cellHeight_);
        if (!cell.isCluster() && isDrawnGlyph(cell.ch)) {
            drawBoxGlyph(p, cell.ch, rect, r.fg);
            continue;
        }
        p.setPen(r.fg);
        if (cell.width == 2 && isEmoji(cell)) {
            p.drawPixmap(rect.topLeft(), emojiPixmap(emulator_->cellText(cell), r.fg, rect.size().toSize()));
            continue;
        }
        p.setFont(fonts_[r.font]);
        p.drawStaticText(rect.topLeft(), staticText(emulator_->cellText(cell), r.font));
    }
    flushRun(cols);

    // Decorations.
    for (int c = 0; c < std::min(cols, int(cells.size())); ++c) {
        const Resolved& r = resolved[std::size_t(c)];
        const int underline = r.style->underline();
        if (!underline && !r.style->has(attr::Strike) && !r.style->link)
            continue;
        const double lw = std::max(1.0, std::round(cellHeight_ / 16.0));
        const double x0 = c * cellWidth_, x1 = x0 + cellWidth_;
        const double base = y + ascent_ + lw;
        // SGR 58 colours the underline (not the strike); hidden text keeps it hidden.
        const bool hidden = r.style->has(attr::Invisible) || (r.style->has(attr::Blink) && !blinkPhase_);
        const QColor line = r.style->underlineColor.kind() == Color::Kind::Default || hidden
                                ? r.fg
                                : scheme_.resolve(r.style->underlineColor, true);
        if (underline == 1 || (r.style->link && underline == 0))
            p.fillRect(QRectF(x0, base, x1 - x0, lw), r.style->link && underline == 0 ? mix(r.fg, r.bg, 0.5) : line);
        else if (underline == 2) {
            p.fillRect(QRectF(x0, base, x1 - x0, lw), line);
            p.fillRect(QRectF(x0, base + 2 * lw, x1 - x0, lw), line);
        } else if (underline == 3) {
            QPainterPath wave(QPointF(x0, base + lw));
            wave.cubicTo(x0 + cellWidth_ / 3.0, base - lw, x0 + 2 * cellWidth_ / 3.0, base + 3 * lw, x1, base + lw);
            p.save();
            p.setRenderHint(QPainter::Antialiasing);
            p.setPen(QPen(line, lw));
            p.drawPath(wave);
            p.restore();
        }
        if (r.style->has(attr::Strike))
            p.fillRect(QRectF(x0, y + cellHeight_ / 2.0, x1 - x0, lw), r.fg);
    }

    // Cursor and input-method pre-edit text.
    const TerminalEmulator::Cursor cursor = emulator_->cursor();
    if (line != liveTop() + cursor.row || !cursor.visible)
        return;
    const int cc = std::clamp(cursor.column, 0, cols - 1);
    const int width = cc < int(cells.size()) && cells[std::size_t(cc)].width == 2 ? 2 : 1;
    const QRect cellRect(cc * cellWidth_, y, width * cellWidth_, cellHeight_);
    if (!preedit_.isEmpty()) {
        const QFontMetrics m(font_);
        const QRect pre(cellRect.topLeft(), QSize(m.horizontalAdvance(preedit_) + 2, cellHeight_));
        p.fillRect(pre, scheme_.background);
        p.setPen(scheme_.foreground);
        p.setFont(font_);
        p.drawText(pre, Qt::AlignLeft | Qt::AlignVCenter, preedit_);
        p.fillRect(QRect(pre.left(), pre.bottom(), pre.width(), 1), scheme_.foreground);
        return;
    }
    const bool focused = hasFocus();
    if (focused && cursorBlinking_ && cursor.blinking && !blinkPhase_)
        return;
    p.setPen(scheme_.cursor);
    if (!focused) {
        p.setBrush(Qt::NoBrush);
        p.drawRect(cellRect.adjusted(0, 0, -1, -1));
        return;
    }
    switch (cursor.shape) {
    case TerminalEmulator::Cursor::Shape::Block: {
        p.fillRect(cellRect, scheme_.cursor);
        if (cc < int(cells.size()) && !cells[std::size_t(cc)].isBlank()) {
            const Cell& cell = cells[std::size_t(cc)];
            p.setPen(resolved[std::size_t(cc)].bg == scheme_.cursor ? scheme_.foreground : resolved[std::size_t(cc)].bg);
            if (!cell.isCluster() && isDrawnGlyph(cell.ch)) {
                // Inside the block only: a diagonal's stroke reaches a little into the cells beside.
                p.save();
                p.setClipRect(cellRect, Qt::IntersectClip);
                drawBoxGlyph(p, cell.ch, cellRect, scheme_.background);
                p.restore();
            } else {
                p.setFont(fonts_[resolved[std::size_t(cc)].font]);
                p.drawStaticText(cellRect.topLeft(), staticText(emulator_->cellText(cell), resolved[std::size_t(cc)].font));
            }
        }
        break;
    }
    case TerminalEmulator::Cursor::Shape::Underline:
        p.fillRect(QRect(cellRect.left(), cellRect.bottom() - 1, cellRect.width(), 2), scheme_.cursor);
        break;
    case TerminalEmulator::Cursor::Shape::Bar:
        p.fillRect(QRect(cellRect.left(), cellRect.top(), 2, cellRect.height()), scheme_.cursor);
        break;
    }
}

void TerminalView::timerEvent(QTimerEvent* event) {
    if (event->timerId() == frameTimer_.timerId()) {
        frameTimer_.stop();
        lastFrame_.start();
        renderFrame();
    } else if (event->timerId() == blinkTimer_.timerId()) {
        blinkPhase_ = !blinkPhase_;
        if (blinkingCellsShown_) {
            viewport()->update();
        } else if (hasFocus()) {
            const int viewRow = emulator_->cursor().row + scrollOffset_;
            if (viewRow < rows())
                viewport()->update(QRect(0, viewRow * cellHeight_, viewport()->width(), cellHeight_));
        }
    } else if (event->timerId() == autoScrollTimer_.timerId()) {
        if (!selecting_) {
            autoScrollTimer_.stop();
            return;
        }
        if (lastMousePoint_.y() < 0)
            scrollLines(1);
        else if (lastMousePoint_.y() >= viewport()->height())
            scrollLines(-1);
        else
            autoScrollTimer_.stop();
        extendSelection(positionAt(lastMousePoint_));
    } else {
        QAbstractScrollArea::timerEvent(event);
    }
}

// ---------------------------------------------------------------------------------------------
// Keyboard and input method

bool TerminalView::focusNextPrevChild(bool) { return false; } // Tab belongs to the shell

bool TerminalView::event(QEvent* event) {
    if (event->type() == QEvent::ShortcutOverride) {
        // Keys go to the host, not to window shortcuts; ours are handled in keyPressEvent.
        event->accept();
        return true;
    }
    return QAbstractScrollArea::event(event);
}

void TerminalView::keyPressEvent(QKeyEvent* event) {
    const Qt::KeyboardModifiers mods = event->modifiers();
    const bool ctrlShift = (mods & (Qt::ControlModifier | Qt::ShiftModifier)) == (Qt::ControlModifier | Qt::ShiftModifier);
    const int key = event->key();
    if (ctrlShift && key == Qt::Key_C) {
        copy();
        return;
    }
    if (ctrlShift && key == Qt::Key_V) {
        paste();
        return;
    }
    if (ctrlShift && key == Qt::Key_F) {
        emit searchRequested();
        return;
    }
    if ((mods & Qt::ShiftModifier) && !(mods & Qt::ControlModifier) && (key == Qt::Key_PageUp || key == Qt::Key_PageDown)) {
        scrollLines(key == Qt::Key_PageUp ? rows() - 1 : -(rows() - 1));
        return;
    }
    const QByteArray bytes = encodeKey(key, mods, event->text(), emulator_->modes());
    if (bytes.isEmpty()) {
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    scrollToBottom();
    emit sendBytes(bytes);
}

void TerminalView::inputMethodEvent(QInputMethodEvent* event) {
    if (!event->commitString().isEmpty()) {
        scrollToBottom();
        emit sendBytes(event->commitString().toUtf8());
    }
    preedit_ = event->preeditString();
    const int viewRow = emulator_->cursor().row + scrollOffset_;
    viewport()->update(QRect(0, viewRow * cellHeight_, viewport()->width(), cellHeight_));
    event->accept();
}

QVariant TerminalView::inputMethodQuery(Qt::InputMethodQuery query) const {
    const TerminalEmulator::Cursor cursor = emulator_->cursor();
    const QRect cursorRect(cursor.column * cellWidth_, (cursor.row + scrollOffset_) * cellHeight_, cellWidth_, cellHeight_);
    switch (query) {
    case Qt::ImCursorRectangle: return cursorRect;
    case Qt::ImFont: return font_;
    case Qt::ImCursorPosition: return 0;
    case Qt::ImSurroundingText: return QString();
    case Qt::ImEnabled: return true;
    default: return QAbstractScrollArea::inputMethodQuery(query);
    }
}

void TerminalView::focusInEvent(QFocusEvent* event) {
    QAbstractScrollArea::focusInEvent(event);
    const QByteArray report = emulator_->focusReport(true);
    if (!report.isEmpty())
        emit sendBytes(report);
    blinkPhase_ = true;
    viewport()->update();
}

void TerminalView::focusOutEvent(QFocusEvent* event) {
    QAbstractScrollArea::focusOutEvent(event);
    const QByteArray report = emulator_->focusReport(false);
    if (!report.isEmpty())
        emit sendBytes(report);
    viewport()->update();
}

// ---------------------------------------------------------------------------------------------
// Mouse: reports to the host when it asked (Shift overrides), otherwise selection and links

bool TerminalView::sendMouse(QMouseEvent* event, int kind) {
    const TerminalModes modes = emulator_->modes();
    if (modes.mouse == TerminalModes::Mouse::Off || (event->modifiers() & Qt::ShiftModifier))
        return false;
    MouseEvent e;
    e.kind = MouseEvent::Kind(kind);
    e.button = event->button() == Qt::MiddleButton ? 1 : event->button() == Qt::RightButton ? 2 : 0;
    if (e.kind == MouseEvent::Kind::Move)
        e.button = mouseButtonHeld_;
    const QPoint pos = event->position().toPoint();
    e.row = std::clamp(pos.y() / cellHeight_, 0, rows() - 1);
    e.column = std::clamp(pos.x() / cellWidth_, 0, columns() - 1);
    e.modifiers = event->modifiers();
    const QByteArray bytes = encodeMouse(e, modes);
    if (!bytes.isEmpty())
        emit sendBytes(bytes);
    return true;
}

void TerminalView::mousePressEvent(QMouseEvent* event) {
    setFocus(Qt::MouseFocusReason);
    if (sendMouse(event, int(MouseEvent::Kind::Press))) {
        mouseButtonHeld_ = event->button() == Qt::MiddleButton ? 1 : event->button() == Qt::RightButton ? 2 : 0;
        return;
    }
    const TextPosition pos = positionAt(event->position().toPoint());
    if (event->button() == Qt::MiddleButton && middleClickPaste_) {
        QClipboard* clipboard = QGuiApplication::clipboard();
        pasteText(clipboard->text(clipboard->supportsSelection() ? QClipboard::Selection : QClipboard::Clipboard));
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    if (event->modifiers() & Qt::ControlModifier) {
        const QUrl url = linkAt(pos);
        if (url.isValid()) {
            emit linkActivated(url);
            if (openLinks_)
                QDesktopServices::openUrl(url);
            return;
        }
    }
    const bool triple =
        lastDoubleClick_.isValid() && lastDoubleClick_.elapsed() < QGuiApplication::styleHints()->mouseDoubleClickInterval();
    lastDoubleClick_.invalidate();
    selecting_ = true;
    lastMousePoint_ = event->position().toPoint();
    if (triple) {
        setSelection(pos, pos, SelectionMode::Line);
        return;
    }
    selectionMode_ = (event->modifiers() & Qt::AltModifier) ? SelectionMode::Rectangle : SelectionMode::Character;
    selection_.reset();
    selection_.emplace(pos, pos);
    viewport()->update();
}

void TerminalView::mouseDoubleClickEvent(QMouseEvent* event) {
    if (sendMouse(event, int(MouseEvent::Kind::Press)))
        return;
    if (event->button() != Qt::LeftButton)
        return;
    const TextPosition pos = positionAt(event->position().toPoint());
    setSelection(pos, pos, SelectionMode::Word);
    selecting_ = true;
    lastDoubleClick_.start();
}

void TerminalView::mouseMoveEvent(QMouseEvent* event) {
    if (emulator_->modes().mouse != TerminalModes::Mouse::Off && !(event->modifiers() & Qt::ShiftModifier)) {
        sendMouse(event, int(MouseEvent::Kind::Move));
        return;
    }
    if (!selecting_)
        return;
    lastMousePoint_ = event->position().toPoint();
    if (lastMousePoint_.y() < 0 || lastMousePoint_.y() >= viewport()->height()) {
        if (!autoScrollTimer_.isActive())
            autoScrollTimer_.start(50, this);
    }
    extendSelection(positionAt(lastMousePoint_));
}

void TerminalView::mouseReleaseEvent(QMouseEvent* event) {
    if (sendMouse(event, int(MouseEvent::Kind::Release))) {
        mouseButtonHeld_ = -1;
        return;
    }
    if (event->button() != Qt::LeftButton || !selecting_)
        return;
    selecting_ = false;
    autoScrollTimer_.stop();
    if (selection_ && selection_->first == selection_->second && selectionMode_ == SelectionMode::Character)
        clearSelection(); // a click, not a drag
    finishSelection();
}

void TerminalView::wheelEvent(QWheelEvent* event) {
    const int steps = event->angleDelta().y() / 40; // three lines per notch
    if (steps == 0)
        return;
    const TerminalModes modes = emulator_->modes();
    if (modes.mouse != TerminalModes::Mouse::Off && !(event->modifiers() & Qt::ShiftModifier)) {
        MouseEvent e;
        e.kind = steps > 0 ? MouseEvent::Kind::WheelUp : MouseEvent::Kind::WheelDown;
        const QPoint pos = event->position().toPoint();
        e.row = std::clamp(pos.y() / cellHeight_, 0, rows() - 1);
        e.column = std::clamp(pos.x() / cellWidth_, 0, columns() - 1);
        e.modifiers = event->modifiers();
        emit sendBytes(encodeMouse(e, modes));
        return;
    }
    scrollLines(steps);
}

// ---------------------------------------------------------------------------------------------
// Selection and clipboard

void TerminalView::setSelection(TextPosition from, TextPosition to, SelectionMode mode) {
    selectionMode_ = mode;
    selection_.emplace(from, to);
    extendSelection(to);
}

void TerminalView::clearSelection() {
    if (!selection_)
        return;
    selection_.reset();
    viewport()->update();
}

void TerminalView::extendSelection(TextPosition to) {
    if (!selection_)
        return;
    selection_->second = to;
    viewport()->update();
}

bool TerminalView::isSelected(std::int64_t line, int column) const {
    if (!selection_)
        return false;
    TextPosition a = std::min(selection_->first, selection_->second);
    TextPosition b = std::max(selection_->first, selection_->second);
    switch (selectionMode_) {
    case SelectionMode::Rectangle: {
        const int c0 = std::min(selection_->first.column, selection_->second.column);
        const int c1 = std::max(selection_->first.column, selection_->second.column);
        return line >= a.line && line <= b.line && column >= c0 && column <= c1;
    }
    case SelectionMode::Line: return line >= a.line && line <= b.line;
    case SelectionMode::Word: {
        // Extend both ends to word boundaries on their rows.
        auto isWord = [&](const RowText& rt, int col) {
            const int i = rt.columnToIndex(col);
            if (i >= int(rt.text.size()))
                return false;
            const QChar ch = rt.text[i];
            return ch.isLetterOrNumber() || wordCharacters_.contains(ch);
        };
        const RowText ra = rowText(a.line);
        while (a.column > 0 && isWord(ra, a.column) && isWord(ra, a.column - 1))
            --a.column;
        const RowText rb = b.line == a.line ? ra : rowText(b.line);
        while (b.column < columns() - 1 && isWord(rb, b.column) && isWord(rb, b.column + 1))
            ++b.column;
        return TextPosition{line, column} >= a && TextPosition{line, column} <= b;
    }
    case SelectionMode::Character: break;
    }
    return TextPosition{line, column} >= a && TextPosition{line, column} <= b;
}

QString TerminalView::selectedText() const {
    if (!selection_)
        return {};
    const std::int64_t l0 = std::max(std::min(selection_->first.line, selection_->second.line), firstLine());
    const std::int64_t l1 = std::min(std::max(selection_->first.line, selection_->second.line), liveTop() + rows() - 1);
    QString out;
    std::vector<Cell> scratch;
    for (std::int64_t line = l0; line <= l1; ++line) {
        const auto cells = emulator_->line(emulatorRow(line), scratch);
        QString row;
        for (int c = 0; c < columns(); ++c) {
            if (!isSelected(line, c))
                continue;
            if (c < int(cells.size()))
                emulator_->appendCellText(cells[std::size_t(c)], row);
            else
                row.append(QLatin1Char(' '));
        }
        const bool joined = selectionMode_ != SelectionMode::Rectangle && line < l1 &&
                            emulator_->isWrapped(emulatorRow(line)) && isSelected(line, columns() - 1);
        if (!joined) {
            while (row.endsWith(QLatin1Char(' ')))
                row.chop(1);
        }
        out += row;
        if (!joined && line < l1)
            out += QLatin1Char('\n');
    }
    return out;
}

void TerminalView::finishSelection() {
    if (!selection_)
        return;
    QClipboard* clipboard = QGuiApplication::clipboard();
    if (!clipboard->supportsSelection() && !copyOnSelect_)
        return;
    const QString text = selectedText();
    if (text.isEmpty())
        return;
    // X11 convention (ICCCM §2.6.1): a selection always becomes the PRIMARY selection, which a
    // middle click pastes; copy-on-select also puts it on the clipboard, as PuTTY does.
    if (clipboard->supportsSelection())
        clipboard->setText(text, QClipboard::Selection);
    if (copyOnSelect_)
        clipboard->setText(text, QClipboard::Clipboard);
}

void TerminalView::copy() {
    const QString text = selectedText();
    if (!text.isEmpty())
        QGuiApplication::clipboard()->setText(text, QClipboard::Clipboard);
}

void TerminalView::paste() { pasteText(QGuiApplication::clipboard()->text(QClipboard::Clipboard)); }

void TerminalView::pasteText(const QString& text) {
    if (text.isEmpty())
        return;
    const TerminalModes modes = emulator_->modes();
    if (pasteNeedsConfirmation(text, modes)) {
        pendingPaste_ = text;
        if (isSignalConnected(QMetaMethod::fromSignal(&TerminalView::pasteConfirmationRequested))) {
            emit pasteConfirmationRequested(text);
            return;
        }
        const auto answer = QMessageBox::question(this, tr("Paste several lines?"),
                                                  tr("The text has %n line(s) and will run as commands in a shell.",
                                                     nullptr, int(text.count(QLatin1Char('\n'))) + 1));
        answerPaste(answer == QMessageBox::Yes);
        return;
    }
    scrollToBottom();
    emit sendBytes(encodePaste(text, modes));
}

void TerminalView::answerPaste(bool accepted) {
    const QString text = std::exchange(pendingPaste_, QString());
    if (!accepted || text.isEmpty())
        return;
    scrollToBottom();
    emit sendBytes(encodePaste(text, emulator_->modes()));
}

// ---------------------------------------------------------------------------------------------
// Links

QUrl TerminalView::linkAt(TextPosition pos) const {
    std::vector<Cell> scratch;
    const auto cells = emulator_->line(emulatorRow(pos.line), scratch);
    if (pos.column < int(cells.size())) {
        const std::uint16_t link = emulator_->style(cells[std::size_t(pos.column)].style).link;
        if (link) {
            const QUrl url(emulator_->hyperlink(link), QUrl::StrictMode);
            return isOpenableScheme(url) ? url : QUrl();
        }
    }
    static const QRegularExpression urlPattern(
        QStringLiteral(R"((?:https?|ftp|file)://[^\s<>"'`]+|mailto:[^\s<>"'`]+)"));
    const RowText rt = rowText(pos.line);
    auto it = urlPattern.globalMatch(rt.text);
    while (it.hasNext()) {
        const auto m = it.next();
        QString text = m.captured();
        while (!text.isEmpty() && QStringLiteral(".,;:!?)]}'\"").contains(text.back()))
            text.chop(1);
        if (text.isEmpty())
            continue;
        const int c0 = rt.column[std::size_t(m.capturedStart())];
        const int c1 = rt.column[std::size_t(m.capturedStart() + text.size() - 1)];
        if (pos.column >= c0 && pos.column <= c1) {
            const QUrl url(text, QUrl::StrictMode);
            return isOpenableScheme(url) ? url : QUrl();
        }
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Search

bool TerminalView::find(const QString& pattern, bool regularExpression, bool caseSensitive, bool backwards) {
    match_.reset();
    pendingFind_.reset();
    const QRegularExpression expression(regularExpression ? pattern : QRegularExpression::escape(pattern),
                                        caseSensitive ? QRegularExpression::NoPatternOption
                                                      : QRegularExpression::CaseInsensitiveOption);
    viewport()->update();
    if (!searcher_->start(expression))
        return false;
    // A short history is searched at once; a long one goes on in the background and the view
    // moves to the match when it is found.
    searcher_->step(std::chrono::steady_clock::now() + kFirstSearchSlice);
    return findAgain(backwards);
}

void TerminalView::clearSearch() {
    searcher_->cancel();
    match_.reset();
    pendingFind_.reset();
    viewport()->update();
}

int TerminalView::searchMatchCount() const { return int(searcher_->count()); }
bool TerminalView::searchFinished() const { return searcher_->finished(); }

std::vector<std::pair<TerminalView::TextPosition, TerminalView::TextPosition>> TerminalView::searchMatches() const {
    std::vector<std::pair<TextPosition, TextPosition>> out;
    for (const TerminalSearch::Match& m : searcher_->matches())
        out.emplace_back(TextPosition{m.line, m.firstColumn}, TextPosition{m.line, m.lastColumn});
    return out;
}

// Moves to the next (or previous) match among those found so far. The scan covers the newest
// rows first and is contiguous from there, so a match found in that direction is the right
// one; when there is none yet (or the way round to the other end is not scanned yet), the move
// waits for the scan (pendingFind_) and happens when a match arrives.
bool TerminalView::findAgain(bool backwards) {
    if (!searcher_->active())
        return false;
    pendingFind_.reset();
    std::optional<TerminalSearch::Match> target;
    if (match_)
        target = searcher_->nearest({match_->first.line, match_->first.column, match_->second.column}, backwards);
    else if (backwards)
        target = searcher_->last();
    if (!target && searcher_->finished())
        target = backwards ? searcher_->last() : searcher_->first(); // wrap around
    if (!target) {
        if (!searcher_->finished())
            pendingFind_ = backwards;
        else
            match_.reset();
        viewport()->update();
        return false;
    }
    match_.emplace(TextPosition{target->line, target->firstColumn}, TextPosition{target->line, target->lastColumn});
    // Bring the match into view, near the middle when it was off screen.
    const std::int64_t top = topLine();
    if (target->line < top || target->line >= top + rows())
        scrollOffset_ = int(std::clamp<std::int64_t>(liveTop() - (target->line - rows() / 2), 0, emulator_->historySize()));
    updateScrollBar();
    viewport()->update();
    return true;
}

void TerminalView::searchProgressed() {
    if (pendingFind_)
        findAgain(*pendingFind_);
    emit searchProgress(searchMatchCount(), searcher_->finished());
    viewport()->update();
}

} // namespace portal::terminal
