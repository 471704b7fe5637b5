// Loads the committed Wycheproof files (tests/vectors/crypto/wycheproof) for data-driven tests.
#pragma once

#include "common/Bytes.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <functional>

namespace portal::test {

inline QJsonObject loadWycheproof(const QString& fileName) {
    QFile file(QStringLiteral(PORTAL_SOURCE_ROOT "/tests/vectors/crypto/wycheproof/") + fileName);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open test vectors %s", qPrintable(file.fileName()));
    QJsonParseError error{};
    QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (document.isNull())
        qFatal("cannot parse %s: %s", qPrintable(file.fileName()), qPrintable(error.errorString()));
    return document.object();
}

// Calls `visit(group, test)` for every test case of every group; returns how many there were.
inline int forEachWycheproofCase(const QString& fileName,
                                 const std::function<void(const QJsonObject&, const QJsonObject&)>& visit) {
    int count = 0;
    const QJsonArray groups = loadWycheproof(fileName)[QStringLiteral("testGroups")].toArray();
    for (const QJsonValue& group : groups)
        for (const QJsonValue& test : group[QStringLiteral("tests")].toArray()) {
            visit(group.toObject(), test.toObject());
            ++count;
        }
    return count;
}

inline QByteArray hexField(const QJsonObject& object, const char* name) {
    return QByteArray::fromHex(object[QLatin1String(name)].toString().toLatin1());
}

inline protocol::ByteView view(const QByteArray& bytes) {
    return {reinterpret_cast<const std::uint8_t*>(bytes.constData()), static_cast<std::size_t>(bytes.size())};
}

inline QByteArray toQByteArray(protocol::ByteView bytes) {
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
}

inline QString caseName(const QJsonObject& test) {
    return QStringLiteral("tc%1 %2").arg(test[QStringLiteral("tcId")].toInt()).arg(test[QStringLiteral("comment")].toString());
}

} // namespace portal::test
