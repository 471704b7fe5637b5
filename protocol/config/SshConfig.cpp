// Resolution of ssh_config(5) for one destination, after OpenSSH 9.2 readconf.c: the files
// are read top to bottom once, Host/Match decide which lines apply, and each option keeps the
// first value an applying line gives it (the cumulative options collect every value).
#include "config/SshConfig.h"

#include "config/ConfigLine.h"
#include "config/Patterns.h"
#include "crypto/Algorithms.h"
#include "crypto/Hash.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>

namespace portal::protocol::config {
namespace {

// OpenSSH's READCONF_MAX_DEPTH; plus a bound on the files read in total so that a file that
// includes itself through a glob cannot fan out without end.
constexpr int maxIncludeDepth = 16;
constexpr std::size_t maxFilesRead = 256;
// SSH_MAX_IDENTITY_FILES / SSH_MAX_CERTIFICATE_FILES; a bound on forwards and environment
// entries for the same reason (memory stays bounded for any input).
constexpr std::size_t maxIdentityFiles = 100;
constexpr std::size_t maxListEntries = 1024;

std::string lowerCase(std::string_view text) {
    std::string result(text);
    for (char& c : result)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return result;
}

enum class Keyword {
    Host,
    Match,
    Include,
    IgnoreUnknown,
    HostName,
    User,
    Port,
    IdentityFile,
    CertificateFile,
    IdentitiesOnly,
    ProxyJump,
    ProxyCommand,
    LocalForward,
    RemoteForward,
    DynamicForward,
    ForwardAgent,
    ExitOnForwardFailure,
    PermitLocalCommand,
    EnableEscapeCommandline,
    ForwardX11,
    ForwardX11Trusted,
    ForwardX11Timeout,
    XAuthLocation,
    ServerAliveInterval,
    ServerAliveCountMax,
    ConnectTimeout,
    BatchMode,
    StrictHostKeyChecking,
    UserKnownHostsFile,
    HashKnownHosts,
    KexAlgorithms,
    Ciphers,
    Macs,
    HostKeyAlgorithms,
    PubkeyAcceptedAlgorithms,
    SetEnv,
    SendEnv,
    RequestTty,
    RemoteCommand,
    PasswordAuthentication,
    PubkeyAuthentication,
    KbdInteractiveAuthentication,
    NumberOfPasswordPrompts,
    PreferredAuthentications,
    Ignored, // known to OpenSSH 9.2, not acted on by Portal
};

struct KeywordName {
    std::string_view name; // lower case
    Keyword keyword;
};

// Every keyword OpenSSH 9.2 (with Debian's GSSAPI patch) accepts, including the deprecated
// and aliased ones, so that only truly unknown keywords are errors.
constexpr std::array keywordTable = {
    KeywordName{"host", Keyword::Host},
    KeywordName{"match", Keyword::Match},
    KeywordName{"include", Keyword::Include},
    KeywordName{"ignoreunknown", Keyword::IgnoreUnknown},
    KeywordName{"hostname", Keyword::HostName},
    KeywordName{"user", Keyword::User},
    KeywordName{"port", Keyword::Port},
    KeywordName{"identityfile", Keyword::IdentityFile},
    KeywordName{"identityfile2", Keyword::IdentityFile},
    KeywordName{"certificatefile", Keyword::CertificateFile},
    KeywordName{"identitiesonly", Keyword::IdentitiesOnly},
    KeywordName{"proxyjump", Keyword::ProxyJump},
    KeywordName{"proxycommand", Keyword::ProxyCommand},
    KeywordName{"localforward", Keyword::LocalForward},
    KeywordName{"remoteforward", Keyword::RemoteForward},
    KeywordName{"dynamicforward", Keyword::DynamicForward},
    KeywordName{"forwardagent", Keyword::ForwardAgent},
    KeywordName{"exitonforwardfailure", Keyword::ExitOnForwardFailure},
    KeywordName{"forwardx11", Keyword::ForwardX11},
    KeywordName{"forwardx11timeout", Keyword::ForwardX11Timeout},
    KeywordName{"forwardx11trusted", Keyword::ForwardX11Trusted},
    KeywordName{"xauthlocation", Keyword::XAuthLocation},
    KeywordName{"serveraliveinterval", Keyword::ServerAliveInterval},
    KeywordName{"serveralivecountmax", Keyword::ServerAliveCountMax},
    KeywordName{"connecttimeout", Keyword::ConnectTimeout},
    KeywordName{"batchmode", Keyword::BatchMode},
    KeywordName{"stricthostkeychecking", Keyword::StrictHostKeyChecking},
    KeywordName{"userknownhostsfile", Keyword::UserKnownHostsFile},
    KeywordName{"userknownhostsfile2", Keyword::UserKnownHostsFile},
    KeywordName{"hashknownhosts", Keyword::HashKnownHosts},
    KeywordName{"kexalgorithms", Keyword::KexAlgorithms},
    KeywordName{"ciphers", Keyword::Ciphers},
    KeywordName{"macs", Keyword::Macs},
    KeywordName{"hostkeyalgorithms", Keyword::HostKeyAlgorithms},
    KeywordName{"pubkeyacceptedalgorithms", Keyword::PubkeyAcceptedAlgorithms},
    KeywordName{"pubkeyacceptedkeytypes", Keyword::PubkeyAcceptedAlgorithms},
    KeywordName{"setenv", Keyword::SetEnv},
    KeywordName{"sendenv", Keyword::SendEnv},
    KeywordName{"requesttty", Keyword::RequestTty},
    KeywordName{"remotecommand", Keyword::RemoteCommand},
    KeywordName{"passwordauthentication", Keyword::PasswordAuthentication},
    KeywordName{"pubkeyauthentication", Keyword::PubkeyAuthentication},
    KeywordName{"kbdinteractiveauthentication", Keyword::KbdInteractiveAuthentication},
    KeywordName{"challengeresponseauthentication", Keyword::KbdInteractiveAuthentication},
    KeywordName{"skeyauthentication", Keyword::KbdInteractiveAuthentication},
    KeywordName{"tisauthentication", Keyword::KbdInteractiveAuthentication},
    KeywordName{"numberofpasswordprompts", Keyword::NumberOfPasswordPrompts},
    // Known to OpenSSH, not acted on here.
    KeywordName{"addkeystoagent", Keyword::Ignored},
    KeywordName{"addressfamily", Keyword::Ignored},
    KeywordName{"bindaddress", Keyword::Ignored},
    KeywordName{"bindinterface", Keyword::Ignored},
    KeywordName{"canonicaldomains", Keyword::Ignored},
    KeywordName{"canonicalizefallbacklocal", Keyword::Ignored},
    KeywordName{"canonicalizehostname", Keyword::Ignored},
    KeywordName{"canonicalizemaxdots", Keyword::Ignored},
    KeywordName{"canonicalizepermittedcnames", Keyword::Ignored},
    KeywordName{"casignaturealgorithms", Keyword::Ignored},
    KeywordName{"checkhostip", Keyword::Ignored},
    KeywordName{"cipher", Keyword::Ignored},
    KeywordName{"clearallforwardings", Keyword::Ignored},
    KeywordName{"compression", Keyword::Ignored},
    KeywordName{"compressionlevel", Keyword::Ignored},
    KeywordName{"connectionattempts", Keyword::Ignored},
    KeywordName{"controlmaster", Keyword::Ignored},
    KeywordName{"controlpath", Keyword::Ignored},
    KeywordName{"controlpersist", Keyword::Ignored},
    KeywordName{"dsaauthentication", Keyword::Ignored},
    KeywordName{"enablesshkeysign", Keyword::Ignored},
    KeywordName{"escapechar", Keyword::Ignored},
    KeywordName{"fallbacktorsh", Keyword::Ignored},
    KeywordName{"fingerprinthash", Keyword::Ignored},
    KeywordName{"forkafterauthentication", Keyword::Ignored},
    KeywordName{"gatewayports", Keyword::Ignored},
    KeywordName{"globalknownhostsfile", Keyword::Ignored},
    KeywordName{"globalknownhostsfile2", Keyword::Ignored},
    KeywordName{"gssapiauthentication", Keyword::Ignored},
    KeywordName{"gssapiclientidentity", Keyword::Ignored},
    KeywordName{"gssapidelegatecredentials", Keyword::Ignored},
    KeywordName{"gssapikexalgorithms", Keyword::Ignored},
    KeywordName{"gssapikeyexchange", Keyword::Ignored},
    KeywordName{"gssapirenewalforcesrekey", Keyword::Ignored},
    KeywordName{"gssapiserveridentity", Keyword::Ignored},
    KeywordName{"gssapitrustdns", Keyword::Ignored},
    KeywordName{"hostbasedacceptedalgorithms", Keyword::Ignored},
    KeywordName{"hostbasedauthentication", Keyword::Ignored},
    KeywordName{"hostbasedkeytypes", Keyword::Ignored},
    KeywordName{"hostkeyalias", Keyword::Ignored},
    KeywordName{"identityagent", Keyword::Ignored},
    KeywordName{"ipqos", Keyword::Ignored},
    KeywordName{"kbdinteractivedevices", Keyword::Ignored},
    KeywordName{"keepalive", Keyword::Ignored},
    KeywordName{"knownhostscommand", Keyword::Ignored},
    KeywordName{"localcommand", Keyword::Ignored},
    KeywordName{"loglevel", Keyword::Ignored},
    KeywordName{"logverbose", Keyword::Ignored},
    KeywordName{"nohostauthenticationforlocalhost", Keyword::Ignored},
    KeywordName{"permitlocalcommand", Keyword::PermitLocalCommand},
    KeywordName{"enableescapecommandline", Keyword::EnableEscapeCommandline},
    KeywordName{"permitremoteopen", Keyword::Ignored},
    KeywordName{"pkcs11provider", Keyword::Ignored},
    KeywordName{"preferredauthentications", Keyword::PreferredAuthentications},
    KeywordName{"protocol", Keyword::Ignored},
    KeywordName{"proxyusefdpass", Keyword::Ignored},
    KeywordName{"rekeylimit", Keyword::Ignored},
    KeywordName{"requiredrsasize", Keyword::Ignored},
    KeywordName{"revokedhostkeys", Keyword::Ignored},
    KeywordName{"rhostsauthentication", Keyword::Ignored},
    KeywordName{"rhostsrsaauthentication", Keyword::Ignored},
    KeywordName{"rsaauthentication", Keyword::Ignored},
    KeywordName{"securitykeyprovider", Keyword::Ignored},
    KeywordName{"sessiontype", Keyword::Ignored},
    KeywordName{"smartcarddevice", Keyword::Ignored},
    KeywordName{"stdinnull", Keyword::Ignored},
    KeywordName{"streamlocalbindmask", Keyword::Ignored},
    KeywordName{"streamlocalbindunlink", Keyword::Ignored},
    KeywordName{"syslogfacility", Keyword::Ignored},
    KeywordName{"tcpkeepalive", Keyword::Ignored},
    KeywordName{"tunnel", Keyword::Ignored},
    KeywordName{"tunneldevice", Keyword::Ignored},
    KeywordName{"updatehostkeys", Keyword::Ignored},
    KeywordName{"usekeychain", Keyword::Ignored},
    KeywordName{"useprivilegedport", Keyword::Ignored},
    KeywordName{"useroaming", Keyword::Ignored},
    KeywordName{"userrsh", Keyword::Ignored},
    KeywordName{"verifyhostkeydns", Keyword::Ignored},
    KeywordName{"visualhostkey", Keyword::Ignored},
};

std::optional<Keyword> lookupKeyword(std::string_view name) {
    for (const KeywordName& entry : keywordTable)
        if (entry.name == name)
            return entry.keyword;
    return std::nullopt;
}

// The values of the %-tokens of ssh_config(5) "TOKENS" for one destination.
struct TokenValues {
    std::string connectionHash; // %C
    std::string home;           // %d
    std::string hostName;       // %h
    std::string userId;         // %i
    std::string keyAlias;       // %k
    std::string shortLocalHost; // %L
    std::string localHost;      // %l
    std::string originalHost;   // %n
    std::string port;           // %p
    std::string remoteUser;     // %r
    std::string localUser;      // %u
};

// HostName (and Match host) take %h alone.
TokenValues hostNameTokens(const std::string& host) {
    TokenValues values;
    values.hostName = host;
    return values;
}

// Expands %-tokens; `allowed` lists the token letters this keyword accepts. An unknown token
// is an error, as OpenSSH's percent_expand() makes it fatal.
Result<std::string> expandTokens(std::string_view text, const TokenValues& values,
                                 std::string_view allowed) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 1 == text.size())
            return Error::localFile("invalid format: a lone '%' ends \"" + std::string(text) +
                                    "\"");
        const char token = text[++i];
        if (token == '%') {
            out += '%';
            continue;
        }
        const std::string* value = nullptr;
        if (allowed.find(token) != std::string_view::npos) {
            switch (token) {
            case 'C':
                value = &values.connectionHash;
                break;
            case 'd':
                value = &values.home;
                break;
            case 'h':
                value = &values.hostName;
                break;
            case 'i':
                value = &values.userId;
                break;
            case 'k':
                value = &values.keyAlias;
                break;
            case 'L':
                value = &values.shortLocalHost;
                break;
            case 'l':
                value = &values.localHost;
                break;
            case 'n':
                value = &values.originalHost;
                break;
            case 'p':
                value = &values.port;
                break;
            case 'r':
                value = &values.remoteUser;
                break;
            case 'u':
                value = &values.localUser;
                break;
            default:
                break;
            }
        }
        if (!value)
            return Error::localFile(std::string("unknown key %") + token + " in \"" +
                                    std::string(text) + "\"");
        out += *value;
    }
    return out;
}

constexpr std::string_view pathTokens = "CdhikLlnpru"; // IdentityFile, UserKnownHostsFile, ...

// "~" and "~/..." become the home directory; "~user/..." needs a passwd lookup we do not do.
Result<std::string> expandTilde(const std::string& path, const std::string& home) {
    if (path.empty() || path.front() != '~')
        return path;
    if (path.size() == 1 || path[1] == '/')
        return home + path.substr(1);
    return Error::localFile("\"" + path + "\": ~user paths are not supported");
}

TokenValues tokenValues(const SshOptions& options, const LocalContext& local) {
    TokenValues values;
    values.home = local.homeDirectory;
    values.hostName = options.hostName;
    values.userId = local.userId;
    values.keyAlias = options.host;
    values.localHost = local.hostName;
    values.shortLocalHost = local.hostName.substr(0, local.hostName.find('.'));
    values.originalHost = options.host;
    values.port = std::to_string(options.port);
    values.remoteUser = options.user;
    values.localUser = local.userName;
    // %C: SHA-1 of %l%h%p%r in hex, as OpenSSH's ssh_connection_hash().
    values.connectionHash = toHex(crypto::digest(
        crypto::HashAlgorithm::Sha1,
        asBytes(values.localHost + values.hostName + values.port + values.remoteUser)));
    return values;
}

std::optional<int> parseNumber(std::string_view text, long long max) {
    long long value = 0;
    if (text.empty())
        return std::nullopt;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0 || value > max)
        return std::nullopt;
    return static_cast<int>(value);
}

// OpenSSH's convtime(): "90", "1m30s", "2h" ... in seconds (s m h d w, either case).
std::optional<int> parseTime(std::string_view text) {
    if (text.empty())
        return std::nullopt;
    long long total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t start = i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
            ++i;
        if (i == start || i - start > 9)
            return std::nullopt;
        long long value = std::stoll(std::string(text.substr(start, i - start)));
        long long multiplier = 1;
        if (i < text.size()) {
            switch (std::tolower(static_cast<unsigned char>(text[i]))) {
            case 's':
                multiplier = 1;
                break;
            case 'm':
                multiplier = 60;
                break;
            case 'h':
                multiplier = 3600;
                break;
            case 'd':
                multiplier = 86400;
                break;
            case 'w':
                multiplier = 604800;
                break;
            default:
                return std::nullopt;
            }
            ++i;
        }
        total += value * multiplier;
        if (total > std::numeric_limits<int>::max())
            return std::nullopt;
    }
    return static_cast<int>(total);
}

std::optional<bool> parseYesNo(std::string_view text) {
    const std::string value = lowerCase(text);
    if (value == "yes" || value == "true")
        return true;
    if (value == "no" || value == "false")
        return false;
    return std::nullopt;
}

// One side of a forward: "port", "host:port", "[v6]:port", "*:port" or a socket path.
std::optional<ForwardEndpoint> parseEndpoint(std::string_view text, bool hostRequired,
                                             bool portZeroAllowed) {
    ForwardEndpoint endpoint;
    if (text.find('/') != std::string_view::npos) {
        endpoint.path = std::string(text);
        return endpoint;
    }
    std::string_view portText = text;
    if (!text.empty() && text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        endpoint.host = std::string(text.substr(1, close - 1));
        portText = text.substr(close + 2);
    } else if (const std::size_t colon = text.rfind(':'); colon != std::string_view::npos) {
        endpoint.host = std::string(text.substr(0, colon));
        if (endpoint.host.find(':') != std::string::npos)
            return std::nullopt; // an IPv6 address needs brackets
        portText = text.substr(colon + 1);
    }
    if (hostRequired && endpoint.host.empty())
        return std::nullopt;
    const std::optional<int> port = parseNumber(portText, 65535);
    if (!port || (*port == 0 && !portZeroAllowed))
        return std::nullopt;
    endpoint.port = *port;
    return endpoint;
}

// "[user@]host[:port]" or "ssh://[user@]host[:port]" (ssh(1) -J).
std::optional<JumpHost> parseJumpHost(std::string_view text) {
    JumpHost hop;
    const bool uri = text.starts_with("ssh://");
    if (uri) {
        text.remove_prefix(6);
        if (!text.empty() && text.back() == '/')
            text.remove_suffix(1);
    }
    if (const std::size_t at = text.rfind('@'); at != std::string_view::npos) {
        hop.user = std::string(text.substr(0, at));
        if (hop.user.empty())
            return std::nullopt;
        text.remove_prefix(at + 1);
    }
    std::string_view portText;
    if (!uri && !text.empty() && text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        hop.host = std::string(text.substr(1, close - 1));
        text.remove_prefix(close + 1);
        if (!text.empty()) {
            if (text.front() != ':')
                return std::nullopt;
            portText = text.substr(1);
        }
    } else {
        const std::size_t colon = text.find(':');
        hop.host = std::string(text.substr(0, colon));
        if (colon != std::string_view::npos)
            portText = text.substr(colon + 1);
        if (portText.find(':') != std::string_view::npos)
            return std::nullopt;
    }
    if (hop.host.empty() || hop.host.find_first_of(" \t@/") != std::string::npos)
        return std::nullopt;
    if (!portText.empty() || (text.size() && text.back() == ':')) {
        const std::optional<int> port = parseNumber(portText, 65535);
        if (!port || *port == 0)
            return std::nullopt;
        hop.port = *port;
    }
    return hop;
}

std::string formatJumpHost(const JumpHost& hop) {
    std::string text;
    if (!hop.user.empty())
        text += hop.user + "@";
    const bool bracket = hop.host.find(':') != std::string::npos;
    text += (bracket ? "[" : "") + hop.host + (bracket ? "]" : "");
    if (hop.port > 0)
        text += ":" + std::to_string(hop.port);
    return text;
}

// The options while the files are read: unset until the first applying line sets them.
struct Pending {
    std::optional<std::string> hostName, user, proxyCommand, forwardAgent, remoteCommand, preferredAuthentications,
        xauthLocation;
    std::optional<int> port, serverAliveInterval, serverAliveCountMax, connectTimeout,
        numberOfPasswordPrompts, forwardX11Timeout;
    std::optional<bool> identitiesOnly, batchMode, hashKnownHosts, passwordAuthentication,
        kbdInteractiveAuthentication, exitOnForwardFailure, permitLocalCommand, enableEscapeCommandline,
        forwardX11, forwardX11Trusted;
    std::optional<StrictHostKeyChecking> strictHostKeyChecking;
    std::optional<RequestTty> requestTty;
    std::optional<PubkeyAuthentication> pubkeyAuthentication;
    std::optional<std::vector<JumpHost>> proxyJump; // empty vector: "none"
    std::string proxyJumpText;
    std::optional<std::vector<std::string>> userKnownHostsFiles, setEnv;
    std::optional<std::vector<std::string>> kex, ciphers, macs, hostKeyAlgorithms, pubkeyAccepted;
    std::optional<std::string> ignoreUnknown;
    std::vector<std::string> identityFiles, certificateFiles, sendEnv;
    std::vector<Forward> localForwards, remoteForwards, dynamicForwards;
};

class Resolver {
public:
    Resolver(const Destination& destination, const LocalContext& local,
             const ConfigFileAccess& files)
        : destination_(destination), local_(local), files_(files) {
        // The command line comes first, so it wins like any first value.
        pending_.user = destination.user;
        pending_.port = destination.port;
    }

    Status readCommandLine(const std::vector<std::string>& lines) {
        for (std::size_t i = 0; i < lines.size(); ++i) {
            bool active = true;
            if (Status status = processLine(lines[i], "command line", i + 1, active, 0, Flags{});
                !status)
                return status;
        }
        return {};
    }

    Status readSource(const ConfigSource& source) {
        Flags flags;
        flags.systemWide = source.systemWide;
        Result<std::optional<std::string>> text = files_.readFile(source.path);
        if (!text)
            return text.error();
        if (!text->has_value()) {
            if (source.mustExist)
                return Error::localFile("Can't open user config file " + source.path +
                                        ": No such file or directory");
            return {};
        }
        return readText(**text, source.path, 0, flags);
    }

    Result<SshOptions> finish() const;
    const std::vector<std::string>& hostAliases() const { return hostAliases_; }

private:
    struct Flags {
        bool systemWide = false;
        bool neverMatch = false; // included from a block that did not apply
    };

    Status readText(const std::string& text, const std::string& path, int depth, Flags flags) {
        if (++filesRead_ > maxFilesRead)
            return Error::localFile(path + ": too many configuration files included");
        bool active = !flags.neverMatch;
        std::size_t lineNumber = 0, start = 0;
        while (start < text.size()) {
            std::size_t end = text.find('\n', start);
            if (end == std::string::npos)
                end = text.size();
            ++lineNumber;
            if (Status status = processLine(std::string_view(text).substr(start, end - start), path,
                                            lineNumber, active, depth, flags);
                !status)
                return status;
            start = end + 1;
        }
        return {};
    }

    Status processLine(std::string_view text, const std::string& path, std::size_t lineNumber,
                       bool& active, int depth, Flags flags);
    Status applyKeyword(Keyword keyword, const ConfigLine& line, const std::string& where,
                        bool& active, int depth, Flags flags);
    Result<bool> matchHostLine(const ConfigLine& line) const;
    Result<bool> matchMatchLine(const ConfigLine& line, const std::string& where);
    Status include(const ConfigLine& line, const std::string& where, bool active, int depth,
                   Flags flags);

    // The host name Match host compares: HostName so far (with %h) or the destination.
    std::string currentHostName() const {
        if (!pending_.hostName)
            return destination_.host;
        Result<std::string> expanded =
            expandTokens(*pending_.hostName, hostNameTokens(destination_.host), "h");
        return expanded ? *expanded : *pending_.hostName;
    }

    const Destination& destination_;
    const LocalContext& local_;
    const ConfigFileAccess& files_;
    Pending pending_;
    std::vector<IgnoredOption> ignored_;
    std::vector<std::string> warnings_;
    std::size_t filesRead_ = 0;
    std::vector<std::string> hostAliases_; // every plain name a Host line gave, in file order
};

Error lineError(const std::string& where, const std::string& text) {
    return Error::localFile(where + ": " + text);
}

Status Resolver::processLine(std::string_view text, const std::string& path, std::size_t lineNumber,
                             bool& active, int depth, Flags flags) {
    const std::string where = path + ":" + std::to_string(lineNumber);
    Result<ConfigLine> line = splitConfigLine(text);
    if (!line)
        return lineError(where, line.error().message);
    if (line->keyword.empty())
        return {};
    const std::optional<Keyword> keyword = lookupKeyword(line->keyword);
    if (!keyword) {
        if (pending_.ignoreUnknown &&
            matchPatternList(line->keyword, *pending_.ignoreUnknown, true) == ListMatch::Match) {
            if (active)
                ignored_.push_back({line->keyword, where});
            return {};
        }
        return lineError(where, "Bad configuration option: " + line->keyword);
    }
    return applyKeyword(*keyword, *line, where, active, depth, flags);
}

Result<bool> Resolver::matchHostLine(const ConfigLine& line) const {
    // Host compares the destination as typed, case-sensitively (readconf.c match_pattern);
    // one matching negated pattern rules the block out whatever else matches.
    bool matched = false;
    for (const std::string& arg : line.args) {
        const bool negated = !arg.empty() && arg.front() == '!';
        if (matchWildcard(destination_.host, std::string_view(arg).substr(negated ? 1 : 0))) {
            if (negated)
                return false;
            matched = true;
        }
    }
    return matched;
}

Result<bool> Resolver::matchMatchLine(const ConfigLine& line, const std::string& where) {
    bool result = true;
    bool unsupported = false;
    std::size_t criteria = 0;
    const std::vector<std::string>& args = line.args;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string criterion = lowerCase(args[i]);
        const bool negated = !criterion.empty() && criterion.front() == '!';
        if (negated)
            criterion.erase(0, 1);
        if (criterion == "all") {
            if (criteria > 0 || i + 1 < args.size())
                return lineError(where, "'all' cannot be combined with other Match attributes");
            return result && !negated;
        }
        ++criteria;
        if (criterion == "canonical" || criterion == "final") {
            unsupported = true;
            warnings_.push_back(where + ": Match " + criterion +
                                " is not supported (Portal does not canonicalise host names); the "
                                "block is not applied");
            continue;
        }
        if (i + 1 == args.size() || args[i + 1].empty())
            return lineError(where, "Missing Match criteria for " + criterion);
        const std::string& patterns = args[++i];
        bool matched = false;
        if (criterion == "host") {
            matched =
                matchPatternList(lowerCase(currentHostName()), patterns, true) == ListMatch::Match;
        } else if (criterion == "originalhost") {
            matched =
                matchPatternList(lowerCase(destination_.host), patterns, true) == ListMatch::Match;
        } else if (criterion == "user") {
            const std::string user = pending_.user.value_or(local_.userName);
            matched = matchPatternList(user, patterns, false) == ListMatch::Match;
        } else if (criterion == "localuser") {
            matched = matchPatternList(local_.userName, patterns, false) == ListMatch::Match;
        } else if (criterion == "exec") {
            // Running a command while reading a file is not something a GUI client should do
            // behind the user's back; say so instead of guessing an answer.
            unsupported = true;
            warnings_.push_back(where +
                                ": Match exec is not supported (Portal does not run commands from "
                                "ssh_config); the block is not applied");
            continue;
        } else {
            return lineError(where, "Unsupported Match attribute " + criterion);
        }
        if (matched == negated)
            result = false;
    }
    if (criteria == 0)
        return lineError(where, "One or more attributes required for Match");
    return result && !unsupported;
}

Status Resolver::include(const ConfigLine& line, const std::string& where, bool active, int depth,
                         Flags flags) {
    if (depth >= maxIncludeDepth)
        return lineError(where, "Include nested too deeply");
    for (const std::string& arg : line.args) {
        // Relative paths are under ~/.ssh for the user's files and /etc/ssh for the system's.
        std::string pattern;
        if (arg.starts_with('~')) {
            Result<std::string> expanded = expandTilde(arg, local_.homeDirectory);
            if (!expanded)
                return lineError(where, expanded.error().message);
            pattern = *expanded;
        } else if (arg.starts_with('/')) {
            pattern = arg;
        } else {
            pattern =
                (flags.systemWide ? std::string("/etc/ssh/") : local_.homeDirectory + "/.ssh/") +
                arg;
        }
        for (const std::string& path : expandGlob(pattern, files_)) {
            Result<std::optional<std::string>> text = files_.readFile(path);
            if (!text)
                return lineError(where, text.error().message);
            if (!text->has_value())
                continue; // a name that matches nothing is no error, as with glob(3)
            Flags inner = flags;
            inner.neverMatch = flags.neverMatch || !active;
            if (Status status = readText(**text, path, depth + 1, inner); !status)
                return status;
        }
    }
    return {};
}

template <typename T> void setFirst(std::optional<T>& slot, bool active, T value) {
    if (active && !slot)
        slot = std::move(value);
}

Status Resolver::applyKeyword(Keyword keyword, const ConfigLine& line, const std::string& where,
                              bool& active, int depth, Flags flags) {
    const std::vector<std::string>& args = line.args;
    const std::string& name = line.keyword;
    if (args.empty())
        return lineError(where, "Missing argument for " + name);
    const std::string& arg = args.front();

    // Every keyword but the list-valued ones takes exactly one argument.
    auto single = [&]() -> Status {
        if (args.size() > 1)
            return lineError(where, name + " extra arguments at end of line");
        return {};
    };
    auto yesNo = [&](std::optional<bool>& slot) -> Status {
        if (Status status = single(); !status)
            return status;
        const std::optional<bool> value = parseYesNo(arg);
        if (!value)
            return lineError(where, "unsupported option \"" + arg + "\" for " + name);
        setFirst(slot, active, *value);
        return {};
    };
    auto algorithms = [&](std::optional<std::vector<std::string>>& slot,
                          crypto::AlgorithmFamily family) -> Status {
        if (Status status = single(); !status)
            return status;
        Result<std::vector<std::string>> list = crypto::applyAlgorithmOption(family, arg);
        if (!list)
            return lineError(where, list.error().message);
        setFirst(slot, active, std::move(*list));
        return {};
    };
    auto forward = [&](std::vector<Forward>& list, bool remote, bool dynamic) -> Status {
        Forward spec;
        if (dynamic || (remote && args.size() == 1)) {
            if (args.size() != 1)
                return lineError(where, name + " extra arguments at end of line");
            std::optional<ForwardEndpoint> listen = parseEndpoint(arg, false, remote);
            if (!listen || (dynamic && !listen->path.empty()))
                return lineError(where, "Bad forwarding specification '" + arg + "'");
            spec.listen = *listen;
        } else {
            if (args.size() != 2)
                return lineError(where, "Missing target argument for " + name);
            std::optional<ForwardEndpoint> listen = parseEndpoint(arg, false, remote);
            std::optional<ForwardEndpoint> connect = parseEndpoint(args[1], true, false);
            if (!listen || !connect)
                return lineError(where,
                                 "Bad forwarding specification '" + arg + " " + args[1] + "'");
            spec.listen = *listen;
            spec.connect = *connect;
        }
        if (active && list.size() < maxListEntries)
            list.push_back(std::move(spec));
        return {};
    };
    auto seconds = [&](std::optional<int>& slot) -> Status {
        if (Status status = single(); !status)
            return status;
        std::optional<int> value = parseTime(arg);
        if (!value && lowerCase(arg) == "none")
            value = -1;
        if (!value)
            return lineError(where, "invalid time value \"" + arg + "\"");
        setFirst(slot, active, *value);
        return {};
    };
    auto integer = [&](std::optional<int>& slot) -> Status {
        if (Status status = single(); !status)
            return status;
        const std::optional<int> value = parseNumber(arg, std::numeric_limits<int>::max());
        if (!value)
            return lineError(where, "invalid number \"" + arg + "\" for " + name);
        setFirst(slot, active, *value);
        return {};
    };

    switch (keyword) {
    case Keyword::Host: {
        for (const std::string& pattern : args)
            if (pattern.find_first_of("*?!") == std::string::npos &&
                std::find(hostAliases_.begin(), hostAliases_.end(), pattern) == hostAliases_.end())
                hostAliases_.push_back(pattern);
        Result<bool> matched = matchHostLine(line);
        active = !flags.neverMatch && *matched;
        return {};
    }
    case Keyword::Match: {
        if (where.starts_with("command line:"))
            return lineError(where, "Match directive not supported as a command-line option");
        Result<bool> matched = matchMatchLine(line, where);
        if (!matched)
            return matched.error();
        active = !flags.neverMatch && *matched;
        return {};
    }
    case Keyword::Include:
        if (where.starts_with("command line:"))
            return lineError(where, "Include directive not supported as a command-line option");
        return include(line, where, active, depth, flags);
    case Keyword::IgnoreUnknown:
        if (Status status = single(); !status)
            return status;
        setFirst(pending_.ignoreUnknown, active, arg);
        return {};
    case Keyword::HostName:
        if (Status status = single(); !status)
            return status;
        setFirst(pending_.hostName, active, arg);
        return {};
    case Keyword::User:
        if (Status status = single(); !status)
            return status;
        setFirst(pending_.user, active, arg);
        return {};
    case Keyword::Port: {
        if (Status status = single(); !status)
            return status;
        const std::optional<int> port = parseNumber(arg, 65535);
        if (!port || *port == 0)
            return lineError(where, "Badly formatted port number \"" + arg + "\"");
        setFirst(pending_.port, active, *port);
        return {};
    }
    case Keyword::IdentityFile:
    case Keyword::CertificateFile: {
        if (Status status = single(); !status)
            return status;
        std::vector<std::string>& list =
            keyword == Keyword::IdentityFile ? pending_.identityFiles : pending_.certificateFiles;
        if (active) {
            if (list.size() >= maxIdentityFiles)
                return lineError(where, "Too many " + name + "s specified (max " +
                                            std::to_string(maxIdentityFiles) + ")");
            if (std::find(list.begin(), list.end(), arg) == list.end())
                list.push_back(arg);
        }
        return {};
    }
    case Keyword::IdentitiesOnly:
        return yesNo(pending_.identitiesOnly);
    case Keyword::BatchMode:
        return yesNo(pending_.batchMode);
    case Keyword::ExitOnForwardFailure:
        return yesNo(pending_.exitOnForwardFailure);
    case Keyword::PermitLocalCommand:
        return yesNo(pending_.permitLocalCommand);
    case Keyword::EnableEscapeCommandline:
        return yesNo(pending_.enableEscapeCommandline);
    case Keyword::HashKnownHosts:
        return yesNo(pending_.hashKnownHosts);
    case Keyword::PasswordAuthentication:
        return yesNo(pending_.passwordAuthentication);
    case Keyword::KbdInteractiveAuthentication:
        return yesNo(pending_.kbdInteractiveAuthentication);
    case Keyword::ProxyJump: {
        if (Status status = single(); !status)
            return status;
        // Every hop is checked even where the line does not apply (readconf.c parse_jump).
        std::vector<JumpHost> hops;
        if (lowerCase(arg) != "none") {
            std::size_t start = 0;
            while (start <= arg.size()) {
                std::size_t end = arg.find(',', start);
                if (end == std::string::npos)
                    end = arg.size();
                std::optional<JumpHost> hop =
                    parseJumpHost(std::string_view(arg).substr(start, end - start));
                if (!hop || hops.size() >= maxListEntries)
                    return lineError(where, "Invalid ProxyJump \"" + arg + "\"");
                hops.push_back(std::move(*hop));
                start = end + 1;
            }
        }
        // ProxyJump and ProxyCommand exclude each other: whichever applies first wins, and
        // a real jump host sets ProxyCommand to none.
        if (active && !pending_.proxyJump && !pending_.proxyCommand) {
            if (!hops.empty()) {
                pending_.proxyJumpText = arg;
                pending_.proxyCommand = "none";
            }
            pending_.proxyJump = std::move(hops);
        }
        return {};
    }
    case Keyword::ProxyCommand:
        // The command is the raw rest of the line: the shell parses it, not us.
        if (!pending_.proxyJump || pending_.proxyJump->empty())
            setFirst(pending_.proxyCommand, active, line.rest);
        return {};
    case Keyword::RemoteCommand:
        setFirst(pending_.remoteCommand, active, line.rest);
        return {};
    case Keyword::PreferredAuthentications:
        // One comma-separated list; OpenSSH does not check the method names.
        setFirst(pending_.preferredAuthentications, active, arg);
        return {};
    case Keyword::LocalForward:
        return forward(pending_.localForwards, false, false);
    case Keyword::RemoteForward:
        return forward(pending_.remoteForwards, true, false);
    case Keyword::DynamicForward:
        return forward(pending_.dynamicForwards, false, true);
    case Keyword::ForwardAgent: {
        if (Status status = single(); !status)
            return status;
        const std::optional<bool> value = parseYesNo(arg);
        setFirst(pending_.forwardAgent, active, value ? std::string(*value ? "yes" : "no") : arg);
        return {};
    }
    case Keyword::ForwardX11:
        return yesNo(pending_.forwardX11);
    case Keyword::ForwardX11Trusted:
        return yesNo(pending_.forwardX11Trusted);
    case Keyword::ForwardX11Timeout:
        return seconds(pending_.forwardX11Timeout);
    case Keyword::XAuthLocation:
        if (Status status = single(); !status)
            return status;
        setFirst(pending_.xauthLocation, active, arg);
        return {};
    case Keyword::ServerAliveInterval:
        return seconds(pending_.serverAliveInterval);
    case Keyword::ConnectTimeout:
        return seconds(pending_.connectTimeout);
    case Keyword::ServerAliveCountMax:
        return integer(pending_.serverAliveCountMax);
    case Keyword::NumberOfPasswordPrompts:
        return integer(pending_.numberOfPasswordPrompts);
    case Keyword::StrictHostKeyChecking: {
        if (Status status = single(); !status)
            return status;
        const std::string value = lowerCase(arg);
        std::optional<StrictHostKeyChecking> mode;
        if (value == "yes" || value == "true")
            mode = StrictHostKeyChecking::Yes;
        else if (value == "no" || value == "false" || value == "off")
            mode = StrictHostKeyChecking::No;
        else if (value == "ask")
            mode = StrictHostKeyChecking::Ask;
        else if (value == "accept-new")
            mode = StrictHostKeyChecking::AcceptNew;
        else
            return lineError(where, "unsupported option \"" + arg + "\" for " + name);
        setFirst(pending_.strictHostKeyChecking, active, *mode);
        return {};
    }
    case Keyword::RequestTty: {
        if (Status status = single(); !status)
            return status;
        const std::string value = lowerCase(arg);
        std::optional<RequestTty> mode;
        if (value == "no" || value == "false")
            mode = RequestTty::No;
        else if (value == "yes" || value == "true")
            mode = RequestTty::Yes;
        else if (value == "force")
            mode = RequestTty::Force;
        else if (value == "auto")
            mode = RequestTty::Auto;
        else
            return lineError(where, "unsupported option \"" + arg + "\" for " + name);
        setFirst(pending_.requestTty, active, *mode);
        return {};
    }
    case Keyword::PubkeyAuthentication: {
        if (Status status = single(); !status)
            return status;
        const std::string value = lowerCase(arg);
        std::optional<PubkeyAuthentication> mode;
        if (value == "yes" || value == "true")
            mode = PubkeyAuthentication::Yes;
        else if (value == "no" || value == "false")
            mode = PubkeyAuthentication::No;
        else if (value == "unbound")
            mode = PubkeyAuthentication::Unbound;
        else if (value == "host-bound")
            mode = PubkeyAuthentication::HostBound;
        else
            return lineError(where, "unsupported option \"" + arg + "\" for " + name);
        setFirst(pending_.pubkeyAuthentication, active, *mode);
        return {};
    }
    case Keyword::UserKnownHostsFile:
        if (args.size() > maxListEntries)
            return lineError(where, "too many files for " + name);
        setFirst(pending_.userKnownHostsFiles, active, args);
        return {};
    case Keyword::KexAlgorithms:
        return algorithms(pending_.kex, crypto::AlgorithmFamily::Kex);
    case Keyword::Ciphers:
        return algorithms(pending_.ciphers, crypto::AlgorithmFamily::Cipher);
    case Keyword::Macs:
        return algorithms(pending_.macs, crypto::AlgorithmFamily::Mac);
    case Keyword::HostKeyAlgorithms:
        return algorithms(pending_.hostKeyAlgorithms, crypto::AlgorithmFamily::HostKey);
    case Keyword::PubkeyAcceptedAlgorithms:
        return algorithms(pending_.pubkeyAccepted, crypto::AlgorithmFamily::PubkeyAccepted);
    case Keyword::SetEnv: {
        // OpenSSH 9.2: the first SetEnv line that applies sets the whole list; within it the
        // first value of a name wins.
        std::vector<std::string> entries;
        for (const std::string& entry : args) {
            const std::size_t equals = entry.find('=');
            if (equals == std::string::npos || equals == 0)
                return lineError(where, "Invalid SetEnv \"" + entry + "\"");
            const std::string_view variable = std::string_view(entry).substr(0, equals + 1);
            if (std::none_of(entries.begin(), entries.end(),
                             [&](const std::string& e) { return e.starts_with(variable); }) &&
                entries.size() < maxListEntries)
                entries.push_back(entry);
        }
        setFirst(pending_.setEnv, active, std::move(entries));
        return {};
    }
    case Keyword::SendEnv:
        // Cumulative; "-pattern" removes what earlier lines sent (ssh_config(5) SendEnv).
        for (const std::string& entry : args) {
            if (entry.empty() || entry == "-")
                return lineError(where, "Invalid environment name \"" + entry + "\"");
            if (!active)
                continue;
            if (entry.front() == '-') {
                const std::string pattern = entry.substr(1);
                std::erase_if(pending_.sendEnv,
                              [&](const std::string& e) { return matchWildcard(e, pattern); });
            } else if (pending_.sendEnv.size() < maxListEntries) {
                pending_.sendEnv.push_back(entry);
            }
        }
        return {};
    case Keyword::Ignored:
        if (active)
            ignored_.push_back({name, where});
        return {};
    }
    return {};
}

Result<SshOptions> Resolver::finish() const {
    SshOptions options;
    options.host = destination_.host;

    Result<std::string> hostName =
        expandTokens(pending_.hostName.value_or("%h"), hostNameTokens(destination_.host), "h");
    if (!hostName)
        return Error::localFile("HostName: " + hostName.error().message);
    options.hostName = lowerCase(*hostName);
    options.user = pending_.user.value_or(local_.userName);
    options.port = pending_.port.value_or(22);

    options.identityFiles = pending_.identityFiles;
    if (options.identityFiles.empty())
        options.identityFiles = {"~/.ssh/id_rsa",     "~/.ssh/id_ecdsa",      "~/.ssh/id_ecdsa_sk",
                                 "~/.ssh/id_ed25519", "~/.ssh/id_ed25519_sk", "~/.ssh/id_xmss",
                                 "~/.ssh/id_dsa"};
    options.certificateFiles = pending_.certificateFiles;
    options.identitiesOnly = pending_.identitiesOnly.value_or(false);

    if (pending_.proxyJump && !pending_.proxyJump->empty()) {
        options.proxyJump = *pending_.proxyJump;
        options.proxyJumpText = pending_.proxyJumpText;
    } else if (pending_.proxyCommand && lowerCase(*pending_.proxyCommand) != "none") {
        options.proxyCommand = *pending_.proxyCommand;
    }
    options.localForwards = pending_.localForwards;
    options.remoteForwards = pending_.remoteForwards;
    options.dynamicForwards = pending_.dynamicForwards;
    options.forwardAgent = pending_.forwardAgent.value_or("no");
    options.exitOnForwardFailure = pending_.exitOnForwardFailure.value_or(false);
    options.permitLocalCommand = pending_.permitLocalCommand.value_or(false);
    options.enableEscapeCommandline = pending_.enableEscapeCommandline.value_or(false);
    options.forwardX11 = pending_.forwardX11.value_or(false);
    options.forwardX11Trusted = pending_.forwardX11Trusted.value_or(false);
    options.forwardX11Timeout = std::chrono::seconds(
        pending_.forwardX11Timeout && *pending_.forwardX11Timeout >= 0 ? *pending_.forwardX11Timeout : 1200);
    options.xauthLocation = pending_.xauthLocation.value_or("/usr/bin/xauth");

    // In batch mode OpenSSH probes a silent server every five minutes unless told otherwise.
    const int defaultAliveInterval = pending_.batchMode.value_or(false) ? 300 : 0;
    options.serverAliveInterval = std::chrono::seconds(
        std::max(0, pending_.serverAliveInterval.value_or(defaultAliveInterval)));
    options.serverAliveCountMax = pending_.serverAliveCountMax.value_or(3);
    if (pending_.connectTimeout && *pending_.connectTimeout >= 0)
        options.connectTimeout = std::chrono::seconds(*pending_.connectTimeout);
    options.batchMode = pending_.batchMode.value_or(false);
    options.strictHostKeyChecking =
        pending_.strictHostKeyChecking.value_or(StrictHostKeyChecking::Ask);
    options.hashKnownHosts = pending_.hashKnownHosts.value_or(false);

    options.kexAlgorithms =
        pending_.kex.value_or(crypto::defaultAlgorithms(crypto::AlgorithmFamily::Kex));
    options.ciphers =
        pending_.ciphers.value_or(crypto::defaultAlgorithms(crypto::AlgorithmFamily::Cipher));
    options.macs = pending_.macs.value_or(crypto::defaultAlgorithms(crypto::AlgorithmFamily::Mac));
    options.hostKeyAlgorithms = pending_.hostKeyAlgorithms.value_or(
        crypto::defaultAlgorithms(crypto::AlgorithmFamily::HostKey));
    options.pubkeyAcceptedAlgorithms = pending_.pubkeyAccepted.value_or(
        crypto::defaultAlgorithms(crypto::AlgorithmFamily::PubkeyAccepted));

    options.setEnv = pending_.setEnv.value_or(std::vector<std::string>{});
    options.sendEnv = pending_.sendEnv;
    options.requestTty = pending_.requestTty.value_or(RequestTty::Auto);
    options.passwordAuthentication = pending_.passwordAuthentication.value_or(true);
    options.pubkeyAuthentication =
        pending_.pubkeyAuthentication.value_or(PubkeyAuthentication::Yes);
    options.kbdInteractiveAuthentication = pending_.kbdInteractiveAuthentication.value_or(true);
    options.numberOfPasswordPrompts = pending_.numberOfPasswordPrompts.value_or(3);

    // Tokens last: they refer to the final host name, port and user (ssh.c does the same).
    const TokenValues values = tokenValues(options, local_);
    for (const std::string& file : pending_.userKnownHostsFiles.value_or(
             std::vector<std::string>{"~/.ssh/known_hosts", "~/.ssh/known_hosts2"})) {
        Result<std::string> tilde = expandTilde(file, local_.homeDirectory);
        if (!tilde)
            return Error::localFile("UserKnownHostsFile: " + tilde.error().message);
        Result<std::string> expanded = expandTokens(*tilde, values, pathTokens);
        if (!expanded)
            return Error::localFile("UserKnownHostsFile: " + expanded.error().message);
        options.userKnownHostsFiles.push_back(*expanded);
    }
    if (pending_.remoteCommand && lowerCase(*pending_.remoteCommand) != "none") {
        Result<std::string> expanded = expandTokens(*pending_.remoteCommand, values, pathTokens);
        if (!expanded)
            return Error::localFile("RemoteCommand: " + expanded.error().message);
        options.remoteCommand = *expanded;
    }
    if (pending_.preferredAuthentications) {
        options.preferredAuthenticationsText = *pending_.preferredAuthentications;
        std::string_view list = *pending_.preferredAuthentications;
        while (!list.empty()) {
            const std::size_t comma = std::min(list.find(','), list.size());
            if (comma > 0)
                options.preferredAuthentications.emplace_back(list.substr(0, comma));
            list.remove_prefix(std::min(comma + 1, list.size()));
        }
    }
    options.ignoredOptions = ignored_;
    options.warnings = warnings_;
    return options;
}

std::string formatEndpoint(const ForwardEndpoint& endpoint, bool listenSide) {
    if (!endpoint.path.empty())
        return endpoint.path;
    if (listenSide && endpoint.host.empty())
        return std::to_string(endpoint.port);
    return "[" + endpoint.host + "]:" + std::to_string(endpoint.port);
}

const char* yesNo(bool value) {
    return value ? "yes" : "no";
}

std::string joined(const std::vector<std::string>& names, char separator) {
    std::string text;
    for (const std::string& name : names)
        text += (text.empty() ? "" : std::string(1, separator)) + name;
    return text;
}

} // namespace

Result<std::string> SshOptions::expandPath(const std::string& path,
                                           const LocalContext& local) const {
    Result<std::string> tilde = expandTilde(path, local.homeDirectory);
    if (!tilde)
        return tilde;
    return expandTokens(*tilde, tokenValues(*this, local), pathTokens);
}

std::vector<ConfigSource>
defaultConfigSources(const LocalContext& local,
                     const std::optional<std::string>& fileFromCommandLine) {
    if (fileFromCommandLine)
        return {{*fileFromCommandLine, true, false}};
    return {{local.homeDirectory + "/.ssh/config", false, false},
            {"/etc/ssh/ssh_config", false, true}};
}

Result<SshOptions> resolveSshConfig(const Destination& destination,
                                    const std::vector<ConfigSource>& sources,
                                    const LocalContext& local, const ConfigFileAccess& files,
                                    const std::vector<std::string>& commandLineOptions) {
    if (destination.host.empty())
        return Error::localFile("No host name given.");
    Resolver resolver(destination, local, files);
    if (Status status = resolver.readCommandLine(commandLineOptions); !status)
        return status.error();
    for (const ConfigSource& source : sources)
        if (Status status = resolver.readSource(source); !status)
            return status.error();
    return resolver.finish();
}

Result<std::vector<std::string>> listConfiguredHosts(const std::vector<ConfigSource>& sources,
                                                     const LocalContext& local,
                                                     const ConfigFileAccess& files) {
    // Reading the files for a destination no Host pattern can name but "*" visits every line
    // and every Include, whichever block it sits in.
    const Destination nobody{"\x01", std::nullopt, std::nullopt};
    Resolver resolver(nobody, local, files);
    for (const ConfigSource& source : sources)
        if (Status status = resolver.readSource(source); !status)
            return status.error();
    return resolver.hostAliases();
}

std::string printSshOptions(const SshOptions& options) {
    std::string out;
    auto line = [&](std::string_view keyword, const std::string& value) {
        out.append(keyword).append(" ").append(value).append("\n");
    };
    line("host", options.host);
    line("hostname", options.hostName);
    line("user", options.user);
    line("port", std::to_string(options.port));
    for (const std::string& file : options.identityFiles)
        line("identityfile", file);
    for (const std::string& file : options.certificateFiles)
        line("certificatefile", file);
    line("identitiesonly", yesNo(options.identitiesOnly));
    if (!options.proxyJump.empty()) {
        // As ssh -G: the hops before the last as written, the last one normalised.
        const std::size_t lastComma = options.proxyJumpText.rfind(',');
        const std::string before = lastComma == std::string::npos
                                       ? std::string()
                                       : options.proxyJumpText.substr(0, lastComma + 1);
        line("proxyjump", before + formatJumpHost(options.proxyJump.back()));
    }
    if (!options.proxyCommand.empty())
        line("proxycommand", options.proxyCommand);
    for (const Forward& forward : options.localForwards)
        line("localforward",
             formatEndpoint(forward.listen, true) + " " + formatEndpoint(*forward.connect, false));
    for (const Forward& forward : options.remoteForwards)
        line("remoteforward",
             formatEndpoint(forward.listen, true) +
                 (forward.connect ? " " + formatEndpoint(*forward.connect, false) : std::string()));
    for (const Forward& forward : options.dynamicForwards)
        line("dynamicforward", formatEndpoint(forward.listen, true));
    line("forwardagent", options.forwardAgent);
    line("exitonforwardfailure", yesNo(options.exitOnForwardFailure));
    line("permitlocalcommand", yesNo(options.permitLocalCommand));
    line("enableescapecommandline", yesNo(options.enableEscapeCommandline));
    line("forwardx11", yesNo(options.forwardX11));
    line("forwardx11trusted", yesNo(options.forwardX11Trusted));
    line("forwardx11timeout", std::to_string(options.forwardX11Timeout.count()));
    line("xauthlocation", options.xauthLocation);
    line("serveraliveinterval", std::to_string(options.serverAliveInterval.count()));
    line("serveralivecountmax", std::to_string(options.serverAliveCountMax));
    line("connecttimeout",
         options.connectTimeout ? std::to_string(options.connectTimeout->count()) : "none");
    line("batchmode", yesNo(options.batchMode));
    static constexpr std::array strictNames = {"true", "false", "ask", "accept-new"};
    line("stricthostkeychecking",
         strictNames[static_cast<std::size_t>(options.strictHostKeyChecking)]);
    line("userknownhostsfile", joined(options.userKnownHostsFiles, ' '));
    line("hashknownhosts", yesNo(options.hashKnownHosts));
    line("kexalgorithms", joined(options.kexAlgorithms, ','));
    line("ciphers", joined(options.ciphers, ','));
    line("macs", joined(options.macs, ','));
    line("hostkeyalgorithms", joined(options.hostKeyAlgorithms, ','));
    line("pubkeyacceptedalgorithms", joined(options.pubkeyAcceptedAlgorithms, ','));
    for (const std::string& entry : options.setEnv)
        line("setenv", entry);
    for (const std::string& entry : options.sendEnv)
        line("sendenv", entry);
    static constexpr std::array ttyNames = {"auto", "false", "true", "force"};
    line("requesttty", ttyNames[static_cast<std::size_t>(options.requestTty)]);
    if (!options.remoteCommand.empty())
        line("remotecommand", options.remoteCommand);
    line("passwordauthentication", yesNo(options.passwordAuthentication));
    static constexpr std::array pubkeyNames = {"true", "false", "unbound", "host-bound"};
    line("pubkeyauthentication",
         pubkeyNames[static_cast<std::size_t>(options.pubkeyAuthentication)]);
    line("kbdinteractiveauthentication", yesNo(options.kbdInteractiveAuthentication));
    line("numberofpasswordprompts", std::to_string(options.numberOfPasswordPrompts));
    if (!options.preferredAuthenticationsText.empty())
        line("preferredauthentications", options.preferredAuthenticationsText);
    return out;
}

} // namespace portal::protocol::config
