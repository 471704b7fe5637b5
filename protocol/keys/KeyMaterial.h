// Internal to keys/: building OpenSSL keys from the SSH wire fields and back, the ECDSA curve
// table (RFC 5656 §6.1) and the signature-algorithm table (RFC 4253 §6.6, RFC 5656 §3.1.2,
// RFC 8332 §3, RFC 8709 §6). One source of truth shared by PublicKey and PrivateKey.
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"

#include <memory>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_md_st EVP_MD;

namespace portal::protocol::keys::detail {

using EvpKey = std::shared_ptr<EVP_PKEY>;
EvpKey adoptEvpKey(EVP_PKEY* key); // takes ownership; null stays null

enum class KeyKind { Ed25519, Ecdsa, Rsa };

struct EcdsaCurve {
    const char* keyType;     // "ecdsa-sha2-nistp256"
    const char* identifier;  // "nistp256", the curve name inside the blob
    const char* opensslName; // OpenSSL group name
    int bits;
    std::size_t fieldBytes;  // size of one coordinate
    const char* digest;      // the hash RFC 5656 §6.2.1 ties to the curve
};

const EcdsaCurve* curveByKeyType(std::string_view keyType);
const EcdsaCurve* curveByIdentifier(std::string_view identifier);
const EcdsaCurve* curveByOpensslName(std::string_view opensslName);

constexpr std::string_view kEd25519 = "ssh-ed25519";
constexpr std::string_view kRsa = "ssh-rsa";
constexpr std::size_t kEd25519KeyBytes = 32;
constexpr std::size_t kEd25519SignatureBytes = 64;
// OpenSSH refuses RSA keys under 1024 bits (SSH_RSA_MINIMUM_MODULUS_SIZE); so do we.
constexpr int kRsaMinimumBits = 1024;
// And above 16384 bits (SSHBUF_MAX_BIGNUM): such keys only serve to make verification slow.
constexpr int kRsaMaximumBits = 16384;

// What a signature algorithm name means for a key of `keyType`: the digest to use, or an
// error when the algorithm does not suit the key.
struct SignatureScheme {
    KeyKind kind;
    const char* digest; // null for Ed25519 (it hashes internally)
};
Result<SignatureScheme> signatureScheme(std::string_view keyType, std::string_view algorithm);

// Key construction from wire fields. Every one validates what OpenSSL can validate.
Result<EvpKey> ed25519Public(ByteView publicKey);
Result<EvpKey> ed25519Private(ByteView seed);
Result<EvpKey> ecdsaPublic(const EcdsaCurve& curve, ByteView point);
Result<EvpKey> ecdsaPrivate(const EcdsaCurve& curve, ByteView point, ByteView scalar);
Result<EvpKey> rsaPublic(ByteView e, ByteView n);
// OpenSSH stores n, e, d, iqmp, p, q; the CRT exponents are derived here.
Result<EvpKey> rsaPrivate(ByteView n, ByteView e, ByteView d, ByteView iqmp, ByteView p, ByteView q);

// The public key blob (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4) of any supported key,
// read back from OpenSSL: used for keys that come from PEM/PKCS#8.
Result<Bytes> publicBlobOf(EVP_PKEY* key);

// An ECDSA signature: DER (OpenSSL) <-> "mpint r, mpint s" (RFC 5656 §3.1.2).
Result<Bytes> ecdsaDerToSsh(ByteView der);
Result<Bytes> ecdsaSshToDer(ByteView rs, const EcdsaCurve& curve);

} // namespace portal::protocol::keys::detail
