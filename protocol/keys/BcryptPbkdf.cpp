// bcrypt_pbkdf as OpenBSD defines it (lib/libutil/bcrypt_pbkdf.c, used by OpenSSH's
// openssh-key-v1 encryption, PROTOCOL.key): a PBKDF2-like construction whose PRF is a
// bcrypt-style hash of the SHA-512 digests of password and salt, with the output striped
// across blocks so that every output byte depends on every round.
#include "crypto/Hash.h"
#include "keys/Blowfish.h"
#include "keys/PrivateKey.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>

namespace portal::protocol::keys {

namespace {

constexpr std::size_t kSha512Bytes = 64;
constexpr std::size_t kHashBytes = 32; // one bcrypt_hash output
// The 256-bit block bcrypt_hash encrypts 64 times.
constexpr std::string_view kMagic = "OxychromaticBlowfishSwatDynamite";

using Digest = std::array<std::uint8_t, kSha512Bytes>;
using HashBlock = std::array<std::uint8_t, kHashBytes>;

bool sha512(std::initializer_list<ByteView> parts, Digest& out) {
    crypto::Hasher hasher(crypto::HashAlgorithm::Sha512);
    for (ByteView part : parts)
        hasher.update(part);
    Bytes digest = hasher.finish();
    bool ok = digest.size() == out.size();
    if (ok)
        std::copy(digest.begin(), digest.end(), out.begin());
    OPENSSL_cleanse(digest.data(), digest.size()); // the password's digest is as good as the password
    return ok;
}

// bcrypt_hash(sha2pass, sha2salt): eksblowfish keyed with both digests (64 rounds of
// alternating expansion), then the magic block encrypted 64 times in ECB mode, emitted as
// little-endian words (as OpenBSD does).
void bcryptHash(const Digest& sha2pass, const Digest& sha2salt, HashBlock& out) {
    detail::Blowfish cipher;
    cipher.expandKeyWithSalt(sha2pass, sha2salt);
    for (int round = 0; round < 64; ++round) {
        cipher.expandKey(sha2salt);
        cipher.expandKey(sha2pass);
    }
    std::array<std::uint32_t, kHashBytes / 4> words{};
    for (std::size_t i = 0; i < words.size(); ++i)
        for (std::size_t b = 0; b < 4; ++b)
            words[i] = words[i] << 8 | static_cast<std::uint8_t>(kMagic[4 * i + b]);
    for (int round = 0; round < 64; ++round)
        for (std::size_t i = 0; i < words.size(); i += 2)
            cipher.encryptBlock(words[i], words[i + 1]);
    for (std::size_t i = 0; i < words.size(); ++i)
        for (std::size_t b = 0; b < 4; ++b)
            out[4 * i + b] = static_cast<std::uint8_t>(words[i] >> (8 * b));
    OPENSSL_cleanse(words.data(), sizeof words);
}

} // namespace

bool bcryptPbkdf(ByteView password, ByteView salt, std::span<std::uint8_t> out, unsigned rounds) {
    // The limits OpenBSD sets: some work, some salt, and at most 32 blocks of 32 bytes.
    if (rounds < 1 || password.empty() || salt.empty() || out.empty() || out.size() > kHashBytes * kHashBytes)
        return false;
    const std::size_t stride = (out.size() + kHashBytes - 1) / kHashBytes;
    const std::size_t perBlock = (out.size() + stride - 1) / stride;

    Digest sha2pass{}, sha2salt{};
    HashBlock block{}, accumulated{};
    bool ok = sha512({password}, sha2pass);
    for (std::uint32_t count = 1; ok && (count - 1) < stride; ++count) {
        const std::array<std::uint8_t, 4> counter{static_cast<std::uint8_t>(count >> 24), static_cast<std::uint8_t>(count >> 16),
                                                  static_cast<std::uint8_t>(count >> 8), static_cast<std::uint8_t>(count)};
        ok = sha512({salt, counter}, sha2salt);
        bcryptHash(sha2pass, sha2salt, block);
        accumulated = block;
        for (unsigned round = 1; ok && round < rounds; ++round) {
            ok = sha512({block}, sha2salt);
            bcryptHash(sha2pass, sha2salt, block);
            for (std::size_t i = 0; i < kHashBytes; ++i)
                accumulated[i] ^= block[i];
        }
        // Output byte i of this block goes to position i·stride + (count−1): striping.
        for (std::size_t i = 0; i < perBlock; ++i) {
            std::size_t destination = i * stride + (count - 1);
            if (destination >= out.size())
                break;
            out[destination] = accumulated[i];
        }
    }
    OPENSSL_cleanse(sha2pass.data(), sizeof sha2pass);
    OPENSSL_cleanse(sha2salt.data(), sizeof sha2salt);
    OPENSSL_cleanse(block.data(), sizeof block);
    OPENSSL_cleanse(accumulated.data(), sizeof accumulated);
    if (!ok)
        OPENSSL_cleanse(out.data(), out.size());
    return ok;
}

} // namespace portal::protocol::keys
