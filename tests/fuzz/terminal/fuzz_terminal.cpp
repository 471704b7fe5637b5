// Fuzzes the terminal's input path: host bytes, split into writes at fuzzer-chosen points and
// interleaved with resizes, into TerminalEmulator; then reads every row back. The same bytes cut
// to 7 bits go to two more, with the direct text path on and off (libvterm's callback per
// character), which must end up the same.
#include "../../unit/terminal/EmulatorComparison.h"
#include "InputEncoder.h"
#include "TerminalEmulator.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

using portal::terminal::TerminalEmulator;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3)
        return 0;
    // Header: rows, columns, and the write size pattern.
    const int rows = 1 + data[0] % 30;
    const int cols = 1 + data[1] % 100;
    const std::size_t chunk = 1 + data[2] % 64;
    data += 3;
    // Longer inputs add little but time: the CTest smoke run must stay short.
    size = std::min<std::size_t>(size - 3, 4096);

    TerminalEmulator::Options options;
    options.scrollbackLines = 50;
    options.clipboardWriteAllowed = (rows & 1) != 0;
    options.clipboardWriteLimit = 256;
    TerminalEmulator terminal(rows, cols, options);
    // libvterm 0.1.4 can lose a UTF-8 character cut across writes, and the direct path writes
    // to libvterm in other places than the host did: the two are compared on 7-bit input.
    TerminalEmulator direct(rows, cols, options);
    options.directText = false;
    TerminalEmulator perCharacter(rows, cols, options);
    std::vector<char> sevenBit(data, data + size);
    for (char& c : sevenBit)
        c = char(c & 0x7f);

    std::size_t offset = 0;
    int writes = 0;
    while (offset < size) {
        const std::size_t n = std::min(chunk + (offset % 7), size - offset);
        terminal.feed(reinterpret_cast<const char*>(data + offset), n);
        direct.feed(sevenBit.data() + offset, n);
        perCharacter.feed(sevenBit.data() + offset, n);
        offset += n;
        // Every 16th write, resize to a size derived from the data (reflow on both screens).
        if (++writes % 16 == 0 && offset < size) {
            terminal.resize(1 + data[offset] % 30, 1 + data[offset - 1] % 100);
            direct.resize(1 + data[offset] % 30, 1 + data[offset - 1] % 100);
            perCharacter.resize(1 + data[offset] % 30, 1 + data[offset - 1] % 100);
        }
    }
    if (!portal::terminal::testing::firstDifference(direct, perCharacter).isEmpty())
        __builtin_trap();

    std::vector<portal::terminal::Cell> scratch;
    for (int r = -terminal.historySize(); r < terminal.rows(); ++r) {
        for (const auto& cell : terminal.line(r, scratch))
            (void)terminal.style(cell.style);
        (void)terminal.text(r);
    }
    const auto cursor = terminal.cursor();
    if (cursor.row < 0 || cursor.row >= terminal.rows() || cursor.column < 0 || cursor.column >= terminal.columns())
        __builtin_trap();
    (void)portal::terminal::encodePaste(QStringLiteral("a\nb"), terminal.modes());
    return 0;
}
