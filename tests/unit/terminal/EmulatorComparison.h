// Compares two TerminalEmulators as a user and the view see them: every screen and history row
// cell by cell (character, width, resolved style), wrap flags, cursor, damage. For differential
// tests (the direct text path against libvterm's callback per character) in tests and fuzzing.
#pragma once

#include "TerminalEmulator.h"

#include <QString>

#include <vector>

namespace portal::terminal::testing {

// The first difference between a and b, described; empty when they agree.
inline QString firstDifference(const TerminalEmulator& a, const TerminalEmulator& b) {
    if (a.rows() != b.rows() || a.columns() != b.columns())
        return QStringLiteral("size %1x%2 vs %3x%4").arg(a.columns()).arg(a.rows()).arg(b.columns()).arg(b.rows());
    if (a.historySize() != b.historySize() || a.historyPushed() != b.historyPushed())
        return QStringLiteral("history %1 vs %2 lines").arg(a.historySize()).arg(b.historySize());
    const auto ca = a.cursor(), cb = b.cursor();
    if (ca.row != cb.row || ca.column != cb.column || ca.visible != cb.visible)
        return QStringLiteral("cursor %1,%2 vs %3,%4").arg(ca.row).arg(ca.column).arg(cb.row).arg(cb.column);
    std::vector<Cell> sa, sb;
    for (int r = -a.historySize(); r < a.rows(); ++r) {
        const auto la = a.line(r, sa), lb = b.line(r, sb);
        if (la.size() != lb.size())
            return QStringLiteral("row %1: %2 vs %3 cells").arg(r).arg(la.size()).arg(lb.size());
        for (std::size_t c = 0; c < la.size(); ++c) {
            if (la[c].ch != lb[c].ch || la[c].width != lb[c].width || la[c].reserved != lb[c].reserved ||
                !(a.style(la[c].style) == b.style(lb[c].style)))
                return QStringLiteral("row %1 column %2: U+%3 width %4 vs U+%5 width %6 (or their styles)")
                    .arg(r)
                    .arg(c)
                    .arg(quint32(la[c].ch), 0, 16)
                    .arg(la[c].width)
                    .arg(quint32(lb[c].ch), 0, 16)
                    .arg(lb[c].width);
        }
        if (a.isWrapped(r) != b.isWrapped(r))
            return QStringLiteral("row %1: wrapped %2 vs %3").arg(r).arg(a.isWrapped(r)).arg(b.isWrapped(r));
    }
    const auto& da = a.damage();
    const auto& db = b.damage();
    if (da.everything != db.everything)
        return QStringLiteral("damage: everything %1 vs %2").arg(da.everything).arg(db.everything);
    for (int r = 0; r < a.rows(); ++r) {
        if (da.row(r) != db.row(r))
            return QStringLiteral("damage: row %1 %2 vs %3").arg(r).arg(da.row(r)).arg(db.row(r));
    }
    return {};
}

} // namespace portal::terminal::testing
