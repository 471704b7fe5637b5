// Fuzzes the two parsers X11 forwarding runs on local input it does not control: the DISPLAY
// value (any string a user's environment holds) and the output of `xauth list`. Nothing may
// crash; a parsed display names exactly one of a socket path or a TCP port; a parsed cookie
// is never empty.
//
// Input: the first byte picks the parser (even: DISPLAY, odd: xauth list); the rest is its text.
#include "forward/X11Display.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace portal::protocol::forward;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    if (size == 0)
        return 0;
    const std::string_view text(reinterpret_cast<const char*>(bytes + 1), size - 1);
    if (bytes[0] % 2 == 0) {
        auto display = parseX11Display(text);
        if (display) {
            const bool socket = !display->socketPath.empty();
            const bool tcp = !display->host.empty();
            if (socket == tcp || (tcp && display->port < 6000) || display->xauthName.empty())
                __builtin_trap();
        }
    } else {
        auto authorization = parseXauthList(text);
        if (authorization && (authorization->protocol.empty() || authorization->cookie.empty()))
            __builtin_trap();
    }
    return 0;
}
