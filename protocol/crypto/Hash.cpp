// Message digests through OpenSSL EVP (EVP_MD_fetch once per algorithm, EVP_MD_CTX per hasher).
#include "crypto/Hash.h"

#include "crypto/OpenSslHandles.h"

#include <openssl/evp.h>

#include <cassert>

namespace portal::protocol::crypto {

namespace {

// Fetched once: EVP_MD_fetch takes locks and searches providers, too slow per hash.
const EVP_MD* fetchedDigest(HashAlgorithm algorithm) {
    static const EvpMdHandle sha1(EVP_MD_fetch(nullptr, "SHA1", nullptr));
    static const EvpMdHandle sha256(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    static const EvpMdHandle sha384(EVP_MD_fetch(nullptr, "SHA384", nullptr));
    static const EvpMdHandle sha512(EVP_MD_fetch(nullptr, "SHA512", nullptr));
    switch (algorithm) {
    case HashAlgorithm::Sha1: return sha1.get();
    case HashAlgorithm::Sha256: return sha256.get();
    case HashAlgorithm::Sha384: return sha384.get();
    case HashAlgorithm::Sha512: return sha512.get();
    }
    return nullptr;
}

} // namespace

std::size_t digestLength(HashAlgorithm algorithm) {
    switch (algorithm) {
    case HashAlgorithm::Sha1: return 20;
    case HashAlgorithm::Sha256: return 32;
    case HashAlgorithm::Sha384: return 48;
    case HashAlgorithm::Sha512: return 64;
    }
    return 0;
}

// A failure inside OpenSSL (a provider without the digest, an allocation failure) is sticky:
// finish() then returns an empty digest, which no signature or key confirmation accepts.
struct Hasher::Context {
    EvpMdCtxHandle ctx{EVP_MD_CTX_new()};
    bool failed = false;
};

Hasher::Hasher(HashAlgorithm algorithm) : algorithm_(algorithm), context_(std::make_unique<Context>()) {
    const EVP_MD* md = fetchedDigest(algorithm);
    if (!md || !context_->ctx || EVP_DigestInit_ex2(context_->ctx.get(), md, nullptr) != 1)
        context_->failed = true;
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

Hasher& Hasher::update(ByteView data) {
    assert(context_ && "update() after finish()");
    if (!context_->failed && !data.empty() &&
        EVP_DigestUpdate(context_->ctx.get(), data.data(), data.size()) != 1)
        context_->failed = true;
    return *this;
}

Hasher Hasher::clone() const {
    assert(context_ && "clone() after finish()");
    Hasher copy(algorithm_);
    if (context_->failed || copy.context_->failed ||
        EVP_MD_CTX_copy_ex(copy.context_->ctx.get(), context_->ctx.get()) != 1)
        copy.context_->failed = true;
    return copy;
}

Bytes Hasher::finish() {
    assert(context_ && "finish() twice");
    Bytes out(digestLength(algorithm_));
    unsigned int length = 0;
    bool failed = context_->failed || EVP_DigestFinal_ex(context_->ctx.get(), out.data(), &length) != 1 ||
                  length != out.size();
    context_.reset();
    if (failed)
        out.clear();
    return out;
}

Bytes digest(HashAlgorithm algorithm, ByteView data) { return Hasher(algorithm).update(data).finish(); }

} // namespace portal::protocol::crypto
