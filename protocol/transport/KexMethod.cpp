// Client-side key-exchange message flows: RFC 5656 §4 / RFC 8731 (ECDH, X25519), RFC 4253 §8
// with RFC 8268 groups (fixed MODP), RFC 4419 (group exchange).
#include "transport/KexMethod.h"

#include "crypto/Hash.h"
#include "crypto/KeyAgreement.h"
#include "transport/KeyDerivation.h"
#include "transport/MessageNumbers.h"
#include "wire/Reader.h"
#include "wire/Writer.h"

#include <openssl/crypto.h>

namespace portal::protocol::transport {

Bytes computeExchangeHash(crypto::HashAlgorithm hash, const KexTranscript& transcript,
                          const ExchangeHashInput& input, const SecretBytes& sharedSecret) {
    wire::Writer w;
    w.string(transcript.clientVersion).string(transcript.serverVersion);
    w.string(transcript.clientKexInit).string(transcript.serverKexInit);
    w.string(input.hostKeyBlob);
    if (input.gexRequest) {
        w.uint32(input.gexRequest->minBits).uint32(input.gexRequest->preferredBits)
            .uint32(input.gexRequest->maxBits);
        w.mpint(input.gexPrime).mpint(input.gexGenerator);
    }
    if (input.valuesAreMpints)
        w.mpint(input.clientValue).mpint(input.serverValue);
    else
        w.string(input.clientValue).string(input.serverValue);
    w.mpint(sharedSecret.view());
    Bytes h = crypto::digest(hash, w.bytes());
    OPENSSL_cleanse(w.buffer().data(), w.buffer().size()); // K is in there
    return h;
}

namespace {

// ECDH, X25519 and fixed-group DH share one shape: INIT(our value) → REPLY(K_S, f, sig).
class SingleRoundKex : public ClientKexMethod {
public:
    SingleRoundKex(const crypto::KexInfo& kex, KexTranscript transcript,
                   std::unique_ptr<crypto::KeyAgreement> agreement)
        : kex_(kex), transcript_(std::move(transcript)), agreement_(std::move(agreement)) {}

    Result<Bytes> start() override {
        wire::Writer w(msg::KexdhInit);
        if (mpints())
            w.mpint(agreement_->publicValue());
        else
            w.string(agreement_->publicValue());
        return std::move(w).take();
    }

    bool expects(std::uint8_t n) const override { return !done_ && n == msg::KexdhReply; }

    Result<Step> handle(ByteView payload) override {
        wire::Reader r(payload);
        r.byte();
        ByteView hostKey = r.string();
        ByteView serverValue = mpints() ? r.mpint() : r.string();
        ByteView signature = r.string();
        if (!r.atEnd())
            return Error::protocol(std::string("malformed key exchange reply for ") + std::string(kex_.name));
        auto secret = agreement_->deriveSharedSecret(serverValue);
        if (!secret)
            return secret.error();
        ExchangeHashInput input;
        input.hostKeyBlob = hostKey;
        input.clientValue = agreement_->publicValue();
        input.serverValue = serverValue;
        input.valuesAreMpints = mpints();
        Step step;
        KexOutcome outcome;
        outcome.exchangeHash = computeExchangeHash(kex_.hash, transcript_, input, *secret);
        outcome.sharedSecret = std::move(*secret);
        outcome.hostKeyBlob.assign(hostKey.begin(), hostKey.end());
        outcome.signature.assign(signature.begin(), signature.end());
        step.outcome = std::move(outcome);
        done_ = true;
        return step;
    }

private:
    bool mpints() const { return kex_.kind == crypto::KexKind::Modp; }

    const crypto::KexInfo& kex_;
    KexTranscript transcript_;
    std::unique_ptr<crypto::KeyAgreement> agreement_;
    bool done_ = false;
};

// RFC 4419: REQUEST(min, n, max) → GROUP(p, g) → INIT(e) → REPLY(K_S, f, sig).
class GroupExchangeKex : public ClientKexMethod {
public:
    GroupExchangeKex(const crypto::KexInfo& kex, KexTranscript transcript, GexRequest request)
        : kex_(kex), transcript_(std::move(transcript)), request_(request) {}

    Result<Bytes> start() override {
        wire::Writer w(msg::KexDhGexRequest);
        w.uint32(request_.minBits).uint32(request_.preferredBits).uint32(request_.maxBits);
        return std::move(w).take();
    }

    bool expects(std::uint8_t n) const override {
        switch (state_) {
        case State::AwaitingGroup: return n == msg::KexDhGexGroup;
        case State::AwaitingReply: return n == msg::KexDhGexReply;
        case State::Done: return false;
        }
        return false;
    }

    Result<Step> handle(ByteView payload) override {
        wire::Reader r(payload);
        std::uint8_t number = r.byte();
        if (state_ == State::AwaitingGroup && number == msg::KexDhGexGroup) {
            ByteView prime = r.mpint();
            ByteView generator = r.mpint();
            if (!r.atEnd())
                return Error::protocol("malformed KEX_DH_GEX_GROUP message");
            auto agreement = crypto::makeGexAgreement(prime, generator, int(request_.minBits),
                                                      int(request_.maxBits));
            if (!agreement)
                return agreement.error();
            agreement_ = std::move(*agreement);
            prime_.assign(prime.begin(), prime.end());
            generator_.assign(generator.begin(), generator.end());
            wire::Writer w(msg::KexDhGexInit);
            w.mpint(agreement_->publicValue());
            state_ = State::AwaitingReply;
            Step step;
            step.send = std::move(w).take();
            return step;
        }
        if (state_ == State::AwaitingReply && number == msg::KexDhGexReply) {
            ByteView hostKey = r.string();
            ByteView f = r.mpint();
            ByteView signature = r.string();
            if (!r.atEnd())
                return Error::protocol("malformed KEX_DH_GEX_REPLY message");
            auto secret = agreement_->deriveSharedSecret(f);
            if (!secret)
                return secret.error();
            ExchangeHashInput input;
            input.hostKeyBlob = hostKey;
            input.gexRequest = &request_;
            input.gexPrime = prime_;
            input.gexGenerator = generator_;
            input.clientValue = agreement_->publicValue();
            input.serverValue = f;
            input.valuesAreMpints = true;
            KexOutcome outcome;
            outcome.exchangeHash = computeExchangeHash(kex_.hash, transcript_, input, *secret);
            outcome.sharedSecret = std::move(*secret);
            outcome.hostKeyBlob.assign(hostKey.begin(), hostKey.end());
            outcome.signature.assign(signature.begin(), signature.end());
            state_ = State::Done;
            Step step;
            step.outcome = std::move(outcome);
            return step;
        }
        return Error::protocol(std::string("unexpected ") + messageName(number) +
                               " during group exchange");
    }

private:
    enum class State { AwaitingGroup, AwaitingReply, Done };

    const crypto::KexInfo& kex_;
    KexTranscript transcript_;
    GexRequest request_;
    State state_ = State::AwaitingGroup;
    std::unique_ptr<crypto::KeyAgreement> agreement_;
    Bytes prime_;
    Bytes generator_;
};

// RFC 4419 §3 leaves the preferred size to the client; like OpenSSH, ask for a group about
// as strong as the cipher (NIST SP 800-57 equivalences).
std::uint32_t preferredGroupBits(std::size_t cipherKeyBits) {
    if (cipherKeyBits <= 112)
        return 2048;
    if (cipherKeyBits <= 128)
        return 3072;
    if (cipherKeyBits <= 192)
        return 7680;
    return 8192;
}

} // namespace

Result<std::unique_ptr<ClientKexMethod>> makeClientKexMethod(const crypto::KexInfo& kex,
                                                            KexTranscript transcript,
                                                            std::size_t cipherKeyBits) {
    switch (kex.kind) {
    case crypto::KexKind::Ecdh: {
        auto agreement = crypto::makeEcdhAgreement(kex.curve);
        if (!agreement)
            return agreement.error();
        return std::unique_ptr<ClientKexMethod>(
            new SingleRoundKex(kex, std::move(transcript), std::move(*agreement)));
    }
    case crypto::KexKind::Modp: {
        auto agreement = crypto::makeModpAgreement(kex.modpGroup);
        if (!agreement)
            return agreement.error();
        return std::unique_ptr<ClientKexMethod>(
            new SingleRoundKex(kex, std::move(transcript), std::move(*agreement)));
    }
    case crypto::KexKind::GroupExchange: {
        GexRequest request;
        request.preferredBits = preferredGroupBits(cipherKeyBits);
        return std::unique_ptr<ClientKexMethod>(
            new GroupExchangeKex(kex, std::move(transcript), request));
    }
    }
    return Error::protocol("unsupported key exchange kind");
}

} // namespace portal::protocol::transport
