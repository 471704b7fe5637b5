// The sidebar's item model: the session tree (folders and sessions) with editing, moves,
// drag-and-drop through mime data, and a filter proxy that matches as the user types.
#pragma once

#include "SessionStore.h"

#include <QAbstractItemModel>
#include <QSortFilterProxyModel>

#include <memory>
#include <vector>

namespace portal::ui {

class SessionTreeModel : public QAbstractItemModel {
public:
    enum Role {
        IsFolderRole = Qt::UserRole + 1,
        SessionIdRole, // QUuid of a session
        HostRole,
        UserRole,
        TagsRole,       // QStringList
        FolderPathRole, // "A/B" of the folder holding the item
    };
    // In-process drag-and-drop: the dragged items as paths of row numbers from the root.
    static constexpr const char* kMimeType = "application/x-portal-session-items";

    explicit SessionTreeModel(QObject* parent = nullptr);
    ~SessionTreeModel() override;

    void setRootFolder(const SessionFolder& root);
    SessionFolder rootFolder() const;

    bool isFolder(const QModelIndex& index) const;
    // The session at a session index (a default Session for folders and invalid indexes).
    Session session(const QModelIndex& index) const;
    QString folderPath(const QModelIndex& folderIndex) const; // "" for the root
    QModelIndex indexForId(const QUuid& id) const;
    // By name, or by "Folder/Sub/Name" path; the first match in depth-first order.
    QModelIndex findSession(const QString& nameOrPath) const;
    // The folder with this path, created (with its parents) when `create` is set.
    QModelIndex folderIndex(const QString& path, bool create);
    QList<Session> allSessions() const;

    QModelIndex addFolder(const QString& name, const QModelIndex& parentFolder);
    // Adds under `parentFolder` (a session index means its folder) at `row` or the end.
    QModelIndex addSession(const Session& session, const QModelIndex& parentFolder, int row = -1);
    bool updateSession(const QModelIndex& index, const Session& session);
    // A copy with a new id and "(copy)" name right after the original.
    QModelIndex duplicateSession(const QModelIndex& index);
    bool rename(const QModelIndex& index, const QString& name);
    bool remove(const QModelIndex& index);
    // Moves an item into `newParentFolder` at `row` (-1: the end). Folders stay before
    // sessions in a folder; a folder cannot move into itself. Returns the new index.
    QModelIndex move(const QModelIndex& item, const QModelIndex& newParentFolder, int row = -1);

    // QAbstractItemModel
    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool removeRows(int row, int count, const QModelIndex& parent) override;
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    bool canDropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                         const QModelIndex& parent) const override;
    bool dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                      const QModelIndex& parent) override;
    Qt::DropActions supportedDropActions() const override;
    Qt::DropActions supportedDragActions() const override;

private:
    struct Node;
    Node* nodeFor(const QModelIndex& index) const;
    QModelIndex indexFor(const Node* node) const;
    Node* folderNodeFor(const QModelIndex& index) const; // a session's folder, or the root
    Node* nodeAtPath(const QList<int>& rows) const;
    static int folderCount(const Node* folder);

    std::unique_ptr<Node> root_;
};

// Matches every whitespace-separated word of the filter against a session's name, host,
// user, tags or folder path (case-insensitive); folders stay visible while they hold a match.
class SessionFilterModel : public QSortFilterProxyModel {
public:
    explicit SessionFilterModel(QObject* parent = nullptr);
    void setFilterText(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QStringList words_;
};

} // namespace portal::ui
