// Byte containers shared by every protocol layer: owned buffers and borrowed views.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace portal::protocol {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView asBytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

inline std::string_view asText(ByteView bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

inline Bytes toBytes(std::string_view text) {
    ByteView view = asBytes(text);
    return Bytes(view.begin(), view.end());
}

inline void append(Bytes& out, ByteView more) { out.insert(out.end(), more.begin(), more.end()); }

// Lower-case hexadecimal, for logs of public values and for tests.
std::string toHex(ByteView bytes);
// Parses hex (whitespace ignored); returns an empty vector on malformed input.
Bytes fromHex(std::string_view hex);

} // namespace portal::protocol
