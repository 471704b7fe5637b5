// Keychain access through QtKeychain; compiled out cleanly without it.
#include "PasswordVault.h"

#ifdef PORTAL_HAVE_QTKEYCHAIN
#include <qt6keychain/keychain.h>
#endif

namespace portal::ui {

namespace {
#ifdef PORTAL_HAVE_QTKEYCHAIN
const QString kService = QStringLiteral("Portal SSH");
#endif
} // namespace

bool PasswordVault::available()
{
#ifdef PORTAL_HAVE_QTKEYCHAIN
    return true;
#else
    return false;
#endif
}

QString PasswordVault::account(const QString& user, const QString& host, int port)
{
    return QStringLiteral("%1@%2:%3").arg(user, host).arg(port);
}

void PasswordVault::read(const QString& account, QObject* context, std::function<void(std::optional<QString>)> done)
{
#ifdef PORTAL_HAVE_QTKEYCHAIN
    auto* job = new QKeychain::ReadPasswordJob(kService);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a plain file
    job->setKey(account);
    QObject::connect(job, &QKeychain::Job::finished, context, [done = std::move(done)](QKeychain::Job* finished) {
        auto* reader = static_cast<QKeychain::ReadPasswordJob*>(finished);
        if (reader->error() == QKeychain::NoError)
            done(reader->textData());
        else
            done(std::nullopt);
    });
    job->start();
#else
    Q_UNUSED(account);
    Q_UNUSED(context);
    done(std::nullopt);
#endif
}

void PasswordVault::store(const QString& account, const QString& password)
{
#ifdef PORTAL_HAVE_QTKEYCHAIN
    auto* job = new QKeychain::WritePasswordJob(kService);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(account);
    job->setTextData(password);
    job->start();
#else
    Q_UNUSED(account);
    Q_UNUSED(password);
#endif
}

void PasswordVault::forget(const QString& account)
{
#ifdef PORTAL_HAVE_QTKEYCHAIN
    auto* job = new QKeychain::DeletePasswordJob(kService);
    job->setAutoDelete(true);
    job->setKey(account);
    job->start();
#else
    Q_UNUSED(account);
#endif
}

} // namespace portal::ui
