// Errors as values: every failure the library reports carries a category and a sentence a
// user can act on. Nothing throws across the protocol surface and nothing aborts on bad input.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace portal::protocol {

enum class ErrorCategory {
    Network,   // resolution, connect, reset, timeout
    Protocol,  // the peer broke RFC 4250-4254 (bad packet, message out of place)
    Auth,      // every method refused, wrong password, too many attempts
    HostKey,   // unknown, changed or revoked host key
    Crypto,    // an OpenSSL primitive failed, a MAC/tag did not verify
    LocalFile, // a key, known_hosts or config file could not be read or parsed
    Cancelled, // the user said no (prompt dismissed, host key declined)
};

const char* categoryName(ErrorCategory category);

// What a front end needs to explain a changed host key (and offer the fix) without parsing the
// sentence: the key the server now shows and the known_hosts line that disagrees with it.
struct ChangedHostKeyDetail {
    std::string keyFamily;        // "ED25519", "ECDSA", "RSA"
    std::string newFingerprint;   // SHA256:... of the key the server presented
    std::string knownHostsFile;   // where the different key is listed
    int knownHostsLine = 0;
};

struct Error {
    ErrorCategory category = ErrorCategory::Protocol;
    std::string message;
    // Set only for a HostKey error about a changed key.
    std::optional<ChangedHostKeyDetail> changedHostKey;

    static Error protocol(std::string text) { return make(ErrorCategory::Protocol, std::move(text)); }
    static Error crypto(std::string text) { return make(ErrorCategory::Crypto, std::move(text)); }
    static Error localFile(std::string text) { return make(ErrorCategory::LocalFile, std::move(text)); }
    static Error auth(std::string text) { return make(ErrorCategory::Auth, std::move(text)); }
    static Error hostKey(std::string text) { return make(ErrorCategory::HostKey, std::move(text)); }
    static Error network(std::string text) { return make(ErrorCategory::Network, std::move(text)); }
    static Error cancelled(std::string text) { return make(ErrorCategory::Cancelled, std::move(text)); }

private:
    static Error make(ErrorCategory category, std::string text) {
        Error error;
        error.category = category;
        error.message = std::move(text);
        return error;
    }
};

// A value or an Error, in the manner of C++23 std::expected (not available in our C++20).
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(state_); }
    const T& value() const& { assert(ok()); return std::get<0>(state_); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }

    const Error& error() const { assert(!ok()); return std::get<1>(state_); }

private:
    std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)) {}

    bool ok() const { return !error_.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const { assert(!ok()); return *error_; }

private:
    std::optional<Error> error_;
};

using Status = Result<void>;

} // namespace portal::protocol
