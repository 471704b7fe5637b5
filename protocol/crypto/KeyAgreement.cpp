// Ephemeral key agreement through EVP_PKEY_derive: X25519 (RFC 7748, RFC 8731), ECDH on
// P-256/384/521 (RFC 5656 §4, SEC 1 §3.2.2 point validation) and finite-field DH over the
// RFC 3526 groups (RFC 8268) or a group from the server (RFC 4419).
#include "crypto/KeyAgreement.h"

#include "crypto/OpenSslHandles.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <string>

namespace portal::protocol::crypto {

namespace {

using ParamBldHandle = OpenSslHandle<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamsHandle = OpenSslHandle<OSSL_PARAM, OSSL_PARAM_free>;
using EcGroupHandle = OpenSslHandle<EC_GROUP, EC_GROUP_free>;
using EcPointHandle = OpenSslHandle<EC_POINT, EC_POINT_free>;

// Private exponent length for finite-field DH. NIST SP 800-56A asks for twice the security
// strength; 512 bits covers the 256-bit ciphers and is far cheaper than a full-size exponent.
constexpr int kDhPrivateExponentBits = 512;

Error opensslFailure(const std::string& what) { return Error::crypto("Key exchange failed: " + what + "."); }

// K as SSH wants it: an unsigned big-endian magnitude without leading zero bytes (the
// transport's mpint encoding adds the sign byte where needed, RFC 4251 §5).
SecretBytes withoutLeadingZeros(const SecretBytes& value) {
    std::size_t first = 0;
    while (first < value.size() && value.data()[first] == 0)
        ++first;
    return SecretBytes(value.view().subspan(first));
}

Result<Bytes> encodedPublicKey(EVP_PKEY* key) {
    std::size_t length = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0, &length) != 1)
        return opensslFailure("cannot read our public value");
    Bytes encoded(length);
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, encoded.data(), encoded.size(),
                                        &length) != 1)
        return opensslFailure("cannot read our public value");
    encoded.resize(length);
    return encoded;
}

// An EVP_PKEY of `keyType` from the parameters in `builder` (EVP_PKEY_fromdata); null on failure.
EvpPkeyHandle keyFromParams(const char* keyType, int selection, OSSL_PARAM_BLD* builder) {
    ParamsHandle params(OSSL_PARAM_BLD_to_param(builder));
    EvpPkeyCtxHandle ctx(EVP_PKEY_CTX_new_from_name(nullptr, keyType, nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, selection, params.get()) != 1)
        return nullptr;
    return EvpPkeyHandle(key);
}

// EVP_PKEY_derive between our key and the peer's; `validatePeer` adds OpenSSL's full public
// key check (EVP_PKEY_public_check) on top of what the caller has checked.
Result<SecretBytes> derive(EVP_PKEY* ours, EVP_PKEY* peer, bool validatePeer) {
    EvpPkeyCtxHandle ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, ours, nullptr));
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1)
        return opensslFailure("cannot start the derivation");
    if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, validatePeer ? 1 : 0) != 1)
        return Error::protocol("The server's key exchange value is not a valid public key.");
    std::size_t length = 0;
    if (EVP_PKEY_derive(ctx.get(), nullptr, &length) != 1)
        return opensslFailure("cannot size the shared secret");
    SecretBytes secret(length);
    if (EVP_PKEY_derive(ctx.get(), secret.data(), &length) != 1)
        return Error::protocol("The server's key exchange value gives no valid shared secret.");
    secret.resize(length);
    return secret;
}

struct CurveParameters {
    const char* groupName; // OpenSSL / SEC 2 name
    std::size_t fieldBytes;
};

CurveParameters curveParameters(NamedGroup group) {
    switch (group) {
    case NamedGroup::X25519: return {"X25519", 32};
    case NamedGroup::NistP256: return {"P-256", 32};
    case NamedGroup::NistP384: return {"P-384", 48};
    case NamedGroup::NistP521: return {"P-521", 66};
    }
    return {"", 0};
}

// X25519 (RFC 8731 §3) and ECDH over the NIST curves (RFC 5656 §4).
class EcdhAgreement final : public KeyAgreement {
public:
    EcdhAgreement(NamedGroup group, EvpPkeyHandle key, Bytes publicValue)
        : group_(group), key_(std::move(key)), publicValue_(std::move(publicValue)) {}

    const Bytes& publicValue() const override { return publicValue_; }

    Result<SecretBytes> deriveSharedSecret(ByteView peer) override {
        const CurveParameters curve = curveParameters(group_);
        EvpPkeyHandle peerKey;
        if (group_ == NamedGroup::X25519) {
            if (peer.size() != 32)
                return Error::protocol("The server's X25519 public key is " + std::to_string(peer.size()) +
                                       " bytes long instead of 32.");
            peerKey.reset(EVP_PKEY_new_raw_public_key_ex(nullptr, "X25519", nullptr, peer.data(), peer.size()));
            if (!peerKey)
                return opensslFailure("cannot load the server's X25519 key");
        } else {
            // RFC 5656 §3.1 and SEC 1 §2.3.3: OpenSSH sends the uncompressed form 04 || X || Y;
            // we accept nothing else, so the length is fixed by the curve.
            if (peer.size() != 1 + 2 * curve.fieldBytes || peer[0] != 0x04)
                return Error::protocol(std::string("The server's ") + curve.groupName +
                                       " public key is not an uncompressed curve point.");
            Result<EvpPkeyHandle> loaded = loadNistPublicKey(curve.groupName, peer);
            if (!loaded)
                return loaded.error();
            peerKey = std::move(*loaded);
        }
        // SEC 1 §3.2.2 full public key validation for the NIST curves (on the curve, not the
        // point at infinity, in the prime-order group); X25519 needs none (RFC 7748 §6.1).
        Result<SecretBytes> shared = derive(key_.get(), peerKey.get(), group_ != NamedGroup::X25519);
        if (!shared)
            return shared.error();
        // RFC 7748 §6.1 / RFC 8731 §3: an all-zero X25519 result means a low-order peer point.
        // (On the NIST curves x = 0 is an ordinary point's coordinate and K is then 0.)
        static const std::uint8_t zeros[32] = {};
        if (group_ == NamedGroup::X25519 && shared->equals(ByteView(zeros, sizeof zeros)))
            return Error::protocol("The server's X25519 value gives an all-zero shared secret.");
        return withoutLeadingZeros(*shared);
    }

    static Result<EvpPkeyHandle> loadNistPublicKey(const char* groupName, ByteView point) {
        ParamBldHandle builder(OSSL_PARAM_BLD_new());
        if (!builder ||
            OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, groupName, 0) != 1 ||
            OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
            return opensslFailure("cannot describe the server's key");
        // Import decodes the point with EC_POINT_oct2point, which rejects points off the curve.
        EvpPkeyHandle key = keyFromParams("EC", EVP_PKEY_PUBLIC_KEY, builder.get());
        if (!key)
            return Error::protocol(std::string("The server's ") + groupName + " public key is not on the curve.");
        return key;
    }

private:
    NamedGroup group_;
    EvpPkeyHandle key_;
    Bytes publicValue_;
};

Result<std::unique_ptr<KeyAgreement>> finishEcdh(NamedGroup group, EvpPkeyHandle key) {
    if (!key)
        return opensslFailure(std::string("cannot create a ") + curveParameters(group).groupName + " key");
    Result<Bytes> publicValue = encodedPublicKey(key.get());
    if (!publicValue)
        return publicValue.error();
    return std::unique_ptr<KeyAgreement>(new EcdhAgreement(group, std::move(key), std::move(*publicValue)));
}

// A NIST-curve key pair from a fixed scalar: the public point is d·G (SEC 1 §3.2.1).
EvpPkeyHandle nistKeyFromScalar(const char* groupName, ByteView scalar) {
    EcGroupHandle ecGroup(EC_GROUP_new_by_curve_name(EC_curve_nist2nid(groupName)));
    SecretBignumHandle d(BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), nullptr));
    if (!ecGroup || !d)
        return nullptr;
    EcPointHandle point(EC_POINT_new(ecGroup.get()));
    BnCtxHandle bnCtx(BN_CTX_new());
    if (!point || !bnCtx || EC_POINT_mul(ecGroup.get(), point.get(), d.get(), nullptr, nullptr, bnCtx.get()) != 1)
        return nullptr;
    std::size_t length = EC_POINT_point2oct(ecGroup.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, nullptr, 0,
                                            bnCtx.get());
    Bytes encoded(length);
    if (length == 0 || EC_POINT_point2oct(ecGroup.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED,
                                          encoded.data(), encoded.size(), bnCtx.get()) != length)
        return nullptr;

    ParamBldHandle builder(OSSL_PARAM_BLD_new());
    if (!builder ||
        OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, groupName, 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, encoded.data(), encoded.size()) != 1)
        return nullptr;
    return keyFromParams("EC", EVP_PKEY_KEYPAIR, builder.get());
}

// Finite-field Diffie-Hellman (RFC 4253 §8). The group is imported as bare p and g, as
// OpenSSH does: with a subgroup order q OpenSSL would also check f^q = 1 on every derive,
// a full-size exponentiation that costs more than the rest of the key exchange together.
class FiniteFieldAgreement final : public KeyAgreement {
public:
    static Result<std::unique_ptr<KeyAgreement>> create(const BIGNUM* p, const BIGNUM* g) {
        ParamBldHandle builder(OSSL_PARAM_BLD_new());
        if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_FFC_P, p) != 1 ||
            OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_FFC_G, g) != 1)
            return opensslFailure("cannot describe the Diffie-Hellman group");
        EvpPkeyHandle domainKey = keyFromParams("DH", EVP_PKEY_KEY_PARAMETERS, builder.get());
        if (!domainKey)
            return opensslFailure("cannot load the Diffie-Hellman group");

        // x < 2^kDhPrivateExponentBits, but never as long as p (x must stay below p - 1).
        int exponentBits = std::min(kDhPrivateExponentBits, BN_num_bits(p) - 1);
        OSSL_PARAM genParams[] = {OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_PRIV_LEN, &exponentBits),
                                  OSSL_PARAM_construct_end()};
        EvpPkeyCtxHandle genCtx(EVP_PKEY_CTX_new_from_pkey(nullptr, domainKey.get(), nullptr));
        EVP_PKEY* generated = nullptr;
        if (!genCtx || EVP_PKEY_keygen_init(genCtx.get()) != 1 ||
            EVP_PKEY_CTX_set_params(genCtx.get(), genParams) != 1 ||
            EVP_PKEY_generate(genCtx.get(), &generated) != 1)
            return opensslFailure("cannot generate a Diffie-Hellman key");
        EvpPkeyHandle key(generated);

        BIGNUM* e = nullptr;
        if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, &e) != 1)
            return opensslFailure("cannot read our Diffie-Hellman value");
        BignumHandle eHandle(e);
        Bytes publicValue(static_cast<std::size_t>(BN_num_bytes(e)));
        BN_bn2bin(e, publicValue.data());

        BignumHandle pCopy(BN_dup(p)), gCopy(BN_dup(g));
        if (!pCopy || !gCopy)
            return opensslFailure("out of memory");
        return std::unique_ptr<KeyAgreement>(new FiniteFieldAgreement(std::move(pCopy), std::move(gCopy),
                                                                      std::move(key), std::move(publicValue)));
    }

    const Bytes& publicValue() const override { return publicValue_; }

    Result<SecretBytes> deriveSharedSecret(ByteView peer) override {
        BignumHandle f(BN_bin2bn(peer.data(), static_cast<int>(peer.size()), nullptr));
        BignumHandle pMinusOne(BN_dup(p_.get()));
        if (!f || !pMinusOne || BN_sub_word(pMinusOne.get(), 1) != 1)
            return opensslFailure("out of memory");
        // RFC 4253 §8: values outside [1, p-1] must not be sent or accepted; 1 and p-1 would
        // force K into {1, p-1}, so they are refused as well (NIST SP 800-56A §5.6.2.3.1).
        if (BN_cmp(f.get(), BN_value_one()) <= 0 || BN_cmp(f.get(), pMinusOne.get()) >= 0)
            return Error::protocol("The server's Diffie-Hellman value f is outside 1 < f < p-1.");

        ParamBldHandle builder(OSSL_PARAM_BLD_new());
        if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_FFC_P, p_.get()) != 1 ||
            OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_FFC_G, g_.get()) != 1 ||
            OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, f.get()) != 1)
            return opensslFailure("cannot describe the server's value");
        EvpPkeyHandle peerKey = keyFromParams("DH", EVP_PKEY_PUBLIC_KEY, builder.get());
        if (!peerKey)
            return opensslFailure("cannot load the server's value");
        Result<SecretBytes> shared = derive(key_.get(), peerKey.get(), false);
        if (!shared)
            return shared.error();
        return withoutLeadingZeros(*shared);
    }

private:
    FiniteFieldAgreement(BignumHandle p, BignumHandle g, EvpPkeyHandle key, Bytes publicValue)
        : p_(std::move(p)), g_(std::move(g)), key_(std::move(key)), publicValue_(std::move(publicValue)) {}

    BignumHandle p_;
    BignumHandle g_;
    EvpPkeyHandle key_;
    Bytes publicValue_;
};

} // namespace

Result<std::unique_ptr<KeyAgreement>> makeEcdhAgreement(NamedGroup group) {
    const CurveParameters curve = curveParameters(group);
    EvpPkeyHandle key(group == NamedGroup::X25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519")
                                                  : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve.groupName));
    return finishEcdh(group, std::move(key));
}

Result<std::unique_ptr<KeyAgreement>> makeEcdhAgreementWithPrivateKey(NamedGroup group,
                                                                      const SecretBytes& privateKey) {
    const CurveParameters curve = curveParameters(group);
    if (group == NamedGroup::X25519) {
        if (privateKey.size() != 32)
            return Error::crypto("An X25519 private key is 32 bytes.");
        return finishEcdh(group, EvpPkeyHandle(EVP_PKEY_new_raw_private_key_ex(nullptr, "X25519", nullptr,
                                                                                privateKey.data(), 32)));
    }
    return finishEcdh(group, nistKeyFromScalar(curve.groupName, privateKey.view()));
}

Result<std::unique_ptr<KeyAgreement>> makeModpAgreement(int groupNumber) {
    // RFC 3526 §3, §5, §7 primes (the same values RFC 8268 names for SSH), generator 2.
    BIGNUM* (*prime)(BIGNUM*) = nullptr;
    switch (groupNumber) {
    case 14: prime = BN_get_rfc3526_prime_2048; break;
    case 16: prime = BN_get_rfc3526_prime_4096; break;
    case 18: prime = BN_get_rfc3526_prime_8192; break;
    default: return Error::crypto("Unknown MODP group " + std::to_string(groupNumber) + ".");
    }
    BignumHandle p(prime(nullptr));
    BignumHandle g(BN_new());
    if (!p || !g || BN_set_word(g.get(), 2) != 1)
        return opensslFailure("out of memory");
    return FiniteFieldAgreement::create(p.get(), g.get());
}

Result<std::unique_ptr<KeyAgreement>> makeGexAgreement(ByteView prime, ByteView generator, int minBits,
                                                       int maxBits) {
    BignumHandle p(BN_bin2bn(prime.data(), static_cast<int>(prime.size()), nullptr));
    BignumHandle g(BN_bin2bn(generator.data(), static_cast<int>(generator.size()), nullptr));
    if (!p || !g)
        return opensslFailure("out of memory");
    // RFC 4419 §3: the server picks a group "that best matches the request"; a p outside the
    // bounds we asked for is a downgrade we refuse, as OpenSSH does.
    const int bits = BN_num_bits(p.get());
    if (bits < minBits || bits > maxBits)
        return Error::protocol("The server offered a " + std::to_string(bits) + "-bit Diffie-Hellman group; " +
                               "between " + std::to_string(minBits) + " and " + std::to_string(maxBits) +
                               " bits were requested.");
    if (!BN_is_odd(p.get()))
        return Error::protocol("The server's Diffie-Hellman modulus is even, so it is not prime.");
    BignumHandle pMinusOne(BN_dup(p.get()));
    if (!pMinusOne || BN_sub_word(pMinusOne.get(), 1) != 1)
        return opensslFailure("out of memory");
    // g = 1 or p-1 generates a subgroup of order at most 2; such a group gives no secret.
    if (BN_cmp(g.get(), BN_value_one()) <= 0 || BN_cmp(g.get(), pMinusOne.get()) >= 0)
        return Error::protocol("The server's Diffie-Hellman generator is outside 1 < g < p-1.");
    return FiniteFieldAgreement::create(p.get(), g.get());
}

} // namespace portal::protocol::crypto
