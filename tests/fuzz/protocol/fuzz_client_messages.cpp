// Fuzzes what a server controls in the client: the byte stream after the version line
// (unencrypted packet framing, KEXINIT parsing and negotiation, the KEX state machine) and
// plaintext messages fed straight to the userauth and connection layers (including channels the
// server opens for forwards, X11 and the agent, and tcpip-forward replies). Nothing may crash,
// hang or grow without bound; every bad input must end in an error value.
//
// Input: the first byte picks the target; for the layer targets the rest is a sequence of
// messages, each a one-byte length followed by that many bytes.
#include "auth/UserAuthClient.h"
#include "client/SshClient.h"
#include "connection/ConnectionClient.h"
#include "transport/MessageNumbers.h"
#include "wire/Writer.h"

#include <cstddef>
#include <cstdint>

using namespace portal::protocol;

namespace {

std::vector<ByteView> splitMessages(ByteView data) {
    std::vector<ByteView> messages;
    while (!data.empty()) {
        std::size_t length = data[0];
        data = data.subspan(1);
        length = std::min(length, data.size());
        if (length > 0)
            messages.push_back(data.first(length));
        data = data.subspan(length);
    }
    return messages;
}

void fuzzTransportStream(ByteView data) {
    client::ClientConfig config;
    config.host = "fuzz.example";
    config.user = "fuzz";
    config.hostKeyPolicy = client::HostKeyPolicy::Strict;
    // Every KEX message shape (ECDH, fixed group, group exchange) but not the 4096/8192-bit
    // groups, whose key generation would make each run take tens of milliseconds.
    config.kexAlgorithms = {"curve25519-sha256", "ecdh-sha2-nistp256", "diffie-hellman-group14-sha256",
                            "diffie-hellman-group-exchange-sha256"};
    client::SshClient ssh(config);
    client::TimePoint now{};
    ssh.start(now);
    ssh.receiveBytes(asBytes("SSH-2.0-FuzzServer\r\n"), now);
    // Two splits, so the framing is exercised across read boundaries.
    std::size_t half = data.size() / 2;
    ssh.receiveBytes(data.first(half), now);
    ssh.receiveBytes(data.subspan(half), now);
    ssh.tick(now + std::chrono::hours(2));
    while (ssh.pollEvent()) {
    }
    (void)ssh.takeOutgoingBytes();
}

void fuzzUserauth(ByteView data) {
    client::EventQueue events;
    client::RequestId ids = 0;
    std::vector<std::string> serverSigAlgs = {"rsa-sha2-256"};
    auth::UserAuthSettings settings;
    settings.user = "fuzz";
    settings.host = "fuzz.example";
    settings.pubkeyAcceptedAlgorithms = {"ssh-ed25519", "rsa-sha2-512", "rsa-sha2-256"};
    std::size_t sent = 0;
    auth::UserAuthClient userauth(settings, events, ids, serverSigAlgs,
                                  [&](Bytes, bool) { ++sent; return Status{}; });
    Bytes sessionId(32, 0x42);
    if (!userauth.start(sessionId))
        return;
    for (ByteView message : splitMessages(data)) {
        if (!userauth.handle(message))
            return;
        // Answer prompts as a user would, so the later states are reached too.
        while (!events.empty()) {
            client::Event event = std::move(events.front());
            events.pop_front();
            if (auto* prompt = std::get_if<client::PromptEvent>(&event)) {
                std::vector<SecretBytes> answers(prompt->fields.size(), SecretBytes::fromText("pw"));
                if (!userauth.answerPrompt(prompt->id, std::move(answers)))
                    return;
            }
        }
    }
}

void fuzzConnection(ByteView data) {
    client::EventQueue events;
    client::RequestId ids = 0;
    connection::ConnectionClient channels({64 * 1024, 32768}, events, ids, [](Bytes) { return Status{}; });
    auto first = channels.openSession();
    auto second = channels.openSession();
    if (!first || !second)
        return;
    // Channel 2, confirmed here as the server's 7, asks for agent and X11 forwarding, and two
    // remote forwards are requested, so server opens in the input can pass the policy: the
    // forwards once the input grants them (the first is for port 0, so its reply carries a port),
    // X11 once the input answers channel 2's x11-req with CHANNEL_SUCCESS.
    auto third = channels.openSession();
    if (!third)
        return;
    wire::Writer confirm(transport::msg::ChannelOpenConfirmation);
    confirm.uint32(*third).uint32(7).uint32(64 * 1024).uint32(32768);
    if (!channels.handle(confirm.bytes()) || !channels.requestAgentForwarding(*third) ||
        !channels.requestX11Forwarding(*third, false, "MIT-MAGIC-COOKIE-1", "00112233", 0) ||
        !channels.requestTcpipForward("localhost", 0) || !channels.requestTcpipForward("", 8080))
        return;
    events.clear();
    int opens = 0;
    for (ByteView message : splitMessages(data)) {
        if (!channels.handle(message))
            return;
        Bytes payload(300, 0x61);
        (void)channels.sendData(*first, payload, message.size() % 2 == 1);
        while (!events.empty()) {
            client::Event event = std::move(events.front());
            events.pop_front();
            if (auto* d = std::get_if<client::ChannelDataEvent>(&event)) {
                (void)channels.consumed(d->id, d->data.size());
            } else if (auto* open = std::get_if<client::ChannelOpenRequestEvent>(&event)) {
                // Accept two of every three, so accepted channels see data, EOF and CLOSE.
                if (++opens % 3 == 0) {
                    (void)channels.rejectChannelOpen(open->id, 2, "connect failed");
                } else if (auto accepted = channels.acceptChannelOpen(open->id)) {
                    (void)channels.sendData(*accepted, payload, false);
                }
            } else if (auto* forward = std::get_if<client::TcpipForwardResultEvent>(&event)) {
                if (forward->success && forward->boundPort % 2 == 1)
                    (void)channels.cancelTcpipForward(forward->bindAddress, forward->boundPort);
            }
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    if (size == 0)
        return 0;
    ByteView data(bytes + 1, size - 1);
    switch (bytes[0] % 3) {
    case 0: fuzzTransportStream(data); break;
    case 1: fuzzUserauth(data); break;
    case 2: fuzzConnection(data); break;
    }
    return 0;
}
