// Binary packet protection (RFC 4253 §6): none, AES-CTR with HMAC in both orders (RFC 4344,
// RFC 6668, OpenSSH PROTOCOL §1.5 for -etm), AES-GCM (RFC 5647 §7 as amended by OpenSSH
// PROTOCOL §1.6) and chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305).
#include "crypto/PacketProtection.h"

#include "crypto/Algorithms.h"
#include "crypto/CipherPrimitives.h"

#include <openssl/crypto.h>

#include <array>
#include <optional>
#include <string>

namespace portal::protocol::crypto {

namespace {

constexpr std::size_t kLengthBytes = 4;

std::uint32_t readUint32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | std::uint32_t(p[3]);
}

void writeUint32(std::uint8_t* p, std::uint32_t value) {
    p[0] = std::uint8_t(value >> 24);
    p[1] = std::uint8_t(value >> 16);
    p[2] = std::uint8_t(value >> 8);
    p[3] = std::uint8_t(value);
}

void writeUint64(std::uint8_t* p, std::uint64_t value) {
    for (int i = 7; i >= 0; --i, value >>= 8)
        p[i] = std::uint8_t(value);
}

Error authenticationFailed() {
    return Error::crypto("Message authentication failed: the packet was corrupted or tampered with.");
}

// RFC 4253 §6: the padded part is a whole number of cipher blocks. When packet_length travels
// apart from the encrypted blocks (ETM, GCM, chacha20-poly1305) it is not part of them.
Status checkAlignment(std::size_t packetLength, std::size_t blockSize, bool lengthExcluded) {
    std::size_t aligned = lengthExcluded ? packetLength : kLengthBytes + packetLength;
    if (aligned % blockSize != 0)
        return Error::protocol("Packet length " + std::to_string(packetLength) +
                               " is not a whole number of " + std::to_string(blockSize) + "-byte blocks.");
    return {};
}

// The plaintext handed to seal(): its packet_length must describe it.
Status checkPlaintext(ByteView packet, std::size_t blockSize, bool lengthExcluded) {
    if (packet.size() < kLengthBytes + 1 || readUint32(packet.data()) != packet.size() - kLengthBytes)
        return Error::protocol("Internal error: packet_length does not match the packet to encrypt.");
    return checkAlignment(packet.size() - kLengthBytes, blockSize, lengthExcluded);
}

// The received wire bytes handed to open(): exactly length field, packet and tag.
Status checkWireLength(std::span<const std::uint8_t> wire, std::uint32_t packetLength, std::size_t tagLength,
                       std::size_t blockSize, bool lengthExcluded) {
    if (wire.size() != kLengthBytes + std::size_t(packetLength) + tagLength)
        return Error::protocol("Packet length " + std::to_string(packetLength) + " does not match the " +
                               std::to_string(wire.size()) + " bytes received for it.");
    return checkAlignment(packetLength, blockSize, lengthExcluded);
}

Result<std::uint32_t> clearLength(ByteView prefix) {
    if (prefix.size() < kLengthBytes)
        return Error::protocol("Too few bytes to read a packet length.");
    return readUint32(prefix.data());
}

// Before the first NEWKEYS (RFC 4253 §6): no encryption, no MAC, 8-byte alignment.
class NoProtection final : public PacketProtection {
public:
    std::size_t blockSize() const override { return 8; }
    std::size_t tagLength() const override { return 0; }
    bool lengthExcludedFromPadding() const override { return false; }
    std::size_t lengthPrefixSize() const override { return kLengthBytes; }

    Status seal(std::uint32_t, ByteView packet, Bytes& out) override {
        if (Status valid = checkPlaintext(packet, blockSize(), false); !valid)
            return valid;
        append(out, packet);
        return {};
    }
    Result<std::uint32_t> peekLength(std::uint32_t, ByteView prefix) override { return clearLength(prefix); }
    Status open(std::uint32_t, std::span<std::uint8_t> wire) override {
        if (wire.size() < kLengthBytes)
            return Error::protocol("Too few bytes for a packet.");
        return checkWireLength(wire, readUint32(wire.data()), 0, blockSize(), false);
    }
};

// AES-CTR (RFC 4344 §4) with HMAC. The counter runs on across packets, so one context serves
// the whole key lifetime. Encrypt-and-MAC (RFC 4253 §6.4) MACs the plaintext and encrypts the
// length with the rest; encrypt-then-MAC (OpenSSH PROTOCOL §1.5) sends the length in the
// clear and MACs the ciphertext, so nothing is decrypted before it is authenticated.
class CtrHmacProtection final : public PacketProtection {
public:
    static constexpr std::size_t kBlock = 16;

    CtrHmacProtection(StreamCipher cipher, MacContext mac, bool encryptThenMac)
        : cipher_(std::move(cipher)), mac_(std::move(mac)), encryptThenMac_(encryptThenMac) {}

    std::size_t blockSize() const override { return kBlock; }
    std::size_t tagLength() const override { return mac_.tagLength(); }
    bool lengthExcludedFromPadding() const override { return encryptThenMac_; }
    std::size_t lengthPrefixSize() const override { return encryptThenMac_ ? kLengthBytes : kBlock; }

    Status seal(std::uint32_t sequenceNumber, ByteView packet, Bytes& out) override {
        if (Status valid = checkPlaintext(packet, kBlock, encryptThenMac_); !valid)
            return valid;
        const std::size_t start = out.size();
        append(out, packet);
        std::span<std::uint8_t> sealed(out.data() + start, packet.size());
        Status status;
        if (encryptThenMac_) {
            std::span<std::uint8_t> body = sealed.subspan(kLengthBytes);
            status = cipher_.apply(body, body.data());
            if (status)
                status = computeMac(sequenceNumber, sealed);
        } else {
            status = computeMac(sequenceNumber, sealed);
            if (status)
                status = cipher_.apply(sealed, sealed.data());
        }
        if (!status) {
            out.resize(start);
            return status;
        }
        out.insert(out.end(), tag_.begin(), tag_.begin() + tagLength());
        return {};
    }

    Result<std::uint32_t> peekLength(std::uint32_t sequenceNumber, ByteView prefix) override {
        if (encryptThenMac_)
            return clearLength(prefix);
        // The length is inside the first encrypted block. Decrypting it advances the counter,
        // so the block is kept for open() and a repeated peek answers from it.
        if (peekedSequence_ != sequenceNumber) {
            if (prefix.size() < kBlock)
                return Error::protocol("Too few bytes to decrypt a packet length.");
            if (Status status = cipher_.apply(prefix.first(kBlock), firstBlock_.data()); !status)
                return status.error();
            peekedSequence_ = sequenceNumber;
        }
        return readUint32(firstBlock_.data());
    }

    Status open(std::uint32_t sequenceNumber, std::span<std::uint8_t> wire) override {
        return encryptThenMac_ ? openEncryptThenMac(sequenceNumber, wire) : openEncryptAndMac(sequenceNumber, wire);
    }

private:
    Status openEncryptThenMac(std::uint32_t sequenceNumber, std::span<std::uint8_t> wire) {
        if (wire.size() < kLengthBytes)
            return Error::protocol("Too few bytes for a packet.");
        const std::uint32_t packetLength = readUint32(wire.data());
        if (Status valid = checkWireLength(wire, packetLength, tagLength(), kBlock, true); !valid)
            return valid;
        std::span<std::uint8_t> sealed = wire.first(kLengthBytes + packetLength);
        if (Status status = verifyMac(sequenceNumber, sealed, wire.subspan(sealed.size())); !status)
            return status;
        std::span<std::uint8_t> body = sealed.subspan(kLengthBytes);
        return cipher_.apply(body, body.data());
    }

    Status openEncryptAndMac(std::uint32_t sequenceNumber, std::span<std::uint8_t> wire) {
        if (peekedSequence_ != sequenceNumber) {
            Result<std::uint32_t> peeked = peekLength(sequenceNumber, wire);
            if (!peeked)
                return peeked.error();
        }
        peekedSequence_.reset();
        const std::uint32_t packetLength = readUint32(firstBlock_.data());
        if (Status valid = checkWireLength(wire, packetLength, tagLength(), kBlock, false); !valid)
            return valid;
        std::span<std::uint8_t> packet = wire.first(kLengthBytes + packetLength);
        std::copy(firstBlock_.begin(), firstBlock_.end(), packet.begin());
        std::span<std::uint8_t> rest = packet.subspan(kBlock);
        if (Status status = cipher_.apply(rest, rest.data()); !status)
            return status;
        return verifyMac(sequenceNumber, packet, wire.subspan(packet.size()));
    }

    // RFC 4253 §6.4: mac = MAC(key, uint32 sequence_number || data); the tag lands in tag_.
    Status computeMac(std::uint32_t sequenceNumber, ByteView data) {
        std::uint8_t sequence[4];
        writeUint32(sequence, sequenceNumber);
        Status status = mac_.begin();
        if (status)
            status = mac_.update(sequence);
        if (status)
            status = mac_.update(data);
        if (status)
            status = mac_.finish(std::span(tag_).first(tagLength()));
        return status;
    }

    Status verifyMac(std::uint32_t sequenceNumber, ByteView data, ByteView received) {
        if (Status status = computeMac(sequenceNumber, data); !status)
            return status;
        if (received.size() != tagLength() || CRYPTO_memcmp(tag_.data(), received.data(), tagLength()) != 0)
            return authenticationFailed();
        return {};
    }

    StreamCipher cipher_;
    MacContext mac_;
    bool encryptThenMac_;
    std::array<std::uint8_t, 64> tag_{};           // the largest tag, HMAC-SHA-512
    std::array<std::uint8_t, kBlock> firstBlock_{}; // decrypted by peekLength (encrypt-and-MAC)
    std::optional<std::uint32_t> peekedSequence_;   // whose first block firstBlock_ holds
};

// aes128-gcm@openssh.com / aes256-gcm@openssh.com: RFC 5647 §7 with OpenSSH's changes, the
// 4-byte packet_length in the clear as additional authenticated data and the MAC name
// ignored. The nonce is the 4-byte fixed field and an 8-byte invocation counter that starts
// at the derived IV and goes up by one per packet (RFC 5647 §7.1).
class AesGcmProtection final : public PacketProtection {
public:
    AesGcmProtection(AesGcm gcm, ByteView initialIv) : gcm_(std::move(gcm)) {
        std::copy(initialIv.begin(), initialIv.end(), nonce_.begin());
    }

    std::size_t blockSize() const override { return 16; }
    std::size_t tagLength() const override { return AesGcm::kTagLength; }
    bool lengthExcludedFromPadding() const override { return true; }
    std::size_t lengthPrefixSize() const override { return kLengthBytes; }

    Status seal(std::uint32_t, ByteView packet, Bytes& out) override {
        if (Status valid = checkPlaintext(packet, blockSize(), true); !valid)
            return valid;
        const std::size_t start = out.size();
        append(out, packet);
        out.resize(out.size() + AesGcm::kTagLength);
        std::uint8_t* sealed = out.data() + start;
        Status status = gcm_.seal(nonce_, ByteView(sealed, kLengthBytes),
                                  std::span(sealed + kLengthBytes, packet.size() - kLengthBytes),
                                  std::span(sealed + packet.size(), AesGcm::kTagLength));
        advanceNonce();
        if (!status)
            out.resize(start);
        return status;
    }

    Result<std::uint32_t> peekLength(std::uint32_t, ByteView prefix) override { return clearLength(prefix); }

    Status open(std::uint32_t, std::span<std::uint8_t> wire) override {
        if (wire.size() < kLengthBytes)
            return Error::protocol("Too few bytes for a packet.");
        const std::uint32_t packetLength = readUint32(wire.data());
        if (Status valid = checkWireLength(wire, packetLength, tagLength(), blockSize(), true); !valid)
            return valid;
        Status status = gcm_.open(nonce_, wire.first(kLengthBytes), wire.subspan(kLengthBytes, packetLength),
                                  wire.subspan(kLengthBytes + packetLength));
        advanceNonce();
        return status;
    }

private:
    // The invocation counter is the nonce's last 8 bytes, big-endian, wrapping modulo 2^64.
    void advanceNonce() {
        for (std::size_t i = nonce_.size(); i-- > 4;)
            if (++nonce_[i] != 0)
                break;
    }

    AesGcm gcm_;
    std::array<std::uint8_t, AesGcm::kNonceLength> nonce_{};
};

// chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305): the 64-byte key is K_2
// (first half: payload and Poly1305 key) and K_1 (second half: packet_length only). Both
// ChaCha20 instances take the sequence number as their 64-bit nonce and count 64-byte blocks
// from 0; the Poly1305 key is the first 32 bytes of K_2's block 0 and the payload is
// encrypted from block 1. The tag covers the encrypted length and the ciphertext.
//
// OpenSSL's "ChaCha20" takes a 16-byte IV that fills state words 12..15 little-endian
// (RFC 8439 §2.3 layout); the original ChaCha20 with a 64-bit counter and 64-bit nonce, which
// OpenSSH uses, is the same state with IV = 8-byte little-endian block counter || nonce, the
// nonce being the sequence number as a big-endian uint64 (OpenSSH's POKE_U64).
class ChaChaPolyProtection final : public PacketProtection {
public:
    ChaChaPolyProtection(StreamCipher payload, StreamCipher header, MacContext poly)
        : payload_(std::move(payload)), header_(std::move(header)), poly_(std::move(poly)) {}

    std::size_t blockSize() const override { return 8; }
    std::size_t tagLength() const override { return kTag; }
    bool lengthExcludedFromPadding() const override { return true; }
    std::size_t lengthPrefixSize() const override { return kLengthBytes; }

    Status seal(std::uint32_t sequenceNumber, ByteView packet, Bytes& out) override {
        if (Status valid = checkPlaintext(packet, blockSize(), true); !valid)
            return valid;
        const std::size_t start = out.size();
        append(out, packet);
        out.resize(out.size() + kTag);
        std::span<std::uint8_t> sealed(out.data() + start, packet.size());
        Status status = header_.restart(nonceAtBlockZero(sequenceNumber));
        if (status)
            status = header_.apply(sealed.first(kLengthBytes), sealed.data());
        if (status)
            status = startPayload(sequenceNumber);
        if (status)
            status = payload_.apply(sealed.subspan(kLengthBytes), sealed.data() + kLengthBytes);
        if (status)
            status = authenticate(sealed);
        if (!status) {
            out.resize(start);
            return status;
        }
        std::copy(tag_.begin(), tag_.end(), out.begin() + static_cast<std::ptrdiff_t>(start + packet.size()));
        return {};
    }

    Result<std::uint32_t> peekLength(std::uint32_t sequenceNumber, ByteView prefix) override {
        if (prefix.size() < kLengthBytes)
            return Error::protocol("Too few bytes to decrypt a packet length.");
        std::uint8_t length[kLengthBytes];
        Status status = header_.restart(nonceAtBlockZero(sequenceNumber));
        if (status)
            status = header_.apply(prefix.first(kLengthBytes), length);
        if (!status)
            return status.error();
        return readUint32(length);
    }

    Status open(std::uint32_t sequenceNumber, std::span<std::uint8_t> wire) override {
        if (wire.size() < kLengthBytes + kTag)
            return Error::protocol("Too few bytes for a packet.");
        std::span<std::uint8_t> sealed = wire.first(wire.size() - kTag);
        Status status = startPayload(sequenceNumber);
        if (status)
            status = authenticate(sealed);
        if (!status)
            return status;
        if (CRYPTO_memcmp(tag_.data(), wire.data() + sealed.size(), kTag) != 0)
            return authenticationFailed();
        Result<std::uint32_t> packetLength = peekLength(sequenceNumber, sealed);
        if (!packetLength)
            return packetLength.error();
        if (Status valid = checkWireLength(wire, *packetLength, kTag, blockSize(), true); !valid)
            return valid;
        writeUint32(sealed.data(), *packetLength);
        return payload_.apply(sealed.subspan(kLengthBytes), sealed.data() + kLengthBytes);
    }

private:
    static constexpr std::size_t kTag = 16;

    static std::array<std::uint8_t, 16> nonceAtBlockZero(std::uint32_t sequenceNumber) {
        std::array<std::uint8_t, 16> iv{};
        writeUint64(iv.data() + 8, sequenceNumber);
        return iv;
    }

    // Restarts K_2 at block 0 and takes the Poly1305 key from it; consuming the whole block
    // leaves the keystream at block 1, where the payload starts, without a second restart.
    Status startPayload(std::uint32_t sequenceNumber) {
        Status status = payload_.restart(nonceAtBlockZero(sequenceNumber));
        if (status)
            status = payload_.apply(kZeroBlock, blockZero_.data());
        return status;
    }

    Status authenticate(ByteView sealed) {
        Status status = poly_.begin(blockZero_.view().first(32));
        if (status)
            status = poly_.update(sealed);
        if (status)
            status = poly_.finish(tag_);
        return status;
    }

    static constexpr std::array<std::uint8_t, 64> kZeroBlock{};

    StreamCipher payload_; // K_2
    StreamCipher header_;  // K_1
    MacContext poly_;
    SecretBytes blockZero_{64}; // K_2's block 0 keystream: the Poly1305 one-time key
    std::array<std::uint8_t, kTag> tag_{};
};

enum class CipherKind { ChaChaPoly, AesGcm, AesCtr };

struct CipherImplementation {
    std::string_view name;
    CipherKind kind;
    const char* openSslName;
};

constexpr CipherImplementation kCipherImplementations[] = {
    {"chacha20-poly1305@openssh.com", CipherKind::ChaChaPoly, "ChaCha20"},
    {"aes128-gcm@openssh.com", CipherKind::AesGcm, "AES-128-GCM"},
    {"aes256-gcm@openssh.com", CipherKind::AesGcm, "AES-256-GCM"},
    {"aes128-ctr", CipherKind::AesCtr, "AES-128-CTR"},
    {"aes192-ctr", CipherKind::AesCtr, "AES-192-CTR"},
    {"aes256-ctr", CipherKind::AesCtr, "AES-256-CTR"},
};

std::optional<HashAlgorithm> hmacDigest(std::string_view macName) {
    if (macName == "hmac-sha2-256" || macName == "hmac-sha2-256-etm@openssh.com")
        return HashAlgorithm::Sha256;
    if (macName == "hmac-sha2-512" || macName == "hmac-sha2-512-etm@openssh.com")
        return HashAlgorithm::Sha512;
    if (macName == "hmac-sha1" || macName == "hmac-sha1-etm@openssh.com")
        return HashAlgorithm::Sha1;
    return std::nullopt;
}

Error wrongKeySize(std::string_view what, std::string_view algorithm, std::size_t got, std::size_t want) {
    return Error::crypto("Internal error: " + std::string(what) + " for " + std::string(algorithm) + " is " +
                         std::to_string(got) + " bytes instead of " + std::to_string(want) + ".");
}

} // namespace

std::unique_ptr<PacketProtection> makeNoProtection() { return std::make_unique<NoProtection>(); }

Result<std::unique_ptr<PacketProtection>> makePacketProtection(std::string_view cipherName,
                                                              std::string_view macName, Direction,
                                                              const DirectionKeys& keys) {
    const CipherInfo* cipher = findCipher(cipherName);
    const CipherImplementation* implementation = nullptr;
    for (const CipherImplementation& candidate : kCipherImplementations)
        if (candidate.name == cipherName)
            implementation = &candidate;
    if (!cipher || !implementation)
        return Error::crypto("Unsupported cipher " + std::string(cipherName) + ".");
    if (keys.encryptionKey.size() != cipher->keyLength)
        return wrongKeySize("the encryption key", cipherName, keys.encryptionKey.size(), cipher->keyLength);
    if (keys.iv.size() != cipher->ivLength)
        return wrongKeySize("the IV", cipherName, keys.iv.size(), cipher->ivLength);

    switch (implementation->kind) {
    case CipherKind::ChaChaPoly: {
        // K_2 is the first half of the key, K_1 the second; each gets its IV per packet.
        ByteView key = keys.encryptionKey.view();
        const std::array<std::uint8_t, 16> unusedIv{};
        Result<StreamCipher> payload = StreamCipher::create(implementation->openSslName, key.first(32), unusedIv);
        Result<StreamCipher> header = StreamCipher::create(implementation->openSslName, key.subspan(32), unusedIv);
        Result<MacContext> poly = MacContext::poly1305();
        if (!payload)
            return payload.error();
        if (!header)
            return header.error();
        if (!poly)
            return poly.error();
        return std::unique_ptr<PacketProtection>(
            new ChaChaPolyProtection(std::move(*payload), std::move(*header), std::move(*poly)));
    }
    case CipherKind::AesGcm: {
        Result<AesGcm> gcm = AesGcm::create(keys.encryptionKey.view());
        if (!gcm)
            return gcm.error();
        return std::unique_ptr<PacketProtection>(new AesGcmProtection(std::move(*gcm), keys.iv.view()));
    }
    case CipherKind::AesCtr: break;
    }

    const MacInfo* mac = findMac(macName);
    std::optional<HashAlgorithm> digest = hmacDigest(macName);
    if (!mac || !digest)
        return Error::crypto("Unsupported MAC " + std::string(macName) + ".");
    if (keys.integrityKey.size() != mac->keyLength)
        return wrongKeySize("the integrity key", macName, keys.integrityKey.size(), mac->keyLength);
    Result<StreamCipher> ctr = StreamCipher::create(implementation->openSslName, keys.encryptionKey.view(),
                                                    keys.iv.view());
    Result<MacContext> hmac = MacContext::hmac(*digest, keys.integrityKey.view());
    if (!ctr)
        return ctr.error();
    if (!hmac)
        return hmac.error();
    return std::unique_ptr<PacketProtection>(
        new CtrHmacProtection(std::move(*ctr), std::move(*hmac), mac->encryptThenMac));
}

} // namespace portal::protocol::crypto
