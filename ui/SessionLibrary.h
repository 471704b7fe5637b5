// The application's saved sessions and preferences in memory: the tree model every window
// shows, the store it is saved to after each change, and the preferences. One per process,
// shared by all main windows.
#pragma once

#include "SessionStore.h"
#include "SessionTreeModel.h"

#include <QObject>

#include <functional>

namespace portal::ui {

class SessionLibrary {
public:
    explicit SessionLibrary(const QString& storePath);

    // Reads the store into the model. For Broken/Newer files the model starts empty and
    // nothing is saved until setAsideUnreadableFile() (the caller asks the user first).
    SessionStore::LoadResult load();
    std::optional<QString> setAsideUnreadableFile();

    SessionTreeModel& model() { return model_; }
    const Preferences& preferences() const { return preferences_; }
    void setPreferences(const Preferences& preferences);
    // Puts a quick-connect entry first in the history (bounded), and saves.
    void rememberQuickConnect(const QString& entry);

    SessionStore& store() { return store_; }
    SessionDocument document() const { return {model_.rootFolder(), preferences_}; }

    // Saves now; returns why not when it could not (also kept in lastSaveError()).
    std::optional<QString> saveNow();
    const QString& lastSaveError() const { return lastSaveError_; }
    // Called after every save attempt with its error (empty on success), e.g. for a status bar.
    void setSaveListener(std::function<void(const QString&)> listener) { saveListener_ = std::move(listener); }

private:
    void scheduleSave();

    SessionStore store_;
    SessionTreeModel model_;
    Preferences preferences_;
    bool loading_ = false;
    bool savePending_ = false;
    QString lastSaveError_;
    std::function<void(const QString&)> saveListener_;
};

} // namespace portal::ui
