// A saved session and the global preferences as plain values, their JSON form (schema
// version 2, see SessionStore.h), validation with messages a user can act on, and the
// `ssh` command line and `[user@]host[:port]` / `ssh://` targets that name a session.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUuid>

#include <optional>

namespace portal::ui {

// Authentication methods in the order a session prefers them (RFC 4252 §5, RFC 4256).
enum class AuthMethod { PublicKey, Agent, Password, KeyboardInteractive };
QString authMethodKey(AuthMethod method);   // stable JSON name, e.g. "keyboard-interactive"
QString authMethodLabel(AuthMethod method); // for people
std::optional<AuthMethod> authMethodFromKey(const QString& key);
QList<AuthMethod> defaultAuthMethods();

// What to do with a host key that is not in known_hosts (OpenSSH StrictHostKeyChecking).
enum class HostKeyPolicy { Ask, Strict, AcceptNew, AcceptAny };
QString hostKeyPolicyKey(HostKeyPolicy policy);
QString hostKeyPolicyLabel(HostKeyPolicy policy);
std::optional<HostKeyPolicy> hostKeyPolicyFromKey(const QString& key);

// X11 forwarding (ssh -X / -Y; RFC 4254 §6.3) to this machine's $DISPLAY. Untrusted: the X
// server confines the remote clients (SECURITY extension); trusted: full access.
enum class X11Mode { Off, Untrusted, Trusted };
QString x11ModeKey(X11Mode mode);
QString x11ModeLabel(X11Mode mode);
std::optional<X11Mode> x11ModeFromKey(const QString& key);

// One -L / -R / -D forward (RFC 4254 §7). Dynamic forwards have no target.
struct PortForward {
    enum class Kind { Local, Remote, Dynamic };
    Kind kind = Kind::Local;
    QString bindAddress; // empty: loopback
    int bindPort = 0;
    QString targetHost;
    int targetPort = 0;

    // OpenSSH's spelling: "[bind:]port:host:hostport", or "[bind:]port" for dynamic.
    QString toSshSpec() const;
    static std::optional<PortForward> fromSshSpec(Kind kind, const QString& spec);
    bool operator==(const PortForward&) const = default;
};
QString forwardKindLetter(PortForward::Kind kind); // "L", "R", "D"

// Per-session terminal settings; empty/zero means "use the preference".
struct TerminalOverrides {
    QString fontFamily;
    int fontPointSize = 0;
    QString colorScheme;
    int scrollbackLines = 0;
    QString termType; // TERM sent in the pty-req, e.g. "xterm-256color"
    bool operator==(const TerminalOverrides&) const = default;
};

struct Session {
    QUuid id;
    QString name;
    QString host;
    int port = 22;
    QString user;
    QList<AuthMethod> authMethods = defaultAuthMethods();
    QString keyFile;
    QStringList jumpHosts; // each "[user@]host[:port]", in hop order
    QList<PortForward> forwards;
    QList<QPair<QString, QString>> environment; // sent as "env" requests (RFC 4254 §6.4)
    QString remoteCommand;
    int keepaliveSeconds = 0; // 0: use the preference
    bool autoReconnect = false;
    X11Mode x11Forwarding = X11Mode::Off;
    TerminalOverrides terminal;
    HostKeyPolicy hostKeyPolicy = HostKeyPolicy::Ask;
    QString notes;
    QStringList tags;
    // Where an imported session came from ("ssh_config:alias", "putty:name"), so that a
    // second import updates it instead of adding a duplicate. Empty for sessions made here.
    QString origin;

    bool operator==(const Session&) const = default;
};

struct Preferences {
    QString fontFamily = QStringLiteral("Monospace");
    int fontPointSize = 11;
    QString colorScheme = QStringLiteral("Portal Dark");
    int scrollbackLines = 10000;
    enum class CursorShape { Block, Bar, Underline };
    CursorShape cursorShape = CursorShape::Block;
    bool cursorBlinks = true;
    enum class Bell { None, Visual, Audible };
    Bell bell = Bell::Visual;
    bool copyOnSelect = false;
    bool confirmMultilinePaste = true;
    QString defaultUser;
    int keepaliveSeconds = 60;
    bool themeFollowsSystem = true;
    QStringList quickConnectHistory; // most recent first
    bool operator==(const Preferences&) const = default;
};

// The schema-version-2 JSON form of each value. Unknown keys are ignored when reading and
// missing keys take the defaults above, so small additions need no schema bump.
QJsonObject sessionToJson(const Session& session);
Session sessionFromJson(const QJsonObject& object);
QJsonObject preferencesToJson(const Preferences& preferences);
Preferences preferencesFromJson(const QJsonObject& object);

// Problems that stop a session from being saved, each a sentence naming the field.
QStringList validateSession(const Session& session);

// A connection target typed by a person: "[user@]host[:port]", "[v6addr]:port",
// "ssh://[user@]host[:port][/]". Returns nothing when it is not one.
struct ConnectTarget {
    QString user;
    QString host;
    int port = 22;
    QString toString() const; // the canonical "user@host:port" form (port only if not 22)
};
std::optional<ConnectTarget> parseConnectTarget(const QString& text);

// `argument` quoted for a POSIX shell when it holds anything beyond safe characters.
QString shellQuoted(const QString& argument);

// The OpenSSH command line that reaches this session, each argument quoted for a POSIX shell.
QString sshCommandLine(const Session& session);

} // namespace portal::ui
