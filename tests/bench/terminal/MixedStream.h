// The generated "mixed" terminal stream the terminal benchmarks share: plain text, SGR
// colours (16, 256, truecolour), UTF-8 CJK and emoji, and cursor motion (progress bars,
// status lines, erase), deterministic for a given size.
#pragma once

#include <QByteArray>

#include <cstring>
#include <random>

namespace portal::terminal::bench {

inline QByteArray mixedStream(std::size_t bytes) {
    std::mt19937 rng(42);
    auto pick = [&](int n) { return int(rng() % std::uint32_t(n)); };
    static const char* words[] = {"build", "error:", "warning", "src/main.cpp", "ok", "test", "passed", "the",
                                  "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "-rw-r--r--",
                                  "1024", "Nov", "portal", "terminal", "ssh", "connect", "done", "=>"};
    static const char* cjk[] = {"\xe4\xb8\xad", "\xe6\x96\x87", "\xe5\xad\x97", "\xe7\xac\xa6", "\xe6\xbc\xa2",
                                "\xe3\x81\x82", "\xe3\x82\xa2", "\xed\x95\x9c"};
    static const char* emoji[] = {"\xf0\x9f\x98\x80", "\xf0\x9f\x9a\x80", "\xf0\x9f\x94\xa5", "\xe2\x9c\x85"};
    QByteArray out;
    out.reserve(qsizetype(bytes + 4096));
    while (std::size_t(out.size()) < bytes) {
        const int kind = pick(100);
        if (kind < 40) { // plain text
            int len = 0;
            const int target = 30 + pick(60);
            while (len < target) {
                const char* w = words[pick(24)];
                out += w;
                out += ' ';
                len += int(std::strlen(w)) + 1;
            }
        } else if (kind < 62) { // SGR colours: 16, 256 and truecolour
            for (int k = 0; k < 6; ++k) {
                switch (pick(3)) {
                case 0: out += "\033[" + QByteArray::number(30 + pick(8)) + (pick(2) ? ";1m" : "m"); break;
                case 1: out += "\033[38;5;" + QByteArray::number(pick(256)) + 'm'; break;
                default:
                    out += "\033[38;2;" + QByteArray::number(pick(256)) + ';' + QByteArray::number(pick(256)) + ';' +
                           QByteArray::number(pick(256)) + 'm';
                }
                out += words[pick(24)];
                out += "\033[0m ";
            }
        } else if (kind < 77) { // CJK mixed with ASCII
            for (int k = 0; k < 25; ++k) {
                out += cjk[pick(8)];
                if (pick(4) == 0)
                    out += ' ';
            }
        } else if (kind < 85) { // emoji in text
            for (int k = 0; k < 8; ++k) {
                out += words[pick(24)];
                out += ' ';
                out += emoji[pick(4)];
                out += ' ';
            }
        } else { // cursor motion: progress bars, status lines, erase
            switch (pick(4)) {
            case 0:
                for (int p = 0; p <= 100; p += 10) {
                    out += "\r[" + QByteArray(p / 5, '#') + QByteArray(20 - p / 5, ' ') + "] " +
                           QByteArray::number(p) + '%';
                }
                break;
            case 1: out += "\0337\033[1;1H\033[7m status " + QByteArray::number(pick(100000)) + " \033[0m\033[K\0338"; break;
            case 2: out += "\033[2A\033[K" + QByteArray(words[pick(24)]) + "\033[2B"; break;
            default: out += "\033[" + QByteArray::number(1 + pick(20)) + 'C' + words[pick(24)] + "\033[K"; break;
            }
        }
        out += "\r\n";
    }
    out.truncate(qsizetype(bytes));
    return out;
}

} // namespace portal::terminal::bench
