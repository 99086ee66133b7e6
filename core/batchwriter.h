#pragma once
// BatchWriter: the RecordSink over a session's SQLite file. Lives for one
// source's import, inside the pipeline's transaction: prepared statements are
// made once, strings, lanes, frames and callsites are interned in hash maps,
// and requests are merged in memory and written once at finish().
//
// Request merge rules (the same for every format):
//  - a key seen before (in this import or an earlier one) is the same request;
//  - method, url, host, handler: the first non-empty value wins;
//  - error: a client-side error replaces, a server-side one only fills in;
//  - client_* / server_* times: the earliest start and the latest end of that side,
//    except that exact times replace other evidence and approximate times only
//    fill a side that has none (see TimeQuality in records.h);
//  - a phase another source already stored for the same request (same kind,
//    name and side, the same duration within 1 µs, starting within 1 ms) is
//    skipped, so two files with the same steps (a text and a JSON log of one
//    service) do not count them twice. The duration is the measured value
//    both files print; their log times differ by the time between the writes.
//    Likewise a panic stack (raw text kind 'stack') and an instant with the
//    same name on the same request within 1 ms of one from another source;
//  - status: the side's last known status; the request's status, start and end
//    are the client's when there is client evidence, else the server's.
//
// Rows are collected in batches and written by a second thread while the
// importer goes on parsing: spans, instants, flows, samples, phases and raw
// texts, and new strings, lanes, frames, callsites and requests. Their ids are
// handed out here up front (the table's max id when the writer starts, then
// counting), so every call still returns its id at once and flows can name
// spans. Strings are read into memory once; what must be looked up in the
// tables (a request key from an earlier import, the duplicate checks above)
// runs on the caller's thread under a lock the writer thread takes per batch,
// and never while queuing (a full queue waits for the thread, which needs the
// lock). finish() waits for the last batch before it touches the rows; a
// writer dropped without finish() stops its thread and drops what was queued.

#include "db.h"
#include "sink.h"

#include <QHash>
#include <QSet>

#include <functional>
#include <memory>
#include <vector>

namespace ls {

struct WriterCounts
{
    qint64 requests = 0; // distinct requests touched
    qint64 phases = 0;
    qint64 lanes = 0;
    qint64 spans = 0;
    qint64 instants = 0;
    qint64 flows = 0;
    qint64 rawTexts = 0;
    qint64 samples = 0;
    qint64 duplicatePhases = 0; // skipped: already stored from another source
};

struct BulkRows;

// A run of span_run or instant_run (schema.h): consecutive ids on one lane.
struct LaneRun
{
    LaneId lane = kNoId;
    qint64 first = 0, last = 0;
    TimeNs startMin = 0, startMax = 0, endMax = 0;
};

// The runs of rows given in id order: the one the last row belongs to, and
// the closed ones, held back so that they reach the table sorted by lane
// (appends to its primary key; in id order they would be scattered inserts,
// which cost more than the rows' old per-row index).
class LaneRuns
{
public:
    // A row; a row that does not continue the open run closes it. Closed
    // runs move to `queue` in sorted chunks (bounded memory for rows that
    // switch lanes at every id, as an execution trace's do).
    void add(std::vector<LaneRun> &queue, LaneId lane, qint64 id, TimeNs start, TimeNs end);
    // Moves every run, the open one included, to `queue`, sorted.
    void finish(std::vector<LaneRun> &queue);

private:
    void flush(std::vector<LaneRun> &queue);
    LaneRun m_open;
    std::vector<LaneRun> m_closed;
};

// Writes span_run and instant_run for the rows of a session written before
// schema version 3 (Session::open's upgrade).
void buildRuns(Db &db);

// The writer's dictionary of the session's strings: the first `textLimit`
// held by their text, the rest by a 128-bit fingerprint of it (two 64-bit
// hashes with different keys; a collision among ten million strings has odds
// of about 1e-25), in an open-addressing table of 24-byte slots. A trace
// names each of its 800,000 goroutines by a string of its own; held by
// text, each took about 120 bytes.
class StringDictionary
{
public:
    explicit StringDictionary(size_t textLimit = 65'536) : m_textLimit(textLimit) {}
    void setTextLimit(size_t n) { m_textLimit = n; }
    // The string's id; when it has none, `id` becomes its id.
    StringId findOrAdd(QByteArrayView s, StringId id);
    size_t size() const { return size_t(m_text.size()) + m_used; }

private:
    struct Slot
    {
        quint64 a = 0, b = 0;
        StringId id = kNoId; // kNoId: empty
    };
    static Slot fingerprint(QByteArrayView s);
    size_t slotOf(const Slot &fp) const; // its slot, or the empty one where it would go
    size_t m_textLimit;
    QHash<QByteArray, StringId> m_text;
    std::vector<Slot> m_slots;
    size_t m_used = 0;
};

class BatchWriter final : public RecordSink
{
public:
    using WarnFn = std::function<void(QByteArrayView code, const QString &message)>;
    BatchWriter(Db &db, qint64 sourceId, WarnFn warn = {});
    ~BatchWriter() override;

    StringId intern(QByteArrayView s) override;
    RequestId request(const RequestRecord &r) override;
    RequestId findRequest(QByteArrayView key) override;
    void phase(const PhaseRecord &p) override;
    LaneId lane(const LaneRecord &l) override;
    void renameLane(LaneId lane, QByteArrayView name) override;
    SpanId span(const SpanRecord &s) override;
    void instant(const InstantRecord &i) override;
    void flow(const FlowRecord &f) override;
    qint64 rawText(const RawTextRecord &t) override;
    ProfileId profile(const ProfileRecord &p) override;
    FrameId frame(const FrameRecord &f) override;
    CallsiteId callsite(CallsiteId parent, FrameId frame) override;
    void sample(const SampleRecord &s) override;
    void setClock(ClockKind kind, TimeNs offset, QByteArrayView method) override;
    void alignmentHint(QByteArrayView key, TimeNs localTime) override;

    // Writes merged requests, aligns a monotonic clock by request keys when
    // asked to, and records the clock on the source row.
    void finish();
    const WriterCounts &counts() const { return m_counts; }
    // How many merged requests stay in memory before they are written out.
    void setMaxResidentRequests(size_t n) { m_maxResident = m_evictAt = std::max<size_t>(1, n); }
    // Strings held by their text before the dictionary keeps fingerprints (tests).
    void setTextStrings(size_t n) { m_strings.setTextLimit(n); }
    TimeNs offset() const { return m_offset; }

private:
    struct ReqState
    {
        RequestId id = 0;
        QByteArray method, url, host, handler, error;
        TimeNs cStart = kNoTime, cEnd = kNoTime, sStart = kNoTime, sEnd = kNoTime;
        int cStatus = -1, sStatus = -1;
        bool loadTest = false;
        bool cExact = false, sExact = false; // an exact record set this side in this import
        bool dirty = false;
        bool fresh = false; // created by this import
    };
    // Held around every statement the caller's thread runs while the writer
    // thread may be busy with a batch. Never held while a batch is queued:
    // queuing may wait for the writer thread, which needs this lock.
    class DbLock
    {
    public:
        explicit DbLock(BulkRows &bulk);
        ~DbLock();
        DbLock(const DbLock &) = delete;
        DbLock &operator=(const DbLock &) = delete;

    private:
        BulkRows &m_bulk;
    };
    DbLock lockDb() { return DbLock(*m_bulk); }
    TimeNs shift(TimeNs t) const { return t == kNoTime ? t : t + m_offset; }
    void checkInterval(TimeNs &start, TimeNs &end, const char *what);
    ReqState &loadRequest(QByteArrayView key, bool create, bool *found);
    void alignByKeys();
    // Writes the dirty requests in memory (only those this import created: `createdOnly`).
    void flushRequests(bool createdOnly = false);
    // Merges the times an unaligned clock gave into their requests, in the
    // clock as placed now (only those this import created: `createdOnly`).
    void applyPendingTimes(bool createdOnly);
    // Writes merged requests and drops them from memory, so a log with
    // millions of request ids imports in bounded memory; a key seen again is
    // read back from the table. While the source's clock may still move
    // (monotonic: finish() aligns or places it), only the requests this
    // import created leave, with their times as placed so far; moveBy()
    // moves their rows. Requests merged with earlier ones stay to the end.
    void evictRequests();
    void moveBy(TimeNs move);
    void placeAtSessionStart();
    bool awaitingAlignment() const
    {
        return m_clock == ClockKind::Monotonic && m_clockMethod == "unaligned";
    }

    Db &m_db;
    qint64 m_sourceId;
    WarnFn m_warn;
    TimeNs m_offset = 0;
    ClockKind m_clock = ClockKind::Wall;
    QByteArray m_clockMethod = "wall clock";
    WriterCounts m_counts;
    qint64 m_syntheticKey = 0;

    Stmt m_insString, m_insRequest, m_findRequest, m_updRequest, m_insPhase, m_insLane,
        m_renameLane, m_insRaw, m_insProfile, m_insFrame, m_insCallsite;

    StringDictionary m_strings;
    QHash<QByteArray, qint64> m_reqIndex; // key -> index into m_reqs
    std::vector<ReqState> m_reqs;
    size_t m_maxResident = 50000;
    size_t m_evictAt = 50000;      // the next eviction, when not all could leave
    bool m_evictedCreated = false; // requests this import created were written early
    // Exact-time flags (1 client, 2 server) of evicted requests: those this
    // import created by id, the earlier ones by hash.
    quint8 evictedExact(RequestId id) const;
    std::vector<quint8> m_createdExact;
    QHash<RequestId, quint8> m_evictedExact;
    QHash<QPair<QByteArray, qint64>, LaneId> m_lanes;
    std::vector<QByteArray> m_laneKinds; // the few kinds, whose text the keys share
    QHash<QByteArray, FrameId> m_frames;
    QHash<QPair<qint64, qint64>, CallsiteId> m_callsites;
    QHash<CallsiteId, int> m_callsiteDepth;
    std::vector<std::pair<QByteArray, TimeNs>> m_hints;
    // Request times of an unaligned monotonic source, in its own clock: they
    // are merged once finish() knows the offset.
    struct PendingTimes
    {
        qint64 index; // into m_reqs
        bool client;
        TimeNs start, end;
    };
    std::vector<PendingTimes> m_pendingTimes;
    // Requests that existed before this import: their phases may already
    // have come from another file with the same evidence.
    QSet<RequestId> m_earlierRequests;
    Stmt m_findPhase;
    // Last: its destructor stops the writer thread before the statements go.
    std::unique_ptr<BulkRows> m_bulk;
    LaneRuns m_spanRuns, m_instantRuns; // this import's
    // Queues the instants waiting in BulkRows::staged, grouped by lane.
    void flushInstants();
    SpanId m_lastSpanId = 0;
    qint64 m_lastInstantId = 0;
    LaneId m_lastLaneId = 0;
    StringId m_lastStringId = 0;
    FrameId m_lastFrameId = 0;
    CallsiteId m_lastCallsiteId = 0;
    RequestId m_lastRequestId = 0;
    RequestId m_requestsBefore = 0; // ids above it: created by this import
    qint64 m_lastRawId = 0;
    bool m_stringsLoaded = false;
    bool m_requestsOnDisk = true;
    friend struct BulkRows;
};

} // namespace ls
