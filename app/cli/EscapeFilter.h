// The escape character of an interactive session (ssh(1) "ESCAPE CHARACTERS"): recognised
// only right after a newline (or at the very start), it turns the next key into a command
// for the client instead of input for the remote side.
#pragma once

#include "common/Bytes.h"

#include <functional>

namespace portal::app::cli {

enum class EscapeCommand {
    Disconnect,      // ~.
    SendBreak,       // ~B: RFC 4335 break on the session channel
    CommandLine,     // ~C: read a -L/-R/-D/-KL/-KR/-KD command
    Rekey,           // ~R: a key exchange now (RFC 4253 §9)
    Suspend,         // ~^Z
    ListConnections, // ~#
    Help,            // ~?
    LessVerbose,     // ~V: LogLevel one step quieter
    MoreVerbose,     // ~v: LogLevel one step louder
    Background,      // ~&: to the background, to wait there for forwarded connections to end
};

class EscapeFilter {
public:
    // `escapeChar` -1 turns escapes off: every byte is passed through.
    explicit EscapeFilter(int escapeChar) : escapeChar_(escapeChar) {}

    // Splits keyboard input into bytes for the remote side (`send`, called with contiguous
    // runs in order) and commands (`command`, called in order between the runs). "~~" sends
    // one escape character; the escape character followed by anything else sends both.
    void feed(protocol::ByteView input, const std::function<void(protocol::ByteView)>& send,
              const std::function<void(EscapeCommand)>& command);

    int escapeChar() const { return escapeChar_; }

private:
    int escapeChar_;
    bool atLineStart_ = true; // the last byte sent ended a line (or nothing was sent yet)
    bool sawEscape_ = false;  // the escape character was typed at a line start
};

// The ~? text, lines ending in CR LF because the terminal is raw. ~V/v is left out when the
// log goes to a file (-E), where ssh(1) does not change the level either.
std::string escapeHelp(int escapeChar, bool logOnStderr = true);

} // namespace portal::app::cli
