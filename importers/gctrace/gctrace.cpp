// GODEBUG=gctrace=1 output (formats.md §9): one line per GC cycle,
//   gc N @T s P%: a+b+c ms clock, ... ms cpu, h0->h1->h2 MB, G MB goal, [S MB stacks,
//   G MB globals,] N P [(forced)]
// usually on stderr, possibly mixed with the program's own output.
//
// Each cycle becomes a span on the GC lane (depth 0) with its three phases
// under it (depth 1: STW sweep termination, concurrent mark, STW mark
// termination), and heap counters (heap at start and end, live heap, goal).
// A line cut by foreign text right after "@Ts " is joined with the next
// line when that one starts with "P%: " (the runtime's print is unbuffered).
//
// Clock: @T counts from process start. When the stream also has timestamped
// log lines, the start is estimated from them (common/processstart.h) and the
// source is placed on the wall clock; otherwise it stays relative with offset
// 0, to be set by hand, and the clock method says so.

#include "gctrace.h"
#include "importlimits.h"

#include "common/logline.h"
#include "common/processstart.h"
#include "units.h"

#include <vector>

namespace ls {

namespace {

struct Cycle
{
    qint64 n = 0;
    TimeNs at = 0; // since process start
    qint64 phase[3] = {0, 0, 0};
    qint64 heap[3] = {-1, -1, -1}; // MB
    qint64 goal = -1;
    qint64 procs = -1;
    bool forced = false;
    QByteArray cpu;
    QByteArray pct;
};

QByteArrayView skipSpaces(QByteArrayView s)
{
    while (!s.isEmpty() && s.front() == ' ')
        s = s.sliced(1);
    return s;
}

// "gc N @T s " prefix: returns the rest after "@Ts", or false.
bool parseHead(QByteArrayView line, Cycle &c, QByteArrayView &rest)
{
    if (!line.startsWith("gc ")) return false;
    line = line.sliced(3);
    const qsizetype sp = line.indexOf(' ');
    if (sp <= 0) return false;
    const auto n = parseInt(line.first(sp));
    if (!n || *n < 0) return false;
    line = line.sliced(sp + 1);
    if (!line.startsWith('@')) return false;
    const qsizetype s = line.indexOf('s');
    if (s <= 1) return false;
    const auto at = parseScaled(line.sliced(1, s - 1), 9);
    if (!at || *at < 0) return false;
    c.n = *n;
    c.at = *at;
    rest = skipSpaces(line.sliced(s + 1));
    return true;
}

// "P%: a+b+c ms clock, ..." after the head.
bool parseBody(QByteArrayView body, Cycle &c)
{
    const qsizetype pctEnd = body.indexOf("%: ");
    if (pctEnd <= 0 || !parseInt(body.first(pctEnd))) return false;
    c.pct = body.first(pctEnd).toByteArray();
    body = body.sliced(pctEnd + 3);
    bool clock = false;
    while (!body.isEmpty()) {
        qsizetype comma = body.indexOf(", ");
        QByteArrayView part = comma < 0 ? body : body.first(comma);
        body = comma < 0 ? QByteArrayView() : body.sliced(comma + 2);
        if (part.endsWith(" ms clock")) {
            QByteArrayView v = part.first(part.size() - 9);
            for (int i = 0; i < 3; ++i) {
                const qsizetype plus = v.indexOf('+');
                const QByteArrayView num =
                    i < 2 ? (plus < 0 ? QByteArrayView() : v.first(plus)) : v;
                const auto ns = parseScaled(num, 6); // ms -> ns
                if (!ns || *ns < 0) return false;
                c.phase[i] = *ns;
                if (i < 2) v = v.sliced(plus + 1);
            }
            clock = true;
        } else if (part.endsWith(" ms cpu")) {
            c.cpu = part.first(part.size() - 7).toByteArray();
        } else if (part.endsWith(" MB goal")) {
            if (auto g = parseInt(part.first(part.size() - 8))) c.goal = *g;
        } else if (part.endsWith(" MB") && part.contains(QByteArrayView("->"))) {
            QByteArrayView v = part.first(part.size() - 3);
            for (int i = 0; i < 3 && !v.isEmpty(); ++i) {
                const qsizetype arrow = v.indexOf("->");
                if (auto h = parseInt(arrow < 0 ? v : v.first(arrow))) c.heap[i] = *h;
                v = arrow < 0 ? QByteArrayView() : v.sliced(arrow + 2);
            }
        } else if (part.contains(QByteArrayView(" P"))) {
            const qsizetype p = part.indexOf(" P");
            if (auto n = parseInt(part.first(p))) c.procs = *n;
            c.forced = part.contains(QByteArrayView("(forced)"));
        }
    }
    return clock;
}

} // namespace

QByteArray GcTraceImporter::id() const
{
    return "gctrace";
}

QString GcTraceImporter::displayName() const
{
    return QStringLiteral("Go GC trace (GODEBUG=gctrace=1)");
}

int GcTraceImporter::sniff(const SniffInput &in) const
{
    int gcLines = 0;
    const int lines = forEachHeadLine(in.head, 400, [&](QByteArrayView line) {
        Cycle c;
        QByteArrayView rest;
        if (parseHead(line, c, rest)) ++gcLines;
        return true;
    });
    if (gcLines == 0) return 0;
    return gcLines * 4 >= lines ? 80 : 45; // mixed into other output: still ours
}

void GcTraceImporter::run(ImportContext &ctx, RecordSink &sink)
{
    LineReader reader(ctx.input());
    LogLineParser logs;
    LogLine ll;
    ProcessStart start;
    std::vector<Cycle> cycles;
    QByteArrayView line;
    QByteArray pendingHead; // a head whose body is on a later line
    qint64 pendingLine = 0, pendingOffset = 0;
    while (reader.next(line)) {
        if ((reader.lineNumber() & 1023) == 0) ctx.checkpoint();
        if (skipLongLine(ctx, reader)) continue;
        if (line.endsWith('\r')) line.chop(1);
        if (!pendingHead.isEmpty()) {
            // The body of a cut line starts the next line.
            const QByteArray head = std::exchange(pendingHead, QByteArray());
            Cycle c;
            QByteArrayView rest;
            parseHead(head, c, rest);
            if (parseBody(line, c)) {
                ctx.diag("joined-line", Severity::Info, pendingOffset, pendingLine,
                         QStringLiteral("a gctrace line was cut by other output and joined with "
                                        "the next line"));
                start.runtimeLine(c.at + c.phase[0] + c.phase[1] + c.phase[2]);
                cycles.push_back(c);
                continue;
            }
            ctx.diag("bad-line", Severity::Warning, pendingOffset, pendingLine,
                     QStringLiteral("gctrace line without its figures"));
        }
        Cycle c;
        QByteArrayView rest;
        if (parseHead(line, c, rest)) {
            if (parseBody(rest, c)) {
                start.runtimeLine(c.at + c.phase[0] + c.phase[1] + c.phase[2]);
                cycles.push_back(c);
            } else if (rest.isEmpty() || !rest.contains(QByteArrayView("%:"))) {
                pendingHead = line.toByteArray();
                pendingLine = reader.lineNumber();
                pendingOffset = reader.lineOffset();
            } else {
                ctx.diag("bad-line", Severity::Warning, reader.lineOffset(), reader.lineNumber(),
                         QStringLiteral("malformed gctrace line"));
            }
            continue;
        }
        if (logs.parse(line, ll) && ll.ts != kNoTime) start.logLine(ll.ts);
    }
    if (!pendingHead.isEmpty())
        ctx.diag("bad-line", Severity::Warning, pendingOffset, pendingLine,
                 QStringLiteral("gctrace line without its figures at the end of the file"));
    if (cycles.empty())
        throw ImportError(QStringLiteral("no gctrace lines (\"gc N @T s ...\")"), 0, 1);

    const TimeNs wallStart = start.estimate();
    if (wallStart != kNoTime)
        sink.setClock(ClockKind::Relative, wallStart,
                      QByteArray("process start from log lines (" +
                                 QByteArray::number(start.evidence()) + " lines)"));
    else
        sink.setClock(ClockKind::Relative, 0, "process start unknown (set the offset by hand)");

    LaneRecord gl;
    gl.kind = "gc";
    gl.name = "GC";
    const LaneId gcLane = sink.lane(gl);
    auto counterLane = [&](const char *name, int idx) {
        LaneRecord l;
        l.kind = "counter";
        l.externalId = idx;
        l.name = name;
        l.sortKey = idx;
        return sink.lane(l);
    };
    const LaneId heapLane = counterLane("heap", 0);
    const LaneId goalLane = counterLane("heap goal", 1);
    const LaneId liveLane = counterLane("heap live", 4);
    const StringId catGc = sink.intern("gc"), catStw = sink.intern("stw"),
                   catMark = sink.intern("gc-mark"), catCounter = sink.intern("counter");
    const StringId nSweep = sink.intern("STW sweep termination"),
                   nMark = sink.intern("concurrent mark"),
                   nTerm = sink.intern("STW mark termination");
    constexpr double kMiB = 1024.0 * 1024.0;
    auto counter = [&](LaneId lane, TimeNs ts, qint64 mb) {
        if (mb < 0) return;
        InstantRecord i;
        i.lane = lane;
        i.ts = ts;
        i.category = catCounter;
        i.value = double(mb) * kMiB;
        i.hasValue = true;
        sink.instant(i);
    };
    for (const Cycle &c : cycles) {
        const TimeNs t0 = c.at, t1 = t0 + c.phase[0], t2 = t1 + c.phase[1], t3 = t2 + c.phase[2];
        SpanRecord s;
        s.lane = gcLane;
        s.start = t0;
        s.end = t3;
        s.name = sink.intern(QByteArray("GC " + QByteArray::number(c.n)));
        s.category = catGc;
        s.args = "{\"cycle\":" + QByteArray::number(c.n) + ",\"cpu_pct\":" + c.pct +
                 ",\"cpu_ms\":\"" + c.cpu + "\",\"procs\":" + QByteArray::number(c.procs) +
                 ",\"forced\":" + (c.forced ? "true" : "false") + "}";
        sink.span(s);
        const std::pair<TimeNs, TimeNs> phases[3] = {{t0, t1}, {t1, t2}, {t2, t3}};
        const StringId names[3] = {nSweep, nMark, nTerm};
        const StringId cats[3] = {catStw, catMark, catStw};
        for (int i = 0; i < 3; ++i) {
            SpanRecord p;
            p.lane = gcLane;
            p.start = phases[i].first;
            p.end = phases[i].second;
            p.depth = 1;
            p.name = names[i];
            p.category = cats[i];
            sink.span(p);
        }
        counter(heapLane, t0, c.heap[0]);
        counter(heapLane, t3, c.heap[1]);
        counter(liveLane, t3, c.heap[2]);
        counter(goalLane, t3, c.goal);
    }
    ctx.addEvents(qint64(cycles.size()));
}

} // namespace ls
