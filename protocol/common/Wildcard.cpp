// ssh_config(5) PATTERNS wildcard matching.
#include "common/Wildcard.h"

namespace portal::protocol {

namespace {
char foldAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
} // namespace

bool matchWildcard(std::string_view text, std::string_view pattern, WildcardCase letterCase) {
    auto same = [letterCase](char a, char b) {
        return letterCase == WildcardCase::Sensitive ? a == b : foldAscii(a) == foldAscii(b);
    };
    // Greedy matching that remembers the last '*' and, on a mismatch, lets that star swallow
    // one more character and retries from there.
    std::size_t t = 0, p = 0;
    std::size_t starPattern = std::string_view::npos, starText = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || same(pattern[p], text[t]))) {
            ++t;
            ++p;
        } else if (p < pattern.size() && pattern[p] == '*') {
            starPattern = p++;
            starText = t;
        } else if (starPattern != std::string_view::npos) {
            p = starPattern + 1;
            t = ++starText;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

} // namespace portal::protocol
