// OpenSSH known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain and hashed
// ("|1|salt|hash", HMAC-SHA1) host patterns, "[host]:port", wildcards * and ?, negation with
// '!', and the @revoked and @cert-authority markers.
#pragma once

#include "common/Error.h"
#include "keys/PublicKey.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portal::protocol::keys {

enum class HostKeyMatch {
    Known,   // this exact key is listed for the host
    Unknown, // no key of this type listed for the host (other types may be)
    Changed, // the host has a different key of the same type
    Revoked, // the key is marked @revoked: always refuse
};

struct HostKeyLookup {
    HostKeyMatch match = HostKeyMatch::Unknown;
    // For Changed/Revoked/Known: where the relevant line is.
    std::string file;
    int line = 0;
    std::optional<PublicKey> listedKey; // the old key for Changed
    // Key types listed for this host at all, so an ordering of host-key algorithms can
    // prefer a type already known (as OpenSSH does).
    std::vector<std::string> knownKeyTypes;
};

class KnownHostsFile {
public:
    // Reads a file; a missing file is an empty list, not an error. Malformed lines are
    // skipped (OpenSSH does the same) and counted; well-formed lines with a key type we do
    // not support (ssh-dss, security keys) are skipped without being counted.
    static Result<KnownHostsFile> load(const std::string& path);
    static KnownHostsFile parse(std::string_view contents, std::string path);

    // host without brackets; port 22 means the plain host form, others "[host]:port".
    HostKeyLookup lookup(std::string_view host, int port, const PublicKey& key) const;
    std::vector<std::string> keyTypesFor(std::string_view host, int port) const;

    // Appends "host-pattern key-type base64" to `path` (creating the file 0600 and its
    // directory 0700 if needed), hashed with a fresh salt if `hashHostName`.
    static Status append(const std::string& path, std::string_view host, int port,
                         const PublicKey& key, bool hashHostName);

    int malformedLineCount() const { return malformedLines_; }

    struct Entry;

private:
    std::string path_;
    std::vector<Entry> entries_;
    int malformedLines_ = 0;
};

struct KnownHostsFile::Entry {
    enum class Marker { None, Revoked, CertAuthority };
    Marker marker = Marker::None;
    std::string hostPatterns; // as written (comma list, or the |1| hashed form)
    PublicKey key;
    int line = 0;
};

// The host-pattern string OpenSSH writes for host and port ("host" or "[host]:port").
std::string knownHostsName(std::string_view host, int port);

} // namespace portal::protocol::keys
