// New Go execution-trace format (header "go 1.NN trace", NN >= 22).
//
// The file is a sequence of batches (formats.md §6), grouped into
// generations; string and stack ids are local to a generation, goroutine,
// P and thread ids are global. Each generation is self-contained, so the file
// is read as a stream, one generation at a time (GenerationReader), and only
// it and the one after it are held, whatever the file's size:
//  1. decode the generation's batches as they arrive, bounds-checked, into its
//     tables (strings, stacks, frequency, clock snapshot) and per-thread (M)
//     event streams; a cut or corrupt batch ends reading with a diagnostic. A
//     generation with no frequency, or cut before its string and stack tables
//     (they come at its end), is dropped with an error diagnostic, as the Go
//     reader does; the generations before it are whole;
//  2. merge its M streams by timestamp, holding back an event whose goroutine
//     or P sequence number says another M's event must come first
//     (GoStart/GoUnblock/GoSwitch carry g_seq, ProcStart/ProcSteal/
//     GoSyscallBegin p_seq), and forcing the earliest one when nothing is
//     ready;
//  3. replay the merged events on TraceEmitter, keeping per M its current P
//     and goroutine (events say "the current goroutine" implicitly); the
//     GoStatus/ProcStatus restatements at each generation start only create
//     state the emitter has not seen. Then the generation is freed.
// The generation read ahead gives the request ids tasks log just after a
// boundary, and the clock snapshot when the first generation lacks one.
// Experimental batches (allocation events) are counted, not imported.
//
// Clock: ticks become ns by the generation's frequency, relative to the
// first batch. Format 25+ carries a ClockSnapshot (wall time at a tick): the
// source is then placed on the wall clock; before that it is monotonic and
// unaligned, with alignment hints from the tasks' request ids.
//
// The text form of the Go test suite ("Trace Go1.NN", one event per line) is
// re-encoded to the binary form and read by the same code.

#include "v2parser.h"

#include "importlimits.h"

#include "common/lanegrouping.h"
#include "common/logline.h"
#include "inputstream.h"
#include "streammerge.h"
#include "tracemodel.h"
#include "units.h"

#include <QElapsedTimer>
#include <QHash>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

namespace ls::exectrace {

namespace {

__extension__ typedef __int128 Int128;

enum : quint8
{
    EvEventBatch = 1,
    EvStacks = 2,
    EvStack = 3,
    EvStrings = 4,
    EvString = 5,
    EvCPUSamples = 6,
    EvCPUSample = 7,
    EvFrequency = 8,
    EvProcsChange = 9,
    EvProcStart = 10,
    EvProcStop = 11,
    EvProcSteal = 12,
    EvProcStatus = 13,
    EvGoCreate = 14,
    EvGoCreateSyscall = 15,
    EvGoStart = 16,
    EvGoDestroy = 17,
    EvGoDestroySyscall = 18,
    EvGoStop = 19,
    EvGoBlock = 20,
    EvGoUnblock = 21,
    EvGoSyscallBegin = 22,
    EvGoSyscallEnd = 23,
    EvGoSyscallEndBlocked = 24,
    EvGoStatus = 25,
    EvSTWBegin = 26,
    EvSTWEnd = 27,
    EvGCActive = 28,
    EvGCBegin = 29,
    EvGCEnd = 30,
    EvGCSweepActive = 31,
    EvGCSweepBegin = 32,
    EvGCSweepEnd = 33,
    EvGCMarkAssistActive = 34,
    EvGCMarkAssistBegin = 35,
    EvGCMarkAssistEnd = 36,
    EvHeapAlloc = 37,
    EvHeapGoal = 38,
    EvGoLabel = 39,
    EvUserTaskBegin = 40,
    EvUserTaskEnd = 41,
    EvUserRegionBegin = 42,
    EvUserRegionEnd = 43,
    EvUserLog = 44,
    EvGoSwitch = 45,
    EvGoSwitchDestroy = 46,
    EvGoCreateBlocked = 47,
    EvGoStatusStack = 48,
    EvExperimentalBatch = 49,
    EvSync = 50,
    EvClockSnapshot = 51,
    EvEndOfGeneration = 52,
    EvCount = 53
};

struct Spec
{
    const char *name;
    int args; // uvarints after the type byte; timed events count dt
    int minVersion;
};

// Names as the text form spells them; args as the wire carries them.
const Spec kSpecs[EvCount] = {
    {"", 0, 99},
    {"EventBatch", 4, 22},
    {"Stacks", 0, 22},
    {"Stack", 2, 22},
    {"Strings", 0, 22},
    {"String", 1, 22},
    {"CPUSamples", 0, 22},
    {"CPUSample", 5, 22},
    {"Frequency", 1, 22},
    {"ProcsChange", 3, 22},
    {"ProcStart", 3, 22},
    {"ProcStop", 1, 22},
    {"ProcSteal", 4, 22},
    {"ProcStatus", 3, 22},
    {"GoCreate", 4, 22},
    {"GoCreateSyscall", 2, 22},
    {"GoStart", 3, 22},
    {"GoDestroy", 1, 22},
    {"GoDestroySyscall", 1, 22},
    {"GoStop", 3, 22},
    {"GoBlock", 3, 22},
    {"GoUnblock", 4, 22},
    {"GoSyscallBegin", 3, 22},
    {"GoSyscallEnd", 1, 22},
    {"GoSyscallEndBlocked", 1, 22},
    {"GoStatus", 4, 22},
    {"STWBegin", 3, 22},
    {"STWEnd", 1, 22},
    {"GCActive", 2, 22},
    {"GCBegin", 3, 22},
    {"GCEnd", 2, 22},
    {"GCSweepActive", 2, 22},
    {"GCSweepBegin", 2, 22},
    {"GCSweepEnd", 3, 22},
    {"GCMarkAssistActive", 2, 22},
    {"GCMarkAssistBegin", 2, 22},
    {"GCMarkAssistEnd", 1, 22},
    {"HeapAlloc", 2, 22},
    {"HeapGoal", 2, 22},
    {"GoLabel", 2, 22},
    {"UserTaskBegin", 5, 22},
    {"UserTaskEnd", 3, 22},
    {"UserRegionBegin", 4, 22},
    {"UserRegionEnd", 4, 22},
    {"UserLog", 5, 22},
    {"GoSwitch", 3, 23},
    {"GoSwitchDestroy", 3, 23},
    {"GoCreateBlocked", 4, 23},
    {"GoStatusStack", 5, 23},
    {"ExperimentalBatch", 4, 23},
    {"Sync", 0, 25},
    {"ClockSnapshot", 4, 25},
    {"EndOfGeneration", 0, 26},
};

constexpr int kNewestVersion = 1026;
constexpr quint64 kMaxBatch = quint64(limits::kRecordBytes);
constexpr quint64 kMaxString = quint64(limits::kStringBytes);
constexpr quint64 kMaxFrames = quint64(limits::kStackFrames);
constexpr quint64 kNoM = std::numeric_limits<quint64>::max();

class Reader
{
public:
    Reader(const char *d, qint64 size, qint64 base) : m_d(d), m_size(size), m_base(base) {}
    bool atEnd() const { return m_pos >= m_size; }
    qint64 offset() const { return m_base + m_pos; }
    bool byte(quint8 &b)
    {
        if (m_pos >= m_size) return false;
        b = quint8(m_d[m_pos++]);
        return true;
    }
    bool uvarint(quint64 &v)
    {
        v = 0;
        for (int i = 0; i < 10; ++i) {
            if (m_pos >= m_size) return false;
            const quint8 b = quint8(m_d[m_pos++]);
            v |= quint64(b & 0x7f) << (7 * i);
            if (!(b & 0x80)) return true;
        }
        return false;
    }
    bool bytes(quint64 n, QByteArrayView &out)
    {
        if (n > quint64(m_size - m_pos)) return false;
        out = QByteArrayView(m_d + m_pos, qsizetype(n));
        m_pos += qint64(n);
        return true;
    }

private:
    const char *m_d;
    qint64 m_size;
    qint64 m_base;
    qint64 m_pos = 0;
};

struct E2
{
    qint64 ticks = 0;
    quint64 m = kNoM;
    quint64 a[5] = {0, 0, 0, 0, 0}; // arguments after dt
    quint8 type = 0;
};

struct Generation
{
    quint64 gen = 0;
    qint64 offset = 0;                          // of its first batch
    bool ended = false;                         // an EndOfGeneration followed it
    bool cut = false;                           // the input ended or broke inside it
    bool sawStrings = false, sawStacks = false; // its tables (written at its end)
    qint64 experimentalBatches = 0;
    qint64 freq = 0;
    qint64 snapTicks = -1;
    qint64 snapWallNs = 0;
    qint64 minTicks = std::numeric_limits<qint64>::max();
    std::unordered_map<quint64, QByteArray> strings;
    // Stack id -> frames as (pc, func string, file string, line), resolved
    // once the generation's strings are known.
    std::unordered_map<quint64, std::vector<std::array<quint64, 4>>> rawStacks;
    std::unordered_map<quint64, quint64> globalStack; // local id -> StackTable id
    std::vector<std::vector<E2>> streams;
    std::unordered_map<quint64, size_t> streamOf;
    std::vector<E2> samples;
    qint64 events = 0;

    std::vector<E2> &stream(quint64 m)
    {
        auto it = streamOf.find(m);
        if (it != streamOf.end()) return streams[it->second];
        streamOf.emplace(m, streams.size());
        streams.emplace_back();
        return streams.back();
    }
};

struct DecodeState
{
    int version = 0;
    bool damaged = false;
    QString damage; // what the first damage was, for an error when nothing was read
    bool unknownTypes = false;
    qint64 generations = 0; // read so far
};

// One batch's data.
void decodeBatch(ImportContext &ctx, DecodeState &st, Generation &g, quint64 m, qint64 time,
                 QByteArrayView data, qint64 base)
{
    Reader r(data.constData(), data.size(), base);
    quint8 first = 0;
    if (!r.byte(first)) return;
    auto bad = [&](const QString &why) {
        ctx.diag("bad-batch", Severity::Warning, r.offset(), -1,
                 why + QStringLiteral("; the rest of the batch was skipped"));
    };
    switch (first) {
    case EvStrings:
        g.sawStrings = true;
        while (!r.atEnd()) {
            quint8 t;
            quint64 id, len;
            QByteArrayView s;
            if (!r.byte(t) || t != EvString || !r.uvarint(id) || !r.uvarint(len))
                return bad(QStringLiteral("malformed string table"));
            if (len > kMaxString)
                return bad(QStringLiteral("a string of %1 bytes is longer than %2 (the limit for "
                                          "one string)")
                               .arg(len)
                               .arg(limits::bytesText(limits::kStringBytes)));
            if (!r.bytes(len, s)) return bad(QStringLiteral("malformed string table"));
            g.strings[id] = s.toByteArray();
        }
        return;
    case EvStacks:
        g.sawStacks = true;
        while (!r.atEnd()) {
            quint8 t;
            quint64 id, n;
            if (!r.byte(t) || t != EvStack || !r.uvarint(id) || !r.uvarint(n))
                return bad(QStringLiteral("malformed stack table"));
            if (n > kMaxFrames)
                return bad(QStringLiteral("a stack of %1 frames is deeper than %2 (the limit for "
                                          "one stack)")
                               .arg(n)
                               .arg(kMaxFrames));
            std::vector<std::array<quint64, 4>> frames(n);
            for (quint64 i = 0; i < n; ++i)
                for (int k = 0; k < 4; ++k)
                    if (!r.uvarint(frames[i][size_t(k)]))
                        return bad(QStringLiteral("malformed stack table"));
            g.rawStacks[id] = std::move(frames);
        }
        return;
    case EvCPUSamples:
        while (!r.atEnd()) {
            quint8 t;
            E2 e;
            quint64 time;
            if (!r.byte(t) || t != EvCPUSample || !r.uvarint(time))
                return bad(QStringLiteral("malformed CPU samples"));
            for (int k = 0; k < 4; ++k)
                if (!r.uvarint(e.a[k])) return bad(QStringLiteral("malformed CPU samples"));
            e.type = EvCPUSample;
            e.ticks = qint64(std::min<quint64>(time, quint64(std::numeric_limits<qint64>::max())));
            e.m = e.a[0];
            g.samples.push_back(e);
            ++g.events;
        }
        return;
    case EvFrequency: {
        quint64 f;
        if (r.uvarint(f) && f > 0 && f < quint64(std::numeric_limits<qint64>::max()))
            g.freq = qint64(f);
        return;
    }
    case EvSync:
        while (!r.atEnd()) {
            quint8 t;
            if (!r.byte(t)) return;
            if (t == EvFrequency) {
                quint64 f;
                if (!r.uvarint(f)) return bad(QStringLiteral("malformed sync batch"));
                if (f > 0 && f < quint64(std::numeric_limits<qint64>::max())) g.freq = qint64(f);
            } else if (t == EvClockSnapshot) {
                quint64 dt, mono, sec, nsec;
                if (!r.uvarint(dt) || !r.uvarint(mono) || !r.uvarint(sec) || !r.uvarint(nsec))
                    return bad(QStringLiteral("malformed clock snapshot"));
                if (g.snapTicks < 0 && sec < quint64(1) << 33) {
                    g.snapTicks = time + qint64(dt & 0xffffffffffff);
                    g.snapWallNs = qint64(sec) * 1'000'000'000 + qint64(nsec % 1'000'000'000);
                }
            } else {
                return bad(QStringLiteral("unknown event in sync batch"));
            }
        }
        return;
    default:
        break;
    }
    // Timed events of thread m.
    std::vector<E2> &out = g.stream(m);
    qint64 ts = time;
    Reader er(data.constData(), data.size(), base);
    while (!er.atEnd()) {
        quint8 t = 0;
        er.byte(t);
        if (t < EvProcsChange || t >= EvCount || t == EvExperimentalBatch || t == EvSync ||
            t == EvEndOfGeneration || t == EvClockSnapshot ||
            kSpecs[t].minVersion + 1000 > st.version) {
            if (!st.unknownTypes)
                ctx.diag("unknown-event", Severity::Warning, er.offset() - 1, -1,
                         QStringLiteral("event type %1 is not known for format 1.%2; the rest "
                                        "of its batch was skipped")
                             .arg(t)
                             .arg(st.version - 1000));
            st.unknownTypes = true;
            return;
        }
        E2 e;
        e.type = t;
        e.m = m;
        quint64 dt;
        if (!er.uvarint(dt)) return bad(QStringLiteral("cut event"));
        for (int k = 0; k < kSpecs[t].args - 1; ++k)
            if (!er.uvarint(e.a[k])) return bad(QStringLiteral("cut event"));
        // dt is small in practice; a huge one is corruption: keep time monotone.
        ts += qint64(std::min<quint64>(dt, quint64(1) << 40));
        e.ticks = ts;
        out.push_back(e);
        ++g.events;
    }
}

// The input's batches, one generation at a time, from the stream: only the
// generation being read is held (its raw batches are decoded as they come),
// so memory follows the largest generation, not the file.
class GenerationReader
{
public:
    GenerationReader(ImportContext &ctx, InputStream &in, DecodeState &st)
        : m_ctx(ctx), m_in(in), m_st(st)
    {
        QByteArrayView header;
        take(16, header); // "go 1.NN trace" and padding, checked by the caller
    }

    // The next generation; false when there is none (the end, or the rest
    // is unreadable: a diagnostic says so).
    bool next(Generation &g)
    {
        g = Generation{};
        bool any = false;
        qint64 batches = 0;
        while (!m_stop) {
            if ((++batches & 0xff) == 0) m_ctx.checkpoint();
            if (!fill(1)) break;
            const qint64 off0 = m_base + m_pos;
            // The header: kind byte, [experiment byte], gen, m, time, size.
            fill(2 + 4 * 10);
            Reader r(m_buf.constData() + m_pos, m_buf.size() - m_pos, off0);
            quint8 b = 0;
            r.byte(b);
            if (b == EvEndOfGeneration) {
                m_pos += 1;
                if (any) {
                    g.ended = true;
                    break;
                }
                continue;
            }
            quint64 exp = 0;
            if (b == EvExperimentalBatch) {
                quint8 e = 0;
                if (!r.byte(e)) {
                    cut(off0); // whose batch it was is unknown: the tables decide
                    break;
                }
                exp = e;
            } else if (b != EvEventBatch) {
                m_ctx.diag("bad-batch", Severity::Error, off0, -1,
                           QStringLiteral("expected a batch, found byte 0x%1; the rest of the "
                                          "file was not read")
                               .arg(b, 2, 16, QLatin1Char('0')));
                m_st.damaged = true;
                m_stop = true;
                break;
            }
            quint64 gen, m, time, size;
            if (!r.uvarint(gen) || !r.uvarint(m) || !r.uvarint(time) || !r.uvarint(size)) {
                cut(off0); // whose batch it was is unknown: the tables decide
                break;
            }
            if (size > kMaxBatch) {
                const QString why = QStringLiteral("a batch of %1 bytes is larger than %2 (the "
                                                   "limit for one batch; Go writes them under "
                                                   "64 KiB)")
                                        .arg(size)
                                        .arg(limits::bytesText(limits::kRecordBytes));
                m_ctx.diag("batch-too-large", Severity::Error, off0, -1,
                           why + QStringLiteral("; the rest of the file was not read"));
                if (!m_st.damaged) m_st.damage = why;
                m_st.damaged = true;
                m_stop = true;
                break;
            }
            if (any && gen != g.gen) break; // the next generation's first batch: left for next()
            const qint64 headLen = r.offset() - off0;
            if (!fill(headLen + qint64(size))) {
                cut(off0, any && gen == g.gen ? &g : nullptr);
                break;
            }
            const QByteArrayView body(m_buf.constData() + m_pos + headLen, qsizetype(size));
            const qint64 bodyOffset = off0 + headLen;
            m_pos += headLen + qsizetype(size);
            if (!any) {
                any = true;
                g.gen = gen;
                g.offset = off0;
            }
            if (exp != 0) {
                ++g.experimentalBatches; // allocation events: not shown, counted
                continue;
            }
            const qint64 t = qint64(std::min<quint64>(time, quint64(1) << 62));
            g.minTicks = std::min(g.minTicks, t);
            decodeBatch(m_ctx, m_st, g, m, t, body, bodyOffset);
        }
        if (any) ++m_st.generations;
        return any;
    }

private:
    // At least n bytes buffered from m_pos (false: the input ends first).
    bool fill(qint64 n)
    {
        while (m_buf.size() - m_pos < n) {
            if (m_pos > (4 << 20)) { // drop what was consumed
                m_buf.remove(0, m_pos);
                m_base += m_pos;
                m_pos = 0;
            }
            const QByteArray more =
                m_in.read(std::max<qint64>(n - (m_buf.size() - m_pos), 1 << 20));
            if (more.isEmpty()) return false;
            m_buf += more;
        }
        return true;
    }
    bool take(qint64 n, QByteArrayView &out)
    {
        if (!fill(n)) return false;
        out = QByteArrayView(m_buf.constData() + m_pos, qsizetype(n));
        m_pos += qsizetype(n);
        return true;
    }
    void cut(qint64 at, Generation *g = nullptr)
    {
        if (g) g->cut = true;
        m_ctx.diag("truncated", Severity::Error, at, -1,
                   QStringLiteral("the trace is cut inside a batch; the rest of the file was not "
                                  "read"));
        if (!m_st.damaged) m_st.damage = QStringLiteral("the trace is cut inside a batch");
        m_st.damaged = true;
        m_stop = true;
    }

    ImportContext &m_ctx;
    InputStream &m_in;
    DecodeState &m_st;
    QByteArray m_buf;
    qsizetype m_pos = 0;
    qint64 m_base = 0; // input offset of m_buf[0]
    bool m_stop = false;
};

// Goroutine and P sequence numbers: an event is ready when its number is the
// next one expected.
struct Ordering
{
    std::unordered_map<quint64, quint64> gseq;
    std::unordered_map<quint64, quint64> pseq;
    std::unordered_map<quint64, qint64> mP; // thread -> P it holds

    // Which counter the event advances, and to what value.
    bool seqOf(const E2 &e, bool &isG, quint64 &id, quint64 &seq) const
    {
        switch (e.type) {
        case EvGoStart:
        case EvGoUnblock:
        case EvGoSwitch:
        case EvGoSwitchDestroy:
            isG = true;
            id = e.a[0];
            seq = e.a[1];
            return true;
        case EvProcStart:
        case EvProcSteal:
            isG = false;
            id = e.a[0];
            seq = e.a[1];
            return true;
        case EvGoSyscallBegin: {
            auto it = mP.find(e.m);
            if (it == mP.end() || it->second < 0) return false;
            isG = false;
            id = quint64(it->second);
            seq = e.a[0];
            return true;
        }
        default:
            return false;
        }
    }
    bool ready(const E2 &e) const
    {
        bool isG;
        quint64 id, seq;
        if (!seqOf(e, isG, id, seq)) return true;
        const auto &map = isG ? gseq : pseq;
        auto it = map.find(id);
        return seq == (it == map.end() ? 0 : it->second) + 1;
    }
    void apply(const E2 &e)
    {
        bool isG;
        quint64 id, seq;
        if (seqOf(e, isG, id, seq)) (isG ? gseq : pseq)[id] = seq;
        switch (e.type) {
        case EvProcStart:
            mP[e.m] = qint64(e.a[0]);
            break;
        case EvProcStop:
            mP[e.m] = -1;
            break;
        case EvProcStatus:
            if (e.a[1] == 1 || e.a[1] == 3) mP[e.m] = qint64(e.a[0]);
            break;
        case EvProcSteal:
            if (auto it = mP.find(e.a[2]); it != mP.end() && it->second == qint64(e.a[0]))
                it->second = -1;
            break;
        default:
            break;
        }
    }
};

std::vector<E2> orderGeneration(ImportContext &ctx, Generation &g, qint64 &forced)
{
    std::stable_sort(g.samples.begin(), g.samples.end(),
                     [](const E2 &a, const E2 &b) { return a.ticks < b.ticks; });
    std::vector<std::vector<E2> *> streams;
    for (auto &s : g.streams)
        streams.push_back(&s);
    streams.push_back(&g.samples);
    std::vector<E2> out;
    out.reserve(size_t(g.events));
    Ordering ord;
    forced += mergeStreams(
        streams.size(), [&](size_t i) { return streams[i]->size(); },
        [&](size_t i, size_t k) { return ord.ready((*streams[i])[k]); },
        [&](size_t i, size_t k) { return (*streams[i])[k].ticks; },
        [&](size_t i, size_t k) {
            const E2 &e = (*streams[i])[k];
            ord.apply(e);
            out.push_back(e);
            if ((out.size() & 0xffff) == 0) ctx.checkpoint();
        });
    return out;
}

Wait waitOf(QByteArrayView reason)
{
    if (reason.contains(QByteArrayView("network")) || reason.contains(QByteArrayView("netpoll")))
        return Wait::Net;
    if (reason.startsWith("chan")) return Wait::Chan;
    if (reason.startsWith("select")) return Wait::Select;
    if (reason.startsWith("sync") || reason.contains(QByteArrayView("Mutex")) ||
        reason.contains(QByteArrayView("Cond")) || reason.contains(QByteArrayView("WaitGroup")))
        return Wait::Sync;
    if (reason.startsWith("sleep")) return Wait::Sleep;
    if (reason.startsWith("GC") || reason.contains(QByteArrayView("garbage collection")))
        return Wait::Gc;
    if (reason.contains(QByteArrayView("syscall"))) return Wait::Syscall;
    return Wait::Other;
}

// Per-thread replay state.
struct MState
{
    qint64 p = -1;
    quint64 g = 0;
    bool inSyscall = false; // its goroutine entered a syscall that has not blocked (yet)
};

// Reads and emits generation by generation: each is decoded, ordered,
// replayed on the emitter and freed before the one after the next is read.
// One generation is read ahead, for request ids a task logs just after a
// generation boundary, and for the clock snapshot.
void emitStream(ImportContext &ctx, RecordSink &sink, GenerationReader &rd, DecodeState &st)
{
    StackTable stacks;
    quint64 nextStack = 1;
    Generation cur, ahead;
    bool haveCur = rd.next(cur);
    bool haveAhead = haveCur && rd.next(ahead);
    if (!haveCur)
        throw ImportError(st.damaged ? QStringLiteral("no batch could be read: ") + st.damage
                                     : QStringLiteral("the trace holds no batches"),
                          16);
    // Generations without a frequency cannot be timed (the Go reader rejects them).
    qint64 dropped = 0;
    auto advance = [&] {
        cur = std::move(ahead);
        ahead = Generation{};
        haveCur = haveAhead;
        haveAhead = haveCur && rd.next(ahead);
    };
    while (haveCur && cur.freq <= 0) {
        ++dropped;
        advance();
    }
    auto reportDropped = [&] {
        if (dropped)
            ctx.diag("no-frequency", Severity::Error, -1, -1,
                     QStringLiteral("%1 generation(s) without a frequency were skipped (a cut "
                                    "trace)")
                         .arg(dropped));
    };
    if (!haveCur) {
        reportDropped();
        throw ImportError(QStringLiteral("no complete generation: the trace holds no frequency "
                                         "(it is cut or corrupt)"),
                          16);
    }
    // A generation's stacks into the one table, with global ids.
    auto resolveStacks = [&](Generation &g) {
        for (auto &[id, raw] : g.rawStacks) {
            std::vector<int> frames;
            frames.reserve(raw.size());
            for (const auto &f : raw) {
                TraceFrame tf;
                tf.pc = f[0];
                if (auto it = g.strings.find(f[1]); it != g.strings.end()) tf.fn = it->second;
                if (auto it = g.strings.find(f[2]); it != g.strings.end()) tf.file = it->second;
                tf.line = qint64(std::min<quint64>(f[3], 1u << 30));
                frames.push_back(stacks.addFrame(std::move(tf)));
            }
            const quint64 gid = nextStack++;
            stacks.setStack(gid, std::move(frames));
            g.globalStack.emplace(id, gid);
        }
        g.rawStacks.clear();
    };
    const qint64 base = cur.minTicks;
    auto toNs = [&](const Generation &g, qint64 ticks) -> TimeNs {
        const Int128 rel = Int128(ticks) - base;
        if (rel <= 0) return 0;
        const Int128 ns = rel * 1'000'000'000 / g.freq;
        return ns > std::numeric_limits<qint64>::max() / 4 ? std::numeric_limits<qint64>::max() / 4
                                                           : TimeNs(ns);
    };
    // The wall clock, when the trace says it (Go 1.25+: every generation).
    // The source is placed by the first snapshot; every later one is checked
    // against it (a wall clock stepped or drifting during the trace).
    auto snapshotOffset = [&](const Generation &g) { return g.snapWallNs - toNs(g, g.snapTicks); };
    std::optional<TimeNs> placedBy;
    quint64 placedGen = 0;
    if (cur.snapTicks >= 0) {
        placedBy = snapshotOffset(cur);
        placedGen = cur.gen;
    } else if (haveAhead && ahead.freq > 0 && ahead.snapTicks >= 0) {
        placedBy = snapshotOffset(ahead);
        placedGen = ahead.gen;
    }
    sink.setClock(ClockKind::Monotonic, placedBy.value_or(0),
                  placedBy ? QByteArrayView("clock snapshot") : QByteArrayView("unaligned"));
    qint64 withoutSnapshot = 0;
    quint64 firstWithout = 0, steppedGen = 0;
    TimeNs step = 0; // the largest |offset - placedBy| of a later snapshot

    // Spans and instants reach the writer grouped by lane, a generation at a
    // time, so a lane's rows get consecutive ids (long runs).
    LaneGroupingSink grouped(sink);
    TraceEmitter em(ctx, grouped, stacks);
    // Request ids the tasks log (a task's id is logged after it starts).
    auto scanKeys = [&](const Generation &g) {
        for (const auto &s : g.streams)
            for (const E2 &e : s) {
                if (e.type != EvUserLog || e.a[0] == 0) continue;
                auto key = g.strings.find(e.a[1]);
                auto value = g.strings.find(e.a[2]);
                if (key == g.strings.end() || value == g.strings.end()) continue;
                for (const char *k : kRequestIdKeys)
                    if (key->second == k && !value->second.isEmpty()) {
                        em.setTaskKey(e.a[0], value->second);
                        break;
                    }
            }
    };
    scanKeys(cur);

    std::unordered_map<quint64, MState> ms;
    std::unordered_map<quint64, int> gstatus; // what the emitter was told last: 0 none
    bool gcOpen = false;
    qint64 forced = 0, events = 0;
    TimeNs last = 0;
    qint64 experimental = 0;
    QElapsedTimer clock;
    clock.start();
    qint64 incomplete = 0, incompleteEvents = 0;
    QList<quint64> incompleteGens;
    for (; haveCur; advance()) {
        Generation &g = cur;
        if (g.freq <= 0) {
            ++dropped;
            continue;
        }
        // A generation's strings and stacks come at its end: one cut before
        // them would name every state and stack wrongly. Dropped, as Go's
        // reader does ("incomplete generation").
        if (g.cut || (g.events > 0 && (!g.sawStrings || !g.sawStacks))) {
            ++incomplete;
            incompleteEvents += g.events;
            incompleteGens << g.gen;
            continue;
        }
        if (haveAhead) scanKeys(ahead);
        resolveStacks(g);
        experimental += g.experimentalBatches;
        if (g.snapTicks < 0) {
            if (st.version >= 1025 && !withoutSnapshot++) firstWithout = g.gen;
        } else if (placedBy) {
            const TimeNs d = snapshotOffset(g) - *placedBy;
            if (std::abs(d) > std::abs(step)) {
                step = d;
                steppedGen = g.gen;
            }
        }
        ctx.setStage(
            QStringLiteral("generation %1 · %2 M events/s")
                .arg(g.gen)
                .arg(double(events) / 1e3 / std::max<qint64>(1, clock.elapsed()), 0, 'f', 1));
        grouped.flush(); // the generation before
        em.startGeneration();
        auto str = [&](quint64 id) -> QByteArray {
            auto it = g.strings.find(id);
            return it == g.strings.end() ? QByteArray() : it->second;
        };
        auto stk = [&](quint64 id) -> quint64 {
            auto it = g.globalStack.find(id);
            return it == g.globalStack.end() ? 0 : it->second;
        };
        const std::vector<E2> evs = orderGeneration(ctx, g, forced);
        events += qint64(evs.size());
        for (const E2 &e : evs) {
            const TimeNs ts = toNs(g, e.ticks);
            last = std::max(last, ts);
            MState &m = ms[e.m];
            const quint64 *a = e.a;
            switch (e.type) {
            case EvProcsChange:
                em.counter(ts, Counter::Gomaxprocs, double(a[0]));
                break;
            case EvProcStatus:
                if (a[1] == 1 || a[1] == 3) { // running, in a syscall: held by this M
                    if (m.p != qint64(a[0])) {
                        m.p = qint64(a[0]);
                        em.procStart(ts, m.p, qint64(e.m));
                    }
                } else if (a[1] == 2 || a[1] == 4) {
                    // Idle, or left by an M stuck in a syscall (abandoned): a P
                    // still held from the generation before stops here.
                    for (auto &[mid, other] : ms)
                        if (other.p == qint64(a[0])) {
                            em.procStop(ts, other.p);
                            other.p = -1;
                        }
                }
                break;
            case EvProcStart:
                m.p = qint64(a[0]);
                em.procStart(ts, m.p, qint64(e.m));
                break;
            case EvProcStop:
                if (m.p >= 0) em.procStop(ts, m.p);
                m.p = -1;
                break;
            case EvProcSteal: {
                MState &victim = ms[a[2]];
                // The P was taken from an M in a syscall: that syscall
                // blocked, and is a syscall span from its start.
                if (victim.inSyscall && victim.g && gstatus[victim.g] == 2) {
                    em.goSyscallBlocked(ts, victim.g);
                    gstatus[victim.g] = 3;
                }
                victim.inSyscall = false;
                em.procStop(ts, qint64(a[0]));
                if (victim.p == qint64(a[0])) victim.p = -1;
                break;
            }
            case EvGoStatus:
            case EvGoStatusStack: {
                const quint64 gid = a[0];
                const int s = int(a[2]);
                int &known = gstatus[gid];
                if (s == 2 || s == 3) ms[a[1]].g = gid;
                if (known == s) break;
                if (s == 3 && known == 2) {
                    // Still in the syscall it entered last generation: it
                    // blocked, from its start.
                    em.goSyscallBlocked(ts, gid);
                    ms[a[1]].inSyscall = false;
                    known = s;
                    break;
                }
                if (s == 2)
                    em.goRunning(ts, gid, ms[a[1]].p);
                else if (s == 1)
                    em.goStopped(ts, gid, Wait::Runnable, "runnable", 0);
                else if (s == 3)
                    em.goExisting(ts, gid, Wait::Syscall, "syscall");
                else
                    em.goExisting(ts, gid, Wait::Other, "waiting");
                known = s;
                break;
            }
            case EvGoCreate:
            case EvGoCreateBlocked:
                em.goCreate(ts, m.g, a[0], stk(a[1]), stk(a[2]));
                gstatus[a[0]] = 1;
                if (e.type == EvGoCreateBlocked) {
                    em.goStopped(ts, a[0], Wait::Other, "blocked", 0);
                    gstatus[a[0]] = 4;
                }
                break;
            case EvGoCreateSyscall:
                em.goCreate(ts, 0, a[0], 0, 0);
                em.goExisting(ts, a[0], Wait::Syscall, "syscall");
                gstatus[a[0]] = 3;
                m.g = a[0];
                break;
            case EvGoStart:
                m.g = a[0];
                em.goRunning(ts, a[0], m.p);
                gstatus[a[0]] = 2;
                break;
            case EvGoDestroy:
            case EvGoDestroySyscall:
                if (m.g) {
                    em.goEnd(ts, m.g);
                    gstatus.erase(m.g);
                }
                m.g = 0;
                break;
            case EvGoStop:
                if (m.g) {
                    QByteArray reason = str(a[0]);
                    em.goStopped(ts, m.g, Wait::Runnable, reason.isEmpty() ? "stopped" : reason,
                                 stk(a[1]));
                    gstatus[m.g] = 1;
                }
                m.g = 0;
                break;
            case EvGoBlock:
                if (m.g) {
                    const QByteArray reason = str(a[0]);
                    em.goStopped(ts, m.g, waitOf(reason), reason, stk(a[1]));
                    gstatus[m.g] = 4;
                }
                m.g = 0;
                break;
            case EvGoUnblock:
                em.goUnblock(ts, m.g, m.p, a[0], stk(a[2]));
                gstatus[a[0]] = 1;
                break;
            case EvGoSwitch:
            case EvGoSwitchDestroy:
                if (m.g) {
                    if (e.type == EvGoSwitch) {
                        em.goStopped(ts, m.g, Wait::Other, "coroutine switch", 0);
                        gstatus[m.g] = 4;
                    } else {
                        em.goEnd(ts, m.g);
                        gstatus.erase(m.g);
                    }
                }
                m.g = a[0];
                em.goRunning(ts, a[0], m.p);
                gstatus[a[0]] = 2;
                break;
            // Syscalls as the old format has them (one representation for
            // both, README.md): one that returns with its P keeps the
            // goroutine running and leaves no row; one that blocks (its P
            // taken, or it comes back without one) is a syscall span from
            // its start.
            case EvGoSyscallBegin:
                if (m.g) {
                    em.goSyscall(ts, m.g, stk(a[1]));
                    m.inSyscall = true;
                }
                break;
            case EvGoSyscallEnd:
                if (m.g && gstatus[m.g] == 3) {
                    em.goRunning(ts, m.g, m.p);
                    gstatus[m.g] = 2;
                }
                m.inSyscall = false;
                break;
            case EvGoSyscallEndBlocked:
                if (m.g) {
                    if (gstatus[m.g] == 2 && m.inSyscall) em.goSyscallBlocked(ts, m.g);
                    em.goStopped(ts, m.g, Wait::Runnable, "syscall exit", 0);
                    gstatus[m.g] = 1;
                }
                m.inSyscall = false;
                m.g = 0;
                break;
            case EvSTWBegin:
                em.stwStart(ts, str(a[0]));
                break;
            case EvSTWEnd:
                em.stwEnd(ts);
                break;
            case EvGCActive:
                if (!gcOpen) em.gcStart(ts, qint64(a[0]));
                gcOpen = true;
                break;
            case EvGCBegin:
                em.gcStart(ts, qint64(a[0]));
                gcOpen = true;
                break;
            case EvGCEnd:
                em.gcEnd(ts);
                gcOpen = false;
                break;
            case EvGCSweepActive:
                em.sweepStart(ts, qint64(a[0]));
                break;
            case EvGCSweepBegin:
                if (m.p >= 0) em.sweepStart(ts, m.p);
                break;
            case EvGCSweepEnd:
                if (m.p >= 0) em.sweepEnd(ts, m.p);
                break;
            case EvGCMarkAssistActive:
                em.markAssistStart(ts, a[0]);
                break;
            case EvGCMarkAssistBegin:
                if (m.g) em.markAssistStart(ts, m.g);
                break;
            case EvGCMarkAssistEnd:
                if (m.g) em.markAssistEnd(ts, m.g);
                break;
            case EvHeapAlloc:
                em.counter(ts, Counter::Heap, double(a[0]));
                break;
            case EvHeapGoal:
                em.counter(ts, Counter::HeapGoal, double(a[0]));
                break;
            case EvGoLabel:
                if (m.g) em.goLabel(m.g, str(a[0]));
                break;
            case EvUserTaskBegin:
                em.taskCreate(ts, m.g, a[0], a[1], str(a[2]));
                break;
            case EvUserTaskEnd:
                em.taskEnd(ts, m.g, a[0]);
                break;
            case EvUserRegionBegin:
                if (m.g) em.regionBegin(ts, m.g, a[0], str(a[1]));
                break;
            case EvUserRegionEnd:
                if (m.g) em.regionEnd(ts, m.g, a[0], str(a[1]));
                break;
            case EvUserLog:
                if (m.g) em.userLog(ts, m.g, a[0], str(a[1]), str(a[2]));
                break;
            case EvCPUSample:
                em.cpuSample(ts, a[2],
                             a[1] > quint64(std::numeric_limits<qint32>::max()) ? -1 : qint64(a[1]),
                             stk(a[3]));
                break;
            default:
                break;
            }
        }
    }
    reportDropped();
    if (incomplete) {
        QStringList gens;
        for (quint64 n : std::as_const(incompleteGens))
            gens << QString::number(n);
        ctx.diag("incomplete-generation", Severity::Error, -1, -1,
                 QStringLiteral("the trace is cut: generation %1 lacks its end (string and stack "
                                "tables); its %2 events were dropped, the generations before it "
                                "are whole")
                     .arg(gens.join(QStringLiteral(", ")))
                     .arg(incompleteEvents));
    }
    if (withoutSnapshot)
        ctx.diag("no-clock-snapshot", Severity::Warning, -1, -1,
                 QStringLiteral("%1 generation(s), the first generation %2, carry no clock "
                                "snapshot, which Go 1.25 and newer write in every generation "
                                "(a damaged trace)")
                     .arg(withoutSnapshot)
                     .arg(firstWithout));
    if (std::abs(step) > 1'000'000)
        ctx.diag("clock-step", Severity::Warning, -1, -1,
                 QStringLiteral("the wall clock moved %1 against the trace's clock by generation "
                                "%2 (a clock step or drift during the trace); the trace is placed "
                                "by generation %3's clock snapshot")
                     .arg((step > 0 ? QStringLiteral("+") : QString()) + formatDuration(step))
                     .arg(steppedGen)
                     .arg(placedGen));
    if (experimental)
        ctx.diag("experimental-batches", Severity::Info, -1, -1,
                 QStringLiteral("%1 experimental batch(es) (allocation events) were not imported")
                     .arg(experimental));
    if (forced)
        ctx.diag("order-forced", Severity::Warning, -1, -1,
                 QStringLiteral("%1 events could not be put in a consistent order; they were "
                                "placed by time")
                     .arg(forced));
    // A goroutine still in a syscall when the trace ends was in it to the
    // end, as Go's reader has it (like one still in it at the next
    // generation), not running.
    std::vector<quint64> mids;
    for (const auto &[mid, m] : ms)
        if (m.inSyscall && m.g && gstatus[m.g] == 2) mids.push_back(mid);
    std::sort(mids.begin(), mids.end());
    for (quint64 mid : mids) {
        em.goSyscallBlocked(last, ms[mid].g);
        gstatus[ms[mid].g] = 3;
        ms[mid].inSyscall = false;
    }
    em.finish(last);
    grouped.flush();
    ctx.addEvents(events);
}

// Go string literal body (between the quotes) to bytes.
bool unquoteInto(QByteArrayView s, QByteArray &out)
{
    for (qsizetype i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c != '\\') {
            out += c;
            continue;
        }
        if (++i >= s.size()) return false;
        const char e = s[i];
        auto hex = [&](int n, quint32 &v) {
            v = 0;
            if (i + n >= s.size()) return false;
            for (int k = 1; k <= n; ++k) {
                const char h = s[i + k];
                v <<= 4;
                if (h >= '0' && h <= '9')
                    v |= quint32(h - '0');
                else if (h >= 'a' && h <= 'f')
                    v |= quint32(h - 'a' + 10);
                else if (h >= 'A' && h <= 'F')
                    v |= quint32(h - 'A' + 10);
                else
                    return false;
            }
            i += n;
            return true;
        };
        quint32 v = 0;
        switch (e) {
        case 'a':
            out += '\a';
            break;
        case 'b':
            out += '\b';
            break;
        case 'f':
            out += '\f';
            break;
        case 'n':
            out += '\n';
            break;
        case 'r':
            out += '\r';
            break;
        case 't':
            out += '\t';
            break;
        case 'v':
            out += '\v';
            break;
        case '\\':
            out += '\\';
            break;
        case '"':
            out += '"';
            break;
        case '\'':
            out += '\'';
            break;
        case 'x':
            if (!hex(2, v)) return false;
            out += char(v);
            break;
        case 'u':
        case 'U':
            if (!hex(e == 'u' ? 4 : 8, v)) return false;
            {
                const char32_t cp = char32_t(v);
                out += QString::fromUcs4(&cp, 1).toUtf8();
            }
            break;
        default:
            if (e >= '0' && e <= '7' && i + 2 < s.size()) {
                v = quint32((e - '0') * 64 + (s[i + 1] - '0') * 8 + (s[i + 2] - '0'));
                i += 2;
                out += char(v);
                break;
            }
            return false;
        }
    }
    return true;
}

void putUvarint(QByteArray &out, quint64 v)
{
    while (v >= 0x80) {
        out += char(quint8(v) | 0x80);
        v >>= 7;
    }
    out += char(quint8(v));
}

} // namespace

QByteArray goUnquote(QByteArrayView quoted, bool *ok)
{
    QByteArray out;
    bool good = quoted.size() >= 2 && quoted.front() == '"' && quoted.back() == '"' &&
                unquoteInto(quoted.sliced(1, quoted.size() - 2), out);
    if (ok) *ok = good;
    return good ? out : QByteArray();
}

qsizetype findTextTrace(QByteArrayView head)
{
    // First non-blank, non-comment line, or the first line of a txtar "-- trace --" section.
    qsizetype pos = 0;
    bool inTxtar = false;
    while (pos < head.size()) {
        qsizetype nl = head.indexOf('\n', pos);
        if (nl < 0) nl = head.size();
        QByteArrayView line = head.sliced(pos, nl - pos).trimmed();
        const qsizetype start = pos;
        pos = nl + 1;
        if (line.isEmpty() || line.startsWith('#')) continue;
        if (line.startsWith("Trace Go1.")) return start;
        if (line.startsWith("-- ") && line.endsWith(" --")) {
            inTxtar = true;
            continue;
        }
        if (!inTxtar) return -1;
    }
    return -1;
}

void importV2(ImportContext &ctx, RecordSink &sink, InputStream &in, int version)
{
    DecodeState st;
    st.version = version;
    if (version > kNewestVersion) {
        ctx.diag("newer-version", Severity::Warning, 0, -1,
                 QStringLiteral("trace format 1.%1 is newer than this reader knows (1.%2); what "
                                "is understood was imported")
                     .arg(version - 1000)
                     .arg(kNewestVersion - 1000));
        st.version = kNewestVersion;
    }
    ctx.setStage(QStringLiteral("reading generations"));
    GenerationReader rd(ctx, in, st);
    emitStream(ctx, sink, rd, st);
}

void importV2Text(ImportContext &ctx, RecordSink &sink, const QByteArray &text)
{
    const qsizetype at = findTextTrace(text);
    if (at < 0) throw ImportError(QStringLiteral("no \"Trace Go1.NN\" line"), 0);
    QHash<QByteArray, int> types;
    for (int t = 1; t < EvCount; ++t)
        types.insert(kSpecs[t].name, t);
    QByteArray out;
    int version = 0;
    QByteArray batch;
    quint64 bgen = 0, bm = 0, btime = 0;
    bool inBatch = false;
    auto flush = [&] {
        if (!inBatch) return;
        out += char(EvEventBatch);
        putUvarint(out, bgen);
        putUvarint(out, bm);
        putUvarint(out, btime);
        putUvarint(out, quint64(batch.size()));
        out += batch;
        batch.clear();
        inBatch = false;
    };
    qsizetype pos = at;
    qint64 lineNo = text.first(at).count('\n');
    int pendingFrames = 0;
    bool pendingData = false;
    while (pos < text.size()) {
        qsizetype nl = text.indexOf('\n', pos);
        if (nl < 0) nl = text.size();
        const QByteArrayView line = QByteArrayView(text).sliced(pos, nl - pos).trimmed();
        const qint64 off = pos;
        pos = nl + 1;
        ++lineNo;
        if (line.isEmpty() || line.startsWith('#')) continue;
        if (line.startsWith("-- ")) break; // next txtar section
        if (version == 0) {
            bool ok = false;
            version = line.sliced(10).toByteArray().toInt(&ok);
            if (!ok || version < 22)
                throw ImportError(QStringLiteral("bad trace version line"), off, lineNo);
            continue;
        }
        const QList<QByteArray> parts = line.toByteArray().split(' ');
        if (pendingData) {
            pendingData = false;
            bool ok = false;
            const QByteArray s = goUnquote(line.startsWith("data=") ? line.sliced(5) : line, &ok);
            if (!ok) {
                ctx.diag("bad-text-line", Severity::Warning, off, lineNo,
                         QStringLiteral("malformed string data"));
                putUvarint(batch, 0);
                continue;
            }
            putUvarint(batch, quint64(s.size()));
            batch += s;
            continue;
        }
        if (pendingFrames > 0) {
            --pendingFrames;
            for (const QByteArray &kv : parts) {
                const qsizetype eq = kv.indexOf('=');
                putUvarint(batch, kv.mid(eq + 1).toULongLong());
            }
            continue;
        }
        const int t = types.value(parts[0], 0);
        if (t == 0) {
            ctx.diag("bad-text-line", Severity::Warning, off, lineNo,
                     QStringLiteral("unknown event %1").arg(QString::fromUtf8(parts[0])));
            continue;
        }
        if (t == EvEndOfGeneration) {
            // Between batches on the wire, not inside the one before it.
            flush();
            out += char(EvEndOfGeneration);
            continue;
        }
        std::vector<quint64> vals;
        for (qsizetype k = 1; k < parts.size(); ++k) {
            const qsizetype eq = parts[k].indexOf('=');
            vals.push_back(parts[k].mid(eq + 1).toULongLong());
        }
        if (t == EvEventBatch) {
            flush();
            if (vals.size() < 3) continue;
            bgen = vals[0];
            bm = vals[1];
            btime = vals[2];
            inBatch = true;
            continue;
        }
        if (!inBatch) continue;
        batch += char(t);
        for (quint64 v : vals)
            putUvarint(batch, v);
        if (t == EvString) pendingData = true;
        if (t == EvStack && vals.size() >= 2) pendingFrames = int(std::min<quint64>(vals[1], 1000));
    }
    flush();
    QByteArray bin = "go 1." + QByteArray::number(version) + " trace";
    bin.append(16 - bin.size(), '\0');
    bin += out;
    InputStream in(std::move(bin), ctx.path());
    importV2(ctx, sink, in, 1000 + version);
}

} // namespace ls::exectrace
