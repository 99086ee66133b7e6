// vegeta results (CSV and JSON lines) as load-test client requests.

#include "testsupport.h"

#include "queries.h"

#include <QFile>
#include <QTest>

using namespace ls;
using namespace ls::test;
using ls::test::TempSession;

namespace {

const char kRows[] = "SELECT start_ns, end_ns - start_ns, status, error, method, url, host, side, "
                     "load_test FROM request ORDER BY start_ns";

} // namespace

class TestVegeta : public QObject
{
    Q_OBJECT

private slots:
    void csv()
    {
        TempSession s;
        const ImportResult r = s.import(ls::test::testData(QStringLiteral("http/vegeta.csv")));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("vegeta"));
        QCOMPARE(
            ls::test::queryCsv(s.session().db(), QLatin1String(kRows)),
            QByteArray("start_ns,end_ns - start_ns,status,error,method,url,host,side,load_test\n"
                       "1795749552000000000,12500000,200,,GET,http://127.0.0.1:8080/api/"
                       "lock,127.0.0.1:8080,client,1\n"
                       "1795749552010000000,30000000,500,500 Internal Server Error,GET,http://"
                       "127.0.0.1:8080/api/lock,127.0.0.1:8080,client,1\n"
                       "1795749552020000000,1000000000,0,\"Get \"\"http://127.0.0.1:8080/api/"
                       "lock\"\": context deadline exceeded\",GET,http://127.0.0.1:8080/api/"
                       "lock,127.0.0.1:8080,client,1\n"));
    }

    void jsonLines()
    {
        TempSession s;
        const ImportResult r = s.import(ls::test::testData(QStringLiteral("http/vegeta.jsonl")));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("vegeta"));
        QCOMPARE(
            ls::test::queryCsv(s.session().db(), QLatin1String(kRows)),
            QByteArray("start_ns,end_ns - start_ns,status,error,method,url,host,side,load_test\n"
                       "1795749552000000001,12500000,200,,GET,http://127.0.0.1:8080/api/"
                       "lock,127.0.0.1:8080,client,1\n"
                       "1795749552500000000,2000000,0,dial tcp: connection refused,GET,http://"
                       "127.0.0.1:8080/api/lock,127.0.0.1:8080,client,1\n"));
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("requests");
        const QByteArray good = "1795749552000000000,200,12500000,0,13,,,load,0,GET,http://h/a,\n";
        QTest::newRow("short row") << (good + "1795749552000000000,200\n" + good) << true << 2;
        QTest::newRow("unterminated quote")
            << (good + "1795749552000000000,0,1,0,0,\"broken,,,x,1,GET,u,\n") << true << 1;
        QTest::newRow("truncated last line") << (good + "17957495520000") << true << 1;
        QTest::newRow("invalid utf-8")
            << (good + "1795749552000000000,0,1,0,0,\xff\xfe,,x,1,GET,u,\n") << true << 2;
        QTest::newRow("bad json line")
            << QByteArray(
                   "{\"attack\":\"a\",\"seq\":0,\"code\":200,\"timestamp\":\"2026-11-27T00:00:"
                   "00Z\",\"latency\":5}\n{\"attack\":\n")
            << true << 1;
        QTest::newRow("empty file") << QByteArray() << false << 0;
        QTest::newRow("not vegeta") << QByteArray("hello,world\n") << false << 0;
    }

    void badInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, ok);
        QFETCH(int, requests);
        QTemporaryDir dir;
        TempSession s;
        ImportOptions opt;
        opt.format = "vegeta";
        const ImportResult r = s.import(writeFile(dir, QStringLiteral("v.csv"), bytes), opt);
        QCOMPARE(r.ok, ok);
        if (ok) QVERIFY(!r.diagnostics.isEmpty() || requests == 2);
        QCOMPARE(countRequests(s.session().db()), qint64(requests));
    }
};

QTEST_GUILESS_MAIN(TestVegeta)
#include "tst_vegeta.moc"
