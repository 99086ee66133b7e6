// gctrace: one GC cycle per "gc N @" line (lines cut by program output
// joined again), phases under each cycle, heap counters, and clean failures
// on other input.

#include "queries.h"
#include "testsupport.h"

#include <QFile>
#include <QTest>

using namespace ls;
using namespace ls::test;

namespace {

int gcLines(const QByteArray &text)
{
    int n = 0;
    for (const QByteArray &l : text.split('\n'))
        if (l.startsWith("gc ") && l.contains(" @")) ++n;
    return n;
}

} // namespace

class TestGcTrace : public QObject
{
    Q_OBJECT
private slots:
    void cycles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("gen server stderr") << QStringLiteral("gen/server_stderr_gctrace.txt");
        QTest::newRow("http load")
            << QStringLiteral("public/gctrace/generated_go1.19.8_gctrace_http_load.log");
        QTest::newRow("interleaved")
            << QStringLiteral("public/gctrace/generated_go1.19.8_gctrace_interleaved_stdout.log");
    }
    void cycles()
    {
        QFETCH(QString, file);
        const QString path = test::corpus(file);
        const int expected = gcLines(readFile(path));
        QVERIFY(expected > 0);
        test::TempSession s;
        const ImportResult r = s.import(path);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("gctrace"));
        const Db &db = s.session().db();
        QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM span WHERE depth = 0")), expected);
        QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM span WHERE depth = 1")),
                 3 * expected);
        // The three phases of each cycle add up to it.
        QCOMPARE(
            scalar(db, QStringLiteral("SELECT sum(end_ns - start_ns) FROM span WHERE depth = 1")),
            scalar(db, QStringLiteral("SELECT sum(end_ns - start_ns) FROM span WHERE depth = 0")));
        QVERIFY(scalar(db, QStringLiteral("SELECT count(*) FROM instant")) >= 3 * expected);
    }
    void figures()
    {
        test::TempSession s;
        const ImportResult r =
            s.import(test::corpus(QStringLiteral("gen/server_stderr_gctrace.txt")));
        QVERIFY2(r.ok, qPrintable(r.error));
        // gc 1 @0.208s 0%: 0.019+0.99+0.026 ms clock, ..., 4->4->3 MB, 4 MB goal, ...
        QCOMPARE(test::queryCsv(s.session().db(),
                                QStringLiteral("SELECT start_ns, end_ns FROM span WHERE depth = 0 "
                                               "ORDER BY start_ns LIMIT 1")),
                 QByteArray("start_ns,end_ns\n208000000,209035000\n"));
        QCOMPARE(test::queryCsv(s.session().db(),
                                QStringLiteral("SELECT clock, clock_method FROM source")),
                 QByteArray("clock,clock_method\nrelative,process start unknown (set the offset "
                            "by hand)\n"));
    }
    void processStartFromLogs()
    {
        QTemporaryDir dir;
        const QByteArray text = "2026/11/27 03:00:00.999000 about to collect\n"
                                "gc 1 @1.000s 0%: 0.010+1.0+0.010 ms clock, 0+0/0/0+0 ms cpu, "
                                "4->4->3 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n"
                                "2026/11/27 03:00:01.002000 request done\n";
        test::TempSession s;
        const ImportResult r = s.import(writeFile(dir, QStringLiteral("input.txt"), text));
        QVERIFY2(r.ok, qPrintable(r.error));
        // The log lines around the cycle line (printed at ~1.00102 s) bound the start.
        const qint64 start =
            scalar(s.session().db(), QStringLiteral("SELECT min(start_ns) FROM span"));
        const qint64 expected = 1795748400000000000LL + 1'000'000'000LL;
        QVERIFY2(qAbs(start - expected) < 2'000'000, qPrintable(QString::number(start - expected)));
    }
    void badInput_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<bool>("ok");
        QTest::newRow("not gctrace") << QByteArray("hello\nworld\n") << false;
        QTest::newRow("empty") << QByteArray() << false;
        QTest::newRow("cut line") << QByteArray("gc 1 @0.1s 0%: 0.01+0.") << false;
        QTest::newRow("garbage figures")
            << QByteArray("gc 1 @0.1s 0%: x+y+z ms clock\ngc 2 @0.2s 1%: 0.01+0.1+0.01 ms clock, "
                          "0+0/0/0+0 ms cpu, 1->1->1 MB, 4 MB goal, 2 P\n")
            << true;
        QTest::newRow("huge numbers")
            << QByteArray("gc 99999999999999999999 @99999999999999999999.0s 0%: 1+1+1 ms clock\n"
                          "gc 1 @0.1s 0%: 0.01+0.1+0.01 ms clock\n")
            << true;
    }
    void badInput()
    {
        QFETCH(QByteArray, data);
        QFETCH(bool, ok);
        QTemporaryDir dir;
        test::TempSession s;
        ImportOptions opt;
        opt.format = "gctrace";
        const ImportResult r = s.import(writeFile(dir, QStringLiteral("input.txt"), data), opt);
        QCOMPARE(r.ok, ok);
        if (!ok) QVERIFY(!r.error.isEmpty());
        if (ok)
            QCOMPARE(scalar(s.session().db(),
                            QStringLiteral("SELECT count(*) FROM span WHERE depth = 0")),
                     1);
    }
};

QTEST_GUILESS_MAIN(TestGcTrace)
#include "tst_gctrace.moc"
