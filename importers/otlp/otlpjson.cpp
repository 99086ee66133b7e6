// OTLP/JSON traces: ExportTraceServiceRequest / TracesData in the proto3
// JSON mapping with OTLP's rules (hex ids, int64 as decimal strings, integer
// enums), one document per file or one per line as the Collector's file
// exporter writes. Old `instrumentationLibrarySpans` / `instrumentationLibrary`
// names are accepted beside `scopeSpans` / `scope`. Lenient where it costs
// nothing: base64 ids, numeric times, enum names.
//
// Spans become records through emitTraceSpans (common/tracespans.h): lanes by
// service.name, requests keyed by trace id from server and client spans.

#include "otlpjson.h"

#include "common/jsondoc.h"
#include "common/tracespans.h"
#include "units.h"

#include <QJsonArray>

#include <simdjson.h>

namespace ls {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// fixed64 / int64: a decimal string, or a JSON number from lenient writers.
TimeNs timeOf(const object &o, const char *key)
{
    element e;
    if (o[key].get(e) != simdjson::SUCCESS) return kNoTime;
    if (e.is_string()) {
        if (auto v = parseInt(jsonString(e))) return *v;
        return kNoTime;
    }
    if (e.is_int64()) return e.get_int64().value_unsafe();
    if (e.is_uint64()) {
        const quint64 v = e.get_uint64().value_unsafe();
        return v <= quint64(std::numeric_limits<qint64>::max()) ? qint64(v) : kNoTime;
    }
    return kNoTime;
}

QJsonValue anyValue(const element &v, int depth = 0)
{
    object o;
    if (v.get(o) != simdjson::SUCCESS || depth > 32) return QJsonValue();
    for (auto [k, x] : o) {
        if (k == "stringValue") return QString::fromUtf8(jsonString(x));
        if (k == "boolValue")
            return x.is_bool() ? QJsonValue(bool(x)) : QJsonValue(jsonString(x) == "true");
        if (k == "intValue") {
            if (x.is_string())
                if (auto n = parseInt(jsonString(x))) return QJsonValue(*n);
            if (x.is_int64()) return QJsonValue(qint64(x.get_int64().value_unsafe()));
            return toQJson(x);
        }
        if (k == "doubleValue")
            return x.is_string() ? QJsonValue(QString::fromUtf8(jsonString(x)))
                                 : QJsonValue(double(x));
        if (k == "bytesValue") return QString::fromUtf8(jsonString(x));
        if (k == "arrayValue") {
            QJsonArray a;
            array vals;
            if (x["values"].get(vals) == simdjson::SUCCESS)
                for (element e : vals)
                    a.append(anyValue(e, depth + 1));
            return a;
        }
        if (k == "kvlistValue") {
            QJsonObject kv;
            array vals;
            if (x["values"].get(vals) == simdjson::SUCCESS)
                for (element e : vals) {
                    object p;
                    if (e.get(p) != simdjson::SUCCESS) continue;
                    element val;
                    kv.insert(QString::fromUtf8(jsonMember(p, "key")),
                              p["value"].get(val) == simdjson::SUCCESS ? anyValue(val, depth + 1)
                                                                       : QJsonValue());
                }
            return kv;
        }
    }
    return QJsonValue();
}

QJsonObject attributes(const object &o, const char *key = "attributes")
{
    QJsonObject out;
    array attrs;
    if (o[key].get(attrs) != simdjson::SUCCESS) return out;
    for (element a : attrs) {
        object kv;
        if (a.get(kv) != simdjson::SUCCESS) continue;
        element v;
        out.insert(QString::fromUtf8(jsonMember(kv, "key")),
                   kv["value"].get(v) == simdjson::SUCCESS ? anyValue(v) : QJsonValue());
    }
    return out;
}

int kindOf(const object &s)
{
    element k;
    if (s["kind"].get(k) != simdjson::SUCCESS) return 0;
    if (k.is_int64()) return int(k.get_int64().value_unsafe());
    return spanKindFromText(jsonString(k));
}

class OtlpReader
{
public:
    OtlpReader(ImportContext &ctx) : m_ctx(ctx) {}
    void document(const element &doc, qint64 offset);
    std::vector<TraceSpan> spans;
    qint64 documents = 0;

private:
    void span(const object &s, const QByteArray &service, qint64 offset);
    ImportContext &m_ctx;
};

void OtlpReader::span(const object &s, const QByteArray &service, qint64 offset)
{
    TraceSpan t;
    t.offset = offset;
    t.service = service;
    t.traceId = normalizeTraceId(jsonMember(s, "traceId"), 32);
    t.spanId = normalizeTraceId(jsonMember(s, "spanId"), 16);
    if (t.traceId.isEmpty() || t.spanId.isEmpty())
        m_ctx.diag("bad-id", Severity::Warning, offset, -1,
                   QStringLiteral("span with a missing or invalid trace or span id"));
    const QByteArray parent = jsonMember(s, "parentSpanId");
    if (!parent.isEmpty()) t.parentSpanId = normalizeTraceId(parent, 16);
    t.name = jsonMember(s, "name");
    t.kind = kindOf(s);
    t.start = timeOf(s, "startTimeUnixNano");
    t.end = timeOf(s, "endTimeUnixNano");
    t.attributes = attributes(s);
    object status;
    if (s["status"].get(status) == simdjson::SUCCESS) {
        element code;
        if (status["code"].get(code) == simdjson::SUCCESS) {
            if (code.is_int64())
                t.statusCode = int(code.get_int64().value_unsafe());
            else if (jsonString(code).endsWith("ERROR"))
                t.statusCode = 2;
            else if (jsonString(code).endsWith("OK"))
                t.statusCode = 1;
        }
        t.statusMessage = jsonMember(status, "message");
    }
    array events;
    if (s["events"].get(events) == simdjson::SUCCESS)
        for (element e : events) {
            object eo;
            if (e.get(eo) != simdjson::SUCCESS) continue;
            t.events.push_back(
                {timeOf(eo, "timeUnixNano"), jsonMember(eo, "name"), attributes(eo)});
        }
    array links;
    if (s["links"].get(links) == simdjson::SUCCESS)
        for (element l : links) {
            object lo;
            if (l.get(lo) != simdjson::SUCCESS) continue;
            t.links.push_back({normalizeTraceId(jsonMember(lo, "traceId"), 32),
                               normalizeTraceId(jsonMember(lo, "spanId"), 16), "link"});
        }
    spans.push_back(std::move(t));
}

void OtlpReader::document(const element &doc, qint64 offset)
{
    object root;
    array resourceSpans;
    if (doc.get(root) != simdjson::SUCCESS ||
        root["resourceSpans"].get(resourceSpans) != simdjson::SUCCESS) {
        if (documents == 0)
            throw ImportError(QStringLiteral("not OTLP/JSON traces: no resourceSpans array"),
                              offset);
        m_ctx.diag("not-otlp", Severity::Warning, offset, -1,
                   QStringLiteral("a document without resourceSpans was skipped"));
        return;
    }
    ++documents;
    for (element rsEl : resourceSpans) {
        object rs;
        if (rsEl.get(rs) != simdjson::SUCCESS) continue;
        QByteArray service;
        object resource;
        if (rs["resource"].get(resource) == simdjson::SUCCESS)
            service =
                attributes(resource).value(QStringLiteral("service.name")).toString().toUtf8();
        array scopes;
        if (rs["scopeSpans"].get(scopes) != simdjson::SUCCESS &&
            rs["instrumentationLibrarySpans"].get(scopes) != simdjson::SUCCESS)
            continue;
        for (element scEl : scopes) {
            object sc;
            array list;
            if (scEl.get(sc) != simdjson::SUCCESS || sc["spans"].get(list) != simdjson::SUCCESS)
                continue;
            for (element sp : list) {
                object so;
                if (sp.get(so) != simdjson::SUCCESS) {
                    m_ctx.diag("not-an-object", Severity::Warning, offset, -1,
                               QStringLiteral("a spans entry is not an object"));
                    continue;
                }
                span(so, service, offset);
            }
        }
    }
}

} // namespace

QByteArray OtlpJsonImporter::id() const
{
    return "otlp-json";
}

QString OtlpJsonImporter::displayName() const
{
    return QStringLiteral("OpenTelemetry OTLP/JSON traces");
}

int OtlpJsonImporter::sniff(const SniffInput &in) const
{
    qsizetype at = 0;
    if (firstJsonByte(in.head, &at) != '{') return 0;
    return in.head.sliced(at)
                   .first(std::min<qsizetype>(in.head.size() - at, 4096))
                   .contains("\"resourceSpans\"")
               ? 90
               : 0;
}

void OtlpJsonImporter::run(ImportContext &ctx, RecordSink &sink)
{
    ctx.setStage(QStringLiteral("parsing"));
    OtlpReader reader(ctx);
    forEachJsonDocument(ctx,
                        [&](const element &doc, qint64 offset) { reader.document(doc, offset); });
    ctx.setStage(QStringLiteral("storing spans"));
    emitTraceSpans(ctx, sink, reader.spans);
}

} // namespace ls
