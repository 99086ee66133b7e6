#include "v2parser.h"

namespace ls::exectrace {

qsizetype findTextTrace(QByteArrayView head)
{
    (void)head;
    return -1;
}

void importV2(ImportContext &ctx, RecordSink &sink, const QByteArray &data, int version)
{
    (void)ctx;
    (void)sink;
    (void)data;
    throw ImportError(
        QStringLiteral("Go trace format 1.%1 is not supported yet").arg(version - 1000), 0);
}

void importV2Text(ImportContext &ctx, RecordSink &sink, const QByteArray &data)
{
    (void)ctx;
    (void)sink;
    (void)data;
    throw ImportError(QStringLiteral("text traces are not supported yet"), 0);
}

} // namespace ls::exectrace
