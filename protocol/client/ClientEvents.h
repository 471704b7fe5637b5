// The events an SshClient reports, the snapshot of what a connection negotiated, and the few
// settings the protocol layers share. The layers (transport, auth, connection) queue these
// events directly; SshClient.h is the facade that hands them out through pollEvent().
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <variant>
#include <vector>

namespace portal::protocol::client {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// Our local channel number (the "sender channel" we put in CHANNEL_OPEN, RFC 4254 §5.1).
using ChannelId = std::uint32_t;
// Identifies an outstanding host-key decision or prompt, for answerHostKey()/answerPrompt().
using RequestId = std::uint64_t;

// StrictHostKeyChecking as ssh_config(5) defines it.
enum class HostKeyPolicy {
    Ask,       // unknown key: a HostKeyDecision event; changed key: refuse
    Strict,    // "yes": unknown or changed key: refuse
    AcceptNew, // unknown key: accept and save; changed key: refuse
    Off,       // "no": unknown key: accept and save; changed key: refuse (never silently
               // accept a changed key, unlike OpenSSH which merely disables some features)
};

enum class AuthMethod { None, Password, PublicKey, KeyboardInteractive };

// A private key to offer for publickey authentication. The file is read (and, if encrypted,
// a Passphrase prompt raised) only when the server lets us try publickey.
struct Identity {
    std::string path;
};

// What was negotiated, for -v output and the UI's connection details.
struct ConnectionInfo {
    std::string serverVersion;  // the server's identification line without CR LF
    std::string kex;
    std::string hostKeyAlgorithm;
    std::string hostKeyType;
    std::string hostKeyFingerprint; // SHA256:...
    std::string cipherClientToServer;
    std::string cipherServerToClient;
    std::string macClientToServer; // "<implicit>" for AEAD ciphers
    std::string macServerToClient;
    bool strictKex = false;
    bool extInfo = false;
    std::vector<std::string> serverSigAlgs; // from SSH_MSG_EXT_INFO, if sent
    std::string authMethod;                  // the method that completed authentication
    int keyExchanges = 0;                    // 1 after the initial exchange, +1 per rekey
};

// ---- Events (pollEvent) ----

enum class LogLevel { Info, Verbose, Debug }; // -v shows Verbose, -vv also Debug

struct LogEvent {
    LogLevel level = LogLevel::Verbose;
    std::string text;
};

enum class HostKeyStatus { Unknown, Changed };

// The server's host key is not in known_hosts (policy Ask): answer with answerHostKey().
// A changed or revoked key never asks; it ends the connection with a HostKey error.
struct HostKeyDecision {
    RequestId id = 0;
    std::string host;
    int port = 22;
    std::string keyType;     // "ssh-ed25519", ...
    std::string fingerprint; // "SHA256:..."
    std::string randomArt;
    HostKeyStatus status = HostKeyStatus::Unknown;
    // Other key types already known for this host (OpenSSH mentions them).
    std::vector<std::string> knownKeyTypes;
};

enum class PromptKind {
    Password,            // "user@host's password:"
    Passphrase,          // for an encrypted identity file; name holds the path
    KeyboardInteractive, // RFC 4256 §3.2 INFO_REQUEST (may hold zero prompts)
    PasswordChange,      // RFC 4252 §8 PASSWD_CHANGEREQ: old, new, repeat new
};

struct PromptField {
    std::string text;
    bool echo = false;
};

// Answer with answerPrompt(id, one SecretBytes per field) or cancelPrompt(id).
struct PromptEvent {
    RequestId id = 0;
    PromptKind kind = PromptKind::Password;
    std::string name;
    std::string instruction;
    std::vector<PromptField> fields;
};

// SSH_MSG_USERAUTH_BANNER (RFC 4252 §5.4); control characters are the caller's to filter.
struct BannerEvent {
    std::string text;
};

struct AuthenticatedEvent {
    std::string method; // "publickey", "password", "keyboard-interactive", "none"
    std::string info;   // e.g. "ED25519 SHA256:... from /home/u/.ssh/id_ed25519"
};

struct ChannelOpenedEvent {
    ChannelId id = 0;
};

struct ChannelOpenFailedEvent {
    ChannelId id = 0;
    std::uint32_t reasonCode = 0; // RFC 4254 §5.1
    std::string description;
};

struct ChannelDataEvent {
    ChannelId id = 0;
    bool extended = false; // SSH_EXTENDED_DATA_STDERR
    Bytes data;            // call consumed(id, n) once these bytes are processed
};

struct ChannelEofEvent {
    ChannelId id = 0;
};

// The reply to a channel request sent with want-reply (pty-req, shell, exec, subsystem).
struct ChannelRequestResultEvent {
    ChannelId id = 0;
    std::string request;
    bool success = false;
};

struct ExitStatusEvent {
    ChannelId id = 0;
    std::uint32_t status = 0;
};

struct ExitSignalEvent {
    ChannelId id = 0;
    std::string signal; // without "SIG", as RFC 4254 §6.10 sends it
    bool coreDumped = false;
    std::string message;
};

struct ChannelClosedEvent {
    ChannelId id = 0;
};

// The peer's window grew after sendData() accepted less than offered.
struct ChannelWritableEvent {
    ChannelId id = 0;
    std::size_t window = 0;
};

// The reply to sendGlobalRequest(..., wantReply = true), in request order (RFC 4254 §4).
struct GlobalRequestResultEvent {
    std::string request;
    bool success = false;
    Bytes data; // request-specific reply data (tcpip-forward's bound port)
};

// RFC 4254 §7.2 forwarded-tcpip, §6.3.2 x11, and OpenSSH's auth-agent@openssh.com
// (PROTOCOL.agent): the server opens a channel towards us. Only opens that match something we
// asked for are reported (an active tcpip-forward, an X11 or agent forwarding request); the
// rest are refused by the connection layer with a LogEvent. Answer with acceptChannelOpen(id)
// or rejectChannelOpen(id, ...).
enum class ChannelOpenKind { ForwardedTcpip, X11, AuthAgent };

struct ChannelOpenRequestEvent {
    RequestId id = 0;
    ChannelOpenKind kind = ChannelOpenKind::ForwardedTcpip;
    // forwarded-tcpip: the forwarded address and port the connection came in on (as we asked
    // for it in tcpip-forward, with the port the server bound). Empty / 0 for x11 and agent.
    std::string connectedAddress;
    std::uint32_t connectedPort = 0;
    // forwarded-tcpip and x11: who connected on the server side. Empty / 0 for agent.
    std::string originatorAddress;
    std::uint32_t originatorPort = 0;
};

// The reply to requestTcpipForward (RFC 4254 §7.1). When requestedPort was 0 the server chose
// boundPort; otherwise boundPort == requestedPort. On success the forward is active until
// cancelTcpipForward(bindAddress, boundPort).
struct TcpipForwardResultEvent {
    RequestId id = 0;
    std::string bindAddress;
    std::uint32_t requestedPort = 0;
    std::uint32_t boundPort = 0;
    bool success = false;
};

// RFC 4254 §6.8 xon-xoff: whether the client may do flow control locally (^S/^Q).
struct FlowControlEvent {
    ChannelId id = 0;
    bool clientCanDo = false;
};

// Always the last event. `clean` when disconnect() was called or the server closed after we
// had nothing outstanding; otherwise `error` says why (category and a sentence).
struct DisconnectedEvent {
    bool clean = false;
    Error error;
};

using Event = std::variant<LogEvent, HostKeyDecision, PromptEvent, BannerEvent,
                           AuthenticatedEvent, ChannelOpenedEvent, ChannelOpenFailedEvent,
                           ChannelDataEvent, ChannelEofEvent, ChannelRequestResultEvent,
                           ExitStatusEvent, ExitSignalEvent, ChannelClosedEvent,
                           ChannelWritableEvent, GlobalRequestResultEvent, ChannelOpenRequestEvent,
                           TcpipForwardResultEvent, FlowControlEvent, DisconnectedEvent>;

using EventQueue = std::deque<Event>;

} // namespace portal::protocol::client
