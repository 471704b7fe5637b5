// Where the local X server of a DISPLAY value listens (Xlib's display-name syntax, as ssh(1)
// connects to it for X11 forwarding, RFC 4254 §6.3), and the authorization xauth(1) reports
// for it. Sans-I/O: the runtime opens the socket and runs xauth.
#pragma once

#include "common/Error.h"
#include "common/SecretBytes.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace portal::protocol::forward {

struct X11Display {
    // Exactly one of the two: a Unix socket path, or a TCP host and port (6000 + display).
    std::string socketPath;
    std::string host;
    std::uint16_t port = 0;
    std::uint32_t displayNumber = 0;
    std::uint32_t screen = 0; // sent in x11-req (RFC 4254 §6.3.1)
    // The name to look the display up under with `xauth list`: a local display's entries
    // are stored as "unix:N", so "localhost:N" (what an ssh session sets) asks for that.
    std::string xauthName;
};

// ":N[.S]" and "unix:N[.S]" are the local socket /tmp/.X11-unix/XN; "/path:N[.S]" (XQuartz's
// launchd socket) is that path; "host:N[.S]" is TCP host port 6000+N. DECnet ("host::N") and
// anything else is an error naming the value.
Result<X11Display> parseX11Display(std::string_view display);

// An X authorization: protocol name (MIT-MAGIC-COOKIE-1) and the cookie's raw bytes.
struct X11Authorization {
    std::string protocol;
    SecretBytes cookie;
};

// The first entry of `xauth list` output ("<display> <protocol> <hex data>" per line). An
// error (never quoting the data) when there is no well-formed entry.
Result<X11Authorization> parseXauthList(std::string_view output);

} // namespace portal::protocol::forward
