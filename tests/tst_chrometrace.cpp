// Chrome Trace Event JSON importer: every corpus file imports with the
// file's event count (counted here with QJsonDocument), exact ns from µs
// decimals, lanes named from M events, out-of-order input, events crossing
// the reader's chunk boundaries, and bad input (deep nesting, unterminated
// arrays, unmatched ends, wrong format).

#include "testsupport.h"

#include "chrome/eventsplitter.h"
#include "inputstream.h"
#include "queries.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace ls;
using namespace ls::test;

namespace {

// The events of a trace file, read independently of the importer.
QJsonArray eventsOf(const QString &path)
{
    InputStream in(path);
    QByteArray text = in.readAll().trimmed();
    QJsonParseError err;
    QJsonDocument doc = QJsonDocument::fromJson(text, &err);
    if (doc.isNull() && text.startsWith('[')) {
        // A stream that was never closed: drop a trailing comma and close it.
        while (text.endsWith(',') || text.endsWith('\n') || text.endsWith(' '))
            text.chop(1);
        doc = QJsonDocument::fromJson(text + ']', &err);
    }
    if (doc.isNull())
        qFatal("test cannot parse %s: %s", qPrintable(path), qPrintable(err.errorString()));
    return doc.isArray() ? doc.array()
                         : doc.object().value(QStringLiteral("traceEvents")).toArray();
}

} // namespace

class TestChromeTrace : public QObject
{
    Q_OBJECT
private slots:
    void corpusCounts_data();
    void corpusCounts();
    void exactMicroseconds();
    void clockKind();
    void laneNames();
    void outOfOrder();
    void chunkBoundaries();
    void splitterPieces();
    void badInput_data();
    void badInput();
};

void TestChromeTrace::corpusCounts_data()
{
    QTest::addColumn<QString>("file");
    QVERIFY(addCorpusFolderRows(QStringLiteral("public/chrome-trace-json")) >= 20);
}

void TestChromeTrace::corpusCounts()
{
    QFETCH(QString, file);
    const QJsonArray events = eventsOf(file);
    qint64 slices = 0; // X and thread B: every one becomes a span
    for (const QJsonValue &v : events) {
        const QJsonObject e = v.toObject();
        const QString ph = e.value(QStringLiteral("ph")).toString();
        if ((ph == QLatin1String("X") || ph == QLatin1String("B")) &&
            e.contains(QStringLiteral("ts")))
            ++slices;
    }
    TempSession s;
    const ImportResult r = s.import(file);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.format, QByteArray("chrome-json"));
    QCOMPARE(r.events, qint64(events.size()));
    QCOMPARE(sqlText(s.session().db(), QStringLiteral("SELECT COUNT(*) FROM span s JOIN lane l ON "
                                                      "l.id = s.lane_id WHERE l.kind = 'thread'"))
                 .toLongLong(),
             slices);
    // Spans on one lane and depth never overlap.
    QCOMPARE(
        sqlText(s.session().db(),
                QStringLiteral("SELECT COUNT(*) FROM span a JOIN span b ON a.lane_id = "
                               "b.lane_id AND a.depth = b.depth AND a.id < b.id AND a.start_ns "
                               "< b.end_ns AND b.start_ns < a.end_ns")),
        QStringLiteral("0"));
    QCOMPARE(laneReadProblems(s.session().db()), QString());
}

void TestChromeTrace::exactMicroseconds()
{
    TempSession s;
    // 16 significant digits: a double cannot hold this, the decimal text can.
    const QString path = writeFile(
        s.dir(), QStringLiteral("t.json"),
        R"([{"ph":"X","name":"a","pid":1,"tid":2,"ts":1234567890123.456,"dur":0.001,"args":{"k":[1,{"x":"}"}]}},
{"ph":"X","name":"b","pid":1,"tid":2,"ts":"1234567890124.5","dur":1},
{"ph":"i","name":"c","pid":1,"tid":2,"ts":1234567890125.0009}])");
    const ImportResult r = s.import(path);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(
        queryCsv(s.session().db(),
                 QStringLiteral("SELECT s.start_ns, s.end_ns, s.args FROM span s ORDER BY "
                                "start_ns")),
        QByteArray("start_ns,end_ns,args\n"
                   "1234567890123456,1234567890123457,\"{\"\"k\"\":[1,{\"\"x\"\":\"\"}\"\"}]}\"\n"
                   "1234567890124500,1234567890125500,\n"));
    QCOMPARE(sqlText(s.session().db(), QStringLiteral("SELECT ts_ns FROM instant")),
             QStringLiteral("1234567890125000"));
}

void TestChromeTrace::clockKind()
{
    TempSession s;
    const QString mono = writeFile(s.dir(), QStringLiteral("m.json"),
                                   R"([{"ph":"X","name":"a","pid":1,"tid":1,"ts":5,"dur":1}])");
    const QString wall = writeFile(
        s.dir(), QStringLiteral("w.json"),
        R"({"traceEvents":[{"ph":"X","name":"a","pid":1,"tid":1,"ts":1764213547000000,"dur":1}]})");
    QVERIFY(s.import(mono).ok);
    QVERIFY(s.import(wall).ok);
    QCOMPARE(queryCsv(s.session().db(),
                      QStringLiteral("SELECT clock, clock_method FROM source ORDER BY id")),
             QByteArray("clock,clock_method\nmonotonic,unaligned\nwall,wall clock\n"));
}

void TestChromeTrace::laneNames()
{
    TempSession s;
    // Names arrive after the events; pids and tids repeat across processes.
    const QString path = writeFile(s.dir(), QStringLiteral("n.json"), R"([
{"ph":"X","name":"a","pid":1,"tid":7,"ts":1,"dur":1},
{"ph":"X","name":"b","pid":2,"tid":7,"ts":1,"dur":1},
{"ph":"X","name":"c","pid":"browser","tid":"main","ts":1,"dur":1},
{"ph":"C","name":"mem","pid":1,"ts":1,"args":{"heap":10,"stack":"2"}},
{"ph":"M","name":"process_name","pid":1,"args":{"name":"server"}},
{"ph":"M","name":"thread_name","pid":1,"tid":7,"args":{"name":"worker"}}])");
    const ImportResult r = s.import(path);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(queryCsv(s.session().db(),
                      QStringLiteral("SELECT l.kind, l.name, p.name AS parent FROM lane l LEFT "
                                     "JOIN lane p ON p.id = l.parent_id ORDER BY l.kind, l.name")),
             QByteArray("kind,name,parent\n"
                        "counter,mem heap,server\n"
                        "counter,mem stack,server\n"
                        "process,browser,\n"
                        "process,pid 2,\n"
                        "process,server,\n"
                        "thread,main,browser\n"
                        "thread,tid 7,pid 2\n"
                        "thread,worker,server\n"));
    QCOMPARE(sqlText(s.session().db(),
                     QStringLiteral("SELECT GROUP_CONCAT(value) FROM instant WHERE value IS NOT "
                                    "NULL")),
             QStringLiteral("10.0,2.0"));
}

void TestChromeTrace::outOfOrder()
{
    TempSession s;
    const ImportResult r =
        s.import(corpus(QStringLiteral("public/chrome-trace-json/speedscope_out-of-order.json")));
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY(hasDiag(r, "out-of-order"));
    QCOMPARE(queryCsv(s.session().db(),
                      QStringLiteral("SELECT n.value AS name, s.start_ns, s.end_ns, s.depth FROM "
                                     "span s JOIN string n ON n.id = s.name_id ORDER BY start_ns")),
             QByteArray("name,start_ns,end_ns,depth\nA,0,10000,0\nB,1000,9000,1\nC,2000,8000,2\n"));
}

void TestChromeTrace::chunkBoundaries()
{
    // ~9 MB: events straddle the reader's 4 MiB chunks, strings hold quotes,
    // braces and brackets, and the array ends with a trailing comma.
    TempSession s;
    QByteArray text = "{\"otherData\":{\"x\":[\"]\",\"}\"]},\"traceEvents\":[\n";
    const int n = 60000;
    for (int i = 0; i < n; ++i) {
        text += "{\"ph\":\"X\",\"name\":\"ev \\\"" + QByteArray::number(i) +
                "\\\" {[\",\"pid\":1,\"tid\":" + QByteArray::number(i % 3) +
                ",\"ts\":" + QByteArray::number(i * 10) + ".5,\"dur\":2,\"args\":{\"pad\":\"" +
                QByteArray(100, 'x') + "\",\"n\":[" + QByteArray::number(i) + "]}},\n";
    }
    text += "],\"metadata\":{\"traceEvents\":[]}}";
    const QString path = writeFile(s.dir(), QStringLiteral("big.json"), text);
    const ImportResult r = s.import(path);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.events, qint64(n));
    QCOMPARE(r.spans, qint64(n));
    QVERIFY(r.diagnostics.isEmpty());
    QCOMPARE(sqlText(s.session().db(),
                     QStringLiteral("SELECT COUNT(*) FROM span WHERE json_extract(args, '$.n[0]') "
                                    "* 10000 + 500 != start_ns")),
             QStringLiteral("0"));
}

// The splitter fed in pieces of every size from 1 to 200 bytes finds the same
// events as fed whole: escapes (an escaped backslash before a closing quote, an
// escaped quote), brackets inside strings, nested objects, and events long
// enough for the 64-byte scan, with a padding that moves every byte across
// block and piece edges.
void TestChromeTrace::splitterPieces()
{
    QByteArray text = "{\"otherData\":{\"s\":\"]}\\\"\"},\"traceEvents\":[";
    for (int pad = 0; pad < 70; ++pad)
        text +=
            "{\"name\":\"" + QByteArray(pad, 'p') +
            "\\\\\",\"a\":\"\\\"}{[\\\\]\",\"n\":{\"x\":[1,{\"y\":\"}\"}],\"z\":\"\\\\\\\"\"}} ,\n";
    text += "[1,2], \"str\", 3, {\"last\":\"\\\\\"}]}";
    const auto split = [](const QByteArray &all, qsizetype piece) {
        EventSplitter sp;
        QByteArray buf;
        std::vector<EventSplitter::Range> ranges;
        QList<QByteArray> events;
        qsizetype scanFrom = 0;
        for (qsizetype at = 0; at < all.size(); at += piece) {
            buf += all.mid(at, piece);
            ranges.clear();
            const qsizetype keep = sp.feed(buf.data(), scanFrom, buf.size(), ranges);
            for (const auto &r : ranges)
                events << buf.mid(r.begin, r.end - r.begin);
            if (keep > 0) {
                buf.remove(0, keep);
                sp.dropFront(keep);
            }
            scanFrom = buf.size();
        }
        return std::make_pair(events, sp.nonObjectElements());
    };
    const auto whole = split(text, text.size());
    QCOMPARE(whole.first.size(), 71);
    QCOMPARE(whole.second, qint64(3));
    for (const QByteArray &e : whole.first)
        QVERIFY2(QJsonDocument::fromJson(e).isObject(), e.constData());
    QVERIFY(whole.first.last().contains("last"));
    for (qsizetype piece = 1; piece <= 200; ++piece) {
        const auto parts = split(text, piece);
        QCOMPARE(parts.first, whole.first);
        QCOMPARE(parts.second, whole.second);
    }

    // Runs of 0-5 backslashes before quotes and brackets, at every position
    // of a 64-byte block the scanner reads at once.
    QByteArray runs = "[";
    QList<QByteArray> expected;
    for (int n = 0; n <= 5; ++n)
        for (int pad = 0; pad < 64; ++pad) {
            QByteArray bs;
            for (int k = 0; k < n; ++k)
                bs += "\\\\"; // an escaped backslash
            const QByteArray e = "{\"p\":\"" + QByteArray(pad, 'p') + "\",\"s\":\"" + bs +
                                 "\\\"}]" + bs + "\",\"o\":{\"a\":[\"" + bs + "\"]}}";
            expected << e;
            runs += e + (n == 5 && pad == 63 ? "]" : ",");
        }
    for (qsizetype piece : {qsizetype(runs.size()), qsizetype(64), qsizetype(65), qsizetype(100),
                            qsizetype(127), qsizetype(129)}) {
        const auto parts = split(runs, piece);
        QCOMPARE(parts.first, expected);
    }
    for (const QByteArray &e : std::as_const(expected))
        QVERIFY2(QJsonDocument::fromJson(e).isObject(), e.constData());
}

void TestChromeTrace::badInput_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QByteArray>("format"); // forced importer, empty: sniff
    QTest::addColumn<QString>("error");     // expected in the error; empty: must import
    QTest::addColumn<QByteArray>("diag");   // expected diagnostic when it imports
    const QByteArray deep = QByteArray(10000, '[') + QByteArray(10000, ']');
    QTest::newRow("nested 10000 deep array")
        << QByteArray("[" + deep + "]") << QByteArray("chrome-json")
        << QStringLiteral("no usable trace event") << QByteArray();
    QTest::newRow("nested 10000 deep inside an event")
        << QByteArray(R"([{"ph":"X","name":"a","ts":1,"dur":1},{"ph":"X","ts":1,"args":)" + deep +
                      "}]")
        << QByteArray() << QString() << QByteArray("bad-event-json");
    QTest::newRow("nested 10000 deep objects in traceEvents")
        << QByteArray("{\"traceEvents\":[" + QByteArray(10000, '{').replace("{", "{\"a\":") + "1" +
                      QByteArray(10000, '}') + "]}")
        << QByteArray() << QString() << QByteArray("bad-event-json");
    QTest::newRow("unterminated array mid-event")
        << QByteArray(R"([{"ph":"X","name":"a","ts":1,"dur":1},{"ph":"B","name":"b","ts":)")
        << QByteArray() << QString() << QByteArray("truncated-event");
    QTest::newRow("unterminated string")
        << QByteArray(R"([{"ph":"X","name":"a","ts":1,"dur":1},{"ph":"B","name":"b)")
        << QByteArray() << QString() << QByteArray("truncated-event");
    QTest::newRow("unmatched end")
        << QByteArray(R"([{"ph":"E","ts":1,"pid":1,"tid":1},{"ph":"B","ts":2,"pid":1,"tid":1}])")
        << QByteArray() << QString() << QByteArray("unmatched-end");
    QTest::newRow("invalid event json")
        << QByteArray(R"([{"ph":"X","ts":1,"dur":1},{"ph":"X","ts":1,"dur":1,"a":tru}])")
        << QByteArray() << QString() << QByteArray("bad-event-json");
    QTest::newRow("missing ts") << QByteArray(R"([{"ph":"X","dur":1}])") << QByteArray()
                                << QString() << QByteArray("missing-ts");
    QTest::newRow("object without traceEvents")
        << QByteArray(R"({"foo":[1,2]})") << QByteArray("chrome-json")
        << QStringLiteral("without a traceEvents") << QByteArray();
    QTest::newRow("not json") << QByteArray("hello world\n") << QByteArray("chrome-json")
                              << QStringLiteral("not a Chrome trace") << QByteArray();
    QTest::newRow("empty file") << QByteArray() << QByteArray("chrome-json")
                                << QStringLiteral("empty") << QByteArray();
    QTest::newRow("array of numbers") << QByteArray("[1,2,3]") << QByteArray("chrome-json")
                                      << QStringLiteral("no usable") << QByteArray();
}

void TestChromeTrace::badInput()
{
    QFETCH(QByteArray, content);
    QFETCH(QByteArray, format);
    QFETCH(QString, error);
    QFETCH(QByteArray, diag);
    TempSession s;
    const QString path = writeFile(s.dir(), QStringLiteral("bad.json"), content);
    ImportOptions opt;
    opt.format = format;
    const ImportResult r = s.import(path, opt);
    if (!error.isEmpty()) {
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(error), qPrintable(r.error));
        QVERIFY(r.error.contains(QStringLiteral("bad.json")));
        return;
    }
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.format, QByteArray("chrome-json"));
    QVERIFY2(hasDiag(r, diag), diag.constData());
}

QTEST_GUILESS_MAIN(TestChromeTrace)
#include "tst_chrometrace.moc"
