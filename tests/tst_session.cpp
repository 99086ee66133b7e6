// The session file: schema creation, migrations by user_version, refusal of
// files from a newer version or that are not sessions, and the batch
// writer's request merge rules.

#include "batchwriter.h"
#include "queries.h"
#include "schema.h"
#include "session.h"
#include "testsupport.h"

#include <QTemporaryDir>
#include <QTest>

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
        const QStringList expected{QStringLiteral("annotation"), QStringLiteral("callsite"),
                                   QStringLiteral("diagnostic"), QStringLiteral("flow"),
                                   QStringLiteral("frame"),      QStringLiteral("instant"),
                                   QStringLiteral("lane"),       QStringLiteral("phase"),
                                   QStringLiteral("profile"),    QStringLiteral("raw_text"),
                                   QStringLiteral("request"),    QStringLiteral("request_class"),
                                   QStringLiteral("sample"),     QStringLiteral("source"),
                                   QStringLiteral("span"),       QStringLiteral("string")};
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
    }

    void evictedRequestsMergeLikeResidentOnes()
    {
        // Two passes over 100 keys: with room for 7 in memory every key is
        // written out and read back in between, and the result must be the
        // same as when all stay resident (earliest start, latest end, exact
        // times, statuses, first method, counts).
        auto run = [](size_t resident, QByteArray *table) {
            QTemporaryDir dir;
            Session s = Session::open(dir.filePath(QStringLiteral("e.lanescope")));
            Db &db = s.db();
            WriterCounts counts;
            inTransaction(db, [&] {
                db.exec("INSERT INTO source(id, path, format, size, sha256, importer_version, "
                        "imported_at, status) VALUES(1, 'a', 'x', 0, '', 1, 0, 'ok')");
                BatchWriter w(db, 1);
                w.setMaxResidentRequests(resident);
                for (int pass = 0; pass < 2; ++pass)
                    for (int k = 0; k < 100; ++k) {
                        RequestRecord r;
                        r.key = "k" + QByteArray::number(k);
                        r.side = k % 2 ? Side::Client : Side::Server;
                        r.timeQuality = k % 4 == 1   ? TimeQuality::Exact
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
        QCOMPARE(run(1000, &resident), qint64(100));
        QCOMPARE(run(7, &evicted), qint64(100));
        QCOMPARE(evicted, resident);
        QVERIFY(resident.contains("k5,GET"));
    }

    void migrationsCoverEveryVersion() { QCOMPARE(int(migrations().size()), kSchemaVersion); }

    void mergesRequestsAcrossSides()
    {
        QTemporaryDir dir;
        Session s = Session::open(dir.filePath(QStringLiteral("m.lanescope")));
        Db &db = s.db();
        inTransaction(db, [&] {
            db.exec("INSERT INTO source(id, path, format, size, sha256, importer_version, "
                    "imported_at, status) VALUES(1, 'a', 'x', 0, '', 1, 0, 'ok'), (2, 'b', 'x', 0, "
                    "'', 1, 0, 'ok')");
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
