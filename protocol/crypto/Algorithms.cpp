// Algorithm tables (RFC 4253 §6-7 names, OpenSSH's @openssh.com extensions) and the
// ssh_config(5) list syntax that edits their default order.
#include "crypto/Algorithms.h"

#include "common/Wildcard.h"

#include <algorithm>

namespace portal::protocol::crypto {

// Each table is in the order of OpenSSH 9.x's client proposal (myproposal.h) for the
// algorithms it shares with us; entries off by default follow the defaults.

const std::vector<CipherInfo>& cipherTable() {
    static const std::vector<CipherInfo> table = {
        // name                            key iv blk aead  default
        {"chacha20-poly1305@openssh.com", 64, 0, 8, true, true},
        {"aes128-ctr", 16, 16, 16, false, true},
        {"aes192-ctr", 24, 16, 16, false, true},
        {"aes256-ctr", 32, 16, 16, false, true},
        {"aes128-gcm@openssh.com", 16, 12, 16, true, true},
        {"aes256-gcm@openssh.com", 32, 12, 16, true, true},
    };
    return table;
}

const std::vector<MacInfo>& macTable() {
    static const std::vector<MacInfo> table = {
        // name                             key tag  etm   default
        {"hmac-sha2-256-etm@openssh.com", 32, 32, true, true},
        {"hmac-sha2-512-etm@openssh.com", 64, 64, true, true},
        {"hmac-sha2-256", 32, 32, false, true},
        {"hmac-sha2-512", 64, 64, false, true},
        // SHA-1 MACs only for old servers, by explicit option.
        {"hmac-sha1-etm@openssh.com", 20, 20, true, false},
        {"hmac-sha1", 20, 20, false, false},
    };
    return table;
}

const std::vector<KexInfo>& kexTable() {
    static const std::vector<KexInfo> table = {
        {"curve25519-sha256", KexKind::Ecdh, HashAlgorithm::Sha256, NamedGroup::X25519, 0, true},
        {"curve25519-sha256@libssh.org", KexKind::Ecdh, HashAlgorithm::Sha256, NamedGroup::X25519, 0, true},
        {"ecdh-sha2-nistp256", KexKind::Ecdh, HashAlgorithm::Sha256, NamedGroup::NistP256, 0, true},
        {"ecdh-sha2-nistp384", KexKind::Ecdh, HashAlgorithm::Sha384, NamedGroup::NistP384, 0, true},
        {"ecdh-sha2-nistp521", KexKind::Ecdh, HashAlgorithm::Sha512, NamedGroup::NistP521, 0, true},
        {"diffie-hellman-group-exchange-sha256", KexKind::GroupExchange, HashAlgorithm::Sha256,
         NamedGroup::X25519, 0, true},
        {"diffie-hellman-group16-sha512", KexKind::Modp, HashAlgorithm::Sha512, NamedGroup::X25519, 16, true},
        {"diffie-hellman-group18-sha512", KexKind::Modp, HashAlgorithm::Sha512, NamedGroup::X25519, 18, true},
        {"diffie-hellman-group14-sha256", KexKind::Modp, HashAlgorithm::Sha256, NamedGroup::X25519, 14, true},
        // SHA-1 exchange hashes (RFC 9142 §3 deprecates them) only by explicit option.
        {"diffie-hellman-group14-sha1", KexKind::Modp, HashAlgorithm::Sha1, NamedGroup::X25519, 14, false},
        {"diffie-hellman-group-exchange-sha1", KexKind::GroupExchange, HashAlgorithm::Sha1,
         NamedGroup::X25519, 0, false},
    };
    return table;
}

const std::vector<HostKeyAlgorithmInfo>& hostKeyAlgorithmTable() {
    static const std::vector<HostKeyAlgorithmInfo> table = {
        {"ssh-ed25519", "ssh-ed25519", true},
        {"ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", true},
        {"ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384", true},
        {"ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521", true},
        {"rsa-sha2-512", "ssh-rsa", true}, // RFC 8332
        {"rsa-sha2-256", "ssh-rsa", true},
        // RSA with SHA-1 signatures only by explicit option, as OpenSSH since 8.8.
        {"ssh-rsa", "ssh-rsa", false},
    };
    return table;
}

namespace {

template <typename Info>
const Info* findIn(const std::vector<Info>& table, std::string_view name) {
    auto found = std::find_if(table.begin(), table.end(), [&](const Info& info) { return info.name == name; });
    return found == table.end() ? nullptr : &*found;
}

template <typename Info>
std::vector<std::string> namesOf(const std::vector<Info>& table, bool defaultsOnly) {
    std::vector<std::string> names;
    for (const Info& info : table)
        if (!defaultsOnly || info.enabledByDefault)
            names.emplace_back(info.name);
    return names;
}

std::vector<std::string> namesOfFamily(AlgorithmFamily family, bool defaultsOnly) {
    switch (family) {
    case AlgorithmFamily::Kex: return namesOf(kexTable(), defaultsOnly);
    case AlgorithmFamily::Cipher: return namesOf(cipherTable(), defaultsOnly);
    case AlgorithmFamily::Mac: return namesOf(macTable(), defaultsOnly);
    case AlgorithmFamily::HostKey:
    case AlgorithmFamily::PubkeyAccepted: return namesOf(hostKeyAlgorithmTable(), defaultsOnly);
    }
    return {};
}

const char* familyNoun(AlgorithmFamily family) {
    switch (family) {
    case AlgorithmFamily::Kex: return "key exchange algorithm";
    case AlgorithmFamily::Cipher: return "cipher";
    case AlgorithmFamily::Mac: return "MAC";
    case AlgorithmFamily::HostKey: return "host key algorithm";
    case AlgorithmFamily::PubkeyAccepted: return "public key algorithm";
    }
    return "algorithm";
}

// ssh_config(5) PATTERNS: '*' matches any run of characters, '?' exactly one.
bool matchesPattern(std::string_view text, std::string_view pattern) { return matchWildcard(text, pattern); }

std::vector<std::string> splitList(std::string_view list) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t comma = list.find(',', start);
        if (comma == std::string_view::npos)
            comma = list.size();
        std::string_view item = list.substr(start, comma - start);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
            item.remove_suffix(1);
        items.emplace_back(item);
        start = comma + 1;
    }
    return items;
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace

const CipherInfo* findCipher(std::string_view name) { return findIn(cipherTable(), name); }
const MacInfo* findMac(std::string_view name) { return findIn(macTable(), name); }
const KexInfo* findKex(std::string_view name) { return findIn(kexTable(), name); }
const HostKeyAlgorithmInfo* findHostKeyAlgorithm(std::string_view name) {
    return findIn(hostKeyAlgorithmTable(), name);
}

std::vector<std::string> defaultAlgorithms(AlgorithmFamily family) { return namesOfFamily(family, true); }
std::vector<std::string> supportedAlgorithms(AlgorithmFamily family) { return namesOfFamily(family, false); }

Result<std::vector<std::string>> applyAlgorithmOption(AlgorithmFamily family, std::string_view option) {
    const char mode = option.empty() ? '\0' : option.front();
    const bool prefixed = mode == '+' || mode == '-' || mode == '^';
    std::vector<std::string> items = splitList(prefixed ? option.substr(1) : option);
    const std::vector<std::string> supported = supportedAlgorithms(family);

    for (const std::string& item : items)
        if (item.empty())
            return Error::localFile(std::string("Empty name in the ") + familyNoun(family) + " list \"" +
                                    std::string(option) + "\".");

    std::vector<std::string> result = defaultAlgorithms(family);
    if (mode == '-') {
        // As OpenSSH does, '-' takes patterns and removing a name we do not support is no
        // error: a shared ssh_config may remove algorithms another client knows.
        std::erase_if(result, [&](const std::string& name) {
            return std::any_of(items.begin(), items.end(),
                               [&](const std::string& pattern) { return matchesPattern(name, pattern); });
        });
    } else {
        // OpenSSH accepts patterns in every form of HostKeyAlgorithms and
        // PubkeyAcceptedAlgorithms (sshkey_names_valid2 with wildcards), but only exact names
        // for ciphers, MACs and key exchange. A pattern stands for the names it matches.
        const bool patternsAllowed = family == AlgorithmFamily::HostKey || family == AlgorithmFamily::PubkeyAccepted;
        std::vector<std::string> expanded, unknown;
        for (const std::string& item : items) {
            const bool isPattern = item.find_first_of("*?") != std::string::npos;
            bool matched = false;
            for (const std::string& name : supported)
                if (patternsAllowed && isPattern ? matchesPattern(name, item) : name == item) {
                    expanded.push_back(name);
                    matched = true;
                }
            if (!matched && !contains(unknown, item))
                unknown.push_back(item);
        }
        items = std::move(expanded);
        if (!unknown.empty()) {
            std::string names;
            for (const std::string& name : unknown)
                names += (names.empty() ? "" : ", ") + name;
            return Error::localFile(std::string("Unsupported ") + familyNoun(family) +
                                    (unknown.size() > 1 ? "s: " : ": ") + names + ".");
        }
        std::vector<std::string> listed;
        for (const std::string& item : items)
            if (!contains(listed, item))
                listed.push_back(item);

        if (mode == '+') {
            for (const std::string& name : listed)
                if (!contains(result, name))
                    result.push_back(name);
        } else if (mode == '^') {
            std::erase_if(result, [&](const std::string& name) { return contains(listed, name); });
            result.insert(result.begin(), listed.begin(), listed.end());
        } else {
            result = std::move(listed);
        }
    }
    if (result.empty())
        return Error::localFile(std::string("The ") + familyNoun(family) + " list \"" + std::string(option) +
                                "\" leaves no algorithm to offer.");
    return result;
}

} // namespace portal::protocol::crypto
