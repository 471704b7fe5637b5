// portal-cli ssh -G and -F against OpenSSH's own `ssh -G` on the same configuration files and
// command lines (ssh_config(5): Host/Match blocks, first value wins, the command line before
// the files), and a config file's Host alias actually used to log in to sshd.
#include "ClientKey.h"
#include "OpenSshServer.h"
#include "PortalCliRunner.h"

#include <QMap>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace portal::test;

namespace {

QMap<QString, QStringList> keywordLines(const QByteArray& output) {
    QMap<QString, QStringList> lines;
    for (const QByteArray& line : output.split('\n')) {
        const qsizetype space = line.indexOf(' ');
        if (space > 0)
            lines[QString::fromLatin1(line.left(space))] << QString::fromLocal8Bit(line.mid(space + 1));
    }
    return lines;
}

} // namespace

class TestCliConfig : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    QString writeConfig(const QString& name, const QByteArray& text) {
        const QString path = dir_.filePath(name);
        QString error;
        if (!writeFile(path, text, 0600, &error))
            qFatal("%s", qPrintable(error));
        return path;
    }

private slots:
    void printedOptionsMatchOpenSsh_data() {
        QTest::addColumn<QByteArray>("config");
        QTest::addColumn<QStringList>("arguments");
        const QByteArray work = "Host work\n  HostName build.example.org\n  User builder\n  Port 2022\n"
                                "  IdentityFile ~/.ssh/work_key\n  IdentitiesOnly yes\n"
                                "  LocalForward 5432 db.internal:5432\n  DynamicForward 1080\n"
                                "  ProxyJump hop@bastion:2200\n  ServerAliveInterval 15\n  ServerAliveCountMax 4\n"
                                "  ForwardAgent yes\n  RequestTTY force\n"
                                "Host *.example.org\n  User other\n  ConnectTimeout 7\n"
                                "Host *\n  Port 2999\n  StrictHostKeyChecking accept-new\n  BatchMode yes\n";
        QTest::newRow("alias") << work << QStringList{QStringLiteral("work")};
        QTest::newRow("wildcard host") << work << QStringList{QStringLiteral("ci.example.org")};
        QTest::newRow("other host") << work << QStringList{QStringLiteral("elsewhere")};
        QTest::newRow("command line first")
            << work
            << QStringList{QStringLiteral("-p"), QStringLiteral("2200"), QStringLiteral("-l"), QStringLiteral("root"),
                           QStringLiteral("-o"), QStringLiteral("ConnectTimeout=3"), QStringLiteral("-L"),
                           QStringLiteral("8080:web:80"), QStringLiteral("-R"), QStringLiteral("9000:localhost:9001"),
                           QStringLiteral("-D"), QStringLiteral("127.0.0.1:1081"), QStringLiteral("-J"),
                           QStringLiteral("a@first,second:23"), QStringLiteral("-A"), QStringLiteral("work")};
        QTest::newRow("negation and match")
            << QByteArray("Host * !secret\n  User everyone\nMatch host secret\n  User hidden\n  Port 2345\n")
            << QStringList{QStringLiteral("secret")};
        const QByteArray x11 = "Host display\n  ForwardX11 yes\n  ForwardX11Timeout 1h30m\n"
                               "  XAuthLocation ~/bin/xauth\nHost *\n  ForwardX11Trusted yes\n  ForwardX11 no\n"
                               "  ForwardX11Timeout 0\n";
        QTest::newRow("x11 from the file") << x11 << QStringList{QStringLiteral("display")};
        QTest::newRow("x11 defaults of the file") << x11 << QStringList{QStringLiteral("other")};
        QTest::newRow("-X") << QByteArray() << QStringList{QStringLiteral("-X"), QStringLiteral("h")};
        QTest::newRow("-Y") << QByteArray() << QStringList{QStringLiteral("-Y"), QStringLiteral("h")};
        QTest::newRow("-x beats the file") << x11 << QStringList{QStringLiteral("-x"), QStringLiteral("display")};
    }
    void printedOptionsMatchOpenSsh() {
        QFETCH(QByteArray, config);
        QFETCH(QStringList, arguments);
        const QString file = writeConfig(QStringLiteral("config"), config);
        const QStringList args = QStringList{QStringLiteral("-G"), QStringLiteral("-F"), file} + arguments;
        const ToolResult portal = runTool(PortalCliRunner::program(), QStringList{QStringLiteral("ssh")} + args);
        const ToolResult openssh = runTool(QStringLiteral("ssh"), args);
        QVERIFY2(portal.succeeded(), qPrintable(portal.describe(QStringLiteral("portal-cli"))));
        QVERIFY2(openssh.succeeded(), qPrintable(openssh.describe(QStringLiteral("ssh"))));
        // Every keyword Portal prints, ssh -G prints with the same values in the same order.
        const QMap<QString, QStringList> ours = keywordLines(portal.out);
        const QMap<QString, QStringList> theirs = keywordLines(openssh.out);
        QVERIFY(ours.size() >= 10);
        for (auto it = ours.begin(); it != ours.end(); ++it) {
            if (it.key() == QStringLiteral("ciphers") || it.key() == QStringLiteral("kexalgorithms") ||
                it.key() == QStringLiteral("macs") || it.key() == QStringLiteral("hostkeyalgorithms") ||
                it.key() == QStringLiteral("pubkeyacceptedalgorithms"))
                continue; // Portal's own default lists (it implements a subset)
            if (it.key() == QStringLiteral("forwardx11trusted") && !config.contains("ForwardX11Trusted") &&
                !arguments.contains(QStringLiteral("-Y")))
                continue; // Debian patches ssh's default to yes; Portal keeps upstream OpenSSH's no
            QVERIFY2(theirs.contains(it.key()), qPrintable(it.key()));
            QCOMPARE(it.value(), theirs.value(it.key()));
        }
    }

    void missingConfigFileIsAnError() {
        const ToolResult portal = runTool(PortalCliRunner::program(),
                                          {QStringLiteral("ssh"), QStringLiteral("-F"), dir_.filePath("absent"),
                                           QStringLiteral("-G"), QStringLiteral("h")});
        QCOMPARE(portal.exitCode, 255);
        QVERIFY2(portal.err.contains("absent"), portal.err.constData());
    }

    // A Host alias from ~/.ssh/config (found through HOME, no -F) carries HostName, Port,
    // User, IdentityFile, UserKnownHostsFile and RemoteCommand to a real login.
    void configAliasLogsIn() {
        ClientKey key;
        OpenSshServer server;
        server.setHostKeys({{QStringLiteral("ed25519"), 0}});
        QVERIFY2(server.startWithClientKey(&key), qPrintable(server.errorString()));
        PortalCliRunner cli(server);
        QString error;
        QVERIFY2(cli.trustServer(&error), qPrintable(error));
        QVERIFY(QDir(cli.home()).mkpath(QStringLiteral(".ssh")));
        const QByteArray config = "Host fixture\n  HostName 127.0.0.1\n  Port " + QByteArray::number(server.port()) +
                                  "\n  User " + server.user().name.toLocal8Bit() + "\n  IdentityFile " +
                                  key.privatePath.toLocal8Bit() + "\n  UserKnownHostsFile " +
                                  cli.knownHostsPath().toLocal8Bit() +
                                  "\n  BatchMode yes\n  RemoteCommand echo via-config-$((40+2))\n";
        QVERIFY2(writeFile(cli.home() + "/.ssh/config", config, 0600, &error), qPrintable(error));
        ToolOptions options;
        options.environment = cli.environment();
        const ToolResult run = runTool(PortalCliRunner::program(), {QStringLiteral("ssh"), QStringLiteral("fixture")}, options);
        QVERIFY2(run.succeeded(), qPrintable(explain(run, server)));
        QCOMPARE(run.out, QByteArray("via-config-42\n"));
    }
};

QTEST_GUILESS_MAIN(TestCliConfig)
#include "test_cli_config.moc"
