// Latency classes, critical paths and request comparison on the gen corpus
// (server log + the server's execution trace), plus the schema v1 -> v2
// migration that added request_class.

#include "analysis.h"
#include "pipeline.h"
#include "queries.h"
#include "schema.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace ls;

namespace {

const QString kLockHeavy = QStringLiteral("8c0cccc2-a950-4752-a9c7-f8ae43c91204");
const QString kGcHeavy = QStringLiteral("06224e05-d692-4432-888a-31efdd3d2c97");

qint64 requestId(const Db &db, const QString &key)
{
    const auto r = requestByKey(db, key);
    return r ? r->id : 0;
}

QString dump(const std::vector<PathSegment> &path)
{
    QString s;
    for (const PathSegment &p : path)
        s += QStringLiteral("  hop %1 %2 %3..%4 %5 %6\n")
                 .arg(p.hop)
                 .arg(p.laneName)
                 .arg(p.start)
                 .arg(p.end)
                 .arg(p.state, p.reason);
    return s;
}

} // namespace

class TstAnalysis : public QObject
{
    Q_OBJECT
    std::optional<test::TempSession> m_s;

private slots:
    void initTestCase()
    {
        m_s.emplace();
        QVERIFY(m_s->import(test::corpus(QStringLiteral("gen/server.jsonl"))).ok);
        const ImportResult r = m_s->import(test::corpus(QStringLiteral("gen/trace.out")));
        QVERIFY(r.ok);
        qInfo("trace.out import: %lld ms, of which classes %lld ms", r.ms, r.analysisMs);
    }

    // The Statistics dock's figures, reduced from ids and durations, equal the
    // same figures computed from every row and breakdown held at once.
    void statisticsReduceTheRows_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<int>("slowest");
        QTest::newRow("all") << QString() << 10;
        QTest::newRow("slow") << QStringLiteral("dur>50ms") << 3;
        QTest::newRow("errors") << QStringLiteral("status>=500") << 10;
        QTest::newRow("mutex") << QStringLiteral("class=blocked-mutex") << 1;
        QTest::newRow("none") << QStringLiteral("dur>1000s") << 10;
    }
    void statisticsReduceTheRows()
    {
        QFETCH(QString, filter);
        QFETCH(int, slowest);
        const Db &db = m_s->session().db();
        RequestQuery q;
        q.filter = filter;
        const std::vector<RequestRow> rows = queryRequests(db, q);
        const auto classes = allRequestClasses(db);
        const RequestStatistics s = requestStatistics(db, filter, slowest);
        QCOMPARE(s.count, qint64(rows.size()));
        if (filter.isEmpty()) QVERIFY(rows.size() > 100);
        std::vector<qint64> d;
        for (const RequestRow &r : rows)
            d.push_back(r.duration());
        const LatencyHistogram h = latencyHistogram(d);
        QCOMPARE(s.histogram.edges, h.edges);
        QCOMPARE(s.histogram.counts, h.counts);
        std::erase_if(d, [](qint64 v) { return v < 0; });
        std::sort(d.begin(), d.end());
        QCOMPARE(s.percentiles.size(), d.empty() ? size_t(0) : statsPercentiles().size());
        for (const auto &[p, ns] : s.percentiles)
            QCOMPARE(ns, percentile(d, p));
        // Slowest first, ties by the earlier start.
        std::vector<const RequestRow *> slow;
        for (const RequestRow &r : rows)
            if (r.duration() >= 0) slow.push_back(&r);
        std::stable_sort(slow.begin(), slow.end(), [](const RequestRow *a, const RequestRow *b) {
            return a->duration() != b->duration() ? a->duration() > b->duration()
                                                  : a->start < b->start;
        });
        slow.resize(std::min(slow.size(), size_t(slowest)));
        QCOMPARE(s.slowest.size(), slow.size());
        for (size_t i = 0; i < slow.size(); ++i) {
            QCOMPARE(s.slowest[i].id, slow[i]->id);
            QCOMPARE(s.slowest[i].key, slow[i]->key);
            QCOMPARE(s.slowest[i].phaseNs, slow[i]->phaseNs);
        }
        for (const auto &[id, steps] : s.steps) {
            QVERIFY(std::any_of(slow.begin(), slow.end(),
                                [id = id](const RequestRow *r) { return r->id == id; }));
            qint64 sum = 0;
            for (const auto &st : steps)
                sum += st.second;
            const auto *row = *std::find_if(slow.begin(), slow.end(),
                                            [id = id](const RequestRow *r) { return r->id == id; });
            QVERIFY(sum <= row->duration());
        }
        std::array<qint64, kLatencyClasses> total{};
        std::array<qint64, kLatencyClasses> dominated{};
        for (const RequestRow &r : rows) {
            const RequestStatistics::Request *e = s.find(r.id);
            QVERIFY(e);
            QCOMPARE(e->durationNs, r.duration());
            const auto it = classes.find(r.id);
            const QString dominant = it == classes.end() ? QString() : it->second.dominant;
            QCOMPARE(e->dominant >= 0
                         ? QString::fromLatin1(latencyClassName(LatencyClass(e->dominant)))
                         : QString(),
                     dominant);
            if (it == classes.end()) continue;
            const bool traced = it->second.serverTracedNs > 0;
            for (int i = 0; i < kLatencyClasses; ++i)
                if (!(traced && LatencyClass(i) == LatencyClass::Wait))
                    total[size_t(i)] += it->second.ns[size_t(i)];
            if (e->dominant >= 0) ++dominated[size_t(e->dominant)];
        }
        QCOMPARE(s.classNs, total);
        QCOMPARE(s.dominated, dominated);
        QCOMPARE(s.requests.size(), rows.size());
        QVERIFY(!s.find(-12345));
        if (filter == QLatin1String("class=blocked-mutex")) {
            QVERIFY(s.count > 0);
            QCOMPARE(s.dominated[size_t(LatencyClass::BlockedMutex)], s.count);
        }
    }

    void timing()
    {
        // The cost the pipeline adds to every import, on the whole corpus.
        Db &db = m_s->session().db();
        db.exec("BEGIN");
        QElapsedTimer t;
        t.start();
        const AnalysisStats st = analyzeRequests(db);
        const qint64 ms = t.elapsed();
        db.exec("COMMIT");
        qInfo("analyzeRequests: %lld requests, %lld traced, %lld ms", st.requests, st.traced, ms);
        QCOMPARE(st.traced, qint64(500));
    }

    // Long goroutine lanes are read by request window, not whole: the
    // classes, causes and paths are the same whichever way a lane is read.
    void longLanesReadByWindow_data()
    {
        QTest::addColumn<QString>("trace");
        QTest::newRow("go1.19 gen corpus") << QString();
        QTest::newRow("go1.23 fixture")
            << test::testData(QStringLiteral("exectrace/go123-http.trace"));
    }
    void longLanesReadByWindow()
    {
        QFETCH(QString, trace);
        std::optional<test::TempSession> own;
        if (!trace.isEmpty()) {
            own.emplace();
            QVERIFY(own->import(trace).ok);
        }
        Db &db = (own ? *own : *m_s).session().db();
        const QString sql = QStringLiteral(
            "SELECT c.*, r.dominant_class, r.cause FROM request_class c JOIN request r ON r.id = "
            "c.request_id ORDER BY 1, 2, 3");
        const QByteArray whole = test::queryCsv(db, sql);
        QVERIFY(whole.count('\n') > 100);
        const qint64 longest = test::scalar(
            db, QStringLiteral("SELECT max(n) FROM (SELECT sum(last_id - first_id + 1) AS n FROM "
                               "span_run GROUP BY lane_id)"));
        for (const qint64 wholeLane : {qint64(0), longest / 4}) {
            db.exec("BEGIN");
            analyzeRequests(db, {}, wholeLane);
            db.exec("COMMIT");
            QCOMPARE(test::queryCsv(db, sql), whole);
        }
        // Requests taken a few ids at a time: the same results.
        for (const qint64 chunk : {qint64(1), qint64(7), qint64(100)}) {
            db.exec("BEGIN");
            analyzeRequests(db, {}, kAnalysisWholeLaneSpans, chunk);
            db.exec("COMMIT");
            QCOMPARE(test::queryCsv(db, sql), whole);
        }
        db.exec("BEGIN");
        analyzeRequests(db);
        db.exec("COMMIT");
        QCOMPARE(test::queryCsv(db, sql), whole);
    }

    void lockHeavyIsMutex()
    {
        const Db &db = m_s->session().db();
        const auto row = requestByKey(db, kLockHeavy);
        QVERIFY(row);
        QCOMPARE(row->dominantClass, QStringLiteral("blocked-mutex"));
        const auto c = requestClasses(db, row->id);
        QVERIFY(c);
        // The corpus README: waited 137.9 ms for inventoryMu. The holders'
        // own work during the wait does not turn it into something else.
        const qint64 mutex = c->ns[size_t(LatencyClass::BlockedMutex)];
        QVERIFY2(mutex > 130000000 && mutex < 145000000, qPrintable(QString::number(mutex)));
        QVERIFY2(row->cause.startsWith(QStringLiteral("138 ms mutex in lock_wait")),
                 qPrintable(row->cause));
        // The filter language reaches the stored class.
        RequestQuery q;
        q.filter = QStringLiteral("class:mutex url:/api/lock");
        bool found = false;
        for (const RequestRow &r : queryRequests(db, q))
            found = found || r.key == kLockHeavy;
        QVERIFY(found);
    }

    void gcHeavyShowsGc()
    {
        // The GC time of the allocating request is what the execution trace
        // says of its handler goroutine over its window: its GC-assist states
        // and the stop-the-world pauses (the two can overlap).
        const Db &db = m_s->session().db();
        const qint64 id = requestId(db, kGcHeavy);
        const auto c = requestClasses(db, id);
        QVERIFY(c);
        const qint64 gc = c->ns[size_t(LatencyClass::GcAssist)] + c->ns[size_t(LatencyClass::Stw)];
        const auto row = requestById(db, id);
        const qint64 lane = handlerLane(db, id);
        QVERIFY(lane > 0);
        const QString window = QStringLiteral("MAX(0, MIN(s.end_ns, %1) - MAX(s.start_ns, %2))")
                                   .arg(row->end)
                                   .arg(row->serverStart);
        const qint64 assist = test::scalar(
            db, QStringLiteral("SELECT COALESCE(SUM(%1), 0) FROM span s JOIN string c ON c.id = "
                               "s.category_id WHERE s.lane_id = %2 AND s.depth = 0 AND c.value "
                               "IN ('gc-assist', 'blocked-gc')")
                    .arg(window)
                    .arg(lane));
        const qint64 stw = test::scalar(
            db, QStringLiteral("SELECT COALESCE(SUM(%1), 0) FROM span s JOIN string c ON c.id = "
                               "s.category_id JOIN lane l ON l.id = s.lane_id WHERE l.kind = 'gc' "
                               "AND c.value = 'stw' AND l.source_id = (SELECT source_id FROM lane "
                               "WHERE id = %2)")
                    .arg(window)
                    .arg(lane));
        QVERIFY(assist > 0 && stw > 0);
        QVERIFY2(
            gc >= std::max(assist, stw) && gc <= assist + stw,
            qPrintable(
                QStringLiteral("classes %1, trace assist %2 stw %3").arg(gc).arg(assist).arg(stw)));
        QVERIFY(c->ns[size_t(LatencyClass::Running)] > 0);
    }

    // The slowest request: 89.7 ms injected sleep, then a 101 ms downstream
    // HTTP call. The handler waited in select for the transport's read loop,
    // itself blocked on the network: the wait is network, through that goroutine.
    void causeFollowsTheWaker()
    {
        const Db &db = m_s->session().db();
        const auto row = requestByKey(db, QStringLiteral("22132ae4-f0d2-4ffc-bc16-02c560e38222"));
        QVERIFY(row);
        QCOMPARE(row->dominantClass, QStringLiteral("blocked-net"));
        QVERIFY2(row->cause.contains(QRegularExpression(
                     QStringLiteral("^10\\d ms network via g\\d+ net/http\\.\\(\\*persistConn\\)"
                                    "\\.readLoop in downstream_call, 89\\.\\d ms sleep in "
                                    "inject_delay$"))),
                 qPrintable(row->cause));
        QCOMPARE(requestCause(db, row->id), row->cause);
        const auto c = requestClasses(db, row->id);
        QVERIFY(c);
        QVERIFY(c->ns[size_t(LatencyClass::BlockedNet)] > 100000000);
        QVERIFY(c->ns[size_t(LatencyClass::BlockedSelect)] < 1000000);
        // The critical path says the same, piece by piece.
        qint64 netVia = 0;
        for (const PathSegment &p : criticalPath(db, row->id))
            if (p.hop > 0 && p.latencyClass == QLatin1String("blocked-net"))
                netVia += p.end - p.start;
        QVERIFY(netVia > 100000000);
    }

    void classesTileTheWindow()
    {
        // Server classes split the handler's covered time exactly, never
        // more than the window (parallel goroutines are not double counted).
        const auto all = allRequestClasses(m_s->session().db());
        QVERIFY(all.size() >= 500);
        int traced = 0;
        for (const auto &[id, b] : all) {
            if (b.serverWindowNs == 0) continue;
            ++traced;
            qint64 server = 0;
            for (int i = 0; i < kLatencyClasses; ++i)
                if (!isClientClass(LatencyClass(i))) server += b.ns[size_t(i)];
            QCOMPARE(server, b.serverTracedNs);
            QVERIFY(b.serverTracedNs <= b.serverWindowNs);
            QVERIFY(!b.dominant.isEmpty());
        }
        QCOMPARE(traced, 500);
    }

    void importOrderDoesNotMatter()
    {
        test::TempSession s;
        QVERIFY(s.import(test::corpus(QStringLiteral("gen/trace.out"))).ok);
        QVERIFY(s.import(test::corpus(QStringLiteral("gen/server.log"))).ok);
        const auto row = requestByKey(s.session().db(), kLockHeavy);
        QVERIFY(row);
        QCOMPARE(row->dominantClass, QStringLiteral("blocked-mutex"));
        const auto c = requestClasses(s.session().db(), requestId(s.session().db(), kGcHeavy));
        QVERIFY(c && c->ns[size_t(LatencyClass::GcAssist)] > 0);
    }

    void clientPhases()
    {
        test::TempSession s;
        QVERIFY(s.import(test::corpus(QStringLiteral("gen/client_httptrace.jsonl"))).ok);
        const Db &db = s.session().db();
        // A DNS scenario request (corpus README) resolves a name, a TLS one shakes hands.
        const auto dns = requestClasses(
            db, requestId(db, QStringLiteral("0fb13568-1825-4316-987f-e0c1979e3531")));
        QVERIFY(dns);
        QVERIFY(dns->ns[size_t(LatencyClass::Dns)] > 0);
        QVERIFY(dns->ns[size_t(LatencyClass::Wait)] > 0);
        QCOMPARE(dns->serverWindowNs, qint64(0));
        // TLS handshakes and connects exist in the corpus (new connections).
        int tls = 0, connect = 0;
        for (const auto &[id, b] : allRequestClasses(db)) {
            tls += b.ns[size_t(LatencyClass::Tls)] > 0;
            connect += b.ns[size_t(LatencyClass::Connect)] > 0;
            QVERIFY(b.dominant != QLatin1String("running"));
        }
        QVERIFY(tls > 0);
        QVERIFY(connect > 0);
    }

    // A request the trace links to a handler whose states do not cover its
    // window: its logged steps still name the cause, and its breakdown says
    // a window was analysed and none of it was traced.
    void untracedWindowKeepsTheSteps()
    {
        test::TempSession s;
        QVERIFY(s.import(test::corpus(QStringLiteral("gen/server.jsonl"))).ok);
        QVERIFY(s.import(test::corpus(QStringLiteral("gen/trace.out"))).ok);
        Db &db = s.session().db();
        const qint64 rid = requestId(db, kLockHeavy);
        const qint64 lane = handlerLane(db, rid);
        QVERIFY(lane > 0);
        const auto before = requestClasses(db, rid);
        QVERIFY(before && before->serverTracedNs > 0);
        QVERIFY(!requestById(db, rid)->cause.contains(QLatin1String("in step")));
        const QByteArray drop =
            "DELETE FROM span WHERE depth = 0 AND lane_id = " + QByteArray::number(lane);
        db.exec(drop.constData());
        const AnalysisStats st = analyzeRequests(db, {rid});
        QCOMPARE(st.requests, qint64(1));
        QCOMPARE(st.traced, qint64(0));
        const auto after = requestClasses(db, rid);
        QVERIFY(after);
        QCOMPARE(after->serverWindowNs, before->serverWindowNs);
        QCOMPARE(after->serverTracedNs, qint64(0));
        const QString cause = requestById(db, rid)->cause;
        QVERIFY2(cause.contains(QLatin1String("in step ")), qPrintable(cause));
        QCOMPARE(test::scalar(db, QStringLiteral("SELECT count(*) FROM request_class WHERE "
                                                 "request_id = %1 AND class = 'window'")
                                      .arg(rid)),
                 qint64(1));
    }

    void clientTraceIsNotTheServer()
    {
        // Only the client's trace: its goroutines wait on the transport
        // around the round trip; that must not read as the server's sync.
        test::TempSession s;
        QVERIFY(s.import(test::corpus(QStringLiteral("gen/client_httptrace.jsonl"))).ok);
        QVERIFY(s.import(test::corpus(QStringLiteral("gen/client_trace.out"))).ok);
        const auto all = allRequestClasses(s.session().db());
        QVERIFY(all.size() >= 298); // two client timeouts have no phase of a class
        for (const auto &[id, b] : all) {
            QCOMPARE(b.serverTracedNs, qint64(0));
            QVERIFY(!b.dominant.startsWith(QLatin1String("blocked-")));
        }
        QVERIFY(criticalPath(s.session().db(), requestId(s.session().db(), kGcHeavy)).empty());
        QCOMPARE(handlerLane(s.session().db(), requestId(s.session().db(), kGcHeavy)), qint64(0));
        // With the server's trace too, the server's goroutines explain the requests.
        QVERIFY(s.import(test::corpus(QStringLiteral("gen/trace.out"))).ok);
        const auto row = requestByKey(s.session().db(), kGcHeavy);
        QVERIFY(row);
        const auto c = requestClasses(s.session().db(), row->id);
        QVERIFY(c && c->serverTracedNs > 0 && c->ns[size_t(LatencyClass::GcAssist)] > 0);
        QVERIFY(handlerLane(s.session().db(), row->id) > 0);
    }

    void criticalPathFanout()
    {
        const Db &db = m_s->session().db();
        RequestQuery q;
        q.filter = QStringLiteral("url:/api/fanout");
        const auto rows = queryRequests(db, q);
        QVERIFY(!rows.empty());
        int withWorker = 0;
        for (const RequestRow &r : rows) {
            const auto path = criticalPath(db, r.id);
            QVERIFY(!path.empty());
            const qint64 handler = handlerLane(db, r.id);
            bool worker = false, onHandler = false;
            for (size_t i = 0; i < path.size(); ++i) {
                QVERIFY(path[i].start < path[i].end);
                if (i > 0) QVERIFY(path[i - 1].end <= path[i].start);
                onHandler = onHandler || path[i].laneId == handler;
                worker = worker || (path[i].hop >= 1 &&
                                    path[i].laneName.contains(QLatin1String("FanoutWorker")));
            }
            QVERIFY(onHandler);
            if (worker) ++withWorker;
            if (r.key == rows.front().key)
                qInfo("%s:\n%s", qPrintable(r.key), qPrintable(dump(path)));
        }
        // The handler waits on its workers (WaitGroup): the path goes through one.
        QVERIFY2(withWorker * 10 >= int(rows.size()) * 8,
                 qPrintable(QStringLiteral("%1 of %2").arg(withWorker).arg(rows.size())));
    }

    void criticalPathLock()
    {
        const Db &db = m_s->session().db();
        const qint64 id = requestId(db, kLockHeavy);
        QElapsedTimer t;
        t.start();
        const auto path = criticalPath(db, id);
        qInfo("%s (%lld ms, %d segments):\n%s", qPrintable(kLockHeavy), t.elapsed(),
              int(path.size()), qPrintable(dump(path)));
        const qint64 handler = handlerLane(db, id);
        // While the handler waited for inventoryMu the path is on other
        // request handlers (the holders), reached through unblock flows.
        qint64 onOthers = 0;
        for (const PathSegment &p : path)
            if (p.laneId != handler && p.hop >= 1) onOthers += p.end - p.start;
        QVERIFY2(onOthers > 100000000, qPrintable(QString::number(onOthers)));
    }

    void compare()
    {
        const Db &db = m_s->session().db();
        const RequestComparison c = compareRequests(db, kLockHeavy, kGcHeavy);
        QCOMPARE(c.a.row.key, kLockHeavy);
        QCOMPARE(c.b.row.key, kGcHeavy);
        QCOMPARE(c.a.classes.dominant, QStringLiteral("blocked-mutex"));
        QVERIFY(c.b.classes.ns[size_t(LatencyClass::GcAssist)] > 0);
        QVERIFY(c.a.goroutineStates.at(QStringLiteral("blocked-sync")) > 130000000);
        QVERIFY(c.a.steps.count(QStringLiteral("lock_wait")));
        QVERIFY(c.b.steps.count(QStringLiteral("alloc_churn")));
        QVERIFY(c.a.goroutines >= 1);
        // The lock-heavy request waited on other handlers holding the mutex.
        QVERIFY(c.a.pathByGoroutine.count(QStringLiteral("handler")));
        QVERIFY(c.a.pathByGoroutine.count(QStringLiteral("net/http.(*conn).serve")));
        QVERIFY(c.a.pathByGoroutine.at(QStringLiteral("net/http.(*conn).serve")) > 100000000);
        QVERIFY_THROWS_EXCEPTION(DbError, compareRequests(db, kLockHeavy, QStringLiteral("nope")));
    }

    void upgradedSessionGetsClasses()
    {
        // A real session as version 1 wrote it: no request_class, no classes.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("old.lanescope"));
        QVERIFY(QFile::copy(m_s->path(), path));
        const auto runTables = [](const Db &db) -> QByteArray {
            return test::queryCsv(db, QStringLiteral("SELECT * FROM span_run ORDER BY lane_id, "
                                                     "first_id")) +
                   test::queryCsv(db, QStringLiteral("SELECT * FROM instant_run ORDER BY "
                                                     "lane_id, first_id"));
        };
        const QByteArray writerRuns = runTables(m_s->session().db());
        {
            // Version 1 and 2 had per-row (lane, time) indexes and no runs.
            Db db(path, Db::Mode::ReadWrite);
            db.exec("DROP TABLE request_class");
            db.exec("UPDATE request SET dominant_class = NULL");
            db.exec("ALTER TABLE request DROP COLUMN cause");
            db.exec("DROP TABLE span_run");
            db.exec("DROP TABLE instant_run");
            db.exec("CREATE INDEX span_lane_start ON span(lane_id, start_ns)");
            db.exec("CREATE INDEX instant_lane_ts ON instant(lane_id, ts_ns)");
            db.exec("DROP TABLE lane_level");
            db.exec("PRAGMA user_version = 1");
        }
        Session s = Session::open(path);
        QCOMPARE(s.db().userVersion(), kSchemaVersion);
        const auto row = requestByKey(s.db(), kLockHeavy);
        QVERIFY(row);
        QCOMPARE(row->dominantClass, QStringLiteral("blocked-mutex"));
        QVERIFY(row->cause.startsWith(QStringLiteral("138 ms mutex")));
        // The upgrade finds the runs the writer made, row for row.
        QCOMPARE(runTables(s.db()), writerRuns);
        QCOMPARE(test::laneReadProblems(s.db()), QString());
        QCOMPARE(test::scalar(s.db(), QStringLiteral("SELECT count(*) FROM sqlite_master WHERE "
                                                     "name IN ('span_lane_start', "
                                                     "'instant_lane_ts')")),
                 qint64(0));
    }

    // Every request of the whole gen corpus (client and server logs,
    // httptrace, both execution traces, profiles, ...): its classes never add
    // up to more than its own duration, client timeouts included.
    void classTotalsNeverExceedTheRequest()
    {
        test::TempSession s;
        for (const QString &f : expandInputs({test::corpus(QStringLiteral("gen"))}))
            s.import(f); // README.md and truth.json are refused; the rest imports
        const Db &db = s.session().db();
        const auto all = allRequestClasses(db);
        QVERIFY(all.size() >= 500);
        int checked = 0, withCause = 0;
        for (const auto &[id, b] : all) {
            const auto row = requestById(db, id);
            QVERIFY(row);
            if (row->duration() < 0) continue;
            ++checked;
            withCause += !row->cause.isEmpty();
            QVERIFY2(b.total() <= row->duration(),
                     qPrintable(QStringLiteral("%1: classes %2 > duration %3")
                                    .arg(row->key)
                                    .arg(b.total())
                                    .arg(row->duration())));
        }
        QVERIFY(checked >= 500);
        QVERIFY(withCause >= checked * 9 / 10);
        // A client that gave up after 25 ms while the server went on: the
        // classes cover the 25 ms shown.
        const auto timeout =
            requestByKey(db, QStringLiteral("7962a0d9-b134-48f5-8b45-6cf38fbad426"));
        QVERIFY(timeout);
        const auto tc = requestClasses(db, timeout->id);
        QVERIFY(tc);
        QVERIFY(tc->total() <= timeout->duration());
        QVERIFY(tc->serverWindowNs <= timeout->duration());
    }

    void migratesV1ToCurrent()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("v1.lanescope"));
        {
            Db db(path, Db::Mode::ReadWrite);
            db.exec(schemaV1Sql());
            db.exec("INSERT INTO request(key, side, dominant_class) VALUES('k1', 'server', NULL)");
            db.exec("PRAGMA user_version = 1");
        }
        Session s = Session::open(path);
        QCOMPARE(s.db().userVersion(), kSchemaVersion);
        QCOMPARE(countRequests(s.db()), qint64(1));
        const SqlResult r = runSql(s.db(), QStringLiteral("SELECT count(*) FROM request_class"));
        QCOMPARE(r.rows.value(0).value(0), QStringLiteral("0"));
    }
};

QTEST_GUILESS_MAIN(TstAnalysis)
#include "tst_analysis.moc"
