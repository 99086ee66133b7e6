#pragma once
// The format-neutral half of the Go execution-trace importers. Both wire
// formats (the old one of Go 1.5-1.21 and the generation-based one of Go
// 1.22+) are decoded into an ordered stream of calls on TraceEmitter, which
// owns the goroutine state machine and turns it into lanes, spans, flows,
// instants, requests and samples.
//
// Invariants the emitter guarantees whatever the input says:
//  - per goroutine, the depth-0 state spans tile its life exactly: every state
//    change closes the open span at the change's time and opens the next one
//    there; a time earlier than the open span's start is clamped to it, so
//    spans never overlap and never leave a gap;
//  - a goroutine nobody created (it existed before the trace, or its create
//    event was lost) is born at its first event;
//  - region spans on a goroutine lane nest (depth 1 + nesting level), and an
//    open region is closed when its goroutine ends or the trace ends;
//  - every lookup of an id the file gave (stack, task, goroutine) tolerates
//    unknown ids;
//  - an ended goroutine's state is dropped (a trace of a server that starts
//    a goroutine per request has hundreds of thousands): what is kept of it
//    is its lane and end, so a late CPU sample or an event the file gives it after
//    its end still lands on its lane, and a goroutine's side (under
//    net/http's conn.serve or not) is inherited from its creator when it is
//    created, so nothing needs its dead ancestors.

#include "importer.h"

#include <QByteArray>
#include <QHash>

#include <unordered_map>
#include <vector>

namespace ls::exectrace {

struct TraceFrame
{
    quint64 pc = 0;
    QByteArray fn;
    QByteArray file;
    qint64 line = 0;
};

// Stacks keyed by a trace-global id (the new format's per-generation ids are
// remapped by its parser). Frames are leaf first, as the trace stores them.
class StackTable
{
public:
    int addFrame(TraceFrame f);
    int frameForPc(quint64 pc) const; // -1 when unknown
    void setStack(quint64 id, std::vector<int> frames) { m_stacks[id] = std::move(frames); }
    const std::vector<int> *stack(quint64 id) const;
    const TraceFrame &frame(int i) const { return m_frames[size_t(i)]; }
    // The function of the leaf frame, empty when unknown.
    QByteArray leafFunction(quint64 stackId) const;
    size_t size() const { return m_stacks.size(); }

private:
    std::vector<TraceFrame> m_frames;
    std::unordered_map<quint64, int> m_byPc;
    std::unordered_map<quint64, std::vector<int>> m_stacks;
};

// Why a goroutine is not running. Each maps to one category string.
enum class Wait : quint8
{
    Runnable,
    Net,
    Sync,
    Chan,
    Select,
    Sleep,
    Syscall,
    Gc,
    Other,
};

enum class Counter : quint8
{
    Heap,
    HeapGoal,
    Goroutines,
    Gomaxprocs,
    Count_
};

class TraceEmitter
{
public:
    TraceEmitter(ImportContext &ctx, RecordSink &sink, const StackTable &stacks);
    ~TraceEmitter();

    // Request keys of tasks, found by the caller in a pass over the logs
    // before emission (a task's request id is logged after the task starts).
    // A key for a task already created comes too late to name it: not kept.
    void setTaskKey(quint64 task, const QByteArray &key);
    // Generation-based traces: called before each generation's events. Tasks
    // that ended two generations back or more are forgotten.
    void startGeneration();

    // Goroutines. `stack` arguments are stack ids (0: none).
    void goCreate(TimeNs ts, quint64 creator, quint64 g, quint64 startStack, quint64 stack);
    void goRunning(TimeNs ts, quint64 g, qint64 p, QByteArrayView label = {});
    void goLabel(quint64 g, QByteArrayView label);
    void goStopped(TimeNs ts, quint64 g, Wait why, QByteArrayView reason, quint64 stack);
    void goUnblock(TimeNs ts, quint64 waker, qint64 wakerP, quint64 g, quint64 stack);
    // A syscall entered while running; becomes a syscall span only when the
    // goroutine later loses its P (goSyscallBlocked), else stays an instant.
    void goSyscall(TimeNs ts, quint64 g, quint64 stack);
    void goSyscallBlocked(TimeNs ts, quint64 g);
    void goEnd(TimeNs ts, quint64 g);
    // Goroutines that exist before the trace begins, in a known state.
    void goExisting(TimeNs ts, quint64 g, Wait why, QByteArrayView reason);

    void procStart(TimeNs ts, qint64 p, qint64 thread);
    void procStop(TimeNs ts, qint64 p);
    void gcStart(TimeNs ts, qint64 seq);
    void gcEnd(TimeNs ts);
    void stwStart(TimeNs ts, QByteArrayView kind);
    void stwEnd(TimeNs ts);
    void sweepStart(TimeNs ts, qint64 p);
    void sweepEnd(TimeNs ts, qint64 p);
    void markAssistStart(TimeNs ts, quint64 g);
    void markAssistEnd(TimeNs ts, quint64 g);
    void counter(TimeNs ts, Counter c, double value);

    void taskCreate(TimeNs ts, quint64 g, quint64 task, quint64 parent, QByteArrayView name);
    void taskEnd(TimeNs ts, quint64 g, quint64 task);
    void regionBegin(TimeNs ts, quint64 g, quint64 task, QByteArrayView name);
    void regionEnd(TimeNs ts, quint64 g, quint64 task, QByteArrayView name);
    void userLog(TimeNs ts, quint64 g, quint64 task, QByteArrayView key, QByteArrayView value);
    void cpuSample(TimeNs ts, quint64 g, qint64 p, quint64 stack);

    // Closes every open span at `end` (the trace's last time).
    void finish(TimeNs end);

    qint64 goroutineCount() const;
    qint64 taskCount() const { return m_taskCount; }

private:
    struct G;
    struct P;
    struct Task;
    G &goroutine(quint64 g, TimeNs ts);
    G *findG(quint64 g);
    P &proc(qint64 p);
    // A lane of `kind` for number n (a P, an M, a counter), sorted by n.
    LaneId numberedLane(const char *kind, qint64 n, const QByteArray &name);
    LaneId goLane(G &g);
    void transition(G &g, TimeNs ts, int state, StringId cat, StringId name, quint64 stack,
                    qint64 p = -1);
    void closeSpan(G &g, TimeNs ts);
    void flushRun(G &g);
    StringId internCached(QByteArrayView s);
    void split(G &g, TimeNs ts);
    void leaveProc(G &g, TimeNs ts);
    void flushProc(P &pp);
    CallsiteId callsiteFor(quint64 stack);
    // A sync wait's name from its blocking stack: sync.WaitGroup, sync.RWMutex, sync.Mutex.
    QByteArrayView syncReason(QByteArrayView reason, quint64 stack) const;
    LaneId gcLane();
    LaneId counterLane(Counter c);
    int allocAssistDepth(TimeNs ts);
    RequestId taskRequest(quint64 task) const;
    Side sideFor(quint64 g) const;

    ImportContext &m_ctx;
    RecordSink &m_sink;
    const StackTable &m_stacks;
    std::unordered_map<quint64, G> m_gs; // goroutines not ended
    // Ended goroutines' lanes: by goid, appended in order while goids come
    // increasing (as the runtime hands them out), in a map otherwise.
    struct Ended
    {
        quint64 g;
        LaneId lane; // kNoId when it had none
        TimeNs at;   // its end: what comes after starts no earlier
    };
    std::vector<Ended> m_endedInOrder;
    std::unordered_map<quint64, Ended> m_endedOther;
    // Whether goroutine g ended, and how; forgets it.
    bool takeEnded(quint64 g, Ended *out);
    std::unordered_map<qint64, P> m_ps;
    std::unordered_map<quint64, Task> m_tasks;
    QHash<quint64, QByteArray> m_taskKeys;
    std::unordered_map<quint64, CallsiteId> m_callsites;
    std::unordered_map<int, FrameId> m_frameIds;
    LaneId m_gcLane = kNoId;
    LaneId m_counterLanes[int(Counter::Count_)] = {};
    TimeNs m_gcStart = kNoTime;
    qint64 m_gcSeq = 0;
    TimeNs m_stwStart = kNoTime;
    QByteArray m_stwKind;
    std::vector<std::pair<QByteArray, StringId>> m_nameCache;
    std::vector<TimeNs> m_assistSlots; // end of the assist occupying depth 2+i, or kNoTime
    qint64 m_live = 0;
    qint64 m_taskCount = 0;
    qint64 m_generation = 0; // startGeneration() calls
    ProfileId m_cpuProfile = kNoId;
    TimeNs m_last = 0;

    // Interned names and categories.
    StringId m_catRunning, m_catRunnable, m_catNet, m_catSync, m_catChan, m_catSelect, m_catSleep,
        m_catSyscall, m_catGc, m_catOther, m_catAssist, m_catRegion, m_catLog, m_catProc, m_catStw,
        m_catGcCycle, m_catSweep, m_catCounter, m_nameRunning, m_nameAssist, m_nameYield;
};

} // namespace ls::exectrace
