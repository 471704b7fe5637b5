// The single source of algorithm names, sizes and default preferences (RFC 4253 §6-7,
// RFC 4250 §4.11). KEXINIT lists, -o option parsing and the UI's choices all derive from
// these tables, the way OpenSSH's cipher.c / kex.c tables do.
#pragma once

#include "crypto/Hash.h"
#include "crypto/KeyAgreement.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portal::protocol::crypto {

struct CipherInfo {
    std::string_view name;
    std::size_t keyLength;
    std::size_t ivLength;
    std::size_t blockSize;
    bool aead; // carries its own tag; no separate MAC negotiated
    bool enabledByDefault;
};

struct MacInfo {
    std::string_view name;
    std::size_t keyLength;
    std::size_t tagLength;
    bool encryptThenMac;
    bool enabledByDefault;
};

enum class KexKind { Ecdh, Modp, GroupExchange };

struct KexInfo {
    std::string_view name;
    KexKind kind;
    HashAlgorithm hash;
    NamedGroup curve; // for Ecdh
    int modpGroup;    // for Modp
    bool enabledByDefault;
};

struct HostKeyAlgorithmInfo {
    std::string_view name;    // signature algorithm name as negotiated
    std::string_view keyType; // key blob type it verifies with ("ssh-rsa" for rsa-sha2-*)
    bool enabledByDefault;
};

const std::vector<CipherInfo>& cipherTable();
const std::vector<MacInfo>& macTable();
const std::vector<KexInfo>& kexTable();
const std::vector<HostKeyAlgorithmInfo>& hostKeyAlgorithmTable();

const CipherInfo* findCipher(std::string_view name);
const MacInfo* findMac(std::string_view name);
const KexInfo* findKex(std::string_view name);
const HostKeyAlgorithmInfo* findHostKeyAlgorithm(std::string_view name);

enum class AlgorithmFamily { Kex, Cipher, Mac, HostKey, PubkeyAccepted };

// Default preference list for a family, in current OpenSSH client order.
std::vector<std::string> defaultAlgorithms(AlgorithmFamily family);
// Every name the table knows for a family (default or not).
std::vector<std::string> supportedAlgorithms(AlgorithmFamily family);

// Applies an OpenSSH-style list option (ssh_config(5)): "a,b" replaces the defaults,
// "+a,b" appends, "-a,b" removes (wildcards * and ? allowed), "^a,b" puts first.
// Unknown names are an error naming them, except in "-" lists (as in OpenSSH, removing what
// we never offer is harmless). Host key and public key lists also take patterns in every
// form, as OpenSSH's do; a pattern matching nothing is an error there.
Result<std::vector<std::string>> applyAlgorithmOption(AlgorithmFamily family, std::string_view option);

} // namespace portal::protocol::crypto
