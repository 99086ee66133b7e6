// Chrome Trace Event Format (JSON), array and object forms, plain or gzipped,
// as written by Chrome, Perfetto, catapult, `go tool trace` and many tracing
// libraries.
//
// Streaming: EventSplitter cuts the event array into complete events chunk by
// chunk (the rest of the file is never held), and each run of events is
// parsed with simdjson's DOM parse_many. Memory is bounded by the chunk size,
// the largest event (capped) and the slices waiting to be sorted.
//
// Mapping:
//  - pid → lane kind 'process'; (pid, tid) → lane kind 'thread' whose parent
//    is the process lane, external_id = pid << 32 | tid (both as 32-bit
//    values: tids repeat across processes). Names come from M events
//    (process_name, thread_name); string pids/tids get synthetic ids and are
//    their own names;
//  - X and matched B/E → spans; E closes the most recent open B of its thread
//    (the format's rule; the name on E is not checked), B and E args merged.
//    A B still open at the end is a span ending at the thread's last
//    timestamp. Slices are sorted per lane by start, longer first, before
//    depths are assigned, so out-of-order input nests correctly;
//  - b/e/n (key: cat, id, and pid unless the id is global) and legacy S/F/T/p
//    (key: cat, name, id) → lanes kind 'async' per key, with spans and
//    instants; s/t/f flows and v2 bind_id/flow_in/flow_out → flow records;
//  - i/I → instants on the thread, process or 'global' lane (scope s);
//    C → one lane kind 'counter' per (pid, name, id, series) with a valued
//    instant per numeric member of args; P → instant, category 'sample';
//  - args are kept as JSON text.
// Timestamps are µs; they become exact ns from the number's decimal text
// (never through a double). The clock is producer-defined: Unix µs when the
// first timestamp is evidently one (2001..2100), else monotonic, unaligned.
//
// Diagnostics: unmatched-end, unclosed-begin, out-of-order, missing-ts,
// bad-event-json, not-an-object, unknown-phase, ignored-phase, event-too-large,
// truncated-event (the file stops inside an event), unmatched-flow.

#include "chrometrace.h"
#include "common/jsondoc.h"
#include "importlimits.h"

#include "eventsplitter.h"
#include "units.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <vector>

namespace ls {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr qint64 kChunk = 4 << 20;
constexpr qint64 kMaxEvent = limits::kRecordBytes;
constexpr qint64 kPendingFlushBytes = 16 << 20;

// The raw text of member `key` at the top level of a JSON object's text.
QByteArrayView rawMember(QByteArrayView obj, QByteArrayView key)
{
    int depth = 0;
    bool inStr = false;
    qsizetype strStart = -1;
    for (qsizetype i = 0; i < obj.size(); ++i) {
        const char c = obj[i];
        if (inStr) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                inStr = false;
                if (depth == 1 && obj.sliced(strStart, i - strStart) == key) {
                    qsizetype j = i + 1;
                    while (j < obj.size() &&
                           (obj[j] == ' ' || obj[j] == '\t' || obj[j] == '\n' || obj[j] == '\r'))
                        ++j;
                    if (j < obj.size() && obj[j] == ':') {
                        ++j;
                        while (j < obj.size() && (obj[j] == ' ' || obj[j] == '\t' ||
                                                  obj[j] == '\n' || obj[j] == '\r'))
                            ++j;
                        qsizetype k = j;
                        if (k < obj.size() && (obj[k] == '{' || obj[k] == '[')) {
                            // A container: up to its matching bracket.
                            int d = 0;
                            bool str = false;
                            for (; k < obj.size(); ++k) {
                                const char x = obj[k];
                                if (str) {
                                    if (x == '\\')
                                        ++k;
                                    else if (x == '"')
                                        str = false;
                                } else if (x == '"') {
                                    str = true;
                                } else if (x == '{' || x == '[') {
                                    ++d;
                                } else if ((x == '}' || x == ']') && --d == 0) {
                                    return obj.sliced(j, k + 1 - j);
                                }
                            }
                            return {};
                        }
                        while (k < obj.size() && obj[k] != ',' && obj[k] != '}' && obj[k] != ' ' &&
                               obj[k] != '\n' && obj[k] != '\r' && obj[k] != '\t')
                            ++k;
                        return obj.sliced(j, k - j);
                    }
                }
            }
            continue;
        }
        if (c == '"') {
            inStr = true;
            strStart = i + 1;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return {};
}

QByteArray bytesOf(std::string_view s)
{
    return QByteArray(s.data(), qsizetype(s.size()));
}

template<typename J> QByteArray minified(const J &e)
{
    const std::string m = simdjson::minify(e);
    return QByteArray(m.data(), qsizetype(m.size()));
}

// A µs time member as exact ns; nullopt when absent or not a number.
std::optional<TimeNs> microsToNs(const std::optional<element> &ov, const char *key,
                                 QByteArrayView raw)
{
    if (!ov) return std::nullopt;
    const element &v = *ov;
    switch (v.type()) {
    case simdjson::dom::element_type::INT64: {
        const qint64 x = v.get_int64().value_unsafe();
        if (x > (qint64(1) << 52) || x < -(qint64(1) << 52)) return std::nullopt;
        return x * 1000;
    }
    case simdjson::dom::element_type::UINT64:
        return std::nullopt; // beyond int64 µs: not a time
    case simdjson::dom::element_type::DOUBLE: {
        // A double's shortest round-trip text is the number as written when
        // it has at most 15 significant digits (two such decimals never share
        // a double), which is the common case and needs no second scan.
        char buf[40];
        const auto r = std::to_chars(buf, buf + sizeof buf, v.get_double().value_unsafe());
        const QByteArrayView text(buf, r.ptr - buf);
        int digits = 0;
        bool plain = true;
        for (char c : text) {
            if (c >= '0' && c <= '9')
                ++digits;
            else if (c != '.' && c != '-')
                plain = false;
        }
        if (plain && digits <= 15)
            if (auto ns = parseScaled(text, 3)) return *ns;
        if (auto ns = parseScaled(rawMember(raw, key), 3)) return *ns;
        const double d = v.get_double().value_unsafe(); // exponent form: as close as a double gets
        if (!std::isfinite(d) || std::fabs(d) > 4e15) return std::nullopt;
        return qint64(std::llround(d * 1000.0));
    }
    case simdjson::dom::element_type::STRING: {
        const QByteArray s = bytesOf(v.get_string().value_unsafe()).trimmed();
        if (auto ns = parseScaled(s, 3)) return *ns;
        bool ok = false;
        const double d = s.toDouble(&ok);
        if (!ok || !std::isfinite(d) || std::fabs(d) > 4e15) return std::nullopt;
        return qint64(std::llround(d * 1000.0));
    }
    default:
        return std::nullopt;
    }
}

QByteArray idText(const std::optional<element> &id, const std::optional<element> &id2)
{
    if (id) {
        if (id->is_string()) return bytesOf(id->get_string().value_unsafe());
        return minified(*id);
    }
    if (id2) return minified(*id2);
    return QByteArray();
}

// The members of one event the reader looks at, found in one pass over the
// object (simdjson's operator[] is a linear search per call).
struct Fields
{
    // A default element has no tape: absent members stay nullopt.
    using Opt = std::optional<element>;
    Opt ph, name, cat, pid, tid, ts, dur, args, id, id2, bindId, flowIn, flowOut, scope;
    static bool has(const Opt &e) { return e.has_value(); }
    template<typename T> static bool get(const Opt &e, T &out)
    {
        return e && e->get(out) == simdjson::SUCCESS;
    }

    explicit Fields(const object &o)
    {
        for (auto [k, v] : o) {
            switch (k.size()) {
            case 1:
                if (k[0] == 's') scope = v;
                break;
            case 2:
                if (k == "ph")
                    ph = v;
                else if (k == "ts")
                    ts = v;
                else if (k == "id")
                    id = v;
                break;
            case 3:
                if (k == "pid")
                    pid = v;
                else if (k == "tid")
                    tid = v;
                else if (k == "cat")
                    cat = v;
                else if (k == "dur")
                    dur = v;
                else if (k == "id2")
                    id2 = v;
                break;
            case 4:
                if (k == "name")
                    name = v;
                else if (k == "args")
                    args = v;
                break;
            case 7:
                if (k == "bind_id") bindId = v;
                if (k == "flow_in") flowIn = v;
                break;
            case 8:
                if (k == "flow_out") flowOut = v;
                break;
            default:
                break;
            }
        }
    }
};

// A slice waiting for its depth. Its args live in the track's arena (one
// growing buffer instead of an allocation per slice).
struct Slice
{
    TimeNs start;
    TimeNs end;
    StringId name;
    StringId cat;
    qsizetype argsOffset;
    qsizetype argsSize;
};

struct OpenBegin
{
    TimeNs ts;
    StringId name;
    StringId cat;
    QByteArray args;
};

struct Track
{
    LaneId lane = kNoId;
    std::vector<OpenBegin> open;
    std::vector<Slice> pending;
    QByteArray arena;               // args of the pending slices
    std::vector<TimeNs> depthStack; // ends of the slices enclosing the next one
    TimeNs lastTs = kNoTime;        // in file order, for out-of-order detection
    TimeNs lastEmittedStart = kNoTime;
    TimeNs maxTs = kNoTime;
};

class ChromeReader
{
public:
    ChromeReader(ImportContext &ctx, RecordSink &sink) : m_ctx(ctx), m_sink(sink) {}
    void run();

private:
    void handleRange(const char *p, qsizetype n, qint64 offset);
    void handle(const object &o, QByteArrayView raw, qint64 offset);
    qint64 idOf(const element &v, bool *isString, QByteArray *text);
    LaneId processLane(qint64 pid, const QByteArray &label);
    Track &thread(qint64 pid, qint64 tid, const QByteArray &pidLabel, const QByteArray &tidLabel);
    Track &async(const QByteArray &key, qint64 pid, const QByteArray &name);
    LaneId counterLane(qint64 pid, const QByteArray &key, const QByteArray &name);
    LaneId globalLane();
    // Stores a lane's waiting slices in (start, longer first) order. Before
    // the end of the input only those that start before the lane's oldest
    // open B are stored: a slice inside that B must wait for it, or the B
    // would land at a depth its children already hold.
    void flushTrack(Track &t, bool final);
    void flushAll(bool final);
    void addPending(Track &t, TimeNs start, TimeNs end, StringId name, StringId cat,
                    QByteArrayView args);
    void flowPoint(char ph, const QByteArray &key, LaneId lane, TimeNs ts, qint64 offset);
    void ensureClock(TimeNs firstTs);
    StringId intern(std::string_view s);

    ImportContext &m_ctx;
    RecordSink &m_sink;
    simdjson::dom::parser m_parser;
    simdjson::dom::parser m_single;
    std::vector<Track> m_tracks;
    QHash<QPair<qint64, qint64>, int> m_threads;
    QHash<QByteArray, int> m_asyncs;
    QHash<qint64, LaneId> m_processes;
    QHash<QByteArray, LaneId> m_counters;
    QHash<QByteArray, qint64> m_syntheticIds;
    QHash<QByteArray, StringId> m_strings; // the sink's ids, looked up without allocating
    struct CacheEntry
    {
        std::string text;
        StringId id = kNoId;
    };
    static constexpr size_t kCache = 256;
    std::array<CacheEntry, kCache> m_cache;
    simdjson::internal::string_builder<> m_minify;
    QHash<QByteArray, QPair<LaneId, TimeNs>> m_flows;
    LaneId m_global = kNoId;
    qint64 m_nextExternal = 1;
    qint64 m_pendingBytes = 0;
    qint64 m_events = 0;
    bool m_clockSet = false;
    qint64 m_offsetBase = 0; // stream offset of the buffer's first byte
};

void ChromeReader::ensureClock(TimeNs firstTs)
{
    if (m_clockSet) return;
    m_clockSet = true;
    // 2001-09-09 .. 2100 in Unix µs: a producer that used the wall clock.
    if (firstTs >= qint64(1000000000000000000) && firstTs < qint64(4102444800) * 1000000000)
        m_sink.setClock(ClockKind::Wall, 0, "wall clock");
    else
        m_sink.setClock(ClockKind::Monotonic, 0, "unaligned");
}

StringId ChromeReader::intern(std::string_view s)
{
    // Names and categories repeat from event to event: a small direct-mapped
    // cache answers most lookups without hashing the whole string.
    const size_t n = s.size();
    const size_t slot =
        n == 0 ? 0
               : (n * 31 + quint8(s[0]) * 7 + quint8(s[n - 1]) * 13 + quint8(s[n / 2])) % kCache;
    CacheEntry &e = m_cache[slot];
    if (e.id != kNoId && std::string_view(e.text) == s) return e.id;
    const QByteArray probe = QByteArray::fromRawData(s.data(), qsizetype(s.size()));
    auto it = m_strings.constFind(probe);
    if (it != m_strings.constEnd()) return it.value();
    const StringId id = m_sink.intern(probe);
    if (m_strings.size() < 100000) m_strings.insert(bytesOf(s), id);
    e.text.assign(s);
    e.id = id;
    return id;
}

qint64 ChromeReader::idOf(const element &v, bool *isString, QByteArray *text)
{
    *isString = false;
    if (v.is_int64()) return v.get_int64().value_unsafe();
    *isString = true;
    *text = v.is_string() ? bytesOf(v.get_string().value_unsafe()) : minified(v);
    bool ok = false;
    const qint64 x = text->toLongLong(&ok);
    if (ok) {
        *isString = false;
        return x;
    }
    auto it = m_syntheticIds.constFind(*text);
    if (it != m_syntheticIds.constEnd()) return it.value();
    const qint64 id = (qint64(1) << 31) + m_syntheticIds.size();
    m_syntheticIds.insert(*text, id);
    return id;
}

LaneId ChromeReader::processLane(qint64 pid, const QByteArray &label)
{
    auto it = m_processes.constFind(pid);
    if (it != m_processes.constEnd()) return it.value();
    LaneRecord l;
    l.kind = "process";
    l.externalId = pid;
    l.name = label.isEmpty() ? "pid " + QByteArray::number(pid) : label;
    l.sortKey = pid;
    const LaneId id = m_sink.lane(l);
    m_processes.insert(pid, id);
    return id;
}

Track &ChromeReader::thread(qint64 pid, qint64 tid, const QByteArray &pidLabel,
                            const QByteArray &tidLabel)
{
    const auto key = qMakePair(pid, tid);
    auto it = m_threads.constFind(key);
    if (it != m_threads.constEnd()) return m_tracks[size_t(it.value())];
    LaneRecord l;
    l.kind = "thread";
    l.externalId = (pid & 0xffffffff) << 32 | (tid & 0xffffffff);
    l.name = tidLabel.isEmpty() ? "tid " + QByteArray::number(tid) : tidLabel;
    l.parent = processLane(pid, pidLabel);
    l.sortKey = tid;
    Track t;
    t.lane = m_sink.lane(l);
    m_tracks.push_back(std::move(t));
    m_threads.insert(key, int(m_tracks.size() - 1));
    return m_tracks.back();
}

Track &ChromeReader::async(const QByteArray &key, qint64 pid, const QByteArray &name)
{
    auto it = m_asyncs.constFind(key);
    if (it != m_asyncs.constEnd()) return m_tracks[size_t(it.value())];
    LaneRecord l;
    l.kind = "async";
    l.externalId = m_nextExternal++;
    l.name = name;
    l.parent = processLane(pid, QByteArray());
    Track t;
    t.lane = m_sink.lane(l);
    m_tracks.push_back(std::move(t));
    m_asyncs.insert(key, int(m_tracks.size() - 1));
    return m_tracks.back();
}

LaneId ChromeReader::counterLane(qint64 pid, const QByteArray &key, const QByteArray &name)
{
    auto it = m_counters.constFind(key);
    if (it != m_counters.constEnd()) return it.value();
    LaneRecord l;
    l.kind = "counter";
    l.externalId = m_nextExternal++;
    l.name = name;
    l.parent = processLane(pid, QByteArray());
    const LaneId id = m_sink.lane(l);
    m_counters.insert(key, id);
    return id;
}

LaneId ChromeReader::globalLane()
{
    if (m_global == kNoId) {
        LaneRecord l;
        l.kind = "global";
        l.name = "global";
        m_global = m_sink.lane(l);
    }
    return m_global;
}

void ChromeReader::addPending(Track &t, TimeNs start, TimeNs end, StringId name, StringId cat,
                              QByteArrayView args)
{
    m_pendingBytes += qint64(sizeof(Slice)) + args.size();
    t.pending.push_back({start, end, name, cat, t.arena.size(), args.size()});
    t.arena.append(args.data(), args.size());
}

void ChromeReader::flushTrack(Track &t, bool final)
{
    if (t.pending.empty()) return;
    const auto order = [](const Slice &a, const Slice &b) {
        return a.start != b.start ? a.start < b.start : a.end > b.end;
    };
    if (!std::is_sorted(t.pending.begin(), t.pending.end(), order))
        std::stable_sort(t.pending.begin(), t.pending.end(), order);
    size_t count = t.pending.size();
    if (!final && !t.open.empty()) {
        const TimeNs limit = t.open.front().ts;
        count = size_t(std::lower_bound(t.pending.begin(), t.pending.end(), limit,
                                        [](const Slice &a, TimeNs v) { return a.start < v; }) -
                       t.pending.begin());
    }
    for (size_t k = 0; k < count; ++k) {
        Slice &s = t.pending[k];
        if (t.lastEmittedStart != kNoTime && s.start < t.lastEmittedStart)
            m_ctx.diag("out-of-order-late", Severity::Warning, -1, -1,
                       QStringLiteral("a slice starts before slices already stored on its lane "
                                      "(input far out of order); its depth may be wrong"));
        while (!t.depthStack.empty() && t.depthStack.back() <= s.start)
            t.depthStack.pop_back();
        SpanRecord r;
        r.lane = t.lane;
        r.start = s.start;
        r.end = s.end;
        r.depth = int(t.depthStack.size());
        r.name = s.name;
        r.category = s.cat;
        r.args = s.argsSize
                     ? QByteArray::fromRawData(t.arena.constData() + s.argsOffset, s.argsSize)
                     : QByteArray();
        m_sink.span(r);
        t.depthStack.push_back(s.end);
        t.lastEmittedStart = s.start;
    }
    t.pending.erase(t.pending.begin(), t.pending.begin() + qsizetype(count));
    if (t.pending.empty()) {
        t.pending.shrink_to_fit();
        t.arena.resize(0); // keeps the capacity for the next batch
    } else if (count > 0) {
        // Rare (a B still open): keep only the held slices' args.
        QByteArray kept;
        for (Slice &s : t.pending) {
            const qsizetype at = kept.size();
            kept.append(t.arena.constData() + s.argsOffset, s.argsSize);
            s.argsOffset = at;
        }
        t.arena = kept;
    }
}

void ChromeReader::flushAll(bool final)
{
    m_pendingBytes = 0;
    for (Track &t : m_tracks) {
        flushTrack(t, final);
        for (const Slice &s : t.pending)
            m_pendingBytes += qint64(sizeof(Slice)) + s.argsSize;
    }
    if (!final && m_pendingBytes > 4 * kPendingFlushBytes) {
        // A begin that never ends holds everything after it; memory wins
        // over exact depths.
        m_ctx.diag("long-open-slice", Severity::Warning, -1, -1,
                   QStringLiteral("a slice stayed open over hundreds of MB of events; later "
                                  "slices on its lane were stored before it"));
        flushAll(true);
    }
}

void ChromeReader::flowPoint(char ph, const QByteArray &key, LaneId lane, TimeNs ts, qint64 offset)
{
    if (ph == 's') {
        m_flows.insert(key, qMakePair(lane, ts));
        return;
    }
    auto it = m_flows.find(key);
    if (it == m_flows.end()) {
        m_ctx.diag("unmatched-flow", Severity::Warning, offset, -1,
                   QStringLiteral("flow step or end without a flow start"));
        return;
    }
    FlowRecord f;
    f.kind = "flow";
    f.fromLane = it->first;
    f.fromTs = it->second;
    f.toLane = lane;
    f.toTs = ts;
    m_sink.flow(f);
    if (ph == 'f')
        m_flows.erase(it);
    else
        *it = qMakePair(lane, ts);
}

void ChromeReader::handle(const object &o, QByteArrayView raw, qint64 offset)
{
    ++m_events;
    const Fields f(o);
    std::string_view phv;
    if (!f.get(f.ph, phv) || phv.empty()) {
        m_ctx.diag("missing-ph", Severity::Warning, offset, -1,
                   QStringLiteral("event without a phase (ph)"));
        return;
    }
    const char ph = phv[0];
    std::string_view namev, catv;
    if (!f.get(f.name, namev)) namev = {};
    if (!f.get(f.cat, catv)) catv = {};
    const QByteArray name = QByteArray::fromRawData(namev.data(), qsizetype(namev.size()));
    qint64 pid = 0, tid = 0;
    QByteArray pidLabel, tidLabel;
    bool isStr = false;
    if (f.has(f.pid)) {
        pid = idOf(*f.pid, &isStr, &pidLabel);
        if (!isStr) pidLabel.clear();
    }
    if (f.has(f.tid)) {
        tid = idOf(*f.tid, &isStr, &tidLabel);
        if (!isStr) tidLabel.clear();
    }

    if (ph == 'M') {
        object args;
        std::string_view label;
        if (!f.get(f.args, args)) return;
        if (name == "process_name" && args["name"].get(label) == simdjson::SUCCESS)
            m_sink.renameLane(processLane(pid, pidLabel), bytesOf(label));
        else if (name == "thread_name" && args["name"].get(label) == simdjson::SUCCESS)
            m_sink.renameLane(thread(pid, tid, pidLabel, tidLabel).lane, bytesOf(label));
        return;
    }
    switch (ph) {
    case 'N':
    case 'O':
    case 'D':
    case 'R':
    case '(':
    case ')':
    case 'v':
    case 'V':
        m_ctx.diag("ignored-phase", Severity::Info, offset, -1,
                   QStringLiteral("object, mark, context and memory-dump events are not shown"));
        return;
    default:
        break;
    }

    const std::optional<TimeNs> ts = microsToNs(f.ts, "ts", raw);
    if (!ts) {
        m_ctx.diag("missing-ts", Severity::Warning, offset, -1,
                   QStringLiteral("event without a usable timestamp (ts)"));
        return;
    }
    ensureClock(*ts);
    const StringId nameId = intern(namev);
    const StringId catId = catv.empty() ? kNoId : intern(catv);
    QByteArray args;
    object argsObj;
    const bool hasArgs = f.get(f.args, argsObj);
    if (hasArgs && argsObj.size() > 0 && ph != 'C') {
        // One reused builder instead of a fresh string per event.
        m_minify.clear();
        m_minify.append(argsObj);
        const std::string_view text = m_minify.str();
        // Valid until the next event: records copy it, open begins keep a copy.
        args = QByteArray::fromRawData(text.data(), qsizetype(text.size()));
    }

    auto threadTrack = [&]() -> Track & {
        Track &t = thread(pid, tid, pidLabel, tidLabel);
        if (t.lastTs != kNoTime && *ts < t.lastTs)
            m_ctx.diag("out-of-order", Severity::Info, offset, -1,
                       QStringLiteral("events are not in time order; they are sorted per thread"));
        t.lastTs = *ts;
        t.maxTs = t.maxTs == kNoTime ? *ts : std::max(t.maxTs, *ts);
        return t;
    };
    auto instantOn = [&](LaneId lane, QByteArrayView category) {
        InstantRecord r;
        r.lane = lane;
        r.ts = *ts;
        r.name = nameId;
        r.category = category.isEmpty() ? catId : m_sink.intern(category);
        r.args = args;
        m_sink.instant(r);
    };

    switch (ph) {
    case 'X': {
        Track &t = threadTrack();
        std::optional<TimeNs> dur = microsToNs(f.dur, "dur", raw);
        if (!dur || *dur < 0) {
            m_ctx.diag("bad-dur", Severity::Warning, offset, -1,
                       QStringLiteral("complete event (X) without a valid duration; taken as 0"));
            dur = 0;
        }
        t.maxTs = std::max(t.maxTs, *ts + *dur);
        // v2 flows are bound to complete events.
        if (f.has(f.bindId)) {
            const QByteArray key =
                "bind:" + (f.bindId->is_string() ? bytesOf(f.bindId->get_string().value_unsafe())
                                                 : minified(*f.bindId));
            bool in = false, out = false;
            if (!f.get(f.flowIn, in)) in = false;
            if (!f.get(f.flowOut, out)) out = false;
            if (in) flowPoint(out ? 't' : 'f', key, t.lane, *ts, offset);
            if (out && !in) flowPoint('s', key, t.lane, *ts, offset);
        }
        addPending(t, *ts, *ts + *dur, nameId, catId, args);
        break;
    }
    case 'B':
        threadTrack().open.push_back(
            {*ts, nameId, catId, QByteArray(args.constData(), args.size())});
        break;
    case 'E': {
        Track &t = threadTrack();
        if (t.open.empty()) {
            m_ctx.diag(
                "unmatched-end", Severity::Warning, offset, -1,
                QStringLiteral("end event (E) without an open begin on its thread; dropped"));
            break;
        }
        OpenBegin b = std::move(t.open.back());
        t.open.pop_back();
        if (!args.isEmpty()) {
            if (b.args.isEmpty()) {
                b.args = QByteArray(args.constData(), args.size());
            } else {
                QJsonObject merged = QJsonDocument::fromJson(b.args).object();
                const QJsonObject more = QJsonDocument::fromJson(args).object();
                for (auto it = more.begin(); it != more.end(); ++it)
                    merged.insert(it.key(), it.value());
                b.args = QJsonDocument(merged).toJson(QJsonDocument::Compact);
            }
        }
        addPending(t, b.ts, std::max(b.ts, *ts), b.name, b.cat, b.args);
        break;
    }
    case 'i':
    case 'I': {
        std::string_view scope;
        if (!f.get(f.scope, scope)) scope = {};
        if (scope == "g")
            instantOn(globalLane(), {});
        else if (scope == "p")
            instantOn(processLane(pid, pidLabel), {});
        else
            instantOn(threadTrack().lane, {});
        break;
    }
    case 'P':
        instantOn(threadTrack().lane, "sample");
        break;
    case 'C': {
        if (!hasArgs) break;
        const QByteArray id = idText(f.id, f.id2);
        for (auto [k, val] : argsObj) {
            double x = 0;
            if (val.is_number()) {
                x = double(val);
            } else if (val.is_string()) {
                bool ok = false;
                x = bytesOf(val.get_string().value_unsafe()).toDouble(&ok);
                if (!ok) continue;
            } else {
                continue;
            }
            const QByteArray series = bytesOf(k);
            const QByteArray key =
                QByteArray::number(pid) + '\0' + name + '\0' + id + '\0' + series;
            QByteArray laneName = name;
            if (!id.isEmpty()) laneName += '[' + id + ']';
            if (series != "value" || argsObj.size() > 1) laneName += ' ' + series;
            InstantRecord r;
            r.lane = counterLane(pid, key, laneName);
            r.ts = *ts;
            r.name = nameId;
            r.category = catId;
            r.value = x;
            r.hasValue = true;
            m_sink.instant(r);
        }
        break;
    }
    case 'b':
    case 'e':
    case 'n':
    case 'S':
    case 'F':
    case 'T':
    case 'p': {
        const bool legacy = ph == 'S' || ph == 'F' || ph == 'T' || ph == 'p';
        QByteArray key =
            QByteArray(catv.data(), qsizetype(catv.size())) + '\0' + idText(f.id, f.id2);
        if (legacy) key += '\0' + name;
        // Legacy async ids are global (a task may finish in another process);
        // nestable ones are process-local unless id2 says "global".
        const bool global = legacy || (f.id2 && f.id2->is_object() &&
                                       (*f.id2)["global"].error() == simdjson::SUCCESS);
        if (!global) key += '\0' + QByteArray::number(pid);
        Track &t = async(key, pid, name.isEmpty() ? QByteArray("async") : name);
        t.maxTs = t.maxTs == kNoTime ? *ts : std::max(t.maxTs, *ts);
        if (ph == 'b' || ph == 'S') {
            t.open.push_back({*ts, nameId, catId, QByteArray(args.constData(), args.size())});
        } else if (ph == 'e' || ph == 'F') {
            if (t.open.empty()) {
                m_ctx.diag("unmatched-end", Severity::Warning, offset, -1,
                           QStringLiteral("async end without an open begin; dropped"));
                break;
            }
            OpenBegin b = std::move(t.open.back());
            t.open.pop_back();
            addPending(t, b.ts, std::max(b.ts, *ts), b.name, b.cat,
                       b.args.isEmpty() ? QByteArrayView(args) : QByteArrayView(b.args));
        } else {
            instantOn(t.lane, {});
        }
        break;
    }
    case 's':
    case 't':
    case 'f': {
        const QByteArray key = QByteArray(catv.data(), qsizetype(catv.size())) + '\0' + name +
                               '\0' + idText(f.id, f.id2);
        flowPoint(ph, key, threadTrack().lane, *ts, offset);
        break;
    }
    default:
        m_ctx.diag("unknown-phase", Severity::Warning, offset, -1,
                   QStringLiteral("unknown phase '%1'")
                       .arg(QString::fromUtf8(phv.data(), qsizetype(phv.size()))));
        break;
    }
}

void ChromeReader::handleRange(const char *p, qsizetype n, qint64 offset)
{
    object o;
    const auto err = m_single.parse(p, size_t(n)).get(o);
    if (err) {
        ++m_events;
        m_ctx.diag("bad-event-json", Severity::Warning, offset, -1,
                   QStringLiteral("event is not valid JSON: %1")
                       .arg(jsonErrorText(err)));
        return;
    }
    handle(o, QByteArrayView(p, n), offset);
}

void ChromeReader::run()
{
    InputStream &in = m_ctx.input();
    EventSplitter split;
    QByteArray buf;
    std::vector<EventSplitter::Range> ranges;
    qsizetype scanFrom = 0;
    bool eof = false;
    while (!eof) {
        m_ctx.checkpoint();
        QByteArray chunk = in.read(kChunk);
        eof = chunk.isEmpty();
        if (eof) break;
        buf.reserve(buf.size() + chunk.size() + qsizetype(simdjson::SIMDJSON_PADDING));
        buf.append(chunk);
        chunk = QByteArray();
        ranges.clear();
        const qsizetype keep = split.feed(buf.data(), scanFrom, buf.size(), ranges);
        if (split.bad())
            throw ImportError(QStringLiteral("not a Chrome trace: the file is neither a JSON "
                                             "array of events nor an object with traceEvents"),
                              0);
        if (!ranges.empty()) {
            const qsizetype begin = ranges.front().begin, end = ranges.back().end;
            qsizetype largest = 0;
            for (const auto &r : ranges)
                largest = std::max(largest, r.end - r.begin);
            const size_t batch =
                std::max<size_t>(simdjson::dom::DEFAULT_BATCH_SIZE, size_t(largest) + 64);
            simdjson::dom::document_stream docs;
            size_t k = 0;
            if (m_parser.parse_many(buf.constData() + begin, size_t(end - begin), batch)
                    .get(docs) == simdjson::SUCCESS) {
                for (auto doc : docs) {
                    object o;
                    if (k >= ranges.size() || doc.get(o) != simdjson::SUCCESS) break;
                    const auto &r = ranges[k];
                    handle(o, QByteArrayView(buf.constData() + r.begin, r.end - r.begin),
                           m_offsetBase + r.begin);
                    ++k;
                    if ((k & 8191) == 0) m_ctx.checkpoint();
                }
            }
            // An event the stream could not take: parse the rest one by one
            // so one bad event costs one diagnostic.
            for (; k < ranges.size(); ++k) {
                const auto &r = ranges[k];
                handleRange(buf.constData() + r.begin, r.end - r.begin, m_offsetBase + r.begin);
            }
            if (m_pendingBytes > kPendingFlushBytes) flushAll(false);
        }
        // Keep only the event in progress.
        if (keep > 0) {
            buf.remove(0, keep);
            split.dropFront(keep);
            m_offsetBase += keep;
        }
        scanFrom = buf.size();
        if (buf.size() > kMaxEvent) {
            m_ctx.diag(
                "event-too-large", Severity::Warning, m_offsetBase, -1,
                QStringLiteral("an event larger than %1 (the limit for one event) was skipped").arg(limits::bytesText(kMaxEvent)));
            split.skipCurrentEvent();
            m_offsetBase += buf.size();
            buf.clear();
            scanFrom = 0;
        }
    }
    if (!split.eventsFound())
        throw ImportError(split.form() == EventSplitter::Form::Object
                              ? QStringLiteral("JSON object without a traceEvents array")
                              : QStringLiteral("not a Chrome trace (empty file)"),
                          0);
    if (split.inEvent())
        m_ctx.diag("truncated-event", Severity::Warning, m_offsetBase, -1,
                   QStringLiteral("the file ends inside an event; that event was dropped"));
    if (split.nonObjectElements() > 0)
        m_ctx.diag("not-an-object", Severity::Warning, -1, -1,
                   QStringLiteral("%1 elements of the event array are not objects")
                       .arg(split.nonObjectElements()));
    // Begins never closed become slices that end at their lane's last time.
    for (Track &t : m_tracks) {
        for (OpenBegin &b : t.open) {
            m_ctx.diag("unclosed-begin", Severity::Info, -1, -1,
                       QStringLiteral("a begin event has no end; its slice ends at the lane's "
                                      "last timestamp"));
            addPending(t, b.ts, std::max(b.ts, t.maxTs), b.name, b.cat, b.args);
        }
        t.open.clear();
    }
    flushAll(true);
    m_ctx.addEvents(m_events);
    if (m_events == 0 && (split.nonObjectElements() > 0 || split.inEvent()))
        throw ImportError(QStringLiteral("no usable trace event in the file"), 0);
}

} // namespace

QByteArray ChromeTraceImporter::id() const
{
    return "chrome-json";
}

QString ChromeTraceImporter::displayName() const
{
    return QStringLiteral("Chrome Trace Event JSON");
}

int ChromeTraceImporter::sniff(const SniffInput &in) const
{
    QByteArrayView h = in.head;
    if (h.startsWith("\xEF\xBB\xBF")) h = h.sliced(3);
    qsizetype i = 0;
    while (i < h.size() && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t'))
        ++i;
    if (i >= h.size()) return 0;
    h = h.sliced(i);
    if (h.startsWith("{")) {
        if (h.contains("\"traceEvents\"")) return 90;
        // traceEvents may come after a large member (systemTraceEvents,
        // metadata): recognise the object by its first key instead.
        qsizetype k = 1;
        while (k < h.size() && (h[k] == ' ' || h[k] == '\n' || h[k] == '\r' || h[k] == '\t'))
            ++k;
        for (const char *key : {"\"systemTraceEvents\"", "\"displayTimeUnit\"", "\"stackFrames\"",
                                "\"otherData\"", "\"controllerTraceDataKey\""})
            if (h.sliced(k).startsWith(key)) return 60;
        return 0;
    }
    if (h.startsWith("[")) {
        // An array of event objects: the first element has a phase.
        qsizetype j = 1;
        while (j < h.size() && (h[j] == ' ' || h[j] == '\n' || h[j] == '\r' || h[j] == '\t'))
            ++j;
        if (j >= h.size()) return 5;
        if (h[j] == ']') return 10; // empty array
        if (h[j] != '{') return 0;
        const QByteArrayView first = h.sliced(j, std::min<qsizetype>(h.size() - j, 4096));
        if (first.contains("\"ph\"")) return 80;
        return 0;
    }
    return 0;
}

void ChromeTraceImporter::run(ImportContext &ctx, RecordSink &sink)
{
    ctx.setStage(QStringLiteral("parsing events"));
    ChromeReader(ctx, sink).run();
}

} // namespace ls
