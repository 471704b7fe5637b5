// OpenSSH's "openssh-key-v1" private key format (OpenSSH PROTOCOL.key; sshkey.c is the
// reference for details the document leaves out): armour, container, bcrypt_pbkdf key
// derivation, AES decryption, check ints, the private key section and its padding.
#include "keys/PrivateKeyLoader.h"

#include "wire/Reader.h"
#include "wire/Writer.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <variant>

namespace portal::protocol::keys {

using namespace detail;

namespace {

constexpr std::string_view kBeginMarker = "-----BEGIN OPENSSH PRIVATE KEY-----";
constexpr std::string_view kEndMarker = "-----END OPENSSH PRIVATE KEY-----";
constexpr std::string_view kMagic{"openssh-key-v1\0", 15};
constexpr std::size_t kMaximumSaltBytes = 1024;

// The ciphers ssh-keygen -Z can write that we read. The GCM tag follows the encrypted
// section (outside its length), as sshkey.c writes it.
struct KeyFileCipher {
    std::string_view name;
    const char* opensslName; // null for "none"
    std::size_t blockSize;
    std::size_t keyBytes;
    std::size_t ivBytes;
    std::size_t tagBytes;
};
constexpr std::array<KeyFileCipher, 9> kCiphers{{
    {"none", nullptr, 8, 0, 0, 0},
    {"aes256-ctr", "AES-256-CTR", 16, 32, 16, 0},
    {"aes192-ctr", "AES-192-CTR", 16, 24, 16, 0},
    {"aes128-ctr", "AES-128-CTR", 16, 16, 16, 0},
    {"aes256-cbc", "AES-256-CBC", 16, 32, 16, 0},
    {"aes192-cbc", "AES-192-CBC", 16, 24, 16, 0},
    {"aes128-cbc", "AES-128-CBC", 16, 16, 16, 0},
    {"aes256-gcm@openssh.com", "AES-256-GCM", 16, 32, 12, 16},
    {"aes128-gcm@openssh.com", "AES-128-GCM", 16, 16, 12, 16},
}};

const KeyFileCipher* findCipher(std::string_view name) {
    for (const auto& cipher : kCiphers)
        if (cipher.name == name)
            return &cipher;
    return nullptr;
}

// The container of PROTOCOL.key §1, everything before the private section is decrypted.
struct Container {
    SecretBytes decoded; // the base64-decoded file (an unencrypted key in the clear); views point into it
    const KeyFileCipher* cipher = nullptr;
    std::string cipherName;
    std::string kdfName;
    ByteView salt;
    unsigned rounds = 0;
    ByteView publicBlob;
    ByteView privateSection; // encrypted unless cipher is "none"
    ByteView tag;            // AEAD ciphers only
};

using Failure = PrivateKey::LoadResult;

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

} // namespace

namespace {

// Reads the armour and the container; a LoadResult carrying the failure on error.
std::variant<Container, Failure> readContainer(ByteView fileContents) {
    auto corrupt = [](std::string what) { return PrivateKeyLoader::failure(KeyLoadFailure::Corrupt, "corrupt OpenSSH key file: " + what); };
    std::string_view text = asText(fileContents);
    std::size_t begin = text.find(kBeginMarker);
    if (begin == std::string_view::npos)
        return corrupt("no \"" + std::string(kBeginMarker) + "\" line");
    std::size_t bodyStart = begin + kBeginMarker.size();
    std::size_t end = text.find(kEndMarker, bodyStart);
    if (end == std::string_view::npos)
        return corrupt("the \"" + std::string(kEndMarker) + "\" line is missing (truncated file?)");
    std::string base64;
    for (char c : text.substr(bodyStart, end - bodyStart))
        if (!isSpace(c))
            base64 += c;

    Container container;
    auto decoded = base64Decode(base64);
    if (!decoded)
        return corrupt("the base64 body is damaged");
    container.decoded = SecretBytes(*decoded);
    OPENSSL_cleanse(decoded->data(), decoded->size());

    wire::Reader reader(container.decoded.view());
    if (reader.remaining() < kMagic.size() || asText(reader.raw(kMagic.size())) != kMagic)
        return corrupt("it does not start with \"openssh-key-v1\"");
    container.cipherName = std::string(reader.text());
    container.kdfName = std::string(reader.text());
    ByteView kdfOptions = reader.string();
    std::uint32_t keyCount = reader.uint32();
    container.publicBlob = reader.string();
    std::uint32_t privateLength = reader.uint32();
    if (!reader.ok())
        return corrupt("the container is truncated");
    if (keyCount != 1)
        return corrupt("it holds " + std::to_string(keyCount) + " keys (OpenSSH writes exactly one)");

    container.cipher = findCipher(container.cipherName);
    if (!container.cipher)
        return PrivateKeyLoader::failure(KeyLoadFailure::Unsupported,
                                         "OpenSSH key file is encrypted with cipher \"" + container.cipherName + "\", which is not supported");
    bool encrypted = container.cipher->opensslName != nullptr;
    if (!encrypted) {
        if (container.kdfName != "none" || !kdfOptions.empty())
            return corrupt("an unencrypted key must use KDF \"none\" without options");
    } else if (container.kdfName != "bcrypt") {
        if (container.kdfName == "none")
            return corrupt("an encrypted key names no KDF");
        return PrivateKeyLoader::failure(KeyLoadFailure::Unsupported,
                                         "OpenSSH key file uses key derivation \"" + container.kdfName + "\", which is not supported");
    } else {
        wire::Reader options(kdfOptions);
        container.salt = options.string();
        std::uint32_t rounds = options.uint32();
        if (!options.atEnd() || container.salt.empty() || container.salt.size() > kMaximumSaltBytes || rounds == 0)
            return corrupt("the bcrypt KDF options are malformed");
        if (rounds > kMaximumBcryptRounds)
            return PrivateKeyLoader::failure(
                KeyLoadFailure::Unsupported, "OpenSSH key file asks for " + std::to_string(rounds) + " bcrypt rounds; more than " +
                                                 std::to_string(kMaximumBcryptRounds) + " are refused as unreasonably slow");
        container.rounds = rounds;
    }

    // The private section's length excludes the AEAD tag that follows it.
    std::size_t blockSize = container.cipher->blockSize;
    if (privateLength < blockSize || privateLength % blockSize != 0)
        return corrupt("the private section's length is not a multiple of the cipher block size");
    container.privateSection = reader.raw(privateLength);
    container.tag = reader.raw(container.cipher->tagBytes);
    if (!reader.ok())
        return corrupt("the private section is truncated");
    if (!reader.atEnd())
        return corrupt("there are bytes after the private section");
    // Moved, not copied: the views above point into container.decoded's buffer.
    return std::variant<Container, Failure>(std::move(container));
}

Result<PublicKey> containerPublicKey(const Container& container) {
    auto key = PublicKey::fromBlob(container.publicBlob);
    if (!key)
        return Error::localFile("the public key in the file is not usable: " + key.error().message);
    return key;
}

// Decrypts the private section with a key and IV from bcrypt_pbkdf(passphrase, salt).
std::variant<SecretBytes, Failure> decryptPrivateSection(const Container& container, const SecretBytes& passphrase) {
    const KeyFileCipher& cipher = *container.cipher;
    auto wrong = [] {
        return PrivateKeyLoader::failure(KeyLoadFailure::WrongPassphrase,
                                         "wrong passphrase for the OpenSSH key file (or its encrypted part is damaged)");
    };
    if (passphrase.empty())
        return wrong(); // bcrypt_pbkdf needs a password; OpenSSH reports the same
    SecretBytes keyAndIv(cipher.keyBytes + cipher.ivBytes);
    if (!bcryptPbkdf(passphrase.view(), container.salt, keyAndIv.span(), container.rounds))
        return PrivateKeyLoader::failure(KeyLoadFailure::Corrupt, "bcrypt_pbkdf failed on the key file's parameters");

    SecretBytes plain(container.privateSection.size());
    EVP_CIPHER* evpCipher = EVP_CIPHER_fetch(nullptr, cipher.opensslName, nullptr);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    const std::uint8_t* key = keyAndIv.data();
    const std::uint8_t* iv = keyAndIv.data() + cipher.keyBytes;
    bool aead = cipher.tagBytes > 0;
    int length = 0, finalLength = 0;
    bool setUp = evpCipher && ctx && EVP_DecryptInit_ex2(ctx, evpCipher, nullptr, nullptr, nullptr) == 1 &&
                 (!aead || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(cipher.ivBytes), nullptr) == 1) &&
                 EVP_DecryptInit_ex2(ctx, nullptr, key, iv, nullptr) == 1 && EVP_CIPHER_CTX_set_padding(ctx, 0) == 1;
    bool decrypted = setUp &&
                     EVP_DecryptUpdate(ctx, plain.data(), &length, container.privateSection.data(),
                                       static_cast<int>(container.privateSection.size())) == 1 &&
                     static_cast<std::size_t>(length) == plain.size() &&
                     (!aead || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(container.tag.size()),
                                                   const_cast<std::uint8_t*>(container.tag.data())) == 1);
    // For GCM this checks the tag in constant time; a mismatch means a wrong passphrase
    // (or tampering, which the tag cannot tell apart).
    bool finished = decrypted && EVP_DecryptFinal_ex(ctx, plain.data() + length, &finalLength) == 1 && finalLength == 0;
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(evpCipher);
    if (!setUp)
        return PrivateKeyLoader::failure(KeyLoadFailure::Unsupported, "OpenSSL could not set up cipher " + std::string(cipher.name));
    if (!finished)
        return wrong();
    return plain;
}

// The decrypted private section (PROTOCOL.key §3): check ints, one key, its comment, padding.
PrivateKey::LoadResult readPrivateSection(const Container& container, const SecretBytes& section) {
    auto corrupt = [](std::string what) { return PrivateKeyLoader::failure(KeyLoadFailure::Corrupt, "corrupt OpenSSH key file: " + what); };
    bool encrypted = container.cipher->opensslName != nullptr;
    wire::Reader reader(section.view());
    std::uint32_t check1 = reader.uint32();
    std::uint32_t check2 = reader.uint32();
    if (!reader.ok() || check1 != check2) {
        // Random check ints that agree after decryption are how OpenSSH tells a right
        // passphrase from a wrong one for the non-AEAD ciphers.
        if (encrypted)
            return PrivateKeyLoader::failure(KeyLoadFailure::WrongPassphrase,
                                             "wrong passphrase for the OpenSSH key file (the check bytes do not match)");
        return corrupt("the check bytes of the private section do not match");
    }

    std::string keyType(reader.text());
    Result<EvpKey> key = Error::localFile("no key");
    if (keyType == kEd25519) {
        ByteView publicKey = reader.string();
        ByteView secret = reader.string(); // seed || public key (RFC 8032 §5.1.5 private key and A)
        if (!reader.ok() || publicKey.size() != kEd25519KeyBytes || secret.size() != 2 * kEd25519KeyBytes ||
            CRYPTO_memcmp(secret.data() + kEd25519KeyBytes, publicKey.data(), kEd25519KeyBytes) != 0)
            return corrupt("the Ed25519 private key is malformed");
        key = ed25519Private(secret.first(kEd25519KeyBytes));
    } else if (const EcdsaCurve* curve = curveByKeyType(keyType)) {
        std::string_view identifier = reader.text();
        ByteView point = reader.string();
        ByteView scalar = reader.mpint();
        if (!reader.ok() || identifier != curve->identifier)
            return corrupt("the ECDSA private key is malformed");
        key = ecdsaPrivate(*curve, point, scalar);
    } else if (keyType == kRsa) {
        ByteView n = reader.mpint(), e = reader.mpint(), d = reader.mpint(), iqmp = reader.mpint(), p = reader.mpint(),
                 q = reader.mpint();
        if (!reader.ok())
            return corrupt("the RSA private key is malformed");
        key = rsaPrivate(n, e, d, iqmp, p, q);
    } else if (!reader.ok()) {
        return corrupt("the private section is truncated");
    } else {
        return PrivateKeyLoader::failure(KeyLoadFailure::Unsupported, "private key type \"" + keyType + "\" is not supported");
    }
    std::string comment(reader.text());
    if (!reader.ok())
        return corrupt("the private section is truncated");
    // Padding 1, 2, 3, ... to a multiple of the block size (PROTOCOL.key §3). OpenSSH
    // writes less than a block, but PuTTY pads to 16 bytes whatever the cipher, and OpenSSH
    // reads any length as long as the sequence is right; so do we.
    ByteView padding = reader.rest();
    for (std::size_t i = 0; i < padding.size(); ++i)
        if (padding[i] != static_cast<std::uint8_t>(i + 1))
            return corrupt("the private section's padding is wrong");
    if (!key)
        return corrupt(key.error().message);

    // The public key stored in the clear must be the one the private key makes.
    auto derived = publicBlobOf(key->get());
    if (!derived || !std::equal(derived->begin(), derived->end(), container.publicBlob.begin(), container.publicBlob.end()))
        return corrupt("the public key in the file does not match its private key");
    auto publicKey = containerPublicKey(container);
    if (!publicKey)
        return PrivateKeyLoader::failure(KeyLoadFailure::Unsupported, publicKey.error().message);
    return PrivateKeyLoader::success(std::move(publicKey.value()), std::move(comment), std::move(key.value()));
}

} // namespace

Result<KeyFileInfo> PrivateKeyLoader::inspectOpenSsh(ByteView fileContents) {
    auto read = readContainer(fileContents);
    if (auto* failed = std::get_if<Failure>(&read))
        return Error::localFile(failed->message);
    const Container& container = std::get<Container>(read);
    KeyFileInfo info;
    info.format = KeyFileFormat::OpenSsh;
    info.cipher = container.cipherName;
    info.encrypted = container.cipher->opensslName != nullptr;
    info.kdfRounds = container.rounds;
    if (auto key = containerPublicKey(container))
        info.publicKey = std::move(key.value());
    if (!info.encrypted) {
        // The comment lives in the private section, readable here without a passphrase.
        SecretBytes section(container.privateSection);
        auto loaded = readPrivateSection(container, section);
        if (loaded.key)
            info.comment = loaded.key->comment();
    }
    return info;
}

PrivateKey::LoadResult PrivateKeyLoader::loadOpenSsh(ByteView fileContents, const SecretBytes* passphrase) {
    auto read = readContainer(fileContents);
    if (auto* failed = std::get_if<Failure>(&read))
        return std::move(*failed);
    const Container& container = std::get<Container>(read);
    if (container.cipher->opensslName == nullptr)
        return readPrivateSection(container, SecretBytes(container.privateSection));
    if (!passphrase)
        return failure(KeyLoadFailure::PassphraseRequired, "the OpenSSH key file is encrypted; its passphrase is required");
    auto decrypted = decryptPrivateSection(container, *passphrase);
    if (auto* failed = std::get_if<Failure>(&decrypted))
        return std::move(*failed);
    return readPrivateSection(container, std::get<SecretBytes>(decrypted));
}

} // namespace portal::protocol::keys
