// libFuzzer target: known_hosts files through KnownHostsFile::parse and lookups of a few
// host names, including the first word of the input, against a fixed key.
#include "keys/KnownHosts.h"

#include <cstddef>
#include <cstdint>

using namespace portal::protocol;
using namespace portal::protocol::keys;

namespace {

const PublicKey& fixedKey() {
    static const PublicKey key =
        PublicKey::fromOpenSshLine("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHd1wM1vHnT/0r6tyJ8DFsoMZP4ML5KBU4rG8b0aXqRk").value();
    return key;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = asText(ByteView(data, size));
    KnownHostsFile file = KnownHostsFile::parse(text, "fuzz");
    std::string_view firstWord = text.substr(0, text.find_first_of(" \t\n,"));
    for (auto [host, port] : {std::pair<std::string_view, int>{"example.com", 22}, {"::1", 2222}, {firstWord, 22}, {firstWord, 830}}) {
        HostKeyLookup result = file.lookup(host, port, fixedKey());
        if (result.match != HostKeyMatch::Unknown && result.line <= 0)
            __builtin_trap(); // every verdict but Unknown names its line
        (void)file.keyTypesFor(host, port);
    }
    return 0;
}
