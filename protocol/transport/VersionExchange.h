// The identification-string exchange that opens every SSH connection (RFC 4253 §4.2, §5.1):
// reads the server's "SSH-2.0-softwareversion comments" line, tolerating the lines a server
// may send before it, with bounds so that an endless or oversized banner cannot hold us.
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"

#include <cstddef>
#include <string>
#include <vector>

namespace portal::protocol::transport {

class VersionExchange {
public:
    // RFC 4253 §4.2: the identification line, CR LF included, is at most 255 bytes.
    static constexpr std::size_t kMaxVersionLineLength = 255;
    // Lines before it have no length limit in the RFC; OpenSSH allows 1024 of them.
    static constexpr std::size_t kMaxPreBannerLines = 1024;
    static constexpr std::size_t kMaxPreBannerLineLength = 8192;

    enum class State { AwaitingVersion, Done };

    // Our line, with CR LF, as it goes on the wire.
    static Bytes identificationLine(const std::string& clientVersion);

    // Consumes input up to and including the server's identification line. Returns how many
    // bytes were consumed (all of `input` while still waiting); what follows belongs to the
    // binary packet protocol. An error is final.
    Result<std::size_t> feed(ByteView input);

    State state() const { return state_; }
    // Without CR LF (it is hashed in that form, RFC 4253 §8).
    const std::string& serverVersion() const { return serverVersion_; }
    const std::vector<std::string>& preBannerLines() const { return preBannerLines_; }

private:
    Status acceptLine(std::string line);

    State state_ = State::AwaitingVersion;
    std::string partialLine_;
    std::string serverVersion_;
    std::vector<std::string> preBannerLines_;
    std::size_t linesSeen_ = 0;
};

} // namespace portal::protocol::transport
