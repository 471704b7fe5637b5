// The symmetric primitives under SSH packet protection, as EVP contexts that live as long as
// their key and are re-armed per packet, so the packet path neither allocates nor fetches:
// ChaCha20 and AES-CTR keystreams, AES-GCM (NIST SP 800-38D), HMAC (RFC 2104) and
// Poly1305 (RFC 8439 §2.5). Internal to the crypto layer and its tests.
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"
#include "common/SecretBytes.h"
#include "crypto/Hash.h"
#include "crypto/OpenSslHandles.h"

#include <cstdint>
#include <span>

namespace portal::protocol::crypto {

// A keystream cipher: "ChaCha20" (16-byte IV = state words 12..15, i.e. block counter and
// nonce little-endian as in RFC 8439 §2.3) or "AES-128/192/256-CTR" (16-byte counter block).
// Encryption and decryption are the same operation.
class StreamCipher {
public:
    static Result<StreamCipher> create(const char* openSslName, ByteView key, ByteView iv);

    // Starts the keystream again from `iv`, keeping the key schedule.
    Status restart(ByteView iv);
    // XORs the next `in.size()` keystream bytes into `out`; `out` may equal `in.data()`.
    Status apply(ByteView in, std::uint8_t* out);

private:
    explicit StreamCipher(EvpCipherCtxHandle ctx) : ctx_(std::move(ctx)) {}
    EvpCipherCtxHandle ctx_;
};

// AES-GCM with a 96-bit nonce and a 128-bit tag, the only form RFC 5647 §7.1 uses; other nonce
// lengths are refused rather than hashed into a counter block.
class AesGcm {
public:
    static constexpr std::size_t kNonceLength = 12;
    static constexpr std::size_t kTagLength = 16;

    static Result<AesGcm> create(ByteView key);

    // Encrypts `data` in place and writes the tag over `aad` and the ciphertext.
    Status seal(ByteView nonce, ByteView aad, std::span<std::uint8_t> data, std::span<std::uint8_t> tag);
    // Checks `tag` (in constant time, inside OpenSSL) and decrypts `data` in place. On a
    // mismatch `data` holds unauthenticated plaintext that the caller must discard.
    Status open(ByteView nonce, ByteView aad, std::span<std::uint8_t> data, ByteView tag);

private:
    explicit AesGcm(EvpCipherCtxHandle ctx) : ctx_(std::move(ctx)) {}
    Status start(ByteView nonce, ByteView aad, bool encrypt);
    EvpCipherCtxHandle ctx_;
};

// An EVP_MAC context: HMAC with a fixed key, or Poly1305 with a one-time key per message.
class MacContext {
public:
    static Result<MacContext> hmac(HashAlgorithm digest, ByteView key);
    static Result<MacContext> poly1305();

    std::size_t tagLength() const { return tagLength_; }
    // Starts a message; Poly1305 takes its one-time key here, HMAC reuses its own.
    Status begin(ByteView oneTimeKey = {});
    Status update(ByteView data);
    // Writes exactly tagLength() bytes.
    Status finish(std::span<std::uint8_t> tag);

private:
    MacContext(EvpMacCtxHandle ctx, SecretBytes key, std::size_t tagLength, bool oneTimeKeys)
        : ctx_(std::move(ctx)), key_(std::move(key)), tagLength_(tagLength), oneTimeKeys_(oneTimeKeys) {}
    EvpMacCtxHandle ctx_;
    SecretBytes key_; // HMAC's key; unused for Poly1305
    std::size_t tagLength_;
    bool oneTimeKeys_; // Poly1305: a fresh 32-byte key for every message
};

} // namespace portal::protocol::crypto
