// Fuzzes the SOCKS4/4a/5 request parser of dynamic forwarding (-D), which reads whatever a
// local program sends to the listening port. Nothing may crash or buffer without bound, and a
// completed request must hand on exactly the bytes that followed it.
//
// Input: the first byte picks the size of the pieces the rest is fed in (1 to 16 bytes), so
// every field is also seen split across reads.
#include "PiecewiseInput.h"
#include "forward/SocksRequest.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

using namespace portal::protocol;
using namespace portal::protocol::forward;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    portal::fuzz::PiecewiseInput input;
    if (!portal::fuzz::splitPiecewise(bytes, size, input))
        return 0;
    SocksRequestParser parser;
    input.forEachPiece([&](ByteView chunk, std::size_t fed) {
        SocksStep step = parser.feed(chunk);
        // Only SOCKS5 answers before the request, and only once.
        for (int replies = 0; std::holds_alternative<SocksReply>(step); ++replies) {
            if (replies > 0)
                __builtin_trap();
            step = parser.feed({});
        }
        if (auto* connect = std::get_if<SocksConnect>(&step)) {
            // The leftover is exactly what came after the request within the bytes fed so far.
            if (connect->host.empty() || connect->leftover.size() > fed ||
                !std::equal(connect->leftover.begin(), connect->leftover.end(),
                            input.stream.begin() + std::ptrdiff_t(fed - connect->leftover.size())))
                __builtin_trap();
            return true;
        }
        return std::holds_alternative<SocksError>(step);
    });
    return 0;
}
