// Shared by the key tests: running the reference tools (ssh-keygen, puttygen) and moving
// bytes between Qt and the protocol library's types.
#pragma once

#include "common/Bytes.h"

#include <QByteArray>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <string>

namespace keytest {

struct ToolRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    bool ok() const { return exitCode == 0; }
};

inline ToolRun runTool(const QString& program, const QStringList& arguments, const QByteArray& input = {}) {
    QProcess process;
    process.start(program, arguments);
    ToolRun run;
    if (!process.waitForStarted(10000)) {
        run.err = ("could not start " + program).toUtf8();
        return run;
    }
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished();
        run.err = (program + " timed out").toUtf8();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

// The error text of a failed Result, or "" (QVERIFY2 evaluates its message eagerly).
template <typename R>
std::string why(const R& result) {
    return result.ok() ? std::string() : result.error().message;
}

inline portal::protocol::ByteView view(const QByteArray& bytes) {
    return {reinterpret_cast<const std::uint8_t*>(bytes.constData()), static_cast<std::size_t>(bytes.size())};
}

inline QByteArray toQt(portal::protocol::ByteView bytes) {
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
}

inline QByteArray readFile(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

inline bool writeFile(const QString& path, const QByteArray& contents) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(contents) == contents.size();
}

// ssh-keygen -t <type> [-b bits] -N <passphrase> -C <comment> -f <path> [extra...]; true on success.
inline ToolRun generateKey(const QString& path, const QString& type, int bits, const QString& passphrase,
                           const QStringList& extra = {}) {
    QFile::remove(path);
    QFile::remove(path + ".pub");
    QStringList arguments{"-q", "-t", type, "-N", passphrase, "-C", "portal-test-" + type, "-f", path};
    if (bits > 0)
        arguments << "-b" << QString::number(bits);
    arguments << extra;
    return runTool("ssh-keygen", arguments);
}

} // namespace keytest
