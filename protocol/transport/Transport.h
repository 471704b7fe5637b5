// The client transport layer (RFC 4253): version exchange, binary packets, key exchange with
// host-key verification, strict KEX (OpenSSH PROTOCOL "kex-strict"), ext-info (RFC 8308) and
// rekeying started by either side (§9). Above it, the service payloads (userauth and
// connection messages) flow in order; while a key exchange runs, outgoing service payloads
// are held and sent under the new keys, so nothing is lost.
#pragma once

#include "client/ClientEvents.h"
#include "common/Bytes.h"
#include "common/Error.h"
#include "keys/PublicKey.h"
#include "transport/BinaryPacket.h"
#include "transport/HostKeyVerifier.h"
#include "transport/KexInit.h"
#include "transport/KexMethod.h"
#include "transport/VersionExchange.h"

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace portal::protocol::transport {

struct TransportSettings {
    std::string clientVersion = "SSH-2.0-Portal_0.1";
    std::vector<std::string> kexAlgorithms;
    std::vector<std::string> hostKeyAlgorithms;
    std::vector<std::string> ciphers;
    std::vector<std::string> macs;
    std::uint64_t rekeyBytes = std::uint64_t(1) << 30;
    std::chrono::seconds rekeyInterval{3600};
    HostKeySettings hostKeys;
};

class Transport {
public:
    enum class State {
        AwaitingServerVersion,
        AwaitingServerKexInit,   // our KEXINIT is out, the server's is not in yet
        KeyExchange,             // both KEXINITs seen; the method's messages run
        AwaitingHostKeyDecision, // suspended: no input is processed until answerHostKey()
        AwaitingServerNewKeys,   // our NEWKEYS is out
        Established,
        Closed,
    };

    struct ServicePayload {
        std::uint32_t sequenceNumber = 0;
        Bytes payload;
    };

    // `requestIds` is the facade's counter, shared with the prompts of other layers.
    Transport(TransportSettings settings, client::EventQueue& events, client::RequestId& requestIds);

    // Queues our identification line and our KEXINIT in one write (PERFORMANCE.md).
    Status start(client::TimePoint now);
    // Processes as much input as possible. Errors are final: call fail() with them.
    Status receive(ByteView bytes, client::TimePoint now);
    // Userauth and connection messages (and SERVICE_ACCEPT), in arrival order.
    std::optional<ServicePayload> nextServicePayload();

    // Sends a service payload now, or after the running key exchange. With `wipe` the
    // plaintext (a password, keyboard-interactive responses) is wiped once sent.
    Status sendServicePayload(Bytes payload, bool wipe = false);
    // RFC 4253 §11.4: the reply to a message number we do not implement.
    Status sendUnimplemented(std::uint32_t sequenceNumber);

    Status tick(client::TimePoint now);
    // A key exchange asked for by the user (ssh(1) ~R; RFC 4253 §9): our KEXINIT now, unless
    // an exchange is already running or the first one has not finished.
    Status requestRekey();
    std::optional<client::TimePoint> nextDeadline() const;

    Status answerHostKey(client::RequestId id, bool accept, bool saveToKnownHosts,
                         client::TimePoint now);

    // Sends DISCONNECT (when the transport can still send) and closes.
    void fail(const Error& error);
    void disconnect(std::uint32_t reasonCode, const std::string& description);
    // Closes without a DISCONNECT (the server sent one, or the socket is gone).
    void close();

    Bytes takeOutgoing();
    bool hasOutgoing() const { return outgoingSent_ < outgoing_.size(); }
    // The same bytes without handing the buffer over: the caller writes a prefix of
    // outgoingView() and reports it with outgoingSent(n). The buffer keeps its capacity, so
    // a bulk transfer encrypts into the same memory again and again instead of allocating
    // (and the allocator returning to the kernel) a buffer per write.
    ByteView outgoingView() const { return ByteView(outgoing_).subspan(outgoingSent_); }
    void outgoingSent(std::size_t n);

    State state() const { return state_; }
    bool initialKexDone() const { return initialKexDone_; }
    // Our NEWKEYS of the first exchange is out: service requests may follow at once, in the
    // same write, without waiting for the server's NEWKEYS (RFC 4253 §7.3).
    bool readyForServices() const { return !sessionId_.empty() && state_ != State::Closed; }
    bool closed() const { return state_ == State::Closed; }
    ByteView sessionId() const { return sessionId_; }
    const std::vector<std::string>& serverSigAlgs() const { return serverSigAlgs_; }
    const client::ConnectionInfo& info() const { return info_; }
    const std::optional<keys::PublicKey>& hostKey() const { return hostKey_; }
    // Bytes of service payloads held back by a running key exchange.
    std::size_t heldBytes() const { return heldBytes_; }
    // The reason code of the server's DISCONNECT, if it sent one.
    std::optional<std::uint32_t> serverDisconnectReason() const { return serverDisconnectReason_; }

private:
    Status processPackets();
    Status handlePacket(std::uint8_t number, PacketReader::Packet& packet);
    Status handleGeneric(std::uint8_t number, ByteView payload);
    Status handleServerKexInit(ByteView payload);
    Status handleKexOutcome(KexOutcome outcome);
    Status finishKeyExchange();
    Status handleNewKeys();
    Status handleExtInfo(ByteView payload);
    Status sendKexInit();
    Status sendPacket(ByteView payload);
    Status maybeRekey();
    void log(client::LogLevel level, std::string text);

    TransportSettings settings_;
    client::EventQueue& events_;
    HostKeyVerifier verifier_;
    State state_ = State::AwaitingServerVersion;

    VersionExchange version_;
    PacketReader reader_;
    PacketWriter writer_;
    Bytes outgoing_;
    std::size_t outgoingSent_ = 0; // the written prefix of outgoing_
    std::deque<ServicePayload> servicePayloads_;

    // The current key exchange round.
    KexTranscript transcript_;
    KexInitMessage ourKexInit_;
    bool ourKexInitSent_ = false;
    NegotiatedAlgorithms negotiated_;
    const crypto::KexInfo* kexInfo_ = nullptr;
    std::unique_ptr<ClientKexMethod> kexMethod_;
    std::optional<KexOutcome> pendingOutcome_; // while a host-key decision is pending
    // Takes effect when the server's NEWKEYS arrives (RFC 4253 §7.3).
    std::unique_ptr<crypto::PacketProtection> pendingReceiveProtection_;
    client::RequestId pendingDecision_ = 0;
    bool ignoreNextKexPacket_ = false;
    std::uint32_t packetsBeforeServerKexInit_ = 0;

    // Service payloads produced between our KEXINIT and our NEWKEYS (RFC 4253 §7.1).
    bool outgoingHeld_ = false;
    struct HeldPayload {
        Bytes payload;
        bool wipe = false;
    };
    std::deque<HeldPayload> heldPayloads_;
    std::size_t heldBytes_ = 0;

    bool initialKexDone_ = false;
    bool strictKex_ = false;
    Bytes sessionId_;
    std::optional<keys::PublicKey> hostKey_;
    std::vector<std::string> serverSigAlgs_;
    client::ConnectionInfo info_;
    std::optional<std::uint32_t> serverDisconnectReason_;
    client::TimePoint now_{};
    client::TimePoint lastKexTime_{};
    client::RequestId& requestIds_;
};

} // namespace portal::protocol::transport
