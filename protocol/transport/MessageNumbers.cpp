// Names of SSH message numbers for logs and error messages (RFC 4250 §4.1).
#include "transport/MessageNumbers.h"

namespace portal::protocol::transport {

const char* messageName(std::uint8_t number) {
    switch (number) {
    case msg::Disconnect: return "DISCONNECT";
    case msg::Ignore: return "IGNORE";
    case msg::Unimplemented: return "UNIMPLEMENTED";
    case msg::Debug: return "DEBUG";
    case msg::ServiceRequest: return "SERVICE_REQUEST";
    case msg::ServiceAccept: return "SERVICE_ACCEPT";
    case msg::ExtInfo: return "EXT_INFO";
    case msg::KexInit: return "KEXINIT";
    case msg::NewKeys: return "NEWKEYS";
    case 30: return "KEX_INIT (30)";
    case 31: return "KEX_REPLY (31)";
    case 32: return "KEX_DH_GEX_INIT";
    case 33: return "KEX_DH_GEX_REPLY";
    case 34: return "KEX_DH_GEX_REQUEST";
    case msg::UserauthRequest: return "USERAUTH_REQUEST";
    case msg::UserauthFailure: return "USERAUTH_FAILURE";
    case msg::UserauthSuccess: return "USERAUTH_SUCCESS";
    case msg::UserauthBanner: return "USERAUTH_BANNER";
    case msg::UserauthMethodSpecific: return "USERAUTH (60)";
    case msg::UserauthInfoResponse: return "USERAUTH_INFO_RESPONSE";
    case msg::GlobalRequest: return "GLOBAL_REQUEST";
    case msg::RequestSuccess: return "REQUEST_SUCCESS";
    case msg::RequestFailure: return "REQUEST_FAILURE";
    case msg::ChannelOpen: return "CHANNEL_OPEN";
    case msg::ChannelOpenConfirmation: return "CHANNEL_OPEN_CONFIRMATION";
    case msg::ChannelOpenFailure: return "CHANNEL_OPEN_FAILURE";
    case msg::ChannelWindowAdjust: return "CHANNEL_WINDOW_ADJUST";
    case msg::ChannelData: return "CHANNEL_DATA";
    case msg::ChannelExtendedData: return "CHANNEL_EXTENDED_DATA";
    case msg::ChannelEof: return "CHANNEL_EOF";
    case msg::ChannelClose: return "CHANNEL_CLOSE";
    case msg::ChannelRequest: return "CHANNEL_REQUEST";
    case msg::ChannelSuccess: return "CHANNEL_SUCCESS";
    case msg::ChannelFailure: return "CHANNEL_FAILURE";
    default: return "unknown message";
    }
}

} // namespace portal::protocol::transport
