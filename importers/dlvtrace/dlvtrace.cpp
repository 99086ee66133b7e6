// `dlv trace` output (formats.md §8), every Delve layout we know:
//   [RFC3339 ]> goroutine(N): pkg.fn(args)           call
//   [RFC3339 ]>> goroutine(N): => (results)          return (Delve 1.9-1.22)
//   [RFC3339 ]>> goroutine(N): pkg.fn => (results)   return (Delve >= 1.23)
//   > goroutine(N): pkg.fn(args) => (results)        call and return (Delve < 1.9.1)
//   > goroutine(N):frame(D): ...                     --follow-calls
// followed by optional tab-indented "Stack:" blocks (kept with the call).
// Program output, "Process N has exited ..." and errors are skipped.
//
// Each call opens a span on its goroutine's lane at depth = the number of
// calls open on that goroutine; its return closes the innermost one (the
// return names the function in newer Delve: then the innermost call of that
// name). Arguments and results are kept as the span's args. Without
// timestamps the line index is the time (1 µs per line), so order is kept and
// the source says "line order"; with timestamps the debugger's wall clock is
// used. A quoted string argument that is a known request key ties the span
// to that request.

#include "dlvtrace.h"
#include "importlimits.h"

#include "units.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

#include <vector>

namespace ls {

namespace {

constexpr TimeNs kLineStep = 1000;
constexpr size_t kMaxDepth = size_t(limits::kNestingDepth);

struct Open
{
    QByteArray fn;
    QByteArray args;
    QByteArray stack;
    TimeNs start = 0;
    RequestId request = kNoId;
};

struct Parsed
{
    bool call = false;
    qint64 g = 0;
    TimeNs ts = kNoTime;
    QByteArray fn;
    QByteArray args;    // inside the parentheses
    QByteArray results; // after "=> "
    bool hasReturn = false;
};

// Splits "fn(args)" at the parenthesis that opens the argument list (the
// first '(' not inside a function name like "(*T).m").
bool splitCall(QByteArrayView s, QByteArray &fn, QByteArray &args)
{
    int depth = 0;
    for (qsizetype i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '(') {
            // "(*T)" inside a method name is followed by '.'.
            qsizetype j = i + 1;
            int d = 1;
            while (j < s.size() && d > 0) {
                if (s[j] == '(') ++d;
                if (s[j] == ')') --d;
                ++j;
            }
            if (j < s.size() && s[j] == '.' && depth == 0) {
                i = j - 1;
                continue;
            }
            fn = s.first(i).toByteArray();
            // The closing parenthesis of the argument list is the last one.
            const qsizetype close = s.lastIndexOf(')');
            args = close > i ? s.sliced(i + 1, close - i - 1).toByteArray() : QByteArray();
            return !fn.isEmpty();
        }
    }
    fn = s.toByteArray().trimmed();
    return !fn.isEmpty();
}

bool parseLine(QByteArrayView line, Parsed &p)
{
    // Optional timestamp prefix.
    if (!line.startsWith('>')) {
        const qsizetype sp = line.indexOf(' ');
        if (sp <= 0) return false;
        const auto t = parseRfc3339(line.first(sp));
        if (!t) return false;
        p.ts = *t;
        line = line.sliced(sp + 1);
    }
    if (line.startsWith(">> goroutine(")) {
        p.call = false;
        line = line.sliced(13);
    } else if (line.startsWith("> goroutine(")) {
        p.call = true;
        line = line.sliced(12);
    } else {
        return false;
    }
    const qsizetype close = line.indexOf(')');
    if (close <= 0) return false;
    const auto g = parseInt(line.first(close));
    if (!g) return false;
    p.g = *g;
    line = line.sliced(close + 1);
    if (line.startsWith(":frame(")) { // --follow-calls
        const qsizetype c2 = line.indexOf(')');
        if (c2 < 0) return false;
        line = line.sliced(c2 + 1);
    }
    if (!line.startsWith(':')) return false;
    line = line.sliced(1).trimmed();
    const qsizetype arrow = line.lastIndexOf("=> ");
    QByteArrayView head = line;
    if (arrow >= 0 && (arrow == 0 || line[arrow - 1] == ' ')) {
        p.hasReturn = true;
        QByteArrayView res = line.sliced(arrow + 3).trimmed();
        if (res.startsWith('(') && res.endsWith(')')) res = res.sliced(1, res.size() - 2);
        p.results = res.toByteArray();
        head = line.first(arrow).trimmed();
    }
    if (p.call) return splitCall(head, p.fn, p.args);
    p.fn = head.toByteArray(); // empty for Delve 1.9-1.22 returns
    return true;
}

// Quoted strings among the arguments.
std::vector<QByteArray> quotedStrings(QByteArrayView args)
{
    std::vector<QByteArray> out;
    for (qsizetype i = 0; i < args.size() && out.size() < 16; ++i) {
        if (args[i] != '"') continue;
        qsizetype j = i + 1;
        while (j < args.size() && args[j] != '"')
            j += args[j] == '\\' ? 2 : 1;
        if (j < args.size() && j - i - 1 > 0 && j - i - 1 < 200)
            out.push_back(args.sliced(i + 1, j - i - 1).toByteArray());
        i = j;
    }
    return out;
}

} // namespace

QByteArray DlvTraceImporter::id() const
{
    return "dlv-trace";
}

QString DlvTraceImporter::displayName() const
{
    return QStringLiteral("Delve trace output (dlv trace)");
}

int DlvTraceImporter::sniff(const SniffInput &in) const
{
    int hits = 0, lines = 0;
    qsizetype pos = 0;
    while (pos < in.head.size() && lines < 400) {
        qsizetype nl = in.head.indexOf('\n', pos);
        if (nl < 0) break;
        Parsed p;
        if (parseLine(in.head.sliced(pos, nl - pos), p)) ++hits;
        pos = nl + 1;
        ++lines;
    }
    if (hits == 0) return 0;
    return hits * 4 >= lines ? 85 : 50;
}

void DlvTraceImporter::run(ImportContext &ctx, RecordSink &sink)
{
    LineReader reader(ctx.input());
    QByteArrayView line;
    QHash<qint64, std::vector<Open>> stacks;
    QHash<qint64, LaneId> lanes;
    const StringId cat = sink.intern("call");
    bool clockSet = false, timed = false;
    qint64 index = 0, calls = 0, unmatched = 0;
    TimeNs last = 0;
    Open *lastCall = nullptr;
    bool skipBlock = false;
    qint64 lastCallG = -1;
    auto laneOf = [&](qint64 g) {
        LaneId &l = lanes[g];
        if (l == kNoId) {
            LaneRecord r;
            r.kind = "goroutine";
            r.externalId = g;
            r.name = "g" + QByteArray::number(g);
            r.sortKey = g;
            l = sink.lane(r);
        }
        return l;
    };
    auto close = [&](qint64 g, Open o, TimeNs end, const QByteArray &results, size_t depth) {
        SpanRecord s;
        s.lane = laneOf(g);
        s.start = o.start;
        s.end = std::max(end, o.start);
        s.depth = int(depth);
        s.name = sink.intern(o.fn);
        s.category = cat;
        s.request = o.request;
        QJsonObject a;
        a.insert(QStringLiteral("args"), QString::fromUtf8(o.args));
        if (!results.isNull()) a.insert(QStringLiteral("results"), QString::fromUtf8(results));
        if (!o.stack.isEmpty()) a.insert(QStringLiteral("stack"), QString::fromUtf8(o.stack));
        s.args = QJsonDocument(a).toJson(QJsonDocument::Compact);
        sink.span(s);
    };
    while (reader.next(line)) {
        if ((reader.lineNumber() & 1023) == 0) ctx.checkpoint();
        if (skipLongLine(ctx, reader)) continue;
        if (line.endsWith('\r')) line.chop(1);
        if (line.startsWith('\t') || line.startsWith("    ")) {
            // A stack block belongs to the call just printed; Delve 1.20
            // prints it twice for calls: keep the first copy.
            const QByteArrayView t = line.trimmed();
            if (t == "Stack:") {
                skipBlock = lastCall && !lastCall->stack.isEmpty();
                continue;
            }
            if (lastCall && !skipBlock && !t.isEmpty() && lastCall->stack.size() < 16384)
                lastCall->stack += t.toByteArray() + '\n';
            continue;
        }
        Parsed p;
        if (!parseLine(line, p)) {
            if (!line.trimmed().isEmpty()) lastCall = nullptr;
            continue;
        }
        if (!clockSet) {
            timed = p.ts != kNoTime;
            sink.setClock(timed ? ClockKind::Wall : ClockKind::Relative, 0,
                          timed ? QByteArrayView("wall clock (debugger's)")
                                : QByteArrayView("line order (no timestamps)"));
            clockSet = true;
        }
        TimeNs ts = timed ? (p.ts != kNoTime ? p.ts : last) : index * kLineStep;
        ts = std::max(ts, last);
        last = ts;
        ++index;
        std::vector<Open> &st = stacks[p.g];
        if (p.call) {
            ++calls;
            Open o;
            o.fn = p.fn;
            o.args = p.args;
            o.start = ts;
            for (const QByteArray &q : quotedStrings(p.args))
                if (const RequestId r = sink.findRequest(q); r != kNoId) {
                    o.request = r;
                    break;
                }
            if (p.hasReturn) { // old one-line form
                close(p.g, o, ts + kLineStep / 2, p.results, st.size());
                lastCall = nullptr;
                continue;
            }
            if (st.size() >= kMaxDepth) {
                ctx.diag("too-deep", Severity::Warning, reader.lineOffset(), reader.lineNumber(),
                         QStringLiteral("calls nested deeper than %1 (the limit for nesting); the call was skipped").arg(kMaxDepth));
                continue;
            }
            st.push_back(std::move(o));
            lastCall = &st.back();
            lastCallG = p.g;
            continue;
        }
        lastCall = nullptr;
        // A return: the innermost open call (of that name, when named).
        size_t idx = st.size();
        if (!p.fn.isEmpty())
            while (idx > 0 && st[idx - 1].fn != p.fn)
                --idx;
        if (idx == 0) {
            ++unmatched;
            ctx.diag("return-without-call", Severity::Warning, reader.lineOffset(),
                     reader.lineNumber(),
                     QStringLiteral("a return on goroutine %1 matches no open call").arg(p.g));
            continue;
        }
        while (st.size() >= idx) {
            Open o = std::move(st.back());
            st.pop_back();
            close(p.g, std::move(o), ts, st.size() + 1 == idx ? p.results : QByteArray(),
                  st.size());
            if (st.size() + 1 == idx) break;
        }
    }
    (void)lastCallG;
    if (!clockSet)
        throw ImportError(QStringLiteral("no dlv trace lines (\"> goroutine(N): ...\")"), 0, 1);
    qint64 open = 0;
    for (auto it = stacks.begin(); it != stacks.end(); ++it) {
        while (!it.value().empty()) {
            Open o = std::move(it.value().back());
            it.value().pop_back();
            close(it.key(), std::move(o), last + kLineStep, QByteArray(), it.value().size());
            ++open;
        }
    }
    if (open)
        ctx.diag("unfinished-call", Severity::Info, -1, -1,
                 QStringLiteral("%1 calls had not returned when the trace ended").arg(open));
    ctx.addEvents(calls);
}

} // namespace ls
