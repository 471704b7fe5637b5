#include "wire/Reader.h"

namespace portal::protocol::wire {

ByteView Reader::raw(std::size_t count) {
    if (!ok_ || count > input_.size() - offset_) {
        ok_ = false;
        return {};
    }
    ByteView out = input_.subspan(offset_, count);
    offset_ += count;
    return out;
}

ByteView Reader::rest() { return raw(remaining()); }

std::uint8_t Reader::byte() {
    ByteView b = raw(1);
    return b.empty() ? 0 : b[0];
}

bool Reader::boolean() { return byte() != 0; }

std::uint32_t Reader::uint32() {
    ByteView b = raw(4);
    if (b.empty())
        return 0;
    return std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 | std::uint32_t(b[2]) << 8 | b[3];
}

std::uint64_t Reader::uint64() {
    std::uint64_t high = uint32();
    return high << 32 | uint32();
}

ByteView Reader::string() {
    std::uint32_t length = uint32();
    return raw(length);
}

ByteView Reader::mpint() {
    ByteView value = string();
    if (value.empty())
        return value;
    if (value[0] & 0x80) { // negative
        ok_ = false;
        return {};
    }
    if (value[0] == 0) {
        // A leading zero is only allowed to keep the sign bit clear (RFC 4251 §5).
        if (value.size() == 1 || !(value[1] & 0x80)) {
            ok_ = false;
            return {};
        }
        value = value.subspan(1);
    }
    return value;
}

std::vector<std::string> Reader::nameList() {
    std::string_view all = text();
    std::vector<std::string> names;
    if (!ok_ || all.empty())
        return names;
    std::size_t start = 0;
    while (true) {
        std::size_t comma = all.find(',', start);
        std::string_view name = all.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (name.empty()) {
            ok_ = false;
            return {};
        }
        for (char c : name) {
            if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
                ok_ = false;
                return {};
            }
        }
        names.emplace_back(name);
        if (comma == std::string_view::npos)
            break;
        start = comma + 1;
    }
    return names;
}

} // namespace portal::protocol::wire
