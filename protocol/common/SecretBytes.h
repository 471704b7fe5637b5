// A byte buffer for secrets (session keys, passwords, private keys, passphrases) that is
// wiped with OPENSSL_cleanse whenever its storage is released, and is never printed.
#pragma once

#include "common/Bytes.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace portal::protocol {

class SecretBytes {
public:
    SecretBytes() = default;
    explicit SecretBytes(std::size_t size);
    explicit SecretBytes(ByteView bytes);
    static SecretBytes fromText(std::string_view text) { return SecretBytes(asBytes(text)); }

    SecretBytes(const SecretBytes& other);
    SecretBytes& operator=(const SecretBytes& other);
    SecretBytes(SecretBytes&& other) noexcept;
    SecretBytes& operator=(SecretBytes&& other) noexcept;
    ~SecretBytes();

    std::uint8_t* data() { return data_; }
    const std::uint8_t* data() const { return data_; }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    ByteView view() const { return {data_, size_}; }
    std::span<std::uint8_t> span() { return {data_, size_}; }
    std::string_view text() const { return asText(view()); }

    // Grows (or shrinks) to newSize; the old storage is wiped before it is freed.
    void resize(std::size_t newSize);
    void append(ByteView more);
    void clear();

    // Constant-time comparison of contents (lengths are not secret).
    bool equals(ByteView other) const;

private:
    void release();

    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace portal::protocol
