// Random bytes from OpenSSL's DRBG (RAND_bytes), the only randomness source of the library.
#include "crypto/Random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

namespace portal::protocol::crypto {

bool randomFill(std::span<std::uint8_t> out) {
    // RAND_bytes takes an int count; fill oversize requests in int-sized pieces.
    while (!out.empty()) {
        std::size_t piece = std::min<std::size_t>(out.size(), INT_MAX);
        if (RAND_bytes(out.data(), static_cast<int>(piece)) != 1)
            return false;
        out = out.subspan(piece);
    }
    return true;
}

Bytes randomBytes(std::size_t count) {
    Bytes out(count);
    if (!randomFill(out))
        return {};
    return out;
}

} // namespace portal::protocol::crypto
