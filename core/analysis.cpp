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
// THE WINDOW CLASSED IS THE WINDOW SHOWN: the server window is clipped to
// the request's own [start_ns, end_ns] (a client that timed out shows 25 ms
// although the server went on for 63 ms; its classes cover the 25 ms).
//
// HOW OVERLAPPING GOROUTINES ARE COMBINED. The window is split along the
// handler's critical path (below), which tiles it once, so the classes of one
// request sum to (at most) its window and never double count parallel
// workers. A wait that another goroutine ended (an unblock flow) counts as
// what that goroutine was doing meanwhile: a handler in select until the
// transport's read loop, blocked on the network, woke it is waiting on the
// network ("network via g301 ..."); a handler waiting on a WaitGroup while a
// worker computed is running (via the worker). A mutex wait stays a mutex
// wait whatever its holder did: the contention is the cause. Categories map
// to classes: running -> running; runnable -> runnable; blocked-net ->
// blocked-net (network and other poller I/O); blocked-sync -> blocked-mutex,
// or blocked-wait when the state is 'sync.Cond' or its blocking stack is in
// sync.(*WaitGroup) / sync.(*Cond); blocked-chan -> blocked-chan;
// blocked-select -> blocked-select; sleep -> sleep (timers, e.g. an injected
// delay); syscall -> syscall; gc-assist and blocked-gc -> gc-assist; anything
// else -> other. GC stop-the-world spans (category 'stw' on the trace's GC
// lane) overlapping the window count as stw whatever the path did: nothing
// runs then. Parts of the window the handler's spans don't cover are not
// classified.
//
// CLIENT SIDE. The client phases dns, connect, tls and wait (time to first
// byte) give the classes of the same names (summed per kind). The server's
// classes are the inside of the client's wait, so 'wait' keeps only what they
// do not explain (the network between the two, queueing, untraced server
// time). A breakdown never exceeds the request's duration.
//
// THE CAUSE. The largest parts of the classed path (at least 5% of the
// request, at most three), each as its class, the goroutine it was passed
// through and the innermost trace region of the handler it fell in; without a
// trace, the largest server steps and client phases. Stored in request.cause.
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
#include "timeline.h"
#include "units.h"

#include <QElapsedTimer>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <limits>
#include <list>
#include <optional>
#include <set>
#include <unordered_map>

namespace ls {

namespace {

constexpr int kMaxHops = 6;
constexpr size_t kMaxSegments = 2000;

const char *const kClassNames[kLatencyClasses] = {
    "running",      "runnable",       "blocked-net", "blocked-mutex", "blocked-wait",
    "blocked-chan", "blocked-select", "sleep",       "syscall",       "gc-assist",
    "stw",          "other",          "dns",         "connect",       "tls",
    "wait"};

const char *const kClassPhrases[kLatencyClasses] = {"running",
                                                    "waiting for a CPU",
                                                    "network",
                                                    "mutex",
                                                    "WaitGroup/Cond wait",
                                                    "channel wait",
                                                    "select",
                                                    "sleep",
                                                    "syscall",
                                                    "GC assist",
                                                    "GC stop-the-world",
                                                    "blocked",
                                                    "DNS",
                                                    "connect",
                                                    "TLS handshake",
                                                    "waiting for the server"};

struct Interval
{
    TimeNs start = 0, end = 0;
};

struct StateSpan
{
    TimeNs start = 0, end = 0;
    StringId category = kNoId, name = kNoId;
    qint64 stack = kNoId; // blocking stack (callsite), from args {"stack":N}
};

// The callsite of a state span's args ({"stack":N}, the only args the
// execution-trace importer writes on states).
qint64 stackOfArgs(QByteArrayView args)
{
    static constexpr QByteArrayView kPrefix = "{\"stack\":";
    if (!args.startsWith(kPrefix)) return kNoId;
    qint64 v = 0;
    bool any = false;
    for (qsizetype i = kPrefix.size(); i < args.size() && args[i] >= '0' && args[i] <= '9'; ++i) {
        v = v * 10 + (args[i] - '0');
        any = true;
    }
    return any ? v : kNoId;
}

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
    const Db &m_db;
    std::map<QByteArray, StringId> m_ids;
    std::unordered_map<StringId, QString> m_values;
};

struct RequestWindow
{
    qint64 id = 0;
    TimeNs serverStart = kNoTime, serverEnd = kNoTime;
    TimeNs start = kNoTime, end = kNoTime; // the request as shown
    bool hasClient = false;                // client-side times exist
};

constexpr qint64 kWindowSlackNs = 1000000;

void readWindow(Stmt &win, RequestWindow &w)
{
    win.bind(1, w.id);
    if (win.step()) {
        w.serverStart = win.isNull(0) ? kNoTime : win.int64(0);
        w.serverEnd = win.isNull(1) ? kNoTime : win.int64(1);
        w.hasClient = !win.isNull(2);
        w.start = win.isNull(3) ? kNoTime : win.int64(3);
        w.end = win.isNull(4) ? kNoTime : win.int64(4);
    }
    win.reset();
}

const char kWindowSql[] =
    "SELECT server_start_ns, server_end_ns, COALESCE(client_start_ns, client_end_ns), start_ns, "
    "end_ns FROM request WHERE id = ?";

struct Linked
{
    qint64 handler = 0;    // lane id
    qint64 sourceId = 0;   // the handler lane's source
    TimeNs t0 = 0, t1 = 0; // window
};

// Depth-0 state spans of one lane intersecting [t0, t1), in time order: the
// latest one covering t0, then those starting inside. A lane of up to
// kAnalysisWholeLaneSpans spans is read once, through its runs, and kept:
// the analysis asks for the same handler and critical-path goroutines again
// and again. A longer lane (a keep-alive connection's goroutine, a load
// generator's worker: alive through the whole trace) is read a chunk of runs
// at a time, from the first run that can meet the window on: requests are
// walked in time order, so the next ones find their window in the chunk.
// Read whole, such lanes were read again for every request that hopped to
// them once the kept lanes passed kMaxKeptSpans; read by each window, every
// hop read thousands of rows (a 317 MB trace's analysis ran for most of an
// hour either way).
class LaneStates
{
public:
    explicit LaneStates(const Db &db, qint64 wholeLane = kAnalysisWholeLaneSpans)
        : m_wholeLane(wholeLane),
          m_read(
              db,
              "SELECT s.start_ns, s.end_ns, s.category_id, s.name_id, s.args FROM " LS_SPANS_BY_RUN
              " WHERE r.lane_id = ? AND s.depth = 0"),
          m_readIds(db, "SELECT start_ns, end_ns, category_id, name_id, args FROM span WHERE id "
                        "BETWEEN ? AND ? AND depth = 0"),
          m_runs(db, "SELECT first_id, last_id, start_min, end_max FROM span_run WHERE lane_id = ? "
                     "ORDER BY first_id")
    {}
    std::vector<StateSpan> load(qint64 lane, TimeNs t0, TimeNs t1)
    {
        const Runs &runs = runsOf(lane);
        if (runs.spans > m_wholeLane) return slice(chunk(lane, runs, t0, t1), t0, t1);
        return slice(read(lane), t0, t1);
    }

private:
    struct Lane
    {
        std::vector<StateSpan> spans;
        std::vector<TimeNs> maxEnd; // maxEnd[i] = max(end of spans[0..i])
        std::list<qint64>::iterator recent;
    };
    struct Run
    {
        qint64 first, last;
        TimeNs startMin, endMax;
    };
    // A lane's runs in id order, with the running max of their ends and the
    // min of the starts from each run on: the runs that can meet a window
    // lie between two binary searches.
    struct Runs
    {
        std::vector<Run> runs;
        std::vector<TimeNs> endMaxUpTo, startMinFrom;
        qint64 spans = 0;
    };
    struct Chunk
    {
        size_t first = 0, last = 0; // runs [first, last) are read
        Lane data;
    };
    static constexpr size_t kChunkRuns = 16;

    static std::vector<StateSpan> slice(const Lane &l, TimeNs t0, TimeNs t1)
    {
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
    const Runs &runsOf(qint64 lane)
    {
        if (const auto it = m_runsOf.find(lane); it != m_runsOf.end()) return it->second;
        Runs &r = m_runsOf[lane];
        m_runs.bind(1, lane);
        while (m_runs.step()) {
            r.runs.push_back({m_runs.int64(0), m_runs.int64(1), m_runs.int64(2), m_runs.int64(3)});
            r.spans += r.runs.back().last - r.runs.back().first + 1;
        }
        m_runs.reset();
        const size_t n = r.runs.size();
        r.endMaxUpTo.resize(n);
        r.startMinFrom.resize(n);
        for (size_t i = 0; i < n; ++i)
            r.endMaxUpTo[i] =
                i ? std::max(r.endMaxUpTo[i - 1], r.runs[i].endMax) : r.runs[i].endMax;
        for (size_t i = n; i-- > 0;)
            r.startMinFrom[i] = i + 1 < n ? std::min(r.startMinFrom[i + 1], r.runs[i].startMin)
                                          : r.runs[i].startMin;
        return r;
    }
    // The chunk of a long lane holding every run that can meet [t0, t1).
    const Lane &chunk(qint64 lane, const Runs &r, TimeNs t0, TimeNs t1)
    {
        // Runs before `lo` end by t0; runs from `hi` on start at t1 or later.
        const size_t lo = size_t(std::upper_bound(r.endMaxUpTo.begin(), r.endMaxUpTo.end(), t0) -
                                 r.endMaxUpTo.begin());
        const size_t hi =
            size_t(std::lower_bound(r.startMinFrom.begin(), r.startMinFrom.end(), t1) -
                   r.startMinFrom.begin());
        Chunk &c = m_chunks[lane];
        if (lo >= hi || (c.first <= lo && hi <= c.last && c.last > c.first)) return c.data;
        c.first = lo;
        c.last = std::min(r.runs.size(), std::max(hi, lo + kChunkRuns));
        c.data = Lane();
        for (size_t i = c.first; i < c.last; ++i) {
            m_readIds.bind(1, r.runs[i].first);
            m_readIds.bind(2, r.runs[i].last);
            appendRows(c.data, m_readIds);
        }
        finishLane(c.data);
        return c.data;
    }
    // Lanes stay read while they fit (kMaxKeptSpans); past that the least
    // recently used go first. The returned lane is valid until the next read.
    const Lane &read(qint64 lane)
    {
        if (auto it = m_lanes.find(lane); it != m_lanes.end()) {
            m_recent.splice(m_recent.begin(), m_recent, it->second.recent);
            return it->second;
        }
        while (m_keptSpans > kMaxKeptSpans && !m_recent.empty()) {
            const auto old = m_lanes.find(m_recent.back());
            m_keptSpans -= old->second.spans.size();
            m_lanes.erase(old);
            m_recent.pop_back();
        }
        Lane &l = m_lanes[lane];
        m_recent.push_front(lane);
        l.recent = m_recent.begin();
        m_read.bind(1, lane);
        appendRows(l, m_read);
        finishLane(l);
        m_keptSpans += l.spans.size();
        return l;
    }
    // The rows of a bound statement (then reset).
    static void appendRows(Lane &l, Stmt &st)
    {
        while (st.step()) {
            StateSpan s;
            s.start = st.int64(0);
            s.end = st.int64(1);
            s.category = st.isNull(2) ? kNoId : st.int64(2);
            s.name = st.isNull(3) ? kNoId : st.int64(3);
            if (!st.isNull(4)) s.stack = stackOfArgs(st.textView(4));
            l.spans.push_back(s);
        }
        st.reset();
    }
    static void finishLane(Lane &l)
    {
        // Rows come in id order; a stable sort by start keeps ids in order
        // among equal starts (cheaper than SQLite sorting each lane).
        std::stable_sort(l.spans.begin(), l.spans.end(),
                         [](const StateSpan &a, const StateSpan &b) { return a.start < b.start; });
        l.maxEnd.reserve(l.spans.size());
        for (const StateSpan &s : l.spans)
            l.maxEnd.push_back(l.maxEnd.empty() ? s.end : std::max(l.maxEnd.back(), s.end));
    }

    static constexpr size_t kMaxKeptSpans = 4'000'000; // about 190 MB of states
    qint64 m_wholeLane;
    Stmt m_read, m_readIds, m_runs;
    std::unordered_map<qint64, Lane> m_lanes;
    std::unordered_map<qint64, Runs> m_runsOf;
    std::unordered_map<qint64, Chunk> m_chunks; // long lanes
    std::list<qint64> m_recent;                 // most recently read first
    size_t m_keptSpans = 0;
};

// Handler lanes of requests, from their region spans.
struct RegionLane
{
    qint64 lane = 0, source = 0;
    TimeNs first = 0, last = 0;
    bool connServe = false;
};

// One trace region of a request on a goroutine lane: what ties goroutines
// to requests, and names where the time went.
struct RegionPiece
{
    qint64 lane = 0, source = 0;
    TimeNs start = 0, end = 0;
    int depth = 0;
    StringId name = kNoId;  // the region's name (a string id: thousands of requests share a few)
    bool connServe = false; // the lane is a net/http connection's goroutine
};

// Region spans by request, of the requests with ids in [firstId, lastId]
// (through the index on span.request_id).
std::unordered_map<qint64, std::vector<RegionPiece>> regionPieces(const Db &db, Strings &strings,
                                                                  qint64 firstId, qint64 lastId)
{
    std::unordered_map<qint64, std::vector<RegionPiece>> out;
    const StringId region = strings.id("region");
    if (region == kNoId) return out;
    Stmt st(db, "SELECT s.request_id, s.lane_id, l.source_id, s.start_ns, s.end_ns, s.depth, "
                "s.name_id, l.name LIKE '%net/http.(*conn).serve%' FROM span s JOIN lane l ON "
                "l.id = s.lane_id WHERE s.request_id BETWEEN ?2 AND ?3 AND s.depth >= 1 AND "
                "s.category_id = ?1 AND l.kind = 'goroutine'");
    st.bind(1, region).bind(2, firstId).bind(3, lastId);
    while (st.step())
        out[st.int64(0)].push_back({st.int64(1), st.int64(2), st.int64(3), st.int64(4),
                                    int(st.int64(5)), st.isNull(6) ? kNoId : st.int64(6),
                                    st.int64(7) != 0});
    return out;
}

// The lanes of each request's regions, with the extent of its regions there.
std::unordered_map<qint64, std::vector<RegionLane>>
regionLanes(const std::unordered_map<qint64, std::vector<RegionPiece>> &pieces)
{
    std::unordered_map<qint64, std::vector<RegionLane>> out;
    for (const auto &[rid, ps] : pieces) {
        std::vector<RegionLane> &lanes = out[rid];
        for (const RegionPiece &p : ps) {
            auto it = std::find_if(lanes.begin(), lanes.end(),
                                   [&](const RegionLane &l) { return l.lane == p.lane; });
            if (it == lanes.end()) {
                lanes.push_back({p.lane, p.source, p.start, p.end, p.connServe});
            } else {
                it->first = std::min(it->first, p.start);
                it->last = std::max(it->last, p.end);
            }
        }
    }
    return out;
}

std::unordered_map<qint64, std::vector<RegionLane>> regionLanes(const Db &db, Strings &strings,
                                                                qint64 onlyRequest)
{
    return regionLanes(regionPieces(db, strings, onlyRequest, onlyRequest));
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
    // The window classed is the window shown.
    if (w.start != kNoTime) l.t0 = std::max(l.t0, w.start);
    if (w.end != kNoTime) l.t1 = std::min(l.t1, w.end);
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

// The class of a goroutine state span: its category, and for a sync wait
// whether it is a mutex or a WaitGroup/Cond (state name or blocking stack).
class Classifier
{
public:
    Classifier(const Db &db, Strings &strings)
        : m_frames(db, "WITH RECURSIVE up(id, parent_id, frame_id, n) AS (SELECT id, parent_id, "
                       "frame_id, 0 FROM callsite WHERE id = ? UNION ALL SELECT c.id, "
                       "c.parent_id, c.frame_id, up.n + 1 FROM callsite c JOIN up ON c.id = "
                       "up.parent_id WHERE up.n < 3) SELECT count(*) FROM up JOIN frame f ON "
                       "f.id = up.frame_id WHERE f.function LIKE 'sync.(*WaitGroup)%' OR "
                       "f.function LIKE 'sync.(*Cond)%'")
    {
        static const char *const kCats[] = {
            "running", "runnable", "blocked-net", "blocked-sync", "blocked-chan", "blocked-select",
            "sleep",   "syscall",  "gc-assist",   "blocked-gc",   "blocked-other"};
        for (const char *c : kCats)
            if (const StringId sid = strings.id(c); sid != kNoId)
                m_base.emplace(sid, *classOfGoroutineState(QByteArrayView(c)));
        m_cond = strings.id("sync.Cond");
        m_group = strings.id("sync.WaitGroup");
    }
    LatencyClass of(const StateSpan &s)
    {
        const auto it = m_base.find(s.category);
        const LatencyClass c = it == m_base.end() ? LatencyClass::Other : it->second;
        if (c != LatencyClass::BlockedMutex) return c;
        if (s.name != kNoId && (s.name == m_cond || s.name == m_group))
            return LatencyClass::BlockedWait;
        return s.stack != kNoId && waitsOnGroup(s.stack) ? LatencyClass::BlockedWait : c;
    }
    bool onCpu(const StateSpan &s) const
    {
        const auto it = m_base.find(s.category);
        return it != m_base.end() &&
               (it->second == LatencyClass::Running || it->second == LatencyClass::Runnable ||
                it->second == LatencyClass::Syscall || it->second == LatencyClass::GcAssist);
    }

private:
    bool waitsOnGroup(qint64 stack)
    {
        auto [it, added] = m_stacks.try_emplace(stack, false);
        if (added) {
            m_frames.bind(1, stack);
            it->second = m_frames.step() && m_frames.int64(0) > 0;
            m_frames.reset();
        }
        return it->second;
    }
    std::unordered_map<StringId, LatencyClass> m_base;
    StringId m_cond = kNoId, m_group = kNoId;
    Stmt m_frames;
    std::unordered_map<qint64, bool> m_stacks;
};

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
// Unblock flows from goroutines, keyed by the woken lane and its wake time (a
// wait ends exactly where the flow lands). Flows are read a block of ids at a
// time, when a look-up needs one: they are written about in time order (a
// generation's grouped by lane), so a block covers a short stretch of time,
// and requests walked in time order need few blocks at once. One pass over
// the flows' landing times finds each block's range; the most recently used
// blocks stay (kKeptBlocks). Held whole, 32 bytes a flow were most of the
// analysis's memory on big traces (300 MB at 9.5 M flows).
class WakerMap
{
public:
    explicit WakerMap(const Db &db)
        : m_read(db, "SELECT f.to_lane_id, f.to_ts_ns, f.from_lane_id, f.from_ts_ns FROM flow f "
                     "JOIN lane l ON l.id = f.from_lane_id WHERE f.id BETWEEN ?1 AND ?2 AND "
                     "f.kind = 'unblock' AND l.kind = 'goroutine' AND f.to_ts_ns IS NOT NULL "
                     "ORDER BY f.id")
    {
        Stmt st(db, "SELECT id, to_ts_ns FROM flow WHERE kind = 'unblock' AND to_ts_ns IS NOT "
                    "NULL ORDER BY id");
        while (st.step()) {
            const qint64 id = st.int64(0);
            const TimeNs ts = st.int64(1);
            if (m_blocks.empty() || m_blocks.back().flows == kBlockFlows)
                m_blocks.push_back({id, id, ts, ts, 0});
            Block &b = m_blocks.back();
            b.last = id;
            b.minTs = std::min(b.minTs, ts);
            b.maxTs = std::max(b.maxTs, ts);
            ++b.flows;
        }
        const size_t n = m_blocks.size();
        m_maxUpTo.resize(n);
        m_minFrom.resize(n);
        for (size_t i = 0; i < n; ++i)
            m_maxUpTo[i] = i ? std::max(m_maxUpTo[i - 1], m_blocks[i].maxTs) : m_blocks[i].maxTs;
        for (size_t i = n; i-- > 0;)
            m_minFrom[i] =
                i + 1 < n ? std::min(m_minFrom[i + 1], m_blocks[i].minTs) : m_blocks[i].minTs;
    }
    // Of flows landing on `lane` at `ts`, the last written.
    std::optional<Waker> find(qint64 lane, TimeNs ts)
    {
        // Blocks before `lo` all land before ts; blocks from `hi` on all after it.
        const size_t lo =
            size_t(std::lower_bound(m_maxUpTo.begin(), m_maxUpTo.end(), ts) - m_maxUpTo.begin());
        const size_t hi =
            size_t(std::upper_bound(m_minFrom.begin(), m_minFrom.end(), ts) - m_minFrom.begin());
        std::optional<Waker> found;
        for (size_t i = lo; i < hi; ++i) {
            if (ts < m_blocks[i].minTs || ts > m_blocks[i].maxTs) continue;
            const std::vector<Row> &rows = rowsOf(i);
            const auto it =
                std::lower_bound(rows.begin(), rows.end(), std::make_pair(lane, ts),
                                 [](const Row &r, const std::pair<qint64, TimeNs> &k) {
                                     return std::tie(r.lane, r.ts) < std::tie(k.first, k.second);
                                 });
            if (it != rows.end() && it->lane == lane && it->ts == ts) found = it->waker;
        }
        return found;
    }

private:
    static constexpr qint64 kBlockFlows = 4096;
    static constexpr size_t kKeptBlocks = 64;
    struct Block
    {
        qint64 first, last;
        TimeNs minTs, maxTs;
        qint64 flows;
    };
    struct Row
    {
        qint64 lane;
        TimeNs ts;
        Waker waker;
    };
    struct Loaded
    {
        std::vector<Row> rows;
        std::list<size_t>::iterator recent;
    };
    // A block's flows sorted by (lane, time); of those landing at the same
    // moment the last written counts.
    const std::vector<Row> &rowsOf(size_t block)
    {
        if (auto it = m_loaded.find(block); it != m_loaded.end()) {
            m_recent.splice(m_recent.begin(), m_recent, it->second.recent);
            return it->second.rows;
        }
        if (m_loaded.size() >= kKeptBlocks) {
            m_loaded.erase(m_recent.back());
            m_recent.pop_back();
        }
        Loaded &l = m_loaded[block];
        m_recent.push_front(block);
        l.recent = m_recent.begin();
        m_read.bind(1, m_blocks[block].first).bind(2, m_blocks[block].last);
        while (m_read.step())
            l.rows.push_back(
                {m_read.int64(0), m_read.int64(1), Waker{m_read.int64(2), m_read.int64(3)}});
        m_read.reset();
        std::stable_sort(l.rows.begin(), l.rows.end(), [](const Row &a, const Row &b) {
            return std::tie(a.lane, a.ts) < std::tie(b.lane, b.ts);
        });
        size_t out = 0;
        for (size_t i = 0; i < l.rows.size(); ++i) {
            if (out > 0 && l.rows[out - 1].lane == l.rows[i].lane &&
                l.rows[out - 1].ts == l.rows[i].ts)
                --out;
            l.rows[out++] = l.rows[i];
        }
        l.rows.resize(out);
        return l.rows;
    }

    Stmt m_read;
    std::vector<Block> m_blocks;
    std::vector<TimeNs> m_maxUpTo, m_minFrom;
    std::unordered_map<size_t, Loaded> m_loaded;
    std::list<size_t> m_recent; // most recently used first
};

class PathWalker
{
public:
    PathWalker(const Db &db, Strings &strings, WakerMap &wakers, LaneStates &states,
               Classifier &classes)
        : m_db(db), m_strings(strings), m_wakers(wakers), m_states(states), m_classes(classes)
    {}

    // Appends the path of `lane` over [t0, t1) in reverse time order.
    // `outerWait`: the class of the handler's wait this walk explains (none
    // on the handler itself).
    void walk(qint64 lane, TimeNs t0, TimeNs t1, int hop, std::vector<PathSegment> &out,
              std::optional<LatencyClass> outerWait = std::nullopt)
    {
        const std::vector<StateSpan> spans = m_states.load(lane, t0, t1);
        for (auto it = spans.rbegin(); it != spans.rend() && out.size() < kMaxSegments; ++it) {
            const TimeNs a = std::max(it->start, t0), e = std::min(it->end, t1);
            if (e <= a) continue;
            if (!m_classes.onCpu(*it) && hop < kMaxHops) {
                const std::optional<Waker> w = m_wakers.find(lane, it->end);
                if (w && w->lane != lane) {
                    const TimeNs wakeAt = std::clamp(w->ts, a, e);
                    // After the wake-up, before this span's end: still the waiter.
                    if (e > wakeAt)
                        out.push_back(segment(lane, wakeAt, e, *it, hop, {}, outerWait));
                    if (wakeAt > a) {
                        const size_t before = out.size();
                        walk(w->lane, a, wakeAt, hop + 1, out,
                             outerWait ? outerWait : m_classes.of(*it));
                        // The waker's uncovered head (it did not exist yet): the wait itself.
                        const TimeNs covered = out.size() > before ? out.back().start : wakeAt;
                        if (covered > a)
                            out.push_back(segment(lane, a, covered, *it, hop,
                                                  laneName(m_db, w->lane), outerWait));
                        else if (out.size() > before)
                            tagWaiter(out, before, lane, *it);
                    }
                    continue;
                }
            }
            out.push_back(segment(lane, a, e, *it, hop, {}, outerWait));
        }
    }

private:
    PathSegment segment(qint64 lane, TimeNs a, TimeNs e, const StateSpan &s, int hop,
                        const QString &wakerName, std::optional<LatencyClass> outerWait)
    {
        PathSegment p;
        // A mutex wait stays one whatever its holder did meanwhile.
        p.latencyClass = QString::fromLatin1(
            latencyClassName(outerWait == LatencyClass::BlockedMutex ? LatencyClass::BlockedMutex
                                                                     : m_classes.of(s)));
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
    WakerMap &m_wakers;
    LaneStates &m_states;
    Classifier &m_classes;
    std::unordered_map<qint64, QString> m_names;
};

// The path over a linked request's window, in time order, adjacent pieces
// of one state on one goroutine merged (a region boundary or a P change
// split them in the trace).
std::vector<PathSegment> pathOf(PathWalker &walker, const Linked &l)
{
    std::vector<PathSegment> out;
    walker.walk(l.handler, l.t0, l.t1, 0, out);
    std::reverse(out.begin(), out.end());
    std::vector<PathSegment> merged;
    for (PathSegment &p : out) {
        if (!merged.empty()) {
            PathSegment &m = merged.back();
            if (m.laneId == p.laneId && m.state == p.state && m.hop == p.hop &&
                m.reason == p.reason && m.latencyClass == p.latencyClass && m.end == p.start) {
                m.end = p.end;
                continue;
            }
        }
        merged.push_back(std::move(p));
    }
    return merged;
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

std::optional<LatencyClass> classOfGoroutineState(QByteArrayView c, QByteArrayView name,
                                                  bool waitsOnGroup)
{
    if (c == "running") return LatencyClass::Running;
    if (c == "runnable") return LatencyClass::Runnable;
    if (c == "blocked-net") return LatencyClass::BlockedNet;
    if (c == "blocked-sync")
        return name == "sync.Cond" || name == "sync.WaitGroup" || waitsOnGroup
                   ? LatencyClass::BlockedWait
                   : LatencyClass::BlockedMutex;
    if (c == "blocked-chan") return LatencyClass::BlockedChan;
    if (c == "blocked-select") return LatencyClass::BlockedSelect;
    if (c == "sleep") return LatencyClass::Sleep;
    if (c == "syscall") return LatencyClass::Syscall;
    if (c == "gc-assist" || c == "blocked-gc") return LatencyClass::GcAssist;
    if (c == "stw") return LatencyClass::Stw;
    if (c == "blocked-other") return LatencyClass::Other;
    return std::nullopt;
}

const char *latencyClassPhrase(LatencyClass c)
{
    const int i = int(c);
    return i >= 0 && i < kLatencyClasses ? kClassPhrases[i] : "";
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

namespace {

// The innermost region of `lane` around t, empty when none.
QString regionAt(Strings &strings, const std::vector<RegionPiece> *regions, qint64 lane, TimeNs t)
{
    if (!regions) return {};
    const RegionPiece *best = nullptr;
    for (const RegionPiece &r : *regions)
        if (r.lane == lane && r.start <= t && t < r.end && (!best || r.depth > best->depth))
            best = &r;
    return best ? strings.value(best->name) : QString();
}

// Classes of the server side from the critical path; GC stop-the-world
// time counts as stw whatever the path did.
void classifyPath(ClassBreakdown &b, const Linked &l, const std::vector<PathSegment> &path,
                  const std::vector<Interval> *stw)
{
    b.serverWindowNs = l.t1 - l.t0;
    for (const PathSegment &p : path) {
        const qint64 d = p.end - p.start;
        if (d <= 0) continue;
        const qint64 inStw = stw ? coveredBy(*stw, p.start, p.end) : 0;
        const auto c = latencyClassFromName(QByteArrayView(p.latencyClass.toLatin1()));
        b.ns[size_t(c ? *c : LatencyClass::Other)] += d - inStw;
        b.ns[size_t(LatencyClass::Stw)] += inStw;
        b.serverTracedNs += d;
    }
}

// The client's wait keeps what the server's classes do not explain, and
// the breakdown never exceeds the request's duration.
void settleClient(ClassBreakdown &b, qint64 duration)
{
    qint64 &wait = b.ns[size_t(LatencyClass::Wait)];
    if (wait > 0 && b.serverTracedNs > 0) wait = std::max<qint64>(0, wait - b.serverTracedNs);
    if (duration <= 0) return;
    qint64 excess = b.total() - duration;
    for (LatencyClass c :
         {LatencyClass::Wait, LatencyClass::Tls, LatencyClass::Connect, LatencyClass::Dns}) {
        if (excess <= 0) break;
        qint64 &v = b.ns[size_t(c)];
        const qint64 cut = std::min(v, excess);
        v -= cut;
        excess -= cut;
    }
    // Server classes lie inside the clipped window: nothing left to exceed.
}

struct CausePart
{
    qint64 ns = 0;
    QString text;
};

// The cause line from its parts: the largest (at least 5% of the request,
// at most three), largest first.
QString joinCause(std::vector<CausePart> parts, qint64 duration)
{
    std::stable_sort(parts.begin(), parts.end(),
                     [](const CausePart &a, const CausePart &b) { return a.ns > b.ns; });
    qint64 whole = duration;
    if (whole <= 0)
        for (const CausePart &p : parts)
            if (p.ns > 0 && __builtin_add_overflow(whole, p.ns, &whole))
                whole = std::numeric_limits<qint64>::max();
    QStringList out;
    for (const CausePart &p : parts) {
        // Parts under 5% of the whole are not named (in doubles: damaged
        // durations near the limit must not overflow; ns below 2^53 compare
        // exactly).
        if (out.size() == 3 || p.ns <= 0 || double(p.ns) * 20 < double(whole)) break;
        out << formatDuration(p.ns) + QLatin1Char(' ') + p.text;
    }
    return out.join(QStringLiteral(", "));
}

// Parts of the cause from the classed path: time per (class, goroutine it
// went through, handler region it fell in).
std::vector<CausePart> pathCause(Strings &strings, const Linked &l,
                                 const std::vector<PathSegment> &path,
                                 const std::vector<RegionPiece> *regions,
                                 const std::vector<Interval> *stw)
{
    std::map<QString, qint64> byKey;
    std::vector<QString> order;
    const auto add = [&](const QString &key, qint64 ns) {
        auto [it, added] = byKey.try_emplace(key, 0);
        if (added) order.push_back(key);
        it->second += ns;
    };
    for (const PathSegment &p : path) {
        const qint64 d = p.end - p.start;
        if (d <= 0) continue;
        const qint64 inStw = stw ? coveredBy(*stw, p.start, p.end) : 0;
        const QString region = regionAt(strings, regions, l.handler, p.start + d / 2);
        const QString where = region.isEmpty() ? QString() : QStringLiteral(" in ") + region;
        if (inStw > 0) add(QLatin1String(latencyClassPhrase(LatencyClass::Stw)) + where, inStw);
        const auto c = latencyClassFromName(QByteArrayView(p.latencyClass.toLatin1()));
        QString text = QLatin1String(latencyClassPhrase(c ? *c : LatencyClass::Other));
        if (p.hop > 0 && c != LatencyClass::BlockedMutex)
            text += QStringLiteral(" via ") + p.laneName;
        add(text + where, d - inStw);
    }
    std::vector<CausePart> parts;
    for (const QString &k : order)
        parts.push_back({byKey[k], k});
    return parts;
}

} // namespace

AnalysisStats analyzeRequests(Db &db, const std::vector<qint64> &requestIds, qint64 wholeLaneSpans,
                              qint64 requestChunk)
{
    requestChunk = std::max<qint64>(1, requestChunk);
    QElapsedTimer timer;
    timer.start();
    AnalysisStats stats;
    Strings strings(db);
    const qint64 only = requestIds.size() == 1 ? requestIds.front() : 0;
    QSet<qint64> wanted;
    for (qint64 id : requestIds)
        wanted.insert(id);
    auto isWanted = [&](qint64 id) { return requestIds.empty() || wanted.contains(id); };

    // The old results go first: each request's are written as soon as it is
    // classed, so nothing is held for all requests but their region pieces.
    if (requestIds.empty()) {
        db.exec("DELETE FROM request_class");
        db.exec("UPDATE request SET dominant_class = NULL, cause = NULL WHERE dominant_class IS "
                "NOT NULL OR cause IS NOT NULL");
    } else {
        Stmt del(db, "DELETE FROM request_class WHERE request_id = ?");
        Stmt clr(db, "UPDATE request SET dominant_class = NULL, cause = NULL WHERE id = ?");
        for (qint64 id : requestIds) {
            del.bind(1, id).run();
            clr.bind(1, id).run();
        }
    }
    Stmt ins(db, "INSERT INTO request_class(request_id, side, class, ns) VALUES(?,?,?,?)");
    Stmt dom(db, "UPDATE request SET dominant_class = ?, cause = ? WHERE id = ?");
    Stmt dur(db, "SELECT end_ns - start_ns FROM request WHERE id = ? AND start_ns IS NOT NULL AND "
                 "end_ns IS NOT NULL");
    // Duration for the cap and the 5% rule; -1 when unknown.
    const auto durationOf = [&dur](qint64 rid) {
        dur.bind(1, rid);
        const qint64 d = dur.step() ? dur.int64(0) : -1;
        dur.reset();
        return d;
    };
    const auto write = [&](ClassBreakdown &b, std::vector<CausePart> parts, qint64 duration) {
        const qint64 rid = b.requestId;
        settleClient(b, duration);
        chooseDominant(b);
        // Client phases in the cause: what the server's classes leave unexplained.
        for (LatencyClass c :
             {LatencyClass::Dns, LatencyClass::Connect, LatencyClass::Tls, LatencyClass::Wait}) {
            const qint64 v = b.ns[size_t(c)];
            if (v <= 0) continue;
            const bool explained = c == LatencyClass::Wait && b.serverTracedNs > 0;
            parts.push_back({v, explained ? QStringLiteral("between client and server")
                                          : QString::fromLatin1(latencyClassPhrase(c))});
        }
        const QString cause = joinCause(std::move(parts), duration);
        if (b.dominant.isEmpty() && cause.isEmpty()) return;
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
        if (b.dominant.isEmpty())
            dom.bindNull(1);
        else
            dom.bindText(1, b.dominant);
        if (cause.isEmpty())
            dom.bindNull(2);
        else
            dom.bindText(2, cause);
        dom.bind(3, rid).run();
    };

    // Breakdowns not written yet: the client phases of the requests a client
    // measured, and requests linked to a trace that covered none of their
    // window (their logged steps may still name the cause).
    std::map<qint64, ClassBreakdown> pending;
    {
        Stmt st(db, "SELECT request_id, kind, SUM(end_ns - start_ns) FROM phase WHERE kind IN "
                    "('dns', 'connect', 'tls', 'wait') AND end_ns > start_ns "
                    "GROUP BY request_id, kind");
        while (st.step()) {
            const qint64 rid = st.int64(0);
            if (!isWanted(rid)) continue;
            const auto c = latencyClassFromName(st.textView(1));
            if (!c) continue;
            ClassBreakdown &b = pending[rid];
            b.requestId = rid;
            b.ns[size_t(*c)] += st.int64(2);
        }
    }
    const auto takePending = [&pending](qint64 rid) {
        ClassBreakdown b;
        b.requestId = rid;
        if (auto it = pending.find(rid); it != pending.end()) {
            b = it->second;
            pending.erase(it);
        }
        return b;
    };
    // Server side from execution traces: the critical path of the handler.
    // Requests are taken a range of ids at a time (their region pieces are
    // what is held), each range walked in time order: the lanes a request's
    // path reads are read for its neighbours in time too (LaneStates).
    std::vector<qint64> traced; // sorted at the end
    {
        qint64 firstId = only, lastId = only;
        if (only == 0) {
            Stmt ids(db, "SELECT COALESCE(min(id), 0), COALESCE(max(id), -1) FROM request");
            ids.step();
            firstId = ids.int64(0);
            lastId = ids.int64(1);
        }
        struct Walk
        {
            Walk(Db &db, Strings &strings, qint64 wholeLaneSpans)
                : stw(stwBySource(db, strings)), wakers(db), states(db, wholeLaneSpans),
                  classes(db, strings), walker(db, strings, wakers, states, classes),
                  win(db, kWindowSql)
            {}
            std::unordered_map<qint64, std::vector<Interval>> stw;
            WakerMap wakers;
            LaneStates states;
            Classifier classes;
            PathWalker walker;
            Stmt win;
        };
        std::optional<Walk> walk; // made for the first request with a region
        for (qint64 from = firstId; from <= lastId; from += requestChunk) {
            const qint64 to = std::min(lastId, from + requestChunk - 1);
            const auto regions = regionPieces(db, strings, from, to);
            const auto lanes = regionLanes(regions);
            if (lanes.empty()) continue;
            if (!walk) walk.emplace(db, strings, wholeLaneSpans);
            std::vector<std::pair<qint64, Linked>> linked;
            for (const auto &[rid, rl] : lanes) {
                if (!isWanted(rid)) continue;
                RequestWindow w;
                w.id = rid;
                readWindow(walk->win, w);
                if (const auto l = linkRequest(w, rl)) linked.emplace_back(rid, *l);
            }
            std::sort(linked.begin(), linked.end(), [](const auto &a, const auto &b) {
                return std::tie(a.second.t0, a.second.handler, a.first) <
                       std::tie(b.second.t0, b.second.handler, b.first);
            });
            for (const auto &[rid, l] : linked) {
                ClassBreakdown b = takePending(rid);
                auto sit = walk->stw.find(l.sourceId);
                const std::vector<Interval> *stwOf =
                    sit == walk->stw.end() ? nullptr : &sit->second;
                const std::vector<PathSegment> path = pathOf(walk->walker, l);
                classifyPath(b, l, path, stwOf);
                auto rit = regions.find(rid);
                std::vector<CausePart> parts = pathCause(
                    strings, l, path, rit == regions.end() ? nullptr : &rit->second, stwOf);
                if (b.serverTracedNs <= 0) {
                    // No state covered the window: then no path part either.
                    pending[rid] = b;
                    continue;
                }
                ++stats.traced;
                traced.push_back(rid);
                write(b, std::move(parts), durationOf(rid));
            }
        }
    }
    std::sort(traced.begin(), traced.end());
    const auto isTraced = [&traced](qint64 rid) {
        return std::binary_search(traced.begin(), traced.end(), rid);
    };
    // Without a trace, the server's logged steps name where the time went
    // (read in request order, each request written when its steps are read).
    {
        Stmt st(db, "SELECT request_id, COALESCE(name, kind), SUM(end_ns - start_ns) FROM phase "
                    "WHERE kind = 'step' AND end_ns > start_ns GROUP BY request_id, 2 "
                    "ORDER BY request_id");
        qint64 cur = 0;
        std::vector<CausePart> parts;
        const auto flush = [&] {
            if (cur == 0) return;
            ClassBreakdown b = takePending(cur);
            write(b, std::move(parts), durationOf(cur));
            parts.clear();
            cur = 0;
        };
        while (st.step()) {
            const qint64 rid = st.int64(0);
            if (!isWanted(rid) || isTraced(rid)) continue;
            if (rid != cur) flush();
            cur = rid;
            parts.push_back({st.int64(2), QStringLiteral("in step ") + st.string(1)});
        }
        flush();
    }
    // The rest: client phases, or a trace that covered nothing.
    for (auto &[rid, b] : pending)
        write(b, {}, durationOf(rid));
    stats.ms = timer.elapsed();
    return stats;
}

QString requestCause(const Db &db, qint64 requestId)
{
    Stmt st(db, "SELECT cause FROM request WHERE id = ?");
    st.bind(1, requestId);
    return st.step() && !st.isNull(0) ? st.string(0) : QString();
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

} // namespace

const RequestStatistics::Request *RequestStatistics::find(qint64 id) const
{
    auto it = std::lower_bound(requests.begin(), requests.end(), id,
                               [](const Request &r, qint64 v) { return r.id < v; });
    return it != requests.end() && it->id == id ? &*it : nullptr;
}

const std::vector<double> &statsPercentiles()
{
    static const std::vector<double> p{50, 75, 90, 95, 99, 99.9};
    return p;
}

RequestStatistics requestStatistics(const Db &db, const QString &filter, int slowest)
{
    RequestStatistics s;
    RequestQuery q; // by duration, slowest first (ties: the earlier start)
    q.filter = filter;
    // Ids and durations only: the rows' text is read for the slowest alone.
    RequestIdList list = queryRequestIds(db, q);
    std::vector<qint64> &durations = list.durations;
    s.count = qint64(list.ids.size());
    s.requests.reserve(list.ids.size());
    std::vector<qint64> slowestIds;
    for (size_t i = 0; i < list.ids.size(); ++i) {
        s.requests.push_back({list.ids[i], durations[i], -1});
        if (durations[i] >= 0 && slowestIds.size() < size_t(std::max(0, slowest)))
            slowestIds.push_back(list.ids[i]);
    }
    s.slowest = requestsByIds(db, slowestIds);
    list.ids = {};
    s.histogram = latencyHistogram(durations);
    std::erase_if(durations, [](qint64 d) { return d < 0; });
    std::sort(durations.begin(), durations.end());
    if (!durations.empty())
        for (double p : statsPercentiles())
            s.percentiles.emplace_back(p, percentile(durations, p));
    durations = {};

    // Breakdowns, one request at a time in id order, merged with the
    // selected requests (also in id order).
    std::sort(s.requests.begin(), s.requests.end(),
              [](const auto &a, const auto &b) { return a.id < b.id; });
    auto finish = [&](ClassBreakdown &b) {
        auto r = std::lower_bound(s.requests.begin(), s.requests.end(), b.requestId,
                                  [](const auto &x, qint64 v) { return x.id < v; });
        if (r == s.requests.end() || r->id != b.requestId) return;
        chooseDominant(b);
        const bool traced = b.serverTracedNs > 0;
        for (int i = 0; i < kLatencyClasses; ++i)
            if (!(traced && LatencyClass(i) == LatencyClass::Wait))
                s.classNs[size_t(i)] += b.ns[size_t(i)];
        if (const auto c = latencyClassFromName(b.dominant.toLatin1())) {
            r->dominant = int(*c);
            ++s.dominated[size_t(*c)];
        }
    };
    {
        Stmt st(db, "SELECT request_id, class, ns FROM request_class ORDER BY request_id");
        ClassBreakdown b;
        bool open = false;
        while (st.step()) {
            const qint64 id = st.int64(0);
            if (open && id != b.requestId) {
                finish(b);
                b = ClassBreakdown{};
            }
            b.requestId = id;
            open = true;
            readBreakdownRow(b, st.textView(1), st.int64(2));
        }
        if (open) finish(b);
    }

    QList<qint64> ids;
    for (const RequestRow &r : s.slowest)
        ids << r.id;
    const auto phases = queryPhasesOf(db, ids);
    for (auto it = phases.begin(); it != phases.end(); ++it) {
        std::vector<const PhaseRow *> steps;
        for (const PhaseRow &p : it.value())
            if (p.kind == QLatin1String("step") && p.end > p.start) steps.push_back(&p);
        std::stable_sort(steps.begin(), steps.end(),
                         [](const PhaseRow *a, const PhaseRow *b) { return a->start < b->start; });
        TimeNs covered = std::numeric_limits<TimeNs>::min();
        for (const PhaseRow *p : steps) {
            const qint64 fresh = p->end - std::max(p->start, covered);
            if (fresh > 0) s.steps[it.key()].emplace_back(p->name, fresh);
            covered = std::max(covered, p->end);
        }
    }
    return s;
}

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
    WakerMap wakers(db);
    LaneStates states(db);
    Classifier classes(db, strings);
    PathWalker walker(db, strings, wakers, states, classes);
    return pathOf(walker, *l);
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
