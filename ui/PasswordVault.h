// "Remember password": passwords live only in the operating system's keychain, through
// QtKeychain (Secret Service, macOS Keychain, Windows Credential Store), never in a file.
// When Portal is built without QtKeychain the feature is absent and available() is false.
#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace portal::ui {

class PasswordVault {
public:
    static bool available();
    // The keychain entry for a login: "user@host:port".
    static QString account(const QString& user, const QString& host, int port);
    // Asynchronous: `done` runs in `context`'s thread with the password, or nothing when
    // there is none (or the keychain is unavailable or locked and the user declined).
    static void read(const QString& account, QObject* context, std::function<void(std::optional<QString>)> done);
    static void store(const QString& account, const QString& password);
    static void forget(const QString& account);
};

} // namespace portal::ui
