#include "batchwriter.h"

#include "schema.h"
#include "session.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace ls {

const char *sideName(Side s)
{
    switch (s) {
    case Side::Client:
        return "client";
    case Side::Server:
        return "server";
    case Side::Unknown:
        break;
    }
    return nullptr;
}

const char *clockKindName(ClockKind c)
{
    switch (c) {
    case ClockKind::Wall:
        return "wall";
    case ClockKind::Monotonic:
        return "monotonic";
    case ClockKind::Relative:
        return "relative";
    }
    return "wall";
}

static QByteArrayView nullableSide(Side s)
{
    const char *n = sideName(s);
    return n ? QByteArrayView(n) : QByteArrayView();
}

// Empty QByteArray → NULL column.
static QByteArrayView orNull(const QByteArray &b)
{
    return b.isEmpty() ? QByteArrayView() : QByteArrayView(b.constData(), b.size());
}

// Bulk rows waiting to be written, in the order they came. Text (args,
// labels, flow kinds) lives in one arena per batch.
struct RowBatch
{
    // Where a record's text sits in the arena; `at` -1 is no text (NULL).
    struct TextRef
    {
        qsizetype at = -1;
        qsizetype len = 0;
    };
    struct Text
    {
        StringId id;
        TextRef value;
    };
    // A new lane, or (rename) a new name for lane `id`.
    struct Lane
    {
        LaneId id, parent;
        qint64 externalId, sortKey;
        TextRef kind, name;
        bool rename;
    };
    struct Span
    {
        SpanId id;
        LaneId lane;
        TimeNs start, end;
        StringId name, category;
        RequestId request;
        int depth;
        TextRef args;
    };
    struct Instant
    {
        qint64 id;
        LaneId lane;
        TimeNs ts;
        StringId name, category;
        RequestId request;
        double value;
        bool hasValue;
        TextRef args;
    };
    struct Flow
    {
        LaneId fromLane, toLane;
        TimeNs fromTs, toTs;
        SpanId fromSpan, toSpan;
        TextRef kind;
    };
    struct Sample
    {
        ProfileId profile;
        CallsiteId callsite;
        qint64 value;
        TimeNs ts;
        LaneId lane;
        RequestId request;
        TextRef labels;
    };
    struct Frame
    {
        FrameId id;
        qint64 line;
        TextRef function, file;
    };
    struct Callsite
    {
        CallsiteId id, parent;
        FrameId frame;
        int depth;
    };
    struct Request
    {
        RequestId id;
        TextRef key;
    };
    struct Phase
    {
        RequestId request;
        LaneId lane;
        TimeNs start, end;
        Side side;
        TextRef kind, name, args;
    };
    struct Raw
    {
        qint64 id;
        RequestId request;
        qint64 offset, line;
        TimeNs ts;
        Side side;
        TextRef kind, data;
    };
    std::vector<Text> strings;
    std::vector<Lane> lanes;
    std::vector<Frame> frames;
    std::vector<Callsite> callsites;
    std::vector<Request> requests;
    std::vector<Phase> phases;
    std::vector<Raw> raws;
    std::vector<Span> spans;
    std::vector<Instant> instants;
    std::vector<Flow> flows;
    std::vector<Sample> samples;
    std::vector<LaneRun> spanRuns, instantRuns;
    QByteArray arena;

    size_t rows() const
    {
        return strings.size() + lanes.size() + frames.size() + callsites.size() + requests.size() +
               phases.size() + raws.size() + spans.size() + instants.size() + flows.size() +
               samples.size() + spanRuns.size() + instantRuns.size();
    }
    bool full() const { return rows() >= 4096 || arena.size() >= (1 << 20); }
    void clear()
    {
        strings.clear();
        lanes.clear();
        frames.clear();
        callsites.clear();
        requests.clear();
        phases.clear();
        raws.clear();
        spans.clear();
        instants.clear();
        flows.clear();
        samples.clear();
        spanRuns.clear();
        instantRuns.clear();
        arena.resize(0); // keeps the capacity: batches are reused
    }
    TextRef keep(QByteArrayView text)
    {
        if (text.isEmpty()) return {};
        const qsizetype at = arena.size();
        arena.append(text.data(), text.size());
        return {at, text.size()};
    }
    // NULL for no text.
    QByteArrayView text(TextRef t) const
    {
        return t.at < 0 ? QByteArrayView() : QByteArrayView(arena.constData() + t.at, t.len);
    }
    // For NOT NULL columns: no text is the empty string.
    QByteArrayView textOrEmpty(TextRef t) const { return t.at < 0 ? QByteArrayView("") : text(t); }
};

constexpr size_t kMaxQueued = 32;

// An INSERT of one row and one of kRows rows: the bulk tables go through the
// second, which saves most of SQLite's per-statement work (some 8% CPU).
struct RowInsert
{
    static constexpr int kRows = 32;
    RowInsert(const Db &db, const char *head, int columns)
    {
        QByteArray tuple = "(?";
        for (int c = 1; c < columns; ++c)
            tuple += ",?";
        tuple += ')';
        QByteArray sql = QByteArray(head) + " VALUES" + tuple;
        one = Stmt(db, sql);
        for (int r = 1; r < kRows; ++r)
            sql += ',' + tuple;
        many = Stmt(db, sql);
        width = columns;
    }
    // bind(stmt, first parameter - 1, row) binds one row's columns.
    template<typename Row, typename Bind> void run(const std::vector<Row> &rows, Bind bind)
    {
        size_t k = 0;
        for (; k + kRows <= rows.size(); k += kRows) {
            for (int r = 0; r < kRows; ++r)
                bind(many, r * width, rows[k + size_t(r)]);
            many.runKeepBindings();
        }
        for (; k < rows.size(); ++k) {
            bind(one, 0, rows[k]);
            one.runKeepBindings();
        }
    }
    Stmt one, many;
    int width = 0;
};

// Binds one run of span_run / instant_run (RowInsert::run's bind).
static void bindRun(Stmt &st, int o, const LaneRun &r)
{
    st.bind(o + 1, r.lane)
        .bind(o + 2, r.first)
        .bind(o + 3, r.last)
        .bind(o + 4, r.startMin)
        .bind(o + 5, r.startMax)
        .bind(o + 6, r.endMax);
}

// The writer thread: takes full batches in order and writes each while holding
// the database lock. Started by the first full batch, so a small import never
// starts it and writes its one batch in finish().
struct BulkRows
{
    explicit BulkRows(BatchWriter &w)
        : writer(w), current(std::make_unique<RowBatch>()),
          spans(w.m_db,
                "INSERT INTO span(lane_id, start_ns, end_ns, depth, name_id, category_id, "
                "request_id, args)",
                8),
          instants(w.m_db,
                   "INSERT INTO instant(lane_id, ts_ns, name_id, category_id, value, request_id, "
                   "args)",
                   7),
          flows(w.m_db,
                "INSERT INTO flow(kind, from_lane_id, from_ts_ns, to_lane_id, to_ts_ns, "
                "from_span_id, to_span_id)",
                7),
          samples(w.m_db,
                  "INSERT INTO sample(profile_id, callsite_id, value, ts_ns, lane_id, request_id, "
                  "labels)",
                  7),
          spanRuns(w.m_db,
                   "INSERT INTO span_run(lane_id, first_id, last_id, start_min, start_max, "
                   "end_max)",
                   6),
          instantRuns(w.m_db,
                      "INSERT INTO instant_run(lane_id, first_id, last_id, start_min, start_max, "
                      "end_max)",
                      6)
    {}
    ~BulkRows() { stopThread(true); }

    void submit()
    {
        if (callerHoldsDb)
            throw std::logic_error("BatchWriter: rows queued while holding the database lock");
        if (!thread.joinable()) thread = std::thread([this] { loop(); });
        std::unique_lock<std::mutex> l(queueMutex);
        // A bounded number of batches wait (some 50 MB at most): an importer
        // that emits in bursts keeps parsing while the thread catches up.
        done.wait(l, [this] { return queue.size() < kMaxQueued || error; });
        if (error) std::rethrow_exception(error);
        queue.push_back(std::move(current));
        if (spare.empty()) {
            current = std::make_unique<RowBatch>();
        } else {
            current = std::move(spare.back());
            spare.pop_back();
        }
        work.notify_one();
    }

    // Every row written when it returns; rethrows what the thread hit.
    void drain()
    {
        stopThread(false);
        if (error) std::rethrow_exception(std::exchange(error, nullptr));
        write(*current);
        current->clear();
    }

    void stopThread(bool discard)
    {
        if (!thread.joinable()) return;
        {
            std::lock_guard<std::mutex> l(queueMutex);
            stopping = true;
            discarding = discard;
        }
        work.notify_one();
        thread.join();
        stopping = discarding = false;
    }

    void loop()
    {
        for (;;) {
            std::unique_ptr<RowBatch> b;
            {
                std::unique_lock<std::mutex> l(queueMutex);
                work.wait(l, [this] { return stopping || !queue.empty(); });
                if (queue.empty() || discarding || error) return;
                b = std::move(queue.front());
                queue.pop_front();
            }
            try {
                std::lock_guard<std::mutex> g(dbMutex);
                write(*b);
            } catch (...) {
                std::lock_guard<std::mutex> l(queueMutex);
                error = std::current_exception();
            }
            b->clear();
            {
                std::lock_guard<std::mutex> l(queueMutex);
                spare.push_back(std::move(b));
            }
            done.notify_one();
        }
    }

    void write(const RowBatch &b);
    void checkLastId(qint64 expected, const char *table) const
    {
        const qint64 got = writer.m_db.lastInsertId();
        if (got != expected)
            throw std::logic_error(std::string("BatchWriter: ") + table + " row got id " +
                                   std::to_string(got) + ", " + std::to_string(expected) +
                                   " was handed out");
    }

    BatchWriter &writer;
    std::unique_ptr<RowBatch> current;
    // Instants waiting for their ids (see BatchWriter::instant).
    RowBatch staged;
    RowInsert spans, instants, flows, samples, spanRuns, instantRuns;
    std::mutex dbMutex;
    bool callerHoldsDb = false; // the caller's thread holds dbMutex (see DbLock)
    std::mutex queueMutex;
    std::condition_variable work, done;
    std::deque<std::unique_ptr<RowBatch>> queue;
    std::vector<std::unique_ptr<RowBatch>> spare;
    std::exception_ptr error;
    bool stopping = false, discarding = false;
    std::thread thread;
};

void BulkRows::write(const RowBatch &b)
{
    BatchWriter &w = writer;
    // Strings and lanes first: later rows of the batch name them.
    for (const RowBatch::Text &t : b.strings)
        w.m_insString.bind(1, t.id).bindTextStatic(2, b.textOrEmpty(t.value)).runKeepBindings();
    for (const RowBatch::Lane &l : b.lanes) {
        if (l.rename) {
            w.m_renameLane.bindTextStatic(1, b.text(l.name)).bind(2, l.id).run();
            continue;
        }
        w.m_insLane.bind(1, l.id)
            .bind(2, w.m_sourceId)
            .bindTextStatic(3, b.textOrEmpty(l.kind))
            .bind(4, l.externalId)
            .bindTextStatic(5, b.text(l.name))
            .bindOrNull(6, l.parent, kNoId)
            .bind(7, l.sortKey)
            .runKeepBindings();
    }
    for (const RowBatch::Frame &f : b.frames)
        w.m_insFrame.bind(1, f.id)
            .bindTextStatic(2, b.textOrEmpty(f.function))
            .bindTextStatic(3, b.text(f.file))
            .bind(4, f.line)
            .runKeepBindings();
    for (const RowBatch::Callsite &c : b.callsites)
        w.m_insCallsite.bind(1, c.id)
            .bindOrNull(2, c.parent, kNoId)
            .bind(3, c.frame)
            .bind(4, c.depth)
            .runKeepBindings();
    for (const RowBatch::Request &r : b.requests)
        w.m_insRequest.bind(1, r.id)
            .bindTextStatic(2, b.text(r.key))
            .bind(3, w.m_sourceId)
            .runKeepBindings();
    for (const RowBatch::Phase &p : b.phases)
        w.m_insPhase.bind(1, p.request)
            .bind(2, w.m_sourceId)
            .bindTextStatic(3, b.textOrEmpty(p.kind))
            .bindTextStatic(4, b.text(p.name))
            .bindText(5, nullableSide(p.side))
            .bind(6, p.start)
            .bind(7, p.end)
            .bindOrNull(8, p.lane, kNoId)
            .bindTextStatic(9, b.text(p.args))
            .runKeepBindings();
    for (const RowBatch::Raw &r : b.raws)
        w.m_insRaw.bind(1, r.id)
            .bindOrNull(2, r.request, kNoId)
            .bind(3, w.m_sourceId)
            .bindTextStatic(4, b.textOrEmpty(r.kind))
            .bindText(5, nullableSide(r.side))
            .bindOrNull(6, r.offset, -1)
            .bindOrNull(7, r.line, -1)
            .bindOrNull(8, r.ts, kNoTime)
            .bindBlob(9, b.textOrEmpty(r.data))
            .runKeepBindings();
    // Spans and instants take the next rowid, which is the id handed out for
    // them (ids are counted from the table's max in the order rows are
    // written): an append without a seek for each row. Checked per batch.
    spans.run(b.spans, [&b](Stmt &st, int o, const RowBatch::Span &s) {
        st.bind(o + 1, s.lane)
            .bind(o + 2, s.start)
            .bind(o + 3, s.end)
            .bind(o + 4, s.depth)
            .bindOrNull(o + 5, s.name, kNoId)
            .bindOrNull(o + 6, s.category, kNoId)
            .bindOrNull(o + 7, s.request, kNoId)
            .bindTextStatic(o + 8, b.text(s.args));
    });
    if (!b.spans.empty()) checkLastId(b.spans.back().id, "span");
    instants.run(b.instants, [&b](Stmt &st, int o, const RowBatch::Instant &i) {
        st.bind(o + 1, i.lane)
            .bind(o + 2, i.ts)
            .bindOrNull(o + 3, i.name, kNoId)
            .bindOrNull(o + 4, i.category, kNoId);
        if (i.hasValue)
            st.bind(o + 5, i.value);
        else
            st.bindNull(o + 5);
        st.bindOrNull(o + 6, i.request, kNoId).bindTextStatic(o + 7, b.text(i.args));
    });
    if (!b.instants.empty()) checkLastId(b.instants.back().id, "instant");
    spanRuns.run(b.spanRuns, bindRun);
    instantRuns.run(b.instantRuns, bindRun);
    flows.run(b.flows, [&b](Stmt &st, int o, const RowBatch::Flow &f) {
        st.bindTextStatic(o + 1, b.text(f.kind))
            .bindOrNull(o + 2, f.fromLane, kNoId)
            .bindOrNull(o + 3, f.fromTs, kNoTime)
            .bindOrNull(o + 4, f.toLane, kNoId)
            .bindOrNull(o + 5, f.toTs, kNoTime)
            .bindOrNull(o + 6, f.fromSpan, kNoId)
            .bindOrNull(o + 7, f.toSpan, kNoId);
    });
    samples.run(b.samples, [&b](Stmt &st, int o, const RowBatch::Sample &s) {
        st.bind(o + 1, s.profile)
            .bind(o + 2, s.callsite)
            .bind(o + 3, s.value)
            .bindOrNull(o + 4, s.ts, kNoTime)
            .bindOrNull(o + 5, s.lane, kNoId)
            .bindOrNull(o + 6, s.request, kNoId)
            .bindTextStatic(o + 7, b.text(s.labels));
    });
}

BatchWriter::BatchWriter(Db &db, qint64 sourceId, WarnFn warn)
    : m_db(db), m_sourceId(sourceId), m_warn(std::move(warn)),
      m_insString(db, "INSERT INTO string(id, value) VALUES(?, ?)"),
      m_insRequest(db, "INSERT INTO request(id, key, side, first_source_id) VALUES(?, ?, 'server', "
                       "?)"),
      m_findRequest(db, "SELECT id, method, url, host, handler, error, client_start_ns, "
                        "client_end_ns, client_status, server_start_ns, server_end_ns, "
                        "server_status, load_test FROM request WHERE key = ?"),
      m_updRequest(db, "UPDATE request SET method=?2, url=?3, host=?4, handler=?5, error=?6, "
                       "client_start_ns=?7, client_end_ns=?8, client_status=?9, "
                       "server_start_ns=?10, server_end_ns=?11, server_status=?12, "
                       "load_test=?13, start_ns=?14, end_ns=?15, status=?16, side=?17 WHERE id=?1"),
      m_insPhase(db, "INSERT INTO phase(request_id, source_id, kind, name, side, start_ns, end_ns, "
                     "lane_id, args) VALUES(?,?,?,?,?,?,?,?,?)"),
      m_insLane(db, "INSERT INTO lane(id, source_id, kind, external_id, name, parent_id, "
                    "sort_key) VALUES(?,?,?,?,?,?,?)"),
      m_renameLane(db, "UPDATE lane SET name = ? WHERE id = ?"),
      m_insRaw(db, "INSERT INTO raw_text(id, request_id, source_id, kind, side, offset, line, "
                   "ts_ns, data) VALUES(?,?,?,?,?,?,?,?,?)"),
      m_insProfile(db, "INSERT INTO profile(source_id, sample_type, unit, period_type, "
                       "period_unit, period, time_ns, duration_ns) VALUES(?,?,?,?,?,?,?,?)"),
      m_insFrame(db, "INSERT INTO frame(id, function, file, line) VALUES(?,?,?,?)"),
      m_insCallsite(db, "INSERT INTO callsite(id, parent_id, frame_id, depth) VALUES(?,?,?,?)"),
      m_bulk(std::make_unique<BulkRows>(*this))
{
    // Ids of queued rows are handed out here, before the rows reach the table.
    const auto lastId = [&db](const char *sql) {
        Stmt last(db, sql);
        last.step();
        return last.int64(0);
    };
    m_lastSpanId = lastId("SELECT COALESCE(max(id), 0) FROM span");
    m_lastInstantId = lastId("SELECT COALESCE(max(id), 0) FROM instant");
    m_lastLaneId = lastId("SELECT COALESCE(max(id), 0) FROM lane");
    m_lastStringId = lastId("SELECT COALESCE(max(id), 0) FROM string");
    m_lastFrameId = lastId("SELECT COALESCE(max(id), 0) FROM frame");
    m_lastCallsiteId = lastId("SELECT COALESCE(max(id), 0) FROM callsite");
    m_lastRequestId = lastId("SELECT COALESCE(max(id), 0) FROM request");
    m_lastRawId = lastId("SELECT COALESCE(max(id), 0) FROM raw_text");
    // An empty request table: a key this import has not seen is new, so
    // looking it up can wait until requests have been written (eviction).
    m_requestsOnDisk = m_lastRequestId > 0;
    m_requestsBefore = m_lastRequestId;
}

BatchWriter::~BatchWriter() = default;

BatchWriter::DbLock::DbLock(BulkRows &bulk) : m_bulk(bulk)
{
    m_bulk.dbMutex.lock();
    m_bulk.callerHoldsDb = true;
}

BatchWriter::DbLock::~DbLock()
{
    m_bulk.callerHoldsDb = false;
    m_bulk.dbMutex.unlock();
}

void BatchWriter::checkInterval(TimeNs &start, TimeNs &end, const char *what)
{
    if (start == kNoTime && end != kNoTime) start = end;
    if (end == kNoTime) end = start;
    if (end < start) {
        if (m_warn)
            m_warn("negative-interval",
                   QStringLiteral("a %1 ends before it starts; stored with zero length")
                       .arg(QLatin1String(what)));
        end = start;
    }
}

StringDictionary::Slot StringDictionary::fingerprint(QByteArrayView s)
{
    Slot f;
    f.a = quint64(qHash(s, size_t(0x9e3779b97f4a7c15ULL)));
    f.b = quint64(qHash(s, size_t(0xc2b2ae3d27d4eb4fULL)));
    return f;
}

size_t StringDictionary::slotOf(const Slot &fp) const
{
    const size_t mask = m_slots.size() - 1;
    for (size_t i = size_t(fp.a) & mask;; i = (i + 1) & mask) {
        const Slot &x = m_slots[i];
        if (x.id == kNoId || (x.a == fp.a && x.b == fp.b)) return i;
    }
}

StringId StringDictionary::findOrAdd(QByteArrayView s, StringId id)
{
    const QByteArray probe = QByteArray::fromRawData(s.data() ? s.data() : "", s.size());
    if (auto it = m_text.constFind(probe); it != m_text.constEnd()) return it.value();
    if (m_slots.empty() && size_t(m_text.size()) < m_textLimit) {
        m_text.insert(s.toByteArray(), id);
        return id;
    }
    if ((m_used + 1) * 10 > m_slots.size() * 7) { // grow past 70% full
        std::vector<Slot> old = std::move(m_slots);
        m_slots.assign(std::max<size_t>(1024, old.size() * 2), Slot{});
        for (const Slot &x : old)
            if (x.id != kNoId) m_slots[slotOf(x)] = x;
    }
    Slot fp = fingerprint(s);
    Slot &at = m_slots[slotOf(fp)];
    if (at.id != kNoId) return at.id;
    ++m_used;
    fp.id = id;
    at = fp;
    return id;
}

StringId BatchWriter::intern(QByteArrayView s)
{
    if (!m_stringsLoaded) {
        // Every string the session has, once: later look-ups never wait for
        // the writer thread, and new strings are queued with their ids.
        const auto lock = lockDb();
        Stmt all(m_db, "SELECT id, value FROM string");
        while (all.step())
            m_strings.findOrAdd(all.textView(1), all.int64(0));
        m_stringsLoaded = true;
    }
    const StringId id = m_strings.findOrAdd(s, m_lastStringId + 1);
    if (id <= m_lastStringId) return id;
    m_lastStringId = id;
    RowBatch &b = *m_bulk->current;
    const RowBatch::TextRef at = b.keep(s);
    b.strings.push_back({id, at});
    if (b.full()) m_bulk->submit();
    return id;
}

BatchWriter::ReqState &BatchWriter::loadRequest(QByteArrayView key, bool create, bool *found)
{
    const QByteArray k = key.toByteArray();
    auto it = m_reqIndex.constFind(k);
    if (it != m_reqIndex.constEnd()) {
        *found = true;
        return m_reqs[size_t(it.value())];
    }
    ReqState st;
    bool onDisk = false;
    if (m_requestsOnDisk) {
        const auto lock = lockDb(); // for the look-up only: queuing below may wait
        auto &q = m_findRequest;
        if (q.bindText(1, k).step()) {
            onDisk = true;
            st.id = q.int64(0);
            st.method = q.text(1);
            st.url = q.text(2);
            st.host = q.text(3);
            st.handler = q.text(4);
            st.error = q.text(5);
            st.cStart = q.isNull(6) ? kNoTime : q.int64(6);
            st.cEnd = q.isNull(7) ? kNoTime : q.int64(7);
            st.cStatus = q.isNull(8) ? -1 : int(q.int64(8));
            st.sStart = q.isNull(9) ? kNoTime : q.int64(9);
            st.sEnd = q.isNull(10) ? kNoTime : q.int64(10);
            st.sStatus = q.isNull(11) ? -1 : int(q.int64(11));
            st.loadTest = q.int64(12) != 0;
        }
        q.reset();
    }
    *found = onDisk;
    if (onDisk) {
        st.fresh = st.id > m_requestsBefore; // written early by this import (eviction)
        if (!st.fresh) m_earlierRequests.insert(st.id);
    } else {
        if (!create) {
            static ReqState none;
            none = ReqState();
            return none;
        }
        st.id = ++m_lastRequestId;
        st.fresh = true;
        RowBatch &b = *m_bulk->current;
        const RowBatch::TextRef at = b.keep(k);
        b.requests.push_back({st.id, at});
        if (b.full()) m_bulk->submit();
    }
    if (const quint8 ex = evictedExact(st.id)) {
        st.cExact = ex & 1;
        st.sExact = ex & 2;
    }
    // Every request this import created, and every earlier one it touched.
    m_counts.requests = (m_lastRequestId - m_requestsBefore) + m_earlierRequests.size();
    m_reqIndex.insert(k, qint64(m_reqs.size()));
    m_reqs.push_back(std::move(st));
    return m_reqs.back();
}

void BatchWriter::evictRequests()
{
    const bool clockMayMove = m_clock != ClockKind::Wall || awaitingAlignment();
    // The rows the updates change must be in the table first.
    m_bulk->drain();
    m_requestsOnDisk = true;
    if (clockMayMove) applyPendingTimes(true);
    flushRequests(clockMayMove);
    std::vector<qint64> newIndex(m_reqs.size(), -1);
    std::vector<ReqState> kept;
    for (size_t i = 0; i < m_reqs.size(); ++i) {
        ReqState &st = m_reqs[i];
        if (clockMayMove && !st.fresh) {
            newIndex[i] = qint64(kept.size());
            kept.push_back(std::move(st));
            continue;
        }
        const quint8 exact = quint8((st.cExact ? 1 : 0) | (st.sExact ? 2 : 0));
        if (st.fresh) {
            // Created ones by id, one byte each (a hash entry took about 30).
            const size_t at = size_t(st.id - m_requestsBefore - 1);
            if (m_createdExact.size() <= at) m_createdExact.resize(at + 1, 0);
            m_createdExact[at] = exact;
        } else if (exact) {
            m_evictedExact.insert(st.id, exact);
        }
        m_evictedCreated = m_evictedCreated || st.fresh;
    }
    for (auto it = m_reqIndex.begin(); it != m_reqIndex.end();) {
        const qint64 to = newIndex[size_t(it.value())];
        if (to < 0) {
            it = m_reqIndex.erase(it);
        } else {
            it.value() = to;
            ++it;
        }
    }
    for (PendingTimes &p : m_pendingTimes)
        p.index = newIndex[size_t(p.index)];
    m_reqs = std::move(kept);
    // What has to stay (merged requests) does not make every call evict again.
    m_evictAt = std::max(m_maxResident, m_reqs.size() * 2);
}

quint8 BatchWriter::evictedExact(RequestId id) const
{
    if (id > m_requestsBefore) {
        const size_t at = size_t(id - m_requestsBefore - 1);
        return at < m_createdExact.size() ? m_createdExact[at] : 0;
    }
    return m_evictedExact.value(id, 0);
}

RequestId BatchWriter::findRequest(QByteArrayView key)
{
    if (key.isEmpty()) return kNoId;
    if (m_reqs.size() >= m_evictAt) evictRequests();
    bool found = false;
    ReqState &st = loadRequest(key, false, &found);
    return found ? st.id : kNoId;
}

RequestId BatchWriter::request(const RequestRecord &r)
{
    QByteArray key = r.key;
    if (key.isEmpty())
        key = "#" + QByteArray::number(m_sourceId) + ":" + QByteArray::number(++m_syntheticKey);
    if (m_reqs.size() >= m_evictAt) evictRequests();
    bool found = false;
    ReqState &st = loadRequest(key, true, &found);
    auto firstWins = [](QByteArray &dst, const QByteArray &v) {
        if (dst.isEmpty() && !v.isEmpty()) dst = v;
    };
    firstWins(st.method, r.method);
    firstWins(st.url, r.url);
    firstWins(st.host, r.host);
    firstWins(st.handler, r.handler);
    // The client's error (what the caller saw) wins; a server-side error
    // only fills in when nothing else was said.
    if (!r.error.isEmpty() && (r.side == Side::Client || st.error.isEmpty())) st.error = r.error;
    TimeNs start = shift(r.start), end = shift(r.end);
    if (start != kNoTime || end != kNoTime) checkInterval(start, end, "request");
    const bool client = r.side == Side::Client;
    if (awaitingAlignment() && (start != kNoTime || end != kNoTime)) {
        // Times of a clock not yet placed must not mix with the wall-clock
        // times other sources gave this request: merged in finish().
        auto local = [this](TimeNs t) { return t == kNoTime ? t : t - m_offset; };
        m_pendingTimes.push_back({qint64(&st - m_reqs.data()), client, local(start), local(end)});
        start = end = kNoTime;
    }
    TimeNs &s = client ? st.cStart : st.sStart;
    TimeNs &e = client ? st.cEnd : st.sEnd;
    bool &exact = client ? st.cExact : st.sExact;
    if (r.timeQuality == TimeQuality::Exact && !exact && (start != kNoTime || end != kNoTime)) {
        // Measured times replace whatever coarser evidence said before.
        exact = true;
        s = start;
        e = end;
    } else if (r.timeQuality == TimeQuality::Approximate ||
               (exact && r.timeQuality != TimeQuality::Exact)) {
        if (s == kNoTime) s = start;
        if (e == kNoTime) e = end;
    } else {
        if (start != kNoTime) s = s == kNoTime ? start : std::min(s, start);
        if (end != kNoTime) e = e == kNoTime ? end : std::max(e, end);
    }
    if (r.status >= 0) (client ? st.cStatus : st.sStatus) = r.status;
    st.loadTest = st.loadTest || r.loadTest;
    st.dirty = true;
    return st.id;
}

void BatchWriter::phase(const PhaseRecord &p)
{
    TimeNs start = shift(p.start), end = shift(p.end);
    checkInterval(start, end, "phase");
    if (start == kNoTime || p.request == kNoId) return;
    if (m_earlierRequests.contains(p.request)) {
        const auto lock = lockDb();
        if (!m_findPhase.valid())
            m_findPhase =
                Stmt(m_db, "SELECT 1 FROM phase WHERE request_id = ?1 AND source_id != ?2 "
                           "AND kind = ?3 AND name IS ?4 AND side IS ?5 AND start_ns "
                           "BETWEEN ?6 - 1000000 AND ?6 + 1000000 AND "
                           "abs(end_ns - start_ns - ?7) <= 1000 LIMIT 1");
        m_findPhase.bind(1, p.request)
            .bind(2, m_sourceId)
            .bindText(3, p.kind)
            .bindText(4, orNull(p.name))
            .bindText(5, nullableSide(p.side))
            .bind(6, start)
            .bind(7, end - start);
        const bool dup = m_findPhase.step();
        m_findPhase.reset();
        if (dup) {
            ++m_counts.duplicatePhases;
            if (m_warn)
                m_warn("duplicate-phase",
                       QStringLiteral("a phase another source already holds for the request "
                                      "(a second log of the same events) was merged, not "
                                      "stored twice"));
            return;
        }
    }
    RowBatch &b = *m_bulk->current;
    const RowBatch::TextRef kind = b.keep(p.kind);
    const RowBatch::TextRef name = b.keep(p.name);
    const RowBatch::TextRef args = b.keep(p.args);
    b.phases.push_back({p.request, p.lane, start, end, p.side, kind, name, args});
    ++m_counts.phases;
    if (b.full()) m_bulk->submit();
}

LaneId BatchWriter::lane(const LaneRecord &l)
{
    // The keys share their kind's text: a trace names 800,000 goroutine lanes.
    auto shared = std::find(m_laneKinds.begin(), m_laneKinds.end(), l.kind);
    if (shared == m_laneKinds.end()) shared = m_laneKinds.insert(m_laneKinds.end(), l.kind);
    const auto key = qMakePair(*shared, l.externalId);
    auto it = m_lanes.constFind(key);
    if (it != m_lanes.constEnd()) return it.value();
    const LaneId id = ++m_lastLaneId;
    RowBatch &b = *m_bulk->current;
    const RowBatch::TextRef kind = b.keep(l.kind);
    const RowBatch::TextRef name = b.keep(l.name);
    b.lanes.push_back({id, l.parent, l.externalId, l.sortKey, kind, name, false});
    m_lanes.insert(key, id);
    ++m_counts.lanes;
    if (b.full()) m_bulk->submit();
    return id;
}

void BatchWriter::renameLane(LaneId lane, QByteArrayView name)
{
    RowBatch &b = *m_bulk->current;
    const RowBatch::TextRef at = b.keep(name);
    b.lanes.push_back({lane, kNoId, 0, 0, {}, at, true});
    if (b.full()) m_bulk->submit();
}

SpanId BatchWriter::span(const SpanRecord &s)
{
    TimeNs start = shift(s.start), end = shift(s.end);
    checkInterval(start, end, "span");
    if (start == kNoTime || s.lane == kNoId) return kNoId;
    RowBatch &b = *m_bulk->current;
    const RowBatch::TextRef args = b.keep(s.args);
    const SpanId id = ++m_lastSpanId;
    b.spans.push_back({id, s.lane, start, end, s.name, s.category, s.request, s.depth, args});
    m_spanRuns.add(b.spanRuns, s.lane, id, start, end);
    ++m_counts.spans;
    if (b.full()) m_bulk->submit();
    return id;
}

void BatchWriter::instant(const InstantRecord &i)
{
    if (i.ts == kNoTime || i.lane == kNoId) return;
    if (i.request != kNoId && m_earlierRequests.contains(i.request)) {
        // The same named event of the request from another source (within 1 ms).
        const auto lock = lockDb();
        Stmt q(m_db,
               "SELECT 1 FROM instant n JOIN lane l ON l.id = n.lane_id WHERE n.request_id = "
               "? AND l.source_id != ? AND n.name_id IS ? AND n.ts_ns BETWEEN ? AND ? LIMIT 1");
        const TimeNs ts = shift(i.ts);
        q.bind(1, i.request).bind(2, m_sourceId).bindOrNull(3, i.name, kNoId);
        q.bind(4, ts - 1000000).bind(5, ts + 1000000);
        if (q.step()) return;
    }
    // Instants wait and go to the writer grouped by lane: unlike a span's,
    // an instant's id is handed to nobody, so it can follow the lane order,
    // and an importer that switches lanes at every instant (counters, marks)
    // still leaves long runs.
    RowBatch &staged = m_bulk->staged;
    const RowBatch::TextRef args = staged.keep(i.args);
    staged.instants.push_back(
        {0, i.lane, shift(i.ts), i.name, i.category, i.request, i.value, i.hasValue, args});
    ++m_counts.instants;
    if (staged.instants.size() >= 65536 || staged.arena.size() >= (8 << 20)) flushInstants();
}

void BatchWriter::flushInstants()
{
    RowBatch &staged = m_bulk->staged;
    std::stable_sort(
        staged.instants.begin(), staged.instants.end(),
        [](const RowBatch::Instant &a, const RowBatch::Instant &b) { return a.lane < b.lane; });
    for (RowBatch::Instant i : staged.instants) {
        RowBatch &b = *m_bulk->current;
        i.id = ++m_lastInstantId;
        i.args = b.keep(staged.text(i.args));
        b.instants.push_back(i);
        m_instantRuns.add(b.instantRuns, i.lane, i.id, i.ts, i.ts);
        if (b.full()) m_bulk->submit();
    }
    staged.clear();
}

// Closed runs held back before they go out sorted: 32 k runs (1.5 MB). A
// batch that carries them waits in the writer's queue (up to 32 batches);
// 256 k-run chunks made that queue hold 100 MB on an execution trace, whose
// spans switch lanes at almost every row.
constexpr size_t kRunChunk = size_t(1) << 15;

void LaneRuns::add(std::vector<LaneRun> &queue, LaneId lane, qint64 id, TimeNs start, TimeNs end)
{
    LaneRun &run = m_open;
    if (run.lane == lane && id == run.last + 1 && id - run.first < kRunRows) {
        run.last = id;
        run.startMin = std::min(run.startMin, start);
        run.startMax = std::max(run.startMax, start);
        run.endMax = std::max(run.endMax, end);
        return;
    }
    if (run.lane != kNoId) m_closed.push_back(run);
    run = {lane, id, id, start, start, end};
    if (m_closed.size() >= kRunChunk) flush(queue);
}

void LaneRuns::finish(std::vector<LaneRun> &queue)
{
    if (m_open.lane != kNoId) m_closed.push_back(std::exchange(m_open, {}));
    flush(queue);
}

void LaneRuns::flush(std::vector<LaneRun> &queue)
{
    std::sort(m_closed.begin(), m_closed.end(), [](const LaneRun &a, const LaneRun &b) {
        return a.lane != b.lane ? a.lane < b.lane : a.first < b.first;
    });
    queue.insert(queue.end(), m_closed.begin(), m_closed.end());
    m_closed.clear();
}

void buildRuns(Db &db)
{
    for (const char *table : {"span", "instant"}) {
        const QByteArray t(table);
        Stmt rows(db, t == "span" ? "SELECT id, lane_id, start_ns, end_ns FROM span ORDER BY id"
                                  : "SELECT id, lane_id, ts_ns, ts_ns FROM instant ORDER BY id");
        RowInsert insert(db,
                         QByteArray("INSERT INTO " + t +
                                    "_run(lane_id, first_id, last_id, start_min, start_max, "
                                    "end_max)")
                             .constData(),
                         6);
        LaneRuns runs;
        std::vector<LaneRun> queue;
        const auto write = [&] {
            insert.run(queue, bindRun);
            queue.clear();
        };
        while (rows.step()) {
            runs.add(queue, rows.int64(1), rows.int64(0), rows.int64(2), rows.int64(3));
            if (!queue.empty()) write();
        }
        runs.finish(queue);
        write();
    }
}

void BatchWriter::flow(const FlowRecord &f)
{
    RowBatch &b = *m_bulk->current;
    const RowBatch::TextRef kind = b.keep(f.kind);
    b.flows.push_back(
        {f.fromLane, f.toLane, shift(f.fromTs), shift(f.toTs), f.fromSpan, f.toSpan, kind});
    ++m_counts.flows;
    if (b.full()) m_bulk->submit();
}

qint64 BatchWriter::rawText(const RawTextRecord &t)
{
    // A panic stack another source already stored for the request (a text
    // and a JSON log of one service) is the same stack: keep one.
    if (t.kind == "stack" && t.ts != kNoTime && m_earlierRequests.contains(t.request)) {
        const auto lock = lockDb();
        Stmt q(m_db, "SELECT id FROM raw_text WHERE request_id = ? AND source_id != ? AND kind = "
                     "'stack' AND ts_ns BETWEEN ? AND ? LIMIT 1");
        const TimeNs ts = shift(t.ts);
        q.bind(1, t.request).bind(2, m_sourceId).bind(3, ts - 1000000).bind(4, ts + 1000000);
        if (q.step()) return q.int64(0);
    }
    RowBatch &b = *m_bulk->current;
    const RowBatch::TextRef kind = b.keep(t.kind);
    const RowBatch::TextRef data = b.keep(t.data);
    const qint64 id = ++m_lastRawId;
    b.raws.push_back({id, t.request, t.offset, t.line, shift(t.ts), t.side, kind, data});
    ++m_counts.rawTexts;
    if (b.full()) m_bulk->submit();
    return id;
}

ProfileId BatchWriter::profile(const ProfileRecord &p)
{
    const auto lock = lockDb();
    m_insProfile.bind(1, m_sourceId)
        .bindText(2, p.sampleType)
        .bindText(3, p.unit)
        .bindText(4, orNull(p.periodType))
        .bindText(5, orNull(p.periodUnit))
        .bind(6, p.period)
        .bindOrNull(7, shift(p.time), kNoTime)
        .bind(8, p.durationNs)
        .run();
    return m_db.lastInsertId();
}

FrameId BatchWriter::frame(const FrameRecord &f)
{
    QByteArray key = f.function;
    key += '\0';
    key += f.file;
    key += '\0';
    key += QByteArray::number(f.line);
    auto it = m_frames.constFind(key);
    if (it != m_frames.constEnd()) return it.value();
    const FrameId id = ++m_lastFrameId;
    m_frames.insert(key, id);
    RowBatch &b = *m_bulk->current;
    const RowBatch::TextRef function = b.keep(f.function);
    const RowBatch::TextRef file = b.keep(f.file);
    b.frames.push_back({id, f.line, function, file});
    if (b.full()) m_bulk->submit();
    return id;
}

CallsiteId BatchWriter::callsite(CallsiteId parent, FrameId frame)
{
    const auto key = qMakePair(qint64(parent), qint64(frame));
    auto it = m_callsites.constFind(key);
    if (it != m_callsites.constEnd()) return it.value();
    const int depth = parent == kNoId ? 0 : m_callsiteDepth.value(parent) + 1;
    const CallsiteId id = ++m_lastCallsiteId;
    m_callsites.insert(key, id);
    m_callsiteDepth.insert(id, depth);
    RowBatch &b = *m_bulk->current;
    b.callsites.push_back({id, parent, frame, depth});
    if (b.full()) m_bulk->submit();
    return id;
}

void BatchWriter::sample(const SampleRecord &s)
{
    RowBatch &b = *m_bulk->current;
    const RowBatch::TextRef labels = b.keep(s.labels);
    b.samples.push_back({s.profile, s.callsite, s.value, shift(s.ts), s.lane, s.request, labels});
    ++m_counts.samples;
    if (b.full()) m_bulk->submit();
}

void BatchWriter::setClock(ClockKind kind, TimeNs offset, QByteArrayView method)
{
    m_clock = kind;
    m_offset = offset;
    m_clockMethod = method.toByteArray();
}

void BatchWriter::alignmentHint(QByteArrayView key, TimeNs localTime)
{
    // Keys align with requests other sources gave: none when the session had no requests.
    if (m_requestsBefore == 0) return;
    m_hints.emplace_back(key.toByteArray(), localTime);
}

void BatchWriter::alignByKeys()
{
    // Median of (request start on the shared timeline - local time) over the
    // keys this source shares with requests from wall-clock sources.
    Stmt q(m_db, "SELECT COALESCE(server_start_ns, client_start_ns) FROM request WHERE key = ? "
                 "AND first_source_id != ?");
    std::vector<TimeNs> deltas;
    for (const auto &[key, local] : m_hints) {
        q.bindText(1, key).bind(2, m_sourceId);
        if (q.step() && !q.isNull(0)) deltas.push_back(q.int64(0) - local);
        q.reset();
    }
    if (deltas.empty()) return;
    std::nth_element(deltas.begin(), deltas.begin() + deltas.size() / 2, deltas.end());
    const TimeNs delta = deltas[deltas.size() / 2];
    // Rows written so far carry m_offset; move them by the difference.
    moveBy(delta - m_offset);
    m_clockMethod = "request keys (median of " + QByteArray::number(qint64(deltas.size())) + ")";
}

void BatchWriter::moveBy(TimeNs move)
{
    shiftSourceRows(m_db, m_sourceId, move);
    // Requests this import created and already wrote (those in memory are
    // written again below, with their times moved here).
    if (m_evictedCreated) shiftRequestTimes(m_db, move, "id > ?2", m_requestsBefore);
    for (ReqState &st : m_reqs) {
        // Requests this source created move with it; merged ones keep the
        // times their wall-clock evidence gave (that is what we aligned to).
        if (st.fresh)
            for (TimeNs *t : {&st.cStart, &st.cEnd, &st.sStart, &st.sEnd})
                if (*t != kNoTime) *t += move;
    }
    m_offset += move;
}

void BatchWriter::placeAtSessionStart()
{
    // A clock nothing could align (no snapshot, no shared keys, no process
    // start): put its first event at the session's first request rather than
    // at the epoch, so the timeline stays usable; the user can move it.
    Stmt q(m_db, "SELECT min(start_ns) FROM request WHERE first_source_id != ?");
    q.bind(1, m_sourceId);
    if (!q.step() || q.isNull(0)) return;
    const TimeNs sessionStart = q.int64(0);
    Stmt m(m_db, "SELECT min(t) FROM (SELECT min(start_min) AS t FROM span_run WHERE lane_id IN "
                 "(SELECT id FROM lane WHERE source_id = ?1) UNION ALL SELECT min(start_min) FROM "
                 "instant_run WHERE lane_id IN (SELECT id FROM lane WHERE source_id = ?1) UNION "
                 "ALL SELECT min(start_ns) FROM phase WHERE source_id = ?1)");
    m.bind(1, m_sourceId);
    if (!m.step() || m.isNull(0)) return;
    moveBy(sessionStart - m.int64(0));
    m_clockMethod = "placed at the session's first request (not aligned; set the offset by hand)";
}

void BatchWriter::applyPendingTimes(bool createdOnly)
{
    std::vector<PendingTimes> left;
    for (const PendingTimes &p : m_pendingTimes) {
        ReqState &st = m_reqs[size_t(p.index)];
        if (createdOnly && !st.fresh) {
            left.push_back(p);
            continue;
        }
        TimeNs &s = p.client ? st.cStart : st.sStart;
        TimeNs &e = p.client ? st.cEnd : st.sEnd;
        const TimeNs start = shift(p.start), end = shift(p.end);
        if (start != kNoTime) s = s == kNoTime ? start : std::min(s, start);
        if (end != kNoTime) e = e == kNoTime ? end : std::max(e, end);
    }
    m_pendingTimes = std::move(left);
}

void BatchWriter::flushRequests(bool createdOnly)
{
    for (const ReqState &st : m_reqs) {
        if (!st.dirty || (createdOnly && !st.fresh)) continue;
        const bool hasClient = st.cStart != kNoTime || st.cStatus >= 0;
        const bool hasServer = st.sStart != kNoTime || st.sStatus >= 0;
        const TimeNs start = st.cStart != kNoTime ? st.cStart : st.sStart;
        const TimeNs end = st.cStart != kNoTime ? st.cEnd : st.sEnd;
        const int status = st.cStatus >= 0 ? st.cStatus : st.sStatus;
        const char *side = hasClient && hasServer ? "both" : hasClient ? "client" : "server";
        m_updRequest.bind(1, st.id)
            .bindText(2, orNull(st.method))
            .bindText(3, orNull(st.url))
            .bindText(4, orNull(st.host))
            .bindText(5, orNull(st.handler))
            .bindText(6, orNull(st.error))
            .bindOrNull(7, st.cStart, kNoTime)
            .bindOrNull(8, st.cEnd, kNoTime)
            .bindOrNull(9, st.cStatus, -1)
            .bindOrNull(10, st.sStart, kNoTime)
            .bindOrNull(11, st.sEnd, kNoTime)
            .bindOrNull(12, st.sStatus, -1)
            .bind(13, st.loadTest ? 1 : 0)
            .bindOrNull(14, start, kNoTime)
            .bindOrNull(15, end, kNoTime)
            .bindOrNull(16, status, -1)
            .bindText(17, QByteArrayView(side))
            .run();
    }
}

void BatchWriter::finish()
{
    flushInstants();
    m_spanRuns.finish(m_bulk->current->spanRuns);
    m_instantRuns.finish(m_bulk->current->instantRuns);
    m_bulk->drain();
    const bool deferred = awaitingAlignment();
    if (deferred && !m_hints.empty()) alignByKeys();
    if (m_clock != ClockKind::Wall && m_offset == 0) placeAtSessionStart();
    if (deferred) applyPendingTimes(false);
    flushRequests();
    Stmt src(m_db, "UPDATE source SET clock = ?, clock_method = ?, offset_ns = ? WHERE id = ?");
    src.bindText(1, QByteArrayView(clockKindName(m_clock)))
        .bindText(2, m_clockMethod)
        .bind(3, m_offset)
        .bind(4, m_sourceId)
        .run();
}

} // namespace ls
