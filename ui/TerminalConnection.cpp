// One SSH shell connection for a terminal pane: worker thread, dialogs, reconnects.
#include "TerminalConnection.h"

#include "AgentConnection.h"
#include "PasswordVault.h"

#include "FeedQueue.h"
#include "SshWorker.h"

#include <QDir>
#include <QFileInfo>
#include <QTimer>

namespace portal::ui {

namespace client = protocol::client;
using protocol::qt::SshWorker;
using protocol::qt::SshWorkerThread;
using protocol::qt::ConnectOptions;

namespace {

QString fromStd(const std::string& text)
{
    return QString::fromStdString(text);
}

// Back-off for automatic reconnects: 1, 2, 4, ... seconds, at most a minute.
int backoffSeconds(int attempt)
{
    return std::min(60, 1 << std::min(attempt, 6));
}

// A changed key's details for the warning dialog, from the core's structured error
// (HostKeyVerifier). Returns nothing when the error is about something else.
std::optional<ChangedHostKey> changedKeyFromError(const Session& session, const protocol::Error& error)
{
    if (error.category != protocol::ErrorCategory::HostKey || !error.changedHostKey)
        return std::nullopt;
    const protocol::ChangedHostKeyDetail& detail = *error.changedHostKey;
    ChangedHostKey key;
    key.host = session.host;
    key.port = session.port;
    key.keyType = fromStd(detail.keyFamily);
    key.newFingerprint = fromStd(detail.newFingerprint);
    key.oldKeyFile = fromStd(detail.knownHostsFile);
    key.oldKeyLine = detail.knownHostsLine;
    return key;
}

// Runs `call` on the worker in the worker's thread (a queued call: the UI never waits).
void callWorker(SshWorker* worker, std::function<void(SshWorker*)> call)
{
    if (worker)
        QMetaObject::invokeMethod(worker, [worker, call = std::move(call)] { call(worker); });
}

} // namespace

client::ClientConfig TerminalConnection::clientConfigFor(const Session& session, const Preferences& preferences)
{
    client::ClientConfig config;
    config.host = session.host.toStdString();
    config.port = session.port;
    QString user = session.user;
    if (user.isEmpty())
        user = preferences.defaultUser;
    if (user.isEmpty())
        user = qEnvironmentVariable("USER", qEnvironmentVariable("USERNAME"));
    config.user = user.toStdString();

    const QList<AuthMethod>& methods = session.authMethods;
    config.allowPublicKey = methods.contains(AuthMethod::PublicKey) || methods.contains(AuthMethod::Agent);
    config.allowKeyboardInteractive = methods.contains(AuthMethod::KeyboardInteractive);
    config.allowPassword = methods.contains(AuthMethod::Password);
    const QString ssh = QDir::homePath() + QStringLiteral("/.ssh/");
    if (!session.keyFile.isEmpty()) {
        config.identities.push_back({session.keyFile.toStdString()});
    } else if (methods.contains(AuthMethod::PublicKey)) {
        // OpenSSH's default identities, those that exist.
        for (const char* name : {"id_ed25519", "id_ecdsa", "id_rsa"}) {
            if (QFileInfo::exists(ssh + QLatin1String(name)))
                config.identities.push_back({(ssh + QLatin1String(name)).toStdString()});
        }
    }
    switch (session.hostKeyPolicy) {
    case HostKeyPolicy::Ask: config.hostKeyPolicy = client::HostKeyPolicy::Ask; break;
    case HostKeyPolicy::Strict: config.hostKeyPolicy = client::HostKeyPolicy::Strict; break;
    case HostKeyPolicy::AcceptNew: config.hostKeyPolicy = client::HostKeyPolicy::AcceptNew; break;
    case HostKeyPolicy::AcceptAny: config.hostKeyPolicy = client::HostKeyPolicy::Off; break;
    }
    config.knownHostsFiles = {(ssh + QStringLiteral("known_hosts")).toStdString()};
    const int keepalive = session.keepaliveSeconds > 0 ? session.keepaliveSeconds : preferences.keepaliveSeconds;
    config.keepaliveInterval = std::chrono::seconds(keepalive);
    return config;
}

std::optional<ConnectOptions> TerminalConnection::connectOptionsFor(const Session& session, const Preferences& preferences,
                                                                  QString* error)
{
    ConnectOptions options;
    if (session.authMethods.contains(AuthMethod::Agent))
        options.agentSocket = protocol::qt::AgentConnection::defaultAddress();
    // To $DISPLAY, with the xauth of the PATH's usual place, as ssh -X / -Y.
    options.x11.enabled = session.x11Forwarding != X11Mode::Off;
    options.x11.trusted = session.x11Forwarding == X11Mode::Trusted;
    for (const QString& text : session.jumpHosts) {
        const std::optional<ConnectTarget> target = parseConnectTarget(text);
        if (!target) {
            if (error)
                *error = QObject::tr("The jump host “%1” is not [user@]host[:port].").arg(text);
            return std::nullopt;
        }
        // A hop is a session of its own: default identities, the agent, then prompts; the
        // host-key policy stays the session's (a jump host is checked like any other host).
        Session hop;
        hop.host = target->host;
        hop.port = target->port;
        hop.user = target->user.isEmpty() ? session.user : target->user;
        hop.hostKeyPolicy = session.hostKeyPolicy;
        hop.keepaliveSeconds = session.keepaliveSeconds;
        protocol::qt::JumpHost jump;
        jump.config = clientConfigFor(hop, preferences);
        jump.options.agentSocket = protocol::qt::AgentConnection::defaultAddress();
        options.jumpHosts.push_back(std::move(jump));
    }
    return options;
}

QList<protocol::qt::PortForward> TerminalConnection::portForwardsFor(const Session& session)
{
    QList<protocol::qt::PortForward> forwards;
    for (const PortForward& f : session.forwards) {
        protocol::qt::PortForward forward;
        switch (f.kind) {
        case PortForward::Kind::Local: forward.kind = protocol::qt::PortForward::Kind::Local; break;
        case PortForward::Kind::Remote: forward.kind = protocol::qt::PortForward::Kind::Remote; break;
        case PortForward::Kind::Dynamic: forward.kind = protocol::qt::PortForward::Kind::Dynamic; break;
        }
        forward.bindAddress = f.bindAddress;
        forward.bindPort = quint16(f.bindPort);
        forward.targetHost = f.targetHost;
        forward.targetPort = quint16(f.targetPort);
        forwards << forward;
    }
    return forwards;
}

TerminalConnection::TerminalConnection(const Session& session, const Preferences& preferences, QWidget* owner,
                                       Events events)
    : session_(session)
    , preferences_(preferences)
    , owner_(owner)
    , events_(std::move(events))
{
    reconnectTimer_ = new QTimer(owner_);
    reconnectTimer_->setSingleShot(true);
    // The countdown shows the seconds left: a coarse timer may report a little more than it
    // was started with ("2 s" for a 1 s wait).
    reconnectTimer_->setTimerType(Qt::PreciseTimer);
    QObject::connect(reconnectTimer_, &QTimer::timeout, owner_, [this] { start(); });
    output_ = std::make_unique<terminal::FeedQueue>([this](const QByteArray& bytes) {
        if (events_.output)
            events_.output(bytes);
    });
    // The window refills only once the emulator has taken the bytes (RFC 4254 §5.2), so a
    // flood the view cannot keep up with waits at the server, not in our memory.
    QObject::connect(output_.get(), &terminal::FeedQueue::fed, owner_, [this](qint64 bytes) {
        if (worker_ && channel_)
            callWorker(worker_->worker(), [channel = *channel_, bytes](SshWorker* w) { w->consumed(channel, bytes); });
    });
    countdownTimer_ = new QTimer(owner_);
    countdownTimer_->setInterval(1000);
    QObject::connect(countdownTimer_, &QTimer::timeout, owner_, [this] {
        if (reconnectTimer_->isActive())
            showNotice(statusText_ + QObject::tr(" — reconnecting in %1 s (Enter: now)").arg(secondsUntilReconnect()), true);
        else
            countdownTimer_->stop();
    });
}

TerminalConnection::~TerminalConnection()
{
    userClosed_ = true;
    worker_.reset(); // closes the connection and joins the worker's thread
    delete reconnectTimer_;
    delete countdownTimer_;
}

bool TerminalConnection::isLive() const
{
    return status_ == Status::Connecting || status_ == Status::Authenticating || status_ == Status::Connected;
}

int TerminalConnection::secondsUntilReconnect() const
{
    return reconnectTimer_->isActive() ? (reconnectTimer_->remainingTime() + 999) / 1000 : -1;
}

void TerminalConnection::resize(int columns, int rows)
{
    columns_ = columns;
    rows_ = rows;
    if (!channel_ || !worker_)
        return;
    callWorker(worker_->worker(), [channel = *channel_, columns = quint32(columns), rows = quint32(rows)](SshWorker* w) {
        w->windowChange(channel, columns, rows);
    });
}

void TerminalConnection::setStatus(Status status, const QString& text)
{
    status_ = status;
    statusText_ = text;
    if (events_.statusChanged)
        events_.statusChanged();
}

void TerminalConnection::showNotice(const QString& text, bool offerReconnect)
{
    if (events_.notice)
        events_.notice(text, offerReconnect);
}

void TerminalConnection::start()
{
    reconnectTimer_->stop();
    countdownTimer_->stop();
    worker_.reset();
    output_->flush(); // the replaced connection's last output, before anything of the next
    channel_.reset();
    exitStatus_.reset();
    details_.reset();
    userClosed_ = false;
    triedRememberedPassword_ = false;

    QString optionsError;
    const std::optional<ConnectOptions> options = connectOptionsFor(session_, preferences_, &optionsError);
    if (!options) {
        setStatus(Status::Failed, QObject::tr("bad jump host"));
        showNotice(optionsError, false);
        return;
    }

    // Signals already queued by a replaced connection are ignored by generation.
    const int generation = ++generation_;
    auto current = [this, generation](auto slot) {
        return [this, generation, slot](const auto&... args) {
            if (generation == generation_)
                slot(args...);
        };
    };
    jumpHostsInUse_.clear();
    for (const protocol::qt::JumpHost& hop : options->jumpHosts)
        jumpHostsInUse_ << ConnectTarget{fromStd(hop.config.user), fromStd(hop.config.host), hop.config.port};
    auto* worker = new SshWorker(clientConfigFor(session_, preferences_), *options);
    // Every connection below is queued: the worker lives in its own thread.
    QObject::connect(worker, &SshWorker::resolving, owner_, current([this](const QString& host) {
        setStatus(Status::Connecting, QObject::tr("resolving %1").arg(host));
    }));
    QObject::connect(worker, &SshWorker::socketConnected, owner_, current([this](const QString& address, quint16 port) {
        setStatus(Status::Connecting, QObject::tr("negotiating keys with %1 port %2").arg(address).arg(port));
    }));
    QObject::connect(worker, &SshWorker::hostKeyDecisionRequested, owner_, current([this](const client::HostKeyDecision& d) {
        onHostKeyDecision(d);
    }));
    QObject::connect(worker, &SshWorker::promptRequested, owner_, current([this](const client::PromptEvent& p) {
        onPrompt(p);
    }));
    QObject::connect(worker, &SshWorker::banner, owner_, current([this](const QString& text) {
        if (text == shownBanner_)
            return;
        shownBanner_ = text;
        auto* dialog = new BannerDialog(session_.host, text, owner_);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    }));
    QObject::connect(worker, &SshWorker::authenticated, owner_,
            current([this](const QString& method, const QString&, const client::ConnectionInfo& info) {
        onAuthenticated(method, info);
    }));
    QObject::connect(worker, &SshWorker::channelOpened, owner_, current([this](quint32 channel) {
        onChannelOpened(channel);
    }));
    QObject::connect(worker, &SshWorker::channelOpenFailed, owner_, current([this](quint32, quint32, const QString& description) {
        showNotice(QObject::tr("The server refused a shell: %1").arg(description), true);
        callWorker(worker_->worker(), [](SshWorker* w) { w->closeConnection(); });
    }));
    QObject::connect(worker, &SshWorker::channelRequestResult, owner_, current([this](quint32, const QString& request, bool success) {
        if (!success && request != u"env")
            showNotice(QObject::tr("The server refused the %1 request.").arg(request), false);
    }));
    // Output goes straight from the worker's thread into the feed queue: one event per packet
    // would let a flood hold the UI (FeedQueue.h). A replaced worker's thread is joined in
    // start() before the next one runs, so all that is pushed belongs to the current one.
    QObject::connect(worker, &SshWorker::channelData, output_.get(),
            [feed = output_.get()](quint32, const QByteArray& data, bool) { feed->push(data); },
            Qt::DirectConnection);
    QObject::connect(worker, &SshWorker::exitStatus, owner_, current([this](quint32, quint32 status) {
        exitStatus_ = status;
    }));
    QObject::connect(worker, &SshWorker::channelClosed, owner_, current([this](quint32) {
        output_->flush(); // the last output first
        channel_.reset();
        callWorker(worker_->worker(), [](SshWorker* w) { w->closeConnection(); });
    }));
    QObject::connect(worker, &SshWorker::jumpHostConnecting, owner_, current([this](int, const QString& host, quint16 port) {
        setStatus(Status::Connecting, QObject::tr("connecting through %1").arg(ConnectTarget{QString(), host, port}.toString()));
    }));
    QObject::connect(worker, &SshWorker::forwardFailed, owner_,
            current([this](const protocol::qt::PortForward& forward, const QString& reason) {
        showNotice(QObject::tr("Forward %1 failed: %2").arg(forward.describe(), reason), false);
    }));
    QObject::connect(worker, &SshWorker::disconnected, owner_,
            current([this](bool clean, const protocol::Error& error) {
        onDisconnected(clean, error);
    }));

    worker_ = std::make_unique<SshWorkerThread>(worker);
    showNotice(QString(), false);
    setStatus(Status::Connecting, QObject::tr("connecting to %1").arg(ConnectTarget{QString(), session_.host, session_.port}.toString()));
    // Forwards added now start once authenticated (-L/-D listen here, -R asks the server).
    const QList<protocol::qt::PortForward> forwards = portForwardsFor(session_);
    callWorker(worker, [forwards](SshWorker* w) {
        for (const protocol::qt::PortForward& forward : forwards)
            w->addForward(forward);
        w->connectToServer();
    });
}

void TerminalConnection::onHostKeyDecision(const client::HostKeyDecision& decision)
{
    UnknownHostKey key;
    key.host = fromStd(decision.host);
    key.port = decision.port;
    key.keyType = fromStd(decision.keyType);
    key.fingerprint = fromStd(decision.fingerprint);
    key.randomArt = fromStd(decision.randomArt);
    for (const std::string& type : decision.knownKeyTypes)
        key.otherKnownKeyTypes << fromStd(type);
    key.knownHostsFile = QDir::homePath() + QStringLiteral("/.ssh/known_hosts");
    auto* dialog = new UnknownHostKeyDialog(key, owner_);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const quint64 id = decision.id;
    QPointer<SshWorker> worker = worker_->worker();
    QObject::connect(dialog, &QDialog::finished, owner_, [dialog, id, worker] {
        if (!worker)
            return;
        const HostKeyAnswer answer = dialog->answer();
        callWorker(worker, [id, answer](SshWorker* w) {
            w->answerHostKey(id, answer != HostKeyAnswer::Cancel, answer == HostKeyAnswer::AcceptAndSave);
        });
    });
    dialog->open();
}

void TerminalConnection::onPrompt(const client::PromptEvent& prompt)
{
    setStatus(Status::Authenticating, QObject::tr("authenticating"));
    CredentialPrompt request;
    switch (prompt.kind) {
    case client::PromptKind::Password: request.kind = CredentialPrompt::Kind::Password; break;
    case client::PromptKind::Passphrase: request.kind = CredentialPrompt::Kind::Passphrase; break;
    case client::PromptKind::KeyboardInteractive: request.kind = CredentialPrompt::Kind::KeyboardInteractive; break;
    case client::PromptKind::PasswordChange: request.kind = CredentialPrompt::Kind::PasswordChange; break;
    }
    // A jump host's prompt names that host, not the destination.
    if (const int hop = SshWorker::jumpHostOfRequest(prompt.id); hop >= 0 && hop < jumpHostsInUse_.size()) {
        request.user = jumpHostsInUse_[hop].user;
        request.host = jumpHostsInUse_[hop].host;
        request.port = jumpHostsInUse_[hop].port;
    } else {
        request.user = fromStd(clientConfigFor(session_, preferences_).user);
        request.host = session_.host;
        request.port = session_.port;
    }
    if (request.kind == CredentialPrompt::Kind::Passphrase)
        request.keyFile = fromStd(prompt.name);
    else {
        request.serverName = fromStd(prompt.name);
        request.serverInstruction = fromStd(prompt.instruction);
    }
    for (const client::PromptField& field : prompt.fields)
        request.fields << CredentialPrompt::Field{fromStd(field.text), field.echo};
    request.offerRemember = PasswordVault::available();

    const quint64 id = prompt.id;
    QPointer<SshWorker> worker = worker_->worker();
    auto answer = [worker, id](const QStringList& responses) {
        auto secrets = std::make_shared<std::vector<protocol::SecretBytes>>();
        for (const QString& response : responses) {
            QByteArray utf8 = response.toUtf8();
            secrets->push_back(protocol::SecretBytes::fromText(std::string_view(utf8.constData(), std::size_t(utf8.size()))));
            utf8.fill('\0');
        }
        callWorker(worker, [id, secrets](SshWorker* w) { w->answerPrompt(id, std::move(*secrets)); });
    };
    auto ask = [this, request, worker, id, answer] {
        auto* dialog = new CredentialDialog(request, owner_);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        QObject::connect(dialog, &QDialog::finished, owner_, [this, dialog, worker, id, answer, request](int result) {
            if (result != QDialog::Accepted) {
                callWorker(worker, [id](SshWorker* w) { w->cancelPrompt(id); });
                return;
            }
            const QStringList responses = dialog->responses();
            if (dialog->rememberRequested() && !responses.isEmpty()) {
                PasswordVault::store(PasswordVault::account(request.user, request.host, request.port), responses.first());
            }
            answer(responses);
        });
        dialog->open();
    };

    // A remembered password is tried once per connection; if it fails the dialog asks.
    if (request.kind == CredentialPrompt::Kind::Password && PasswordVault::available() && !triedRememberedPassword_) {
        triedRememberedPassword_ = true;
        PasswordVault::read(PasswordVault::account(request.user, request.host, request.port), owner_,
                            [answer, ask](std::optional<QString> password) {
                                if (password)
                                    answer({*password});
                                else
                                    ask();
                            });
        return;
    }
    ask();
}

void TerminalConnection::onAuthenticated(const QString& method, const client::ConnectionInfo& info)
{
    ConnectionDetails d;
    d.host = session_.host;
    d.port = session_.port;
    d.serverVersion = fromStd(info.serverVersion);
    d.kex = fromStd(info.kex);
    d.hostKeyType = fromStd(info.hostKeyType);
    d.hostKeyFingerprint = fromStd(info.hostKeyFingerprint);
    d.cipherClientToServer = fromStd(info.cipherClientToServer);
    d.cipherServerToClient = fromStd(info.cipherServerToClient);
    d.macClientToServer = fromStd(info.macClientToServer);
    d.macServerToClient = fromStd(info.macServerToClient);
    d.strictKex = info.strictKex;
    d.authMethod = method;
    details_ = d;
    setStatus(Status::Authenticating, QObject::tr("authenticated, opening a shell"));
    callWorker(worker_->worker(), [](SshWorker* w) { w->openSession(); });
}

void TerminalConnection::onChannelOpened(quint32 channel)
{
    channel_ = channel;
    reconnectAttempts_ = 0;
    setStatus(Status::Connected, QObject::tr("connected"));
    client::PtyRequest pty;
    const QString term = session_.terminal.termType.isEmpty() ? QStringLiteral("xterm-256color") : session_.terminal.termType;
    pty.term = term.toStdString();
    pty.columns = std::uint32_t(columns_);
    pty.rows = std::uint32_t(rows_);
    const auto environment = session_.environment;
    const QByteArray command = session_.remoteCommand.toUtf8();
    callWorker(worker_->worker(), [channel, environment, pty, command](SshWorker* w) {
        for (const auto& [name, value] : environment)
            w->setEnv(channel, name.toUtf8(), value.toUtf8());
        w->requestPty(channel, pty);
        if (command.isEmpty())
            w->requestShell(channel);
        else
            w->requestExec(channel, command);
    });
}

void TerminalConnection::onDisconnected(bool clean, const protocol::Error& error)
{
    output_->flush(); // what the server said before the end is shown before the notice
    channel_.reset();
    if (userClosed_) {
        setStatus(Status::Closed, QObject::tr("closed"));
        return;
    }
    if (const auto changed = changedKeyFromError(session_, error)) {
        setStatus(Status::Failed, QObject::tr("host key changed"));
        showNotice(fromStd(error.message), true);
        auto* dialog = new ChangedHostKeyDialog(*changed, owner_);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
        return;
    }
    if (clean) {
        const QString how = exitStatus_ ? QObject::tr("closed (exit %1)").arg(*exitStatus_) : QObject::tr("closed");
        setStatus(Status::Closed, how);
        showNotice(QObject::tr("Connection %1. Press Enter to reconnect.").arg(how), true);
        return;
    }
    const QString why = fromStd(error.message);
    setStatus(Status::Failed, why);
    showNotice(QObject::tr("Connection lost: %1 Press Enter to reconnect.").arg(why), true);
    // Wrong passwords, refused or changed keys are not fixed by trying again.
    const bool transient = error.category == protocol::ErrorCategory::Network
                           || error.category == protocol::ErrorCategory::Protocol;
    if (session_.autoReconnect && transient)
        scheduleAutomaticReconnect();
}

void TerminalConnection::scheduleAutomaticReconnect()
{
    const int seconds = backoffSeconds(reconnectAttempts_++);
    reconnectTimer_->start(seconds * 1000);
    countdownTimer_->start();
    showNotice(statusText_ + QObject::tr(" — reconnecting in %1 s (Enter: now)").arg(seconds), true);
}

void TerminalConnection::reconnect()
{
    if (!isLive())
        start();
}

void TerminalConnection::disconnect()
{
    reconnectTimer_->stop();
    countdownTimer_->stop();
    if (!worker_ || !isLive())
        return;
    userClosed_ = true;
    callWorker(worker_->worker(), [](SshWorker* w) { w->closeConnection(); });
}

void TerminalConnection::send(const QByteArray& bytes)
{
    if (!channel_ || !worker_)
        return; // keys typed while not connected are not sent anywhere
    callWorker(worker_->worker(), [channel = *channel_, bytes](SshWorker* w) { w->write(channel, bytes); });
}

} // namespace portal::ui
