// Sessions and preferences in memory, saved after every change (coalesced per event-loop turn).
#include "SessionLibrary.h"

#include <QTimer>

namespace portal::ui {

namespace {
constexpr int kQuickConnectHistoryLength = 20;
}

SessionLibrary::SessionLibrary(const QString& storePath)
    : store_(storePath)
{
    auto changed = [this] { scheduleSave(); };
    QObject::connect(&model_, &QAbstractItemModel::dataChanged, &model_, changed);
    QObject::connect(&model_, &QAbstractItemModel::rowsInserted, &model_, changed);
    QObject::connect(&model_, &QAbstractItemModel::rowsRemoved, &model_, changed);
    QObject::connect(&model_, &QAbstractItemModel::rowsMoved, &model_, changed);
    QObject::connect(&model_, &QAbstractItemModel::modelReset, &model_, changed); // imports
}

SessionStore::LoadResult SessionLibrary::load()
{
    SessionStore::LoadResult result = store_.load();
    loading_ = true;
    model_.setRootFolder(result.document.root);
    preferences_ = result.document.preferences;
    loading_ = false;
    return result;
}

std::optional<QString> SessionLibrary::setAsideUnreadableFile()
{
    QString error;
    if (!store_.setAsideUnreadableFile(&error))
        return error;
    return std::nullopt;
}

void SessionLibrary::setPreferences(const Preferences& preferences)
{
    preferences_ = preferences;
    scheduleSave();
}

void SessionLibrary::rememberQuickConnect(const QString& entry)
{
    QStringList& history = preferences_.quickConnectHistory;
    history.removeAll(entry);
    history.prepend(entry);
    while (history.size() > kQuickConnectHistoryLength)
        history.removeLast();
    scheduleSave();
}

void SessionLibrary::scheduleSave()
{
    if (loading_ || savePending_)
        return;
    savePending_ = true;
    // A drag of ten sessions is ten model changes and one write.
    QTimer::singleShot(0, &model_, [this] {
        savePending_ = false;
        saveNow();
    });
}

std::optional<QString> SessionLibrary::saveNow()
{
    const auto error = store_.save(document());
    lastSaveError_ = error.value_or(QString());
    if (saveListener_)
        saveListener_(lastSaveError_);
    return error;
}

} // namespace portal::ui
