// The client side of the SSH connection protocol (RFC 4254): session and direct-tcpip channels
// with per-channel flow control, channel requests and their replies, EOF and CLOSE in both
// directions, exit status and signals, global requests (keepalive@openssh.com both ways,
// tcpip-forward), and channels the server opens (forwarded-tcpip, x11, auth-agent@openssh.com)
// when, and only when, we asked for them. Every server message is checked against the state of
// the channel it names; anything out of place is a protocol error.
#pragma once

#include "client/ClientEvents.h"
#include "common/Bytes.h"
#include "common/Error.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace portal::protocol::connection {

struct ConnectionSettings {
    std::uint32_t windowSize = 2 * 1024 * 1024;
    std::uint32_t maxPacket = 32768;
};

class ConnectionClient {
public:
    using Sender = std::function<Status(Bytes payload)>;

    // `requestIds` is the connection's shared counter for event ids (server channel opens and
    // tcpip-forward requests take theirs from it, as prompts and host-key decisions do).
    ConnectionClient(ConnectionSettings settings, client::EventQueue& events, client::RequestId& requestIds,
                     Sender send);

    // A connection-protocol message (80-127).
    Status handle(ByteView payload);

    Result<client::ChannelId> openSession();
    // RFC 4254 §7.2: a TCP connection from the server to host:port, for -L and jump hosts.
    Result<client::ChannelId> openDirectTcpip(std::string_view host, std::uint32_t port,
                                              std::string_view originatorAddress,
                                              std::uint32_t originatorPort);
    // `wantReply` requests queue a ChannelRequestResult event when the server answers.
    Status sendChannelRequest(client::ChannelId id, std::string_view request, bool wantReply,
                              ByteView requestData);
    // RFC 4254 §6.3.1 x11-req (want-reply): once the server agrees, it may open x11 channels
    // while this channel lives (only one when `singleConnection`).
    Status requestX11Forwarding(client::ChannelId id, bool singleConnection, std::string_view authProtocol,
                                std::string_view authCookieHex, std::uint32_t screen);
    // OpenSSH's auth-agent-req@openssh.com, sent without want-reply as OpenSSH's ssh does: from
    // then on the server may open auth-agent@openssh.com channels while this channel lives.
    Status requestAgentForwarding(client::ChannelId id);

    // RFC 4254 §7.1 tcpip-forward (want-reply); a TcpipForwardResult event follows.
    Result<client::RequestId> requestTcpipForward(std::string_view bindAddress, std::uint32_t port);
    // cancel-tcpip-forward for an active forward (`port` as bound). The forward stops being
    // active at once, so a forwarded-tcpip open racing the cancel is refused.
    Status cancelTcpipForward(std::string_view bindAddress, std::uint32_t port);

    // Answers to a ChannelOpenRequest event. Accepting sends OPEN_CONFIRMATION with our window
    // and max packet and returns the channel's id; from then on it is a channel like any other.
    // No ChannelOpened event follows: the channel is open when this returns.
    Result<client::ChannelId> acceptChannelOpen(client::RequestId id);
    Status rejectChannelOpen(client::RequestId id, std::uint32_t reasonCode, std::string_view description);
    Result<std::size_t> sendData(client::ChannelId id, ByteView data, bool extended);
    std::size_t sendWindow(client::ChannelId id) const;
    Status sendEof(client::ChannelId id);
    Status closeChannel(client::ChannelId id);
    Status consumed(client::ChannelId id, std::size_t n);

    // `internal` requests (our keepalives) produce no event when answered.
    Status sendGlobalRequest(std::string_view name, ByteView data, bool wantReply, bool internal = false);

    std::size_t channelCount() const { return channels_.size(); }
    // Server channel opens reported and not yet answered.
    std::size_t pendingChannelOpenCount() const { return pendingOpens_.size(); }
    // Bounds what a server can make us hold in unanswered opens.
    static constexpr std::size_t kMaxPendingChannelOpens = 256;
    // Keepalives sent since the server last answered one.
    int unansweredKeepalives() const { return unansweredKeepalives_; }
    Status sendKeepalive();

private:
    struct Channel {
        enum class State { Opening, Open, Closing };
        State state = State::Opening;
        client::ChannelId local = 0;
        std::uint32_t remote = 0;
        // What the server may still send before we adjust, and what the consumer has
        // processed since the last adjust (RFC 4254 §5.2).
        std::uint32_t localWindow = 0;
        std::uint64_t consumedUnadjusted = 0;
        std::uint64_t deliveredUnconsumed = 0;
        std::uint32_t remoteWindow = 0;
        std::uint32_t remoteMaxPacket = 0;
        bool eofSent = false;
        bool eofReceived = false;
        bool closeSent = false;
        bool closeWhenOpened = false;
        bool writerBlocked = false; // sendData took less than offered
        // What the server may open towards us because of a request on this channel.
        bool x11Allowed = false;
        bool x11SingleConnection = false;
        bool agentAllowed = false;
        std::deque<std::string> pendingRequests; // want-reply requests, in order
    };

    // A server-opened channel reported as a ChannelOpenRequest event and not yet answered.
    struct PendingOpen {
        std::uint32_t remote = 0;
        std::uint32_t remoteWindow = 0;
        std::uint32_t remoteMaxPacket = 0;
    };

    // An active remote forward: the address as we asked for it and the port the server bound.
    using Forward = std::pair<std::string, std::uint32_t>;

    Channel* find(client::ChannelId id);
    const Channel* find(client::ChannelId id) const;
    Result<Channel*> channelFor(std::uint8_t number, std::uint32_t recipient);
    Status handleOpenConfirmation(ByteView payload);
    Status handleOpenFailure(ByteView payload);
    Status handleData(ByteView payload, bool extended);
    Status handleChannelRequest(ByteView payload);
    Status handleGlobalRequest(ByteView payload);
    Status handleGlobalReply(bool success, ByteView payload);
    Status handleServerChannelOpen(ByteView payload);
    Status refuseServerChannel(std::uint32_t sender, std::uint32_t reason, std::string_view type,
                               std::string_view why);
    bool x11OpenAllowed();
    bool agentOpenAllowed() const;
    Status sendClose(Channel& channel);
    Result<client::ChannelId> openChannel(std::string_view type, ByteView typeSpecificData);
    void finishClose(client::ChannelId id);

    ConnectionSettings settings_;
    client::EventQueue& events_;
    client::RequestId& requestIds_;
    Sender send_;
    std::map<client::ChannelId, Channel> channels_;
    client::ChannelId nextChannelId_ = 0; // never reused, so a late message cannot hit a new channel
    struct GlobalRequest {
        enum class Kind { Caller, Keepalive, TcpipForward, CancelTcpipForward };
        Kind kind = Kind::Caller;
        std::string name;
        client::RequestId id = 0;      // TcpipForward
        std::string bindAddress;       // TcpipForward, CancelTcpipForward
        std::uint32_t port = 0;        // as requested
    };
    Status sendGlobal(GlobalRequest request, ByteView data, bool wantReply);
    std::deque<GlobalRequest> pendingGlobalRequests_;
    std::multiset<Forward> activeForwards_;
    std::map<client::RequestId, PendingOpen> pendingOpens_;
    int unansweredKeepalives_ = 0;
};

} // namespace portal::protocol::connection
