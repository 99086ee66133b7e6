// Timeline geometry without a screen: the visible slice by binary search,
// folding of sub-pixel spans into runs with counts and a dominant category,
// the long enclosing span at the range edge, levels of detail, counters as
// one column per pixel, and the model loaded from a synthetic session.

#include "synthetic.h"
#include "testsupport.h"
#include "timeline.h"

#include <QFile>
#include <QTemporaryDir>
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

// A synthetic session of `goroutines` lanes of `perLane` spans and `requests` requests.
test::SyntheticResult writeSession(test::TempSession &ts, int goroutines, qint64 perLane,
                                   int requests)
{
    test::SyntheticSpec spec;
    spec.goroutines = goroutines;
    spec.spansPerLane = perLane;
    spec.requests = requests;
    return test::writeSyntheticSession(ts.session(), spec);
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
    void flowsKeepTheirEnds();
    void windowedModel_data();
    void windowedModel();
    void windowedModelDropsLanesPastItsBudget();
    void storedLevels_data();
    void storedLevels();
    void importStoresLevelsOfLongLanes();
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

// Flows are held in 16 bytes, their ends beside when they differ from the
// start: every flow of the session comes back with its own end, whatever
// order the rows were written in, and a flow that ends in a range meets it.
void TstTimelineGeometry::flowsKeepTheirEnds()
{
    test::TempSession ts;
    writeSession(ts, 30, 200, 10);
    Db &db = ts.session().db();
    // Flows of every shape in an order not by time: instant wake-ups, long
    // arrows forwards and backwards.
    db.exec("BEGIN");
    db.exec("INSERT INTO flow (kind, from_lane_id, from_ts_ns, to_lane_id, to_ts_ns) "
            "SELECT 'link', a.id, 7000000 - a.id * 1000, b.id, "
            "CASE a.id % 3 WHEN 0 THEN 7000000 - a.id * 1000 WHEN 1 THEN 9000000 + a.id "
            "ELSE 1000 + a.id END FROM lane a JOIN lane b ON b.id = a.id + 1 "
            "WHERE a.kind = 'goroutine' AND b.kind = 'goroutine'");
    db.exec("COMMIT");
    struct F
    {
        qint64 from, to;
        TimeNs fromTs, toTs;
        auto operator<=>(const F &) const = default;
    };
    std::vector<F> inDb;
    {
        Stmt st(db, "SELECT from_lane_id, to_lane_id, from_ts_ns, to_ts_ns FROM flow");
        while (st.step())
            inDb.push_back({st.int64(0), st.int64(1), st.int64(2), st.int64(3)});
    }
    QVERIFY(inDb.size() > 30);
    qint64 longOnes = 0;
    for (const F &f : inDb)
        longOnes += f.fromTs != f.toTs;
    QVERIFY(longOnes > 10);
    TimelineModel m;
    m.load(db);
    std::vector<F> inModel;
    for (const auto &f : m.flows())
        inModel.push_back(
            {m.lane(f.fromLane).laneId, m.lane(f.toLane).laneId, f.fromTs, m.flowEnd(f)});
    for (size_t i = 1; i < m.flows().size(); ++i)
        QVERIFY(m.flows()[i - 1].fromTs <= m.flows()[i].fromTs);
    std::sort(inDb.begin(), inDb.end());
    std::sort(inModel.begin(), inModel.end());
    QVERIFY(inModel == inDb);
    // A flow that starts before a range and ends in it meets it.
    bool checked = false;
    for (const auto &f : m.flows()) {
        const TimeNs end = m.flowEnd(f);
        if (end <= f.fromTs + 10) continue;
        const auto hits = m.flowsFor({f.fromLane}, {end - 1, end + 1}, 100000);
        QVERIFY(std::find(hits.begin(), hits.end(), &f) != hits.end());
        checked = true;
    }
    QVERIFY(checked);
}

void TstTimelineGeometry::modelFromSyntheticSession()
{
    test::TempSession ts;
    test::SyntheticSpec spec;
    spec.goroutines = 30;
    spec.requests = 40;
    const test::SyntheticResult res = writeSession(ts, spec.goroutines, 500, spec.requests);
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
    // Only those lanes (and the requests lane), the full model's first ones.
    QCOMPARE(part.laneCount(), 6);
    QVERIFY(part.laneCount() < m.laneCount());
    for (int i = 0; i < part.laneCount(); ++i) {
        QCOMPARE(part.lane(i).laneId, m.lane(i).laneId); // same display order
        QCOMPARE(part.lane(i).kind, m.lane(i).kind);
        QVERIFY(part.lane(i).loaded);
        // Read lane by lane through the runs: the same rows as the scan.
        QCOMPARE(part.lane(i).spanCount(), m.lane(i).spanCount());
        QCOMPARE(part.lane(i).instants.ts, m.lane(i).instants.ts);
    }
    QVERIFY(!m.isPartial());
}

namespace {
void compareArrays(const IntervalArrays &a, const IntervalArrays &b)
{
    QCOMPARE(a.start, b.start);
    QCOMPARE(a.end, b.end);
    QCOMPARE(a.maxEnd, b.maxEnd);
    QCOMPARE(a.category, b.category);
    QCOMPARE(a.name, b.name);
    QCOMPARE(a.request, b.request);
    QCOMPARE(a.count, b.count);
}

// Every lane of `w` holds what the same lane of the full model `m` holds.
void compareLanes(const TimelineModel &w, const TimelineModel &m)
{
    QCOMPARE(w.laneCount(), m.laneCount());
    for (int i = 0; i < m.laneCount(); ++i) {
        const TimelineLane &a = w.lane(i), &b = m.lane(i);
        QCOMPARE(a.laneId, b.laneId);
        QVERIFY2(a.loaded, qPrintable(b.name));
        QCOMPARE(a.tracks.size(), b.tracks.size());
        for (size_t t = 0; t < a.tracks.size(); ++t) {
            compareArrays(a.tracks[t].spans, b.tracks[t].spans);
            QCOMPARE(a.tracks[t].levels.size(), b.tracks[t].levels.size());
            for (size_t k = 0; k < a.tracks[t].levels.size(); ++k)
                compareArrays(a.tracks[t].levels[k].runs, b.tracks[t].levels[k].runs);
        }
        QCOMPARE(a.overlay.size(), b.overlay.size());
        for (size_t t = 0; t < a.overlay.size(); ++t)
            compareArrays(a.overlay[t].spans, b.overlay[t].spans);
        QCOMPARE(a.instants.ts, b.instants.ts);
        QCOMPARE(a.instants.name, b.instants.name);
        QCOMPARE(a.instants.value, b.instants.value);
        QCOMPARE(a.instants.hasValues, b.instants.hasValues);
    }
}
} // namespace

void TstTimelineGeometry::windowedModel_data()
{
    QTest::addColumn<QString>("trace"); // empty: a synthetic session
    QTest::newRow("synthetic") << QString();
    // A real Go 1.23 trace: thousands of short goroutine lanes, CPU samples, tasks.
    QTest::newRow("go1.23 trace") << test::testData(QStringLiteral("exectrace/go123-http.trace"));
}

// A session too big to hold opens windowed: lanes come in as they are read,
// and a lane read later holds exactly what the full load gives it; what the
// window covers whole (span count, range, requests and their lanes) never
// depends on which lanes are loaded.
void TstTimelineGeometry::windowedModel()
{
    QFETCH(QString, trace);
    test::TempSession ts;
    if (trace.isEmpty()) {
        writeSession(ts, 30, 500, 40);
    } else {
        QVERIFY(ts.import(trace).ok);
    }
    const Db &db = ts.session().db();
    TimelineModel m;
    m.load(db);
    QCOMPARE(TimelineModel::countSpans(db), m.spanCount());

    TimelineModel w;
    w.load(db, nullptr, 5, true);
    QVERIFY(w.isWindowed());
    QVERIFY(!w.isPartial()); // nothing more comes by a second load
    QVERIFY(!m.isWindowed());
    QCOMPARE(w.laneCount(), m.laneCount());
    QCOMPARE(w.spanCount(), m.spanCount());
    QVERIFY(w.loadedSpanCount() < w.spanCount());
    QCOMPARE(w.fullRange(), m.fullRange());
    QCOMPARE(w.fitRange(), m.fitRange());
    QCOMPARE(w.requests().size(), m.requests().size());
    QCOMPARE(w.flows().size(), m.flows().size());
    // The overview covers every lane: where the full model's has most, so does it.
    QCOMPARE(w.overview().size(), m.overview().size());
    const auto peak = [](const std::vector<float> &v) {
        return int(std::max_element(v.begin(), v.end()) - v.begin());
    };
    QVERIFY(w.overview()[size_t(peak(m.overview()))] > 0.5f);
    int shown = 0;
    for (const float f : w.overview())
        shown += f > 0;
    QVERIFY(shown > int(w.overview().size()) / 2);
    // A request's lanes and the moment each started on it, unloaded or not.
    int withLanes = 0;
    for (const TimelineModel::RequestSpan &r : m.requests()) {
        const QList<int> lanes = m.lanesOfRequest(r.id);
        QCOMPARE(w.lanesOfRequest(r.id), lanes);
        withLanes += !lanes.isEmpty();
        for (const int li : lanes)
            QCOMPARE(w.firstSpanOfRequest(li, r.id), m.firstSpanOfRequest(li, r.id));
    }
    QVERIFY(withLanes > 0);
    // As the window opens: the first screen's model hands its lanes over, not read twice.
    {
        TimelineModel first, w0;
        // A string the load interns that the session holds too (no lane uses it).
        ts.session().db().exec("INSERT OR IGNORE INTO string(value) VALUES('request-4xx')");
        first.load(db, nullptr, 5);
        w0.load(db, nullptr, 0, true);
        int firstLoaded = 0;
        for (const TimelineLane &l : first.lanes())
            firstLoaded += l.kind != LaneKind::Requests && l.loaded;
        const int gcLanes = int(
            std::count_if(first.lanes().begin(), first.lanes().end(), [](const TimelineLane &l) {
                return l.kind == LaneKind::Gc && l.loaded;
            }));
        QVERIFY(firstLoaded > gcLanes);
        // The first screen's model holds its lanes only, the full model's first ones.
        QCOMPARE(first.laneCount(), 6); // and the requests lane
        QVERIFY(first.laneCount() < m.laneCount());
        for (int i = 0; i < first.laneCount(); ++i) {
            QCOMPARE(first.lane(i).laneId, m.lane(i).laneId);
            QCOMPARE(first.lane(i).name, m.lane(i).name);
        }
        // What both intern has one id (marks on lanes handed over keep their name).
        for (const char *name : {"CPU sample", "request", "request-4xx", "request-error"})
            QCOMPARE(first.findString(QLatin1String(name)), w0.findString(QLatin1String(name)));
        QCOMPARE(w0.adoptLanes(first), firstLoaded - gcLanes); // GC lanes it read itself
        QCOMPARE(w0.loadedSpanCount(), w.loadedSpanCount());
        for (int i = 0; i < w0.laneCount(); ++i) {
            QCOMPARE(w0.lane(i).loaded, w.lane(i).loaded);
            if (w0.lane(i).kind != LaneKind::Requests && w0.lane(i).loaded) {
                QCOMPARE(w0.lane(i).spanCount(), m.lane(i).spanCount());
                // The first screen read only the strings its lanes use; the
                // ones handed over name what the full model names.
                const TimelineLane &a = w0.lane(i), &b = m.lane(i);
                QCOMPARE(a.tracks.size(), b.tracks.size());
                for (size_t d = 0; d < a.tracks.size(); ++d)
                    for (size_t k = 0; k < a.tracks[d].spans.size(); ++k)
                        QCOMPARE(w0.string(a.tracks[d].spans.name[k]),
                                 m.string(b.tracks[d].spans.name[k]));
                QCOMPARE(a.instants.size(), b.instants.size());
                for (size_t k = 0; k < a.instants.size(); ++k)
                    QCOMPARE(w0.string(a.instants.name[k]), m.string(b.instants.name[k]));
            }
        }
        for (const TimelineLane &l : first.lanes())
            if (l.kind != LaneKind::Requests && l.kind != LaneKind::Gc)
                QVERIFY(!l.loaded); // handed over
    }
    // The first lanes are there; reading the others makes every lane what the full load made it.
    std::vector<qint64> missing;
    for (const TimelineLane &l : w.lanes())
        if (!l.loaded) missing.push_back(l.laneId);
    QVERIFY(missing.size() > 3);
    QVERIFY(w.lane(1).loaded);
    std::vector<LaneData> data = TimelineModel::readLanes(db, missing, w.laneReadContext());
    QCOMPARE(data.size(), missing.size());
    QCOMPARE(w.installLanes(std::move(data), {}, w.spanCount()), 0);
    QCOMPARE(w.loadedSpanCount(), m.spanCount());
    compareLanes(w, m);
    if (!trace.isEmpty()) { // CPU samples come with the lanes read later too
        const qint32 mark = w.findString(QStringLiteral("CPU sample"));
        qint64 marks = 0;
        for (const TimelineLane &l : w.lanes())
            marks += std::count(l.instants.name.begin(), l.instants.name.end(), mark);
        QVERIFY(marks > 0);
        QCOMPARE(marks, test::scalar(db, QStringLiteral("SELECT count(*) FROM sample s JOIN lane "
                                                        "l ON l.id = s.lane_id WHERE l.kind = "
                                                        "'goroutine' AND s.ts_ns IS NOT NULL")));
    }
}

void TstTimelineGeometry::windowedModelDropsLanesPastItsBudget()
{
    test::TempSession ts;
    writeSession(ts, 40, 300, 20);
    const Db &db = ts.session().db();
    TimelineModel m;
    m.load(db);
    TimelineModel w;
    w.load(db, nullptr, 0, true); // nothing loaded but the requests lane and GC
    qint64 gcSpans = 0;
    for (const TimelineLane &l : m.lanes())
        gcSpans += l.kind == LaneKind::Gc ? l.spanCount() : 0;
    QVERIFY(gcSpans > 0);
    QCOMPARE(w.loadedSpanCount(), gcSpans);
    std::vector<qint64> ids;
    std::vector<int> goroutines;
    for (int i = 0; i < w.laneCount(); ++i)
        if (w.lane(i).kind == LaneKind::Goroutine) {
            ids.push_back(w.lane(i).laneId);
            goroutines.push_back(i);
        }
    QVERIFY(goroutines.size() >= 20);
    const qint64 budget = m.lane(goroutines[0]).spanCount() * 10;
    // Lanes on screen stay whatever the budget; the ones installed longest ago go first.
    const QSet<int> keep{goroutines[0], goroutines[1]};
    const int dropped =
        w.installLanes(TimelineModel::readLanes(db, ids, w.laneReadContext()), keep, budget);
    QVERIFY(dropped > 0);
    QVERIFY(w.loadedSpanCount() <= budget);
    qint64 held = 0;
    for (const TimelineLane &l : w.lanes())
        held += l.kind == LaneKind::Requests ? 0 : l.spanCount();
    QCOMPARE(held, w.loadedSpanCount());
    QVERIFY(w.lane(goroutines[0]).loaded && w.lane(goroutines[1]).loaded);
    QVERIFY(!w.lane(goroutines[2]).loaded);
    QCOMPARE(w.lane(goroutines[2]).spanCount(), 0);
    QVERIFY(w.lane(goroutines.back()).loaded);
    for (const TimelineLane &l : w.lanes()) // GC lanes are never dropped
        if (l.kind == LaneKind::Gc) QVERIFY(l.loaded && l.spanCount() > 0);
    QCOMPARE(w.spanCount(), m.spanCount()); // the whole session's, loaded or not
    // A dropped lane read again is whole again.
    w.installLanes(
        TimelineModel::readLanes(db, {w.lane(goroutines[2]).laneId}, w.laneReadContext()),
        {goroutines[2]}, budget);
    QVERIFY(w.lane(goroutines[2]).loaded);
    QCOMPARE(w.lane(goroutines[2]).tracks[0].spans.start,
             m.lane(goroutines[2]).tracks[0].spans.start);
    QVERIFY(w.loadedSpanCount() <= budget);
}

QTEST_GUILESS_MAIN(TstTimelineGeometry)
#include "tst_timelinegeometry.moc"

void TstTimelineGeometry::storedLevels_data()
{
    QTest::addColumn<QString>("trace"); // empty: a synthetic session
    QTest::newRow("synthetic") << QString();
    QTest::newRow("go1.23 trace") << test::testData(QStringLiteral("exectrace/go123-http.trace"));
}

// A long lane's stored levels are its spans folded as the timeline folds
// them; a windowed model holds such a lane coarse, paints it zoomed out
// from them and zoomed in from a window of spans exactly as the full load
// paints it; shifting its source's clock moves them.
void TstTimelineGeometry::storedLevels()
{
    QFETCH(QString, trace);
    test::TempSession ts;
    if (trace.isEmpty()) {
        writeSession(ts, 12, 4000, 20);
    } else {
        QVERIFY(ts.import(trace).ok);
    }
    Db &db = ts.session().db();
    TimelineModel m;
    m.load(db);
    qint64 longest = 0;
    for (const TimelineLane &l : m.lanes())
        if (l.kind != LaneKind::Requests) longest = std::max(longest, l.spanCount());
    QVERIFY(longest >= 2000);
    // Small bounds so a test-sized lane counts as long.
    const StoredLevelOptions opt{longest / 4, std::max<qint64>(64, longest / 16)};
    QCOMPARE(storeLaneLevels(db, opt, nullptr, 999'999), 0); // another source's lanes only
    const int stored = storeLaneLevels(db, opt);
    QVERIFY(stored > 0);
    QCOMPARE(storeLaneLevels(db, opt), 0); // once
    int coarseDepths = 0;
    QList<int> coarseLanes;
    for (int li = 0; li < m.laneCount(); ++li) {
        const TimelineLane &l = m.lane(li);
        const std::vector<DepthTrack> tracks = readStoredLevels(db, l.laneId);
        if (tracks.empty()) continue;
        coarseLanes << li;
        QVERIFY(l.spanCount() > opt.minSpans);
        QVERIFY(tracks.size() <= l.tracks.size());
        for (size_t d = 0; d < tracks.size(); ++d) {
            const DepthTrack &t = tracks[d];
            const IntervalArrays &spans = l.tracks[d].spans;
            if (!t.coarse) { // stored whole
                QVERIFY(qint64(spans.size()) <= opt.maxRuns / 4);
                QCOMPARE(t.spans.start, spans.start);
                QCOMPARE(t.spans.end, spans.end);
                QCOMPARE(t.spans.category, spans.category);
                QCOMPARE(t.spans.name, spans.name);
                QCOMPARE(t.spans.request, spans.request);
                continue;
            }
            ++coarseDepths;
            QVERIFY(!t.levels.empty());
            size_t below = spans.size() / 8;
            for (const LodLevel &lv : t.levels) {
                QVERIFY(lv.bucket >= 4000);
                QVERIFY(lv.runs.size() <= below);
                QVERIFY(qint64(lv.runs.size()) <= opt.maxRuns);
                below = lv.runs.size() * 7 / 10;
                compareArrays(lv.runs, foldLevel(spans, lv.bucket));
                qint64 n = 0;
                for (size_t i = 0; i < lv.runs.size(); ++i)
                    n += lv.runs.countAt(i);
                QCOMPARE(n, qint64(spans.size()));
            }
        }
    }
    QCOMPARE(int(coarseLanes.size()), stored);
    QVERIFY(coarseDepths > 0);

    // Windowed, the long lanes come coarse, holding none of their levels' spans.
    TimelineModel w;
    w.load(db, nullptr, m.laneCount(), true);
    QVERIFY(w.isWindowed());
    const int li = coarseLanes.first();
    const TimelineLane &cl = w.lane(li);
    QVERIFY(cl.loaded && cl.coarse);
    QVERIFY(cl.spanCount() < m.lane(li).spanCount());
    const int width = 1000;
    // Zoomed out (past every depth's finest level): painted from the levels,
    // every span counted.
    TimeNs finest = 0;
    for (const DepthTrack &t : cl.tracks)
        if (t.coarse) finest = std::max(finest, t.levels.front().bucket);
    const TimeRange all{m.fullRange().start,
                        m.fullRange().start + std::max(m.fullRange().length(), finest * width)};
    QVERIFY(!cl.wantsWindow(all, width, {}));
    QVERIFY(cl.wantsWindow({all.start, all.start + finest * width / 4}, width, {}));
    QCOMPARE(sumCounts(buildLaneGeometry(cl, all, width)),
             sumCounts(buildLaneGeometry(m.lane(li), all, width)));
    QCOMPARE(w.statsFor(all, {li}).spans, m.statsFor(all, {li}).spans);
    // Zoomed in past the finest level: until the window comes, the finest
    // level stands in; then the runs are the full model's.
    const IntervalArrays &spans0 =
        m.lane(li)
            .tracks[size_t(std::find_if(cl.tracks.begin(), cl.tracks.end(),
                                        [](const DepthTrack &t) { return t.coarse; }) -
                           cl.tracks.begin())]
            .spans;
    const TimeNs mid = spans0.start[spans0.size() / 2];
    const TimeRange zoom{mid - 500'000, mid + 500'000}; // 1 µs a pixel
    QVERIFY(cl.wantsWindow(zoom, width, {}));
    QVERIFY(sumCounts(buildLaneGeometry(cl, zoom, width)) > 0);
    const TimeRange window{zoom.start - zoom.length(), zoom.end + zoom.length()};
    std::vector<LaneData> data =
        TimelineModel::readLanes(db, {cl.laneId}, w.laneReadContext(), nullptr, window);
    QCOMPARE(data.size(), size_t(1));
    const qint64 held = w.loadedSpanCount();
    w.installLanes(std::move(data), {li}, w.spanCount());
    QVERIFY(w.lane(li).coarse);
    QVERIFY(!w.lane(li).wantsWindow(zoom, width, {}));
    QVERIFY(w.loadedSpanCount() > held);
    QVERIFY(w.lane(li).spanCount() < m.lane(li).spanCount());
    const LaneGeometry a = buildLaneGeometry(w.lane(li), zoom, width),
                       b = buildLaneGeometry(m.lane(li), zoom, width);
    QVERIFY(!b.runs.empty());
    QCOMPARE(a.runs.size(), b.runs.size());
    for (size_t i = 0; i < a.runs.size(); ++i) {
        QCOMPARE(a.runs[i].start, b.runs[i].start);
        QCOMPARE(a.runs[i].end, b.runs[i].end);
        QCOMPARE(a.runs[i].category, b.runs[i].category);
        QCOMPARE(a.runs[i].count, b.runs[i].count);
        QCOMPARE(a.runs[i].depth, b.runs[i].depth);
    }
    QCOMPARE(w.statsFor(zoom, {li}).nsByCategory, m.statsFor(zoom, {li}).nsByCategory);
    // Panned away, the window no longer covers the view.
    const TimeRange away{zoom.start + 3 * zoom.length(), zoom.end + 3 * zoom.length()};
    if (away.end < all.end) QVERIFY(w.lane(li).wantsWindow(away, width, {}));

    // A source moved on the clock moves its levels.
    const qint64 source =
        test::scalar(db, QStringLiteral("SELECT source_id FROM lane WHERE id = %1").arg(cl.laneId));
    const std::vector<DepthTrack> before = readStoredLevels(db, cl.laneId);
    ts.session().shiftSource(source, 1'000'000'000);
    const std::vector<DepthTrack> after = readStoredLevels(db, cl.laneId);
    QCOMPARE(after.size(), before.size());
    for (size_t d = 0; d < after.size(); ++d)
        for (size_t k = 0; k < after[d].levels.size(); ++k) {
            const auto &x = before[d].levels[k].runs, &y = after[d].levels[k].runs;
            QCOMPARE(y.size(), x.size());
            QCOMPARE(y.start.front(), x.start.front() + 1'000'000'000);
            QCOMPARE(y.end.back(), x.end.back() + 1'000'000'000);
        }

    // A damaged session: a cut blob with a stray byte and a run count out of
    // all reason read as the runs the bytes hold, and the lane still opens.
    db.exec("UPDATE lane_level SET data = substr(data, 1, length(data) / 2) || X'ff', runs = "
            "4000000000");
    for (const int i : coarseLanes)
        for (const DepthTrack &t : readStoredLevels(db, m.lane(i).laneId))
            for (const LodLevel &lv : t.levels)
                QVERIFY(qint64(lv.runs.size()) <= opt.maxRuns);
    TimelineModel damaged;
    damaged.load(db, nullptr, m.laneCount(), true);
    QVERIFY(damaged.lane(li).coarse);
    QVERIFY(buildLaneGeometry(damaged.lane(li), all, width).runs.size() > 0);
}

// An import stores the levels of a lane of more than StoredLevelOptions::minSpans spans.
void TstTimelineGeometry::importStoresLevelsOfLongLanes()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("long.json"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const qint64 n = StoredLevelOptions().minSpans + 20'000;
        QByteArray out = "{\"traceEvents\":[\n";
        for (qint64 i = 0; i < n; ++i) {
            out += "{\"name\":\"step\",\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":" +
                   QByteArray::number(i * 3) + ",\"dur\":" + QByteArray::number(1 + i % 2) + "}";
            out += i + 1 < n ? ",\n" : "\n";
        }
        out += "]}\n";
        QCOMPARE(f.write(out), qint64(out.size()));
    }
    test::TempSession ts;
    const ImportResult r = ts.import(path);
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY(r.levelsMs >= 0);
    const Db &db = ts.session().db();
    QCOMPARE(test::scalar(db, QStringLiteral("SELECT count(DISTINCT lane_id) FROM lane_level")),
             qint64(1));
    TimelineModel w;
    w.load(db, nullptr, 8, true);
    int coarse = 0;
    for (const TimelineLane &l : w.lanes())
        coarse += l.coarse;
    QCOMPARE(coarse, 1);
}
