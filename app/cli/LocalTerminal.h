// The local terminal of an interactive `portal-cli ssh`: its modes encoded for pty-req
// (RFC 4254 §8, IUTF8 from RFC 8160), its size, raw mode while the session runs, and the
// saved modes put back on every way out (return, exit, SIGTERM/SIGHUP/SIGINT/SIGQUIT).
#pragma once

#include "common/Bytes.h"

#include <cstdint>
#include <optional>

#include <termios.h>

namespace portal::app::cli {

struct TerminalSize {
    std::uint32_t columns = 80;
    std::uint32_t rows = 24;
    std::uint32_t widthPixels = 0;
    std::uint32_t heightPixels = 0;
};

// RFC 4254 §8 encoded terminal modes (opcode byte, uint32 value), without TTY_OP_END, for
// the settings in `modes`: the special characters, the input, local, output and control
// flags the RFC names, and the line speeds.
protocol::Bytes encodeTerminalModes(const termios& modes);

// The window size of the terminal on `fd`, or nullopt when it is not a terminal.
std::optional<TerminalSize> terminalSize(int fd);

// Raw mode for the life of the object (ssh(1)'s enter_raw_mode: no echo, no line editing,
// no signals from keys, no output processing). The saved modes are put back by the
// destructor, by restore(), and by a signal handler for the signals that end the process,
// which then exits 255 like ssh(1) after "Killed by signal N.".
class RawTerminal {
public:
    explicit RawTerminal(int fd);
    ~RawTerminal();
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

    bool active() const { return raw_; }
    // Back to the saved modes (before ~^Z suspends us, or at the end).
    void restore();
    // Raw again (after a resume from ~^Z).
    void enter();

private:
    int fd_;
    bool saved_ = false;
    bool raw_ = false;
    termios original_{};
};

} // namespace portal::app::cli
