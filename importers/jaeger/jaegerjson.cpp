// Jaeger JSON: what jaeger-query's HTTP API returns and the UI's "Download
// JSON" saves ({"data": [trace...]}), a single trace object, or an array of
// spans with inline processes (jaeger-anonymizer). Times are µs since the
// Unix epoch (integers); 64-bit trace ids are padded to 32 hex digits so they
// meet the same trace's OTLP spans. The parent is the first CHILD_OF
// reference (else parentSpanID); FOLLOWS_FROM references are links. Span kind
// and error come from the `span.kind` and `error` tags; tag values are typed
// (int64 beyond 2^53 as strings, bool possibly as "true").
//
// Spans become records through emitTraceSpans (common/tracespans.h).

#include "jaegerjson.h"

#include "common/jsondoc.h"
#include "common/tracespans.h"
#include "units.h"

#include <QHash>
#include <limits>

#include <simdjson.h>

namespace ls {

namespace {
// Jaeger times are microseconds; beyond what nanoseconds hold (year 2262)
// is damage, read as no time.
constexpr qint64 kMaxUs = std::numeric_limits<qint64>::max() / 4000;
} // namespace

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::optional<qint64> integer(const object &o, const char *key)
{
    element e;
    if (o[key].get(e) != simdjson::SUCCESS) return std::nullopt;
    if (e.is_int64()) return e.get_int64().value_unsafe();
    if (e.is_string()) return parseInt(jsonString(e));
    if (e.is_double()) {
        // A double past the int64 range (1e25) has no integer; casting it is undefined.
        const double d = e.get_double().value_unsafe();
        if (!(d > -9.2e18 && d < 9.2e18)) return std::nullopt;
        return qint64(d);
    }
    return std::nullopt;
}

QJsonObject tags(const object &o, const char *key)
{
    QJsonObject out;
    array list;
    if (o[key].get(list) != simdjson::SUCCESS) return out;
    for (element t : list) {
        object kv;
        if (t.get(kv) != simdjson::SUCCESS) continue;
        const QString k = QString::fromUtf8(jsonMember(kv, "key"));
        const QByteArray type = jsonMember(kv, "type");
        element v;
        if (kv["value"].get(v) != simdjson::SUCCESS) {
            out.insert(k, QJsonValue());
            continue;
        }
        if (type == "bool" && v.is_string())
            out.insert(k, jsonString(v) == "true");
        else if (type == "int64" && v.is_string())
            out.insert(k, parseInt(jsonString(v)) ? QJsonValue(*parseInt(jsonString(v)))
                                                  : QJsonValue(QString::fromUtf8(jsonString(v))));
        else
            out.insert(k, toQJson(v));
    }
    return out;
}

QByteArray serviceOf(const object &process)
{
    return jsonMember(process, "serviceName");
}

class JaegerReader
{
public:
    explicit JaegerReader(ImportContext &ctx) : m_ctx(ctx) {}
    void document(const element &doc, qint64 offset);
    std::vector<TraceSpan> spans;

private:
    void trace(const object &t, qint64 offset);
    void span(const object &s, const QHash<QByteArray, QByteArray> &processes, qint64 offset);
    ImportContext &m_ctx;
};

void JaegerReader::span(const object &s, const QHash<QByteArray, QByteArray> &processes,
                        qint64 offset)
{
    TraceSpan t;
    t.offset = offset;
    t.traceId = normalizeTraceId(jsonMember(s, "traceID"), 32);
    t.spanId = normalizeTraceId(jsonMember(s, "spanID"), 16);
    if (t.traceId.isEmpty() || t.spanId.isEmpty())
        m_ctx.diag("bad-id", Severity::Warning, offset, -1,
                   QStringLiteral("span with a missing or invalid trace or span id"));
    t.name = jsonMember(s, "operationName");
    object process;
    if (s["process"].get(process) == simdjson::SUCCESS)
        t.service = serviceOf(process);
    else
        t.service = processes.value(jsonMember(s, "processID"));
    const auto start = integer(s, "startTime");
    const auto dur = integer(s, "duration");
    // Microseconds; past what nanoseconds hold (year 2262) is damage.
    const bool startOk = start && *start > -kMaxUs && *start < kMaxUs;
    const bool durOk = dur && *dur >= 0 && *dur < kMaxUs;
    if (startOk) t.start = *start * 1000;
    if (startOk && durOk) t.end = (*start + *dur) * 1000;
    t.attributes = tags(s, "tags");
    const QJsonValue kind = t.attributes.value(QStringLiteral("span.kind"));
    if (kind.isString()) t.kind = spanKindFromText(kind.toString().toUtf8());
    const QJsonValue err = t.attributes.value(QStringLiteral("error"));
    if ((err.isBool() && err.toBool()) || err.toString() == QLatin1String("true")) t.statusCode = 2;
    const QString otelStatus = t.attributes.value(QStringLiteral("otel.status_code")).toString();
    if (otelStatus == QLatin1String("ERROR")) t.statusCode = 2;
    if (otelStatus == QLatin1String("OK")) t.statusCode = 1;
    t.statusMessage =
        t.attributes.value(QStringLiteral("otel.status_description")).toString().toUtf8();

    array refs;
    if (s["references"].get(refs) == simdjson::SUCCESS)
        for (element r : refs) {
            object ro;
            if (r.get(ro) != simdjson::SUCCESS) continue;
            const QByteArray type = jsonMember(ro, "refType");
            const QByteArray trace = normalizeTraceId(jsonMember(ro, "traceID"), 32);
            const QByteArray id = normalizeTraceId(jsonMember(ro, "spanID"), 16);
            if (type == "CHILD_OF" && t.parentSpanId.isEmpty() && trace == t.traceId)
                t.parentSpanId = id;
            else
                t.links.push_back({trace, id, "link"});
        }
    if (t.parentSpanId.isEmpty()) {
        const QByteArray parent = jsonMember(s, "parentSpanID");
        if (!parent.isEmpty()) t.parentSpanId = normalizeTraceId(parent, 16);
    }
    array logs;
    if (s["logs"].get(logs) == simdjson::SUCCESS)
        for (element l : logs) {
            object lo;
            if (l.get(lo) != simdjson::SUCCESS) continue;
            TraceSpanEvent e;
            if (auto ts = integer(lo, "timestamp"); ts && *ts > -kMaxUs && *ts < kMaxUs)
                e.ts = *ts * 1000;
            e.attributes = tags(lo, "fields");
            e.name = e.attributes.value(QStringLiteral("event")).toString().toUtf8();
            if (e.name.isEmpty()) e.name = "log";
            t.events.push_back(std::move(e));
        }
    spans.push_back(std::move(t));
}

void JaegerReader::trace(const object &t, qint64 offset)
{
    QHash<QByteArray, QByteArray> processes;
    object procs;
    if (t["processes"].get(procs) == simdjson::SUCCESS)
        for (auto [k, v] : procs) {
            object p;
            if (v.get(p) == simdjson::SUCCESS)
                processes.insert(QByteArray(k.data(), qsizetype(k.size())), serviceOf(p));
        }
    array list;
    if (t["spans"].get(list) != simdjson::SUCCESS) return;
    for (element s : list) {
        object so;
        if (s.get(so) != simdjson::SUCCESS) {
            m_ctx.diag("not-an-object", Severity::Warning, offset, -1,
                       QStringLiteral("a spans entry is not an object"));
            continue;
        }
        span(so, processes, offset);
    }
}

void JaegerReader::document(const element &doc, qint64 offset)
{
    object root;
    array list;
    if (doc.get(root) == simdjson::SUCCESS) {
        array data;
        if (root["data"].get(data) == simdjson::SUCCESS) {
            for (element t : data) {
                object to;
                if (t.get(to) == simdjson::SUCCESS) trace(to, offset);
            }
            return;
        }
        if (root["spans"].error() == simdjson::SUCCESS) {
            trace(root, offset);
            return;
        }
        throw ImportError(QStringLiteral("not Jaeger JSON: an object without data or spans"),
                          offset);
    }
    if (doc.get(list) == simdjson::SUCCESS) {
        const QHash<QByteArray, QByteArray> none;
        for (element s : list) {
            object so;
            if (s.get(so) != simdjson::SUCCESS || so["spanID"].error() != simdjson::SUCCESS) {
                m_ctx.diag("not-a-span", Severity::Warning, offset, -1,
                           QStringLiteral("an array element is not a span"));
                continue;
            }
            span(so, none, offset);
        }
        return;
    }
    throw ImportError(QStringLiteral("not Jaeger JSON"), offset);
}

} // namespace

QByteArray JaegerJsonImporter::id() const
{
    return "jaeger-json";
}

QString JaegerJsonImporter::displayName() const
{
    return QStringLiteral("Jaeger JSON traces");
}

int JaegerJsonImporter::sniff(const SniffInput &in) const
{
    qsizetype at = 0;
    const char c = firstJsonByte(in.head, &at);
    const QByteArrayView h =
        in.head.sliced(at).first(std::min<qsizetype>(in.head.size() - at, 8192));
    if (!h.contains("\"traceID\"")) return 0;
    if (c == '{' && (h.contains("\"spans\"") || h.contains("\"data\""))) return 85;
    if (c == '[' && h.contains("\"spanID\"") && h.contains("\"operationName\"")) return 85;
    return 0;
}

void JaegerJsonImporter::run(ImportContext &ctx, RecordSink &sink)
{
    ctx.setStage(QStringLiteral("parsing"));
    JaegerReader reader(ctx);
    forEachJsonDocument(ctx,
                        [&](const element &doc, qint64 offset) { reader.document(doc, offset); });
    ctx.setStage(QStringLiteral("storing spans"));
    emitTraceSpans(ctx, sink, reader.spans);
}

} // namespace ls
