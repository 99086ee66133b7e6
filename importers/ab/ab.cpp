// ApacheBench `ab -g` results: a gnuplot TSV with the header
// `starttime\tseconds\tctime\tdtime\tttime\twait` and one row per completed
// request: start (Unix seconds; µs in very old builds, told by magnitude),
// connect, processing, total and waiting times in whole milliseconds.
//
// Invariants: each row is one client request marked as a load-test request
// (client side, start = seconds, end = start + ttime); ab sends no request
// id, so rows get fresh keys and never merge with other evidence — the
// server's records of the same requests carry ids the server generated.
// Rows are sorted by total time, not start; order is not relied on. No
// status or phases: ab -g has neither (failed requests are not written).

#include "ab.h"
#include "importlimits.h"

#include "units.h"

namespace ls {

static const char kHeader[] = "starttime\tseconds\tctime\tdtime\tttime\twait";

QByteArray ApacheBenchImporter::id() const
{
    return "ab";
}

QString ApacheBenchImporter::displayName() const
{
    return QStringLiteral("ApacheBench -g results (TSV)");
}

int ApacheBenchImporter::sniff(const SniffInput &in) const
{
    QByteArrayView head = in.head;
    if (head.startsWith("\xEF\xBB\xBF")) head = head.sliced(3);
    return head.startsWith(kHeader) ? 95 : 0;
}

void ApacheBenchImporter::run(ImportContext &ctx, RecordSink &sink)
{
    LineReader reader(ctx.input());
    QByteArrayView line;
    sink.setClock(ClockKind::Wall, 0, "wall clock");
    if (!reader.next(line)) throw ImportError(QStringLiteral("empty input"), 0, 1);
    if (line.startsWith("\xEF\xBB\xBF")) line = line.sliced(3);
    if (line.trimmed() != QByteArrayView(kHeader))
        throw ImportError(QStringLiteral("not an ApacheBench -g file (header line differs)"), 0, 1);
    qint64 rows = 0;
    while (reader.next(line)) {
        if ((reader.lineNumber() & 1023) == 0) ctx.checkpoint();
        if (skipLongLine(ctx, reader)) continue;
        if (line.trimmed().isEmpty()) continue;
        const QList<QByteArrayView> cols = [&] {
            QList<QByteArrayView> c;
            qsizetype p = 0;
            while (true) {
                const qsizetype t = line.indexOf('\t', p);
                c.append(line.sliced(p, (t < 0 ? line.size() : t) - p));
                if (t < 0) break;
                p = t + 1;
            }
            return c;
        }();
        std::optional<qint64> secs, ttime;
        if (cols.size() >= 6) {
            secs = parseInt(cols[1].trimmed());
            ttime = parseInt(cols[4].trimmed());
        }
        if (!secs || !ttime || *ttime < 0) {
            ctx.diag("bad-row", Severity::Warning, reader.lineOffset(), reader.lineNumber(),
                     QStringLiteral("row is not six tab-separated fields with integer times"));
            continue;
        }
        // Seconds (or microseconds, as ab writes them on some builds) and a
        // total in ms that fit in nanoseconds: beyond year 2262 is damage.
        const bool micros = *secs > 100000000000LL;
        if (*secs < 0 || *secs > (micros ? 9'000'000'000'000'000LL : 9'000'000'000LL) ||
            *ttime > 1'000'000'000'000LL) {
            ctx.diag("bad-row", Severity::Warning, reader.lineOffset(), reader.lineNumber(),
                     QStringLiteral("row's times are out of range"));
            continue;
        }
        RequestRecord r;
        r.side = Side::Client;
        r.loadTest = true;
        r.start = micros ? *secs * 1000 : *secs * 1000000000LL;
        r.end = r.start + *ttime * 1000000LL;
        sink.request(r);
        ++rows;
    }
    ctx.addEvents(rows);
    if (rows == 0) ctx.diag("no-rows", Severity::Warning, 0, 1, QStringLiteral("no request rows"));
}

} // namespace ls
