// Host-key trust decisions against OpenSSH known_hosts files.
#include "transport/HostKeyVerifier.h"

#include <algorithm>

namespace portal::protocol::transport {

std::string keyFamilyName(const std::string& keyType) {
    if (keyType == "ssh-ed25519")
        return "ED25519";
    if (keyType.rfind("ecdsa-sha2-", 0) == 0)
        return "ECDSA";
    if (keyType == "ssh-rsa")
        return "RSA";
    return keyType;
}

HostKeyVerifier::Outcome HostKeyVerifier::check(const keys::PublicKey& key) const {
    Outcome outcome;
    std::string hostName = keys::knownHostsName(settings_.host, settings_.port);
    std::string family = keyFamilyName(key.keyType());
    std::optional<keys::HostKeyLookup> changed;
    bool known = false;

    for (const std::string& path : settings_.knownHostsFiles) {
        auto file = keys::KnownHostsFile::load(path);
        if (!file) {
            outcome.warnings.push_back(file.error().message);
            continue;
        }
        keys::HostKeyLookup lookup = file->lookup(settings_.host, settings_.port, key);
        for (const std::string& type : lookup.knownKeyTypes)
            if (std::find(outcome.knownKeyTypes.begin(), outcome.knownKeyTypes.end(), type) ==
                outcome.knownKeyTypes.end())
                outcome.knownKeyTypes.push_back(type);
        switch (lookup.match) {
        case keys::HostKeyMatch::Revoked:
            // A revocation anywhere wins over a listing anywhere else.
            outcome.verdict = Verdict::Refuse;
            outcome.error = Error::hostKey("The " + family + " host key for " + hostName + " (" +
                                           key.fingerprintSha256() + ") is marked as revoked in " +
                                           lookup.file + ":" + std::to_string(lookup.line) +
                                           ". Host key verification failed.");
            return outcome;
        case keys::HostKeyMatch::Known:
            known = true;
            break;
        case keys::HostKeyMatch::Changed:
            if (!changed)
                changed = lookup;
            break;
        case keys::HostKeyMatch::Unknown:
            break;
        }
    }
    if (known) {
        outcome.verdict = Verdict::Accept;
        return outcome;
    }
    if (changed) {
        outcome.verdict = Verdict::Refuse;
        outcome.error = Error::hostKey(
            "REMOTE HOST IDENTIFICATION HAS CHANGED: the " + family + " host key for " + hostName +
            " is now " + key.fingerprintSha256() + ", but a different key is listed in " +
            changed->file + ":" + std::to_string(changed->line) +
            ". Someone could be eavesdropping on you, or the host key has just been changed. "
            "Host key verification failed.");
        outcome.error.changedHostKey =
            ChangedHostKeyDetail{family, key.fingerprintSha256(), changed->file, changed->line};
        return outcome;
    }
    switch (settings_.policy) {
    case client::HostKeyPolicy::Ask:
        if (!settings_.batchMode) {
            outcome.verdict = Verdict::Ask;
            return outcome;
        }
        [[fallthrough]];
    case client::HostKeyPolicy::Strict:
        outcome.verdict = Verdict::Refuse;
        outcome.error = Error::hostKey("No " + family + " host key is known for " + hostName +
                                       " (" + key.fingerprintSha256() +
                                       ") and strict checking is requested. "
                                       "Host key verification failed.");
        return outcome;
    case client::HostKeyPolicy::AcceptNew:
    case client::HostKeyPolicy::Off:
        outcome.verdict = Verdict::AcceptAndSave;
        return outcome;
    }
    return outcome;
}

std::vector<std::string> HostKeyVerifier::knownKeyTypes() const {
    std::vector<std::string> types;
    for (const std::string& path : settings_.knownHostsFiles) {
        auto file = keys::KnownHostsFile::load(path);
        if (!file)
            continue;
        for (const std::string& type : file->keyTypesFor(settings_.host, settings_.port))
            if (std::find(types.begin(), types.end(), type) == types.end())
                types.push_back(type);
    }
    return types;
}

Status HostKeyVerifier::save(const keys::PublicKey& key) const {
    if (settings_.knownHostsFiles.empty())
        return {};
    return keys::KnownHostsFile::append(settings_.knownHostsFiles.front(), settings_.host,
                                        settings_.port, key, settings_.hashHostNames);
}

} // namespace portal::protocol::transport
