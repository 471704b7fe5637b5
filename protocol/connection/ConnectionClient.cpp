// RFC 4254 connection protocol, client side (with OpenSSH's auth-agent@openssh.com channels).
#include "connection/ConnectionClient.h"

#include "transport/BinaryPacket.h"
#include "transport/MessageNumbers.h"
#include "wire/Reader.h"
#include "wire/Writer.h"

#include <algorithm>
#include <cctype>

namespace portal::protocol::connection {

namespace msg = transport::msg;

namespace {

constexpr std::uint32_t kExtendedDataStderr = 1; // RFC 4254 §5.2
// RFC 4254 §5.1 reason codes for CHANNEL_OPEN_FAILURE.
constexpr std::uint32_t kOpenAdministrativelyProhibited = 1;
constexpr std::uint32_t kOpenUnknownChannelType = 3;
constexpr std::uint32_t kOpenResourceShortage = 4;
// Room for the CHANNEL_DATA header inside the transport's payload limit.
constexpr std::size_t kMaxDataPerPacket = transport::kMaxPayloadLength - 64;

Error malformed(std::uint8_t number) {
    return Error::protocol(std::string("malformed ") + transport::messageName(number) + " message");
}

std::string printable(std::string_view text) {
    std::string out(text.substr(0, 64));
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    return out;
}

std::string endpoint(std::string_view address, std::uint32_t port) {
    return printable(address) + ":" + std::to_string(port);
}

} // namespace

ConnectionClient::ConnectionClient(ConnectionSettings settings, client::EventQueue& events,
                                   client::RequestId& requestIds, Sender send)
    : settings_(settings), events_(events), requestIds_(requestIds), send_(std::move(send)) {}

ConnectionClient::Channel* ConnectionClient::find(client::ChannelId id) {
    auto it = channels_.find(id);
    return it == channels_.end() ? nullptr : &it->second;
}

const ConnectionClient::Channel* ConnectionClient::find(client::ChannelId id) const {
    auto it = channels_.find(id);
    return it == channels_.end() ? nullptr : &it->second;
}

Result<ConnectionClient::Channel*> ConnectionClient::channelFor(std::uint8_t number, std::uint32_t recipient) {
    Channel* channel = find(recipient);
    if (!channel)
        return Error::protocol(std::string("server sent ") + transport::messageName(number) +
                               " for unknown channel " + std::to_string(recipient));
    if (channel->state == Channel::State::Opening && number != msg::ChannelOpenConfirmation &&
        number != msg::ChannelOpenFailure)
        return Error::protocol(std::string("server sent ") + transport::messageName(number) +
                               " for channel " + std::to_string(recipient) + " before confirming it");
    return channel;
}

Status ConnectionClient::handle(ByteView payload) {
    std::uint8_t number = payload.empty() ? 0 : payload[0];
    switch (number) {
    case msg::GlobalRequest: return handleGlobalRequest(payload);
    case msg::RequestSuccess: return handleGlobalReply(true, payload);
    case msg::RequestFailure: return handleGlobalReply(false, payload);
    case msg::ChannelOpen: return handleServerChannelOpen(payload);
    case msg::ChannelOpenConfirmation: return handleOpenConfirmation(payload);
    case msg::ChannelOpenFailure: return handleOpenFailure(payload);
    case msg::ChannelData: return handleData(payload, false);
    case msg::ChannelExtendedData: return handleData(payload, true);
    case msg::ChannelRequest: return handleChannelRequest(payload);
    default: break;
    }

    wire::Reader r(payload);
    r.byte();
    std::uint32_t recipient = r.uint32();
    switch (number) {
    case msg::ChannelWindowAdjust: {
        std::uint32_t bytes = r.uint32();
        if (!r.atEnd())
            return malformed(number);
        auto channel = channelFor(number, recipient);
        if (!channel)
            return channel.error();
        Channel& c = **channel;
        // RFC 4254 §5.2: the window may not exceed 2^32 - 1 bytes.
        if (std::uint64_t(c.remoteWindow) + bytes > 0xffffffffu)
            return Error::protocol("server grew the window of channel " + std::to_string(recipient) +
                                   " beyond 2^32-1 bytes");
        c.remoteWindow += bytes;
        if (c.writerBlocked && c.remoteWindow > 0 && c.state == Channel::State::Open && !c.eofSent) {
            c.writerBlocked = false;
            events_.push_back(client::ChannelWritableEvent{c.local, c.remoteWindow});
        }
        return {};
    }
    case msg::ChannelEof: {
        if (!r.atEnd())
            return malformed(number);
        auto channel = channelFor(number, recipient);
        if (!channel)
            return channel.error();
        if ((*channel)->eofReceived)
            return Error::protocol("server sent a second CHANNEL_EOF for channel " + std::to_string(recipient));
        (*channel)->eofReceived = true;
        events_.push_back(client::ChannelEofEvent{recipient});
        return {};
    }
    case msg::ChannelClose: {
        if (!r.atEnd())
            return malformed(number);
        auto channel = channelFor(number, recipient);
        if (!channel)
            return channel.error();
        // RFC 4254 §5.3: answer with our CLOSE unless already sent; then the number is free.
        if (!(*channel)->closeSent)
            if (Status sent = sendClose(**channel); !sent)
                return sent;
        finishClose(recipient);
        return {};
    }
    case msg::ChannelSuccess:
    case msg::ChannelFailure: {
        if (!r.atEnd())
            return malformed(number);
        auto channel = channelFor(number, recipient);
        if (!channel)
            return channel.error();
        Channel& c = **channel;
        if (c.pendingRequests.empty())
            return Error::protocol(std::string("server sent ") + transport::messageName(number) +
                                   " for channel " + std::to_string(recipient) +
                                   " without an outstanding request");
        std::string request = std::move(c.pendingRequests.front());
        c.pendingRequests.pop_front();
        // RFC 4254 §6.3.2: x11 channels are expected only once the server agreed to forward.
        if (request == "x11-req")
            c.x11Allowed = number == msg::ChannelSuccess;
        events_.push_back(client::ChannelRequestResultEvent{recipient, std::move(request),
                                                             number == msg::ChannelSuccess});
        return {};
    }
    default:
        return Error::protocol(std::string("server sent ") + transport::messageName(number) + " (" +
                               std::to_string(number) + "), which the connection protocol does not allow here");
    }
}

Status ConnectionClient::handleOpenConfirmation(ByteView payload) {
    wire::Reader r(payload);
    r.byte();
    std::uint32_t recipient = r.uint32();
    std::uint32_t sender = r.uint32();
    std::uint32_t window = r.uint32();
    std::uint32_t maxPacket = r.uint32();
    if (!r.ok()) // channel-type specific data may follow (RFC 4254 §5.1)
        return malformed(msg::ChannelOpenConfirmation);
    Channel* channel = find(recipient);
    if (!channel || channel->state != Channel::State::Opening)
        return Error::protocol("server confirmed channel " + std::to_string(recipient) +
                               ", which we did not open or is already open");
    if (maxPacket == 0)
        return Error::protocol("server opened channel " + std::to_string(recipient) +
                               " with a maximum packet size of 0");
    channel->remote = sender;
    channel->remoteWindow = window;
    channel->remoteMaxPacket = maxPacket;
    channel->state = Channel::State::Open;
    events_.push_back(client::ChannelOpenedEvent{recipient});
    if (channel->closeWhenOpened)
        return sendClose(*channel);
    return {};
}

Status ConnectionClient::handleOpenFailure(ByteView payload) {
    wire::Reader r(payload);
    r.byte();
    std::uint32_t recipient = r.uint32();
    std::uint32_t reason = r.uint32();
    std::string description(r.text());
    r.text(); // language tag
    if (!r.atEnd())
        return malformed(msg::ChannelOpenFailure);
    Channel* channel = find(recipient);
    if (!channel || channel->state != Channel::State::Opening)
        return Error::protocol("server refused channel " + std::to_string(recipient) +
                               ", which we did not open or is already open");
    channels_.erase(recipient);
    events_.push_back(client::ChannelOpenFailedEvent{recipient, reason, std::move(description)});
    return {};
}

Status ConnectionClient::handleData(ByteView payload, bool extended) {
    std::uint8_t number = extended ? msg::ChannelExtendedData : msg::ChannelData;
    wire::Reader r(payload);
    r.byte();
    std::uint32_t recipient = r.uint32();
    std::uint32_t type = extended ? r.uint32() : 0;
    ByteView data = r.string();
    if (!r.atEnd())
        return malformed(number);
    auto found = channelFor(number, recipient);
    if (!found)
        return found.error();
    Channel& c = **found;
    if (c.eofReceived)
        return Error::protocol("server sent data on channel " + std::to_string(recipient) + " after EOF");
    // RFC 4254 §5.2: the server may not send more than the window or the packet size we set.
    if (data.size() > c.localWindow)
        return Error::protocol("server sent " + std::to_string(data.size()) + " bytes on channel " +
                               std::to_string(recipient) + ", beyond its window of " +
                               std::to_string(c.localWindow));
    if (data.size() > settings_.maxPacket)
        return Error::protocol("server sent a data packet of " + std::to_string(data.size()) +
                               " bytes on channel " + std::to_string(recipient) +
                               ", beyond the maximum packet size " + std::to_string(settings_.maxPacket));
    c.localWindow -= std::uint32_t(data.size());
    if (data.empty())
        return {};
    if (c.state == Channel::State::Closing || (extended && type != kExtendedDataStderr)) {
        // Data in flight when we closed, or a stream we do not know: drop it, but give the
        // window back so the peer is not stalled.
        c.deliveredUnconsumed += data.size();
        return consumed(recipient, data.size());
    }
    c.deliveredUnconsumed += data.size();
    events_.push_back(client::ChannelDataEvent{recipient, extended, Bytes(data.begin(), data.end())});
    return {};
}

Status ConnectionClient::handleChannelRequest(ByteView payload) {
    wire::Reader r(payload);
    r.byte();
    std::uint32_t recipient = r.uint32();
    std::string_view request = r.text();
    bool wantReply = r.boolean();
    if (!r.ok())
        return malformed(msg::ChannelRequest);
    auto found = channelFor(msg::ChannelRequest, recipient);
    if (!found)
        return found.error();
    Channel& c = **found;
    if (request == "exit-status") {
        std::uint32_t status = r.uint32();
        if (!r.atEnd())
            return malformed(msg::ChannelRequest);
        events_.push_back(client::ExitStatusEvent{recipient, status});
    } else if (request == "exit-signal") {
        std::string signal(r.text());
        bool core = r.boolean();
        std::string message(r.text());
        r.text();
        if (!r.atEnd())
            return malformed(msg::ChannelRequest);
        events_.push_back(client::ExitSignalEvent{recipient, std::move(signal), core, std::move(message)});
    } else if (request == "xon-xoff") {
        // RFC 4254 §6.8: whether we may handle ^S/^Q locally.
        bool clientCanDo = r.boolean();
        if (!r.atEnd())
            return malformed(msg::ChannelRequest);
        events_.push_back(client::FlowControlEvent{recipient, clientCanDo});
    } else if (request == "eow@openssh.com") {
        // OpenSSH's "no more extended data": informational.
    }
    // Anything the server asks of us (keepalive@openssh.com and unknown requests) gets
    // a failure when it wants a reply, which is what OpenSSH's client answers too.
    bool known = request == "exit-status" || request == "exit-signal" || request == "xon-xoff" ||
                 request == "eow@openssh.com";
    if (wantReply && (!known || c.state != Channel::State::Closing)) {
        wire::Writer w(known ? msg::ChannelSuccess : msg::ChannelFailure);
        w.uint32(c.remote);
        return send_(std::move(w).take());
    }
    return {};
}

Status ConnectionClient::handleGlobalRequest(ByteView payload) {
    wire::Reader r(payload);
    r.byte();
    std::string_view name = r.text();
    bool wantReply = r.boolean();
    if (!r.ok())
        return malformed(msg::GlobalRequest);
    events_.push_back(client::LogEvent{client::LogLevel::Debug,
                                       "server global request: " + std::string(name.substr(0, 64))});
    // keepalive@openssh.com and hostkeys-00@openssh.com need nothing from us; a failure is
    // the reply RFC 4254 §4 prescribes for requests we do not support.
    if (wantReply)
        return send_(Bytes{msg::RequestFailure});
    return {};
}

Status ConnectionClient::handleGlobalReply(bool success, ByteView payload) {
    if (pendingGlobalRequests_.empty())
        return Error::protocol(std::string("server sent ") +
                               (success ? "REQUEST_SUCCESS" : "REQUEST_FAILURE") +
                               " without an outstanding global request");
    GlobalRequest request = std::move(pendingGlobalRequests_.front());
    pendingGlobalRequests_.pop_front();
    switch (request.kind) {
    case GlobalRequest::Kind::Keepalive:
        unansweredKeepalives_ = 0;
        return {};
    case GlobalRequest::Kind::TcpipForward: {
        client::TcpipForwardResultEvent result{request.id, request.bindAddress, request.port, request.port, success};
        if (success && request.port == 0) {
            // RFC 4254 §7.1: for port 0 the reply carries the port the server allocated.
            wire::Reader r(payload);
            r.byte();
            result.boundPort = r.uint32();
            if (!r.atEnd())
                return Error::protocol("server accepted tcpip-forward for port 0 without the allocated port");
            if (result.boundPort == 0 || result.boundPort > 65535)
                return Error::protocol("server allocated port " + std::to_string(result.boundPort) +
                                       " for tcpip-forward");
        }
        if (success)
            activeForwards_.emplace(request.bindAddress, result.boundPort);
        else
            result.boundPort = 0;
        events_.push_back(std::move(result));
        return {};
    }
    case GlobalRequest::Kind::CancelTcpipForward:
        if (!success)
            events_.push_back(client::LogEvent{client::LogLevel::Verbose,
                                               "server refused to cancel the remote forward of " +
                                                   endpoint(request.bindAddress, request.port)});
        return {};
    case GlobalRequest::Kind::Caller: break;
    }
    events_.push_back(client::GlobalRequestResultEvent{request.name, success,
                                                        Bytes(payload.begin() + 1, payload.end())});
    return {};
}

Status ConnectionClient::handleServerChannelOpen(ByteView payload) {
    wire::Reader r(payload);
    r.byte();
    std::string_view type = r.text();
    std::uint32_t sender = r.uint32();
    std::uint32_t window = r.uint32();
    std::uint32_t maxPacket = r.uint32();
    if (!r.ok())
        return malformed(msg::ChannelOpen);
    if (maxPacket == 0)
        return Error::protocol("server opened a channel of type " + printable(type) +
                               " with a maximum packet size of 0");

    // The server may only open what we asked for; the policy lives here, not in callers, so
    // no front end can forget it (RFC 4254 §7.2, §6.3.2; OpenSSH PROTOCOL.agent).
    client::ChannelOpenRequestEvent request;
    if (type == "forwarded-tcpip") {
        request.kind = client::ChannelOpenKind::ForwardedTcpip;
        request.connectedAddress = r.text();
        request.connectedPort = r.uint32();
        request.originatorAddress = r.text();
        request.originatorPort = r.uint32();
        if (!r.atEnd())
            return malformed(msg::ChannelOpen);
        if (!activeForwards_.contains({request.connectedAddress, request.connectedPort}))
            return refuseServerChannel(sender, kOpenAdministrativelyProhibited, type,
                                       "no remote forward is active for " +
                                           endpoint(request.connectedAddress, request.connectedPort));
    } else if (type == "x11") {
        request.kind = client::ChannelOpenKind::X11;
        request.originatorAddress = r.text();
        request.originatorPort = r.uint32();
        if (!r.atEnd())
            return malformed(msg::ChannelOpen);
    } else if (type == "auth-agent@openssh.com") {
        request.kind = client::ChannelOpenKind::AuthAgent;
        if (!r.atEnd())
            return malformed(msg::ChannelOpen);
    } else {
        return refuseServerChannel(sender, kOpenUnknownChannelType, type, "unknown channel type");
    }
    // Unanswered opens are bounded, so a server cannot make us hold state without limit.
    if (pendingOpens_.size() >= kMaxPendingChannelOpens)
        return refuseServerChannel(sender, kOpenResourceShortage, type, "too many opens awaiting an answer");
    if (request.kind == client::ChannelOpenKind::X11 && !x11OpenAllowed())
        return refuseServerChannel(sender, kOpenAdministrativelyProhibited, type, "X11 forwarding was not requested");
    if (request.kind == client::ChannelOpenKind::AuthAgent && !agentOpenAllowed())
        return refuseServerChannel(sender, kOpenAdministrativelyProhibited, type,
                                   "agent forwarding was not requested");

    request.id = ++requestIds_;
    pendingOpens_.emplace(request.id, PendingOpen{sender, window, maxPacket});
    events_.push_back(std::move(request));
    return {};
}

Status ConnectionClient::refuseServerChannel(std::uint32_t sender, std::uint32_t reason, std::string_view type,
                                             std::string_view why) {
    events_.push_back(client::LogEvent{client::LogLevel::Verbose,
                                       "refused server channel of type " + printable(type) + ": " + std::string(why)});
    wire::Writer w(msg::ChannelOpenFailure);
    w.uint32(sender).uint32(reason).string(why).string("");
    return send_(std::move(w).take());
}

bool ConnectionClient::x11OpenAllowed() {
    for (auto& [id, channel] : channels_) {
        if (!channel.x11Allowed || channel.state != Channel::State::Open)
            continue;
        // RFC 4254 §6.3.1 "single connection": one x11 channel, then no more.
        if (channel.x11SingleConnection)
            channel.x11Allowed = false;
        return true;
    }
    return false;
}

bool ConnectionClient::agentOpenAllowed() const {
    return std::any_of(channels_.begin(), channels_.end(), [](const auto& entry) {
        return entry.second.agentAllowed && entry.second.state == Channel::State::Open;
    });
}

Result<client::ChannelId> ConnectionClient::acceptChannelOpen(client::RequestId id) {
    auto it = pendingOpens_.find(id);
    if (it == pendingOpens_.end())
        return Error::protocol("no server channel open " + std::to_string(id) + " is awaiting an answer");
    PendingOpen open = it->second;
    pendingOpens_.erase(it);
    client::ChannelId local = nextChannelId_++;
    Channel channel;
    channel.state = Channel::State::Open;
    channel.local = local;
    channel.remote = open.remote;
    channel.localWindow = settings_.windowSize;
    channel.remoteWindow = open.remoteWindow;
    channel.remoteMaxPacket = open.remoteMaxPacket;
    wire::Writer w(msg::ChannelOpenConfirmation);
    w.uint32(open.remote).uint32(local).uint32(settings_.windowSize).uint32(settings_.maxPacket);
    if (Status sent = send_(std::move(w).take()); !sent)
        return sent.error();
    channels_.emplace(local, std::move(channel));
    return local;
}

Status ConnectionClient::rejectChannelOpen(client::RequestId id, std::uint32_t reasonCode,
                                           std::string_view description) {
    auto it = pendingOpens_.find(id);
    if (it == pendingOpens_.end())
        return Error::protocol("no server channel open " + std::to_string(id) + " is awaiting an answer");
    std::uint32_t remote = it->second.remote;
    pendingOpens_.erase(it);
    wire::Writer w(msg::ChannelOpenFailure);
    w.uint32(remote).uint32(reasonCode).string(description).string("");
    return send_(std::move(w).take());
}

Result<client::ChannelId> ConnectionClient::openSession() { return openChannel("session", {}); }

Result<client::ChannelId> ConnectionClient::openDirectTcpip(std::string_view host, std::uint32_t port,
                                                            std::string_view originatorAddress,
                                                            std::uint32_t originatorPort) {
    wire::Writer data;
    data.string(host).uint32(port).string(originatorAddress).uint32(originatorPort);
    return openChannel("direct-tcpip", data.bytes());
}

Result<client::ChannelId> ConnectionClient::openChannel(std::string_view type, ByteView typeSpecificData) {
    client::ChannelId id = nextChannelId_++;
    Channel channel;
    channel.local = id;
    channel.localWindow = settings_.windowSize;
    wire::Writer w(msg::ChannelOpen);
    w.string(type).uint32(id).uint32(settings_.windowSize).uint32(settings_.maxPacket).raw(typeSpecificData);
    if (Status sent = send_(std::move(w).take()); !sent)
        return sent.error();
    channels_.emplace(id, std::move(channel));
    return id;
}

Status ConnectionClient::sendChannelRequest(client::ChannelId id, std::string_view request,
                                            bool wantReply, ByteView requestData) {
    Channel* c = find(id);
    if (!c || c->state != Channel::State::Open || c->closeSent)
        return Error::protocol("channel " + std::to_string(id) + " is not open");
    wire::Writer w(msg::ChannelRequest);
    w.uint32(c->remote).string(request).boolean(wantReply).raw(requestData);
    if (Status sent = send_(std::move(w).take()); !sent)
        return sent;
    if (wantReply)
        c->pendingRequests.emplace_back(request);
    return {};
}

Status ConnectionClient::requestX11Forwarding(client::ChannelId id, bool singleConnection,
                                              std::string_view authProtocol, std::string_view authCookieHex,
                                              std::uint32_t screen) {
    // RFC 4254 §6.3.1: the cookie travels hexadecimal-encoded.
    bool hex = !authCookieHex.empty() && authCookieHex.size() % 2 == 0 &&
               std::all_of(authCookieHex.begin(), authCookieHex.end(),
                           [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
    if (!hex)
        return Error::protocol("the X11 authentication cookie must be a non-empty hexadecimal string");
    wire::Writer w;
    w.boolean(singleConnection).string(authProtocol).string(authCookieHex).uint32(screen);
    if (Status sent = sendChannelRequest(id, "x11-req", true, w.bytes()); !sent)
        return sent;
    find(id)->x11SingleConnection = singleConnection;
    return {};
}

Status ConnectionClient::requestAgentForwarding(client::ChannelId id) {
    // OpenSSH's ssh sends this without want-reply; a server that declines simply never opens
    // an agent channel.
    if (Status sent = sendChannelRequest(id, "auth-agent-req@openssh.com", false, {}); !sent)
        return sent;
    find(id)->agentAllowed = true;
    return {};
}

std::size_t ConnectionClient::sendWindow(client::ChannelId id) const {
    const Channel* c = find(id);
    if (!c || c->state != Channel::State::Open || c->eofSent)
        return 0;
    return c->remoteWindow;
}

Result<std::size_t> ConnectionClient::sendData(client::ChannelId id, ByteView data, bool extended) {
    Channel* c = find(id);
    if (!c || c->state != Channel::State::Open)
        return Error::protocol("channel " + std::to_string(id) + " is not open");
    if (c->eofSent)
        return Error::protocol("channel " + std::to_string(id) + " was already sent EOF");
    std::size_t accepted = std::min<std::size_t>(data.size(), c->remoteWindow);
    std::size_t chunkLimit = std::min<std::size_t>(c->remoteMaxPacket, kMaxDataPerPacket);
    for (std::size_t offset = 0; offset < accepted;) {
        std::size_t chunk = std::min(chunkLimit, accepted - offset);
        wire::Writer w(extended ? msg::ChannelExtendedData : msg::ChannelData);
        w.uint32(c->remote);
        if (extended)
            w.uint32(kExtendedDataStderr);
        w.string(data.subspan(offset, chunk));
        if (Status sent = send_(std::move(w).take()); !sent)
            return sent.error();
        offset += chunk;
    }
    c->remoteWindow -= std::uint32_t(accepted);
    if (accepted < data.size())
        c->writerBlocked = true;
    return accepted;
}

Status ConnectionClient::sendEof(client::ChannelId id) {
    Channel* c = find(id);
    if (!c || c->state != Channel::State::Open)
        return Error::protocol("channel " + std::to_string(id) + " is not open");
    if (c->eofSent)
        return {};
    c->eofSent = true;
    wire::Writer w(msg::ChannelEof);
    w.uint32(c->remote);
    return send_(std::move(w).take());
}

Status ConnectionClient::sendClose(Channel& channel) {
    channel.closeSent = true;
    channel.state = Channel::State::Closing;
    wire::Writer w(msg::ChannelClose);
    w.uint32(channel.remote);
    return send_(std::move(w).take());
}

Status ConnectionClient::closeChannel(client::ChannelId id) {
    Channel* c = find(id);
    if (!c)
        return Error::protocol("channel " + std::to_string(id) + " does not exist");
    if (c->state == Channel::State::Opening) {
        c->closeWhenOpened = true; // RFC 4254 §5.3 needs the server's channel number
        return {};
    }
    if (c->closeSent)
        return {};
    return sendClose(*c);
}

void ConnectionClient::finishClose(client::ChannelId id) {
    channels_.erase(id);
    events_.push_back(client::ChannelClosedEvent{id});
}

Status ConnectionClient::consumed(client::ChannelId id, std::size_t n) {
    Channel* c = find(id);
    if (!c || c->closeSent)
        return {};
    n = std::min<std::uint64_t>(n, c->deliveredUnconsumed);
    c->deliveredUnconsumed -= n;
    c->consumedUnadjusted += n;
    // Adjust in large steps (half the window) so a bulk transfer sends few adjusts while the
    // server always has at least half a window in flight.
    if (c->consumedUnadjusted < settings_.windowSize / 2)
        return {};
    std::uint32_t grow = std::uint32_t(c->consumedUnadjusted);
    c->consumedUnadjusted = 0;
    c->localWindow += grow;
    wire::Writer w(msg::ChannelWindowAdjust);
    w.uint32(c->remote).uint32(grow);
    return send_(std::move(w).take());
}

Status ConnectionClient::sendGlobal(GlobalRequest request, ByteView data, bool wantReply) {
    wire::Writer w(msg::GlobalRequest);
    w.string(request.name).boolean(wantReply).raw(data);
    if (Status sent = send_(std::move(w).take()); !sent)
        return sent;
    // RFC 4254 §4: replies come in request order, so a queue pairs them.
    if (wantReply)
        pendingGlobalRequests_.push_back(std::move(request));
    return {};
}

Status ConnectionClient::sendGlobalRequest(std::string_view name, ByteView data, bool wantReply, bool internal) {
    GlobalRequest request;
    request.kind = internal ? GlobalRequest::Kind::Keepalive : GlobalRequest::Kind::Caller;
    request.name = name;
    return sendGlobal(std::move(request), data, wantReply);
}

Status ConnectionClient::sendKeepalive() {
    ++unansweredKeepalives_;
    return sendGlobalRequest("keepalive@openssh.com", {}, true, true);
}

Result<client::RequestId> ConnectionClient::requestTcpipForward(std::string_view bindAddress, std::uint32_t port) {
    if (port > 65535)
        return Error::protocol("port " + std::to_string(port) + " is out of range");
    GlobalRequest request;
    request.kind = GlobalRequest::Kind::TcpipForward;
    request.name = "tcpip-forward";
    request.id = ++requestIds_;
    request.bindAddress = bindAddress;
    request.port = port;
    client::RequestId id = request.id;
    wire::Writer data;
    data.string(bindAddress).uint32(port);
    if (Status sent = sendGlobal(std::move(request), data.bytes(), true); !sent)
        return sent.error();
    return id;
}

Status ConnectionClient::cancelTcpipForward(std::string_view bindAddress, std::uint32_t port) {
    auto active = activeForwards_.find(Forward{std::string(bindAddress), port});
    if (active == activeForwards_.end())
        return Error::protocol("no remote forward is active for " + endpoint(bindAddress, port));
    GlobalRequest request;
    request.kind = GlobalRequest::Kind::CancelTcpipForward;
    request.name = "cancel-tcpip-forward";
    request.bindAddress = bindAddress;
    request.port = port;
    wire::Writer data;
    data.string(bindAddress).uint32(port);
    // Inactive at once: a forwarded-tcpip open already in flight is refused, not reported.
    activeForwards_.erase(active);
    return sendGlobal(std::move(request), data.bytes(), true);
}

} // namespace portal::protocol::connection
