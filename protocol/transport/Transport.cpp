// RFC 4253 client transport: the state machine that runs version exchange, key exchange
// (initial and rekey), strict KEX and ext-info, and carries service payloads.
#include "transport/Transport.h"

#include "crypto/Random.h"
#include "transport/KeyDerivation.h"
#include "transport/MessageNumbers.h"
#include "wire/Reader.h"
#include "wire/Writer.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace portal::protocol::transport {

namespace {

// Printable text from the peer for logs and errors: control characters replaced, length bound.
std::string sanitized(std::string_view text, std::size_t limit = 512) {
    std::string out;
    for (char c : text.substr(0, limit)) {
        unsigned char u = static_cast<unsigned char>(c);
        out += (u < 0x20 && c != '\t') || u == 0x7f ? '?' : c;
    }
    return out;
}

} // namespace

Transport::Transport(TransportSettings settings, client::EventQueue& events,
                     client::RequestId& requestIds)
    : settings_(std::move(settings)), events_(events), verifier_(settings_.hostKeys),
      requestIds_(requestIds) {}

void Transport::log(client::LogLevel level, std::string text) {
    events_.push_back(client::LogEvent{level, std::move(text)});
}

Status Transport::start(client::TimePoint now) {
    now_ = now;
    lastKexTime_ = now;
    transcript_.clientVersion = settings_.clientVersion;
    append(outgoing_, VersionExchange::identificationLine(settings_.clientVersion));
    // RFC 4253 §7.1 lets KEXINIT follow the identification immediately; sending both in one
    // write saves a round trip's worth of Nagle/delayed-ACK stalls.
    return sendKexInit();
}

Status Transport::sendKexInit() {
    ourKexInit_ = KexInitMessage{};
    if (!crypto::randomFill(ourKexInit_.cookie))
        return Error::crypto("the random number generator failed");
    ourKexInit_.kexAlgorithms = settings_.kexAlgorithms;
    if (!initialKexDone_) {
        // The markers go only into the first KEXINIT (RFC 8308 §2.1; OpenSSH PROTOCOL).
        ourKexInit_.kexAlgorithms.push_back(kExtInfoClient);
        ourKexInit_.kexAlgorithms.push_back(kStrictKexClient);
    }
    ourKexInit_.hostKeyAlgorithms = settings_.hostKeyAlgorithms;
    if (!initialKexDone_) {
        // Like OpenSSH, prefer the host key types known_hosts already lists for this host,
        // so a known server is verified instead of asked about under another key type.
        std::vector<std::string> known = verifier_.knownKeyTypes();
        std::stable_partition(ourKexInit_.hostKeyAlgorithms.begin(), ourKexInit_.hostKeyAlgorithms.end(),
                              [&](const std::string& algorithm) {
                                  const crypto::HostKeyAlgorithmInfo* info = crypto::findHostKeyAlgorithm(algorithm);
                                  return info && std::find(known.begin(), known.end(), info->keyType) != known.end();
                              });
    }
    ourKexInit_.ciphersClientToServer = settings_.ciphers;
    ourKexInit_.ciphersServerToClient = settings_.ciphers;
    ourKexInit_.macsClientToServer = settings_.macs;
    ourKexInit_.macsServerToClient = settings_.macs;
    ourKexInit_.compressionClientToServer = {"none"};
    ourKexInit_.compressionServerToClient = {"none"};
    transcript_.clientKexInit = ourKexInit_.encode();
    ourKexInitSent_ = true;
    outgoingHeld_ = true;
    if (state_ == State::Established)
        state_ = State::AwaitingServerKexInit;
    return sendPacket(transcript_.clientKexInit);
}

Status Transport::sendPacket(ByteView payload) {
    return writer_.write(payload, outgoing_);
}

Status Transport::sendServicePayload(Bytes payload, bool wipe) {
    if (state_ == State::Closed)
        return Error::protocol("the connection is closed");
    if (outgoingHeld_) {
        heldBytes_ += payload.size();
        heldPayloads_.push_back(HeldPayload{std::move(payload), wipe});
        return {};
    }
    Status sent = sendPacket(payload);
    if (wipe) {
        OPENSSL_cleanse(payload.data(), payload.size());
        writer_.wipeScratch();
    }
    if (!sent)
        return sent;
    return maybeRekey();
}

Status Transport::sendUnimplemented(std::uint32_t sequenceNumber) {
    wire::Writer w(msg::Unimplemented);
    w.uint32(sequenceNumber);
    return sendServicePayload(std::move(w).take());
}

Bytes Transport::takeOutgoing() {
    Bytes out;
    if (outgoingSent_ > 0)
        out.assign(outgoing_.begin() + static_cast<std::ptrdiff_t>(outgoingSent_), outgoing_.end());
    else
        out.swap(outgoing_);
    outgoing_.clear();
    outgoingSent_ = 0;
    return out;
}

void Transport::outgoingSent(std::size_t n) {
    outgoingSent_ += std::min(n, outgoing_.size() - outgoingSent_);
    if (outgoingSent_ == outgoing_.size()) {
        outgoing_.clear(); // capacity kept
        outgoingSent_ = 0;
    } else if (outgoingSent_ >= outgoing_.size() / 2) {
        // A writer that never catches up entirely: move the rest to the front now and then,
        // so the buffer stays within twice the unsent bytes.
        outgoing_.erase(outgoing_.begin(), outgoing_.begin() + static_cast<std::ptrdiff_t>(outgoingSent_));
        outgoingSent_ = 0;
    }
}

std::optional<Transport::ServicePayload> Transport::nextServicePayload() {
    if (servicePayloads_.empty())
        return std::nullopt;
    ServicePayload payload = std::move(servicePayloads_.front());
    servicePayloads_.pop_front();
    return payload;
}

Status Transport::receive(ByteView bytes, client::TimePoint now) {
    now_ = now;
    if (state_ == State::Closed)
        return {};
    if (state_ == State::AwaitingServerVersion) {
        auto consumed = version_.feed(bytes);
        if (!consumed)
            return consumed.error();
        bytes = bytes.subspan(*consumed);
        if (version_.state() != VersionExchange::State::Done)
            return {};
        for (const std::string& line : version_.preBannerLines())
            log(client::LogLevel::Verbose, "server pre-banner line: " + sanitized(line));
        transcript_.serverVersion = version_.serverVersion();
        info_.serverVersion = version_.serverVersion();
        log(client::LogLevel::Verbose, "Remote protocol version: " + sanitized(info_.serverVersion));
        state_ = State::AwaitingServerKexInit;
    }
    if (Status appended = reader_.append(bytes); !appended)
        return appended;
    return processPackets();
}

Status Transport::processPackets() {
    while (state_ != State::AwaitingHostKeyDecision && state_ != State::Closed) {
        auto next = reader_.next();
        if (!next)
            return next.error();
        if (!next->has_value())
            break;
        PacketReader::Packet& packet = **next;
        if (Status handled = handlePacket(packet.payload[0], packet); !handled)
            return handled;
    }
    return maybeRekey();
}

Status Transport::handlePacket(std::uint8_t number, PacketReader::Packet& packet) {
    ByteView payload = packet.payload;
    // Strict KEX forbids every message the key exchange does not need until the first
    // NEWKEYS, so an attacker cannot shift sequence numbers (Terrapin, CVE-2023-48795).
    bool strictInitial = strictKex_ && !initialKexDone_;

    switch (state_) {
    case State::AwaitingServerKexInit:
        if (number == msg::KexInit)
            return handleServerKexInit(payload);
        if (!initialKexDone_) {
            // Before negotiation nobody knows yet whether strict KEX applies; only the
            // messages any peer may send are allowed, and they are counted for the check
            // once strict KEX is negotiated.
            if (number == msg::Disconnect || number == msg::Ignore || number == msg::Debug) {
                ++packetsBeforeServerKexInit_;
                return handleGeneric(number, payload);
            }
            return Error::protocol(std::string("server sent ") + messageName(number) + " (" +
                                   std::to_string(number) + ") before KEXINIT");
        }
        // A rekey we started: the server may still send anything until its KEXINIT.
        break;
    case State::KeyExchange:
    case State::AwaitingServerNewKeys:
        if (number == msg::Disconnect)
            return handleGeneric(number, payload);
        if (state_ == State::KeyExchange && isKexMessage(number) && number != msg::KexInit &&
            number != msg::NewKeys) {
            if (ignoreNextKexPacket_) {
                ignoreNextKexPacket_ = false; // RFC 4253 §7: a wrongly guessed packet
                return {};
            }
            if (!kexMethod_->expects(number))
                return Error::protocol(std::string("unexpected ") + messageName(number) +
                                       " during key exchange " + negotiated_.kex);
            auto step = kexMethod_->handle(payload);
            if (!step)
                return step.error();
            if (step->send)
                if (Status sent = sendPacket(*step->send); !sent)
                    return sent;
            if (step->outcome)
                return handleKexOutcome(std::move(*step->outcome));
            return {};
        }
        if (state_ == State::AwaitingServerNewKeys && number == msg::NewKeys)
            return handleNewKeys();
        if (strictInitial)
            return Error::protocol(std::string("strict KEX violation: server sent ") +
                                   messageName(number) + " (" + std::to_string(number) +
                                   ") during the initial key exchange");
        if (number == msg::Ignore || number == msg::Debug || number == msg::Unimplemented)
            return handleGeneric(number, payload);
        return Error::protocol(std::string("server sent ") + messageName(number) + " (" +
                               std::to_string(number) + ") during key exchange");
    case State::Established:
        if (number == msg::KexInit)
            return handleServerKexInit(payload);
        break;
    case State::AwaitingServerVersion:
    case State::AwaitingHostKeyDecision:
    case State::Closed:
        return Error::protocol("internal error: packet processed in a suspended state");
    }

    // Established, or a rekey we started: transport messages and service payloads.
    if (isTransportGeneric(number)) {
        switch (number) {
        case msg::ServiceAccept:
            break; // the userauth layer asked for it
        case msg::ExtInfo:
            return handleExtInfo(payload);
        case msg::ServiceRequest:
            return Error::protocol("server sent SERVICE_REQUEST, which only clients send");
        default:
            return handleGeneric(number, payload);
        }
    } else if (isKexMessage(number)) {
        return Error::protocol(std::string("server sent ") + messageName(number) + " (" +
                               std::to_string(number) + ") outside a key exchange");
    }
    servicePayloads_.push_back(ServicePayload{packet.sequenceNumber, std::move(packet.payload)});
    return {};
}

Status Transport::handleGeneric(std::uint8_t number, ByteView payload) {
    wire::Reader r(payload);
    r.byte();
    switch (number) {
    case msg::Disconnect: {
        std::uint32_t reason = r.uint32();
        std::string description(r.text());
        serverDisconnectReason_ = reason;
        std::string text = "server disconnected: " + sanitized(description) + " (reason " +
                           std::to_string(reason) + ")";
        if (reason == disconnect::NoMoreAuthMethodsAvailable)
            return Error::auth(text);
        if (reason == disconnect::ProtocolError || reason == disconnect::MacError ||
            reason == disconnect::KeyExchangeFailed)
            return Error::protocol(text);
        return Error::network(text);
    }
    case msg::Ignore:
        return {};
    case msg::Debug: {
        r.boolean();
        std::string_view message = r.text();
        if (!r.ok())
            return Error::protocol("malformed DEBUG message");
        log(client::LogLevel::Debug, "server debug message: " + sanitized(message));
        return {};
    }
    case msg::Unimplemented: {
        std::uint32_t seq = r.uint32();
        if (!r.ok())
            return Error::protocol("malformed UNIMPLEMENTED message");
        log(client::LogLevel::Verbose,
            "server does not implement our packet " + std::to_string(seq));
        return {};
    }
    default:
        return Error::protocol(std::string("server sent ") + messageName(number) + " (" +
                               std::to_string(number) + ") which is not allowed here");
    }
}

Status Transport::handleServerKexInit(ByteView payload) {
    auto serverInit = KexInitMessage::parse(payload);
    if (!serverInit)
        return serverInit.error();
    transcript_.serverKexInit.assign(payload.begin(), payload.end());
    if (!ourKexInitSent_)
        if (Status sent = sendKexInit(); !sent)
            return sent;

    auto negotiated = negotiateAlgorithms(ourKexInit_, *serverInit, !initialKexDone_);
    if (!negotiated)
        return negotiated.error();
    negotiated_ = *negotiated;
    if (!initialKexDone_) {
        strictKex_ = negotiated_.strictKex;
        if (strictKex_ && packetsBeforeServerKexInit_ > 0)
            return Error::protocol("strict KEX violation: KEXINIT was not the first packet "
                                   "from the server");
        if (strictKex_)
            log(client::LogLevel::Verbose, "strict KEX enabled (kex-strict-s-v00@openssh.com)");
    }
    ignoreNextKexPacket_ = negotiated_.ignoreGuessedPacket;
    kexInfo_ = crypto::findKex(negotiated_.kex);
    if (!kexInfo_)
        return Error::protocol("negotiated unknown key exchange " + negotiated_.kex);
    // Rekeys repeat every few hundred KiB against some servers: their details only at -vv.
    client::LogLevel kexLogLevel = initialKexDone_ ? client::LogLevel::Debug : client::LogLevel::Verbose;
    log(kexLogLevel, "kex: algorithm: " + negotiated_.kex);
    log(kexLogLevel, "kex: host key algorithm: " + negotiated_.hostKey);
    log(kexLogLevel, "kex: server->client cipher: " + negotiated_.cipherServerToClient +
                                       " MAC: " + (negotiated_.macServerToClient.empty() ? "<implicit>" : negotiated_.macServerToClient));
    log(kexLogLevel, "kex: client->server cipher: " + negotiated_.cipherClientToServer +
                                       " MAC: " + (negotiated_.macClientToServer.empty() ? "<implicit>" : negotiated_.macClientToServer));

    std::size_t keyBits = 0;
    for (const std::string& name : {negotiated_.cipherClientToServer, negotiated_.cipherServerToClient})
        if (const crypto::CipherInfo* cipher = crypto::findCipher(name))
            keyBits = std::max(keyBits, std::min<std::size_t>(cipher->keyLength, 32) * 8);
    auto method = makeClientKexMethod(*kexInfo_, transcript_, keyBits);
    if (!method)
        return method.error();
    kexMethod_ = std::move(*method);
    auto first = kexMethod_->start();
    if (!first)
        return first.error();
    state_ = State::KeyExchange;
    return sendPacket(*first);
}

Status Transport::handleKexOutcome(KexOutcome outcome) {
    auto key = keys::PublicKey::fromBlob(outcome.hostKeyBlob);
    if (!key)
        return Error::hostKey("server host key is not usable: " + key.error().message);
    const crypto::HostKeyAlgorithmInfo* algorithm = crypto::findHostKeyAlgorithm(negotiated_.hostKey);
    if (!algorithm || algorithm->keyType != key->keyType())
        return Error::hostKey("server sent a " + key->keyType() + " host key, but " +
                              negotiated_.hostKey + " was negotiated");
    // RFC 4253 §8: the signature over H proves the server holds the host key.
    if (Status verified = key->verify(negotiated_.hostKey, outcome.exchangeHash, outcome.signature);
        !verified)
        return Error::hostKey("server host key signature over the exchange hash is invalid: " +
                              verified.error().message);
    log(initialKexDone_ ? client::LogLevel::Debug : client::LogLevel::Verbose,
        "Server host key: " + key->keyType() + " " + key->fingerprintSha256());

    if (initialKexDone_) {
        // A rekey must not change who we talk to.
        if (!(hostKey_ && *hostKey_ == *key))
            return Error::hostKey("server presented a different host key (" + key->fingerprintSha256() +
                                  ") during rekeying");
        pendingOutcome_ = std::move(outcome);
        return finishKeyExchange();
    }

    HostKeyVerifier::Outcome verdict = verifier_.check(*key);
    for (const std::string& warning : verdict.warnings)
        log(client::LogLevel::Info, warning);
    hostKey_ = *key;
    info_.hostKeyAlgorithm = negotiated_.hostKey;
    info_.hostKeyType = key->keyType();
    info_.hostKeyFingerprint = key->fingerprintSha256();
    pendingOutcome_ = std::move(outcome);
    switch (verdict.verdict) {
    case HostKeyVerifier::Verdict::Refuse:
        return verdict.error;
    case HostKeyVerifier::Verdict::Accept:
        log(client::LogLevel::Verbose, "Host '" + keys::knownHostsName(settings_.hostKeys.host, settings_.hostKeys.port) +
                                           "' is known and matches the " + keyFamilyName(key->keyType()) + " host key.");
        return finishKeyExchange();
    case HostKeyVerifier::Verdict::AcceptAndSave:
        if (Status saved = verifier_.save(*key); !saved)
            log(client::LogLevel::Info, "could not save the host key: " + saved.error().message);
        else
            log(client::LogLevel::Info, "Permanently added '" +
                                            keys::knownHostsName(settings_.hostKeys.host, settings_.hostKeys.port) +
                                            "' (" + keyFamilyName(key->keyType()) + ") to the list of known hosts.");
        return finishKeyExchange();
    case HostKeyVerifier::Verdict::Ask: {
        client::HostKeyDecision decision;
        decision.id = ++requestIds_;
        decision.host = settings_.hostKeys.host;
        decision.port = settings_.hostKeys.port;
        decision.keyType = key->keyType();
        decision.fingerprint = key->fingerprintSha256();
        decision.randomArt = key->randomArt();
        decision.status = client::HostKeyStatus::Unknown;
        decision.knownKeyTypes = verdict.knownKeyTypes;
        pendingDecision_ = decision.id;
        state_ = State::AwaitingHostKeyDecision;
        events_.push_back(std::move(decision));
        return {};
    }
    }
    return Error::hostKey("host key verification failed");
}

Status Transport::answerHostKey(client::RequestId id, bool accept, bool saveToKnownHosts,
                                client::TimePoint now) {
    now_ = now;
    if (state_ != State::AwaitingHostKeyDecision || id != pendingDecision_)
        return {}; // a stale answer (the connection moved on or closed); nothing to do
    pendingDecision_ = 0;
    if (!accept)
        return Error::cancelled("Host key verification failed: the " +
                                keyFamilyName(hostKey_->keyType()) + " key " +
                                hostKey_->fingerprintSha256() + " for " +
                                keys::knownHostsName(settings_.hostKeys.host, settings_.hostKeys.port) +
                                " was not accepted");
    if (saveToKnownHosts) {
        if (Status saved = verifier_.save(*hostKey_); !saved)
            log(client::LogLevel::Info, "could not save the host key: " + saved.error().message);
        else
            log(client::LogLevel::Info, "Permanently added '" +
                                            keys::knownHostsName(settings_.hostKeys.host, settings_.hostKeys.port) +
                                            "' (" + keyFamilyName(hostKey_->keyType()) +
                                            ") to the list of known hosts.");
    }
    state_ = State::KeyExchange;
    if (Status finished = finishKeyExchange(); !finished)
        return finished;
    return processPackets(); // input that arrived while we waited
}

Status Transport::finishKeyExchange() {
    KexOutcome& outcome = *pendingOutcome_;
    if (sessionId_.empty())
        sessionId_ = outcome.exchangeHash; // RFC 4253 §7.2: H of the first exchange
    auto keys = deriveSessionKeys(kexInfo_->hash, outcome.sharedSecret, outcome.exchangeHash,
                                  sessionId_, negotiated_.cipherClientToServer,
                                  negotiated_.macClientToServer, negotiated_.cipherServerToClient,
                                  negotiated_.macServerToClient);
    pendingOutcome_.reset();
    if (!keys)
        return keys.error();
    auto sending = crypto::makePacketProtection(negotiated_.cipherClientToServer,
                                                negotiated_.macClientToServer,
                                                crypto::Direction::Encrypt, keys->clientToServer);
    if (!sending)
        return sending.error();
    auto receiving = crypto::makePacketProtection(negotiated_.cipherServerToClient,
                                                  negotiated_.macServerToClient,
                                                  crypto::Direction::Decrypt, keys->serverToClient);
    if (!receiving)
        return receiving.error();
    pendingReceiveProtection_ = std::move(*receiving);

    if (Status sent = sendPacket(Bytes{msg::NewKeys}); !sent)
        return sent;
    // RFC 4253 §7.3: our packets after NEWKEYS use the new keys.
    writer_.setProtection(std::move(*sending));
    if (strictKex_)
        writer_.resetSequenceNumber();
    writer_.resetByteCount();
    state_ = State::AwaitingServerNewKeys;

    outgoingHeld_ = false;
    ourKexInitSent_ = false;
    while (!heldPayloads_.empty()) {
        HeldPayload held = std::move(heldPayloads_.front());
        heldPayloads_.pop_front();
        heldBytes_ -= held.payload.size();
        Status sent = sendPacket(held.payload);
        if (held.wipe) {
            OPENSSL_cleanse(held.payload.data(), held.payload.size());
            writer_.wipeScratch();
        }
        if (!sent)
            return sent;
    }
    return {};
}

Status Transport::handleNewKeys() {
    reader_.setProtection(std::move(pendingReceiveProtection_));
    if (strictKex_)
        reader_.resetSequenceNumber();
    reader_.resetByteCount();
    lastKexTime_ = now_;
    bool initial = !initialKexDone_;
    initialKexDone_ = true;
    kexMethod_.reset();
    state_ = State::Established;

    info_.kex = negotiated_.kex;
    info_.cipherClientToServer = negotiated_.cipherClientToServer;
    info_.cipherServerToClient = negotiated_.cipherServerToClient;
    info_.macClientToServer = negotiated_.macClientToServer.empty() ? "<implicit>" : negotiated_.macClientToServer;
    info_.macServerToClient = negotiated_.macServerToClient.empty() ? "<implicit>" : negotiated_.macServerToClient;
    info_.strictKex = strictKex_;
    info_.keyExchanges += 1;
    log(client::LogLevel::Debug, initial ? "SSH2_MSG_NEWKEYS received" : "rekey complete");
    return {};
}

Status Transport::handleExtInfo(ByteView payload) {
    // RFC 8308 §2.3: only after we announced ext-info-c.
    wire::Reader r(payload);
    r.byte();
    std::uint32_t count = r.uint32();
    if (!r.ok() || count > 1024)
        return Error::protocol("malformed EXT_INFO message");
    for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
        std::string_view name = r.text();
        ByteView value = r.string();
        if (!r.ok())
            break;
        if (name == "server-sig-algs") {
            wire::Writer asList;
            asList.string(value);
            wire::Reader list(asList.bytes());
            serverSigAlgs_ = list.nameList();
            if (!list.ok())
                return Error::protocol("malformed server-sig-algs in EXT_INFO");
            log(client::LogLevel::Debug, "server-sig-algs: " + joinNameList(serverSigAlgs_));
        }
    }
    if (!r.atEnd())
        return Error::protocol("malformed EXT_INFO message");
    info_.extInfo = true;
    info_.serverSigAlgs = serverSigAlgs_;
    return {};
}

Status Transport::maybeRekey() {
    if (state_ != State::Established)
        return {};
    bool byBytes = writer_.bytesSinceRekey() >= settings_.rekeyBytes ||
                   reader_.bytesSinceRekey() >= settings_.rekeyBytes;
    bool byTime = settings_.rekeyInterval.count() > 0 && now_ - lastKexTime_ >= settings_.rekeyInterval;
    if (!byBytes && !byTime)
        return {};
    log(client::LogLevel::Debug, byBytes ? "rekeying after the data limit" : "rekeying after the time limit");
    return sendKexInit();
}

Status Transport::requestRekey() {
    if (state_ != State::Established)
        return {};
    log(client::LogLevel::Verbose, "rekeying on request");
    return sendKexInit();
}

Status Transport::tick(client::TimePoint now) {
    now_ = now;
    return maybeRekey();
}

std::optional<client::TimePoint> Transport::nextDeadline() const {
    if (state_ != State::Established || settings_.rekeyInterval.count() <= 0)
        return std::nullopt;
    return lastKexTime_ + settings_.rekeyInterval;
}

void Transport::disconnect(std::uint32_t reasonCode, const std::string& description) {
    if (state_ == State::Closed)
        return;
    wire::Writer w(msg::Disconnect);
    w.uint32(reasonCode).string(description).string("");
    (void)sendPacket(w.bytes()); // best effort: we are closing either way
    close();
}

void Transport::close() {
    state_ = State::Closed;
    for (HeldPayload& held : heldPayloads_)
        if (held.wipe)
            OPENSSL_cleanse(held.payload.data(), held.payload.size());
    heldPayloads_.clear();
    heldBytes_ = 0;
}

void Transport::fail(const Error& error) {
    std::uint32_t reason = disconnect::ProtocolError;
    if (error.category == ErrorCategory::HostKey || error.category == ErrorCategory::Cancelled)
        reason = disconnect::HostKeyNotVerifiable;
    else if (error.category == ErrorCategory::Crypto)
        reason = disconnect::MacError;
    else if (error.category == ErrorCategory::Auth)
        reason = disconnect::NoMoreAuthMethodsAvailable;
    disconnect(reason, error.message);
}

} // namespace portal::protocol::transport
