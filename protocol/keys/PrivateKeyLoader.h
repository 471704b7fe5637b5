// Internal to keys/: the format-specific readers behind PrivateKey::inspect and ::load —
// openssh-key-v1 (OpenSshKeyFile.cpp) and PEM / PKCS#8 through OpenSSL (PemKeyFile.cpp).
#pragma once

#include "keys/KeyMaterial.h"
#include "keys/PrivateKey.h"

namespace portal::protocol::keys {

class PrivateKeyLoader {
public:
    static PrivateKey::LoadResult success(PublicKey publicKey, std::string comment, detail::EvpKey key);
    static PrivateKey::LoadResult failure(KeyLoadFailure why, std::string message);

    static Result<KeyFileInfo> inspectOpenSsh(ByteView fileContents);
    static PrivateKey::LoadResult loadOpenSsh(ByteView fileContents, const SecretBytes* passphrase);

    static Result<KeyFileInfo> inspectPem(ByteView fileContents);
    static PrivateKey::LoadResult loadPem(ByteView fileContents, const SecretBytes* passphrase);
};

// More bcrypt rounds than this are refused: OpenSSH writes 16 by default and users who
// raise it choose tens to hundreds; 10,000 rounds already take minutes to unlock, so a
// larger count is far likelier a damaged or hostile file than a real key.
constexpr unsigned kMaximumBcryptRounds = 10000;

} // namespace portal::protocol::keys
