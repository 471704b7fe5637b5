// libFuzzer target: arbitrary bytes as ssh-agent replies. The first input byte chooses which
// requests are pending (identities or signatures, up to four), the second how the rest is
// chunked; the rest goes through AgentClient::receiveBytes and, whole, through both decoders.
#include "agent/AgentClient.h"
#include "wire/Writer.h"

#include <cstddef>
#include <cstdint>

using namespace portal::protocol;
using namespace portal::protocol::agent;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2)
        return 0;
    const std::uint8_t requests = data[0];
    const std::size_t chunk = std::size_t(data[1] % 64) + 1;
    const ByteView replies(data + 2, size - 2);

    wire::Writer ed25519;
    ed25519.string("ssh-ed25519").string(Bytes(32, 0x42));
    wire::Writer rsa;
    rsa.string("ssh-rsa").string(Bytes{1, 0, 1}).string(Bytes(257, 0x81));

    AgentClient client;
    std::size_t answered = 0;
    const std::size_t count = std::size_t(requests & 3) + 1;
    for (std::size_t i = 0; i < count; ++i) {
        const bool identities = (requests >> (2 + i)) & 1;
        Status sent =
            identities ? client.requestIdentities([&](Result<std::vector<AgentIdentity>> r) {
                ++answered;
                if (r)
                    for (const AgentIdentity& id : *r)
                        if (id.keyBlob.empty() || id.keyBlob.size() > maxKeyBlobLength)
                            __builtin_trap();
            })
                       : client.requestSignature((requests & 0x80) ? rsa.bytes() : ed25519.bytes(),
                                                 asBytes("data"),
                                                 (requests & 0x80) ? "rsa-sha2-512" : "ssh-ed25519",
                                                 [&](Result<Bytes> r) {
                                                     ++answered;
                                                     if (r && r->empty())
                                                         __builtin_trap();
                                                 });
        if (!sent)
            __builtin_trap();
    }
    (void)client.takeOutgoingBytes();
    for (std::size_t offset = 0; offset < replies.size() && !client.closed(); offset += chunk)
        (void)client.receiveBytes(
            replies.subspan(offset, std::min(chunk, replies.size() - offset)));
    client.connectionLost(Error::network("end of input"));
    if (answered != count) // every request is answered exactly once, one way or the other
        __builtin_trap();

    (void)parseIdentitiesAnswer(replies);
    (void)parseSignResponse(replies, "ssh-ed25519");
    return 0;
}
