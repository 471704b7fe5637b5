// Terminal modes for pty-req (RFC 4254 §8), window size, and raw mode restored on every exit.
#include "LocalTerminal.h"

#include "wire/Writer.h"

#include <csignal>

#include <sys/ioctl.h>
#include <unistd.h>

namespace portal::app::cli {

namespace {

// The modes to put back when a signal ends the process. Written before the handlers are
// installed (and again on each enter()), read only by the handler.
volatile sig_atomic_t gRawFd = -1;
termios gSavedModes{};

void restoreAndExit(int signal) {
    if (gRawFd >= 0)
        ::tcsetattr(gRawFd, TCSADRAIN, &gSavedModes);
    (void)signal;
    // ssh(1) ends with 255 when a signal stops it; _exit is async-signal-safe.
    ::_exit(255);
}

constexpr int kEndingSignals[] = {SIGTERM, SIGHUP, SIGINT, SIGQUIT};

// RFC 4254 §8 opcodes: special characters 1-18, then input (30-42), local (50-62), output
// (70-75) and control (90-93) flags, then the speeds (128, 129).
struct CharacterMode {
    std::uint8_t opcode;
    int index;
};
struct FlagMode {
    std::uint8_t opcode;
    tcflag_t termios::*field;
    tcflag_t bit;
};

const CharacterMode kCharacters[] = {
    {1, VINTR},   {2, VQUIT},   {3, VERASE},   {4, VKILL},    {5, VEOF},  {6, VEOL},
    {7, VEOL2},   {8, VSTART},  {9, VSTOP},    {10, VSUSP},   {12, VREPRINT},
    {13, VWERASE}, {14, VLNEXT}, {18, VDISCARD},
};

const FlagMode kFlags[] = {
    {30, &termios::c_iflag, IGNPAR}, {31, &termios::c_iflag, PARMRK},  {32, &termios::c_iflag, INPCK},
    {33, &termios::c_iflag, ISTRIP}, {34, &termios::c_iflag, INLCR},   {35, &termios::c_iflag, IGNCR},
    {36, &termios::c_iflag, ICRNL},  {37, &termios::c_iflag, IUCLC},   {38, &termios::c_iflag, IXON},
    {39, &termios::c_iflag, IXANY},  {40, &termios::c_iflag, IXOFF},   {41, &termios::c_iflag, IMAXBEL},
    {42, &termios::c_iflag, IUTF8},  // RFC 8160
    {50, &termios::c_lflag, ISIG},   {51, &termios::c_lflag, ICANON},  {52, &termios::c_lflag, XCASE},
    {53, &termios::c_lflag, ECHO},   {54, &termios::c_lflag, ECHOE},   {55, &termios::c_lflag, ECHOK},
    {56, &termios::c_lflag, ECHONL}, {57, &termios::c_lflag, NOFLSH},  {58, &termios::c_lflag, TOSTOP},
    {59, &termios::c_lflag, IEXTEN}, {60, &termios::c_lflag, ECHOCTL}, {61, &termios::c_lflag, ECHOKE},
    {62, &termios::c_lflag, PENDIN}, {70, &termios::c_oflag, OPOST},   {71, &termios::c_oflag, OLCUC},
    {72, &termios::c_oflag, ONLCR},  {73, &termios::c_oflag, OCRNL},   {74, &termios::c_oflag, ONOCR},
    {75, &termios::c_oflag, ONLRET}, {90, &termios::c_cflag, CS7},     {91, &termios::c_cflag, CS8},
    {92, &termios::c_cflag, PARENB}, {93, &termios::c_cflag, PARODD},
};

std::uint32_t baudOf(speed_t speed) {
    switch (speed) {
    case B0: return 0;
    case B300: return 300;
    case B1200: return 1200;
    case B2400: return 2400;
    case B4800: return 4800;
    case B9600: return 9600;
    case B19200: return 19200;
    case B38400: return 38400;
    case B57600: return 57600;
    case B115200: return 115200;
    case B230400: return 230400;
    default: return 38400;
    }
}

} // namespace

protocol::Bytes encodeTerminalModes(const termios& modes) {
    protocol::wire::Writer out;
    for (const CharacterMode& mode : kCharacters) {
        const cc_t value = modes.c_cc[mode.index];
        out.byte(mode.opcode);
        // §8: a character not in use is sent as 255.
        out.uint32(value == _POSIX_VDISABLE ? 255u : value);
    }
    for (const FlagMode& mode : kFlags) {
        // CS7 and CS8 are values of the CSIZE field, not single bits.
        const tcflag_t field = modes.*mode.field;
        const bool set = mode.field == &termios::c_cflag && (mode.bit == CS7 || mode.bit == CS8)
                             ? (field & CSIZE) == mode.bit
                             : (field & mode.bit) != 0;
        out.byte(mode.opcode);
        out.uint32(set ? 1 : 0);
    }
    out.byte(128); // TTY_OP_ISPEED
    out.uint32(baudOf(::cfgetispeed(&modes)));
    out.byte(129); // TTY_OP_OSPEED
    out.uint32(baudOf(::cfgetospeed(&modes)));
    return out.take();
}

std::optional<TerminalSize> terminalSize(int fd) {
    winsize size{};
    if (::ioctl(fd, TIOCGWINSZ, &size) != 0)
        return std::nullopt;
    TerminalSize result;
    result.columns = size.ws_col ? size.ws_col : 80;
    result.rows = size.ws_row ? size.ws_row : 24;
    result.widthPixels = size.ws_xpixel;
    result.heightPixels = size.ws_ypixel;
    return result;
}

RawTerminal::RawTerminal(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &original_) != 0)
        return;
    saved_ = true;
    gSavedModes = original_;
    gRawFd = fd_;
    struct sigaction action{};
    action.sa_handler = restoreAndExit;
    sigemptyset(&action.sa_mask);
    for (int signal : kEndingSignals)
        ::sigaction(signal, &action, nullptr);
    enter();
}

RawTerminal::~RawTerminal() {
    restore();
    if (!saved_)
        return;
    gRawFd = -1;
    for (int signal : kEndingSignals)
        ::signal(signal, SIG_DFL);
}

void RawTerminal::enter() {
    if (!saved_ || raw_)
        return;
    termios raw = original_;
    raw.c_iflag |= IGNPAR;
    raw.c_iflag &= ~(ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXANY | IXOFF | IUCLC);
    raw.c_lflag &= ~(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHONL | IEXTEN);
    raw.c_oflag &= ~OPOST;
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (::tcsetattr(fd_, TCSADRAIN, &raw) == 0)
        raw_ = true;
}

void RawTerminal::restore() {
    if (!raw_)
        return;
    ::tcsetattr(fd_, TCSADRAIN, &original_);
    raw_ = false;
}

} // namespace portal::app::cli
