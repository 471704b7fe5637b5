// The SshClient facade: wires transport → userauth → connection and routes each service
// message to the one layer whose number range and state allow it (RFC 4250 §4.1.1).
#include "client/SshClient.h"

#include "auth/UserAuthClient.h"
#include "connection/ConnectionClient.h"
#include "crypto/Algorithms.h"
#include "transport/MessageNumbers.h"
#include "transport/Transport.h"
#include "wire/Writer.h"

#include <optional>

namespace portal::protocol::client {

namespace msg = transport::msg;

ClientConfig ClientConfig::withDefaults() const {
    ClientConfig out = *this;
    auto fill = [](std::vector<std::string>& list, crypto::AlgorithmFamily family) {
        if (list.empty())
            list = crypto::defaultAlgorithms(family);
    };
    fill(out.kexAlgorithms, crypto::AlgorithmFamily::Kex);
    fill(out.ciphers, crypto::AlgorithmFamily::Cipher);
    fill(out.macs, crypto::AlgorithmFamily::Mac);
    fill(out.hostKeyAlgorithms, crypto::AlgorithmFamily::HostKey);
    fill(out.pubkeyAcceptedAlgorithms, crypto::AlgorithmFamily::PubkeyAccepted);
    return out;
}

namespace {

transport::TransportSettings transportSettings(const ClientConfig& config) {
    transport::TransportSettings settings;
    settings.clientVersion = config.clientVersion;
    settings.kexAlgorithms = config.kexAlgorithms;
    settings.hostKeyAlgorithms = config.hostKeyAlgorithms;
    settings.ciphers = config.ciphers;
    settings.macs = config.macs;
    settings.rekeyBytes = config.rekeyBytes;
    settings.rekeyInterval = config.rekeyInterval;
    settings.hostKeys.policy = config.hostKeyPolicy;
    settings.hostKeys.knownHostsFiles = config.knownHostsFiles;
    settings.hostKeys.host = config.host;
    settings.hostKeys.port = config.port;
    settings.hostKeys.hashHostNames = config.hashKnownHosts;
    settings.hostKeys.batchMode = config.batchMode;
    return settings;
}

auth::UserAuthSettings authSettings(const ClientConfig& config) {
    auth::UserAuthSettings settings;
    settings.user = config.user;
    settings.host = config.host;
    settings.allowPublicKey = config.allowPublicKey;
    settings.allowKeyboardInteractive = config.allowKeyboardInteractive;
    settings.allowPassword = config.allowPassword;
    settings.identities = config.identities;
    settings.agent = config.agent;
    settings.identitiesOnly = config.identitiesOnly;
    settings.pubkeyAcceptedAlgorithms = config.pubkeyAcceptedAlgorithms;
    settings.numberOfPasswordPrompts = config.numberOfPasswordPrompts;
    settings.batchMode = config.batchMode;
    return settings;
}

} // namespace

struct SshClient::Impl {
    explicit Impl(ClientConfig c)
        : config(c.withDefaults()), transport(transportSettings(config), events, requestIds) {}

    ClientConfig config;
    EventQueue events;
    RequestId requestIds = 0;
    transport::Transport transport;
    std::optional<auth::UserAuthClient> auth;
    std::optional<connection::ConnectionClient> connection;
    bool started = false;
    bool closed = false;
    TimePoint now{};
    // ServerAliveInterval: the next time to probe, and probes since the server last spoke.
    std::optional<TimePoint> keepaliveAt;
    int keepalivesUnanswered = 0;

    void close(bool clean, Error error) {
        if (closed)
            return;
        closed = true;
        events.push_back(DisconnectedEvent{clean, std::move(error)});
    }

    void fail(Error error) {
        if (closed)
            return;
        transport.fail(error);
        close(false, std::move(error));
    }

    // Runs after every input: starts userauth once keyed, routes service messages.
    void pump() {
        if (closed)
            return;
        if (transport.readyForServices() && !auth) {
            auth.emplace(authSettings(config), events, requestIds, transport.serverSigAlgs(),
                         [this](Bytes payload, bool wipe) {
                             return transport.sendServicePayload(std::move(payload), wipe);
                         },
                         [this](Error error) { fail(std::move(error)); });
            if (Status started = auth->start(transport.sessionId()); !started)
                return fail(started.error());
        }
        while (!closed) {
            auto next = transport.nextServicePayload();
            if (!next)
                break;
            if (Status routed = route(*next); !routed)
                return fail(routed.error());
        }
    }

    Status route(const transport::Transport::ServicePayload& packet) {
        std::uint8_t number = packet.payload[0];
        if (number == msg::ServiceAccept || transport::isUserauthMessage(number)) {
            if (!auth || auth->authenticated())
                return Error::protocol(std::string("server sent ") + transport::messageName(number) +
                                       (auth ? " after authentication" : " before authentication started"));
            if (Status handled = auth->handle(packet.payload); !handled)
                return handled;
            if (auth->authenticated())
                onAuthenticated();
            return {};
        }
        if (transport::isConnectionMessage(number)) {
            if (!connection)
                return Error::protocol(std::string("server sent ") + transport::messageName(number) +
                                       " before authentication completed");
            return connection->handle(packet.payload);
        }
        // RFC 4253 §11.4: numbers we do not implement (128-255 and unassigned) get UNIMPLEMENTED.
        if (number >= 128)
            return transport.sendUnimplemented(packet.sequenceNumber);
        return Error::protocol("server sent message " + std::to_string(number) + " which is not allowed here");
    }

    void onAuthenticated() {
        connection::ConnectionSettings settings;
        settings.windowSize = config.channelWindowSize;
        settings.maxPacket = std::max<std::uint32_t>(config.channelMaxPacket, 32768);
        connection.emplace(settings, events, requestIds,
                           [this](Bytes payload) { return transport.sendServicePayload(std::move(payload)); });
        if (config.keepaliveInterval.count() > 0)
            keepaliveAt = now + config.keepaliveInterval;
    }

    Status requireChannels() const {
        if (closed)
            return Error::network("the connection is closed");
        if (!connection)
            return Error::protocol("not authenticated yet");
        return {};
    }

    template <typename F>
    Status channelCall(F&& call) {
        if (Status ready = requireChannels(); !ready)
            return ready;
        Status status = call(*connection);
        // A failure to send (the transport closed) ends the session; a misuse (a closed
        // channel id) is only reported to the caller.
        if (!status && transport.closed())
            close(false, status.error());
        return status;
    }
};

SshClient::SshClient(ClientConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
SshClient::~SshClient() = default;

void SshClient::start(TimePoint now) {
    if (impl_->started)
        return;
    impl_->started = true;
    impl_->now = now;
    if (Status status = impl_->transport.start(now); !status)
        impl_->fail(status.error());
}

void SshClient::receiveBytes(ByteView bytes, TimePoint now) {
    Impl& d = *impl_;
    if (d.closed || bytes.empty())
        return;
    d.now = now;
    // Anything from the server proves it is alive (ServerAliveInterval).
    d.keepalivesUnanswered = 0;
    if (d.keepaliveAt)
        d.keepaliveAt = now + d.config.keepaliveInterval;
    Status status = d.transport.receive(bytes, now);
    d.pump(); // payloads decoded before an error are still delivered in order
    if (!status) {
        auto reason = d.transport.serverDisconnectReason();
        if (reason && *reason == transport::disconnect::ByApplication && d.connection &&
            d.connection->channelCount() == 0) {
            d.transport.close();
            d.close(true, status.error());
        } else if (reason) {
            d.transport.close();
            d.close(false, status.error());
        } else {
            d.fail(status.error());
        }
    }
}

void SshClient::connectionLost(std::string reason, TimePoint now) {
    Impl& d = *impl_;
    d.now = now;
    if (d.closed)
        return;
    d.transport.close();
    d.close(false, Error::network("Connection to " + d.config.host + " port " + std::to_string(d.config.port) +
                                  " closed: " + reason));
}

void SshClient::requestRekey() {
    Impl& d = *impl_;
    if (d.closed || !d.started)
        return;
    if (Status status = d.transport.requestRekey(); !status)
        d.fail(status.error());
}

void SshClient::tick(TimePoint now) {
    Impl& d = *impl_;
    if (d.closed || !d.started)
        return;
    d.now = now;
    if (Status status = d.transport.tick(now); !status)
        return d.fail(status.error());
    if (d.keepaliveAt && now >= *d.keepaliveAt && d.connection) {
        if (d.keepalivesUnanswered >= d.config.keepaliveCountMax)
            return d.fail(Error::network("Timeout, server " + d.config.host + " not responding."));
        ++d.keepalivesUnanswered;
        if (Status sent = d.connection->sendKeepalive(); !sent)
            return d.fail(sent.error());
        d.keepaliveAt = now + d.config.keepaliveInterval;
    }
}

std::optional<TimePoint> SshClient::nextDeadline() const {
    const Impl& d = *impl_;
    if (d.closed)
        return std::nullopt;
    std::optional<TimePoint> deadline = d.transport.nextDeadline();
    if (d.keepaliveAt && (!deadline || *d.keepaliveAt < *deadline))
        deadline = d.keepaliveAt;
    return deadline;
}

Bytes SshClient::takeOutgoingBytes() { return impl_->transport.takeOutgoing(); }
bool SshClient::hasOutgoingBytes() const { return impl_->transport.hasOutgoing(); }
ByteView SshClient::outgoingBytes() const { return impl_->transport.outgoingView(); }
void SshClient::outgoingBytesSent(std::size_t n) { impl_->transport.outgoingSent(n); }

std::optional<Event> SshClient::pollEvent() {
    if (impl_->events.empty())
        return std::nullopt;
    Event event = std::move(impl_->events.front());
    impl_->events.pop_front();
    return event;
}

bool SshClient::isClosed() const { return impl_->closed; }
bool SshClient::isAuthenticated() const { return impl_->auth && impl_->auth->authenticated(); }

ConnectionInfo SshClient::connectionInfo() const {
    ConnectionInfo info = impl_->transport.info();
    if (impl_->auth)
        info.authMethod = impl_->auth->methodUsed();
    return info;
}

void SshClient::disconnect(std::string reason) {
    Impl& d = *impl_;
    if (d.closed)
        return;
    d.transport.disconnect(transport::disconnect::ByApplication, reason);
    d.close(true, Error::cancelled(std::move(reason)));
}

void SshClient::answerHostKey(RequestId id, bool accept, bool saveToKnownHosts) {
    Impl& d = *impl_;
    if (d.closed)
        return;
    if (Status status = d.transport.answerHostKey(id, accept, saveToKnownHosts, d.now); !status)
        return d.fail(status.error());
    d.pump();
}

void SshClient::answerPrompt(RequestId id, std::vector<SecretBytes> responses) {
    Impl& d = *impl_;
    if (d.closed || !d.auth)
        return;
    if (Status status = d.auth->answerPrompt(id, std::move(responses)); !status)
        return d.fail(status.error());
    d.pump();
}

void SshClient::cancelPrompt(RequestId id) {
    Impl& d = *impl_;
    if (d.closed || !d.auth)
        return;
    if (Status status = d.auth->cancelPrompt(id); !status)
        return d.fail(status.error());
    d.pump();
}

Result<ChannelId> SshClient::openSession() {
    Impl& d = *impl_;
    if (Status ready = d.requireChannels(); !ready)
        return ready.error();
    auto id = d.connection->openSession();
    if (!id && d.transport.closed())
        d.close(false, id.error());
    return id;
}

Result<ChannelId> SshClient::openDirectTcpip(std::string_view host, std::uint32_t port,
                                             std::string_view originatorAddress, std::uint32_t originatorPort) {
    Impl& d = *impl_;
    if (Status ready = d.requireChannels(); !ready)
        return ready.error();
    auto id = d.connection->openDirectTcpip(host, port, originatorAddress, originatorPort);
    if (!id && d.transport.closed())
        d.close(false, id.error());
    return id;
}

Status SshClient::requestPty(ChannelId id, const PtyRequest& pty) {
    // RFC 4254 §6.2; the modes string ends with TTY_OP_END (§8).
    wire::Writer w;
    w.string(pty.term).uint32(pty.columns).uint32(pty.rows).uint32(pty.widthPixels).uint32(pty.heightPixels);
    Bytes modes = pty.modes;
    modes.push_back(0);
    w.string(modes);
    return impl_->channelCall([&](auto& c) { return c.sendChannelRequest(id, "pty-req", true, w.bytes()); });
}

Status SshClient::requestShell(ChannelId id) {
    return impl_->channelCall([&](auto& c) { return c.sendChannelRequest(id, "shell", true, {}); });
}

Status SshClient::requestExec(ChannelId id, std::string_view command) {
    wire::Writer w;
    w.string(command);
    return impl_->channelCall([&](auto& c) { return c.sendChannelRequest(id, "exec", true, w.bytes()); });
}

Status SshClient::requestSubsystem(ChannelId id, std::string_view subsystem) {
    wire::Writer w;
    w.string(subsystem);
    return impl_->channelCall([&](auto& c) { return c.sendChannelRequest(id, "subsystem", true, w.bytes()); });
}

Status SshClient::setEnv(ChannelId id, std::string_view name, std::string_view value) {
    wire::Writer w;
    w.string(name).string(value);
    return impl_->channelCall([&](auto& c) { return c.sendChannelRequest(id, "env", false, w.bytes()); });
}

Status SshClient::windowChange(ChannelId id, std::uint32_t columns, std::uint32_t rows,
                               std::uint32_t widthPixels, std::uint32_t heightPixels) {
    wire::Writer w;
    w.uint32(columns).uint32(rows).uint32(widthPixels).uint32(heightPixels);
    return impl_->channelCall([&](auto& c) { return c.sendChannelRequest(id, "window-change", false, w.bytes()); });
}

Status SshClient::sendSignal(ChannelId id, std::string_view signalName) {
    wire::Writer w;
    w.string(signalName);
    return impl_->channelCall([&](auto& c) { return c.sendChannelRequest(id, "signal", false, w.bytes()); });
}

Status SshClient::sendBreak(ChannelId id, std::uint32_t milliseconds) {
    wire::Writer w; // RFC 4335
    w.uint32(milliseconds);
    return impl_->channelCall([&](auto& c) { return c.sendChannelRequest(id, "break", true, w.bytes()); });
}

Status SshClient::requestX11Forwarding(ChannelId id, bool singleConnection, std::string_view authProtocol,
                                      std::string_view authCookieHex, std::uint32_t screen) {
    return impl_->channelCall([&](auto& c) {
        return c.requestX11Forwarding(id, singleConnection, authProtocol, authCookieHex, screen);
    });
}

Status SshClient::requestAgentForwarding(ChannelId id) {
    return impl_->channelCall([&](auto& c) { return c.requestAgentForwarding(id); });
}

Result<ChannelId> SshClient::acceptChannelOpen(RequestId id) {
    Impl& d = *impl_;
    if (Status ready = d.requireChannels(); !ready)
        return ready.error();
    auto channel = d.connection->acceptChannelOpen(id);
    if (!channel && d.transport.closed())
        d.close(false, channel.error());
    return channel;
}

Status SshClient::rejectChannelOpen(RequestId id, std::uint32_t reasonCode, std::string_view description) {
    return impl_->channelCall([&](auto& c) { return c.rejectChannelOpen(id, reasonCode, description); });
}

Result<std::size_t> SshClient::sendData(ChannelId id, ByteView data, bool extended) {
    Impl& d = *impl_;
    if (Status ready = d.requireChannels(); !ready)
        return ready.error();
    auto taken = d.connection->sendData(id, data, extended);
    if (!taken && d.transport.closed())
        d.close(false, taken.error());
    return taken;
}

std::size_t SshClient::sendWindow(ChannelId id) const {
    const Impl& d = *impl_;
    if (d.closed || !d.connection)
        return 0;
    return d.connection->sendWindow(id);
}

std::size_t SshClient::openChannelCount() const {
    const Impl& d = *impl_;
    return d.closed || !d.connection ? 0 : d.connection->channelCount();
}

Status SshClient::sendEof(ChannelId id) {
    return impl_->channelCall([&](auto& c) { return c.sendEof(id); });
}

Status SshClient::closeChannel(ChannelId id) {
    return impl_->channelCall([&](auto& c) { return c.closeChannel(id); });
}

void SshClient::consumed(ChannelId id, std::size_t n) {
    Impl& d = *impl_;
    if (d.closed || !d.connection)
        return;
    if (Status status = d.connection->consumed(id, n); !status)
        d.fail(status.error());
}

Status SshClient::sendGlobalRequest(std::string_view name, ByteView data, bool wantReply) {
    return impl_->channelCall([&](auto& c) { return c.sendGlobalRequest(name, data, wantReply); });
}

Result<RequestId> SshClient::requestTcpipForward(std::string_view bindAddress, std::uint32_t port) {
    Impl& d = *impl_;
    if (Status ready = d.requireChannels(); !ready)
        return ready.error();
    auto id = d.connection->requestTcpipForward(bindAddress, port);
    if (!id && d.transport.closed())
        d.close(false, id.error());
    return id;
}

Status SshClient::cancelTcpipForward(std::string_view bindAddress, std::uint32_t port) {
    return impl_->channelCall([&](auto& c) { return c.cancelTcpipForward(bindAddress, port); });
}

} // namespace portal::protocol::client
