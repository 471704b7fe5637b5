// libFuzzer target: private key files (openssh-key-v1, PEM, PKCS#8) through
// PrivateKey::inspect and ::load, without and with a fixed passphrase; a key that loads must
// sign, and its public key must verify the signature.
#include "keys/PrivateKey.h"

#include <cstddef>
#include <cstdint>

using namespace portal::protocol;
using namespace portal::protocol::keys;

namespace {

// Decryption is tried only where it stays cheap for every input: openssh-key-v1 files asking
// for at most this many bcrypt rounds (the seeds use 1) and traditional PEM (one MD5 round).
// PKCS#8 files name their own PBKDF2/scrypt cost, so they are only parsed, never decrypted.
constexpr unsigned kFuzzBcryptRounds = 2;

void exerciseKey(const PrivateKey& key) {
    const Bytes data = toBytes("fuzz");
    for (const std::string& algorithm : key.signatureAlgorithms()) {
        auto signature = key.sign(algorithm, data);
        if (!signature.ok() || !key.publicKey().verify(algorithm, data, *signature).ok())
            __builtin_trap(); // a key we accepted must make signatures its public key verifies
    }
    (void)key.publicKey().fingerprintSha256();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteView input(data, size);
    auto info = PrivateKey::inspect(input);
    auto plain = PrivateKey::load(input, nullptr);
    if (plain.key)
        exerciseKey(*plain.key);
    if (!info.ok() || !info->encrypted)
        return 0;
    bool cheap = (info->format == KeyFileFormat::OpenSsh && info->kdfRounds <= kFuzzBcryptRounds) ||
                 info->format == KeyFileFormat::Pem;
    if (!cheap)
        return 0;
    SecretBytes passphrase = SecretBytes::fromText("fuzz passphrase");
    auto decrypted = PrivateKey::load(input, &passphrase);
    if (decrypted.key)
        exerciseKey(*decrypted.key);
    return 0;
}
