// HAR 1.1/1.2 (HTTP Archive, as browsers, proxies and API clients export it):
// {"log": {"entries": [{startedDateTime, time, request, response, timings}]}}.
//
// Each entry is one client request: start = startedDateTime (any zone, to
// UTC ns), end = start + time, status from the response (0 = failed). The
// timings become phases laid end to end from the start in the spec's order
// blocked → dns → connect → send → wait → receive; -1 (or a missing
// optional value) means "not applicable" and takes no time. `ssl` is part of
// `connect` (its last part) per the spec — the tls phase sits at the end of
// connect and is not added again; when a tool reports ssl larger than
// connect (it did not follow the spec) tls follows connect instead.
// Missing send/wait/receive or negative values are diagnosed and taken as
// absent. The raw request and response text are rebuilt from method, URL,
// httpVersion, headers and postData / content (base64-decoded when
// `encoding` says so); they are reconstructions, so they carry no offset.
// The key is the request's X-Request-Id / X-Trace-Id / traceparent header;
// entries without one get fresh keys. The file is read whole (simdjson DOM).

#include "har.h"
#include "common/jsondoc.h"
#include "importlimits.h"

#include "common/logline.h"
#include "httpdump/httpdump.h"
#include "units.h"

#include <simdjson.h>

#include <QUrl>

#include <cmath>

namespace ls {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

QByteArray str(const object &o, const char *key)
{
    std::string_view sv;
    if (o[key].get_string().get(sv)) return QByteArray();
    return QByteArray(sv.data(), qsizetype(sv.size()));
}

// A number (int or float) or nullopt.
std::optional<double> num(const object &o, const char *key)
{
    element e;
    if (o[key].get(e)) return std::nullopt;
    double d = 0;
    if (!e.get_double().get(d)) return d;
    int64_t i = 0;
    if (!e.get_int64().get(i)) return double(i);
    uint64_t u = 0;
    if (!e.get_uint64().get(u)) return double(u);
    return std::nullopt;
}

QList<http::Header> headersOf(const object &msg)
{
    QList<http::Header> out;
    array hs;
    if (msg["headers"].get_array().get(hs)) return out;
    for (element h : hs) {
        object ho;
        if (h.get_object().get(ho)) continue;
        out.append(http::Header{str(ho, "name"), str(ho, "value")});
    }
    return out;
}

QByteArray versionText(QByteArray v)
{
    const QByteArray l = v.toLower();
    if (l == "h2" || l == "http/2" || l == "http/2.0") return "HTTP/2.0";
    if (l == "h3" || l == "http/3" || l == "http/3.0") return "HTTP/3.0";
    if (l.startsWith("http/")) return v.toUpper();
    return v.isEmpty() ? QByteArray("HTTP/1.1") : v;
}

void appendHeaders(QByteArray &raw, const QList<http::Header> &hs)
{
    for (const http::Header &h : hs) {
        if (h.name.startsWith(':')) continue; // HTTP/2 pseudo-headers are in the first line
        raw += h.name + ": " + h.value + "\r\n";
    }
    raw += "\r\n";
}

QByteArray bodyText(const object &o, const char *textKey)
{
    const QByteArray text = str(o, textKey);
    if (str(o, "encoding").toLower() == "base64") return QByteArray::fromBase64(text);
    return text;
}

} // namespace

QByteArray HarImporter::id() const
{
    return "har";
}

QString HarImporter::displayName() const
{
    return QStringLiteral("HAR (HTTP Archive) 1.1/1.2");
}

int HarImporter::sniff(const SniffInput &in) const
{
    QByteArrayView head = in.head;
    if (head.startsWith("\xEF\xBB\xBF")) head = head.sliced(3);
    head = head.trimmed();
    if (!head.startsWith('{')) return 0;
    const QByteArrayView first = head.first(std::min<qsizetype>(head.size(), 4096));
    if (!first.contains("\"log\"")) return 0;
    if (head.contains("\"entries\"") || first.contains("\"creator\"") ||
        first.contains("\"version\""))
        return 90;
    return 30;
}

void HarImporter::run(ImportContext &ctx, RecordSink &sink)
{
    ctx.setStage(QStringLiteral("reading"));
    QByteArray data = ctx.input().readAll(limits::kWholeFileBytes);
    if (data.startsWith("\xEF\xBB\xBF")) data.remove(0, 3);
    if (data.trimmed().isEmpty()) throw ImportError(QStringLiteral("empty input"), 0, 1);
    simdjson::dom::parser parser;
    element root;
    if (auto err = parser.parse(data.constData(), size_t(data.size())).get(root))
        throw ImportError(
            QStringLiteral("not valid JSON: %1").arg(jsonErrorText(err)),
            0);
    object log;
    if (root["log"].get_object().get(log))
        throw ImportError(QStringLiteral("no \"log\" object: not a HAR file"), 0);
    array entries;
    if (log["entries"].get_array().get(entries))
        throw ImportError(QStringLiteral("HAR log has no \"entries\" array"), 0);
    sink.setClock(ClockKind::Wall, 0, "wall clock");
    ctx.setStage(QStringLiteral("entries"));
    qint64 n = 0, index = -1;
    for (element e : entries) {
        ++index;
        ctx.checkpoint();
        auto bad = [&](const char *code, const QString &msg) {
            ctx.diag(code, Severity::Warning, -1, -1,
                     QStringLiteral("entry %1: %2").arg(index).arg(msg));
        };
        object entry, req, resp, timings;
        if (e.get_object().get(entry) || entry["request"].get_object().get(req)) {
            bad("bad-entry", QStringLiteral("not an object with a request"));
            continue;
        }
        const bool hasResponse = !entry["response"].get_object().get(resp);
        const auto start = parseRfc3339(str(entry, "startedDateTime"));
        if (!start) {
            bad("bad-start", QStringLiteral("startedDateTime is missing or not ISO 8601"));
            continue;
        }
        const QList<http::Header> reqHeaders = headersOf(req);
        QList<http::Header> respHeaders;
        if (hasResponse) respHeaders = headersOf(resp);
        QByteArray key = http::requestKeyOf(reqHeaders);
        if (key.isEmpty() && hasResponse) key = http::requestKeyOf(respHeaders);

        RequestRecord r;
        r.key = key;
        r.side = Side::Client;
        r.timeQuality = TimeQuality::Exact;
        r.method = str(req, "method");
        r.url = str(req, "url");
        r.host = QUrl(QString::fromUtf8(r.url)).host().toUtf8();
        r.start = *start;
        const auto total = num(entry, "time");
        if (total && *total >= 0)
            r.end = *start + qint64(std::llround(*total * 1e6));
        else
            bad("missing-timing", QStringLiteral("no total time"));
        if (hasResponse) {
            if (auto st = num(resp, "status")) r.status = int(*st);
            QByteArray err = str(resp, "_error");
            if (!err.isEmpty())
                r.error = err;
            else if (r.status == 0)
                r.error = "no response";
        } else {
            r.status = 0;
            r.error = "no response";
        }
        const RequestId rid = sink.request(r);

        // Phases, laid end to end.
        if (entry["timings"].get_object().get(timings)) {
            bad("missing-timing", QStringLiteral("no timings object"));
        } else {
            auto ms = [&](const char *k, bool required) -> qint64 {
                const auto v = num(timings, k);
                if (!v) {
                    if (required)
                        bad("missing-timing",
                            QStringLiteral("timings.%1 is missing").arg(QLatin1String(k)));
                    return -1;
                }
                if (*v < 0) {
                    if (*v != -1 || required)
                        bad("negative-timing",
                            QStringLiteral("timings.%1 is negative").arg(QLatin1String(k)));
                    return -1;
                }
                return qint64(std::llround(*v * 1e6));
            };
            const qint64 blocked = ms("blocked", false), dns = ms("dns", false),
                         connect = ms("connect", false), ssl = ms("ssl", false),
                         send = ms("send", true), wait = ms("wait", true),
                         receive = ms("receive", true);
            TimeNs t = *start;
            auto put = [&](const char *kind, qint64 dur) {
                PhaseRecord p;
                p.request = rid;
                p.side = Side::Client;
                p.kind = kind;
                p.start = t;
                p.end = t + dur;
                sink.phase(p);
                t += dur;
            };
            if (blocked >= 0) put("blocked", blocked);
            if (dns >= 0) put("dns", dns);
            if (connect >= 0 && ssl >= 0 && ssl <= connect) {
                // ssl is the last part of connect: tls ends where connect ends.
                const TimeNs c0 = t;
                put("connect", connect);
                t = c0 + connect - ssl;
                put("tls", ssl);
            } else {
                if (connect >= 0) put("connect", connect);
                if (ssl >= 0) put("tls", ssl); // reported apart from connect
            }
            if (send >= 0) put("send", send);
            if (wait >= 0) put("wait", wait);
            if (receive >= 0) put("receive", receive);
        }

        // Raw text, rebuilt.
        QByteArray target = r.url;
        const QUrl u(QString::fromUtf8(r.url));
        if (u.isValid() && !u.host().isEmpty()) {
            target = u.path(QUrl::FullyEncoded).toUtf8();
            if (target.isEmpty()) target = "/";
            if (u.hasQuery()) target += "?" + u.query(QUrl::FullyEncoded).toUtf8();
        }
        QByteArray raw =
            r.method + " " + target + " " + versionText(str(req, "httpVersion")) + "\r\n";
        appendHeaders(raw, reqHeaders);
        object post;
        if (!req["postData"].get_object().get(post)) raw += bodyText(post, "text");
        RawTextRecord t;
        t.request = rid;
        t.side = Side::Client;
        t.kind = "request";
        t.data = raw;
        t.ts = *start;
        sink.rawText(t);
        if (hasResponse) {
            QByteArray rr = versionText(str(resp, "httpVersion")) + " " +
                            QByteArray::number(r.status) + " " + str(resp, "statusText");
            rr = rr.trimmed() + "\r\n";
            appendHeaders(rr, respHeaders);
            object content;
            if (!resp["content"].get_object().get(content)) rr += bodyText(content, "text");
            t.kind = "response";
            t.data = rr;
            sink.rawText(t);
        }
        ++n;
    }
    ctx.addEvents(n);
    if (n == 0 && index >= 0) throw ImportError(QStringLiteral("no usable HAR entries"), 0);
}

} // namespace ls
