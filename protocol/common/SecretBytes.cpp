#include "common/SecretBytes.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace portal::protocol {

SecretBytes::SecretBytes(std::size_t size) : data_(size ? new std::uint8_t[size]() : nullptr), size_(size) {}

SecretBytes::SecretBytes(ByteView bytes) : SecretBytes(bytes.size()) {
    if (!bytes.empty())
        std::memcpy(data_, bytes.data(), bytes.size());
}

SecretBytes::SecretBytes(const SecretBytes& other) : SecretBytes(other.view()) {}

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
    if (this != &other) {
        SecretBytes copy(other);
        *this = std::move(copy);
    }
    return *this;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : data_(other.data_), size_(other.size_) {
    other.data_ = nullptr;
    other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
        release();
        data_ = other.data_;
        size_ = other.size_;
        other.data_ = nullptr;
        other.size_ = 0;
    }
    return *this;
}

SecretBytes::~SecretBytes() { release(); }

void SecretBytes::release() {
    if (data_) {
        OPENSSL_cleanse(data_, size_);
        delete[] data_;
    }
    data_ = nullptr;
    size_ = 0;
}

void SecretBytes::resize(std::size_t newSize) {
    if (newSize == size_)
        return;
    SecretBytes grown(newSize);
    if (size_ && newSize)
        std::memcpy(grown.data_, data_, std::min(size_, newSize));
    *this = std::move(grown);
}

void SecretBytes::append(ByteView more) {
    std::size_t old = size_;
    resize(size_ + more.size());
    if (!more.empty())
        std::memcpy(data_ + old, more.data(), more.size());
}

void SecretBytes::clear() { release(); }

bool SecretBytes::equals(ByteView other) const {
    return other.size() == size_ && (size_ == 0 || CRYPTO_memcmp(data_, other.data(), size_) == 0);
}

} // namespace portal::protocol
