// PuTTY and ssh_config(5) session import.
#include "SessionImport.h"

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

// --- ssh_config ----------------------------------------------------------------------

// ssh_config(5): keyword and arguments separated by whitespace or one '=', arguments may be
// double-quoted.
QStringList tokenizeConfigLine(const QString& line)
{
    QStringList tokens;
    QString current;
    bool quoted = false, have = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (quoted) {
            if (c == u'"')
                quoted = false;
            else
                current.append(c);
        } else if (c == u'"') {
            quoted = true;
            have = true;
        } else if (c.isSpace() || (c == u'=' && tokens.isEmpty())) {
            if (have || !current.isEmpty())
                tokens.append(current);
            current.clear();
            have = false;
        } else if (c == u'#' && current.isEmpty() && !have) {
            break;
        } else {
            current.append(c);
        }
    }
    if (have || !current.isEmpty())
        tokens.append(current);
    return tokens;
}

// ssh's match_pattern: '*' any run, '?' one character, case-insensitive for host names.
bool globMatches(QStringView pattern, QStringView text)
{
    while (!pattern.isEmpty()) {
        if (pattern.front() == u'*') {
            pattern = pattern.mid(1);
            if (pattern.isEmpty())
                return true;
            for (qsizetype i = 0; i <= text.size(); ++i) {
                if (globMatches(pattern, text.mid(i)))
                    return true;
            }
            return false;
        }
        if (text.isEmpty())
            return false;
        if (pattern.front() != u'?' && pattern.front().toLower() != text.front().toLower())
            return false;
        pattern = pattern.mid(1);
        text = text.mid(1);
    }
    return text.isEmpty();
}

bool isConcreteAlias(const QString& pattern)
{
    return !pattern.contains(u'*') && !pattern.contains(u'?') && !pattern.startsWith(u'!');
}

struct ConfigBlock {
    QStringList patterns; // empty for the lines before the first Host (apply to all)
    bool isMatchBlock = false;
    QList<QStringList> lines; // tokenised: keyword (lower case) then arguments
};

struct ConfigReader {
    QString home;
    QList<ConfigBlock> blocks{ConfigBlock{}};
    QStringList notes;

    QString expandHome(const QString& path) const
    {
        if (path == u"~")
            return home;
        if (path.startsWith(QLatin1String("~/")))
            return home + path.mid(1);
        return path;
    }

    void read(const QString& path, int depth)
    {
        // OpenSSH limits Include nesting to 16 levels; so do we, to stop include loops.
        if (depth > 16) {
            notes << QStringLiteral("%1: Include nested too deeply; not followed.").arg(path);
            return;
        }
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            if (depth == 0)
                notes << QStringLiteral("%1: %2").arg(path, file.errorString());
            return;
        }
        const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n');
        for (const QString& line : lines) {
            QStringList tokens = tokenizeConfigLine(line);
            if (tokens.isEmpty())
                continue;
            tokens[0] = tokens[0].toLower();
            if (tokens[0] == u"host") {
                blocks.append(ConfigBlock{tokens.mid(1), false, {}});
            } else if (tokens[0] == u"match") {
                // Match criteria (exec, user, localuser...) cannot be judged at import time.
                blocks.append(ConfigBlock{{}, true, {}});
            } else if (tokens[0] == u"include") {
                for (const QString& pattern : tokens.mid(1)) {
                    QString expanded = expandHome(pattern);
                    if (QFileInfo(expanded).isRelative())
                        expanded = home + QStringLiteral("/.ssh/") + expanded;
                    const QFileInfo info(expanded);
                    const QStringList matches = QDir(info.absolutePath())
                                                    .entryList({info.fileName()}, QDir::Files, QDir::Name);
                    for (const QString& match : matches)
                        read(info.absolutePath() + u'/' + match, depth + 1);
                }
            } else {
                blocks.last().lines.append(tokens);
            }
        }
    }

    bool blockApplies(const ConfigBlock& block, const QString& alias) const
    {
        if (block.isMatchBlock)
            return false;
        if (block.patterns.isEmpty())
            return true;
        bool matched = false;
        for (const QString& pattern : block.patterns) {
            if (pattern.startsWith(u'!')) {
                if (globMatches(QStringView(pattern).mid(1), alias))
                    return false;
            } else if (globMatches(pattern, alias)) {
                matched = true;
            }
        }
        return matched;
    }
};

std::optional<int> portNumber(const QString& text)
{
    bool ok = false;
    const int port = text.toInt(&ok);
    if (!ok || port < 0 || port > 65535)
        return std::nullopt;
    return port;
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

ImportResult importSshConfig(const QString& path, const QString& homeDirectory)
{
    ConfigReader reader;
    reader.home = homeDirectory;
    reader.read(path, 0);
    ImportResult result;
    result.notes = reader.notes;

    QStringList aliases;
    for (const ConfigBlock& block : reader.blocks) {
        for (const QString& pattern : block.patterns) {
            if (isConcreteAlias(pattern) && !aliases.contains(pattern))
                aliases << pattern;
        }
    }

    for (const QString& alias : aliases) {
        // ssh(1): for each keyword the first value obtained wins, except the options
        // that accumulate (IdentityFile, the forwards, SetEnv).
        QMap<QString, QStringList> first;
        QList<QStringList> identityFiles, localForwards, remoteForwards, dynamicForwards, setEnv;
        for (const ConfigBlock& block : reader.blocks) {
            if (!reader.blockApplies(block, alias))
                continue;
            for (const QStringList& line : block.lines) {
                const QString& keyword = line[0];
                const QStringList args = line.mid(1);
                if (keyword == u"identityfile")
                    identityFiles << args;
                else if (keyword == u"localforward")
                    localForwards << args;
                else if (keyword == u"remoteforward")
                    remoteForwards << args;
                else if (keyword == u"dynamicforward")
                    dynamicForwards << args;
                else if (keyword == u"setenv")
                    setEnv << args;
                else if (!first.contains(keyword))
                    first.insert(keyword, args);
            }
        }
        auto value = [&](const char* keyword) { return first.value(QLatin1String(keyword)).value(0); };

        Session s;
        s.id = QUuid::createUuid();
        s.name = alias;
        s.origin = QStringLiteral("ssh_config:") + alias;
        s.host = value("hostname").isEmpty() ? alias : value("hostname");
        s.host.replace(QLatin1String("%h"), alias);
        s.user = value("user");
        if (!value("port").isEmpty()) {
            if (auto port = portNumber(value("port")))
                s.port = *port;
            else
                result.notes << QStringLiteral("Host %1: Port “%2” is not a port number.").arg(alias, value("port"));
        }
        if (!identityFiles.isEmpty() && !identityFiles.first().isEmpty()) {
            s.keyFile = reader.expandHome(identityFiles.first().first());
            s.keyFile.replace(QLatin1String("%d"), homeDirectory);
            if (identityFiles.size() > 1)
                result.notes << QStringLiteral("Host %1: only the first IdentityFile was imported.").arg(alias);
        }
        if (const QString jump = value("proxyjump"); !jump.isEmpty() && jump.compare(u"none", Qt::CaseInsensitive) != 0) {
            for (QString hop : jump.split(u',', Qt::SkipEmptyParts)) {
                if (hop.startsWith(QLatin1String("ssh://"), Qt::CaseInsensitive))
                    hop = parseConnectTarget(hop).value_or(ConnectTarget{{}, hop, 22}).toString();
                s.jumpHosts << hop;
            }
        }
        auto addForwards = [&](PortForward::Kind kind, const QList<QStringList>& lines) {
            for (const QStringList& args : lines) {
                // "LocalForward [bind:]port host:hostport": the two halves are separate words.
                const QString spec = args.join(u':');
                if (auto forward = PortForward::fromSshSpec(kind, spec))
                    s.forwards << *forward;
                else
                    result.notes << QStringLiteral("Host %1: forward “%2” not understood; skipped.").arg(alias, args.join(u' '));
            }
        };
        addForwards(PortForward::Kind::Local, localForwards);
        addForwards(PortForward::Kind::Remote, remoteForwards);
        addForwards(PortForward::Kind::Dynamic, dynamicForwards);
        for (const QStringList& args : setEnv) {
            for (const QString& assignment : args) {
                const qsizetype eq = assignment.indexOf(u'=');
                if (eq > 0)
                    s.environment.append({assignment.left(eq), assignment.mid(eq + 1)});
            }
        }
        s.remoteCommand = first.value(QStringLiteral("remotecommand")).join(u' ');
        if (const QString interval = value("serveraliveinterval"); !interval.isEmpty())
            s.keepaliveSeconds = interval.toInt();
        const QString strict = value("stricthostkeychecking").toLower();
        if (strict == u"yes")
            s.hostKeyPolicy = HostKeyPolicy::Strict;
        else if (strict == u"accept-new")
            s.hostKeyPolicy = HostKeyPolicy::AcceptNew;
        else if (strict == u"no" || strict == u"off")
            s.hostKeyPolicy = HostKeyPolicy::AcceptAny;
        if (const QString preferred = value("preferredauthentications"); !preferred.isEmpty()) {
            s.authMethods.clear();
            for (const QString& method : preferred.split(u',', Qt::SkipEmptyParts)) {
                if (method == u"publickey")
                    s.authMethods << AuthMethod::PublicKey << AuthMethod::Agent;
                else if (auto m = authMethodFromKey(method); m && !s.authMethods.contains(*m))
                    s.authMethods << *m;
            }
            if (s.authMethods.isEmpty())
                s.authMethods = defaultAuthMethods();
        }
        result.sessions << s;
    }
    return result;
}

} // namespace portal::ui
