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

    // Checks a "Keyword value" line the ssh_config resolver handles (ProxyCommand,
    // LocalForward, ...) and keeps it for resolution: a bad one fails before anything
    // connects, in the resolver's wording.
    Status addConfigLine(const std::string& line);
    // The -o keywords applyKeyword handles itself; the others go to the ssh_config resolver.
    static bool knownKeyword(const std::string& keyword);

    // First value wins (ssh_config(5)): a keyword set once is not set again.
    bool claim(const std::string& keyword) { return seen_.insert(keyword).second; }
    std::string expandPath(std::string_view path) const;

    const LocalContext& local_;
    SshInvocation invocation_;
    std::set<std::string> seen_;
    std::vector<std::string> identityFiles_;
    std::optional<bool> agentFlag_;
    std::optional<bool> x11Flag_; // -X / -Y on, -x off: the last one wins
    bool x11TrustedFlag_ = false; // -Y
};

Status ArgumentParser::addConfigLine(const std::string& line) {
    const protocol::config::LocalContext nowhere{"/", "user", "localhost", "0"};
    const protocol::config::ConfigFileAccess noFiles{
        [](const std::string&) -> Result<std::optional<std::string>> { return std::optional<std::string>(); },
        [](const std::string&) { return std::vector<std::string>(); }};
    Result<protocol::config::SshOptions> checked =
        protocol::config::resolveSshConfig({"host", std::nullopt, std::nullopt}, {}, nowhere, noFiles, {line});
    if (!checked) {
        const std::string& message = checked.error().message;
        if (message.find("Bad configuration option") != std::string::npos)
            return Error::protocol("command-line: line 0: Bad configuration option: " + line.substr(0, line.find(' ')));
        // "command line:1: text" from the resolver, as OpenSSH words it: "command-line line 0: text".
        const std::size_t colon = message.find(": ");
        return Error::protocol("command-line line 0: " +
                               (colon == std::string::npos ? message : message.substr(colon + 2)));
    }
    invocation_.configLines.push_back(line);
    return {};
}

bool ArgumentParser::knownKeyword(const std::string& keywordIn) {
    static const std::set<std::string> keywords{
        "identityfile", "port", "user", "kexalgorithms", "ciphers", "macs", "hostkeyalgorithms",
        "pubkeyacceptedalgorithms", "pubkeyacceptedkeytypes", "stricthostkeychecking", "userknownhostsfile",
        "connecttimeout", "numberofpasswordprompts", "batchmode", "passwordauthentication",
        "pubkeyauthentication", "kbdinteractiveauthentication", "challengeresponseauthentication",
        "hashknownhosts", "serveraliveinterval", "serveralivecountmax", "addressfamily", "loglevel",
        "escapechar"};
    return keywords.count(lowercase(keywordIn)) > 0;
}

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
    if (agentFlag_)
        invocation_.configLines.insert(invocation_.configLines.begin(),
                                       *agentFlag_ ? "ForwardAgent yes" : "ForwardAgent no");
    if (x11Flag_)
        invocation_.configLines.insert(invocation_.configLines.begin(),
                                       *x11Flag_ ? "ForwardX11 yes" : "ForwardX11 no");
    if (x11TrustedFlag_)
        invocation_.configLines.insert(invocation_.configLines.begin(), "ForwardX11Trusted yes");
    finish();
    return std::move(invocation_);
}

Status ArgumentParser::parseFlags(const std::vector<std::string>& args, std::size_t& index) {
    static const std::string flagsWithValue = "clmiopLRDJEeFW";
    static const std::string flagsAlone = "46nqTtvNfGAaXxYCg";
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
    case 'T':
        invocation_.ttyRequest = TtyRequest::No;
        invocation_.ttyRequestGiven = true;
        return {};
    case 't':
        // -t asks for a pty; a second -t forces one even without a local terminal.
        invocation_.ttyRequest = invocation_.ttyRequest == TtyRequest::Yes ? TtyRequest::Force : TtyRequest::Yes;
        invocation_.ttyRequestGiven = true;
        return {};
    case 'v': ++invocation_.verbosity; return {};
    case 'N': invocation_.noRemoteCommand = true; return {};
    case 'f': invocation_.background = true; return {};
    case 'G': invocation_.printConfig = true; return {};
    // -X, -Y and -x stand for ForwardX11 (and -Y ForwardX11Trusted) and beat the files.
    case 'X': x11Flag_ = true; return {};
    case 'Y':
        x11Flag_ = true;
        x11TrustedFlag_ = true;
        return {};
    case 'x': x11Flag_ = false; return {};
    case 'C': return {}; // compression: accepted for scripts that pass it; Portal sends uncompressed
    case 'g': return {}; // GatewayPorts: remote hosts may use local forwards (the bind address decides)
    // -A and -a: the last one given wins, as in ssh(1), and beats the files.
    case 'A': agentFlag_ = true; return {};
    case 'a': agentFlag_ = false; return {};
    case 'L': {
        const std::string arguments = forwardSpecToConfigArguments(value);
        if (arguments.find(' ') == std::string::npos)
            return Error::protocol("Bad local forwarding specification '" + value + "'");
        return addConfigLine("LocalForward " + arguments);
    }
    case 'R': return addConfigLine("RemoteForward " + forwardSpecToConfigArguments(value));
    case 'D': return addConfigLine("DynamicForward " + value);
    case 'J': return addConfigLine("ProxyJump " + value);
    case 'W': {
        // ssh(1) -W host:port (or [host]:port): stdin and stdout become one direct-tcpip
        // channel; no session, no pty, and no forwards from the files (ClearAllForwardings).
        if (invocation_.stdioForward)
            return Error::protocol("stdio forward already specified");
        std::string host = value;
        std::string port;
        if (!host.empty() && host.front() == '[') {
            const std::size_t close = host.find("]:");
            if (close != std::string::npos) {
                port = host.substr(close + 2);
                host = host.substr(1, close - 1);
            }
        } else if (const std::size_t colon = host.rfind(':'); colon != std::string::npos) {
            port = host.substr(colon + 1);
            host = host.substr(0, colon);
        }
        const std::optional<int> number = parsePort(port);
        const bool bracketed = !value.empty() && value.front() == '[';
        if (host.empty() || !number || (!bracketed && host.find(':') != std::string::npos))
            return Error::protocol("Bad stdio forwarding specification '" + value + "'");
        invocation_.stdioForward = protocol::config::ForwardEndpoint{host, *number, {}};
        invocation_.noRemoteCommand = true;
        invocation_.ttyRequest = TtyRequest::No;
        invocation_.ttyRequestGiven = true;
        return {};
    }
    case 'E': invocation_.logFile = expandPath(value); return {};
    case 'F': invocation_.configFile = expandPath(value); return {};
    // -e: a single character, ^X for a control character, or "none" (ssh(1)).
    case 'e': return applyKeyword("escapechar", value);
    case 'c':
        invocation_.configLines.push_back("Ciphers " + value);
        return applyKeyword("ciphers", value);
    case 'm':
        invocation_.configLines.push_back("MACs " + value);
        return applyKeyword("macs", value);
    case 'i':
        invocation_.configLines.push_back("IdentityFile " + value);
        return applyKeyword("identityfile", value);
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
        invocation_.destination = host;
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
    invocation_.destination = destination;
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
    const std::string line = keyword + " " + std::string(value);
    if (!knownKeyword(keyword))
        return addConfigLine(line);
    invocation_.configLines.push_back(line);
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
        if (claim(keyword)) {
            config.port = *port;
            invocation_.commandLinePort = *port;
        }
        return {};
    }
    if (keyword == "user") {
        if (claim(keyword)) {
            config.user = text;
            invocation_.commandLineUser = text;
        }
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
    if (keyword == "escapechar") {
        if (!claim(keyword))
            return {};
        if (lowercase(value) == "none")
            invocation_.escapeChar = -1;
        else if (value.size() == 2 && value[0] == '^')
            invocation_.escapeChar = std::toupper(static_cast<unsigned char>(value[1])) & 0x1f;
        else if (value.size() == 1)
            invocation_.escapeChar = static_cast<unsigned char>(value[0]);
        else
            return badValue("Bad escape character");
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

protocol::config::LocalContext configContext(const LocalContext& local) {
    return {local.home, local.userName, local.hostName, local.userId};
}

protocol::config::Destination configDestination(const SshInvocation& invocation) {
    return {invocation.destination, invocation.commandLineUser, invocation.commandLinePort};
}

std::string forwardSpecToConfigArguments(std::string_view spec) {
    // Fields split at colons outside [brackets]; a field holding '/' is a socket path.
    std::vector<std::string> fields(1);
    int depth = 0;
    for (char c : spec) {
        if (c == '[')
            ++depth;
        else if (c == ']')
            depth = std::max(0, depth - 1);
        if (c == ':' && depth == 0)
            fields.emplace_back();
        else
            fields.back() += c;
    }
    const auto isPath = [](const std::string& field) { return field.find('/') != std::string::npos; };
    const auto join = [](const std::string& a, const std::string& b) { return a + ":" + b; };
    switch (fields.size()) {
    case 4: return join(fields[0], fields[1]) + " " + join(fields[2], fields[3]);
    case 3:
        if (isPath(fields[0]))
            return fields[0] + " " + join(fields[1], fields[2]); // /socket:host:port
        if (isPath(fields[2]))
            return join(fields[0], fields[1]) + " " + fields[2]; // bind:port:/socket
        return fields[0] + " " + join(fields[1], fields[2]);     // port:host:hostport
    case 2:
        if (isPath(fields[0]) || isPath(fields[1]))
            return fields[0] + " " + fields[1]; // port:/socket, /socket:/socket
        return std::string(spec);               // [bind:]port alone (-R dynamic)
    default: return std::string(spec);
    }
}

Status applyResolvedConfig(SshInvocation& invocation, const protocol::config::SshOptions& resolved,
                           const protocol::config::SshOptions& defaults, const LocalContext& local) {
    using protocol::config::StrictHostKeyChecking;
    protocol::client::ClientConfig& config = invocation.config;
    const protocol::config::LocalContext context = configContext(local);

    // Known hosts and messages name the host the connection goes to (HostName), as ssh(1).
    config.host = resolved.hostName;
    invocation.connectAddress = resolved.hostName;
    config.user = resolved.user;
    config.port = resolved.port;

    config.kexAlgorithms = resolved.kexAlgorithms;
    config.ciphers = resolved.ciphers;
    config.macs = resolved.macs;
    config.hostKeyAlgorithms = resolved.hostKeyAlgorithms;
    config.pubkeyAcceptedAlgorithms = resolved.pubkeyAcceptedAlgorithms;

    config.allowPassword = resolved.passwordAuthentication;
    config.allowKeyboardInteractive = resolved.kbdInteractiveAuthentication;
    config.allowPublicKey = resolved.pubkeyAuthentication != protocol::config::PubkeyAuthentication::No;
    config.numberOfPasswordPrompts = resolved.numberOfPasswordPrompts;
    config.batchMode = resolved.batchMode;
    config.identitiesOnly = resolved.identitiesOnly;
    switch (resolved.strictHostKeyChecking) {
    case StrictHostKeyChecking::Yes: config.hostKeyPolicy = HostKeyPolicy::Strict; break;
    case StrictHostKeyChecking::No: config.hostKeyPolicy = HostKeyPolicy::Off; break;
    case StrictHostKeyChecking::Ask: config.hostKeyPolicy = HostKeyPolicy::Ask; break;
    case StrictHostKeyChecking::AcceptNew: config.hostKeyPolicy = HostKeyPolicy::AcceptNew; break;
    }
    config.knownHostsFiles.clear();
    for (const std::string& file : resolved.userKnownHostsFiles)
        if (lowercase(file) != "none")
            config.knownHostsFiles.push_back(file);
    config.hashKnownHosts = resolved.hashKnownHosts;
    config.keepaliveInterval = resolved.serverAliveInterval;
    config.keepaliveCountMax = resolved.serverAliveCountMax;
    invocation.connectTimeout = resolved.connectTimeout ? *resolved.connectTimeout : std::chrono::seconds(0);

    // Identity files: the defaults only where they exist, silently; the ones named by -i or
    // IdentityFile are warned about when missing (ssh(1)).
    const bool explicitIdentities = resolved.identityFiles != defaults.identityFiles;
    config.identities.clear();
    invocation.missingIdentityFiles.clear();
    for (const std::string& file : resolved.identityFiles) {
        Result<std::string> path = resolved.expandPath(file, context);
        if (!path)
            return path.error();
        if (local.fileExists(*path))
            config.identities.push_back({*path});
        else if (explicitIdentities)
            invocation.missingIdentityFiles.push_back(*path);
    }

    if (!invocation.ttyRequestGiven) {
        switch (resolved.requestTty) {
        case protocol::config::RequestTty::Auto: invocation.ttyRequest = TtyRequest::Auto; break;
        case protocol::config::RequestTty::No: invocation.ttyRequest = TtyRequest::No; break;
        case protocol::config::RequestTty::Yes: invocation.ttyRequest = TtyRequest::Yes; break;
        case protocol::config::RequestTty::Force: invocation.ttyRequest = TtyRequest::Force; break;
        }
    }
    if (invocation.command.empty() && !resolved.remoteCommand.empty())
        invocation.command = resolved.remoteCommand;
    invocation.localForwards = resolved.localForwards;
    invocation.remoteForwards = resolved.remoteForwards;
    invocation.dynamicForwards = resolved.dynamicForwards;
    invocation.exitOnForwardFailure = resolved.exitOnForwardFailure;
    invocation.permitLocalCommand = resolved.permitLocalCommand;
    invocation.enableEscapeCommandline = resolved.enableEscapeCommandline;
    if (invocation.stdioForward) {
        // -W implies ClearAllForwardings and ExitOnForwardFailure (ssh(1)).
        invocation.localForwards.clear();
        invocation.remoteForwards.clear();
        invocation.dynamicForwards.clear();
        invocation.exitOnForwardFailure = true;
    }
    invocation.jumpHosts = resolved.proxyJump;
    invocation.proxyCommand = lowercase(resolved.proxyCommand) == "none" ? std::string() : resolved.proxyCommand;
    invocation.forwardAgent = resolved.forwardAgent != "no";
    invocation.agentSocket = invocation.forwardAgent && resolved.forwardAgent != "yes" ? resolved.forwardAgent : std::string();
    invocation.setEnv = resolved.setEnv;
    invocation.sendEnv = resolved.sendEnv;
    invocation.forwardX11 = resolved.forwardX11;
    invocation.forwardX11Trusted = resolved.forwardX11Trusted;
    invocation.forwardX11Timeout = resolved.forwardX11Timeout;
    invocation.xauthLocation = resolved.xauthLocation.substr(0, 2) == "~/"
                                   ? local.home + resolved.xauthLocation.substr(1)
                                   : resolved.xauthLocation;
    return {};
}

Result<protocol::config::SshOptions> resolveInvocation(SshInvocation& invocation, const LocalContext& local,
                                                       const protocol::config::ConfigFileAccess& files) {
    namespace config = protocol::config;
    const config::LocalContext context = configContext(local);
    const std::vector<config::ConfigSource> sources = config::defaultConfigSources(context, invocation.configFile);
    const auto resolveFor = [&](SshInvocation& target,
                                const std::vector<std::string>& lines) -> Result<config::SshOptions> {
        const config::Destination destination = configDestination(target);
        Result<config::SshOptions> resolved = config::resolveSshConfig(destination, sources, context, files, lines);
        if (!resolved)
            return resolved.error();
        Result<config::SshOptions> defaults = config::resolveSshConfig(destination, {}, context, files, {});
        if (!defaults)
            return defaults.error();
        if (Status applied = applyResolvedConfig(target, *resolved, *defaults, local); !applied)
            return applied.error();
        return resolved;
    };
    Result<config::SshOptions> resolved = resolveFor(invocation, invocation.configLines);
    if (!resolved)
        return resolved;
    invocation.jumpHops.clear();
    for (const config::JumpHost& hop : invocation.jumpHosts) {
        SshInvocation hopInvocation;
        hopInvocation.destination = hop.host;
        if (!hop.user.empty())
            hopInvocation.commandLineUser = hop.user;
        if (hop.port > 0)
            hopInvocation.commandLinePort = hop.port;
        Result<config::SshOptions> hopOptions = resolveFor(hopInvocation, {});
        if (!hopOptions)
            return hopOptions.error();
        invocation.jumpHops.push_back(
            {std::move(hopInvocation.config), hopInvocation.connectAddress, hopInvocation.connectTimeout});
    }
    return resolved;
}

const char* sshUsage() {
    return "usage: portal-cli ssh [-46AaCfGgNnqTtvXxY] [-c cipher_spec] [-D [bind_address:]port]\n"
           "                      [-E log_file] [-e escape_char] [-F configfile] [-i identity_file]\n"
           "                      [-J destination] [-L address] [-l login_name] [-m mac_spec]\n"
           "                      [-o option] [-p port] [-R address] [-W host:port]\n"
           "                      destination [command [argument ...]]";
}

} // namespace portal::app::cli
