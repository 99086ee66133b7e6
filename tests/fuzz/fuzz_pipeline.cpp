// A fuzz target for the import pipeline end to end: the bytes as a file,
// sniffed, imported into a session (in /dev/shm when there is one), the
// session checked. A failed import must leave the session as it was.

#include "pipeline.h"
#include "registry.h"
#include "session.h"

#include <QDir>
#include <QFile>

#include <cstddef>
#include <cstdint>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const QString dir = QDir(QStringLiteral("/dev/shm")).exists() ? QStringLiteral("/dev/shm")
                                                                       : QDir::tempPath();
    static const QString input = dir + QStringLiteral("/lanescope-fuzz-%1.in").arg(getpid());
    static const QString session = dir + QStringLiteral("/lanescope-fuzz-%1.lanescope").arg(getpid());
    {
        QFile f(input);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) __builtin_trap();
        f.write(reinterpret_cast<const char *>(data), qint64(size));
    }
    for (const char *suffix : {"", "-wal", "-shm"})
        QFile::remove(session + QLatin1String(suffix));
    try {
        ls::Session s = ls::Session::open(session);
        const ls::ImportResult r = ls::importFile(s, input, ls::builtinImporters());
        if (!r.ok) {
            // Nothing of it may stay behind.
            ls::Stmt st(s.db(), "SELECT count(*) FROM source");
            st.step();
            if (st.int64(0) != 0) __builtin_trap();
        }
    } catch (const ls::DbError &) {
        __builtin_trap(); // the session itself must never break
    }
    return 0;
}
