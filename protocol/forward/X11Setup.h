// The X11 connection setup an X client on the server sends through an x11 channel (X Window
// System Protocol, "Connection Setup"), checked against the spoofed cookie we gave the server
// in x11-req (RFC 4254 §6.3.1) and rewritten to carry the real cookie for the local X server,
// so the server never learns the real one (ssh -X's untrusted-cookie scheme). Sans-I/O.
#pragma once

#include "common/Bytes.h"
#include "common/SecretBytes.h"

#include <cstdint>
#include <string>
#include <variant>

namespace portal::protocol::forward {

// Not enough of the setup yet: feed more.
struct X11NeedMore {};

// The setup matched the spoofed cookie. Write `setup` (the client's setup with the real
// authorization) to the local X server, then `leftover` (what the client sent after it), and
// from then on copy the channel's bytes unchanged.
struct X11Rewritten {
    SecretBytes setup;
    Bytes leftover;
};

// Another protocol or cookie, or not an X11 setup at all: close the channel. `message` is for
// the log and never contains a cookie.
struct X11Refused {
    std::string message;
};

using X11SetupStep = std::variant<X11NeedMore, X11Rewritten, X11Refused>;

class X11SetupRewriter {
public:
    // `authProtocol` and `fakeCookie` are what x11-req sent (the cookie as raw bytes, not hex);
    // `realProtocol` / `realCookie` are the local X server's (both empty: no authorization).
    X11SetupRewriter(std::string authProtocol, SecretBytes fakeCookie, std::string realProtocol,
                     SecretBytes realCookie);

    // Appends `bytes` and checks the setup once it is complete. The parser holds at most the
    // setup's fixed part plus the expected name and cookie; a setup announcing anything longer
    // is refused at once. After X11Rewritten or X11Refused, further calls return X11Refused.
    X11SetupStep feed(ByteView bytes);

private:
    X11SetupStep refuse(std::string message);

    std::string authProtocol_;
    SecretBytes fakeCookie_;
    std::string realProtocol_;
    SecretBytes realCookie_;
    SecretBytes buffer_; // exactly the expected setup, which carries the fake cookie
    std::size_t buffered_ = 0;
    Bytes leftover_;     // what arrived after the setup
    bool done_ = false;
};

} // namespace portal::protocol::forward
