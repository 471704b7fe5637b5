// Renders a reference screen (colours, attributes, underline colours, CJK, emoji, box drawing
// with rounded, diagonal and dashed lines, selection, search highlight) to
// <build>/screenshots/terminal_reference.png for a person to look at, and checks a few pixels
// that must be right whatever the font. Runs under xvfb-run with the xcb platform (offscreen
// when xvfb-run is missing); the picture comes from QWidget::grab() either way.
#include "TerminalView.h"

#include <QDir>
#include <QImage>
#include <QScrollBar>
#include <QtTest>

using namespace portal::terminal;

namespace {

// A shown view of columns × rows cells in DejaVu Sans Mono 15 px.
void showView(TerminalView& view, int columns, int rows) {
    QFont font(QStringLiteral("DejaVu Sans Mono"));
    font.setPixelSize(15);
    view.setTerminalFont(font);
    const QSize cell = view.cellSize();
    view.resize(columns * cell.width() + view.verticalScrollBar()->sizeHint().width() + 2 * view.frameWidth(),
                rows * cell.height() + 2 * view.frameWidth());
    view.show();
}

// Writes the view to <build>/screenshots/<name> and returns the picture.
QImage saveShot(TerminalView& view, const QString& name) {
    const QImage image = view.grab().toImage();
    const QString dir = QStringLiteral(PORTAL_BINARY_ROOT "/screenshots");
    if (!QDir().mkpath(dir) || !image.save(dir + QLatin1Char('/') + name))
        qFatal("cannot write %s", qPrintable(dir + QLatin1Char('/') + name));
    qInfo("wrote %s/%s (%dx%d)", qPrintable(dir), qPrintable(name), image.width(), image.height());
    return image;
}

// The colour of a cell's pixel (dx, dy) in a grabbed picture.
QColor pixelAt(const TerminalView& view, const QImage& image, int row, int col, int dx = 2, int dy = 2) {
    const QSize cell = view.cellSize();
    const qreal dpr = image.devicePixelRatio();
    const QPoint p(view.frameWidth() + col * cell.width() + dx, view.frameWidth() + row * cell.height() + dy);
    return image.pixelColor(QPoint(int(p.x() * dpr), int(p.y() * dpr)));
}

} // namespace

class TestTerminalScreenshot : public QObject {
    Q_OBJECT
private slots:
    void referenceScreen() {
        TerminalView view;
        showView(view, 80, 24);
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.columns(), 80);
        QCOMPARE(view.rows(), 24);
        const QSize cell = view.cellSize();

        QByteArray s;
        s += "\033[1mbold\033[0m \033[2mfaint\033[0m \033[3mitalic\033[0m \033[4munderline\033[0m "
             "\033[21mdouble\033[0m \033[4:3mcurly\033[0m \033[9mstrike\033[0m \033[7mreverse\033[0m "
             "\033[5mblink\033[0m [\033[8mhidden\033[0m]\r\n";
        for (int i = 0; i < 8; ++i)
            s += "\033[4" + QByteArray::number(i) + "m  " + QByteArray::number(i) + "  ";
        s += "\033[0m\r\n";
        for (int i = 0; i < 8; ++i)
            s += "\033[10" + QByteArray::number(i) + "m  " + QByteArray::number(i + 8) + (i + 8 < 10 ? "  " : " ");
        s += "\033[0m\r\n";
        for (int i = 16; i < 232; i += 3)
            s += "\033[48;5;" + QByteArray::number(i) + "m ";
        s += "\033[0m\r\n";
        for (int i = 0; i < 72; ++i)
            s += "\033[48;2;" + QByteArray::number(i * 255 / 71) + ";" + QByteArray::number(128) + ";" +
                 QByteArray::number(255 - i * 255 / 71) + "m ";
        s += "\033[0m\r\n";
        s += "\033[31mred \033[32mgreen \033[33myellow \033[34mblue \033[35mmagenta \033[36mcyan \033[1;37mbold white"
             "\033[0m \033[38;2;255;128;0mtruecolour orange\033[0m\r\n";
        s += "CJK: \xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97\xe7\xac\xa6 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
             "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4  emoji: \xf0\x9f\x98\x80 \xf0\x9f\x9a\x80 \xe2\x9c\x85  "
             "combining: e\xcc\x81 n\xcc\x83\r\n";
        s += "\xe2\x94\x8c\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\xac\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
             "\xe2\x94\x90 \xe2\x95\x94\xe2\x95\x90\xe2\x95\x90\xe2\x95\x97 \xe2\x94\x8f\xe2\x94\x81\xe2\x94\x93"
             " \xe2\x96\x88\xe2\x96\x93\xe2\x96\x92\xe2\x96\x91 \xe2\x96\x80\xe2\x96\x84\xe2\x96\x8c\xe2\x96\x90"
             "\033[56G\xe2\x95\xad\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x95\xae \xe2\x95\xb1\xe2\x95\xb2 \xe2\x95\xb2    \xe2\x94\x84\xe2\x94\x84\xe2\x94\x84\xe2\x94\x84 \xe2\x94\x86\xe2\x94\x87\xe2\x94\x8a\xe2\x94\x8b\xe2\x95\x8e\r\n"; // rounded, diagonal, dashed
        s += "\xe2\x94\x82 a \xe2\x94\x82 b \xe2\x94\x82 \xe2\x95\x91ok\xe2\x95\x91 \xe2\x94\x83x\xe2\x94\x83"
             "\033[30G\xe2\x95\x94\xe2\x95\x90\xe2\x95\xa6\xe2\x95\x90\xe2\x95\x97 \xe2\x95\x93\xe2\x94\x80\xe2\x95\xa5\xe2\x94\x80\xe2\x95\x96 \xe2\x95\x92\xe2\x95\x90\xe2\x95\xa4\xe2\x95\x90\xe2\x95\x95 \xe2\x94\x8f\xe2\x94\x81\xe2\x94\xb3\xe2\x94\x81\xe2\x94\x93"
             "\033[56G\xe2\x94\x82 \xe2\x94\x86 \xe2\x94\x82 \xe2\x95\xb2\xe2\x95\xb1  \xe2\x95\xb2   \xe2\x94\x85\xe2\x94\x85\xe2\x94\x85\xe2\x94\x85 \xe2\x94\x86\xe2\x94\x87\xe2\x94\x8a\xe2\x94\x8b\xe2\x95\x8e\r\n"; // double and mixed junctions
        s += "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\xbc\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
             "\xe2\x94\xa4 \xe2\x95\x9a\xe2\x95\x90\xe2\x95\x90\xe2\x95\x9d \xe2\x94\x97\xe2\x94\x81\xe2\x94\x9b"
             "\033[30G\xe2\x95\xa0\xe2\x95\x90\xe2\x95\xac\xe2\x95\x90\xe2\x95\xa3 \xe2\x95\x9f\xe2\x94\x80\xe2\x95\xab\xe2\x94\x80\xe2\x95\xa2 \xe2\x95\x9e\xe2\x95\x90\xe2\x95\xaa\xe2\x95\x90\xe2\x95\xa1 \xe2\x94\xa3\xe2\x94\x81\xe2\x95\x8b\xe2\x94\x81\xe2\x94\xab"
             "\033[56G\xe2\x94\x9c\xe2\x94\x84\xe2\x94\x84\xe2\x94\x84\xe2\x94\xa4 \xe2\x95\xb3\xe2\x95\xb3   \xe2\x95\xb2  \xe2\x94\x88\xe2\x94\x88\xe2\x94\x89\xe2\x94\x89 \xe2\x94\x86\xe2\x94\x87\xe2\x94\x8a\xe2\x94\x8b\xe2\x95\x8e\r\n";
        s += "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\xb4\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
             "\xe2\x94\x98\033[30G\xe2\x95\x9a\xe2\x95\x90\xe2\x95\xa9\xe2\x95\x90\xe2\x95\x9d \xe2\x95\x99\xe2\x94\x80\xe2\x95\xa8\xe2\x94\x80\xe2\x95\x9c \xe2\x95\x98\xe2\x95\x90\xe2\x95\xa7\xe2\x95\x90\xe2\x95\x9b \xe2\x94\x97\xe2\x94\x81\xe2\x94\xbb\xe2\x94\x81\xe2\x94\x9b"
             "\033[56G\xe2\x95\xb0\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x95\xaf \xe2\x95\xb1\xe2\x95\xb2    \xe2\x95\xb2 \xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8d\xe2\x95\x8d \xe2\x95\x8f\xe2\x95\x8f\xe2\x94\x8a\xe2\x94\x8b\xe2\x95\x8e\r\n";
        s += "selected text here; search finds needle and another needle\r\n";
        s += "\033]8;;https://example.com\007an OSC 8 link\033]8;;\007 and https://portal.test/url\r\n";
        s += "long run: /usr/local/share/portal/terminal/reference-screen.png\033[1m_BOLD_LONG_RUN_OF_TEXT\033[0m\r\n";
        s += "\033[4;58;2;255;0;0mred underline\033[0m \033[21;58;5;46mgreen double\033[0m "
             "\033[4:3;58:2::0:128:255mblue curly\033[0m \033[1;58;2;255;200;0;4mbold, yellow underline\033[0m "
             "\033[4;58;5;201m\033[59mplain underline\033[0m\r\n";
        s += "$ ";
        view.receive(s);
        QTest::qWait(50);

        const std::int64_t top = view.positionAt(QPoint(0, 0)).line;
        view.setSelection({top + 11, 0}, {top + 11, 12}, TerminalView::SelectionMode::Character);
        QVERIFY(view.find(QStringLiteral("needle"), false, true, true));
        view.setFocus();
        QTest::qWait(50);

        const QImage image = saveShot(view, QStringLiteral("terminal_reference.png"));

        // Pixels that must hold: palette backgrounds, selection, search highlight, box lines.
        const ColorScheme& scheme = view.colorScheme();
        auto at = [&](int row, int col, int dx = 2, int dy = 2) { return pixelAt(view, image, row, col, dx, dy); };
        QCOMPARE(at(1, 5), scheme.ansi[1]);                             // ESC[41m cell
        QCOMPARE(at(2, 20), scheme.ansi[12]);                           // ESC[104m cell
        QCOMPARE(at(11, 8), scheme.selectionBackground);                // selection
        QCOMPARE(at(11, 52), scheme.currentMatch);                      // the last "needle"
        QCOMPARE(at(11, 33), scheme.searchMatch);                       // the other one
        QCOMPARE(at(7, 1, cell.width() / 2, cell.height() / 2), scheme.foreground); // ─ through the centre
        QCOMPARE(at(7, 0, cell.width() / 2, cell.height() / 2), scheme.foreground); // ┌ is square
        QCOMPARE(at(7, 55, cell.width() / 2, cell.height() / 2), scheme.background); // ╭ is round
        QCOMPARE(at(0, 79, cell.width() / 2, cell.height() / 2), scheme.background);
        // SGR 58 (row 15; the long run above wraps): the line under "red underline" is pure red, the letters above it are not; a
        // colour ended by SGR 59 is not drawn.
        auto cellHas = [&](int row, int col, const QColor& colour, int fromY, int toY) {
            for (int dy = fromY; dy < toY; ++dy)
                for (int dx = 0; dx < cell.width(); ++dx)
                    if (at(row, col, dx, dy) == colour)
                        return true;
            return false;
        };
        const int h = cell.height();
        QVERIFY(cellHas(15, 4, QColor(255, 0, 0), h / 2, h));
        QVERIFY(!cellHas(15, 4, QColor(255, 0, 0), 0, h / 2));
        QVERIFY(cellHas(15, 16, scheme.resolve(Color::indexed(46), true), h / 2, h));
        QVERIFY(!cellHas(15, 64, scheme.resolve(Color::indexed(201), true), 0, h));
    }

    // A host recolours its terminal (OSC 10/11/12 and OSC 4, as theme scripts do): written to
    // <build>/screenshots/terminal_host_colors.png.
    void hostColors() {
        TerminalView view;
        showView(view, 40, 6);
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.receive("\033]10;#f0e0c0\007\033]11;rgb:20/30/48\007\033]12;orange\007"
                     "\033]4;1;#ff8080;2;#80ff80;4;#8080ff\033\\"
                     "host colours: \033[41m red \033[42m green \033[44m blue \033[0m\r\n"
                     "\033[31mred text\033[0m default text\r\n$ ");
        view.setFocus();
        QTest::qWait(50);
        const QImage image = saveShot(view, QStringLiteral("terminal_host_colors.png"));
        auto at = [&](int row, int col) { return pixelAt(view, image, row, col); };
        QCOMPARE(at(4, 30), QColor(0x20, 0x30, 0x48));
        QCOMPARE(at(0, 15), QColor(0xff, 0x80, 0x80));
        QCOMPARE(at(0, 21), QColor(0x80, 0xff, 0x80));
        QCOMPARE(at(0, 29), QColor(0x80, 0x80, 0xff));
    }
};

QTEST_MAIN(TestTerminalScreenshot)
#include "test_terminal_screenshot.moc"
