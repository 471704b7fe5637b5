// libFuzzer target: SSH public key blobs and signature blobs. The input is read as
// string key-blob, string signature-algorithm, string signed-data, then the signature blob;
// the whole input is also tried as an authorized_keys-style line and as base64.
#include "keys/PublicKey.h"
#include "wire/Reader.h"

#include <cstddef>
#include <cstdint>

using namespace portal::protocol;
using namespace portal::protocol::keys;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteView input(data, size);
    wire::Reader reader(input);
    ByteView blob = reader.string();
    std::string_view algorithm = reader.text();
    ByteView signedData = reader.string();
    ByteView signature = reader.rest();

    auto key = PublicKey::fromBlob(blob);
    if (key.ok()) {
        (void)key->bits();
        (void)key->fingerprintSha256();
        (void)key->randomArt();
        auto again = PublicKey::fromOpenSshLine(key->openSshLine());
        if (!again.ok() || !(*again == *key))
            __builtin_trap(); // what we print must read back as the same key
        (void)key->verify(algorithm, signedData, signature);
    }
    (void)PublicKey::fromOpenSshLine(asText(input));
    auto decoded = base64Decode(asText(input));
    if (decoded.ok()) {
        auto reencoded = base64Decode(base64Encode(*decoded));
        if (!reencoded.ok() || *reencoded != *decoded)
            __builtin_trap();
    }
    return 0;
}
