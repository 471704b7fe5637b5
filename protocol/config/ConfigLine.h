// Splits one ssh_config(5) line into its keyword and arguments: "Key Value", "Key=Value",
// "Key = Value", double or single quotes, backslash escapes and '#' comments, in the way
// OpenSSH's readconf.c and argv_split() do, so a file means the same to both.
#pragma once

#include "common/Error.h"

#include <string>
#include <string_view>
#include <vector>

namespace portal::protocol::config {

struct ConfigLine {
    std::string keyword;           // lower-cased; empty for a blank or comment-only line
    std::vector<std::string> args; // quotes and escapes removed, comment dropped
    std::string rest;              // the raw text after the keyword and its separator,
                                   // used verbatim by ProxyCommand and RemoteCommand
};

// Returns an error text (without location) for unbalanced quotes or a keyword without
// argument.
Result<ConfigLine> splitConfigLine(std::string_view line);

} // namespace portal::protocol::config
