// A sans-I/O ssh-agent client (draft-miller-ssh-agent): requests queue up as bytes to write
// to the agent's socket, and replies fed back in are matched to requests in order (an agent
// answers each request in turn, §3). The caller owns the socket: on Unix the one named by
// SSH_AUTH_SOCK, on Windows a named pipe or Pageant.
//
// Threading: one thread at a time, the same one that uses the AgentSigner interface.
#pragma once

#include "agent/AgentSigner.h"

#include <deque>
#include <optional>

namespace portal::protocol::agent {

class AgentClient : public AgentSigner {
public:
    Status requestIdentities(IdentitiesHandler done) override;
    Status requestSignature(ByteView keyBlob, ByteView data, std::string_view signatureAlgorithm,
                            SignatureHandler done) override;

    // Bytes to write to the agent (all queued requests so far); empties the buffer.
    Bytes takeOutgoingBytes();
    // Bytes read from the agent. Complete replies run their handlers, in request order. A
    // broken stream (bad framing, a reply nobody asked for) returns an error, fails every
    // pending request and leaves the client closed.
    Status receiveBytes(ByteView bytes);
    // The socket closed or failed: every pending request fails with `reason`.
    void connectionLost(const Error& reason);

    std::size_t pendingRequests() const { return pending_.size(); }
    bool closed() const { return closed_.has_value(); }

private:
    struct Pending {
        IdentitiesHandler identities; // exactly one of the two is set
        SignatureHandler signature;
        std::string algorithm;
    };

    Status queue(Bytes request, Pending pending);
    void failAll(const Error& reason);

    Bytes outgoing_;
    std::deque<Pending> pending_;
    AgentFrameReader frames_;
    std::optional<Error> closed_;
};

} // namespace portal::protocol::agent
