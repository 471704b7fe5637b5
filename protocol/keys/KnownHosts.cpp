// OpenSSH known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT", and OpenSSH's hostfile.c
// and match.c for the behaviour the manual leaves implicit): reading, host-key lookup and
// appending new entries, plain or hashed.
#include "keys/KnownHosts.h"

#include "common/Wildcard.h"

#include "wire/Reader.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace portal::protocol::keys {

namespace {

constexpr std::string_view kHashMagic = "|1|";
constexpr std::size_t kSha1Bytes = 20;

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    return out;
}

bool isBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view nextField(std::string_view& rest) {
    while (!rest.empty() && isBlank(rest.front()))
        rest.remove_prefix(1);
    std::size_t end = 0;
    while (end < rest.size() && !isBlank(rest[end]))
        ++end;
    std::string_view field = rest.substr(0, end);
    rest.remove_prefix(end);
    return field;
}

// "|1|base64(salt)|base64(HMAC-SHA1(salt, name))": the salt and hash, or nothing if malformed.
struct HashedName {
    Bytes salt;
    Bytes hash;
};
std::optional<HashedName> parseHashedName(std::string_view field) {
    if (!field.starts_with(kHashMagic))
        return std::nullopt;
    field.remove_prefix(kHashMagic.size());
    std::size_t bar = field.find('|');
    if (bar == std::string_view::npos)
        return std::nullopt;
    auto salt = base64Decode(field.substr(0, bar));
    auto hash = base64Decode(field.substr(bar + 1));
    // OpenSSH insists on a SHA-1-sized salt and hash.
    if (!salt || !hash || salt->size() != kSha1Bytes || hash->size() != kSha1Bytes)
        return std::nullopt;
    return HashedName{std::move(salt.value()), std::move(hash.value())};
}

std::optional<Bytes> hmacSha1(ByteView key, std::string_view message) {
    Bytes out(kSha1Bytes);
    std::size_t length = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA1", nullptr, key.data(), key.size(),
                   reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), out.size(),
                   &length) ||
        length != out.size())
        return std::nullopt;
    return out;
}

// A comma-separated pattern list matches when some pattern matches and no negated
// ('!'-prefixed) pattern does: a negation vetoes the whole line (OpenSSH match_hostname).
bool patternListMatches(std::string_view name, std::string_view patterns) {
    bool positive = false;
    while (true) {
        std::size_t comma = patterns.find(',');
        std::string_view pattern = patterns.substr(0, comma);
        bool negated = pattern.starts_with('!');
        if (negated)
            pattern.remove_prefix(1);
        if (!pattern.empty() && matchWildcard(name, pattern, WildcardCase::Insensitive)) {
            if (negated)
                return false;
            positive = true;
        }
        if (comma == std::string_view::npos)
            return positive;
        patterns.remove_prefix(comma + 1);
    }
}

bool hostMatches(const KnownHostsFile::Entry& entry, const std::string& name) {
    if (auto hashed = parseHashedName(entry.hostPatterns)) {
        auto mac = hmacSha1(hashed->salt, name);
        return mac && CRYPTO_memcmp(mac->data(), hashed->hash.data(), kSha1Bytes) == 0;
    }
    return patternListMatches(name, entry.hostPatterns);
}

// A well-formed line whose key is of a type we do not support (ssh-dss, security keys,
// certificates): skipped like OpenSSH skips what it cannot use, but not "malformed".
bool isUnsupportedKeyLine(std::string_view keyPart) {
    std::string_view type = nextField(keyPart);
    std::string_view encoded = nextField(keyPart);
    auto blob = base64Decode(encoded);
    if (type.empty() || !blob)
        return false;
    wire::Reader reader(*blob);
    return reader.text() == type && reader.ok() && type != "ssh-ed25519" && type != "ssh-rsa" &&
           !type.starts_with("ecdsa-sha2-nistp");
}

enum class LineKind { Entry, UnsupportedKey, Malformed };

// One line to an entry, or why there is none.
LineKind parseLine(std::string_view line, int number, KnownHostsFile::Entry& entry) {
    using Marker = KnownHostsFile::Entry::Marker;
    entry.line = number;
    std::string_view rest = line;
    std::string_view field = nextField(rest);
    if (field.starts_with('@')) {
        if (field == "@revoked")
            entry.marker = Marker::Revoked;
        else if (field == "@cert-authority")
            entry.marker = Marker::CertAuthority;
        else
            return LineKind::Malformed;
        field = nextField(rest);
    }
    if (field.empty())
        return LineKind::Malformed;
    if (field.starts_with(kHashMagic) && !parseHashedName(field))
        return LineKind::Malformed;
    entry.hostPatterns = std::string(field);
    // The rest is "keytype base64 [comment]".
    auto key = PublicKey::fromOpenSshLine(rest);
    if (!key)
        return isUnsupportedKeyLine(rest) ? LineKind::UnsupportedKey : LineKind::Malformed;
    entry.key = std::move(key.value());
    return LineKind::Entry;
}

} // namespace

std::string knownHostsName(std::string_view host, int port) {
    // OpenSSH's put_host_port: the bare name for the default port.
    if (port == 22 || port == 0)
        return lowercase(host);
    return "[" + lowercase(host) + "]:" + std::to_string(port);
}

KnownHostsFile KnownHostsFile::parse(std::string_view contents, std::string path) {
    KnownHostsFile file;
    file.path_ = std::move(path);
    int number = 0;
    while (!contents.empty()) {
        std::size_t newline = contents.find('\n');
        std::string_view line = contents.substr(0, newline);
        contents.remove_prefix(newline == std::string_view::npos ? contents.size() : newline + 1);
        ++number;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        while (!line.empty() && isBlank(line.front()))
            line.remove_prefix(1);
        if (line.empty() || line.front() == '#')
            continue;
        Entry entry;
        switch (parseLine(line, number, entry)) {
        case LineKind::Entry:
            file.entries_.push_back(std::move(entry));
            break;
        case LineKind::UnsupportedKey:
            break;
        case LineKind::Malformed:
            ++file.malformedLines_;
            break;
        }
    }
    return file;
}

Result<KnownHostsFile> KnownHostsFile::load(const std::string& path) {
    std::error_code error;
    if (!std::filesystem::exists(path, error))
        return parse({}, path);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Error::localFile("cannot read known hosts file " + path + ": " + std::strerror(errno));
    std::ostringstream contents;
    contents << in.rdbuf();
    if (in.bad())
        return Error::localFile("cannot read known hosts file " + path);
    return parse(contents.str(), path);
}

HostKeyLookup KnownHostsFile::lookup(std::string_view host, int port, const PublicKey& key) const {
    const std::string name = knownHostsName(host, port);
    HostKeyLookup result;
    const Entry* known = nullptr;
    const Entry* changed = nullptr;
    for (const Entry& entry : entries_) {
        switch (entry.marker) {
        case Entry::Marker::Revoked:
            // A revoked key is refused for every host, whatever the line's patterns say.
            if (entry.key == key) {
                result.match = HostKeyMatch::Revoked;
                result.file = path_;
                result.line = entry.line;
                result.listedKey = entry.key;
                result.knownKeyTypes = keyTypesFor(host, port);
                return result;
            }
            break;
        case Entry::Marker::CertAuthority:
            break; // vouches for host certificates, never for a plain host key
        case Entry::Marker::None:
            if (!hostMatches(entry, name))
                break;
            if (std::find(result.knownKeyTypes.begin(), result.knownKeyTypes.end(), entry.key.keyType()) ==
                result.knownKeyTypes.end())
                result.knownKeyTypes.push_back(entry.key.keyType());
            if (entry.key == key) {
                if (!known)
                    known = &entry;
            } else if (entry.key.keyType() == key.keyType() && !changed) {
                changed = &entry;
            }
            break;
        }
    }
    // As OpenSSH: any line listing this exact key makes it known, even if another line lists
    // a different key of the same type.
    const Entry* relevant = known ? known : changed;
    result.match = known ? HostKeyMatch::Known : changed ? HostKeyMatch::Changed : HostKeyMatch::Unknown;
    if (relevant) {
        result.file = path_;
        result.line = relevant->line;
        result.listedKey = relevant->key;
    }
    return result;
}

std::vector<std::string> KnownHostsFile::keyTypesFor(std::string_view host, int port) const {
    const std::string name = knownHostsName(host, port);
    std::vector<std::string> types;
    for (const Entry& entry : entries_) {
        if (entry.marker != Entry::Marker::None || !hostMatches(entry, name))
            continue;
        if (std::find(types.begin(), types.end(), entry.key.keyType()) == types.end())
            types.push_back(entry.key.keyType());
    }
    return types;
}

Status KnownHostsFile::append(const std::string& path, std::string_view host, int port, const PublicKey& key,
                              bool hashHostName) {
    namespace fs = std::filesystem;
    std::string name = knownHostsName(host, port);
    if (hashHostName) {
        std::array<std::uint8_t, kSha1Bytes> salt{};
        if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
            return Error::crypto("could not make a random salt for the hashed host name");
        auto mac = hmacSha1(salt, name);
        if (!mac)
            return Error::crypto("could not hash the host name");
        name = std::string(kHashMagic) + base64Encode(salt) + "|" + base64Encode(*mac);
    }

    std::error_code error;
    fs::path file(path);
    fs::path directory = file.parent_path();
    if (!directory.empty() && !fs::exists(directory, error)) {
        // Like ~/.ssh itself: private to its owner.
        if (!fs::create_directories(directory, error))
            return Error::localFile("cannot create directory " + directory.string() + ": " + error.message());
        fs::permissions(directory, fs::perms::owner_all, fs::perm_options::replace, error);
    }
    bool existed = fs::exists(file, error);
    bool needsNewline = false;
    if (existed) {
        // Never glue our line onto a last line that lacks its newline.
        std::ifstream in(file, std::ios::binary | std::ios::ate);
        if (in && in.tellg() > 0) {
            in.seekg(-1, std::ios::end);
            needsNewline = in.get() != '\n';
        }
    } else {
        std::ofstream create(file, std::ios::binary);
        if (!create)
            return Error::localFile("cannot create known hosts file " + path + ": " + std::strerror(errno));
        create.close();
        fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, error);
        if (error)
            return Error::localFile("cannot set permissions of " + path + ": " + error.message());
    }
    std::ofstream out(file, std::ios::binary | std::ios::app);
    if (!out)
        return Error::localFile("cannot open known hosts file " + path + " for writing: " + std::strerror(errno));
    if (needsNewline)
        out << '\n';
    out << name << ' ' << key.openSshLine() << '\n';
    out.flush();
    if (!out)
        return Error::localFile("cannot write to known hosts file " + path);
    return {};
}

} // namespace portal::protocol::keys
