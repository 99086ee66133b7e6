// Goroutine dumps: one instant per "goroutine N [state]:" header, with state,
// wait and stack; lanes named by start function.

#include "queries.h"
#include "testsupport.h"

#include <QFile>
#include <QTest>

using namespace ls;
using namespace ls::test;

class TestGoroutineDump : public QObject
{
    Q_OBJECT
private slots:
    void genStacks()
    {
        const QString path = test::corpus(QStringLiteral("gen/goroutine_stacks.txt"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        int headers = 0;
        while (!f.atEnd())
            if (f.readLine().startsWith("goroutine ")) ++headers;
        test::TempSession s;
        const ImportResult r = s.import(path);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("goroutine-dump"));
        const Db &db = s.session().db();
        QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM instant")), headers);
        QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM lane WHERE kind = 'goroutine'")),
                 headers);
        QCOMPARE(test::queryCsv(
                     db, QStringLiteral("SELECT lane.name, n.value, c.value FROM instant JOIN lane "
                                        "ON lane.id = lane_id JOIN string n ON n.id = name_id JOIN "
                                        "string c ON c.id = category_id WHERE external_id = 1")),
                 QByteArray("name,value,value\ng1 main.main,select,blocked-select\n"));
        // Every instant has a stack callsite.
        QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM instant WHERE "
                                           "json_extract(args, '$.callsite') IS NULL")),
                 0);
    }
    void shapes_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<int>("instants");
        QTest::newRow("panic after a log line")
            << QByteArray("2026/11/27 03:00:00.000001 level=ERROR panic recovered: boom\n"
                          "goroutine 7 [running]:\nmain.f(0x1)\n\t/src/main.go:3 +0x1d\ncreated "
                          "by main.main in goroutine 1\n\t/src/main.go:9 +0x25\n"
                          "2026/11/27 03:00:00.000002 next line\n")
            << 1;
        QTest::newRow("wait minutes, cut")
            << QByteArray("goroutine 1 [chan receive, 5 minutes]:\nmain.main()\n\t/x.go:1 +0x1\n\n"
                          "goroutine 2 [select, locked to thread]:\nruntime.f(")
            << 2;
    }
    void shapes()
    {
        QFETCH(QByteArray, data);
        QFETCH(int, instants);
        QTemporaryDir dir;
        test::TempSession s;
        ImportOptions opt;
        opt.format = "goroutine-dump";
        const ImportResult r = s.import(writeFile(dir, QStringLiteral("x.txt"), data), opt);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(scalar(s.session().db(), QStringLiteral("SELECT count(*) FROM instant")),
                 instants);
    }
    void wrongFormat()
    {
        QTemporaryDir dir;
        test::TempSession s;
        ImportOptions opt;
        opt.format = "goroutine-dump";
        const ImportResult r =
            s.import(writeFile(dir, QStringLiteral("x.txt"), "no goroutines here\n"), opt);
        QVERIFY(!r.ok);
    }
};

QTEST_GUILESS_MAIN(TestGoroutineDump)
#include "tst_goroutinedump.moc"
