// For fuzz targets of parsers that are fed a stream in reads of any size: the first input byte
// picks the piece size (1 to 16 bytes), so every field is also seen split across reads.
#pragma once

#include "common/Bytes.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace portal::fuzz {

struct PiecewiseInput {
    protocol::ByteView stream;     // the input after the piece-size byte
    std::size_t piece;   // how many bytes each feed gets (the last may get fewer)

    // Calls feed(chunk, bytesFedSoFar) for each piece until it returns true (done).
    template <typename Feed>
    void forEachPiece(Feed&& feed) const {
        for (std::size_t offset = 0; offset < stream.size(); offset += piece) {
            protocol::ByteView chunk = stream.subspan(offset, std::min(piece, stream.size() - offset));
            if (feed(chunk, offset + chunk.size()))
                return;
        }
    }
};

// Nothing to fuzz in an empty input: returns false.
inline bool splitPiecewise(const std::uint8_t* bytes, std::size_t size, PiecewiseInput& out) {
    if (size == 0)
        return false;
    out = PiecewiseInput{protocol::ByteView(bytes + 1, size - 1), std::size_t(1 + bytes[0] % 16)};
    return true;
}

} // namespace portal::fuzz
