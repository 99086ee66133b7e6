// The step-log importer: Go log key=value, logfmt and JSON lines; the
// request-id and duration key variants; times as Go log prefix, RFC 3339 and
// Unix numbers; goroutine lanes; panics with their stacks; the same steps
// from a text and a JSON log counted once.

#include "testsupport.h"

#include "common/logline.h"
#include "queries.h"

#include <QFile>
#include <QTest>

using namespace ls;
using namespace ls::test;
using ls::test::TempSession;

namespace {

qint64 count(Db &db, const char *sql)
{
    return ls::test::queryCsv(db, QLatin1String(sql)).split('\n').value(1).toLongLong();
}

} // namespace

class TestStepLog : public QObject
{
    Q_OBJECT

private slots:
    // Unix times as numbers, by magnitude: seconds with a fraction, ms, µs,
    // ns. A number in a unit's band too large to be nanoseconds in 64 bits
    // is no time at all (it was an overflow).
    void numericTimes()
    {
        LogLineParser p;
        const auto ts = [&p](const char *line) {
            LogLine l;
            return p.parse(QByteArrayView(line), l) ? l.ts : qint64(-1); // -1: not a log line
        };
        QCOMPARE(ts(R"({"ts":1700000000.25,"msg":"x"})"), qint64(1700000000250000000));
        QCOMPARE(ts(R"({"ts":1700000000123,"msg":"x"})"), qint64(1700000000123000000));
        QCOMPARE(ts(R"({"ts":1700000000123456,"msg":"x"})"), qint64(1700000000123456000));
        QCOMPARE(ts(R"({"ts":1700000000123456789,"msg":"x"})"), qint64(1700000000123456789));
        QCOMPARE(ts(R"({"ts":28113086279559,"msg":"x"})"), kNoTime);
        QCOMPARE(ts(R"({"ts":99999999999999999,"msg":"x"})"), kNoTime);
        QCOMPARE(ts("ts=28113086279559 msg=x"), kNoTime);
    }

    void variants()
    {
        TempSession s;
        const ImportResult r =
            s.import(ls::test::testData(QStringLiteral("http/steps_variants.log")));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("steplog"));
        QVERIFY(r.diagnostics.isEmpty());
        Db &db = s.session().db();
        QCOMPARE(
            ls::test::queryCsv(db, QStringLiteral("SELECT r.key, p.name, p.end_ns, p.end_ns - "
                                                  "p.start_ns AS dur, l.name AS lane FROM phase "
                                                  "p JOIN request r ON r.id = p.request_id LEFT "
                                                  "JOIN lane l ON l.id = p.lane_id ORDER BY p.id")),
            QByteArray("key,name,end_ns,dur,lane\n"
                       "s-1,parse,1795748430293625000,1234000,\n"
                       "s-1,check,1795748430294625000,850000,g42\n"
                       "s-1,price,1795748430295625000,850000,\n"
                       "s-1,write db,1795748430296625001,123500000000,\n"
                       "s-1,fsync,1795748430297625002,1500,\n"
                       "s-1,render,1795748430298625003,2500000,\n"
                       "s-1,flush,1795748430299625000,1000,\n"
                       "s-2,after,1795748430302000000,1000000,\n"));
        const auto s1 = requestByKey(db, QStringLiteral("s-1"));
        QVERIFY(s1);
        QCOMPARE(s1->status, 200);
        QCOMPARE(s1->duration(), qint64(7000000));
        QCOMPARE(s1->side, QStringLiteral("server"));
    }

    void panicWithStack()
    {
        TempSession s;
        const ImportResult r =
            s.import(ls::test::testData(QStringLiteral("http/steps_variants.log")));
        QVERIFY2(r.ok, qPrintable(r.error));
        Db &db = s.session().db();
        Stmt st(db, "SELECT t.data, t.offset, t.line FROM raw_text t JOIN request r ON r.id = "
                    "t.request_id WHERE r.key = 's-2' AND t.kind = 'stack'");
        QVERIFY(st.step());
        QCOMPARE(st.text(0),
                 QByteArray("2026/11/27 03:00:30.301000 level=ERROR panic recovered: "
                            "boom req_id=s-2\ngoroutine 7 [running]:\nmain.handle(0x1)\n"
                            "\t/src/main.go:10 +0x1d\n"));
        QCOMPARE(st.int64(2), qint64(9));
        QCOMPARE(ls::test::queryCsv(
                     db, QStringLiteral("SELECT l.kind, l.external_id, i.ts_ns, i.args, "
                                        "r.key FROM instant i JOIN lane l ON l.id = "
                                        "i.lane_id JOIN request r ON r.id = i.request_id")),
                 QByteArray("kind,external_id,ts_ns,args,key\n"
                            "goroutine,7,1795748430301000000,\"{\"\"goroutine\"\":7,\"\"value\"\":"
                            "\"\"boom\"\"}\",s-2\n"));
    }

    void bareRuntimePanic()
    {
        // An unrecovered panic on stderr: no log prefix, no request id; found
        // by goroutine from an earlier step line of that goroutine.
        QTemporaryDir dir;
        TempSession s;
        const ImportResult r = s.import(writeFile(
            dir, QStringLiteral("crash.log"),
            "2026/11/27 03:00:30.000001 step=parse dur=1ms req_id=c-1 goroutine=19\n"
            "panic: runtime error: index out of range [3] with length 3\n\n"
            "goroutine 19 [running]:\nmain.parse(...)\n\t/src/p.go:3 +0x1\nexit status 2\n"));
        QVERIFY2(r.ok, qPrintable(r.error));
        Db &db = s.session().db();
        Stmt st(db, "SELECT t.data FROM raw_text t JOIN request r ON r.id = t.request_id WHERE "
                    "r.key = 'c-1' AND t.kind = 'stack'");
        QVERIFY(st.step());
        QVERIFY(st.text(0).startsWith("panic: runtime error"));
        QVERIFY(st.text(0).contains("goroutine 19 [running]:\nmain.parse(...)\n"));
    }

    void textAndJsonCountedOnce()
    {
        TempSession s;
        for (const char *f : {"gen/server.log", "gen/server.jsonl"}) {
            const ImportResult r = s.import(ls::test::corpus(QLatin1String(f)));
            QVERIFY2(r.ok, qPrintable(r.error));
        }
        Db &db = s.session().db();
        QCOMPARE(count(db, "SELECT count(*) FROM phase"), qint64(1819));
        QCOMPARE(count(db, "SELECT count(DISTINCT source_id) FROM phase"), qint64(1));
        QCOMPARE(countRequests(db), qint64(500));
        QCOMPARE(count(db, "SELECT count(*) FROM raw_text WHERE kind = 'stack'"), qint64(9));
        QCOMPARE(count(db, "SELECT count(*) FROM instant"), qint64(9));
        // JSON alone gives the same steps.
        TempSession j;
        QVERIFY(j.import(ls::test::corpus(QStringLiteral("gen/server.jsonl"))).ok);
        QCOMPARE(count(j.session().db(), "SELECT count(*) FROM phase"), qint64(1819));
        QCOMPARE(count(j.session().db(), "SELECT count(*) FROM raw_text WHERE kind = 'stack'"),
                 qint64(9));
    }

    void clientSummaryLines()
    {
        // A client log without dumps: its summary lines are the client's view.
        QTemporaryDir dir;
        TempSession s;
        const ImportResult r = s.import(writeFile(
            dir, QStringLiteral("client.log"),
            "2026/11/27 03:19:07.694669 done req_id=c-1 method=POST "
            "url=http://127.0.0.1:1/api/order status=200 latency=71.268947ms ttfb=70.98ms\n"
            "2026/11/27 03:19:10.641002 level=ERROR request failed req_id=c-2 method=GET "
            "url=http://127.0.0.1:1/api/downstream latency=25.279982ms err=\"context deadline "
            "exceeded\"\n"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(
            ls::test::queryCsv(s.session().db(),
                               QStringLiteral("SELECT key, side, status, error, client_end_ns - "
                                              "client_start_ns FROM request ORDER BY key")),
            QByteArray("key,side,status,error,client_end_ns - client_start_ns\n"
                       "c-1,client,200,,71268947\n"
                       "c-2,client,0,context deadline exceeded,25279982\n"));
        QCOMPARE(r.phases, qint64(0));
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QByteArray>("diag");
        QTest::addColumn<qint64>("phases");
        const QByteArray good = "2026/11/27 03:00:30.000001 step=a dur=1ms req_id=b\n";
        QTest::newRow("bad json") << (good + "{\"msg\":\"x\",\"req_id\n" + good)
                                  << QByteArray("bad-json") << qint64(2);
        QTest::newRow("negative duration") << (good + "2026/11/27 03:00:30.000001 step=a dur=-1ms "
                                                      "req_id=b\n")
                                           << QByteArray("negative-duration") << qint64(1);
        QTest::newRow("no time") << (good + "step=a dur=1ms req_id=b\n")
                                 << QByteArray("missing-time") << qint64(1);
        QTest::newRow("10 MB line")
            << (good + "2026/11/27 03:00:30.000001 step=a x=" + QByteArray(10 << 20, 'x') + "\n" +
                good)
            << QByteArray("line-too-long") << qint64(2);
        QTest::newRow("invalid utf-8")
            << (good + "2026/11/27 03:00:30.000001 step=\xff\xfe dur=1ms "
                       "req_id=b\n")
            << QByteArray() << qint64(2);
        QTest::newRow("truncated last line")
            << (good + "2026/11/27 03:00:30.000001 step=a du") << QByteArray() << qint64(1);
    }

    void badInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QByteArray, diag);
        QFETCH(qint64, phases);
        QTemporaryDir dir;
        TempSession s;
        ImportOptions opt;
        opt.format = "steplog";
        const ImportResult r = s.import(writeFile(dir, QStringLiteral("s.log"), bytes), opt);
        QVERIFY2(r.ok, qPrintable(r.error));
        bool found = diag.isEmpty();
        for (const DiagnosticInfo &d : r.diagnostics)
            found = found || d.code == diag;
        QVERIFY2(found, diag.constData());
        QCOMPARE(r.phases, phases);
    }

    void emptyFile()
    {
        QTemporaryDir dir;
        TempSession s;
        ImportOptions opt;
        opt.format = "steplog";
        const ImportResult r = s.import(writeFile(dir, QStringLiteral("e.log"), QByteArray()), opt);
        QVERIFY(!r.ok);
        QCOMPARE(countRequests(s.session().db()), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestStepLog)
#include "tst_steplogcases.moc"
