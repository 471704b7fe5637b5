// The dialogs a user must be able to trust: unknown and changed host keys (RFC 4251 §4.1,
// OpenSSH's known_hosts behaviour), password / passphrase / keyboard-interactive prompts
// (RFC 4252 §8, RFC 4256 §3.2) with the server's words shown as the server's, banners
// (RFC 4252 §5.4) and the per-connection details. Each takes a plain struct, so it is built
// and tested without a connection.
#pragma once

#include <QDialog>
#include <QList>
#include <QString>
#include <QStringList>

class QCheckBox;
class QLineEdit;

namespace portal::ui {

// Text that came from the server, made safe to show: ANSI/VT escape sequences removed, other
// C0/C1 controls (except newline and tab) and bidirectional overrides dropped, CR LF folded,
// and the length bounded, so a server cannot forge Portal's own words or reorder them.
QString sanitizeServerText(const QString& text, int maxLength = 4096);

struct UnknownHostKey {
    QString host;
    int port = 22;
    QString keyType;     // "ssh-ed25519"
    QString fingerprint; // "SHA256:…"
    QString randomArt;   // OpenSSH's visual host key, lines joined by '\n'
    QStringList otherKnownKeyTypes;
    QString knownHostsFile; // where "accept and save" writes
};

enum class HostKeyAnswer { Cancel, AcceptOnce, AcceptAndSave };

class UnknownHostKeyDialog : public QDialog {
public:
    explicit UnknownHostKeyDialog(const UnknownHostKey& key, QWidget* parent = nullptr);
    HostKeyAnswer answer() const { return answer_; }

private:
    HostKeyAnswer answer_ = HostKeyAnswer::Cancel;
};

struct ChangedHostKey {
    QString host;
    int port = 22;
    QString keyType;
    QString newFingerprint;
    QString oldKeyFile; // the known_hosts file and line that hold the old key
    int oldKeyLine = 0;
    QString oldFingerprint; // empty when unknown
};

// There is no way to connect from here: the only actions are Cancel (the default) and
// copying the command that removes the old line, which the user runs knowingly.
class ChangedHostKeyDialog : public QDialog {
public:
    explicit ChangedHostKeyDialog(const ChangedHostKey& key, QWidget* parent = nullptr);
    static QString removalCommand(const ChangedHostKey& key);
};

struct CredentialPrompt {
    enum class Kind { Password, Passphrase, KeyboardInteractive, PasswordChange };
    Kind kind = Kind::Password;
    // Portal's own words: who is asking, from our configuration.
    QString user;
    QString host;
    int port = 22;
    QString keyFile; // for Passphrase
    // The server's words (keyboard-interactive name and instruction, prompt texts).
    QString serverName;
    QString serverInstruction;
    struct Field {
        QString text;
        bool echo = false;
    };
    QList<Field> fields;
    bool offerRemember = false; // only when a keychain is available and kind is Password
};

class CredentialDialog : public QDialog {
public:
    explicit CredentialDialog(const CredentialPrompt& prompt, QWidget* parent = nullptr);
    ~CredentialDialog() override;
    // One answer per field; the fields are cleared when the dialog is destroyed.
    QStringList responses() const;
    bool rememberRequested() const;
    QLineEdit* field(int index) const { return fields_.value(index); }

private:
    QList<QLineEdit*> fields_;
    QCheckBox* remember_ = nullptr;
};

class BannerDialog : public QDialog {
public:
    BannerDialog(const QString& host, const QString& bannerText, QWidget* parent = nullptr);
};

struct ConnectionDetails {
    QString host;
    int port = 22;
    QString serverVersion;
    QString kex;
    QString hostKeyType;
    QString hostKeyFingerprint;
    QString cipherClientToServer;
    QString cipherServerToClient;
    QString macClientToServer;
    QString macServerToClient;
    bool strictKex = false;
    QString authMethod;
};

class ConnectionInfoDialog : public QDialog {
public:
    explicit ConnectionInfoDialog(const ConnectionDetails& details, QWidget* parent = nullptr);
};

} // namespace portal::ui
