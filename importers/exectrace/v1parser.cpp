// Old Go execution-trace format (header "go 1.N trace", N = 5..21).
//
// Design note: how the bytes become goroutine swimlanes
// ------------------------------------------------------
// The file is a flat list of events with no framing (formats.md §7). Each
// event is one type byte (low 6 bits type, high 2 bits argument count; 3 =
// length-prefixed) and uvarint arguments. `Batch [p, ticks]` switches the
// "current P": every following event until the next Batch was written by that
// P, and timestamps are deltas from the previous event of the batch. The
// frequency and the stack table come last, written when tracing stopped.
//
// 1. Decode: one pass over the bytes. Every length, count and id is checked
//    against the bytes that remain and against fixed limits (1 MB strings,
//    1000 frames, 64 KiB length-prefixed events), so a corrupt or cut file
//    stops the pass with a diagnostic at its offset and keeps what came
//    before. Events go into one stream per P (CPU samples into their own,
//    sorted by their own timestamp); memory is a fixed multiple of the file
//    size.
// 2. Order: the P streams are merged into one causal order the way the Go
//    reader does it: take each stream's first event when it is "ready" for
//    its goroutine (GoStart/GoUnblock/GoSysExit carry the goroutine's
//    sequence number and expect a state: runnable before a start, waiting
//    before an unblock), then emit the ready event with the smallest
//    timestamp. This repairs cross-CPU clock skew. Where the Go reader gives
//    up ("no consistent ordering"), typically because a cut file lost the
//    batch an event depends on, we take the earliest head anyway and count a
//    diagnostic. Go 1.5 traces carry a global sequence number instead and are
//    sorted by it. A syscall exit then takes its real timestamp.
// 3. Emit: the ordered events drive TraceEmitter's per-goroutine state
//    machine (tracemodel.h): create -> runnable -> running -> blocked(reason)
//    / runnable / syscall -> ... -> end, each change closing the previous
//    state span. The P that runs a goroutine gets a matching span; GC,
//    STW, sweeps and assists go to the GC and P lanes; tasks become requests
//    (keyed by a request id the task logs, found in a pass before emission),
//    regions become spans inside them, logs instants, CPU samples samples.
//
// Clock: the old format has no wall time. Ticks become ns by the frequency
// (relative to the first event, as the Go reader does) and the source is
// marked monotonic and unaligned, with one alignment hint per task that has
// a request id, so the writer can place the trace by the request keys it
// shares with wall-clock sources imported before it.

#include "v1parser.h"

#include "importlimits.h"

#include "common/logline.h"
#include "streammerge.h"
#include "tracemodel.h"

#include <algorithm>
#include <limits>
#include <queue>
#include <unordered_map>
#include <vector>

namespace ls::exectrace {

namespace {

__extension__ typedef __int128 Int128;

enum EvType : quint8
{
    EvNone = 0,
    EvBatch = 1,
    EvFrequency = 2,
    EvStack = 3,
    EvGomaxprocs = 4,
    EvProcStart = 5,
    EvProcStop = 6,
    EvGCStart = 7,
    EvGCDone = 8,
    EvSTWStart = 9,
    EvSTWDone = 10,
    EvGCSweepStart = 11,
    EvGCSweepDone = 12,
    EvGoCreate = 13,
    EvGoStart = 14,
    EvGoEnd = 15,
    EvGoStop = 16,
    EvGoSched = 17,
    EvGoPreempt = 18,
    EvGoSleep = 19,
    EvGoBlock = 20,
    EvGoUnblock = 21,
    EvGoBlockSend = 22,
    EvGoBlockRecv = 23,
    EvGoBlockSelect = 24,
    EvGoBlockSync = 25,
    EvGoBlockCond = 26,
    EvGoBlockNet = 27,
    EvGoSysCall = 28,
    EvGoSysExit = 29,
    EvGoSysBlock = 30,
    EvGoWaiting = 31,
    EvGoInSyscall = 32,
    EvHeapAlloc = 33,
    EvHeapGoal = 34,
    EvTimerGoroutine = 35,
    EvFutileWakeup = 36,
    EvString = 37,
    EvGoStartLocal = 38,
    EvGoUnblockLocal = 39,
    EvGoSysExitLocal = 40,
    EvGoStartLabel = 41,
    EvGoBlockGC = 42,
    EvGCMarkAssistStart = 43,
    EvGCMarkAssistDone = 44,
    EvUserTaskCreate = 45,
    EvUserTaskEnd = 46,
    EvUserRegion = 47,
    EvUserLog = 48,
    EvCPUSample = 49,
    EvCount = 50
};

struct Desc
{
    int minVersion; // 1005 ...
    bool stack;     // last argument is a stack id
    int args;       // arguments besides timestamp (and seq in 1.5) and stack
};

// Indexed by type. Argument counts are for the newest layout; argCount()
// adjusts them for older versions.
constexpr Desc kDesc[EvCount] = {
    {99999, false, 0}, // None
    {1005, false, 2},  // Batch [p, ticks]
    {1005, false, 1},  // Frequency
    {1005, false, 2},  // Stack (variable)
    {1005, true, 1},   // Gomaxprocs
    {1005, false, 1},  // ProcStart [thread]
    {1005, false, 0},  // ProcStop
    {1005, true, 1},   // GCStart [seq]
    {1005, false, 0},  // GCDone
    {1005, false, 1},  // STWStart [kind]
    {1005, false, 0},  // STWDone
    {1005, true, 0},   // GCSweepStart
    {1005, false, 2},  // GCSweepDone [swept, reclaimed]
    {1005, true, 2},   // GoCreate [g, new stack]
    {1005, false, 2},  // GoStart [g, seq]
    {1005, false, 0},  // GoEnd
    {1005, true, 0},   // GoStop
    {1005, true, 0},   // GoSched
    {1005, true, 0},   // GoPreempt
    {1005, true, 0},   // GoSleep
    {1005, true, 0},   // GoBlock
    {1005, true, 2},   // GoUnblock [g, seq]
    {1005, true, 0},   // GoBlockSend
    {1005, true, 0},   // GoBlockRecv
    {1005, true, 0},   // GoBlockSelect
    {1005, true, 0},   // GoBlockSync
    {1005, true, 0},   // GoBlockCond
    {1005, true, 0},   // GoBlockNet
    {1005, true, 0},   // GoSysCall
    {1005, false, 3},  // GoSysExit [g, seq, real ts]
    {1005, false, 0},  // GoSysBlock
    {1005, false, 1},  // GoWaiting [g]
    {1005, false, 1},  // GoInSyscall [g]
    {1005, false, 1},  // HeapAlloc
    {1005, false, 1},  // HeapGoal
    {1005, false, 1},  // TimerGoroutine [g]
    {1005, false, 0},  // FutileWakeup
    {1007, false, 0},  // String (special)
    {1007, false, 1},  // GoStartLocal [g]
    {1007, true, 1},   // GoUnblockLocal [g]
    {1007, false, 2},  // GoSysExitLocal [g, real ts]
    {1008, false, 3},  // GoStartLabel [g, seq, label]
    {1008, true, 0},   // GoBlockGC
    {1009, true, 0},   // GCMarkAssistStart
    {1009, false, 0},  // GCMarkAssistDone
    {1011, true, 3},   // UserTaskCreate [task, parent, name]
    {1011, true, 1},   // UserTaskEnd [task]
    {1011, true, 3},   // UserRegion [task, mode, name]
    {1011, true, 2},   // UserLog [task, key] + value string
    {1019, true, 3},   // CPUSample [real ts, p, g]
};

// Total number of encoded arguments of an event of this type and version.
int argCount(quint8 typ, int ver)
{
    const Desc &d = kDesc[typ];
    int n = d.args + (d.stack ? 1 : 0);
    if (typ == EvBatch || typ == EvFrequency || typ == EvTimerGoroutine)
        return ver < 1007 ? n + 1 : n;
    ++n;                 // timestamp
    if (ver < 1007) ++n; // sequence
    if (typ == EvGCSweepDone && ver < 1009) n -= 2;
    if ((typ == EvGCStart || typ == EvGoStart || typ == EvGoUnblock) && ver < 1007) --n;
    if (typ == EvSTWStart && ver < 1010) --n;
    return n;
}

struct Ev
{
    qint64 ts = 0;  // ticks until converted
    qint64 seq = 0; // Go 1.5 global sequence
    quint64 g = 0;
    quint64 args[4] = {0, 0, 0, 0};
    quint64 stk = 0;
    qint64 p = 0;
    quint8 type = 0;
};

constexpr qint64 kMaxString = limits::kStringBytes;
constexpr quint64 kMaxFrames = quint64(limits::kStackFrames);
constexpr quint64 kMaxEventBytes = 64 * 1024;
constexpr quint64 kNoP = std::numeric_limits<quint64>::max();

class Reader
{
public:
    Reader(const QByteArray &d, qint64 pos) : m_d(d), m_pos(pos) {}
    bool atEnd() const { return m_pos >= m_d.size(); }
    qint64 pos() const { return m_pos; }
    bool byte(quint8 &b)
    {
        if (m_pos >= m_d.size()) return false;
        b = quint8(m_d[m_pos++]);
        return true;
    }
    // Unsigned LEB128, at most 10 bytes.
    bool uvarint(quint64 &v)
    {
        v = 0;
        for (int i = 0; i < 10; ++i) {
            if (m_pos >= m_d.size()) return false;
            const quint8 b = quint8(m_d[m_pos++]);
            v |= quint64(b & 0x7f) << (7 * i);
            if (!(b & 0x80)) return true;
        }
        return false;
    }
    bool bytes(quint64 n, QByteArrayView &out)
    {
        if (n > quint64(m_d.size() - m_pos)) return false;
        out = QByteArrayView(m_d.constData() + m_pos, qsizetype(n));
        m_pos += qint64(n);
        return true;
    }

private:
    const QByteArray &m_d;
    qint64 m_pos;
};

// Goroutine ordering state (the merge in step 2).
constexpr quint64 kUnordered = ~quint64(0);
constexpr quint64 kGarbage = ~quint64(0) - 1;
constexpr quint64 kNoSeq = ~quint64(0);
constexpr quint64 kSeqInc = ~quint64(0) - 1;

enum OrdStatus : quint8
{
    ODead,
    ORunnable,
    ORunning,
    OWaiting
};

struct OrdState
{
    quint64 seq = 0;
    quint8 status = ODead;
};

struct Transition
{
    quint64 g = kUnordered;
    OrdState init, next;
};

Transition transitionOf(const Ev &e)
{
    Transition t;
    switch (e.type) {
    case EvGoCreate:
        t.g = e.args[0];
        t.init = {0, ODead};
        t.next = {1, ORunnable};
        break;
    case EvGoWaiting:
    case EvGoInSyscall:
        t.g = e.g;
        t.init = {1, ORunnable};
        t.next = {2, OWaiting};
        break;
    case EvGoStart:
    case EvGoStartLabel:
        t.g = e.g;
        t.init = {e.args[1], ORunnable};
        t.next = {e.args[1] + 1, ORunning};
        break;
    case EvGoStartLocal:
        t.g = e.g;
        t.init = {kNoSeq, ORunnable};
        t.next = {kSeqInc, ORunning};
        break;
    case EvGoBlock:
    case EvGoBlockSend:
    case EvGoBlockRecv:
    case EvGoBlockSelect:
    case EvGoBlockSync:
    case EvGoBlockCond:
    case EvGoBlockNet:
    case EvGoSleep:
    case EvGoSysBlock:
    case EvGoBlockGC:
        t.g = e.g;
        t.init = {kNoSeq, ORunning};
        t.next = {kNoSeq, OWaiting};
        break;
    case EvGoSched:
    case EvGoPreempt:
        t.g = e.g;
        t.init = {kNoSeq, ORunning};
        t.next = {kNoSeq, ORunnable};
        break;
    case EvGoUnblock:
    case EvGoSysExit:
        t.g = e.args[0];
        t.init = {e.args[1], OWaiting};
        t.next = {e.args[1] + 1, ORunnable};
        break;
    case EvGoUnblockLocal:
    case EvGoSysExitLocal:
        t.g = e.args[0];
        t.init = {kNoSeq, OWaiting};
        t.next = {kSeqInc, ORunnable};
        break;
    case EvGCStart:
        t.g = kGarbage;
        t.init = {e.args[0], ODead};
        t.next = {e.args[0] + 1, ODead};
        break;
    default:
        break;
    }
    return t;
}

bool ready(const Transition &t, const OrdState &cur)
{
    return t.g == kUnordered ||
           ((t.init.seq == kNoSeq || t.init.seq == cur.seq) && t.init.status == cur.status);
}

void apply(const Transition &t, OrdState &cur)
{
    OrdState n = t.next;
    if (n.seq == kNoSeq)
        n.seq = cur.seq;
    else if (n.seq == kSeqInc)
        n.seq = cur.seq + 1;
    cur = n;
}

QByteArray stwKind(int ver, quint64 kind)
{
    if (ver < 1010) return {};
    if (ver < 1021) {
        if (kind == 0) return "mark termination";
        if (kind == 1) return "sweep termination";
        return "kind " + QByteArray::number(kind);
    }
    static const char *const kReasons[] = {"unknown",
                                           "GC mark termination",
                                           "GC sweep termination",
                                           "write heap dump",
                                           "goroutine profile",
                                           "goroutine profile cleanup",
                                           "all goroutines stack trace",
                                           "read mem stats",
                                           "AllThreadsSyscall",
                                           "GOMAXPROCS",
                                           "start trace",
                                           "stop trace",
                                           "CountPagesInUse (test)",
                                           "ReadMetricsSlow (test)",
                                           "ReadMemStatsSlow (test)",
                                           "PageCachePagesLeaked (test)",
                                           "ResetDebugLog (test)"};
    if (kind < sizeof(kReasons) / sizeof(kReasons[0])) return kReasons[kind];
    return "kind " + QByteArray::number(kind);
}

struct Decoded
{
    std::vector<Ev> all;                       // every event, in file order
    std::vector<std::vector<quint32>> streams; // per P: indexes into all, in file order
    std::unordered_map<qint64, size_t> streamOf;
    std::vector<quint32> samples;
    std::unordered_map<quint64, QByteArray> strings;
    std::vector<QByteArray> logValues;
    std::unordered_map<quint64, bool> timerGs;
    qint64 freq = 0;
    qint64 events = 0;
    bool damaged = false;
};

std::vector<quint32> &streamFor(Decoded &d, qint64 p)
{
    auto it = d.streamOf.find(p);
    if (it != d.streamOf.end()) return d.streams[it->second];
    d.streamOf.emplace(p, d.streams.size());
    d.streams.emplace_back();
    return d.streams.back();
}

// Step 1: bytes -> per-P event streams, stacks, strings.
void decode(ImportContext &ctx, const QByteArray &data, int ver, Decoded &d, StackTable &stacks)
{
    Reader r(data, 16);
    // Events take 3 to 8 bytes on the wire: one reservation instead of regrowth.
    d.all.reserve(size_t(data.size() / 5) + 16);
    std::vector<quint64> args;
    args.reserve(64);
    qint64 lastP = 0;
    quint64 lastG = 0;
    qint64 lastTs = 0, lastSeq = 0;
    bool inBatch = false;
    std::unordered_map<qint64, quint64> lastGs;
    auto damaged = [&](qint64 off, const QString &why) {
        ctx.diag("truncated", Severity::Error, off, -1,
                 why + QStringLiteral("; the rest of the file was not read"));
        d.damaged = true;
    };
    while (!r.atEnd()) {
        if ((d.events & 0xffff) == 0) ctx.checkpoint();
        const qint64 off0 = r.pos();
        quint8 b = 0;
        r.byte(b);
        const quint8 typ = b & 0x3f;
        const int lenCode = b >> 6;
        if (typ == EvNone || typ >= EvCount || kDesc[typ].minVersion > ver) {
            ctx.diag("bad-event-type", Severity::Error, off0, -1,
                     QStringLiteral("unknown event type %1; the rest of the file was not read")
                         .arg(typ));
            d.damaged = true;
            return;
        }
        if (typ == EvString) {
            quint64 id = 0, len = 0;
            QByteArrayView s;
            if (!r.uvarint(id) || !r.uvarint(len))
                return damaged(off0, QStringLiteral("cut string"));
            if (len > quint64(kMaxString)) {
                ctx.diag("bad-string", Severity::Error, off0, -1,
                         QStringLiteral("a string of %1 bytes is longer than %2 (the limit for "
                                        "one string)")
                             .arg(len)
                             .arg(limits::bytesText(limits::kStringBytes)));
                d.damaged = true;
                return;
            }
            if (!r.bytes(len, s)) return damaged(off0, QStringLiteral("cut string"));
            if (id != 0) d.strings[id] = s.toByteArray();
            continue;
        }
        args.clear();
        if (lenCode < 3) {
            const int n = lenCode + 1 + (ver < 1007 ? 1 : 0);
            for (int i = 0; i < n; ++i) {
                quint64 v;
                if (!r.uvarint(v)) return damaged(off0, QStringLiteral("cut event"));
                args.push_back(v);
            }
        } else {
            quint64 len = 0;
            QByteArrayView body;
            if (!r.uvarint(len)) return damaged(off0, QStringLiteral("cut event"));
            if (len > kMaxEventBytes) {
                ctx.diag("bad-event-size", Severity::Error, off0, -1,
                         QStringLiteral("event claims %1 bytes; the rest of the file was not read")
                             .arg(len));
                d.damaged = true;
                return;
            }
            if (!r.bytes(len, body)) return damaged(off0, QStringLiteral("cut event"));
            QByteArray copy = body.toByteArray();
            Reader br(copy, 0);
            while (!br.atEnd()) {
                quint64 v;
                if (!br.uvarint(v)) {
                    ctx.diag("bad-event", Severity::Warning, off0, -1,
                             QStringLiteral("malformed argument in event of type %1").arg(typ));
                    break;
                }
                args.push_back(v);
            }
        }
        QByteArray logValue;
        if (typ == EvUserLog) {
            quint64 len = 0;
            QByteArrayView s;
            if (!r.uvarint(len)) return damaged(off0, QStringLiteral("cut log value"));
            if (len > quint64(kMaxString) || !r.bytes(len, s))
                return damaged(off0, QStringLiteral("cut log value"));
            logValue = s.toByteArray();
        }
        // Interpret.
        if (typ == EvStack) {
            if (args.size() < 2) continue;
            const quint64 id = args[0], n = args[1];
            const quint64 per = ver < 1007 ? 1 : 4;
            if (n > kMaxFrames || args.size() != 2 + per * n) {
                ctx.diag("bad-stack", Severity::Warning, off0, -1,
                         n > kMaxFrames
                             ? QStringLiteral("stack %1 has %2 frames, deeper than %3 (the limit "
                                              "for one stack); skipped")
                                   .arg(id)
                                   .arg(n)
                                   .arg(kMaxFrames)
                             : QStringLiteral("stack %1 has a bad frame count").arg(id));
                continue;
            }
            std::vector<int> frames;
            frames.reserve(n);
            for (quint64 i = 0; i < n; ++i) {
                TraceFrame f;
                f.pc = args[2 + i * per];
                const int known = stacks.frameForPc(f.pc);
                if (known >= 0) {
                    frames.push_back(known);
                    continue;
                }
                if (per == 4) {
                    auto fn = d.strings.find(args[3 + i * 4]);
                    auto file = d.strings.find(args[4 + i * 4]);
                    if (fn != d.strings.end()) f.fn = fn->second;
                    if (file != d.strings.end()) f.file = file->second;
                    f.line = qint64(args[5 + i * 4]);
                }
                frames.push_back(stacks.addFrame(std::move(f)));
            }
            if (id != 0) stacks.setStack(id, std::move(frames));
            continue;
        }
        const int want = argCount(typ, ver);
        if (int(args.size()) != want) {
            ctx.diag("bad-arg-count", Severity::Warning, off0, -1,
                     QStringLiteral("event of type %1 has %2 arguments, expected %3")
                         .arg(typ)
                         .arg(args.size())
                         .arg(want));
            continue;
        }
        switch (typ) {
        case EvBatch: {
            lastGs[lastP] = lastG;
            lastP = args[0] == kNoP || args[0] > quint64(std::numeric_limits<qint32>::max())
                        ? -1
                        : qint64(args[0]);
            lastG = lastGs[lastP];
            if (ver < 1007) {
                lastSeq = qint64(args[1]);
                lastTs = qint64(args[2]);
            } else {
                lastTs = qint64(args[1]);
            }
            inBatch = true;
            continue;
        }
        case EvFrequency:
            if (qint64(args[0]) > 0)
                d.freq = qint64(args[0]);
            else
                ctx.diag("bad-frequency", Severity::Warning, off0, -1,
                         QStringLiteral("trace frequency is not positive"));
            continue;
        case EvTimerGoroutine:
            d.timerGs[args[0]] = true;
            continue;
        default:
            break;
        }
        if (!inBatch) {
            ctx.diag("event-outside-batch", Severity::Warning, off0, -1,
                     QStringLiteral("event before the first batch"));
            continue;
        }
        Ev e;
        e.type = typ;
        e.p = lastP;
        e.g = lastG;
        size_t a = 1;
        // Deltas are varints added as Go adds them (int64 arithmetic that
        // wraps: Go 1.5-1.6 traces carry negative deltas that way), in
        // unsigned arithmetic, where wrapping is defined behaviour in C++.
        auto plus = [](qint64 base, quint64 delta) { return qint64(quint64(base) + delta); };
        if (ver < 1007) {
            e.seq = plus(lastSeq, args[0]);
            lastSeq = e.seq;
            e.ts = plus(lastTs, args[1]);
            a = 2;
        } else {
            e.ts = plus(lastTs, args[0]);
        }
        lastTs = e.ts;
        const size_t nargs = args.size();
        for (size_t i = a, k = 0; i < nargs; ++i) {
            if (i == nargs - 1 && kDesc[typ].stack)
                e.stk = args[i];
            else if (k < 4)
                e.args[k++] = args[i];
        }
        switch (typ) {
        case EvGoStart:
        case EvGoStartLocal:
        case EvGoStartLabel:
            lastG = e.args[0];
            e.g = lastG;
            break;
        case EvGoEnd:
        case EvGoStop:
        case EvGoSched:
        case EvGoPreempt:
        case EvGoSleep:
        case EvGoBlock:
        case EvGoBlockSend:
        case EvGoBlockRecv:
        case EvGoBlockSelect:
        case EvGoBlockSync:
        case EvGoBlockCond:
        case EvGoBlockNet:
        case EvGoSysBlock:
        case EvGoBlockGC:
            lastG = 0;
            break;
        case EvGoSysExit:
        case EvGoWaiting:
        case EvGoInSyscall:
            e.g = e.args[0];
            break;
        case EvUserLog:
            e.args[3] = d.logValues.size();
            d.logValues.push_back(std::move(logValue));
            break;
        case EvCPUSample:
            e.ts = qint64(e.args[0]);
            e.p = e.args[1] == kNoP || e.args[1] > quint64(std::numeric_limits<qint32>::max())
                      ? -1
                      : qint64(e.args[1]);
            e.g = e.args[2];
            d.samples.push_back(quint32(d.all.size()));
            d.all.push_back(e);
            ++d.events;
            continue;
        default:
            break;
        }
        streamFor(d, e.p).push_back(quint32(d.all.size()));
        d.all.push_back(e);
        ++d.events;
    }
}

// Step 2 for Go 1.7+: merge the P streams into one causal order.
std::vector<quint32> order(ImportContext &ctx, Decoded &d)
{
    std::vector<Ev> &all = d.all;
    std::stable_sort(d.samples.begin(), d.samples.end(),
                     [&](quint32 a, quint32 b) { return all[a].ts < all[b].ts; });
    std::vector<std::vector<quint32> *> streams;
    for (auto &s : d.streams)
        streams.push_back(&s);
    streams.push_back(&d.samples);
    size_t total = 0;
    for (auto *s : streams)
        total += s->size();
    std::vector<quint32> out;
    out.reserve(total);
    std::unordered_map<quint64, OrdState> gs;
    auto at = [&](size_t i, size_t k) -> Ev & { return all[(*streams[i])[k]]; };
    const qint64 forced = mergeStreams(
        streams.size(), [&](size_t i) { return streams[i]->size(); },
        [&](size_t i, size_t k) {
            const Transition t = transitionOf(at(i, k));
            return t.g == kUnordered || ready(t, gs[t.g]);
        },
        [&](size_t i, size_t k) { return at(i, k).ts; },
        [&](size_t i, size_t k) {
            const quint32 idx = (*streams[i])[k];
            Ev &e = all[idx];
            const Transition t = transitionOf(e);
            if (t.g != kUnordered) apply(t, gs[t.g]);
            switch (e.type) {
            case EvGoStartLocal:
                e.type = EvGoStart;
                break;
            case EvGoUnblockLocal:
                e.type = EvGoUnblock;
                break;
            case EvGoSysExitLocal:
                e.type = EvGoSysExit;
                e.args[2] = e.args[1]; // real timestamp
                e.args[1] = 0;
                e.g = e.args[0];
                break;
            default:
                break;
            }
            out.push_back(idx);
            if ((out.size() & 0xffff) == 0) ctx.checkpoint();
        });
    if (forced)
        ctx.diag("order-forced", Severity::Warning, -1, -1,
                 QStringLiteral("%1 events could not be put in a consistent order (events "
                                "missing or clocks broken); they were placed by time")
                     .arg(forced));
    return out;
}

// Step 2 for Go 1.5: a global sequence number orders everything.
std::vector<quint32> order1005(Decoded &d)
{
    std::vector<quint32> out;
    for (auto &s : d.streams)
        out.insert(out.end(), s.begin(), s.end());
    for (quint32 i : out) {
        Ev &e = d.all[i];
        if (e.type == EvGoSysExit) {
            e.seq = qint64(e.args[1]);
            if (e.args[2] != 0) e.ts = qint64(e.args[2]);
            e.args[2] = 0;
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [&](quint32 a, quint32 b) { return d.all[a].seq < d.all[b].seq; });
    return out;
}

// Sorts nearly sorted indexes by time, keeping equal times in order: an
// insertion pass when few events are out of place (the syscall exits moved
// to their real time), a stable sort otherwise.
void sortByTime(std::vector<quint32> &idx, const std::vector<Ev> &all)
{
    auto byTime = [&](quint32 a, quint32 b) { return all[a].ts < all[b].ts; };
    if (std::is_sorted(idx.begin(), idx.end(), byTime)) return;
    // Insertion with a work budget: a corrupt file can displace events far.
    size_t budget = 8 * idx.size() + 1024;
    for (size_t i = 1; i < idx.size(); ++i) {
        const quint32 x = idx[i];
        const qint64 t = all[x].ts;
        size_t j = i;
        while (j > 0 && all[idx[j - 1]].ts > t) {
            if (budget-- == 0) {
                idx[j] = x;
                std::stable_sort(idx.begin(), idx.end(), byTime);
                return;
            }
            idx[j] = idx[j - 1];
            --j;
        }
        idx[j] = x;
    }
}

} // namespace

int parseTraceHeader(QByteArrayView head)
{
    if (head.size() < 16 || !head.startsWith("go 1.")) return 0;
    int minor = 0, i = 5;
    while (i < 8 && head[i] >= '0' && head[i] <= '9')
        minor = minor * 10 + (head[i++] - '0');
    if (i == 5 || minor < 5) return 0;
    if (head.sliced(i).first(6) != QByteArrayView(" trace")) return 0;
    for (int k = i + 6; k < 16; ++k)
        if (head[k] != '\0') return 0;
    return 1000 + minor;
}

V1Stats importV1(ImportContext &ctx, RecordSink &sink, const QByteArray &data, int ver)
{
    StackTable stacks;
    Decoded d;
    ctx.setStage(QStringLiteral("decoding"));
    decode(ctx, data, ver, d, stacks);
    qint64 n = 0;
    for (auto &s : d.streams)
        n += qint64(s.size());
    if (n == 0 && d.samples.empty()) {
        if (d.damaged) throw ImportError(QStringLiteral("no trace events could be read"), 16);
        throw ImportError(QStringLiteral("the trace holds no events"), 16);
    }
    ctx.setStage(QStringLiteral("ordering"));
    std::vector<quint32> evIdx = ver < 1007 ? order1005(d) : order(ctx, d);
    d.streams.clear();
    d.samples.clear();

    // Syscall exits happened at their real timestamp, before they were written.
    bool sorted = true;
    for (size_t i = 1; i < evIdx.size(); ++i)
        if (d.all[evIdx[i]].ts < d.all[evIdx[i - 1]].ts) {
            sorted = false;
            break;
        }
    if (!sorted)
        ctx.diag("time-order", Severity::Warning, -1, -1,
                 QStringLiteral("time stamps out of order (broken CPU clocks); events keep their "
                                "causal order and times are clamped per goroutine"));
    if (ver >= 1007) {
        std::unordered_map<quint64, qint64> lastSysBlock;
        for (quint32 i : evIdx) {
            Ev &e = d.all[i];
            if (e.type == EvGoSysBlock || e.type == EvGoInSyscall) lastSysBlock[e.g] = e.ts;
            if (e.type == EvGoSysExit && e.args[2] != 0) {
                auto it = lastSysBlock.find(e.g);
                const qint64 real = qint64(e.args[2]);
                if (it != lastSysBlock.end() && real >= it->second && real <= e.ts) e.ts = real;
            }
        }
        if (sorted) sortByTime(evIdx, d.all);
    }

    qint64 freq = d.freq;
    if (freq <= 0) {
        // Written at the very end: a cut file has none. Go's amd64 tick is the
        // TSC / 64; assume a 2.5 GHz TSC.
        freq = 39'062'500;
        ctx.diag("no-frequency", Severity::Error, data.size(), -1,
                 QStringLiteral("the trace has no frequency event (cut before its end); times "
                                "assume %1 ticks per second and stacks are missing")
                     .arg(freq));
    }
    const qint64 minTs = evIdx.empty() ? 0 : d.all[evIdx.front()].ts;
    auto toNs = [&](qint64 ticks) -> TimeNs {
        const Int128 rel = Int128(ticks) - minTs;
        if (rel <= 0) return 0;
        const Int128 ns = rel * 1'000'000'000 / freq;
        return ns > std::numeric_limits<qint64>::max() / 2 ? std::numeric_limits<qint64>::max() / 2
                                                           : TimeNs(ns);
    };

    sink.setClock(ClockKind::Monotonic, 0, "unaligned");
    TraceEmitter em(ctx, sink, stacks);
    auto str = [&](quint64 id) -> QByteArray {
        auto it = d.strings.find(id);
        return it == d.strings.end() ? QByteArray() : it->second;
    };
    // Request ids the tasks log, before any task is emitted.
    for (const quint32 evi : evIdx) {
        const Ev &e = d.all[evi];
        if (e.type != EvUserLog || e.args[0] == 0) continue;
        const QByteArray key = str(e.args[1]);
        for (const char *k : kRequestIdKeys)
            if (key == k && e.args[3] < d.logValues.size() && !d.logValues[e.args[3]].isEmpty()) {
                em.setTaskKey(e.args[0], d.logValues[e.args[3]]);
                break;
            }
    }

    ctx.setStage(QStringLiteral("building lanes"));
    TimeNs last = 0;
    qint64 count = 0;
    for (const quint32 evi : evIdx) {
        const Ev &e = d.all[evi];
        if ((++count & 0xffff) == 0) ctx.checkpoint();
        const TimeNs ts = toNs(e.ts);
        last = std::max(last, ts);
        switch (e.type) {
        case EvGomaxprocs:
            em.counter(ts, Counter::Gomaxprocs, double(e.args[0]));
            break;
        case EvProcStart:
            em.procStart(ts, e.p, qint64(e.args[0]));
            break;
        case EvProcStop:
            em.procStop(ts, e.p);
            break;
        case EvGCStart:
            em.gcStart(ts, ver < 1007 ? 0 : qint64(e.args[0]) + 1);
            break;
        case EvGCDone:
            em.gcEnd(ts);
            break;
        case EvSTWStart:
            em.stwStart(ts, stwKind(ver, e.args[0]));
            break;
        case EvSTWDone:
            em.stwEnd(ts);
            break;
        case EvGCSweepStart:
            em.sweepStart(ts, e.p);
            break;
        case EvGCSweepDone:
            em.sweepEnd(ts, e.p);
            break;
        case EvGoCreate:
            em.goCreate(ts, e.g, e.args[0], e.args[1], e.stk);
            break;
        case EvGoStart:
            em.goRunning(ts, e.g, e.p);
            break;
        case EvGoStartLabel:
            em.goRunning(ts, e.g, e.p, str(e.args[2]));
            break;
        case EvGoEnd:
            em.goEnd(ts, e.g);
            break;
        case EvGoStop:
            em.goStopped(ts, e.g, Wait::Other, "stopped", e.stk);
            break;
        case EvGoSched:
            em.goStopped(ts, e.g, Wait::Runnable, "yield", e.stk);
            break;
        case EvGoPreempt:
            em.goStopped(ts, e.g, Wait::Runnable, "preempted", e.stk);
            break;
        case EvGoSleep:
            em.goStopped(ts, e.g, Wait::Sleep, "sleep", e.stk);
            break;
        case EvGoBlock:
            em.goStopped(ts, e.g, Wait::Other, "blocked", e.stk);
            break;
        case EvGoBlockSend:
            em.goStopped(ts, e.g, Wait::Chan, "chan send", e.stk);
            break;
        case EvGoBlockRecv:
            em.goStopped(ts, e.g, Wait::Chan, "chan receive", e.stk);
            break;
        case EvGoBlockSelect:
            em.goStopped(ts, e.g, Wait::Select, "select", e.stk);
            break;
        case EvGoBlockSync:
            em.goStopped(ts, e.g, Wait::Sync, "sync.Mutex", e.stk);
            break;
        case EvGoBlockCond:
            em.goStopped(ts, e.g, Wait::Sync, "sync.Cond", e.stk);
            break;
        case EvGoBlockNet:
            em.goStopped(ts, e.g, Wait::Net, "network", e.stk);
            break;
        case EvGoBlockGC:
            em.goStopped(ts, e.g, Wait::Gc, "GC assist wait", e.stk);
            break;
        case EvGoUnblock:
            em.goUnblock(ts, e.g, d.timerGs.count(e.g) ? -1 : e.p, e.args[0], e.stk);
            break;
        case EvGoSysCall:
            em.goSyscall(ts, e.g, e.stk);
            break;
        case EvGoSysBlock:
            em.goSyscallBlocked(ts, e.g);
            break;
        case EvGoSysExit:
            em.goStopped(ts, e.args[0], Wait::Runnable, "syscall exit", 0);
            break;
        case EvGoWaiting:
            em.goExisting(ts, e.g, Wait::Other, "waiting (before trace start)");
            break;
        case EvGoInSyscall:
            em.goExisting(ts, e.g, Wait::Syscall, "syscall");
            break;
        case EvHeapAlloc:
            em.counter(ts, Counter::Heap, double(e.args[0]));
            break;
        case EvHeapGoal:
            em.counter(ts, Counter::HeapGoal, double(e.args[0]));
            break;
        case EvGCMarkAssistStart:
            em.markAssistStart(ts, e.g);
            break;
        case EvGCMarkAssistDone:
            em.markAssistEnd(ts, e.g);
            break;
        case EvUserTaskCreate:
            em.taskCreate(ts, e.g, e.args[0], e.args[1], str(e.args[2]));
            break;
        case EvUserTaskEnd:
            em.taskEnd(ts, e.g, e.args[0]);
            break;
        case EvUserRegion:
            if (e.args[1] == 0)
                em.regionBegin(ts, e.g, e.args[0], str(e.args[2]));
            else
                em.regionEnd(ts, e.g, e.args[0], str(e.args[2]));
            break;
        case EvUserLog:
            em.userLog(ts, e.g, e.args[0], str(e.args[1]),
                       e.args[3] < d.logValues.size() ? d.logValues[e.args[3]] : QByteArray());
            break;
        case EvCPUSample:
            em.cpuSample(ts, e.g, e.p, e.stk);
            break;
        default:
            break; // FutileWakeup: the wakeup sequence stays as it was
        }
    }
    em.finish(last);
    V1Stats st;
    st.events = d.events;
    st.goroutines = em.goroutineCount();
    st.tasks = em.taskCount();
    ctx.addEvents(d.events);
    return st;
}

} // namespace ls::exectrace
