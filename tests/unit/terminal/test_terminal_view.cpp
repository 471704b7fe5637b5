// TerminalView under QT_QPA_PLATFORM=offscreen: keys in every mode, shortcuts, selection and
// copy, paste with and without bracketed paste, scrollback staying put, search, links,
// repaint coalescing and the size signal.
#include "TerminalView.h"

#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QScrollBar>
#include <QSignalSpy>
#include <QtTest>

using namespace portal::terminal;

Q_DECLARE_METATYPE(Qt::KeyboardModifiers)

namespace {

struct Fixture {
    TerminalView view;
    QByteArray sent;
    explicit Fixture(int fontPixels = 14) {
        QFont font(QStringLiteral("DejaVu Sans Mono"));
        font.setPixelSize(fontPixels);
        view.setTerminalFont(font);
        view.setOpenLinksAutomatically(false);
        resizeCells(40, 10);
        view.show();
        QObject::connect(&view, &TerminalView::sendBytes, [this](const QByteArray& b) { sent += b; });
    }
    void settle() {
        QTest::qWait(40); // two frames
    }
    // Resizes the widget to `columns` × `rows` cells.
    void resizeCells(int columns, int rows) {
        const QSize cell = view.cellSize();
        view.resize(columns * cell.width() + view.verticalScrollBar()->sizeHint().width() + 2 * view.frameWidth(),
                    rows * cell.height() + 2 * view.frameWidth());
    }
    QPoint cellCenter(int row, int col) const {
        const QSize c = view.cellSize();
        return QPoint(col * c.width() + c.width() / 2, row * c.height() + c.height() / 2);
    }
    // The viewport as painted, in device pixels.
    QImage grab() const { return view.viewport()->grab().toImage(); }
    // The colour painted at a point of the viewport (logical pixels), at any scale factor.
    QColor pixelAt(QPoint point) const {
        const QImage image = grab();
        return image.pixelColor(point * image.devicePixelRatio());
    }
    // A cell's rectangle in the grabbed image's device pixels.
    QRect deviceCell(const QImage& image, int row, int col) const {
        const QSize cell = view.cellSize() * image.devicePixelRatio();
        return QRect(QPoint(col * cell.width(), row * cell.height()), cell);
    }
    // How much of the foreground colour a device pixel holds: 0 for the background, 1 for the
    // foreground, between for an anti-aliased edge.
    double ink(const QImage& image, QPoint device) const {
        const ColorScheme& s = view.colorScheme();
        auto sum = [](const QColor& c) { return c.red() + c.green() + c.blue(); };
        return double(sum(image.pixelColor(device)) - sum(s.background)) / (sum(s.foreground) - sum(s.background));
    }
    // A left-button drag from one cell to another.
    void drag(QPoint fromCell, QPoint toCell) {
        QTest::mousePress(view.viewport(), Qt::LeftButton, {}, cellCenter(fromCell.y(), fromCell.x()));
        QTest::mouseMove(view.viewport(), cellCenter(toCell.y(), toCell.x()));
        QTest::mouseRelease(view.viewport(), Qt::LeftButton, {}, cellCenter(toCell.y(), toCell.x()));
    }
};

} // namespace

class TestTerminalView : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(QGuiApplication::platformName() == QLatin1String("offscreen")); }

    void gridFollowsWidgetSize() {
        Fixture f;
        QCOMPARE(f.view.columns(), 40);
        QCOMPARE(f.view.rows(), 10);
        QSignalSpy spy(&f.view, &TerminalView::terminalSizeChanged);
        f.view.resize(f.view.width() - 10 * f.view.cellSize().width(), f.view.height());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 30);
        QCOMPARE(spy.at(0).at(1).toInt(), 10);
        QCOMPARE(spy.at(0).at(2).toInt(), 30 * f.view.cellSize().width());
        QCOMPARE(f.view.emulator().columns(), 30);
    }

    void keys_data() {
        QTest::addColumn<QByteArray>("setup");
        QTest::addColumn<int>("key");
        QTest::addColumn<Qt::KeyboardModifiers>("mods");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("letter") << QByteArray() << int(Qt::Key_A) << Qt::KeyboardModifiers() << "a" << QByteArray("a");
        QTest::newRow("Ctrl+C") << QByteArray() << int(Qt::Key_C) << Qt::KeyboardModifiers(Qt::ControlModifier) << "\x03"
                                << QByteArray("\x03");
        QTest::newRow("Up") << QByteArray() << int(Qt::Key_Up) << Qt::KeyboardModifiers() << "" << QByteArray("\x1b[A");
        QTest::newRow("Up after DECCKM") << QByteArray("\033[?1h") << int(Qt::Key_Up) << Qt::KeyboardModifiers() << ""
                                         << QByteArray("\x1bOA");
        QTest::newRow("keypad after DECKPAM") << QByteArray("\033=") << int(Qt::Key_1)
                                              << Qt::KeyboardModifiers(Qt::KeypadModifier) << "1" << QByteArray("\x1bOq");
        QTest::newRow("Tab is not focus navigation") << QByteArray() << int(Qt::Key_Tab) << Qt::KeyboardModifiers() << "\t"
                                                     << QByteArray("\t");
        QTest::newRow("Ctrl+Shift+C is copy") << QByteArray() << int(Qt::Key_C)
                                              << Qt::KeyboardModifiers(Qt::ControlModifier | Qt::ShiftModifier) << ""
                                              << QByteArray();
        QTest::newRow("Ctrl+Shift+F is search") << QByteArray() << int(Qt::Key_F)
                                                << Qt::KeyboardModifiers(Qt::ControlModifier | Qt::ShiftModifier) << ""
                                                << QByteArray();
        QTest::newRow("Shift+PageUp scrolls") << QByteArray() << int(Qt::Key_PageUp)
                                              << Qt::KeyboardModifiers(Qt::ShiftModifier) << "" << QByteArray();
        QTest::newRow("PageUp goes to the host") << QByteArray() << int(Qt::Key_PageUp) << Qt::KeyboardModifiers() << ""
                                                 << QByteArray("\x1b[5~");
    }
    void keys() {
        QFETCH(QByteArray, setup);
        QFETCH(int, key);
        QFETCH(Qt::KeyboardModifiers, mods);
        QFETCH(QString, text);
        QFETCH(QByteArray, bytes);
        Fixture f;
        f.view.receive(setup);
        QKeyEvent press(QEvent::KeyPress, key, mods, text);
        QApplication::sendEvent(&f.view, &press);
        QCOMPARE(f.sent.toHex(' '), bytes.toHex(' '));
    }

    void inputMethodCommitIsSent() {
        Fixture f;
        QInputMethodEvent preedit(QStringLiteral("ni"), {});
        QApplication::sendEvent(&f.view, &preedit);
        QVERIFY(f.sent.isEmpty());
        QInputMethodEvent commit;
        commit.setCommitString(QStringLiteral("\u4f60"));
        QApplication::sendEvent(&f.view, &commit);
        QCOMPARE(f.sent, QByteArray("\xe4\xbd\xa0"));
    }

    void dragSelectsAndCopies() {
        Fixture f;
        f.view.receive("first line   \r\nsecond\r\n");
        f.settle();
        f.drag({6, 0}, {2, 1}); // (column, row)
        QCOMPARE(f.view.selectedText(), QStringLiteral("line\nsec"));
        QKeyEvent copy(QEvent::KeyPress, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
        QApplication::sendEvent(&f.view, &copy);
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("line\nsec"));
    }

    void selectionModes_data() {
        QTest::addColumn<int>("mode");
        QTest::addColumn<int>("fromRow");
        QTest::addColumn<int>("fromCol");
        QTest::addColumn<int>("toRow");
        QTest::addColumn<int>("toCol");
        QTest::addColumn<QString>("text");
        using M = TerminalView::SelectionMode;
        QTest::newRow("characters") << int(M::Character) << 0 << 2 << 0 << 8 << "llo wor";
        QTest::newRow("word") << int(M::Word) << 0 << 7 << 0 << 7 << "world";
        QTest::newRow("word with configured characters") << int(M::Word) << 1 << 3 << 1 << 3 << "/usr/local-bin";
        QTest::newRow("line") << int(M::Line) << 0 << 5 << 1 << 0 << "hello world\n  /usr/local-bin x";
        QTest::newRow("rectangle") << int(M::Rectangle) << 0 << 2 << 1 << 5 << "llo\n/usr";
        // 45 characters on 40 columns: the wrapped row is joined, not split by a newline.
        QTest::newRow("wrapped line joined") << int(M::Line) << 2 << 0 << 3 << 0
                                             << "0123456789012345678901234567890123456789abcde";
        // 39 characters and a wide glyph that did not fit in the last column: the blank it left
        // there is not text.
        QTest::newRow("wide glyph wrapped early") << int(M::Line) << 4 << 0 << 5 << 0
                                                  << "012345678901234567890123456789012345678\u4e2dx";
    }
    void selectionModes() {
        QFETCH(int, mode);
        QFETCH(int, fromRow);
        QFETCH(int, fromCol);
        QFETCH(int, toRow);
        QFETCH(int, toCol);
        QFETCH(QString, text);
        Fixture f;
        f.view.receive("hello world   \r\n  /usr/local-bin x\r\n0123456789012345678901234567890123456789abcde\r\n"
                       "012345678901234567890123456789012345678\xe4\xb8\xadx\r\n");
        const std::int64_t top = f.view.positionAt(QPoint(0, 0)).line;
        f.view.setSelection({top + fromRow, fromCol}, {top + toRow, toCol}, TerminalView::SelectionMode(mode));
        QCOMPARE(f.view.selectedText(), text);
    }

    void doubleClickSelectsWord() {
        Fixture f;
        f.view.receive("alpha beta-gamma delta");
        f.settle();
        QTest::mouseDClick(f.view.viewport(), Qt::LeftButton, {}, f.cellCenter(0, 8));
        QCOMPARE(f.view.selectedText(), QStringLiteral("beta-gamma"));
    }

    void paste_data() {
        QTest::addColumn<QByteArray>("setup");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("asks");
        QTest::addColumn<bool>("accept");
        QTest::addColumn<QByteArray>("sent");
        QTest::newRow("single line") << QByteArray() << "ls -l" << false << false << QByteArray("ls -l");
        QTest::newRow("multi-line accepted") << QByteArray() << "a\nb" << true << true << QByteArray("a\rb");
        QTest::newRow("multi-line refused") << QByteArray() << "rm -rf /\n" << true << false << QByteArray();
        QTest::newRow("bracketed") << QByteArray("\033[?2004h") << "a\nb" << false << false
                                   << QByteArray("\x1b[200~a\rb\x1b[201~");
    }
    void paste() {
        QFETCH(QByteArray, setup);
        QFETCH(QString, text);
        QFETCH(bool, asks);
        QFETCH(bool, accept);
        QFETCH(QByteArray, sent);
        Fixture f;
        f.view.receive(setup);
        QSignalSpy spy(&f.view, &TerminalView::pasteConfirmationRequested);
        f.view.pasteText(text);
        QCOMPARE(spy.count(), asks ? 1 : 0);
        if (asks) {
            QVERIFY(f.sent.isEmpty());
            QCOMPARE(spy.at(0).at(0).toString(), text);
            f.view.answerPaste(accept);
        }
        QCOMPARE(f.sent, sent);
    }

    // A finished selection goes to the clipboard only with copy-on-select (PuTTY's option); on
    // X11 it is always the PRIMARY selection. A middle click pastes (PRIMARY where the platform
    // has one), through the same path as any paste, unless the option is off.
    void copyOnSelectAndMiddleClickPaste_data() {
        QTest::addColumn<bool>("copyOnSelect");
        QTest::addColumn<bool>("middleClickPaste");
        QTest::newRow("defaults: no copy, middle click pastes") << false << true;
        QTest::newRow("copy on select") << true << true;
        QTest::newRow("middle click paste off") << true << false;
    }
    void copyOnSelectAndMiddleClickPaste() {
        QFETCH(bool, copyOnSelect);
        QFETCH(bool, middleClickPaste);
        Fixture f;
        f.view.setCopyOnSelect(copyOnSelect);
        f.view.setMiddleClickPaste(middleClickPaste);
        QClipboard* clipboard = QGuiApplication::clipboard();
        clipboard->setText(QStringLiteral("before"), QClipboard::Clipboard);
        f.view.receive("alpha beta\r\n");
        f.settle();
        f.drag({6, 0}, {9, 0});
        QCOMPARE(f.view.selectedText(), QStringLiteral("beta"));
        QCOMPARE(clipboard->text(QClipboard::Clipboard), copyOnSelect ? QStringLiteral("beta") : QStringLiteral("before"));
        if (clipboard->supportsSelection())
            QCOMPARE(clipboard->text(QClipboard::Selection), QStringLiteral("beta"));
        const QString pasted = clipboard->supportsSelection() ? QStringLiteral("beta") : clipboard->text();
        QTest::mouseClick(f.view.viewport(), Qt::MiddleButton, {}, f.cellCenter(2, 0));
        QCOMPARE(f.sent, middleClickPaste ? pasted.toUtf8() : QByteArray());
        // With the host asking for mouse reports, the middle button is the host's.
        f.sent.clear();
        f.view.receive("\033[?1000h\033[?1006h");
        QTest::mouseClick(f.view.viewport(), Qt::MiddleButton, {}, f.cellCenter(2, 0));
        QCOMPARE(f.sent, QByteArray("\033[<1;1;3M\033[<1;1;3m"));
    }

    // Dragging past the top edge keeps scrolling into history and extends the selection there.
    void dragPastTheEdgeAutoScrolls() {
        Fixture f;
        for (int i = 0; i < 40; ++i)
            f.view.receive("row " + QByteArray::number(i) + "\r\n");
        f.settle();
        QCOMPARE(f.view.scrollOffset(), 0);
        QTest::mousePress(f.view.viewport(), Qt::LeftButton, {}, f.cellCenter(8, 5));
        QTest::mouseMove(f.view.viewport(), QPoint(f.cellCenter(0, 0).x(), -5));
        QTRY_VERIFY_WITH_TIMEOUT(f.view.scrollOffset() >= 5, 3000);
        QTest::mouseMove(f.view.viewport(), f.cellCenter(0, 0));
        const int offset = f.view.scrollOffset();
        QTest::qWait(200);
        QCOMPARE(f.view.scrollOffset(), offset); // back inside: scrolling stops
        QTest::mouseRelease(f.view.viewport(), Qt::LeftButton, {}, f.cellCenter(0, 0));
        const QStringList lines = f.view.selectedText().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 9 + offset); // from the top row now shown down to the anchor
        QCOMPARE(lines.first(), f.view.visibleText(0));
        QCOMPARE(lines.last(), QStringLiteral("row 39"));
    }

    // The cursor as painted: a filled block when focused, a hollow box when not; DECSCUSR
    // shapes; a blinking cursor is sometimes absent, a steady one never.
    void cursorIsPainted() {
        Fixture f;
        const ColorScheme scheme = f.view.colorScheme();
        auto pixel = [&f](QPoint p) { return f.pixelAt(p); };
        const QSize cell = f.view.cellSize();
        const QPoint centre = f.cellCenter(0, 0);
        const QPoint leftEdge(0, centre.y());
        f.view.receive("\033[2 q"); // steady block
        QApplication::setActiveWindow(&f.view);
        f.view.setFocus();
        QVERIFY(QTest::qWaitForWindowActive(&f.view));
        QTRY_VERIFY(f.view.hasFocus());
        f.settle();
        QCOMPARE(pixel(centre), scheme.cursor);
        f.view.receive("\033[6 q"); // steady bar
        f.settle();
        QCOMPARE(pixel(leftEdge), scheme.cursor);
        QCOMPARE(pixel(centre), scheme.background);
        f.view.receive("\033[2 q");
        f.view.clearFocus();
        QTRY_VERIFY(!f.view.hasFocus());
        f.settle();
        QCOMPARE(pixel(centre), scheme.background); // hollow
        QCOMPARE(pixel(leftEdge), scheme.cursor);
        QCOMPARE(pixel(QPoint(cell.width() / 2, 0)), scheme.cursor);
        f.view.setFocus();
        QTRY_VERIFY(f.view.hasFocus());
        f.view.receive("\033[1 q"); // blinking block
        bool seenOn = false, seenOff = false;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 3000 && !(seenOn && seenOff)) {
            QTest::qWait(50);
            (pixel(centre) == scheme.cursor ? seenOn : seenOff) = true;
        }
        QVERIFY(seenOn);
        QVERIFY(seenOff);
        f.view.setCursorBlinking(false); // the user's setting overrides the host's blink
        clock.restart();
        while (clock.elapsed() < 1200) {
            QTest::qWait(50);
            QCOMPARE(pixel(centre), scheme.cursor);
        }
    }

    // HiDPI (this test also runs with QT_SCALE_FACTOR=2): the view paints at the device pixel
    // ratio, and box drawing is drawn, not taken from the font: every pixel across a line is
    // either the line's colour or the background (no blur), at least one device pixel per
    // logical pixel thick.
    void paintsCrisplyAtTheDevicePixelRatio() {
        Fixture f;
        const qreal expected = qEnvironmentVariableIsSet("QT_SCALE_FACTOR") ? qEnvironmentVariable("QT_SCALE_FACTOR").toDouble() : 1.0;
        QCOMPARE(f.view.devicePixelRatioF(), expected);
        f.view.receive("\033[?25l\u2500\u2502\u253c\r\n\u2500\u2500\u2500"); // no cursor; ─ │ ┼, then ───
        f.settle();
        const QImage image = f.grab();
        QCOMPARE(image.devicePixelRatio(), expected);
        QCOMPARE(image.width(), qRound(f.view.viewport()->width() * expected));
        const ColorScheme& scheme = f.view.colorScheme();
        const QSize cell = f.view.cellSize() * expected;
        auto crispRun = [&](QPoint from, QPoint step, int count) {
            int lit = 0;
            for (int i = 0; i < count; ++i) {
                const QColor c = image.pixelColor(from + step * i);
                if (c == scheme.foreground)
                    ++lit;
                else if (c != scheme.background)
                    return -1; // a blended pixel
            }
            return lit;
        };
        // Down through the middle of ─, across the middle of │.
        const int across = crispRun(QPoint(cell.width() / 2, 0), QPoint(0, 1), cell.height());
        const int down = crispRun(QPoint(cell.width() + 0, cell.height() / 2), QPoint(1, 0), cell.width());
        QVERIFY2(across >= qRound(expected) && across <= 4 * qRound(expected), qPrintable(QString::number(across)));
        QVERIFY2(down >= qRound(expected) && down <= 4 * qRound(expected), qPrintable(QString::number(down)));
        QCOMPARE(across, down);
        // ─── is one unbroken line: some device row is lit across all three cells, and the
        // line does not spill into the fourth.
        bool joined = false;
        for (int y = cell.height(); y < 2 * cell.height() && !joined; ++y) {
            joined = crispRun(QPoint(0, y), QPoint(1, 0), 3 * cell.width()) == 3 * cell.width() &&
                     image.pixelColor(QPoint(3 * cell.width(), y)) == scheme.background;
        }
        QVERIFY(joined);
    }

    // ╭╮╰╯ are quarter arcs, at any font size and scale: at the cell's edges the arc's arms are
    // exactly the rows of the ─ beside it and the columns of the │ above or below it, crisp, so
    // the box is seamless; where a square corner's lines would cross, on the outside, nothing is
    // painted, and inside that, on the diagonal into the box, the arc is.
    void roundedCornersJoinTheirNeighbours_data() {
        QTest::addColumn<int>("fontPixels");
        QTest::addColumn<QPoint>("corner"); // column and row in ╭─╮ / │ │ / ╰─╯
        for (int pixels : {11, 14, 20}) {
            QTest::addRow("top left, %d px", pixels) << pixels << QPoint(0, 0);
            QTest::addRow("top right, %d px", pixels) << pixels << QPoint(2, 0);
            QTest::addRow("bottom left, %d px", pixels) << pixels << QPoint(0, 2);
            QTest::addRow("bottom right, %d px", pixels) << pixels << QPoint(2, 2);
        }
    }
    void roundedCornersJoinTheirNeighbours() {
        QFETCH(int, fontPixels);
        QFETCH(QPoint, corner);
        Fixture f(fontPixels);
        f.view.receive("\033[?25l\u256d\u2500\u256e\r\n\u2502 \u2502\r\n\u2570\u2500\u256f"); // no cursor
        f.settle();
        const QImage image = f.grab();
        const ColorScheme& scheme = f.view.colorScheme();
        const QRect cell = f.deviceCell(image, corner.y(), corner.x());
        const int dx = corner.x() == 0 ? 1 : -1, dy = corner.y() == 0 ? 1 : -1; // towards the box's inside
        // The rows the ─ beside the corner lights next to it, and the columns of the │.
        const QRect beside = cell.translated(dx * cell.width(), 0), aboveOrBelow = cell.translated(0, dy * cell.height());
        QList<int> rows, columns;
        for (int y = cell.top(); y <= cell.bottom(); ++y)
            if (image.pixelColor(dx > 0 ? beside.left() : beside.right(), y) == scheme.foreground)
                rows << y;
        for (int x = cell.left(); x <= cell.right(); ++x)
            if (image.pixelColor(x, dy > 0 ? aboveOrBelow.top() : aboveOrBelow.bottom()) == scheme.foreground)
                columns << x;
        QVERIFY(!rows.isEmpty());
        QCOMPARE(rows.size(), columns.size());
        const int edgeX = dx > 0 ? cell.right() : cell.left(), edgeY = dy > 0 ? cell.bottom() : cell.top();
        for (int y = cell.top(); y <= cell.bottom(); ++y)
            QCOMPARE(image.pixelColor(edgeX, y), rows.contains(y) ? scheme.foreground : scheme.background);
        for (int x = cell.left(); x <= cell.right(); ++x)
            QCOMPARE(image.pixelColor(x, edgeY), columns.contains(x) ? scheme.foreground : scheme.background);
        const QPoint outer(dx > 0 ? columns.first() : columns.last(), dy > 0 ? rows.first() : rows.last());
        QVERIFY2(f.ink(image, outer) < 0.25, qPrintable(QString::number(f.ink(image, outer))));
        double arc = 0;
        for (QPoint p = outer + QPoint(dx, dy) * int(rows.size()); cell.contains(p); p += QPoint(dx, dy))
            arc = std::max(arc, f.ink(image, p));
        QVERIFY2(arc >= 0.5, qPrintable(QString::number(arc)));
    }

    // ╱╲╳ run corner to corner, so that each joins the next cell on its slope: the corner pixels
    // a diagonal runs through are mostly its colour, the others background (a glyph from the
    // font stops short of the corners whenever the line height is not the font's em). And a
    // staircase of them is one even line: every device row holds as much of it as the next, at
    // the joins too (a stroke clipped to each cell pinches to a point there).
    void diagonalsRunCornerToCorner_data() {
        QTest::addColumn<int>("fontPixels");
        QTest::addColumn<QString>("glyph");
        QTest::addColumn<bool>("rising");
        QTest::addColumn<bool>("falling");
        for (int pixels : {11, 14, 20}) {
            QTest::addRow("rising, %d px", pixels) << pixels << QStringLiteral("\u2571") << true << false;
            QTest::addRow("falling, %d px", pixels) << pixels << QStringLiteral("\u2572") << false << true;
            QTest::addRow("crossing, %d px", pixels) << pixels << QStringLiteral("\u2573") << true << true;
        }
    }
    void diagonalsRunCornerToCorner() {
        QFETCH(int, fontPixels);
        QFETCH(QString, glyph);
        QFETCH(bool, rising);
        QFETCH(bool, falling);
        Fixture f(fontPixels);
        // Three cells on each slope the glyph draws, crossing in the middle one; a blank column
        // on either side, so that the stroke's width at the ends has room.
        QByteArray text = "\033[?25l";
        for (int row = 0; row < 3; ++row) {
            text += ' ';
            for (int col = 0; col < 3; ++col)
                text += (rising && row + col == 2) || (falling && row == col) ? glyph.toUtf8() : QByteArray(" ");
            text += row < 2 ? "\r\n" : "";
        }
        f.view.receive(text);
        f.settle();
        const QImage image = f.grab();
        const QRect cell = f.deviceCell(image, 1, 2);
        const struct {
            QPoint pixel;
            bool lit;
        } corners[] = {{cell.topLeft(), falling},
                       {cell.bottomRight(), falling},
                       {cell.bottomLeft(), rising},
                       {cell.topRight(), rising}};
        for (const auto& corner : corners) {
            const double ink = f.ink(image, corner.pixel);
            if (corner.lit)
                QVERIFY2(ink >= 0.5, qPrintable(QString::number(ink)));
            else
                QCOMPARE(image.pixelColor(corner.pixel), f.view.colorScheme().background);
        }
        if (rising && falling)
            return; // two lines: the rows where they cross hold more
        QList<double> inkPerRow;
        for (int y = 0; y < 3 * cell.height(); ++y) {
            double sum = 0;
            for (int x = 0; x < 5 * cell.width(); ++x)
                sum += f.ink(image, QPoint(x, y));
            inkPerRow << sum;
        }
        const auto [least, most] = std::minmax_element(inkPerRow.begin(), inkPerRow.end());
        QVERIFY2(*least > 0.9 * *most, qPrintable(QStringLiteral("%1 of %2 in row %3")
                                                      .arg(*least)
                                                      .arg(*most)
                                                      .arg(least - inkPerRow.begin())));
    }

    // Dashed lines are the solid line of their weight cut into n dashes a cell in whole device
    // pixels: every dash covers exactly the solid line's rows (or columns), each cell holds its
    // n dashes, and dashes and gaps keep one rhythm across cells (lengths within a pixel).
    void dashedLinesFollowTheSolidLine_data() {
        QTest::addColumn<QString>("dashed");
        QTest::addColumn<QString>("solid");
        QTest::addColumn<int>("dashes");
        QTest::addColumn<bool>("horizontal");
        QTest::newRow("light triple, horizontal") << QStringLiteral("\u2504") << QStringLiteral("\u2500") << 3 << true;
        QTest::newRow("heavy triple, horizontal") << QStringLiteral("\u2505") << QStringLiteral("\u2501") << 3 << true;
        QTest::newRow("light triple, vertical") << QStringLiteral("\u2506") << QStringLiteral("\u2502") << 3 << false;
        QTest::newRow("heavy triple, vertical") << QStringLiteral("\u2507") << QStringLiteral("\u2503") << 3 << false;
        QTest::newRow("light quadruple, horizontal") << QStringLiteral("\u2508") << QStringLiteral("\u2500") << 4 << true;
        QTest::newRow("heavy quadruple, horizontal") << QStringLiteral("\u2509") << QStringLiteral("\u2501") << 4 << true;
        QTest::newRow("light quadruple, vertical") << QStringLiteral("\u250a") << QStringLiteral("\u2502") << 4 << false;
        QTest::newRow("heavy quadruple, vertical") << QStringLiteral("\u250b") << QStringLiteral("\u2503") << 4 << false;
        QTest::newRow("light double, horizontal") << QStringLiteral("\u254c") << QStringLiteral("\u2500") << 2 << true;
        QTest::newRow("heavy double, horizontal") << QStringLiteral("\u254d") << QStringLiteral("\u2501") << 2 << true;
        QTest::newRow("light double, vertical") << QStringLiteral("\u254e") << QStringLiteral("\u2502") << 2 << false;
        QTest::newRow("heavy double, vertical") << QStringLiteral("\u254f") << QStringLiteral("\u2503") << 2 << false;
    }
    void dashedLinesFollowTheSolidLine() {
        QFETCH(QString, dashed);
        QFETCH(QString, solid);
        QFETCH(int, dashes);
        QFETCH(bool, horizontal);
        Fixture f;
        // A solid cell, three dashed ones, a solid one: along row 0 or down column 0.
        const QString next = horizontal ? QString() : QStringLiteral("\r\n");
        f.view.receive("\033[?25l" + (solid + next + (dashed + next).repeated(3) + solid).toUtf8());
        f.settle();
        const QImage image = f.grab();
        const ColorScheme& scheme = f.view.colorScheme();
        const QRect first = f.deviceCell(image, 0, 0);
        auto at = [horizontal](int along, int across) { return horizontal ? QPoint(along, across) : QPoint(across, along); };
        const int acrossFrom = horizontal ? first.top() : first.left(), acrossTo = horizontal ? first.bottom() : first.right();
        const int cellLength = horizontal ? first.width() : first.height();
        // The solid line's cross-section, in the middle of the first cell.
        QList<int> section;
        for (int across = acrossFrom; across <= acrossTo; ++across)
            if (image.pixelColor(at(cellLength / 2, across)) == scheme.foreground)
                section << across;
        QVERIFY(!section.isEmpty());
        // Along the dashed cells, each device pixel step is the whole cross-section or nothing.
        QList<bool> lit;
        for (int along = cellLength; along < 4 * cellLength; ++along) {
            const bool on = image.pixelColor(at(along, section.first())) == scheme.foreground;
            for (int across = acrossFrom; across <= acrossTo; ++across)
                QCOMPARE(image.pixelColor(at(along, across)), on && section.contains(across) ? scheme.foreground
                                                                                             : scheme.background);
            lit << on;
        }
        // The runs of dash and gap, the gaps before the first dash and after the last left out.
        QList<int> dashLengths, gapLengths, dashesPerCell(3, 0);
        for (qsizetype start = 0, end = 0; start < lit.size(); start = end) {
            end = start;
            while (end < lit.size() && lit[end] == lit[start])
                ++end;
            if (lit[start]) {
                const int cell = int(start / cellLength);
                QCOMPARE(int((end - 1) / cellLength), cell); // no dash runs over a cell's edge
                ++dashesPerCell[cell];
                dashLengths << int(end - start);
            } else if (start > 0 && end < lit.size()) {
                gapLengths << int(end - start);
            }
        }
        QCOMPARE(dashesPerCell, QList<int>(3, dashes));
        QVERIFY(!gapLengths.isEmpty());
        auto even = [](const QList<int>& lengths) {
            const auto [shortest, longest] = std::minmax_element(lengths.begin(), lengths.end());
            return *longest - *shortest <= 1;
        };
        auto listed = [](const QList<int>& lengths) {
            QStringList text;
            for (int length : lengths)
                text << QString::number(length);
            return text.join(QLatin1Char(' '));
        };
        QVERIFY2(even(dashLengths), qPrintable("dashes " + listed(dashLengths)));
        QVERIFY2(even(gapLengths), qPrintable("gaps " + listed(gapLengths)));
    }

    // A resize re-wraps the text; the selection stays on the same text (here on a wrapped line
    // in the history, starting in one row and ending in the next).
    void selectionFollowsReflow_data() {
        QTest::addColumn<int>("columns");
        QTest::addColumn<int>("rows");
        QTest::newRow("narrower") << 30 << 10;
        QTest::newRow("much narrower") << 7 << 10;
        QTest::newRow("wider") << 70 << 10;
        QTest::newRow("shorter") << 40 << 4;
        QTest::newRow("taller") << 40 << 30;
    }
    void selectionFollowsReflow() {
        QFETCH(int, columns);
        QFETCH(int, rows);
        Fixture f;
        QByteArray out;
        for (int i = 0; i < 30; ++i)
            out += "filler " + QByteArray::number(i) + "\r\n";
        out += "0123456789012345678901234567890123456789abcdefghij the target text\r\n";
        for (int i = 0; i < 12; ++i)
            out += "after " + QByteArray::number(i) + "\r\n";
        f.view.receive(out);
        TerminalEmulator& t = f.view.emulator();
        const std::int64_t top = std::int64_t(t.historyPushed());
        int row = -t.historySize();
        while (!t.text(row).contains(QLatin1String("target")))
            ++row;
        QVERIFY(row < 0 && t.isWrapped(row - 1));
        const int end = int(t.text(row).indexOf(QLatin1String("target"))) + 5;
        f.view.setSelection({top + row - 1, 38}, {top + row, end}, TerminalView::SelectionMode::Character);
        const QString selected = QStringLiteral("89abcdefghij the target");
        QCOMPARE(f.view.selectedText(), selected);
        f.resizeCells(columns, rows);
        QCOMPARE(f.view.columns(), columns);
        QVERIFY(f.view.hasSelection());
        QCOMPARE(f.view.selectedText(), selected);
        f.resizeCells(40, 10); // and back
        QCOMPARE(f.view.selectedText(), selected);
    }

    // The same on the screen with wide glyphs, which the reflow moves by whole glyphs (a row
    // may end in padding where one did not fit).
    void selectionOfWideTextFollowsReflow_data() {
        QTest::addColumn<int>("columns");
        QTest::newRow("padding at a row's end") << 11;
        QTest::newRow("glyph by glyph") << 3;
        QTest::newRow("wider") << 60;
    }
    void selectionOfWideTextFollowsReflow() {
        QFETCH(int, columns);
        Fixture f;
        f.view.receive("abc \xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97\xe7\xac\xa6 def \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e xyz\r\n$ ");
        const std::int64_t top = f.view.positionAt(QPoint(0, 0)).line;
        f.view.setSelection({top, 4}, {top, 22}, TerminalView::SelectionMode::Character);
        const QString selected = QStringLiteral("\u4e2d\u6587\u5b57\u7b26 def \u65e5\u672c\u8a9e");
        QCOMPARE(f.view.selectedText(), selected);
        f.resizeCells(columns, 10);
        QCOMPARE(f.view.selectedText(), selected);
        f.resizeCells(40, 10);
        QCOMPARE(f.view.selectedText(), selected);
    }

    // Text that ends where the cursor is and fills its rows exactly at the new width puts the
    // cursor on a fresh row below: the lines above are still found.
    void selectionFollowsReflowWhenCursorMovesToFreshRow() {
        Fixture f;
        f.view.receive("filler\r\n0123456789abcdefghij");
        const std::int64_t top = f.view.positionAt(QPoint(0, 0)).line;
        f.view.setSelection({top, 0}, {top, 5}, TerminalView::SelectionMode::Character);
        f.resizeCells(10, 10);
        QCOMPARE(f.view.emulator().cursor().column, 0); // on the fresh row
        QCOMPARE(f.view.selectedText(), QStringLiteral("filler"));
    }

    // Rows the background reflow has not reached are at their old width; scrolled to, they
    // are shown re-wrapped, not cut off at the new width.
    void rowsScrolledToAreReflowed() {
        Fixture f;
        f.view.setScrollbackLines(100000);
        f.resizeCells(100, 10);
        QByteArray out;
        for (int i = 0; i < 4000; ++i)
            out += "line " + QByteArray::number(i).rightJustified(4, '0') + ' ' + QByteArray(80, char('a' + i % 26)) + "\r\n";
        for (qsizetype i = 0; i < out.size(); i += 65536)
            f.view.receive(out.mid(i, 65536));
        f.resizeCells(40, 10);
        QVERIFY(f.view.emulator().reflowPending());
        f.view.verticalScrollBar()->setValue(0); // the top of the history
        const QString first = QStringLiteral("line 0000 ") + QString(80, QLatin1Char('a'));
        QCOMPARE(f.view.visibleText(0), first.left(40));
        QCOMPARE(f.view.visibleText(1), first.mid(40, 40));
        QCOMPARE(f.view.visibleText(2), first.mid(80));
        // The same scrolling there by lines, after resizes made at the bottom (a resize made
        // while scrolled up to such rows finishes the reflow at once).
        f.view.scrollToBottom();
        f.resizeCells(90, 10);
        f.resizeCells(30, 10);
        QVERIFY(f.view.emulator().reflowPending());
        f.view.scrollLines(f.view.emulator().historySize());
        for (int r = 0; r < 10; ++r)
            QVERIFY2(f.view.visibleText(r).size() <= 30, qPrintable(f.view.visibleText(r)));
        QCOMPARE(f.view.visibleText(0), first.left(30));
    }

    void viewStaysPutWhenScrolledUp() {
        Fixture f;
        for (int i = 0; i < 50; ++i)
            f.view.receive("line " + QByteArray::number(i) + "\r\n");
        f.settle();
        QCOMPARE(f.view.scrollOffset(), 0);
        QKeyEvent pageUp(QEvent::KeyPress, Qt::Key_PageUp, Qt::ShiftModifier);
        QApplication::sendEvent(&f.view, &pageUp);
        QCOMPARE(f.view.scrollOffset(), 9);
        const QString top = f.view.visibleText(0);
        for (int i = 50; i < 80; ++i)
            f.view.receive("line " + QByteArray::number(i) + "\r\n");
        f.settle();
        QCOMPARE(f.view.visibleText(0), top);
        // Typing returns to the bottom.
        QKeyEvent key(QEvent::KeyPress, Qt::Key_X, Qt::NoModifier, QStringLiteral("x"));
        QApplication::sendEvent(&f.view, &key);
        QCOMPARE(f.view.scrollOffset(), 0);
    }

    // `clear` (ED 3) empties the scrollback: a view scrolled up into it returns to the live
    // screen, the scroll bar has nothing above, and search finds only what is left.
    void erasedScrollbackResetsTheView() {
        Fixture f;
        for (int i = 0; i < 50; ++i)
            f.view.receive("line " + QByteArray::number(i) + "\r\n");
        f.settle();
        QKeyEvent pageUp(QEvent::KeyPress, Qt::Key_PageUp, Qt::ShiftModifier);
        QApplication::sendEvent(&f.view, &pageUp);
        QVERIFY(f.view.scrollOffset() > 0);
        QVERIFY(f.view.verticalScrollBar()->maximum() > 0);
        f.view.receive("\033[H\033[2J\033[3Jafter");
        f.settle();
        QCOMPARE(f.view.scrollOffset(), 0);
        QCOMPARE(f.view.verticalScrollBar()->maximum(), 0);
        QCOMPARE(f.view.visibleText(0), QStringLiteral("after"));
        QVERIFY(!f.view.find(QStringLiteral("line 1"), false, false, true));
        QVERIFY(f.view.find(QStringLiteral("after"), false, false, true));
    }

    void search() {
        Fixture f;
        for (int i = 0; i < 40; ++i)
            f.view.receive((i % 10 == 3 ? "needle " : "hay ") + QByteArray::number(i) + "\r\n");
        f.settle();
        QVERIFY(f.view.find(QStringLiteral("NEEDLE"), false, false, true));
        auto m = f.view.currentMatch();
        QVERIFY(m.has_value());
        QCOMPARE(f.view.emulator().text(int(m->first.line - std::int64_t(f.view.emulator().historyPushed()))),
                 QStringLiteral("needle 33"));
        QVERIFY(f.view.findPrevious());
        QCOMPARE(f.view.emulator().text(int(f.view.currentMatch()->first.line - std::int64_t(f.view.emulator().historyPushed()))),
                 QStringLiteral("needle 23"));
        // The match is scrolled into view.
        const std::int64_t top = f.view.positionAt(QPoint(0, 0)).line;
        QVERIFY(f.view.currentMatch()->first.line >= top && f.view.currentMatch()->first.line < top + f.view.rows());
        QVERIFY(f.view.findNext());
        QCOMPARE(f.view.emulator().text(int(f.view.currentMatch()->first.line - std::int64_t(f.view.emulator().historyPushed()))),
                 QStringLiteral("needle 33"));
        QVERIFY(!f.view.find(QStringLiteral("NEEDLE"), false, true, true)); // case-sensitive
        QVERIFY(f.view.find(QStringLiteral("ne+dle [0-9]3"), true, true, true));
        QVERIFY(!f.view.find(QStringLiteral("("), true, true, true)); // invalid expression
    }

    // OSC 11 / 4 change what is painted, for this terminal only; OSC 111 / 104 restore the
    // scheme; the reply to a query goes out through sendBytes.
    void hostColorsArePainted() {
        Fixture f;
        f.view.setColorScheme(ColorScheme::named(QStringLiteral("Portal Light")));
        const ColorScheme light = ColorScheme::named(QStringLiteral("Portal Light"));
        auto pixel = [&f](int row, int col) { return f.pixelAt(f.cellCenter(row, col)); };
        f.view.receive("\033[41m  \033[0m");
        f.settle();
        QCOMPARE(pixel(5, 20), light.background);
        QCOMPARE(pixel(0, 0), light.ansi[1]);
        f.view.receive("\033]11;#336699\007\033]4;1;rgb:00/ff/00\033\\");
        f.settle();
        QCOMPARE(pixel(5, 20), QColor(0x33, 0x66, 0x99)); // blank cells
        QCOMPARE(pixel(9, 39), QColor(0x33, 0x66, 0x99)); // the last cell
        QCOMPARE(pixel(0, 0), QColor(0, 0xff, 0));        // ESC[41m, palette entry 1 as set
        QCOMPARE(f.view.colorScheme().background, QColor(0x33, 0x66, 0x99));
        f.view.receive("\033]11;?\007");
        QCOMPARE(f.sent, QByteArray("\033]11;rgb:3333/6666/9999\007"));
        f.view.receive("\033]111\007\033]104\007");
        f.settle();
        QCOMPARE(pixel(5, 20), light.background);
        QCOMPARE(pixel(0, 0), light.ansi[1]);
    }

    void ctrlClickOpensLinks() {
        Fixture f;
        f.view.receive("see https://example.com/a?b=1. and \033]8;;https://portal.test/x\007here\033]8;;\007 "
                       "\033]8;;javascript:alert(1)\007bad\033]8;;\007");
        f.settle();
        QSignalSpy spy(&f.view, &TerminalView::linkActivated);
        QTest::mouseClick(f.view.viewport(), Qt::LeftButton, Qt::ControlModifier, f.cellCenter(0, 10));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toUrl(), QUrl(QStringLiteral("https://example.com/a?b=1")));
        QTest::mouseClick(f.view.viewport(), Qt::LeftButton, Qt::ControlModifier, f.cellCenter(0, 36));
        QCOMPARE(spy.count(), 2);
        QCOMPARE(spy.at(1).at(0).toUrl(), QUrl(QStringLiteral("https://portal.test/x")));
        QTest::mouseClick(f.view.viewport(), Qt::LeftButton, Qt::ControlModifier, f.cellCenter(1, 1));
        QCOMPARE(spy.count(), 2); // javascript: is never opened
    }

    void mouseReportsWhenAsked() {
        Fixture f;
        f.view.receive("\033[?1000;1006h");
        QTest::mouseClick(f.view.viewport(), Qt::LeftButton, {}, f.cellCenter(2, 3));
        QCOMPARE(f.sent, QByteArray("\x1b[<0;4;3M\x1b[<0;4;3m"));
        f.sent.clear();
        // Shift overrides reporting, for selection.
        QTest::mouseClick(f.view.viewport(), Qt::LeftButton, Qt::ShiftModifier, f.cellCenter(2, 3));
        QVERIFY(f.sent.isEmpty());
    }

    void focusEventsWhenAsked() {
        Fixture f;
        f.view.receive("\033[?1004h");
        QFocusEvent out(QEvent::FocusOut);
        QApplication::sendEvent(&f.view, &out);
        QFocusEvent in(QEvent::FocusIn);
        QApplication::sendEvent(&f.view, &in);
        QCOMPARE(f.sent, QByteArray("\x1b[O\x1b[I"));
    }

    void repaintsAreCoalesced() {
        Fixture f;
        f.settle();
        const int before = f.view.paintCount();
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 2000; ++i)
            f.view.receive("output line " + QByteArray::number(i) + "\r\n");
        const qint64 feedMs = timer.elapsed();
        QTest::qWait(50);
        const int paints = f.view.paintCount() - before;
        // However fast data arrived, at most one repaint per frame interval went by.
        QVERIFY2(paints >= 1 && paints <= 2 + int((feedMs + 50) / 4), qPrintable(QString::number(paints)));
        QCOMPARE(f.view.visibleText(8), QStringLiteral("output line 1999"));
    }

    // After a pause, output (a typed key's echo) is painted in the next passes of the event
    // loop, not a frame interval later: no waiting here, only processEvents().
    void outputAfterAPauseIsPaintedAtOnce() {
        Fixture f;
        QTest::qWait(300); // longer than the longest frame interval (250 ms)
        const int before = f.view.paintCount();
        f.view.receive("k");
        for (int i = 0; i < 5 && f.view.paintCount() == before; ++i)
            QCoreApplication::processEvents();
        QVERIFY(f.view.paintCount() > before);
        QCOMPARE(f.view.visibleText(0).trimmed().right(1), QStringLiteral("k"));
    }

    void signalsOut() {
        Fixture f;
        QSignalSpy title(&f.view, &TerminalView::titleChanged);
        QSignalSpy cwd(&f.view, &TerminalView::workingDirectoryChanged);
        QSignalSpy bell(&f.view, &TerminalView::bell);
        f.view.receive("\033]2;build\007\033]7;file://h/srv\007\007\033[c");
        QCOMPARE(title.count(), 1);
        QCOMPARE(cwd.count(), 1);
        QCOMPARE(bell.count(), 1);
        QCOMPARE(f.sent, QByteArray("\033[?1;2c"));
    }

    void colourSchemes() {
        QVERIFY(ColorScheme::names().size() >= 5);
        const ColorScheme dark = ColorScheme::named(QString());
        QCOMPARE(dark.name, QStringLiteral("Portal Dark"));
        QVERIFY(dark.background.lightness() < dark.foreground.lightness());
        const ColorScheme light = ColorScheme::named(QStringLiteral("Portal Light"));
        QVERIFY(light.background.lightness() > light.foreground.lightness());
        QCOMPARE(dark.resolve(Color::indexed(196), true), QColor(255, 0, 0));
        QCOMPARE(dark.resolve(Color::indexed(232), true), QColor(8, 8, 8));
        QCOMPARE(dark.resolve(Color::rgb(1, 2, 3), false), QColor(1, 2, 3));
    }
};

QTEST_MAIN(TestTerminalView)
#include "test_terminal_view.moc"
