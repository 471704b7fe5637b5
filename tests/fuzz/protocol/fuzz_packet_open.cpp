// libFuzzer target for the receiving side of packet protection (RFC 4253 §6): arbitrary bytes
// through peekLength() and open() of every cipher x MAC with fixed keys must never crash, and a
// packet sealed from fuzzer-chosen contents must open to exactly those contents.
//
// Input: byte 0 picks the protection (and bit 7 the mode), bytes 1-4 the sequence number, the
// rest is either wire bytes to open or the payload of a packet to seal and reopen.
#include "crypto/Algorithms.h"
#include "crypto/PacketProtection.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace portal::protocol;
using namespace portal::protocol::crypto;

namespace {

struct Combination {
    std::string cipher; // empty: no protection
    std::string mac;
};

const std::vector<Combination>& combinations() {
    static const std::vector<Combination> all = [] {
        std::vector<Combination> list{{"", ""}};
        for (const CipherInfo& cipher : cipherTable()) {
            if (cipher.aead) {
                list.push_back({std::string(cipher.name), ""});
                continue;
            }
            for (const MacInfo& mac : macTable())
                list.push_back({std::string(cipher.name), std::string(mac.name)});
        }
        return list;
    }();
    return all;
}

SecretBytes fixedBytes(std::size_t size, std::uint8_t seed) {
    SecretBytes bytes(size);
    for (std::size_t i = 0; i < size; ++i)
        bytes.data()[i] = static_cast<std::uint8_t>(seed + 31 * i);
    return bytes;
}

// A fresh protection per input, so that every run is reproducible from its input alone.
std::unique_ptr<PacketProtection> makeProtection(const Combination& combination, Direction direction) {
    if (combination.cipher.empty())
        return makeNoProtection();
    const CipherInfo* cipher = findCipher(combination.cipher);
    const MacInfo* mac = findMac(combination.mac);
    DirectionKeys keys;
    keys.encryptionKey = fixedBytes(cipher->keyLength, 1);
    keys.iv = fixedBytes(cipher->ivLength, 2);
    keys.integrityKey = fixedBytes(mac ? mac->keyLength : 0, 3);
    auto made = makePacketProtection(combination.cipher, combination.mac, direction, keys);
    if (!made)
        __builtin_trap(); // the tables promise every combination
    return std::move(*made);
}

void openArbitraryBytes(PacketProtection& receiver, std::uint32_t sequence, const std::uint8_t* data,
                        std::size_t size) {
    std::vector<std::uint8_t> wire(data, data + size);
    if (wire.size() >= receiver.lengthPrefixSize()) {
        Result<std::uint32_t> length = receiver.peekLength(sequence, ByteView(wire).first(receiver.lengthPrefixSize()));
        // Like the transport: open only what the length says, if that much arrived.
        if (length && std::uint64_t(*length) + 4 + receiver.tagLength() <= wire.size())
            wire.resize(4 + std::size_t(*length) + receiver.tagLength());
    }
    (void)receiver.open(sequence, wire);
}

void sealAndReopen(const Combination& combination, std::uint32_t sequence, const std::uint8_t* data,
                   std::size_t size) {
    auto sender = makeProtection(combination, Direction::Encrypt);
    auto receiver = makeProtection(combination, Direction::Decrypt);
    const std::size_t block = sender->blockSize();
    const std::size_t counted = (sender->lengthExcludedFromPadding() ? 1 : 5) + size;
    std::size_t padding = block - counted % block;
    if (padding < 4)
        padding += block;
    std::vector<std::uint8_t> packet(4 + 1 + size + padding, 0x5a);
    const std::uint32_t packetLength = static_cast<std::uint32_t>(packet.size() - 4);
    for (int i = 0; i < 4; ++i)
        packet[i] = static_cast<std::uint8_t>(packetLength >> (24 - 8 * i));
    packet[4] = static_cast<std::uint8_t>(padding);
    if (size)
        std::memcpy(packet.data() + 5, data, size);

    Bytes wire;
    if (!sender->seal(sequence, packet, wire))
        __builtin_trap();
    Result<std::uint32_t> length = receiver->peekLength(sequence, ByteView(wire).first(receiver->lengthPrefixSize()));
    if (!length || *length != packetLength || !receiver->open(sequence, wire) ||
        std::memcmp(wire.data(), packet.data(), packet.size()) != 0)
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 5)
        return 0;
    const Combination& combination = combinations()[(data[0] & 0x7f) % combinations().size()];
    const std::uint32_t sequence = std::uint32_t(data[1]) << 24 | std::uint32_t(data[2]) << 16 |
                                   std::uint32_t(data[3]) << 8 | data[4];
    data += 5;
    size -= 5;
    if (data[-5] & 0x80) {
        sealAndReopen(combination, sequence, data, size);
    } else {
        auto receiver = makeProtection(combination, Direction::Decrypt);
        openArbitraryBytes(*receiver, sequence, data, size);
    }
    return 0;
}
