// The ssh-agent protocol as a client speaks it (draft-miller-ssh-agent-04 §3-4): messages
// framed by a uint32 length, REQUEST_IDENTITIES / IDENTITIES_ANSWER, SIGN_REQUEST with the
// RSA SHA-2 flags / SIGN_RESPONSE, and FAILURE. Encoders and strict decoders only, no I/O.
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"
#include "keys/PublicKey.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portal::protocol::agent {

// draft-miller-ssh-agent §5.1 message numbers.
enum class AgentMessage : std::uint8_t {
    Failure = 5,
    Success = 6,
    RequestIdentities = 11,
    IdentitiesAnswer = 12,
    SignRequest = 13,
    SignResponse = 14,
    ExtensionFailure = 28,
};

// §5.3 signature flags.
inline constexpr std::uint32_t signFlagRsaSha2_256 = 2;
inline constexpr std::uint32_t signFlagRsaSha2_512 = 4;

// Bounds on what we accept from an agent. OpenSSH's agent refuses messages over 256 KiB
// (AGENT_MAX_LEN) and its client lists at most 2048 keys; a key blob (even an RSA-16384
// certificate) fits in 16 KiB.
inline constexpr std::size_t maxAgentMessageLength = 256 * 1024;
inline constexpr std::size_t maxAgentIdentities = 2048;
inline constexpr std::size_t maxKeyBlobLength = 16 * 1024;
inline constexpr std::size_t maxCommentLength = 4096;

struct AgentIdentity {
    Bytes keyBlob;       // as the agent sent it (RFC 4253 §6.6 public key blob)
    std::string comment; // usually the key file's name or user@host; untrusted text
    std::string keyType; // the blob's first string ("ssh-ed25519", "ssh-rsa", certificates, ...)
    // The parsed key when Portal supports its type; agents also hold keys we cannot use
    // (security keys, certificates, DSA), which are listed but have no publicKey.
    std::optional<keys::PublicKey> publicKey;
};

// Whole framed requests (length prefix included), ready to write to the agent.
Bytes encodeRequestIdentities();
// `signatureAlgorithm` picks the flags: rsa-sha2-256 / rsa-sha2-512 set the SHA-2 flags;
// any other name asks for the key's own algorithm. Refuses an RSA SHA-2 name for a non-RSA
// key blob, and data over the message bound.
Result<Bytes> encodeSignRequest(ByteView keyBlob, ByteView data,
                                std::string_view signatureAlgorithm);

// Splits a byte stream from the agent into message bodies (without the length prefix).
// A length of 0 or over maxAgentMessageLength is an error that ends the stream.
class AgentFrameReader {
public:
    void feed(ByteView bytes) { append(buffer_, bytes); }
    // The next complete message body; std::nullopt while more bytes are needed.
    Result<std::optional<Bytes>> next();
    std::size_t buffered() const { return buffer_.size(); }

private:
    Bytes buffer_;
};

// Decoders of one message body (type byte first). FAILURE (and the other refusals) come
// back as an Auth error saying the agent refused; anything malformed is a Protocol error.
Result<std::vector<AgentIdentity>> parseIdentitiesAnswer(ByteView message);
// Returns the signature blob (string algorithm, string signature) after checking that it is
// well formed and that its algorithm is `expectedAlgorithm`.
Result<Bytes> parseSignResponse(ByteView message, std::string_view expectedAlgorithm);

} // namespace portal::protocol::agent
