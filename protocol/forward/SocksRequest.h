// The request a local SOCKS client makes of a dynamic forward (-D), parsed sans-I/O: SOCKS4
// CONNECT, SOCKS4a (a domain name instead of an address; both per the NEC SOCKS4/4a protocol
// notes) and SOCKS5 (RFC 1928: the "no authentication required" method and CONNECT only, to an
// IPv4 address, an IPv6 address or a domain name), and the replies sent once the SSH channel
// to the target opened or failed.
#pragma once

#include "common/Bytes.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

namespace portal::protocol::forward {

enum class SocksVersion { Socks4, Socks4a, Socks5 };

// Why a request failed, as the SOCKS5 reply codes say it (RFC 1928 §6). SOCKS4 has one code
// for all of them (91, "request rejected or failed").
enum class SocksFailure : std::uint8_t {
    GeneralFailure = 1,
    NotAllowed = 2,
    NetworkUnreachable = 3,
    HostUnreachable = 4,
    ConnectionRefused = 5,
    TtlExpired = 6,
    CommandNotSupported = 7,
    AddressTypeNotSupported = 8,
};

// Not enough bytes yet: feed more when they arrive.
struct SocksNeedMore {};

// Write `bytes` to the client (SOCKS5 method selection, RFC 1928 §3), then call feed() again,
// with no bytes if nothing new arrived: a client may send its request without waiting.
struct SocksReply {
    Bytes bytes;
};

// The client wants a stream to host:port. Open the channel (direct-tcpip), then write
// socksSuccessReply() or socksFailureReply(). `leftover` is what the client sent after the
// request: the first bytes of the stream, to be sent on the channel once it is open.
struct SocksConnect {
    SocksVersion version = SocksVersion::Socks5;
    std::string host; // dotted IPv4, RFC 5952 IPv6 text (no brackets), or a domain name
    std::uint16_t port = 0;
    Bytes leftover;
};

// The request cannot be served: write `reply` (empty when the client spoke no SOCKS version we
// could answer in) and close the connection. `message` says why, for the log.
struct SocksError {
    Bytes reply;
    std::string message;
};

using SocksStep = std::variant<SocksNeedMore, SocksReply, SocksConnect, SocksError>;

// One parser per local connection. It holds at most one request's worth of unparsed bytes:
// user ids and domain names are limited to 255 bytes, so a client cannot make it buffer
// without bound.
class SocksRequestParser {
public:
    // Appends `bytes` and parses as far as they go. After SocksConnect or SocksError the parser
    // is done; further calls return a SocksError with an empty reply.
    SocksStep feed(ByteView bytes);

    static constexpr std::size_t kMaxNameLength = 255;

private:
    enum class State { Greeting, Socks5Request, Done };

    SocksStep parseGreeting();
    SocksStep parseSocks4();
    SocksStep parseSocks5Request();
    SocksStep finish(SocksConnect connect, std::size_t consumed);
    SocksStep fail(Bytes reply, std::string message);

    State state_ = State::Greeting;
    Bytes buffer_;
};

// The reply once the channel opened. The bound address is not known on our side (the server
// made the connection), so it is all zeros, which RFC 1928 §6 and SOCKS4 clients accept.
Bytes socksSuccessReply(SocksVersion version);
Bytes socksFailureReply(SocksVersion version, SocksFailure failure);
// Maps a CHANNEL_OPEN_FAILURE reason (RFC 4254 §5.1) to the SOCKS failure to report.
SocksFailure socksFailureForOpenFailure(std::uint32_t reasonCode);

// RFC 5952 text for a 16-byte IPv6 address: lower case, no leading zeros, the longest run of
// two or more zero groups as "::", IPv4-mapped addresses in dotted form.
std::string formatIpv6(ByteView address);

} // namespace portal::protocol::forward
