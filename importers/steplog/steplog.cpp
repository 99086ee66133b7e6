// Step-timing logs: the `start := time.Now(); ...; log(step, time.Since(start),
// req_id)` pattern. One line per sub-step with a request id and a duration;
// the step ends at the line's time and starts `dur` earlier. The same file
// usually also has a request-start line and an access line (method, path,
// status, total duration) that give the server's view of the request.
//
// Lines are Go `log` key=value lines, logfmt/slog text, or JSON lines; see
// importers/common/logline.h. Lines without a request id are counted, not
// stored; lines with a request id but no duration are kept as the request's
// log lines (raw_text kind 'log'). A client's own summary line (a latency with
// a ttfb, or with an absolute URL and a status or error) gives the client
// side's status, error and approximate times. Panics (a `panic ...` record followed by a
// `goroutine N [running]:` stack, or a JSON record with `panic` and `stack`
// fields) become an instant on the goroutine lane and the request, with the
// whole stack kept as raw text kind 'stack'.

#include "steplog.h"
#include "importlimits.h"

#include "units.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstring>

namespace ls {

namespace {

bool isAccessLine(const LogLine &l)
{
    return l.msg == "access" || l.msg == "request_done" || l.msg == "request completed" ||
           l.msg == "http request" || (l.field("status") && (l.field("method") || l.field("path")));
}

// A client's own summary of a request (`done req_id=… status=200 latency=71ms
// ttfb=70ms`, `request failed req_id=… url=http://… latency=25ms err=…`): it
// has a latency and a ttfb, or an absolute URL instead of a path.
bool isClientSummary(const LogLine &l)
{
    if (l.field("ttfb") || l.field("ttfb_ns")) return true;
    const QByteArray url = l.value("url");
    const bool absolute = url.startsWith("http://") || url.startsWith("https://");
    return absolute && !l.field("path") && (l.field("status") || l.anyField({"err", "error"}));
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

// "goroutine 106 [running]:" -> 106, else -1.
qint64 goroutineHeader(QByteArrayView line)
{
    if (!line.startsWith("goroutine ")) return -1;
    const qsizetype sp = line.indexOf(' ', 10);
    if (sp < 0 || sp + 1 >= line.size() || line[sp + 1] != '[') return -1;
    const auto id = parseInt(line.sliced(10, sp - 10));
    return id ? *id : -1;
}

// Counts how many of the first lines look like step-log lines.
int scoreHead(QByteArrayView head)
{
    LogLineParser p;
    LogLine l;
    int lines = 0, withDur = 0, parsed = 0;
    bool httptrace = false;
    forEachHeadLine(head, 400, [&](QByteArrayView line) {
        if (line.isEmpty()) return true;
        if (++lines > 200) return false;
        if (!p.parse(line, l)) return true;
        ++parsed;
        // A record needs a request id, a duration and a time.
        if (!requestIdOf(l).isEmpty() && durationOf(l) && l.ts != kNoTime) ++withDur;
        httptrace = l.field("event") && l.field("elapsed_ns");
        return !httptrace;
    });
    if (httptrace) return 0; // httptrace JSON lines
    lines = std::min(lines, 200);
    if (lines == 0 || withDur == 0) return 0;
    if (parsed * 2 < lines)
        // Mostly other text: a mixed log (let a specific importer win), or
        // prose that happens to mention a request id and a duration.
        return 20;
    return withDur >= 2 ? 40 : 25;
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
    StepLogLines lines(ctx, sink);
    QByteArrayView text;
    sink.setClock(ClockKind::Wall, 0, "wall clock");
    while (reader.next(text)) {
        if ((reader.lineNumber() & 1023) == 0) ctx.checkpoint();
        if (reader.lineNumber() == 1 && text.startsWith("\xEF\xBB\xBF")) text = text.sliced(3);
        TextLine tl{text, reader.lineOffset(), reader.lineNumber(), reader.truncated(),
                    reader.endedWithCr()};
        lines.handle(tl);
    }
    lines.finish();
    ctx.addEvents(lines.records());
    if (lines.parsedLines() == 0) throw ImportError(QStringLiteral("no log lines found"), 0, 1);
}

StepLogLines::StepLogLines(ImportContext &ctx, RecordSink &sink) : m_ctx(ctx), m_sink(sink) {}

bool StepLogLines::handle(const TextLine &line)
{
    if (line.truncated) reportLongLine(m_ctx, line.offset, line.number, true);
    bool jsonError = false;
    if (line.text.isEmpty() || !m_parser.parse(line.text, m_line, &jsonError)) {
        if (jsonError) {
            flushPanic();
            m_ctx.diag("bad-json", Severity::Warning, line.offset, line.number,
                       QStringLiteral("line is not valid JSON: ") + m_parser.jsonErrorText());
            return false;
        }
        // Not a log record: a panic's stack, or a bare runtime panic line.
        if (line.text.startsWith("panic: ")) {
            flushPanic();
            startPanic(line, kNoTime, QByteArray(), line.text.sliced(7).toByteArray());
            return false;
        }
        if (m_panic.active) {
            const qint64 g = goroutineHeader(line.text);
            if (g >= 0 && !m_panic.inStack) {
                m_panic.inStack = true;
                m_panic.goroutine = g;
            }
            if (m_panic.inStack || line.text.isEmpty()) {
                m_panic.text += line.text;
                m_panic.text += line.cr ? "\r\n" : "\n";
                return false;
            }
            flushPanic();
        }
        return false;
    }
    flushPanic();
    ++m_parsedLines;
    if (!m_hook || !m_hook(line, m_line)) handleRecord(line, m_line);
    return true;
}

void StepLogLines::handleRecord(const TextLine &line, const LogLine &l)
{
    const QByteArray key = requestIdOf(l);
    const bool panicLine = l.msg.startsWith("panic") || l.msg.startsWith("http: panic serving") ||
                           (l.field("panic") && l.field("stack"));
    if (panicLine) {
        if (const LogField *st = l.field("stack"); st && !st->value.isEmpty()) {
            // The JSON form carries the stack in a field.
            emitPanic(key, l.ts, l.value("panic"), goroutineHeader(st->value), st->value,
                      line.offset, line.number);
        } else {
            QByteArray value = l.value("panic");
            if (value.isEmpty()) {
                const qsizetype colon = l.msg.indexOf(": ");
                value = colon >= 0 ? l.msg.mid(colon + 2) : l.msg;
            }
            startPanic(line, l.ts, key, value);
        }
    }
    if (key.isEmpty()) return;
    if (l.ts == kNoTime) {
        m_ctx.diag("missing-time", Severity::Warning, line.offset, line.number,
                   QStringLiteral("line has a request id but no timestamp"));
        return;
    }
    ++m_records;
    QByteArray durKey;
    const std::optional<qint64> dur = durationOf(l, &durKey);
    if (dur && isClientSummary(l)) {
        RequestRecord r;
        r.key = key;
        r.side = Side::Client;
        r.method = l.value("method");
        r.url = l.value("url");
        const LogField *err = l.anyField({"err", "error"});
        if (auto st = parseInt(l.value("status")))
            r.status = int(*st);
        else if (err)
            r.status = 0; // no response: the client gave up
        if (err && !err->value.isEmpty() && err->value != "null" && err->value != "<nil>")
            r.error = err->value;
        // A log time minus a latency: coarser than measured client times.
        r.timeQuality = TimeQuality::Approximate;
        r.start = l.ts - *dur;
        r.end = l.ts;
        m_sink.request(r);
        return;
    }
    // What a request-start or access line says about the request itself.
    auto described = [&] {
        RequestRecord r;
        r.key = key;
        r.side = m_side;
        r.method = l.value("method");
        r.url = l.value("path");
        if (r.url.isEmpty()) r.url = l.value("url");
        r.handler = l.value("handler");
        return r;
    };
    if (isStartLine(l)) {
        RequestRecord r = described();
        r.start = l.ts;
        m_sink.request(r);
        return;
    }
    if (isAccessLine(l)) {
        RequestRecord r = described();
        if (auto st = parseInt(l.value("status"))) r.status = int(*st);
        r.end = l.ts;
        if (dur) r.start = l.ts - *dur;
        m_sink.request(r);
        m_accessSeen.insert(key);
        m_stepBounds.remove(key); // the access line is the request's extent
        return;
    }
    if (!dur) {
        // A log line of the request (errors, snapshots): keep its text.
        RequestRecord base;
        base.key = key;
        base.side = m_side;
        const RequestId rid = m_sink.request(base);
        RawTextRecord t;
        t.request = rid;
        t.side = m_side;
        t.kind = "log";
        t.data = line.text.toByteArray();
        t.offset = line.offset;
        t.line = line.number;
        t.ts = l.ts;
        m_sink.rawText(t);
        if (l.value("level") == "ERROR" || l.value("level") == "error") {
            RequestRecord e = base;
            e.error = l.msg;
            m_sink.request(e);
        }
        return;
    }
    if (*dur < 0) {
        m_ctx.diag("negative-duration", Severity::Warning, line.offset, line.number,
                   QStringLiteral("step duration is negative"));
        return;
    }
    RequestRecord r;
    r.key = key;
    r.side = m_side;
    const RequestId rid = m_sink.request(r);
    // Steps bound the request's view of this side only when the log has no
    // access line for it (known at the end: the access line comes last).
    auto b = m_stepBounds.find(key);
    if (m_accessSeen.contains(key)) {
        // A step logged after the access line: the access line still decides.
    } else if (b == m_stepBounds.end()) {
        m_stepBounds.insert(key, {l.ts - *dur, l.ts});
    } else {
        b->first = std::min(b->first, l.ts - *dur);
        b->second = std::max(b->second, l.ts);
    }
    PhaseRecord p;
    p.request = rid;
    p.side = m_side;
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
            p.lane = m_sink.lane(lane);
            m_goroutineRequest.insert(*gid, key);
        }
    }
    p.args = argsJson(l, {"time", "ts", "level", "msg", "message", "step", "req_id", "request_id",
                          "requestId", "trace_id", "x_request_id", "goroutine", "goid", "gid",
                          durKey.constData()});
    m_sink.phase(p);
}

void StepLogLines::startPanic(const TextLine &line, TimeNs ts, const QByteArray &key,
                              const QByteArray &value)
{
    m_panic = Panic();
    m_panic.active = true;
    m_panic.key = key;
    m_panic.value = value;
    m_panic.ts = ts;
    m_panic.offset = line.offset;
    m_panic.line = line.number;
    m_panic.text = line.text.toByteArray();
    m_panic.text += line.cr ? "\r\n" : "\n";
}

void StepLogLines::flushPanic()
{
    if (!m_panic.active) return;
    Panic p = std::move(m_panic);
    m_panic = Panic();
    emitPanic(p.key, p.ts, p.value, p.goroutine, p.text, p.offset, p.line);
}

void StepLogLines::finish()
{
    flushPanic();
    for (auto it = m_stepBounds.constBegin(); it != m_stepBounds.constEnd(); ++it) {
        if (m_accessSeen.contains(it.key())) continue;
        RequestRecord r;
        r.key = it.key();
        r.side = m_side;
        r.start = it.value().first;
        r.end = it.value().second;
        m_sink.request(r);
    }
}

void StepLogLines::emitPanic(const QByteArray &keyIn, TimeNs ts, const QByteArray &value,
                             qint64 goroutine, const QByteArray &text, qint64 offset, qint64 lineNo)
{
    QByteArray key = keyIn;
    if (key.isEmpty() && goroutine >= 0) key = m_goroutineRequest.value(goroutine);
    RequestId rid = kNoId;
    if (!key.isEmpty()) {
        RequestRecord r;
        r.key = key;
        r.side = m_side;
        rid = m_sink.request(r);
    }
    LaneRecord lane;
    if (goroutine >= 0) {
        lane.kind = "goroutine";
        lane.externalId = goroutine;
        lane.name = "g" + QByteArray::number(goroutine);
    } else {
        lane.kind = "log";
        lane.name = "panics";
    }
    const LaneId laneId = m_sink.lane(lane);
    if (ts != kNoTime) {
        InstantRecord i;
        i.lane = laneId;
        i.ts = ts;
        i.name = m_sink.intern("panic");
        i.category = m_sink.intern("panic");
        i.request = rid;
        QJsonObject args;
        args.insert(QStringLiteral("value"), QString::fromUtf8(value));
        if (goroutine >= 0) args.insert(QStringLiteral("goroutine"), double(goroutine));
        i.args = QJsonDocument(args).toJson(QJsonDocument::Compact);
        m_sink.instant(i);
    } else {
        m_ctx.diag("panic-without-time", Severity::Info, offset, lineNo,
                   QStringLiteral("a panic has no log time; its stack is kept without an instant"));
    }
    RawTextRecord t;
    t.request = rid;
    t.side = m_side;
    t.kind = "stack";
    t.data = text;
    t.offset = offset;
    t.line = lineNo;
    t.ts = ts;
    m_sink.rawText(t);
}

} // namespace ls
