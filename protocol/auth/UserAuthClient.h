// The client side of SSH user authentication (RFC 4252) with the publickey, password (with
// password change, §8) and keyboard-interactive (RFC 4256) methods, banners and partial
// success. One state machine; each state allows an explicit set of server messages and
// anything else is a protocol error, so a USERAUTH_SUCCESS that was never asked for (or
// arrives while we wait for the user) can never authenticate us.
#pragma once

#include "agent/AgentSigner.h"
#include "client/ClientEvents.h"
#include "common/Bytes.h"
#include "common/Error.h"
#include "common/SecretBytes.h"
#include "keys/PrivateKey.h"
#include "keys/PublicKey.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace portal::protocol::auth {

struct UserAuthSettings {
    std::string user;
    std::string host; // for prompts: "user@host's password: "
    bool allowPublicKey = true;
    bool allowKeyboardInteractive = true;
    bool allowPassword = true;
    std::vector<client::Identity> identities;
    // Keys held by an ssh-agent, offered before the identity files (as OpenSSH does).
    agent::AgentSigner* agent = nullptr;
    // IdentitiesOnly: offer only agent keys whose public half matches an identity file.
    bool identitiesOnly = false;
    std::vector<std::string> pubkeyAcceptedAlgorithms;
    int numberOfPasswordPrompts = 3;
    bool batchMode = false;
};

class UserAuthClient {
public:
    enum class State {
        Idle,
        AwaitingServiceAccept,
        AwaitingNoneResult,
        AwaitingPublicKeyOk,       // a key was offered without signature (RFC 4252 §7)
        AwaitingPassphrase,        // prompt out: the identity file is encrypted
        AwaitingAgent,             // the agent is listing its keys or signing
        AwaitingPublicKeyResult,   // a signed request was sent
        AwaitingPassword,          // prompt out
        AwaitingPasswordChange,    // prompt out, after PASSWD_CHANGEREQ
        AwaitingPasswordResult,
        AwaitingKeyboardInteractive, // a request or INFO_RESPONSE was sent
        AwaitingKeyboardResponses,   // prompt out, after INFO_REQUEST
        Authenticated,
        Failed,
    };

    // Each payload to send goes through `send`; `wipe` asks that it be wiped after sending
    // (it holds a password or responses).
    using Sender = std::function<Status(Bytes payload, bool wipe)>;
    // Errors that arise in an agent reply, outside any call into this object.
    using AsyncErrorSink = std::function<void(Error)>;

    // `serverSigAlgs` is read when choosing an RSA signature algorithm (RFC 8308 §3.1); it
    // belongs to the transport and outlives this object.
    UserAuthClient(UserAuthSettings settings, client::EventQueue& events,
                   client::RequestId& requestIds, const std::vector<std::string>& serverSigAlgs,
                   Sender send, AsyncErrorSink asyncError = {});

    // Sends SERVICE_REQUEST "ssh-userauth" (RFC 4253 §10) once the transport is keyed.
    Status start(ByteView sessionId);
    // A SERVICE_ACCEPT or userauth message (50-79).
    Status handle(ByteView payload);
    Status answerPrompt(client::RequestId id, std::vector<SecretBytes> responses);
    Status cancelPrompt(client::RequestId id);

    State state() const { return state_; }
    bool authenticated() const { return state_ == State::Authenticated; }
    const std::string& methodUsed() const { return methodUsed_; }

private:
    Status handleFailure(ByteView payload);
    Status handleSuccess();
    Status handleMethodSpecific(ByteView payload);
    Status handleBanner(ByteView payload);
    Status tryNextMethod();
    Status tryIdentity();
    Status sendPublicKeyQuery();
    Status signAndSendPublicKey();
    Status loadIdentityAndSign(const SecretBytes* passphrase);
    Status queryAgent();
    Status requestAgentSignature();
    void reportAsync(Status status);
    std::string identityLabel() const;
    Status requestPassword();
    Status requestPassphrase(const std::string& why);
    Status sendKeyboardInteractiveRequest();
    Status handleInfoRequest(ByteView payload);
    bool serverAllows(std::string_view method) const;
    std::optional<std::string> signatureAlgorithmFor(const keys::PublicKey& key) const;
    Status unexpected(std::uint8_t number) const;
    client::RequestId raisePrompt(client::PromptKind kind, std::string name, std::string instruction,
                                  std::vector<client::PromptField> fields);
    Status send(Bytes payload, bool wipe = false) { return send_(std::move(payload), wipe); }
    void log(client::LogLevel level, std::string text);

    UserAuthSettings settings_;
    client::EventQueue& events_;
    client::RequestId& requestIds_;
    const std::vector<std::string>& serverSigAlgs_;
    Sender send_;
    AsyncErrorSink asyncError_;
    State state_ = State::Idle;
    Bytes sessionId_;

    std::vector<std::string> serverMethods_; // from the last USERAUTH_FAILURE
    client::RequestId pendingPrompt_ = 0;
    std::string currentMethod_;
    std::string methodUsed_;
    bool cancelled_ = false;

    // publickey: the identity being tried.
    std::size_t identityIndex_ = 0;
    std::optional<keys::PublicKey> identityPublic_;
    std::optional<keys::PrivateKey> identityPrivate_;
    Bytes identityFile_;
    std::string identityAlgorithm_;
    int passphraseAttempts_ = 0;
    bool queryAfterPassphrase_ = false; // the public half was not readable without it

    // ssh-agent keys: listed once, offered in the agent's order.
    bool agentQueried_ = false;
    std::vector<agent::AgentIdentity> agentKeys_;
    std::size_t agentIndex_ = 0;
    bool usingAgentKey_ = false;
    // Agent replies arrive later; they check this token so a destroyed client is never touched.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

    int passwordAttempts_ = 0;
    int keyboardAttempts_ = 0;
    std::size_t expectedResponses_ = 0;
};

} // namespace portal::protocol::auth
