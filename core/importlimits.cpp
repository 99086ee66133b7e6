#include "importlimits.h"

#include "importer.h"
#include "inputstream.h"

#include <QString>

namespace ls {

QString limits::bytesText(qint64 bytes)
{
    if (bytes >= (qint64(1) << 30) && bytes % (qint64(1) << 30) == 0)
        return QStringLiteral("%1 GiB").arg(bytes >> 30);
    if (bytes >= (qint64(1) << 20) && bytes % (qint64(1) << 20) == 0)
        return QStringLiteral("%1 MiB").arg(bytes >> 20);
    if (bytes >= 1024 && bytes % 1024 == 0) return QStringLiteral("%1 KiB").arg(bytes >> 10);
    return QStringLiteral("%1 bytes").arg(bytes);
}

void reportLongLine(ImportContext &ctx, qint64 offset, qint64 line, bool kept)
{
    ctx.diag("line-too-long", Severity::Warning, offset, line,
             QStringLiteral("line longer than %1 (the limit for one line); %2")
                 .arg(limits::bytesText(limits::kLineBytes),
                      kept ? QStringLiteral("only its start was read")
                           : QStringLiteral("skipped")));
}

bool skipLongLine(ImportContext &ctx, const LineReader &reader)
{
    if (!reader.truncated()) return false;
    reportLongLine(ctx, reader.lineOffset(), reader.lineNumber(), false);
    return true;
}

} // namespace ls
