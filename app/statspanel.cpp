#include "statspanel.h"

#include "palette.h"
#include "units.h"
#include "viewpalette.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QHorizontalStackedBarSeries>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace ls {

namespace {

QChartView *makeView(const QString &title, QWidget *parent)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setVisible(false); // shown where colours need naming
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setAnimationOptions(QChart::NoAnimation);
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(320, 220);
    return view;
}

// Replaces everything in a chart (series own their sets; axes are removed
// with their series).
void clearChart(QChart *chart)
{
    chart->removeAllSeries();
    for (QAbstractAxis *a : chart->axes()) {
        chart->removeAxis(a);
        delete a;
    }
}

// Short labels for bin edges, in ms with three significant digits: the
// category axis truncates anything wider than a bar.
QString shortMs(qint64 ns)
{
    return QString::number(double(ns) / 1e6, 'g', 3);
}

} // namespace

StatsPanel::StatsPanel(QWidget *parent) : QWidget(parent)
{
    m_histView =
        makeView(tr("Latency histogram (log bins; red: the selected request's bin)"), this);
    m_pctView = makeView(tr("Latency percentiles"), this);
    m_phaseView = makeView(tr("Slowest requests: phases"), this);
    m_classView = makeView(tr("Latency classes"), this);
    m_phaseView->chart()->legend()->setVisible(true);
    m_phaseView->chart()->legend()->setAlignment(Qt::AlignBottom);
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(m_histView, 0, 0);
    grid->addWidget(m_pctView, 0, 1);
    grid->addWidget(m_phaseView, 1, 0);
    grid->addWidget(m_classView, 1, 1);
}

StatsPanel::~StatsPanel() = default;

void StatsPanel::setData(RequestStatistics stats)
{
    m_data = std::move(stats);
    buildHistogram();
    buildPercentiles();
    buildPhases();
    buildClasses();
    applySelection();
}

void StatsPanel::setSelectedRequest(qint64 requestId)
{
    m_selected = requestId;
    applySelection();
}

int StatsPanel::selectedHistogramBin() const
{
    if (!m_histSet) return -1;
    for (int i = 0; i < m_histSet->count(); ++i)
        if (m_histSet->isBarSelected(i)) return i;
    return -1;
}

void StatsPanel::applySelection()
{
    const QColor highlight(QLatin1String(palette::errorColour()));
    const RequestStatistics::Request *row = m_selected ? m_data.find(m_selected) : nullptr;
    if (m_histSet) {
        m_histSet->deselectAllBars();
        m_histSet->setSelectedColor(highlight);
        if (row && row->durationNs > 0 && m_edges.size() >= 2) {
            auto it = std::upper_bound(m_edges.begin(), m_edges.end(), row->durationNs);
            const int b = std::clamp(int(it - m_edges.begin()) - 1, 0, m_histSet->count() - 1);
            m_histSet->selectBar(b);
        }
    }
    if (m_phaseSeries) {
        int idx = -1;
        for (size_t i = 0; row && i < m_phaseIds.size(); ++i)
            if (m_phaseIds[i] == row->id) idx = int(i);
        for (QBarSet *set : m_phaseSeries->barSets()) {
            set->deselectAllBars();
            set->setSelectedColor(set->color().darker(160));
            if (idx >= 0) set->selectBar(idx);
        }
    }
    const QString dominant =
        row && row->dominant >= 0
            ? QString::fromLatin1(latencyClassName(LatencyClass(row->dominant)))
            : QString();
    for (size_t k = 0; k < m_classSets.size(); ++k) {
        QBarSet *set = m_classSets[k];
        set->deselectAllBars();
        set->setSelectedColor(set->color().darker(160));
        if (!dominant.isEmpty() && m_classNames[k] == dominant) set->selectBar(int(k));
    }
}

void StatsPanel::buildHistogram()
{
    QChart *chart = m_histView->chart();
    clearChart(chart);
    m_histSet = nullptr;
    m_edges.clear();
    const LatencyHistogram &hist = m_data.histogram;
    if (hist.counts.empty()) return;
    m_edges = hist.edges;
    const std::vector<int> &counts = hist.counts;
    const int bins = hist.bins();
    m_histSet = new QBarSet(tr("requests"));
    m_histSet->setColor(QColor(QLatin1String(palette::phaseColour("wait"))));
    QStringList cats;
    for (int i = 0; i < bins; ++i) {
        *m_histSet << counts[size_t(i)];
        cats << shortMs(m_edges[size_t(i)]);
    }
    auto *series = new QBarSeries;
    series->setBarWidth(0.95);
    series->append(m_histSet);
    chart->addSeries(series);
    auto *x = new QBarCategoryAxis;
    x->append(cats);
    x->setLabelsAngle(-90);
    x->setTitleText(tr("ms (bin start)"));
    // Counts tick at whole numbers: a step of 1, 2 or 5 × 10^k, at most 6 ticks.
    auto *y = new QValueAxis;
    y->setLabelFormat(QStringLiteral("%d"));
    y->setTitleText(tr("requests"));
    const int maxCount = std::max(1, *std::max_element(counts.begin(), counts.end()));
    int step = 1;
    for (int mag = 1; step * 5 < maxCount; mag *= 10)
        for (int m : {1, 2, 5})
            if (step * 5 < maxCount) step = m * mag;
    const int top = (maxCount + step - 1) / step * step;
    y->setRange(0, top);
    y->setTickCount(top / step + 1);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    connect(m_histSet, &QBarSet::clicked, this, [this](int i) {
        const QString f = histogramFilter(i);
        if (!f.isEmpty()) emit filterRequested(f);
    });
}

QString StatsPanel::histogramFilter(int i) const
{
    if (i < 0 || size_t(i) + 1 >= m_edges.size()) return {};
    // Whole nanoseconds: exact bounds the filter parser reads back unchanged.
    return QStringLiteral("dur>=%1ns dur<%2ns").arg(m_edges[size_t(i)]).arg(m_edges[size_t(i) + 1]);
}

void StatsPanel::buildPercentiles()
{
    QChart *chart = m_pctView->chart();
    clearChart(chart);
    m_pctSeries = nullptr;
    if (m_data.percentiles.empty()) return;
    m_pctSeries = new QLineSeries;
    m_pctSeries->setName(tr("latency"));
    m_pctSeries->setPointsVisible(true);
    m_pctSeries->setPointLabelsVisible(true);
    m_pctSeries->setPointLabelsFormat(QStringLiteral("@yPoint ms"));
    m_pctSeries->setPointLabelsClipping(false);
    auto *x = new QCategoryAxis;
    x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    double maxMs = 0;
    const auto &ps = m_data.percentiles;
    for (size_t i = 0; i < ps.size(); ++i) {
        const double ms = std::round(double(ps[i].second) / 1e4) / 100.0;
        maxMs = std::max(maxMs, ms);
        m_pctSeries->append(double(i), ms);
        x->append(QStringLiteral("p%1").arg(ps[i].first), double(i));
    }
    x->setRange(-0.3, double(ps.size()) - 0.7);
    chart->addSeries(m_pctSeries);
    auto *y = new QValueAxis;
    y->setTitleText(tr("ms"));
    y->setRange(0, maxMs * 1.2 + 0.01);
    y->applyNiceNumbers();
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    m_pctSeries->attachAxis(x);
    m_pctSeries->attachAxis(y);
}

void StatsPanel::buildPhases()
{
    QChart *chart = m_phaseView->chart();
    clearChart(chart);
    m_phaseSeries = nullptr;
    m_phaseKeys.clear();
    m_phaseIds.clear();
    std::vector<const RequestRow *> slow; // slowest first
    for (const RequestRow &r : m_data.slowest)
        slow.push_back(&r);
    if (slow.size() > size_t(m_slowestN)) slow.resize(size_t(m_slowestN));
    if (slow.empty()) return;
    // Slowest at the top: horizontal bars are drawn bottom-up.
    std::reverse(slow.begin(), slow.end());
    static const PhaseKind kinds[] = {PhaseKind::Blocked, PhaseKind::Dns,  PhaseKind::Connect,
                                      PhaseKind::Tls,     PhaseKind::Send, PhaseKind::Wait,
                                      PhaseKind::Receive};
    m_phaseSeries = new QHorizontalStackedBarSeries;
    m_phaseSeries->setBarWidth(0.8);
    QStringList cats;
    std::vector<QBarSet *> sets;
    for (PhaseKind k : kinds) {
        auto *s = new QBarSet(QString::fromLatin1(phaseKindName(k)));
        s->setColor(QColor(QLatin1String(palette::phaseColour(phaseKindName(k)))));
        sets.push_back(s);
    }
    // Server steps, one set per step name (in first-seen order), inside the
    // client's wait when the request has one: the wait keeps what they
    // leave.
    std::vector<QString> stepNames;
    for (const RequestRow *r : slow)
        if (auto it = m_data.steps.find(r->id); it != m_data.steps.end())
            for (const auto &[name, ns] : it->second)
                if (std::find(stepNames.begin(), stepNames.end(), name) == stepNames.end())
                    stepNames.push_back(name);
    std::vector<QBarSet *> stepSets;
    for (const QString &n : stepNames) {
        auto *s = new QBarSet(tr("step %1").arg(n));
        s->setColor(gui::categoryColour(QStringLiteral("step"), n));
        stepSets.push_back(s);
    }
    // Time neither a client phase nor a server step explains.
    auto *rest = new QBarSet(tr("unexplained"));
    rest->setColor(QColor(0xb0, 0xbe, 0xc5));
    const size_t waitIdx =
        size_t(std::find(std::begin(kinds), std::end(kinds), PhaseKind::Wait) - std::begin(kinds));
    double maxMs = 0;
    for (const RequestRow *r : slow) {
        std::vector<qint64> stepNs(stepNames.size(), 0);
        qint64 steps = 0;
        if (auto it = m_data.steps.find(r->id); it != m_data.steps.end())
            for (const auto &[name, ns] : it->second) {
                const size_t k =
                    size_t(std::find(stepNames.begin(), stepNames.end(), name) - stepNames.begin());
                stepNs[k] += std::max<qint64>(0, ns);
                steps += std::max<qint64>(0, ns);
            }
        qint64 sum = 0;
        for (size_t i = 0; i < std::size(kinds); ++i) {
            qint64 v = std::max<qint64>(0, r->phaseNs[size_t(kinds[i])]);
            if (i == waitIdx && v > 0) v = std::max<qint64>(0, v - steps); // steps are inside it
            sum += v;
            *sets[i] << double(v) / 1e6;
        }
        for (size_t k = 0; k < stepSets.size(); ++k)
            *stepSets[k] << double(stepNs[k]) / 1e6;
        sum += steps;
        *rest << double(std::max<qint64>(0, r->duration() - sum)) / 1e6;
        maxMs = std::max(maxMs, double(std::max(sum, r->duration())) / 1e6);
        cats << r->key.left(8);
        m_phaseKeys.push_back(r->key);
        m_phaseIds.push_back(r->id);
    }
    // Bars read left to right in time: client phases up to the wait, the
    // server's steps, then the rest.
    sets.insert(sets.begin() + qsizetype(waitIdx), stepSets.begin(), stepSets.end());
    sets.push_back(rest);
    for (QBarSet *s : sets) {
        // A set nobody has only clutters the legend.
        bool any = false;
        for (int i = 0; i < s->count() && !any; ++i)
            any = s->at(i) > 0;
        if (!any) {
            delete s;
            continue;
        }
        m_phaseSeries->append(s);
        connect(s, &QBarSet::clicked, this, [this](int i) {
            const QString f = phaseFilter(i);
            if (!f.isEmpty()) emit filterRequested(f);
        });
    }
    chart->addSeries(m_phaseSeries);
    auto *y = new QBarCategoryAxis;
    y->append(cats);
    auto *x = new QValueAxis;
    x->setTitleText(tr("ms"));
    x->setRange(0, maxMs * 1.05 + 0.01);
    x->applyNiceNumbers();
    chart->addAxis(y, Qt::AlignLeft);
    chart->addAxis(x, Qt::AlignBottom);
    m_phaseSeries->attachAxis(x);
    m_phaseSeries->attachAxis(y);
}

QString StatsPanel::phaseFilter(int i) const
{
    if (i < 0 || size_t(i) >= m_phaseKeys.size()) return {};
    return QStringLiteral("key:%1").arg(m_phaseKeys[size_t(i)]);
}

void StatsPanel::buildClasses()
{
    QChart *chart = m_classView->chart();
    clearChart(chart);
    m_classSets.clear();
    m_classNames.clear();
    const auto &total = m_data.classNs;
    const auto &dominantCount = m_data.dominated;
    QStringList cats;
    std::vector<std::pair<QString, double>> bars;
    double maxMs = 0;
    for (int i = 0; i < kLatencyClasses; ++i) {
        if (total[size_t(i)] <= 0) continue;
        const QString name = QString::fromLatin1(latencyClassName(LatencyClass(i)));
        const double ms = double(total[size_t(i)]) / 1e6;
        bars.emplace_back(name, ms);
        cats << QStringLiteral("%1 (%2)").arg(name).arg(dominantCount[size_t(i)]);
        m_classNames.push_back(name);
        maxMs = std::max(maxMs, ms);
    }
    if (bars.empty()) return;
    // One set per class, non-zero only in its own category, stacked: each
    // bar gets its class's colour.
    auto *series = new QHorizontalStackedBarSeries;
    series->setBarWidth(0.8);
    for (size_t k = 0; k < bars.size(); ++k) {
        auto *set = new QBarSet(bars[k].first);
        set->setColor(QColor(QLatin1String(palette::classColour(bars[k].first.toLatin1()))));
        set->setBorderColor(set->color().darker(120));
        for (size_t j = 0; j < bars.size(); ++j)
            *set << (j == k ? bars[k].second : 0.0);
        series->append(set);
        m_classSets.push_back(set);
        connect(set, &QBarSet::clicked, this, [this](int i) {
            const QString f = classFilter(i);
            if (!f.isEmpty()) emit filterRequested(f);
        });
    }
    chart->addSeries(series);
    auto *y = new QBarCategoryAxis;
    y->append(cats);
    auto *x = new QValueAxis;
    x->setTitleText(tr("ms over the shown requests (requests it dominates)"));
    x->setLabelFormat(QStringLiteral("%.0f"));
    x->setRange(0, maxMs * 1.05 + 0.01);
    x->applyNiceNumbers();
    chart->addAxis(y, Qt::AlignLeft);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    series->attachAxis(y);
}

QString StatsPanel::classFilter(int i) const
{
    if (i < 0 || size_t(i) >= m_classNames.size()) return {};
    // Requests whose dominant class it is (the count in the bar's label).
    return QStringLiteral("class=%1").arg(m_classNames[size_t(i)]);
}

} // namespace ls
