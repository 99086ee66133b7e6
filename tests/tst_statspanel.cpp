// The statistics panel offscreen: series built from the gen corpus's
// requests, bar clicks emitting filters that select exactly the requests
// behind the bar, and a rendered image (set LANESCOPE_STATS_PNG to keep it).

#include "analysis.h"
#include "queries.h"
#include "queryservice.h"
#include "statspanel.h"
#include "testsupport.h"

#include <QBarSet>
#include <QHorizontalStackedBarSeries>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTest>

using namespace ls;

class TstStatsPanel : public QObject
{
    Q_OBJECT
    std::optional<test::TempSession> m_s;
    std::vector<RequestRow> m_rows; // the oracle: every row, slowest first
    RequestStatistics m_stats;

    qint64 countFor(const QString &filter)
    {
        RequestQuery q;
        q.filter = filter;
        return qint64(queryRequests(m_s->session().db(), q).size());
    }

private slots:
    void initTestCase()
    {
        m_s.emplace();
        QVERIFY(m_s->import(test::corpus(QStringLiteral("gen/server.jsonl"))).ok);
        QVERIFY(m_s->import(test::corpus(QStringLiteral("gen/trace.out"))).ok);
        QVERIFY(m_s->import(test::corpus(QStringLiteral("gen/client_httptrace.jsonl"))).ok);
        m_rows = queryRequests(m_s->session().db(), {});
        QCOMPARE(m_rows.size(), size_t(500));
        m_stats = requestStatistics(m_s->session().db(), QString());
        QCOMPARE(m_stats.count, qint64(500));
    }

    void histogram()
    {
        StatsPanel p;
        p.setData(m_stats);
        QBarSet *set = p.histogramSet();
        QVERIFY(set);
        const auto &edges = p.histogramEdges();
        QCOMPARE(size_t(set->count()) + 1, edges.size());
        double sum = 0;
        for (int i = 0; i < set->count(); ++i)
            sum += set->at(i);
        QCOMPARE(sum, 500.0);
        // Logarithmic bins: each edge the same ratio above the one before.
        const double r0 = double(edges[1]) / double(edges[0]);
        for (size_t i = 1; i + 1 < edges.size(); ++i)
            QVERIFY(std::abs(double(edges[i + 1]) / double(edges[i]) - r0) < 0.01 * r0);
        // A click filters the table to exactly that bin.
        QSignalSpy spy(&p, &StatsPanel::filterRequested);
        for (int i = 0; i < set->count(); ++i) {
            emit set->clicked(i);
            QCOMPARE(spy.size(), i + 1);
            const QString f = spy.at(i).at(0).toString();
            QVERIFY2(RequestFilter::parse(f).has_value(), qPrintable(f));
            QCOMPARE(countFor(f), qint64(set->at(i)));
        }
    }

    void percentiles()
    {
        StatsPanel p;
        p.setData(m_stats);
        QLineSeries *s = p.percentileSeries();
        QVERIFY(s);
        QCOMPARE(s->count(), int(statsPercentiles().size()));
        for (int i = 1; i < s->count(); ++i)
            QVERIFY(s->at(i).y() >= s->at(i - 1).y());
        std::vector<qint64> d;
        for (const RequestRow &r : m_rows)
            d.push_back(r.duration());
        std::sort(d.begin(), d.end());
        for (int i = 0; i < s->count(); ++i)
            QCOMPARE(s->at(i).y(),
                     std::round(double(percentile(d, statsPercentiles()[size_t(i)])) / 1e4) /
                         100.0);
    }

    void slowestPhases()
    {
        StatsPanel p;
        p.setSlowestCount(5);
        p.setData(m_stats);
        QVERIFY(p.phaseSeries());
        QCOMPARE(p.phaseKeys().size(), size_t(5));
        // The slowest request is the top bar (the last category).
        QCOMPARE(p.phaseKeys().back(), m_rows.front().key);
        QBarSet *wait = nullptr;
        for (QBarSet *s : p.phaseSeries()->barSets())
            if (s->label() == QLatin1String("wait")) wait = s;
        QVERIFY(wait);
        QSignalSpy spy(&p, &StatsPanel::filterRequested);
        emit wait->clicked(4);
        QCOMPARE(spy.size(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("key:%1").arg(m_rows.front().key));
        QCOMPARE(countFor(spy.at(0).at(0).toString()), qint64(1));
    }

    void classes()
    {
        const auto classes = allRequestClasses(m_s->session().db());
        StatsPanel p;
        p.setData(m_stats);
        const auto &names = p.classNames();
        const auto it = std::find(names.begin(), names.end(), QStringLiteral("blocked-mutex"));
        QVERIFY(it != names.end());
        const int idx = int(it - names.begin());
        QCOMPARE(p.classSets().size(), names.size());
        QBarSet *set = p.classSets()[size_t(idx)];
        QCOMPARE(set->label(), QStringLiteral("blocked-mutex"));
        qint64 syncNs = 0;
        int dominated = 0;
        for (const auto &[id, b] : classes) {
            syncNs += b.ns[size_t(LatencyClass::BlockedMutex)];
            dominated += b.dominant == QLatin1String("blocked-mutex");
        }
        QVERIFY(std::abs(set->at(idx) - double(syncNs) / 1e6) < 1e-6 * double(syncNs));
        QSignalSpy spy(&p, &StatsPanel::filterRequested);
        emit set->clicked(idx);
        QCOMPARE(spy.size(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("class=blocked-mutex"));
        QCOMPARE(countFor(spy.at(0).at(0).toString()), qint64(dominated));
    }

    // The slowest requests' bars hold their client phases and, inside the
    // wait, their server steps (nested steps counted once): no bar is longer
    // than its request.
    void slowestShowServerSteps()
    {
        QueryService q;
        q.setSession(m_s->path(), 1);
        RequestStatistics d;
        q.stats(this, QString(), [&](const Answer<RequestStatistics> &a) { d = a.value; });
        QVERIFY(q.settle());
        QVERIFY(!d.steps.empty());
        StatsPanel p;
        p.setData(d);
        QHorizontalStackedBarSeries *series = p.phaseSeries();
        QVERIFY(series);
        QStringList names;
        for (QBarSet *set : series->barSets())
            names << set->label();
        QVERIFY2(names.contains(QStringLiteral("step inject_delay")),
                 qPrintable(names.join(QLatin1Char(','))));
        // Bars are bottom-up: the slowest is the last category.
        std::vector<const RequestRow *> slow;
        for (const RequestRow &r : m_rows)
            if (r.duration() >= 0) slow.push_back(&r);
        std::sort(slow.begin(), slow.end(), [](const RequestRow *a, const RequestRow *b) {
            return a->duration() > b->duration();
        });
        const int n = series->barSets().first()->count();
        for (int i = 0; i < n; ++i) {
            double sum = 0;
            for (QBarSet *set : series->barSets())
                sum += set->at(i);
            const double ms = double(slow[size_t(n - 1 - i)]->duration()) / 1e6;
            QVERIFY2(sum <= ms * 1.0001 + 1e-6,
                     qPrintable(QStringLiteral("%1 > %2").arg(sum).arg(ms)));
        }
    }

    void selection()
    {
        StatsPanel p;
        p.setData(m_stats);
        QCOMPARE(p.selectedHistogramBin(), -1);
        // The slowest request: the last bin, the top phase bar.
        const RequestRow &slowest = m_rows.front();
        p.setSelectedRequest(slowest.id);
        QCOMPARE(p.selectedHistogramBin(), p.histogramSet()->count() - 1);
        for (QBarSet *s : p.phaseSeries()->barSets())
            QVERIFY(s->isBarSelected(int(p.phaseKeys().size()) - 1));
        // Its histogram bin's filter selects it.
        RequestQuery q;
        q.filter =
            p.histogramFilter(p.selectedHistogramBin()) + QStringLiteral(" key:") + slowest.key;
        QCOMPARE(queryRequests(m_s->session().db(), q).size(), size_t(1));
        // Rebuilding keeps the selection; 0 clears it.
        p.setData(m_stats);
        QCOMPARE(p.selectedHistogramBin(), p.histogramSet()->count() - 1);
        p.setSelectedRequest(0);
        QCOMPARE(p.selectedHistogramBin(), -1);
    }

    void emptyData()
    {
        StatsPanel p;
        p.setData({});
        QVERIFY(!p.histogramSet());
        QVERIFY(!p.percentileSeries());
        QVERIFY(p.classSets().empty());
        QVERIFY(p.histogramFilter(0).isEmpty());
        p.setData(m_stats); // rebuilding after empty works
        QVERIFY(p.histogramSet());
    }

    void renders()
    {
        StatsPanel p;
        p.resize(1100, 760);
        p.setData(m_stats);
        p.setSelectedRequest(m_rows.front().id);
        p.show();
        QVERIFY(QTest::qWaitForWindowExposed(&p));
        const QImage img = p.grab().toImage();
        QCOMPARE(img.size(), QSize(1100, 760));
        // Not blank: many distinct colours.
        QSet<QRgb> colours;
        for (int y = 0; y < img.height(); y += 7)
            for (int x = 0; x < img.width(); x += 7)
                colours.insert(img.pixel(x, y));
        QVERIFY(colours.size() > 8);
        const QString keep = qEnvironmentVariable("LANESCOPE_STATS_PNG");
        if (!keep.isEmpty()) QVERIFY(img.save(keep));
    }
};

QTEST_MAIN(TstStatsPanel)
#include "tst_statspanel.moc"
