// EVP-backed ChaCha20, AES-CTR, AES-GCM, HMAC and Poly1305 with long-lived contexts.
#include "crypto/CipherPrimitives.h"

#include <openssl/core_names.h>

#include <climits>
#include <cstring>
#include <string>

namespace portal::protocol::crypto {

namespace {

Error failure(const std::string& what) { return Error::crypto("Packet encryption failed: " + what + "."); }

// EVP_CIPHER_fetch and EVP_MAC_fetch search the providers under a lock: done once per
// algorithm for the life of the process, never per connection or per packet.
const EVP_CIPHER* fetchedCipher(std::string_view name) {
    static const char* const names[] = {"ChaCha20",    "AES-128-CTR", "AES-192-CTR", "AES-256-CTR",
                                        "AES-128-GCM", "AES-192-GCM", "AES-256-GCM"};
    static const struct Fetched {
        EvpCipherHandle ciphers[std::size(names)];
        Fetched() {
            for (std::size_t i = 0; i < std::size(names); ++i)
                ciphers[i].reset(EVP_CIPHER_fetch(nullptr, names[i], nullptr));
        }
    } fetched;
    for (std::size_t i = 0; i < std::size(names); ++i)
        if (name == names[i])
            return fetched.ciphers[i].get();
    return nullptr;
}

const EVP_MAC* fetchedMac(bool poly1305) {
    static const EvpMacHandle hmac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    static const EvpMacHandle poly(EVP_MAC_fetch(nullptr, "POLY1305", nullptr));
    return poly1305 ? poly.get() : hmac.get();
}

const char* digestName(HashAlgorithm digest) {
    switch (digest) {
    case HashAlgorithm::Sha1: return "SHA1";
    case HashAlgorithm::Sha256: return "SHA256";
    case HashAlgorithm::Sha384: return "SHA384";
    case HashAlgorithm::Sha512: return "SHA512";
    }
    return "";
}

// EVP takes int lengths; SSH packets are far below INT_MAX, anything else is refused.
bool fitsInt(std::size_t length) { return length <= static_cast<std::size_t>(INT_MAX); }

} // namespace

Result<StreamCipher> StreamCipher::create(const char* openSslName, ByteView key, ByteView iv) {
    const EVP_CIPHER* cipher = fetchedCipher(openSslName);
    if (!cipher)
        return failure(std::string(openSslName) + " is not available in OpenSSL");
    if (key.size() != static_cast<std::size_t>(EVP_CIPHER_get_key_length(cipher)) ||
        iv.size() != static_cast<std::size_t>(EVP_CIPHER_get_iv_length(cipher)))
        return failure(std::string("wrong key or IV size for ") + openSslName);
    EvpCipherCtxHandle ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), iv.data(), 1, nullptr) != 1)
        return failure(std::string("cannot key ") + openSslName);
    return StreamCipher(std::move(ctx));
}

Status StreamCipher::restart(ByteView iv) {
    if (iv.size() != static_cast<std::size_t>(EVP_CIPHER_CTX_get_iv_length(ctx_.get())) ||
        EVP_CipherInit_ex2(ctx_.get(), nullptr, nullptr, iv.data(), 1, nullptr) != 1)
        return failure("cannot set the cipher IV");
    return {};
}

Status StreamCipher::apply(ByteView in, std::uint8_t* out) {
    int written = 0;
    if (!fitsInt(in.size()) ||
        EVP_CipherUpdate(ctx_.get(), out, &written, in.data(), static_cast<int>(in.size())) != 1 ||
        static_cast<std::size_t>(written) != in.size())
        return failure("the cipher refused the data");
    return {};
}

Result<AesGcm> AesGcm::create(ByteView key) {
    const char* name = key.size() == 16 ? "AES-128-GCM" : key.size() == 24 ? "AES-192-GCM"
                                                      : key.size() == 32 ? "AES-256-GCM" : nullptr;
    if (!name)
        return failure("an AES key is 16, 24 or 32 bytes");
    const EVP_CIPHER* cipher = fetchedCipher(name);
    EvpCipherCtxHandle ctx(EVP_CIPHER_CTX_new());
    if (!cipher || !ctx || EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), nullptr, 1, nullptr) != 1)
        return failure(std::string("cannot key ") + name);
    return AesGcm(std::move(ctx));
}

Status AesGcm::start(ByteView nonce, ByteView aad, bool encrypt) {
    if (nonce.size() != kNonceLength)
        return failure("AES-GCM takes a 12-byte nonce here");
    int ignored = 0;
    if (EVP_CipherInit_ex2(ctx_.get(), nullptr, nullptr, nonce.data(), encrypt ? 1 : 0, nullptr) != 1 ||
        !fitsInt(aad.size()) ||
        (!aad.empty() &&
         EVP_CipherUpdate(ctx_.get(), nullptr, &ignored, aad.data(), static_cast<int>(aad.size())) != 1))
        return failure("cannot start AES-GCM");
    return {};
}

Status AesGcm::seal(ByteView nonce, ByteView aad, std::span<std::uint8_t> data, std::span<std::uint8_t> tag) {
    if (tag.size() != kTagLength)
        return failure("AES-GCM tags are 16 bytes");
    if (Status started = start(nonce, aad, true); !started)
        return started;
    int written = 0, finalWritten = 0;
    if (!fitsInt(data.size()) ||
        EVP_CipherUpdate(ctx_.get(), data.data(), &written, data.data(), static_cast<int>(data.size())) != 1 ||
        static_cast<std::size_t>(written) != data.size() ||
        EVP_CipherFinal_ex(ctx_.get(), data.data() + written, &finalWritten) != 1 || finalWritten != 0 ||
        EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagLength), tag.data()) != 1)
        return failure("AES-GCM encryption failed");
    return {};
}

Status AesGcm::open(ByteView nonce, ByteView aad, std::span<std::uint8_t> data, ByteView tag) {
    if (tag.size() != kTagLength)
        return Error::crypto("Message authentication failed: the AES-GCM tag is not 16 bytes.");
    if (Status started = start(nonce, aad, false); !started)
        return started;
    int written = 0, finalWritten = 0;
    // EVP_CTRL_AEAD_SET_TAG wants a mutable pointer but only copies the tag.
    std::uint8_t expected[kTagLength];
    std::memcpy(expected, tag.data(), kTagLength);
    if (!fitsInt(data.size()) ||
        EVP_CipherUpdate(ctx_.get(), data.data(), &written, data.data(), static_cast<int>(data.size())) != 1 ||
        static_cast<std::size_t>(written) != data.size() ||
        EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagLength), expected) != 1)
        return failure("AES-GCM decryption failed");
    // The final step compares the tags with CRYPTO_memcmp.
    if (EVP_CipherFinal_ex(ctx_.get(), data.data() + written, &finalWritten) != 1)
        return Error::crypto("Message authentication failed: the AES-GCM tag does not match.");
    return {};
}

Result<MacContext> MacContext::hmac(HashAlgorithm digest, ByteView key) {
    const EVP_MAC* mac = fetchedMac(false);
    EvpMacCtxHandle ctx(mac ? EVP_MAC_CTX_new(const_cast<EVP_MAC*>(mac)) : nullptr);
    char* name = const_cast<char*>(digestName(digest));
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name, 0),
                           OSSL_PARAM_construct_end()};
    if (!ctx || EVP_MAC_CTX_set_params(ctx.get(), params) != 1)
        return failure(std::string("HMAC-") + name + " is not available in OpenSSL");
    // Keying once here proves the key usable; begin() re-keys from the stored copy.
    if (EVP_MAC_init(ctx.get(), key.data(), key.size(), nullptr) != 1)
        return failure("cannot key HMAC");
    return MacContext(std::move(ctx), SecretBytes(key), digestLength(digest), false);
}

Result<MacContext> MacContext::poly1305() {
    const EVP_MAC* mac = fetchedMac(true);
    EvpMacCtxHandle ctx(mac ? EVP_MAC_CTX_new(const_cast<EVP_MAC*>(mac)) : nullptr);
    if (!ctx)
        return failure("Poly1305 is not available in OpenSSL");
    return MacContext(std::move(ctx), SecretBytes(), 16, true);
}

Status MacContext::begin(ByteView oneTimeKey) {
    ByteView key = oneTimeKeys_ ? oneTimeKey : key_.view();
    if ((oneTimeKeys_ && key.size() != 32) || EVP_MAC_init(ctx_.get(), key.data(), key.size(), nullptr) != 1)
        return failure("cannot start the MAC");
    return {};
}

Status MacContext::update(ByteView data) {
    if (!data.empty() && EVP_MAC_update(ctx_.get(), data.data(), data.size()) != 1)
        return failure("the MAC refused the data");
    return {};
}

Status MacContext::finish(std::span<std::uint8_t> tag) {
    std::size_t written = 0;
    if (tag.size() != tagLength_ || EVP_MAC_final(ctx_.get(), tag.data(), &written, tag.size()) != 1 ||
        written != tagLength_)
        return failure("cannot finish the MAC");
    return {};
}

} // namespace portal::protocol::crypto
