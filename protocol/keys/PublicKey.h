// SSH public keys: the wire blob (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4), signature
// verification for host keys and fingerprints as OpenSSH prints them.
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"

#include <memory>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace portal::protocol::keys {

class PublicKey {
public:
    // Parses "ssh-ed25519", "ecdsa-sha2-nistp256/384/521" and "ssh-rsa" blobs; rejects
    // trailing bytes, points off the curve and RSA moduli under 1024 bits.
    static Result<PublicKey> fromBlob(ByteView blob);
    // Parses an authorized_keys / .pub line "type base64 [comment]".
    static Result<PublicKey> fromOpenSshLine(std::string_view line);

    // Key type as in the blob: "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ...
    const std::string& keyType() const { return keyType_; }
    const Bytes& blob() const { return blob_; }
    int bits() const;

    // Verifies an SSH signature blob (string algorithm, string signature — RFC 4253 §6.6,
    // RFC 5656 §3.1.2, RFC 8332 §3, RFC 8709 §6) over `data`. The blob's algorithm must equal
    // `signatureAlgorithm`, which must suit this key (rsa-sha2-256/512 or ssh-rsa for RSA).
    Status verify(std::string_view signatureAlgorithm, ByteView data, ByteView signatureBlob) const;

    // "SHA256:" + unpadded base64 of SHA-256(blob), as ssh-keygen -l prints.
    std::string fingerprintSha256() const;
    // The OpenSSH "visual host key" randomart for the SHA256 fingerprint, lines joined by '\n'.
    std::string randomArt() const;
    // "type base64" (no comment).
    std::string openSshLine() const;

    bool operator==(const PublicKey& other) const { return blob_ == other.blob_; }

    EVP_PKEY* evpKey() const { return key_.get(); }

private:
    std::string keyType_;
    Bytes blob_;
    std::shared_ptr<EVP_PKEY> key_;
};

// Unpadded standard base64, as OpenSSH uses in fingerprints; and the padded form.
std::string base64Encode(ByteView data, bool pad = true);
Result<Bytes> base64Decode(std::string_view text);

} // namespace portal::protocol::keys
