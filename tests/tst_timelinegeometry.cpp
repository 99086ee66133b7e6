// Timeline geometry without a screen: the visible slice by binary search,
// folding of sub-pixel spans into runs with counts and a dominant category,
// the long enclosing span at the range edge, levels of detail, counters as
// one column per pixel, and the model loaded from a synthetic session.

#include "synthetic.h"
#include "testsupport.h"
#include "timeline.h"

#include <QTest>

#include <random>

using namespace ls;

namespace {

IntervalArrays backToBack(qint64 n, TimeNs len, TimeNs t0 = 0, qint32 catA = 1, qint32 catB = 2,
                          int everyB = 10)
{
    IntervalArrays a;
    for (qint64 i = 0; i < n; ++i)
        a.push(t0 + i * len, t0 + (i + 1) * len, i % everyB == 0 ? catB : catA, 7, 0);
    a.finish();
    return a;
}

qint64 sumCounts(const LaneGeometry &g)
{
    qint64 n = 0;
    for (const SpanRun &r : g.runs)
        n += r.count;
    return n;
}

} // namespace

class TstTimelineGeometry : public QObject
{
    Q_OBJECT
private slots:
    void visibleSlice_data();
    void visibleSlice();
    void foldsSubPixelSpans();
    void keepsWideSpans();
    void enclosingSpanAtRangeEdge_data();
    void enclosingSpanAtRangeEdge();
    void levelsBoundTheWork();
    void counterColumns();
    void cacheAndTicks();
    void modelFromSyntheticSession();
};

void TstTimelineGeometry::visibleSlice_data()
{
    QTest::addColumn<qint64>("t0");
    QTest::addColumn<qint64>("t1");
    QTest::newRow("inside") << qint64(50'000) << qint64(60'000);
    QTest::newRow("before everything") << qint64(-100) << qint64(-1);
    QTest::newRow("after everything") << qint64(10'000'000) << qint64(20'000'000);
    QTest::newRow("whole") << qint64(-1) << qint64(10'000'000);
    QTest::newRow("one point") << qint64(33'333) << qint64(33'333);
    QTest::newRow("inside a long span") << qint64(500'100) << qint64(500'200);
}

void TstTimelineGeometry::visibleSlice()
{
    QFETCH(qint64, t0);
    QFETCH(qint64, t1);
    // Overlapping input on purpose (nested and long spans): maxEnd must keep it right.
    std::mt19937 rng(7);
    IntervalArrays a;
    for (int i = 0; i < 20000; ++i) {
        const TimeNs s = TimeNs(i) * 50;
        const TimeNs len = i % 997 == 0 ? 400'000 : TimeNs(rng() % 120);
        a.push(s, s + len, 1, 1, 0);
    }
    a.finish();
    const auto [first, last] = a.visible(t0, t1);
    // Every intersecting interval is inside the slice, nothing after t1 is.
    for (size_t i = 0; i < a.size(); ++i) {
        const bool intersects = a.start[i] <= t1 && a.end[i] >= t0;
        if (intersects) QVERIFY2(i >= first && i < last, qPrintable(QString::number(i)));
    }
    QVERIFY(last == a.size() || a.start[last] > t1);
    // Binary search, not a scan from the beginning: the slice starts no
    // earlier than the first interval whose running max end reaches t0.
    QVERIFY(first == 0 || a.maxEnd[first - 1] < t0);
}

void TstTimelineGeometry::foldsSubPixelSpans()
{
    // 100k spans of 10 ns over 1 ms on 1000 px: 100 spans per pixel.
    const IntervalArrays a = backToBack(100'000, 10);
    LaneGeometry g;
    foldIntervals(a, {0, 1'000'000}, 1000, {}, false, g);
    QVERIFY2(g.runs.size() <= 1000 / 2 + 2, qPrintable(QString::number(g.runs.size())));
    QVERIFY(g.runs.size() >= 1000 / 4);
    QCOMPARE(sumCounts(g), qint64(100'000));
    for (const SpanRun &r : g.runs) {
        QVERIFY(r.count > 1);
        QCOMPARE(r.category, 1); // nine of ten spans are category 1
        QCOMPARE(r.name, -1);
        QCOMPARE(r.index, -1);
        QVERIFY(r.x1 >= r.x0);
    }
    // Runs are ordered and do not overlap.
    for (size_t i = 1; i < g.runs.size(); ++i)
        QVERIFY(g.runs[i].x0 >= g.runs[i - 1].x1 - 0.01f);
    // A dominant minority category wins by time, not by count.
    IntervalArrays b;
    for (int i = 0; i < 1000; ++i)
        b.push(i * 100, i * 100 + (i % 2 ? 90 : 10), i % 2 ? 5 : 6, 1, 0);
    b.finish();
    LaneGeometry gb;
    foldIntervals(b, {0, 100'000}, 100, {}, false, gb);
    for (const SpanRun &r : gb.runs)
        QCOMPARE(r.category, 5);
}

void TstTimelineGeometry::keepsWideSpans()
{
    IntervalArrays a;
    a.push(0, 10, 1, 3, 0);
    a.push(10, 500, 2, 4, 42); // 49 px wide
    a.push(500, 501, 1, 3, 0);
    a.push(501, 502, 1, 3, 0);
    a.finish();
    LaneGeometry g;
    foldIntervals(a, {0, 1000}, 100, {}, false, g);
    const auto wide =
        std::find_if(g.runs.begin(), g.runs.end(), [](const SpanRun &r) { return r.index == 1; });
    QVERIFY(wide != g.runs.end());
    QCOMPARE(wide->count, 1);
    QCOMPARE(wide->request, 42);
    QCOMPARE(wide->name, 4);
    QCOMPARE(wide->x0, 1.f);
    QCOMPARE(wide->x1, 50.f);
    QCOMPARE(sumCounts(g), qint64(4));
}

void TstTimelineGeometry::enclosingSpanAtRangeEdge_data()
{
    QTest::addColumn<qint64>("t0");
    QTest::addColumn<qint64>("t1");
    QTest::addColumn<int>("width");
    QTest::newRow("deep inside, 1 us") << qint64(500'000'000) << qint64(500'001'000) << 1600;
    QTest::newRow("starts before the range") << qint64(999'000'000) << qint64(1'100'000'000) << 800;
    QTest::newRow("zoomed out") << qint64(-10) << qint64(3'000'000'000) << 1600;
}

void TstTimelineGeometry::enclosingSpanAtRangeEdge()
{
    QFETCH(qint64, t0);
    QFETCH(qint64, t1);
    QFETCH(int, width);
    // Depth 0: many short spans, then one long span [0, 1 s] at depth 1
    // behind them in start order; plus in one array: a long span followed by
    // thousands of short ones that start inside it (overlapping input).
    TimelineLane lane;
    lane.tracks.resize(2);
    for (int i = 0; i < 200'000; ++i)
        lane.tracks[0].spans.push(1'000'000'000 + TimeNs(i) * 5000,
                                  1'000'000'000 + TimeNs(i) * 5000 + 100, 1, 1, 0);
    lane.tracks[1].spans.push(0, 1'000'000'000, 9, 9, 77);
    lane.tracks[1].spans.push(1'000'000'000, 1'000'000'010, 1, 1, 0);
    lane.finish();
    QVERIFY(!lane.tracks[0].levels.empty());
    const LaneGeometry g = buildLaneGeometry(lane, {t0, t1}, width);
    const auto enclosing = std::find_if(g.runs.begin(), g.runs.end(), [](const SpanRun &r) {
        return r.depth == 1 && r.category == 9;
    });
    QVERIFY2(enclosing != g.runs.end(), "the long span was lost");
    QCOMPARE(enclosing->request, 77);
    QVERIFY(enclosing->x0 <= 0.f || t0 < 0);
    QVERIFY(enclosing->x1 > 0.f);
    // The work stays bounded by pixels even over 200k spans.
    QVERIFY2(g.touched < size_t(width) * 4, qPrintable(QString::number(g.touched)));

    IntervalArrays a;
    a.push(0, 10'000'000, 3, 3, 5);
    for (int i = 0; i < 50'000; ++i)
        a.push(100 + TimeNs(i) * 100, 150 + TimeNs(i) * 100, 1, 1, 0);
    a.finish();
    LaneGeometry g2;
    foldIntervals(a, {9'000'000, 9'000'100}, 100, {}, false, g2);
    QCOMPARE(g2.runs.size(), size_t(1));
    QCOMPARE(g2.runs[0].category, 3);
    QCOMPARE(g2.runs[0].index, 0);
    QCOMPARE(g2.runs[0].x0, -2.f);
    QCOMPARE(g2.runs[0].x1, 102.f);
}

void TstTimelineGeometry::levelsBoundTheWork()
{
    TimelineLane lane;
    lane.tracks.resize(1);
    std::mt19937_64 rng(3);
    TimeNs t = 0;
    for (int i = 0; i < 1'000'000; ++i) {
        const TimeNs len = 1 + TimeNs(rng() % 20'000);
        lane.tracks[0].spans.push(t, t + len, qint32(rng() % 4), 1, 0);
        t += len + TimeNs(rng() % 2000);
    }
    lane.finish();
    const DepthTrack &tr = lane.tracks[0];
    QVERIFY(tr.levels.size() >= 3);
    for (const LodLevel &l : tr.levels) {
        qint64 n = 0;
        for (size_t i = 0; i < l.runs.size(); ++i)
            n += l.runs.countAt(i);
        QCOMPARE(n, qint64(1'000'000)); // every span is accounted for at every level
        QVERIFY(std::is_sorted(l.runs.start.begin(), l.runs.start.end()));
    }
    const TimeRange whole{0, t};
    const LaneGeometry g = buildLaneGeometry(lane, whole, 1600);
    QVERIFY2(g.touched < 1600 * 4, qPrintable(QString::number(g.touched)));
    QCOMPARE(sumCounts(g), qint64(1'000'000));
    // Zoomed in to 1 µs in the middle: a handful of spans.
    const LaneGeometry z = buildLaneGeometry(lane, {t / 2, t / 2 + 1000}, 1600);
    QVERIFY(z.touched <= 3);
    QVERIFY(!z.runs.empty());
}

void TstTimelineGeometry::counterColumns()
{
    TimelineLane lane;
    lane.kind = LaneKind::Counter;
    for (int i = 0; i < 10'000; ++i) {
        lane.instants.ts.push_back(i * 10);
        lane.instants.value.push_back(double((i * 37) % 1000));
        lane.instants.name.push_back(0);
    }
    lane.instants.hasValues = true;
    lane.finish();
    const LaneGeometry g = buildLaneGeometry(lane, {0, 100'000}, 100);
    QCOMPARE(g.columns.size(), size_t(100));
    qint64 total = 0;
    for (int c = 0; c < 100; ++c) {
        const CounterColumn &col = g.columns[size_t(c)];
        total += col.count;
        float mn = 1e9f, mx = -1e9f;
        for (int i = c * 100; i < (c + 1) * 100; ++i) {
            mn = std::min(mn, float((i * 37) % 1000));
            mx = std::max(mx, float((i * 37) % 1000));
        }
        QCOMPARE(col.min, mn);
        QCOMPARE(col.max, mx);
        QCOMPARE(col.last, float((((c + 1) * 100 - 1) * 37) % 1000));
    }
    QCOMPARE(total, qint64(10'000));
}

void TstTimelineGeometry::cacheAndTicks()
{
    TimelineModel m;
    TimelineLane lane;
    lane.laneId = 1;
    lane.tracks.resize(1);
    lane.tracks[0].spans.push(0, 100, 1, 1, 0);
    lane.finish();
    m.addLane(std::move(lane));
    m.finishLoad();
    GeometryCache cache;
    const LaneGeometry *a = &cache.get(m, 0, {0, 200}, 100);
    const LaneGeometry *b = &cache.get(m, 0, {0, 200}, 100);
    QCOMPARE(a, b);
    QCOMPARE(a->runs.size(), size_t(1));
    QCOMPARE(cache.get(m, 0, {0, 400}, 100).runs[0].x1, 25.f);
    QCOMPARE(niceTickStep(1'000'000'000, 1000, 100), TimeNs(100'000'000));
    QCOMPARE(niceTickStep(1500, 1000, 100), TimeNs(200));
    QCOMPARE(niceTickStep(7'000, 1000, 100), TimeNs(1000));
}

void TstTimelineGeometry::modelFromSyntheticSession()
{
    test::TempSession ts;
    test::SyntheticSpec spec;
    spec.goroutines = 30;
    spec.spansPerLane = 500;
    spec.requests = 40;
    const test::SyntheticResult res = test::writeSyntheticSession(ts.session(), spec);
    TimelineModel m;
    m.load(ts.session().db());
    QCOMPARE(m.spanCount(), res.spans);
    QCOMPARE(m.lane(0).kind, LaneKind::Requests);
    // One process (the synthetic trace): what the whole process went through
    // (GC, heap, procs) above its goroutines.
    QCOMPARE(m.processes().size(), size_t(1));
    int g1 = -1;
    for (int i = 1; i < m.laneCount(); ++i) {
        QCOMPARE(m.lane(i).sourceId, m.processes().front().sourceId);
        if (g1 < 0 && m.lane(i).kind == LaneKind::Goroutine) g1 = i;
        if (g1 >= 0) QCOMPARE(m.lane(i).kind, LaneKind::Goroutine);
    }
    QVERIFY(g1 > 1);
    QCOMPARE(m.lane(1).kind, LaneKind::Gc);
    QCOMPARE(qint64(m.requests().size()), qint64(spec.requests));
    QVERIFY(m.fullRange().start >= spec.start);
    QVERIFY(m.fullRange().end <= spec.start + spec.duration * 3);
    // The requests lane carries the client phases as overlays.
    qint64 phases = 0;
    for (const DepthTrack &t : m.lane(0).overlay)
        phases += qint64(t.spans.size());
    QCOMPARE(phases, qint64(spec.requests * 6));
    // Handler spans tie goroutine lanes to requests.
    const qint64 rid = m.requests().front().id;
    QVERIFY(!m.lanesOfRequest(rid).isEmpty());
    const RangeStats st = m.statsFor(m.fullRange(), {g1, g1 + 1, g1 + 2});
    QCOMPARE(st.spans, qint64(m.lane(g1).spanCount() + m.lane(g1 + 1).spanCount() +
                              m.lane(g1 + 2).spanCount()));
    QVERIFY(st.nsByCategory.value(m.findString(QStringLiteral("running"))) > 0);
    const auto hits = m.search(QStringLiteral("handleitem"));
    QCOMPARE(qint64(hits.size()), qint64(spec.requests));
    // The counter lane has values.
    bool counter = false;
    for (const TimelineLane &l : m.lanes())
        counter = counter || (l.kind == LaneKind::Counter && l.instants.hasValues);
    QVERIFY(counter);

    // Create flows from parents to children, found by time and lane.
    QCOMPARE(qint64(m.flows().size()), qint64(spec.goroutines - 1));
    const auto fl = m.flowsFor({g1}, m.fullRange());
    QVERIFY(!fl.empty());
    for (const auto *f : fl)
        QVERIFY(f->fromLane == g1 || f->toLane == g1);
    QVERIFY(m.flowsFor({g1}, {m.fullRange().end + 1, m.fullRange().end + 2}).empty());

    // Progressive opening: the first lanes only, then everything.
    TimelineModel part;
    part.load(ts.session().db(), nullptr, 5);
    QVERIFY(part.isPartial());
    QCOMPARE(part.laneCount(), m.laneCount());
    for (int i = 0; i < part.laneCount(); ++i) {
        QCOMPARE(part.lane(i).laneId, m.lane(i).laneId); // same display order
        if (part.lane(i).loaded) {
            // Read lane by lane through the runs: the same rows as the scan.
            QCOMPARE(part.lane(i).spanCount(), m.lane(i).spanCount());
            QCOMPARE(part.lane(i).instants.ts, m.lane(i).instants.ts);
        } else {
            QCOMPARE(part.lane(i).spanCount(), qint64(0));
        }
    }
    QVERIFY(part.lane(1).loaded);
    QVERIFY(!part.lane(part.laneCount() - 1).loaded);
    QVERIFY(!m.isPartial());
}

QTEST_GUILESS_MAIN(TstTimelineGeometry)
#include "tst_timelinegeometry.moc"
