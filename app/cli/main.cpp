// portal-cli: Portal's console front end. `portal-cli ssh [options] [user@]host [command]`
// behaves like OpenSSH's ssh(1) for running commands.
#include "SshCommand.h"
#include "SshOptions.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

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
    return local;
}

int usage(FILE* stream) {
    std::fprintf(stream,
                 "usage: portal-cli <command> [arguments]\n"
                 "commands:\n"
                 "  ssh   run a command on a server, like ssh(1)\n");
    return stream == stderr ? 2 : 0;
}

int runSsh(const std::vector<std::string>& arguments) {
    portal::protocol::Result<SshInvocation> invocation = parseSshArguments(arguments, localContext());
    if (!invocation) {
        std::fprintf(stderr, "%s\n", invocation.error().message.c_str());
        return 255;
    }
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
