// VTermCompat: the places where libvterm's API differs between 0.1 (Debian 12) and 0.3, kept in
// this one header so that the rest of terminal/ reads the same against either version. Where
// the difference shows in a type, it is read from the type rather than the version macros.
// Included only by the .cpp files that talk to libvterm.
#pragma once

#include <vterm.h>

#include <cstddef>
#include <cstdlib>
#include <type_traits>

namespace portal::terminal::vterm_compat {

// Behaviour checked against 0.1.4 and 0.3.3; 0.2 is not checked here and is taken as 0.1.
inline constexpr bool kVersion03 = VTERM_VERSION_MAJOR > 0 || VTERM_VERSION_MINOR >= 3;

// 0.1 never performs DECSTR (CSI ! p): its parser hands '!' over as an intermediate byte, which
// 0.1's on_csi refuses (it accepts ' ', '"', '$' and '\'' only) before it could reach its DECSTR
// case, itself filed under a private marker. From 0.3 on_csi accepts '!' and DECSTR runs
// vterm_state_reset(state, 0).
inline constexpr bool kPerformsSoftReset = kVersion03;

// 0.1's parser starts a CSI, OSC or DCS at ESC [, ESC ] or ESC P even after intermediate bytes
// ("ESC ( [" begins a CSI). 0.3's (src/parser.c) reads only an ESC without intermediates as a
// C1 control, so "ESC ( [" is a complete escape sequence, an unknown designation (ECMA-35).
inline constexpr bool kIntroducersAfterIntermediates = !kVersion03;

// The heap libvterm allocates from: ours, so that the per-row line info, which a 0.3 resize
// callback must reallocate itself, comes from and goes back to the same one. libvterm relies on
// its allocations being zeroed.
inline VTermAllocatorFunctions& allocator() {
    static VTermAllocatorFunctions functions = {
        [](std::size_t size, void*) { return std::calloc(1, size); },
        [](void* p, void*) { std::free(p); },
    };
    return functions;
}

inline VTerm* newVTerm(int rows, int columns) { return vterm_new_with_allocator(rows, columns, &allocator(), nullptr); }

// The state layer's resize callback. 0.1 passes a VTermPos* to be set to how far the cursor
// moved, and reallocates its per-row line info itself (row for row). 0.3 passes its
// VTermStateFields: the cursor, to be set to where it goes, and both buffers' line-info arrays,
// still of the old height, which the callback must replace (src/state.c on_resize).
template <class Callback>
struct ResizeCallbackArgument;
template <class Argument>
struct ResizeCallbackArgument<int (*)(int, int, Argument*, void*)> {
    using type = Argument;
};
using ResizeArgument = ResizeCallbackArgument<decltype(VTermStateCallbacks::resize)>::type;
inline constexpr bool kResizeReportsDelta = std::is_same_v<ResizeArgument, VTermPos>;

// Target::resized(rows, cols, VTermPos& cursor) gets where libvterm's cursor is and sets where it
// is to go. On 0.3, Target::moveLineInfo(buffer, old, fresh, rows) then fills `fresh` (rows
// entries, zeroed) from `old` (the old height) for buffer 0 (primary) and 1 (alternate).
template <class Target, class Argument = ResizeArgument>
int resizeTrampoline(int rows, int cols, Argument* argument, void* user) {
    auto* target = static_cast<Target*>(user);
    if constexpr (kResizeReportsDelta) {
        VTermPos before;
        vterm_state_get_cursorpos(target->state, &before);
        VTermPos after = before;
        target->resized(rows, cols, after);
        argument->row = after.row - before.row;
        argument->col = after.col - before.col;
    } else {
        target->resized(rows, cols, argument->pos);
        for (int buffer = 0; buffer < 2; ++buffer) {
            VTermLineInfo* old = argument->lineinfos[buffer];
            if (old == nullptr)
                continue; // the alternate buffer, when libvterm has none
            auto* fresh = static_cast<VTermLineInfo*>(allocator().malloc(std::size_t(rows) * sizeof(VTermLineInfo), nullptr));
            if (fresh == nullptr)
                std::abort(); // libvterm would index the old, shorter array
            target->moveLineInfo(buffer, old, fresh, rows);
            allocator().free(old, nullptr);
            argument->lineinfos[buffer] = fresh;
        }
    }
    return 1;
}

// Sequences the state layer does not handle, accepted and dropped (none is answered). 0.1 takes
// parser callbacks here and calls only these four; 0.3 takes its own fallback set, whose string
// callbacks take fragments (and adds APC, PM and SOS, which our scanner keeps from libvterm).
template <class Function>
struct SecondParameter;
template <class Result, class First, class Second, class Third>
struct SecondParameter<Result(First, Second, Third)> {
    using type = Second;
};
using Fallbacks = std::remove_const_t<
    std::remove_pointer_t<SecondParameter<decltype(vterm_state_set_unrecognised_fallbacks)>::type>>;

inline const Fallbacks& ignoringFallbacks() {
    static const Fallbacks fallbacks = [] {
        Fallbacks f{};
        f.control = [](auto...) { return 1; };
        f.csi = [](auto...) { return 1; };
        f.osc = [](auto...) { return 1; };
        f.dcs = [](auto...) { return 1; };
        return f;
    }();
    return fallbacks;
}

} // namespace portal::terminal::vterm_compat
