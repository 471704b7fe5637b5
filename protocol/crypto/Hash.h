// Message digests through OpenSSL EVP, for exchange hashes (RFC 4253 §8), key derivation
// (RFC 4253 §7.2), fingerprints and signatures.
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"

#include <memory>

namespace portal::protocol::crypto {

enum class HashAlgorithm { Sha1, Sha256, Sha384, Sha512 };

std::size_t digestLength(HashAlgorithm algorithm);

// Incremental hashing; copyable mid-stream (clone) because key derivation reuses a prefix.
class Hasher {
public:
    explicit Hasher(HashAlgorithm algorithm);
    ~Hasher();
    Hasher(Hasher&&) noexcept;
    Hasher& operator=(Hasher&&) noexcept;

    Hasher& update(ByteView data);
    Hasher clone() const;
    // Ends this hasher; later calls to update/finish are invalid. Returns an empty vector if
    // OpenSSL failed at any step (no provider for the digest, allocation failure).
    Bytes finish();
    HashAlgorithm algorithm() const { return algorithm_; }

private:
    struct Context;
    HashAlgorithm algorithm_;
    std::unique_ptr<Context> context_;
};

// One-shot digest; empty on OpenSSL failure, like Hasher::finish().
Bytes digest(HashAlgorithm algorithm, ByteView data);

} // namespace portal::protocol::crypto
