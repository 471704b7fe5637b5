// Fuzzes the X11 connection-setup check of x11 channels, which reads what an X client on the
// server sends. Nothing may crash or buffer more than the expected setup; a setup accepted must
// carry exactly the fake cookie, and what followed it must be handed on unchanged.
//
// Input: the first byte picks the size of the pieces the rest is fed in (1 to 16 bytes).
#include "PiecewiseInput.h"
#include "forward/X11Setup.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

using namespace portal::protocol;
using namespace portal::protocol::forward;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    portal::fuzz::PiecewiseInput input;
    if (!portal::fuzz::splitPiecewise(bytes, size, input))
        return 0;
    // A short cookie, so that mutations can find the accepting path.
    const Bytes fake = {0x5a, 0xa5};
    X11SetupRewriter rewriter("MIT-MAGIC-COOKIE-1", SecretBytes(fake), "MIT-MAGIC-COOKIE-1",
                              SecretBytes::fromText("0123456789abcdef"));
    input.forEachPiece([&](ByteView chunk, std::size_t fed) {
        X11SetupStep step = rewriter.feed(chunk);
        if (auto* done = std::get_if<X11Rewritten>(&step)) {
            // The setup was 12 + 20 + 4 bytes; the rest of what was fed is the leftover.
            constexpr std::size_t setupLength = 36;
            if (fed < setupLength || done->leftover.size() != fed - setupLength ||
                !std::equal(done->leftover.begin(), done->leftover.end(), input.stream.begin() + setupLength) ||
                !std::equal(fake.begin(), fake.end(), input.stream.begin() + 32))
                __builtin_trap();
            return true;
        }
        return std::holds_alternative<X11Refused>(step);
    });
    return 0;
}
