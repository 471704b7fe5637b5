// The ssh-agent client's request queue (draft-miller-ssh-agent-04 §3: replies come in
// request order, so a FIFO pairs them).
#include "agent/AgentClient.h"

#include <utility>

namespace portal::protocol::agent {

Status AgentClient::requestIdentities(IdentitiesHandler done) {
    Pending pending;
    pending.identities = std::move(done);
    return queue(encodeRequestIdentities(), std::move(pending));
}

Status AgentClient::requestSignature(ByteView keyBlob, ByteView data,
                                     std::string_view signatureAlgorithm, SignatureHandler done) {
    Result<Bytes> request = encodeSignRequest(keyBlob, data, signatureAlgorithm);
    if (!request)
        return request.error();
    Pending pending;
    pending.signature = std::move(done);
    // Without the flags the agent answers with the key's own algorithm: the blob's type
    // ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa").
    pending.algorithm = std::string(signatureAlgorithm);
    return queue(std::move(*request), std::move(pending));
}

Status AgentClient::queue(Bytes request, Pending pending) {
    if (closed_)
        return *closed_;
    append(outgoing_, request);
    pending_.push_back(std::move(pending));
    return {};
}

Bytes AgentClient::takeOutgoingBytes() {
    return std::exchange(outgoing_, Bytes());
}

Status AgentClient::receiveBytes(ByteView bytes) {
    if (closed_)
        return *closed_;
    frames_.feed(bytes);
    for (;;) {
        Result<std::optional<Bytes>> message = frames_.next();
        if (!message) {
            failAll(message.error());
            return message.error();
        }
        if (!message->has_value())
            return {};
        if (pending_.empty()) {
            const Error error =
                Error::protocol("The SSH agent sent a reply to a request that was never made.");
            failAll(error);
            return error;
        }
        // Pop before running the handler: it may queue the next request at once.
        Pending pending = std::move(pending_.front());
        pending_.pop_front();
        if (pending.identities)
            pending.identities(parseIdentitiesAnswer(**message));
        else
            pending.signature(parseSignResponse(**message, pending.algorithm));
        if (closed_)
            return *closed_;
    }
}

void AgentClient::connectionLost(const Error& reason) {
    failAll(reason);
}

void AgentClient::failAll(const Error& reason) {
    if (!closed_)
        closed_ = reason;
    outgoing_.clear();
    // Handlers may touch this client; take the queue out first.
    std::deque<Pending> failed = std::exchange(pending_, {});
    for (Pending& pending : failed) {
        if (pending.identities)
            pending.identities(reason);
        else
            pending.signature(reason);
    }
}

} // namespace portal::protocol::agent
