// httputil dumps inside log files: the blocks net/http/httputil's
// DumpRequestOut (client), DumpRequest (server) and DumpResponse write, as
// programs log them — after a Go `log` prefix line such as
// `2026/11/27 10:00:00.123456 Raw outbound request:`, or directly after any
// other log record.
//
// A dump is a request line or status line, header lines, a blank line and a
// body. The body is taken by Content-Length when the bytes after it are the
// next log record (or the end of the file); by chunked framing; and otherwise
// up to the next log record (a heuristic: the final newline is taken as the
// log's own and dropped). HEAD, 1xx, 204 and 304 responses have no body, and a
// head followed directly by a log record had its body omitted by the dump.
//
// Invariants:
//  - every dump is stored as raw text exactly as found (binary, NUL, CRLF),
//    with the byte offset of its first line and the time of the log record
//    before it;
//  - a message's key is its X-Request-Id, X-Trace-Id or traceparent header;
//    a response without one pairs with the oldest unanswered request of the
//    same side (dumps of one goroutine are logged in order);
//  - the side comes from the log message (outbound / outgoing / client vs
//    inbound / incoming / server; a response is the client's unless the
//    message says otherwise), else client;
//  - other lines go to the step-log line handler, so a log that mixes dumps
//    with step timings, access lines and panics loses nothing. In a client
//    log, a line with a request id, a status or `err`, and a latency
//    (`done req_id=… status=200 latency=71ms`, `request failed … err=…`) is the
//    client's view of the request: status, error and latency;
//  - request times from a log are approximate (log time minus latency, or the
//    dump times); measured times from httptrace or HAR replace them.

#include "httpdump.h"
#include "importlimits.h"

#include "common/logline.h"
#include "steplog/steplog.h"
#include "units.h"

#include <QFileInfo>
#include <QHash>

#include <deque>
#include <vector>

namespace ls {

namespace http {

// Any visible byte: raw non-ASCII bytes in a target are wrong but found.
static bool isToken(char c)
{
    return uchar(c) > ' ' && uchar(c) != 0x7f;
}

static bool httpVersionAt(QByteArrayView s, qsizetype *len)
{
    // HTTP/d.d or HTTP/d
    if (!s.startsWith("HTTP/") || s.size() < 6) return false;
    if (s[5] < '0' || s[5] > '9') return false;
    if (s.size() >= 8 && s[6] == '.' && s[7] >= '0' && s[7] <= '9') {
        *len = 8;
        return true;
    }
    *len = 6;
    return true;
}

bool isRequestLine(QByteArrayView line)
{
    qsizetype i = 0;
    while (i < line.size() && line[i] >= 'A' && line[i] <= 'Z')
        ++i;
    if (i == 0 || i > 20 || i >= line.size() || line[i] != ' ') return false;
    const qsizetype t = i + 1;
    qsizetype j = t;
    while (j < line.size() && isToken(line[j]))
        ++j;
    if (j == t || j >= line.size() || line[j] != ' ') return false;
    qsizetype vlen = 0;
    if (!httpVersionAt(line.sliced(j + 1), &vlen)) return false;
    return j + 1 + vlen == line.size();
}

bool isStatusLine(QByteArrayView line)
{
    return statusOf(line) >= 0;
}

int statusOf(QByteArrayView line)
{
    qsizetype vlen = 0;
    if (!httpVersionAt(line, &vlen)) return -1;
    if (line.size() < vlen + 4 || line[vlen] != ' ') return -1;
    int code = 0;
    for (int k = 1; k <= 3; ++k) {
        const char c = line[vlen + k];
        if (c < '0' || c > '9') return -1;
        code = code * 10 + (c - '0');
    }
    if (line.size() > vlen + 4 && line[vlen + 4] != ' ') return -1;
    return code;
}

QByteArray headerValue(const QList<Header> &headers, QByteArrayView name)
{
    for (const Header &h : headers)
        if (QByteArrayView(h.name).compare(name, Qt::CaseInsensitive) == 0) return h.value;
    return QByteArray();
}

QByteArray requestKeyOf(const QList<Header> &headers)
{
    QByteArray v = headerValue(headers, "X-Request-Id").trimmed();
    if (v.isEmpty()) v = headerValue(headers, "X-Trace-Id").trimmed();
    if (!v.isEmpty()) return v;
    // traceparent: version-traceid-parentid-flags; the trace id is the key.
    const QByteArray tp = headerValue(headers, "traceparent").trimmed();
    const QList<QByteArray> parts = tp.split('-');
    if (parts.size() >= 3 && parts[1].size() == 32) return parts[1].toLower();
    return QByteArray();
}

bool isLogRecordStart(QByteArrayView s)
{
    if (s.isEmpty()) return false;
    const char c = s[0];
    if (c >= '0' && c <= '9')
        return parseGoLogTime(s.first(std::min<qsizetype>(s.size(), 26))).has_value();
    if (c == '{') {
        // A JSON log record: a one-line object with a time key (a JSON body
        // such as {"msg":"hello"} is not one).
        const qsizetype nl = s.indexOf('\n');
        QByteArrayView line = nl < 0 ? s : s.first(nl);
        if (line.endsWith('\r')) line.chop(1);
        if (!line.endsWith('}') || !line.startsWith("{\"")) return false;
        const QByteArrayView head = line.first(std::min<qsizetype>(line.size(), 200));
        return head.contains("\"time\":") || head.contains("\"ts\":") ||
               head.contains("\"timestamp\":") || head.contains("\"@timestamp\":");
    }
    return s.startsWith("time=") || s.startsWith("ts=") || s.startsWith("level=");
}

} // namespace http

namespace {

using http::Header;

constexpr qint64 kMaxBody = limits::kBodyBytes; // bodies beyond this are cut (bounded memory)

// Bytes of the line terminator the reader stripped (0 at end of input).
QByteArrayView terminatorOf(const LineReader &r, QByteArrayView text)
{
    const qint64 n = r.nextOffset() - r.lineOffset() - text.size();
    if (n >= 2) return "\r\n";
    if (n == 1) return "\n";
    return QByteArrayView();
}

Side sideOfMessage(QByteArrayView msg, bool response)
{
    const QByteArray m = msg.toByteArray().toLower();
    auto has = [&](const char *w) { return m.contains(w); };
    if (response) {
        if (has("server") || has("outgoing response") || has("outbound response") ||
            has("sending response") || has("writing response"))
            return Side::Server;
        return Side::Client;
    }
    if (has("outbound") || has("outgoing") || has("client") || has("sending") ||
        has("dumprequestout"))
        return Side::Client;
    if (has("inbound") || has("incoming") || has("server") || has("received")) return Side::Server;
    return Side::Client;
}

struct Pending
{
    RequestId id = kNoId;
    QByteArray key;
    QByteArray method;
    Side side = Side::Client;
    TimeNs requestTs = kNoTime;
    TimeNs responseTs = kNoTime;
    TimeNs doneTs = kNoTime;
    qint64 latency = -1;
    bool answered = false;
};

class DumpReader
{
public:
    DumpReader(ImportContext &ctx, RecordSink &sink)
        : m_ctx(ctx), m_sink(sink), m_reader(ctx.input()), m_steps(ctx, sink)
    {
        m_fileTag = QFileInfo(ctx.path()).fileName().toUtf8();
        if (m_fileTag.isEmpty()) m_fileTag = "input";
    }

    void run()
    {
        m_sink.setClock(ClockKind::Wall, 0, "wall clock");
        m_steps.setRecordHook(
            [this](const TextLine &tl, const LogLine &l) { return onRecord(tl, l); });
        QByteArrayView text;
        while (m_reader.next(text)) {
            if ((m_reader.lineNumber() & 1023) == 0) m_ctx.checkpoint();
            if (m_reader.lineNumber() == 1 && text.startsWith("\xEF\xBB\xBF"))
                text = text.sliced(3);
            if (!m_reader.truncated() && (http::isRequestLine(text) || http::isStatusLine(text))) {
                readDump(text);
                continue;
            }
            TextLine tl{text, m_reader.lineOffset(), m_reader.lineNumber(), m_reader.truncated(),
                        m_reader.endedWithCr()};
            m_steps.handle(tl);
        }
        m_steps.finish();
        flush();
        m_ctx.addEvents(m_dumps + m_steps.records());
        if (m_dumps == 0 && m_steps.parsedLines() == 0)
            throw ImportError(QStringLiteral("no HTTP dumps or log lines found"), 0, 1);
        if (m_dumps == 0)
            m_ctx.diag("no-dumps", Severity::Info, 0, 1,
                       QStringLiteral("the log holds no request or response dump"));
    }

private:
    // Every log record: remember it (it may head a dump); in a client log,
    // take the client's own summary of a request — status or error, and
    // latency.
    bool onRecord(const TextLine &tl, const LogLine &l)
    {
        m_lastTs = l.ts;
        m_lastMsg = l.msg;
        m_lastRecordLine = tl.number;
        if (m_fileSide != Side::Client) return false;
        const QByteArray key = requestIdOf(l);
        if (key.isEmpty() || l.ts == kNoTime) return false;
        const LogField *status = l.field("status");
        const LogField *err = l.anyField({"err", "error"});
        const std::optional<qint64> latency = durationOf(l);
        if ((!status && !err) || !latency) return false;
        Pending &p = pendingFor(key, Side::Client);
        RequestRecord r;
        r.key = key;
        r.side = Side::Client;
        r.method = l.value("method");
        r.url = l.value("url");
        if (status) {
            if (auto st = parseInt(status->value)) r.status = int(*st);
        } else {
            r.status = 0; // no response: the client gave up
        }
        if (err && !err->value.isEmpty() && err->value != "null" && err->value != "<nil>")
            r.error = err->value;
        m_sink.request(r);
        p.doneTs = l.ts;
        p.latency = *latency;
        return true;
    }

    Pending &pendingFor(const QByteArray &key, Side side)
    {
        // One entry per side: a client dump and a server dump of the same
        // request each keep their own times.
        const QByteArray mapKey = key + char('0' + int(side));
        auto it = m_byKey.constFind(mapKey);
        if (it != m_byKey.constEnd()) return m_pending[size_t(it.value())];
        Pending p;
        p.key = key;
        p.side = side;
        RequestRecord r;
        r.key = key;
        r.side = side;
        p.id = m_sink.request(r);
        m_byKey.insert(mapKey, qint64(m_pending.size()));
        m_pending.push_back(p);
        return m_pending.back();
    }

    void readDump(QByteArrayView firstLine)
    {
        ++m_dumps;
        const qint64 offset = m_reader.lineOffset();
        const qint64 lineNo = m_reader.lineNumber();
        const bool response = http::isStatusLine(firstLine);
        // The log record right before the dump says when and what it is.
        const bool hasPrefix = m_lastRecordLine == lineNo - 1;
        const TimeNs ts = m_lastTs;
        const QByteArray msg = hasPrefix ? m_lastMsg : QByteArray();
        if (!hasPrefix)
            m_ctx.diag("dump-without-log-line", Severity::Info, offset, lineNo,
                       QStringLiteral("a dump does not follow a log record; its time is the last "
                                      "record's"));
        QByteArray raw = firstLine.toByteArray();
        raw += terminatorOf(m_reader, firstLine);
        const QByteArray first = firstLine.toByteArray();

        // Head.
        QList<Header> headers;
        bool headEnded = false;
        QByteArrayView h;
        while (m_reader.next(h)) {
            if (m_reader.truncated()) {
                m_ctx.diag("header-too-long", Severity::Warning, m_reader.lineOffset(),
                           m_reader.lineNumber(),
                           QStringLiteral("a header line is longer than 1 MiB; only its start "
                                          "is kept"));
            }
            if (h.isEmpty()) {
                raw += terminatorOf(m_reader, h);
                headEnded = true;
                break;
            }
            if (!m_reader.truncated() &&
                (http::isLogRecordStart(h) || http::isRequestLine(h) || http::isStatusLine(h))) {
                m_reader.unread();
                break;
            }
            if (h.contains('\0'))
                m_ctx.diag("nul-in-header", Severity::Warning, m_reader.lineOffset(),
                           m_reader.lineNumber(), QStringLiteral("a header line holds NUL bytes"));
            raw += h;
            raw += m_reader.truncated() ? QByteArrayView("\n") : terminatorOf(m_reader, h);
            const qsizetype colon = h.indexOf(':');
            if (colon <= 0) {
                m_ctx.diag("bad-header", Severity::Warning, m_reader.lineOffset(),
                           m_reader.lineNumber(),
                           QStringLiteral("a header line has no name: value form"));
                continue;
            }
            headers.append(
                Header{h.first(colon).toByteArray(), h.sliced(colon + 1).trimmed().toByteArray()});
        }
        if (!headEnded)
            m_ctx.diag("unterminated-head", Severity::Warning, offset, lineNo,
                       QStringLiteral("dump headers end without a blank line; kept without a "
                                      "body"));

        // Which request is this?
        const QByteArray key = http::requestKeyOf(headers);
        const Side side = sideOfMessage(msg, response);
        if (m_fileSide == Side::Unknown) {
            m_fileSide = side;
            m_steps.setSide(side);
        }
        Pending *p = nullptr;
        if (!key.isEmpty()) {
            p = &pendingFor(key, side);
        } else if (response) {
            auto &queue = side == Side::Client ? m_clientQueue : m_serverQueue;
            // Requests already answered, or given up on, take no response.
            while (!queue.empty() && (m_pending[size_t(queue.front())].answered ||
                                      m_pending[size_t(queue.front())].doneTs != kNoTime))
                queue.pop_front();
            if (!queue.empty()) p = &m_pending[size_t(queue.front())];
        }
        if (!p) {
            // No key and nothing to pair with: a request of its own, keyed by
            // where it was found so re-importing the file finds it again.
            const QByteArray own = "dump@" + m_fileTag + ":" + QByteArray::number(offset);
            p = &pendingFor(own, side);
        }
        const qint64 index = p - m_pending.data();
        RequestRecord r;
        r.key = p->key;
        r.side = side;
        if (response) {
            p->answered = true;
            p->responseTs = ts;
            r.status = http::statusOf(first);
        } else {
            const qsizetype sp1 = first.indexOf(' ');
            const qsizetype sp2 = first.lastIndexOf(' ');
            r.method = first.first(sp1);
            r.url = first.mid(sp1 + 1, sp2 - sp1 - 1);
            r.host = http::headerValue(headers, "Host");
            if (r.host.isEmpty() && r.url.contains("://")) {
                const qsizetype hs = r.url.indexOf("://") + 3;
                qsizetype he = r.url.indexOf('/', hs);
                if (he < 0) he = r.url.size();
                r.host = r.url.mid(hs, he - hs);
            }
            p->method = r.method;
            p->requestTs = ts;
            (side == Side::Client ? m_clientQueue : m_serverQueue).push_back(index);
        }
        m_sink.request(r);

        // Body.
        if (headEnded) {
            const int status = response ? http::statusOf(first) : -1;
            const bool noBody =
                response && (m_pending[size_t(index)].method == "HEAD" ||
                             (status >= 100 && status < 200) || status == 204 || status == 304);
            if (!noBody) readBody(headers, raw, offset, lineNo);
        }

        RawTextRecord t;
        t.request = m_pending[size_t(index)].id;
        t.side = side;
        t.kind = response ? "response" : "request";
        t.data = std::move(raw);
        t.offset = offset;
        t.line = lineNo;
        t.ts = ts;
        m_sink.rawText(t);
        m_lastRecordLine = -1; // the next dump needs its own log line
    }

    void readBody(const QList<Header> &headers, QByteArray &raw, qint64 offset, qint64 lineNo)
    {
        const QByteArray te = http::headerValue(headers, "Transfer-Encoding").toLower();
        if (te.contains("chunked")) {
            readChunked(raw);
            return;
        }
        const QByteArray cl = http::headerValue(headers, "Content-Length");
        if (!cl.isEmpty()) {
            const auto n = parseInt(cl.trimmed());
            if (!n || *n < 0) {
                m_ctx.diag("bad-content-length", Severity::Warning, offset, lineNo,
                           QStringLiteral("Content-Length is not a number; body read up to the "
                                          "next log record"));
            } else if (*n > kMaxBody) {
                m_ctx.diag("body-too-large", Severity::Warning, offset, lineNo,
                           QStringLiteral("Content-Length beyond %1 (the limit for one body); "
                                          "body read up to the next log record")
                               .arg(limits::bytesText(kMaxBody)));
            } else {
                readSized(*n, raw, offset, lineNo);
                return;
            }
        }
        readUntilRecord(raw, offset, lineNo);
    }

    // Is a new log record (or the end of input) at `pos` of `pk`, allowing
    // for the newline the log package adds?
    static bool recordAt(QByteArrayView pk, qsizetype pos, bool atEof)
    {
        if (pos == pk.size()) return atEof;
        if (http::isLogRecordStart(pk.sliced(pos))) return true;
        if (pk[pos] == '\n') {
            if (pos + 1 == pk.size()) return atEof;
            const QByteArrayView rest = pk.sliced(pos + 1);
            return http::isLogRecordStart(rest) || http::isRequestLine(firstLineOf(rest)) ||
                   http::isStatusLine(firstLineOf(rest));
        }
        return false;
    }

    static QByteArrayView firstLineOf(QByteArrayView s)
    {
        const qsizetype nl = s.indexOf('\n');
        QByteArrayView l = nl < 0 ? s : s.first(nl);
        if (l.endsWith('\r')) l.chop(1);
        return l;
    }

    // The first "\n<log record>" inside [0, limit) of pk: the place a body
    // shorter than its Content-Length really ended.
    static qsizetype recordInside(QByteArrayView pk, qsizetype limit)
    {
        qsizetype pos = 0;
        while (pos < limit) {
            const qsizetype nl = pk.indexOf('\n', pos);
            if (nl < 0 || nl >= limit) return -1;
            if (http::isLogRecordStart(pk.sliced(nl + 1))) return nl;
            pos = nl + 1;
        }
        return -1;
    }

    void readSized(qint64 n, QByteArray &raw, qint64 offset, qint64 lineNo)
    {
        const qint64 want = n + 64;
        const QByteArrayView pk = m_reader.peekBytes(want);
        const bool eof = pk.size() < want;
        if (n == 0) {
            consumeLogNewline();
            return;
        }
        if (pk.size() >= n && recordAt(pk, qsizetype(n), eof)) {
            raw += pk.first(qsizetype(n));
            m_reader.takeBytes(n);
            consumeLogNewline();
            return;
        }
        if (pk.isEmpty() || http::isLogRecordStart(pk)) {
            // DumpX(…, body=false), or a HEAD response: the head only.
            return;
        }
        const qsizetype cut = recordInside(pk, std::min<qsizetype>(pk.size(), qsizetype(n)));
        if (cut >= 0) {
            m_ctx.diag("content-length-mismatch", Severity::Warning, offset, lineNo,
                       QStringLiteral("Content-Length is larger than the body before the next "
                                      "log record; the body is kept as found"));
            raw += pk.first(cut);
            m_reader.takeBytes(cut + 1);
            return;
        }
        if (pk.size() < n) {
            m_ctx.diag("truncated-body", Severity::Warning, offset, lineNo,
                       QStringLiteral("the input ends inside a body (Content-Length %1, %2 bytes "
                                      "left)")
                           .arg(n)
                           .arg(pk.size()));
            raw += pk;
            m_reader.takeBytes(pk.size());
            return;
        }
        // n bytes are there but no log record follows: trust the length.
        m_ctx.diag("body-not-followed-by-record", Severity::Info, offset, lineNo,
                   QStringLiteral("no log record follows a Content-Length body"));
        raw += pk.first(qsizetype(n));
        m_reader.takeBytes(n);
        consumeLogNewline();
    }

    void consumeLogNewline()
    {
        const QByteArrayView nx = m_reader.peekBytes(1);
        if (!nx.isEmpty() && nx[0] == '\n') m_reader.takeBytes(1);
    }

    void readChunked(QByteArray &raw)
    {
        QByteArrayView line;
        while (true) {
            if (!m_reader.next(line)) {
                m_ctx.diag("truncated-chunked-body", Severity::Warning, m_reader.nextOffset(),
                           m_reader.lineNumber(),
                           QStringLiteral("the input ends inside a chunked body"));
                return;
            }
            if (http::isLogRecordStart(line) || http::isRequestLine(line) ||
                http::isStatusLine(line) || m_reader.truncated()) {
                m_reader.unread();
                m_ctx.diag("truncated-chunked-body", Severity::Warning, m_reader.nextOffset(),
                           m_reader.lineNumber() + 1,
                           QStringLiteral("a chunked body ends before its last (zero) chunk"));
                return;
            }
            QByteArrayView sizeText = line;
            if (const qsizetype semi = sizeText.indexOf(';'); semi >= 0)
                sizeText = sizeText.first(semi);
            bool ok = false;
            const qint64 size = sizeText.trimmed().toByteArray().toLongLong(&ok, 16);
            if (!ok || size < 0 || size > kMaxBody) {
                m_reader.unread();
                m_ctx.diag("bad-chunk", Severity::Warning, m_reader.nextOffset(),
                           m_reader.lineNumber() + 1,
                           ok && size > kMaxBody
                               ? QStringLiteral("a chunk size beyond %1 (the limit for one body); "
                                                "the rest is read as log lines")
                                     .arg(limits::bytesText(kMaxBody))
                               : QStringLiteral("a chunk size is not hexadecimal; the rest is "
                                                "read as log lines"));
                return;
            }
            raw += line;
            raw += terminatorOf(m_reader, line);
            if (size == 0) {
                // Trailers, then the blank line.
                while (m_reader.next(line)) {
                    if (http::isLogRecordStart(line)) {
                        m_reader.unread();
                        break;
                    }
                    raw += line;
                    raw += terminatorOf(m_reader, line);
                    if (line.isEmpty()) break;
                }
                consumeLogNewline();
                return;
            }
            const QByteArrayView pk = m_reader.peekBytes(size + 2);
            const qsizetype inside = recordInside(pk, std::min<qsizetype>(pk.size(), size));
            if (inside >= 0 || pk.size() < size) {
                const qsizetype keep = inside >= 0 ? inside : pk.size();
                raw += pk.first(keep);
                m_reader.takeBytes(inside >= 0 ? keep + 1 : keep);
                m_ctx.diag("truncated-chunked-body", Severity::Warning, m_reader.nextOffset(),
                           m_reader.lineNumber(),
                           QStringLiteral("a chunk is shorter than its size"));
                return;
            }
            qsizetype take = qsizetype(size);
            if (pk.size() >= size + 2 && pk[size] == '\r' && pk[size + 1] == '\n')
                take += 2;
            else if (pk.size() >= size + 1 && pk[size] == '\n')
                take += 1;
            raw += pk.first(take);
            m_reader.takeBytes(take);
        }
    }

    void readUntilRecord(QByteArray &raw, qint64 offset, qint64 lineNo)
    {
        QByteArray body;
        QByteArrayView line;
        bool cut = false;
        while (m_reader.next(line)) {
            if (!m_reader.truncated() && (http::isLogRecordStart(line) ||
                                          http::isRequestLine(line) || http::isStatusLine(line))) {
                m_reader.unread();
                break;
            }
            if (m_reader.truncated()) cut = true;
            if (body.size() + line.size() > kMaxBody) {
                cut = true;
                continue;
            }
            body += line;
            body += m_reader.truncated() ? QByteArrayView("\n") : terminatorOf(m_reader, line);
        }
        if (cut)
            m_ctx.diag("body-cut", Severity::Warning, offset, lineNo,
                       QStringLiteral("a body without length has overlong lines; they were cut"));
        // The log package ends a message with a newline; it is not the body's.
        if (body.endsWith('\n')) body.chop(1);
        if (!body.isEmpty())
            m_ctx.diag("body-by-heuristic", Severity::Info, offset, lineNo,
                       QStringLiteral("a body without Content-Length or chunking was read up to "
                                      "the next log record"));
        raw += body;
    }

    void flush()
    {
        for (const Pending &p : m_pending) {
            RequestRecord r;
            r.key = p.key;
            r.side = p.side;
            r.timeQuality = TimeQuality::Approximate;
            if (p.doneTs != kNoTime && p.latency >= 0) {
                r.start = p.doneTs - p.latency;
                r.end = p.doneTs;
            } else if (p.requestTs != kNoTime) {
                r.start = p.requestTs;
                r.end =
                    p.responseTs != kNoTime && p.responseTs >= p.requestTs ? p.responseTs : kNoTime;
            } else {
                continue;
            }
            m_sink.request(r);
        }
    }

    ImportContext &m_ctx;
    RecordSink &m_sink;
    LineReader m_reader;
    StepLogLines m_steps;
    QByteArray m_fileTag;
    Side m_fileSide = Side::Unknown;
    TimeNs m_lastTs = kNoTime;
    QByteArray m_lastMsg;
    qint64 m_lastRecordLine = -1;
    qint64 m_dumps = 0;
    std::vector<Pending> m_pending;
    QHash<QByteArray, qint64> m_byKey;
    std::deque<qint64> m_clientQueue, m_serverQueue;
};

} // namespace

QByteArray HttpDumpImporter::id() const
{
    return "httpdump";
}

QString HttpDumpImporter::displayName() const
{
    return QStringLiteral("HTTP dumps in a log (httputil.DumpRequest/DumpResponse)");
}

int HttpDumpImporter::sniff(const SniffInput &in) const
{
    QByteArrayView head = in.head;
    if (head.startsWith("\xEF\xBB\xBF")) head = head.sliced(3);
    qsizetype pos = 0;
    int lines = 0;
    bool afterStart = false;
    while (pos < head.size() && lines < 2000) {
        const qsizetype nl = head.indexOf('\n', pos);
        if (nl < 0) break;
        QByteArrayView line = head.sliced(pos, nl - pos);
        pos = nl + 1;
        ++lines;
        if (line.endsWith('\r')) line.chop(1);
        if (afterStart) {
            // A start line followed by a header line: a dump.
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && colon < 80 && !line.first(colon).contains(' ')) return 85;
            afterStart = false;
        }
        if (http::isRequestLine(line) || http::isStatusLine(line)) afterStart = true;
    }
    return 0;
}

void HttpDumpImporter::run(ImportContext &ctx, RecordSink &sink)
{
    DumpReader reader(ctx, sink);
    reader.run();
}

} // namespace ls
