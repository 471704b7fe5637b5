// RFC 4252 / RFC 4256 user authentication, client side.
#include "auth/UserAuthClient.h"

#include "transport/HostKeyVerifier.h"
#include "transport/KexInit.h"
#include "transport/MessageNumbers.h"
#include "wire/Reader.h"
#include "wire/Writer.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <fstream>
#include <iterator>

namespace portal::protocol::auth {

namespace msg = transport::msg;

namespace {

constexpr const char* kConnectionService = "ssh-connection";
constexpr std::size_t kMaxKeyFileSize = 1024 * 1024;
constexpr std::uint32_t kMaxKeyboardPrompts = 64;
constexpr int kPassphraseAttempts = 3;

const char* stateName(UserAuthClient::State state) {
    using State = UserAuthClient::State;
    switch (state) {
    case State::Idle: return "before authentication";
    case State::AwaitingServiceAccept: return "waiting for SERVICE_ACCEPT";
    case State::AwaitingNoneResult: return "waiting for the reply to the \"none\" request";
    case State::AwaitingPublicKeyOk: return "waiting for USERAUTH_PK_OK";
    case State::AwaitingPassphrase: return "waiting for the user's passphrase";
    case State::AwaitingAgent: return "waiting for the ssh-agent";
    case State::AwaitingPublicKeyResult: return "waiting for the publickey result";
    case State::AwaitingPassword: return "waiting for the user's password";
    case State::AwaitingPasswordChange: return "waiting for the user's new password";
    case State::AwaitingPasswordResult: return "waiting for the password result";
    case State::AwaitingKeyboardInteractive: return "waiting for keyboard-interactive";
    case State::AwaitingKeyboardResponses: return "waiting for the user's responses";
    case State::Authenticated: return "after authentication";
    case State::Failed: return "after authentication failed";
    }
    return "?";
}

bool contains(const std::vector<std::string>& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

std::optional<Bytes> readSmallFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    Bytes data;
    char buffer[4096];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        data.insert(data.end(), buffer, buffer + in.gcount());
        if (data.size() > kMaxKeyFileSize)
            return std::nullopt;
    }
    return data;
}

} // namespace

UserAuthClient::UserAuthClient(UserAuthSettings settings, client::EventQueue& events,
                               client::RequestId& requestIds,
                               const std::vector<std::string>& serverSigAlgs, Sender send,
                               AsyncErrorSink asyncError)
    : settings_(std::move(settings)), events_(events), requestIds_(requestIds),
      serverSigAlgs_(serverSigAlgs), send_(std::move(send)), asyncError_(std::move(asyncError)) {}

void UserAuthClient::log(client::LogLevel level, std::string text) {
    events_.push_back(client::LogEvent{level, std::move(text)});
}

Status UserAuthClient::unexpected(std::uint8_t number) const {
    if (number == msg::UserauthSuccess)
        return Error::protocol(std::string("server sent USERAUTH_SUCCESS that was never asked for (") +
                               stateName(state_) + ")");
    return Error::protocol(std::string("server sent ") + transport::messageName(number) + " (" +
                           std::to_string(number) + ") " + stateName(state_));
}

Status UserAuthClient::start(ByteView sessionId) {
    if (state_ != State::Idle)
        return Error::protocol("authentication already started");
    sessionId_.assign(sessionId.begin(), sessionId.end());
    wire::Writer w(msg::ServiceRequest);
    w.string("ssh-userauth");
    state_ = State::AwaitingServiceAccept;
    return send(std::move(w).take());
}

Status UserAuthClient::handle(ByteView payload) {
    std::uint8_t number = payload.empty() ? 0 : payload[0];
    switch (state_) {
    case State::AwaitingServiceAccept:
        if (number == msg::ServiceAccept) {
            wire::Reader r(payload);
            r.byte();
            std::string_view service = r.text();
            if (!r.ok() || service != "ssh-userauth")
                return Error::protocol("server accepted a service we did not ask for");
            // RFC 4252 §5.2: "none" tells us which methods the server allows (and succeeds
            // for accounts without authentication).
            wire::Writer w(msg::UserauthRequest);
            w.string(settings_.user).string(kConnectionService).string("none");
            currentMethod_ = "none";
            state_ = State::AwaitingNoneResult;
            return send(std::move(w).take());
        }
        return unexpected(number);
    case State::AwaitingNoneResult:
    case State::AwaitingPublicKeyResult:
    case State::AwaitingPasswordResult:
    case State::AwaitingKeyboardInteractive:
        if (number == msg::UserauthSuccess)
            return handleSuccess();
        if (number == msg::UserauthFailure)
            return handleFailure(payload);
        if (number == msg::UserauthBanner)
            return handleBanner(payload);
        if (number == msg::UserauthMethodSpecific &&
            (state_ == State::AwaitingPasswordResult || state_ == State::AwaitingKeyboardInteractive))
            return handleMethodSpecific(payload);
        return unexpected(number);
    case State::AwaitingPublicKeyOk:
        // A query carries no signature, so the only answers are PK_OK or FAILURE.
        if (number == msg::UserauthMethodSpecific)
            return handleMethodSpecific(payload);
        if (number == msg::UserauthFailure)
            return handleFailure(payload);
        if (number == msg::UserauthBanner)
            return handleBanner(payload);
        return unexpected(number);
    case State::AwaitingPassphrase:
    case State::AwaitingAgent:
    case State::AwaitingPassword:
    case State::AwaitingPasswordChange:
    case State::AwaitingKeyboardResponses:
        // Nothing is outstanding at the server while the user types; only a banner fits.
        if (number == msg::UserauthBanner)
            return handleBanner(payload);
        return unexpected(number);
    case State::Idle:
    case State::Authenticated:
    case State::Failed:
        return unexpected(number);
    }
    return unexpected(number);
}

Status UserAuthClient::handleBanner(ByteView payload) {
    wire::Reader r(payload);
    r.byte();
    std::string_view text = r.text();
    r.text(); // language tag
    if (!r.ok())
        return Error::protocol("malformed USERAUTH_BANNER message");
    events_.push_back(client::BannerEvent{std::string(text)});
    return {};
}

Status UserAuthClient::handleSuccess() {
    state_ = State::Authenticated;
    methodUsed_ = currentMethod_;
    std::string info;
    if (currentMethod_ == "publickey" && identityPublic_)
        info = transport::keyFamilyName(identityPublic_->keyType()) + " " + identityPublic_->fingerprintSha256() +
               " from " + identityLabel();
    log(client::LogLevel::Verbose, "Authenticated to " + settings_.host + " using \"" + currentMethod_ + "\".");
    identityPrivate_.reset();
    events_.push_back(client::AuthenticatedEvent{currentMethod_, std::move(info)});
    return {};
}

Status UserAuthClient::handleFailure(ByteView payload) {
    wire::Reader r(payload);
    r.byte();
    std::vector<std::string> methods = r.nameList();
    bool partial = r.boolean();
    if (!r.atEnd())
        return Error::protocol("malformed USERAUTH_FAILURE message");
    serverMethods_ = std::move(methods);
    log(client::LogLevel::Debug, "Authentications that can continue: " + transport::joinNameList(serverMethods_));
    if (partial) {
        // RFC 4252 §5.1: this method succeeded, more are required (multi-factor).
        log(client::LogLevel::Verbose, "Authenticated using \"" + currentMethod_ + "\" with partial success.");
        if (currentMethod_ == "publickey")
            ++(usingAgentKey_ ? agentIndex_ : identityIndex_);
    } else if (currentMethod_ == "publickey") {
        ++(usingAgentKey_ ? agentIndex_ : identityIndex_); // this key was refused (or its signature was)
        identityPublic_.reset();
        identityPrivate_.reset();
    } else if (currentMethod_ == "password") {
        events_.push_back(client::LogEvent{client::LogLevel::Info, "Permission denied, please try again."});
    }
    return tryNextMethod();
}

bool UserAuthClient::serverAllows(std::string_view method) const {
    return contains(serverMethods_, method);
}

Status UserAuthClient::tryNextMethod() {
    // OpenSSH's default order: publickey, keyboard-interactive, password.
    bool agentKeysLeft = settings_.agent && (!agentQueried_ || agentIndex_ < agentKeys_.size());
    if (settings_.allowPublicKey && serverAllows("publickey") &&
        (agentKeysLeft || identityIndex_ < settings_.identities.size())) {
        return tryIdentity();
    }
    bool mayPrompt = !settings_.batchMode;
    if (settings_.allowKeyboardInteractive && mayPrompt && serverAllows("keyboard-interactive") &&
        keyboardAttempts_ < settings_.numberOfPasswordPrompts) {
        ++keyboardAttempts_;
        return sendKeyboardInteractiveRequest();
    }
    if (settings_.allowPassword && mayPrompt && serverAllows("password") &&
        passwordAttempts_ < settings_.numberOfPasswordPrompts) {
        return requestPassword();
    }
    state_ = State::Failed;
    if (cancelled_)
        return Error::cancelled("authentication cancelled by the user");
    return Error::auth(settings_.user + "@" + settings_.host + ": Permission denied (" +
                       transport::joinNameList(serverMethods_) + ").");
}

std::optional<std::string> UserAuthClient::signatureAlgorithmFor(const keys::PublicKey& key) const {
    const auto& accepted = settings_.pubkeyAcceptedAlgorithms;
    if (key.keyType() != "ssh-rsa")
        return contains(accepted, key.keyType()) ? std::optional(key.keyType()) : std::nullopt;
    // RFC 8332 §3.3 / RFC 8308 §3.1: pick an RSA signature the server announced; without
    // server-sig-algs assume rsa-sha2-512 (every server from this decade has it). ssh-rsa
    // (SHA-1) only when the user allowed it.
    for (const char* algorithm : {"rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"}) {
        if (!contains(accepted, algorithm))
            continue;
        if (!serverSigAlgs_.empty() && !contains(serverSigAlgs_, algorithm))
            continue;
        return std::string(algorithm);
    }
    return std::nullopt;
}

Status UserAuthClient::tryIdentity() {
    if (settings_.agent && !agentQueried_)
        return queryAgent();
    while (agentIndex_ < agentKeys_.size()) {
        const agent::AgentIdentity& key = agentKeys_[agentIndex_];
        auto algorithm = key.publicKey ? signatureAlgorithmFor(*key.publicKey) : std::nullopt;
        if (!algorithm) {
            ++agentIndex_;
            continue;
        }
        identityPublic_ = key.publicKey;
        identityPrivate_.reset();
        identityAlgorithm_ = *algorithm;
        usingAgentKey_ = true;
        currentMethod_ = "publickey";
        return sendPublicKeyQuery();
    }
    usingAgentKey_ = false;
    while (identityIndex_ < settings_.identities.size()) {
        const std::string& path = settings_.identities[identityIndex_].path;
        identityPublic_.reset();
        identityPrivate_.reset();
        passphraseAttempts_ = 0;
        queryAfterPassphrase_ = false;
        auto contents = readSmallFile(path);
        if (!contents) {
            log(client::LogLevel::Debug, "identity file " + path + " not accessible");
            ++identityIndex_;
            continue;
        }
        identityFile_ = std::move(*contents);
        auto info = keys::PrivateKey::inspect(identityFile_);
        if (!info) {
            log(client::LogLevel::Info, "skipping identity " + path + ": " + info.error().message);
            ++identityIndex_;
            continue;
        }
        if (info->publicKey) {
            identityPublic_ = info->publicKey;
        } else if (auto pub = readSmallFile(path + ".pub")) {
            auto parsed = keys::PublicKey::fromOpenSshLine(asText(*pub));
            if (parsed)
                identityPublic_ = std::move(*parsed);
        }
        if (!identityPublic_) {
            if (info->encrypted) {
                if (settings_.batchMode) {
                    ++identityIndex_;
                    continue;
                }
                queryAfterPassphrase_ = true;
                currentMethod_ = "publickey";
                return requestPassphrase("");
            }
            auto loaded = keys::PrivateKey::load(identityFile_, nullptr);
            if (!loaded.key) {
                log(client::LogLevel::Info, "skipping identity " + path + ": " + loaded.message);
                ++identityIndex_;
                continue;
            }
            identityPublic_ = loaded.key->publicKey();
            identityPrivate_ = std::move(loaded.key);
        }
        auto algorithm = signatureAlgorithmFor(*identityPublic_);
        if (!algorithm) {
            log(client::LogLevel::Verbose, "skipping " + identityPublic_->keyType() + " key " + path +
                                               ": no signature algorithm both sides accept");
            ++identityIndex_;
            continue;
        }
        identityAlgorithm_ = *algorithm;
        currentMethod_ = "publickey";
        return sendPublicKeyQuery();
    }
    return tryNextMethod();
}

Status UserAuthClient::sendPublicKeyQuery() {
    log(client::LogLevel::Verbose, "Offering public key: " + identityLabel() + " " + identityAlgorithm_ + " " +
                                       identityPublic_->fingerprintSha256());
    wire::Writer w(msg::UserauthRequest);
    w.string(settings_.user).string(kConnectionService).string("publickey").boolean(false);
    w.string(identityAlgorithm_).string(identityPublic_->blob());
    state_ = State::AwaitingPublicKeyOk;
    return send(std::move(w).take());
}

Status UserAuthClient::handleMethodSpecific(ByteView payload) {
    wire::Reader r(payload);
    r.byte();
    if (state_ == State::AwaitingPublicKeyOk) {
        // RFC 4252 §7: SSH_MSG_USERAUTH_PK_OK echoes the algorithm and key we offered.
        std::string_view algorithm = r.text();
        ByteView blob = r.string();
        if (!r.atEnd())
            return Error::protocol("malformed USERAUTH_PK_OK message");
        if (algorithm != identityAlgorithm_ || !std::equal(blob.begin(), blob.end(),
                                                           identityPublic_->blob().begin(),
                                                           identityPublic_->blob().end()))
            return Error::protocol("USERAUTH_PK_OK names a key we did not offer");
        log(client::LogLevel::Debug, "Server accepts key: " + identityPublic_->fingerprintSha256());
        if (usingAgentKey_)
            return requestAgentSignature();
        if (identityPrivate_)
            return signAndSendPublicKey();
        return loadIdentityAndSign(nullptr);
    }
    if (state_ == State::AwaitingPasswordResult) {
        // RFC 4252 §8: SSH_MSG_USERAUTH_PASSWD_CHANGEREQ.
        std::string_view prompt = r.text();
        r.text();
        if (!r.atEnd())
            return Error::protocol("malformed USERAUTH_PASSWD_CHANGEREQ message");
        if (settings_.batchMode)
            return Error::auth("the server requires a password change, which batch mode cannot do");
        state_ = State::AwaitingPasswordChange;
        raisePrompt(client::PromptKind::PasswordChange, "Password change", std::string(prompt),
                    {{"Enter " + settings_.user + "@" + settings_.host + "'s old password: ", false},
                     {"Enter " + settings_.user + "@" + settings_.host + "'s new password: ", false},
                     {"Retype " + settings_.user + "@" + settings_.host + "'s new password: ", false}});
        return {};
    }
    return handleInfoRequest(payload);
}

Status UserAuthClient::loadIdentityAndSign(const SecretBytes* passphrase) {
    auto loaded = keys::PrivateKey::load(identityFile_, passphrase);
    const std::string& path = settings_.identities[identityIndex_].path;
    if (!loaded.key) {
        if (loaded.failure == keys::KeyLoadFailure::PassphraseRequired && !settings_.batchMode)
            return requestPassphrase("");
        if (loaded.failure == keys::KeyLoadFailure::WrongPassphrase &&
            passphraseAttempts_ < kPassphraseAttempts && !settings_.batchMode)
            return requestPassphrase("Bad passphrase, try again. ");
        log(client::LogLevel::Info, "Load key \"" + path + "\": " + loaded.message);
        ++identityIndex_;
        return tryIdentity();
    }
    if (identityPublic_ && !(loaded.key->publicKey() == *identityPublic_)) {
        log(client::LogLevel::Info, "identity " + path + " does not match its public key; skipped");
        ++identityIndex_;
        return tryIdentity();
    }
    identityPrivate_ = std::move(loaded.key);
    if (queryAfterPassphrase_) {
        queryAfterPassphrase_ = false;
        identityPublic_ = identityPrivate_->publicKey();
        auto algorithm = signatureAlgorithmFor(*identityPublic_);
        if (!algorithm) {
            ++identityIndex_;
            return tryIdentity();
        }
        identityAlgorithm_ = *algorithm;
        return sendPublicKeyQuery();
    }
    return signAndSendPublicKey();
}

Status UserAuthClient::signAndSendPublicKey() {
    // RFC 4252 §7: the signature covers the session identifier and the request itself.
    wire::Writer request(msg::UserauthRequest);
    request.string(settings_.user).string(kConnectionService).string("publickey").boolean(true);
    request.string(identityAlgorithm_).string(identityPublic_->blob());
    wire::Writer signedData;
    signedData.string(sessionId_).raw(request.bytes());
    auto signature = identityPrivate_->sign(identityAlgorithm_, signedData.bytes());
    if (!signature)
        return Error::crypto("signing with " + settings_.identities[identityIndex_].path +
                             " failed: " + signature.error().message);
    request.string(*signature);
    state_ = State::AwaitingPublicKeyResult;
    return send(std::move(request).take());
}

std::string UserAuthClient::identityLabel() const {
    if (usingAgentKey_ && agentIndex_ < agentKeys_.size())
        return "agent key \"" + agentKeys_[agentIndex_].comment.substr(0, 128) + "\"";
    if (identityIndex_ < settings_.identities.size())
        return settings_.identities[identityIndex_].path;
    return "?";
}

void UserAuthClient::reportAsync(Status status) {
    if (!status && asyncError_)
        asyncError_(status.error());
}

namespace {

// The public half of an identity file, without its passphrase when the format allows.
std::optional<keys::PublicKey> identityFilePublicKey(const std::string& path) {
    if (auto contents = readSmallFile(path)) {
        auto info = keys::PrivateKey::inspect(*contents);
        if (info && info->publicKey)
            return info->publicKey;
    }
    if (auto pub = readSmallFile(path + ".pub")) {
        auto parsed = keys::PublicKey::fromOpenSshLine(asText(*pub));
        if (parsed)
            return *parsed;
    }
    return std::nullopt;
}

} // namespace

Status UserAuthClient::queryAgent() {
    agentQueried_ = true;
    state_ = State::AwaitingAgent;
    currentMethod_ = "publickey";
    std::weak_ptr<bool> alive = alive_;
    Status requested = settings_.agent->requestIdentities(
        [this, alive](Result<std::vector<agent::AgentIdentity>> identities) {
            if (alive.expired() || state_ != State::AwaitingAgent)
                return;
            if (!identities) {
                log(client::LogLevel::Info, "ssh-agent: " + identities.error().message);
            } else {
                for (agent::AgentIdentity& key : *identities) {
                    if (settings_.identitiesOnly && key.publicKey) {
                        bool listed = std::any_of(settings_.identities.begin(), settings_.identities.end(),
                                                  [&](const client::Identity& identity) {
                                                      auto pub = identityFilePublicKey(identity.path);
                                                      return pub && *pub == *key.publicKey;
                                                  });
                        if (!listed)
                            continue;
                    }
                    agentKeys_.push_back(std::move(key));
                }
                log(client::LogLevel::Debug, "ssh-agent offers " + std::to_string(agentKeys_.size()) + " usable keys");
            }
            reportAsync(tryIdentity());
        });
    if (!requested) {
        log(client::LogLevel::Info, "ssh-agent: " + requested.error().message);
        return tryIdentity();
    }
    return {};
}

Status UserAuthClient::requestAgentSignature() {
    wire::Writer request(msg::UserauthRequest);
    request.string(settings_.user).string(kConnectionService).string("publickey").boolean(true);
    request.string(identityAlgorithm_).string(identityPublic_->blob());
    wire::Writer signedData;
    signedData.string(sessionId_).raw(request.bytes());
    state_ = State::AwaitingAgent;
    std::weak_ptr<bool> alive = alive_;
    Status requested = settings_.agent->requestSignature(
        identityPublic_->blob(), signedData.bytes(), identityAlgorithm_,
        [this, alive, request](Result<Bytes> signature) mutable {
            if (alive.expired() || state_ != State::AwaitingAgent)
                return;
            if (!signature) {
                log(client::LogLevel::Info, "ssh-agent could not sign with " + identityLabel() + ": " +
                                                signature.error().message);
                ++agentIndex_;
                return reportAsync(tryIdentity());
            }
            request.string(*signature);
            state_ = State::AwaitingPublicKeyResult;
            reportAsync(send(std::move(request).take()));
        });
    if (!requested) {
        ++agentIndex_;
        return tryIdentity();
    }
    return {};
}

client::RequestId UserAuthClient::raisePrompt(client::PromptKind kind, std::string name,
                                              std::string instruction,
                                              std::vector<client::PromptField> fields) {
    client::PromptEvent prompt;
    prompt.id = ++requestIds_;
    prompt.kind = kind;
    prompt.name = std::move(name);
    prompt.instruction = std::move(instruction);
    prompt.fields = std::move(fields);
    pendingPrompt_ = prompt.id;
    events_.push_back(std::move(prompt));
    return pendingPrompt_;
}

Status UserAuthClient::requestPassphrase(const std::string& why) {
    ++passphraseAttempts_;
    state_ = State::AwaitingPassphrase;
    const std::string& path = settings_.identities[identityIndex_].path;
    raisePrompt(client::PromptKind::Passphrase, path, why,
                {{"Enter passphrase for key '" + path + "': ", false}});
    return {};
}

Status UserAuthClient::requestPassword() {
    ++passwordAttempts_;
    currentMethod_ = "password";
    state_ = State::AwaitingPassword;
    raisePrompt(client::PromptKind::Password, "Password", "",
                {{settings_.user + "@" + settings_.host + "'s password: ", false}});
    return {};
}

Status UserAuthClient::sendKeyboardInteractiveRequest() {
    // RFC 4256 §3.1: empty language and submethods.
    wire::Writer w(msg::UserauthRequest);
    w.string(settings_.user).string(kConnectionService).string("keyboard-interactive");
    w.string("").string("");
    currentMethod_ = "keyboard-interactive";
    state_ = State::AwaitingKeyboardInteractive;
    return send(std::move(w).take());
}

Status UserAuthClient::handleInfoRequest(ByteView payload) {
    // RFC 4256 §3.2 SSH_MSG_USERAUTH_INFO_REQUEST.
    wire::Reader r(payload);
    r.byte();
    std::string name(r.text());
    std::string instruction(r.text());
    r.text(); // language tag (deprecated)
    std::uint32_t count = r.uint32();
    if (!r.ok() || count > kMaxKeyboardPrompts)
        return Error::protocol("malformed USERAUTH_INFO_REQUEST message");
    std::vector<client::PromptField> fields;
    for (std::uint32_t i = 0; i < count; ++i) {
        std::string text(r.text());
        bool echo = r.boolean();
        fields.push_back({std::move(text), echo});
    }
    if (!r.atEnd())
        return Error::protocol("malformed USERAUTH_INFO_REQUEST message");
    if (fields.empty()) {
        // A round with no prompts only informs (PAM messages); show it and answer at once.
        if (!name.empty() || !instruction.empty())
            events_.push_back(client::BannerEvent{name.empty() ? instruction : name + "\n" + instruction});
        wire::Writer w(msg::UserauthInfoResponse);
        w.uint32(0);
        return send(std::move(w).take());
    }
    expectedResponses_ = fields.size();
    state_ = State::AwaitingKeyboardResponses;
    raisePrompt(client::PromptKind::KeyboardInteractive, std::move(name), std::move(instruction),
                std::move(fields));
    return {};
}

Status UserAuthClient::answerPrompt(client::RequestId id, std::vector<SecretBytes> responses) {
    if (id == 0 || id != pendingPrompt_)
        return {}; // stale: already answered, cancelled or superseded
    pendingPrompt_ = 0;
    switch (state_) {
    case State::AwaitingPassphrase:
        if (responses.size() != 1)
            return Error::protocol("a passphrase prompt takes exactly one answer");
        return loadIdentityAndSign(&responses[0]);
    case State::AwaitingPassword: {
        if (responses.size() != 1)
            return Error::protocol("a password prompt takes exactly one answer");
        wire::Writer w(msg::UserauthRequest);
        w.string(settings_.user).string(kConnectionService).string("password").boolean(false);
        w.string(responses[0].view());
        state_ = State::AwaitingPasswordResult;
        return send(std::move(w).take(), true);
    }
    case State::AwaitingPasswordChange: {
        if (responses.size() != 3)
            return Error::protocol("a password change takes the old password and the new one twice");
        if (!responses[1].equals(responses[2].view())) {
            log(client::LogLevel::Info, "Mismatch; try again.");
            raisePrompt(client::PromptKind::PasswordChange, "Password change", "",
                        {{"Enter " + settings_.user + "@" + settings_.host + "'s old password: ", false},
                         {"Enter " + settings_.user + "@" + settings_.host + "'s new password: ", false},
                         {"Retype " + settings_.user + "@" + settings_.host + "'s new password: ", false}});
            return {};
        }
        wire::Writer w(msg::UserauthRequest);
        w.string(settings_.user).string(kConnectionService).string("password").boolean(true);
        w.string(responses[0].view()).string(responses[1].view());
        state_ = State::AwaitingPasswordResult;
        return send(std::move(w).take(), true);
    }
    case State::AwaitingKeyboardResponses: {
        if (responses.size() != expectedResponses_)
            return Error::protocol("keyboard-interactive needs " + std::to_string(expectedResponses_) +
                                   " responses, got " + std::to_string(responses.size()));
        wire::Writer w(msg::UserauthInfoResponse);
        w.uint32(std::uint32_t(responses.size()));
        for (const SecretBytes& response : responses)
            w.string(response.view());
        state_ = State::AwaitingKeyboardInteractive;
        return send(std::move(w).take(), true);
    }
    default:
        return {};
    }
}

Status UserAuthClient::cancelPrompt(client::RequestId id) {
    if (id == 0 || id != pendingPrompt_)
        return {};
    pendingPrompt_ = 0;
    switch (state_) {
    case State::AwaitingPassphrase:
        // Skip this key, go on with the next identity or method.
        ++identityIndex_;
        return tryIdentity();
    case State::AwaitingPassword:
    case State::AwaitingPasswordChange:
        cancelled_ = true;
        passwordAttempts_ = settings_.numberOfPasswordPrompts;
        return tryNextMethod();
    case State::AwaitingKeyboardResponses:
        // RFC 4256 §3.4 lets a client abandon the method by starting another request.
        cancelled_ = true;
        keyboardAttempts_ = settings_.numberOfPasswordPrompts;
        return tryNextMethod();
    default:
        return {};
    }
}

} // namespace portal::protocol::auth
