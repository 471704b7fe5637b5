// X11 connection setup check and cookie substitution for x11 channels (RFC 4254 §6.3).
#include "forward/X11Setup.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

namespace portal::protocol::forward {

namespace {

// byte-order, unused, protocol-major-version, protocol-minor-version, length of
// authorization-protocol-name, length of authorization-protocol-data, unused.
constexpr std::size_t kSetupHeaderLength = 12;
constexpr std::uint8_t kMostSignificantFirst = 0x42; // 'B'
constexpr std::uint8_t kLeastSignificantFirst = 0x6c; // 'l'

std::size_t padded(std::size_t length) { return (length + 3) & ~std::size_t(3); }

std::uint16_t card16(const std::uint8_t* p, bool msbFirst) {
    return msbFirst ? std::uint16_t((p[0] << 8) | p[1]) : std::uint16_t((p[1] << 8) | p[0]);
}

void putCard16(std::uint8_t* p, std::uint16_t value, bool msbFirst) {
    p[msbFirst ? 0 : 1] = std::uint8_t(value >> 8);
    p[msbFirst ? 1 : 0] = std::uint8_t(value & 0xff);
}

} // namespace

X11SetupRewriter::X11SetupRewriter(std::string authProtocol, SecretBytes fakeCookie, std::string realProtocol,
                                   SecretBytes realCookie)
    : authProtocol_(std::move(authProtocol)), fakeCookie_(std::move(fakeCookie)),
      realProtocol_(std::move(realProtocol)), realCookie_(std::move(realCookie)),
      buffer_(kSetupHeaderLength + padded(authProtocol_.size()) + padded(fakeCookie_.size())) {}

X11SetupStep X11SetupRewriter::refuse(std::string message) {
    done_ = true;
    return X11Refused{std::move(message)};
}

X11SetupStep X11SetupRewriter::feed(ByteView bytes) {
    if (done_)
        return X11Refused{"the X11 connection setup was already handled"};
    // Only the expected setup is held (as a secret: it carries a cookie); the rest is stream.
    std::size_t take = std::min(buffer_.size() - buffered_, bytes.size());
    std::copy_n(bytes.begin(), take, buffer_.data() + buffered_);
    buffered_ += take;
    leftover_.insert(leftover_.end(), bytes.begin() + std::ptrdiff_t(take), bytes.end());
    if (buffered_ < kSetupHeaderLength)
        return X11NeedMore{};

    const std::uint8_t* setup = buffer_.data();
    if (setup[0] != kMostSignificantFirst && setup[0] != kLeastSignificantFirst)
        return refuse("the x11 channel did not start with an X11 connection setup");
    bool msbFirst = setup[0] == kMostSignificantFirst;
    std::size_t nameLength = card16(setup + 6, msbFirst);
    std::size_t dataLength = card16(setup + 8, msbFirst);
    // Decided on the lengths alone, so a client cannot make us wait for or hold more.
    if (nameLength != authProtocol_.size() || dataLength != fakeCookie_.size())
        return refuse("the X11 client uses another authorization protocol or cookie than the one forwarded");
    if (buffered_ < buffer_.size())
        return X11NeedMore{};

    const std::uint8_t* name = setup + kSetupHeaderLength;
    const std::uint8_t* data = name + padded(nameLength);
    if (std::memcmp(name, authProtocol_.data(), nameLength) != 0)
        return refuse("the X11 client uses another authorization protocol than the one forwarded");
    // A cookie is a credential: compared in constant time.
    if (CRYPTO_memcmp(data, fakeCookie_.data(), dataLength) != 0)
        return refuse("the X11 client's cookie does not match the one sent to the server");

    if (realProtocol_.size() > 0xffff || realCookie_.size() > 0xffff)
        return refuse("the local X authorization is too long for an X11 connection setup");
    // The same setup with the real authorization, in the client's byte order.
    SecretBytes rewritten(kSetupHeaderLength + padded(realProtocol_.size()) + padded(realCookie_.size()));
    std::uint8_t* out = rewritten.data();
    std::copy_n(setup, 6, out); // byte order, unused, protocol versions
    putCard16(out + 6, std::uint16_t(realProtocol_.size()), msbFirst);
    putCard16(out + 8, std::uint16_t(realCookie_.size()), msbFirst);
    std::copy_n(realProtocol_.data(), realProtocol_.size(), out + kSetupHeaderLength);
    std::copy_n(realCookie_.data(), realCookie_.size(), out + kSetupHeaderLength + padded(realProtocol_.size()));
    done_ = true;
    return X11Rewritten{std::move(rewritten), std::move(leftover_)};
}

} // namespace portal::protocol::forward
