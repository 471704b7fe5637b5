// ssh_config(5) PATTERNS: wildcard matching and negatable pattern lists.
#include "config/Patterns.h"

#include <cctype>
#include <string>

namespace portal::protocol::config {

ListMatch matchPatternList(std::string_view text, std::string_view list, bool lowerCasePatterns) {
    bool matched = false;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t end = list.find(',', start);
        if (end == std::string_view::npos)
            end = list.size();
        std::string_view entry = list.substr(start, end - start);
        start = end + 1;

        const bool negated = !entry.empty() && entry.front() == '!';
        if (negated)
            entry.remove_prefix(1);
        std::string pattern(entry);
        if (lowerCasePatterns)
            for (char& c : pattern)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (matchWildcard(text, pattern)) {
            if (negated)
                return ListMatch::NegatedMatch;
            matched = true;
        }
        if (end == list.size())
            break;
    }
    return matched ? ListMatch::Match : ListMatch::NoMatch;
}

} // namespace portal::protocol::config
