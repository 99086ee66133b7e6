// Goroutine dumps: the text Go prints on a panic or fatal error, for
// GOTRACEBACK / SIGQUIT, and as the debug=2 goroutine profile:
//   goroutine 42 [chan receive, 5 minutes]:
//   main.worker(0xc000010000)
//   	/src/main.go:12 +0x3d
//   created by main.main [in goroutine 1]
//   	/src/main.go:8 +0x25
// (newer Go may add "gp=... m=..." before the bracket). Each goroutine
// becomes one instant on its lane at the snapshot's time, named by its state
// and carrying the wait time, the stack (as a callsite and as text) and its
// creator; the lane is named by the goroutine's start function.
//
// The snapshot has no time of its own. When a timestamped log line comes
// before a dump in the same stream (a panic in a log), that time is used on
// the wall clock; otherwise everything sits at 0 on a relative clock, to be
// placed by hand.

#include "goroutinedump.h"
#include "importlimits.h"

#include "common/logline.h"
#include "units.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <utility>
#include <vector>

namespace ls {

namespace {

constexpr int kMaxFrames = int(limits::kStackFrames);
constexpr size_t kMaxGoroutines = 1'000'000;

struct Dumped
{
    qint64 id = 0;
    QByteArray state;
    qint64 waitMinutes = -1;
    bool locked = false;
    std::vector<FrameRecord> frames; // leaf first
    bool stackCut = false;           // more than kMaxFrames frames: reported once
    QByteArray createdBy;
    qint64 parent = 0;
    QByteArray text;
    TimeNs ts = kNoTime;
    qint64 offset = 0, line = 0;
};

// "goroutine N [...]:" -> id and the bracket's content.
bool parseHeader(QByteArrayView line, qint64 &id, QByteArrayView &bracket)
{
    if (!line.startsWith("goroutine ") || !line.endsWith("]:")) return false;
    line = line.sliced(10);
    const qsizetype sp = line.indexOf(' ');
    if (sp <= 0) return false;
    const auto n = parseInt(line.first(sp));
    if (!n) return false;
    const qsizetype open = line.indexOf('[');
    if (open < 0) return false;
    id = *n;
    bracket = line.sliced(open + 1, line.size() - open - 3);
    return true;
}

const char *categoryOf(QByteArrayView state)
{
    if (state == "running") return "running";
    if (state == "runnable") return "runnable";
    if (state.startsWith("syscall")) return "syscall";
    if (state == "IO wait" || state.contains(QByteArrayView("net"))) return "blocked-net";
    if (state.startsWith("chan")) return "blocked-chan";
    if (state.startsWith("select")) return "blocked-select";
    if (state.startsWith("sleep")) return "sleep";
    if (state.startsWith("semacquire") || state.startsWith("sync") ||
        state.contains(QByteArrayView("Mutex")) || state.contains(QByteArrayView("Cond")) ||
        state.contains(QByteArrayView("WaitGroup")))
        return "blocked-sync";
    if (state.startsWith("GC") || state.contains(QByteArrayView("garbage"))) return "blocked-gc";
    return "blocked-other";
}

} // namespace

QByteArray GoroutineDumpImporter::id() const
{
    return "goroutine-dump";
}

QString GoroutineDumpImporter::displayName() const
{
    return QStringLiteral("Go goroutine dump (panic / debug=2 profile)");
}

int GoroutineDumpImporter::sniff(const SniffInput &in) const
{
    int headers = 0, lines = 0;
    bool first = true, firstIsHeader = false;
    qsizetype pos = 0;
    while (pos < in.head.size() && lines < 2000) {
        qsizetype nl = in.head.indexOf('\n', pos);
        if (nl < 0) break;
        QByteArrayView line = in.head.sliced(pos, nl - pos);
        pos = nl + 1;
        ++lines;
        if (line.endsWith('\r')) line.chop(1);
        if (line.trimmed().isEmpty()) continue;
        qint64 id;
        QByteArrayView b;
        const bool h = parseHeader(line, id, b);
        if (first) firstIsHeader = h;
        first = false;
        if (h) ++headers;
    }
    if (headers == 0) return 0;
    return firstIsHeader ? 85 : 15; // a panic inside a log: the log's importer goes first
}

void GoroutineDumpImporter::run(ImportContext &ctx, RecordSink &sink)
{
    LineReader reader(ctx.input());
    LogLineParser logs;
    LogLine ll;
    QByteArrayView line;
    std::vector<Dumped> gs;
    Dumped *cur = nullptr;
    TimeNs lastLogTs = kNoTime;
    bool expectLocation = false;
    bool inCreatedBy = false;
    while (reader.next(line)) {
        if ((reader.lineNumber() & 1023) == 0) ctx.checkpoint();
        if (skipLongLine(ctx, reader)) continue;
        if (line.endsWith('\r')) line.chop(1);
        qint64 id;
        QByteArrayView bracket;
        if (parseHeader(line, id, bracket)) {
            if (gs.size() >= kMaxGoroutines) {
                ctx.diag("too-many", Severity::Warning, reader.lineOffset(), reader.lineNumber(),
                         QStringLiteral("more than %1 goroutines; the rest were skipped")
                             .arg(kMaxGoroutines));
                break;
            }
            Dumped d;
            d.id = id;
            d.offset = reader.lineOffset();
            d.line = reader.lineNumber();
            d.ts = lastLogTs;
            const QList<QByteArray> parts = bracket.toByteArray().split(',');
            d.state = parts.value(0).trimmed();
            for (qsizetype k = 1; k < parts.size(); ++k) {
                const QByteArray p = parts[k].trimmed();
                if (p.endsWith(" minutes") || p.endsWith(" minute"))
                    if (auto m = parseInt(p.first(p.indexOf(' ')))) d.waitMinutes = *m;
                if (p == "locked to thread") d.locked = true;
            }
            d.text = line.toByteArray() + '\n';
            gs.push_back(std::move(d));
            cur = &gs.back();
            expectLocation = false;
            inCreatedBy = false;
            continue;
        }
        if (!cur) {
            if (logs.parse(line, ll) && ll.ts != kNoTime) lastLogTs = ll.ts;
            continue;
        }
        if (line.trimmed().isEmpty()) {
            cur = nullptr;
            continue;
        }
        if (cur->text.size() < 65536) cur->text += line.toByteArray() + '\n';
        if (line.startsWith('\t')) {
            // "\tfile:line +0x.." completes the frame above it.
            if (expectLocation && !inCreatedBy && !cur->frames.empty()) {
                QByteArrayView loc = line.trimmed();
                const qsizetype plus = loc.lastIndexOf(" +0x");
                if (plus > 0) loc = loc.first(plus);
                const qsizetype colon = loc.lastIndexOf(':');
                if (colon > 0) {
                    cur->frames.back().file = loc.first(colon).toByteArray();
                    cur->frames.back().line = parseInt(loc.sliced(colon + 1)).value_or(0);
                } else {
                    cur->frames.back().file = loc.toByteArray();
                }
            }
            expectLocation = false;
            continue;
        }
        if (line.startsWith("created by ")) {
            QByteArrayView c = line.sliced(11);
            const qsizetype in = c.indexOf(" in goroutine ");
            if (in > 0) {
                cur->parent = parseInt(c.sliced(in + 14)).value_or(0);
                c = c.first(in);
            }
            cur->createdBy = c.toByteArray();
            inCreatedBy = true;
            continue;
        }
        if (inCreatedBy) {
            // A log line right after a dump (no blank line between).
            cur = nullptr;
            if (logs.parse(line, ll) && ll.ts != kNoTime) lastLogTs = ll.ts;
            continue;
        }
        if (line.startsWith("...")) continue;
        if (int(cur->frames.size()) >= kMaxFrames) {
            if (!std::exchange(cur->stackCut, true)) {
                ctx.diag("stack-too-deep", Severity::Warning, reader.lineOffset(),
                         reader.lineNumber(),
                         QStringLiteral("goroutine %1 has more than %2 frames (the limit for one "
                                        "stack); the outer frames were skipped")
                             .arg(cur->id)
                             .arg(kMaxFrames));
            }
            continue;
        }
        // "pkg.fn(args)": the function is everything before the argument list.
        QByteArrayView fn = line;
        if (fn.endsWith(')')) {
            int depth = 0;
            for (qsizetype i = fn.size() - 1; i >= 0; --i) {
                if (fn[i] == ')') ++depth;
                if (fn[i] == '(' && --depth == 0) {
                    fn = fn.first(i);
                    break;
                }
            }
        }
        FrameRecord f;
        f.function = fn.toByteArray();
        cur->frames.push_back(std::move(f));
        expectLocation = true;
    }
    if (gs.empty())
        throw ImportError(QStringLiteral("no goroutine headers (\"goroutine N [state]:\")"), 0, 1);

    const bool wall = gs.front().ts != kNoTime;
    sink.setClock(wall ? ClockKind::Wall : ClockKind::Relative, 0,
                  wall ? QByteArrayView("wall clock (log line before the dump)")
                       : QByteArrayView("no timestamp (snapshot at 0, set the offset by hand)"));
    std::vector<size_t> order(gs.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return gs[a].id < gs[b].id; });
    for (size_t i : order) {
        const Dumped &d = gs[i];
        LaneRecord l;
        l.kind = "goroutine";
        l.externalId = d.id;
        l.name = "g" + QByteArray::number(d.id);
        if (!d.frames.empty()) l.name += ' ' + d.frames.back().function;
        if (d.parent != 0) {
            LaneRecord p;
            p.kind = "goroutine";
            p.externalId = d.parent;
            p.name = "g" + QByteArray::number(d.parent);
            p.sortKey = d.parent;
            l.parent = sink.lane(p);
        }
        l.sortKey = d.id;
        const LaneId lane = sink.lane(l);
        CallsiteId cs = kNoId;
        for (auto f = d.frames.rbegin(); f != d.frames.rend(); ++f)
            cs = sink.callsite(cs, sink.frame(*f));
        InstantRecord in;
        in.lane = lane;
        in.ts = d.ts == kNoTime ? 0 : d.ts;
        in.name = sink.intern(d.state);
        in.category = sink.intern(categoryOf(d.state));
        QJsonObject a;
        a.insert(QStringLiteral("state"), QString::fromUtf8(d.state));
        if (d.waitMinutes >= 0) {
            a.insert(QStringLiteral("wait_minutes"), double(d.waitMinutes));
            a.insert(QStringLiteral("wait_ns"), double(d.waitMinutes) * 60e9);
        }
        if (d.locked) a.insert(QStringLiteral("locked_to_thread"), true);
        if (cs != kNoId) a.insert(QStringLiteral("callsite"), double(cs));
        if (!d.createdBy.isEmpty())
            a.insert(QStringLiteral("created_by"), QString::fromUtf8(d.createdBy));
        a.insert(QStringLiteral("stack"), QString::fromUtf8(d.text));
        in.args = QJsonDocument(a).toJson(QJsonDocument::Compact);
        sink.instant(in);
        RawTextRecord t;
        t.kind = "stack";
        t.data = d.text;
        t.offset = d.offset;
        t.line = d.line;
        t.ts = in.ts;
        sink.rawText(t);
    }
    ctx.addEvents(qint64(gs.size()));
}

} // namespace ls
