// Internal to keys/: the Blowfish block cipher (Schneier, FSE 1993) with the "expensive key
// schedule" steps of eksblowfish (Provos & Mazières, "A Future-Adaptable Password Scheme",
// 1999), as much as bcrypt_pbkdf needs. Not a general-purpose cipher: encryption only.
#pragma once

#include "common/Bytes.h"

#include <cstdint>

namespace portal::protocol::keys::detail {

class Blowfish {
public:
    // The initial state: P-array and S-boxes from the fractional hex digits of pi.
    Blowfish();
    ~Blowfish(); // wipes the key-dependent state
    Blowfish(const Blowfish&) = delete;
    Blowfish& operator=(const Blowfish&) = delete;

    // Blowfish's own key schedule step ("expand0state"): XOR the key, cycled, into the
    // P-array, then replace P and S by chained encryptions of an all-zero block. Applied to
    // the initial state it is the standard Blowfish key setup.
    void expandKey(ByteView key);
    // eksblowfish's salted step ("expandstate"): as expandKey, but each block is XORed with
    // the next 64 bits of the cycled salt before it is encrypted.
    void expandKeyWithSalt(ByteView key, ByteView salt);

    void encryptBlock(std::uint32_t& left, std::uint32_t& right) const;

private:
    void expand(ByteView key, ByteView salt);

    // Plain arrays: bcrypt_pbkdf runs this cipher millions of times, and unoptimised
    // (Debug, sanitizer) builds would otherwise pay a call per element access.
    std::uint32_t p_[18];
    std::uint32_t s_[4][256];
};

} // namespace portal::protocol::keys::detail
