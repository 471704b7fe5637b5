// A scripted SSH server peer for tests: the server side of version exchange, key exchange
// (every method the client implements), userauth and session channels, built on the same
// crypto/keys primitives and transport framing as the client, and driven purely in memory.
// Tests (and the interop suite, over a real socket) use its hooks to misbehave on purpose:
// raw bytes, arbitrary payloads, tampered packets, unrequested messages, rekeys at any time.
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"
#include "common/SecretBytes.h"
#include "keys/PrivateKey.h"
#include "keys/PublicKey.h"
#include "transport/BinaryPacket.h"
#include "transport/KexInit.h"
#include "transport/KexMethod.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace portal::testing {

using protocol::Bytes;
using protocol::ByteView;
namespace transport = protocol::transport;

struct ScriptedServerOptions {
    std::string version = "SSH-2.0-PortalTestPeer_1.0";
    std::vector<std::string> preBannerLines;
    // Empty lists mean every algorithm the tables support.
    std::vector<std::string> kexAlgorithms;
    std::vector<std::string> hostKeyAlgorithms;
    std::vector<std::string> ciphers;
    std::vector<std::string> macs;
    bool offerStrictKex = true;
    bool ignoreBeforeKexInit = false; // an IGNORE packet ahead of KEXINIT
    bool sendExtInfo = true;
    std::vector<std::string> serverSigAlgs = {"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                                              "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256"};

    // Authentication: the methods offered and what they accept.
    std::vector<std::string> authMethods = {"publickey", "password", "keyboard-interactive"};
    std::string user = "tester";
    std::string password = "secret";
    std::vector<protocol::keys::PublicKey> authorizedKeys;
    // keyboard-interactive: prompts (text, echo) and the expected answers, one round.
    std::vector<std::pair<std::string, bool>> keyboardPrompts = {{"Password: ", false}};
    std::vector<std::string> keyboardAnswers = {"secret"};
    bool keyboardZeroPromptRoundFirst = false;
    std::string banner;
    bool requirePasswordChange = false; // answer the first password with PASSWD_CHANGEREQ

    // Host keys besides the one given to the constructor, offered after it.
    std::vector<protocol::keys::PrivateKey> additionalHostKeys;

    std::uint32_t windowSize = 2 * 1024 * 1024;
    std::uint32_t maxPacket = 32768;
};

class ScriptedServer {
public:
    ScriptedServer(ScriptedServerOptions options, protocol::keys::PrivateKey hostKey);
    ~ScriptedServer();

    // Sends the version line (and pre-banner lines) and KEXINIT.
    void start();
    void receive(ByteView bytes);
    Bytes takeOutgoing();

    // The first error the peer saw in the client's stream (it stops processing then).
    const std::optional<protocol::Error>& failure() const { return failure_; }

    // ---- Hooks for hostile scripts ----
    // Raw bytes onto the wire, bypassing framing.
    void sendRaw(ByteView bytes);
    // A payload framed and protected with the current keys.
    void sendPayload(ByteView payload);
    // A well-formed packet whose wire bytes `tamper` may change before they are sent.
    void sendTampered(ByteView payload, const std::function<void(Bytes&)>& tamper);
    // A plaintext packet framed by the caller (any padding), protected with the current keys.
    void sendPreparedPacket(ByteView packet);
    // Starts a key exchange from the server side.
    void startRekey();
    // Reacts to the next client KEXINIT by sending this payload before the KEX reply.
    std::function<void(ScriptedServer&)> beforeKexReply;

    bool authenticated() const { return authenticated_; }
    bool keyed() const { return keyed_; }
    int keyExchanges() const { return keyExchanges_; }
    const std::vector<std::string>& clientKexAlgorithms() const { return clientKexAlgorithms_; }
    std::string negotiatedCipher() const { return negotiated_.cipherServerToClient; }
    std::string negotiatedKex() const { return negotiated_.kex; }

    // ---- Session channels ----
    // An exec command decides what the server does: "echo" sends back what it receives and
    // exits 0 at EOF; "produce <n>" sends n pattern bytes then exits 0; "exit <n>" exits
    // with status n; "signal <NAME>" ends with exit-signal; anything else fails the request.
    struct ChannelRecord {
        std::uint32_t clientChannel = 0;
        std::string command;
        Bytes received;              // all data the client sent
        std::uint64_t toProduce = 0; // pattern bytes still to send
        std::uint64_t produced = 0;
        Bytes echoBacklog;
        std::uint32_t clientWindow = 0; // what we may still send
        std::uint32_t clientMaxPacket = 0;
        std::uint32_t ourWindow = 0;    // what the client may still send
        bool eofReceived = false;
        bool closeReceived = false;
        bool closeSent = false;
        bool finished = false; // exit reported, EOF and CLOSE sent
        std::vector<std::string> requests;
        std::uint32_t columns = 0, rows = 0;
        // Channels we opened (openChannelToClient): confirmed, or refused with this reason.
        bool confirmed = true;
        std::optional<std::uint32_t> openFailureReason;
    };
    const std::map<std::uint32_t, ChannelRecord>& channels() const { return channels_; }
    // Global requests the client made, by name.
    const std::vector<std::string>& globalRequests() const { return globalRequests_; }
    // Remote forwards (RFC 4254 §7.1) in force: address as requested, port as bound (port 0
    // requests are given 40000, 40001, ...).
    const std::set<std::pair<std::string, std::uint32_t>>& forwards() const { return forwards_; }
    // Opens a channel towards the client (forwarded-tcpip, x11, auth-agent@openssh.com) with
    // the given type-specific data; once confirmed it echoes like an "echo" exec. Returns our
    // channel number, the key of channels().
    std::uint32_t openChannelToClient(const std::string& type, ByteView typeSpecificData);
    // Keeps data for a channel queued instead of sending it (a stalled server).
    bool holdChannelOutput = false;
    // Does not return window to the client (a stalled consumer).
    bool holdWindowAdjust = false;
    // Bytes of channel data the server consumed and has not yet adjusted.
    std::uint64_t unadjusted(std::uint32_t serverChannel) const;
    void flushWindowAdjust();
    // Pushes pending channel output (after holdChannelOutput is cleared).
    void pumpChannels();
    // Pattern byte i of "produce" output, so tests can check what arrived.
    static std::uint8_t patternByte(std::uint64_t index) { return std::uint8_t((index * 7 + 3) % 251); }

private:
    enum class State {
        AwaitingVersion,
        KeyExchange,
        Established,
        Failed,
    };

    void fail(std::string message);
    void handlePacket(Bytes payload);
    void handleKexInit(ByteView payload);
    void handleKexMessage(ByteView payload);
    void sendKexReply(ByteView clientValue, bool mpint, std::uint8_t replyNumber,
                      const transport::GexRequest* gex);
    void handleNewKeys();
    void handleService(ByteView payload);
    void handleUserauth(ByteView payload);
    void handleConnection(ByteView payload);
    void handleChannelRequest(ChannelRecord& channel, std::uint32_t serverChannel, ByteView payload);
    void finishChannel(ChannelRecord& channel);
    void sendKexInit();
    void send(ByteView payload);
    const protocol::keys::PrivateKey& hostKeyFor(const std::string& algorithm) const;

    ScriptedServerOptions options_;
    protocol::keys::PrivateKey hostKey_;
    State state_ = State::AwaitingVersion;
    std::optional<protocol::Error> failure_;
    std::string clientVersionLine_;
    Bytes input_;
    transport::PacketReader reader_;
    transport::PacketWriter writer_;
    Bytes outgoing_;

    transport::KexTranscript transcript_;
    transport::KexInitMessage ourKexInit_;
    bool kexInitSent_ = false;
    bool rekeying_ = false;
    bool initialDone_ = false;
    bool strict_ = false;
    bool clientWantsExtInfo_ = false;
    transport::NegotiatedAlgorithms negotiated_;
    std::vector<std::string> clientKexAlgorithms_;
    transport::GexRequest gexRequest_;
    Bytes sessionId_;
    std::optional<protocol::SecretBytes> pendingSecret_;
    Bytes pendingHash_;
    std::unique_ptr<protocol::crypto::PacketProtection> pendingReceive_;
    bool keyed_ = false;
    int keyExchanges_ = 0;
    std::deque<Bytes> heldPayloads_; // our service payloads during a KEX

    bool authenticated_ = false;
    bool passwordChangeSent_ = false;
    int keyboardRound_ = 0;

    std::map<std::uint32_t, ChannelRecord> channels_;
    std::uint32_t nextChannel_ = 100;
    std::vector<std::string> globalRequests_;
    std::set<std::pair<std::string, std::uint32_t>> forwards_;
    std::uint32_t nextAllocatedPort_ = 40000;
};

} // namespace portal::testing
