// The client side of the key-exchange methods: ECDH and X25519 (RFC 5656 §4, RFC 8731),
// fixed MODP groups (RFC 4253 §8, RFC 8268) and group exchange (RFC 4419), each computing the
// exchange hash H over the transcript. Host-key checks happen in the transport.
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"
#include "common/SecretBytes.h"
#include "crypto/Algorithms.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace portal::protocol::transport {

// What both sides hash first (RFC 4253 §8): V_C, V_S, I_C, I_S.
struct KexTranscript {
    std::string clientVersion; // without CR LF
    std::string serverVersion;
    Bytes clientKexInit;       // whole payloads
    Bytes serverKexInit;
};

// RFC 4419 §3 group-exchange request sizes, hashed with the group.
struct GexRequest {
    std::uint32_t minBits = 2048;
    std::uint32_t preferredBits = 3072;
    std::uint32_t maxBits = 8192;
};

// The exchange-hash inputs after V_C..I_S: K_S, the optional GEX group, the two ephemeral
// values and K (RFC 4253 §8, RFC 4419 §3, RFC 5656 §4, RFC 8731 §3).
struct ExchangeHashInput {
    ByteView hostKeyBlob;
    const GexRequest* gexRequest = nullptr; // set for group exchange
    ByteView gexPrime;
    ByteView gexGenerator;
    ByteView clientValue; // Q_C or e
    ByteView serverValue; // Q_S or f
    bool valuesAreMpints = false; // finite-field DH sends e and f as mpints
};

Bytes computeExchangeHash(crypto::HashAlgorithm hash, const KexTranscript& transcript,
                          const ExchangeHashInput& input, const SecretBytes& sharedSecret);

struct KexOutcome {
    SecretBytes sharedSecret;
    Bytes exchangeHash;
    Bytes hostKeyBlob;
    Bytes signature;
};

class ClientKexMethod {
public:
    virtual ~ClientKexMethod() = default;

    // The first message we send (ECDH_INIT, KEXDH_INIT or KEX_DH_GEX_REQUEST).
    virtual Result<Bytes> start() = 0;
    // Whether a server message with this number is what the method waits for now.
    virtual bool expects(std::uint8_t messageNumber) const = 0;

    struct Step {
        std::optional<Bytes> send;         // a message to send next
        std::optional<KexOutcome> outcome; // the exchange is complete
    };
    virtual Result<Step> handle(ByteView payload) = 0;
};

// `cipherKeyBits` sizes the group-exchange request (the strongest negotiated cipher key).
Result<std::unique_ptr<ClientKexMethod>> makeClientKexMethod(const crypto::KexInfo& kex,
                                                            KexTranscript transcript,
                                                            std::size_t cipherKeyBits);

} // namespace portal::protocol::transport
