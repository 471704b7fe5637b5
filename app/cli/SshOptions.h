// `portal-cli ssh` command line: OpenSSH's ssh(1) options and the `-o Option=value` keywords
// of ssh_config(5) that the SSH core supports, turned into a ClientConfig. First value wins,
// as in ssh_config(5): `-p`, `-l`, `user@` and `-o` all set a keyword only once.
#pragma once

#include "client/SshClient.h"
#include "common/Error.h"
#include "config/SshConfig.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portal::app::cli {

enum class AddressFamily { Any, IPv4, IPv6 };

// One ProxyJump hop as its own connection: ssh(1) resolves each hop's options from the same
// configuration files (HostName, User, Port, IdentityFile, ... of that host).
struct JumpHop {
    protocol::client::ClientConfig config;
    std::string address; // HostName: where its TCP connection (or the previous hop's channel) goes
    std::chrono::seconds connectTimeout{0};
};

// -T, -t, -tt or RequestTTY: whether the session channel asks for a pty (ssh(1) -t).
enum class TtyRequest { Auto, No, Yes, Force };

// What the command line asks for: the core's configuration plus what only the front end
// handles (connecting, the command, how loud to be).
struct SshInvocation {
    protocol::client::ClientConfig config; // host, port, user, algorithms, auth, known hosts
    std::string command;                   // empty: start the login shell
    int verbosity = 0;                     // number of -v (LogLevel VERBOSE, DEBUG, ...)
    bool quiet = false;                    // -q: only fatal errors
    std::chrono::seconds connectTimeout{0}; // ConnectTimeout; 0 leaves it to the system
    AddressFamily addressFamily = AddressFamily::Any;
    bool stdinFromDevNull = false;         // -n
    // Identity files named with -i or IdentityFile that do not exist: OpenSSH warns about
    // these and carries on with the rest.
    std::vector<std::string> missingIdentityFiles;

    // ---- interactive use and the ssh_config reader (issue 3) ----
    std::string destination;               // the host as given on the command line (the Host name)
    std::optional<int> commandLinePort;    // -p or ssh://host:port
    std::optional<std::string> commandLineUser; // -l or user@
    TtyRequest ttyRequest = TtyRequest::Auto;    // -T / -t / -tt; Auto defers to RequestTTY
    bool ttyRequestGiven = false;
    bool noRemoteCommand = false;          // -N: no shell or command, only forwarding
    // -W host:port: stdin/stdout carried by one direct-tcpip channel (RFC 4254 §7.2) to
    // host:port, instead of a session (implies -N -T and no other forwards, as in ssh(1)).
    std::optional<protocol::config::ForwardEndpoint> stdioForward;
    bool background = false;               // -f: go to the background after authentication
    std::string logFile;                   // -E: log lines appended here instead of stderr
    int escapeChar = '~';                  // -e / EscapeChar; -1: none
    std::optional<std::string> configFile; // -F
    bool printConfig = false;              // -G: print the resolved options and exit
    // "Keyword value" lines for the ssh_config resolver, in command-line order: every -o and
    // the flags that stand for a keyword (-i, -c, -m, -L, -R, -D, -J, -A, -a, -X, -Y, -x). With first
    // value wins they come before any file.
    std::vector<std::string> configLines;

    // Filled from the resolved ssh_config options (applyResolvedConfig).
    std::string connectAddress;            // HostName: where the TCP connection goes
    std::vector<protocol::config::Forward> localForwards, remoteForwards, dynamicForwards;
    bool exitOnForwardFailure = false;     // a forward that cannot be set up ends the session (255)
    bool permitLocalCommand = false;       // ~C may run "!command" here
    bool enableEscapeCommandline = false;  // ~C opens the command line (else "commandline disabled")
    std::vector<protocol::config::JumpHost> jumpHosts; // as written
    std::vector<JumpHop> jumpHops;                      // resolved, first hop first
    std::string proxyCommand;
    bool forwardAgent = false;
    std::string agentSocket;               // ForwardAgent with a path, else SSH_AUTH_SOCK
    std::vector<std::string> setEnv;       // NAME=value
    std::vector<std::string> sendEnv;      // name patterns
    bool forwardX11 = false;               // ForwardX11 (-X, -Y; -x turns it off)
    bool forwardX11Trusted = false;        // ForwardX11Trusted (-Y)
    std::chrono::seconds forwardX11Timeout{1200};
    std::string xauthLocation;             // ~ expanded
};

// What parsing needs from the machine, so tests can supply their own.
struct LocalContext {
    std::string home;     // for ~ and the default ~/.ssh files
    std::string userName; // the default remote user
    std::function<bool(const std::string& path)> fileExists;
    std::string hostName; // this machine (%l in ssh_config)
    std::string userId;   // numeric uid as text (%i)
};

// Parses the arguments after `ssh` (argv without the program name and the `ssh` word).
// Errors carry the message OpenSSH would print (without the trailing newline).
protocol::Result<SshInvocation> parseSshArguments(const std::vector<std::string>& arguments,
                                                  const LocalContext& local);

// What the ssh_config resolver needs to know about this machine.
protocol::config::LocalContext configContext(const LocalContext& local);

// The Host name, user and port as the command line gave them, for the resolver.
protocol::config::Destination configDestination(const SshInvocation& invocation);

// Turns the resolved options (command-line lines first, then the files, then OpenSSH's
// defaults) into the invocation's ClientConfig and front-end settings. `defaults` is the
// resolution of nothing at all, to tell a configured identity file from a default one.
protocol::Status applyResolvedConfig(SshInvocation& invocation, const protocol::config::SshOptions& resolved,
                                     const protocol::config::SshOptions& defaults, const LocalContext& local);

// The ssh_config sources (-F, or ~/.ssh/config then /etc/ssh/ssh_config) resolved for the
// destination after the command line's own lines, applied to the invocation; each ProxyJump
// hop is resolved the same way into jumpHops. Returns the destination's resolved options
// (what -G prints).
protocol::Result<protocol::config::SshOptions> resolveInvocation(SshInvocation& invocation, const LocalContext& local,
                                                                 const protocol::config::ConfigFileAccess& files);

// Splits ssh(1)'s colon form "[bind:]port:host:hostport" (or with socket paths) into the
// two-argument form of LocalForward/RemoteForward ("[bind:]port host:hostport"). A spec
// with one side only (-R [bind:]port, -D) comes back unchanged.
std::string forwardSpecToConfigArguments(std::string_view spec);

// The one-line usage text for `portal-cli ssh`.
const char* sshUsage();

} // namespace portal::app::cli
