// The HAR importer: entries to client requests with phases laid end to end
// (ssl inside connect), exact latency, rebuilt raw text, and bad input.

#include "testsupport.h"

#include "queries.h"

#include <QFile>
#include <QTest>

using namespace ls;
using namespace ls::test;
using ls::test::TempSession;

namespace {

const char kPhases[] = "SELECT p.kind, p.start_ns - r.start_ns AS at, p.end_ns - p.start_ns AS dur "
                       "FROM phase p JOIN request r ON r.id = p.request_id "
                       "ORDER BY r.start_ns, p.start_ns, p.kind";

QByteArray entry(const QByteArray &timings, const QByteArray &extraHeaders = QByteArray())
{
    return "{\"startedDateTime\":\"2026-11-27T10:00:00.000+01:00\",\"time\":10,"
           "\"request\":{\"method\":\"POST\",\"url\":\"https://h.example/a?b=1\","
           "\"httpVersion\":\"HTTP/"
           "1.1\",\"headers\":[{\"name\":\"X-Request-Id\",\"value\":\"h-1\"}" +
           extraHeaders +
           "],\"postData\":{\"mimeType\":\"application/octet-stream\",\"text\":\"AAEC/w==\","
           "\"encoding\":\"base64\"}},"
           "\"response\":{\"status\":201,\"statusText\":\"Created\",\"httpVersion\":\"HTTP/1.1\","
           "\"headers\":[],\"content\":{\"size\":2,\"text\":\"ok\"}},"
           "\"timings\":" +
           timings + "}";
}

QByteArray har(const QByteArray &entries)
{
    return "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"t\",\"version\":\"1\"},"
           "\"entries\":[" +
           entries + "]}}";
}

} // namespace

class TestHar : public QObject
{
    Q_OBJECT

private slots:
    void publicFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("entries");
        QTest::newRow("charles") << QStringLiteral("mitmproxy_charles.har") << 1;
        QTest::newRow("chrome") << QStringLiteral("mitmproxy_chrome.har") << 3;
        QTest::newRow("firefox") << QStringLiteral("mitmproxy_firefox.har") << 14;
        QTest::newRow("head content-length")
            << QStringLiteral("mitmproxy_head-content-length.har") << 1;
        QTest::newRow("insomnia") << QStringLiteral("mitmproxy_insomnia.har") << 1;
        QTest::newRow("postdata") << QStringLiteral("mitmproxy_postdata.har") << 1;
        QTest::newRow("with bom") << QStringLiteral("mitmproxy_with-bom.har") << 1;
    }

    void publicFiles()
    {
        QFETCH(QString, file);
        QFETCH(int, entries);
        TempSession s;
        const ImportResult r = s.import(ls::test::corpus(QStringLiteral("public/har/") + file));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("har"));
        QCOMPARE(countRequests(s.session().db()), qint64(entries));
        QCOMPARE(ls::test::queryCsv(s.session().db(),
                                    QStringLiteral("SELECT count(*) FROM raw_text WHERE kind = "
                                                   "'request'")),
                 QByteArray("count(*)\n") + QByteArray::number(entries) + "\n");
    }

    void sslInsideConnect()
    {
        TempSession s;
        const ImportResult r =
            s.import(ls::test::corpus(QStringLiteral("public/har/mitmproxy_postdata.har")));
        QVERIFY2(r.ok, qPrintable(r.error));
        Db &db = s.session().db();
        QCOMPARE(ls::test::queryCsv(db, QLatin1String(kPhases)),
                 QByteArray("kind,at,dur\n"
                            "blocked,0,654000\n"
                            "dns,654000,18781000\n"
                            "connect,19435000,96754000\n"
                            "tls,60810000,55379000\n"
                            "send,116189000,319000\n"
                            "wait,116508000,53018000\n"
                            "receive,169526000,270000\n"));
        const auto rows = queryRequests(db, RequestQuery());
        QCOMPARE(rows.size(), size_t(1));
        QCOMPARE(rows[0].duration(), qint64(169796000));
        QCOMPARE(rows[0].start, qint64(1689428246093000000)); // 2023-07-15T13:37:26.093Z
        QCOMPARE(rows[0].phaseNs[size_t(PhaseKind::Tls)], qint64(55379000));
        QCOMPARE(rows[0].phaseNs[size_t(PhaseKind::Connect)], qint64(96754000));
    }

    void rebuiltRawText()
    {
        QTemporaryDir dir;
        TempSession s;
        const ImportResult r = s.import(writeFile(
            dir, QStringLiteral("a.har"),
            har(entry("{\"blocked\":-1,\"dns\":1,\"connect\":2,\"ssl\":1,\"send\":1,\"wait\":4,"
                      "\"receive\":2}"))));
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.diagnostics.isEmpty());
        Db &db = s.session().db();
        const auto h = requestByKey(db, QStringLiteral("h-1"));
        QVERIFY(h);
        QCOMPARE(h->status, 201);
        QCOMPARE(h->host, QStringLiteral("h.example"));
        QCOMPARE(h->start, qint64(1795770000000000000)); // 09:00Z
        QCOMPARE(h->duration(), qint64(10000000));
        Stmt st(db, "SELECT data FROM raw_text ORDER BY id");
        QVERIFY(st.step());
        QCOMPARE(
            st.text(0),
            QByteArray("POST /a?b=1 HTTP/1.1\r\nX-Request-Id: h-1\r\n\r\n\x00\x01\x02\xff", 47));
        QVERIFY(st.step());
        QCOMPARE(st.text(0), QByteArray("HTTP/1.1 201 Created\r\n\r\nok"));
        QCOMPARE(ls::test::queryCsv(db, QLatin1String(kPhases)),
                 QByteArray("kind,at,dur\ndns,0,1000000\nconnect,1000000,2000000\n"
                            "tls,2000000,1000000\nsend,3000000,1000000\nwait,4000000,4000000\n"
                            "receive,8000000,2000000\n"));
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QByteArray>("diag");
        QTest::addColumn<int>("requests");
        QTest::newRow("missing timings")
            << har(entry("{\"wait\":4}")) << QByteArray("missing-timing") << 1;
        QTest::newRow("no timings object")
            << har(entry("null")) << QByteArray("missing-timing") << 1;
        QTest::newRow("negative timings")
            << har(entry("{\"dns\":-5,\"send\":-1,\"wait\":-2,\"receive\":1}"))
            << QByteArray("negative-timing") << 1;
        QTest::newRow("bad start, good neighbour")
            << har(entry("{\"send\":1,\"wait\":1,\"receive\":1}")
                       .replace("2026-11-27T", "yesterday ") +
                   "," + entry("{\"send\":1,\"wait\":1,\"receive\":1}"))
            << QByteArray("bad-start") << 1;
    }

    void badInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QByteArray, diag);
        QFETCH(int, requests);
        QTemporaryDir dir;
        TempSession s;
        const ImportResult r = s.import(writeFile(dir, QStringLiteral("b.har"), bytes));
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY2(hasDiag(r, diag), diag.constData());
        QCOMPARE(countRequests(s.session().db()), qint64(requests));
    }

    void unusable_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("empty file") << QByteArray();
        QTest::newRow("truncated") << har(entry("{\"send\":1,\"wait\":1,\"receive\":1}")).left(200);
        QTest::newRow("invalid utf-8")
            << har(entry("{\"send\":1,\"wait\":1,\"receive\":1}")).replace("Created", "Cr\xff\xfe");
        QTest::newRow("not a har") << QByteArray("{\"log\":[1,2]}");
    }

    void unusable()
    {
        QFETCH(QByteArray, bytes);
        QTemporaryDir dir;
        TempSession s;
        ImportOptions opt;
        opt.format = "har";
        const ImportResult r = s.import(writeFile(dir, QStringLiteral("u.har"), bytes), opt);
        QVERIFY(!r.ok);
        QVERIFY(!r.error.isEmpty());
        QCOMPARE(countRequests(s.session().db()), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestHar)
#include "tst_har.moc"
