// Private keys: choosing the file reader by the file's armour, and signing (RFC 4253 §6.6,
// RFC 5656 §3.1.2, RFC 8332 §3, RFC 8709 §6).
#include "keys/PrivateKey.h"

#include "keys/PrivateKeyLoader.h"
#include "wire/Writer.h"

#include <openssl/evp.h>

namespace portal::protocol::keys {

using namespace detail;

namespace {

enum class Armour { OpenSsh, Pem, PuttyPpk, Unknown };

// The first armour line decides, wherever it is: tools such as openssl pkcs12 put text
// ("Bag Attributes") before the PEM block, and OpenSSL's reader skips it too.
Armour armourOf(ByteView contents) {
    std::string_view text = asText(contents);
    if (text.find_first_not_of(" \t\r\n") != std::string_view::npos &&
        text.substr(text.find_first_not_of(" \t\r\n")).starts_with("PuTTY-User-Key-File-"))
        return Armour::PuttyPpk;
    std::size_t begin = text.find("-----BEGIN ");
    if (begin == std::string_view::npos)
        return Armour::Unknown;
    if (text.substr(begin).starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"))
        return Armour::OpenSsh;
    return Armour::Pem;
}

constexpr const char* kPpkMessage =
    "PuTTY .ppk key files are not supported yet; export the key for OpenSSH with "
    "\"puttygen key.ppk -O private-openssh-new -o key\"";
constexpr const char* kUnknownMessage = "not a private key file (no OpenSSH, PEM or PKCS#8 \"-----BEGIN\" line)";

struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

} // namespace

PrivateKey::LoadResult PrivateKeyLoader::success(PublicKey publicKey, std::string comment, EvpKey key) {
    PrivateKey::LoadResult result;
    PrivateKey privateKey;
    privateKey.publicKey_ = std::move(publicKey);
    privateKey.comment_ = std::move(comment);
    privateKey.key_ = std::move(key);
    result.key = std::move(privateKey);
    return result;
}

PrivateKey::LoadResult PrivateKeyLoader::failure(KeyLoadFailure why, std::string message) {
    PrivateKey::LoadResult result;
    result.failure = why;
    result.message = std::move(message);
    return result;
}

Result<KeyFileInfo> PrivateKey::inspect(ByteView fileContents) {
    switch (armourOf(fileContents)) {
    case Armour::OpenSsh:
        return PrivateKeyLoader::inspectOpenSsh(fileContents);
    case Armour::Pem:
        return PrivateKeyLoader::inspectPem(fileContents);
    case Armour::PuttyPpk:
        return Error::localFile(kPpkMessage);
    case Armour::Unknown:
        break;
    }
    return Error::localFile(kUnknownMessage);
}

PrivateKey::LoadResult PrivateKey::load(ByteView fileContents, const SecretBytes* passphrase) {
    switch (armourOf(fileContents)) {
    case Armour::OpenSsh:
        return PrivateKeyLoader::loadOpenSsh(fileContents, passphrase);
    case Armour::Pem:
        return PrivateKeyLoader::loadPem(fileContents, passphrase);
    case Armour::PuttyPpk:
        return PrivateKeyLoader::failure(KeyLoadFailure::Unsupported, kPpkMessage);
    case Armour::Unknown:
        break;
    }
    return PrivateKeyLoader::failure(KeyLoadFailure::Corrupt, kUnknownMessage);
}

std::vector<std::string> PrivateKey::signatureAlgorithms() const {
    if (publicKey_.keyType() == kRsa)
        return {"rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"};
    return {publicKey_.keyType()};
}

Result<Bytes> PrivateKey::sign(std::string_view signatureAlgorithm, ByteView data) const {
    if (!key_)
        return Error::crypto("no private key to sign with");
    auto scheme = signatureScheme(publicKey_.keyType(), signatureAlgorithm);
    if (!scheme)
        return scheme.error();
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    std::size_t length = 0;
    if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, scheme->digest, nullptr, nullptr, key_.get(), nullptr) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length, data.data(), data.size()) != 1)
        return Error::crypto("could not set up " + std::string(signatureAlgorithm) + " signing");
    Bytes signature(length);
    if (EVP_DigestSign(ctx.get(), signature.data(), &length, data.data(), data.size()) != 1)
        return Error::crypto(std::string(signatureAlgorithm) + " signing failed");
    signature.resize(length);
    if (scheme->kind == KeyKind::Ecdsa) {
        auto rs = ecdsaDerToSsh(signature);
        if (!rs)
            return rs.error();
        signature = std::move(rs.value());
    }
    return wire::Writer().string(signatureAlgorithm).string(signature).take();
}

} // namespace portal::protocol::keys
