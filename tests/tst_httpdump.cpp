// The httputil-dump importer: dumps in a log, paired by request-id header or
// by order, bodies by Content-Length / chunking / next record, raw bytes kept
// exactly, and bad input that yields diagnostics instead of crashes.

#include "testsupport.h"

#include "queries.h"

#include <QFile>
#include <QTest>

using namespace ls;
using namespace ls::test;
using ls::test::TempSession;

namespace {

QByteArray rawOf(Db &db, const QString &key, const char *kind)
{
    Stmt st(db, "SELECT t.data FROM raw_text t JOIN request r ON r.id = t.request_id "
                "WHERE r.key = ? AND t.kind = ? ORDER BY t.id");
    st.bindText(1, key).bindText(2, kind);
    return st.step() ? st.text(0) : QByteArray("<none>");
}

const QByteArray kPrefix = "2026/11/27 10:00:00.000100 Raw outbound request:\n";
const QByteArray kNext = "2026/11/27 10:00:01.000000 Raw outbound request:\n"
                         "GET /after HTTP/1.1\r\nX-Request-Id: after\r\n\r\n";

} // namespace

class TestHttpDump : public QObject
{
    Q_OBJECT

private slots:
    void sniffedOverStepLog()
    {
        TempSession s;
        const ImportResult r =
            s.import(ls::test::testData(QStringLiteral("http/client_dumps.log")));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("httpdump"));
    }

    void pairsAndBodies()
    {
        TempSession s;
        const ImportResult r =
            s.import(ls::test::testData(QStringLiteral("http/client_dumps.log")));
        QVERIFY2(r.ok, qPrintable(r.error));
        Db &db = s.session().db();

        auto r1 = requestByKey(db, QStringLiteral("r-1"));
        QVERIFY(r1);
        QCOMPARE(r1->status, 200);
        QCOMPARE(r1->method, QStringLiteral("POST"));
        QCOMPARE(r1->url, QStringLiteral("/api/order"));
        QCOMPARE(r1->host, QStringLiteral("127.0.0.1:8080"));
        QCOMPARE(r1->side, QStringLiteral("client"));
        QCOMPARE(r1->duration(), qint64(3000000)); // latency from the done line
        QCOMPARE(rawOf(db, QStringLiteral("r-1"), "request"),
                 QByteArray("POST /api/order HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: "
                            "Go-http-client/1.1\r\nContent-Length: 11\r\nX-Request-Id: "
                            "r-1\r\nAccept-Encoding: gzip\r\n\r\n{\"qty\":\"3\"}"));
        QCOMPARE(
            rawOf(db, QStringLiteral("r-1"), "response"),
            QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX-Request-Id: r-1\r\n\r\nHTTP/1"));

        // X-Trace-Id key, HTTP/1.0, absolute-form target, chunked response.
        auto r2 = requestByKey(db, QStringLiteral("r-2"));
        QVERIFY(r2);
        QCOMPARE(r2->status, 404);
        QCOMPARE(r2->host, QStringLiteral("example.com"));
        QCOMPARE(rawOf(db, QStringLiteral("r-2"), "response"),
                 QByteArray("HTTP/1.0 404 Not Found\r\nTransfer-Encoding: chunked\r\nX-Trace-Id: "
                            "r-2\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));

        // traceparent's trace id is the key; the client gave up.
        auto r3 = requestByKey(db, QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
        QVERIFY(r3);
        QCOMPARE(r3->status, 0);
        QCOMPARE(r3->error, QStringLiteral("context deadline exceeded"));
        QCOMPARE(r3->duration(), qint64(25000000));

        // HEAD without key pairs by order and has no body despite Content-Length.
        const QByteArray csv = ls::test::queryCsv(
            db, QStringLiteral("SELECT r.method, r.status, t.kind, length(t.data) FROM raw_text t "
                               "JOIN request r ON r.id = t.request_id WHERE r.key LIKE 'dump@%' "
                               "ORDER BY t.id"));
        QCOMPARE(csv, QByteArray("method,status,kind,length(t.data)\n"
                                 "HEAD,200,request,48\n"
                                 "HEAD,200,response,38\n"
                                 ",500,response,80\n"));
        // A body without length runs to the end; the log's last newline is dropped.
        const QByteArray last = ls::test::queryCsv(
            db,
            QStringLiteral("SELECT hex(substr(data, -16)) FROM raw_text ORDER BY id DESC LIMIT 1"));
        QVERIFY2(last.contains(QByteArray("boom\nsecond line").right(16).toHex().toUpper()),
                 last.constData());
    }

    // The record before a dump may be any log shape; its time is the dump's.
    void prefixShapes_data()
    {
        QTest::addColumn<QByteArray>("prefix");
        QTest::addColumn<qint64>("ts");
        QTest::newRow("go log, seconds")
            << QByteArray("2026/11/27 10:00:00 Raw outbound request:\n")
            << qint64(1795773600000000000);
        QTest::newRow("slog text") << QByteArray("time=2026-11-27T10:00:00.123456789Z level=INFO "
                                                 "msg=\"outgoing request\"\n")
                                   << qint64(1795773600123456789);
        QTest::newRow("slog json") << QByteArray("{\"time\":\"2026-11-27T10:00:00.5Z\",\"level\":"
                                                 "\"DEBUG\",\"msg\":\"dump\"}\n")
                                   << qint64(1795773600500000000);
    }

    void prefixShapes()
    {
        QFETCH(QByteArray, prefix);
        QFETCH(qint64, ts);
        QTemporaryDir dir;
        TempSession s;
        const ImportResult r = s.import(
            writeFile(dir, QStringLiteral("p.log"),
                      prefix + "GET /p HTTP/1.1\r\nHost: h\r\nX-Request-Id: p-1\r\n\r\n" + prefix +
                          "HTTP/1.1 204 No Content\r\nX-Request-Id: p-1\r\n\r\n"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("httpdump"));
        Db &db = s.session().db();
        QCOMPARE(ls::test::queryCsv(db, QStringLiteral("SELECT kind, ts_ns, offset FROM raw_text "
                                                       "ORDER BY id")),
                 QByteArray("kind,ts_ns,offset\nrequest,") + QByteArray::number(ts) + "," +
                     QByteArray::number(prefix.size()) + "\nresponse," + QByteArray::number(ts) +
                     "," + QByteArray::number(2 * prefix.size() + 47) + "\n");
        const auto p1 = requestByKey(db, QStringLiteral("p-1"));
        QVERIFY(p1);
        QCOMPARE(p1->status, 204);
    }

    void publicSample()
    {
        TempSession s;
        const ImportResult r = s.import(
            ls::test::corpus(QStringLiteral("public/httputil-dump/"
                                            "generated_go1.19.8_httputil_dumps_in_log.txt")));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.format, QByteArray("httpdump"));
        Db &db = s.session().db();
        // Four requests seen from both sides; the key-less responses paired by order.
        QCOMPARE(ls::test::queryCsv(db, QStringLiteral("SELECT key, method, status, side FROM "
                                                       "request ORDER BY key")),
                 QByteArray("key,method,status,side\n"
                            "req-0001,GET,200,both\n"
                            "req-0002,POST,200,both\n"
                            "req-0003,GET,200,both\n"
                            "req-0004,DELETE,200,both\n"));
        QCOMPARE(ls::test::queryCsv(db, QStringLiteral("SELECT kind, side, count(*) FROM raw_text "
                                                       "GROUP BY 1, 2 ORDER BY 1, 2")),
                 QByteArray("kind,side,count(*)\nrequest,client,4\nrequest,server,4\n"
                            "response,client,4\n"));
        QVERIFY(rawOf(db, QStringLiteral("req-0003"), "response")
                    .endsWith("18\r\nchunk 0\nchunk 1\nchunk 2\n\r\n0\r\n\r\n"));
        QVERIFY(rawOf(db, QStringLiteral("req-0002"), "request")
                    .endsWith("{\"name\":\"gopher\",\"n\":3}"));
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QByteArray>("diag");   // expected diagnostic code
        QTest::addColumn<QByteArray>("rawHas"); // a byte string the first raw text must contain

        QTest::newRow("headers with no blank line")
            << (kPrefix + "GET /a HTTP/1.1\r\nHost: x\r\nX-Request-Id: bad\r\n" + kNext)
            << QByteArray("unterminated-head") << QByteArray("X-Request-Id: bad\r\n");
        QTest::newRow("content-length larger than body")
            << (kPrefix +
                "POST /a HTTP/1.1\r\nContent-Length: 100\r\nX-Request-Id: bad\r\n\r\n"
                "short body\n" +
                kNext)
            << QByteArray("content-length-mismatch") << QByteArray("\r\n\r\nshort body");
        QTest::newRow("nul in a header")
            << (kPrefix +
                QByteArray("GET /a HTTP/1.1\r\nX-Odd: a\0b\r\nX-Request-Id: bad\r\n\r\n", 49) +
                kNext)
            << QByteArray("nul-in-header") << QByteArray("X-Odd: a\0b\r\n", 12);
        QTest::newRow("10 MB header line")
            << (kPrefix + "GET /a HTTP/1.1\r\nX-Request-Id: bad\r\nX-Big: " +
                QByteArray(10 << 20, 'A') + "\r\n\r\n" + kNext)
            << QByteArray("header-too-long") << QByteArray("X-Request-Id: bad\r\n");
        QTest::newRow("truncated chunked body")
            << (kPrefix + "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-Request-Id: "
                          "bad\r\n\r\n10\r\n0123")
            << QByteArray("truncated-chunked-body") << QByteArray("\r\n\r\n10\r\n0123");
        QTest::newRow("chunked body cut by the next record")
            << (kPrefix +
                "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-Request-Id: "
                "bad\r\n\r\n4\r\nabcd\r\n" +
                kNext)
            << QByteArray("truncated-chunked-body") << QByteArray("4\r\nabcd\r\n");
        QTest::newRow("invalid utf-8")
            << (kPrefix +
                QByteArray("POST /\xff\xfe HTTP/1.1\r\nContent-Length: 3\r\nX-Request-Id: "
                           "bad\r\nX-Name: \xc3\x28\r\n\r\n\xff\x00\xfe",
                           74) +
                kNext)
            << QByteArray() << QByteArray("X-Name: \xc3\x28\r\n\r\n\xff\x00\xfe", 17);
        QTest::newRow("body truncated at end of file")
            << (kPrefix + "POST /a HTTP/1.1\r\nContent-Length: 50\r\nX-Request-Id: bad\r\n\r\n"
                          "only this")
            << QByteArray("truncated-body") << QByteArray("\r\n\r\nonly this");
    }

    void badInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QByteArray, diag);
        QFETCH(QByteArray, rawHas);
        QTemporaryDir dir;
        TempSession s;
        ImportOptions opt;
        opt.format = "httpdump";
        const ImportResult r = s.import(writeFile(dir, QStringLiteral("bad.log"), bytes), opt);
        QVERIFY2(r.ok, qPrintable(r.error));
        if (!diag.isEmpty()) QVERIFY2(hasDiag(r, diag), diag.constData());
        Db &db = s.session().db();
        const QByteArray raw = rawOf(db, QStringLiteral("bad"), "request");
        QVERIFY2(raw.contains(rawHas), raw.left(200).toHex().constData());
        // Everything after the bad dump is still read.
        if (bytes.endsWith(kNext)) QVERIFY(requestByKey(db, QStringLiteral("after")));
    }

    void emptyFile()
    {
        QTemporaryDir dir;
        const QString p = writeFile(dir, QStringLiteral("empty.log"), QByteArray());
        TempSession s;
        ImportResult r = s.import(p);
        QVERIFY(!r.ok);
        QVERIFY(!r.error.isEmpty());
        ImportOptions opt;
        opt.format = "httpdump";
        r = s.import(p, opt);
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QStringLiteral("empty")), qPrintable(r.error));
        QCOMPARE(countRequests(s.session().db()), qint64(0));
    }

    void wrongFormat()
    {
        QTemporaryDir dir;
        TempSession s;
        ImportOptions opt;
        opt.format = "httpdump";
        const ImportResult r = s.import(
            writeFile(dir, QStringLiteral("x.bin"), QByteArray("\x89PNG\r\n\x1a\n\0\0\0", 11)),
            opt);
        QVERIFY(!r.ok);
        QCOMPARE(countRequests(s.session().db()), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestHttpDump)
#include "tst_httpdump.moc"
