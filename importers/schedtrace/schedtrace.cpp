// GODEBUG=schedtrace=N output: every N ms the runtime prints
//   SCHED Tms: gomaxprocs=2 idleprocs=0 threads=5 spinningthreads=0 idlethreads=1 runqueue=0 [0 0]
// on stderr, often mixed with the program's log lines. Each key=value becomes
// a counter lane (gomaxprocs, idleprocs, threads, ..., runqueue = the global
// run queue) and the bracketed list one counter per P ("runqueue P0", ...).
// Other lines, including scheddetail's indented P/M/G lines, are skipped.
//
// Clock: T counts from process start; timestamped log lines in the same
// stream place it on the wall clock (common/processstart.h), else the offset
// is left to the user.

#include "schedtrace.h"
#include "importlimits.h"

#include "common/logline.h"
#include "common/processstart.h"
#include "units.h"

#include <QHash>

#include <vector>

namespace ls {

namespace {

struct Sample
{
    TimeNs at = 0;
    std::vector<std::pair<QByteArray, qint64>> values;
};

bool parseSched(QByteArrayView line, Sample &s)
{
    if (!line.startsWith("SCHED ")) return false;
    line = line.sliced(6);
    const qsizetype colon = line.indexOf("ms:");
    if (colon <= 0) return false;
    const auto ms = parseInt(line.first(colon));
    if (!ms || *ms < 0 || *ms > (qint64(1) << 40)) return false;
    s.at = *ms * 1'000'000;
    line = line.sliced(colon + 3);
    while (!line.isEmpty()) {
        while (line.startsWith(' '))
            line = line.sliced(1);
        if (line.isEmpty()) break;
        if (line.startsWith('[')) {
            const qsizetype close = line.indexOf(']');
            QByteArrayView list = line.sliced(1, (close < 0 ? line.size() : close) - 1);
            int p = 0;
            for (const QByteArray &tok : list.toByteArray().split(' ')) {
                if (tok.isEmpty()) continue;
                if (auto v = parseInt(tok))
                    s.values.emplace_back("runqueue P" + QByteArray::number(p), *v);
                if (++p > 4096) break;
            }
            line = close < 0 ? QByteArrayView() : line.sliced(close + 1);
            continue;
        }
        qsizetype sp = line.indexOf(' ');
        const QByteArrayView tok = sp < 0 ? line : line.first(sp);
        line = sp < 0 ? QByteArrayView() : line.sliced(sp);
        const qsizetype eq = tok.indexOf('=');
        if (eq <= 0) continue;
        if (auto v = parseInt(tok.sliced(eq + 1)))
            s.values.emplace_back(tok.first(eq).toByteArray(), *v);
    }
    return !s.values.empty();
}

} // namespace

QByteArray SchedTraceImporter::id() const
{
    return "schedtrace";
}

QString SchedTraceImporter::displayName() const
{
    return QStringLiteral("Go scheduler trace (GODEBUG=schedtrace)");
}

int SchedTraceImporter::sniff(const SniffInput &in) const
{
    int sched = 0;
    const int lines = forEachHeadLine(in.head, 400, [&](QByteArrayView line) {
        Sample s;
        if (parseSched(line, s)) ++sched;
        return true;
    });
    if (sched == 0) return 0;
    return sched * 4 >= lines ? 80 : 45;
}

void SchedTraceImporter::run(ImportContext &ctx, RecordSink &sink)
{
    LineReader reader(ctx.input());
    LogLineParser logs;
    LogLine ll;
    ProcessStart start;
    std::vector<Sample> samples;
    QByteArrayView line;
    while (reader.next(line)) {
        if ((reader.lineNumber() & 1023) == 0) ctx.checkpoint();
        if (skipLongLine(ctx, reader)) continue;
        if (line.endsWith('\r')) line.chop(1);
        Sample s;
        if (parseSched(line, s)) {
            start.runtimeLine(s.at);
            samples.push_back(std::move(s));
            continue;
        }
        if (line.startsWith("SCHED "))
            ctx.diag("bad-line", Severity::Warning, reader.lineOffset(), reader.lineNumber(),
                     QStringLiteral("malformed SCHED line"));
        else if (logs.parse(line, ll) && ll.ts != kNoTime)
            start.logLine(ll.ts);
    }
    if (samples.empty()) throw ImportError(QStringLiteral("no \"SCHED Tms:\" lines"), 0, 1);
    const TimeNs wallStart = start.estimate();
    if (wallStart != kNoTime)
        sink.setClock(ClockKind::Relative, wallStart,
                      QByteArray("process start from log lines (" +
                                 QByteArray::number(start.evidence()) + " lines)"));
    else
        sink.setClock(ClockKind::Relative, 0, "process start unknown (set the offset by hand)");
    QHash<QByteArray, LaneId> lanes;
    const StringId cat = sink.intern("counter");
    for (const Sample &s : samples) {
        for (const auto &[key, value] : s.values) {
            LaneId &lane = lanes[key];
            if (lane == kNoId) {
                LaneRecord l;
                l.kind = "counter";
                l.externalId = 100 + lanes.size();
                l.name = key;
                l.sortKey = l.externalId;
                lane = sink.lane(l);
            }
            InstantRecord i;
            i.lane = lane;
            i.ts = s.at;
            i.category = cat;
            i.value = double(value);
            i.hasValue = true;
            sink.instant(i);
        }
    }
    ctx.addEvents(qint64(samples.size()));
}

} // namespace ls
