// Encoder for the SSH data types of RFC 4251 §5, appending to a growing buffer.
#pragma once

#include "common/Bytes.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace portal::protocol::wire {

class Writer {
public:
    Writer() = default;
    explicit Writer(std::uint8_t messageNumber) { byte(messageNumber); }

    Writer& byte(std::uint8_t value);
    Writer& boolean(bool value) { return byte(value ? 1 : 0); }
    Writer& uint32(std::uint32_t value);
    Writer& uint64(std::uint64_t value);
    Writer& string(ByteView value);
    Writer& string(std::string_view value) { return string(asBytes(value)); }
    Writer& string(const char* value) { return string(std::string_view(value)); }
    // An unsigned big-endian magnitude encoded as a non-negative mpint: leading zeros
    // stripped, a zero byte added when the top bit is set.
    Writer& mpint(ByteView magnitude);
    Writer& nameList(const std::vector<std::string>& names);
    Writer& raw(ByteView value);

    const Bytes& bytes() const& { return buffer_; }
    Bytes&& take() && { return std::move(buffer_); }
    Bytes take() & { return std::move(buffer_); }
    std::size_t size() const { return buffer_.size(); }
    // Access for callers that must wipe what they wrote (a password, a signature input).
    Bytes& buffer() { return buffer_; }

private:
    Bytes buffer_;
};

} // namespace portal::protocol::wire
