// The SSH client facade: one sans-I/O object that runs the transport (RFC 4253), user
// authentication (RFC 4252, RFC 4256) and the connection protocol (RFC 4254) for one server.
//
// Bring your own I/O: the caller owns the socket and the clock. It hands received bytes to
// receiveBytes(), sends whatever takeOutgoingBytes() returns, calls tick() no later than
// nextDeadline(), and drains pollEvent() after every call. Nothing here blocks, opens a
// socket, starts a thread or reads the clock. Decisions the user must make (accept a host
// key, type a password) are events with an id, answered later; meanwhile the client suspends.
//
// Threading: an SshClient is used from one thread at a time (the protocol worker's thread).
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"
#include "common/SecretBytes.h"
#include "agent/AgentSigner.h"
#include "client/ClientEvents.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace portal::protocol::client {

struct ClientConfig {
    std::string host;    // as the user named it; used for known_hosts and messages
    int port = 22;
    std::string user;

    // Algorithm preference lists, strongest first. Empty means the defaults of
    // crypto::defaultAlgorithms for that family (ClientConfig::withDefaults fills them in).
    std::vector<std::string> kexAlgorithms;
    std::vector<std::string> ciphers;
    std::vector<std::string> macs;
    std::vector<std::string> hostKeyAlgorithms;
    std::vector<std::string> pubkeyAcceptedAlgorithms;

    // Methods we may use, in OpenSSH's order of preference when the server allows several:
    // publickey, keyboard-interactive, password.
    bool allowPublicKey = true;
    bool allowKeyboardInteractive = true;
    bool allowPassword = true;
    std::vector<Identity> identities;
    // An ssh-agent whose keys are offered before the identity files; not owned. Its replies
    // arrive through the caller feeding the agent's socket (agent::AgentClient), so after
    // that the caller drains takeOutgoingBytes() and pollEvent() as after receiveBytes().
    agent::AgentSigner* agent = nullptr;
    // IdentitiesOnly: offer only the agent keys that match one of `identities`.
    bool identitiesOnly = false;
    int numberOfPasswordPrompts = 3;
    // BatchMode: never raise a Prompt or a HostKeyDecision; fail instead.
    bool batchMode = false;

    HostKeyPolicy hostKeyPolicy = HostKeyPolicy::Ask;
    // Read in order; a newly accepted key is appended to the first one.
    std::vector<std::string> knownHostsFiles;
    bool hashKnownHosts = false;

    // Rekey after this many bytes in either direction or this much time (RFC 4253 §9).
    std::uint64_t rekeyBytes = std::uint64_t(1) << 30;
    std::chrono::seconds rekeyInterval{3600};

    // ServerAliveInterval / ServerAliveCountMax: 0 seconds turns keepalives off.
    std::chrono::seconds keepaliveInterval{0};
    int keepaliveCountMax = 3;

    // Receive window per channel and the largest packet we accept (RFC 4254 §5.2).
    std::uint32_t channelWindowSize = 2 * 1024 * 1024;
    std::uint32_t channelMaxPacket = 32768;

    // Our identification string without CR LF (RFC 4253 §4.2).
    std::string clientVersion = "SSH-2.0-Portal_0.1";

    // Copy with every empty algorithm list replaced by the defaults.
    ClientConfig withDefaults() const;
};

// RFC 4254 §6.2 pty-req. `modes` is the encoded terminal-modes string (opcode/uint32 pairs,
// without the final TTY_OP_END, which is appended).
struct PtyRequest {
    std::string term = "xterm-256color";
    std::uint32_t columns = 80;
    std::uint32_t rows = 24;
    std::uint32_t widthPixels = 0;
    std::uint32_t heightPixels = 0;
    Bytes modes;
};

class SshClient {
public:
    explicit SshClient(ClientConfig config);
    ~SshClient();
    SshClient(const SshClient&) = delete;
    SshClient& operator=(const SshClient&) = delete;

    // ---- I/O (the caller's socket and clock) ----

    // Queues our version line and KEXINIT together (one write, PERFORMANCE.md).
    void start(TimePoint now);
    // Bytes as they came from the socket, in any fragmentation.
    void receiveBytes(ByteView bytes, TimePoint now);
    // The socket reached EOF or failed: ends the session with a Network error (or cleanly,
    // when a disconnect was already under way).
    void connectionLost(std::string reason, TimePoint now);
    // Runs time-based work: keepalives, time-based rekey. Call at nextDeadline() or later.
    void tick(TimePoint now);
    std::optional<TimePoint> nextDeadline() const;

    // Everything that should be written to the socket now, in order.
    Bytes takeOutgoingBytes();
    bool hasOutgoingBytes() const;
    // The same without a copy or a new buffer: write a prefix of outgoingBytes() (valid until
    // the next call into the client) and report it with outgoingBytesSent(n); the rest waits.
    ByteView outgoingBytes() const;
    void outgoingBytesSent(std::size_t n);
    std::optional<Event> pollEvent();

    // True once Disconnected was queued: no more bytes will be produced; close the socket
    // after writing takeOutgoingBytes().
    bool isClosed() const;
    bool isAuthenticated() const;
    ConnectionInfo connectionInfo() const;

    // Starts a key exchange now (RFC 4253 §9; ssh(1)'s ~R), unless one is running. Channels
    // go on; data sent meanwhile is held until NEWKEYS, as for any rekey.
    void requestRekey();

    // Sends SSH_MSG_DISCONNECT (by application) and ends the session cleanly.
    void disconnect(std::string reason = "disconnected by user");

    // ---- Answers to HostKeyDecision and PromptEvent ----

    void answerHostKey(RequestId id, bool accept, bool saveToKnownHosts);
    // One entry per prompt field, in order. The secrets are wiped when no longer needed.
    void answerPrompt(RequestId id, std::vector<SecretBytes> responses);
    void cancelPrompt(RequestId id);

    // ---- Channels (after AuthenticatedEvent) ----

    // Opens a "session" channel (RFC 4254 §6.1); ChannelOpened/ChannelOpenFailed follows.
    Result<ChannelId> openSession();
    // Opens a "direct-tcpip" channel (RFC 4254 §7.2): the server connects to host:port and
    // the channel carries that stream (local forwarding, jump hosts). The originator is the
    // local peer that asked for it, for the server's logs.
    Result<ChannelId> openDirectTcpip(std::string_view host, std::uint32_t port,
                                      std::string_view originatorAddress = "127.0.0.1",
                                      std::uint32_t originatorPort = 0);
    // Requests with want-reply true report a ChannelRequestResult event.
    Status requestPty(ChannelId id, const PtyRequest& pty);
    Status requestShell(ChannelId id);
    Status requestExec(ChannelId id, std::string_view command);
    Status requestSubsystem(ChannelId id, std::string_view subsystem);
    Status setEnv(ChannelId id, std::string_view name, std::string_view value); // no reply
    Status windowChange(ChannelId id, std::uint32_t columns, std::uint32_t rows,
                        std::uint32_t widthPixels = 0, std::uint32_t heightPixels = 0);
    Status sendSignal(ChannelId id, std::string_view signalName); // "INT", "TERM", ...
    Status sendBreak(ChannelId id, std::uint32_t milliseconds);
    // RFC 4254 §6.3.1 x11-req (a ChannelRequestResult follows). Once the server agrees, it may
    // open x11 channels (ChannelOpenRequest events) while this channel lives; one only when
    // `singleConnection`. The cookie is hex, as the RFC sends it (use a spoofed one, -X).
    Status requestX11Forwarding(ChannelId id, bool singleConnection, std::string_view authProtocol,
                                std::string_view authCookieHex, std::uint32_t screen);
    // auth-agent-req@openssh.com without want-reply, as OpenSSH's ssh sends it: the server may
    // then open auth-agent@openssh.com channels while this channel lives.
    Status requestAgentForwarding(ChannelId id);

    // ---- Channels the server opens (forwarded-tcpip, x11, auth-agent@openssh.com) ----

    // Answers a ChannelOpenRequest event. Accepting sends OPEN_CONFIRMATION with our window and
    // max packet and returns the new channel, open at once (no ChannelOpened event): it then
    // carries ChannelData, takes sendData/sendEof/closeChannel/consumed like any other.
    Result<ChannelId> acceptChannelOpen(RequestId id);
    // `reasonCode` from RFC 4254 §5.1 (1 prohibited, 2 connect failed, 3 unknown type,
    // 4 resource shortage).
    Status rejectChannelOpen(RequestId id, std::uint32_t reasonCode, std::string_view description);

    // Sends as much of `data` as the peer's window allows and returns how many bytes were
    // taken (split into packets of at most the peer's max packet size). The caller keeps the
    // rest and offers it again after ChannelWritable. Taken bytes are never lost: during a
    // key exchange they are held (bounded by the peer's window) and sent after NEWKEYS.
    Result<std::size_t> sendData(ChannelId id, ByteView data, bool extended = false);
    // How many bytes sendData would take now.
    std::size_t sendWindow(ChannelId id) const;
    // Channels open now (sessions and forwarded ones) that have not yet closed both ways.
    std::size_t openChannelCount() const;
    Status sendEof(ChannelId id);
    Status closeChannel(ChannelId id);
    // The consumer has processed n bytes of ChannelData for this channel: the receive window
    // is refilled from this, not on arrival, so a stalled consumer bounds memory at the
    // window size (RFC 4254 §5.2).
    void consumed(ChannelId id, std::size_t n);

    // ---- Global requests (RFC 4254 §4) ----

    // With wantReply, a GlobalRequestResult event follows.
    Status sendGlobalRequest(std::string_view name, ByteView data, bool wantReply);
    // RFC 4254 §7.1 remote forwarding (-R): asks the server to listen on bindAddress:port
    // ("" all addresses, "localhost" loopback; port 0: the server picks). A TcpipForwardResult
    // event with the same id follows; on success connections arrive as ChannelOpenRequest
    // events of kind ForwardedTcpip naming bindAddress and the bound port.
    Result<RequestId> requestTcpipForward(std::string_view bindAddress, std::uint32_t port);
    // cancel-tcpip-forward for an active forward (the bound port). The forward stops at once:
    // connections the server opens for it afterwards are refused.
    Status cancelTcpipForward(std::string_view bindAddress, std::uint32_t port);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace portal::protocol::client
