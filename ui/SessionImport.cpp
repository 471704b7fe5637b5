// PuTTY and ssh_config(5) session import.
#include "SessionImport.h"

#include "config/SshConfig.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStringDecoder>

namespace portal::ui {

namespace {

// --- PuTTY ---------------------------------------------------------------------------

// PuTTY's list settings (PortForwardings, Environment) are "key=value" items joined by
// commas, with '\' escaping ',', '=' and '\'. Sessions saved by PuTTY before 0.58 used a
// tab between key and value instead.
QList<QPair<QString, QString>> splitPuttyMap(const QString& text)
{
    QList<QPair<QString, QString>> items;
    QString key, value;
    bool inValue = false;
    auto finish = [&] {
        if (!key.isEmpty() || !value.isEmpty())
            items.append({key, value});
        key.clear();
        value.clear();
        inValue = false;
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        QChar c = text[i];
        if (c == u'\\' && i + 1 < text.size()) {
            (inValue ? value : key).append(text[++i]);
        } else if (c == u',') {
            finish();
        } else if ((c == u'=' || c == u'\t') && !inValue) {
            inValue = true;
        } else {
            (inValue ? value : key).append(c);
        }
    }
    finish();
    return items;
}

std::optional<PortForward> puttyForward(const QString& key, const QString& value)
{
    // key: optional '4'/'6' address family, then L/R/D, then "[addr:]port".
    QString spec = key;
    if (spec.startsWith(u'4') || spec.startsWith(u'6'))
        spec.remove(0, 1);
    if (spec.isEmpty())
        return std::nullopt;
    PortForward::Kind kind;
    switch (spec.front().unicode()) {
    case 'L': kind = PortForward::Kind::Local; break;
    case 'R': kind = PortForward::Kind::Remote; break;
    case 'D': kind = PortForward::Kind::Dynamic; break;
    default: return std::nullopt;
    }
    spec.remove(0, 1);
    if (kind != PortForward::Kind::Dynamic)
        spec += u':' + value;
    return PortForward::fromSshSpec(kind, spec);
}

QString setting(const QMap<QString, QString>& settings, const char* key)
{
    return settings.value(QLatin1String(key));
}

int intSetting(const QMap<QString, QString>& settings, const char* key, int fallback)
{
    bool ok = false;
    const int value = setting(settings, key).toInt(&ok);
    return ok ? value : fallback;
}

} // namespace

QString puttySessionNameFromFileName(const QString& fileName)
{
    return QString::fromUtf8(QByteArray::fromPercentEncoding(fileName.toUtf8()));
}

std::optional<Session> sessionFromPuttySettings(const QString& name, const QMap<QString, QString>& settings,
                                                QStringList& notes)
{
    const QString protocol = setting(settings, "Protocol");
    if (!protocol.isEmpty() && protocol != u"ssh") {
        notes << QStringLiteral("PuTTY session “%1” uses %2, not SSH; skipped.").arg(name, protocol);
        return std::nullopt;
    }
    Session s;
    s.id = QUuid::createUuid();
    s.name = name;
    s.origin = QStringLiteral("putty:") + name;
    s.host = setting(settings, "HostName").trimmed();
    // PuTTY accepts "user@host" in the host field.
    if (const qsizetype at = s.host.lastIndexOf(u'@'); at >= 0) {
        s.user = s.host.left(at);
        s.host = s.host.mid(at + 1);
    }
    if (s.host.isEmpty()) {
        notes << QStringLiteral("PuTTY session “%1” has no host name; skipped.").arg(name);
        return std::nullopt;
    }
    if (const QString user = setting(settings, "UserName"); !user.isEmpty())
        s.user = user;
    s.port = intSetting(settings, "PortNumber", 22);
    s.keyFile = setting(settings, "PublicKeyFile");

    s.authMethods.clear();
    if (!s.keyFile.isEmpty())
        s.authMethods << AuthMethod::PublicKey;
    if (intSetting(settings, "TryAgent", 1))
        s.authMethods << AuthMethod::Agent;
    if (intSetting(settings, "AuthKI", 1))
        s.authMethods << AuthMethod::KeyboardInteractive;
    s.authMethods << AuthMethod::Password;

    for (const auto& [key, value] : splitPuttyMap(setting(settings, "PortForwardings"))) {
        if (auto forward = puttyForward(key, value))
            s.forwards << *forward;
        else
            notes << QStringLiteral("PuTTY session “%1”: forward “%2” not understood; skipped.").arg(name, key);
    }
    for (const auto& [key, value] : splitPuttyMap(setting(settings, "Environment")))
        s.environment.append({key, value});
    s.remoteCommand = setting(settings, "RemoteCommand");

    // PuTTY writes every setting; carry over only what differs from its defaults, so the
    // imported session follows Portal's preferences otherwise.
    if (int ping = intSetting(settings, "PingIntervalSecs", 0); ping > 0)
        s.keepaliveSeconds = ping;
    else if (int minutes = intSetting(settings, "PingInterval", 0); minutes > 0)
        s.keepaliveSeconds = minutes * 60;
    if (int lines = intSetting(settings, "ScrollbackLines", 2000); lines != 2000)
        s.terminal.scrollbackLines = lines;
    if (const QString term = setting(settings, "TerminalType"); !term.isEmpty() && term != u"xterm")
        s.terminal.termType = term;

    // ProxyMethod 6 is "SSH to proxy and use port forwarding" (PuTTY 0.77+): a jump host.
    const int proxyMethod = intSetting(settings, "ProxyMethod", 0);
    const QString proxyHost = setting(settings, "ProxyHost");
    if (proxyMethod == 6 && !proxyHost.isEmpty()) {
        ConnectTarget jump{setting(settings, "ProxyUsername"), proxyHost, intSetting(settings, "ProxyPort", 22)};
        s.jumpHosts << jump.toString();
    } else if (proxyMethod != 0) {
        notes << QStringLiteral("PuTTY session “%1”: its proxy setting was not imported.").arg(name);
    }
    return s;
}

ImportResult importPuttySessionDirectory(const QString& directory)
{
    ImportResult result;
    const QDir dir(directory);
    if (!dir.exists()) {
        result.notes << QStringLiteral("%1 does not exist.").arg(directory);
        return result;
    }
    for (const QString& fileName : dir.entryList(QDir::Files, QDir::Name)) {
        const QString name = puttySessionNameFromFileName(fileName);
        if (name == u"Default Settings")
            continue; // PuTTY's template for new sessions, not a host
        QFile file(dir.filePath(fileName));
        if (!file.open(QIODevice::ReadOnly)) {
            result.notes << QStringLiteral("%1: %2").arg(file.fileName(), file.errorString());
            continue;
        }
        QMap<QString, QString> settings;
        for (const QByteArray& raw : file.readAll().split('\n')) {
            const QString line = QString::fromUtf8(raw).remove(u'\r');
            const qsizetype eq = line.indexOf(u'=');
            if (eq > 0)
                settings.insert(line.left(eq), line.mid(eq + 1));
        }
        if (auto session = sessionFromPuttySettings(name, settings, result.notes))
            result.sessions << *session;
    }
    return result;
}

ImportResult importPuttyRegistryExport(const QByteArray& regFile)
{
    ImportResult result;
    QString text;
    if (regFile.startsWith("\xFF\xFE"))
        text = QStringDecoder(QStringDecoder::Utf16LE).decode(regFile.mid(2));
    else
        text = QString::fromUtf8(regFile);

    static const QRegularExpression section(
        QStringLiteral(R"re(^\[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\([^\]]+)\]$)re"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression stringValue(QStringLiteral(R"re(^"((?:[^"\\]|\\.)*)"="((?:[^"\\]|\\.)*)"$)re"));
    static const QRegularExpression dwordValue(QStringLiteral(R"re(^"((?:[^"\\]|\\.)*)"=dword:([0-9a-fA-F]{8})$)re"));
    auto unescape = [](QString s) {
        static const QRegularExpression escape(QStringLiteral(R"re(\\(.))re"));
        return s.replace(escape, QStringLiteral("\\1"));
    };

    QString name;
    QMap<QString, QString> settings;
    auto finish = [&] {
        if (!name.isEmpty() && name != u"Default Settings") {
            if (auto session = sessionFromPuttySettings(name, settings, result.notes))
                result.sessions << *session;
        }
        name.clear();
        settings.clear();
    };
    for (QString line : text.split(u'\n')) {
        line = line.trimmed();
        if (line.startsWith(u'[')) {
            finish();
            if (auto m = section.match(line); m.hasMatch())
                name = puttySessionNameFromFileName(m.captured(1));
        } else if (auto m = stringValue.match(line); m.hasMatch()) {
            settings.insert(unescape(m.captured(1)), unescape(m.captured(2)));
        } else if (auto d = dwordValue.match(line); d.hasMatch()) {
            settings.insert(unescape(d.captured(1)), QString::number(d.captured(2).toUInt(nullptr, 16)));
        }
    }
    finish();
    return result;
}

namespace {

namespace config = protocol::config;

QString fromStd(const std::string& text)
{
    return QString::fromStdString(text);
}

// One side of a forward in OpenSSH's spelling, brackets around an IPv6 address.
QString endpointSpec(const config::ForwardEndpoint& endpoint)
{
    QString host = fromStd(endpoint.host);
    if (host.contains(u':'))
        host = u'[' + host + u']';
    const QString port = QString::number(endpoint.port);
    return host.isEmpty() ? port : host + u':' + port;
}

// PreferredAuthentications (ssh_config(5) method names) as the session's ordered methods.
QList<AuthMethod> authMethodsFrom(const std::vector<std::string>& preferred)
{
    QList<AuthMethod> methods;
    for (const std::string& name : preferred) {
        if (name == "publickey") {
            // ssh(1) offers agent keys and identity files alike under "publickey".
            for (AuthMethod m : {AuthMethod::PublicKey, AuthMethod::Agent})
                if (!methods.contains(m))
                    methods << m;
        } else if (auto m = authMethodFromKey(fromStd(name)); m && !methods.contains(*m)) {
            methods << *m;
        }
    }
    return methods.isEmpty() ? defaultAuthMethods() : methods;
}

} // namespace

ImportResult importSshConfig(const QString& path, const QString& homeDirectory)
{
    // The same reader portal-cli uses and the tests compare with `ssh -G`: each Host alias is
    // resolved as `ssh alias` would resolve it (Match blocks, Include, first value wins).
    // The local user name stays empty so that a host without User keeps Portal's default user.
    ImportResult result;
    config::LocalContext local;
    local.homeDirectory = homeDirectory.toStdString();
    const config::ConfigFileAccess files = config::localConfigFileAccess();
    const std::vector<config::ConfigSource> sources{{path.toStdString(), true, false}};

    const auto aliases = config::listConfiguredHosts(sources, local, files);
    if (!aliases) {
        result.notes << fromStd(aliases.error().message);
        return result;
    }
    // What the files say when they say nothing about a host: OpenSSH's default identities.
    const auto defaults = config::resolveSshConfig({"\x01", std::nullopt, std::nullopt}, {}, local, files);

    QStringList warnings;
    for (const std::string& alias : *aliases) {
        const QString name = fromStd(alias);
        const auto options = config::resolveSshConfig({alias, std::nullopt, std::nullopt}, sources, local, files);
        if (!options) {
            result.notes << QStringLiteral("Host %1: %2").arg(name, fromStd(options.error().message));
            continue;
        }
        for (const std::string& warning : options->warnings)
            if (!warnings.contains(fromStd(warning)))
                warnings << fromStd(warning);

        Session s;
        s.id = QUuid::createUuid();
        s.name = name;
        s.origin = QStringLiteral("ssh_config:") + name;
        s.host = fromStd(options->hostName);
        s.user = fromStd(options->user);
        s.port = options->port;

        if (defaults && options->identityFiles != defaults->identityFiles && !options->identityFiles.empty()) {
            if (auto file = options->expandPath(options->identityFiles.front(), local))
                s.keyFile = fromStd(*file);
            if (options->identityFiles.size() > 1)
                result.notes << QStringLiteral("Host %1: only the first IdentityFile was imported.").arg(name);
        }
        for (const config::JumpHost& hop : options->proxyJump)
            s.jumpHosts << ConnectTarget{fromStd(hop.user), fromStd(hop.host), hop.port == 0 ? 22 : hop.port}.toString();
        if (!options->proxyCommand.empty() && options->proxyCommand != "none")
            result.notes << QStringLiteral("Host %1: ProxyCommand is not carried over.").arg(name);

        auto addForwards = [&](PortForward::Kind kind, const std::vector<config::Forward>& forwards) {
            for (const config::Forward& forward : forwards) {
                const bool unixSocket =
                    !forward.listen.path.empty() || (forward.connect && !forward.connect->path.empty());
                QString spec = endpointSpec(forward.listen);
                if (forward.connect)
                    spec += u':' + endpointSpec(*forward.connect);
                const auto parsed = unixSocket ? std::nullopt : PortForward::fromSshSpec(kind, spec);
                if (parsed)
                    s.forwards << *parsed;
                else
                    result.notes << QStringLiteral("Host %1: forward %2 %3 is not carried over.")
                                        .arg(name, forwardKindLetter(kind), unixSocket ? QStringLiteral("(Unix socket)") : spec);
            }
        };
        addForwards(PortForward::Kind::Local, options->localForwards);
        addForwards(PortForward::Kind::Remote, options->remoteForwards);
        addForwards(PortForward::Kind::Dynamic, options->dynamicForwards);

        for (const std::string& assignment : options->setEnv) {
            const QString text = fromStd(assignment);
            const qsizetype eq = text.indexOf(u'=');
            if (eq > 0)
                s.environment.append({text.left(eq), text.mid(eq + 1)});
        }
        s.remoteCommand = fromStd(options->remoteCommand);
        s.keepaliveSeconds = int(options->serverAliveInterval.count());
        switch (options->strictHostKeyChecking) {
        case config::StrictHostKeyChecking::Yes: s.hostKeyPolicy = HostKeyPolicy::Strict; break;
        case config::StrictHostKeyChecking::AcceptNew: s.hostKeyPolicy = HostKeyPolicy::AcceptNew; break;
        case config::StrictHostKeyChecking::No: s.hostKeyPolicy = HostKeyPolicy::AcceptAny; break;
        case config::StrictHostKeyChecking::Ask: s.hostKeyPolicy = HostKeyPolicy::Ask; break;
        }
        s.authMethods = authMethodsFrom(options->preferredAuthentications);
        result.sessions << s;
    }
    result.notes << warnings;
    return result;
}

} // namespace portal::ui
