// The scripted SSH server peer: RFC 4253 server side of version exchange and key exchange,
// RFC 4252/4256 server side of userauth, RFC 4254 session channels, for in-memory tests.
#include "ScriptedServer.h"

#include "crypto/Algorithms.h"
#include "crypto/KeyAgreement.h"
#include "crypto/Random.h"
#include "transport/KeyDerivation.h"
#include "transport/MessageNumbers.h"
#include "wire/Reader.h"
#include "wire/Writer.h"

#include <algorithm>

namespace portal::testing {

using namespace protocol;
namespace msg = transport::msg;

namespace {

// RFC 3526 §3: the 2048-bit MODP group, offered in KEX_DH_GEX_GROUP (RFC 4419 §3).
const char* kGroup14Prime =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF";

std::vector<std::string> orSupported(const std::vector<std::string>& list, crypto::AlgorithmFamily family) {
    return list.empty() ? crypto::supportedAlgorithms(family) : list;
}

} // namespace

ScriptedServer::ScriptedServer(ScriptedServerOptions options, keys::PrivateKey hostKey)
    : options_(std::move(options)), hostKey_(std::move(hostKey)) {}

ScriptedServer::~ScriptedServer() = default;

void ScriptedServer::fail(std::string message) {
    if (!failure_)
        failure_ = Error::protocol(std::move(message));
    state_ = State::Failed;
}

void ScriptedServer::start() {
    for (const std::string& line : options_.preBannerLines)
        append(outgoing_, asBytes(line + "\r\n"));
    append(outgoing_, asBytes(options_.version + "\r\n"));
    transcript_.serverVersion = options_.version;
    if (options_.ignoreBeforeKexInit) {
        wire::Writer ignore(msg::Ignore);
        ignore.string("");
        sendPayload(ignore.bytes());
    }
    sendKexInit();
}

void ScriptedServer::sendKexInit() {
    ourKexInit_ = transport::KexInitMessage{};
    (void)crypto::randomFill(ourKexInit_.cookie);
    ourKexInit_.kexAlgorithms = orSupported(options_.kexAlgorithms, crypto::AlgorithmFamily::Kex);
    if (!initialDone_) {
        if (options_.offerStrictKex)
            ourKexInit_.kexAlgorithms.push_back(transport::kStrictKexServer);
        ourKexInit_.kexAlgorithms.push_back(transport::kExtInfoServer);
    }
    ourKexInit_.hostKeyAlgorithms = options_.hostKeyAlgorithms;
    if (ourKexInit_.hostKeyAlgorithms.empty()) {
        ourKexInit_.hostKeyAlgorithms = hostKey_.signatureAlgorithms();
        for (const keys::PrivateKey& key : options_.additionalHostKeys)
            for (const std::string& algorithm : key.signatureAlgorithms())
                ourKexInit_.hostKeyAlgorithms.push_back(algorithm);
    }
    ourKexInit_.ciphersClientToServer = ourKexInit_.ciphersServerToClient =
        orSupported(options_.ciphers, crypto::AlgorithmFamily::Cipher);
    ourKexInit_.macsClientToServer = ourKexInit_.macsServerToClient =
        orSupported(options_.macs, crypto::AlgorithmFamily::Mac);
    ourKexInit_.compressionClientToServer = ourKexInit_.compressionServerToClient = {"none"};
    transcript_.serverKexInit = ourKexInit_.encode();
    kexInitSent_ = true;
    rekeying_ = initialDone_;
    if (Status s = writer_.write(transcript_.serverKexInit, outgoing_); !s)
        fail(s.error().message);
}

const keys::PrivateKey& ScriptedServer::hostKeyFor(const std::string& algorithm) const {
    for (const keys::PrivateKey& key : options_.additionalHostKeys) {
        auto algorithms = key.signatureAlgorithms();
        if (std::find(algorithms.begin(), algorithms.end(), algorithm) != algorithms.end())
            return key;
    }
    return hostKey_;
}

void ScriptedServer::startRekey() {
    if (state_ == State::Established && !kexInitSent_) {
        sendKexInit();
    }
}

void ScriptedServer::send(ByteView payload) {
    if (state_ == State::Failed)
        return;
    if (rekeying_) { // RFC 4253 §7.1: no service messages between KEXINIT and NEWKEYS
        heldPayloads_.emplace_back(payload.begin(), payload.end());
        return;
    }
    if (Status s = writer_.write(payload, outgoing_); !s)
        fail(s.error().message);
}

void ScriptedServer::sendPayload(ByteView payload) {
    if (Status s = writer_.write(payload, outgoing_); !s)
        fail(s.error().message);
}

void ScriptedServer::sendPreparedPacket(ByteView packet) {
    if (Status s = writer_.writePrepared(packet, outgoing_); !s)
        fail(s.error().message);
}

void ScriptedServer::sendRaw(ByteView bytes) { append(outgoing_, bytes); }

void ScriptedServer::sendTampered(ByteView payload, const std::function<void(Bytes&)>& tamper) {
    Bytes wire;
    if (Status s = writer_.write(payload, wire); !s)
        return fail(s.error().message);
    tamper(wire);
    append(outgoing_, wire);
}

Bytes ScriptedServer::takeOutgoing() {
    Bytes out;
    out.swap(outgoing_);
    return out;
}

void ScriptedServer::receive(ByteView bytes) {
    if (state_ == State::Failed)
        return;
    if (state_ == State::AwaitingVersion) {
        append(input_, bytes);
        auto newline = std::find(input_.begin(), input_.end(), std::uint8_t('\n'));
        if (newline == input_.end())
            return;
        std::string line(input_.begin(), newline);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.rfind("SSH-2.0-", 0) != 0)
            return fail("client sent no SSH-2.0 identification");
        transcript_.clientVersion = line;
        Bytes rest(newline + 1, input_.end());
        input_.clear();
        state_ = State::KeyExchange;
        bytes = {};
        if (Status s = reader_.append(rest); !s)
            return fail(s.error().message);
    }
    if (Status s = reader_.append(bytes); !s)
        return fail(s.error().message);
    while (state_ != State::Failed) {
        auto next = reader_.next();
        if (!next)
            return fail(next.error().message);
        if (!next->has_value())
            break;
        handlePacket(std::move((*next)->payload));
    }
}

void ScriptedServer::handlePacket(Bytes payload) {
    std::uint8_t number = payload[0];
    if (number == msg::KexInit)
        return handleKexInit(payload);
    if (number == msg::NewKeys)
        return handleNewKeys();
    if (transport::isKexMessage(number))
        return handleKexMessage(payload);
    if (number == msg::Disconnect) {
        wire::Reader r(payload);
        r.byte();
        r.uint32();
        return fail("client disconnected: " + std::string(r.text()));
    }
    if (number == msg::Ignore || number == msg::Debug || number == msg::Unimplemented)
        return;
    if (!initialDone_)
        return fail(std::string("client sent ") + transport::messageName(number) + " before NEWKEYS");
    if (number == msg::ServiceRequest)
        return handleService(payload);
    if (transport::isUserauthMessage(number))
        return handleUserauth(payload);
    if (transport::isConnectionMessage(number)) {
        if (!authenticated_)
            return fail("client sent a connection message before authentication");
        return handleConnection(payload);
    }
    fail("client sent unexpected message " + std::to_string(number));
}

void ScriptedServer::handleKexInit(ByteView payload) {
    auto client = transport::KexInitMessage::parse(payload);
    if (!client)
        return fail(client.error().message);
    transcript_.clientKexInit.assign(payload.begin(), payload.end());
    if (!kexInitSent_)
        sendKexInit();
    rekeying_ = initialDone_;
    auto negotiated = transport::negotiateAlgorithms(*client, ourKexInit_, !initialDone_);
    if (!negotiated)
        return fail(negotiated.error().message);
    negotiated_ = *negotiated;
    if (!initialDone_) {
        clientKexAlgorithms_ = client->kexAlgorithms;
        strict_ = options_.offerStrictKex &&
                  std::find(client->kexAlgorithms.begin(), client->kexAlgorithms.end(),
                            transport::kStrictKexClient) != client->kexAlgorithms.end();
        clientWantsExtInfo_ = negotiated_.serverWantsExtInfo;
    }
    state_ = State::KeyExchange;
}

void ScriptedServer::handleKexMessage(ByteView payload) {
    const crypto::KexInfo* kex = crypto::findKex(negotiated_.kex);
    if (!kex)
        return fail("no KEX negotiated");
    wire::Reader r(payload);
    std::uint8_t number = r.byte();
    if (kex->kind == crypto::KexKind::GroupExchange) {
        if (number == msg::KexDhGexRequest) {
            gexRequest_.minBits = r.uint32();
            gexRequest_.preferredBits = r.uint32();
            gexRequest_.maxBits = r.uint32();
            if (!r.atEnd())
                return fail("malformed GEX request");
            wire::Writer w(msg::KexDhGexGroup);
            w.mpint(fromHex(kGroup14Prime)).mpint(Bytes{2});
            sendPayload(w.bytes());
            return;
        }
        if (number == msg::KexDhGexInit) {
            ByteView e = r.mpint();
            if (!r.atEnd())
                return fail("malformed GEX init");
            return sendKexReply(e, true, msg::KexDhGexReply, &gexRequest_);
        }
        return fail("unexpected GEX message");
    }
    if (number != msg::KexdhInit)
        return fail("unexpected KEX message " + std::to_string(number));
    bool mpint = kex->kind == crypto::KexKind::Modp;
    ByteView value = mpint ? r.mpint() : r.string();
    if (!r.atEnd())
        return fail("malformed KEX init");
    sendKexReply(value, mpint, msg::KexdhReply, nullptr);
}

void ScriptedServer::sendKexReply(ByteView clientValue, bool mpint, std::uint8_t replyNumber,
                                  const transport::GexRequest* gex) {
    const crypto::KexInfo* kex = crypto::findKex(negotiated_.kex);
    Result<std::unique_ptr<crypto::KeyAgreement>> agreement =
        kex->kind == crypto::KexKind::Ecdh   ? crypto::makeEcdhAgreement(kex->curve)
        : kex->kind == crypto::KexKind::Modp ? crypto::makeModpAgreement(kex->modpGroup)
                                             : crypto::makeGexAgreement(fromHex(kGroup14Prime), Bytes{2}, 1024, 8192);
    if (!agreement)
        return fail(agreement.error().message);
    auto secret = (*agreement)->deriveSharedSecret(clientValue);
    if (!secret)
        return fail(secret.error().message);
    Bytes prime = fromHex(kGroup14Prime);
    Bytes generator{2};
    transport::ExchangeHashInput input;
    input.hostKeyBlob = hostKey_.publicKey().blob();
    input.gexRequest = gex;
    input.gexPrime = prime;
    input.gexGenerator = generator;
    input.clientValue = clientValue;
    input.serverValue = (*agreement)->publicValue();
    input.valuesAreMpints = mpint;
    const keys::PrivateKey& hostKey = hostKeyFor(negotiated_.hostKey);
    input.hostKeyBlob = hostKey.publicKey().blob();
    Bytes hash = transport::computeExchangeHash(kex->hash, transcript_, input, *secret);
    auto signature = hostKey.sign(negotiated_.hostKey, hash);
    if (!signature)
        return fail(signature.error().message);
    if (beforeKexReply) {
        auto hook = std::move(beforeKexReply);
        beforeKexReply = nullptr;
        hook(*this);
    }
    wire::Writer w(replyNumber);
    w.string(hostKey.publicKey().blob());
    if (mpint)
        w.mpint((*agreement)->publicValue());
    else
        w.string((*agreement)->publicValue());
    w.string(*signature);
    sendPayload(w.bytes());

    if (sessionId_.empty())
        sessionId_ = hash;
    auto keys = transport::deriveSessionKeys(kex->hash, *secret, hash, sessionId_,
                                             negotiated_.cipherClientToServer, negotiated_.macClientToServer,
                                             negotiated_.cipherServerToClient, negotiated_.macServerToClient);
    if (!keys)
        return fail(keys.error().message);
    auto sending = crypto::makePacketProtection(negotiated_.cipherServerToClient, negotiated_.macServerToClient,
                                                crypto::Direction::Encrypt, keys->serverToClient);
    auto receiving = crypto::makePacketProtection(negotiated_.cipherClientToServer, negotiated_.macClientToServer,
                                                  crypto::Direction::Decrypt, keys->clientToServer);
    if (!sending || !receiving)
        return fail("packet protection could not be built");
    sendPayload(Bytes{msg::NewKeys});
    writer_.setProtection(std::move(*sending));
    if (strict_)
        writer_.resetSequenceNumber();
    pendingReceive_ = std::move(*receiving);
    kexInitSent_ = false;
    rekeying_ = false;
    bool wasInitial = !initialDone_;
    initialDone_ = true;
    if (wasInitial && clientWantsExtInfo_ && options_.sendExtInfo) {
        // RFC 8308 §2.4: EXT_INFO as the first packet after NEWKEYS.
        wire::Writer ext(msg::ExtInfo);
        ext.uint32(1).string("server-sig-algs").string(transport::joinNameList(options_.serverSigAlgs));
        sendPayload(ext.bytes());
    }
    while (!heldPayloads_.empty()) {
        sendPayload(heldPayloads_.front());
        heldPayloads_.pop_front();
    }
}

void ScriptedServer::handleNewKeys() {
    if (!pendingReceive_)
        return fail("client sent NEWKEYS before the key exchange finished");
    reader_.setProtection(std::move(pendingReceive_));
    if (strict_)
        reader_.resetSequenceNumber();
    keyed_ = true;
    ++keyExchanges_;
    state_ = State::Established;
}

void ScriptedServer::handleService(ByteView payload) {
    wire::Reader r(payload);
    r.byte();
    std::string_view service = r.text();
    if (service != "ssh-userauth")
        return fail("client asked for service " + std::string(service));
    wire::Writer w(msg::ServiceAccept);
    w.string("ssh-userauth");
    send(w.bytes());
}

void ScriptedServer::handleUserauth(ByteView payload) {
    wire::Reader r(payload);
    std::uint8_t number = r.byte();
    auto sendFailure = [&](bool partial = false) {
        wire::Writer w(msg::UserauthFailure);
        w.nameList(options_.authMethods).boolean(partial);
        send(w.bytes());
    };
    auto sendSuccess = [&] {
        authenticated_ = true;
        send(Bytes{msg::UserauthSuccess});
    };
    if (authenticated_)
        return fail("client sent a userauth message after success");
    if (number == msg::UserauthInfoResponse) {
        std::uint32_t count = r.uint32();
        std::vector<std::string> answers;
        for (std::uint32_t i = 0; i < count && r.ok(); ++i)
            answers.emplace_back(r.text());
        if (!r.atEnd())
            return fail("malformed INFO_RESPONSE");
        if (options_.keyboardZeroPromptRoundFirst && keyboardRound_ == 1) {
            if (count != 0)
                return fail("zero-prompt round answered with responses");
            keyboardRound_ = 2;
            wire::Writer w(msg::UserauthMethodSpecific);
            w.string("").string("").string("").uint32(std::uint32_t(options_.keyboardPrompts.size()));
            for (const auto& [text, echo] : options_.keyboardPrompts)
                w.string(text).boolean(echo);
            return send(w.bytes());
        }
        if (answers == options_.keyboardAnswers)
            return sendSuccess();
        return sendFailure();
    }
    if (number != msg::UserauthRequest)
        return fail("unexpected userauth message " + std::to_string(number));
    std::string user(r.text());
    std::string service(r.text());
    std::string method(r.text());
    if (!options_.banner.empty() && method == "none") {
        wire::Writer w(msg::UserauthBanner);
        w.string(options_.banner).string("");
        send(w.bytes());
    }
    bool offered = std::find(options_.authMethods.begin(), options_.authMethods.end(), method) !=
                   options_.authMethods.end();
    if (user != options_.user || service != "ssh-connection" || !offered)
        return sendFailure();
    if (method == "password") {
        bool change = r.boolean();
        std::string password(r.text());
        if (change) {
            std::string newPassword(r.text());
            if (password == options_.password) {
                options_.password = newPassword;
                return sendSuccess();
            }
            return sendFailure();
        }
        if (password != options_.password)
            return sendFailure();
        if (options_.requirePasswordChange && !passwordChangeSent_) {
            passwordChangeSent_ = true;
            wire::Writer w(msg::UserauthMethodSpecific);
            w.string("Your password has expired.").string("");
            return send(w.bytes());
        }
        return sendSuccess();
    }
    if (method == "publickey") {
        bool hasSignature = r.boolean();
        std::string algorithm(r.text());
        ByteView blob = r.string();
        auto key = keys::PublicKey::fromBlob(blob);
        if (!key)
            return sendFailure();
        bool authorized = std::any_of(options_.authorizedKeys.begin(), options_.authorizedKeys.end(),
                                      [&](const keys::PublicKey& k) { return k == *key; });
        if (!authorized)
            return sendFailure();
        if (!hasSignature) {
            wire::Writer w(msg::UserauthMethodSpecific);
            w.string(algorithm).string(blob);
            return send(w.bytes());
        }
        ByteView signature = r.string();
        if (!r.atEnd())
            return fail("malformed publickey request");
        // RFC 4252 §7: the signed data is session id plus the request without the signature.
        wire::Writer signedData;
        signedData.string(sessionId_).raw(payload.subspan(0, payload.size() - signature.size() - 4));
        if (!key->verify(algorithm, signedData.bytes(), signature))
            return sendFailure();
        return sendSuccess();
    }
    if (method == "keyboard-interactive") {
        wire::Writer w(msg::UserauthMethodSpecific);
        if (options_.keyboardZeroPromptRoundFirst) {
            keyboardRound_ = 1;
            w.string("Notice").string("Your account expires soon.").string("").uint32(0);
            return send(w.bytes());
        }
        w.string("Test login").string("Answer the questions.").string("")
            .uint32(std::uint32_t(options_.keyboardPrompts.size()));
        for (const auto& [text, echo] : options_.keyboardPrompts)
            w.string(text).boolean(echo);
        return send(w.bytes());
    }
    if (method == "none")
        return sendFailure();
    sendFailure();
}

std::uint64_t ScriptedServer::unadjusted(std::uint32_t serverChannel) const {
    auto it = channels_.find(serverChannel);
    return it == channels_.end() ? 0 : options_.windowSize - it->second.ourWindow;
}

void ScriptedServer::flushWindowAdjust() {
    for (auto& [id, channel] : channels_) {
        std::uint32_t grow = options_.windowSize - channel.ourWindow;
        if (grow == 0 || channel.closeSent)
            continue;
        channel.ourWindow += grow;
        wire::Writer w(msg::ChannelWindowAdjust);
        w.uint32(channel.clientChannel).uint32(grow);
        send(w.bytes());
    }
}

void ScriptedServer::handleConnection(ByteView payload) {
    wire::Reader r(payload);
    std::uint8_t number = r.byte();
    if (number == msg::GlobalRequest) {
        std::string name(r.text());
        bool wantReply = r.boolean();
        globalRequests_.push_back(name);
        if (name == "tcpip-forward" || name == "cancel-tcpip-forward") {
            std::string address(r.text());
            std::uint32_t port = r.uint32();
            if (!r.atEnd())
                return fail("malformed " + name);
            bool ok = true;
            wire::Writer reply(msg::RequestSuccess);
            if (name == "cancel-tcpip-forward") {
                ok = forwards_.erase({address, port}) == 1;
            } else {
                // RFC 4254 §7.1: for port 0 the server picks one and says which.
                if (port == 0)
                    reply.uint32(port = nextAllocatedPort_++);
                forwards_.emplace(address, port);
            }
            if (wantReply)
                send(ok ? reply.bytes() : Bytes{msg::RequestFailure});
            return;
        }
        if (wantReply)
            send(Bytes{name == "keepalive@openssh.com" ? msg::RequestFailure : msg::RequestSuccess});
        return;
    }
    if (number == msg::ChannelOpen) {
        std::string type(r.text());
        ChannelRecord channel;
        channel.clientChannel = r.uint32();
        channel.clientWindow = r.uint32();
        channel.clientMaxPacket = r.uint32();
        channel.ourWindow = options_.windowSize;
        if (type == "direct-tcpip") {
            // The "connection" is an echo service on the named port, or refused.
            std::string host(r.text());
            std::uint32_t port = r.uint32();
            r.text();
            r.uint32();
            if (!r.atEnd())
                return fail("malformed direct-tcpip open");
            if (port != 7) {
                wire::Writer refuse(msg::ChannelOpenFailure);
                refuse.uint32(channel.clientChannel).uint32(2).string("connect failed: " + host).string("");
                return send(refuse.bytes());
            }
            channel.command = "echo";
        } else if (!r.atEnd() || type != "session") {
            return fail("unexpected CHANNEL_OPEN");
        }
        std::uint32_t id = nextChannel_++;
        wire::Writer w(msg::ChannelOpenConfirmation);
        w.uint32(channel.clientChannel).uint32(id).uint32(options_.windowSize).uint32(options_.maxPacket);
        channels_.emplace(id, std::move(channel));
        send(w.bytes());
        return;
    }
    std::uint32_t id = r.uint32();
    auto it = channels_.find(id);
    if (it == channels_.end())
        return fail("client used unknown channel " + std::to_string(id));
    ChannelRecord& channel = it->second;
    if (!channel.confirmed && number != msg::ChannelOpenConfirmation && number != msg::ChannelOpenFailure)
        return fail("client used channel " + std::to_string(id) + " before answering its open");
    switch (number) {
    case msg::ChannelOpenConfirmation:
    case msg::ChannelOpenFailure: {
        if (channel.confirmed || channel.openFailureReason)
            return fail("client answered the open of channel " + std::to_string(id) + " twice");
        if (number == msg::ChannelOpenFailure) {
            channel.openFailureReason = r.uint32();
            r.text();
            r.text();
            channel.finished = channel.closeSent = true;
        } else {
            channel.clientChannel = r.uint32();
            channel.clientWindow = r.uint32();
            channel.clientMaxPacket = r.uint32();
            channel.confirmed = true;
        }
        if (!r.atEnd())
            return fail("malformed answer to our CHANNEL_OPEN");
        return;
    }
    case msg::ChannelData: {
        ByteView data = r.string();
        if (!r.atEnd() || data.size() > channel.ourWindow || data.size() > options_.maxPacket)
            return fail("client sent data beyond window or packet size");
        if (channel.eofReceived)
            return fail("client sent data after EOF");
        channel.ourWindow -= std::uint32_t(data.size());
        append(channel.received, data);
        if (channel.command == "echo")
            append(channel.echoBacklog, data);
        if (!holdWindowAdjust && channel.ourWindow < options_.windowSize / 2)
            flushWindowAdjust();
        pumpChannels();
        return;
    }
    case msg::ChannelWindowAdjust:
        channel.clientWindow += r.uint32();
        pumpChannels();
        return;
    case msg::ChannelEof:
        channel.eofReceived = true;
        pumpChannels();
        return;
    case msg::ChannelClose:
        channel.closeReceived = true;
        if (!channel.closeSent) {
            channel.closeSent = true;
            wire::Writer w(msg::ChannelClose);
            w.uint32(channel.clientChannel);
            send(w.bytes());
        }
        return;
    case msg::ChannelRequest:
        return handleChannelRequest(channel, id, payload);
    default:
        return fail("unexpected connection message " + std::to_string(number));
    }
}

void ScriptedServer::handleChannelRequest(ChannelRecord& channel, std::uint32_t, ByteView payload) {
    wire::Reader r(payload);
    r.byte();
    r.uint32();
    std::string request(r.text());
    bool wantReply = r.boolean();
    channel.requests.push_back(request);
    bool ok = true;
    if (request == "exec") {
        channel.command = std::string(r.text());
        if (channel.command.rfind("produce ", 0) == 0)
            channel.toProduce = std::stoull(channel.command.substr(8));
        else if (channel.command != "echo" && channel.command.rfind("exit ", 0) != 0 &&
                 channel.command.rfind("signal ", 0) != 0)
            ok = false;
    } else if (request == "pty-req") {
        r.text();
        channel.columns = r.uint32();
        channel.rows = r.uint32();
    } else if (request == "window-change") {
        channel.columns = r.uint32();
        channel.rows = r.uint32();
    } else if (request == "shell") {
        channel.command = "echo";
    } else if (request == "env" || request == "signal" || request == "x11-req" ||
               request == "auth-agent-req@openssh.com") {
    } else {
        ok = false;
    }
    if (wantReply) {
        wire::Writer w(ok ? msg::ChannelSuccess : msg::ChannelFailure);
        w.uint32(channel.clientChannel);
        send(w.bytes());
    }
    pumpChannels();
}

std::uint32_t ScriptedServer::openChannelToClient(const std::string& type, ByteView typeSpecificData) {
    std::uint32_t id = nextChannel_++;
    ChannelRecord channel;
    channel.confirmed = false;
    channel.command = "echo";
    channel.ourWindow = options_.windowSize;
    channels_.emplace(id, std::move(channel));
    wire::Writer w(msg::ChannelOpen);
    w.string(type).uint32(id).uint32(options_.windowSize).uint32(options_.maxPacket).raw(typeSpecificData);
    send(w.bytes());
    return id;
}

void ScriptedServer::pumpChannels() {
    if (holdChannelOutput)
        return;
    for (auto& [id, channel] : channels_) {
        if (channel.finished || channel.closeSent || !channel.confirmed)
            continue;
        std::uint32_t chunkLimit = std::min<std::uint32_t>(channel.clientMaxPacket, 32768);
        while (!channel.echoBacklog.empty() && channel.clientWindow > 0) {
            std::size_t n = std::min<std::size_t>({channel.echoBacklog.size(), channel.clientWindow, chunkLimit});
            wire::Writer w(msg::ChannelData);
            w.uint32(channel.clientChannel).string(ByteView(channel.echoBacklog).first(n));
            send(w.bytes());
            channel.echoBacklog.erase(channel.echoBacklog.begin(), channel.echoBacklog.begin() + std::ptrdiff_t(n));
            channel.clientWindow -= std::uint32_t(n);
        }
        while (channel.produced < channel.toProduce && channel.clientWindow > 0) {
            std::size_t n = std::min<std::uint64_t>({channel.toProduce - channel.produced,
                                                    std::uint64_t(channel.clientWindow), std::uint64_t(chunkLimit)});
            Bytes data(n);
            for (std::size_t i = 0; i < n; ++i)
                data[i] = patternByte(channel.produced + i);
            wire::Writer w(msg::ChannelData);
            w.uint32(channel.clientChannel).string(data);
            send(w.bytes());
            channel.produced += n;
            channel.clientWindow -= std::uint32_t(n);
        }
        bool done = false;
        if (channel.command == "echo")
            done = channel.eofReceived && channel.echoBacklog.empty();
        else if (channel.command.rfind("produce ", 0) == 0)
            done = channel.produced == channel.toProduce;
        else if (channel.command.rfind("exit ", 0) == 0 || channel.command.rfind("signal ", 0) == 0)
            done = true;
        if (done)
            finishChannel(channel);
    }
}

void ScriptedServer::finishChannel(ChannelRecord& channel) {
    channel.finished = true;
    wire::Writer status(msg::ChannelRequest);
    status.uint32(channel.clientChannel);
    if (channel.command.rfind("signal ", 0) == 0) {
        status.string("exit-signal").boolean(false).string(channel.command.substr(7)).boolean(true)
            .string("killed by test").string("");
    } else {
        std::uint32_t code = channel.command.rfind("exit ", 0) == 0 ? std::uint32_t(std::stoul(channel.command.substr(5))) : 0;
        status.string("exit-status").boolean(false).uint32(code);
    }
    send(status.bytes());
    wire::Writer eof(msg::ChannelEof);
    eof.uint32(channel.clientChannel);
    send(eof.bytes());
    wire::Writer close(msg::ChannelClose);
    close.uint32(channel.clientChannel);
    channel.closeSent = true;
    send(close.bytes());
}

} // namespace portal::testing
