// Feeding a TerminalEmulator the ways the terminal tests need, and the CPU clock they measure
// event-loop slices with.
#pragma once

#include "TerminalEmulator.h"

#include <QByteArray>

#include <time.h>

namespace portal::terminal::testing {

// Whole, or one byte per write (every split point of every sequence is exercised).
inline void feed(TerminalEmulator& t, const QByteArray& bytes, bool byteByByte) {
    if (!byteByByte) {
        t.feed(bytes);
        return;
    }
    for (char c : bytes)
        t.feed(&c, 1);
}

// In writes of 64 KiB, as a channel delivers output.
inline void feedAll(TerminalEmulator& t, const QByteArray& bytes) {
    for (qsizetype i = 0; i < bytes.size(); i += 65536)
        t.feed(bytes.mid(i, 65536));
}

// CPU time of the calling thread: what a slice costs, whatever else the machine runs.
inline double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

} // namespace portal::terminal::testing
