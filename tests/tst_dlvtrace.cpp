// dlv trace: one span per call line, nested by call depth per goroutine,
// arguments and results kept, order kept without timestamps.

#include "queries.h"
#include "testsupport.h"

#include <QFile>
#include <QTest>

using namespace ls;
using namespace ls::test;

class TestDlvTrace : public QObject
{
    Q_OBJECT
private slots:
    void callCount_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("handlers") << QStringLiteral("gen/dlv_trace_handlers.txt");
        QTest::newRow("conn serve stack 4") << QStringLiteral("gen/dlv_trace_conn_serve.txt");
        QTest::newRow("stderr") << QStringLiteral(
            "public/dlv-trace/generated_delve1.20.2_trace_stderr.txt");
        QTest::newRow("combined") << QStringLiteral(
            "public/dlv-trace/generated_delve1.20.2_trace_combined.txt");
        QTest::newRow("stack 2") << QStringLiteral(
            "public/dlv-trace/generated_delve1.20.2_trace_stack2_combined.txt");
    }
    void callCount()
    {
        QFETCH(QString, file);
        const QString path = test::corpus(file);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        int calls = 0;
        while (!f.atEnd())
            if (f.readLine().startsWith("> goroutine(")) ++calls;
        test::TempSession s;
        const ImportResult r = s.import(path);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("dlv-trace"));
        QCOMPARE(r.spans, qint64(calls));
        const Db &db = s.session().db();
        // Spans of one lane and depth never overlap.
        QCOMPARE(scalar(db, QStringLiteral(
                                "SELECT count(*) FROM (SELECT start_ns AS s, LAG(end_ns) OVER "
                                "(PARTITION BY lane_id, depth ORDER BY start_ns) AS prev FROM "
                                "span) WHERE prev > s")),
                 0);
        QCOMPARE(test::queryCsv(db, QStringLiteral("SELECT clock_method FROM source")),
                 QByteArray("clock_method\nline order (no timestamps)\n"));
    }
    void nesting()
    {
        test::TempSession s;
        const ImportResult r = s.import(test::corpus(QStringLiteral("gen/dlv_trace_handlers.txt")));
        QVERIFY2(r.ok, qPrintable(r.error));
        // The first lines: handleOrder on g7 calls func1..func3, each returning before the next.
        const QByteArray rows = test::queryCsv(
            s.session().db(),
            QStringLiteral("SELECT n.value, depth, json_extract(args, '$.results') FROM span JOIN "
                           "string n ON n.id = name_id JOIN lane ON lane.id = lane_id WHERE "
                           "lane.external_id = 7 ORDER BY start_ns LIMIT 4"));
        QCOMPARE(rows, QByteArray("value,depth,json_extract(args, '$.results')\n"
                                  "main.handleOrder,0,\nmain.handleOrder.func1,1,\n"
                                  "main.handleOrder.func2,1,\nmain.handleOrder.func3,1,\n"));
        QVERIFY(
            scalar(s.session().db(),
                   QStringLiteral("SELECT count(*) FROM span WHERE json_extract(args, '$.args') "
                                  "LIKE '%24ca64c5-666e-4da9-a6fa-7d0fb6ebd0fb%'")) > 0);
    }
    void formats_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<int>("spans");
        QTest::addColumn<QString>("clock");
        QTest::newRow("timestamps, named returns")
            << QByteArray("2026-11-27T03:00:00.000000001Z > goroutine(1): main.a(1, \"x, y\")\n"
                          "2026-11-27T03:00:00.000000100Z > goroutine(1): main.b()\n"
                          "2026-11-27T03:00:00.000000200Z >> goroutine(1): main.b => (2)\n"
                          "2026-11-27T03:00:00.000000300Z >> goroutine(1): main.a => (3)\n")
            << 2 << QStringLiteral("wall clock (debugger's)");
        QTest::newRow("one-line old form")
            << QByteArray("> goroutine(1): main.foo(99, 9801) => (9900)\n") << 1
            << QStringLiteral("line order (no timestamps)");
        QTest::newRow("unmatched and cut")
            << QByteArray(">> goroutine(3): => ()\n> goroutine(3): main.f(\n> goroutine(4): ma")
            << 2 << QStringLiteral("line order (no timestamps)");
    }
    void formats()
    {
        QFETCH(QByteArray, data);
        QFETCH(int, spans);
        QFETCH(QString, clock);
        QTemporaryDir dir;
        test::TempSession s;
        const ImportResult r = s.import(writeFile(dir, QStringLiteral("x.txt"), data));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.spans, qint64(spans));
        QCOMPARE(
            test::queryCsv(s.session().db(), QStringLiteral("SELECT clock_method FROM source")),
            "clock_method\n" + clock.toUtf8() + '\n');
    }
    void wrongFormat()
    {
        QTemporaryDir dir;
        test::TempSession s;
        ImportOptions opt;
        opt.format = "dlv-trace";
        const ImportResult r = s.import(
            writeFile(dir, QStringLiteral("x.txt"), "Process 1 has exited with status 0\n"), opt);
        QVERIFY(!r.ok);
        QVERIFY(r.error.contains(QLatin1String("no dlv trace lines")));
    }
};

QTEST_GUILESS_MAIN(TestDlvTrace)
#include "tst_dlvtrace.moc"
