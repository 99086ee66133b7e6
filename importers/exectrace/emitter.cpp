// TraceEmitter: the goroutine state machine shared by both execution-trace
// formats. See tracemodel.h for the invariants.

#include "importlimits.h"
#include "tracemodel.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace ls::exectrace {

namespace {

enum GState : int
{
    Dead = 0,
    Runnable,
    Running,
    Waiting,
    InSyscall
};

constexpr qint64 kCpuPeriodNs = 10'000'000; // runtime/pprof's default 100 Hz
constexpr size_t kMaxRegionDepth = size_t(limits::kNestingDepth);
constexpr int kMaxAncestry = 64;
constexpr TimeNs kProcMergeGapNs = 10'000;
constexpr TimeNs kFoldYieldNs = 10'000;

QByteArray num(qint64 v)
{
    return QByteArray::number(v);
}

} // namespace

// ---------------------------------------------------------------- StackTable

int StackTable::addFrame(TraceFrame f)
{
    auto it = m_byPc.find(f.pc);
    if (it != m_byPc.end() && f.pc != 0) return it->second;
    const int idx = int(m_frames.size());
    if (f.pc != 0) m_byPc.emplace(f.pc, idx);
    m_frames.push_back(std::move(f));
    return idx;
}

int StackTable::frameForPc(quint64 pc) const
{
    auto it = m_byPc.find(pc);
    return it == m_byPc.end() ? -1 : it->second;
}

const std::vector<int> *StackTable::stack(quint64 id) const
{
    if (id == 0) return nullptr;
    auto it = m_stacks.find(id);
    return it == m_stacks.end() || it->second.empty() ? nullptr : &it->second;
}

QByteArray StackTable::leafFunction(quint64 stackId) const
{
    const std::vector<int> *s = stack(stackId);
    if (!s) return {};
    return m_frames[size_t(s->front())].fn;
}

// ------------------------------------------------------------------ emitter

struct TraceEmitter::G
{
    quint64 id = 0;
    LaneId lane = kNoId;
    quint64 parent = 0;
    QByteArray startFn;
    QByteArray laneName;
    StringId laneNameId = kNoId;
    int state = Dead;
    TimeNs since = 0;
    StringId cat = kNoId, name = kNoId;
    RequestId req = kNoId;
    QByteArray args;
    qint64 p = -1;
    TimeNs syscallAt = kNoTime;
    quint64 syscallStack = 0;
    bool assisting = false;
    TimeNs assistStart = 0;
    int assistDepth = 0;
    QByteArray label;
    Side side = Side::Unknown; // Server under net/http's conn.serve (inherited at creation)
    bool foldYields = false;   // a runtime goroutine: see transition()
    qint64 yields = 0;         // folded into the open running span
    qint64 heldYields = 0;     // folded into heldRun
    SpanRecord heldRun;        // the last running span, lane kNoId when none
    struct Region
    {
        QByteArray name;
        quint64 task;
        TimeNs start;
    };
    std::vector<Region> regions;
};

struct TraceEmitter::P
{
    LaneId lane = kNoId;
    qint64 thread = -1;
    TimeNs startedAt = kNoTime;
    quint64 g = 0;
    TimeNs gSince = 0;
    StringId gName = kNoId;
    TimeNs sweepStart = kNoTime;
    SpanRecord pend; // the last run on this P, not yet written
    quint64 pendG = 0;
    StringId name = kNoId;       // "P3", for the thread lane's span
    StringId threadName = kNoId; // "M12", for this lane's span
    LaneId threadLane = kNoId;
};

struct TraceEmitter::Task
{
    RequestId rid = kNoId;
    QByteArray key;
    Side side = Side::Server;
    qint64 endedIn = -1; // the generation it ended in (-1: not ended)
};

TraceEmitter::TraceEmitter(ImportContext &ctx, RecordSink &sink, const StackTable &stacks)
    : m_ctx(ctx), m_sink(sink), m_stacks(stacks)
{
    m_catRunning = sink.intern("running");
    m_catRunnable = sink.intern("runnable");
    m_catNet = sink.intern("blocked-net");
    m_catSync = sink.intern("blocked-sync");
    m_catChan = sink.intern("blocked-chan");
    m_catSelect = sink.intern("blocked-select");
    m_catSleep = sink.intern("sleep");
    m_catSyscall = sink.intern("syscall");
    m_catGc = sink.intern("blocked-gc");
    m_catOther = sink.intern("blocked-other");
    m_catAssist = sink.intern("gc-assist");
    m_catRegion = sink.intern("region");
    m_catLog = sink.intern("log");
    m_catProc = sink.intern("proc");
    m_catStw = sink.intern("stw");
    m_catGcCycle = sink.intern("gc");
    m_catSweep = sink.intern("sweep");
    m_catCounter = sink.intern("counter");
    m_nameRunning = m_catRunning;
    m_nameAssist = sink.intern("mark assist");
    m_nameYield = sink.intern("yield");
}

TraceEmitter::~TraceEmitter() = default;

qint64 TraceEmitter::goroutineCount() const
{
    return qint64(m_gs.size() + m_endedInOrder.size() + m_endedOther.size());
}

bool TraceEmitter::takeEnded(quint64 g, Ended *out)
{
    const auto it = std::lower_bound(m_endedInOrder.begin(), m_endedInOrder.end(), g,
                                     [](const Ended &e, quint64 id) { return e.g < id; });
    if (it != m_endedInOrder.end() && it->g == g) {
        *out = *it;
        m_endedInOrder.erase(it);
        return true;
    }
    const auto o = m_endedOther.find(g);
    if (o == m_endedOther.end()) return false;
    *out = o->second;
    m_endedOther.erase(o);
    return true;
}

// An ended goroutine that the file speaks of again comes back on its lane
// (its state was dropped at its end: see tracemodel.h).
TraceEmitter::G *TraceEmitter::findG(quint64 g)
{
    auto it = m_gs.find(g);
    if (it != m_gs.end()) return &it->second;
    Ended e{};
    if (!takeEnded(g, &e)) return nullptr;
    G &n = m_gs[g];
    n.id = g;
    n.lane = e.lane;
    n.since = e.at;
    n.laneName = "g" + num(qint64(g));
    return &n;
}

TraceEmitter::G &TraceEmitter::goroutine(quint64 g, TimeNs ts)
{
    if (G *known = findG(g)) return *known;
    // Existed before the trace (or its creation was lost): born now.
    G &n = m_gs[g];
    n.id = g;
    n.since = ts;
    n.laneName = "g" + num(qint64(g));
    return n;
}

LaneId TraceEmitter::goLane(G &g)
{
    if (g.lane != kNoId) return g.lane;
    // Ancestors without a lane yet get theirs first (parents before
    // children), walking up iteratively: the chain's length comes from the file.
    std::vector<G *> chain{&g};
    for (G *cur = &g; chain.size() < size_t(kMaxAncestry) && cur->parent != 0;) {
        G *p = findG(cur->parent);
        if (!p || p->lane != kNoId || p == &g) break;
        chain.push_back(p);
        cur = p;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        G &x = **it;
        if (x.lane != kNoId) continue;
        LaneRecord l;
        l.kind = "goroutine";
        l.externalId = qint64(x.id);
        l.name = x.laneName;
        if (x.parent != 0)
            if (G *p = findG(x.parent); p && p->lane != kNoId) l.parent = p->lane;
        l.sortKey = qint64(x.id);
        x.lane = m_sink.lane(l);
    }
    return g.lane;
}

LaneId TraceEmitter::numberedLane(const char *kind, qint64 n, const QByteArray &name)
{
    LaneRecord l;
    l.kind = kind;
    l.externalId = n;
    l.name = name;
    l.sortKey = n;
    return m_sink.lane(l);
}

TraceEmitter::P &TraceEmitter::proc(qint64 p)
{
    P &pp = m_ps[p];
    if (pp.lane == kNoId) {
        pp.lane = numberedLane("proc", p, "P" + num(p));
    }
    return pp;
}

LaneId TraceEmitter::gcLane()
{
    if (m_gcLane == kNoId) {
        LaneRecord l;
        l.kind = "gc";
        l.name = "GC";
        m_gcLane = m_sink.lane(l);
    }
    return m_gcLane;
}

LaneId TraceEmitter::counterLane(Counter c)
{
    LaneId &id = m_counterLanes[int(c)];
    if (id == kNoId) {
        static const char *const kNames[] = {"heap", "heap goal", "goroutines", "GOMAXPROCS"};
        id = numberedLane("counter", int(c), kNames[int(c)]);
    }
    return id;
}

RequestId TraceEmitter::taskRequest(quint64 task) const
{
    auto it = m_tasks.find(task);
    return it == m_tasks.end() ? kNoId : it->second.rid;
}

CallsiteId TraceEmitter::callsiteFor(quint64 stack)
{
    if (stack == 0) return kNoId;
    auto it = m_callsites.find(stack);
    if (it != m_callsites.end()) return it->second;
    CallsiteId cs = kNoId;
    if (const std::vector<int> *frames = m_stacks.stack(stack)) {
        for (auto f = frames->rbegin(); f != frames->rend(); ++f) {
            auto fit = m_frameIds.find(*f);
            FrameId fid;
            if (fit != m_frameIds.end()) {
                fid = fit->second;
            } else {
                const TraceFrame &tf = m_stacks.frame(*f);
                FrameRecord fr;
                fr.function = tf.fn.isEmpty() ? "0x" + QByteArray::number(tf.pc, 16) : tf.fn;
                fr.file = tf.file;
                fr.line = tf.line;
                fid = m_sink.frame(fr);
                m_frameIds.emplace(*f, fid);
            }
            cs = m_sink.callsite(cs, fid);
        }
    }
    m_callsites.emplace(stack, cs);
    return cs;
}

StringId TraceEmitter::internCached(QByteArrayView s)
{
    // Block reasons, region and log names repeat endlessly: a small cache in
    // front of the sink's dictionary.
    for (const auto &[k, id] : m_nameCache)
        if (k.size() == s.size() && k == s) return id;
    const StringId id = m_sink.intern(s);
    if (m_nameCache.size() < 256) m_nameCache.emplace_back(s.toByteArray(), id);
    return id;
}

void TraceEmitter::closeSpan(G &g, TimeNs ts)
{
    if (g.state == Dead || ts <= g.since) return;
    flushRun(g);
    SpanRecord s;
    s.lane = goLane(g);
    s.start = g.since;
    s.end = ts;
    s.name = g.name;
    s.category = g.cat;
    s.request = g.req;
    s.args = g.yields > 0 ? "{\"yields\":" + num(g.yields) + "}" : g.args;
    if (g.foldYields && g.state == Running) {
        // Held back: a yield and resume within microseconds folds into it.
        g.heldRun = std::move(s);
        g.heldYields = g.yields;
        return;
    }
    m_sink.span(s);
}

void TraceEmitter::flushRun(G &g)
{
    if (g.heldRun.lane == kNoId) return;
    m_sink.span(g.heldRun);
    g.heldRun.lane = kNoId;
}

void TraceEmitter::transition(G &g, TimeNs ts, int state, StringId cat, StringId name,
                              quint64 stack, qint64 p)
{
    ts = std::max(ts, g.since);
    // A runtime goroutine that yielded and runs again at once (the
    // background sweeper does so after every span it sweeps): the sliver of
    // "runnable" is folded into one running span that counts the yields.
    // Without this, such a goroutine alone is half of all spans of a trace.
    if (g.foldYields && state == Running && g.state == Runnable && g.name == m_nameYield &&
        g.heldRun.lane != kNoId && g.heldRun.end == g.since && ts - g.since <= kFoldYieldNs &&
        g.heldRun.request == g.req && g.heldRun.category == cat) {
        g.state = Running;
        g.since = g.heldRun.start;
        g.cat = cat;
        g.name = name;
        g.heldRun.lane = kNoId;
        g.yields = g.heldYields + 1;
        g.args.clear();
        m_last = std::max(m_last, ts);
        return;
    }
    closeSpan(g, ts);
    g.yields = 0;
    g.state = state;
    g.since = ts;
    g.cat = cat;
    g.name = name;
    g.req = g.regions.empty() ? kNoId : taskRequest(g.regions.back().task);
    // A running span's P is the proc lane's business; only blocking stacks
    // are kept with the state.
    (void)p;
    g.args.clear();
    if (const CallsiteId cs = callsiteFor(stack); cs != kNoId)
        g.args = "{\"stack\":" + num(cs) + "}";
    m_last = std::max(m_last, ts);
}

void TraceEmitter::split(G &g, TimeNs ts)
{
    // Same state, new piece: each piece of a state belongs to one request.
    if (g.state == Dead) return;
    ts = std::max(ts, g.since);
    closeSpan(g, ts);
    g.yields = 0;
    g.since = ts;
    g.req = g.regions.empty() ? kNoId : taskRequest(g.regions.back().task);
}

void TraceEmitter::leaveProc(G &g, TimeNs ts)
{
    if (g.p < 0) return;
    auto it = m_ps.find(g.p);
    g.p = -1;
    if (it == m_ps.end() || it->second.g != g.id) return;
    P &pp = it->second;
    // Held back: if the same goroutine is the next to run on this P, right
    // away, the two runs are one occupation of the P (the runtime's
    // background sweeper yields after every span it sweeps).
    flushProc(pp);
    pp.pend.start = pp.gSince;
    pp.pend.end = std::max(ts, pp.gSince);
    pp.pend.name = pp.gName;
    pp.pend.request = g.req;
    pp.pendG = g.id;
    pp.g = 0;
}

void TraceEmitter::flushProc(P &pp)
{
    if (pp.pendG == 0) return;
    pp.pend.lane = pp.lane;
    pp.pend.depth = 1;
    pp.pend.category = m_catRunning;
    m_sink.span(pp.pend);
    pp.pendG = 0;
}

void TraceEmitter::goCreate(TimeNs ts, quint64 creator, quint64 gid, quint64 startStack,
                            quint64 stack)
{
    if (G *old = findG(gid); old && old->state != Dead) {
        m_ctx.diag("duplicate-goroutine", Severity::Warning, -1, -1,
                   QStringLiteral("goroutine %1 created twice").arg(gid));
        goEnd(ts, gid);
    }
    const bool fresh = findG(gid) == nullptr;
    G &g = goroutine(gid, ts);
    if (fresh) {
        g.parent = creator;
        g.startFn = m_stacks.leafFunction(startStack);
        if (!g.startFn.isEmpty()) g.laneName += ' ' + g.startFn;
        g.foldYields = g.startFn.startsWith("runtime.");
        if (g.startFn == "net/http.(*conn).serve")
            g.side = Side::Server;
        else if (const auto c = m_gs.find(creator); c != m_gs.end())
            g.side = c->second.side;
    }
    g.since = std::max(g.since, ts);
    const LaneId lane = goLane(g);
    transition(g, ts, Runnable, m_catRunnable, m_catRunnable, 0);
    counter(ts, Counter::Goroutines, double(++m_live));
    if (creator != 0) {
        if (G *c = findG(creator)) {
            FlowRecord f;
            f.kind = "create";
            f.fromLane = goLane(*c);
            f.fromTs = ts;
            f.toLane = lane;
            f.toTs = ts;
            m_sink.flow(f);
        }
    }
    (void)stack;
}

void TraceEmitter::goExisting(TimeNs ts, quint64 gid, Wait why, QByteArrayView reason)
{
    goStopped(ts, gid, why, reason, 0); // counts the goroutine when it is new
}

void TraceEmitter::goLabel(quint64 gid, QByteArrayView label)
{
    // GC workers label each run with their mode ("GC (dedicated)", "GC
    // (idle)"): the lane says "GC worker" once; other labels replace the last.
    G *gp = findG(gid);
    if (!gp || label.isEmpty()) return;
    G &g = *gp;
    const QByteArray shown =
        label.startsWith("GC (") ? QByteArray("GC worker") : label.toByteArray();
    if (g.label == shown) return;
    if (!g.label.isEmpty() && g.laneName.endsWith(QByteArray(" [" + g.label + ']')))
        g.laneName.chop(g.label.size() + 3);
    g.label = shown;
    g.laneName += " [" + g.label + ']';
    if (g.lane != kNoId) m_sink.renameLane(g.lane, g.laneName);
    g.laneNameId = kNoId;
}

void TraceEmitter::goRunning(TimeNs ts, quint64 gid, qint64 p, QByteArrayView label)
{
    G &g = goroutine(gid, ts);
    if (g.state == Dead) counter(ts, Counter::Goroutines, double(++m_live));
    if (!label.isEmpty()) goLabel(gid, label);
    leaveProc(g, ts);
    ts = std::max(ts, g.since);
    transition(g, ts, Running, g.assisting ? m_catAssist : m_catRunning,
               g.assisting ? m_nameAssist : m_nameRunning, 0, p);
    g.syscallAt = kNoTime;
    if (p >= 0) {
        P &pp = proc(p);
        if (pp.g != 0 && pp.g != gid)
            if (G *other = findG(pp.g)) leaveProc(*other, ts);
        pp.g = gid;
        pp.gSince = ts;
        if (pp.pendG == gid && pp.pend.end != kNoTime && ts <= pp.pend.end + kProcMergeGapNs &&
            pp.pend.request == g.req) {
            pp.gSince = pp.pend.start;
            pp.pendG = 0;
        }
        flushProc(pp);
        if (g.laneNameId == kNoId) g.laneNameId = m_sink.intern(g.laneName);
        pp.gName = g.laneNameId;
        g.p = p;
    }
}

void TraceEmitter::goStopped(TimeNs ts, quint64 gid, Wait why, QByteArrayView reason, quint64 stack)
{
    G &g = goroutine(gid, ts);
    if (g.state == Dead) counter(ts, Counter::Goroutines, double(++m_live));
    leaveProc(g, ts);
    StringId cat = m_catOther;
    int state = Waiting;
    switch (why) {
    case Wait::Runnable:
        cat = m_catRunnable;
        state = Runnable;
        break;
    case Wait::Net:
        cat = m_catNet;
        break;
    case Wait::Sync:
        cat = m_catSync;
        // The old format says "sync" for a mutex and a WaitGroup alike (and
        // the new one "sync" too): the blocking stack tells them apart.
        reason = syncReason(reason, stack);
        break;
    case Wait::Chan:
        cat = m_catChan;
        break;
    case Wait::Select:
        cat = m_catSelect;
        break;
    case Wait::Sleep:
        cat = m_catSleep;
        break;
    case Wait::Syscall:
        cat = m_catSyscall;
        state = InSyscall;
        break;
    case Wait::Gc:
        cat = m_catGc;
        break;
    case Wait::Other:
        break;
    }
    transition(g, ts, state, cat, reason.isEmpty() ? cat : internCached(reason), stack);
    g.syscallAt = kNoTime;
}

QByteArrayView TraceEmitter::syncReason(QByteArrayView reason, quint64 stack) const
{
    if (reason != "sync.Mutex" && reason != "sync") return reason;
    const std::vector<int> *frames = stack ? m_stacks.stack(stack) : nullptr;
    if (!frames) return reason;
    // The innermost frames (the trace leaves out the runtime's own).
    for (size_t i = 0; i < std::min<size_t>(frames->size(), 3); ++i) {
        const QByteArray &fn = m_stacks.frame((*frames)[i]).fn;
        if (fn.startsWith("sync.(*WaitGroup)")) return "sync.WaitGroup";
        if (fn.startsWith("sync.(*RWMutex)")) return "sync.RWMutex";
        if (fn.startsWith("sync.(*Mutex)")) return "sync.Mutex";
    }
    return reason;
}

void TraceEmitter::goUnblock(TimeNs ts, quint64 waker, qint64 wakerP, quint64 gid, quint64 stack)
{
    G &g = goroutine(gid, ts);
    if (g.state == Dead) counter(ts, Counter::Goroutines, double(++m_live));
    if (g.state == Running) leaveProc(g, ts);
    transition(g, ts, Runnable, m_catRunnable, m_catRunnable, 0);
    LaneId from = kNoId;
    if (waker != 0) {
        if (G *w = findG(waker)) from = goLane(*w);
    } else if (wakerP >= 0) {
        from = proc(wakerP).lane;
    }
    FlowRecord f;
    f.kind = "unblock";
    f.fromLane = from;
    f.fromTs = ts;
    f.toLane = goLane(g);
    f.toTs = g.since;
    m_sink.flow(f);
    (void)stack;
}

void TraceEmitter::goSyscall(TimeNs ts, quint64 gid, quint64 stack)
{
    G &g = goroutine(gid, ts);
    // Most syscalls return without blocking and leave no trace on the lane
    // (a row per syscall would double the import time of a busy server);
    // one that blocks becomes a syscall span from here (goSyscallBlocked).
    g.syscallAt = ts;
    g.syscallStack = stack;
}

void TraceEmitter::goSyscallBlocked(TimeNs ts, quint64 gid)
{
    G &g = goroutine(gid, ts);
    if (g.state == Dead) counter(ts, Counter::Goroutines, double(++m_live));
    const TimeNs start = g.syscallAt != kNoTime && g.syscallAt >= g.since ? g.syscallAt : ts;
    const quint64 stack = g.syscallStack;
    leaveProc(g, ts);
    transition(g, start, InSyscall, m_catSyscall, m_catSyscall, stack);
    g.syscallAt = kNoTime;
}

void TraceEmitter::goEnd(TimeNs ts, quint64 gid)
{
    G *gp = findG(gid);
    if (!gp || gp->state == Dead) return;
    G &g = *gp;
    ts = std::max(ts, g.since);
    leaveProc(g, ts);
    while (!g.regions.empty())
        regionEnd(ts, gid, g.regions.back().task, g.regions.back().name);
    if (g.assisting) markAssistEnd(ts, gid);
    closeSpan(g, ts);
    flushRun(g);
    counter(ts, Counter::Goroutines, double(--m_live));
    // Only its lane is kept (tracemodel.h).
    const Ended e{gid, g.lane, ts};
    if (m_endedInOrder.empty() || m_endedInOrder.back().g < gid)
        m_endedInOrder.push_back(e);
    else
        m_endedOther.emplace(gid, e);
    m_gs.erase(gid);
}

void TraceEmitter::procStart(TimeNs ts, qint64 p, qint64 thread)
{
    P &pp = proc(p);
    if (pp.startedAt != kNoTime) procStop(ts, p);
    pp.startedAt = ts;
    if (pp.thread != thread || pp.threadName == kNoId) {
        pp.thread = thread;
        pp.threadName =
            m_sink.intern(thread >= 0 ? QByteArray("M" + num(thread)) : QByteArray("running"));
        pp.threadLane = kNoId;
        if (thread >= 0) {
            pp.threadLane = numberedLane("thread", thread, "M" + num(thread));
        }
    }
    if (pp.name == kNoId) pp.name = m_sink.intern(QByteArray("P" + num(p)));
}

void TraceEmitter::procStop(TimeNs ts, qint64 p)
{
    P &pp = proc(p);
    if (pp.g != 0)
        if (G *g = findG(pp.g)) leaveProc(*g, ts);
    flushProc(pp);
    if (pp.sweepStart != kNoTime) sweepEnd(ts, p);
    if (pp.startedAt == kNoTime) return;
    const TimeNs start = std::min(pp.startedAt, ts);
    SpanRecord s;
    s.lane = pp.lane;
    s.start = start;
    s.end = ts;
    s.name = pp.threadName;
    s.category = m_catProc;
    m_sink.span(s);
    if (pp.threadLane != kNoId) {
        s.lane = pp.threadLane;
        s.name = pp.name;
        m_sink.span(s);
    }
    pp.startedAt = kNoTime;
}

void TraceEmitter::gcStart(TimeNs ts, qint64 seq)
{
    if (m_gcStart != kNoTime) gcEnd(ts);
    m_gcStart = ts;
    m_gcSeq = seq;
}

void TraceEmitter::gcEnd(TimeNs ts)
{
    if (m_gcStart == kNoTime) return;
    SpanRecord s;
    s.lane = gcLane();
    s.start = m_gcStart;
    s.end = std::max(ts, m_gcStart);
    s.name = m_sink.intern(m_gcSeq > 0 ? "GC " + num(m_gcSeq) : QByteArray("GC"));
    s.category = m_catGcCycle;
    m_sink.span(s);
    m_gcStart = kNoTime;
}

void TraceEmitter::stwStart(TimeNs ts, QByteArrayView kind)
{
    if (m_stwStart != kNoTime) stwEnd(ts);
    m_stwStart = ts;
    m_stwKind = kind.toByteArray();
}

void TraceEmitter::stwEnd(TimeNs ts)
{
    if (m_stwStart == kNoTime) return;
    SpanRecord s;
    s.lane = gcLane();
    s.start = m_stwStart;
    s.end = std::max(ts, m_stwStart);
    s.depth = 1;
    s.name = m_sink.intern(m_stwKind.isEmpty() ? QByteArray("STW") : "STW " + m_stwKind);
    s.category = m_catStw;
    m_sink.span(s);
    m_stwStart = kNoTime;
}

void TraceEmitter::sweepStart(TimeNs ts, qint64 p)
{
    P &pp = proc(p);
    if (pp.sweepStart == kNoTime) pp.sweepStart = ts;
}

void TraceEmitter::sweepEnd(TimeNs ts, qint64 p)
{
    P &pp = proc(p);
    if (pp.sweepStart == kNoTime) return;
    SpanRecord s;
    s.lane = pp.lane;
    s.start = pp.sweepStart;
    s.end = std::max(ts, pp.sweepStart);
    s.depth = 2;
    s.name = m_catSweep;
    s.category = m_catSweep;
    m_sink.span(s);
    pp.sweepStart = kNoTime;
}

int TraceEmitter::allocAssistDepth(TimeNs ts)
{
    for (size_t i = 0; i < m_assistSlots.size(); ++i)
        if (m_assistSlots[i] == kNoTime) {
            m_assistSlots[i] = ts;
            return int(i);
        }
    m_assistSlots.push_back(ts);
    return int(m_assistSlots.size() - 1);
}

void TraceEmitter::markAssistStart(TimeNs ts, quint64 gid)
{
    G &g = goroutine(gid, ts);
    if (g.assisting) return;
    g.assisting = true;
    g.assistStart = ts;
    g.assistDepth = allocAssistDepth(ts);
    if (g.state == Running) transition(g, ts, Running, m_catAssist, m_nameAssist, 0, g.p);
}

void TraceEmitter::markAssistEnd(TimeNs ts, quint64 gid)
{
    G *gp = findG(gid);
    if (!gp || !gp->assisting) return;
    G &g = *gp;
    g.assisting = false;
    if (size_t(g.assistDepth) < m_assistSlots.size())
        m_assistSlots[size_t(g.assistDepth)] = kNoTime;
    SpanRecord s;
    s.lane = gcLane();
    s.start = g.assistStart;
    s.end = std::max(ts, g.assistStart);
    s.depth = 2 + g.assistDepth;
    s.name = m_sink.intern(QByteArray("mark assist " + g.laneName));
    s.category = m_catAssist;
    m_sink.span(s);
    if (g.state == Running) transition(g, ts, Running, m_catRunning, m_nameRunning, 0, g.p);
}

void TraceEmitter::counter(TimeNs ts, Counter c, double value)
{
    InstantRecord i;
    i.lane = counterLane(c);
    i.ts = ts;
    i.category = m_catCounter;
    i.value = value;
    i.hasValue = true;
    m_sink.instant(i);
}

Side TraceEmitter::sideFor(quint64 gid) const
{
    const auto it = m_gs.find(gid);
    return it == m_gs.end() ? Side::Unknown : it->second.side;
}

void TraceEmitter::taskCreate(TimeNs ts, quint64 gid, quint64 task, quint64 parent,
                              QByteArrayView name)
{
    (void)parent;
    if (m_tasks.count(task)) {
        m_ctx.diag("duplicate-task", Severity::Warning, -1, -1,
                   QStringLiteral("task %1 created twice").arg(task));
        return;
    }
    Task t;
    t.key = m_taskKeys.take(task);
    const bool realKey = !t.key.isEmpty();
    if (!realKey)
        t.key = name.toByteArray() + '#' + num(qint64(task)) + '@' +
                QFileInfo(m_ctx.path()).fileName().toUtf8();
    t.side = sideFor(gid);
    if (t.side == Side::Unknown)
        t.side = name.contains(QByteArrayView("client")) ? Side::Client : Side::Server;
    RequestRecord r;
    r.key = t.key;
    r.side = t.side;
    r.start = ts;
    t.rid = m_sink.request(r);
    if (realKey) m_sink.alignmentHint(t.key, ts);
    m_tasks.emplace(task, std::move(t));
    ++m_taskCount;
    m_last = std::max(m_last, ts);
}

void TraceEmitter::taskEnd(TimeNs ts, quint64 gid, quint64 task)
{
    (void)gid;
    auto it = m_tasks.find(task);
    if (it == m_tasks.end()) {
        m_ctx.diag("task-end-without-begin", Severity::Info, -1, -1,
                   QStringLiteral("task %1 ends but began before the trace").arg(task));
        return;
    }
    RequestRecord r;
    r.key = it->second.key;
    r.side = it->second.side;
    r.end = ts;
    m_sink.request(r);
    it->second.endedIn = m_generation;
}

void TraceEmitter::setTaskKey(quint64 task, const QByteArray &key)
{
    if (!m_tasks.count(task)) m_taskKeys.insert(task, key);
}

void TraceEmitter::startGeneration()
{
    ++m_generation;
    // Tasks that ended two generations back or more are forgotten: what is
    // logged about a task comes within a generation or just after one (the
    // next is read ahead for its keys); held, they grew with the trace.
    for (auto it = m_tasks.begin(); it != m_tasks.end();) {
        if (it->second.endedIn >= 0 && it->second.endedIn < m_generation - 1) {
            it = m_tasks.erase(it);
        } else {
            ++it;
        }
    }
}

void TraceEmitter::regionBegin(TimeNs ts, quint64 gid, quint64 task, QByteArrayView name)
{
    G &g = goroutine(gid, ts);
    if (g.regions.size() >= kMaxRegionDepth) {
        m_ctx.diag(
            "region-too-deep", Severity::Warning, -1, -1,
            QStringLiteral(
                "regions nested deeper than %1 (the limit for nesting); the region was skipped")
                .arg(kMaxRegionDepth));
        return;
    }
    ts = std::max(ts, g.since);
    g.regions.push_back({name.toByteArray(), task, ts});
    split(g, ts);
}

void TraceEmitter::regionEnd(TimeNs ts, quint64 gid, quint64 task, QByteArrayView name)
{
    G &g = goroutine(gid, ts);
    ts = std::max(ts, g.since);
    // The innermost open region with this name and task.
    size_t idx = g.regions.size();
    while (idx > 0) {
        const G::Region &r = g.regions[idx - 1];
        if (r.name == name && r.task == task) break;
        --idx;
    }
    if (idx == 0) {
        m_ctx.diag("region-end-without-begin", Severity::Info, -1, -1,
                   QStringLiteral("region \"%1\" ends on goroutine %2 but began before the trace")
                       .arg(QString::fromUtf8(name))
                       .arg(gid));
        return;
    }
    if (idx != g.regions.size())
        m_ctx.diag("region-misnested", Severity::Warning, -1, -1,
                   QStringLiteral("region \"%1\" on goroutine %2 ends before regions inside it")
                       .arg(QString::fromUtf8(name))
                       .arg(gid));
    while (g.regions.size() >= idx) {
        const G::Region r = std::move(g.regions.back());
        g.regions.pop_back();
        SpanRecord s;
        s.lane = goLane(g);
        s.start = r.start;
        s.end = std::max(ts, r.start);
        s.depth = int(g.regions.size()) + 1;
        s.name = internCached(r.name);
        s.category = m_catRegion;
        s.request = taskRequest(r.task);
        m_sink.span(s);
        if (g.regions.size() + 1 == idx) break;
    }
    split(g, ts);
}

void TraceEmitter::userLog(TimeNs ts, quint64 gid, quint64 task, QByteArrayView key,
                           QByteArrayView value)
{
    G &g = goroutine(gid, ts);
    const RequestId rid = taskRequest(task);
    InstantRecord i;
    i.lane = goLane(g);
    i.ts = std::max(ts, g.since);
    i.name = internCached(key);
    i.category = m_catLog;
    i.request = rid;
    QJsonObject o;
    o.insert(QStringLiteral("key"), QString::fromUtf8(key));
    o.insert(QStringLiteral("value"), QString::fromUtf8(value));
    i.args = QJsonDocument(o).toJson(QJsonDocument::Compact);
    m_sink.instant(i);
    auto it = m_tasks.find(task);
    if (it == m_tasks.end()) return;
    // Facts about the request that the task's logs state.
    RequestRecord r;
    r.key = it->second.key;
    r.side = it->second.side;
    bool any = false;
    if (key == "status") {
        bool ok = false;
        const int st = value.toByteArray().toInt(&ok);
        if (ok) {
            r.status = st;
            any = true;
        }
    } else if (key == "route" || key == "target") {
        // "<METHOD> <path> [handler=<name>] [k=v...]"
        const QList<QByteArray> parts = value.toByteArray().split(' ');
        for (int k = 0; k < parts.size(); ++k) {
            if (parts[k].startsWith("handler="))
                r.handler = parts[k].mid(8);
            else if (k == 0 && parts.size() > 1 && !parts[0].isEmpty() &&
                     parts[0].toUpper() == parts[0])
                r.method = parts[k];
            else if (k == (r.method.isEmpty() ? 0 : 1))
                r.url = parts[k];
        }
        any = true;
    } else if (key == "method") {
        r.method = value.toByteArray();
        any = true;
    } else if (key == "url" || key == "path") {
        r.url = value.toByteArray();
        any = true;
    } else if (key == "error" || key == "panic" || key == "err") {
        r.error = value.toByteArray();
        any = true;
    }
    if (any) m_sink.request(r);
}

void TraceEmitter::cpuSample(TimeNs ts, quint64 gid, qint64 p, quint64 stack)
{
    if (m_cpuProfile == kNoId) {
        ProfileRecord pr;
        pr.sampleType = "cpu";
        pr.unit = "nanoseconds";
        pr.periodType = "cpu";
        pr.periodUnit = "nanoseconds";
        pr.period = kCpuPeriodNs;
        m_cpuProfile = m_sink.profile(pr);
    }
    SampleRecord s;
    s.profile = m_cpuProfile;
    s.callsite = callsiteFor(stack);
    if (s.callsite == kNoId) {
        // Samples need a callsite; an unknown stack becomes one "unknown" frame.
        FrameRecord fr;
        fr.function = "(unknown)";
        s.callsite = m_sink.callsite(kNoId, m_sink.frame(fr));
    }
    s.value = kCpuPeriodNs;
    s.ts = ts;
    if (gid != 0) {
        G &g = goroutine(gid, ts);
        s.lane = goLane(g);
        if (!g.regions.empty()) s.request = taskRequest(g.regions.back().task);
    } else if (p >= 0) {
        s.lane = proc(p).lane;
    }
    m_sink.sample(s);
}

void TraceEmitter::finish(TimeNs end)
{
    end = std::max(end, m_last);
    std::vector<quint64> ids;
    ids.reserve(m_gs.size());
    for (const auto &[id, g] : m_gs)
        ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    for (quint64 id : ids) {
        G &g = m_gs[id];
        if (g.state == Dead) continue;
        const TimeNs t = std::max(end, g.since);
        leaveProc(g, t);
        while (!g.regions.empty())
            regionEnd(t, id, g.regions.back().task, g.regions.back().name);
        if (g.assisting) markAssistEnd(t, id);
        closeSpan(g, t);
        flushRun(g);
        g.since = t;
    }
    std::vector<qint64> ps;
    for (const auto &[id, p] : m_ps)
        ps.push_back(id);
    std::sort(ps.begin(), ps.end());
    for (qint64 p : ps)
        procStop(end, p);
    stwEnd(end);
    gcEnd(end);
}

} // namespace ls::exectrace
