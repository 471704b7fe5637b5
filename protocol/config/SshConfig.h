// Resolves the OpenSSH client configuration (ssh_config(5), OpenSSH 9.2) for one destination:
// Host and Match blocks, Include, first-value-wins with the cumulative exceptions, %-tokens,
// and the options Portal acts on; prints the result the way `ssh -G` does.
//
// Sans-I/O apart from reading files through ConfigFileAccess. Nothing here resolves names,
// runs commands or reads the environment: the caller supplies the local facts (LocalContext).
//
// Choices where OpenSSH has behaviour we do not copy, each reported rather than hidden:
//  - `Match exec` would run a shell command while reading a file. A Match line that uses it
//    (negated or not) never matches, and a warning naming file:line says so.
//  - `Match canonical` and `Match final` need host name canonicalisation, which Portal does
//    not do; they are treated like exec (no match, warning).
//  - Keywords OpenSSH knows but Portal does not act on (Compression, ControlMaster, ...) are
//    accepted and listed in SshOptions::ignoredOptions; keywords OpenSSH does not know are an
//    error unless IgnoreUnknown names them, as in OpenSSH.
//  - Port takes numbers only (OpenSSH also takes service names such as "ssh").
#pragma once

#include "common/Error.h"
#include "config/ConfigFiles.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace portal::protocol::config {

// What the machine we run on says about itself; the sources of ~, %d, %u, %l, %L and %i.
struct LocalContext {
    std::string homeDirectory; // the passwd home, as OpenSSH uses for ~ (not $HOME)
    std::string userName;      // the default remote user
    std::string hostName;      // %l: this machine's name, fully qualified where known
    std::string userId;        // %i: numeric uid as text
};

// The destination as given on the command line; what is set here overrides the files.
struct Destination {
    std::string host;                // `ssh host` (compared in lower case, as OpenSSH does)
    std::optional<std::string> user; // -l user or user@host
    std::optional<int> port;         // -p port
};

// [bind:]port or a Unix socket path on either side of a forward (ssh(1) -L/-R/-D).
struct ForwardEndpoint {
    std::string host; // empty: the default bind address (listen side only)
    int port = 0;
    std::string path; // a Unix-domain socket instead of host/port
};

struct Forward {
    ForwardEndpoint listen;
    std::optional<ForwardEndpoint> connect; // absent for DynamicForward and dynamic -R
};

struct JumpHost {
    std::string user; // empty: the user is resolved for that hop from the configuration
    std::string host;
    int port = 0; // 0: the port is resolved for that hop
};

enum class StrictHostKeyChecking { Yes, No, Ask, AcceptNew };
enum class RequestTty { Auto, No, Yes, Force };
enum class PubkeyAuthentication { Yes, No, Unbound, HostBound };

// A keyword Portal accepts but does not act on (one OpenSSH knows, or an unknown one that
// IgnoreUnknown lets through), with where an applying line used it.
struct IgnoredOption {
    std::string keyword;
    std::string location; // "file:line"
};

// The resolved options for one destination (defaults filled in as OpenSSH 9.2 would).
struct SshOptions {
    std::string host;     // the destination as given (lower case): %n, the Host/known_hosts name
    std::string hostName; // where to connect: HostName with %h expanded, lower case
    std::string user;
    int port = 22;

    // IdentityFile and CertificateFile as written (tokens and ~ unexpanded, as `ssh -G`
    // shows them); expandPath() turns one into a file name. Without any IdentityFile these
    // are OpenSSH's default identity files.
    std::vector<std::string> identityFiles;
    std::vector<std::string> certificateFiles;
    bool identitiesOnly = false;

    std::vector<JumpHost> proxyJump; // hops in order, the first one is connected to first
    std::string proxyJumpText;       // as written (for -G); empty when none
    std::string proxyCommand;        // as written; empty when none
    std::vector<Forward> localForwards;
    std::vector<Forward> remoteForwards;
    std::vector<Forward> dynamicForwards;
    std::string forwardAgent = "no"; // "yes", "no", or an agent socket path / $VARIABLE
    // A forward that cannot be set up ends the connection (ssh exits 255) instead of a warning.
    bool exitOnForwardFailure = false;
    // The ~C command line may run local commands ("!command"); LocalCommand itself is not run.
    bool permitLocalCommand = false;
    // The ~C command line at all: off unless asked for, as in OpenSSH 9.2 and later.
    bool enableEscapeCommandline = false;
    // X11 forwarding. Trusted defaults to no as in upstream OpenSSH (Debian's ssh patches
    // it to yes): -X stays untrusted unless asked for.
    bool forwardX11 = false;
    bool forwardX11Trusted = false;
    std::chrono::seconds forwardX11Timeout{1200}; // the untrusted cookie's lifetime; 0: none
    std::string xauthLocation = "/usr/bin/xauth"; // as written (~ unexpanded, as ssh -G shows)

    std::chrono::seconds serverAliveInterval{0};
    int serverAliveCountMax = 3;
    std::optional<std::chrono::seconds> connectTimeout; // none: the system's own timeout
    bool batchMode = false;
    StrictHostKeyChecking strictHostKeyChecking = StrictHostKeyChecking::Ask;
    std::vector<std::string> userKnownHostsFiles; // expanded (~ and tokens)
    bool hashKnownHosts = false;

    // Algorithm preference lists after the +/-/^ forms were applied to Portal's defaults
    // (crypto::applyAlgorithmOption).
    std::vector<std::string> kexAlgorithms;
    std::vector<std::string> ciphers;
    std::vector<std::string> macs;
    std::vector<std::string> hostKeyAlgorithms;
    std::vector<std::string> pubkeyAcceptedAlgorithms;

    std::vector<std::string> setEnv;  // NAME=value
    std::vector<std::string> sendEnv; // name patterns
    RequestTty requestTty = RequestTty::Auto;
    std::string remoteCommand; // expanded; empty when none

    bool passwordAuthentication = true;
    PubkeyAuthentication pubkeyAuthentication = PubkeyAuthentication::Yes;
    bool kbdInteractiveAuthentication = true;
    int numberOfPasswordPrompts = 3;
    // PreferredAuthentications in order; empty when not configured (OpenSSH's own order,
    // gssapi-with-mic,publickey,keyboard-interactive,password, applies). The text is as
    // written, for -G.
    std::vector<std::string> preferredAuthentications;
    std::string preferredAuthenticationsText;

    std::vector<IgnoredOption> ignoredOptions;
    std::vector<std::string> warnings; // "file:line: text", e.g. an unsupported Match criterion

    // Expands ~ and the %-tokens of ssh_config(5) "TOKENS" allowed in IdentityFile and
    // CertificateFile (%% %C %d %h %i %k %L %l %n %p %r %u) for this destination.
    Result<std::string> expandPath(const std::string& path, const LocalContext& local) const;
};

struct ConfigSource {
    std::string path;        // the file (-F file, or ~/.ssh/config)
    bool mustExist = false;  // true for -F: a missing file is an error, as in OpenSSH
    bool systemWide = false; // relative Include paths are under /etc/ssh, not ~/.ssh
};

// Where ssh(1) looks: with -F only that file (which must exist); otherwise ~/.ssh/config, then
// /etc/ssh/ssh_config, either of which may be missing.
std::vector<ConfigSource>
defaultConfigSources(const LocalContext& local,
                     const std::optional<std::string>& fileFromCommandLine);

// Reads the sources in order (OpenSSH: -o options, then the user file, then the system one)
// and resolves the options for `destination`. `commandLineOptions` are "Keyword value" lines
// from -o, applied before any file. Errors carry "file:line: " and OpenSSH's wording.
Result<SshOptions> resolveSshConfig(const Destination& destination,
                                    const std::vector<ConfigSource>& sources,
                                    const LocalContext& local, const ConfigFileAccess& files,
                                    const std::vector<std::string>& commandLineOptions = {});

// The host aliases the files name: every Host pattern without wildcards or negation, in
// file order, without repeats, Includes followed. What a GUI offers to import as sessions
// (each one then resolved with resolveSshConfig).
Result<std::vector<std::string>> listConfiguredHosts(const std::vector<ConfigSource>& sources,
                                                     const LocalContext& local,
                                                     const ConfigFileAccess& files);

// The resolved options as `ssh -G` prints them: lower-case keyword, space, value, one per
// line, for the keywords Portal supports.
std::string printSshOptions(const SshOptions& options);

} // namespace portal::protocol::config
