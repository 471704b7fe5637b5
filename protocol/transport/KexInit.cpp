// RFC 4253 §7.1 KEXINIT encoding, parsing and algorithm negotiation.
#include "transport/KexInit.h"

#include "crypto/Algorithms.h"
#include "transport/MessageNumbers.h"
#include "wire/Reader.h"
#include "wire/Writer.h"

#include <algorithm>

namespace portal::protocol::transport {

namespace {

bool contains(const std::vector<std::string>& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

bool isMarker(std::string_view name) {
    return name == kExtInfoClient || name == kExtInfoServer || name == kStrictKexClient ||
           name == kStrictKexServer;
}

Result<std::string> pick(const char* purpose, const std::vector<std::string>& client,
                         const std::vector<std::string>& server) {
    for (const std::string& name : client)
        if (!isMarker(name) && contains(server, name))
            return name;
    return Error::protocol(std::string("no matching ") + purpose + " found: client offers " +
                           joinNameList(client) + ", server offers " + joinNameList(server));
}

} // namespace

std::string joinNameList(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names) {
        if (!out.empty())
            out += ',';
        out += name;
    }
    return out;
}

Bytes KexInitMessage::encode() const {
    wire::Writer w(msg::KexInit);
    w.raw(cookie);
    w.nameList(kexAlgorithms).nameList(hostKeyAlgorithms);
    w.nameList(ciphersClientToServer).nameList(ciphersServerToClient);
    w.nameList(macsClientToServer).nameList(macsServerToClient);
    w.nameList(compressionClientToServer).nameList(compressionServerToClient);
    w.nameList(languagesClientToServer).nameList(languagesServerToClient);
    w.boolean(firstKexPacketFollows).uint32(0);
    return std::move(w).take();
}

Result<KexInitMessage> KexInitMessage::parse(ByteView payload) {
    wire::Reader r(payload);
    KexInitMessage m;
    if (r.byte() != msg::KexInit)
        return Error::protocol("not a KEXINIT message");
    ByteView cookie = r.raw(16);
    if (r.ok())
        std::copy(cookie.begin(), cookie.end(), m.cookie.begin());
    m.kexAlgorithms = r.nameList();
    m.hostKeyAlgorithms = r.nameList();
    m.ciphersClientToServer = r.nameList();
    m.ciphersServerToClient = r.nameList();
    m.macsClientToServer = r.nameList();
    m.macsServerToClient = r.nameList();
    m.compressionClientToServer = r.nameList();
    m.compressionServerToClient = r.nameList();
    m.languagesClientToServer = r.nameList();
    m.languagesServerToClient = r.nameList();
    m.firstKexPacketFollows = r.boolean();
    r.uint32(); // reserved
    // RFC 4253 §7.1 has no trailing data, but later extensions might; OpenSSH ignores it.
    if (!r.ok())
        return Error::protocol("malformed KEXINIT message");
    return m;
}

Result<NegotiatedAlgorithms> negotiateAlgorithms(const KexInitMessage& client,
                                                 const KexInitMessage& server, bool initialKex) {
    NegotiatedAlgorithms out;
    auto kex = pick("key exchange method", client.kexAlgorithms, server.kexAlgorithms);
    if (!kex)
        return kex.error();
    out.kex = *kex;

    // A host key algorithm is only usable if the KEX method needs no more than a signature,
    // which holds for every method we implement.
    auto hostKey = pick("host key type", client.hostKeyAlgorithms, server.hostKeyAlgorithms);
    if (!hostKey)
        return hostKey.error();
    out.hostKey = *hostKey;

    auto cipherCs = pick("cipher (client to server)", client.ciphersClientToServer, server.ciphersClientToServer);
    if (!cipherCs)
        return cipherCs.error();
    auto cipherSc = pick("cipher (server to client)", client.ciphersServerToClient, server.ciphersServerToClient);
    if (!cipherSc)
        return cipherSc.error();
    out.cipherClientToServer = *cipherCs;
    out.cipherServerToClient = *cipherSc;

    // RFC 5647 §5.1 as OpenSSH applies it: an AEAD cipher makes the MAC list irrelevant.
    auto macFor = [](const std::string& cipher, const char* purpose, const std::vector<std::string>& c,
                     const std::vector<std::string>& s) -> Result<std::string> {
        const crypto::CipherInfo* info = crypto::findCipher(cipher);
        if (info && info->aead)
            return std::string();
        return pick(purpose, c, s);
    };
    auto macCs = macFor(out.cipherClientToServer, "MAC (client to server)", client.macsClientToServer,
                        server.macsClientToServer);
    if (!macCs)
        return macCs.error();
    auto macSc = macFor(out.cipherServerToClient, "MAC (server to client)", client.macsServerToClient,
                        server.macsServerToClient);
    if (!macSc)
        return macSc.error();
    out.macClientToServer = *macCs;
    out.macServerToClient = *macSc;

    auto compCs = pick("compression (client to server)", client.compressionClientToServer,
                       server.compressionClientToServer);
    if (!compCs)
        return compCs.error();
    auto compSc = pick("compression (server to client)", client.compressionServerToClient,
                       server.compressionServerToClient);
    if (!compSc)
        return compSc.error();
    if (*compCs != "none" || *compSc != "none")
        return Error::protocol("negotiated compression \"" + *compCs + "\" is not supported");

    out.strictKex = initialKex && contains(client.kexAlgorithms, kStrictKexClient) &&
                    contains(server.kexAlgorithms, kStrictKexServer);
    out.serverWantsExtInfo = contains(client.kexAlgorithms, kExtInfoClient);

    // RFC 4253 §7: a guess is right only when both sides' first KEX and host key
    // algorithms agree.
    if (server.firstKexPacketFollows) {
        bool kexGuessRight = !client.kexAlgorithms.empty() && !server.kexAlgorithms.empty() &&
                             client.kexAlgorithms.front() == server.kexAlgorithms.front();
        bool hostKeyGuessRight = !client.hostKeyAlgorithms.empty() && !server.hostKeyAlgorithms.empty() &&
                                 client.hostKeyAlgorithms.front() == server.hostKeyAlgorithms.front();
        out.ignoreGuessedPacket = !(kexGuessRight && hostKeyGuessRight);
    }
    return out;
}

} // namespace portal::protocol::transport
