// httptrace phase events: one record per net/http/httptrace.ClientTrace hook
// call, keyed by request id, in either of two shapes (README.md, "httptrace
// JSON lines", documents the first for people who emit it themselves):
//  - JSON lines: {"ts_ns":…, "req_id":"…", "event":"DNSStart", "elapsed_ns":…,
//    hook fields…}, framed by "request_start" (method, url) and
//    "request_done" (status, latency_ns, err) lines;
//  - plain log lines with a log prefix and a request id field:
//    `2026/11/27 10:00:00.000001 DNS lookup started for example.com req_id=…`.
//
// Phases (client side; kinds are the ones queries.h sums):
//   getconn  GetConn → GotConn (reused, was_idle, idle_time_ns)
//   dns      DNSStart → DNSDone (host, addrs, err)
//   connect  ConnectStart → ConnectDone, one per address (err)
//   tls      TLSHandshakeStart → TLSHandshakeDone (version, did_resume, err)
//   send     WroteHeaders → WroteRequest
//   wait     WroteRequest → GotFirstResponseByte (from Wait100Continue when the
//            request waits for a 100 Continue before sending its body)
//   receive  GotFirstResponseByte → request_done
// Invariants: a phase's start and end are the two events' timestamps exactly
// (ts_ns when present, else the line's time), so durations are the
// differences to the nanosecond. Lines of concurrent requests interleave;
// each request's events are matched on their own. The request's client start
// is request_start's ts_ns - elapsed_ns and its end start + latency_ns: the
// client-observed latency, marked exact so it wins over log-derived times.

#include "httptrace.h"
#include "importlimits.h"

#include "common/logline.h"
#include "units.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace ls {

namespace {

enum class Ev
{
    None,
    RequestStart,
    RequestDone,
    GetConn,
    GotConn,
    DnsStart,
    DnsDone,
    ConnectStart,
    ConnectDone,
    TlsStart,
    TlsDone,
    WroteHeaders,
    WroteRequest,
    Wait100,
    FirstByte,
    Other // a known hook that makes no phase (PutIdleConn, WroteHeaderField, ...)
};

Ev eventFromName(QByteArrayView e)
{
    struct M
    {
        const char *name;
        Ev ev;
    };
    static const M map[] = {
        {"request_start", Ev::RequestStart},
        {"request_done", Ev::RequestDone},
        {"GetConn", Ev::GetConn},
        {"GotConn", Ev::GotConn},
        {"DNSStart", Ev::DnsStart},
        {"DNSDone", Ev::DnsDone},
        {"ConnectStart", Ev::ConnectStart},
        {"ConnectDone", Ev::ConnectDone},
        {"TLSHandshakeStart", Ev::TlsStart},
        {"TLSHandshakeDone", Ev::TlsDone},
        {"WroteHeaders", Ev::WroteHeaders},
        {"WroteRequest", Ev::WroteRequest},
        {"GotFirstResponseByte", Ev::FirstByte},
        {"PutIdleConn", Ev::Other},
        {"WroteHeaderField", Ev::Other},
        {"Got100Continue", Ev::Other},
        {"Got1xxResponse", Ev::Other},
        {"Wait100Continue", Ev::Wait100},
    };
    for (const M &m : map)
        if (e.compare(QByteArrayView(m.name), Qt::CaseInsensitive) == 0) return m.ev;
    return Ev::None;
}

// The plain log-line form: the message's words name the hook.
Ev eventFromMessage(QByteArrayView msg, QByteArray *rest)
{
    QByteArray m = msg.toByteArray().toLower();
    m.replace('_', ' ');
    struct M
    {
        const char *phrase;
        Ev ev;
    };
    // Longer phrases first where one is a prefix of another.
    static const M map[] = {
        {"dns lookup started", Ev::DnsStart},
        {"dns lookup start", Ev::DnsStart},
        {"dns lookup done", Ev::DnsDone},
        {"dns lookup finished", Ev::DnsDone},
        {"dns start", Ev::DnsStart},
        {"dns done", Ev::DnsDone},
        {"dnsstart", Ev::DnsStart},
        {"dnsdone", Ev::DnsDone},
        {"getting connection", Ev::GetConn},
        {"get connection", Ev::GetConn},
        {"get conn", Ev::GetConn},
        {"getconn", Ev::GetConn},
        {"got connection", Ev::GotConn},
        {"got conn", Ev::GotConn},
        {"gotconn", Ev::GotConn},
        {"connection reused", Ev::GotConn},
        {"connect done", Ev::ConnectDone},
        {"connectdone", Ev::ConnectDone},
        {"connected to", Ev::ConnectDone},
        {"dial done", Ev::ConnectDone},
        {"connect start", Ev::ConnectStart},
        {"connectstart", Ev::ConnectStart},
        {"connecting to", Ev::ConnectStart},
        {"dial start", Ev::ConnectStart},
        {"tls handshake started", Ev::TlsStart},
        {"tls handshake start", Ev::TlsStart},
        {"tlshandshakestart", Ev::TlsStart},
        {"tls handshake done", Ev::TlsDone},
        {"tls handshake complete", Ev::TlsDone},
        {"tlshandshakedone", Ev::TlsDone},
        {"wrote headers", Ev::WroteHeaders},
        {"wroteheaders", Ev::WroteHeaders},
        {"headers written", Ev::WroteHeaders},
        {"wrote request", Ev::WroteRequest},
        {"wroterequest", Ev::WroteRequest},
        {"request written", Ev::WroteRequest},
        {"first byte received", Ev::FirstByte},
        {"first response byte", Ev::FirstByte},
        {"got first response byte", Ev::FirstByte},
        {"gotfirstresponsebyte", Ev::FirstByte},
        {"request start", Ev::RequestStart},
        {"request started", Ev::RequestStart},
        {"request done", Ev::RequestDone},
        {"request finished", Ev::RequestDone},
    };
    for (const M &e : map) {
        const QByteArrayView p(e.phrase);
        if (m.startsWith(p) && (m.size() == p.size() || m[p.size()] == ' ' || m[p.size()] == ':')) {
            QByteArray r = msg.sliced(p.size()).toByteArray().trimmed();
            if (r.startsWith(':')) r = r.mid(1).trimmed();
            if (r.startsWith("for ") || r.startsWith("to ")) r = r.mid(r.indexOf(' ') + 1);
            *rest = r;
            return e.ev;
        }
    }
    return Ev::None;
}

struct ReqState
{
    RequestId id = kNoId;
    TimeNs t0 = kNoTime; // request start
    TimeNs getConn = kNoTime, dns = kNoTime, tls = kNoTime, wroteHeaders = kNoTime,
           wroteRequest = kNoTime, wait100 = kNoTime, firstByte = kNoTime;
    QHash<QByteArray, TimeNs> connect; // address -> ConnectStart
    QJsonObject dnsArgs;
    bool done = false;
};

QJsonValue jsonOf(const LogField &f)
{
    if (f.number) return QJsonValue(QString::fromUtf8(f.value).toDouble());
    if (f.value == "true") return QJsonValue(true);
    if (f.value == "false") return QJsonValue(false);
    if (f.value.startsWith('[') || f.value.startsWith('{')) {
        const QJsonDocument d = QJsonDocument::fromJson(f.value);
        if (d.isArray()) return d.array();
        if (d.isObject()) return d.object();
    }
    return QJsonValue(QString::fromUtf8(f.value));
}

QByteArray argsOf(const LogLine &l, std::initializer_list<const char *> keys,
                  QJsonObject extra = QJsonObject())
{
    for (const char *k : keys)
        if (const LogField *f = l.field(k); f && !(f->value.isEmpty() && !f->number))
            extra.insert(QString::fromUtf8(k), jsonOf(*f));
    return extra.isEmpty() ? QByteArray() : QJsonDocument(extra).toJson(QJsonDocument::Compact);
}

class TraceReader
{
public:
    TraceReader(ImportContext &ctx, RecordSink &sink) : m_ctx(ctx), m_sink(sink) {}

    void run()
    {
        LineReader reader(m_ctx.input());
        m_sink.setClock(ClockKind::Wall, 0, "wall clock");
        QByteArrayView text;
        qint64 lines = 0, parsed = 0;
        while (reader.next(text)) {
            if ((reader.lineNumber() & 1023) == 0) m_ctx.checkpoint();
            if (reader.lineNumber() == 1 && text.startsWith("\xEF\xBB\xBF")) text = text.sliced(3);
            if (text.trimmed().isEmpty()) continue;
            ++lines;
            m_offset = reader.lineOffset();
            m_lineNo = reader.lineNumber();
            if (skipLongLine(m_ctx, reader)) continue;
            bool jsonError = false;
            if (!m_parser.parse(text, m_line, &jsonError)) {
                if (jsonError) diag("bad-json", QStringLiteral("line is not valid JSON: ") + m_parser.jsonErrorText());
                continue;
            }
            if (handle(m_line)) ++parsed;
        }
        finish();
        m_ctx.addEvents(parsed);
        if (parsed == 0) {
            if (lines == 0) throw ImportError(QStringLiteral("empty input"), 0, 1);
            throw ImportError(QStringLiteral("no httptrace events found"), 0, 1);
        }
    }

private:
    void diag(const char *code, const QString &msg, Severity sev = Severity::Warning)
    {
        m_ctx.diag(code, sev, m_offset, m_lineNo, msg);
    }

    bool handle(const LogLine &l)
    {
        QByteArray rest;
        Ev ev = Ev::None;
        if (const LogField *e = l.field("event"))
            ev = eventFromName(e->value);
        else
            ev = eventFromMessage(l.msg, &rest);
        if (ev == Ev::None) return false;
        const QByteArray key = requestIdOf(l);
        if (key.isEmpty()) {
            diag("missing-request-id", QStringLiteral("an httptrace event has no request id"));
            return false;
        }
        TimeNs ts = kNoTime;
        if (const LogField *t = l.field("ts_ns")) {
            if (auto v = parseInt(t->value)) ts = *v;
        }
        if (ts == kNoTime) ts = l.ts;
        if (ts == kNoTime) {
            diag("missing-time", QStringLiteral("an httptrace event has no timestamp"));
            return false;
        }
        if (ev == Ev::Other) return true;
        ReqState &st = stateFor(key);
        const TimeNs t0 = startOf(l, ts);
        if (st.t0 == kNoTime && t0 != kNoTime && ev == Ev::RequestStart) st.t0 = t0;
        switch (ev) {
        case Ev::RequestStart: {
            RequestRecord r;
            r.key = key;
            r.side = Side::Client;
            r.method = l.value("method");
            r.url = l.value("url");
            if (r.url.contains("://")) {
                const qsizetype hs = r.url.indexOf("://") + 3;
                qsizetype he = r.url.indexOf('/', hs);
                if (he < 0) he = r.url.size();
                r.host = r.url.mid(hs, he - hs);
            }
            m_sink.request(r);
            break;
        }
        case Ev::GetConn:
            st.getConn = ts;
            break;
        case Ev::GotConn:
            if (st.getConn != kNoTime)
                phase(
                    st, "getconn", QByteArray(), st.getConn, ts,
                    argsOf(l, {"reused", "was_idle", "idle_time_ns", "local_addr", "remote_addr"}));
            else
                unmatched("GotConn");
            st.getConn = kNoTime;
            break;
        case Ev::DnsStart:
            st.dns = ts;
            st.dnsArgs = QJsonObject();
            if (const LogField *h = l.field("host"))
                st.dnsArgs.insert(QStringLiteral("host"), QString::fromUtf8(h->value));
            else if (!rest.isEmpty())
                st.dnsArgs.insert(QStringLiteral("host"), QString::fromUtf8(rest));
            break;
        case Ev::DnsDone:
            if (st.dns != kNoTime)
                phase(st, "dns", st.dnsArgs.value(QStringLiteral("host")).toString().toUtf8(),
                      st.dns, ts, argsOf(l, {"addrs", "coalesced", "err"}, st.dnsArgs));
            else
                unmatched("DNSDone");
            st.dns = kNoTime;
            break;
        case Ev::ConnectStart: {
            QByteArray addr = l.value("addr");
            if (addr.isEmpty()) addr = rest;
            st.connect.insert(addr, ts);
            break;
        }
        case Ev::ConnectDone: {
            QByteArray addr = l.value("addr");
            if (addr.isEmpty()) addr = rest;
            auto it = st.connect.find(addr);
            if (it == st.connect.end() && st.connect.size() == 1) it = st.connect.begin();
            if (it != st.connect.end()) {
                phase(st, "connect", "connect " + addr, it.value(), ts,
                      argsOf(l, {"network", "addr", "err"}));
                st.connect.erase(it);
            } else {
                unmatched("ConnectDone");
            }
            break;
        }
        case Ev::TlsStart:
            st.tls = ts;
            break;
        case Ev::TlsDone:
            if (st.tls != kNoTime)
                phase(st, "tls", l.value("version"), st.tls, ts,
                      argsOf(l, {"version", "cipher_suite", "negotiated_protocol", "server_name",
                                 "did_resume", "err"}));
            else
                unmatched("TLSHandshakeDone");
            st.tls = kNoTime;
            break;
        case Ev::WroteHeaders:
            st.wroteHeaders = ts;
            break;
        case Ev::WroteRequest:
            if (st.wroteHeaders != kNoTime)
                phase(st, "send", QByteArray(), st.wroteHeaders, ts, argsOf(l, {"err"}));
            else
                unmatched("WroteRequest");
            st.wroteRequest = ts;
            break;
        case Ev::Wait100:
            st.wait100 = ts;
            break;
        case Ev::FirstByte: {
            // With Expect: 100-continue the first byte (the 100) comes before
            // the body is written: the wait starts at Wait100Continue.
            const TimeNs from = st.wroteRequest != kNoTime ? st.wroteRequest
                                : st.wait100 != kNoTime    ? st.wait100
                                                           : st.wroteHeaders;
            if (from != kNoTime)
                phase(st, "wait", QByteArray(), from, ts, QByteArray());
            else
                unmatched("GotFirstResponseByte");
            st.firstByte = ts;
            break;
        }
        case Ev::RequestDone: {
            if (st.firstByte != kNoTime) phase(st, "receive", QByteArray(), st.firstByte, ts, {});
            RequestRecord r;
            r.key = key;
            r.side = Side::Client;
            r.timeQuality = TimeQuality::Exact;
            const LogField *err = l.anyField({"err", "error"});
            const bool failed = err && !err->value.isEmpty() && err->value != "null";
            if (auto s = parseInt(l.value("status")))
                r.status = int(*s);
            else if (failed)
                r.status = 0;
            if (failed) r.error = err->value;
            qint64 latency = -1;
            if (auto v = parseInt(l.value("latency_ns")))
                latency = *v;
            else if (auto d = durationOf(l))
                latency = *d;
            if (st.t0 != kNoTime) {
                r.start = st.t0;
            } else if (l.field("elapsed_ns")) {
                r.start = t0;
            } else if (latency >= 0) {
                r.start = ts - latency; // a log-line form without a start line
            }
            r.end = latency >= 0 && r.start != kNoTime ? r.start + latency : ts;
            m_sink.request(r);
            st.done = true;
            break;
        }
        default:
            break;
        }
        return true;
    }

    // The request's start from any event: ts - elapsed_ns.
    static TimeNs startOf(const LogLine &l, TimeNs ts)
    {
        if (const LogField *e = l.field("elapsed_ns"))
            if (auto v = parseInt(e->value)) return ts - *v;
        return l.field("event") ? kNoTime : ts; // log-line form: the start line's time
    }

    ReqState &stateFor(const QByteArray &key)
    {
        auto it = m_states.find(key);
        if (it != m_states.end()) return it.value();
        ReqState st;
        RequestRecord r;
        r.key = key;
        r.side = Side::Client;
        st.id = m_sink.request(r);
        return m_states.insert(key, st).value();
    }

    void phase(const ReqState &st, const char *kind, const QByteArray &name, TimeNs start,
               TimeNs end, const QByteArray &args)
    {
        if (end < start) {
            diag("phase-out-of-order", QStringLiteral("an httptrace phase ends before it starts"));
            return;
        }
        PhaseRecord p;
        p.request = st.id;
        p.side = Side::Client;
        p.kind = kind;
        p.name = name;
        p.start = start;
        p.end = end;
        p.args = args;
        m_sink.phase(p);
    }

    void unmatched(const char *what)
    {
        diag("unmatched-end",
             QStringLiteral("%1 without its start event").arg(QLatin1String(what)));
    }

    void finish()
    {
        for (auto it = m_states.begin(); it != m_states.end(); ++it) {
            const ReqState &st = it.value();
            if (st.done || st.t0 == kNoTime) continue;
            m_ctx.diag("unfinished-request", Severity::Info, -1, -1,
                       QStringLiteral("a request has no request_done event (e.g. %1)")
                           .arg(QString::fromUtf8(it.key())));
            RequestRecord r;
            r.key = it.key();
            r.side = Side::Client;
            r.timeQuality = TimeQuality::Exact;
            r.start = st.t0;
            m_sink.request(r);
        }
    }

    ImportContext &m_ctx;
    RecordSink &m_sink;
    LogLineParser m_parser;
    LogLine m_line;
    QHash<QByteArray, ReqState> m_states;
    qint64 m_offset = 0, m_lineNo = 0;
};

} // namespace

QByteArray HttpTraceImporter::id() const
{
    return "httptrace";
}

QString HttpTraceImporter::displayName() const
{
    return QStringLiteral("httptrace phase events (JSON lines or log lines)");
}

int HttpTraceImporter::sniff(const SniffInput &in) const
{
    QByteArrayView head = in.head;
    if (head.startsWith("\xEF\xBB\xBF")) head = head.sliced(3);
    LogLineParser p;
    LogLine l;
    int lines = 0, json = 0, text = 0;
    qsizetype pos = 0;
    while (pos < head.size() && lines < 200) {
        const qsizetype nl = head.indexOf('\n', pos);
        if (nl < 0) break;
        QByteArrayView line = head.sliced(pos, nl - pos);
        pos = nl + 1;
        if (line.endsWith('\r')) line.chop(1);
        if (line.isEmpty()) continue;
        ++lines;
        if (line.startsWith('{')) {
            if (!line.contains("\"event\"")) continue;
            if (!p.parse(line, l)) continue;
            if (const LogField *e = l.field("event");
                e && eventFromName(e->value) != Ev::None && !requestIdOf(l).isEmpty())
                ++json;
            continue;
        }
        if (!p.parse(line, l) || requestIdOf(l).isEmpty()) continue;
        QByteArray rest;
        const Ev ev = eventFromMessage(l.msg, &rest);
        if (ev != Ev::None && ev != Ev::RequestStart && ev != Ev::RequestDone) ++text;
    }
    if (json >= 2 || (json >= 1 && lines == 1)) return 90;
    if (text >= 2) return 60;
    return 0;
}

void HttpTraceImporter::run(ImportContext &ctx, RecordSink &sink)
{
    TraceReader r(ctx, sink);
    r.run();
}

} // namespace ls
