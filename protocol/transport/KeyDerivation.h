// Session keys from a finished key exchange (RFC 4253 §7.2): each key is
// HASH(K || H || letter || session_id), extended with HASH(K || H || K1 || ...) until long
// enough. Role neutral: the test server peer derives the same keys.
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"
#include "common/SecretBytes.h"
#include "crypto/Hash.h"
#include "crypto/PacketProtection.h"

#include <string>

namespace portal::protocol::transport {

struct SessionKeys {
    crypto::DirectionKeys clientToServer;
    crypto::DirectionKeys serverToClient;
};

// `sharedSecret` is K's magnitude (it is hashed as an mpint). Sizes come from the algorithm
// tables; an unknown cipher or MAC name is an error.
Result<SessionKeys> deriveSessionKeys(crypto::HashAlgorithm hash, const SecretBytes& sharedSecret,
                                      ByteView exchangeHash, ByteView sessionId,
                                      const std::string& cipherClientToServer,
                                      const std::string& macClientToServer,
                                      const std::string& cipherServerToClient,
                                      const std::string& macServerToClient);

// One derived key of `length` bytes for `letter` ('A'..'F').
SecretBytes deriveKey(crypto::HashAlgorithm hash, const SecretBytes& sharedSecret,
                      ByteView exchangeHash, ByteView sessionId, char letter, std::size_t length);

// K encoded as an SSH mpint (length prefix included), in wiped storage.
SecretBytes encodeSharedSecret(const SecretBytes& sharedSecret);

} // namespace portal::protocol::transport
