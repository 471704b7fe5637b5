// Cryptographically secure random bytes from OpenSSL's DRBG (RAND_bytes), for cookies,
// padding, ephemeral keys and nonces.
#pragma once

#include "common/Bytes.h"

#include <cstdint>
#include <span>

namespace portal::protocol::crypto {

// Fills `out`; aborts the connection attempt upstream if the DRBG fails (reported as false).
[[nodiscard]] bool randomFill(std::span<std::uint8_t> out);
Bytes randomBytes(std::size_t count); // empty on DRBG failure

} // namespace portal::protocol::crypto
