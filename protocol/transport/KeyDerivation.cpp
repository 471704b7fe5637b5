// RFC 4253 §7.2 key derivation.
#include "transport/KeyDerivation.h"

#include "crypto/Algorithms.h"
#include "wire/Writer.h"

#include <openssl/crypto.h>

namespace portal::protocol::transport {

SecretBytes encodeSharedSecret(const SecretBytes& sharedSecret) {
    wire::Writer w;
    w.mpint(sharedSecret.view());
    SecretBytes encoded(ByteView(w.bytes()));
    OPENSSL_cleanse(w.buffer().data(), w.buffer().size());
    return encoded;
}

SecretBytes deriveKey(crypto::HashAlgorithm hash, const SecretBytes& sharedSecret,
                      ByteView exchangeHash, ByteView sessionId, char letter, std::size_t length) {
    SecretBytes out;
    if (length == 0)
        return out;
    SecretBytes k = encodeSharedSecret(sharedSecret);
    crypto::Hasher prefix(hash);
    prefix.update(k.view()).update(exchangeHash);

    crypto::Hasher first = prefix.clone();
    std::uint8_t letterByte = std::uint8_t(letter);
    first.update(ByteView(&letterByte, 1)).update(sessionId);
    Bytes block = first.finish();
    // An empty digest means OpenSSL failed; an empty key is then refused by
    // makePacketProtection's size check instead of looping here for ever.
    if (block.empty())
        return {};
    out.append(block);
    OPENSSL_cleanse(block.data(), block.size());
    // K(n+1) = HASH(K || H || K1 || ... || Kn)
    while (out.size() < length) {
        crypto::Hasher more = prefix.clone();
        more.update(out.view());
        Bytes next = more.finish();
        if (next.empty())
            return {};
        out.append(next);
        OPENSSL_cleanse(next.data(), next.size());
    }
    out.resize(length);
    return out;
}

Result<SessionKeys> deriveSessionKeys(crypto::HashAlgorithm hash, const SecretBytes& sharedSecret,
                                      ByteView exchangeHash, ByteView sessionId,
                                      const std::string& cipherClientToServer,
                                      const std::string& macClientToServer,
                                      const std::string& cipherServerToClient,
                                      const std::string& macServerToClient) {
    const crypto::CipherInfo* cipherCs = crypto::findCipher(cipherClientToServer);
    const crypto::CipherInfo* cipherSc = crypto::findCipher(cipherServerToClient);
    if (!cipherCs || !cipherSc)
        return Error::protocol("unknown cipher negotiated");
    std::size_t macKeyCs = 0, macKeySc = 0;
    if (!cipherCs->aead) {
        const crypto::MacInfo* mac = crypto::findMac(macClientToServer);
        if (!mac)
            return Error::protocol("unknown MAC \"" + macClientToServer + "\" negotiated");
        macKeyCs = mac->keyLength;
    }
    if (!cipherSc->aead) {
        const crypto::MacInfo* mac = crypto::findMac(macServerToClient);
        if (!mac)
            return Error::protocol("unknown MAC \"" + macServerToClient + "\" negotiated");
        macKeySc = mac->keyLength;
    }
    auto key = [&](char letter, std::size_t length) {
        return deriveKey(hash, sharedSecret, exchangeHash, sessionId, letter, length);
    };
    SessionKeys keys;
    keys.clientToServer.iv = key('A', cipherCs->ivLength);
    keys.serverToClient.iv = key('B', cipherSc->ivLength);
    keys.clientToServer.encryptionKey = key('C', cipherCs->keyLength);
    keys.serverToClient.encryptionKey = key('D', cipherSc->keyLength);
    keys.clientToServer.integrityKey = key('E', macKeyCs);
    keys.serverToClient.integrityKey = key('F', macKeySc);
    return keys;
}

} // namespace portal::protocol::transport
