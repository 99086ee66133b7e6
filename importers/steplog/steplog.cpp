// Step-timing logs: the `start := time.Now(); ...; log(step, time.Since(start),
// req_id)` pattern. One line per sub-step with a request id and a duration;
// the step ends at the line's time and starts `dur` earlier. The same file
// usually also has a request-start line and an access line (method, path,
// status, total duration) that give the server's view of the request.
//
// Lines are Go `log` key=value lines, logfmt/slog text, or JSON lines; see
// importers/common/logline.h. Lines without a request id are counted, not
// stored; lines with a request id but no duration are kept as the request's
// log lines (raw_text kind 'log').

#include "steplog.h"

#include "common/logline.h"
#include "units.h"

namespace ls {

namespace {

bool isAccessLine(const LogLine &l)
{
    return l.msg == "access" || l.msg == "request_done" || l.msg == "request completed" ||
           l.msg == "http request" || (l.field("status") && (l.field("method") || l.field("path")));
}

bool isStartLine(const LogLine &l)
{
    return l.msg == "request_start" || l.msg == "request started" || l.msg == "request_begin";
}

QByteArray argsJson(const LogLine &l, std::initializer_list<const char *> skip)
{
    QByteArray o;
    for (const LogField &f : l.fields) {
        bool skipIt = false;
        for (const char *s : skip)
            if (f.key == s) skipIt = true;
        if (skipIt) continue;
        o += o.isEmpty() ? '{' : ',';
        appendJsonString(o, f.key);
        o += ':';
        // A number as written when JSON can hold it so (no leading zero or '+').
        const bool jsonNumber = f.number && !f.value.startsWith('+') &&
                                !(f.value.size() > 1 && f.value[0] == '0' && f.value[1] != '.');
        if (jsonNumber)
            o += f.value;
        else
            appendJsonString(o, f.value);
    }
    if (!o.isEmpty()) o += '}';
    return o;
}

RequestRecord serverRequest(const QByteArray &key)
{
    RequestRecord r;
    r.key = key;
    r.side = Side::Server;
    return r;
}

// Counts how many of the first lines look like step-log lines.
int scoreHead(QByteArrayView head)
{
    LogLineParser p;
    LogLine l;
    int lines = 0, withId = 0, withDur = 0, parsed = 0;
    qsizetype pos = 0;
    while (pos < head.size() && lines < 200) {
        qsizetype nl = head.indexOf('\n', pos);
        if (nl < 0) break; // last partial line: ignore
        QByteArrayView line = head.sliced(pos, nl - pos);
        pos = nl + 1;
        if (line.endsWith('\r')) line.chop(1);
        if (line.isEmpty()) continue;
        ++lines;
        if (!p.parse(line, l)) continue;
        ++parsed;
        if (!requestIdOf(l).isEmpty()) {
            ++withId;
            if (durationOf(l)) ++withDur;
        }
        if (l.field("event") && l.field("elapsed_ns")) return 0; // httptrace JSON lines
    }
    if (lines == 0 || withDur == 0) return 0;
    if (parsed * 2 < lines)
        return 10; // mostly other text: a mixed log; let a specific importer win
    return withDur >= 2 ? 40 : 20;
}

} // namespace

QByteArray StepLogImporter::id() const
{
    return "steplog";
}

QString StepLogImporter::displayName() const
{
    return QStringLiteral("Step-timing log (Go log, logfmt, JSON lines)");
}

int StepLogImporter::sniff(const SniffInput &in) const
{
    QByteArrayView head = in.head;
    if (head.startsWith("\xEF\xBB\xBF")) head = head.sliced(3);
    return scoreHead(head);
}

void StepLogImporter::run(ImportContext &ctx, RecordSink &sink)
{
    LineReader reader(ctx.input());
    LogLineParser parser;
    LogLine l;
    QByteArrayView line;
    sink.setClock(ClockKind::Wall, 0, "wall clock");
    qint64 parsedLines = 0, records = 0, reported = 0;
    const StringId stepCat = kNoId;
    (void)stepCat;
    while (reader.next(line)) {
        if ((reader.lineNumber() & 1023) == 0) ctx.checkpoint();
        if (reader.lineNumber() == 1 && line.startsWith("\xEF\xBB\xBF")) line = line.sliced(3);
        if (line.isEmpty()) continue;
        if (reader.truncated())
            ctx.diag("line-too-long", Severity::Warning, reader.lineOffset(), reader.lineNumber(),
                     QStringLiteral("line longer than 1 MiB; only its start was read"));
        bool jsonError = false;
        if (!parser.parse(line, l, &jsonError)) {
            if (jsonError)
                ctx.diag("bad-json", Severity::Warning, reader.lineOffset(), reader.lineNumber(),
                         QStringLiteral("line is not valid JSON"));
            continue;
        }
        ++parsedLines;
        const QByteArray key = requestIdOf(l);
        if (key.isEmpty()) continue;
        if (l.ts == kNoTime) {
            ctx.diag("missing-time", Severity::Warning, reader.lineOffset(), reader.lineNumber(),
                     QStringLiteral("line has a request id but no timestamp"));
            continue;
        }
        ++records;
        QByteArray durKey;
        const std::optional<qint64> dur = durationOf(l, &durKey);
        if (isStartLine(l)) {
            RequestRecord r;
            r.key = key;
            r.side = Side::Server;
            r.method = l.value("method");
            r.url = l.value("path");
            if (r.url.isEmpty()) r.url = l.value("url");
            r.handler = l.value("handler");
            r.start = l.ts;
            sink.request(r);
            continue;
        }
        if (isAccessLine(l)) {
            RequestRecord r;
            r.key = key;
            r.side = Side::Server;
            r.method = l.value("method");
            r.url = l.value("path");
            if (r.url.isEmpty()) r.url = l.value("url");
            r.handler = l.value("handler");
            if (auto st = parseInt(l.value("status"))) r.status = int(*st);
            r.end = l.ts;
            if (dur) r.start = l.ts - *dur;
            sink.request(r);
            continue;
        }
        if (!dur) {
            // A log line of the request (errors, snapshots): keep its text.
            const RequestId rid = sink.request(serverRequest(key));
            RawTextRecord t;
            t.request = rid;
            t.side = Side::Server;
            t.kind = "log";
            t.data = line.toByteArray();
            t.offset = reader.lineOffset();
            t.line = reader.lineNumber();
            t.ts = l.ts;
            sink.rawText(t);
            if (l.value("level") == "ERROR" || l.value("level") == "error") {
                RequestRecord e = serverRequest(key);
                e.error = l.msg;
                sink.request(e);
            }
            continue;
        }
        if (*dur < 0) {
            ctx.diag("negative-duration", Severity::Warning, reader.lineOffset(),
                     reader.lineNumber(), QStringLiteral("step duration is negative"));
            continue;
        }
        // Steps also bound the server's view of the request, for logs that
        // have no access line.
        RequestRecord r = serverRequest(key);
        r.start = l.ts - *dur;
        r.end = l.ts;
        const RequestId rid = sink.request(r);
        PhaseRecord p;
        p.request = rid;
        p.side = Side::Server;
        p.kind = "step";
        p.name = l.value("step");
        if (p.name.isEmpty()) p.name = l.msg;
        p.start = l.ts - *dur;
        p.end = l.ts;
        if (const LogField *g = l.anyField(kGoroutineKeys)) {
            if (auto gid = parseInt(g->value)) {
                LaneRecord lane;
                lane.kind = "goroutine";
                lane.externalId = *gid;
                lane.name = "g" + g->value;
                p.lane = sink.lane(lane);
            }
        }
        p.args = argsJson(l, {"time", "ts", "level", "msg", "message", "step", "req_id",
                              "request_id", "requestId", "trace_id", "x_request_id", "goroutine",
                              "goid", "gid", durKey.constData()});
        sink.phase(p);
    }
    ctx.addEvents(records - reported);
    if (parsedLines == 0) throw ImportError(QStringLiteral("no log lines found"), 0, 1);
}

} // namespace ls
