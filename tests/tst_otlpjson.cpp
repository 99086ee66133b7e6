// OTLP/JSON importer: corpus span counts (counted here with QJsonDocument),
// requests from server/client spans with HTTP attributes, ids in hex and
// base64, JSON Lines, old field names, flows for parents and links, and bad
// input.

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
    qint64 n = 0;
    const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    for (const QJsonValue rs : root.value(QStringLiteral("resourceSpans")).toArray()) {
        QJsonArray scopes = rs.toObject().value(QStringLiteral("scopeSpans")).toArray();
        if (scopes.isEmpty())
            scopes = rs.toObject().value(QStringLiteral("instrumentationLibrarySpans")).toArray();
        for (const QJsonValue sc : scopes)
            n += sc.toObject().value(QStringLiteral("spans")).toArray().size();
    }
    return n;
}

} // namespace

class TestOtlpJson : public QObject
{
    Q_OBJECT
private slots:
    void corpusCounts_data();
    void corpusCounts();
    void requestsAndFlows();
    void badInput_data();
    void badInput();
};

void TestOtlpJson::corpusCounts_data()
{
    QTest::addColumn<QString>("file");
    addCorpusFolderRows(QStringLiteral("public/otlp-json"));
}

void TestOtlpJson::corpusCounts()
{
    QFETCH(QString, file);
    checkSpanImport(file, "otlp-json", countSpans(file));
}

void TestOtlpJson::requestsAndFlows()
{
    TempSession s;
    // Two documents as JSON Lines; the second uses the pre-0.19 field names,
    // base64 ids (the same trace id as the first) and numeric times.
    const QByteArray line1 =
        R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeSpans":[{"scope":{"name":"x"},"spans":[
{"traceId":"0AF7651916CD43DD8448EB211C80319C","spanId":"B7AD6B7169203331","name":"GET /orders/{id}","kind":2,"startTimeUnixNano":"1764213547000000000","endTimeUnixNano":"1764213547250000000",
 "attributes":[{"key":"http.request.method","value":{"stringValue":"GET"}},{"key":"http.route","value":{"stringValue":"/orders/{id}"}},{"key":"http.response.status_code","value":{"intValue":"503"}},{"key":"retry","value":{"boolValue":true}},{"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"7"}]}}}],
 "events":[{"timeUnixNano":"1764213547100000000","name":"cache miss","attributes":[{"key":"k","value":{"stringValue":"v"}}]}],
 "status":{"code":2,"message":"upstream timeout"}},
{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7","parentSpanId":"b7ad6b7169203331","name":"SELECT","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"1764213547010000000","endTimeUnixNano":"1764213547200000000","attributes":[{"key":"db.system","value":{"stringValue":"postgresql"}}],"status":{}}]}]}]}
)";
    const QByteArray line2 =
        R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"worker"}}]},"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"old"},"spans":[
{"traceId":"CvdlGRbNQ92ESOshHIAxnA==","spanId":"AAAAAAAAAAE=","name":"job","kind":1,"startTimeUnixNano":1764213547300000000,"endTimeUnixNano":1764213547400000000,
 "links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331"}]}]}]}]}
)";
    const QString path = writeFile(s.dir(), QStringLiteral("t.jsonl"),
                                   QByteArray(line1).replace("\n{", "{") + line2);
    const ImportResult r = s.import(path);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.format, QByteArray("otlp-json"));
    QCOMPARE(r.spans, 3);
    const Db &db = s.session().db();
    QCOMPARE(queryCsv(db, QStringLiteral("SELECT key, method, url, status, error, side, start_ns, "
                                         "end_ns FROM request")),
             QByteArray("key,method,url,status,error,side,start_ns,end_ns\n"
                        "0af7651916cd43dd8448eb211c80319c,GET,/orders/{id},503,upstream timeout,"
                        "both,1764213547010000000,1764213547200000000\n"));
    QCOMPARE(queryCsv(db, QStringLiteral(
                              "SELECT l.kind, l.name AS lane, n.value AS name, c.value AS cat, "
                              "s.depth, s.request_id IS NOT NULL AS linked, "
                              "json_extract(s.args, '$.span_id') AS span_id FROM span s JOIN lane "
                              "l ON l.id = s.lane_id JOIN string n ON n.id = s.name_id JOIN string "
                              "c ON c.id = s.category_id ORDER BY s.start_ns")),
             QByteArray("kind,lane,name,cat,depth,linked,span_id\n"
                        "service,api,GET /orders/{id},server,0,1,b7ad6b7169203331\n"
                        "service,api,SELECT,client,1,1,00f067aa0ba902b7\n"
                        "service,worker,job,internal,0,1,0000000000000001\n"));
    QCOMPARE(queryCsv(db, QStringLiteral("SELECT json_extract(args, '$.attributes.tags') AS tags, "
                                         "json_extract(args, '$.attributes.retry') AS retry, "
                                         "json_extract(args, '$.status.code') AS status FROM span "
                                         "WHERE json_extract(args, '$.span_id') = "
                                         "'b7ad6b7169203331'")),
             QByteArray("tags,retry,status\n\"[\"\"a\"\",7]\",1,2\n"));
    QCOMPARE(queryCsv(db, QStringLiteral("SELECT f.kind, json_extract(a.args, '$.span_id') AS "
                                         "from_span, json_extract(b.args, '$.span_id') AS to_span "
                                         "FROM flow f JOIN span a ON a.id = f.from_span_id JOIN "
                                         "span b ON b.id = f.to_span_id ORDER BY f.kind")),
             QByteArray("kind,from_span,to_span\n"
                        "link,b7ad6b7169203331,0000000000000001\n"
                        "parent,b7ad6b7169203331,00f067aa0ba902b7\n"));
    QCOMPARE(
        queryCsv(db, QStringLiteral("SELECT i.ts_ns, n.value AS name, i.args FROM instant i "
                                    "JOIN string n ON n.id = i.name_id")),
        QByteArray("ts_ns,name,args\n1764213547100000000,cache miss,\"{\"\"k\"\":\"\"v\"\"}\"\n"));
    QCOMPARE(queryCsv(db, QStringLiteral("SELECT clock FROM source")), QByteArray("clock\nwall\n"));
}

void TestOtlpJson::badInput_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("error");
    QTest::newRow("truncated") << QByteArray(
                                      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":)")
                               << QStringLiteral("JSON");
    QTest::newRow("nested 10000 deep")
        << QByteArray("{\"resourceSpans\":" + QByteArray(10000, '[') + QByteArray(10000, ']') + "}")
        << QStringLiteral("JSON");
    QTest::newRow("no resourceSpans")
        << QByteArray(R"({"foo":1})") << QStringLiteral("no resourceSpans");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
    QTest::newRow("text") << QByteArray("hello\n") << QStringLiteral("JSON");
}

void TestOtlpJson::badInput()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, error);
    TempSession s;
    const QString path = writeFile(s.dir(), QStringLiteral("bad.json"), content);
    ImportOptions opt;
    opt.format = "otlp-json";
    const ImportResult r = s.import(path, opt);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(error), qPrintable(r.error));
    QVERIFY(r.error.contains(QStringLiteral("bad.json")));
}

QTEST_GUILESS_MAIN(TestOtlpJson)
#include "tst_otlpjson.moc"
