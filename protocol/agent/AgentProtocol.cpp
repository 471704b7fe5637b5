// ssh-agent client messages (draft-miller-ssh-agent-04 §3, §4.4, §4.5, §5).
#include "agent/AgentProtocol.h"

#include "wire/Reader.h"
#include "wire/Writer.h"

namespace portal::protocol::agent {
namespace {

// §3: every message is uint32 length, then that many bytes starting with the type.
Bytes frame(const wire::Writer& body) {
    wire::Writer framed;
    framed.uint32(static_cast<std::uint32_t>(body.size()));
    framed.raw(body.bytes());
    return std::move(framed).take();
}

Error malformed(std::string_view what) {
    return Error::protocol("The SSH agent sent a malformed " + std::string(what) + ".");
}

// A refusal where an answer was expected. FAILURE is the agent's normal "no"; anything else
// is an agent that does not speak the protocol we do.
Error unexpectedReply(std::uint8_t type, std::string_view expected) {
    if (type == static_cast<std::uint8_t>(AgentMessage::Failure) ||
        type == static_cast<std::uint8_t>(AgentMessage::ExtensionFailure))
        return Error::auth("The SSH agent refused the " + std::string(expected) + " request.");
    return Error::protocol("The SSH agent answered with message " + std::to_string(type) +
                           " where " + std::string(expected) + " was expected.");
}

bool isRsaSha2(std::string_view algorithm) {
    return algorithm == "rsa-sha2-256" || algorithm == "rsa-sha2-512";
}

} // namespace

Bytes encodeRequestIdentities() {
    wire::Writer body(static_cast<std::uint8_t>(AgentMessage::RequestIdentities));
    return frame(body);
}

Result<Bytes> encodeSignRequest(ByteView keyBlob, ByteView data,
                                std::string_view signatureAlgorithm) {
    if (keyBlob.empty() || keyBlob.size() > maxKeyBlobLength)
        return Error::auth("The key to sign with is not a valid public key blob.");
    // 1 type + 3 length prefixes + flags; the agent drops longer messages unanswered.
    if (keyBlob.size() + data.size() + 17 > maxAgentMessageLength)
        return Error::auth("The data to sign is too large for the SSH agent.");

    std::uint32_t flags = 0;
    if (isRsaSha2(signatureAlgorithm)) {
        wire::Reader blob(keyBlob);
        if (blob.text() != "ssh-rsa" || !blob.ok())
            return Error::auth("The signature algorithm " + std::string(signatureAlgorithm) +
                               " needs an RSA key.");
        // §5.3: the flags select RFC 8332 SHA-2 signatures for plain RSA keys.
        flags = signatureAlgorithm == "rsa-sha2-256" ? signFlagRsaSha2_256 : signFlagRsaSha2_512;
    }
    wire::Writer body(static_cast<std::uint8_t>(AgentMessage::SignRequest));
    body.string(keyBlob).string(data).uint32(flags);
    return frame(body);
}

Result<std::optional<Bytes>> AgentFrameReader::next() {
    if (buffer_.size() < 4)
        return std::optional<Bytes>();
    const std::size_t length = (std::size_t(buffer_[0]) << 24) | (std::size_t(buffer_[1]) << 16) |
                               (std::size_t(buffer_[2]) << 8) | std::size_t(buffer_[3]);
    if (length == 0 || length > maxAgentMessageLength)
        return Error::protocol("The SSH agent sent a message of impossible length " +
                               std::to_string(length) + ".");
    if (buffer_.size() - 4 < length)
        return std::optional<Bytes>();
    Bytes message(buffer_.begin() + 4, buffer_.begin() + 4 + static_cast<std::ptrdiff_t>(length));
    buffer_.erase(buffer_.begin(), buffer_.begin() + 4 + static_cast<std::ptrdiff_t>(length));
    return std::optional<Bytes>(std::move(message));
}

Result<std::vector<AgentIdentity>> parseIdentitiesAnswer(ByteView message) {
    wire::Reader reader(message);
    const std::uint8_t type = reader.byte();
    if (!reader.ok())
        return malformed("identities answer");
    if (type != static_cast<std::uint8_t>(AgentMessage::IdentitiesAnswer))
        return unexpectedReply(type, "list of keys");

    // §4.4: uint32 nkeys, then nkeys × (string key blob, string comment).
    const std::uint32_t count = reader.uint32();
    if (!reader.ok() || count > maxAgentIdentities)
        return malformed("identities answer (key count)");
    std::vector<AgentIdentity> identities;
    identities.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        const ByteView blob = reader.string();
        const std::string_view comment = reader.text();
        if (!reader.ok() || blob.empty() || blob.size() > maxKeyBlobLength ||
            comment.size() > maxCommentLength)
            return malformed("identities answer (key " + std::to_string(i + 1) + ")");
        AgentIdentity identity;
        identity.keyBlob.assign(blob.begin(), blob.end());
        identity.comment = std::string(comment);
        wire::Reader blobReader(blob);
        identity.keyType = std::string(blobReader.text());
        if (!blobReader.ok() || identity.keyType.empty())
            return malformed("identities answer (key " + std::to_string(i + 1) + " has no type)");
        Result<keys::PublicKey> key = keys::PublicKey::fromBlob(blob);
        if (key)
            identity.publicKey = std::move(*key);
        identities.push_back(std::move(identity));
    }
    if (!reader.atEnd())
        return malformed("identities answer (trailing bytes)");
    return identities;
}

Result<Bytes> parseSignResponse(ByteView message, std::string_view expectedAlgorithm) {
    wire::Reader reader(message);
    const std::uint8_t type = reader.byte();
    if (!reader.ok())
        return malformed("sign response");
    if (type != static_cast<std::uint8_t>(AgentMessage::SignResponse))
        return unexpectedReply(type, "signature");

    // §4.5: string signature, itself (string algorithm, string signature bytes).
    const ByteView signature = reader.string();
    if (!reader.atEnd())
        return malformed("sign response");
    wire::Reader inner(signature);
    const std::string_view algorithm = inner.text();
    const ByteView bytes = inner.string();
    if (!inner.atEnd() || algorithm.empty() || bytes.empty())
        return malformed("signature");
    // An agent that ignores the SHA-2 flags answers with ssh-rsa; sending that on would be
    // refused by the server (or, worse, accepted with SHA-1), so say so here.
    if (algorithm != expectedAlgorithm)
        return Error::auth("The SSH agent signed with " + std::string(algorithm) + " instead of " +
                           std::string(expectedAlgorithm) + ".");
    return Bytes(signature.begin(), signature.end());
}

} // namespace portal::protocol::agent
