// SSH_MSG_KEXINIT (RFC 4253 §7.1): the message, and the negotiation of one algorithm per
// purpose from the client's and the server's lists. Also knows the pseudo-algorithm markers
// that ride in the KEX list: ext-info-c/-s (RFC 8308 §2.1) and OpenSSH's strict KEX
// kex-strict-c-v00@openssh.com / kex-strict-s-v00@openssh.com (Terrapin countermeasure).
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"

#include <array>
#include <string>
#include <vector>

namespace portal::protocol::transport {

inline constexpr const char* kExtInfoClient = "ext-info-c";
inline constexpr const char* kExtInfoServer = "ext-info-s";
inline constexpr const char* kStrictKexClient = "kex-strict-c-v00@openssh.com";
inline constexpr const char* kStrictKexServer = "kex-strict-s-v00@openssh.com";

struct KexInitMessage {
    std::array<std::uint8_t, 16> cookie{};
    std::vector<std::string> kexAlgorithms;
    std::vector<std::string> hostKeyAlgorithms;
    std::vector<std::string> ciphersClientToServer;
    std::vector<std::string> ciphersServerToClient;
    std::vector<std::string> macsClientToServer;
    std::vector<std::string> macsServerToClient;
    std::vector<std::string> compressionClientToServer;
    std::vector<std::string> compressionServerToClient;
    std::vector<std::string> languagesClientToServer;
    std::vector<std::string> languagesServerToClient;
    bool firstKexPacketFollows = false;

    // The whole payload, message number included (it is hashed as I_C / I_S).
    Bytes encode() const;
    static Result<KexInitMessage> parse(ByteView payload);
};

struct NegotiatedAlgorithms {
    std::string kex;
    std::string hostKey;
    std::string cipherClientToServer;
    std::string cipherServerToClient;
    std::string macClientToServer; // empty for AEAD ciphers
    std::string macServerToClient;
    bool strictKex = false;       // both sides offered the strict-KEX marker
    bool serverWantsExtInfo = false; // ext-info-c in the client's list (server-side view)
    // RFC 4253 §7: the sender's guessed first KEX packet must be ignored when wrong.
    bool ignoreGuessedPacket = false;
};

// A name-list as it appears on the wire ("a,b,c"), for logs and error messages.
std::string joinNameList(const std::vector<std::string>& names);

// RFC 4253 §7.1: for each purpose the first algorithm in the client's list that the server
// also lists. The markers (ext-info, strict KEX) are never chosen as a KEX method.
// `initialKex` tells whether the strict-KEX markers count (they do only in the first KEX).
Result<NegotiatedAlgorithms> negotiateAlgorithms(const KexInitMessage& client,
                                                 const KexInitMessage& server, bool initialKex);

} // namespace portal::protocol::transport
