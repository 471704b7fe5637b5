#include "common/Error.h"

namespace portal::protocol {

const char* categoryName(ErrorCategory category) {
    switch (category) {
    case ErrorCategory::Network: return "network";
    case ErrorCategory::Protocol: return "protocol";
    case ErrorCategory::Auth: return "authentication";
    case ErrorCategory::HostKey: return "host key";
    case ErrorCategory::Crypto: return "crypto";
    case ErrorCategory::LocalFile: return "local file";
    case ErrorCategory::Cancelled: return "cancelled";
    }
    return "unknown";
}

} // namespace portal::protocol
