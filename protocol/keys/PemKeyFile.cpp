// PEM private keys through OpenSSL: traditional "BEGIN RSA/EC PRIVATE KEY" (RFC 8017 A.1.2,
// RFC 5915; optionally encrypted with RFC 1421 "Proc-Type"/"DEK-Info" headers) and PKCS#8
// "BEGIN PRIVATE KEY" / "BEGIN ENCRYPTED PRIVATE KEY" (RFC 5958, RFC 5208 §6).
//
// OpenSSL's failure reasons do not separate a wrong passphrase from a damaged file, so the
// structure is checked first: when the armour, base64 and encryption parameters are sound
// and decryption then fails, the passphrase is wrong. (Damage inside the ciphertext itself
// looks the same as a wrong passphrase; neither format carries a MAC that could tell.)
#include "keys/PrivateKeyLoader.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <climits>
#include <cstring>
#include <string_view>
#include <variant>

namespace portal::protocol::keys {

using namespace detail;

namespace {

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

Bio memoryBio(ByteView contents) {
    return Bio(BIO_new_mem_buf(contents.data(), contents.size() > INT_MAX ? INT_MAX : static_cast<int>(contents.size())));
}

// What the PEM armour says before anything is decrypted.
struct PemShape {
    KeyFileFormat format = KeyFileFormat::Unknown;
    bool encrypted = false;
};

// PEM_read_bio's outputs, freed (the decoded body wiped) when done.
struct PemBlock {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long length = 0;
    PemBlock() = default;
    PemBlock(const PemBlock&) = delete;
    PemBlock& operator=(const PemBlock&) = delete;
    ~PemBlock() {
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_clear_free(data, static_cast<std::size_t>(length));
    }
};

using ShapeOrFailure = std::variant<PemShape, PrivateKey::LoadResult>;

ShapeOrFailure classify(const PemBlock& block) {
    std::string_view label = block.name;
    if (label == "RSA PRIVATE KEY" || label == "EC PRIVATE KEY") {
        PemShape shape{KeyFileFormat::Pem, false};
        if (block.header[0] != '\0') {
            // RFC 1421 §4.6.1: "Proc-Type: 4,ENCRYPTED" and "DEK-Info: cipher,iv".
            EVP_CIPHER_INFO cipher;
            if (PEM_get_EVP_CIPHER_INFO(block.header, &cipher) != 1)
                return PrivateKeyLoader::failure(KeyLoadFailure::Unsupported,
                                                 "PEM key file is encrypted with a cipher OpenSSL does not know, or its headers are damaged");
            shape.encrypted = cipher.cipher != nullptr;
        }
        return shape;
    }
    if (label == "PRIVATE KEY")
        return PemShape{KeyFileFormat::Pkcs8, false};
    if (label == "ENCRYPTED PRIVATE KEY") {
        // The outer EncryptedPrivateKeyInfo (algorithm + ciphertext) must parse.
        const unsigned char* cursor = block.data;
        X509_SIG* outer = d2i_X509_SIG(nullptr, &cursor, block.length);
        bool sound = outer && cursor == block.data + block.length;
        X509_SIG_free(outer);
        if (!sound)
            return PrivateKeyLoader::failure(KeyLoadFailure::Corrupt,
                                             "corrupt PEM key file: the PKCS#8 EncryptedPrivateKeyInfo structure is damaged");
        return PemShape{KeyFileFormat::Pkcs8, true};
    }
    if (label == "DSA PRIVATE KEY")
        return PrivateKeyLoader::failure(KeyLoadFailure::Unsupported, "DSA keys are not supported (OpenSSH dropped them too)");
    return PrivateKeyLoader::failure(KeyLoadFailure::Unsupported,
                                     "PEM block \"" + std::string(label) + "\" is not a private key we can use");
}

ShapeOrFailure readShape(ByteView contents) {
    Bio bio = memoryBio(contents);
    PemBlock block;
    if (!bio || PEM_read_bio(bio.get(), &block.name, &block.header, &block.data, &block.length) != 1) {
        ERR_clear_error();
        return PrivateKeyLoader::failure(KeyLoadFailure::Corrupt, "corrupt PEM key file: the PEM armour or its base64 body is damaged");
    }
    ShapeOrFailure result = classify(block);
    ERR_clear_error();
    return result;
}

int passphraseCallback(char* buffer, int size, int /*rwflag*/, void* user) {
    const auto* passphrase = static_cast<const SecretBytes*>(user);
    if (!passphrase || size <= 0 || passphrase->size() > static_cast<std::size_t>(size))
        return -1; // too long to pass on whole: fail rather than try a truncated passphrase
    std::memcpy(buffer, passphrase->data(), passphrase->size());
    return static_cast<int>(passphrase->size());
}

} // namespace

Result<KeyFileInfo> PrivateKeyLoader::inspectPem(ByteView fileContents) {
    auto shape = readShape(fileContents);
    if (auto* failed = std::get_if<PrivateKey::LoadResult>(&shape))
        return Error::localFile(failed->message);
    KeyFileInfo info;
    info.format = std::get<PemShape>(shape).format;
    info.encrypted = std::get<PemShape>(shape).encrypted;
    if (!info.encrypted) {
        auto loaded = loadPem(fileContents, nullptr);
        if (loaded.key)
            info.publicKey = loaded.key->publicKey();
    }
    return info;
}

PrivateKey::LoadResult PrivateKeyLoader::loadPem(ByteView fileContents, const SecretBytes* passphrase) {
    auto shapeOrFailure = readShape(fileContents);
    if (auto* failed = std::get_if<PrivateKey::LoadResult>(&shapeOrFailure))
        return std::move(*failed);
    const PemShape shape = std::get<PemShape>(shapeOrFailure);
    const char* what = shape.format == KeyFileFormat::Pkcs8 ? "PKCS#8" : "PEM";
    if (shape.encrypted && !passphrase)
        return failure(KeyLoadFailure::PassphraseRequired, std::string("the ") + what + " key file is encrypted; its passphrase is required");
    if (shape.encrypted && passphrase->empty())
        return failure(KeyLoadFailure::WrongPassphrase, std::string("wrong passphrase for the ") + what + " key file (it is empty)");

    Bio bio = memoryBio(fileContents);
    // An unencrypted file never calls the callback; give it nothing to read then.
    EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, passphraseCallback,
                                                  const_cast<SecretBytes*>(shape.encrypted ? passphrase : nullptr))
                        : nullptr;
    ERR_clear_error();
    EvpKey key = adoptEvpKey(raw);
    if (!key) {
        if (shape.encrypted)
            return failure(KeyLoadFailure::WrongPassphrase,
                           std::string("wrong passphrase for the ") + what + " key file (or its encrypted part is damaged)");
        return failure(KeyLoadFailure::Corrupt, std::string("corrupt ") + what + " key file: OpenSSL could not read the key");
    }

    int type = EVP_PKEY_get_base_id(key.get());
    if (type != EVP_PKEY_ED25519 && type != EVP_PKEY_EC && type != EVP_PKEY_RSA) {
        const char* typeName = EVP_PKEY_get0_type_name(key.get());
        return failure(KeyLoadFailure::Unsupported, std::string("the ") + what + " file holds a " + (typeName ? typeName : "non-SSH") +
                                                        " key; only Ed25519, ECDSA and RSA keys are supported");
    }
    if (type != EVP_PKEY_ED25519) {
        // The file stores public and private parts separately: make sure they agree, so a
        // damaged file is reported here rather than as a signature every server refuses.
        // (For RSA this is RSA_check_key: n = p·q, d·e ≡ 1, and p and q prime.)
        EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr);
        bool consistent = check && EVP_PKEY_pairwise_check(check) == 1;
        EVP_PKEY_CTX_free(check);
        ERR_clear_error();
        if (!consistent)
            return failure(KeyLoadFailure::Corrupt, std::string("corrupt ") + what + " key file: its public and private parts do not match");
    }
    auto blob = publicBlobOf(key.get());
    if (!blob)
        return failure(KeyLoadFailure::Unsupported, blob.error().message);
    auto publicKey = PublicKey::fromBlob(*blob);
    if (!publicKey)
        return failure(KeyLoadFailure::Unsupported, "the key cannot be used: " + publicKey.error().message);
    return success(std::move(publicKey.value()), std::string(), std::move(key));
}

} // namespace portal::protocol::keys
