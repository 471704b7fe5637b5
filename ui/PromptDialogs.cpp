// Host-key, credential, banner and connection-details dialogs.
#include "PromptDialogs.h"

#include "Session.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace portal::ui {

namespace {

bool isBidiControl(char32_t c)
{
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F
           || c == 0x061C;
}

// Portal's own words: a label that never interprets markup.
QLabel* plainLabel(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    return label;
}

QLabel* monospaceLabel(const QString& text, QWidget* parent)
{
    QLabel* label = plainLabel(text, parent);
    label->setWordWrap(false);
    label->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QString hostAndPort(const QString& host, int port)
{
    return ConnectTarget{QString(), host, port}.toString();
}

QHBoxLayout* headerWithIcon(const QString& iconPath, QLabel* text)
{
    auto* row = new QHBoxLayout;
    auto* icon = new QLabel;
    icon->setPixmap(QIcon(iconPath).pixmap(48, 48));
    icon->setAlignment(Qt::AlignTop);
    row->addWidget(icon);
    row->addWidget(text, 1);
    return row;
}

} // namespace

QString sanitizeServerText(const QString& text, int maxLength)
{
    QString out;
    const QList<uint> chars = text.toUcs4();
    qsizetype i = 0;
    const qsizetype n = chars.size();
    // Skips a control string (OSC, DCS, SOS, PM, APC) up to BEL or ST (ESC \ or 0x9C).
    auto skipString = [&] {
        while (i < n) {
            const uint c = chars[i++];
            if (c == 0x07 || c == 0x9C)
                return;
            if (c == 0x1B && i < n && chars[i] == '\\') {
                ++i;
                return;
            }
        }
    };
    // Skips a CSI sequence's parameter and intermediate bytes and its final byte (ECMA-48 §5.4).
    auto skipCsi = [&] {
        while (i < n && chars[i] >= 0x20 && chars[i] <= 0x3F)
            ++i;
        if (i < n && chars[i] >= 0x40 && chars[i] <= 0x7E)
            ++i;
    };
    while (i < n) {
        const uint c = chars[i++];
        if (c == 0x1B) {
            if (i >= n)
                break;
            const uint next = chars[i++];
            if (next == '[')
                skipCsi();
            else if (next == ']' || next == 'P' || next == 'X' || next == '^' || next == '_')
                skipString();
            else if (next >= 0x20 && next <= 0x2F) {
                // ECMA-35 nF escape: intermediate bytes, then one final byte.
                while (i < n && chars[i] >= 0x20 && chars[i] <= 0x2F)
                    ++i;
                if (i < n)
                    ++i;
            }
            continue;
        }
        if (c == 0x9B) {
            skipCsi();
            continue;
        }
        if (c == 0x9D || c == 0x90 || c == 0x98 || c == 0x9E || c == 0x9F) {
            skipString();
            continue;
        }
        if (c == '\r') {
            if (i < n && chars[i] == '\n')
                continue; // CR LF → LF
            out.append(u'\n');
            continue;
        }
        if ((c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7F && c <= 0x9F) || isBidiControl(c))
            continue;
        const char32_t codePoint = c;
        out.append(QString::fromUcs4(&codePoint, 1));
        if (out.size() >= maxLength) {
            out.append(QChar(0x2026)); // …
            break;
        }
    }
    return out;
}

UnknownHostKeyDialog::UnknownHostKeyDialog(const UnknownHostKey& key, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("unknownHostKeyDialog"));
    setWindowTitle(tr("Unknown host key — %1").arg(key.host));
    auto* layout = new QVBoxLayout(this);
    QLabel* heading = plainLabel(
        tr("Portal has no record of a key for %1. The server presented the key below.\n"
           "If this is a new server, compare the fingerprint with one its administrator gave you "
           "before you trust it.")
            .arg(hostAndPort(key.host, key.port)),
        this);
    layout->addLayout(headerWithIcon(QStringLiteral(":/icons/key.svg"), heading));

    auto* form = new QFormLayout;
    form->addRow(tr("Host:"), monospaceLabel(hostAndPort(key.host, key.port), this));
    form->addRow(tr("Key type:"), monospaceLabel(key.keyType, this));
    QLabel* fingerprint = monospaceLabel(key.fingerprint, this);
    fingerprint->setObjectName(QStringLiteral("fingerprint"));
    form->addRow(tr("Fingerprint:"), fingerprint);
    if (!key.randomArt.isEmpty()) {
        QLabel* art = monospaceLabel(key.randomArt, this);
        art->setObjectName(QStringLiteral("randomArt"));
        form->addRow(tr("Visual key:"), art);
    }
    layout->addLayout(form);
    if (!key.otherKnownKeyTypes.isEmpty()) {
        layout->addWidget(plainLabel(tr("Note: a key of another type (%1) is already known for this host; "
                                        "the server offered a %2 key instead.")
                                         .arg(key.otherKnownKeyTypes.join(QStringLiteral(", ")), key.keyType),
                                     this));
    }

    auto* buttons = new QDialogButtonBox(this);
    QPushButton* save = buttons->addButton(tr("Accept and &save"), QDialogButtonBox::AcceptRole);
    save->setObjectName(QStringLiteral("acceptAndSave"));
    if (!key.knownHostsFile.isEmpty())
        save->setToolTip(tr("Trust this key and add it to %1").arg(key.knownHostsFile));
    QPushButton* once = buttons->addButton(tr("Accept &once"), QDialogButtonBox::AcceptRole);
    once->setObjectName(QStringLiteral("acceptOnce"));
    once->setToolTip(tr("Trust this key for this connection only"));
    QPushButton* cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancel"));
    // Nothing is trusted by pressing Enter without reading.
    save->setAutoDefault(false);
    once->setAutoDefault(false);
    cancel->setDefault(true);
    connect(save, &QPushButton::clicked, this, [this] { answer_ = HostKeyAnswer::AcceptAndSave; accept(); });
    connect(once, &QPushButton::clicked, this, [this] { answer_ = HostKeyAnswer::AcceptOnce; accept(); });
    connect(cancel, &QPushButton::clicked, this, [this] { answer_ = HostKeyAnswer::Cancel; reject(); });
    layout->addWidget(buttons);
}

QString ChangedHostKeyDialog::removalCommand(const ChangedHostKey& key)
{
    const QString name = key.port == 22 ? key.host : QStringLiteral("[%1]:%2").arg(key.host).arg(key.port);
    QString command = QStringLiteral("ssh-keygen -R ") + shellQuoted(name);
    if (!key.oldKeyFile.isEmpty())
        command += QStringLiteral(" -f ") + shellQuoted(key.oldKeyFile);
    return command;
}

ChangedHostKeyDialog::ChangedHostKeyDialog(const ChangedHostKey& key, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("changedHostKeyDialog"));
    setWindowTitle(tr("WARNING: host key changed — %1").arg(key.host));
    auto* layout = new QVBoxLayout(this);
    QLabel* heading = plainLabel(tr("The host key for %1 has changed. Portal did not connect.")
                                     .arg(hostAndPort(key.host, key.port)),
                                 this);
    QFont bold = heading->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    heading->setFont(bold);
    layout->addLayout(headerWithIcon(QStringLiteral(":/icons/warning.svg"), heading));
    layout->addWidget(plainLabel(
        tr("Someone could be intercepting this connection (a man-in-the-middle attack), or the "
           "server's key was replaced, for example by a reinstall. Ask the server's administrator "
           "which it is before you do anything else."),
        this));

    auto* form = new QFormLayout;
    form->addRow(tr("New key:"), monospaceLabel(key.keyType + u' ' + key.newFingerprint, this));
    QLabel* where = monospaceLabel(QStringLiteral("%1:%2").arg(key.oldKeyFile).arg(key.oldKeyLine), this);
    where->setObjectName(QStringLiteral("oldKeyLocation"));
    form->addRow(tr("Old key listed in:"), where);
    if (!key.oldFingerprint.isEmpty())
        form->addRow(tr("Old key:"), monospaceLabel(key.oldFingerprint, this));
    layout->addLayout(form);

    layout->addWidget(plainLabel(tr("If the change is legitimate, remove the old line and connect again:"), this));
    auto* commandRow = new QHBoxLayout;
    auto* command = new QLineEdit(removalCommand(key), this);
    command->setObjectName(QStringLiteral("removalCommand"));
    command->setReadOnly(true);
    command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    command->setCursorPosition(0); // show the start of the command, not its end
    command->setMinimumWidth(command->fontMetrics().horizontalAdvance(command->text()) + 16);
    auto* copy = new QPushButton(tr("Copy command"), this);
    copy->setAutoDefault(false);
    connect(copy, &QPushButton::clicked, this, [command] { QApplication::clipboard()->setText(command->text()); });
    commandRow->addWidget(command, 1);
    commandRow->addWidget(copy);
    layout->addLayout(commandRow);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton* cancel = buttons->button(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancel"));
    cancel->setDefault(true);
    cancel->setFocus();
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

CredentialDialog::CredentialDialog(const CredentialPrompt& prompt, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("credentialDialog"));
    setMinimumWidth(440);
    const QString who = ConnectTarget{prompt.user, prompt.host, prompt.port}.toString();
    using Kind = CredentialPrompt::Kind;
    QString title, heading;
    switch (prompt.kind) {
    case Kind::Password:
        title = tr("Password for %1").arg(who);
        heading = tr("%1 asks for your password.").arg(who);
        break;
    case Kind::Passphrase:
        title = tr("Key passphrase");
        heading = tr("The key file %1 is encrypted. Enter its passphrase to log in to %2.").arg(prompt.keyFile, who);
        break;
    case Kind::KeyboardInteractive:
        title = tr("Log in to %1").arg(who);
        heading = tr("The server %1 asks the questions below.").arg(who);
        break;
    case Kind::PasswordChange:
        title = tr("Change password on %1").arg(who);
        heading = tr("The server %1 requires a new password for %2.").arg(hostAndPort(prompt.host, prompt.port), prompt.user);
        break;
    }
    setWindowTitle(title);
    auto* layout = new QVBoxLayout(this);
    QLabel* header = plainLabel(heading, this);
    header->setObjectName(QStringLiteral("portalText"));
    layout->addLayout(headerWithIcon(QStringLiteral(":/icons/key.svg"), header));

    // Everything the server chose goes inside this box, labelled as the server's.
    const bool serverWordsShown = prompt.kind == Kind::KeyboardInteractive || prompt.kind == Kind::PasswordChange;
    auto* form = new QFormLayout;
    if (serverWordsShown) {
        auto* box = new QGroupBox(tr("From the server %1:").arg(prompt.host), this);
        box->setObjectName(QStringLiteral("serverText"));
        auto* boxLayout = new QVBoxLayout(box);
        for (const QString& text : {prompt.serverName, prompt.serverInstruction}) {
            const QString clean = sanitizeServerText(text);
            if (!clean.trimmed().isEmpty())
                boxLayout->addWidget(plainLabel(clean, box));
        }
        boxLayout->addLayout(form);
        layout->addWidget(box);
    } else {
        layout->addLayout(form);
    }
    for (const CredentialPrompt::Field& field : prompt.fields) {
        auto* edit = new QLineEdit(this);
        edit->setEchoMode(field.echo ? QLineEdit::Normal : QLineEdit::Password);
        edit->setObjectName(QStringLiteral("field%1").arg(fields_.size()));
        QLabel* label = plainLabel(sanitizeServerText(field.text, 256), this);
        label->setBuddy(edit);
        form->addRow(label, edit);
        fields_ << edit;
    }
    if (prompt.offerRemember && prompt.kind == Kind::Password) {
        remember_ = new QCheckBox(tr("&Remember in the system keychain"), this);
        remember_->setObjectName(QStringLiteral("remember"));
        layout->addWidget(remember_);
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(prompt.kind == Kind::PasswordChange ? tr("Change") : tr("Log in"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    if (!fields_.isEmpty())
        fields_.first()->setFocus();
}

CredentialDialog::~CredentialDialog()
{
    // Best effort: drop the secrets from the widgets' buffers as soon as we are done.
    for (QLineEdit* edit : fields_)
        edit->clear();
}

QStringList CredentialDialog::responses() const
{
    QStringList out;
    for (const QLineEdit* edit : fields_)
        out << edit->text();
    return out;
}

bool CredentialDialog::rememberRequested() const
{
    return remember_ && remember_->isChecked();
}

BannerDialog::BannerDialog(const QString& host, const QString& bannerText, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("bannerDialog"));
    setWindowTitle(tr("Message from %1").arg(host));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(plainLabel(tr("The server %1 sent this message before login:").arg(host), this));
    auto* text = new QPlainTextEdit(sanitizeServerText(bannerText, 64 * 1024), this);
    text->setObjectName(QStringLiteral("bannerText"));
    text->setReadOnly(true);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text->setLineWrapMode(QPlainTextEdit::NoWrap);
    layout->addWidget(text);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::accept);
    layout->addWidget(buttons);
    resize(640, 360);
}

ConnectionInfoDialog::ConnectionInfoDialog(const ConnectionDetails& d, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("connectionInfoDialog"));
    setWindowTitle(tr("Connection to %1").arg(d.host));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    auto pair = [](const QString& toServer, const QString& fromServer) {
        return toServer == fromServer ? toServer : QStringLiteral("%1 (sent) / %2 (received)").arg(toServer, fromServer);
    };
    auto mac = [](const QString& name) {
        return name == u"<implicit>" ? QObject::tr("implicit in the AEAD cipher") : name;
    };
    form->addRow(tr("Server:"), monospaceLabel(hostAndPort(d.host, d.port), this));
    form->addRow(tr("Server version:"), monospaceLabel(sanitizeServerText(d.serverVersion, 256), this));
    form->addRow(tr("Key exchange:"), monospaceLabel(d.kex, this));
    form->addRow(tr("Host key:"), monospaceLabel(d.hostKeyType + u' ' + d.hostKeyFingerprint, this));
    form->addRow(tr("Cipher:"), monospaceLabel(pair(d.cipherClientToServer, d.cipherServerToClient), this));
    form->addRow(tr("MAC:"), monospaceLabel(pair(mac(d.macClientToServer), mac(d.macServerToClient)), this));
    form->addRow(tr("Strict key exchange:"),
                 plainLabel(d.strictKex ? tr("on (sequence numbers reset at each key exchange)") : tr("off"), this));
    form->addRow(tr("Authenticated by:"), monospaceLabel(d.authMethod, this));
    layout->addLayout(form);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::accept);
    layout->addWidget(buttons);
}

} // namespace portal::ui
