// Latency classes, critical path and comparison of requests.
//
// WHICH GOROUTINES BELONG TO A REQUEST. An execution trace ties goroutines to
// a request through its task: region spans (depth >= 1, category 'region')
// carry the task's request_id, and so do the state spans inside a region.
// The handler goroutine is the lane of the request's regions whose name holds
// "net/http.(*conn).serve" (the server runs handlers on the connection's
// goroutine); failing that, the lane of the request's earliest region, but
// only when that lane can be the server's: the request has no client-side
// times, or the lane's regions lie inside the logged server window (+-1 ms).
// A traced *client* goroutine (regions around the round trip) is thus never
// mistaken for the server: its waits on the transport would read as sync. Other
// lanes with regions of the request (e.g. fanout workers) and goroutines
// created by linked goroutines ('create' flows) during the window are linked
// too; they count in the goroutine-state totals of a comparison and the
// critical path reaches them through unblock flows.
//
// THE WINDOW. The server window is [server_start_ns, server_end_ns] when the
// request has both (server log or task), else the extent of its regions.
//
// HOW OVERLAPPING GOROUTINES ARE COMBINED. Wall time is split by the handler
// goroutine's own depth-0 states only, so the classes of one request sum to
// (at most) its window and never double count parallel workers: time the
// handler spends waiting for workers is blocked-sync (WaitGroup, channel),
// and criticalPath() says what the workers did meanwhile. Categories map to
// classes: running -> running; runnable -> runnable; blocked-net -> blocked-net
// (network and other poller I/O); blocked-sync, blocked-chan, blocked-select
// -> blocked-sync; sleep -> sleep (timers, e.g. an injected delay); syscall ->
// syscall; gc-assist and blocked-gc -> gc; anything else -> other. GC
// stop-the-world spans (category 'stw' on the trace's GC lane) overlapping
// the window override whatever the handler was doing: nothing runs then.
// Parts of the window the handler's spans don't cover are not classified.
//
// CLIENT SIDE. The client phases dns, connect, tls and wait (time to first
// byte) give the classes of the same names (summed per kind).
//
// DOMINANT CLASS. The class with the most time, where 'wait' competes only
// when no server trace explains it (the server classes are the inside of
// the client's wait).
//
// STORAGE. request_class (schema v2) holds one row per request, side and
// class with ns > 0 (plus 'window' and 'traced' bookkeeping rows);
// request.dominant_class the winner. The import pipeline recomputes every
// request at the end of each import that touched requests, inside its
// transaction: merging by key can change any request's window, and all of
// it is a few indexed queries per traced request (tens of ms for the 500
// traced requests of the gen corpus). Moving a source's clock and upgrading
// a v1 session recompute too.
//
// CRITICAL PATH. Walking backward from the window's end on the handler: a
// running/runnable/syscall piece is on the path itself; a blocked piece that
// ended with an 'unblock' flow from another goroutine is replaced by that
// goroutine's own path over [block start, wake time] (recursively, up to
// kMaxHops), the rest of the blocked piece staying on the waiter.

#include "analysis.h"
#include "schema.h"
#include "units.h"

#include <QElapsedTimer>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <unordered_map>

namespace ls {

namespace {

constexpr int kMaxHops = 6;
constexpr size_t kMaxSegments = 2000;

const char *const kClassNames[kLatencyClasses] = {
    "running", "runnable", "blocked-net", "blocked-sync", "sleep", "syscall",
    "gc",      "other",    "dns",         "connect",      "tls",   "wait"};

struct Interval
{
    TimeNs start = 0, end = 0;
};

struct StateSpan
{
    TimeNs start = 0, end = 0;
    StringId category = kNoId, name = kNoId;
};

qint64 overlap(TimeNs a0, TimeNs a1, TimeNs b0, TimeNs b1)
{
    return std::max<qint64>(0, std::min(a1, b1) - std::max(a0, b0));
}

// Sum of the parts of [t0, t1) covered by sorted, disjoint intervals.
qint64 coveredBy(const std::vector<Interval> &iv, TimeNs t0, TimeNs t1)
{
    if (iv.empty() || t1 <= t0) return 0;
    auto it = std::upper_bound(iv.begin(), iv.end(), t0,
                               [](TimeNs t, const Interval &i) { return t < i.end; });
    qint64 sum = 0;
    for (; it != iv.end() && it->start < t1; ++it)
        sum += overlap(t0, t1, it->start, it->end);
    return sum;
}

// Strings of the trace categories, looked up once per call.
struct Strings
{
    explicit Strings(const Db &db) : m_db(db) {}
    StringId id(const char *value)
    {
        auto it = m_ids.find(QByteArray(value));
        if (it != m_ids.end()) return it->second;
        Stmt st(m_db, "SELECT id FROM string WHERE value = ?");
        st.bindText(1, value);
        const StringId id = st.step() ? st.int64(0) : kNoId;
        m_ids.emplace(QByteArray(value), id);
        return id;
    }
    QString value(StringId id)
    {
        if (id == kNoId) return {};
        auto it = m_values.find(id);
        if (it != m_values.end()) return it->second;
        Stmt st(m_db, "SELECT value FROM string WHERE id = ?");
        st.bind(1, id);
        const QString v = st.step() ? st.string(0) : QString();
        m_values.emplace(id, v);
        return v;
    }
    // Category string id -> class; built from the names the importer interns.
    std::unordered_map<StringId, LatencyClass> classes()
    {
        std::unordered_map<StringId, LatencyClass> m;
        static const char *const kCats[] = {
            "running", "runnable", "blocked-net", "blocked-sync", "blocked-chan", "blocked-select",
            "sleep",   "syscall",  "gc-assist",   "blocked-gc",   "blocked-other"};
        for (const char *c : kCats)
            if (const StringId sid = id(c); sid != kNoId)
                m.emplace(sid, *classOfGoroutineState(QByteArrayView(c)));
        return m;
    }

    const Db &m_db;
    std::map<QByteArray, StringId> m_ids;
    std::unordered_map<StringId, QString> m_values;
};

struct RequestWindow
{
    qint64 id = 0;
    TimeNs serverStart = kNoTime, serverEnd = kNoTime;
    bool hasClient = false; // client-side times exist
};

constexpr qint64 kWindowSlackNs = 1000000;

void readWindow(Stmt &win, RequestWindow &w)
{
    win.bind(1, w.id);
    if (win.step()) {
        w.serverStart = win.isNull(0) ? kNoTime : win.int64(0);
        w.serverEnd = win.isNull(1) ? kNoTime : win.int64(1);
        w.hasClient = !win.isNull(2);
    }
    win.reset();
}

const char kWindowSql[] =
    "SELECT server_start_ns, server_end_ns, COALESCE(client_start_ns, client_end_ns) "
    "FROM request WHERE id = ?";

struct Linked
{
    qint64 handler = 0;    // lane id
    qint64 sourceId = 0;   // the handler lane's source
    TimeNs t0 = 0, t1 = 0; // window
};

// Depth-0 state spans of one lane intersecting [t0, t1), in time order: the
// latest one covering t0, then those starting inside. Each lane is read once,
// through its runs, and kept: the analysis asks for the same handler and
// critical-path goroutines again and again.
class LaneStates
{
public:
    explicit LaneStates(const Db &db)
        : m_read(db, "SELECT s.start_ns, s.end_ns, s.category_id, s.name_id FROM " LS_SPANS_BY_RUN
                     " WHERE r.lane_id = ? AND s.depth = 0")
    {}
    std::vector<StateSpan> load(qint64 lane, TimeNs t0, TimeNs t1)
    {
        const Lane &l = read(lane);
        std::vector<StateSpan> out;
        const auto startAfter = [&l](TimeNs t) {
            return size_t(
                std::upper_bound(l.spans.begin(), l.spans.end(), t,
                                 [](TimeNs v, const StateSpan &x) { return v < x.start; }) -
                l.spans.begin());
        };
        const size_t inside = startAfter(t0);
        // Back from the last start <= t0 while an earlier span may still reach past t0.
        for (size_t i = inside; i-- > 0 && l.maxEnd[i] > t0;)
            if (l.spans[i].end > t0) {
                out.push_back(l.spans[i]);
                break;
            }
        for (size_t i = inside; i < l.spans.size() && l.spans[i].start < t1; ++i)
            out.push_back(l.spans[i]);
        return out;
    }

private:
    struct Lane
    {
        std::vector<StateSpan> spans;
        std::vector<TimeNs> maxEnd; // maxEnd[i] = max(end of spans[0..i])
    };
    const Lane &read(qint64 lane)
    {
        auto [it, added] = m_lanes.try_emplace(lane);
        if (!added) return it->second;
        Lane &l = it->second;
        m_read.bind(1, lane);
        while (m_read.step()) {
            StateSpan s;
            s.start = m_read.int64(0);
            s.end = m_read.int64(1);
            s.category = m_read.isNull(2) ? kNoId : m_read.int64(2);
            s.name = m_read.isNull(3) ? kNoId : m_read.int64(3);
            l.spans.push_back(s);
        }
        m_read.reset();
        // Rows come in id order; a stable sort by start keeps ids in order
        // among equal starts (cheaper than SQLite sorting each lane).
        std::stable_sort(l.spans.begin(), l.spans.end(),
                         [](const StateSpan &a, const StateSpan &b) { return a.start < b.start; });
        l.maxEnd.reserve(l.spans.size());
        for (const StateSpan &s : l.spans)
            l.maxEnd.push_back(l.maxEnd.empty() ? s.end : std::max(l.maxEnd.back(), s.end));
        return l;
    }

    Stmt m_read;
    std::unordered_map<qint64, Lane> m_lanes;
};

// Handler lanes of requests, from their region spans.
struct RegionLane
{
    qint64 lane = 0, source = 0;
    TimeNs first = 0, last = 0;
    bool connServe = false;
};

std::unordered_map<qint64, std::vector<RegionLane>> regionLanes(const Db &db, Strings &strings,
                                                                qint64 onlyRequest)
{
    std::unordered_map<qint64, std::vector<RegionLane>> out;
    const StringId region = strings.id("region");
    if (region == kNoId) return out;
    QByteArray sql = "SELECT s.request_id, s.lane_id, l.source_id, MIN(s.start_ns), MAX(s.end_ns), "
                     "l.name LIKE '%net/http.(*conn).serve%' FROM span s JOIN lane l ON l.id = "
                     "s.lane_id WHERE s.request_id IS NOT NULL AND s.depth >= 1 AND "
                     "s.category_id = ?1 AND l.kind = 'goroutine'";
    if (onlyRequest > 0) sql += " AND s.request_id = ?2";
    sql += " GROUP BY s.request_id, s.lane_id";
    Stmt st(db, sql);
    st.bind(1, region);
    if (onlyRequest > 0) st.bind(2, onlyRequest);
    while (st.step()) {
        RegionLane r;
        r.lane = st.int64(1);
        r.source = st.int64(2);
        r.first = st.int64(3);
        r.last = st.int64(4);
        r.connServe = st.int64(5) != 0;
        out[st.int64(0)].push_back(r);
    }
    return out;
}

std::optional<Linked> linkRequest(const RequestWindow &w, const std::vector<RegionLane> &lanes)
{
    if (lanes.empty()) return std::nullopt;
    const RegionLane *best = nullptr;
    for (const RegionLane &r : lanes) {
        if (!best || (r.connServe && !best->connServe) ||
            (r.connServe == best->connServe && r.first < best->first))
            best = &r;
    }
    const bool knownWindow =
        w.serverStart != kNoTime && w.serverEnd != kNoTime && w.serverEnd > w.serverStart;
    if (!best->connServe && w.hasClient &&
        (!knownWindow || best->first < w.serverStart - kWindowSlackNs ||
         best->last > w.serverEnd + kWindowSlackNs))
        return std::nullopt;
    Linked l;
    l.handler = best->lane;
    l.sourceId = best->source;
    if (w.serverStart != kNoTime && w.serverEnd != kNoTime && w.serverEnd > w.serverStart) {
        l.t0 = w.serverStart;
        l.t1 = w.serverEnd;
    } else {
        l.t0 = best->first;
        l.t1 = best->last;
        for (const RegionLane &r : lanes)
            if (r.source == best->source) {
                l.t0 = std::min(l.t0, r.first);
                l.t1 = std::max(l.t1, r.last);
            }
    }
    if (l.t1 <= l.t0) return std::nullopt;
    return l;
}

// Stop-the-world intervals per trace source, sorted and merged.
std::unordered_map<qint64, std::vector<Interval>> stwBySource(const Db &db, Strings &strings)
{
    std::unordered_map<qint64, std::vector<Interval>> out;
    const StringId stw = strings.id("stw");
    if (stw == kNoId) return out;
    // CROSS JOIN keeps the few GC lanes outside: their spans are then read
    // through their runs rather than by a scan of every span.
    Stmt st(db, "SELECT l.source_id, s.start_ns, s.end_ns FROM lane l CROSS JOIN " LS_SPANS_BY_RUN
                " AND r.lane_id = l.id WHERE l.kind = 'gc' AND s.category_id = ? ORDER BY "
                "l.source_id, s.start_ns");
    st.bind(1, stw);
    while (st.step()) {
        std::vector<Interval> &v = out[st.int64(0)];
        const Interval i{st.int64(1), st.int64(2)};
        if (!v.empty() && i.start <= v.back().end)
            v.back().end = std::max(v.back().end, i.end);
        else
            v.push_back(i);
    }
    return out;
}

void classifyServer(ClassBreakdown &b, const Linked &l, const std::vector<StateSpan> &states,
                    const std::unordered_map<StringId, LatencyClass> &classOf,
                    const std::vector<Interval> *stw)
{
    b.serverWindowNs = l.t1 - l.t0;
    for (const StateSpan &s : states) {
        const TimeNs a = std::max(s.start, l.t0), e = std::min(s.end, l.t1);
        if (e <= a) continue;
        auto it = classOf.find(s.category);
        const LatencyClass c = it == classOf.end() ? LatencyClass::Other : it->second;
        const qint64 inStw = stw ? coveredBy(*stw, a, e) : 0;
        b.ns[size_t(c)] += (e - a) - inStw;
        b.ns[size_t(LatencyClass::Gc)] += inStw;
        b.serverTracedNs += e - a;
    }
}

void chooseDominant(ClassBreakdown &b)
{
    const bool traced = b.serverTracedNs > 0;
    qint64 best = 0;
    b.dominant.clear();
    for (int i = 0; i < kLatencyClasses; ++i) {
        if (traced && LatencyClass(i) == LatencyClass::Wait) continue;
        if (b.ns[size_t(i)] > best) {
            best = b.ns[size_t(i)];
            b.dominant = QString::fromLatin1(kClassNames[i]);
        }
    }
}

} // namespace

const char *latencyClassName(LatencyClass c)
{
    const int i = int(c);
    return i >= 0 && i < kLatencyClasses ? kClassNames[i] : "";
}

std::optional<LatencyClass> latencyClassFromName(QByteArrayView name)
{
    for (int i = 0; i < kLatencyClasses; ++i)
        if (name == QByteArrayView(kClassNames[i])) return LatencyClass(i);
    return std::nullopt;
}

std::optional<LatencyClass> classOfGoroutineState(QByteArrayView c)
{
    if (c == "running") return LatencyClass::Running;
    if (c == "runnable") return LatencyClass::Runnable;
    if (c == "blocked-net") return LatencyClass::BlockedNet;
    if (c == "blocked-sync" || c == "blocked-chan" || c == "blocked-select")
        return LatencyClass::BlockedSync;
    if (c == "sleep") return LatencyClass::Sleep;
    if (c == "syscall") return LatencyClass::Syscall;
    if (c == "gc-assist" || c == "blocked-gc") return LatencyClass::Gc;
    if (c == "blocked-other") return LatencyClass::Other;
    return std::nullopt;
}

bool isClientClass(LatencyClass c)
{
    return c == LatencyClass::Dns || c == LatencyClass::Connect || c == LatencyClass::Tls ||
           c == LatencyClass::Wait;
}

qint64 ClassBreakdown::total() const
{
    qint64 t = 0;
    for (qint64 v : ns)
        t += v;
    return t;
}

AnalysisStats analyzeRequests(Db &db, const std::vector<qint64> &requestIds)
{
    QElapsedTimer timer;
    timer.start();
    AnalysisStats stats;
    Strings strings(db);
    const auto classOf = strings.classes();
    const qint64 only = requestIds.size() == 1 ? requestIds.front() : 0;
    QSet<qint64> wanted;
    for (qint64 id : requestIds)
        wanted.insert(id);
    auto isWanted = [&](qint64 id) { return requestIds.empty() || wanted.contains(id); };

    std::map<qint64, ClassBreakdown> out;
    // Client phases.
    {
        Stmt st(db, "SELECT request_id, kind, SUM(end_ns - start_ns) FROM phase WHERE kind IN "
                    "('dns', 'connect', 'tls', 'wait') AND end_ns > start_ns "
                    "GROUP BY request_id, kind");
        while (st.step()) {
            const qint64 rid = st.int64(0);
            if (!isWanted(rid)) continue;
            const auto c = latencyClassFromName(st.textView(1));
            if (!c) continue;
            ClassBreakdown &b = out[rid];
            b.requestId = rid;
            b.ns[size_t(*c)] += st.int64(2);
        }
    }
    // Server side from execution traces.
    const auto lanes = regionLanes(db, strings, only);
    if (!lanes.empty()) {
        const auto stw = stwBySource(db, strings);
        LaneStates states(db);
        Stmt win(db, kWindowSql);
        for (const auto &[rid, rl] : lanes) {
            if (!isWanted(rid)) continue;
            RequestWindow w;
            w.id = rid;
            readWindow(win, w);
            const auto l = linkRequest(w, rl);
            if (!l) continue;
            ClassBreakdown &b = out[rid];
            b.requestId = rid;
            auto sit = stw.find(l->sourceId);
            classifyServer(b, *l, states.load(l->handler, l->t0, l->t1), classOf,
                           sit == stw.end() ? nullptr : &sit->second);
            if (b.serverTracedNs > 0) ++stats.traced;
        }
    }

    // Write.
    if (requestIds.empty()) {
        db.exec("DELETE FROM request_class");
        db.exec("UPDATE request SET dominant_class = NULL WHERE dominant_class IS NOT NULL");
    } else {
        Stmt del(db, "DELETE FROM request_class WHERE request_id = ?");
        Stmt clr(db, "UPDATE request SET dominant_class = NULL WHERE id = ?");
        for (qint64 id : requestIds) {
            del.bind(1, id).run();
            clr.bind(1, id).run();
        }
    }
    Stmt ins(db, "INSERT INTO request_class(request_id, side, class, ns) VALUES(?,?,?,?)");
    Stmt dom(db, "UPDATE request SET dominant_class = ? WHERE id = ?");
    for (auto &[rid, b] : out) {
        chooseDominant(b);
        if (b.dominant.isEmpty()) continue;
        ++stats.requests;
        for (int i = 0; i < kLatencyClasses; ++i) {
            if (b.ns[size_t(i)] <= 0) continue;
            ins.bind(1, rid)
                .bindText(2, QByteArrayView(isClientClass(LatencyClass(i)) ? "client" : "server"))
                .bindText(3, QByteArrayView(kClassNames[i]))
                .bind(4, b.ns[size_t(i)])
                .run();
        }
        if (b.serverWindowNs > 0) {
            // The analysed window and its traced part, so a reader can tell
            // "no trace" from "trace covered little".
            ins.bind(1, rid)
                .bindText(2, QByteArrayView("server"))
                .bindText(3, QByteArrayView("window"))
                .bind(4, b.serverWindowNs)
                .run();
            ins.bind(1, rid)
                .bindText(2, QByteArrayView("server"))
                .bindText(3, QByteArrayView("traced"))
                .bind(4, b.serverTracedNs)
                .run();
        }
        dom.bindText(1, b.dominant).bind(2, rid).run();
    }
    stats.ms = timer.elapsed();
    return stats;
}

namespace {

void readBreakdownRow(ClassBreakdown &b, QByteArrayView cls, qint64 ns)
{
    if (cls == "window")
        b.serverWindowNs = ns;
    else if (cls == "traced")
        b.serverTracedNs = ns;
    else if (const auto c = latencyClassFromName(cls))
        b.ns[size_t(*c)] += ns;
}

} // namespace

std::optional<ClassBreakdown> requestClasses(const Db &db, qint64 requestId)
{
    Stmt st(db, "SELECT class, ns FROM request_class WHERE request_id = ?");
    st.bind(1, requestId);
    ClassBreakdown b;
    b.requestId = requestId;
    bool any = false;
    while (st.step()) {
        any = true;
        readBreakdownRow(b, st.textView(0), st.int64(1));
    }
    if (!any) return std::nullopt;
    chooseDominant(b);
    return b;
}

std::map<qint64, ClassBreakdown> allRequestClasses(const Db &db)
{
    std::map<qint64, ClassBreakdown> out;
    Stmt st(db, "SELECT request_id, class, ns FROM request_class ORDER BY request_id");
    while (st.step()) {
        ClassBreakdown &b = out[st.int64(0)];
        b.requestId = st.int64(0);
        readBreakdownRow(b, st.textView(1), st.int64(2));
    }
    for (auto &[id, b] : out)
        chooseDominant(b);
    return out;
}

namespace {

std::optional<Linked> linkOne(const Db &db, qint64 requestId, Strings &strings)
{
    const auto lanes = regionLanes(db, strings, requestId);
    auto it = lanes.find(requestId);
    if (it == lanes.end()) return std::nullopt;
    RequestWindow w;
    w.id = requestId;
    Stmt win(db, kWindowSql);
    readWindow(win, w);
    return linkRequest(w, it->second);
}

QString laneName(const Db &db, qint64 lane)
{
    Stmt st(db, "SELECT name FROM lane WHERE id = ?");
    st.bind(1, lane);
    return st.step() ? st.string(0) : QString();
}

struct Waker
{
    qint64 lane = 0;
    TimeNs ts = 0;
};

class PathWalker
{
public:
    PathWalker(const Db &db, Strings &strings, TimeNs t0, TimeNs t1)
        : m_db(db), m_strings(strings), m_states(db)
    {
        // Unblock flows that can end a wait inside the window, keyed by the
        // woken lane and its wake time (a wait ends exactly where the flow lands).
        Stmt st(db, "SELECT to_lane_id, to_ts_ns, from_lane_id, from_ts_ns FROM flow f JOIN lane l "
                    "ON l.id = f.from_lane_id WHERE f.kind = 'unblock' AND l.kind = 'goroutine' "
                    "AND f.to_ts_ns > ? AND f.to_ts_ns <= ?");
        st.bind(1, t0).bind(2, t1);
        while (st.step())
            m_wakers[{st.int64(0), st.int64(1)}] = Waker{st.int64(2), st.int64(3)};
        for (const char *c : {"running", "runnable", "syscall", "gc-assist"})
            if (const StringId id = strings.id(c); id != kNoId) m_onCpu.insert(id);
    }

    // Appends the path of `lane` over [t0, t1) in reverse time order.
    void walk(qint64 lane, TimeNs t0, TimeNs t1, int hop, std::vector<PathSegment> &out)
    {
        const std::vector<StateSpan> spans = m_states.load(lane, t0, t1);
        for (auto it = spans.rbegin(); it != spans.rend() && out.size() < kMaxSegments; ++it) {
            const TimeNs a = std::max(it->start, t0), e = std::min(it->end, t1);
            if (e <= a) continue;
            if (!m_onCpu.contains(it->category) && hop < kMaxHops) {
                auto w = m_wakers.find({lane, it->end});
                if (w != m_wakers.end() && w->second.lane != lane) {
                    const TimeNs wakeAt = std::clamp(w->second.ts, a, e);
                    // After the wake-up, before this span's end: still the waiter.
                    if (e > wakeAt) out.push_back(segment(lane, wakeAt, e, *it, hop, {}));
                    if (wakeAt > a) {
                        const size_t before = out.size();
                        walk(w->second.lane, a, wakeAt, hop + 1, out);
                        // The waker's uncovered head (it did not exist yet): the wait itself.
                        const TimeNs covered = out.size() > before ? out.back().start : wakeAt;
                        if (covered > a)
                            out.push_back(segment(lane, a, covered, *it, hop,
                                                  laneName(m_db, w->second.lane)));
                        else if (out.size() > before)
                            tagWaiter(out, before, lane, *it);
                    }
                    continue;
                }
            }
            out.push_back(segment(lane, a, e, *it, hop, {}));
        }
    }

private:
    PathSegment segment(qint64 lane, TimeNs a, TimeNs e, const StateSpan &s, int hop,
                        const QString &wakerName)
    {
        PathSegment p;
        p.laneId = lane;
        p.laneName = name(lane);
        p.start = a;
        p.end = e;
        p.state = m_strings.value(s.category);
        p.reason = m_strings.value(s.name);
        if (p.reason == p.state) p.reason.clear();
        if (!wakerName.isEmpty())
            p.reason += (p.reason.isEmpty() ? QString() : QStringLiteral("; ")) +
                        QStringLiteral("waiting for %1").arg(wakerName);
        p.hop = hop;
        return p;
    }
    void tagWaiter(std::vector<PathSegment> &out, size_t from, qint64 waiter, const StateSpan &s)
    {
        const QString why =
            QStringLiteral("%1 waited here (%2)")
                .arg(name(waiter), m_strings.value(s.name).isEmpty() ? m_strings.value(s.category)
                                                                     : m_strings.value(s.name));
        for (size_t i = from; i < out.size(); ++i)
            if (out[i].reason.isEmpty()) out[i].reason = why;
    }
    const QString &name(qint64 lane)
    {
        auto it = m_names.find(lane);
        if (it == m_names.end()) it = m_names.emplace(lane, laneName(m_db, lane)).first;
        return it->second;
    }

    const Db &m_db;
    Strings &m_strings;
    LaneStates m_states;
    std::map<std::pair<qint64, TimeNs>, Waker> m_wakers;
    QSet<StringId> m_onCpu;
    std::unordered_map<qint64, QString> m_names;
};

} // namespace

qint64 handlerLane(const Db &db, qint64 requestId)
{
    Strings strings(db);
    const auto l = linkOne(db, requestId, strings);
    return l ? l->handler : 0;
}

std::vector<PathSegment> criticalPath(const Db &db, qint64 requestId)
{
    Strings strings(db);
    const auto l = linkOne(db, requestId, strings);
    if (!l) return {};
    PathWalker walker(db, strings, l->t0, l->t1);
    std::vector<PathSegment> out;
    walker.walk(l->handler, l->t0, l->t1, 0, out);
    std::reverse(out.begin(), out.end());
    // Adjacent pieces of one state on one goroutine (a region boundary or a
    // P change split them in the trace) read as one.
    std::vector<PathSegment> merged;
    for (PathSegment &p : out) {
        if (!merged.empty()) {
            PathSegment &m = merged.back();
            if (m.laneId == p.laneId && m.state == p.state && m.hop == p.hop &&
                m.reason == p.reason && m.end == p.start) {
                m.end = p.end;
                continue;
            }
        }
        merged.push_back(std::move(p));
    }
    return merged;
}

namespace {

RequestFacts factsFor(const Db &db, const QString &key, Strings &strings)
{
    RequestFacts f;
    const auto row = requestByKey(db, key);
    if (!row) throw DbError(QStringLiteral("no request with key '%1'").arg(key));
    f.row = *row;
    if (auto c = requestClasses(db, row->id)) f.classes = *c;
    f.classes.requestId = row->id;
    Stmt st(db, "SELECT COALESCE(name, kind), SUM(end_ns - start_ns) FROM phase WHERE "
                "request_id = ? AND kind = 'step' GROUP BY 1 ORDER BY MIN(start_ns)");
    st.bind(1, row->id);
    while (st.step())
        f.steps[st.string(0)] = st.int64(1);
    // Goroutine state totals over every linked goroutine: the handler, lanes
    // with the request's regions, and goroutines they created in the window.
    const auto l = linkOne(db, row->id, strings);
    if (!l) return f;
    QSet<qint64> linked{l->handler};
    {
        const auto lanes = regionLanes(db, strings, row->id);
        if (auto it = lanes.find(row->id); it != lanes.end())
            for (const RegionLane &r : it->second)
                if (r.source == l->sourceId) linked.insert(r.lane);
    }
    Stmt created(db, "SELECT to_lane_id FROM flow WHERE kind = 'create' AND from_lane_id = ? AND "
                     "from_ts_ns >= ? AND from_ts_ns < ?");
    QList<qint64> queue(linked.begin(), linked.end());
    while (!queue.isEmpty() && linked.size() < 10000) {
        const qint64 lane = queue.takeFirst();
        created.bind(1, lane).bind(2, l->t0).bind(3, l->t1);
        while (created.step()) {
            const qint64 child = created.int64(0);
            if (!linked.contains(child)) {
                linked.insert(child);
                queue << child;
            }
        }
        created.reset();
    }
    LaneStates states(db);
    for (qint64 lane : std::as_const(linked))
        for (const StateSpan &s : states.load(lane, l->t0, l->t1))
            f.goroutineStates[strings.value(s.category)] += overlap(s.start, s.end, l->t0, l->t1);
    f.goroutines = int(linked.size());
    // Critical path time per goroutine kind: the handler itself, else the
    // lane name without its goroutine number ("main.handleFanoutWorker"),
    // so two requests line up although their goroutines differ.
    static const QRegularExpression gnum(QStringLiteral("^g\\d+\\s*"));
    for (const PathSegment &p : criticalPath(db, row->id)) {
        QString who =
            p.laneId == l->handler ? QStringLiteral("handler") : QString(p.laneName).remove(gnum);
        if (who.isEmpty()) who = p.laneName;
        f.pathByGoroutine[who] += p.end - p.start;
    }
    return f;
}

} // namespace

RequestComparison compareRequests(const Db &db, const QString &keyA, const QString &keyB)
{
    Strings strings(db);
    RequestComparison c;
    c.a = factsFor(db, keyA, strings);
    c.b = factsFor(db, keyB, strings);
    return c;
}

QString CompareLine::valueText(qint64 v, const QString &none) const
{
    if (v < 0) return none;
    return isTime ? formatDuration(v) : QString::number(v);
}

QString CompareLine::deltaText(const QString &none, const QString &minus) const
{
    if (a < 0 || b < 0) return none;
    const qint64 d = b - a;
    if (!isTime) return QString::number(d);
    return d < 0 ? minus + formatDuration(-d) : QStringLiteral("+") + formatDuration(d);
}

QList<CompareLine> compareLines(const RequestComparison &c)
{
    QList<CompareLine> lines;
    auto add = [&lines](const QString &sec, const QString &name, qint64 a, qint64 b,
                        bool isTime = true) {
        lines.append({sec, name, a, b, isTime});
    };
    const QString req = QStringLiteral("request");
    add(req, QStringLiteral("status"), c.a.row.status, c.b.row.status, false);
    add(req, QStringLiteral("total"), c.a.row.duration(), c.b.row.duration());
    auto serverDur = [](const RequestRow &r) {
        return r.serverStart == kNoTime || r.serverEnd == kNoTime ? qint64(-1)
                                                                  : r.serverEnd - r.serverStart;
    };
    add(req, QStringLiteral("server"), serverDur(c.a.row), serverDur(c.b.row));
    for (int k = 0; k < kPhaseKinds; ++k)
        if (c.a.row.phaseNs[size_t(k)] >= 0 || c.b.row.phaseNs[size_t(k)] >= 0)
            add(QStringLiteral("phase"), QString::fromLatin1(phaseKindName(PhaseKind(k))),
                c.a.row.phaseNs[size_t(k)], c.b.row.phaseNs[size_t(k)]);
    for (int k = 0; k < kLatencyClasses; ++k) {
        const qint64 a = c.a.classes.ns[size_t(k)], b = c.b.classes.ns[size_t(k)];
        if (a > 0 || b > 0)
            add(QStringLiteral("class"), QString::fromLatin1(latencyClassName(LatencyClass(k))), a,
                b);
    }
    std::map<QString, std::pair<qint64, qint64>> states;
    for (const auto &[k, v] : c.a.goroutineStates)
        states[k] = {v, -1};
    for (const auto &[k, v] : c.b.goroutineStates) {
        auto it = states.find(k);
        states[k] = {it == states.end() ? -1 : it->second.first, v};
    }
    if (c.a.goroutines > 0 || c.b.goroutines > 0)
        add(QStringLiteral("goroutine"), QStringLiteral("goroutines"), c.a.goroutines,
            c.b.goroutines, false);
    for (const auto &[k, v] : states)
        add(QStringLiteral("goroutine"), k, v.first, v.second);
    std::map<QString, std::pair<qint64, qint64>> path;
    for (const auto &[k, v] : c.a.pathByGoroutine)
        path[k] = {v, -1};
    for (const auto &[k, v] : c.b.pathByGoroutine) {
        auto it = path.find(k);
        path[k] = {it == path.end() ? -1 : it->second.first, v};
    }
    for (const auto &[k, v] : path)
        add(QStringLiteral("path"), k, v.first, v.second);
    std::map<QString, std::pair<qint64, qint64>> steps;
    for (const auto &[k, v] : c.a.steps)
        steps[k] = {v, -1};
    for (const auto &[k, v] : c.b.steps) {
        auto it = steps.find(k);
        steps[k] = {it == steps.end() ? -1 : it->second.first, v};
    }
    for (const auto &[k, v] : steps)
        add(QStringLiteral("step"), k, v.first, v.second);
    return lines;
}

} // namespace ls
