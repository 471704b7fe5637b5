// DISPLAY parsing and `xauth list` parsing for X11 forwarding.
#include "forward/X11Display.h"

#include <algorithm>
#include <charconv>

namespace portal::protocol::forward {

namespace {

constexpr std::uint32_t kX11TcpBase = 6000; // X Window System: TCP port 6000 + display
constexpr std::string_view kSocketDirectory = "/tmp/.X11-unix/X";

bool parseNumber(std::string_view text, std::uint32_t* value) {
    if (text.empty() || text.size() > 9)
        return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
    return ec == std::errc() && end == text.data() + text.size();
}

int hexValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

Result<X11Display> parseX11Display(std::string_view display) {
    const auto bad = [&] {
        return Error::localFile("Could not parse DISPLAY \"" + std::string(display) + "\"");
    };
    const std::size_t colon = display.rfind(':');
    if (colon == std::string_view::npos)
        return bad();
    const std::string_view host = display.substr(0, colon);
    std::string_view number = display.substr(colon + 1);
    if (!host.empty() && host.back() == ':')
        return bad(); // DECnet
    X11Display parsed;
    if (const std::size_t dot = number.find('.'); dot != std::string_view::npos) {
        if (!parseNumber(number.substr(dot + 1), &parsed.screen))
            return bad();
        number = number.substr(0, dot);
    }
    if (!parseNumber(number, &parsed.displayNumber) ||
        parsed.displayNumber > 0xffff - kX11TcpBase)
        return bad();
    const std::string suffix(display.substr(colon)); // ":N[.S]"
    if (host.empty() || host == "unix") {
        parsed.socketPath = std::string(kSocketDirectory) + std::to_string(parsed.displayNumber);
        parsed.xauthName = std::string(display);
    } else if (host.front() == '/') {
        parsed.socketPath = std::string(host);
        parsed.xauthName = std::string(display);
    } else {
        parsed.host = std::string(host);
        parsed.port = static_cast<std::uint16_t>(kX11TcpBase + parsed.displayNumber);
        parsed.xauthName = host == "localhost" ? "unix" + suffix : std::string(display);
    }
    return parsed;
}

Result<X11Authorization> parseXauthList(std::string_view output) {
    const std::string_view line = output.substr(0, output.find('\n'));
    // Three whitespace-separated fields: display, protocol, hexadecimal data.
    std::string_view fields[3];
    std::size_t count = 0;
    std::size_t at = 0;
    while (count < 3) {
        at = line.find_first_not_of(" \t", at);
        if (at == std::string_view::npos)
            break;
        const std::size_t end = std::min(line.find_first_of(" \t", at), line.size());
        fields[count++] = line.substr(at, end - at);
        at = end;
    }
    if (count < 3 || fields[2].size() % 2 != 0)
        return Error::localFile("xauth reported no usable authorization data");
    X11Authorization authorization;
    authorization.protocol = std::string(fields[1]);
    authorization.cookie = SecretBytes(fields[2].size() / 2);
    for (std::size_t i = 0; i < authorization.cookie.size(); ++i) {
        const int high = hexValue(fields[2][2 * i]);
        const int low = hexValue(fields[2][2 * i + 1]);
        if (high < 0 || low < 0)
            return Error::localFile("xauth reported no usable authorization data");
        authorization.cookie.data()[i] = static_cast<std::uint8_t>(high << 4 | low);
    }
    return authorization;
}

} // namespace portal::protocol::forward
