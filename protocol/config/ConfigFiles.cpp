// File access for the ssh_config reader: the local file system, and glob(3)-style expansion
// of Include patterns over any ConfigFileAccess.
#include "config/ConfigFiles.h"

#include "config/Patterns.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace portal::protocol::config {
namespace {

constexpr std::uintmax_t maxConfigFileSize = 4 * 1024 * 1024;

bool hasWildcard(std::string_view text) {
    return text.find_first_of("*?") != std::string_view::npos;
}

std::vector<std::string> splitComponents(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos)
            end = path.size();
        if (end > start)
            parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

} // namespace

ConfigFileAccess localConfigFileAccess() {
    ConfigFileAccess access;
    access.readFile = [](const std::string& path) -> Result<std::optional<std::string>> {
        namespace fs = std::filesystem;
        std::error_code error;
        const fs::file_status status = fs::status(path, error);
        if (status.type() == fs::file_type::not_found)
            return std::optional<std::string>();
        if (error)
            return Error::localFile("Can't open " + path + ": " + error.message());
        if (!fs::is_regular_file(status))
            return Error::localFile("Can't open " + path + ": not a regular file");
        const std::uintmax_t size = fs::file_size(path, error);
        if (error || size > maxConfigFileSize)
            return Error::localFile("Can't open " + path + ": " +
                                    (error ? error.message() : "file too large"));
        std::ifstream stream(path, std::ios::binary);
        if (!stream)
            return Error::localFile("Can't open " + path);
        std::string text((std::istreambuf_iterator<char>(stream)),
                         std::istreambuf_iterator<char>());
        if (stream.bad())
            return Error::localFile("Can't read " + path);
        return std::optional<std::string>(std::move(text));
    };
    access.listDirectory = [](const std::string& directory) {
        std::vector<std::string> names;
        std::error_code error;
        for (auto it = std::filesystem::directory_iterator(directory, error);
             !error && it != std::filesystem::directory_iterator(); it.increment(error))
            names.push_back(it->path().filename().string());
        return names;
    };
    return access;
}

std::vector<std::string> expandGlob(const std::string& pattern, const ConfigFileAccess& files) {
    if (!hasWildcard(pattern))
        return {pattern};

    // Walk the components, widening the set of candidate prefixes at each wildcard one.
    std::vector<std::string> prefixes = {pattern.starts_with('/') ? "" : "."};
    const std::vector<std::string> components = splitComponents(pattern);
    for (std::size_t i = 0; i < components.size(); ++i) {
        const std::string& component = components[i];
        std::vector<std::string> next;
        for (const std::string& prefix : prefixes) {
            const std::string directory = prefix.empty() ? "/" : prefix;
            if (!hasWildcard(component)) {
                next.push_back(prefix + "/" + component);
                continue;
            }
            std::vector<std::string> names =
                files.listDirectory ? files.listDirectory(directory) : std::vector<std::string>{};
            std::sort(names.begin(), names.end());
            for (const std::string& name : names) {
                if (name.empty() || name == "." || name == "..")
                    continue;
                if (name.front() == '.' && component.front() != '.')
                    continue; // glob(3): wildcards never match a leading dot
                if (matchWildcard(name, component))
                    next.push_back(prefix + "/" + name);
            }
        }
        prefixes = std::move(next);
        // A hostile pattern like /*/*/*/* must not walk the whole disk.
        if (prefixes.size() > 1024)
            prefixes.resize(1024);
    }
    // Relative patterns come back relative (without the "./" we walked from).
    if (!pattern.starts_with('/'))
        for (std::string& path : prefixes)
            path.erase(0, 2);
    std::sort(prefixes.begin(), prefixes.end());
    return prefixes;
}

} // namespace portal::protocol::config
