// The step-timing log importer, end to end through the pipeline: the three
// line shapes (Go log key=value, logfmt, JSON lines) on a small excerpt, and
// the gen corpus's server.jsonl against a golden CSV of its requests.

#include "queries.h"
#include "testsupport.h"

#include <QTest>

using namespace ls;

class TstStepLog : public QObject
{
    Q_OBJECT
private slots:
    void lineShapes()
    {
        test::TempSession ts;
        const ImportResult r = ts.import(test::testData(QStringLiteral("steplog/shapes.log")));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("steplog"));
        const QByteArray phases = test::queryCsv(
            ts.session().db(),
            QStringLiteral(
                "SELECT r.key, p.kind, p.name, p.side, p.start_ns, p.end_ns - p.start_ns AS "
                "dur_ns, "
                "l.external_id AS goroutine, p.args FROM phase p JOIN request r ON r.id = "
                "p.request_id LEFT JOIN lane l ON l.id = p.lane_id ORDER BY p.start_ns"));
        LS_COMPARE_GOLDEN(phases, test::testData(QStringLiteral("steplog/shapes.phases.csv")));
        const QByteArray requests = test::queryCsv(
            ts.session().db(),
            QStringLiteral(
                "SELECT key, method, url, handler, status, error, side, start_ns, end_ns, "
                "server_start_ns, server_end_ns FROM request ORDER BY key"));
        LS_COMPARE_GOLDEN(requests, test::testData(QStringLiteral("steplog/shapes.requests.csv")));
        const QByteArray logs = test::queryCsv(
            ts.session().db(),
            QStringLiteral("SELECT kind, line, offset, data FROM raw_text ORDER BY id"));
        LS_COMPARE_GOLDEN(logs, test::testData(QStringLiteral("steplog/shapes.rawtext.csv")));
    }

    void corpusServerJsonl()
    {
        test::TempSession ts;
        const ImportResult r = ts.import(test::corpus(QStringLiteral("gen/server.jsonl")));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.requests, qint64(500)); // 300 client requests + 200 from ApacheBench
        QVERIFY(r.diagnostics.isEmpty());
        const QByteArray csv = test::queryCsv(
            ts.session().db(),
            QStringLiteral(
                "SELECT r.key, r.method, r.url, r.handler, r.status, r.server_start_ns, "
                "r.server_end_ns, count(p.id) AS steps, group_concat(p.name, ' ') AS step_names "
                "FROM request r LEFT JOIN (SELECT * FROM phase ORDER BY start_ns, id) p ON "
                "p.request_id = r.id GROUP BY r.id ORDER BY r.key"));
        LS_COMPARE_GOLDEN(csv, test::testData(QStringLiteral("steplog/server_jsonl.requests.csv")));
    }

    void goLogAndJsonAgree()
    {
        // server.log and server.jsonl are the same events in two spellings;
        // the text log has microseconds, so compare what both can say.
        test::TempSession a, b;
        QVERIFY(a.import(test::corpus(QStringLiteral("gen/server.jsonl"))).ok);
        QVERIFY(b.import(test::corpus(QStringLiteral("gen/server.log"))).ok);
        const QString q = QStringLiteral(
            "SELECT r.key, r.status, r.url, count(p.id), group_concat(p.name, ' ') FROM request r "
            "LEFT JOIN (SELECT * FROM phase ORDER BY start_ns, id) p ON p.request_id = r.id GROUP "
            "BY r.id ORDER BY r.key");
        QCOMPARE(test::queryCsv(b.session().db(), q), test::queryCsv(a.session().db(), q));
    }

    void notableRequests()
    {
        test::TempSession ts;
        QVERIFY(ts.import(test::corpus(QStringLiteral("gen/server.jsonl"))).ok);
        // The lock-heavy ApacheBench request and a panicking one, from the corpus README.
        auto lock =
            requestByKey(ts.session().db(), QStringLiteral("8c0cccc2-a950-4752-a9c7-f8ae43c91204"));
        QVERIFY(lock);
        QCOMPARE(lock->url, QStringLiteral("/api/lock"));
        QCOMPARE(lock->status, 200);
        QVERIFY(qAbs(lock->duration() - 177000000) < 1000000); // 177.0 ms server duration
        auto panic =
            requestByKey(ts.session().db(), QStringLiteral("1fee9347-dfa0-4571-b153-f8435edb9caa"));
        QVERIFY(panic);
        QCOMPARE(panic->status, 500);
        RequestQuery q;
        q.filter = QStringLiteral("status>=500");
        for (const RequestRow &row : queryRequests(ts.session().db(), q))
            QVERIFY(row.status >= 500);
    }

    void wrongFormatIsRefused()
    {
        test::TempSession ts;
        // A gctrace file has no request ids: not a step log.
        const ImportResult r =
            ts.import(test::corpus(QStringLiteral("gen/server_stderr_gctrace.txt")), [] {
                ImportOptions o;
                o.format = "steplog";
                return o;
            }());
        QVERIFY2(r.ok || r.error.contains(QLatin1String("no log lines")), qPrintable(r.error));
        QCOMPARE(countRequests(ts.session().db()), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TstStepLog)
#include "tst_steplog.moc"
