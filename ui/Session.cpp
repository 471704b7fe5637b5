// Saved-session values: JSON form, validation, connection targets and `ssh` command lines.
#include "Session.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QUrl>

namespace portal::ui {

namespace {

// Each enum's stable JSON key and its label for people, in one table per enum.
template <typename Enum>
struct EnumName {
    Enum value;
    const char* key;
    const char* label;
};

template <typename Enum, std::size_t N>
const EnumName<Enum>* entryFor(const EnumName<Enum> (&table)[N], Enum value)
{
    for (const auto& entry : table) {
        if (entry.value == value)
            return &entry;
    }
    return nullptr;
}

template <typename Enum, std::size_t N>
std::optional<Enum> valueForKey(const EnumName<Enum> (&table)[N], const QString& key)
{
    for (const auto& entry : table) {
        if (key == QLatin1String(entry.key))
            return entry.value;
    }
    return std::nullopt;
}

constexpr EnumName<AuthMethod> kAuthNames[] = {
    {AuthMethod::PublicKey, "publickey", "Public key file"},
    {AuthMethod::Agent, "agent", "SSH agent"},
    {AuthMethod::Password, "password", "Password"},
    {AuthMethod::KeyboardInteractive, "keyboard-interactive", "Keyboard-interactive"},
};

constexpr EnumName<HostKeyPolicy> kPolicyNames[] = {
    {HostKeyPolicy::Ask, "ask", "Ask when a key is unknown"},
    {HostKeyPolicy::Strict, "strict", "Refuse unknown keys"},
    {HostKeyPolicy::AcceptNew, "accept-new", "Accept and save new keys, refuse changed ones"},
    {HostKeyPolicy::AcceptAny, "accept-any", "Do not check (unsafe)"},
};

constexpr EnumName<X11Mode> kX11Names[] = {
    {X11Mode::Off, "off", "Off"},
    {X11Mode::Untrusted, "untrusted", "Untrusted (ssh -X)"},
    {X11Mode::Trusted, "trusted", "Trusted (ssh -Y)"},
};

const char* const kCursorNames[] = {"block", "bar", "underline"};
const char* const kBellNames[] = {"none", "visual", "audible"};

template <typename Enum, std::size_t N>
Enum enumFromName(const QString& name, const char* const (&names)[N], Enum fallback)
{
    for (std::size_t i = 0; i < N; ++i) {
        if (name == QLatin1String(names[i]))
            return static_cast<Enum>(i);
    }
    return fallback;
}

QJsonArray toJsonArray(const QStringList& list)
{
    return QJsonArray::fromStringList(list);
}

QStringList stringList(const QJsonValue& value)
{
    QStringList out;
    for (const QJsonValue& item : value.toArray()) {
        if (item.isString())
            out.append(item.toString());
    }
    return out;
}

bool hasControlCharacters(const QString& text)
{
    for (QChar c : text) {
        if (c.category() == QChar::Other_Control)
            return true;
    }
    return false;
}

bool isValidHostName(const QString& host)
{
    if (host.isEmpty() || host.size() > 253 || hasControlCharacters(host))
        return false;
    // An IPv6 literal, or names/IPv4 made of letters, digits, '-', '.', '_' (as OpenSSH
    // accepts in Host aliases resolved by the system).
    static const QRegularExpression v6(QStringLiteral("^[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?$"));
    static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\\.?$"));
    if (host.contains(u':'))
        return v6.match(host).hasMatch();
    return name.match(host).hasMatch();
}

bool isValidPort(int port)
{
    return port >= 1 && port <= 65535;
}

// "host" or "[v6]" for places where a port follows a colon.
QString bracketIfV6(const QString& host)
{
    return host.contains(u':') ? u'[' + host + u']' : host;
}

} // namespace

QString authMethodKey(AuthMethod method)
{
    return QLatin1String(entryFor(kAuthNames, method)->key);
}

QString authMethodLabel(AuthMethod method)
{
    return QString::fromLatin1(entryFor(kAuthNames, method)->label);
}

std::optional<AuthMethod> authMethodFromKey(const QString& key)
{
    return valueForKey(kAuthNames, key);
}

QList<AuthMethod> defaultAuthMethods()
{
    // OpenSSH's PreferredAuthentications order, minus GSSAPI and host-based.
    return {AuthMethod::PublicKey, AuthMethod::Agent, AuthMethod::KeyboardInteractive,
            AuthMethod::Password};
}

QString hostKeyPolicyKey(HostKeyPolicy policy)
{
    return QLatin1String(entryFor(kPolicyNames, policy)->key);
}

QString hostKeyPolicyLabel(HostKeyPolicy policy)
{
    return QString::fromLatin1(entryFor(kPolicyNames, policy)->label);
}

std::optional<HostKeyPolicy> hostKeyPolicyFromKey(const QString& key)
{
    return valueForKey(kPolicyNames, key);
}

QString x11ModeKey(X11Mode mode)
{
    return QLatin1String(entryFor(kX11Names, mode)->key);
}

QString x11ModeLabel(X11Mode mode)
{
    return QString::fromLatin1(entryFor(kX11Names, mode)->label);
}

std::optional<X11Mode> x11ModeFromKey(const QString& key)
{
    return valueForKey(kX11Names, key);
}

QString forwardKindLetter(PortForward::Kind kind)
{
    switch (kind) {
    case PortForward::Kind::Local: return QStringLiteral("L");
    case PortForward::Kind::Remote: return QStringLiteral("R");
    case PortForward::Kind::Dynamic: return QStringLiteral("D");
    }
    return {};
}

QString PortForward::toSshSpec() const
{
    QString spec;
    if (!bindAddress.isEmpty())
        spec = bracketIfV6(bindAddress) + u':';
    spec += QString::number(bindPort);
    if (kind != Kind::Dynamic)
        spec += u':' + bracketIfV6(targetHost) + u':' + QString::number(targetPort);
    return spec;
}

std::optional<PortForward> PortForward::fromSshSpec(Kind kind, const QString& text)
{
    // Split on ':' outside brackets, as ssh(1) does for -L/-R/-D arguments.
    QStringList parts;
    QString current;
    int depth = 0;
    for (QChar c : text.trimmed()) {
        if (c == u'[') {
            ++depth;
        } else if (c == u']') {
            --depth;
        } else if (c == u':' && depth == 0) {
            parts.append(current);
            current.clear();
        } else {
            current.append(c);
        }
    }
    parts.append(current);

    PortForward forward;
    forward.kind = kind;
    bool ok = true;
    const qsizetype targetParts = kind == Kind::Dynamic ? 0 : 2;
    if (parts.size() == 1 + targetParts) {
        forward.bindPort = parts[0].toInt(&ok);
    } else if (parts.size() == 2 + targetParts) {
        forward.bindAddress = parts[0];
        forward.bindPort = parts[1].toInt(&ok);
    } else {
        return std::nullopt;
    }
    if (!ok)
        return std::nullopt;
    if (targetParts) {
        forward.targetHost = parts[parts.size() - 2];
        forward.targetPort = parts.last().toInt(&ok);
        if (!ok)
            return std::nullopt;
    }
    return forward;
}

QJsonObject sessionToJson(const Session& s)
{
    QJsonArray auth;
    for (AuthMethod m : s.authMethods)
        auth.append(authMethodKey(m));
    QJsonArray forwards;
    for (const PortForward& f : s.forwards) {
        QJsonObject o{{"kind", forwardKindLetter(f.kind)}, {"bindPort", f.bindPort}};
        if (!f.bindAddress.isEmpty())
            o.insert("bindAddress", f.bindAddress);
        if (f.kind != PortForward::Kind::Dynamic) {
            o.insert("targetHost", f.targetHost);
            o.insert("targetPort", f.targetPort);
        }
        forwards.append(o);
    }
    QJsonArray environment;
    for (const auto& [name, value] : s.environment)
        environment.append(QJsonObject{{"name", name}, {"value", value}});
    QJsonObject terminal;
    if (!s.terminal.fontFamily.isEmpty())
        terminal.insert("fontFamily", s.terminal.fontFamily);
    if (s.terminal.fontPointSize > 0)
        terminal.insert("fontPointSize", s.terminal.fontPointSize);
    if (!s.terminal.colorScheme.isEmpty())
        terminal.insert("colorScheme", s.terminal.colorScheme);
    if (s.terminal.scrollbackLines > 0)
        terminal.insert("scrollbackLines", s.terminal.scrollbackLines);
    if (!s.terminal.termType.isEmpty())
        terminal.insert("termType", s.terminal.termType);

    QJsonObject o{
        {"id", s.id.toString(QUuid::WithoutBraces)},
        {"name", s.name},
        {"host", s.host},
        {"port", s.port},
        {"user", s.user},
        {"authMethods", auth},
        {"keyFile", s.keyFile},
        {"jumpHosts", toJsonArray(s.jumpHosts)},
        {"forwards", forwards},
        {"environment", environment},
        {"remoteCommand", s.remoteCommand},
        {"keepaliveSeconds", s.keepaliveSeconds},
        {"autoReconnect", s.autoReconnect},
        {"x11Forwarding", x11ModeKey(s.x11Forwarding)},
        {"terminal", terminal},
        {"hostKeyPolicy", hostKeyPolicyKey(s.hostKeyPolicy)},
        {"notes", s.notes},
        {"tags", toJsonArray(s.tags)},
    };
    if (!s.origin.isEmpty())
        o.insert("origin", s.origin);
    return o;
}

Session sessionFromJson(const QJsonObject& o)
{
    Session s;
    s.id = QUuid::fromString(o.value("id").toString());
    if (s.id.isNull())
        s.id = QUuid::createUuid();
    s.name = o.value("name").toString();
    s.host = o.value("host").toString();
    s.port = o.value("port").toInt(22);
    s.user = o.value("user").toString();
    if (o.contains("authMethods")) {
        s.authMethods.clear();
        for (const QString& key : stringList(o.value("authMethods"))) {
            if (auto m = authMethodFromKey(key); m && !s.authMethods.contains(*m))
                s.authMethods.append(*m);
        }
    }
    s.keyFile = o.value("keyFile").toString();
    s.jumpHosts = stringList(o.value("jumpHosts"));
    for (const QJsonValue& v : o.value("forwards").toArray()) {
        const QJsonObject f = v.toObject();
        PortForward forward;
        const QString kind = f.value("kind").toString();
        if (kind == u"L")
            forward.kind = PortForward::Kind::Local;
        else if (kind == u"R")
            forward.kind = PortForward::Kind::Remote;
        else if (kind == u"D")
            forward.kind = PortForward::Kind::Dynamic;
        else
            continue;
        forward.bindAddress = f.value("bindAddress").toString();
        forward.bindPort = f.value("bindPort").toInt();
        forward.targetHost = f.value("targetHost").toString();
        forward.targetPort = f.value("targetPort").toInt();
        s.forwards.append(forward);
    }
    for (const QJsonValue& v : o.value("environment").toArray()) {
        const QJsonObject e = v.toObject();
        s.environment.append({e.value("name").toString(), e.value("value").toString()});
    }
    s.remoteCommand = o.value("remoteCommand").toString();
    s.keepaliveSeconds = o.value("keepaliveSeconds").toInt();
    s.autoReconnect = o.value("autoReconnect").toBool();
    s.x11Forwarding = x11ModeFromKey(o.value("x11Forwarding").toString()).value_or(X11Mode::Off);
    const QJsonObject t = o.value("terminal").toObject();
    s.terminal.fontFamily = t.value("fontFamily").toString();
    s.terminal.fontPointSize = t.value("fontPointSize").toInt();
    s.terminal.colorScheme = t.value("colorScheme").toString();
    s.terminal.scrollbackLines = t.value("scrollbackLines").toInt();
    s.terminal.termType = t.value("termType").toString();
    s.hostKeyPolicy = hostKeyPolicyFromKey(o.value("hostKeyPolicy").toString()).value_or(HostKeyPolicy::Ask);
    s.notes = o.value("notes").toString();
    s.tags = stringList(o.value("tags"));
    s.origin = o.value("origin").toString();
    return s;
}

QJsonObject preferencesToJson(const Preferences& p)
{
    return QJsonObject{
        {"fontFamily", p.fontFamily},
        {"fontPointSize", p.fontPointSize},
        {"colorScheme", p.colorScheme},
        {"scrollbackLines", p.scrollbackLines},
        {"cursorShape", QLatin1String(kCursorNames[static_cast<int>(p.cursorShape)])},
        {"cursorBlinks", p.cursorBlinks},
        {"bell", QLatin1String(kBellNames[static_cast<int>(p.bell)])},
        {"copyOnSelect", p.copyOnSelect},
        {"confirmMultilinePaste", p.confirmMultilinePaste},
        {"defaultUser", p.defaultUser},
        {"keepaliveSeconds", p.keepaliveSeconds},
        {"themeFollowsSystem", p.themeFollowsSystem},
        {"quickConnectHistory", toJsonArray(p.quickConnectHistory)},
    };
}

Preferences preferencesFromJson(const QJsonObject& o)
{
    Preferences p;
    p.fontFamily = o.value("fontFamily").toString(p.fontFamily);
    p.fontPointSize = o.value("fontPointSize").toInt(p.fontPointSize);
    p.colorScheme = o.value("colorScheme").toString(p.colorScheme);
    p.scrollbackLines = o.value("scrollbackLines").toInt(p.scrollbackLines);
    p.cursorShape = enumFromName(o.value("cursorShape").toString(), kCursorNames, p.cursorShape);
    p.cursorBlinks = o.value("cursorBlinks").toBool(p.cursorBlinks);
    p.bell = enumFromName(o.value("bell").toString(), kBellNames, p.bell);
    p.copyOnSelect = o.value("copyOnSelect").toBool(p.copyOnSelect);
    p.confirmMultilinePaste = o.value("confirmMultilinePaste").toBool(p.confirmMultilinePaste);
    p.defaultUser = o.value("defaultUser").toString();
    p.keepaliveSeconds = o.value("keepaliveSeconds").toInt(p.keepaliveSeconds);
    p.themeFollowsSystem = o.value("themeFollowsSystem").toBool(p.themeFollowsSystem);
    p.quickConnectHistory = stringList(o.value("quickConnectHistory"));
    return p;
}

QStringList validateSession(const Session& s)
{
    QStringList problems;
    if (s.name.trimmed().isEmpty())
        problems << QStringLiteral("Name: give the session a name.");
    else if (s.name.contains(u'/'))
        problems << QStringLiteral("Name: “/” separates folders and cannot be part of a name.");
    if (s.host.trimmed().isEmpty())
        problems << QStringLiteral("Host: enter a host name or address.");
    else if (!isValidHostName(s.host))
        problems << QStringLiteral("Host: “%1” is not a host name or IP address.").arg(s.host);
    if (!isValidPort(s.port))
        problems << QStringLiteral("Port: %1 is outside 1–65535.").arg(s.port);
    if (s.user.contains(QRegularExpression(QStringLiteral("\\s"))) || hasControlCharacters(s.user))
        problems << QStringLiteral("User: a user name cannot contain spaces or control characters.");
    if (s.authMethods.isEmpty())
        problems << QStringLiteral("Authentication: choose at least one method.");
    if (!s.keyFile.isEmpty()) {
        const QFileInfo key(s.keyFile);
        if (!key.exists())
            problems << QStringLiteral("Key file: %1 does not exist.").arg(s.keyFile);
        else if (!key.isFile() || !key.isReadable())
            problems << QStringLiteral("Key file: %1 is not a readable file.").arg(s.keyFile);
    } else if (s.authMethods == QList<AuthMethod>{AuthMethod::PublicKey}) {
        problems << QStringLiteral("Key file: public-key is the only method, so choose a key file.");
    }
    for (const QString& jump : s.jumpHosts) {
        if (!parseConnectTarget(jump))
            problems << QStringLiteral("Jump hosts: “%1” is not [user@]host[:port].").arg(jump);
    }
    for (int i = 0; i < s.forwards.size(); ++i) {
        const PortForward& f = s.forwards[i];
        const QString row = QStringLiteral("Forward %1 (%2)").arg(i + 1).arg(forwardKindLetter(f.kind));
        // A remote forward may ask the server to pick the port (RFC 4254 §7.1: port 0).
        const bool portZeroAllowed = f.kind == PortForward::Kind::Remote;
        if (!(isValidPort(f.bindPort) || (portZeroAllowed && f.bindPort == 0)))
            problems << QStringLiteral("%1: listening port %2 is outside 1–65535.").arg(row).arg(f.bindPort);
        if (!f.bindAddress.isEmpty() && f.bindAddress != u"*" && !isValidHostName(f.bindAddress))
            problems << QStringLiteral("%1: “%2” is not a listening address.").arg(row, f.bindAddress);
        if (f.kind != PortForward::Kind::Dynamic) {
            if (!isValidHostName(f.targetHost))
                problems << QStringLiteral("%1: enter the destination host.").arg(row);
            if (!isValidPort(f.targetPort))
                problems << QStringLiteral("%1: destination port %2 is outside 1–65535.").arg(row).arg(f.targetPort);
        }
        for (int j = 0; j < i; ++j) {
            const PortForward& g = s.forwards[j];
            const bool sameSide = (f.kind == PortForward::Kind::Remote) == (g.kind == PortForward::Kind::Remote);
            if (sameSide && f.bindPort != 0 && f.bindPort == g.bindPort && f.bindAddress == g.bindAddress)
                problems << QStringLiteral("%1: port %2 is already used by forward %3.").arg(row).arg(f.bindPort).arg(j + 1);
        }
    }
    static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    for (const auto& [name, value] : s.environment) {
        if (!envName.match(name).hasMatch())
            problems << QStringLiteral("Environment: “%1” is not a variable name.").arg(name);
        else if (hasControlCharacters(value))
            problems << QStringLiteral("Environment: the value of %1 contains control characters.").arg(name);
    }
    if (s.keepaliveSeconds < 0 || s.keepaliveSeconds > 86400)
        problems << QStringLiteral("Keepalive: %1 s is outside 0–86400 (0 uses the preference).").arg(s.keepaliveSeconds);
    if (s.terminal.scrollbackLines < 0 || s.terminal.scrollbackLines > 1000000)
        problems << QStringLiteral("Scrollback: %1 lines is outside 0–1000000.").arg(s.terminal.scrollbackLines);
    if (s.terminal.fontPointSize < 0 || s.terminal.fontPointSize > 200)
        problems << QStringLiteral("Font size: %1 pt is outside 1–200.").arg(s.terminal.fontPointSize);
    static const QRegularExpression termType(QStringLiteral("^[A-Za-z0-9._+-]*$"));
    if (!termType.match(s.terminal.termType).hasMatch())
        problems << QStringLiteral("TERM: “%1” may hold only letters, digits, “.”, “_”, “+” and “-”.").arg(s.terminal.termType);
    for (const QString& tag : s.tags) {
        if (tag.trimmed().isEmpty() || tag.contains(u','))
            problems << QStringLiteral("Tags: tags are separated by commas and cannot be empty.");
    }
    return problems;
}

QString ConnectTarget::toString() const
{
    QString text = user.isEmpty() ? QString() : user + u'@';
    if (port == 22)
        return text + host;
    return text + bracketIfV6(host) + u':' + QString::number(port);
}

std::optional<ConnectTarget> parseConnectTarget(const QString& input)
{
    QString text = input.trimmed();
    ConnectTarget target;
    if (text.startsWith(QLatin1String("ssh://"), Qt::CaseInsensitive)) {
        // RFC 3986 authority; the SSH URI draft allows ";params" after the user, which we drop.
        const QUrl url(text, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty() || !(url.path().isEmpty() || url.path() == u"/"))
            return std::nullopt;
        target.user = url.userName().section(u';', 0, 0);
        target.host = url.host();
        target.port = url.port(22);
        if (!isValidHostName(target.host) || !isValidPort(target.port))
            return std::nullopt;
        return target;
    }
    if (text.isEmpty() || text.contains(QRegularExpression(QStringLiteral("[\\s/]"))))
        return std::nullopt;
    const qsizetype at = text.lastIndexOf(u'@');
    if (at >= 0) {
        target.user = text.left(at);
        text = text.mid(at + 1);
        if (target.user.isEmpty())
            return std::nullopt;
    }
    QString portText;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0)
            return std::nullopt;
        target.host = text.mid(1, close - 1);
        const QString rest = text.mid(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(u':'))
                return std::nullopt;
            portText = rest.mid(1);
        }
    } else if (text.count(u':') == 1) {
        target.host = text.section(u':', 0, 0);
        portText = text.section(u':', 1);
    } else {
        target.host = text; // a host name, or a bare IPv6 address without a port
    }
    if (!portText.isNull()) {
        bool ok = false;
        target.port = portText.toInt(&ok);
        if (!ok)
            return std::nullopt;
    }
    if (!isValidHostName(target.host) || !isValidPort(target.port))
        return std::nullopt;
    return target;
}

QString shellQuoted(const QString& argument)
{
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9@%+=:,./_-]+$"));
    if (safe.match(argument).hasMatch())
        return argument;
    QString quoted = argument;
    quoted.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + quoted + u'\'';
}

QString sshCommandLine(const Session& s)
{
    QStringList args{QStringLiteral("ssh")};
    if (s.port != 22)
        args << QStringLiteral("-p") << QString::number(s.port);
    if (!s.keyFile.isEmpty())
        args << QStringLiteral("-i") << s.keyFile;
    if (!s.jumpHosts.isEmpty())
        args << QStringLiteral("-J") << s.jumpHosts.join(u',');
    for (const PortForward& f : s.forwards)
        args << u'-' + forwardKindLetter(f.kind) << f.toSshSpec();
    for (const auto& [name, value] : s.environment)
        args << QStringLiteral("-o") << QStringLiteral("SetEnv=%1=%2").arg(name, value);
    if (s.keepaliveSeconds > 0)
        args << QStringLiteral("-o") << QStringLiteral("ServerAliveInterval=%1").arg(s.keepaliveSeconds);
    switch (s.hostKeyPolicy) {
    case HostKeyPolicy::Ask: break;
    case HostKeyPolicy::Strict: args << QStringLiteral("-o") << QStringLiteral("StrictHostKeyChecking=yes"); break;
    case HostKeyPolicy::AcceptNew: args << QStringLiteral("-o") << QStringLiteral("StrictHostKeyChecking=accept-new"); break;
    case HostKeyPolicy::AcceptAny: args << QStringLiteral("-o") << QStringLiteral("StrictHostKeyChecking=no"); break;
    }
    if (!s.remoteCommand.isEmpty())
        args << QStringLiteral("-t");
    args << (s.user.isEmpty() ? s.host : s.user + u'@' + s.host);
    if (!s.remoteCommand.isEmpty())
        args << s.remoteCommand;
    QStringList quoted;
    for (const QString& a : args)
        quoted << shellQuoted(a);
    return quoted.join(u' ');
}

} // namespace portal::ui
