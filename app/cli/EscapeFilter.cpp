// ssh(1) escape sequences after a newline: ~. ~B ~C ~R ~V ~v ~^Z ~# ~& ~? ~~.
#include "EscapeFilter.h"

#include <string>

namespace portal::app::cli {

namespace {

constexpr std::uint8_t kControlZ = 0x1a;

std::string displayName(int escapeChar) {
    if (escapeChar < 0x20)
        return std::string("^") + static_cast<char>(escapeChar + '@');
    return std::string(1, static_cast<char>(escapeChar));
}

} // namespace

void EscapeFilter::feed(protocol::ByteView input, const std::function<void(protocol::ByteView)>& send,
                        const std::function<void(EscapeCommand)>& command) {
    if (escapeChar_ < 0) {
        if (!input.empty())
            send(input);
        return;
    }
    const std::uint8_t escape = static_cast<std::uint8_t>(escapeChar_);
    std::size_t runStart = 0;
    const auto flush = [&](std::size_t end) {
        if (end > runStart)
            send(input.subspan(runStart, end - runStart));
    };
    for (std::size_t i = 0; i < input.size(); ++i) {
        const std::uint8_t c = input[i];
        if (sawEscape_) {
            sawEscape_ = false;
            runStart = i + 1;
            switch (c) {
            case '.': command(EscapeCommand::Disconnect); continue;
            case 'B': command(EscapeCommand::SendBreak); continue;
            case 'C': command(EscapeCommand::CommandLine); continue;
            case 'R': command(EscapeCommand::Rekey); continue;
            case kControlZ: command(EscapeCommand::Suspend); continue;
            case '#': command(EscapeCommand::ListConnections); continue;
            case '?': command(EscapeCommand::Help); continue;
            case 'V': command(EscapeCommand::LessVerbose); continue;
            case 'v': command(EscapeCommand::MoreVerbose); continue;
            case '&': command(EscapeCommand::Background); continue;
            default: break;
            }
            // "~~" sends one escape character; "~x" sends both, as typed.
            if (c != escape)
                send(protocol::ByteView(&escape, 1));
            runStart = i; // c itself starts the next run
            atLineStart_ = c == '\r' || c == '\n';
            continue;
        }
        if (atLineStart_ && c == escape) {
            flush(i);
            sawEscape_ = true;
            runStart = i + 1;
            continue;
        }
        atLineStart_ = c == '\r' || c == '\n';
    }
    flush(input.size());
}

std::string escapeHelp(int escapeChar, bool logOnStderr) {
    const std::string e = displayName(escapeChar);
    return "Supported escape sequences:\r\n"
           " " + e + ".   - terminate connection\r\n"
           " " + e + "B   - send a BREAK to the remote system\r\n"
           " " + e + "C   - open a command line (-L, -R, -D to add a forward, -KL, -KR, -KD to cancel one)\r\n"
           " " + e + "R   - request rekey\r\n" +
           (logOnStderr ? " " + e + "V/v - decrease/increase verbosity (LogLevel)\r\n" : std::string()) +
           " " + e + "^Z  - suspend ssh\r\n"
           " " + e + "#   - list forwarded connections\r\n"
           " " + e + "&   - background ssh (when waiting for connections to terminate)\r\n"
           " " + e + "?   - this message\r\n"
           " " + e + e + "   - send the escape character by typing it twice\r\n"
           "(Note that escapes are only recognized immediately after newline.)\r\n";
}

} // namespace portal::app::cli
