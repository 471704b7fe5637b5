// SSH message numbers (RFC 4250 §4.1, RFC 4253 §12, RFC 4252 §6, RFC 4254 §9, RFC 4256 §5,
// RFC 4419 §5, RFC 5656 §7.1, RFC 8308 §2.3) and the DISCONNECT reason codes (RFC 4250 §4.2.2).
#pragma once

#include <cstdint>

namespace portal::protocol::transport {

namespace msg {
// Transport layer generic (1-19).
inline constexpr std::uint8_t Disconnect = 1;
inline constexpr std::uint8_t Ignore = 2;
inline constexpr std::uint8_t Unimplemented = 3;
inline constexpr std::uint8_t Debug = 4;
inline constexpr std::uint8_t ServiceRequest = 5;
inline constexpr std::uint8_t ServiceAccept = 6;
inline constexpr std::uint8_t ExtInfo = 7;
// Algorithm negotiation (20-29) and key-exchange method specific (30-49).
inline constexpr std::uint8_t KexInit = 20;
inline constexpr std::uint8_t NewKeys = 21;
inline constexpr std::uint8_t KexdhInit = 30;       // also KEX_ECDH_INIT
inline constexpr std::uint8_t KexdhReply = 31;      // also KEX_ECDH_REPLY, KEX_DH_GEX_GROUP
inline constexpr std::uint8_t KexDhGexGroup = 31;
inline constexpr std::uint8_t KexDhGexInit = 32;
inline constexpr std::uint8_t KexDhGexReply = 33;
inline constexpr std::uint8_t KexDhGexRequest = 34;
// User authentication (50-79).
inline constexpr std::uint8_t UserauthRequest = 50;
inline constexpr std::uint8_t UserauthFailure = 51;
inline constexpr std::uint8_t UserauthSuccess = 52;
inline constexpr std::uint8_t UserauthBanner = 53;
inline constexpr std::uint8_t UserauthMethodSpecific = 60; // PK_OK, PASSWD_CHANGEREQ, INFO_REQUEST
inline constexpr std::uint8_t UserauthInfoResponse = 61;
// Connection protocol (80-127).
inline constexpr std::uint8_t GlobalRequest = 80;
inline constexpr std::uint8_t RequestSuccess = 81;
inline constexpr std::uint8_t RequestFailure = 82;
inline constexpr std::uint8_t ChannelOpen = 90;
inline constexpr std::uint8_t ChannelOpenConfirmation = 91;
inline constexpr std::uint8_t ChannelOpenFailure = 92;
inline constexpr std::uint8_t ChannelWindowAdjust = 93;
inline constexpr std::uint8_t ChannelData = 94;
inline constexpr std::uint8_t ChannelExtendedData = 95;
inline constexpr std::uint8_t ChannelEof = 96;
inline constexpr std::uint8_t ChannelClose = 97;
inline constexpr std::uint8_t ChannelRequest = 98;
inline constexpr std::uint8_t ChannelSuccess = 99;
inline constexpr std::uint8_t ChannelFailure = 100;
} // namespace msg

// The message ranges of RFC 4250 §4.1.1.
inline bool isTransportGeneric(std::uint8_t n) { return n >= 1 && n <= 19; }
inline bool isKexMessage(std::uint8_t n) { return n >= 20 && n <= 49; }
inline bool isUserauthMessage(std::uint8_t n) { return n >= 50 && n <= 79; }
inline bool isConnectionMessage(std::uint8_t n) { return n >= 80 && n <= 127; }

namespace disconnect {
inline constexpr std::uint32_t ProtocolError = 2;
inline constexpr std::uint32_t KeyExchangeFailed = 3;
inline constexpr std::uint32_t MacError = 5;
inline constexpr std::uint32_t ServiceNotAvailable = 7;
inline constexpr std::uint32_t HostKeyNotVerifiable = 9;
inline constexpr std::uint32_t ByApplication = 11;
inline constexpr std::uint32_t NoMoreAuthMethodsAvailable = 14;
} // namespace disconnect

// A name for logs and error messages: "KEXINIT (20)".
const char* messageName(std::uint8_t number);

} // namespace portal::protocol::transport
