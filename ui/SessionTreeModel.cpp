// The session tree as a Qt item model, and its filter.
#include "SessionTreeModel.h"

#include <QDataStream>
#include <QIcon>
#include <QIODevice>
#include <QMimeData>

#include <algorithm>
#include <functional>

namespace portal::ui {

struct SessionTreeModel::Node {
    bool folder = false;
    QString folderName;
    Session session;
    Node* parent = nullptr;
    std::vector<std::unique_ptr<Node>> children; // folders first, then sessions

    const QString& name() const { return folder ? folderName : session.name; }
    int row() const
    {
        if (!parent)
            return 0;
        const auto& siblings = parent->children;
        const auto it = std::find_if(siblings.begin(), siblings.end(),
                                     [this](const std::unique_ptr<Node>& n) { return n.get() == this; });
        return static_cast<int>(it - siblings.begin());
    }
    bool isAncestorOf(const Node* other) const
    {
        for (const Node* n = other; n; n = n->parent) {
            if (n == this)
                return true;
        }
        return false;
    }
};

SessionTreeModel::SessionTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
    , root_(std::make_unique<Node>())
{
    root_->folder = true;
}

SessionTreeModel::~SessionTreeModel() = default;

void SessionTreeModel::setRootFolder(const SessionFolder& root)
{
    beginResetModel();
    root_ = std::make_unique<Node>();
    root_->folder = true;
    std::function<void(Node*, const SessionFolder&)> build = [&](Node* node, const SessionFolder& folder) {
        for (const SessionFolder& child : folder.folders) {
            auto childNode = std::make_unique<Node>();
            childNode->folder = true;
            childNode->folderName = child.name;
            childNode->parent = node;
            build(childNode.get(), child);
            node->children.push_back(std::move(childNode));
        }
        for (const Session& session : folder.sessions) {
            auto sessionNode = std::make_unique<Node>();
            sessionNode->session = session;
            sessionNode->parent = node;
            node->children.push_back(std::move(sessionNode));
        }
    };
    build(root_.get(), root);
    endResetModel();
}

SessionFolder SessionTreeModel::rootFolder() const
{
    std::function<SessionFolder(const Node*)> collect = [&](const Node* node) {
        SessionFolder folder;
        folder.name = node->folderName;
        for (const auto& child : node->children) {
            if (child->folder)
                folder.folders.append(collect(child.get()));
            else
                folder.sessions.append(child->session);
        }
        return folder;
    };
    return collect(root_.get());
}

SessionTreeModel::Node* SessionTreeModel::nodeFor(const QModelIndex& index) const
{
    if (!index.isValid())
        return root_.get();
    Q_ASSERT(index.model() == this);
    return static_cast<Node*>(index.internalPointer());
}

QModelIndex SessionTreeModel::indexFor(const Node* node) const
{
    if (!node || node == root_.get())
        return {};
    return createIndex(node->row(), 0, const_cast<Node*>(node));
}

SessionTreeModel::Node* SessionTreeModel::folderNodeFor(const QModelIndex& index) const
{
    Node* node = nodeFor(index);
    return node->folder ? node : node->parent;
}

int SessionTreeModel::folderCount(const Node* folder)
{
    return static_cast<int>(std::count_if(folder->children.begin(), folder->children.end(),
                                          [](const std::unique_ptr<Node>& n) { return n->folder; }));
}

bool SessionTreeModel::isFolder(const QModelIndex& index) const
{
    return index.isValid() && nodeFor(index)->folder;
}

Session SessionTreeModel::session(const QModelIndex& index) const
{
    if (!index.isValid() || nodeFor(index)->folder)
        return {};
    return nodeFor(index)->session;
}

QString SessionTreeModel::folderPath(const QModelIndex& folderIndex) const
{
    QStringList parts;
    for (const Node* n = folderNodeFor(folderIndex); n && n != root_.get(); n = n->parent)
        parts.prepend(n->folderName);
    return parts.join(u'/');
}

QModelIndex SessionTreeModel::indexForId(const QUuid& id) const
{
    std::function<const Node*(const Node*)> find = [&](const Node* node) -> const Node* {
        for (const auto& child : node->children) {
            if (!child->folder && child->session.id == id)
                return child.get();
            if (const Node* found = child->folder ? find(child.get()) : nullptr)
                return found;
        }
        return nullptr;
    };
    return indexFor(find(root_.get()));
}

QModelIndex SessionTreeModel::findSession(const QString& nameOrPath) const
{
    const QString folder = nameOrPath.contains(u'/') ? nameOrPath.section(u'/', 0, -2) : QString();
    const QString name = nameOrPath.section(u'/', -1);
    std::function<const Node*(const Node*, const QString&)> find = [&](const Node* node, const QString& path) -> const Node* {
        for (const auto& child : node->children) {
            if (!child->folder && child->session.name == name && (folder.isNull() || path == folder))
                return child.get();
        }
        for (const auto& child : node->children) {
            if (child->folder) {
                const QString childPath = path.isEmpty() ? child->folderName : path + u'/' + child->folderName;
                if (const Node* found = find(child.get(), childPath))
                    return found;
            }
        }
        return nullptr;
    };
    return indexFor(find(root_.get(), QString()));
}

QModelIndex SessionTreeModel::folderIndex(const QString& path, bool create)
{
    QModelIndex current;
    for (const QString& part : path.split(u'/', Qt::SkipEmptyParts)) {
        const Node* node = nodeFor(current);
        const auto it = std::find_if(node->children.begin(), node->children.end(),
                                     [&](const std::unique_ptr<Node>& n) { return n->folder && n->folderName == part; });
        if (it != node->children.end())
            current = indexFor(it->get());
        else if (create)
            current = addFolder(part, current);
        else
            return {};
    }
    return current;
}

QList<Session> SessionTreeModel::allSessions() const
{
    QList<Session> out;
    for (const SessionInFolder& s : flattenSessions(rootFolder()))
        out << s.session;
    return out;
}

QModelIndex SessionTreeModel::addFolder(const QString& name, const QModelIndex& parentFolder)
{
    Node* parent = folderNodeFor(parentFolder);
    const int row = folderCount(parent);
    beginInsertRows(indexFor(parent), row, row);
    auto node = std::make_unique<Node>();
    node->folder = true;
    node->folderName = name;
    node->parent = parent;
    Node* raw = node.get();
    parent->children.insert(parent->children.begin() + row, std::move(node));
    endInsertRows();
    return indexFor(raw);
}

QModelIndex SessionTreeModel::addSession(const Session& session, const QModelIndex& parentFolder, int row)
{
    Node* parent = folderNodeFor(parentFolder);
    const int first = folderCount(parent);
    const int last = static_cast<int>(parent->children.size());
    row = (row < 0) ? last : std::clamp(row, first, last);
    beginInsertRows(indexFor(parent), row, row);
    auto node = std::make_unique<Node>();
    node->session = session;
    if (node->session.id.isNull())
        node->session.id = QUuid::createUuid();
    node->parent = parent;
    Node* raw = node.get();
    parent->children.insert(parent->children.begin() + row, std::move(node));
    endInsertRows();
    return indexFor(raw);
}

bool SessionTreeModel::updateSession(const QModelIndex& index, const Session& session)
{
    if (!index.isValid() || nodeFor(index)->folder)
        return false;
    Node* node = nodeFor(index);
    const QUuid id = node->session.id;
    node->session = session;
    node->session.id = id;
    emit dataChanged(index, index);
    return true;
}

QModelIndex SessionTreeModel::duplicateSession(const QModelIndex& index)
{
    if (!index.isValid() || nodeFor(index)->folder)
        return {};
    Session copy = nodeFor(index)->session;
    copy.id = QUuid::createUuid();
    copy.origin.clear(); // a re-import must update the original, not the copy
    copy.name = QStringLiteral("%1 (copy)").arg(copy.name);
    return addSession(copy, index.parent(), index.row() + 1);
}

bool SessionTreeModel::rename(const QModelIndex& index, const QString& name)
{
    return setData(index, name, Qt::EditRole);
}

bool SessionTreeModel::remove(const QModelIndex& index)
{
    return index.isValid() && removeRows(index.row(), 1, index.parent());
}

QModelIndex SessionTreeModel::move(const QModelIndex& item, const QModelIndex& newParentFolder, int row)
{
    if (!item.isValid())
        return {};
    Node* node = nodeFor(item);
    Node* from = node->parent;
    Node* to = folderNodeFor(newParentFolder);
    if (node->folder && node->isAncestorOf(to))
        return {};
    // Folders first, then sessions: clamp the destination into the item's own section.
    const int folders = folderCount(to);
    const int size = static_cast<int>(to->children.size());
    int lo = node->folder ? 0 : folders;
    int hi = node->folder ? folders : size;
    row = row < 0 ? hi : std::clamp(row, lo, hi);
    const int sourceRow = node->row();
    if (from == to && (row == sourceRow || row == sourceRow + 1))
        return item;
    if (!beginMoveRows(indexFor(from), sourceRow, sourceRow, indexFor(to), row))
        return {};
    std::unique_ptr<Node> owned = std::move(from->children[sourceRow]);
    from->children.erase(from->children.begin() + sourceRow);
    if (from == to && row > sourceRow)
        --row;
    owned->parent = to;
    to->children.insert(to->children.begin() + row, std::move(owned));
    endMoveRows();
    return indexFor(node);
}

QModelIndex SessionTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    const Node* node = nodeFor(parent);
    if (column != 0 || row < 0 || row >= static_cast<int>(node->children.size()))
        return {};
    return createIndex(row, 0, node->children[row].get());
}

QModelIndex SessionTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    return indexFor(nodeFor(child)->parent);
}

int SessionTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return 0;
    return static_cast<int>(nodeFor(parent)->children.size());
}

int SessionTreeModel::columnCount(const QModelIndex&) const
{
    return 1;
}

QVariant SessionTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Node* node = nodeFor(index);
    const Session& s = node->session;
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        return node->name();
    case Qt::ToolTipRole: {
        if (node->folder)
            return {};
        QString tip = ConnectTarget{s.user, s.host, s.port}.toString();
        if (!s.tags.isEmpty())
            tip += QStringLiteral("\nTags: ") + s.tags.join(QStringLiteral(", "));
        if (!s.notes.isEmpty())
            tip += u'\n' + s.notes.left(200);
        return tip;
    }
    case Qt::DecorationRole:
        return QIcon(node->folder ? QStringLiteral(":/icons/folder.svg") : QStringLiteral(":/icons/session.svg"));
    case IsFolderRole:
        return node->folder;
    case SessionIdRole:
        return node->folder ? QVariant() : QVariant(s.id);
    case HostRole:
        return s.host;
    case UserRole:
        return s.user;
    case TagsRole:
        return s.tags;
    case FolderPathRole:
        return folderPath(index.parent());
    default:
        return {};
    }
}

bool SessionTreeModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!index.isValid() || role != Qt::EditRole)
        return false;
    const QString name = value.toString().trimmed();
    if (name.isEmpty() || name.contains(u'/'))
        return false;
    Node* node = nodeFor(index);
    (node->folder ? node->folderName : node->session.name) = name;
    emit dataChanged(index, index);
    return true;
}

Qt::ItemFlags SessionTreeModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::ItemIsDropEnabled;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable | Qt::ItemIsDragEnabled;
    // Dropping on a session puts the dragged items beside it, in its folder.
    f |= Qt::ItemIsDropEnabled;
    if (!nodeFor(index)->folder)
        f |= Qt::ItemNeverHasChildren;
    return f;
}

bool SessionTreeModel::removeRows(int row, int count, const QModelIndex& parent)
{
    Node* node = nodeFor(parent);
    if (row < 0 || count <= 0 || row + count > static_cast<int>(node->children.size()))
        return false;
    beginRemoveRows(parent, row, row + count - 1);
    node->children.erase(node->children.begin() + row, node->children.begin() + row + count);
    endRemoveRows();
    return true;
}

QStringList SessionTreeModel::mimeTypes() const
{
    return {QLatin1String(kMimeType), QStringLiteral("text/plain")};
}

QMimeData* SessionTreeModel::mimeData(const QModelIndexList& indexes) const
{
    QList<QList<int>> paths;
    QStringList commands;
    for (const QModelIndex& index : indexes) {
        if (!index.isValid() || index.column() != 0)
            continue;
        QList<int> rows;
        for (QModelIndex i = index; i.isValid(); i = i.parent())
            rows.prepend(i.row());
        if (!paths.contains(rows))
            paths << rows;
        if (!nodeFor(index)->folder)
            commands << sshCommandLine(nodeFor(index)->session);
    }
    auto* mime = new QMimeData;
    QByteArray encoded;
    QDataStream stream(&encoded, QIODevice::WriteOnly);
    stream << paths;
    mime->setData(QLatin1String(kMimeType), encoded);
    // Dropped on a text field or another terminal, a session becomes its ssh command.
    if (!commands.isEmpty())
        mime->setText(commands.join(u'\n'));
    return mime;
}

SessionTreeModel::Node* SessionTreeModel::nodeAtPath(const QList<int>& rows) const
{
    Node* node = root_.get();
    for (int row : rows) {
        if (row < 0 || row >= static_cast<int>(node->children.size()))
            return nullptr;
        node = node->children[row].get();
    }
    return node == root_.get() ? nullptr : node;
}

bool SessionTreeModel::canDropMimeData(const QMimeData* data, Qt::DropAction action, int, int,
                                       const QModelIndex&) const
{
    return data && data->hasFormat(QLatin1String(kMimeType)) && action == Qt::MoveAction;
}

bool SessionTreeModel::dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int,
                                    const QModelIndex& parent)
{
    if (!canDropMimeData(data, action, row, 0, parent))
        return false;
    QList<QList<int>> paths;
    QDataStream stream(data->data(QLatin1String(kMimeType)));
    stream >> paths;
    if (stream.status() != QDataStream::Ok)
        return false;

    // Resolve every path before moving anything: moves renumber rows.
    std::vector<Node*> nodes;
    for (const QList<int>& path : paths) {
        if (Node* node = nodeAtPath(path))
            nodes.push_back(node);
    }
    // An item inside a dragged folder travels with the folder.
    std::erase_if(nodes, [&](Node* n) {
        return std::any_of(nodes.begin(), nodes.end(), [n](Node* other) { return other != n && other->isAncestorOf(n); });
    });

    QModelIndex destination = parent;
    if (parent.isValid() && !nodeFor(parent)->folder) {
        // Dropped onto a session: just after it, in its folder.
        row = parent.row() + 1;
        destination = parent.parent();
    }
    bool movedAny = false;
    for (Node* node : nodes) {
        const QModelIndex moved = move(indexFor(node), destination, row);
        if (moved.isValid()) {
            movedAny = true;
            if (row >= 0)
                row = moved.row() + 1;
        }
    }
    return movedAny;
}

Qt::DropActions SessionTreeModel::supportedDropActions() const
{
    return Qt::MoveAction;
}

Qt::DropActions SessionTreeModel::supportedDragActions() const
{
    return Qt::MoveAction;
}

SessionFilterModel::SessionFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(true);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
}

void SessionFilterModel::setFilterText(const QString& text)
{
    words_ = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    invalidateFilter();
}

bool SessionFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (words_.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (index.data(SessionTreeModel::IsFolderRole).toBool())
        return false; // shown through recursive filtering when something inside matches
    QStringList fields{index.data(Qt::DisplayRole).toString(),
                       index.data(SessionTreeModel::HostRole).toString(),
                       index.data(SessionTreeModel::UserRole).toString(),
                       index.data(SessionTreeModel::FolderPathRole).toString()};
    fields += index.data(SessionTreeModel::TagsRole).toStringList();
    return std::all_of(words_.begin(), words_.end(), [&](const QString& word) {
        return std::any_of(fields.begin(), fields.end(),
                           [&](const QString& field) { return field.contains(word, Qt::CaseInsensitive); });
    });
}

} // namespace portal::ui
