// The client side of the SSH connection protocol (RFC 4254): session channels with per-channel
// flow control, channel requests and their replies, EOF and CLOSE in both directions, exit
// status and signals, and global requests (keepalive@openssh.com both ways). Every server
// message is checked against the state of the channel it names; anything out of place is a
// protocol error.
#pragma once

#include "client/ClientEvents.h"
#include "common/Bytes.h"
#include "common/Error.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
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

    ConnectionClient(ConnectionSettings settings, client::EventQueue& events, Sender send);

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
    Result<std::size_t> sendData(client::ChannelId id, ByteView data, bool extended);
    std::size_t sendWindow(client::ChannelId id) const;
    Status sendEof(client::ChannelId id);
    Status closeChannel(client::ChannelId id);
    Status consumed(client::ChannelId id, std::size_t n);

    // `internal` requests (our keepalives) produce no event when answered.
    Status sendGlobalRequest(std::string_view name, ByteView data, bool wantReply, bool internal = false);

    std::size_t channelCount() const { return channels_.size(); }
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
        std::deque<std::string> pendingRequests; // want-reply requests, in order
    };

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
    Status sendClose(Channel& channel);
    Result<client::ChannelId> openChannel(std::string_view type, ByteView typeSpecificData);
    void finishClose(client::ChannelId id);

    ConnectionSettings settings_;
    client::EventQueue& events_;
    Sender send_;
    std::map<client::ChannelId, Channel> channels_;
    client::ChannelId nextChannelId_ = 0; // never reused, so a late message cannot hit a new channel
    struct GlobalRequest {
        std::string name;
        bool internal = false;
    };
    std::deque<GlobalRequest> pendingGlobalRequests_;
    int unansweredKeepalives_ = 0;
};

} // namespace portal::protocol::connection
