// Splitting of ssh_config(5) lines, following OpenSSH readconf.c (strdelim) and misc.c
// (argv_split with comments ending the line).
#include "config/ConfigLine.h"

#include <cctype>

namespace portal::protocol::config {
namespace {

bool isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Arguments as argv_split() makes them: whitespace separates, quotes group, a backslash
// escapes a quote, a backslash or (outside quotes) a space, and a token starting with '#'
// ends the line.
Result<std::vector<std::string>> splitArguments(std::string_view text) {
    std::vector<std::string> args;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ' ' || text[i] == '\t') {
            ++i;
            continue;
        }
        if (text[i] == '#')
            break;
        std::string arg;
        char quote = 0;
        for (; i < text.size(); ++i) {
            const char c = text[i];
            if (c == '\\' && i + 1 < text.size()) {
                const char next = text[i + 1];
                if (next == '\'' || next == '"' || next == '\\' || (quote == 0 && next == ' ')) {
                    arg += next;
                    ++i;
                } else {
                    arg += c; // an unrecognised escape stays as written
                }
            } else if (quote == 0 && (c == ' ' || c == '\t')) {
                break;
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else {
                arg += c;
            }
        }
        if (quote != 0)
            return Error::localFile("invalid quotes");
        args.push_back(std::move(arg));
    }
    return args;
}

} // namespace

Result<ConfigLine> splitConfigLine(std::string_view line) {
    // Trailing whitespace (and form feeds) do not count, as in readconf.c.
    while (!line.empty() && (isBlank(line.back()) || line.back() == '\f'))
        line.remove_suffix(1);
    std::size_t i = 0;
    while (i < line.size() && isBlank(line[i]))
        ++i;

    ConfigLine result;
    if (i == line.size() || line[i] == '#')
        return result;

    // The keyword runs to whitespace, a quote or '='; then whitespace, at most one '=' and
    // whitespace again separate it from its arguments.
    std::size_t end = i;
    while (end < line.size() && !isBlank(line[end]) && line[end] != '=' && line[end] != '"' &&
           line[end] != '\'')
        ++end;
    std::string keyword(line.substr(i, end - i));
    if (keyword.empty())
        return Error::localFile("missing keyword");
    for (char& c : keyword)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

    std::size_t rest = end;
    while (rest < line.size() && isBlank(line[rest]))
        ++rest;
    if (rest < line.size() && line[rest] == '=') {
        ++rest;
        while (rest < line.size() && isBlank(line[rest]))
            ++rest;
    }
    if (rest == line.size())
        return Error::localFile("no argument after keyword \"" + keyword + "\"");

    Result<std::vector<std::string>> args = splitArguments(line.substr(rest));
    if (!args)
        return args.error();
    result.keyword = std::move(keyword);
    result.args = std::move(*args);
    result.rest = std::string(line.substr(rest));
    return result;
}

} // namespace portal::protocol::config
