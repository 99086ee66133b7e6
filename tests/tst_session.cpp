// The session file: schema creation, migrations by user_version, refusal of
// files from a newer version or that are not sessions, and the batch
// writer's request merge rules.

#include "batchwriter.h"
#include "queries.h"
#include "schema.h"
#include "session.h"
#include "testsupport.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <stdexcept>

using namespace ls;

class TstSession : public QObject
{
    Q_OBJECT
private slots:
    void createsSchema()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.lanescope"));
        Session s = Session::open(path);
        QCOMPARE(s.db().userVersion(), kSchemaVersion);
        const QStringList expected{QStringLiteral("annotation"),  QStringLiteral("callsite"),
                                   QStringLiteral("diagnostic"),  QStringLiteral("flow"),
                                   QStringLiteral("frame"),       QStringLiteral("instant"),
                                   QStringLiteral("instant_run"), QStringLiteral("lane"),
                                   QStringLiteral("lane_level"),  QStringLiteral("phase"),
                                   QStringLiteral("profile"),     QStringLiteral("raw_text"),
                                   QStringLiteral("request"),     QStringLiteral("request_class"),
                                   QStringLiteral("sample"),      QStringLiteral("source"),
                                   QStringLiteral("span"),        QStringLiteral("span_run"),
                                   QStringLiteral("string")};
        const SqlResult r = runSql(
            s.db(),
            QStringLiteral("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"));
        QStringList tables;
        for (const QStringList &row : r.rows)
            tables << row.first();
        QCOMPARE(tables, expected);
    }

    void reopensWithoutChanges()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.lanescope"));
        {
            Session s = Session::open(path);
        }
        const QByteArray before = fileSha256(path);
        {
            Session s = Session::open(path);
        }
        {
            Session s = Session::open(path, Session::Open::ReadOnly);
        }
        QCOMPARE(fileSha256(path), before);
    }

    // The session is a write-ahead-log database: a reader on its own
    // connection reads the last committed state at once while a writer holds
    // a transaction big enough to spill SQLite's cache (with a rollback
    // journal the reader waits for the writer, then fails busy), and a
    // rolled-back transaction leaves the content and the session file as
    // they were.
    void readersDoNotWaitForAWriter()
    {
        test::TempSession ts;
        QVERIFY(ts.import(test::corpus(QStringLiteral("gen/server.jsonl"))).ok);
        {
            Stmt mode(ts.session().db(), "PRAGMA journal_mode");
            QVERIFY(mode.step());
            QCOMPARE(mode.text(0), QByteArray("wal"));
        }
        const QByteArray content = test::contentDigest(ts.session().db());
        const QByteArray file = fileSha256(ts.path());
        Db &w = ts.session().db();
        w.exec("BEGIN IMMEDIATE");
        w.exec("CREATE TABLE scratch(x BLOB)");
        // 40 MB of pages, well past the 16 MB cache: they leave memory.
        w.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
               "40000) INSERT INTO scratch SELECT randomblob(1000) FROM n");
        w.exec("DELETE FROM request WHERE id % 2 = 0");
        {
            Session reader = Session::open(ts.path(), Session::Open::ReadOnly);
            sqlite3_busy_timeout(reader.db().handle(), 0); // waiting would be failing
            QCOMPARE(countRequests(reader.db()), qint64(500));
            QCOMPARE(test::contentDigest(reader.db()), content);
        }
        w.exec("ROLLBACK");
        QCOMPARE(test::contentDigest(w), content);
        QCOMPARE(fileSha256(ts.path()), file);
        Session again = Session::open(ts.path(), Session::Open::ReadOnly);
        QCOMPARE(test::contentDigest(again.db()), content);
    }

    void refusesNewerVersion()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.lanescope"));
        {
            Session s = Session::open(path);
            s.db().exec("PRAGMA user_version = 99");
        }
        try {
            Session::open(path);
            QFAIL("a newer session was opened");
        } catch (const DbError &e) {
            QVERIFY2(e.message().contains(QLatin1String("newer")), qPrintable(e.message()));
            QVERIFY(e.message().contains(path));
            QVERIFY(e.message().contains(QLatin1String("99")));
        }
    }

    void refusesForeignDatabase()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("other.db"));
        {
            Db db(path, Db::Mode::ReadWrite);
            db.exec("CREATE TABLE t(x)");
        }
        QVERIFY_THROWS_EXCEPTION(DbError, Session::open(path));
    }

    void refusesNonSqliteFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("junk.lanescope"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
        f.close();
        QVERIFY_THROWS_EXCEPTION(DbError, Session::open(path));
    }

    void readOnlyMissingFile()
    {
        QTemporaryDir dir;
        QVERIFY_THROWS_EXCEPTION(
            DbError,
            Session::open(dir.filePath(QStringLiteral("nope.lanescope")), Session::Open::ReadOnly));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("nope.lanescope"))));
    }

    void unalignedClockPlacedAtSessionStart()
    {
        // gctrace counts from process start, which nothing in this file gives:
        // it lands at the session's first request, not at the Unix epoch.
        test::TempSession ts;
        QVERIFY(ts.import(test::corpus(QStringLiteral("gen/server.jsonl"))).ok);
        const ImportResult r =
            ts.import(test::corpus(QStringLiteral("gen/server_stderr_gctrace.txt")));
        QVERIFY2(r.ok, qPrintable(r.error));
        const QList<SourceRow> src = querySources(ts.session().db());
        QVERIFY2(src.last().clockMethod.startsWith(
                     QLatin1String("placed at the session's first request")),
                 qPrintable(src.last().clockMethod));
        const QByteArray csv = test::queryCsv(
            ts.session().db(),
            QStringLiteral(
                "SELECT (SELECT min(s.start_ns) FROM span s JOIN lane l ON l.id = s.lane_id "
                "WHERE l.source_id = %1) = (SELECT min(start_ns) FROM request) AS placed")
                .arg(src.last().id));
        QCOMPARE(csv, QByteArray("placed\n1\n"));
        // The placement moved the runs' bounds with their rows.
        QCOMPARE(test::laneReadProblems(ts.session().db()), QString());
        ts.session().shiftSource(src.last().id, -123456789);
        QCOMPARE(test::laneReadProblems(ts.session().db()), QString());
    }

    // Spans and instants are indexed by runs of consecutive ids on one lane
    // (schema.h): a run ends where the lane changes or at kRunRows rows, and
    // holds the bounds of its rows' times.
    void runsFollowLanes()
    {
        QTemporaryDir dir;
        Session s = Session::open(dir.filePath(QStringLiteral("r.lanescope")));
        Db &db = s.db();
        inTransaction(db, [&] {
            test::addTestSource(db, 1);
            BatchWriter w(db, 1);
            LaneRecord l;
            l.kind = "thread";
            l.externalId = 1;
            const LaneId a = w.lane(l);
            l.externalId = 2;
            const LaneId b = w.lane(l);
            const auto span = [&w](LaneId lane, TimeNs start, TimeNs end) {
                SpanRecord sr;
                sr.lane = lane;
                sr.start = start;
                sr.end = end;
                w.span(sr);
                InstantRecord ir;
                ir.lane = lane;
                ir.ts = end;
                w.instant(ir);
            };
            // 2,500 on a (not in time order), then b, a, b.
            for (int i = 0; i < 2500; ++i)
                span(a, 1000 + (i * 7919) % 2500 * 10, 1005 + (i * 7919) % 2500 * 10);
            span(b, 50, 90000);
            span(a, 10, 20);
            span(b, 60, 70);
            w.finish();
        });
        const QByteArray expected = "lane_id,first_id,last_id,start_min,start_max,end_max\n"
                                    "1,1,1024,1000,25910,25915\n"
                                    "1,1025,2048,1060,25970,25975\n"
                                    "1,2049,2500,1120,25990,25995\n"
                                    "1,2502,2502,10,10,20\n"
                                    "2,2501,2501,50,50,90000\n"
                                    "2,2503,2503,60,60,70\n";
        QCOMPARE(test::queryCsv(db, QStringLiteral("SELECT * FROM span_run ORDER BY lane_id, "
                                                   "first_id")),
                 expected);
        QCOMPARE(test::queryCsv(db, QStringLiteral("SELECT lane_id, first_id, last_id FROM "
                                                   "instant_run ORDER BY lane_id, first_id")),
                 QByteArray("lane_id,first_id,last_id\n1,1,1024\n1,1025,2048\n1,2049,2501\n"
                            "2,2502,2503\n"));
        QCOMPARE(test::laneReadProblems(db), QString());
        // Read back in time order across runs.
        const LaneSpans la = loadLaneSpans(db, 1);
        QCOMPARE(la.size(), size_t(2501));
        QCOMPARE(la.start.front(), TimeNs(10));
        QVERIFY(std::is_sorted(la.start.begin(), la.start.end()));
    }

    void evictedRequestsMergeLikeResidentOnes()
    {
        // Two passes over the keys: with room for 7 in memory every key is
        // written out and read back in between, and the result must be the
        // same as when all stay resident (earliest start, latest end, exact
        // times, statuses, first method, counts). 20,000 keys go through the
        // writer thread's batches and are evicted while rows are queued.
        auto run = [](size_t resident, int keys, QByteArray *table) {
            QTemporaryDir dir;
            Session s = Session::open(dir.filePath(QStringLiteral("e.lanescope")));
            Db &db = s.db();
            WriterCounts counts;
            inTransaction(db, [&] {
                test::addTestSource(db, 1);
                BatchWriter w(db, 1);
                w.setMaxResidentRequests(resident);
                for (int pass = 0; pass < 2; ++pass)
                    for (int k = 0; k < keys; ++k) {
                        RequestRecord r;
                        r.key = "k" + QByteArray::number(k);
                        r.side = k % 2 ? Side::Client : Side::Server;
                        // k % 8 == 5: exact, then a coarser time that must not widen it.
                        r.timeQuality = k % 8 == 1 || (k % 8 == 5 && pass == 0) ? TimeQuality::Exact
                                        : k % 4 == 3 ? TimeQuality::Approximate
                                                     : TimeQuality::Normal;
                        r.start = 1000 * k + (pass ? 0 : 100);
                        r.end = 1000 * k + (pass ? 900 : 500);
                        if (pass)
                            r.status = 200 + k;
                        else
                            r.method = "GET";
                        w.request(r);
                    }
                w.finish();
                counts = w.counts();
            });
            *table = test::queryCsv(db, QStringLiteral("SELECT * FROM request ORDER BY key"));
            return counts.requests;
        };
        QByteArray resident, evicted;
        QCOMPARE(run(1000, 100, &resident), qint64(100));
        QCOMPARE(run(7, 100, &evicted), qint64(100));
        QCOMPARE(evicted, resident);
        QVERIFY(resident.contains("k5,GET"));
        QVERIFY2(resident.contains(",5100,5500,"), resident.constData()); // k5 kept its exact times
        QCOMPARE(run(100000, 20000, &resident), qint64(20000));
        QCOMPARE(run(1500, 20000, &evicted), qint64(20000));
        QCOMPARE(evicted, resident);
        QVERIFY(resident.contains("k19999,GET"));
    }

    // Past the dictionary's text limit strings are known by fingerprint:
    // each still gets one id, in this writer and in the next one on the
    // same session (which loads the table back).
    void stringsKnownByFingerprint()
    {
        QTemporaryDir dir;
        Session s = Session::open(dir.filePath(QStringLiteral("s.lanescope")));
        Db &db = s.db();
        std::map<QByteArray, StringId> ids;
        auto run = [&](int from, int to) {
            inTransaction(db, [&] {
                BatchWriter w(db, 1);
                w.setTextStrings(50);
                for (int pass = 0; pass < 2; ++pass)
                    for (int i = from; i < to; ++i) {
                        const QByteArray v = "g" + QByteArray::number(i) + " main.worker";
                        const StringId id = w.intern(v);
                        QVERIFY(id != kNoId);
                        auto [it, added] = ids.emplace(v, id);
                        QCOMPARE(it->second, id);
                    }
                w.finish();
            });
        };
        inTransaction(db, [&] { test::addTestSource(db, 1); });
        run(0, 10000);
        run(5000, 15000);
        QCOMPARE(test::scalar(db, QStringLiteral("SELECT count(*) FROM string WHERE value LIKE "
                                                 "'g% main.worker'")),
                 qint64(15000));
        QCOMPARE(test::scalar(db, QStringLiteral("SELECT count(DISTINCT id) FROM string WHERE "
                                                 "value LIKE 'g% main.worker'")),
                 qint64(15000));
        QCOMPARE(test::sqlText(db, QStringLiteral("SELECT value FROM string WHERE id = %1")
                                       .arg(ids["g12345 main.worker"])),
                 QStringLiteral("g12345 main.worker"));
    }

    // A monotonic clock not yet placed (a Go trace's): the requests it
    // creates leave memory too, and still move with the clock when finish()
    // aligns it by shared keys or places it at the session's start; those it
    // shares with a wall-clock log stay and merge at the end. The table equals
    // the one written with every request resident.
    void evictedRequestsMoveWithTheirClock()
    {
        enum Earlier
        {
            None,
            SharedKeys,
            OtherKeys
        };
        auto run = [](size_t resident, Earlier earlier, QByteArray *table) {
            QTemporaryDir dir;
            Session s = Session::open(dir.filePath(QStringLiteral("m.lanescope")));
            Db &db = s.db();
            inTransaction(db, [&] {
                test::addTestSource(db, 1);
                test::addTestSource(db, 2, QStringLiteral("trace"));
                if (earlier != None) {
                    BatchWriter log(db, 1);
                    for (int k = 0; k < 40; ++k) {
                        RequestRecord r;
                        r.key = (earlier == SharedKeys ? "k" : "other") + QByteArray::number(k);
                        r.side = Side::Server;
                        r.start = 5'000'000'000 + 1000 * k;
                        r.end = r.start + 700;
                        r.status = 200;
                        log.request(r);
                    }
                    log.finish();
                }
                BatchWriter w(db, 2);
                w.setMaxResidentRequests(resident);
                w.setClock(ClockKind::Monotonic, 0, "unaligned");
                SpanRecord sp; // the trace's first event, for a placement
                sp.lane = w.lane({"goroutine", 1, "g1", kNoId, 0});
                sp.start = 20;
                sp.end = 40;
                w.span(sp);
                for (int pass = 0; pass < 2; ++pass)
                    for (int k = 0; k < 300; ++k) {
                        RequestRecord r;
                        r.key = "k" + QByteArray::number(k);
                        r.side = Side::Server;
                        r.timeQuality = TimeQuality::Exact;
                        r.start = 1000 * k + (pass ? 50 : 100);
                        r.end = 1000 * k + (pass ? 900 : 500);
                        if (pass == 0) r.handler = "h";
                        w.request(r);
                        if (pass == 0) w.alignmentHint(r.key, r.start + 10);
                    }
                w.finish();
            });
            *table = test::queryCsv(db, QStringLiteral("SELECT * FROM request ORDER BY key"));
            return test::sqlText(db,
                                 QStringLiteral("SELECT clock_method FROM source WHERE id = 2"));
        };
        for (Earlier e : {None, SharedKeys, OtherKeys}) {
            QByteArray resident, evicted;
            const QString method = run(100000, e, &resident);
            QCOMPARE(run(7, e, &evicted), method);
            QCOMPARE(evicted, resident);
            // k299 is the trace's alone: earliest start, latest end, moved
            // with the clock (by shared keys: the log's k5 at 5,000,005,000
            // against the hint 5,110 puts local 0 at 4,999,999,890; placed:
            // the first span, local 20, at the log's first request).
            const TimeNs move = e == None ? 0 : e == SharedKeys ? 4'999'999'890 : 4'999'999'980;
            const QByteArray k299 = "," + QByteArray::number(299'050 + move) + "," +
                                    QByteArray::number(299'900 + move) + ",";
            QVERIFY2(resident.contains(k299), resident.right(300).constData());
            QCOMPARE(method, e == None         ? QStringLiteral("unaligned")
                             : e == SharedKeys ? QStringLiteral("request keys (median of 40)")
                                               : QStringLiteral("placed at the session's first "
                                                                "request (not aligned; set the "
                                                                "offset by hand)"));
        }
    }

    // Enough rows for many batches, so the writer thread runs while records
    // keep coming: strings, lanes, frames, callsites and requests queued with
    // their ids, flows naming span ids, renames after inserts, and a second
    // writer on the same session continuing the ids of the first.
    void queuedRowsKeepTheirIds()
    {
        QTemporaryDir dir;
        Session s = Session::open(dir.filePath(QStringLiteral("q.lanescope")));
        Db &db = s.db();
        const auto count = [&db](const char *sql) {
            return test::scalar(db, QString::fromUtf8(sql));
        };
        constexpr int kSpans = 30000;
        std::vector<SpanId> firstIds, secondIds;
        std::vector<qint64> rawIds;
        for (int source = 1; source <= 2; ++source) {
            inTransaction(db, [&] {
                test::addTestSource(db, source);
                BatchWriter w(db, source);
                std::vector<SpanId> &ids = source == 1 ? firstIds : secondIds;
                FrameId frame = kNoId;
                CallsiteId parent = kNoId;
                ProfileRecord pr;
                pr.sampleType = "cpu";
                pr.unit = "nanoseconds";
                const ProfileId profile = w.profile(pr);
                for (int i = 0; i < kSpans; ++i) {
                    LaneRecord l;
                    l.kind = "goroutine";
                    l.externalId = i % 97;
                    l.name = "g" + QByteArray::number(i % 97);
                    const LaneId lane = w.lane(l);
                    if (i == kSpans / 2) w.renameLane(lane, "renamed");
                    SpanRecord sr;
                    sr.lane = lane;
                    sr.start = 1000 * i;
                    sr.end = 1000 * i + 500;
                    sr.name = w.intern(QByteArray("name" + QByteArray::number(i % 1000)));
                    sr.args = "{\"i\":" + QByteArray::number(i) + "}";
                    if (i % 10 == 0) {
                        RequestRecord r;
                        r.key = "key" + QByteArray::number(i % 5000);
                        r.side = Side::Server;
                        r.start = sr.start;
                        r.end = sr.end;
                        sr.request = w.request(r);
                        PhaseRecord ph;
                        ph.request = sr.request;
                        ph.side = Side::Server;
                        ph.kind = "step";
                        ph.name = "step" + QByteArray::number(i);
                        ph.start = sr.start;
                        ph.end = sr.end;
                        w.phase(ph);
                        RawTextRecord raw;
                        raw.request = sr.request;
                        raw.kind = "log";
                        raw.data = "line " + QByteArray::number(i);
                        raw.offset = i;
                        rawIds.push_back(w.rawText(raw));
                    }
                    if (source == 2) {
                        // New keys while the table has requests: each is
                        // looked up first, and thousands of them fill batches.
                        RequestRecord fresh;
                        fresh.key = "new" + QByteArray::number(i);
                        fresh.side = Side::Client;
                        w.request(fresh);
                    }
                    ids.push_back(w.span(sr));
                    if (i > 0) {
                        FlowRecord f;
                        f.kind = "link";
                        f.fromSpan = ids[size_t(i) - 1];
                        f.toSpan = ids.back();
                        w.flow(f);
                    }
                    if (i % 7 == 0) {
                        FrameRecord fr;
                        fr.function = "main.f" + QByteArray::number(i % 300);
                        frame = w.frame(fr);
                        parent = w.callsite(i % 3 ? parent : kNoId, frame);
                        SampleRecord smp;
                        smp.profile = profile;
                        smp.callsite = parent;
                        smp.value = i;
                        smp.ts = sr.start;
                        smp.lane = lane;
                        w.sample(smp);
                    }
                    InstantRecord in;
                    in.lane = lane;
                    in.ts = sr.start;
                    in.name = sr.name;
                    in.value = i;
                    in.hasValue = true;
                    w.instant(in);
                }
                w.finish();
                QCOMPARE(w.counts().spans, qint64(kSpans));
            });
        }
        QCOMPARE(firstIds.front(), SpanId(1));
        QCOMPARE(secondIds.front(), SpanId(kSpans + 1));
        QCOMPARE(count("SELECT count(*) FROM span"), qint64(2 * kSpans));
        // Every returned id is the row that was written for it.
        QCOMPARE(count("SELECT count(*) FROM span WHERE args != "
                       "'{\"i\":' || ((id - 1) % 30000) || '}'"),
                 qint64(0));
        QCOMPARE(count("SELECT count(*) FROM flow f JOIN span a ON a.id = "
                       "f.from_span_id JOIN span b ON b.id = f.to_span_id WHERE "
                       "b.id = a.id + 1 AND b.lane_id IN (SELECT id FROM lane WHERE "
                       "source_id = (SELECT source_id FROM lane WHERE id = a.lane_id))"),
                 qint64(2 * (kSpans - 1)));
        // Strings are shared by the two writers; lanes are per source.
        QCOMPARE(count("SELECT count(*) FROM string"), qint64(1000));
        QCOMPARE(count("SELECT count(*) FROM span s LEFT JOIN string n ON n.id = "
                       "s.name_id WHERE n.value IS NULL OR n.value != 'name' || "
                       "((s.id - 1) % 30000 % 1000)"),
                 qint64(0));
        QCOMPARE(count("SELECT count(*) FROM lane"), qint64(2 * 97));
        QCOMPARE(count("SELECT count(*) FROM lane WHERE name = 'renamed'"), qint64(2));
        QCOMPARE(count("SELECT count(*) FROM span s JOIN lane l ON l.id = s.lane_id "
                       "WHERE l.external_id != (s.id - 1) % 30000 % 97"),
                 qint64(0));
        // Requests: 500 keys, merged across both sources, each span pointing at its key.
        QCOMPARE(count("SELECT count(*) FROM request"), qint64(500 + kSpans));
        QCOMPARE(count("SELECT count(*) FROM request WHERE key LIKE 'new%'"), qint64(kSpans));
        QCOMPARE(count("SELECT count(*) FROM span s JOIN request r ON r.id = "
                       "s.request_id WHERE r.key != 'key' || ((s.id - 1) % 30000 % "
                       "5000)"),
                 qint64(0));
        QCOMPARE(count("SELECT count(*) FROM instant"), qint64(2 * kSpans));
        // Phases and raw texts: one per request record, each raw text at the
        // id rawText() returned; the second writer's phases repeat the
        // first's on the same requests and are skipped as duplicates.
        QCOMPARE(count("SELECT count(*) FROM phase WHERE name = 'step' || (start_ns / 1000)"),
                 qint64(kSpans / 10));
        QCOMPARE(count("SELECT count(*) FROM phase"), qint64(kSpans / 10));
        QCOMPARE(qint64(rawIds.size()), qint64(2 * kSpans / 10));
        QCOMPARE(rawIds.back(), qint64(2 * kSpans / 10));
        QCOMPARE(count("SELECT count(*) FROM raw_text WHERE CAST(data AS TEXT) != 'line ' || "
                       "offset OR id != (source_id - 1) * 3000 + offset / 10 + 1"),
                 qint64(0));
        QCOMPARE(count("SELECT count(*) FROM sample s JOIN callsite c ON c.id = "
                       "s.callsite_id JOIN frame f ON f.id = c.frame_id"),
                 count("SELECT count(*) FROM sample"));
        QCOMPARE(count("SELECT count(*) FROM callsite c JOIN callsite p ON p.id = "
                       "c.parent_id WHERE c.depth != p.depth + 1"),
                 qint64(0));
        QCOMPARE(test::runProblems(db), QString());
    }

    // A row SQLite refuses on the writer thread fails the import on the
    // caller's thread, and a writer dropped without finish() (a cancelled
    // import) stops its thread without writing what was still queued.
    void writerThreadErrorsReachTheCaller()
    {
        QTemporaryDir dir;
        Session s = Session::open(dir.filePath(QStringLiteral("e.lanescope")));
        Db &db = s.db();
        const auto count = [&db](const char *sql) {
            return test::scalar(db, QString::fromUtf8(sql));
        };
        test::addTestSource(db, 1);
        // 50,000 spans on one lane: a dozen batches, so the thread is running.
        const auto writeSpans = [](BatchWriter &w, bool badFlow) {
            LaneRecord l;
            l.kind = "goroutine";
            const LaneId lane = w.lane(l);
            for (int i = 0; i < 50000; ++i) {
                SpanRecord sr;
                sr.lane = lane;
                sr.start = i;
                sr.end = i + 1;
                w.span(sr);
                if (badFlow && i == 100) w.flow(FlowRecord()); // no kind: flow.kind is NOT NULL
            }
        };
        bool threw = false;
        db.exec("BEGIN");
        try {
            BatchWriter w(db, 1);
            writeSpans(w, true);
            w.finish();
        } catch (const DbError &e) {
            threw = e.message().contains(QLatin1String("NOT NULL"));
        }
        db.exec("ROLLBACK");
        QVERIFY(threw);
        QCOMPARE(count("SELECT count(*) FROM span"), qint64(0));

        db.exec("BEGIN");
        {
            BatchWriter w(db, 1);
            writeSpans(w, false);
            // Destroyed here without finish(), as when an importer throws.
        }
        db.exec("ROLLBACK");
        QCOMPARE(count("SELECT count(*) FROM span"), qint64(0));

        // Rows take the table's next rowid as their id: a span row that
        // appeared behind the writer's back shifts them, and the writer says
        // so instead of leaving flows and runs pointing at the wrong rows.
        threw = false;
        db.exec("BEGIN");
        try {
            BatchWriter w(db, 1);
            db.exec("INSERT INTO span(lane_id, start_ns, end_ns) VALUES(1, 0, 0)");
            writeSpans(w, false);
            w.finish();
        } catch (const std::logic_error &e) {
            // The first batch: its last span is one id further than handed out.
            static const QRegularExpression re(
                QStringLiteral("span row got id (\\d+), (\\d+) was handed out"));
            const QRegularExpressionMatch m = re.match(QString::fromUtf8(e.what()));
            threw = m.hasMatch() && m.captured(1).toLongLong() == m.captured(2).toLongLong() + 1;
        }
        db.exec("ROLLBACK");
        QVERIFY(threw);
    }

    void migrationsCoverEveryVersion() { QCOMPARE(int(migrations().size()), kSchemaVersion); }

    void mergesRequestsAcrossSides()
    {
        QTemporaryDir dir;
        Session s = Session::open(dir.filePath(QStringLiteral("m.lanescope")));
        Db &db = s.db();
        inTransaction(db, [&] {
            test::addTestSource(db, 1, QStringLiteral("a"));
            test::addTestSource(db, 2, QStringLiteral("b"));
            {
                BatchWriter w(db, 1);
                RequestRecord r;
                r.key = "k1";
                r.side = Side::Server;
                r.method = "GET";
                r.url = "/api/x";
                r.status = 502;
                r.start = 1100;
                r.end = 1900;
                w.request(r);
                w.finish();
            }
            {
                BatchWriter w(db, 2);
                RequestRecord r;
                r.key = "k1";
                r.side = Side::Client;
                r.url = "http://h/api/x"; // first non-empty wins: stays /api/x
                r.status = 0;
                r.error = "context deadline exceeded";
                r.start = 1000;
                r.end = 1500;
                w.request(r);
                RequestRecord later = r;
                later.start = 1200; // earliest start of the side is kept
                later.end = 1400;
                w.request(later);
                w.finish();
            }
        });
        const auto row = requestByKey(db, QStringLiteral("k1"));
        QVERIFY(row);
        QCOMPARE(row->side, QStringLiteral("both"));
        QCOMPARE(row->url, QStringLiteral("/api/x"));
        QCOMPARE(row->status, 0); // the client's view wins
        QCOMPARE(row->start, qint64(1000));
        QCOMPARE(row->end, qint64(1500));
        QCOMPARE(row->serverStart, qint64(1100));
        QCOMPARE(row->serverEnd, qint64(1900));
        QCOMPARE(row->error, QStringLiteral("context deadline exceeded"));
        QCOMPARE(countRequests(db), qint64(1));
    }
};

QTEST_GUILESS_MAIN(TstSession)
#include "tst_session.moc"
