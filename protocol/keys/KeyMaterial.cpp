// Building OpenSSL keys from SSH wire fields and reading them back; see KeyMaterial.h.
#include "keys/KeyMaterial.h"

#include "wire/Reader.h"
#include "wire/Writer.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <array>
#include <cstring>

namespace portal::protocol::keys::detail {

namespace {

// RFC 5656 §10.1: the three REQUIRED curves, the only ones OpenSSH supports.
constexpr std::array<EcdsaCurve, 3> kCurves{{
    {"ecdsa-sha2-nistp256", "nistp256", "prime256v1", 256, 32, "SHA256"},
    {"ecdsa-sha2-nistp384", "nistp384", "secp384r1", 384, 48, "SHA384"},
    {"ecdsa-sha2-nistp521", "nistp521", "secp521r1", 521, 66, "SHA512"},
}};

struct BnFree {
    void operator()(BIGNUM* bn) const { BN_clear_free(bn); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
struct BnCtxFree {
    void operator()(BN_CTX* ctx) const { BN_CTX_free(ctx); }
};
struct ParamBldFree {
    void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamsFree {
    void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
struct EcdsaSigFree {
    void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};

Bn toBn(ByteView magnitude) {
    return Bn(BN_bin2bn(magnitude.data(), static_cast<int>(magnitude.size()), nullptr));
}

Bytes fromBn(const BIGNUM* bn) {
    Bytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, out.data());
    return out;
}

// EVP_PKEY_fromdata over parameters collected in a builder.
Result<EvpKey> keyFromParams(const char* algorithm, OSSL_PARAM_BLD* builder, int selection) {
    std::unique_ptr<OSSL_PARAM, ParamsFree> params(OSSL_PARAM_BLD_to_param(builder));
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1 || !raw)
        return Error::crypto(std::string("OpenSSL rejected the ") + algorithm + " key parameters");
    return adoptEvpKey(raw);
}

} // namespace

EvpKey adoptEvpKey(EVP_PKEY* key) { return EvpKey(key, EVP_PKEY_free); }

const EcdsaCurve* curveByKeyType(std::string_view keyType) {
    for (const auto& curve : kCurves)
        if (keyType == curve.keyType)
            return &curve;
    return nullptr;
}

const EcdsaCurve* curveByIdentifier(std::string_view identifier) {
    for (const auto& curve : kCurves)
        if (identifier == curve.identifier)
            return &curve;
    return nullptr;
}

const EcdsaCurve* curveByOpensslName(std::string_view opensslName) {
    // OpenSSL reports P-256 as "prime256v1"; accept the NIST spellings too.
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kAliases{{
        {"P-256", "prime256v1"}, {"P-384", "secp384r1"}, {"P-521", "secp521r1"}}};
    for (const auto& [alias, name] : kAliases)
        if (opensslName == alias)
            opensslName = name;
    for (const auto& curve : kCurves)
        if (opensslName == curve.opensslName)
            return &curve;
    return nullptr;
}

Result<SignatureScheme> signatureScheme(std::string_view keyType, std::string_view algorithm) {
    if (keyType == kEd25519 && algorithm == kEd25519)
        return SignatureScheme{KeyKind::Ed25519, nullptr};
    if (const EcdsaCurve* curve = curveByKeyType(keyType); curve && algorithm == curve->keyType)
        return SignatureScheme{KeyKind::Ecdsa, curve->digest};
    if (keyType == kRsa) {
        // RFC 8332 §3; "ssh-rsa" signatures use SHA-1 (RFC 4253 §6.6).
        if (algorithm == "rsa-sha2-512")
            return SignatureScheme{KeyKind::Rsa, "SHA512"};
        if (algorithm == "rsa-sha2-256")
            return SignatureScheme{KeyKind::Rsa, "SHA256"};
        if (algorithm == "ssh-rsa")
            return SignatureScheme{KeyKind::Rsa, "SHA1"};
    }
    return Error::crypto("signature algorithm " + std::string(algorithm) + " does not suit a " +
                         std::string(keyType) + " key");
}

Result<EvpKey> ed25519Public(ByteView publicKey) {
    if (publicKey.size() != kEd25519KeyBytes)
        return Error::crypto("an Ed25519 public key must be 32 bytes");
    EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, publicKey.data(), publicKey.size());
    if (!raw)
        return Error::crypto("OpenSSL rejected the Ed25519 public key");
    return adoptEvpKey(raw);
}

Result<EvpKey> ed25519Private(ByteView seed) {
    if (seed.size() != kEd25519KeyBytes)
        return Error::crypto("an Ed25519 private key must be 32 bytes");
    EVP_PKEY* raw = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
    if (!raw)
        return Error::crypto("OpenSSL rejected the Ed25519 private key");
    return adoptEvpKey(raw);
}

namespace {

Result<EvpKey> ecdsaKey(const EcdsaCurve& curve, ByteView point, const BIGNUM* scalar) {
    // Only the uncompressed form (SEC1 §2.3.3, 0x04 || x || y), as OpenSSH writes it.
    if (point.size() != 1 + 2 * curve.fieldBytes || point[0] != 0x04)
        return Error::crypto(std::string("the ") + curve.identifier + " public point is not an uncompressed point of that curve");
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
    if (!builder ||
        !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.opensslName, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) ||
        (scalar && !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar)))
        return Error::crypto("could not assemble ECDSA key parameters");
    auto key = keyFromParams("EC", builder.get(), scalar ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY);
    if (!key)
        return Error::crypto(std::string("the ") + curve.identifier + " public point is not on the curve");
    // RFC 5656 §3.1 requires validating the point (SEC1 §3.2.2): on the curve, not the
    // point at infinity, of the right order. For a key pair, Q must also equal d·G.
    PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key->get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return Error::crypto(std::string("the ") + curve.identifier + " public point failed validation");
    if (scalar && EVP_PKEY_pairwise_check(check.get()) != 1)
        return Error::crypto("the ECDSA private scalar does not match its public point");
    return key;
}

} // namespace

Result<EvpKey> ecdsaPublic(const EcdsaCurve& curve, ByteView point) { return ecdsaKey(curve, point, nullptr); }

Result<EvpKey> ecdsaPrivate(const EcdsaCurve& curve, ByteView point, ByteView scalar) {
    Bn d = toBn(scalar);
    if (!d)
        return Error::crypto("could not read the ECDSA private scalar");
    return ecdsaKey(curve, point, d.get());
}

Result<EvpKey> rsaPublic(ByteView e, ByteView n) {
    Bn bnE = toBn(e), bnN = toBn(n);
    if (!bnE || !bnN)
        return Error::crypto("could not read the RSA public key");
    int bits = BN_num_bits(bnN.get());
    if (bits < kRsaMinimumBits)
        return Error::crypto("RSA key of " + std::to_string(bits) + " bits is too small (at least " +
                             std::to_string(kRsaMinimumBits) + " bits required)");
    if (bits > kRsaMaximumBits)
        return Error::crypto("RSA key of " + std::to_string(bits) + " bits is too large");
    // An even modulus or exponent, or e < 3, cannot be a working RSA key.
    if (!BN_is_odd(bnN.get()) || !BN_is_odd(bnE.get()) || BN_num_bits(bnE.get()) < 2 || BN_cmp(bnE.get(), bnN.get()) >= 0)
        return Error::crypto("the RSA public key is malformed (bad modulus or exponent)");
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
    if (!builder || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bnN.get()) ||
        !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, bnE.get()))
        return Error::crypto("could not assemble RSA key parameters");
    return keyFromParams("RSA", builder.get(), EVP_PKEY_PUBLIC_KEY);
}

Result<EvpKey> rsaPrivate(ByteView n, ByteView e, ByteView d, ByteView iqmp, ByteView p, ByteView q) {
    auto publicKey = rsaPublic(e, n);
    if (!publicKey)
        return publicKey.error();
    Bn bnN = toBn(n), bnE = toBn(e), bnD = toBn(d), bnIqmp = toBn(iqmp), bnP = toBn(p), bnQ = toBn(q);
    Bn dmp1(BN_secure_new()), dmq1(BN_secure_new()), pMinus1(BN_secure_new()), qMinus1(BN_secure_new()),
        scratch(BN_secure_new());
    std::unique_ptr<BN_CTX, BnCtxFree> ctx(BN_CTX_secure_new());
    if (!bnN || !bnE || !bnD || !bnIqmp || !bnP || !bnQ || !dmp1 || !dmq1 || !pMinus1 || !qMinus1 || !scratch || !ctx)
        return Error::crypto("could not read the RSA private key");
    BN_set_flags(bnD.get(), BN_FLG_CONSTTIME);
    // The file's fields must describe one key: n = p·q, iqmp = q⁻¹ mod p, and
    // e·d ≡ 1 modulo p−1 and q−1. Otherwise signatures would be silently wrong.
    bool consistent = BN_mul(scratch.get(), bnP.get(), bnQ.get(), ctx.get()) && BN_cmp(scratch.get(), bnN.get()) == 0 &&
                      BN_mod_mul(scratch.get(), bnIqmp.get(), bnQ.get(), bnP.get(), ctx.get()) && BN_is_one(scratch.get()) &&
                      BN_sub(pMinus1.get(), bnP.get(), BN_value_one()) && BN_sub(qMinus1.get(), bnQ.get(), BN_value_one()) &&
                      !BN_is_zero(pMinus1.get()) && !BN_is_zero(qMinus1.get()) &&
                      BN_mod_mul(scratch.get(), bnE.get(), bnD.get(), pMinus1.get(), ctx.get()) && BN_is_one(scratch.get()) &&
                      BN_mod_mul(scratch.get(), bnE.get(), bnD.get(), qMinus1.get(), ctx.get()) && BN_is_one(scratch.get());
    if (!consistent)
        return Error::crypto("the RSA private key's factors and exponents do not belong together");
    if (!BN_mod(dmp1.get(), bnD.get(), pMinus1.get(), ctx.get()) || !BN_mod(dmq1.get(), bnD.get(), qMinus1.get(), ctx.get()))
        return Error::crypto("could not derive the RSA CRT exponents");
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
    if (!builder || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bnN.get()) ||
        !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, bnE.get()) ||
        !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_D, bnD.get()) ||
        !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, bnP.get()) ||
        !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, bnQ.get()) ||
        !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1.get()) ||
        !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1.get()) ||
        !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, bnIqmp.get()))
        return Error::crypto("could not assemble RSA key parameters");
    return keyFromParams("RSA", builder.get(), EVP_PKEY_KEYPAIR);
}

Result<Bytes> publicBlobOf(EVP_PKEY* key) {
    wire::Writer blob;
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_ED25519: {
        std::array<std::uint8_t, kEd25519KeyBytes> raw{};
        std::size_t length = raw.size();
        if (EVP_PKEY_get_raw_public_key(key, raw.data(), &length) != 1 || length != raw.size())
            return Error::crypto("could not read the Ed25519 public key");
        blob.string(kEd25519).string(ByteView(raw));
        return std::move(blob).take();
    }
    case EVP_PKEY_EC: {
        char group[64] = {};
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, nullptr) != 1)
            return Error::crypto("could not read the elliptic curve of the key");
        const EcdsaCurve* curve = curveByOpensslName(group);
        if (!curve)
            return Error::crypto(std::string("elliptic curve ") + group + " is not supported (only NIST P-256, P-384, P-521)");
        BIGNUM* x = nullptr;
        BIGNUM* y = nullptr;
        bool have = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
                    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1;
        Bn bnX(x), bnY(y);
        if (!have)
            return Error::crypto("could not read the ECDSA public point");
        Bytes point(1 + 2 * curve->fieldBytes);
        point[0] = 0x04;
        if (BN_bn2binpad(bnX.get(), point.data() + 1, static_cast<int>(curve->fieldBytes)) < 0 ||
            BN_bn2binpad(bnY.get(), point.data() + 1 + curve->fieldBytes, static_cast<int>(curve->fieldBytes)) < 0)
            return Error::crypto("the ECDSA public point does not fit its curve");
        blob.string(curve->keyType).string(curve->identifier).string(point);
        return std::move(blob).take();
    }
    case EVP_PKEY_RSA: {
        BIGNUM* n = nullptr;
        BIGNUM* e = nullptr;
        bool have = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
                    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) == 1;
        Bn bnN(n), bnE(e);
        if (!have)
            return Error::crypto("could not read the RSA public key");
        blob.string(kRsa).mpint(fromBn(bnE.get())).mpint(fromBn(bnN.get()));
        return std::move(blob).take();
    }
    default:
        return Error::crypto("key type is not supported (only Ed25519, ECDSA and RSA)");
    }
}

Result<Bytes> ecdsaDerToSsh(ByteView der) {
    const unsigned char* cursor = der.data();
    std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
    if (!sig)
        return Error::crypto("OpenSSL produced an unreadable ECDSA signature");
    wire::Writer rs;
    rs.mpint(fromBn(ECDSA_SIG_get0_r(sig.get()))).mpint(fromBn(ECDSA_SIG_get0_s(sig.get())));
    return std::move(rs).take();
}

Result<Bytes> ecdsaSshToDer(ByteView rs, const EcdsaCurve& curve) {
    wire::Reader reader(rs);
    ByteView r = reader.mpint();
    ByteView s = reader.mpint();
    if (!reader.atEnd())
        return Error::crypto("the ECDSA signature is not two mpints (RFC 5656 §3.1.2)");
    // r and s are reduced modulo the group order, which is as long as a coordinate.
    if (r.size() > curve.fieldBytes || s.size() > curve.fieldBytes)
        return Error::crypto("the ECDSA signature values are too large for the curve");
    Bn bnR = toBn(r), bnS = toBn(s);
    std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
    if (!bnR || !bnS || !sig || ECDSA_SIG_set0(sig.get(), bnR.get(), bnS.get()) != 1)
        return Error::crypto("could not assemble the ECDSA signature");
    (void)bnR.release(); // now owned by sig
    (void)bnS.release();
    unsigned char* der = nullptr;
    int length = i2d_ECDSA_SIG(sig.get(), &der);
    if (length <= 0)
        return Error::crypto("could not encode the ECDSA signature");
    Bytes out(der, der + length);
    OPENSSL_free(der);
    return out;
}

} // namespace portal::protocol::keys::detail
