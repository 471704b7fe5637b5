// X11Forwarding: xauth(1) for the real authorization, the spoofed cookie, the local display's
// socket, and the setup gate in front of the relay.
#include "X11Forwarding.h"

#include "ChannelDevice.h"
#include "StreamBridge.h"
#include "client/ClientEvents.h"
#include "crypto/Random.h"
#include "forward/X11Setup.h"

#include <QLocalSocket>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>

#include <openssl/crypto.h>

namespace portal::protocol::qt {

using client::LogLevel;

namespace {

constexpr char kCookieProtocol[] = "MIT-MAGIC-COOKIE-1";
constexpr std::size_t kCookieSize = 16;
constexpr int kXauthWaitMs = 10000;
// xauth keeps an untrusted cookie this much longer than we accept connections with it, so a
// client that connects just before the limit still finds it (OpenSSH allows the same slack).
constexpr std::chrono::seconds kXauthSlack{60};
constexpr qint64 kChunk = 64 * 1024;

// `xauth list` output holds the real cookie: parsed, then wiped.
Result<forward::X11Authorization> takeAuthorization(QByteArray& output) {
    Result<forward::X11Authorization> parsed = forward::parseXauthList(
        std::string_view(output.constData(), static_cast<std::size_t>(output.size())));
    if (!output.isEmpty())
        OPENSSL_cleanse(output.data(), static_cast<std::size_t>(output.size()));
    return parsed;
}

// Holds an x11 channel until the X client's connection setup has arrived and matched the
// spoofed cookie; then writes it, with the real authorization, to the display and hands both
// ends to a StreamBridge.
class X11SetupGate : public QObject {
public:
    X11SetupGate(QIODevice* display, ChannelDevice* channel, forward::X11SetupRewriter rewriter,
                 X11Forwarding* forwarding, QObject* parent)
        : QObject(parent), display_(display), channel_(channel), rewriter_(std::move(rewriter)),
          forwarding_(forwarding) {
        display->setParent(this);
        channel->setParent(this);
        connect(channel, &QIODevice::readyRead, this, &X11SetupGate::onChannelReadable);
        connect(channel, &ChannelDevice::peerEofReceived, this, &X11SetupGate::onChannelReadable);
        connect(channel, &ChannelDevice::channelClosed, this, &QObject::deleteLater);
        QTimer::singleShot(0, this, &X11SetupGate::onChannelReadable); // bytes already there
    }

private:
    void onChannelReadable() {
        if (done_)
            return;
        while (channel_->bytesAvailable() > 0) {
            const QByteArray bytes = channel_->read(kChunk);
            forward::X11SetupStep step = rewriter_.feed(
                ByteView(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                         static_cast<std::size_t>(bytes.size())));
            if (auto* rewritten = std::get_if<forward::X11Rewritten>(&step)) {
                pass(*rewritten);
                return;
            }
            if (auto* refused = std::get_if<forward::X11Refused>(&step)) {
                refuse(QString::fromStdString(refused->message));
                return;
            }
        }
        if (channel_->peerFinished())
            refuse(QStringLiteral("the X client ended before its connection setup"));
    }

    void pass(const forward::X11Rewritten& rewritten) {
        done_ = true;
        channel_->disconnect(this);
        display_->write(reinterpret_cast<const char*>(rewritten.setup.data()),
                        static_cast<qint64>(rewritten.setup.size()));
        display_->write(reinterpret_cast<const char*>(rewritten.leftover.data()),
                        static_cast<qint64>(rewritten.leftover.size()));
        new StreamBridge(display_, channel_, parent());
        deleteLater();
    }

    void refuse(const QString& why) {
        done_ = true;
        // ssh(1)'s words; the detail never contains a cookie.
        emit forwarding_->logMessage(
            static_cast<int>(LogLevel::Info),
            QStringLiteral("X11 connection rejected because of wrong authentication."));
        emit forwarding_->logMessage(static_cast<int>(LogLevel::Verbose),
                                     QStringLiteral("X11 connection: %1").arg(why));
        channel_->close();
        display_->close();
        deleteLater();
    }

    QIODevice* display_;
    ChannelDevice* channel_;
    forward::X11SetupRewriter rewriter_;
    X11Forwarding* forwarding_;
    bool done_ = false;
};

} // namespace

X11Forwarding::X11Forwarding(X11Options options, QObject* parent)
    : QObject(parent), options_(std::move(options)) {}

X11Forwarding::~X11Forwarding() = default;

void X11Forwarding::warn(const QString& text) {
    emit logMessage(static_cast<int>(LogLevel::Info), text);
}

void X11Forwarding::prepare(std::function<void(bool)> done) {
    if (prepared_) {
        QTimer::singleShot(0, this, [done = std::move(done), prepared = *prepared_] { done(prepared); });
        return;
    }
    waiting_.push_back(std::move(done));
    if (waiting_.size() == 1)
        startPreparing();
}

void X11Forwarding::finishPreparing(bool prepared) {
    prepared_ = prepared;
    xauthDirectory_.reset();
    for (const std::function<void(bool)>& done : std::exchange(waiting_, {}))
        done(prepared);
}

void X11Forwarding::runXauth(const QStringList& arguments, std::function<void(bool, QByteArray)> next) {
    const QString program =
        options_.xauthPath.isEmpty() ? QStringLiteral("/usr/bin/xauth") : options_.xauthPath;
    auto* process = new QProcess(this);
    process->setStandardInputFile(QProcess::nullDevice());
    process->setStandardErrorFile(QProcess::nullDevice());
    auto* deadline = new QTimer(process);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, process, &QProcess::kill); // then finished, as a crash
    connect(process, &QProcess::finished, this,
            [process, next](int exitCode, QProcess::ExitStatus status) {
                QByteArray output = process->readAllStandardOutput();
                process->deleteLater();
                next(status == QProcess::NormalExit && exitCode == 0, std::move(output));
            });
    connect(process, &QProcess::errorOccurred, this, [process, next](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return; // the others end in finished()
        process->deleteLater();
        next(false, QByteArray());
    });
    deadline->start(kXauthWaitMs);
    process->start(program, arguments);
}

void X11Forwarding::startPreparing() {
    const QString display =
        options_.display.isEmpty() ? qEnvironmentVariable("DISPLAY") : options_.display;
    if (display.isEmpty()) {
        warn(QStringLiteral("X11 forwarding requested but DISPLAY not set"));
        QTimer::singleShot(0, this, [this] { finishPreparing(false); });
        return;
    }
    Result<forward::X11Display> parsed = forward::parseX11Display(display.toStdString());
    if (!parsed) {
        warn(QStringLiteral("X11 forwarding disabled: %1")
                 .arg(QString::fromStdString(parsed.error().message)));
        QTimer::singleShot(0, this, [this] { finishPreparing(false); });
        return;
    }
    display_ = std::move(*parsed);
    const QString xauthName = QString::fromStdString(display_->xauthName);

    if (options_.trusted) {
        runXauth({QStringLiteral("list"), xauthName}, [this](bool ok, QByteArray output) {
            std::optional<forward::X11Authorization> real;
            if (Result<forward::X11Authorization> found = takeAuthorization(output); ok && found)
                real = std::move(*found);
            if (!real)
                warn(QStringLiteral(
                    "Warning: No xauth data; using fake authentication data for X11 forwarding."));
            finishPreparing(adoptAuthorization(std::move(real)));
        });
        return;
    }
    // A cookie of its own for this connection, made by the X server through the SECURITY
    // extension as "untrusted", in a private file that is removed once it has been read.
    const auto untrustedFailed = [this] {
        // Never fall back to the trusted cookie or to none (ssh(1) does not either).
        warn(QStringLiteral("Warning: untrusted X11 forwarding setup failed: xauth key data "
                            "not generated"));
        finishPreparing(false);
    };
    xauthDirectory_ = std::make_unique<QTemporaryDir>();
    if (!xauthDirectory_->isValid()) {
        QTimer::singleShot(0, this, untrustedFailed);
        return;
    }
    const QString file = xauthDirectory_->filePath(QStringLiteral("xauthfile"));
    const std::chrono::seconds lifetime =
        options_.timeout.count() > 0 ? options_.timeout + kXauthSlack : std::chrono::seconds{0};
    runXauth({QStringLiteral("-f"), file, QStringLiteral("generate"), xauthName,
              QLatin1String(kCookieProtocol), QStringLiteral("untrusted"), QStringLiteral("timeout"),
              QString::number(lifetime.count())},
             [this, file, xauthName, untrustedFailed](bool generated, QByteArray) {
                 if (!generated) {
                     untrustedFailed();
                     return;
                 }
                 runXauth({QStringLiteral("-f"), file, QStringLiteral("list"), xauthName},
                          [this, untrustedFailed](bool ok, QByteArray output) {
                              Result<forward::X11Authorization> found = takeAuthorization(output);
                              if (!ok || !found) {
                                  untrustedFailed();
                                  return;
                              }
                              if (options_.timeout.count() > 0)
                                  refuseAfter_ = QDeadlineTimer(options_.timeout);
                              finishPreparing(adoptAuthorization(std::move(*found)));
                          });
             });
}

bool X11Forwarding::adoptAuthorization(std::optional<forward::X11Authorization> real) {
    if (real) {
        realProtocol_ = std::move(real->protocol);
        realCookie_ = std::move(real->cookie);
    }
    // The spoofed cookie: as long as the real one, random, for this connection only.
    authProtocol_ = realProtocol_.empty() ? std::string(kCookieProtocol) : realProtocol_;
    const std::size_t size = realCookie_.empty() ? kCookieSize : realCookie_.size();
    const Bytes random = crypto::randomBytes(size);
    if (random.size() != size) {
        warn(QStringLiteral("X11 forwarding disabled: no random bytes for the cookie"));
        return false;
    }
    fakeCookie_ = SecretBytes(ByteView(random.data(), random.size()));
    fakeCookieHex_ = SecretBytes(size * 2);
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < size; ++i) {
        fakeCookieHex_.data()[2 * i] = static_cast<std::uint8_t>(kHex[fakeCookie_.data()[i] >> 4]);
        fakeCookieHex_.data()[2 * i + 1] =
            static_cast<std::uint8_t>(kHex[fakeCookie_.data()[i] & 0xf]);
    }
    return true;
}

bool X11Forwarding::acceptsConnections() const {
    return prepared_.value_or(false) && (!refuseAfter_ || !refuseAfter_->hasExpired());
}

void X11Forwarding::connectDisplay(std::function<void(QIODevice*)> connected,
                                   std::function<void(QString)> failed) {
    if (!display_) {
        QTimer::singleShot(0, this, [failed] { failed(QStringLiteral("no display")); });
        return;
    }
    const auto wire = [&](auto* socket, const QString& where) {
        using Socket = std::remove_pointer_t<decltype(socket)>;
        connect(socket, &Socket::connected, this, [this, socket, connected] {
            socket->disconnect(this);
            socket->setParent(nullptr);
            connected(socket);
        });
        connect(socket, &Socket::errorOccurred, this, [this, socket, where, failed] {
            socket->disconnect(this);
            socket->deleteLater();
            failed(QStringLiteral("connect %1: %2").arg(where, socket->errorString()));
        });
    };
    if (!display_->socketPath.empty()) {
        auto* socket = new QLocalSocket(this);
        const QString path = QString::fromStdString(display_->socketPath);
        wire(socket, path);
        socket->connectToServer(path);
    } else {
        auto* socket = new QTcpSocket(this);
        const QString host = QString::fromStdString(display_->host);
        wire(socket, QStringLiteral("%1 port %2").arg(host).arg(display_->port));
        socket->connectToHost(host, display_->port);
    }
}

void X11Forwarding::relay(QIODevice* display, ChannelDevice* channel, QObject* parent) {
    new X11SetupGate(display, channel,
                     forward::X11SetupRewriter(authProtocol_, fakeCookie_, realProtocol_,
                                               realCookie_),
                     this, parent);
}

} // namespace portal::protocol::qt
