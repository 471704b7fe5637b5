// The ephemeral key agreements behind SSH key exchange: X25519 (RFC 8731), ECDH on the NIST
// curves (RFC 5656 §4) and finite-field Diffie-Hellman (RFC 4253 §8, RFC 8268, RFC 4419).
// The transport runs the message flow and the exchange hash; this only does the arithmetic.
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"
#include "common/SecretBytes.h"

#include <memory>
#include <string_view>

namespace portal::protocol::crypto {

class KeyAgreement {
public:
    virtual ~KeyAgreement() = default;
    // Our ephemeral public value as it goes on the wire: for X25519 and ECDH the raw point
    // (Q_C, sent as an SSH string); for finite-field DH the magnitude of e (sent as mpint).
    virtual const Bytes& publicValue() const = 0;
    // Validates the peer's value (point on curve, not all-zero X25519 result,
    // 1 < f < p-1) and returns the shared secret K as the unsigned big-endian magnitude
    // that the transport encodes as an mpint in the exchange hash and key derivation.
    virtual Result<SecretBytes> deriveSharedSecret(ByteView peerPublicValue) = 0;
};

enum class NamedGroup { X25519, NistP256, NistP384, NistP521 };

Result<std::unique_ptr<KeyAgreement>> makeEcdhAgreement(NamedGroup group);
// For known-answer tests (RFC 7748 §6.1, Wycheproof): the same agreement with a fixed private
// key, X25519's 32 raw bytes or a NIST curve's big-endian scalar. A connection never uses it.
Result<std::unique_ptr<KeyAgreement>> makeEcdhAgreementWithPrivateKey(NamedGroup group,
                                                                      const SecretBytes& privateKey);
// Fixed MODP groups by RFC 3526 / RFC 8268 number (14, 16, 18).
Result<std::unique_ptr<KeyAgreement>> makeModpAgreement(int groupNumber);
// A group sent by the server in SSH_MSG_KEX_DH_GEX_GROUP (RFC 4419 §3); rejects p outside
// [minBits, maxBits] or an implausible generator.
Result<std::unique_ptr<KeyAgreement>> makeGexAgreement(ByteView prime, ByteView generator,
                                                       int minBits, int maxBits);

} // namespace portal::protocol::crypto
