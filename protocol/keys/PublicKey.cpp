// SSH public keys: blob parsing (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4), signature
// verification (RFC 4253 §6.6, RFC 5656 §3.1.2, RFC 8332 §3, RFC 8709 §6), and the SHA256
// fingerprint and "visual host key" that ssh-keygen prints.
#include "keys/PublicKey.h"

#include "crypto/Hash.h"
#include "keys/KeyMaterial.h"
#include "wire/Reader.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

namespace portal::protocol::keys {

using namespace detail;

namespace {

struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

Bytes sha256(ByteView data) { return crypto::digest(crypto::HashAlgorithm::Sha256, data); }

Result<EvpKey> parseBlob(ByteView blob, std::string& keyType) {
    wire::Reader reader(blob);
    keyType = std::string(reader.text());
    if (!reader.ok())
        return Error::protocol("public key blob is too short to name its type");
    auto trailing = [](const wire::Reader& r) { return !r.atEnd(); };

    if (keyType == kEd25519) {
        ByteView raw = reader.string();
        if (!reader.ok() || trailing(reader))
            return Error::protocol("ssh-ed25519 key blob is malformed (RFC 8709 §4)");
        return ed25519Public(raw);
    }
    if (const EcdsaCurve* curve = curveByKeyType(keyType)) {
        std::string_view identifier = reader.text();
        ByteView point = reader.string();
        if (!reader.ok() || trailing(reader))
            return Error::protocol(keyType + " key blob is malformed (RFC 5656 §3.1)");
        if (identifier != curve->identifier)
            return Error::protocol(keyType + " key blob names curve \"" + std::string(identifier) +
                                   "\" instead of " + curve->identifier);
        return ecdsaPublic(*curve, point);
    }
    if (keyType == kRsa) {
        ByteView e = reader.mpint();
        ByteView n = reader.mpint();
        if (!reader.ok() || trailing(reader))
            return Error::protocol("ssh-rsa key blob is malformed (RFC 4253 §6.6)");
        return rsaPublic(e, n);
    }
    return Error::protocol("public key type \"" + keyType + "\" is not supported");
}

} // namespace

Result<PublicKey> PublicKey::fromBlob(ByteView blob) {
    PublicKey key;
    auto evp = parseBlob(blob, key.keyType_);
    if (!evp)
        return evp.error();
    key.blob_.assign(blob.begin(), blob.end());
    key.key_ = std::move(evp.value());
    return key;
}

Result<PublicKey> PublicKey::fromOpenSshLine(std::string_view line) {
    auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    auto nextField = [&](std::string_view& rest) {
        while (!rest.empty() && isSpace(rest.front()))
            rest.remove_prefix(1);
        std::size_t end = 0;
        while (end < rest.size() && !isSpace(rest[end]))
            ++end;
        std::string_view field = rest.substr(0, end);
        rest.remove_prefix(end);
        return field;
    };
    std::string_view rest = line;
    std::string_view type = nextField(rest);
    std::string_view encoded = nextField(rest);
    if (type.empty() || encoded.empty())
        return Error::localFile("public key line needs a key type and base64 key data");
    auto blob = base64Decode(encoded);
    if (!blob)
        return Error::localFile("public key data is not valid base64: " + blob.error().message);
    auto key = fromBlob(*blob);
    if (!key)
        return Error::localFile(key.error().message);
    if (key->keyType() != type)
        return Error::localFile("public key line says \"" + std::string(type) + "\" but its data is a " +
                                key->keyType() + " key");
    return key;
}

int PublicKey::bits() const {
    if (!key_)
        return 0;
    if (const EcdsaCurve* curve = curveByKeyType(keyType_))
        return curve->bits;
    if (keyType_ == kEd25519)
        return 256; // as ssh-keygen reports it
    return EVP_PKEY_get_bits(key_.get());
}

Status PublicKey::verify(std::string_view signatureAlgorithm, ByteView data, ByteView signatureBlob) const {
    if (!key_)
        return Error::crypto("no public key to verify with");
    auto scheme = signatureScheme(keyType_, signatureAlgorithm);
    if (!scheme)
        return scheme.error();

    wire::Reader reader(signatureBlob);
    std::string_view blobAlgorithm = reader.text();
    ByteView signature = reader.string();
    if (!reader.atEnd())
        return Error::crypto("signature blob is malformed");
    if (blobAlgorithm != signatureAlgorithm)
        return Error::crypto("signature is of type \"" + std::string(blobAlgorithm) + "\", expected " +
                             std::string(signatureAlgorithm));

    Bytes converted; // the signature in the form OpenSSL expects
    switch (scheme->kind) {
    case KeyKind::Ed25519:
        if (signature.size() != kEd25519SignatureBytes)
            return Error::crypto("Ed25519 signature must be 64 bytes");
        break;
    case KeyKind::Ecdsa: {
        auto der = ecdsaSshToDer(signature, *curveByKeyType(keyType_));
        if (!der)
            return der.error();
        converted = std::move(der.value());
        signature = converted;
        break;
    }
    case KeyKind::Rsa: {
        // RFC 8332 §3 wants exactly the modulus length; like OpenSSH, accept a signature
        // whose leading zero bytes were dropped by the signer and restore them.
        std::size_t modulusBytes = static_cast<std::size_t>(EVP_PKEY_get_size(key_.get()));
        if (signature.size() > modulusBytes)
            return Error::crypto("RSA signature is longer than the modulus");
        if (signature.size() < modulusBytes) {
            converted.assign(modulusBytes - signature.size(), 0);
            append(converted, signature);
            signature = converted;
        }
        break;
    }
    }

    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, scheme->digest, nullptr, nullptr, key_.get(), nullptr) != 1)
        return Error::crypto("could not set up " + std::string(signatureAlgorithm) + " verification");
    if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size()) != 1)
        return Error::crypto(std::string(signatureAlgorithm) + " signature does not verify");
    return {};
}

std::string PublicKey::fingerprintSha256() const { return "SHA256:" + base64Encode(sha256(blob_), false); }

std::string PublicKey::randomArt() const {
    // The "drunken bishop" walk of OpenSSH's sshkey_fingerprint_randomart over the SHA-256
    // digest: a 17×9 board, the bishop starts in the middle and moves diagonally two bits at
    // a time; each square shows how often it was visited, 'S' the start and 'E' the end.
    constexpr int kWidth = 17, kHeight = 9;
    constexpr std::string_view kSymbols = " .o+=*BOX@%&#/^SE";
    constexpr int kStart = static_cast<int>(kSymbols.size()) - 2;
    constexpr int kEnd = static_cast<int>(kSymbols.size()) - 1;
    std::array<std::array<int, kHeight>, kWidth> board{};
    int x = kWidth / 2, y = kHeight / 2;
    for (std::uint8_t byte : sha256(blob_)) {
        for (int step = 0; step < 4; ++step) {
            x = std::clamp(x + ((byte & 1) ? 1 : -1), 0, kWidth - 1);
            y = std::clamp(y + ((byte & 2) ? 1 : -1), 0, kHeight - 1);
            if (board[x][y] < kStart - 1) // visits saturate below the 'S'/'E' symbols
                ++board[x][y];
            byte >>= 2;
        }
    }
    board[kWidth / 2][kHeight / 2] = kStart;
    board[x][y] = kEnd;

    auto border = [&](const std::string& label) {
        std::string line = "+";
        int before = (kWidth - static_cast<int>(label.size())) / 2;
        line.append(static_cast<std::size_t>(std::max(before, 0)), '-');
        line += label;
        line.append(static_cast<std::size_t>(std::max(kWidth - before - static_cast<int>(label.size()), 0)), '-');
        return line + "+";
    };
    std::string typeName = keyType_ == kEd25519 ? "ED25519" : keyType_ == kRsa ? "RSA" : "ECDSA";
    std::string art = border("[" + typeName + " " + std::to_string(bits()) + "]") + "\n";
    for (int row = 0; row < kHeight; ++row) {
        art += '|';
        for (int column = 0; column < kWidth; ++column)
            art += kSymbols[static_cast<std::size_t>(board[column][row])];
        art += "|\n";
    }
    return art + border("[SHA256]");
}

std::string PublicKey::openSshLine() const { return keyType_ + " " + base64Encode(blob_); }

} // namespace portal::protocol::keys
