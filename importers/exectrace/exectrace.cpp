// Go execution traces: picks the reader by the header's version. The old
// format (1.5-1.21) is in v1parser.cpp, the new one (1.22+) in v2parser.cpp;
// both feed tracemodel.h's TraceEmitter, so the swimlanes mean the same
// whatever Go version wrote the file.

#include "exectrace.h"

#include "v1parser.h"
#include "v2parser.h"

#include "inputstream.h"

namespace ls {

QByteArray ExecTraceImporter::id() const
{
    return "go-exectrace";
}

QString ExecTraceImporter::displayName() const
{
    return QStringLiteral("Go execution trace (runtime/trace)");
}

int ExecTraceImporter::sniff(const SniffInput &in) const
{
    if (exectrace::parseTraceHeader(in.head) > 0) return 100;
    if (exectrace::findTextTrace(in.head) >= 0) return 90;
    return 0;
}

void ExecTraceImporter::run(ImportContext &ctx, RecordSink &sink)
{
    // The new format streams, generation by generation; the rest is read whole.
    const int headVer = exectrace::parseTraceHeader(ctx.input().peek(64));
    if (headVer >= 1022) {
        exectrace::importV2(ctx, sink, ctx.input(), headVer);
        return;
    }
    const QByteArray data = ctx.input().readAll();
    const int ver = exectrace::parseTraceHeader(data);
    if (ver == 0) {
        if (exectrace::findTextTrace(data) >= 0) {
            exectrace::importV2Text(ctx, sink, data);
            return;
        }
        if (data.startsWith("go 1."))
            throw ImportError(QStringLiteral("malformed Go trace header"), 0);
        throw ImportError(QStringLiteral("not a Go execution trace (no \"go 1.N trace\" header)"),
                          0);
    }
    if (ver < 1022) {
        exectrace::importV1(ctx, sink, data, ver);
        return;
    }
    InputStream in(data, ctx.path()); // (not reached: the header said v2 before)
    exectrace::importV2(ctx, sink, in, ver);
}

} // namespace ls
