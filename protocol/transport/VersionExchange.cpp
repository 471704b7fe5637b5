// RFC 4253 §4.2 identification-string exchange, client side.
#include "transport/VersionExchange.h"

#include <algorithm>

namespace portal::protocol::transport {

Bytes VersionExchange::identificationLine(const std::string& clientVersion) {
    Bytes line = toBytes(clientVersion);
    line.push_back('\r');
    line.push_back('\n');
    return line;
}

Result<std::size_t> VersionExchange::feed(ByteView input) {
    std::size_t consumed = 0;
    while (state_ == State::AwaitingVersion && consumed < input.size()) {
        auto begin = input.begin() + static_cast<std::ptrdiff_t>(consumed);
        auto newline = std::find(begin, input.end(), std::uint8_t('\n'));
        std::size_t take = static_cast<std::size_t>(newline - begin);
        bool complete = newline != input.end();
        // Bound the line before it is buffered: a version line ("SSH-") is held to the RFC's
        // 255 bytes, other lines to a generous limit.
        std::string_view piece = asText(input.subspan(consumed, take));
        std::size_t lineLength = partialLine_.size() + take + (complete ? 1 : 0);
        bool looksLikeVersion = (partialLine_ + std::string(piece.substr(0, 4))).rfind("SSH-", 0) == 0;
        if (looksLikeVersion && lineLength > kMaxVersionLineLength)
            return Error::protocol("server identification line is longer than 255 bytes "
                                   "(RFC 4253 §4.2)");
        if (lineLength > kMaxPreBannerLineLength)
            return Error::protocol("server sent a line of more than " +
                                   std::to_string(kMaxPreBannerLineLength) +
                                   " bytes before its identification string");
        partialLine_.append(piece);
        consumed += take;
        if (!complete)
            break;
        consumed += 1; // the LF
        std::string line = std::move(partialLine_);
        partialLine_.clear();
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (Status status = acceptLine(std::move(line)); !status)
            return status.error();
    }
    return consumed;
}

Status VersionExchange::acceptLine(std::string line) {
    if (++linesSeen_ > kMaxPreBannerLines + 1)
        return Error::protocol("server sent more than " + std::to_string(kMaxPreBannerLines) +
                               " lines without an SSH identification string");
    if (line.find('\0') != std::string::npos)
        return Error::protocol("server identification contains a NUL byte");
    if (line.rfind("SSH-", 0) != 0) {
        // RFC 4253 §4.2: other lines may precede the version; they are not UTF-8 checked
        // here because they are only shown, never parsed.
        preBannerLines_.push_back(std::move(line));
        return {};
    }
    // RFC 4253 §5.1: "1.99" announces a server that also speaks 2.0.
    if (line.rfind("SSH-2.0-", 0) != 0 && line.rfind("SSH-1.99-", 0) != 0) {
        std::string shown = line.substr(0, 64);
        return Error::protocol("server speaks an unsupported protocol version: \"" + shown +
                               "\" (only SSH-2.0 is supported)");
    }
    std::size_t softwareStart = line.find('-', 4) + 1;
    if (softwareStart >= line.size() || line[softwareStart] == ' ')
        return Error::protocol("server identification has no software version: \"" + line + "\"");
    serverVersion_ = std::move(line);
    state_ = State::Done;
    return {};
}

} // namespace portal::protocol::transport
