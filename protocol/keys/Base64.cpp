// Base64 (RFC 4648 §4) as OpenSSH writes it: padded in key files and known_hosts, unpadded
// in SHA256 fingerprints. Decoding is strict: no whitespace, no stray characters, and the
// unused low bits of the last group must be zero (as OpenBSD's b64_pton insists).
#include "keys/PublicKey.h"

#include <array>

namespace portal::protocol::keys {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> makeDecodeTable() {
    std::array<std::int8_t, 256> table{};
    for (auto& entry : table)
        entry = -1;
    for (int i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
    return table;
}

constexpr auto kDecodeTable = makeDecodeTable();

} // namespace

std::string base64Encode(ByteView data, bool pad) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        std::uint32_t group = std::uint32_t(data[i]) << 16 | std::uint32_t(data[i + 1]) << 8 | data[i + 2];
        out.push_back(kAlphabet[group >> 18 & 63]);
        out.push_back(kAlphabet[group >> 12 & 63]);
        out.push_back(kAlphabet[group >> 6 & 63]);
        out.push_back(kAlphabet[group & 63]);
    }
    std::size_t left = data.size() - i;
    if (left == 0)
        return out;
    std::uint32_t group = std::uint32_t(data[i]) << 16 | (left == 2 ? std::uint32_t(data[i + 1]) << 8 : 0);
    out.push_back(kAlphabet[group >> 18 & 63]);
    out.push_back(kAlphabet[group >> 12 & 63]);
    if (left == 2)
        out.push_back(kAlphabet[group >> 6 & 63]);
    if (pad)
        out.append(left == 1 ? "==" : "=");
    return out;
}

Result<Bytes> base64Decode(std::string_view text) {
    // Padding is optional, but when present it must complete the last group exactly.
    std::size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=')
        ++padding;
    std::string_view body = text.substr(0, text.size() - padding);
    if (padding > 0 && text.size() % 4 != 0)
        return Error::localFile("base64 text has misplaced '=' padding");
    if (body.size() % 4 == 1)
        return Error::localFile("base64 text has a truncated final group");

    Bytes out;
    out.reserve(body.size() / 4 * 3 + 2);
    std::uint32_t accumulator = 0;
    int bits = 0;
    for (char c : body) {
        std::int8_t value = kDecodeTable[static_cast<unsigned char>(c)];
        if (value < 0)
            return Error::localFile("base64 text contains a character outside the alphabet");
        accumulator = accumulator << 6 | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(accumulator >> bits));
            accumulator &= (1u << bits) - 1;
        }
    }
    if (accumulator != 0)
        return Error::localFile("base64 text has non-zero bits after its last byte");
    return out;
}

} // namespace portal::protocol::keys
