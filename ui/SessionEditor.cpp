// The session editor dialog.
#include "SessionEditor.h"

#include "ColorScheme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFontComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace portal::ui {

namespace {

enum ForwardColumn { KindColumn, BindAddressColumn, BindPortColumn, TargetHostColumn, TargetPortColumn };

QString cellText(const QTableWidget* table, int row, int column)
{
    const QTableWidgetItem* item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

// An empty cell is 0 (validation then names the field); text that is not a number is -1.
int cellNumber(const QTableWidget* table, int row, int column)
{
    const QString text = cellText(table, row, column);
    if (text.isEmpty())
        return 0;
    bool ok = false;
    const int value = text.toInt(&ok);
    return ok ? value : -1;
}

QPushButton* smallButton(const QString& text, QWidget* parent)
{
    auto* button = new QPushButton(text, parent);
    button->setAutoDefault(false);
    return button;
}

// The L / R / D choice of a forward's row.
QComboBox* forwardKindChoice(QWidget* parent)
{
    auto* kind = new QComboBox(parent);
    kind->addItem(QStringLiteral("L"), static_cast<int>(PortForward::Kind::Local));
    kind->addItem(QStringLiteral("R"), static_cast<int>(PortForward::Kind::Remote));
    kind->addItem(QStringLiteral("D"), static_cast<int>(PortForward::Kind::Dynamic));
    return kind;
}

} // namespace

QStringList SessionEditor::colorSchemeNames()
{
    return terminal::ColorScheme::names();
}

SessionEditor::SessionEditor(const Session& session, const QString& folderPath, QWidget* parent)
    : QDialog(parent)
    , original_(session)
{
    setObjectName(QStringLiteral("sessionEditor"));
    setWindowTitle(session.name.isEmpty() ? tr("New Session") : tr("Edit Session — %1").arg(session.name));
    auto* layout = new QVBoxLayout(this);
    auto* pages = new QTabWidget(this);
    pages->addTab(buildGeneralPage(), tr("General"));
    pages->addTab(buildAuthPage(), tr("Authentication"));
    pages->addTab(buildForwardingPage(), tr("Forwarding && Environment"));
    pages->addTab(buildTerminalPage(), tr("Connection && Terminal"));
    layout->addWidget(pages);

    problemsLabel_ = new QLabel(this);
    problemsLabel_->setObjectName(QStringLiteral("problems"));
    problemsLabel_->setTextFormat(Qt::PlainText);
    problemsLabel_->setWordWrap(true);
    problemsLabel_->setStyleSheet(QStringLiteral("color: #b00020;"));
    problemsLabel_->hide();
    layout->addWidget(problemsLabel_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SessionEditor::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    // Fill the fields.
    name_->setText(session.name);
    folder_->setText(folderPath);
    host_->setText(session.host);
    port_->setValue(session.port);
    user_->setText(session.user);
    tags_->setText(session.tags.join(QStringLiteral(", ")));
    notes_->setPlainText(session.notes);
    // The chosen methods in their order, then the unchosen ones, unticked.
    QList<AuthMethod> order = session.authMethods;
    for (AuthMethod method : defaultAuthMethods()) {
        if (!order.contains(method))
            order << method;
    }
    for (AuthMethod method : order) {
        auto* item = new QListWidgetItem(authMethodLabel(method), authMethods_);
        item->setData(Qt::UserRole, static_cast<int>(method));
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(session.authMethods.contains(method) ? Qt::Checked : Qt::Unchecked);
    }
    keyFile_->setText(session.keyFile);
    jumpHosts_->setText(session.jumpHosts.join(QStringLiteral(", ")));
    for (const PortForward& forward : session.forwards)
        addForwardRow(forward);
    for (const auto& [name, value] : session.environment)
        addEnvironmentRow(name, value);
    remoteCommand_->setText(session.remoteCommand);
    keepalive_->setValue(session.keepaliveSeconds);
    autoReconnect_->setChecked(session.autoReconnect);
    hostKeyPolicy_->setCurrentIndex(hostKeyPolicy_->findData(static_cast<int>(session.hostKeyPolicy)));
    x11Forwarding_->setCurrentIndex(x11Forwarding_->findData(static_cast<int>(session.x11Forwarding)));
    overrideFont_->setChecked(!session.terminal.fontFamily.isEmpty());
    if (!session.terminal.fontFamily.isEmpty())
        fontFamily_->setCurrentFont(QFont(session.terminal.fontFamily));
    fontSize_->setValue(session.terminal.fontPointSize);
    colorScheme_->setCurrentIndex(std::max(0, colorScheme_->findText(session.terminal.colorScheme)));
    if (!session.terminal.colorScheme.isEmpty() && colorScheme_->findText(session.terminal.colorScheme) < 0) {
        colorScheme_->addItem(session.terminal.colorScheme);
        colorScheme_->setCurrentIndex(colorScheme_->count() - 1);
    }
    scrollback_->setValue(session.terminal.scrollbackLines);
    termType_->setText(session.terminal.termType);
    resize(640, 520);
}

QWidget* SessionEditor::buildGeneralPage()
{
    auto* page = new QWidget;
    auto* form = new QFormLayout(page);
    name_ = new QLineEdit(page);
    name_->setObjectName(QStringLiteral("name"));
    folder_ = new QLineEdit(page);
    folder_->setObjectName(QStringLiteral("folder"));
    folder_->setPlaceholderText(tr("Folder/Subfolder (empty: top level)"));
    host_ = new QLineEdit(page);
    host_->setObjectName(QStringLiteral("host"));
    host_->setPlaceholderText(tr("host name or IP address"));
    port_ = new QSpinBox(page);
    port_->setObjectName(QStringLiteral("port"));
    port_->setRange(0, 65535);
    user_ = new QLineEdit(page);
    user_->setObjectName(QStringLiteral("user"));
    tags_ = new QLineEdit(page);
    tags_->setObjectName(QStringLiteral("tags"));
    tags_->setPlaceholderText(tr("comma-separated, e.g. prod, web"));
    notes_ = new QPlainTextEdit(page);
    notes_->setObjectName(QStringLiteral("notes"));
    form->addRow(tr("&Name:"), name_);
    form->addRow(tr("&Folder:"), folder_);
    form->addRow(tr("&Host:"), host_);
    form->addRow(tr("&Port:"), port_);
    form->addRow(tr("&User:"), user_);
    form->addRow(tr("&Tags:"), tags_);
    form->addRow(tr("N&otes:"), notes_);
    return page;
}

QWidget* SessionEditor::buildAuthPage()
{
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(new QLabel(tr("Methods to try, in order (tick to use, move to reorder):"), page));
    auto* row = new QHBoxLayout;
    authMethods_ = new QListWidget(page);
    authMethods_->setObjectName(QStringLiteral("authMethods"));
    authMethods_->setDragDropMode(QAbstractItemView::InternalMove);
    row->addWidget(authMethods_, 1);
    auto* moves = new QVBoxLayout;
    QPushButton* up = smallButton(tr("Move &up"), page);
    QPushButton* down = smallButton(tr("Move &down"), page);
    connect(up, &QPushButton::clicked, this, [this] { moveAuthMethod(-1); });
    connect(down, &QPushButton::clicked, this, [this] { moveAuthMethod(+1); });
    moves->addWidget(up);
    moves->addWidget(down);
    moves->addStretch();
    row->addLayout(moves);
    layout->addLayout(row);

    auto* form = new QFormLayout;
    auto* keyRow = new QHBoxLayout;
    keyFile_ = new QLineEdit(page);
    keyFile_->setObjectName(QStringLiteral("keyFile"));
    keyFile_->setPlaceholderText(tr("empty: the default keys in ~/.ssh"));
    QPushButton* browse = smallButton(tr("&Browse…"), page);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString start = keyFile_->text().isEmpty() ? QDir::homePath() + QStringLiteral("/.ssh") : keyFile_->text();
        const QString path = QFileDialog::getOpenFileName(this, tr("Private key file"), start,
                                                          tr("Private keys (id_* *.pem *.key *.ppk);;All files (*)"));
        if (!path.isEmpty())
            keyFile_->setText(path);
    });
    keyRow->addWidget(keyFile_, 1);
    keyRow->addWidget(browse);
    form->addRow(tr("&Key file:"), keyRow);
    jumpHosts_ = new QLineEdit(page);
    jumpHosts_->setObjectName(QStringLiteral("jumpHosts"));
    jumpHosts_->setPlaceholderText(tr("user@bastion:22, inner (as ssh -J)"));
    form->addRow(tr("&Jump hosts:"), jumpHosts_);
    hostKeyPolicy_ = new QComboBox(page);
    hostKeyPolicy_->setObjectName(QStringLiteral("hostKeyPolicy"));
    for (HostKeyPolicy policy : {HostKeyPolicy::Ask, HostKeyPolicy::Strict, HostKeyPolicy::AcceptNew, HostKeyPolicy::AcceptAny})
        hostKeyPolicy_->addItem(hostKeyPolicyLabel(policy), static_cast<int>(policy));
    form->addRow(tr("Host &key policy:"), hostKeyPolicy_);
    layout->addLayout(form);
    return page;
}

QWidget* SessionEditor::buildForwardingPage()
{
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    // X11 is forwarded like a port is, so its choice sits with the port forwards.
    auto* x11Form = new QFormLayout;
    x11Forwarding_ = new QComboBox(page);
    x11Forwarding_->setObjectName(QStringLiteral("x11Forwarding"));
    for (X11Mode mode : {X11Mode::Off, X11Mode::Untrusted, X11Mode::Trusted})
        x11Forwarding_->addItem(x11ModeLabel(mode), static_cast<int>(mode));
    x11Forwarding_->setToolTip(tr("Show the server's X11 programs on this computer's display ($DISPLAY)"));
    x11Form->addRow(tr("&X11 forwarding:"), x11Forwarding_);
    layout->addLayout(x11Form);
    auto* forwardsLabel = new QLabel(tr("Port forwards (L: local port to remote host, R: remote port to local host, "
                                        "D: SOCKS proxy on a local port):"),
                                     page);
    forwardsLabel->setWordWrap(true); // never what sets the dialog's width
    layout->addWidget(forwardsLabel);
    forwards_ = new QTableWidget(0, 5, page);
    forwards_->setObjectName(QStringLiteral("forwards"));
    forwards_->setHorizontalHeaderLabels({tr("Type"), tr("Listen address"), tr("Listen port"), tr("Destination host"), tr("Destination port")});
    // Host names get the room; type and ports take what their header needs.
    QHeaderView* forwardColumns = forwards_->horizontalHeader();
    forwardColumns->setSectionResizeMode(QHeaderView::ResizeToContents);
    // The type is a choice in each row, wider than the header's text.
    forwardColumns->setSectionResizeMode(KindColumn, QHeaderView::Fixed);
    {
        const QComboBox* probe = forwardKindChoice(page);
        forwardColumns->resizeSection(KindColumn, probe->sizeHint().width());
        delete probe;
    }
    forwardColumns->setSectionResizeMode(BindAddressColumn, QHeaderView::Stretch);
    forwardColumns->setSectionResizeMode(TargetHostColumn, QHeaderView::Stretch);
    forwards_->verticalHeader()->hide();
    layout->addWidget(forwards_);
    auto* forwardButtons = new QHBoxLayout;
    QPushButton* addForward = smallButton(tr("&Add forward"), page);
    QPushButton* removeForward = smallButton(tr("&Remove forward"), page);
    connect(addForward, &QPushButton::clicked, this, [this] { addForwardRow({}); });
    connect(removeForward, &QPushButton::clicked, this, [this] {
        if (forwards_->currentRow() >= 0)
            forwards_->removeRow(forwards_->currentRow());
    });
    forwardButtons->addWidget(addForward);
    forwardButtons->addWidget(removeForward);
    forwardButtons->addStretch();
    layout->addLayout(forwardButtons);

    auto* environmentLabel = new QLabel(tr("Environment variables sent to the server (it may refuse some):"), page);
    environmentLabel->setWordWrap(true);
    layout->addWidget(environmentLabel);
    environment_ = new QTableWidget(0, 2, page);
    environment_->setObjectName(QStringLiteral("environment"));
    environment_->setHorizontalHeaderLabels({tr("Name"), tr("Value")});
    environment_->horizontalHeader()->setStretchLastSection(true);
    environment_->verticalHeader()->hide();
    layout->addWidget(environment_);
    auto* envButtons = new QHBoxLayout;
    QPushButton* addVar = smallButton(tr("Add &variable"), page);
    QPushButton* removeVar = smallButton(tr("Remove v&ariable"), page);
    connect(addVar, &QPushButton::clicked, this, [this] { addEnvironmentRow({}, {}); });
    connect(removeVar, &QPushButton::clicked, this, [this] {
        if (environment_->currentRow() >= 0)
            environment_->removeRow(environment_->currentRow());
    });
    envButtons->addWidget(addVar);
    envButtons->addWidget(removeVar);
    envButtons->addStretch();
    layout->addLayout(envButtons);
    return page;
}

QWidget* SessionEditor::buildTerminalPage()
{
    auto* page = new QWidget;
    auto* form = new QFormLayout(page);
    remoteCommand_ = new QLineEdit(page);
    remoteCommand_->setObjectName(QStringLiteral("remoteCommand"));
    remoteCommand_->setPlaceholderText(tr("empty: the login shell"));
    form->addRow(tr("Remote &command:"), remoteCommand_);
    keepalive_ = new QSpinBox(page);
    keepalive_->setObjectName(QStringLiteral("keepalive"));
    keepalive_->setRange(0, 86400);
    keepalive_->setSuffix(tr(" s"));
    keepalive_->setSpecialValueText(tr("as in Preferences"));
    form->addRow(tr("&Keepalive every:"), keepalive_);
    autoReconnect_ = new QCheckBox(tr("Reconnect &automatically when the connection drops"), page);
    autoReconnect_->setObjectName(QStringLiteral("autoReconnect"));
    form->addRow(QString(), autoReconnect_);

    overrideFont_ = new QCheckBox(tr("Use another &font:"), page);
    fontFamily_ = new QFontComboBox(page);
    fontFamily_->setObjectName(QStringLiteral("fontFamily"));
    fontFamily_->setFontFilters(QFontComboBox::MonospacedFonts);
    fontFamily_->setEnabled(false);
    connect(overrideFont_, &QCheckBox::toggled, fontFamily_, &QWidget::setEnabled);
    form->addRow(overrideFont_, fontFamily_);
    fontSize_ = new QSpinBox(page);
    fontSize_->setObjectName(QStringLiteral("fontSize"));
    fontSize_->setRange(0, 200);
    fontSize_->setSpecialValueText(tr("as in Preferences"));
    fontSize_->setSuffix(tr(" pt"));
    form->addRow(tr("Font si&ze:"), fontSize_);
    colorScheme_ = new QComboBox(page);
    colorScheme_->setObjectName(QStringLiteral("colorScheme"));
    colorScheme_->addItem(tr("as in Preferences"), QString());
    for (const QString& scheme : colorSchemeNames())
        colorScheme_->addItem(scheme, scheme);
    form->addRow(tr("Colour &scheme:"), colorScheme_);
    scrollback_ = new QSpinBox(page);
    scrollback_->setObjectName(QStringLiteral("scrollback"));
    scrollback_->setRange(0, 1000000);
    scrollback_->setSingleStep(1000);
    scrollback_->setSpecialValueText(tr("as in Preferences"));
    scrollback_->setSuffix(tr(" lines"));
    form->addRow(tr("Scroll&back:"), scrollback_);
    termType_ = new QLineEdit(page);
    termType_->setObjectName(QStringLiteral("termType"));
    termType_->setPlaceholderText(QStringLiteral("xterm-256color"));
    form->addRow(tr("&TERM:"), termType_);
    return page;
}

void SessionEditor::addForwardRow(const PortForward& forward)
{
    const int row = forwards_->rowCount();
    forwards_->insertRow(row);
    QComboBox* kind = forwardKindChoice(forwards_);
    kind->setCurrentIndex(kind->findData(static_cast<int>(forward.kind)));
    forwards_->setCellWidget(row, KindColumn, kind);
    auto number = [](int value) { return value ? QString::number(value) : QString(); };
    forwards_->setItem(row, BindAddressColumn, new QTableWidgetItem(forward.bindAddress));
    forwards_->setItem(row, BindPortColumn, new QTableWidgetItem(number(forward.bindPort)));
    forwards_->setItem(row, TargetHostColumn, new QTableWidgetItem(forward.targetHost));
    forwards_->setItem(row, TargetPortColumn, new QTableWidgetItem(number(forward.targetPort)));
}

void SessionEditor::addEnvironmentRow(const QString& name, const QString& value)
{
    const int row = environment_->rowCount();
    environment_->insertRow(row);
    environment_->setItem(row, 0, new QTableWidgetItem(name));
    environment_->setItem(row, 1, new QTableWidgetItem(value));
}

void SessionEditor::moveAuthMethod(int delta)
{
    const int row = authMethods_->currentRow();
    const int target = row + delta;
    if (row < 0 || target < 0 || target >= authMethods_->count())
        return;
    QListWidgetItem* item = authMethods_->takeItem(row);
    authMethods_->insertItem(target, item);
    authMethods_->setCurrentRow(target);
}

Session SessionEditor::session() const
{
    Session s = original_;
    if (s.id.isNull())
        s.id = QUuid::createUuid();
    s.name = name_->text().trimmed();
    s.host = host_->text().trimmed();
    s.port = port_->value();
    s.user = user_->text().trimmed();
    s.tags.clear();
    for (const QString& tag : tags_->text().split(u',', Qt::SkipEmptyParts)) {
        if (!tag.trimmed().isEmpty())
            s.tags << tag.trimmed();
    }
    s.notes = notes_->toPlainText();
    s.authMethods.clear();
    for (int i = 0; i < authMethods_->count(); ++i) {
        const QListWidgetItem* item = authMethods_->item(i);
        if (item->checkState() == Qt::Checked)
            s.authMethods << static_cast<AuthMethod>(item->data(Qt::UserRole).toInt());
    }
    s.keyFile = keyFile_->text().trimmed();
    s.jumpHosts.clear();
    for (const QString& hop : jumpHosts_->text().split(u',', Qt::SkipEmptyParts)) {
        if (!hop.trimmed().isEmpty())
            s.jumpHosts << hop.trimmed();
    }
    s.forwards.clear();
    for (int row = 0; row < forwards_->rowCount(); ++row) {
        PortForward f;
        const auto* kind = static_cast<QComboBox*>(forwards_->cellWidget(row, KindColumn));
        f.kind = static_cast<PortForward::Kind>(kind->currentData().toInt());
        f.bindAddress = cellText(forwards_, row, BindAddressColumn);
        f.bindPort = cellNumber(forwards_, row, BindPortColumn);
        if (f.kind != PortForward::Kind::Dynamic) {
            f.targetHost = cellText(forwards_, row, TargetHostColumn);
            f.targetPort = cellNumber(forwards_, row, TargetPortColumn);
        }
        s.forwards << f;
    }
    s.environment.clear();
    for (int row = 0; row < environment_->rowCount(); ++row) {
        const QString name = cellText(environment_, row, 0);
        if (!name.isEmpty() || !cellText(environment_, row, 1).isEmpty())
            s.environment.append({name, environment_->item(row, 1) ? environment_->item(row, 1)->text() : QString()});
    }
    s.remoteCommand = remoteCommand_->text().trimmed();
    s.keepaliveSeconds = keepalive_->value();
    s.autoReconnect = autoReconnect_->isChecked();
    s.hostKeyPolicy = static_cast<HostKeyPolicy>(hostKeyPolicy_->currentData().toInt());
    s.x11Forwarding = static_cast<X11Mode>(x11Forwarding_->currentData().toInt());
    s.terminal.fontFamily = overrideFont_->isChecked() ? fontFamily_->currentFont().family() : QString();
    s.terminal.fontPointSize = fontSize_->value();
    s.terminal.colorScheme = colorScheme_->currentIndex() > 0 ? colorScheme_->currentText() : QString();
    s.terminal.scrollbackLines = scrollback_->value();
    s.terminal.termType = termType_->text().trimmed();
    return s;
}

QString SessionEditor::folderPath() const
{
    QStringList parts;
    for (const QString& part : folder_->text().split(u'/', Qt::SkipEmptyParts)) {
        if (!part.trimmed().isEmpty())
            parts << part.trimmed();
    }
    return parts.join(u'/');
}

QStringList SessionEditor::tableProblems() const
{
    QStringList problems;
    for (int row = 0; row < forwards_->rowCount(); ++row) {
        for (int column : {BindPortColumn, TargetPortColumn}) {
            if (cellNumber(forwards_, row, column) < 0)
                problems << tr("Forward %1: “%2” is not a port number.").arg(row + 1).arg(cellText(forwards_, row, column));
        }
    }
    return problems;
}

QStringList SessionEditor::problems() const
{
    QStringList all = tableProblems();
    const bool forwardsUnreadable = !all.isEmpty();
    for (const QString& problem : validateSession(session())) {
        // A cell that is not a number is named above; do not also call it "port -1".
        if (!(forwardsUnreadable && problem.startsWith(QStringLiteral("Forward "))))
            all << problem;
    }
    return all;
}

void SessionEditor::accept()
{
    const QStringList found = problems();
    if (!found.isEmpty()) {
        problemsLabel_->setText(tr("Please correct this before saving:\n• %1").arg(found.join(QStringLiteral("\n• "))));
        problemsLabel_->show();
        return;
    }
    problemsLabel_->hide();
    QDialog::accept();
}

} // namespace portal::ui
