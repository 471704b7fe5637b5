// Decides whether to trust a server's host key, from the known_hosts files and the
// StrictHostKeyChecking policy (ssh_config(5)): known keys pass, revoked and changed keys are
// refused with the file and line that say so, unknown keys are asked about, refused or
// accepted and saved, as the policy says.
#pragma once

#include "client/ClientEvents.h"
#include "common/Error.h"
#include "keys/KnownHosts.h"
#include "keys/PublicKey.h"

#include <string>
#include <vector>

namespace portal::protocol::transport {

struct HostKeySettings {
    client::HostKeyPolicy policy = client::HostKeyPolicy::Ask;
    std::vector<std::string> knownHostsFiles; // new keys are appended to the first
    std::string host;
    int port = 22;
    bool hashHostNames = false;
    bool batchMode = false; // never ask: treat Ask as Strict
};

class HostKeyVerifier {
public:
    enum class Verdict { Accept, AcceptAndSave, Ask, Refuse };

    struct Outcome {
        Verdict verdict = Verdict::Refuse;
        Error error;                           // for Refuse
        std::vector<std::string> knownKeyTypes; // other key types listed for the host
        std::vector<std::string> warnings;      // unreadable files, for the log
    };

    explicit HostKeyVerifier(HostKeySettings settings) : settings_(std::move(settings)) {}

    Outcome check(const keys::PublicKey& key) const;
    // Key types already listed for the host in any file ("ssh-ed25519", ...).
    std::vector<std::string> knownKeyTypes() const;
    // Appends the key to the first known_hosts file.
    Status save(const keys::PublicKey& key) const;

    const HostKeySettings& settings() const { return settings_; }

private:
    HostKeySettings settings_;
};

// "ED25519", "ECDSA", "RSA": the key family OpenSSH names in its messages.
std::string keyFamilyName(const std::string& keyType);

} // namespace portal::protocol::transport
