// portal-cli: Portal's console front end. `portal-cli ssh [options] [user@]host [command]`
// behaves like OpenSSH's ssh(1) for running commands.
#include "SshCommand.h"
#include "SshOptions.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "config/ConfigFiles.h"
#include "config/SshConfig.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using namespace portal::app::cli;

LocalContext localContext() {
    LocalContext local;
    const passwd* entry = ::getpwuid(::getuid());
    const char* home = std::getenv("HOME");
    local.home = home && *home ? home : entry ? entry->pw_dir : "/";
    local.userName = entry ? entry->pw_name : "root";
    local.fileExists = [](const std::string& path) {
        struct stat info{};
        return ::stat(path.c_str(), &info) == 0;
    };
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0)
        local.hostName = host;
    local.userId = std::to_string(::getuid());
    return local;
}

int usage(FILE* stream) {
    std::fprintf(stream,
                 "usage: portal-cli <command> [arguments]\n"
                 "commands:\n"
                 "  ssh   log in to a server or run a command there, like ssh(1)\n");
    return stream == stderr ? 2 : 0;
}

int runSsh(const std::vector<std::string>& arguments) {
    namespace config = portal::protocol::config;
    const LocalContext local = localContext();
    portal::protocol::Result<SshInvocation> invocation = parseSshArguments(arguments, local);
    if (!invocation) {
        std::fprintf(stderr, "%s\n", invocation.error().message.c_str());
        return 255;
    }
    // ssh_config(5): the command line first, then -F file or ~/.ssh/config and
    // /etc/ssh/ssh_config; the first value of each keyword wins.
    config::ConfigFileAccess files = config::localConfigFileAccess();
    // `-F /dev/null`, the usual way to say "no configuration", names a device, which the
    // file reader refuses: read it as the empty file it is.
    files.readFile = [read = files.readFile](const std::string& path) -> portal::protocol::Result<std::optional<std::string>> {
        if (path == "/dev/null")
            return std::optional<std::string>(std::string());
        return read(path);
    };
    portal::protocol::Result<config::SshOptions> resolved = resolveInvocation(*invocation, local, files);
    if (!resolved) {
        std::fprintf(stderr, "%s\n", resolved.error().message.c_str());
        return 255;
    }
    if (invocation->printConfig) {
        const std::string text = config::printSshOptions(*resolved);
        std::fwrite(text.data(), 1, text.size(), stdout);
        return 0;
    }
    if (!invocation->quiet)
        for (const std::string& warning : resolved->warnings)
            std::fprintf(stderr, "%s\n", warning.c_str());
    return runSshCommand(invocation.value());
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2)
        return usage(stderr);
    const std::string command = argv[1];
    if (command == "-h" || command == "--help" || command == "help")
        return usage(stdout);
    const std::vector<std::string> arguments(argv + 2, argv + argc);
    if (command == "ssh")
        return runSsh(arguments);
    std::fprintf(stderr, "portal-cli: unknown command '%s'\n", command.c_str());
    return usage(stderr);
}
