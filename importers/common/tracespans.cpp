#include "tracespans.h"

#include "units.h"

#include <QHash>
#include <QJsonDocument>

#include <algorithm>

namespace ls {

namespace {

const char *kindName(int kind)
{
    switch (kind) {
    case 1:
        return "internal";
    case 2:
        return "server";
    case 3:
        return "client";
    case 4:
        return "producer";
    case 5:
        return "consumer";
    default:
        return "unspecified";
    }
}

QByteArray attrText(const QJsonObject &a, std::initializer_list<const char *> keys)
{
    for (const char *k : keys) {
        const QJsonValue v = a.value(QLatin1String(k));
        if (v.isString() && !v.toString().isEmpty()) return v.toString().toUtf8();
        if (v.isDouble()) return QByteArray::number(v.toInteger());
    }
    return QByteArray();
}

bool isHex(QByteArrayView s)
{
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    return !s.isEmpty();
}

} // namespace

QByteArray normalizeTraceId(QByteArrayView text, int hexDigits)
{
    QByteArray hex;
    if (isHex(text) && text.size() <= hexDigits) {
        hex = text.toByteArray().toLower();
    } else {
        const auto decoded = QByteArray::fromBase64Encoding(
            text.toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.isEmpty() || decoded.decoded.size() * 2 > hexDigits)
            return QByteArray();
        hex = decoded.decoded.toHex();
    }
    if (hex.size() < hexDigits) hex.prepend(QByteArray(hexDigits - hex.size(), '0'));
    if (hex.count('0') == hex.size()) return QByteArray(); // all-zero ids are invalid
    return hex;
}

int spanKindFromText(QByteArrayView text)
{
    QByteArray t = text.toByteArray().toLower();
    if (t.startsWith("span_kind_")) t = t.mid(10);
    if (auto n = parseInt(t)) return int(*n);
    if (t == "internal") return 1;
    if (t == "server") return 2;
    if (t == "client") return 3;
    if (t == "producer") return 4;
    if (t == "consumer") return 5;
    return 0;
}

void emitTraceSpans(ImportContext &ctx, RecordSink &sink, std::vector<TraceSpan> &spans)
{
    sink.setClock(ClockKind::Wall, 0, "wall clock");

    // Requests: traces that have a server or client span.
    QHash<QByteArray, RequestId> requests;
    for (const TraceSpan &s : spans) {
        if (s.kind != 2 && s.kind != 3) continue;
        if (s.traceId.isEmpty()) continue;
        RequestRecord r;
        r.key = s.traceId;
        r.side = s.kind == 2 ? Side::Server : Side::Client;
        r.method = attrText(s.attributes, {"http.request.method", "http.method"});
        r.url = attrText(s.attributes,
                         {"http.route", "url.full", "http.target", "http.url", "url.path"});
        r.host = attrText(s.attributes,
                          {"server.address", "http.host", "net.host.name", "net.peer.name"});
        const QByteArray status =
            attrText(s.attributes, {"http.response.status_code", "http.status_code"});
        if (auto st = parseInt(status)) r.status = int(*st);
        if (s.statusCode == 2)
            r.error = s.statusMessage.isEmpty() ? QByteArray("error") : s.statusMessage;
        r.start = s.start;
        r.end = s.end;
        requests.insert(s.traceId, sink.request(r));
    }

    // Lanes by service, spans packed into depths per lane.
    QHash<QByteArray, LaneId> lanes;
    std::vector<size_t> order(spans.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return spans[a].start != spans[b].start ? spans[a].start < spans[b].start
                                                : spans[a].end > spans[b].end;
    });
    QHash<LaneId, std::vector<TimeNs>> levels; // per lane: end of the last span at each depth
    QHash<QByteArray, std::pair<SpanId, LaneId>> ids; // trace+span id -> stored span
    std::vector<std::pair<SpanId, LaneId>> stored(spans.size(), {kNoId, kNoId});
    for (size_t i : order) {
        TraceSpan &s = spans[i];
        if (s.start == kNoTime || s.end == kNoTime) {
            ctx.diag("missing-time", Severity::Warning, s.offset, -1,
                     QStringLiteral("span without a start or end time; skipped"));
            continue;
        }
        if (s.end < s.start) {
            ctx.diag("negative-duration", Severity::Warning, s.offset, -1,
                     QStringLiteral("span ends before it starts; end set to start"));
            s.end = s.start;
        }
        const QByteArray service = s.service.isEmpty() ? QByteArray("unknown service") : s.service;
        auto lane = lanes.constFind(service);
        if (lane == lanes.constEnd()) {
            LaneRecord l;
            l.kind = "service";
            l.externalId = lanes.size() + 1;
            l.name = service;
            l.sortKey = lanes.size();
            lane = lanes.insert(service, sink.lane(l));
        }
        std::vector<TimeNs> &lv = levels[lane.value()];
        size_t depth = 0;
        while (depth < lv.size() && lv[depth] > s.start)
            ++depth;
        if (depth == lv.size())
            lv.push_back(s.end);
        else
            lv[depth] = s.end;

        QJsonObject args;
        args.insert(QStringLiteral("trace_id"), QString::fromLatin1(s.traceId));
        args.insert(QStringLiteral("span_id"), QString::fromLatin1(s.spanId));
        if (!s.parentSpanId.isEmpty())
            args.insert(QStringLiteral("parent_span_id"), QString::fromLatin1(s.parentSpanId));
        if (!s.attributes.isEmpty()) args.insert(QStringLiteral("attributes"), s.attributes);
        if (s.statusCode != 0) {
            QJsonObject st{{QStringLiteral("code"), s.statusCode}};
            if (!s.statusMessage.isEmpty())
                st.insert(QStringLiteral("message"), QString::fromUtf8(s.statusMessage));
            args.insert(QStringLiteral("status"), st);
        }
        SpanRecord r;
        r.lane = lane.value();
        r.start = s.start;
        r.end = s.end;
        r.depth = int(depth);
        r.name = sink.intern(s.name);
        r.category = sink.intern(kindName(s.kind));
        r.request = requests.value(s.traceId, kNoId);
        r.args = QJsonDocument(args).toJson(QJsonDocument::Compact);
        const SpanId sid = sink.span(r);
        stored[i] = {sid, r.lane};
        const QByteArray key = s.traceId + ':' + s.spanId;
        if (ids.contains(key))
            ctx.diag("duplicate-span-id", Severity::Info, s.offset, -1,
                     QStringLiteral("two spans share a span id; links go to the later one"));
        ids.insert(key, {sid, r.lane});

        for (const TraceSpanEvent &e : s.events) {
            InstantRecord in;
            in.lane = r.lane;
            in.ts = e.ts == kNoTime ? s.start : e.ts;
            in.name = sink.intern(e.name.isEmpty() ? QByteArray("event") : e.name);
            in.category = sink.intern("span-event");
            in.request = r.request;
            if (!e.attributes.isEmpty())
                in.args = QJsonDocument(e.attributes).toJson(QJsonDocument::Compact);
            sink.instant(in);
        }
    }

    // Parent/child and links, now that every span has its id.
    for (size_t i = 0; i < spans.size(); ++i) {
        const TraceSpan &s = spans[i];
        if (stored[i].first == kNoId) continue;
        std::vector<TraceSpanLink> all = s.links;
        if (!s.parentSpanId.isEmpty()) all.push_back({s.traceId, s.parentSpanId, "parent"});
        for (const TraceSpanLink &l : all) {
            auto from = ids.constFind(l.traceId + ':' + l.spanId);
            if (from == ids.constEnd()) {
                ctx.diag("missing-reference", Severity::Info, s.offset, -1,
                         QStringLiteral("a span refers to a span that is not in the file"));
                continue;
            }
            FlowRecord f;
            f.kind = l.kind;
            f.fromSpan = from.value().first;
            f.fromLane = from.value().second;
            f.toSpan = stored[i].first;
            f.toLane = stored[i].second;
            f.toTs = s.start;
            f.fromTs = s.start;
            sink.flow(f);
        }
    }
    ctx.addEvents(qint64(spans.size()));
}

} // namespace ls
