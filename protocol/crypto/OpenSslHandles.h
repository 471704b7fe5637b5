// Owning handles for OpenSSL objects (unique_ptr with the matching free function), so every
// early return releases what was allocated. Internal to the crypto layer.
#pragma once

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <memory>

namespace portal::protocol::crypto {

template <auto FreeFunction>
struct OpenSslDeleter {
    template <typename T>
    void operator()(T* object) const { FreeFunction(object); }
};

template <typename T, auto FreeFunction>
using OpenSslHandle = std::unique_ptr<T, OpenSslDeleter<FreeFunction>>;

using EvpMdHandle = OpenSslHandle<EVP_MD, EVP_MD_free>;
using EvpMdCtxHandle = OpenSslHandle<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpCipherHandle = OpenSslHandle<EVP_CIPHER, EVP_CIPHER_free>;
using EvpCipherCtxHandle = OpenSslHandle<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using EvpMacHandle = OpenSslHandle<EVP_MAC, EVP_MAC_free>;
using EvpMacCtxHandle = OpenSslHandle<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using EvpPkeyHandle = OpenSslHandle<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtxHandle = OpenSslHandle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using BignumHandle = OpenSslHandle<BIGNUM, BN_free>;
using SecretBignumHandle = OpenSslHandle<BIGNUM, BN_clear_free>;
using BnCtxHandle = OpenSslHandle<BN_CTX, BN_CTX_free>;

} // namespace portal::protocol::crypto
