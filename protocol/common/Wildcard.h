// The wildcard language of ssh_config(5) "PATTERNS" ('*' any run, '?' one character), shared
// by the algorithm lists, known_hosts and the config reader so all three match alike.
#pragma once

#include <string_view>

namespace portal::protocol {

enum class WildcardCase { Sensitive, Insensitive /* ASCII, as host names compare */ };

// Whole-string match. Linear backtracking on the last '*' only, so no input (however many
// stars) can make it exponential.
bool matchWildcard(std::string_view text, std::string_view pattern,
                   WildcardCase letterCase = WildcardCase::Sensitive);

} // namespace portal::protocol
