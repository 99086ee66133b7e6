// The httptrace importer: JSON lines and the plain log-line form, phases as
// exact timestamp differences, the request's exact client latency, and bad
// input.

#include "testsupport.h"

#include "queries.h"

#include <QFile>
#include <QTest>

using namespace ls;
using namespace ls::test;
using ls::test::TempSession;

namespace {

const char kPhases[] = "SELECT r.key, p.kind, p.name, p.end_ns - p.start_ns AS dur FROM phase p "
                       "JOIN request r ON r.id = p.request_id ORDER BY r.key, p.start_ns, p.kind";

} // namespace

class TestHttpTrace : public QObject
{
    Q_OBJECT

private slots:
    void jsonLines()
    {
        TempSession s;
        const ImportResult r =
            s.import(ls::test::testData(QStringLiteral("http/trace_small.jsonl")));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("httptrace"));
        QVERIFY(r.diagnostics.isEmpty());
        Db &db = s.session().db();
        QCOMPARE(ls::test::queryCsv(db, QLatin1String(kPhases)),
                 QByteArray("key,kind,name,dur\n"
                            "t-1,getconn,,51000\n"
                            "t-1,dns,api.example.com,7000\n"
                            "t-1,connect,connect 10.0.0.1:443,10000\n"
                            "t-1,tls,TLS 1.3,30000\n"
                            "t-1,send,,1000\n"
                            "t-1,wait,,50000\n"
                            "t-1,receive,,1000\n"
                            "t-2,getconn,,100\n"
                            "t-2,send,,3600\n"
                            "t-2,wait,,3000\n"
                            "t-2,receive,,20700\n"));
        const auto t1 = requestByKey(db, QStringLiteral("t-1"));
        QVERIFY(t1);
        QCOMPARE(t1->start, qint64(1000000000000000000));
        QCOMPARE(t1->duration(), qint64(106500)); // latency_ns, not the event spread
        QCOMPARE(t1->status, 200);
        QCOMPARE(t1->host, QStringLiteral("api.example.com"));
        QCOMPARE(t1->method, QStringLiteral("GET"));
        QCOMPARE(t1->phaseNs[size_t(PhaseKind::Dns)], qint64(7000));
        QCOMPARE(t1->phaseNs[size_t(PhaseKind::Tls)], qint64(30000));
        QCOMPARE(t1->phaseNs[size_t(PhaseKind::Blocked)], qint64(-1));
        const auto t2 = requestByKey(db, QStringLiteral("t-2"));
        QVERIFY(t2);
        QCOMPARE(t2->status, 0);
        QCOMPARE(t2->error, QStringLiteral("context deadline exceeded"));
        QCOMPARE(t2->duration(), qint64(24900));
        // Hook details are kept as phase args.
        QVERIFY(ls::test::queryCsv(db, QStringLiteral("SELECT args FROM phase WHERE kind='getconn' "
                                                      "AND args LIKE '%was_idle%true%'"))
                    .contains("idle_time_ns"));
    }

    void logLines()
    {
        TempSession s;
        const ImportResult r = s.import(ls::test::testData(QStringLiteral("http/trace_lines.log")));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("httptrace"));
        Db &db = s.session().db();
        QCOMPARE(ls::test::queryCsv(db, QLatin1String(kPhases)),
                 QByteArray("key,kind,name,dur\n"
                            "l-1,getconn,,12300000\n"
                            "l-1,dns,example.com,2000000\n"
                            "l-1,connect,connect 93.184.216.34:80,10000000\n"
                            "l-1,send,,100000\n"
                            "l-1,wait,,40000000\n"
                            "l-1,receive,,1000000\n"));
        const auto l1 = requestByKey(db, QStringLiteral("l-1"));
        QVERIFY(l1);
        QCOMPARE(l1->status, 200);
        QCOMPARE(l1->duration(), qint64(53600000));
        QCOMPARE(l1->url, QStringLiteral("http://example.com/a"));
    }

    // The measured latency replaces the coarser log-derived one, in either
    // import order.
    void exactTimesWin_data()
    {
        QTest::addColumn<bool>("traceFirst");
        QTest::newRow("trace first") << true;
        QTest::newRow("log first") << false;
    }

    void exactTimesWin()
    {
        QFETCH(bool, traceFirst);
        QTemporaryDir dir;
        const QString log = writeFile(
            dir, QStringLiteral("client.log"),
            "2026/11/27 10:00:00.000100 Raw outbound request:\nGET /v1/items HTTP/1.1\r\nHost: "
            "api.example.com\r\nX-Request-Id: t-1\r\n\r\n"
            "2001/09/09 01:46:40.000500 done req_id=t-1 status=200 latency=200us\n");
        const QString trace = ls::test::testData(QStringLiteral("http/trace_small.jsonl"));
        TempSession s;
        for (const QString &f : traceFirst ? QStringList{trace, log} : QStringList{log, trace}) {
            const ImportResult r = s.import(f);
            QVERIFY2(r.ok, qPrintable(r.error));
        }
        const auto t1 = requestByKey(s.session().db(), QStringLiteral("t-1"));
        QVERIFY(t1);
        QCOMPARE(t1->start, qint64(1000000000000000000));
        QCOMPARE(t1->duration(), qint64(106500));
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QByteArray>("diag");
        QTest::addColumn<int>("phases");
        const QByteArray start = "{\"ts_ns\":100,\"req_id\":\"b\",\"event\":\"request_start\","
                                 "\"elapsed_ns\":0}\n"
                                 "{\"ts_ns\":110,\"req_id\":\"b\",\"event\":\"WroteHeaders\","
                                 "\"elapsed_ns\":10}\n";
        const QByteArray wrote = "{\"ts_ns\":120,\"req_id\":\"b\",\"event\":\"WroteRequest\","
                                 "\"elapsed_ns\":20}\n";
        QTest::newRow("invalid json line")
            << (start + "{\"ts_ns\":115,\"req_id\n" + wrote) << QByteArray("bad-json") << 1;
        QTest::newRow("missing request id")
            << (start + "{\"ts_ns\":115,\"event\":\"DNSStart\",\"elapsed_ns\":15}\n" + wrote)
            << QByteArray("missing-request-id") << 1;
        QTest::newRow("end without start")
            << (start +
                "{\"ts_ns\":115,\"req_id\":\"b\",\"event\":\"DNSDone\",\"elapsed_ns\":15}\n" +
                wrote)
            << QByteArray("unmatched-end") << 1;
        QTest::newRow("end before start")
            << (start + "{\"ts_ns\":90,\"req_id\":\"b\",\"event\":\"WroteRequest\",\"elapsed_ns\":-"
                        "10}\n")
            << QByteArray("phase-out-of-order") << 0;
        QTest::newRow("truncated last line")
            << (start + wrote + "{\"ts_ns\":130,\"req_id\":\"b\",\"ev") << QByteArray("bad-json")
            << 1;
        QTest::newRow("no request_done")
            << (start + wrote) << QByteArray("unfinished-request") << 1;
        QTest::newRow("invalid utf-8 in a value")
            << (start +
                "{\"ts_ns\":115,\"req_id\":\"b\",\"event\":\"DNSStart\",\"host\":\"\xff\xfe\"}\n" +
                wrote)
            << QByteArray("bad-json") << 1;
    }

    void badInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QByteArray, diag);
        QFETCH(int, phases);
        QTemporaryDir dir;
        TempSession s;
        ImportOptions opt;
        opt.format = "httptrace";
        const ImportResult r = s.import(writeFile(dir, QStringLiteral("t.jsonl"), bytes), opt);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY2(hasDiag(r, diag), diag.constData());
        QCOMPARE(r.phases, qint64(phases));
        QVERIFY(requestByKey(s.session().db(), QStringLiteral("b")));
    }

    void emptyAndWrongFormat()
    {
        QTemporaryDir dir;
        TempSession s;
        ImportOptions opt;
        opt.format = "httptrace";
        ImportResult r = s.import(writeFile(dir, QStringLiteral("e.jsonl"), QByteArray()), opt);
        QVERIFY(!r.ok);
        r = s.import(
            writeFile(dir, QStringLiteral("w.jsonl"), "{\"time\":\"x\",\"msg\":\"hello\"}\n"), opt);
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QStringLiteral("no httptrace events")), qPrintable(r.error));
        QCOMPARE(countRequests(s.session().db()), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestHttpTrace)
#include "tst_httptrace.moc"
