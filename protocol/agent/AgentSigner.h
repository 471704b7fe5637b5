// The interface through which user authentication (RFC 4252 §7 publickey) lists and uses
// keys held by an ssh-agent, without knowing how the agent is reached. Asynchronous: a
// request returns at once and its handler runs later, from whatever call delivers the agent's
// reply (AgentClient::receiveBytes), never from inside the request call itself.
#pragma once

#include "agent/AgentProtocol.h"

#include <functional>

namespace portal::protocol::agent {

class AgentSigner {
public:
    using IdentitiesHandler = std::function<void(Result<std::vector<AgentIdentity>>)>;
    // Receives the SSH signature blob (string algorithm, string signature), ready to be put
    // into SSH_MSG_USERAUTH_REQUEST.
    using SignatureHandler = std::function<void(Result<Bytes>)>;

    virtual ~AgentSigner() = default;

    // An error here means the request was not sent and `done` will not run.
    virtual Status requestIdentities(IdentitiesHandler done) = 0;
    // `signatureAlgorithm`: "ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", ...
    virtual Status requestSignature(ByteView keyBlob, ByteView data,
                                    std::string_view signatureAlgorithm, SignatureHandler done) = 0;
};

} // namespace portal::protocol::agent
