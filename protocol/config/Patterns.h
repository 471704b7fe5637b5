// The pattern language of ssh_config(5) "PATTERNS": '*' and '?' wildcards, comma-separated
// lists and '!' negation, as used by Host, Match, IgnoreUnknown and SendEnv.
#pragma once

#include "common/Wildcard.h"

#include <string_view>

namespace portal::protocol::config {

// One pattern: protocol::matchWildcard (common/Wildcard.h), case-sensitive; callers
// lower-case both sides where OpenSSH does.
using protocol::matchWildcard;

enum class ListMatch { NoMatch, Match, NegatedMatch };

// A comma-separated pattern list: a match of any negated entry ("!pat") wins over every
// positive one, as in OpenSSH's match_pattern_list(). With `lowerCasePatterns` the patterns
// are lower-cased first (host names are compared in lower case).
ListMatch matchPatternList(std::string_view text, std::string_view list, bool lowerCasePatterns);

} // namespace portal::protocol::config
