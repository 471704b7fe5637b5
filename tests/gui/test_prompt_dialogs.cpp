// The prompts a user must trust: server text is sanitised and shown as the server's, the
// changed-key warning names the old key's file:line and defaults to Cancel, and the
// unknown-key dialog reports exactly the answer that was clicked.
#include "PromptDialogs.h"

#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QCheckBox>
#include <QTest>

using namespace portal::ui;

namespace {

UnknownHostKey sampleKey()
{
    return {QStringLiteral("server.example"), 2222, QStringLiteral("ssh-ed25519"),
            QStringLiteral("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"),
            QStringLiteral("+--[ED25519 256]--+\n|        .o.      |\n+----[SHA256]-----+"),
            {QStringLiteral("ecdsa-sha2-nistp256")}, QStringLiteral("/home/u/.ssh/known_hosts")};
}

QStringList allLabelTexts(const QWidget* widget)
{
    QStringList texts;
    for (const QLabel* label : widget->findChildren<QLabel*>())
        texts << label->text();
    return texts;
}

} // namespace

class TestPromptDialogs : public QObject {
    Q_OBJECT
private slots:
    void sanitizeServerText_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << QStringLiteral("Password: ") << QStringLiteral("Password: ");
        QTest::newRow("SGR colour") << QStringLiteral("\x1b[1;31mRED\x1b[0m ok") << QStringLiteral("RED ok");
        QTest::newRow("OSC title with BEL") << QStringLiteral("a\x1b]0;evil title\x07" "b") << QStringLiteral("ab");
        QTest::newRow("OSC 52 with ST") << QStringLiteral("a\x1b]52;c;ZXZpbA==\x1b\\b") << QStringLiteral("ab");
        QTest::newRow("C1 CSI") << QString(QStringLiteral("x") + QChar(0x9b) + QStringLiteral("2Jy")) << QStringLiteral("xy");
        QTest::newRow("cursor movement to overwrite") << QStringLiteral("Portal says: \x1b[2K\rtrust me") << QStringLiteral("Portal says: \ntrust me");
        QTest::newRow("CR LF folded") << QStringLiteral("one\r\ntwo") << QStringLiteral("one\ntwo");
        QTest::newRow("bell and backspace") << QStringLiteral("a\x07\x08" "b\x7f") << QStringLiteral("ab");
        QTest::newRow("bidi override") << QString(QStringLiteral("abc") + QChar(0x202E) + QStringLiteral("fed") + QChar(0x2066))
                                       << QStringLiteral("abcfed");
        QTest::newRow("tabs and newlines kept") << QStringLiteral("a\tb\nc") << QStringLiteral("a\tb\nc");
        QTest::newRow("unterminated OSC swallowed") << QStringLiteral("ok\x1b]0;never ends") << QStringLiteral("ok");
        QTest::newRow("charset designation") << QStringLiteral("\x1b(Bplain") << QStringLiteral("plain");
        QTest::newRow("emoji kept") << QString::fromUtf8("ok \xF0\x9F\x94\x91") << QString::fromUtf8("ok \xF0\x9F\x94\x91");
    }

    void sanitizeServerText()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QCOMPARE(portal::ui::sanitizeServerText(input), expected);
    }

    void sanitizeBoundsLength()
    {
        const QString out = portal::ui::sanitizeServerText(QString(100000, u'x'), 100);
        QCOMPARE(out.size(), 101);
        QVERIFY(out.endsWith(QChar(0x2026)));
    }

    void unknownHostKeyShowsTheKeyAndDefaultsToCancel()
    {
        UnknownHostKeyDialog dialog(sampleKey());
        QCOMPARE(dialog.findChild<QLabel*>(QStringLiteral("fingerprint"))->text(), sampleKey().fingerprint);
        QCOMPARE(dialog.findChild<QLabel*>(QStringLiteral("randomArt"))->text(), sampleKey().randomArt);
        QVERIFY(dialog.findChild<QPushButton*>(QStringLiteral("cancel"))->isDefault());
        QVERIFY(!dialog.findChild<QPushButton*>(QStringLiteral("acceptOnce"))->isDefault());
        QVERIFY(!dialog.findChild<QPushButton*>(QStringLiteral("acceptAndSave"))->isDefault());
        QVERIFY(allLabelTexts(&dialog).join(u' ').contains(QStringLiteral("server.example:2222")));
        QCOMPARE(dialog.answer(), HostKeyAnswer::Cancel);
    }

    void unknownHostKeyAnswers_data()
    {
        QTest::addColumn<QString>("button");
        QTest::addColumn<int>("answer");
        QTest::addColumn<int>("result");
        QTest::newRow("accept once") << QStringLiteral("acceptOnce") << int(HostKeyAnswer::AcceptOnce) << int(QDialog::Accepted);
        QTest::newRow("accept and save") << QStringLiteral("acceptAndSave") << int(HostKeyAnswer::AcceptAndSave) << int(QDialog::Accepted);
        QTest::newRow("cancel") << QStringLiteral("cancel") << int(HostKeyAnswer::Cancel) << int(QDialog::Rejected);
    }

    void unknownHostKeyAnswers()
    {
        QFETCH(QString, button);
        QFETCH(int, answer);
        QFETCH(int, result);
        UnknownHostKeyDialog dialog(sampleKey());
        dialog.show();
        QTest::mouseClick(dialog.findChild<QPushButton*>(button), Qt::LeftButton);
        QCOMPARE(int(dialog.answer()), answer);
        QCOMPARE(dialog.result(), result);
    }

    void enterOnTheUnknownKeyDialogDoesNotTrust()
    {
        UnknownHostKeyDialog dialog(sampleKey());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTest::keyClick(&dialog, Qt::Key_Return);
        QCOMPARE(dialog.answer(), HostKeyAnswer::Cancel);
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
    }

    void changedHostKeyNamesTheOldLineAndOffersNoWayIn()
    {
        const ChangedHostKey key{QStringLiteral("server.example"), 2222, QStringLiteral("ssh-ed25519"),
                                 QStringLiteral("SHA256:newnewnew"), QStringLiteral("/home/u/.ssh/known hosts"), 17,
                                 QStringLiteral("SHA256:oldoldold")};
        ChangedHostKeyDialog dialog(key);
        QCOMPARE(dialog.findChild<QLabel*>(QStringLiteral("oldKeyLocation"))->text(),
                 QStringLiteral("/home/u/.ssh/known hosts:17"));
        QVERIFY(dialog.findChild<QPushButton*>(QStringLiteral("cancel"))->isDefault());
        QCOMPARE(dialog.findChild<QLineEdit*>(QStringLiteral("removalCommand"))->text(),
                 QStringLiteral("ssh-keygen -R '[server.example]:2222' -f '/home/u/.ssh/known hosts'"));
        // Only Cancel and "Copy command": nothing that accepts the new key.
        QStringList buttons;
        for (const QPushButton* b : dialog.findChildren<QPushButton*>())
            buttons << b->text();
        QCOMPARE(buttons.size(), 2);
        QVERIFY(dialog.windowTitle().startsWith(QStringLiteral("WARNING")));
        dialog.show();
        QTest::keyClick(&dialog, Qt::Key_Return);
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
    }

    void keyboardInteractiveShowsServerWordsAsTheServers()
    {
        CredentialPrompt prompt;
        prompt.kind = CredentialPrompt::Kind::KeyboardInteractive;
        prompt.user = QStringLiteral("alice");
        prompt.host = QStringLiteral("server.example");
        prompt.serverName = QStringLiteral("\x1b[31mPortal security check\x1b[0m");
        prompt.serverInstruction = QStringLiteral("<b>Enter</b> your code\x1b]0;x\x07");
        prompt.fields = {{QStringLiteral("Verification code: "), true}, {QStringLiteral("Password: "), false}};
        CredentialDialog dialog(prompt);

        auto* serverBox = dialog.findChild<QGroupBox*>(QStringLiteral("serverText"));
        QVERIFY(serverBox);
        QVERIFY(serverBox->title().contains(QStringLiteral("server.example")));
        const QStringList inBox = allLabelTexts(serverBox);
        QVERIFY(inBox.contains(QStringLiteral("Portal security check")));
        QVERIFY(inBox.contains(QStringLiteral("<b>Enter</b> your code")));
        for (const QLabel* label : serverBox->findChildren<QLabel*>())
            QCOMPARE(label->textFormat(), Qt::PlainText); // markup is shown, never rendered
        // Portal's own sentence is outside the server's box.
        const QLabel* header = dialog.findChild<QLabel*>(QStringLiteral("portalText"));
        QVERIFY(!serverBox->isAncestorOf(header));
        QVERIFY(header->text().contains(QStringLiteral("alice@server.example")));

        QCOMPARE(dialog.field(0)->echoMode(), QLineEdit::Normal);
        QCOMPARE(dialog.field(1)->echoMode(), QLineEdit::Password);
        QTest::keyClicks(dialog.field(0), QStringLiteral("123456"));
        QTest::keyClicks(dialog.field(1), QStringLiteral("s3cret"));
        QCOMPARE(dialog.responses(), (QStringList{QStringLiteral("123456"), QStringLiteral("s3cret")}));
        QVERIFY(!dialog.findChild<QCheckBox*>(QStringLiteral("remember")));
    }

    void passwordDialogOffersTheKeychainOnlyWhenAsked()
    {
        CredentialPrompt prompt;
        prompt.user = QStringLiteral("bob");
        prompt.host = QStringLiteral("h");
        prompt.fields = {{QStringLiteral("bob@h's password:"), false}};
        {
            CredentialDialog dialog(prompt);
            QVERIFY(!dialog.findChild<QCheckBox*>(QStringLiteral("remember")));
            QVERIFY(!dialog.rememberRequested());
        }
        prompt.offerRemember = true;
        CredentialDialog dialog(prompt);
        auto* remember = dialog.findChild<QCheckBox*>(QStringLiteral("remember"));
        QVERIFY(remember);
        QVERIFY(!remember->isChecked());
        remember->setChecked(true);
        QVERIFY(dialog.rememberRequested());
        QVERIFY(!dialog.findChild<QGroupBox*>(QStringLiteral("serverText")));
    }

    void connectionInfoShowsWhatWasNegotiated()
    {
        ConnectionDetails d;
        d.host = QStringLiteral("h");
        d.serverVersion = QStringLiteral("SSH-2.0-OpenSSH_9.2p1 Debian-2\x1b[2J");
        d.kex = QStringLiteral("curve25519-sha256");
        d.hostKeyType = QStringLiteral("ssh-ed25519");
        d.hostKeyFingerprint = QStringLiteral("SHA256:abc");
        d.cipherClientToServer = d.cipherServerToClient = QStringLiteral("chacha20-poly1305@openssh.com");
        d.macClientToServer = d.macServerToClient = QStringLiteral("<implicit>");
        d.strictKex = true;
        d.authMethod = QStringLiteral("password");
        ConnectionInfoDialog dialog(d);
        const QString all = allLabelTexts(&dialog).join(u'\n');
        QVERIFY(all.contains(QStringLiteral("SSH-2.0-OpenSSH_9.2p1 Debian-2\n")) || all.contains(QStringLiteral("SSH-2.0-OpenSSH_9.2p1 Debian-2")));
        QVERIFY(!all.contains(QChar(0x1b)));
        QVERIFY(all.contains(QStringLiteral("curve25519-sha256")));
        QVERIFY(all.contains(QStringLiteral("chacha20-poly1305@openssh.com")));
        QVERIFY(!all.contains(QStringLiteral("(sent)"))); // same both ways: shown once
        QVERIFY(all.contains(QStringLiteral("implicit in the AEAD cipher")));
        QVERIFY(all.contains(QStringLiteral("on (")));
        QVERIFY(all.contains(QStringLiteral("ssh-ed25519 SHA256:abc")));
    }

    void bannerIsStrippedOfEscapes()
    {
        BannerDialog dialog(QStringLiteral("h"), QStringLiteral("\x1b[5mWelcome\x1b[0m\r\nAuthorised use only\x1b]0;pwned\x07"));
        const auto* text = dialog.findChild<QWidget*>(QStringLiteral("bannerText"));
        QVERIFY(text);
        QCOMPARE(text->property("plainText").toString(), QStringLiteral("Welcome\nAuthorised use only"));
    }
};

QTEST_MAIN(TestPromptDialogs)
#include "test_prompt_dialogs.moc"
