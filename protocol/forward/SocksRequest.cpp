// SOCKS4, SOCKS4a and SOCKS5 (RFC 1928) CONNECT requests for dynamic forwarding, sans-I/O.
#include "forward/SocksRequest.h"

#include <algorithm>
#include <cstdio>

namespace portal::protocol::forward {

namespace {

constexpr std::uint8_t kSocks4Version = 4;
constexpr std::uint8_t kSocks5Version = 5;
constexpr std::uint8_t kSocks4Connect = 1;
constexpr std::uint8_t kSocks4Granted = 90;  // SOCKS4: request granted
constexpr std::uint8_t kSocks4Rejected = 91; // SOCKS4: request rejected or failed
constexpr std::size_t kSocks4HeaderLength = 8; // VN CD DSTPORT(2) DSTIP(4)

// RFC 1928 §3 methods, §4 commands and address types.
constexpr std::uint8_t kMethodNoAuthentication = 0x00;
constexpr std::uint8_t kMethodNoneAcceptable = 0xff;
constexpr std::uint8_t kCommandConnect = 1;
constexpr std::uint8_t kAddressIpv4 = 1;
constexpr std::uint8_t kAddressDomain = 3;
constexpr std::uint8_t kAddressIpv6 = 4;
constexpr std::size_t kSocks5HeaderLength = 4; // VER CMD RSV ATYP

std::uint16_t port(ByteView bytes) { return std::uint16_t((bytes[0] << 8) | bytes[1]); }

std::string formatIpv4(ByteView address) {
    return std::to_string(address[0]) + "." + std::to_string(address[1]) + "." + std::to_string(address[2]) +
           "." + std::to_string(address[3]);
}

// A name that goes into a direct-tcpip open and the server's logs: no control characters,
// spaces or DEL, which no host name contains.
bool isHostName(ByteView name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](std::uint8_t c) { return c > 0x20 && c < 0x7f; });
}

std::string describe(std::uint8_t byte) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%02x", byte);
    return text;
}

} // namespace

std::string formatIpv6(ByteView address) {
    if (address.size() != 16)
        return {};
    std::uint16_t groups[8];
    for (int i = 0; i < 8; ++i)
        groups[i] = std::uint16_t((address[2 * i] << 8) | address[2 * i + 1]);
    // RFC 5952 §5: IPv4-mapped addresses keep the IPv4 part in dotted form.
    if (std::all_of(groups, groups + 5, [](std::uint16_t g) { return g == 0; }) && groups[5] == 0xffff)
        return "::ffff:" + formatIpv4(address.subspan(12));
    // RFC 5952 §4.2: the longest run of two or more zero groups (the first of equal runs) is "::".
    int bestStart = -1, bestLength = 0;
    for (int i = 0; i < 8;) {
        if (groups[i] != 0) {
            ++i;
            continue;
        }
        int start = i;
        while (i < 8 && groups[i] == 0)
            ++i;
        if (i - start > bestLength && i - start >= 2) {
            bestStart = start;
            bestLength = i - start;
        }
    }
    std::string text;
    char group[8];
    for (int i = 0; i < 8; ++i) {
        if (i == bestStart) {
            text += "::";
            i += bestLength - 1;
            continue;
        }
        if (!text.empty() && text.back() != ':')
            text += ':';
        std::snprintf(group, sizeof group, "%x", unsigned(groups[i])); // §4.3: lower case, §4.1: no leading zeros
        text += group;
    }
    return text;
}

SocksStep SocksRequestParser::feed(ByteView bytes) {
    if (state_ == State::Done)
        return SocksError{{}, "the SOCKS request was already answered"};
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    if (state_ == State::Greeting)
        return parseGreeting();
    return parseSocks5Request();
}

SocksStep SocksRequestParser::fail(Bytes reply, std::string message) {
    state_ = State::Done;
    buffer_.clear();
    return SocksError{std::move(reply), std::move(message)};
}

SocksStep SocksRequestParser::finish(SocksConnect connect, std::size_t consumed) {
    state_ = State::Done;
    connect.leftover.assign(buffer_.begin() + std::ptrdiff_t(consumed), buffer_.end());
    buffer_.clear();
    return connect;
}

SocksStep SocksRequestParser::parseGreeting() {
    if (buffer_.empty())
        return SocksNeedMore{};
    if (buffer_[0] == kSocks4Version)
        return parseSocks4();
    if (buffer_[0] != kSocks5Version)
        return fail({}, "the client spoke neither SOCKS 4 nor SOCKS 5 (first byte " + describe(buffer_[0]) + ")");

    // RFC 1928 §3: VER NMETHODS METHODS[NMETHODS]; we only do "no authentication required".
    if (buffer_.size() < 2)
        return SocksNeedMore{};
    std::size_t methods = buffer_[1];
    if (buffer_.size() < 2 + methods)
        return SocksNeedMore{};
    ByteView offered = ByteView(buffer_).subspan(2, methods);
    if (std::find(offered.begin(), offered.end(), kMethodNoAuthentication) == offered.end())
        return fail({kSocks5Version, kMethodNoneAcceptable},
                    "the SOCKS 5 client offered no method but authentication, which is not supported");
    buffer_.erase(buffer_.begin(), buffer_.begin() + std::ptrdiff_t(2 + methods));
    state_ = State::Socks5Request;
    return SocksReply{{kSocks5Version, kMethodNoAuthentication}};
}

SocksStep SocksRequestParser::parseSocks4() {
    // VN=4 CD DSTPORT DSTIP USERID NUL, and for 4a (DSTIP 0.0.0.x, x != 0) a domain name NUL.
    Bytes rejected = socksFailureReply(SocksVersion::Socks4, SocksFailure::GeneralFailure);
    if (buffer_.size() >= 2 && buffer_[1] != kSocks4Connect)
        return fail(rejected, "SOCKS 4 command " + describe(buffer_[1]) + " is not supported (CONNECT only)");
    if (buffer_.size() < kSocks4HeaderLength)
        return SocksNeedMore{};
    ByteView all(buffer_);
    auto nulFrom = [&](std::size_t start, std::size_t& end) {
        auto it = std::find(all.begin() + std::ptrdiff_t(start), all.end(), 0);
        end = std::size_t(it - all.begin());
        return it != all.end();
    };
    std::size_t userEnd = 0;
    if (!nulFrom(kSocks4HeaderLength, userEnd))
        return userEnd - kSocks4HeaderLength > kMaxNameLength ? fail(rejected, "the SOCKS 4 user id is too long")
                                                              : SocksStep(SocksNeedMore{});
    if (userEnd - kSocks4HeaderLength > kMaxNameLength)
        return fail(rejected, "the SOCKS 4 user id is too long");

    SocksConnect connect;
    connect.port = port(all.subspan(2, 2));
    ByteView address = all.subspan(4, 4);
    bool socks4a = address[0] == 0 && address[1] == 0 && address[2] == 0 && address[3] != 0;
    if (!socks4a) {
        connect.version = SocksVersion::Socks4;
        connect.host = formatIpv4(address);
        return finish(std::move(connect), userEnd + 1);
    }
    std::size_t nameStart = userEnd + 1;
    std::size_t nameEnd = 0;
    if (!nulFrom(nameStart, nameEnd))
        return nameEnd - nameStart > kMaxNameLength ? fail(rejected, "the SOCKS 4a domain name is too long")
                                                    : SocksStep(SocksNeedMore{});
    ByteView name = all.subspan(nameStart, nameEnd - nameStart);
    if (name.size() > kMaxNameLength)
        return fail(rejected, "the SOCKS 4a domain name is too long");
    if (!isHostName(name))
        return fail(rejected, "the SOCKS 4a domain name is empty or not printable");
    connect.version = SocksVersion::Socks4a;
    connect.host.assign(name.begin(), name.end());
    return finish(std::move(connect), nameEnd + 1);
}

SocksStep SocksRequestParser::parseSocks5Request() {
    // RFC 1928 §4: VER CMD RSV ATYP DST.ADDR DST.PORT.
    if (buffer_.size() < kSocks5HeaderLength)
        return SocksNeedMore{};
    ByteView all(buffer_);
    auto failWith = [&](SocksFailure failure, std::string message) {
        return fail(socksFailureReply(SocksVersion::Socks5, failure), std::move(message));
    };
    if (all[0] != kSocks5Version)
        return failWith(SocksFailure::GeneralFailure, "the SOCKS 5 request has version " + describe(all[0]));
    if (all[1] != kCommandConnect)
        return failWith(SocksFailure::CommandNotSupported,
                        "SOCKS 5 command " + describe(all[1]) + " is not supported (CONNECT only)");
    SocksConnect connect;
    connect.version = SocksVersion::Socks5;
    std::size_t addressStart = kSocks5HeaderLength;
    std::size_t addressLength = 0;
    switch (all[3]) {
    case kAddressIpv4: addressLength = 4; break;
    case kAddressIpv6: addressLength = 16; break;
    case kAddressDomain:
        if (all.size() < kSocks5HeaderLength + 1)
            return SocksNeedMore{};
        addressStart = kSocks5HeaderLength + 1; // a length byte, then the name
        addressLength = all[kSocks5HeaderLength];
        break;
    default:
        return failWith(SocksFailure::AddressTypeNotSupported,
                        "SOCKS 5 address type " + describe(all[3]) + " is not supported");
    }
    std::size_t end = addressStart + addressLength + 2;
    if (all.size() < end)
        return SocksNeedMore{};
    ByteView address = all.subspan(addressStart, addressLength);
    switch (all[3]) {
    case kAddressIpv4: connect.host = formatIpv4(address); break;
    case kAddressIpv6: connect.host = formatIpv6(address); break;
    default:
        if (!isHostName(address))
            return failWith(SocksFailure::GeneralFailure, "the SOCKS 5 domain name is empty or not printable");
        connect.host.assign(address.begin(), address.end());
        break;
    }
    connect.port = port(all.subspan(addressStart + addressLength, 2));
    return finish(std::move(connect), end);
}

Bytes socksSuccessReply(SocksVersion version) {
    if (version == SocksVersion::Socks5)
        return {kSocks5Version, 0x00, 0x00, kAddressIpv4, 0, 0, 0, 0, 0, 0};
    return {0x00, kSocks4Granted, 0, 0, 0, 0, 0, 0}; // VN 0, CD, DSTPORT and DSTIP ignored
}

Bytes socksFailureReply(SocksVersion version, SocksFailure failure) {
    if (version == SocksVersion::Socks5)
        return {kSocks5Version, std::uint8_t(failure), 0x00, kAddressIpv4, 0, 0, 0, 0, 0, 0};
    return {0x00, kSocks4Rejected, 0, 0, 0, 0, 0, 0};
}

SocksFailure socksFailureForOpenFailure(std::uint32_t reasonCode) {
    switch (reasonCode) {
    case 1: return SocksFailure::NotAllowed;        // SSH_OPEN_ADMINISTRATIVELY_PROHIBITED
    case 2: return SocksFailure::ConnectionRefused; // SSH_OPEN_CONNECT_FAILED
    default: return SocksFailure::GeneralFailure;   // unknown channel type, resource shortage
    }
}

} // namespace portal::protocol::forward
