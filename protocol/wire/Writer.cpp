#include "wire/Writer.h"

namespace portal::protocol::wire {

Writer& Writer::byte(std::uint8_t value) {
    buffer_.push_back(value);
    return *this;
}

Writer& Writer::uint32(std::uint32_t value) {
    std::uint8_t b[4] = {std::uint8_t(value >> 24), std::uint8_t(value >> 16), std::uint8_t(value >> 8),
                         std::uint8_t(value)};
    buffer_.insert(buffer_.end(), b, b + 4);
    return *this;
}

Writer& Writer::uint64(std::uint64_t value) {
    uint32(std::uint32_t(value >> 32));
    return uint32(std::uint32_t(value));
}

Writer& Writer::string(ByteView value) {
    uint32(static_cast<std::uint32_t>(value.size()));
    return raw(value);
}

Writer& Writer::mpint(ByteView magnitude) {
    std::size_t skip = 0;
    while (skip < magnitude.size() && magnitude[skip] == 0)
        ++skip;
    magnitude = magnitude.subspan(skip);
    bool needsZero = !magnitude.empty() && (magnitude[0] & 0x80);
    uint32(static_cast<std::uint32_t>(magnitude.size() + (needsZero ? 1 : 0)));
    if (needsZero)
        byte(0);
    return raw(magnitude);
}

Writer& Writer::nameList(const std::vector<std::string>& names) {
    std::string joined;
    for (const std::string& name : names) {
        if (!joined.empty())
            joined += ',';
        joined += name;
    }
    return string(joined);
}

Writer& Writer::raw(ByteView value) {
    buffer_.insert(buffer_.end(), value.begin(), value.end());
    return *this;
}

} // namespace portal::protocol::wire
