// Jaeger JSON importer: corpus span counts (counted here with
// QJsonDocument), the three container shapes, processes → service lanes,
// references → parent and link flows, typed tags, requests by trace id, and
// bad input.

#include "testsupport.h"

#include "queries.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace ls;
using namespace ls::test;

namespace {

qint64 countSpans(const QString &path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
    if (doc.isArray()) return doc.array().size();
    const QJsonObject root = doc.object();
    if (!root.contains(QStringLiteral("data")))
        return root.value(QStringLiteral("spans")).toArray().size();
    qint64 n = 0;
    for (const QJsonValue t : root.value(QStringLiteral("data")).toArray())
        n += t.toObject().value(QStringLiteral("spans")).toArray().size();
    return n;
}

} // namespace

class TestJaegerJson : public QObject
{
    Q_OBJECT
private slots:
    void corpusCounts_data();
    void corpusCounts();
    void processesAndTags();
    void requestsAndFlows();
    void badInput_data();
    void badInput();
};

void TestJaegerJson::corpusCounts_data()
{
    QTest::addColumn<QString>("file");
    addCorpusFolderRows(QStringLiteral("public/jaeger-json"));
}

void TestJaegerJson::corpusCounts()
{
    QFETCH(QString, file);
    checkSpanImport(file, "jaeger-json", countSpans(file));
}

void TestJaegerJson::processesAndTags()
{
    TempSession s;
    const ImportResult r = s.import(corpus(QStringLiteral("public/jaeger-json/jaeger_ui_01.json")));
    QVERIFY2(r.ok, qPrintable(r.error));
    const Db &db = s.session().db();
    // A 64-bit trace id padded to 32 digits, the service from processes,
    // int64 beyond 2^53 kept exact, logs as instants.
    QCOMPARE(queryCsv(db, QStringLiteral("SELECT DISTINCT json_extract(s.args, '$.trace_id') AS "
                                         "trace, l.name FROM span s JOIN lane l ON l.id = "
                                         "s.lane_id ORDER BY l.name")),
             QByteArray("trace,name\n00000000000000000000000000000001,service-x\n"
                        "00000000000000000000000000000001,service-y\n"));
    QCOMPARE(queryCsv(db, QStringLiteral("SELECT json_extract(args, "
                                         "'$.attributes.javascript_limit') AS v FROM span WHERE "
                                         "json_extract(args, '$.attributes.javascript_limit') IS "
                                         "NOT NULL")),
             QByteArray("v\n9223372036854775222\n"));
    QVERIFY(queryCsv(db, QStringLiteral("SELECT COUNT(*) FROM instant")) != "COUNT(*)\n0\n");
}

void TestJaegerJson::requestsAndFlows()
{
    TempSession s;
    const QString path = writeFile(
        s.dir(), QStringLiteral("t.json"),
        R"({"data":[{"traceID":"1f2e3d4c5b6a7988","processes":{"p1":{"serviceName":"frontend","tags":[]},"p2":{"serviceName":"db","tags":[]}},
"spans":[
{"traceID":"1f2e3d4c5b6a7988","spanID":"0000000000000001","operationName":"HTTP GET /cart","references":[],"startTime":1764213547000000,"duration":120000,"processID":"p1",
 "tags":[{"key":"span.kind","type":"string","value":"server"},{"key":"http.method","type":"string","value":"GET"},{"key":"http.url","type":"string","value":"http://shop/cart"},{"key":"http.status_code","type":"int64","value":200}],"logs":[]},
{"traceID":"1f2e3d4c5b6a7988","spanID":"0000000000000002","operationName":"query","references":[{"refType":"CHILD_OF","traceID":"1f2e3d4c5b6a7988","spanID":"0000000000000001"}],"startTime":1764213547010000,"duration":50000,"processID":"p2","tags":[{"key":"error","type":"bool","value":"true"}],"logs":[{"timestamp":1764213547020000,"fields":[{"key":"event","type":"string","value":"retry"}]}]},
{"traceID":"1f2e3d4c5b6a7988","spanID":"0000000000000003","operationName":"audit","references":[{"refType":"FOLLOWS_FROM","traceID":"1f2e3d4c5b6a7988","spanID":"0000000000000001"},{"refType":"CHILD_OF","traceID":"ffffffffffffffff","spanID":"0000000000000009"}],"startTime":1764213547130000,"duration":1000,"processID":"p1","tags":[]}
]}],"total":0,"limit":0,"offset":0,"errors":null})");
    const ImportResult r = s.import(path);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.format, QByteArray("jaeger-json"));
    const Db &db = s.session().db();
    QCOMPARE(queryCsv(db, QStringLiteral("SELECT key, method, url, status, side, start_ns, end_ns "
                                         "FROM request")),
             QByteArray("key,method,url,status,side,start_ns,end_ns\n"
                        "00000000000000001f2e3d4c5b6a7988,GET,http://shop/cart,200,server,"
                        "1764213547000000000,1764213547120000000\n"));
    QCOMPARE(queryCsv(db, QStringLiteral("SELECT l.name AS lane, n.value AS name, s.depth, "
                                         "json_extract(s.args, '$.status.code') AS status FROM "
                                         "span s JOIN lane l ON l.id = s.lane_id JOIN string n ON "
                                         "n.id = s.name_id ORDER BY s.start_ns")),
             QByteArray("lane,name,depth,status\nfrontend,HTTP GET /cart,0,\ndb,query,0,2\n"
                        "frontend,audit,0,\n"));
    QCOMPARE(queryCsv(db, QStringLiteral("SELECT f.kind, json_extract(a.args, '$.span_id') AS "
                                         "from_span, json_extract(b.args, '$.span_id') AS to_span "
                                         "FROM flow f JOIN span a ON a.id = f.from_span_id JOIN "
                                         "span b ON b.id = f.to_span_id ORDER BY f.kind")),
             QByteArray("kind,from_span,to_span\n"
                        "link,0000000000000001,0000000000000003\n"
                        "parent,0000000000000001,0000000000000002\n"));
    bool missing = false;
    for (const DiagnosticInfo &d : r.diagnostics)
        missing = missing || d.code == "missing-reference";
    QVERIFY(missing);
}

void TestJaegerJson::badInput_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("error");
    QTest::newRow("truncated") << QByteArray(R"({"data":[{"traceID":"1","spans":[{"spanID":)")
                               << QStringLiteral("JSON");
    QTest::newRow("nested 10000 deep")
        << QByteArray("{\"data\":" + QByteArray(10000, '[') + QByteArray(10000, ']') + "}")
        << QStringLiteral("JSON");
    QTest::newRow("object without data or spans")
        << QByteArray(R"({"traceID":"1"})") << QStringLiteral("without data or spans");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
}

void TestJaegerJson::badInput()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, error);
    TempSession s;
    const QString path = writeFile(s.dir(), QStringLiteral("bad.json"), content);
    ImportOptions opt;
    opt.format = "jaeger-json";
    const ImportResult r = s.import(path, opt);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(error), qPrintable(r.error));
}

QTEST_GUILESS_MAIN(TestJaegerJson)
#include "tst_jaegerjson.moc"
