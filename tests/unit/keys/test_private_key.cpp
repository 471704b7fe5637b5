// PrivateKey against the reference tools: keys made by ssh-keygen (openssh-key-v1 plain,
// aes256-ctr and aes256-gcm@openssh.com; PEM and PKCS#8, plain and encrypted), by puttygen's
// OpenSSH exports and by openssl; public key and fingerprint equal to the tools'; signatures
// checked by us and by `ssh-keygen -Y check-novalidate`; and the failure kinds: passphrase
// required, wrong passphrase, corrupt, unsupported.
#include "KeyTestTools.h"

#include "keys/PrivateKey.h"
#include "wire/Reader.h"
#include "wire/Writer.h"

#include <openssl/evp.h>

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

using namespace portal::protocol;
using namespace portal::protocol::keys;
using keytest::view;

Q_DECLARE_METATYPE(KeyLoadFailure)
Q_DECLARE_METATYPE(KeyFileFormat)

namespace {

const QString kPassphrase = "correct horse battery";

struct KeyCase {
    QString path;
    QString passphrase; // empty: not encrypted
    KeyFileFormat format;
    QString publicPath; // the reference public key line
    QString comment;    // expected comment, or empty when the format has none
};

// openssh-key-v1 body <-> file, for building damaged files.
QByteArray decodeOpenSshArmour(const QByteArray& file) {
    QByteArray body;
    for (const QByteArray& line : file.split('\n'))
        if (!line.startsWith("-----"))
            body += line.trimmed();
    return QByteArray::fromBase64(body);
}

QByteArray encodeOpenSshArmour(const QByteArray& decoded) {
    QByteArray base64 = decoded.toBase64();
    QByteArray file = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
    for (qsizetype i = 0; i < base64.size(); i += 70)
        file += base64.mid(i, 70) + '\n';
    return file + "-----END OPENSSH PRIVATE KEY-----\n";
}

// Where the fields of an openssh-key-v1 container sit, so a test can damage one of them.
struct ContainerLayout {
    qsizetype cipherName = 0, kdfName = 0, rounds = 0, keyCount = 0, publicBlob = 0, publicBlobSize = 0,
              privateSection = 0, privateSize = 0;
};
ContainerLayout layoutOf(const QByteArray& decoded) {
    wire::Reader reader(view(decoded));
    ContainerLayout layout;
    reader.raw(15);
    layout.cipherName = qsizetype(reader.offset()) + 4;
    reader.string();
    layout.kdfName = qsizetype(reader.offset()) + 4;
    reader.string();
    ByteView options = reader.string();
    layout.rounds = options.empty() ? -1 : qsizetype(reader.offset()) - 4;
    layout.keyCount = qsizetype(reader.offset());
    reader.uint32();
    layout.publicBlob = qsizetype(reader.offset()) + 4;
    layout.publicBlobSize = qsizetype(reader.string().size());
    layout.privateSection = qsizetype(reader.offset()) + 4;
    layout.privateSize = qsizetype(reader.string().size());
    return layout;
}

void putUint32(QByteArray& bytes, qsizetype at, std::uint32_t value) {
    for (int i = 0; i < 4; ++i)
        bytes[at + i] = char(value >> (24 - 8 * i));
}

} // namespace

class TestPrivateKey : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::map<QString, KeyCase> cases_;
    std::map<QString, PrivateKey> loaded_;

    QString file(const QString& name) const { return dir_.filePath(name); }

    bool sshKeygen(const QStringList& arguments) {
        auto run = keytest::runTool("ssh-keygen", arguments);
        if (!run.ok())
            qWarning("ssh-keygen %s: %s", qPrintable(arguments.join(' ')), run.err.constData());
        return run.ok();
    }

    // A copy of `source` rewritten by `ssh-keygen -p` with the given format options.
    bool convert(const QString& source, const QString& target, const QString& passphrase, const QStringList& options) {
        QFile::remove(target);
        if (!QFile::copy(source, target))
            return false;
        QFile(target).setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return sshKeygen(QStringList{"-q", "-p", "-P", "", "-N", passphrase, "-f", target} + options);
    }

    bool puttygen(const QStringList& arguments) {
        auto run = keytest::runTool("puttygen", arguments);
        if (!run.ok())
            qWarning("puttygen %s: %s", qPrintable(arguments.join(' ')), run.err.constData());
        return run.ok();
    }

    const PrivateKey* loadCase(const QString& name) {
        if (auto found = loaded_.find(name); found != loaded_.end())
            return &found->second;
        const KeyCase& keyCase = cases_.at(name);
        SecretBytes passphrase = SecretBytes::fromText(keyCase.passphrase.toStdString());
        auto result = PrivateKey::load(view(keytest::readFile(keyCase.path)), keyCase.passphrase.isEmpty() ? nullptr : &passphrase);
        if (!result.key) {
            qWarning("%s: %s", qPrintable(name), result.message.c_str());
            return nullptr;
        }
        return &loaded_.emplace(name, *result.key).first->second;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        struct Base {
            QString name, type;
            int bits;
        };
        const QList<Base> bases{{"ed25519", "ed25519", 0}, {"ecdsa256", "ecdsa", 256}, {"ecdsa384", "ecdsa", 384},
                                {"ecdsa521", "ecdsa", 521}, {"rsa2048", "rsa", 2048}, {"rsa3072", "rsa", 3072}};
        for (const Base& base : bases) {
            QString path = file(base.name);
            auto run = keytest::generateKey(path, base.type, base.bits, "");
            QVERIFY2(run.ok(), run.err.constData());
            QString pub = path + ".pub";
            QString comment = "portal-test-" + base.type;
            cases_[base.name + " openssh"] = {path, "", KeyFileFormat::OpenSsh, pub, comment};
            // ssh-keygen's default 16 bcrypt rounds for one key; 4 elsewhere keeps the test quick.
            QStringList rounds{"-a", base.name == "ed25519" ? "16" : "4"};
            QVERIFY(convert(path, path + "-ctr", kPassphrase, rounds));
            cases_[base.name + " openssh aes256-ctr"] = {path + "-ctr", kPassphrase, KeyFileFormat::OpenSsh, pub, comment};
            QVERIFY(convert(path, path + "-gcm", kPassphrase, QStringList{"-a", "4", "-Z", "aes256-gcm@openssh.com"}));
            cases_[base.name + " openssh aes256-gcm"] = {path + "-gcm", kPassphrase, KeyFileFormat::OpenSsh, pub, comment};
            if (base.type == "ed25519")
                continue; // ssh-keygen writes Ed25519 keys only in its own format
            QVERIFY(convert(path, path + "-pem", "", {"-m", "PEM"}));
            cases_[base.name + " PEM"] = {path + "-pem", "", KeyFileFormat::Pem, pub, ""};
            QVERIFY(convert(path, path + "-pem-enc", kPassphrase, {"-m", "PEM"}));
            cases_[base.name + " PEM encrypted"] = {path + "-pem-enc", kPassphrase, KeyFileFormat::Pem, pub, ""};
            QVERIFY(convert(path, path + "-pkcs8", "", {"-m", "PKCS8"}));
            cases_[base.name + " PKCS8"] = {path + "-pkcs8", "", KeyFileFormat::Pkcs8, pub, ""};
            QVERIFY(convert(path, path + "-pkcs8-enc", kPassphrase, {"-m", "PKCS8"}));
            cases_[base.name + " PKCS8 encrypted"] = {path + "-pkcs8-enc", kPassphrase, KeyFileFormat::Pkcs8, pub, ""};
        }

        // puttygen's two OpenSSH exports, plain and with a passphrase.
        QString noPassphrase = file("empty-passphrase");
        QString passphraseFile = file("passphrase");
        QVERIFY(keytest::writeFile(noPassphrase, ""));
        QVERIFY(keytest::writeFile(passphraseFile, kPassphrase.toUtf8()));
        for (auto [name, arguments] : {std::pair{QString("ed25519"), QStringList{"-t", "ed25519"}},
                                       std::pair{QString("ecdsa256"), QStringList{"-t", "ecdsa", "-b", "256"}},
                                       std::pair{QString("rsa2048"), QStringList{"-t", "rsa", "-b", "2048"}}}) {
            QString ppk = file("putty-" + name + ".ppk");
            QString encryptedPpk = file("putty-" + name + "-enc.ppk");
            QVERIFY(puttygen(arguments + QStringList{"-C", "putty-" + name, "-o", ppk, "--new-passphrase", noPassphrase}));
            QVERIFY(puttygen({ppk, "-P", "-o", encryptedPpk, "--new-passphrase", passphraseFile}));
            QString pub = file("putty-" + name + ".pub");
            QVERIFY(puttygen({ppk, "-O", "public-openssh", "-o", pub}));
            // -O private-openssh writes PEM where a PEM form exists, OpenSSH's format otherwise.
            KeyFileFormat classic = name == "ed25519" ? KeyFileFormat::OpenSsh : KeyFileFormat::Pem;
            QString classicComment = name == "ed25519" ? "putty-" + name : "";
            QVERIFY(puttygen({ppk, "-O", "private-openssh", "-o", ppk + ".openssh"}));
            cases_["puttygen " + name + " private-openssh"] = {ppk + ".openssh", "", classic, pub, classicComment};
            QVERIFY(puttygen({ppk, "-O", "private-openssh-new", "-o", ppk + ".openssh-new"}));
            cases_["puttygen " + name + " private-openssh-new"] = {ppk + ".openssh-new", "", KeyFileFormat::OpenSsh, pub, "putty-" + name};
            QVERIFY(puttygen({encryptedPpk, "--old-passphrase", passphraseFile, "-O", "private-openssh", "-o", encryptedPpk + ".openssh"}));
            cases_["puttygen " + name + " private-openssh encrypted"] = {encryptedPpk + ".openssh", kPassphrase, classic, pub, classicComment};
            QVERIFY(puttygen({encryptedPpk, "--old-passphrase", passphraseFile, "-O", "private-openssh-new", "-o", encryptedPpk + ".openssh-new"}));
            cases_["puttygen " + name + " private-openssh-new encrypted"] = {encryptedPpk + ".openssh-new", kPassphrase, KeyFileFormat::OpenSsh, pub, "putty-" + name};
        }

        // Ed25519 in PKCS#8, which ssh-keygen 9.2 does not write: made by openssl, the
        // reference public key line built from the last 32 bytes of its DER public key.
        QString ed = file("openssl-ed25519.pem");
        QVERIFY(keytest::runTool("openssl", {"genpkey", "-algorithm", "ed25519", "-out", ed}).ok());
        QVERIFY(keytest::runTool("openssl", {"pkcs8", "-topk8", "-in", ed, "-out", ed + ".enc", "-v2", "aes-256-cbc",
                                             "-passout", "pass:" + kPassphrase}).ok());
        auto der = keytest::runTool("openssl", {"pkey", "-in", ed, "-pubout", "-outform", "DER"});
        QVERIFY(der.ok() && der.out.size() == 44);
        Bytes blob = wire::Writer().string("ssh-ed25519").string(view(der.out.right(32))).take();
        QVERIFY(keytest::writeFile(ed + ".pub", "ssh-ed25519 " + keytest::toQt(blob).toBase64() + " openssl\n"));
        cases_["openssl ed25519 PKCS8"] = {ed, "", KeyFileFormat::Pkcs8, ed + ".pub", ""};
        cases_["openssl ed25519 PKCS8 encrypted"] = {ed + ".enc", kPassphrase, KeyFileFormat::Pkcs8, ed + ".pub", ""};
    }

    void loads_data() {
        QTest::addColumn<QString>("name");
        for (const auto& [name, keyCase] : cases_)
            QTest::newRow(qPrintable(name)) << name;
    }
    // inspect tells format and encryption; load gives the public key of the .pub file, the
    // fingerprint ssh-keygen prints and the comment.
    void loads() {
        QFETCH(QString, name);
        const KeyCase& keyCase = cases_.at(name);
        QByteArray contents = keytest::readFile(keyCase.path);
        QByteArray pubLine = keytest::readFile(keyCase.publicPath).trimmed();
        auto expected = PublicKey::fromOpenSshLine(pubLine.toStdString());
        QVERIFY(expected.ok());

        auto info = PrivateKey::inspect(view(contents));
        QVERIFY2(info.ok(), keytest::why(info).c_str());
        QCOMPARE(int(info->format), int(keyCase.format));
        QCOMPARE(info->encrypted, !keyCase.passphrase.isEmpty());
        if (keyCase.format == KeyFileFormat::OpenSsh || keyCase.passphrase.isEmpty()) {
            QVERIFY(info->publicKey.has_value());
            QVERIFY(*info->publicKey == *expected);
        }
        if (keyCase.format == KeyFileFormat::OpenSsh) {
            QCOMPARE(info->kdfRounds > 0, info->encrypted);
            if (!info->encrypted)
                QCOMPARE(QString::fromStdString(info->comment), keyCase.comment);
        }

        const PrivateKey* key = loadCase(name);
        QVERIFY(key);
        QVERIFY(key->publicKey() == *expected);
        QCOMPARE(QString::fromStdString(key->comment()), keyCase.comment);
        auto listing = keytest::runTool("ssh-keygen", {"-lf", keyCase.publicPath});
        QVERIFY(listing.ok());
        QCOMPARE(QByteArray::fromStdString(key->publicKey().fingerprintSha256()), listing.out.split(' ').value(1));
        QVERIFY(key->evpKey() != nullptr);
    }

    void signs_data() { loads_data(); }
    // Every signature algorithm the key offers signs, and the public key verifies it.
    void signs() {
        QFETCH(QString, name);
        const PrivateKey* key = loadCase(name);
        QVERIFY(key);
        std::vector<std::string> algorithms = key->signatureAlgorithms();
        if (key->publicKey().keyType() == "ssh-rsa")
            QCOMPARE(algorithms, (std::vector<std::string>{"rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"}));
        else
            QCOMPARE(algorithms, std::vector<std::string>{key->publicKey().keyType()});
        Bytes data = toBytes("session identifier and userauth request " + name.toStdString());
        for (const std::string& algorithm : algorithms) {
            auto signature = key->sign(algorithm, data);
            QVERIFY2(signature.ok(), keytest::why(signature).c_str());
            wire::Reader reader(*signature);
            QCOMPARE(reader.text(), std::string_view(algorithm));
            Status verified = key->publicKey().verify(algorithm, data, *signature);
            QVERIFY2(verified.ok(), (algorithm + ": " + keytest::why(verified)).c_str());
            Bytes other = data;
            other[0] ^= 1;
            QVERIFY(!key->publicKey().verify(algorithm, other, *signature).ok());
        }
        QVERIFY(!key->sign("ssh-dss", data).ok());
    }

    void sshKeygenChecksOurSignatures_data() {
        QTest::addColumn<QString>("name");
        for (QString name : {"ed25519", "ecdsa256", "ecdsa384", "ecdsa521", "rsa2048", "rsa3072"})
            QTest::newRow(qPrintable(name)) << name + " openssh";
    }
    // Our signature inside an SSHSIG envelope (OpenSSH PROTOCOL.sshsig) is accepted by
    // `ssh-keygen -Y check-novalidate`: OpenSSH itself verifies what we sign.
    void sshKeygenChecksOurSignatures() {
        QFETCH(QString, name);
        const PrivateKey* key = loadCase(name);
        QVERIFY(key);
        QByteArray message = "a message signed by Portal for " + name.toUtf8();
        Bytes digest(64);
        unsigned int length = 0;
        QVERIFY(EVP_Digest(message.constData(), std::size_t(message.size()), digest.data(), &length, EVP_sha512(), nullptr) == 1);
        Bytes signedData = toBytes("SSHSIG");
        append(signedData, wire::Writer().string("portal").string("").string("sha512").string(digest).bytes());
        auto signature = key->sign(key->signatureAlgorithms().front(), signedData);
        QVERIFY(signature.ok());
        Bytes envelope = toBytes("SSHSIG");
        append(envelope, wire::Writer().uint32(1).string(key->publicKey().blob()).string("portal").string("").string("sha512")
                             .string(*signature).bytes());
        QByteArray armoured = "-----BEGIN SSH SIGNATURE-----\n";
        QByteArray base64 = keytest::toQt(envelope).toBase64();
        for (qsizetype i = 0; i < base64.size(); i += 70)
            armoured += base64.mid(i, 70) + '\n';
        armoured += "-----END SSH SIGNATURE-----\n";
        QString signaturePath = file(name + ".sshsig");
        QVERIFY(keytest::writeFile(signaturePath, armoured));
        auto check = keytest::runTool("ssh-keygen", {"-Y", "check-novalidate", "-n", "portal", "-s", signaturePath}, message);
        QVERIFY2(check.ok(), (check.out + check.err).constData());
        auto tampered = keytest::runTool("ssh-keygen", {"-Y", "check-novalidate", "-n", "portal", "-s", signaturePath}, message + "!");
        QVERIFY(!tampered.ok());
    }

    void passphraseFailures_data() {
        QTest::addColumn<QString>("name");
        // puttygen's encrypted exports use 16 bcrypt rounds each; one of them is enough here.
        for (const auto& [name, keyCase] : cases_)
            if (!keyCase.passphrase.isEmpty() && (!name.startsWith("puttygen") || name.startsWith("puttygen ed25519")))
                QTest::newRow(qPrintable(name)) << name;
    }
    // No passphrase, a wrong one and an empty one each give their own failure.
    void passphraseFailures() {
        QFETCH(QString, name);
        QByteArray contents = keytest::readFile(cases_.at(name).path);
        auto none = PrivateKey::load(view(contents), nullptr);
        QVERIFY(!none.key);
        QCOMPARE(int(none.failure), int(KeyLoadFailure::PassphraseRequired));
        QVERIFY(QString::fromStdString(none.message).contains("passphrase is required"));

        SecretBytes wrong = SecretBytes::fromText("wrong horse battery");
        auto wrongResult = PrivateKey::load(view(contents), &wrong);
        QVERIFY(!wrongResult.key);
        QCOMPARE(int(wrongResult.failure), int(KeyLoadFailure::WrongPassphrase));
        QVERIFY2(QString::fromStdString(wrongResult.message).contains("wrong passphrase"), wrongResult.message.c_str());

        SecretBytes empty;
        auto emptyResult = PrivateKey::load(view(contents), &empty);
        QCOMPARE(int(emptyResult.failure), int(KeyLoadFailure::WrongPassphrase));
    }

    void damagedFiles_data() {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("passphrase");
        QTest::addColumn<KeyLoadFailure>("expected");
        QTest::addColumn<QString>("message");
        using F = KeyLoadFailure;

        QByteArray plain = keytest::readFile(cases_.at("ecdsa256 openssh").path);
        QByteArray ctr = keytest::readFile(cases_.at("ecdsa256 openssh aes256-ctr").path);
        QByteArray gcm = keytest::readFile(cases_.at("ecdsa256 openssh aes256-gcm").path);
        QByteArray plainBody = decodeOpenSshArmour(plain);
        QByteArray ctrBody = decodeOpenSshArmour(ctr);
        QByteArray gcmBody = decodeOpenSshArmour(gcm);
        ContainerLayout plainLayout = layoutOf(plainBody), ctrLayout = layoutOf(ctrBody), gcmLayout = layoutOf(gcmBody);
        auto edit = [](QByteArray body, auto change) {
            change(body);
            return encodeOpenSshArmour(body);
        };
        QString pass = kPassphrase;

        QTest::newRow("re-encoded control") << encodeOpenSshArmour(plainBody) << "" << F::None << "";
        QTest::newRow("truncated") << plain.left(plain.size() / 2) << "" << F::Corrupt << "truncated";
        QTest::newRow("base64 damaged") << QByteArray(plain).replace(100, 1, "*") << "" << F::Corrupt << "base64";
        QTest::newRow("wrong magic") << edit(plainBody, [](QByteArray& b) { b[3] = 'X'; }) << "" << F::Corrupt << "openssh-key-v1";
        QTest::newRow("two keys") << edit(plainBody, [&](QByteArray& b) { putUint32(b, plainLayout.keyCount, 2); }) << "" << F::Corrupt << "holds 2 keys";
        QTest::newRow("container cut short") << encodeOpenSshArmour(plainBody.left(plainLayout.privateSection + 10)) << "" << F::Corrupt << "truncated";
        QTest::newRow("trailing bytes") << encodeOpenSshArmour(plainBody + "x") << "" << F::Corrupt << "after the private section";
        QTest::newRow("check ints differ") << edit(plainBody, [&](QByteArray& b) { b[plainLayout.privateSection] = char(b[plainLayout.privateSection] ^ 1); })
                                           << "" << F::Corrupt << "check bytes";
        QTest::newRow("padding wrong") << edit(plainBody, [&](QByteArray& b) {
            qsizetype last = plainLayout.privateSection + plainLayout.privateSize - 1;
            b[last] = char(b[last] + 1); }) << "" << F::Corrupt << "padding";
        QTest::newRow("private scalar damaged") << edit(plainBody, [&](QByteArray& b) {
            // The last bytes before the comment hold the scalar d; Q·d·G then disagree.
            qsizetype at = plainLayout.privateSection + 8 + 23 + 12 + 69 + 10;
            b[at] = char(b[at] ^ 0x40); }) << "" << F::Corrupt << "";
        QByteArray otherPublic = decodeOpenSshArmour(keytest::readFile(cases_.at("puttygen ecdsa256 private-openssh-new").path));
        ContainerLayout otherLayout = layoutOf(otherPublic);
        QTest::newRow("public key of another key") << edit(plainBody, [&](QByteArray& b) {
            b.replace(plainLayout.publicBlob, plainLayout.publicBlobSize, otherPublic.mid(otherLayout.publicBlob, otherLayout.publicBlobSize)); })
                                                   << "" << F::Corrupt << "does not match";

        QTest::newRow("ctr control") << ctr << pass << F::None << "";
        QTest::newRow("unknown cipher") << edit(ctrBody, [&](QByteArray& b) { b.replace(ctrLayout.cipherName, 10, "aes256-xyz"); })
                                        << pass << F::Unsupported << "aes256-xyz";
        QTest::newRow("unknown kdf") << edit(ctrBody, [&](QByteArray& b) { b.replace(ctrLayout.kdfName, 6, "scrypt"); })
                                     << pass << F::Unsupported << "scrypt";
        QTest::newRow("absurd rounds") << edit(ctrBody, [&](QByteArray& b) { putUint32(b, ctrLayout.rounds, 4000000000u); })
                                       << pass << F::Unsupported << "rounds";
        QTest::newRow("zero rounds") << edit(ctrBody, [&](QByteArray& b) { putUint32(b, ctrLayout.rounds, 0); })
                                     << pass << F::Corrupt << "KDF options";
        QTest::newRow("encrypted, no kdf") << edit(ctrBody, [&](QByteArray& b) { b.replace(ctrLayout.kdfName - 4, 10, QByteArray("\0\0\0\x04none", 8)); })
                                           << pass << F::Corrupt << "";
        QTest::newRow("ctr ciphertext damaged") << edit(ctrBody, [&](QByteArray& b) {
            qsizetype at = ctrLayout.privateSection + 8 + 23 + 12 + 20; // inside Q
            b[at] = char(b[at] ^ 0x01); }) << pass << F::Corrupt << "";
        QTest::newRow("ctr check bytes damaged") << edit(ctrBody, [&](QByteArray& b) { b[ctrLayout.privateSection] = char(b[ctrLayout.privateSection] ^ 1); })
                                                 << pass << F::WrongPassphrase << "check bytes";
        // The GCM tag cannot tell damage from a wrong passphrase.
        QTest::newRow("gcm ciphertext damaged") << edit(gcmBody, [&](QByteArray& b) { b[gcmLayout.privateSection + 40] = char(b[gcmLayout.privateSection + 40] ^ 1); })
                                                << pass << F::WrongPassphrase << "damaged";
        QTest::newRow("gcm tag missing") << encodeOpenSshArmour(gcmBody.left(gcmBody.size() - 16)) << pass << F::Corrupt << "truncated";

        QByteArray pem = keytest::readFile(cases_.at("rsa2048 PEM").path);
        QByteArray pemEncrypted = keytest::readFile(cases_.at("rsa2048 PEM encrypted").path);
        QByteArray pkcs8Encrypted = keytest::readFile(cases_.at("rsa2048 PKCS8 encrypted").path);
        QTest::newRow("PEM after other text") << "Bag Attributes\n    friendlyName: test\n" + pem << "" << F::None << "";
        QTest::newRow("OpenSSH after other text") << "a note before the key\n" + plain << "" << F::None << "";
        QTest::newRow("PEM truncated") << pem.left(pem.size() / 2) << "" << F::Corrupt << "armour";
        QTest::newRow("PEM body damaged") << QByteArray(pem).replace(200, 4, "AAAA") << "" << F::Corrupt << "corrupt PEM key file";
        QTest::newRow("encrypted PEM truncated") << pemEncrypted.left(pemEncrypted.size() - 60) << pass << F::Corrupt << "armour";
        QTest::newRow("encrypted PEM unknown cipher") << QByteArray(pemEncrypted).replace("DEK-Info: AES-128-CBC", "DEK-Info: XYZ-128-CBC")
                                                      << pass << F::Unsupported << "cipher";
        QTest::newRow("PKCS8 outer structure damaged") << QByteArray(pkcs8Encrypted).replace(40, 8, "AAAAAAAA") << pass << F::Corrupt << "EncryptedPrivateKeyInfo";
        QTest::newRow("DSA") << QByteArray("-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n") << "" << F::Unsupported << "DSA";
        QTest::newRow("certificate") << QByteArray("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") << "" << F::Unsupported << "CERTIFICATE";
        QTest::newRow("ppk") << QByteArray("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n") << "" << F::Unsupported << "puttygen";
        QTest::newRow("garbage") << QByteArray("hello world\n") << "" << F::Corrupt << "not a private key";
        QTest::newRow("empty") << QByteArray() << "" << F::Corrupt << "not a private key";
    }
    void damagedFiles() {
        QFETCH(QByteArray, contents);
        QFETCH(QString, passphrase);
        QFETCH(KeyLoadFailure, expected);
        QFETCH(QString, message);
        SecretBytes secret = SecretBytes::fromText(passphrase.toStdString());
        auto result = PrivateKey::load(view(contents), passphrase.isEmpty() ? nullptr : &secret);
        QVERIFY2(QString::fromStdString(result.message).contains(message), result.message.c_str());
        QCOMPARE(int(result.failure), int(expected));
        QCOMPARE(result.key.has_value(), expected == KeyLoadFailure::None);
        if (expected != KeyLoadFailure::None)
            QVERIFY(!result.message.empty());
    }
};

QTEST_GUILESS_MAIN(TestPrivateKey)
#include "test_private_key.moc"
