// Parses `portal-cli ssh` arguments with ssh(1)'s meanings and ssh_config(5)'s first-value-wins
// rule for -o keywords.
#include "SshOptions.h"

#include "crypto/Algorithms.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>

namespace portal::app::cli {

using protocol::Error;
using protocol::Result;
using protocol::Status;
using protocol::client::HostKeyPolicy;
using protocol::crypto::AlgorithmFamily;

namespace {

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return text;
}

std::optional<long long> parseInteger(std::string_view text) {
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return value;
}

// sshd_config(5) "TIME FORMATS": a sequence of number[qualifier], qualifiers s m h d w.
std::optional<std::chrono::seconds> parseTime(std::string_view text) {
    if (text.empty())
        return std::nullopt;
    long long total = 0;
    while (!text.empty()) {
        std::size_t digits = 0;
        while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
            ++digits;
        if (digits == 0 || digits > 9)
            return std::nullopt;
        long long amount = *parseInteger(text.substr(0, digits));
        text.remove_prefix(digits);
        long long unit = 1;
        if (!text.empty() && !std::isdigit(static_cast<unsigned char>(text.front()))) {
            switch (std::tolower(static_cast<unsigned char>(text.front()))) {
            case 's': unit = 1; break;
            case 'm': unit = 60; break;
            case 'h': unit = 3600; break;
            case 'd': unit = 86400; break;
            case 'w': unit = 604800; break;
            default: return std::nullopt;
            }
            text.remove_prefix(1);
        }
        total += amount * unit;
    }
    return std::chrono::seconds(total);
}

std::optional<bool> parseYesNo(std::string_view text) {
    const std::string value = lowercase(text);
    if (value == "yes")
        return true;
    if (value == "no")
        return false;
    return std::nullopt;
}

std::optional<int> parsePort(std::string_view text) {
    const std::optional<long long> port = parseInteger(text);
    if (!port || *port < 1 || *port > 65535)
        return std::nullopt;
    return static_cast<int>(*port);
}

class ArgumentParser {
public:
    explicit ArgumentParser(const LocalContext& local) : local_(local) {}

    Result<SshInvocation> parse(const std::vector<std::string>& args);

private:
    Status parseFlags(const std::vector<std::string>& args, std::size_t& index);
    Status applyFlag(char flag, const std::string& value);
    Status applyDestination(std::string destination);
    Status applyOption(std::string_view text);
    Status applyKeyword(const std::string& keyword, std::string_view value);
    Status setAlgorithms(AlgorithmFamily family, std::string_view value, std::vector<std::string>& target);
    void finish();

    // First value wins (ssh_config(5)): a keyword set once is not set again.
    bool claim(const std::string& keyword) { return seen_.insert(keyword).second; }
    std::string expandPath(std::string_view path) const;

    const LocalContext& local_;
    SshInvocation invocation_;
    std::set<std::string> seen_;
    std::vector<std::string> identityFiles_;
};

std::string ArgumentParser::expandPath(std::string_view path) const {
    if (path == "~")
        return local_.home;
    if (path.substr(0, 2) == "~/")
        return local_.home + std::string(path.substr(1));
    return std::string(path);
}

Result<SshInvocation> ArgumentParser::parse(const std::vector<std::string>& args) {
    std::size_t index = 0;
    if (Status flags = parseFlags(args, index); !flags)
        return flags.error();
    if (index >= args.size())
        return Error::protocol(sshUsage());
    if (Status destination = applyDestination(args[index++]); !destination)
        return destination.error();
    // ssh(1) accepts options after the destination too ("ssh host -p 2222 cmd"), up to the
    // first word of the command or "--".
    if (Status flags = parseFlags(args, index); !flags)
        return flags.error();
    for (; index < args.size(); ++index) {
        if (!invocation_.command.empty())
            invocation_.command += ' ';
        invocation_.command += args[index];
    }
    finish();
    return std::move(invocation_);
}

Status ArgumentParser::parseFlags(const std::vector<std::string>& args, std::size_t& index) {
    static const std::string flagsWithValue = "clmiop";
    static const std::string flagsAlone = "46nqTv";
    while (index < args.size()) {
        const std::string& word = args[index];
        if (word == "--") {
            ++index;
            return {};
        }
        if (word.size() < 2 || word[0] != '-')
            return {};
        ++index;
        for (std::size_t at = 1; at < word.size(); ++at) {
            const char flag = word[at];
            if (flagsAlone.find(flag) != std::string::npos) {
                if (Status applied = applyFlag(flag, {}); !applied)
                    return applied;
                continue;
            }
            if (flagsWithValue.find(flag) == std::string::npos)
                return Error::protocol(std::string("unknown option -- ") + flag + "\n" + sshUsage());
            // The value is the rest of this word ("-p2222") or the next word ("-p 2222").
            std::string value = word.substr(at + 1);
            if (value.empty()) {
                if (index >= args.size())
                    return Error::protocol(std::string("option requires an argument -- ") + flag + "\n" +
                                           sshUsage());
                value = args[index++];
            }
            if (Status applied = applyFlag(flag, value); !applied)
                return applied;
            break;
        }
    }
    return {};
}

Status ArgumentParser::applyFlag(char flag, const std::string& value) {
    switch (flag) {
    case '4': invocation_.addressFamily = AddressFamily::IPv4; return {};
    case '6': invocation_.addressFamily = AddressFamily::IPv6; return {};
    case 'n': invocation_.stdinFromDevNull = true; return {};
    case 'q': invocation_.quiet = true; return {};
    case 'T': return {}; // no pty is requested for a command; interactive -t is issue 3's
    case 'v': ++invocation_.verbosity; return {};
    case 'c': return applyKeyword("ciphers", value);
    case 'm': return applyKeyword("macs", value);
    case 'i': return applyKeyword("identityfile", value);
    case 'l': return applyKeyword("user", value);
    case 'p':
        if (!parsePort(value))
            return Error::protocol("Bad port '" + value + "'");
        return applyKeyword("port", value);
    case 'o': return applyOption(value);
    default: return Error::protocol(std::string("unknown option -- ") + flag);
    }
}

Status ArgumentParser::applyDestination(std::string destination) {
    // ssh://[user@]host[:port] (RFC 3986 form, as ssh(1) accepts it).
    if (destination.rfind("ssh://", 0) == 0) {
        std::string rest = destination.substr(6);
        if (!rest.empty() && rest.back() == '/')
            rest.pop_back();
        if (const std::size_t at = rest.rfind('@'); at != std::string::npos) {
            if (Status user = applyKeyword("user", rest.substr(0, at)); !user)
                return user;
            rest = rest.substr(at + 1);
        }
        std::string host = rest;
        if (!rest.empty() && rest.front() == '[') {
            const std::size_t close = rest.find(']');
            if (close == std::string::npos)
                return Error::protocol("Invalid URI: " + destination);
            host = rest.substr(1, close - 1);
            rest = rest.substr(close + 1);
        } else {
            const std::size_t colon = rest.find(':');
            host = rest.substr(0, colon);
            rest = colon == std::string::npos ? std::string() : rest.substr(colon);
        }
        if (!rest.empty()) {
            if (rest.front() != ':' || !parsePort(rest.substr(1)))
                return Error::protocol("Invalid URI: " + destination);
            if (Status port = applyKeyword("port", rest.substr(1)); !port)
                return port;
        }
        if (host.empty())
            return Error::protocol("Invalid URI: " + destination);
        invocation_.config.host = host;
        return {};
    }
    if (const std::size_t at = destination.rfind('@'); at != std::string::npos) {
        if (at == 0)
            return Error::protocol(sshUsage());
        if (Status user = applyKeyword("user", destination.substr(0, at)); !user)
            return user;
        destination = destination.substr(at + 1);
    }
    if (destination.size() > 2 && destination.front() == '[' && destination.back() == ']')
        destination = destination.substr(1, destination.size() - 2);
    if (destination.empty())
        return Error::protocol(sshUsage());
    invocation_.config.host = destination;
    return {};
}

Status ArgumentParser::applyOption(std::string_view text) {
    // "Keyword=value", "Keyword value" or "Keyword = value" (ssh_config(5)).
    text = trim(text);
    const std::size_t split = text.find_first_of("= \t");
    if (split == std::string_view::npos || split == 0)
        return Error::protocol("command-line: line 0: missing argument for option \"" + std::string(text) + "\"");
    const std::string keyword(text.substr(0, split));
    std::string_view value = trim(text.substr(split));
    if (!value.empty() && value.front() == '=')
        value = trim(value.substr(1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
    if (value.empty())
        return Error::protocol("command-line: line 0: missing argument for option \"" +
                               std::string(text.substr(0, split)) + "\"");
    return applyKeyword(keyword, value);
}

Status ArgumentParser::setAlgorithms(AlgorithmFamily family, std::string_view value,
                                     std::vector<std::string>& target) {
    Result<std::vector<std::string>> names = protocol::crypto::applyAlgorithmOption(family, value);
    if (!names)
        return Error::protocol("command-line line 0: " + names.error().message);
    target = std::move(names.value());
    return {};
}

Status ArgumentParser::applyKeyword(const std::string& keywordIn, std::string_view value) {
    std::string keyword = lowercase(keywordIn);
    // Old names OpenSSH still accepts for the same settings.
    if (keyword == "pubkeyacceptedkeytypes")
        keyword = "pubkeyacceptedalgorithms";
    if (keyword == "challengeresponseauthentication")
        keyword = "kbdinteractiveauthentication";

    protocol::client::ClientConfig& config = invocation_.config;
    const std::string text(value);
    const auto badValue = [&](std::string_view what) {
        return Error::protocol("command-line line 0: " + std::string(what) + " \"" + text + "\" for " + keywordIn);
    };
    const auto yesNo = [&](bool& target) -> Status {
        const std::optional<bool> flag = parseYesNo(value);
        if (!flag)
            return badValue("unsupported option");
        if (claim(keyword))
            target = *flag;
        return {};
    };
    const auto count = [&](long long minimum, int& target) -> Status {
        const std::optional<long long> number = parseInteger(value);
        if (!number || *number < minimum || *number > 1000)
            return badValue("invalid number");
        if (claim(keyword))
            target = static_cast<int>(*number);
        return {};
    };
    const auto timeValue = [&](std::string_view text, std::chrono::seconds& target) -> Status {
        const std::optional<std::chrono::seconds> time = parseTime(text);
        if (!time)
            return badValue("invalid time value");
        if (claim(keyword))
            target = *time;
        return {};
    };

    // IdentityFile accumulates: every one named is tried, in order.
    if (keyword == "identityfile") {
        identityFiles_.push_back(expandPath(value));
        return {};
    }
    if (keyword == "port") {
        const std::optional<int> port = parsePort(value);
        if (!port)
            return badValue("Bad port");
        if (claim(keyword))
            config.port = *port;
        return {};
    }
    if (keyword == "user") {
        if (claim(keyword))
            config.user = text;
        return {};
    }
    if (keyword == "kexalgorithms" || keyword == "ciphers" || keyword == "macs" ||
        keyword == "hostkeyalgorithms" || keyword == "pubkeyacceptedalgorithms") {
        static const std::map<std::string, AlgorithmFamily> families{
            {"kexalgorithms", AlgorithmFamily::Kex},
            {"ciphers", AlgorithmFamily::Cipher},
            {"macs", AlgorithmFamily::Mac},
            {"hostkeyalgorithms", AlgorithmFamily::HostKey},
            {"pubkeyacceptedalgorithms", AlgorithmFamily::PubkeyAccepted}};
        std::vector<std::string> names;
        if (Status parsed = setAlgorithms(families.at(keyword), value, names); !parsed)
            return parsed;
        if (!claim(keyword))
            return {};
        if (keyword == "kexalgorithms") config.kexAlgorithms = std::move(names);
        else if (keyword == "ciphers") config.ciphers = std::move(names);
        else if (keyword == "macs") config.macs = std::move(names);
        else if (keyword == "hostkeyalgorithms") config.hostKeyAlgorithms = std::move(names);
        else config.pubkeyAcceptedAlgorithms = std::move(names);
        return {};
    }
    if (keyword == "stricthostkeychecking") {
        static const std::map<std::string, HostKeyPolicy> policies{
            {"yes", HostKeyPolicy::Strict},   {"ask", HostKeyPolicy::Ask},
            {"accept-new", HostKeyPolicy::AcceptNew}, {"no", HostKeyPolicy::Off},
            {"off", HostKeyPolicy::Off}};
        const auto policy = policies.find(lowercase(value));
        if (policy == policies.end())
            return badValue("unsupported option");
        if (claim(keyword))
            config.hostKeyPolicy = policy->second;
        return {};
    }
    if (keyword == "userknownhostsfile") {
        if (!claim(keyword))
            return {};
        // A space-separated list; "none" means no user file at all.
        config.knownHostsFiles.clear();
        std::string_view rest = value;
        while (!(rest = trim(rest)).empty()) {
            const std::size_t end = std::min(rest.find_first_of(" \t"), rest.size());
            const std::string_view file = rest.substr(0, end);
            if (lowercase(file) != "none")
                config.knownHostsFiles.push_back(expandPath(file));
            rest.remove_prefix(end);
        }
        return {};
    }
    if (keyword == "connecttimeout")
        return lowercase(value) == "none" ? timeValue("0", invocation_.connectTimeout)
                                          : timeValue(value, invocation_.connectTimeout);
    if (keyword == "numberofpasswordprompts") return count(0, config.numberOfPasswordPrompts);
    if (keyword == "batchmode") return yesNo(config.batchMode);
    if (keyword == "passwordauthentication") return yesNo(config.allowPassword);
    if (keyword == "pubkeyauthentication") return yesNo(config.allowPublicKey);
    if (keyword == "kbdinteractiveauthentication") return yesNo(config.allowKeyboardInteractive);
    if (keyword == "hashknownhosts") return yesNo(config.hashKnownHosts);
    if (keyword == "serveraliveinterval") return timeValue(value, config.keepaliveInterval);
    if (keyword == "serveralivecountmax") return count(1, config.keepaliveCountMax);
    if (keyword == "addressfamily") {
        const std::string family = lowercase(value);
        if (family != "any" && family != "inet" && family != "inet6")
            return badValue("unsupported option");
        if (claim(keyword))
            invocation_.addressFamily = family == "inet"    ? AddressFamily::IPv4
                                        : family == "inet6" ? AddressFamily::IPv6
                                                            : AddressFamily::Any;
        return {};
    }
    if (keyword == "loglevel") {
        static const std::map<std::string, int> levels{{"quiet", -1}, {"fatal", -1}, {"error", -1},
                                                       {"info", 0},   {"verbose", 1}, {"debug", 1},
                                                       {"debug1", 1}, {"debug2", 2}, {"debug3", 3}};
        const auto level = levels.find(lowercase(value));
        if (level == levels.end())
            return badValue("unsupported log level");
        if (claim(keyword)) {
            invocation_.quiet = level->second < 0;
            invocation_.verbosity = std::max(invocation_.verbosity, level->second);
        }
        return {};
    }
    return Error::protocol("command-line: line 0: Bad configuration option: " + keywordIn);
}

void ArgumentParser::finish() {
    protocol::client::ClientConfig& config = invocation_.config;
    if (config.user.empty())
        config.user = local_.userName;
    if (!seen_.count("userknownhostsfile"))
        config.knownHostsFiles = {local_.home + "/.ssh/known_hosts", local_.home + "/.ssh/known_hosts2"};
    if (identityFiles_.empty()) {
        // ssh(1): the default identities are tried only when they exist, silently.
        for (const char* name : {"id_ed25519", "id_ecdsa", "id_rsa"}) {
            const std::string path = local_.home + "/.ssh/" + name;
            if (local_.fileExists(path))
                config.identities.push_back({path});
        }
        return;
    }
    for (const std::string& path : identityFiles_) {
        if (local_.fileExists(path))
            config.identities.push_back({path});
        else
            invocation_.missingIdentityFiles.push_back(path);
    }
}

} // namespace

Result<SshInvocation> parseSshArguments(const std::vector<std::string>& arguments, const LocalContext& local) {
    return ArgumentParser(local).parse(arguments);
}

const char* sshUsage() {
    return "usage: portal-cli ssh [-46nqTv] [-c cipher_spec] [-i identity_file] [-l login_name]\n"
           "                      [-m mac_spec] [-o option] [-p port] destination [command [argument ...]]";
}

} // namespace portal::app::cli
