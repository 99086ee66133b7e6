// ApacheBench -g results as load-test client requests.

#include "testsupport.h"

#include "queries.h"

#include <QFile>
#include <QTest>

using namespace ls;
using namespace ls::test;
using ls::test::TempSession;

namespace {

const QByteArray kHeader = "starttime\tseconds\tctime\tdtime\tttime\twait\n";

} // namespace

class TestAb : public QObject
{
    Q_OBJECT

private slots:
    void small()
    {
        TempSession s;
        const ImportResult r = s.import(ls::test::testData(QStringLiteral("http/ab_small.tsv")));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("ab"));
        QCOMPARE(
            ls::test::queryCsv(s.session().db(),
                               QStringLiteral("SELECT start_ns, end_ns - start_ns, status, side, "
                                              "load_test FROM request ORDER BY start_ns")),
            QByteArray("start_ns,end_ns - start_ns,status,side,load_test\n"
                       "1795749552000000000,24000000,,client,1\n"
                       "1795749553000000000,41000000,,client,1\n"));
    }

    void corpusFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("gen") << QStringLiteral("gen/ab.tsv");
        QTest::newRow("public") << QStringLiteral("public/ab-gnuplot/generated_ab2.3_gnuplot.tsv");
    }

    void corpusFiles()
    {
        QFETCH(QString, file);
        TempSession s;
        const ImportResult r = s.import(ls::test::corpus(file));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("ab"));
        QVERIFY(r.diagnostics.isEmpty());
        QCOMPARE(countRequests(s.session().db()), qint64(200));
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("requests");
        const QByteArray row = "Fri Nov 27 03:19:12 2026\t1795749552\t0\t24\t24\t24\n";
        QTest::newRow("short row") << (kHeader + row + "Fri\t1\n" + row) << true << 2;
        QTest::newRow("non-numeric") << (kHeader + "x\ty\tz\tw\tv\tu\n" + row) << true << 1;
        QTest::newRow("truncated last row")
            << (kHeader + row + "Fri Nov 27 03:19:12 2026\t17957") << true << 1;
        QTest::newRow("invalid utf-8")
            << (kHeader + "\xff\xfe\t1795749552\t0\t1\t1\t1\n") << true << 1;
        QTest::newRow("header only") << kHeader << true << 0;
        QTest::newRow("empty file") << QByteArray() << false << 0;
        QTest::newRow("wrong header") << QByteArray("a\tb\n1\t2\n") << false << 0;
    }

    void badInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, ok);
        QFETCH(int, requests);
        QTemporaryDir dir;
        TempSession s;
        ImportOptions opt;
        opt.format = "ab";
        const ImportResult r = s.import(writeFile(dir, QStringLiteral("ab.tsv"), bytes), opt);
        QCOMPARE(r.ok, ok);
        QCOMPARE(countRequests(s.session().db()), qint64(requests));
    }
};

QTEST_GUILESS_MAIN(TestAb)
#include "tst_ab.moc"
