// Go execution traces: every public sample imports, the gen corpus trace has
// the goroutines and tasks the file holds, goroutine state spans tile each
// goroutine's life, cut and corrupted files import what came before with a
// diagnostic, and a trace lines up with the server log by request keys.

#include "countingsink.h"
#include "exectrace/exectrace.h"
#include "exectrace/v2parser.h"
#include "inputstream.h"
#include "queries.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <chrono>
#include <malloc.h>
#include <thread>

using namespace ls;
using namespace ls::test;

namespace {

bool hasDiag(const ImportResult &r)
{
    return !r.diagnostics.isEmpty();
}

// Depth-0 spans of goroutine lanes that do not start where the previous one
// of the same lane ended (a gap or an overlap).
// Overlaps only: a corrupted file may end a goroutine and use its id again
// later, which leaves a legitimate gap between the two lives.
const char kOverlaps[] =
    "SELECT count(*) FROM (SELECT span.start_ns AS s, LAG(span.end_ns) OVER (PARTITION BY "
    "span.lane_id ORDER BY span.start_ns, span.end_ns) AS prev FROM span JOIN lane ON lane.id = "
    "span.lane_id WHERE lane.kind = 'goroutine' AND span.depth = 0) WHERE prev > s";
const char kTilingBreaks[] =
    "SELECT count(*) FROM (SELECT span.start_ns AS s, LAG(span.end_ns) OVER (PARTITION BY "
    "span.lane_id ORDER BY span.start_ns, span.end_ns) AS prev FROM span JOIN lane ON lane.id = "
    "span.lane_id WHERE lane.kind = 'goroutine' AND span.depth = 0) WHERE prev IS NOT NULL AND "
    "prev != s";

} // namespace

class TestExecTrace : public QObject
{
    Q_OBJECT

private slots:
    void publicV1_data();
    void publicV1();
    void genTrace();
    void clientTrace();
    void alignsWithServerLog();
    void truncated_data();
    void truncated();
    void corrupted_data();
    void corrupted();
    void wrongFormat_data();
    void wrongFormat();
    void publicV2_data();
    void publicV2();
    void textMatchesBinary();
    void v2Annotations();
    void v2ClockSnapshot();
    void v2NewerVersion();
    void v2Truncated();
    void v2MemoryDoesNotGrowWithGenerations();
    void v2EndedTasksAreDropped();
    void v2EndedGoroutinesAreDropped();
    void v2MatchesGoToolTrace_data();
    void v2MatchesGoToolTrace();
    void v2TextEndOfGeneration();
    void v2ProcStatusIdle();
    void v2ClockPerGeneration();
    void v2Gzipped();
    void v2CutAnywhere_data();
    void v2CutAnywhere();
    void v2FuzzSeeds_data();
    void v2FuzzSeeds();
};

void TestExecTrace::publicV1_data()
{
    QTest::addColumn<QString>("file");
    test::addCorpusFolderRows(QStringLiteral("public/go-exectrace-v1"));
}

void TestExecTrace::publicV1()
{
    QFETCH(QString, file);
    test::TempSession s;
    const ImportResult r = s.import(file);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.format, QByteArray("go-exectrace"));
    QVERIFY(r.events > 0);
    QCOMPARE(scalar(s.session().db(), QString::fromLatin1(kTilingBreaks)), 0);
    // Every goroutine lane has state spans.
    QCOMPARE(scalar(s.session().db(),
                    QStringLiteral("SELECT count(*) FROM lane WHERE kind = 'goroutine' AND id NOT "
                                   "IN (SELECT lane_id FROM span WHERE depth = 0)")),
             0);
    if (file.contains(QLatin1String("unordered")))
        QVERIFY(hasDiag(r)); // timestamps out of order on purpose
    if (file.contains(QLatin1String("user_task_region"))) QCOMPARE(r.requests, qint64(1));
    QCOMPARE(test::laneReadProblems(s.session().db()), QString());
}

void TestExecTrace::genTrace()
{
    test::TempSession s;
    const ImportResult r = s.import(test::corpus(QStringLiteral("gen/trace.out")));
    QVERIFY2(r.ok, qPrintable(r.error));
    const Db &db = s.session().db();
    // `go tool trace -d` of Go 1.19 prints 135823 events naming 981 distinct
    // goroutines (g=0, "no goroutine", aside).
    QCOMPARE(r.events, qint64(135823));
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM lane WHERE kind = 'goroutine'")),
             qint64(981));
    // One http.request task per request the server handled: the client's
    // requests plus ApacheBench's, as truth.json lists them.
    const QJsonObject truth =
        QJsonDocument::fromJson(readFile(test::corpus(QStringLiteral("gen/truth.json"))))
            .object()[QStringLiteral("main_run")]
            .toObject();
    const qint64 expected = truth[QStringLiteral("requests")].toArray().size() +
                            truth[QStringLiteral("server_only_requests")].toArray().size();
    QCOMPARE(expected, qint64(500));
    // The breakdown of a request's time by goroutine state: the lock-heavy
    // requests spent, blocked on sync, the lock wait the server measured.
    QHash<QString, qint64> lockWait;
    for (const char *list : {"requests", "server_only_requests"})
        for (const QJsonValue &v : truth[QLatin1String(list)].toArray()) {
            const QJsonObject o = v.toObject();
            lockWait.insert(o[QStringLiteral("req_id")].toString(),
                            qint64(o[QStringLiteral("server_metrics")]
                                       .toObject()[QStringLiteral("lock_wait_ns")]
                                       .toDouble()));
        }
    // The most GC-heavy request (truth.json: 9 GC cycles during it).
    QCOMPARE(truth[QStringLiteral("gc_heavy")].toArray().first().toString(),
             QStringLiteral("06224e05-d692-4432-888a-31efdd3d2c97"));
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM span s JOIN lane l ON l.id = "
                                       "s.lane_id, request r WHERE r.key = "
                                       "'06224e05-d692-4432-888a-31efdd3d2c97' AND l.kind = 'gc' "
                                       "AND s.depth = 0 AND s.start_ns >= r.server_start_ns AND "
                                       "s.start_ns < r.server_end_ns")),
             9);
    const QJsonArray lockHeavy = truth[QStringLiteral("lock_heavy")].toArray();
    QCOMPARE(lockHeavy.size(), 5);
    for (const QJsonValue &v : lockHeavy) {
        const QString key = v.toString();
        const qint64 blocked = scalar(
            db, QStringLiteral("SELECT sum(s.end_ns - s.start_ns) FROM span s JOIN string c ON "
                               "c.id = s.category_id JOIN request r ON r.id = s.request_id WHERE "
                               "r.key = '%1' AND s.depth = 0 AND c.value = 'blocked-sync'")
                    .arg(key));
        QVERIFY2(qAbs(blocked - lockWait.value(key)) < 1'000'000,
                 qPrintable(QStringLiteral("%1: blocked-sync %2 ns, lock wait %3 ns")
                                .arg(key)
                                .arg(blocked)
                                .arg(lockWait.value(key))));
    }
    QCOMPARE(r.requests, expected);
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM request WHERE side = 'server'")),
             expected);
    QCOMPARE(scalar(db, QString::fromLatin1(kTilingBreaks)), 0);
    // No span is negative; regions sit inside requests.
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM span WHERE end_ns < start_ns")), 0);
    QVERIFY(scalar(db, QStringLiteral("SELECT count(*) FROM span JOIN string c ON c.id = "
                                      "span.category_id WHERE c.value = 'region' AND request_id "
                                      "IS NOT NULL")) > 1000);
    // Lanes, flows, counters, GC, samples.
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM lane WHERE kind = 'gc'")), 1);
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM lane WHERE kind = 'proc'")), 2);
    QVERIFY(scalar(db, QStringLiteral("SELECT count(*) FROM flow WHERE kind = 'create'")) > 900);
    QVERIFY(scalar(db, QStringLiteral("SELECT count(*) FROM flow WHERE kind = 'unblock'")) > 3000);
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM span JOIN string n ON n.id = "
                                       "span.name_id WHERE n.value LIKE 'GC %' AND depth = 0")),
             47); // GCStart events in the file
    QVERIFY(scalar(db, QStringLiteral("SELECT count(*) FROM instant JOIN lane ON lane.id = "
                                      "instant.lane_id WHERE lane.kind = 'counter' AND "
                                      "lane.name = 'heap'")) > 20000);
    QCOMPARE(scalar(db, QStringLiteral("SELECT min(value) FROM instant JOIN lane ON lane.id = "
                                       "instant.lane_id WHERE lane.name = 'goroutines'")) >= 0,
             true);
    QCOMPARE(r.samples, qint64(86)); // CPUSample events
    // The background sweeper's 27860 yields (GoSched events of g3): almost
    // all are folded into its running spans and counted there.
    QVERIFY(scalar(db, QStringLiteral("SELECT sum(json_extract(span.args, '$.yields')) FROM span "
                                      "JOIN lane ON lane.id = span.lane_id WHERE lane.name = "
                                      "'g3 runtime.bgsweep'")) > 27000);
    // Samples with a goroutine sit on its lane.
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM sample WHERE ts_ns IS NULL")), 0);
    QVERIFY(scalar(db, QStringLiteral("SELECT count(*) FROM sample WHERE lane_id IS NOT NULL")) >=
            80);
    // Goroutines are named by their start function and grouped by creator.
    QVERIFY(scalar(db, QStringLiteral("SELECT count(*) FROM lane WHERE kind = 'goroutine' AND "
                                      "name LIKE '% net/http.(*conn).serve' AND parent_id IS NOT "
                                      "NULL")) > 100);
    // A request's route and status come from the task's logs.
    const QByteArray row = test::queryCsv(
        db, QStringLiteral("SELECT method, url, handler, status FROM request WHERE key = "
                           "'fb2ca239-1a88-41b0-9b4d-79b969fd5bcf'"));
    QCOMPARE(row, QByteArray("method,url,handler,status\nGET,/api/flaky,flaky,500\n"));
    const QByteArray clock =
        test::queryCsv(db, QStringLiteral("SELECT clock, clock_method FROM source WHERE id = 1"));
    QCOMPARE(clock, QByteArray("clock,clock_method\nmonotonic,unaligned\n"));
}

void TestExecTrace::clientTrace()
{
    test::TempSession s;
    const ImportResult r = s.import(test::corpus(QStringLiteral("gen/client_trace.out")));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.requests, qint64(300));
    QCOMPARE(scalar(s.session().db(),
                    QStringLiteral("SELECT count(*) FROM request WHERE side = 'client'")),
             300);
    QCOMPARE(scalar(s.session().db(), QString::fromLatin1(kTilingBreaks)), 0);
    // The client's wg.Wait() is a WaitGroup wait, not a mutex (the old trace
    // format says "sync" for both; the blocking stack tells them apart).
    const QString syncNamed =
        QStringLiteral("SELECT count(*) FROM span s JOIN string c ON c.id = s.category_id JOIN "
                       "string n ON n.id = s.name_id WHERE c.value = 'blocked-sync' AND n.value "
                       "= '%1'");
    QVERIFY(scalar(s.session().db(), syncNamed.arg(QLatin1String("sync.WaitGroup"))) >= 1);
    // And every state still called a mutex has no WaitGroup frame on top.
    QCOMPARE(scalar(s.session().db(),
                    QStringLiteral(
                        "SELECT count(*) FROM span s JOIN string c ON c.id = s.category_id JOIN "
                        "string n ON n.id = s.name_id JOIN callsite cs ON cs.id = "
                        "json_extract(s.args, '$.stack') JOIN frame f ON f.id = cs.frame_id "
                        "WHERE c.value = 'blocked-sync' AND n.value = 'sync.Mutex' AND "
                        "f.function LIKE 'sync.(*WaitGroup)%'")),
             0);
}

void TestExecTrace::alignsWithServerLog()
{
    test::TempSession s;
    const ImportResult log = s.import(test::corpus(QStringLiteral("gen/server.jsonl")));
    QVERIFY2(log.ok, qPrintable(log.error));
    const ImportResult tr = s.import(test::corpus(QStringLiteral("gen/trace.out")));
    QVERIFY2(tr.ok, qPrintable(tr.error));
    const Db &db = s.session().db();
    QCOMPARE(test::queryCsv(db, QStringLiteral("SELECT clock_method FROM source WHERE id = 2")),
             QByteArray("clock_method\nrequest keys (median of 500)\n"));
    // The trace's inject_delay region and the log's inject_delay step of the
    // same request now start within a millisecond of each other.
    const QString q = QStringLiteral(
        "SELECT %1 FROM span s JOIN string n ON n.id = s.name_id JOIN phase p ON p.request_id = "
        "s.request_id AND p.name = n.value WHERE n.value = 'inject_delay'");
    QCOMPARE(scalar(db, q.arg(QStringLiteral("count(*)"))), 500);
    QVERIFY(scalar(db, q.arg(QStringLiteral("max(abs(s.start_ns - p.start_ns))"))) < 1'000'000);
    // Merged requests keep their wall-clock server times.
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM request WHERE server_start_ns < "
                                       "1700000000000000000")),
             0);
    // The alignment moved the trace's runs with its rows.
    QCOMPARE(test::laneReadProblems(db), QString());
}

void TestExecTrace::truncated_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("gen tasks 1.19")
        << QStringLiteral("public/go-exectrace-v1/generated_go1.19.8_http_tasks.trace");
    QTest::newRow("http 1.19") << QStringLiteral("public/go-exectrace-v1/http_1_19_good.trace");
    QTest::newRow("http 1.5") << QStringLiteral("public/go-exectrace-v1/http_1_5_good.trace");
}

void TestExecTrace::truncated()
{
    QFETCH(QString, file);
    const QByteArray full = readFile(test::corpus(file));
    QTemporaryDir dir;
    for (qsizetype cut = 1024; cut < full.size(); cut += 1024) {
        const QString p =
            test::writeFile(dir, QStringLiteral("cut%1.trace").arg(cut), full.first(cut));
        test::TempSession s;
        const ImportResult r = s.import(p);
        QVERIFY2(r.ok, qPrintable(QStringLiteral("cut at %1: %2").arg(cut).arg(r.error)));
        QVERIFY2(hasDiag(r), qPrintable(QStringLiteral("cut at %1: no diagnostic").arg(cut)));
        QVERIFY(r.events > 0);
        QCOMPARE(scalar(s.session().db(), QString::fromLatin1(kTilingBreaks)), 0);
    }
    // The header alone holds nothing to import: a clean error.
    test::TempSession s;
    const ImportResult r = s.import(test::writeFile(dir, QStringLiteral("header"), full.first(16)));
    QVERIFY(!r.ok);
    QVERIFY(r.error.contains(QLatin1String("no ")));
}

void TestExecTrace::corrupted_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("v1 http 1.19") << QStringLiteral("public/go-exectrace-v1/http_1_19_good.trace");
    QTest::newRow("v1 tasks 1.19")
        << QStringLiteral("public/go-exectrace-v1/generated_go1.19.8_http_tasks.trace");
    QTest::newRow("v1 http 1.5") << QStringLiteral("public/go-exectrace-v1/http_1_5_good.trace");
    QTest::newRow("v2 gc stress") << QStringLiteral(
        "public/go-exectrace-v2/binary/go122-gc-stress.trace");
    QTest::newRow("v2 annotations")
        << QStringLiteral("public/go-exectrace-v2/binary/go122-annotations-stress.trace");
}

void TestExecTrace::corrupted()
{
    // Random bytes overwritten, inserted or removed after the header; more
    // rounds with LANESCOPE_FUZZ_ROUNDS (e.g. under a sanitizer build).
    QFETCH(QString, file);
    const QByteArray full = readFile(test::corpus(file));
    QTemporaryDir dir;
    QRandomGenerator rng(42);
    const int rounds = qEnvironmentVariableIsSet("LANESCOPE_FUZZ_ROUNDS")
                           ? qEnvironmentVariableIntValue("LANESCOPE_FUZZ_ROUNDS")
                           : 40;
    for (int round = 0; round < rounds; ++round) {
        QByteArray bad = full;
        for (int k = 0; k < 1 + round % 8; ++k) {
            const qsizetype at = 16 + qsizetype(rng.bounded(quint32(bad.size() - 16)));
            switch (rng.bounded(4)) {
            case 0:
                bad.insert(at, char(rng.bounded(256)));
                break;
            case 1:
                bad.remove(at, 1 + qsizetype(rng.bounded(8)));
                break;
            default:
                bad[at] = char(rng.bounded(256));
                break;
            }
            if (bad.size() <= 17) bad = full;
        }
        test::TempSession s;
        const ImportResult r =
            s.import(test::writeFile(dir, QStringLiteral("bad%1.trace").arg(round), bad));
        // Either imported (with what could be read) or a clean error: never a crash.
        if (r.ok)
            QCOMPARE(scalar(s.session().db(), QString::fromLatin1(kOverlaps)), 0);
        else
            QVERIFY(!r.error.isEmpty());
    }
}

void TestExecTrace::wrongFormat_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("error");
    QTest::newRow("bad header") << QByteArray("go 1.x trace\0\0\0\0\x01\x02", 18)
                                << QStringLiteral("header");
    QTest::newRow("empty after header")
        << QByteArray("go 1.19 trace\0\0\0", 16) << QStringLiteral("no events");
}

void TestExecTrace::wrongFormat()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, error);
    QTemporaryDir dir;
    test::TempSession s;
    ImportOptions opt;
    opt.format = "go-exectrace";
    const ImportResult r = s.import(test::writeFile(dir, QStringLiteral("x.trace"), data), opt);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(error), qPrintable(r.error));
}

void TestExecTrace::publicV2_data()
{
    QTest::addColumn<QString>("file");
    for (const char *sub : {"binary", "text"})
        test::addCorpusFolderRows(QStringLiteral("public/go-exectrace-v2/") + QLatin1String(sub),
                                  QLatin1String(sub) + QLatin1Char('/'));
}

void TestExecTrace::publicV2()
{
    QFETCH(QString, file);
    test::TempSession s;
    const ImportResult r = s.import(file);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.format, QByteArray("go-exectrace"));
    // fail-first-gen-first (which the Go reader rejects) has no whole
    // generation: its first lacks its tables, its second its frequency.
    const bool noWholeGeneration = file.contains(QLatin1String("fail-first-gen-first"));
    QVERIFY(r.events > 0 || noWholeGeneration);
    if (noWholeGeneration) QVERIFY(hasDiag(r, "incomplete-generation"));
    // create-syscall-with-p ends goroutine 4 and creates it again (the Go
    // reader rejects the file): two lives, a gap between them.
    const bool twoLives = file.contains(QLatin1String("create-syscall-with-p"));
    QCOMPARE(scalar(s.session().db(), QString::fromLatin1(twoLives ? kOverlaps : kTilingBreaks)),
             0);
    if (file.contains(QLatin1String("fail-first-gen-first")))
        QVERIFY(hasDiag(r)); // its second generation is cut
    QCOMPARE(test::laneReadProblems(s.session().db()), QString());
}

void TestExecTrace::textMatchesBinary()
{
    // The text form is re-encoded to the wire format: both give the same rows.
    const char *const names[] = {"go122-annotations", "go122-gc-stress",
                                 "go122-syscall-steal-proc-ambiguous", "go125-sync"};
    for (const char *n : names) {
        test::TempSession a, b;
        const ImportResult ra = a.import(test::corpus(
            QStringLiteral("public/go-exectrace-v2/binary/%1.trace").arg(QLatin1String(n))));
        const ImportResult rb = b.import(test::corpus(
            QStringLiteral("public/go-exectrace-v2/text/%1.test").arg(QLatin1String(n))));
        QVERIFY2(ra.ok && rb.ok, n);
        const QString q = QStringLiteral(
            "SELECT lane.kind, lane.external_id, span.start_ns, span.end_ns, span.depth FROM span "
            "JOIN lane ON lane.id = span.lane_id ORDER BY 1, 2, 3, 4, 5");
        QCOMPARE(test::queryCsv(a.session().db(), q), test::queryCsv(b.session().db(), q));
    }
}

void TestExecTrace::v2Annotations()
{
    test::TempSession s;
    const ImportResult r = s.import(
        test::corpus(QStringLiteral("public/go-exectrace-v2/binary/go122-annotations.trace")));
    QVERIFY2(r.ok, qPrintable(r.error));
    const Db &db = s.session().db();
    QCOMPARE(r.requests, qint64(1));
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM request WHERE key LIKE 'task0#%'")),
             1);
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM instant JOIN string n ON n.id = "
                                       "instant.name_id WHERE n.value = 'key0' AND request_id "
                                       "IS NOT NULL")),
             1);
    QVERIFY(scalar(db, QStringLiteral("SELECT count(*) FROM span JOIN string c ON c.id = "
                                      "span.category_id WHERE c.value = 'region'")) > 0);
    QVERIFY(scalar(db, QStringLiteral("SELECT count(*) FROM lane WHERE kind = 'goroutine' AND "
                                      "name LIKE '% main.main.func1'")) == 1);
}

void TestExecTrace::v2ClockSnapshot()
{
    test::TempSession s;
    const ImportResult r =
        s.import(test::corpus(QStringLiteral("public/go-exectrace-v2/binary/go125-sync.trace")));
    QVERIFY2(r.ok, qPrintable(r.error));
    // ClockSnapshot sec=1740755049 nsec=123 one tick (1 ns) after the first batch.
    QCOMPARE(test::queryCsv(s.session().db(),
                            QStringLiteral("SELECT clock_method, offset_ns FROM source")),
             QByteArray("clock_method,offset_ns\nclock snapshot,1740755049000000122\n"));
}

void TestExecTrace::v2NewerVersion()
{
    QByteArray data = readFile(
        test::corpus(QStringLiteral("public/go-exectrace-v2/binary/go122-annotations.trace")));
    data.replace(0, 16, QByteArray("go 1.27 trace\0\0\0", 16));
    QTemporaryDir dir;
    test::TempSession s;
    const ImportResult r = s.import(test::writeFile(dir, QStringLiteral("new.trace"), data));
    QVERIFY2(r.ok, qPrintable(r.error));
    bool saw = false;
    for (const DiagnosticInfo &d : r.diagnostics)
        saw = saw || d.code == "newer-version";
    QVERIFY(saw);
    QCOMPARE(r.requests, qint64(1));
}

void TestExecTrace::v2Truncated()
{
    const QByteArray full = readFile(
        test::corpus(QStringLiteral("public/go-exectrace-v2/binary/go122-gc-stress.trace")));
    QTemporaryDir dir;
    for (qsizetype cut = 1024; cut < full.size(); cut += 1024) {
        test::TempSession s;
        const ImportResult r =
            s.import(test::writeFile(dir, QStringLiteral("cut%1").arg(cut), full.first(cut)));
        QVERIFY2(r.ok, qPrintable(QStringLiteral("cut at %1: %2").arg(cut).arg(r.error)));
        QVERIFY2(hasDiag(r), qPrintable(QStringLiteral("cut at %1: no diagnostic").arg(cut)));
        QCOMPARE(scalar(s.session().db(), QString::fromLatin1(kTilingBreaks)), 0);
    }
}

namespace {

void putUv(QByteArray &out, quint64 v)
{
    do {
        quint8 c = v & 0x7f;
        v >>= 7;
        if (v) c |= 0x80;
        out += char(c);
    } while (v);
}

// A Go 1.23 trace of `gens` generations, each a P, a running goroutine and
// `perGen` heap samples, with its frequency, stacks and strings batches;
// written as it is made, so the test holds no more than one generation.
// With `churn`, goroutine 1 also starts that many goroutines a generation,
// each running once and ending (a server's goroutine per request); with
// `tasks`, each of them is a task too, begun, logging its request_id
// ("req-N") and ended by goroutine 1.
void writeGenerations(const QString &path, int gens, int perGen, int churn = 0, bool tasks = false)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    f.write(QByteArray("go 1.23 trace\0\0\0", 16));
    auto batch = [&f](quint64 gen, quint64 m, quint64 time, const QByteArray &body) {
        QByteArray b(1, char(1)); // EventBatch
        putUv(b, gen);
        putUv(b, m);
        putUv(b, time);
        putUv(b, quint64(body.size()));
        f.write(b + body);
    };
    const quint64 noM = ~quint64(0);
    quint64 t = 1000;
    for (int g = 1; g <= gens; ++g) {
        QByteArray body;
        body += char(13); // ProcStatus dt p status
        putUv(body, 1);
        putUv(body, 0);
        putUv(body, 1);
        body += char(25); // GoStatus dt g m status
        putUv(body, 1);
        putUv(body, 1);
        putUv(body, 0);
        putUv(body, 2);
        for (int i = 0; i < perGen; ++i) {
            body += char(37); // HeapAlloc dt value
            putUv(body, 10);
            putUv(body, quint64(1000 + i));
        }
        QByteArray strings(1, char(4)); // Strings
        auto addString = [&strings](quint64 id, const QByteArray &v) {
            strings += char(5); // String id len bytes
            putUv(strings, id);
            putUv(strings, quint64(v.size()));
            strings += v;
        };
        if (tasks) {
            addString(1, "handle");
            addString(2, "request_id");
        }
        for (int i = 0; i < churn; ++i) {
            const quint64 child = 100 + quint64(g - 1) * quint64(churn) + quint64(i);
            if (tasks) {
                addString(quint64(10 + i), "req-" + QByteArray::number(child));
                body += char(40); // UserTaskBegin dt task parent name stack
                putUv(body, 1);
                putUv(body, child);
                putUv(body, 0);
                putUv(body, 1);
                putUv(body, 0);
                body += char(44); // UserLog dt task key value stack
                putUv(body, 1);
                putUv(body, child);
                putUv(body, 2);
                putUv(body, quint64(10 + i));
                putUv(body, 0);
                body += char(41); // UserTaskEnd dt task stack
                putUv(body, 1);
                putUv(body, child);
                putUv(body, 0);
            }
            body += char(14); // GoCreate dt new_g new_stack stack
            putUv(body, 1);
            putUv(body, child);
            putUv(body, 0);
            putUv(body, 0);
            body += char(19); // GoStop dt reason stack
            putUv(body, 1);
            putUv(body, 0);
            putUv(body, 0);
            body += char(16); // GoStart dt g seq
            putUv(body, 1);
            putUv(body, child);
            putUv(body, 0);
            body += char(17); // GoDestroy dt
            putUv(body, 1);
            body += char(16); // GoStart dt g seq: goroutine 1 again
            putUv(body, 1);
            putUv(body, 1);
            putUv(body, 0);
        }
        batch(quint64(g), 0, t, body);
        t += quint64(perGen) * 10 + quint64(churn) * (tasks ? 8 : 5) + 100;
        QByteArray freq(1, char(8));
        putUv(freq, 15'625'000);
        batch(quint64(g), noM, 0, freq);
        batch(quint64(g), noM, 0, QByteArray(1, char(2)));
        batch(quint64(g), noM, 0, strings);
    }
}

qint64 heapInUse()
{
    const struct mallinfo2 m = mallinfo2();
    return qint64(m.uordblks + m.hblkhd);
}

// The importer's own peak heap (above what was in use before) while it reads
// `path` into a sink that only counts.
qint64 importerPeak(const QString &path, qint64 *events)
{
    test::CountingContext ctx(path);
    test::CountingSink sink;
    const qint64 before = heapInUse();
    std::atomic<qint64> peak{before};
    std::atomic<bool> stop{false};
    std::thread sampler([&] {
        while (!stop.load()) {
            const qint64 now = heapInUse();
            if (now > peak.load()) peak.store(now);
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    });
    ExecTraceImporter imp;
    imp.run(ctx, sink);
    stop.store(true);
    sampler.join();
    *events = ctx.events;
    return peak.load() - before;
}

} // namespace

// Reading a Go 1.22+ trace holds one generation (and the next) at a time:
// the importer's own peak does not grow with the number of generations.
void TestExecTrace::v2MemoryDoesNotGrowWithGenerations()
{
    QTemporaryDir dir;
    const QString few = dir.filePath(QStringLiteral("few.trace")),
                  many = dir.filePath(QStringLiteral("many.trace"));
    writeGenerations(few, 4, 60'000);
    writeGenerations(many, 40, 60'000);
    qint64 fewEvents = 0, manyEvents = 0;
    const qint64 fewPeak = importerPeak(few, &fewEvents);
    const qint64 manyPeak = importerPeak(many, &manyEvents);
    QVERIFY2(manyEvents >= fewEvents * 9,
             qPrintable(QStringLiteral("%1 vs %2").arg(manyEvents).arg(fewEvents)));
    // Ten times the generations: the same peak, give or take (all
    // generations held at once would be ten times as much: 40 × 60,000
    // decoded events of 56 bytes).
    QVERIFY2(manyPeak < fewPeak * 3 / 2 + (4 << 20),
             qPrintable(QStringLiteral("peak %1 MB for 40 generations, %2 MB for 4")
                            .arg(double(manyPeak) / 1e6, 0, 'f', 1)
                            .arg(double(fewPeak) / 1e6, 0, 'f', 1)));
    qInfo("importer's peak: %.1f MB for 4 generations, %.1f MB for 40", double(fewPeak) / 1e6,
          double(manyPeak) / 1e6);
}

namespace {

// The importer's peak per goroutine a server starts per request (with
// `tasks`, each also a task), from traces of 2 and 20 generations of 5,000
// each; the 20-generation trace is left at `*many`.
constexpr int kChurn = 5000;
double peakPerChurnedGoroutine(const QTemporaryDir &dir, bool tasks, QString *many)
{
    const QString few = dir.filePath(QStringLiteral("few.trace"));
    *many = dir.filePath(QStringLiteral("many.trace"));
    writeGenerations(few, 2, 100, kChurn, tasks);
    writeGenerations(*many, 20, 100, kChurn, tasks);
    qint64 fewEvents = 0, manyEvents = 0;
    const qint64 fewPeak = importerPeak(few, &fewEvents);
    const qint64 manyPeak = importerPeak(*many, &manyEvents);
    if (manyEvents < fewEvents * 9) qFatal("%lld vs %lld events", manyEvents, fewEvents);
    const double perGoroutine = double(manyPeak - fewPeak) / (18.0 * kChurn);
    qInfo("importer's peak: %.1f MB for %d goroutines%s, %.1f MB for %d: %.0f bytes each",
          double(fewPeak) / 1e6, 2 * kChurn, tasks ? " and tasks" : "", double(manyPeak) / 1e6,
          20 * kChurn, perGoroutine);
    return perGoroutine;
}

} // namespace

// A task per request, keyed by the request_id it logs: the importer
// forgets a task two generations after it ends and a key once its task is
// made (both were held to the end: about 250 bytes a task, 200 MB at the
// 808,871 tasks of a 317 MB trace). Every task is still its request.
void TestExecTrace::v2EndedTasksAreDropped()
{
    QTemporaryDir dir;
    QString many;
    const double perTask = peakPerChurnedGoroutine(dir, true, &many);
    QVERIFY2(perTask < 192, qPrintable(QString::number(perTask))); // 285 before
    test::TempSession s;
    const ImportResult r = s.import(many);
    QVERIFY2(r.ok, qPrintable(r.error));
    const Db &db = s.session().db();
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM request WHERE key LIKE 'req-%' AND "
                                       "start_ns IS NOT NULL AND end_ns IS NOT NULL")),
             qint64(20 * kChurn));
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM request")), qint64(20 * kChurn));
}

// A server that starts a goroutine per request: the importer keeps no more
// than an ended goroutine's lane and end (it kept all its state, over 400
// bytes each: 809,586 goroutines of a 317 MB trace took 300 MB).
void TestExecTrace::v2EndedGoroutinesAreDropped()
{
    QTemporaryDir dir;
    QString many;
    const double perGoroutine = peakPerChurnedGoroutine(dir, false, &many);
    QVERIFY2(perGoroutine < 128, qPrintable(QString::number(perGoroutine))); // 459 before
    // Every goroutine is still counted and has its lane.
    test::TempSession s;
    const ImportResult r = s.import(many);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(scalar(s.session().db(),
                    QStringLiteral("SELECT COUNT(*) FROM lane WHERE kind = 'goroutine'")),
             qint64(1 + 20 * kChurn));
    QCOMPARE(
        scalar(s.session().db(),
               QStringLiteral("SELECT COUNT(DISTINCT lane_id) FROM span s JOIN lane l ON l.id = "
                              "s.lane_id WHERE l.kind = 'goroutine' AND s.category_id = (SELECT id "
                              "FROM string WHERE value = 'running')")),
        qint64(1 + 20 * kChurn));
}

// A real Go 1.23 trace of an HTTP server (4 generations, tasks, regions, CPU
// samples; tests/data/exectrace/README.md): goroutine and task counts and
// every goroutine's time in each state equal what `go tool trace -d=1` of
// Go 1.23 reports (its goroutine transitions, kept as the fixture), with
// syscalls that did not block counted as running, as both formats show them.
void TestExecTrace::v2MatchesGoToolTrace_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("goroutines");
    QTest::addColumn<int>("tasks");
    QTest::newRow("go 1.22") << QStringLiteral("go122-http") << 944 << 453;
    QTest::newRow("go 1.23") << QStringLiteral("go123-http") << 937 << 435;
}

void TestExecTrace::v2MatchesGoToolTrace()
{
    QFETCH(QString, name);
    QFETCH(int, goroutines);
    QFETCH(int, tasks);
    test::TempSession s;
    const ImportResult r = s.import(test::testData(QStringLiteral("exectrace/%1.trace").arg(name)));
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY2(r.diagnostics.isEmpty(), qPrintable(r.diagnostics.value(0).message));
    InputStream fixture(test::testData(QStringLiteral("exectrace/%1.d1.txt.gz").arg(name)));
    const QByteArray text = fixture.readAll();
    static const QRegularExpression tr(QStringLiteral(
        "^StateTransition Time=(\\d+) Resource=Goroutine\\(\\d+\\) GoID=(\\d+) (\\w+)->(\\w+)$"));
    QHash<qint64, QList<QPair<qint64, QString>>> transitions;
    qint64 taskBegins = 0, end = 0;
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith("TaskBegin ")) ++taskBegins;
        const auto m = tr.match(QString::fromLatin1(line));
        if (!m.hasMatch()) continue;
        const qint64 t = m.captured(1).toLongLong();
        transitions[m.captured(2).toLongLong()].append({t, m.captured(4)});
        end = std::max(end, t);
    }
    QCOMPARE(transitions.size(), goroutines);
    QCOMPARE(taskBegins, qint64(tasks));
    QCOMPARE(scalar(s.session().db(),
                    QStringLiteral("SELECT COUNT(*) FROM lane WHERE kind = 'goroutine'")),
             qint64(transitions.size()));
    QCOMPARE(scalar(s.session().db(), QStringLiteral("SELECT COUNT(*) FROM request")), taskBegins);
    // Time in Running, Runnable, Syscall and Waiting (every blocked state,
    // sleep included) per goroutine; the last state lasts to the trace's end.
    auto stateOf = [](const QString &category) {
        if (category == QLatin1String("running") || category == QLatin1String("gc-assist"))
            return QStringLiteral("Running");
        if (category == QLatin1String("runnable")) return QStringLiteral("Runnable");
        if (category == QLatin1String("syscall")) return QStringLiteral("Syscall");
        return QStringLiteral("Waiting");
    };
    QHash<qint64, QHash<QString, qint64>> ours;
    const SqlResult rows = runSql(
        s.session().db(),
        QStringLiteral("SELECT l.external_id, c.value, SUM(s.end_ns - s.start_ns) FROM span s JOIN "
                       "lane l ON l.id = s.lane_id JOIN string c ON c.id = s.category_id WHERE "
                       "l.kind = 'goroutine' AND s.depth = 0 GROUP BY 1, 2"));
    for (const QStringList &row : rows.rows)
        ours[row[0].toLongLong()][stateOf(row[1])] += row[2].toLongLong();
    int checked = 0;
    for (auto it = transitions.cbegin(); it != transitions.cend(); ++it) {
        QHash<QString, qint64> theirs;
        const auto &ev = it.value();
        for (qsizetype i = 0; i < ev.size(); ++i) {
            // One syscall representation for both trace formats (README.md):
            // a syscall that returns to running without blocking is running
            // time here, as the old format records it.
            QString state = ev[i].second;
            if (state == QLatin1String("Syscall") && i + 1 < ev.size() &&
                ev[i + 1].second == QLatin1String("Running"))
                state = QStringLiteral("Running");
            theirs[state] += (i + 1 < ev.size() ? ev[i + 1].first : end) - ev[i].first;
        }
        for (const char *state : {"Running", "Runnable", "Syscall", "Waiting"}) {
            const qint64 a = theirs.value(QLatin1String(state)),
                         b = ours[it.key()].value(QLatin1String(state));
            // Ticks become ns in float there, in integers here: a few ns per switch.
            QVERIFY2(std::abs(a - b) <= 2000 + a / 1000,
                     qPrintable(QStringLiteral("g%1 %2: go tool trace %3 ns, here %4 ns")
                                    .arg(it.key())
                                    .arg(QLatin1String(state))
                                    .arg(a)
                                    .arg(b)));
            ++checked;
        }
    }
    QCOMPARE(checked, 4 * goroutines);
    // CPU samples of the trace land on goroutines.
    QVERIFY(scalar(s.session().db(), QStringLiteral("SELECT COUNT(*) FROM sample")) > 0);
}

namespace {

// Offsets of each generation's first batch in a binary Go 1.22+ trace.
QList<qsizetype> generationStarts(const QByteArray &d)
{
    QList<qsizetype> out;
    qsizetype pos = 16;
    quint64 last = 0;
    auto uv = [&](quint64 &v) {
        v = 0;
        for (int sh = 0; pos < d.size(); sh += 7) {
            const quint8 b = quint8(d[pos++]);
            v |= quint64(b & 0x7f) << sh;
            if (!(b & 0x80)) return true;
        }
        return false;
    };
    while (pos < d.size()) {
        const qsizetype at = pos;
        const quint8 kind = quint8(d[pos++]);
        if (kind == 52) continue; // EndOfGeneration (Go 1.26)
        if (kind == 49)
            ++pos; // an experimental batch: its experiment byte
        else if (kind != 1)
            break;
        quint64 gen, m, time, size;
        if (!uv(gen) || !uv(m) || !uv(time) || !uv(size)) break;
        if (gen != last) out << at;
        last = gen;
        pos += qsizetype(size);
    }
    return out;
}

QByteArray traceRows(const Db &db)
{
    return test::queryCsv(
               db, QStringLiteral("SELECT l.kind, l.external_id, s.start_ns, s.end_ns, s.depth, "
                                  "c.value, n.value FROM "
                                  "span s JOIN lane l ON l.id = s.lane_id LEFT JOIN string c ON "
                                  "c.id = s.category_id "
                                  "LEFT JOIN string n ON n.id = s.name_id ORDER BY 1, 2, 3, 4, 5"))
        .append(test::queryCsv(
            db, QStringLiteral("SELECT key, start_ns, end_ns FROM request ORDER BY 1")));
}

} // namespace

// The text form's EndOfGeneration lines (Go 1.26) end a generation between
// batches; the same trace without them reads the same.
void TestExecTrace::v2TextEndOfGeneration()
{
    QByteArray text =
        readFile(test::corpus(QStringLiteral("public/go-exectrace-v2/text/go125-sync.test")));
    text.replace("Trace Go1.25", "Trace Go1.26");
    QByteArray marked = text;
    for (const char *first : {"EventBatch gen=2 ", "EventBatch gen=3 "})
        marked.insert(marked.indexOf(first), "EndOfGeneration\n"); // before its first batch
    marked += "EndOfGeneration\n";
    QVERIFY(marked.count("EndOfGeneration") == 3);
    QTemporaryDir dir;
    test::TempSession a, b;
    const ImportResult ra = a.import(test::writeFile(dir, QStringLiteral("plain.test"), text));
    const ImportResult rb = b.import(test::writeFile(dir, QStringLiteral("marked.test"), marked));
    QVERIFY2(ra.ok && rb.ok, qPrintable(ra.error + rb.error));
    // Only what the plain form says too: Go's test file puts its generations'
    // clock snapshots 1 s of wall time apart but 10 ticks apart ("clock-step").
    for (const DiagnosticInfo &d : rb.diagnostics)
        QVERIFY2(d.code == "clock-step", qPrintable(d.message));
    QCOMPARE(rb.diagnostics.size(), ra.diagnostics.size());
    QCOMPARE(traceRows(b.session().db()), traceRows(a.session().db()));
    QVERIFY(scalar(b.session().db(), QStringLiteral("SELECT COUNT(*) FROM span")) > 0);
}

// A P running at the end of one generation and idle (or abandoned by an M
// in a syscall) at the next one's start stopped in between: its active span
// ends there instead of running to the end of the trace.
void TestExecTrace::v2ProcStatusIdle()
{
    for (const char *status : {"2", "4"}) {
        const QByteArray text =
            "Trace Go1.22\n" +
            test::goTextGeneration(
                1, 100, "ProcStatus dt=1 p=0 pstatus=1\nGoStatus dt=1 g=1 m=0 gstatus=2\n") +
            test::goTextGeneration(
                2, 1000,
                "ProcStatus dt=1 p=0 pstatus=" + QByteArray(status) +
                    "\nProcStatus dt=1 p=1 pstatus=1\nGoStatus dt=5000 g=2 m=1 gstatus=2\n");
        QTemporaryDir dir;
        test::TempSession s;
        const ImportResult r = s.import(test::writeFile(dir, QStringLiteral("idle.test"), text));
        QVERIFY2(r.ok, qPrintable(r.error));
        // P0 active from its first status to the second (900 ns later), not
        // to the trace's end (about 6 µs later).
        const qint64 p0 = scalar(
            s.session().db(), QStringLiteral("SELECT MAX(s.end_ns) - MIN(s.start_ns) FROM span s "
                                             "JOIN lane l ON l.id = s.lane_id WHERE l.kind = "
                                             "'proc' AND l.external_id = 0 AND s.depth = 0"));
        QVERIFY2(
            p0 > 0 && p0 < 1500,
            qPrintable(
                QStringLiteral("status %1: P0 active %2 ns").arg(QLatin1String(status)).arg(p0)));
    }
}

// Every generation's clock snapshot is checked against the one the trace is
// placed by: a wall clock that stepped during the trace, and a Go 1.25+
// generation without a snapshot, are said; a steady clock says nothing.
void TestExecTrace::v2ClockPerGeneration()
{
    // Three generations 1 s apart (ticks are ns); the third's snapshot is
    // `third` ns of wall clock after the first's.
    QTemporaryDir dir;
    auto import = [&dir](qint64 third, bool secondSnapshot, QHash<QByteArray, QString> *diags) {
        QByteArray t = "Trace Go1.25\n";
        for (int g = 1; g <= 3; ++g) {
            const qint64 tick = 1000 + qint64(g - 1) * 1'000'000'000;
            const qint64 wall =
                1'740'755'049'000'000'000 + (g == 3 ? third : qint64(g - 1) * 1'000'000'000);
            const QByteArray snapshot =
                g != 2 || secondSnapshot
                    ? "ClockSnapshot dt=0 mono=" + QByteArray::number(tick) +
                          " sec=" + QByteArray::number(wall / 1'000'000'000) +
                          " nsec=" + QByteArray::number(wall % 1'000'000'000) + "\n"
                    : QByteArray();
            t += test::goTextGeneration(g, tick + 5, "ProcStatus dt=1 p=0 pstatus=1\n", {}, {},
                                        snapshot.isEmpty() ? QByteArray("\n") : snapshot);
        }
        test::TempSession s;
        const ImportResult r = s.import(test::writeFile(dir, QStringLiteral("clock.test"), t));
        if (!r.ok) qFatal("%s", qPrintable(r.error));
        for (const DiagnosticInfo &d : r.diagnostics)
            diags->insert(d.code, d.message);
        return scalar(s.session().db(), QStringLiteral("SELECT offset_ns FROM source"));
    };
    const qint64 placed = 1'740'755'049'000'000'000 - 1005; // the first snapshot is at tick 1005
    QHash<QByteArray, QString> steady, stepped, missing;
    QCOMPARE(import(2'000'000'000, true, &steady), placed);
    QVERIFY2(!steady.contains("clock-step") && !steady.contains("no-clock-snapshot"),
             qPrintable(QStringList(steady.values()).join(QLatin1Char('\n'))));
    // The wall clock jumped 2.5 s forward between the second and third
    // generation: said, and the trace is still placed by the first snapshot.
    QCOMPARE(import(4'500'000'000, true, &stepped), placed);
    const QString step = stepped.value("clock-step");
    QVERIFY2(step.contains(QStringLiteral("+2.50 s")) &&
                 step.contains(QStringLiteral("generation 3")),
             qPrintable(step));
    import(2'000'000'000, false, &missing);
    QVERIFY2(missing.value("no-clock-snapshot")
                 .contains(QStringLiteral("1 generation(s), the first generation 2")),
             qPrintable(missing.value("no-clock-snapshot")));
}

// The streaming reader reads a gzipped trace as it is decompressed: the same
// rows as the plain file.
void TestExecTrace::v2Gzipped()
{
    const QString plain = test::testData(QStringLiteral("exectrace/go123-http.trace"));
    QTemporaryDir dir;
    QProcess gz;
    gz.setStandardOutputFile(dir.filePath(QStringLiteral("t.trace.gz")));
    gz.start(QStringLiteral("gzip"), {QStringLiteral("-c"), plain});
    QVERIFY(gz.waitForFinished() && gz.exitCode() == 0);
    test::TempSession a, b;
    const ImportResult ra = a.import(plain);
    const ImportResult rb = b.import(dir.filePath(QStringLiteral("t.trace.gz")));
    QVERIFY2(ra.ok && rb.ok, qPrintable(ra.error + rb.error));
    QCOMPARE(traceRows(b.session().db()), traceRows(a.session().db()));
}

void TestExecTrace::v2CutAnywhere_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("go 1.23, 4 generations")
        << test::testData(QStringLiteral("exectrace/go123-http.trace"));
    QTest::newRow("go 1.25, 3 generations")
        << test::corpus(QStringLiteral("public/go-exectrace-v2/binary/go125-sync.trace"));
}

// Cut inside a generation (in its first batch, in its last): the
// generation is dropped with a diagnostic that names it and the cut, and
// what is kept is exactly what a cut at that generation's start gives —
// nothing half-read, no state named wrongly for want of its string table.
void TestExecTrace::v2CutAnywhere()
{
    QFETCH(QString, path);
    const QByteArray full = readFile(path);
    const QList<qsizetype> starts = generationStarts(full);
    QVERIFY2(starts.size() >= 3, qPrintable(QString::number(starts.size())));
    QTemporaryDir dir;
    for (int k = 1; k < starts.size(); ++k) {
        const qsizetype begin = starts[k];
        const qsizetype next = k + 1 < starts.size() ? starts[k + 1] : full.size();
        test::TempSession atBoundary;
        const ImportResult clean = atBoundary.import(
            test::writeFile(dir, QStringLiteral("b%1.trace").arg(k), full.left(begin)));
        QVERIFY2(clean.ok, qPrintable(clean.error));
        const QByteArray expected = traceRows(atBoundary.session().db());
        for (const qsizetype cut : {begin + 3, (begin + next) / 2, next - 2}) {
            if (cut <= begin || cut >= next) continue;
            test::TempSession s;
            const ImportResult r = s.import(test::writeFile(
                dir, QStringLiteral("c%1-%2.trace").arg(k).arg(cut), full.left(cut)));
            QVERIFY2(r.ok, qPrintable(r.error));
            bool named = false;
            for (const DiagnosticInfo &d : r.diagnostics)
                named = named || ((d.code == "incomplete-generation" || d.code == "truncated" ||
                                   d.code == "no-frequency") &&
                                  d.severity == Severity::Error);
            QVERIFY2(
                named,
                qPrintable(
                    QStringLiteral("cut at %1 (generation %2) is silent").arg(cut).arg(k + 1)));
            QCOMPARE(traceRows(s.session().db()), expected);
        }
    }
}

void TestExecTrace::v2FuzzSeeds_data()
{
    QTest::addColumn<QString>("file");
    test::addCorpusFolderRows(QStringLiteral("public/go-exectrace-v2/fuzz-seeds"));
}

void TestExecTrace::v2FuzzSeeds()
{
    // "go test fuzz v1" + []byte("<Go string>"): the bytes are a (mostly
    // malformed) trace. Each imports what it can or fails cleanly.
    QFETCH(QString, file);
    const QByteArray text = readFile(file);
    const qsizetype open = text.indexOf("[]byte(");
    QVERIFY(open > 0);
    const qsizetype close = text.lastIndexOf(')');
    bool ok = false;
    const QByteArray bytes = exectrace::goUnquote(
        QByteArrayView(text).sliced(open + 7, close - open - 7).trimmed(), &ok);
    QVERIFY(ok);
    QVERIFY(bytes.startsWith("go 1."));
    QTemporaryDir dir;
    test::TempSession s;
    const ImportResult r = s.import(test::writeFile(dir, QStringLiteral("seed.trace"), bytes));
    if (r.ok)
        QCOMPARE(scalar(s.session().db(), QString::fromLatin1(kOverlaps)), 0);
    else
        QVERIFY(!r.error.isEmpty());
}

QTEST_GUILESS_MAIN(TestExecTrace)
#include "tst_exectrace.moc"
