// Decoder for the SSH data types of RFC 4251 §5 with a sticky error: read every field, then
// check ok() once. The first short or malformed read turns ok() false for good and every
// later read returns an empty value, so a parser never indexes past its input.
#pragma once

#include "common/Bytes.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace portal::protocol::wire {

class Reader {
public:
    explicit Reader(ByteView input) : input_(input) {}

    std::uint8_t byte();
    bool boolean();
    std::uint32_t uint32();
    std::uint64_t uint64();
    // A `string`: uint32 length then that many bytes. The view borrows from the input.
    ByteView string();
    std::string_view text() { return asText(string()); }
    // An `mpint` (two's complement, big-endian). Returns the magnitude bytes with any leading
    // zero removed; negative values and non-minimal encodings are rejected, since no SSH
    // message we read carries either.
    ByteView mpint();
    // A `name-list`: comma-separated US-ASCII names, none empty (RFC 4251 §5).
    std::vector<std::string> nameList();
    // `count` raw bytes with no length prefix.
    ByteView raw(std::size_t count);
    ByteView rest();

    bool ok() const { return ok_; }
    bool atEnd() const { return ok_ && offset_ == input_.size(); }
    std::size_t remaining() const { return ok_ ? input_.size() - offset_ : 0; }
    std::size_t offset() const { return offset_; }
    // Marks the input malformed from outside (a value out of range, say).
    void fail() { ok_ = false; }

private:
    ByteView input_;
    std::size_t offset_ = 0;
    bool ok_ = true;
};

} // namespace portal::protocol::wire
