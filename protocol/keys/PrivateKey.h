// Private keys for publickey authentication: OpenSSH's "openssh-key-v1" format
// (PROTOCOL.key; unencrypted or bcrypt-pbkdf with aes256-ctr / aes256-gcm@openssh.com),
// PEM (traditional "BEGIN RSA/EC PRIVATE KEY", also encrypted) and PKCS#8 via OpenSSL.
// Key types ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa.
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"
#include "common/SecretBytes.h"
#include "keys/PublicKey.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portal::protocol::keys {

enum class KeyFileFormat { OpenSsh, Pem, Pkcs8, Unknown };

// Why a key file could not be loaded, so a caller can prompt again or give up.
enum class KeyLoadFailure {
    None,
    PassphraseRequired, // encrypted and no passphrase given
    WrongPassphrase,    // decryption check bytes (or PEM decryption) did not match
    Corrupt,            // malformed, truncated or inconsistent
    Unsupported,        // a key type or KDF/cipher we do not support
};

struct KeyFileInfo {
    KeyFileFormat format = KeyFileFormat::Unknown;
    bool encrypted = false;
    std::optional<PublicKey> publicKey; // known without the passphrase for openssh-key-v1
    std::string comment;                // known only for unencrypted files
    // openssh-key-v1 only: the cipher ("none", "aes256-ctr", ...) and the bcrypt rounds an
    // unlock will cost (0 when not encrypted), so a caller can warn before a slow unlock.
    std::string cipher;
    unsigned kdfRounds = 0;
};

class PrivateKey {
public:
    struct LoadResult;

    // Looks at a file's contents without decrypting it.
    static Result<KeyFileInfo> inspect(ByteView fileContents);
    // Parses and, if needed, decrypts. `passphrase` may be null for unencrypted files.
    static LoadResult load(ByteView fileContents, const SecretBytes* passphrase);

    const PublicKey& publicKey() const { return publicKey_; }
    const std::string& comment() const { return comment_; }
    // The signature algorithms this key can make, strongest first
    // (rsa-sha2-512, rsa-sha2-256, ssh-rsa for RSA; the key type otherwise).
    std::vector<std::string> signatureAlgorithms() const;
    // Returns an SSH signature blob (string algorithm, string signature) over data.
    Result<Bytes> sign(std::string_view signatureAlgorithm, ByteView data) const;

    EVP_PKEY* evpKey() const { return key_.get(); }

private:
    PublicKey publicKey_;
    std::string comment_;
    std::shared_ptr<EVP_PKEY> key_;
    friend class PrivateKeyLoader;
};

struct PrivateKey::LoadResult {
    std::optional<PrivateKey> key;   // set on success
    KeyLoadFailure failure = KeyLoadFailure::None;
    std::string message;             // a sentence naming what is wrong when !key
};

// bcrypt_pbkdf as OpenBSD defines it (used by openssh-key-v1 encryption).
bool bcryptPbkdf(ByteView password, ByteView salt, std::span<std::uint8_t> out, unsigned rounds);

} // namespace portal::protocol::keys
