// Algorithm tables and ssh_config(5) list options (+ append, - remove with patterns,
// ^ put first, plain list replaces).
#include "crypto/Algorithms.h"

#include <QtTest>

using namespace portal::protocol;
using namespace portal::protocol::crypto;

Q_DECLARE_METATYPE(AlgorithmFamily)

namespace {

QStringList toQt(const std::vector<std::string>& names) {
    QStringList list;
    for (const std::string& name : names)
        list << QString::fromStdString(name);
    return list;
}

} // namespace

class TestAlgorithms : public QObject {
    Q_OBJECT
private slots:
    // OpenSSH 9.x client defaults (myproposal.h) without post-quantum, umac or certificates.
    void defaultsFollowOpenSshClientOrder_data() {
        QTest::addColumn<AlgorithmFamily>("family");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("kex") << AlgorithmFamily::Kex
                             << QStringList{"curve25519-sha256", "curve25519-sha256@libssh.org",
                                            "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
                                            "diffie-hellman-group-exchange-sha256",
                                            "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
                                            "diffie-hellman-group14-sha256"};
        QTest::newRow("cipher") << AlgorithmFamily::Cipher
                                << QStringList{"chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr",
                                               "aes256-ctr", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com"};
        QTest::newRow("mac") << AlgorithmFamily::Mac
                             << QStringList{"hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
                                            "hmac-sha2-256", "hmac-sha2-512"};
        const QStringList hostKeys{"ssh-ed25519",         "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                                   "ecdsa-sha2-nistp521", "rsa-sha2-512",        "rsa-sha2-256"};
        QTest::newRow("host key") << AlgorithmFamily::HostKey << hostKeys;
        QTest::newRow("pubkey accepted") << AlgorithmFamily::PubkeyAccepted << hostKeys;
    }
    void defaultsFollowOpenSshClientOrder() {
        QFETCH(AlgorithmFamily, family);
        QFETCH(QStringList, expected);
        QCOMPARE(toQt(defaultAlgorithms(family)), expected);
        // The markers the transport appends never sit in a table.
        for (const std::string& name : supportedAlgorithms(family)) {
            QVERIFY(name != "ext-info-c");
            QVERIFY(name != "kex-strict-c-v00@openssh.com");
        }
    }

    void tablesDescribeTheAlgorithms() {
        const CipherInfo* chacha = findCipher("chacha20-poly1305@openssh.com");
        QVERIFY(chacha && chacha->aead && chacha->keyLength == 64 && chacha->blockSize == 8);
        const CipherInfo* gcm = findCipher("aes256-gcm@openssh.com");
        QVERIFY(gcm && gcm->aead && gcm->keyLength == 32 && gcm->ivLength == 12 && gcm->blockSize == 16);
        const CipherInfo* ctr = findCipher("aes192-ctr");
        QVERIFY(ctr && !ctr->aead && ctr->keyLength == 24 && ctr->ivLength == 16);
        QVERIFY(!findCipher("3des-cbc"));

        const MacInfo* etm = findMac("hmac-sha2-512-etm@openssh.com");
        QVERIFY(etm && etm->encryptThenMac && etm->keyLength == 64 && etm->tagLength == 64);
        const MacInfo* sha1 = findMac("hmac-sha1");
        QVERIFY(sha1 && !sha1->encryptThenMac && sha1->tagLength == 20 && !sha1->enabledByDefault);
        QVERIFY(!findMac("umac-64@openssh.com"));

        const KexInfo* p384 = findKex("ecdh-sha2-nistp384");
        QVERIFY(p384 && p384->kind == KexKind::Ecdh && p384->curve == NamedGroup::NistP384 &&
                p384->hash == HashAlgorithm::Sha384);
        const KexInfo* g18 = findKex("diffie-hellman-group18-sha512");
        QVERIFY(g18 && g18->kind == KexKind::Modp && g18->modpGroup == 18 && g18->hash == HashAlgorithm::Sha512);
        const KexInfo* gex = findKex("diffie-hellman-group-exchange-sha256");
        QVERIFY(gex && gex->kind == KexKind::GroupExchange && gex->hash == HashAlgorithm::Sha256);
        const KexInfo* g14sha1 = findKex("diffie-hellman-group14-sha1");
        QVERIFY(g14sha1 && !g14sha1->enabledByDefault && g14sha1->hash == HashAlgorithm::Sha1);
        QVERIFY(!findKex("diffie-hellman-group1-sha1"));

        const HostKeyAlgorithmInfo* rsa512 = findHostKeyAlgorithm("rsa-sha2-512");
        QVERIFY(rsa512 && rsa512->keyType == "ssh-rsa" && rsa512->enabledByDefault);
        const HostKeyAlgorithmInfo* sshRsa = findHostKeyAlgorithm("ssh-rsa");
        QVERIFY(sshRsa && !sshRsa->enabledByDefault);
    }

    void options_data() {
        QTest::addColumn<AlgorithmFamily>("family");
        QTest::addColumn<QString>("option");
        QTest::addColumn<QStringList>("expected"); // empty: an error is expected
        QTest::addColumn<QString>("errorMentions");

        QTest::newRow("replace") << AlgorithmFamily::Cipher << "aes256-gcm@openssh.com,aes128-ctr"
                                 << QStringList{"aes256-gcm@openssh.com", "aes128-ctr"} << QString();
        QTest::newRow("replace drops duplicates")
            << AlgorithmFamily::Cipher << "aes128-ctr,aes128-ctr" << QStringList{"aes128-ctr"} << QString();
        QTest::newRow("replace with non-default") << AlgorithmFamily::Mac << "hmac-sha1"
                                                  << QStringList{"hmac-sha1"} << QString();
        QTest::newRow("append") << AlgorithmFamily::Mac << "+hmac-sha1,hmac-sha1-etm@openssh.com"
                                << QStringList{"hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
                                               "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1",
                                               "hmac-sha1-etm@openssh.com"}
                                << QString();
        QTest::newRow("append existing keeps place")
            << AlgorithmFamily::HostKey << "+ssh-ed25519,ssh-rsa"
            << QStringList{"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                           "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"}
            << QString();
        QTest::newRow("remove with wildcard")
            << AlgorithmFamily::Kex << "-ecdh-sha2-*,diffie-hellman-group1?-sha512"
            << QStringList{"curve25519-sha256", "curve25519-sha256@libssh.org",
                           "diffie-hellman-group-exchange-sha256", "diffie-hellman-group14-sha256"}
            << QString();
        QTest::newRow("remove question mark")
            << AlgorithmFamily::Cipher << "-aes1?\?-ctr"
            << QStringList{"chacha20-poly1305@openssh.com", "aes256-ctr", "aes128-gcm@openssh.com",
                           "aes256-gcm@openssh.com"}
            << QString();
        QTest::newRow("remove unknown is harmless")
            << AlgorithmFamily::Mac << "-umac-64@openssh.com,hmac-sha2-512*"
            << QStringList{"hmac-sha2-256-etm@openssh.com", "hmac-sha2-256"} << QString();
        QTest::newRow("prepend moves to front")
            << AlgorithmFamily::Cipher << "^aes256-gcm@openssh.com,aes128-gcm@openssh.com"
            << QStringList{"aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com",
                           "aes128-ctr", "aes192-ctr", "aes256-ctr"}
            << QString();
        QTest::newRow("prepend non-default")
            << AlgorithmFamily::Kex << "^diffie-hellman-group14-sha1"
            << QStringList{"diffie-hellman-group14-sha1", "curve25519-sha256", "curve25519-sha256@libssh.org",
                           "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
                           "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
                           "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256"}
            << QString();
        QTest::newRow("host key pattern appended")
            << AlgorithmFamily::HostKey << "+ssh-rs?"
            << QStringList{"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                           "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"}
            << QString();
        QTest::newRow("pubkey pattern first")
            << AlgorithmFamily::PubkeyAccepted << "^rsa-sha2-*"
            << QStringList{"rsa-sha2-512", "rsa-sha2-256", "ssh-ed25519", "ecdsa-sha2-nistp256",
                           "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"}
            << QString();
        QTest::newRow("host key pattern replaces") << AlgorithmFamily::HostKey << "ecdsa-*,ssh-ed25519"
                                                   << QStringList{"ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                                                                  "ecdsa-sha2-nistp521", "ssh-ed25519"}
                                                   << QString();
        QTest::newRow("host key pattern matching nothing") << AlgorithmFamily::HostKey << "+ssh-dss*"
                                                           << QStringList() << "ssh-dss*";
        QTest::newRow("unknown in replacement") << AlgorithmFamily::Cipher << "aes128-ctr,3des-cbc,arcfour"
                                                << QStringList() << "3des-cbc, arcfour";
        QTest::newRow("unknown in append") << AlgorithmFamily::Mac << "+umac-128@openssh.com" << QStringList()
                                           << "umac-128@openssh.com";
        QTest::newRow("unknown in prepend") << AlgorithmFamily::Kex << "^sntrup761x25519-sha512@openssh.com"
                                            << QStringList() << "sntrup761x25519-sha512@openssh.com";
        QTest::newRow("wildcard outside remove") << AlgorithmFamily::Cipher << "aes*" << QStringList() << "aes*";
        QTest::newRow("cipher name as mac") << AlgorithmFamily::Mac << "aes128-ctr" << QStringList()
                                            << "aes128-ctr";
        QTest::newRow("empty option") << AlgorithmFamily::Cipher << "" << QStringList() << "Empty name";
        QTest::newRow("empty item") << AlgorithmFamily::Cipher << "aes128-ctr,,aes256-ctr" << QStringList()
                                    << "Empty name";
        QTest::newRow("remove everything") << AlgorithmFamily::Cipher << "-*" << QStringList() << "no algorithm";
    }
    void options() {
        QFETCH(AlgorithmFamily, family);
        QFETCH(QString, option);
        QFETCH(QStringList, expected);
        QFETCH(QString, errorMentions);
        const std::string text = option.toStdString();
        Result<std::vector<std::string>> result = applyAlgorithmOption(family, text);
        if (expected.isEmpty()) {
            QVERIFY(!result.ok());
            QVERIFY2(QString::fromStdString(result.error().message).contains(errorMentions),
                     result.error().message.c_str());
        } else {
            QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
            QCOMPARE(toQt(*result), expected);
        }
    }
};

QTEST_GUILESS_MAIN(TestAlgorithms)
#include "test_algorithms.moc"
