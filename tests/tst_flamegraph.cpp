// FlameGraph model (core): the top table of every pprof corpus profile
// against `go tool pprof -top` (flat and cumulative, fixtures shared with
// tst_pprof), tree invariants, filters by request and time range, callers
// and callees.

#include "testsupport.h"

#include "flamegraph.h"
#include "queries.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace ls;
using namespace ls::test;

namespace {

void checkTree(const FlameGraph &g)
{
    for (const FlameNode &n : g.nodes()) {
        qint64 sum = n.self;
        for (int c : n.children)
            sum += g.nodes()[size_t(c)].total;
        QCOMPARE(n.total, sum);
    }
}

} // namespace

class TestFlameGraph : public QObject
{
    Q_OBJECT
private slots:
    void topMatchesGoToolPprof_data();
    void topMatchesGoToolPprof();
    void foldedTree();
    void filters();
};

void TestFlameGraph::topMatchesGoToolPprof_data()
{
    test::addPprofCorpusRows();
}

void TestFlameGraph::topMatchesGoToolPprof()
{
    QFETCH(QString, file);
    QFETCH(QString, fixture);
    TempSession s;
    const ImportResult r = s.import(corpus(file));
    QVERIFY2(r.ok, qPrintable(r.error));
    const SqlResult profiles =
        runSql(s.session().db(), QStringLiteral("SELECT id FROM profile ORDER BY id"));
    for (int i = 0; i < profiles.rows.size(); ++i) {
        FlameFilter f;
        f.profiles = {profiles.rows[i][0].toLongLong()};
        const FlameGraph g = FlameGraph::build(s.session().db(), f);
        checkTree(g);
        const QList<PprofTopRow> expected =
            parsePprofTop(testData(QStringLiteral("pprof/%1.top%2.txt").arg(fixture).arg(i)), 10);
        const std::vector<FunctionStat> top = g.top();
        for (int k = 0; k < expected.size(); ++k) {
            if (expected[k].flat == 0) break; // -top goes on with cum-only rows
            QVERIFY2(size_t(k) < top.size(), qPrintable(QStringLiteral("row %1").arg(k)));
            QCOMPARE(top[size_t(k)].function, expected[k].function);
            QCOMPARE(top[size_t(k)].flat, expected[k].flat);
            QCOMPARE(top[size_t(k)].cum, expected[k].cum);
        }
    }
}

void TestFlameGraph::foldedTree()
{
    TempSession s;
    const ImportResult r =
        s.import(corpus(QStringLiteral("public/folded-stacks/speedscope_recursion.txt")));
    QVERIFY2(r.ok, qPrintable(r.error));
    FlameFilter f;
    f.profiles = profilesOfType(s.session().db(), "samples");
    const FlameGraph g = FlameGraph::build(s.session().db(), f);
    checkTree(g);
    QCOMPARE(g.total(), 10);
    // a;b;a;b;... : "a" is on the stack of 9 of 10 samples (b;b is the other).
    std::vector<FunctionStat> top = g.top(true);
    QCOMPARE(top[0].function, QByteArray("a"));
    QCOMPARE(top[0].cum, 9);
    QCOMPARE(top[1].function, QByteArray("b"));
    QCOMPARE(top[1].cum, 9);
    const std::vector<FunctionStat> callees = g.callees("a");
    QCOMPARE(callees.size(), size_t(3)); // a, b, c
    QCOMPARE(callees[0].function, QByteArray("b"));
    const std::vector<FunctionStat> callers = g.callers("c");
    QCOMPARE(callers.size(), size_t(2));
}

void TestFlameGraph::filters()
{
    TempSession s;
    QVERIFY(s.import(corpus(QStringLiteral("gen/server.jsonl"))).ok);
    QVERIFY(s.import(corpus(QStringLiteral("gen/cpu.pprof"))).ok);
    const Db &db = s.session().db();
    FlameFilter all;
    all.profiles = profilesOfType(db, "cpu");
    QCOMPARE(all.profiles.size(), 1);
    const FlameGraph whole = FlameGraph::build(db, all);
    QCOMPARE(whole.total(), 860000000); // go tool pprof: Total samples = 860ms

    // The request with the most CPU samples, by its label.
    const SqlResult busiest = runSql(
        db, QStringLiteral("SELECT json_extract(labels, '$.req_id') AS k, SUM(value), COUNT(*) "
                           "FROM sample s JOIN profile p ON p.id = s.profile_id WHERE "
                           "p.sample_type = 'cpu' AND k IS NOT NULL GROUP BY k ORDER BY 2 DESC, 1 "
                           "LIMIT 1"));
    QCOMPARE(busiest.rows.size(), 1);
    FlameFilter one = all;
    one.requestKey = busiest.rows[0][0].toUtf8();
    const FlameGraph g = FlameGraph::build(db, one);
    checkTree(g);
    QCOMPARE(g.total(), busiest.rows[0][1].toLongLong());
    QCOMPARE(g.sampleRows(), busiest.rows[0][2].toLongLong());
    QVERIFY(g.total() < whole.total());

    // A time range outside the profile's window has nothing; one inside has all.
    const SqlResult window =
        runSql(db, QStringLiteral("SELECT time_ns, duration_ns FROM profile WHERE sample_type = "
                                  "'cpu'"));
    const qint64 t0 = window.rows[0][0].toLongLong(), d = window.rows[0][1].toLongLong();
    FlameFilter before = all;
    before.from = t0 - 2000000000;
    before.to = t0 - 1000000000;
    QCOMPARE(FlameGraph::build(db, before).total(), 0);
    FlameFilter inside = all;
    inside.from = t0 + d / 2;
    inside.to = t0 + d / 2 + 1;
    QCOMPARE(FlameGraph::build(db, inside).total(), whole.total());
    // pprof samples carry no timestamps: a timed-only view of the window is empty.
    inside.untimedByWindow = false;
    QCOMPARE(FlameGraph::build(db, inside).total(), 0);
}

QTEST_GUILESS_MAIN(TestFlameGraph)
#include "tst_flamegraph.moc"
