// RFC 4253 §6 binary packet framing over crypto::PacketProtection.
#include "transport/BinaryPacket.h"

#include "crypto/Random.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <string>

namespace portal::protocol::transport {

namespace {

void putUint32(std::uint8_t* out, std::uint32_t value) {
    out[0] = std::uint8_t(value >> 24);
    out[1] = std::uint8_t(value >> 16);
    out[2] = std::uint8_t(value >> 8);
    out[3] = std::uint8_t(value);
}

} // namespace

PacketWriter::PacketWriter() : protection_(crypto::makeNoProtection()) {}

void PacketWriter::wipeScratch() { OPENSSL_cleanse(plain_.data(), plain_.size()); }

void PacketWriter::setProtection(std::unique_ptr<crypto::PacketProtection> protection) {
    protection_ = std::move(protection);
}

Status PacketWriter::write(ByteView payload, Bytes& out) {
    if (payload.size() > kMaxPayloadLength)
        return Error::protocol("outgoing payload of " + std::to_string(payload.size()) +
                               " bytes exceeds the maximum");
    // RFC 4253 §6: padding of 4..255 bytes makes the padded part a multiple of the block
    // size (at least 8); with the length outside the encrypted blocks (ETM, AEAD) the
    // length field does not count.
    std::size_t block = std::max<std::size_t>(8, protection_->blockSize());
    std::size_t counted = 1 + payload.size() + (protection_->lengthExcludedFromPadding() ? 0 : 4);
    std::size_t padding = block - counted % block;
    if (padding < 4)
        padding += block;
    std::size_t packetLength = 1 + payload.size() + padding;

    plain_.resize(4 + packetLength);
    putUint32(plain_.data(), std::uint32_t(packetLength));
    plain_[4] = std::uint8_t(padding);
    std::copy(payload.begin(), payload.end(), plain_.begin() + 5);
    if (!fillPadding(std::span(plain_).subspan(5 + payload.size(), padding)))
        return Error::crypto("the random number generator failed");

    std::size_t before = out.size();
    Status sealed = protection_->seal(sequenceNumber_, plain_, out);
    if (!sealed)
        return sealed;
    // RFC 4253 §6.4: the sequence number wraps around after 2^32 packets.
    ++sequenceNumber_;
    bytesSinceRekey_ += out.size() - before;
    return {};
}

bool PacketWriter::fillPadding(std::span<std::uint8_t> out) {
    if (paddingPool_.size() - paddingUsed_ < out.size()) {
        if (!crypto::randomFill(paddingPool_))
            return false;
        paddingUsed_ = 0;
    }
    std::copy_n(paddingPool_.begin() + static_cast<std::ptrdiff_t>(paddingUsed_), out.size(), out.begin());
    paddingUsed_ += out.size();
    return true;
}

Status PacketWriter::writePrepared(ByteView packet, Bytes& out) {
    std::size_t before = out.size();
    if (Status sealed = protection_->seal(sequenceNumber_, packet, out); !sealed)
        return sealed;
    ++sequenceNumber_;
    bytesSinceRekey_ += out.size() - before;
    return {};
}

PacketReader::PacketReader() : protection_(crypto::makeNoProtection()) {}

void PacketReader::setProtection(std::unique_ptr<crypto::PacketProtection> protection) {
    protection_ = std::move(protection);
    pendingLength_.reset();
}

Status PacketReader::append(ByteView bytes) {
    if (offset_ > 0 && offset_ >= buffer_.size() / 2) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(offset_));
        offset_ = 0;
    }
    if (bufferedBytes() + bytes.size() > kMaxBufferedInput)
        return Error::protocol("server sent more than " + std::to_string(kMaxBufferedInput) +
                               " bytes that could not be processed yet");
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    return {};
}

Result<std::optional<PacketReader::Packet>> PacketReader::next() {
    std::size_t available = bufferedBytes();
    if (!pendingLength_) {
        std::size_t prefix = protection_->lengthPrefixSize();
        if (available < prefix)
            return std::optional<Packet>{};
        auto length = protection_->peekLength(sequenceNumber_, ByteView(buffer_).subspan(offset_, prefix));
        if (!length)
            return length.error();
        std::uint32_t packetLength = *length;
        if (packetLength > kMaxPacketLength)
            return Error::protocol("packet length " + std::to_string(packetLength) +
                                   " exceeds maximum " + std::to_string(kMaxPacketLength));
        std::size_t block = std::max<std::size_t>(8, protection_->blockSize());
        std::size_t aligned = packetLength + (protection_->lengthExcludedFromPadding() ? 0 : 4);
        if (packetLength < 5 || aligned % block != 0)
            return Error::protocol("packet length " + std::to_string(packetLength) +
                                   " is not a positive multiple of the cipher block size " +
                                   std::to_string(block));
        pendingLength_ = packetLength;
    }
    std::size_t wireLength = 4 + std::size_t(*pendingLength_) + protection_->tagLength();
    if (available < wireLength)
        return std::optional<Packet>{};

    std::span<std::uint8_t> wire(buffer_.data() + offset_, wireLength);
    if (Status opened = protection_->open(sequenceNumber_, wire); !opened)
        return opened.error();
    std::uint32_t packetLength = *pendingLength_;
    pendingLength_.reset();
    offset_ += wireLength;
    bytesSinceRekey_ += wireLength;

    std::uint8_t padding = wire[4];
    if (padding < 4)
        return Error::protocol("padding length " + std::to_string(padding) +
                               " is below the minimum of 4 (RFC 4253 §6)");
    if (std::size_t(padding) + 1 >= packetLength)
        return Error::protocol("padding length " + std::to_string(padding) +
                               " leaves no payload in a packet of length " +
                               std::to_string(packetLength));
    Packet packet;
    packet.sequenceNumber = sequenceNumber_++;
    auto payloadBegin = wire.begin() + 5;
    packet.payload.assign(payloadBegin, payloadBegin + (packetLength - padding - 1));
    return std::optional<Packet>(std::move(packet));
}

} // namespace portal::protocol::transport
