// How the ssh_config reader reaches files: an injectable pair of functions (read a file, list
// a directory), so Include and its globs can be tested and fuzzed without touching the disk.
// Globbing follows glob(3) as OpenSSH uses it for Include (ssh_config(5) "Include").
#pragma once

#include "common/Error.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace portal::protocol::config {

struct ConfigFileAccess {
    // The whole file; std::nullopt when it does not exist; an Error when it exists but
    // cannot be read (permissions, a directory, too large).
    std::function<Result<std::optional<std::string>>(const std::string& path)> readFile;
    // The names in a directory (without "." and ".."), in any order; empty when it cannot
    // be listed.
    std::function<std::vector<std::string>(const std::string& directory)> listDirectory;
};

// The local file system through std::filesystem; files over 4 MiB are refused, since no
// sane configuration is that large and the reader keeps a whole file in memory.
ConfigFileAccess localConfigFileAccess();

// Expands a path whose components may hold the wildcards * and ? into the existing paths it
// names, sorted as glob(3) sorts them. As in glob(3), a wildcard does not match a leading
// '.'. A path without wildcards comes back unchanged (whether or not it exists).
std::vector<std::string> expandGlob(const std::string& pattern, const ConfigFileAccess& files);

} // namespace portal::protocol::config
