// libFuzzer target: ssh_config resolution over an in-memory file system built from the
// input. NUL bytes split the input into files: the first is the config given with -F, the
// others are ~/.ssh/inc/0, 1, ... (reachable with "Include inc/*"). Each input is resolved for
// a few destinations and the result printed and its identity paths expanded.
#include "common/Bytes.h"
#include "config/SshConfig.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

using namespace portal::protocol;
using namespace portal::protocol::config;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input = asText(ByteView(data, size));
    std::map<std::string, std::string> files;
    std::size_t start = 0;
    for (int index = -1; start <= input.size() && index < 32; ++index) {
        std::size_t end = input.find('\0', start);
        if (end == std::string_view::npos)
            end = input.size();
        const std::string path =
            index < 0 ? "/cfg" : "/home/fuzz/.ssh/inc/" + std::to_string(index);
        files[path] = std::string(input.substr(start, end - start));
        start = end + 1;
    }

    ConfigFileAccess access;
    access.readFile = [&](const std::string& path) -> Result<std::optional<std::string>> {
        auto it = files.find(path);
        if (it == files.end())
            return std::optional<std::string>();
        return std::optional<std::string>(it->second);
    };
    access.listDirectory = [&](const std::string& directory) {
        std::vector<std::string> names;
        for (const auto& [path, text] : files)
            if (path.size() > directory.size() + 1 && path.starts_with(directory + "/") &&
                path.find('/', directory.size() + 1) == std::string::npos)
                names.push_back(path.substr(directory.size() + 1));
        return names;
    };

    LocalContext local{"/home/fuzz", "fuzz", "host.fuzz.example", "1000"};
    for (const Destination& destination :
         {Destination{"web1", std::nullopt, std::nullopt},
          Destination{"DB.Example.com", std::string("root"), 2222}}) {
        Result<SshOptions> options =
            resolveSshConfig(destination, {{"/cfg", true, false}}, local, access);
        if (!options) {
            // An error names the file and line, or the option whose final expansion failed.
            const std::string& message = options.error().message;
            if (!message.starts_with("/cfg:") && !message.starts_with("/home/fuzz/.ssh/inc/") &&
                !message.starts_with("HostName: ") &&
                !message.starts_with("UserKnownHostsFile: ") &&
                !message.starts_with("RemoteCommand: "))
                __builtin_trap();
            continue;
        }
        const std::string printed = printSshOptions(*options);
        if (printed.find("hostname ") == std::string::npos || options->port <= 0 ||
            options->port > 65535)
            __builtin_trap();
        for (const std::string& file : options->identityFiles)
            (void)options->expandPath(file, local);
    }
    return 0;
}
