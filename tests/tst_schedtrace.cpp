// schedtrace: counters per SCHED line, mixed with log lines that place the
// process start on the wall clock.

#include "queries.h"
#include "testsupport.h"

#include <QFile>
#include <QTest>

using namespace ls;
using namespace ls::test;

namespace {} // namespace

class TestSchedTrace : public QObject
{
    Q_OBJECT
private slots:
    void genFile()
    {
        const QString path = test::corpus(QStringLiteral("gen/schedtrace_stderr.txt"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        int sched = 0;
        while (!f.atEnd())
            if (f.readLine().startsWith("SCHED ")) ++sched;
        test::TempSession s;
        const ImportResult r = s.import(path);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("schedtrace"));
        QCOMPARE(r.events, qint64(sched));
        const Db &db = s.session().db();
        // gomaxprocs, idleprocs, threads, spinningthreads, idlethreads, runqueue, 2 per-P queues.
        QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM lane WHERE kind = 'counter'")), 8);
        QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM instant JOIN lane ON lane.id = "
                                           "instant.lane_id WHERE lane.name = 'threads'")),
                 sched);
        // "SCHED 0ms" is followed by the server's first log line at 03:19:15.831777.
        const qint64 offset = scalar(db, QStringLiteral("SELECT offset_ns FROM source"));
        const qint64 firstLog = 1795749555831777000LL;
        QVERIFY2(offset <= firstLog && firstLog - offset < 100'000'000,
                 qPrintable(QString::number(firstLog - offset)));
    }
    void badInput_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<bool>("ok");
        QTest::newRow("no sched lines") << QByteArray("2026/11/27 03:00:00 hello\n") << false;
        QTest::newRow("cut") << QByteArray("SCHED 100ms: gomaxprocs=2 idlepr") << true;
        QTest::newRow("bad bracket") << QByteArray("SCHED 1ms: runqueue=1 [1 2\n") << true;
        QTest::newRow("garbage time") << QByteArray("SCHED xms: threads=1\n") << false;
    }
    void badInput()
    {
        QFETCH(QByteArray, data);
        QFETCH(bool, ok);
        QTemporaryDir dir;
        const QString p = dir.filePath(QStringLiteral("x.txt"));
        QFile f(p);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
        f.close();
        test::TempSession s;
        ImportOptions opt;
        opt.format = "schedtrace";
        const ImportResult r = s.import(p, opt);
        QCOMPARE(r.ok, ok);
    }
};

QTEST_GUILESS_MAIN(TestSchedTrace)
#include "tst_schedtrace.moc"
