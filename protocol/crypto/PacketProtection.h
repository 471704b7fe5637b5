// One direction's protection of binary packets (RFC 4253 §6): encryption and integrity,
// whether a cipher plus MAC (encrypt-and-MAC, or encrypt-then-MAC for the *-etm@openssh.com
// MACs), an AEAD cipher whose length is authenticated in the clear (aes*-gcm@openssh.com,
// RFC 5647 as amended by OpenSSH's PROTOCOL), or chacha20-poly1305@openssh.com whose length
// is encrypted with its own key (OpenSSH PROTOCOL.chacha20poly1305).
//
// The transport frames packets; this class only transforms bytes. A packet here is the whole
// plaintext `uint32 packet_length || byte padding_length || payload || padding`.
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"
#include "common/SecretBytes.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace portal::protocol::crypto {

enum class Direction { Encrypt, Decrypt };

// Keys for one direction, derived by the transport (RFC 4253 §7.2: IV, encryption key,
// integrity key); sizes as the algorithm tables state.
struct DirectionKeys {
    SecretBytes iv;
    SecretBytes encryptionKey;
    SecretBytes integrityKey;
};

class PacketProtection {
public:
    virtual ~PacketProtection() = default;

    // The padded part must be a multiple of this (at least 8, RFC 4253 §6).
    virtual std::size_t blockSize() const = 0;
    // Bytes of MAC or tag after the packet.
    virtual std::size_t tagLength() const = 0;
    // True when packet_length is sent in the clear or encrypted separately (ETM, GCM,
    // chacha20-poly1305), in which case the 4 length bytes are excluded from the block
    // alignment of the padding.
    virtual bool lengthExcludedFromPadding() const = 0;

    // Appends ciphertext || tag of `packet` (its packet_length already filled in) to `out`.
    // A packet whose packet_length is wrong or whose padded part is not block-aligned is refused
    // and `out` is left as it was.
    virtual Status seal(std::uint32_t sequenceNumber, ByteView packet, Bytes& out) = 0;

    // How many leading wire bytes are needed to learn packet_length.
    virtual std::size_t lengthPrefixSize() const = 0;
    // Returns packet_length from the first lengthPrefixSize() wire bytes without
    // authenticating them. The caller validates the value before waiting for the rest.
    // May keep decryption state for open() (the first block of a CTR packet); asking again
    // for the same sequence number returns the same value without advancing any state.
    virtual Result<std::uint32_t> peekLength(std::uint32_t sequenceNumber, ByteView prefix) = 0;
    // Authenticates and decrypts one whole packet in place: `wire` is exactly
    // 4 + packet_length + tagLength() bytes as received. On success wire[0 .. 4+packet_length)
    // holds the plaintext packet. A MAC or tag mismatch is an error (compared in constant time),
    // and so is a packet_length that disagrees with wire.size() or is not block-aligned. A
    // preceding peekLength() is optional. After any error the direction's state is undefined
    // and the connection must end (RFC 4253 §6.4 gives no way to resynchronise).
    virtual Status open(std::uint32_t sequenceNumber, std::span<std::uint8_t> wire) = 0;
};

// The identity protection in force before the first NEWKEYS.
std::unique_ptr<PacketProtection> makeNoProtection();

// Builds protection for a negotiated cipher and MAC (the MAC name is ignored for AEAD
// ciphers, as RFC 5647 §5.1 and OpenSSH do). Unknown names are an error, and so are keys whose
// sizes differ from the algorithm tables' (the key for an AEAD cipher's MAC is not used).
Result<std::unique_ptr<PacketProtection>> makePacketProtection(std::string_view cipherName,
                                                              std::string_view macName,
                                                              Direction direction,
                                                              const DirectionKeys& keys);

} // namespace portal::protocol::crypto
