// The binary packet protocol of RFC 4253 §6: framing, random padding, sequence numbers
// (§6.4) and byte counts for rekeying, over a crypto::PacketProtection per direction. Role
// neutral, so the test server peer frames its packets with the same code.
#pragma once

#include "common/Bytes.h"
#include "common/Error.h"
#include "crypto/PacketProtection.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace portal::protocol::transport {

// RFC 4253 §6.1 requires accepting 35000-byte packets; we accept payloads up to 256 KiB, as
// OpenSSH does, with room for padding (at most 255) and the header.
inline constexpr std::size_t kMaxPayloadLength = 256 * 1024;
inline constexpr std::size_t kMaxPacketLength = kMaxPayloadLength + 1 + 255;

class PacketWriter {
public:
    PacketWriter();

    // Frames, pads and protects one payload, appending the wire bytes to `out`.
    Status write(ByteView payload, Bytes& out);

    // Protects a packet whose framing the caller built itself (packet_length, padding
    // length, payload, padding), unchecked: the test server peer sends malformed packets
    // under real keys with it.
    Status writePrepared(ByteView packet, Bytes& out);

    // Takes effect for the next packet (after our NEWKEYS, RFC 4253 §7.3).
    void setProtection(std::unique_ptr<crypto::PacketProtection> protection);
    // Strict KEX: the sequence number restarts at 0 after every NEWKEYS.
    void resetSequenceNumber() { sequenceNumber_ = 0; }
    std::uint32_t sequenceNumber() const { return sequenceNumber_; }
    std::uint64_t bytesSinceRekey() const { return bytesSinceRekey_; }
    void resetByteCount() { bytesSinceRekey_ = 0; }
    // Wipes the plaintext of the last packet (it held a secret).
    void wipeScratch();

private:
    // Random padding (RFC 4253 §6) from a pool the DRBG refills a few hundred packets' worth
    // at a time: a DRBG call per packet cost a bulk transfer 2% of its CPU.
    bool fillPadding(std::span<std::uint8_t> out);

    std::unique_ptr<crypto::PacketProtection> protection_;
    Bytes plain_; // reused per packet so a busy connection does not allocate
    std::array<std::uint8_t, 4096> paddingPool_{};
    std::size_t paddingUsed_ = sizeof(paddingPool_); // empty until the first packet
    std::uint32_t sequenceNumber_ = 0;
    std::uint64_t bytesSinceRekey_ = 0;
};

class PacketReader {
public:
    struct Packet {
        std::uint32_t sequenceNumber = 0;
        Bytes payload;
    };

    // Largest amount of unparsed input held. Input beyond a packet is held only while the
    // caller is suspended (waiting for a host-key decision), so this bounds that wait.
    static constexpr std::size_t kMaxBufferedInput = 4 * 1024 * 1024;

    PacketReader();

    Status append(ByteView bytes);
    // The next whole packet, nullopt when more input is needed, or an error that is final
    // (bad length, bad padding, MAC failure).
    Result<std::optional<Packet>> next();

    void setProtection(std::unique_ptr<crypto::PacketProtection> protection);
    void resetSequenceNumber() { sequenceNumber_ = 0; }
    std::uint32_t sequenceNumber() const { return sequenceNumber_; }
    std::uint64_t bytesSinceRekey() const { return bytesSinceRekey_; }
    void resetByteCount() { bytesSinceRekey_ = 0; }
    std::size_t bufferedBytes() const { return buffer_.size() - offset_; }

private:
    std::unique_ptr<crypto::PacketProtection> protection_;
    Bytes buffer_;
    std::size_t offset_ = 0;
    std::optional<std::uint32_t> pendingLength_; // length of a packet already peeked
    std::uint32_t sequenceNumber_ = 0;
    std::uint64_t bytesSinceRekey_ = 0;
};

} // namespace portal::protocol::transport
