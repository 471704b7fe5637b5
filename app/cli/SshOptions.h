// `portal-cli ssh` command line: OpenSSH's ssh(1) options and the `-o Option=value` keywords
// of ssh_config(5) that the SSH core supports, turned into a ClientConfig. First value wins,
// as in ssh_config(5): `-p`, `-l`, `user@` and `-o` all set a keyword only once.
#pragma once

#include "client/SshClient.h"
#include "common/Error.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace portal::app::cli {

enum class AddressFamily { Any, IPv4, IPv6 };

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
};

// What parsing needs from the machine, so tests can supply their own.
struct LocalContext {
    std::string home;     // for ~ and the default ~/.ssh files
    std::string userName; // the default remote user
    std::function<bool(const std::string& path)> fileExists;
};

// Parses the arguments after `ssh` (argv without the program name and the `ssh` word).
// Errors carry the message OpenSSH would print (without the trailing newline).
protocol::Result<SshInvocation> parseSshArguments(const std::vector<std::string>& arguments,
                                                  const LocalContext& local);

// The one-line usage text for `portal-cli ssh`.
const char* sshUsage();

} // namespace portal::app::cli
