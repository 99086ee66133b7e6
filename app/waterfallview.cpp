#include "waterfallview.h"

#include "queryservice.h"
#include "units.h"
#include "viewpalette.h"

#include <QTimer>

#include <QToolTip>
#include <QVBoxLayout>
#include <functional>

#include <qcustomplot.h>

namespace ls::gui {

static constexpr int kMaxRows = 200;

namespace {

// Axis labels as offsets from the timeline's zero (formatOffset): readable
// at any distance from it, never "1.01555·10^10".
class OffsetTicker : public QCPAxisTicker
{
public:
    explicit OffsetTicker(std::function<TimeNs(double)> toNs) : m_toNs(std::move(toNs)) {}

protected:
    double getTickStep(const QCPRange &range) override
    {
        m_step = QCPAxisTicker::getTickStep(range);
        return m_step;
    }
    QString getTickLabel(double tick, const QLocale &, QChar, int) override
    {
        return formatOffset(m_toNs(tick), std::max<TimeNs>(1, TimeNs(m_step * 1e6)));
    }

private:
    std::function<TimeNs(double)> m_toNs;
    double m_step = 1;
};

} // namespace

WaterfallView::WaterfallView(QWidget *parent) : QWidget(parent)
{
    auto *lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    m_plot = new QCustomPlot(this);
    lay->addWidget(m_plot);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->xAxis->setLabel(tr("time from the timeline's zero"));
    m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new OffsetTicker(
        [this](double x) { return fromX(x) - (m_ranges ? m_ranges->zero() : fromX(0)); })));
    m_plot->yAxis->setRangeReversed(true);
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(font());
    // The legend in a column of its own at the right: it never hides a bar.
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    auto *side = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 1, side);
    m_plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    side->addElement(0, 0, m_plot->legend);
    side->addElement(1, 0, new QCPLayoutElement(m_plot)); // takes the height below
    side->setRowStretchFactor(0, 0.001);
    m_plot->legend->setMargins(QMargins(6, 4, 6, 4));
    // Row labels are text: no "beautiful powers" for an id like 8e10d1cf.
    m_plot->yAxis->setNumberFormat(QStringLiteral("g"));
    m_plot->setMouseTracking(true);
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(120);
    connect(m_debounce, &QTimer::timeout, this, &WaterfallView::rebuild);
    connect(m_plot->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
            [this](const QCPRange &r) {
                if (m_settingAxis || !m_model || !m_ranges) return;
                m_ranges->setVisible({fromX(r.lower), fromX(r.upper)});
            });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *e) {
        QCPAbstractItem *it = m_plot->itemAt(e->pos(), false);
        const QString tip = it ? m_tips.value(it) : QString();
        if (tip.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(e->globalPosition().toPoint(), tip, m_plot);
    });
    connect(m_plot, &QCustomPlot::itemClick, this, [this](QCPAbstractItem *it, QMouseEvent *) {
        const qint64 id = m_itemRequest.value(it, 0);
        if (id) emit requestClicked(id);
    });
}

void WaterfallView::bind(QueryService *queries, TimeRangeController *ranges)
{
    m_queries = queries;
    m_ranges = ranges;
    connect(ranges, &TimeRangeController::visibleChanged, this, &WaterfallView::setRange);
    connect(ranges, &TimeRangeController::zeroChanged, this, [this] { m_plot->replot(); });
}

void WaterfallView::setModel(std::shared_ptr<const TimelineModel> model)
{
    m_model = std::move(model);
    m_range = m_model && m_ranges && m_ranges->visible().isValid() ? m_ranges->visible()
              : m_model                                            ? m_model->fullRange()
                                                                   : TimeRange{};
    rebuildNow();
}

double WaterfallView::toX(TimeNs t) const
{
    return m_model ? double(t - m_model->fullRange().start) / 1e6 : 0.0;
}

TimeNs WaterfallView::fromX(double x) const
{
    return m_model ? m_model->fullRange().start + TimeNs(x * 1e6) : 0;
}

void WaterfallView::setRange(TimeRange r)
{
    if (r == m_range) return;
    m_range = r;
    m_settingAxis = true;
    m_plot->xAxis->setRange(toX(r.start), toX(r.end));
    m_settingAxis = false;
    if (isVisible()) m_plot->replot(QCustomPlot::rpQueuedReplot);
    m_debounce->start();
}

std::vector<qint64> WaterfallView::rowIds() const
{
    std::vector<qint64> ids;
    for (const auto *r : m_rows)
        ids.push_back(r->id);
    return ids;
}

void WaterfallView::setRequestFilter(std::shared_ptr<const QSet<qint64>> ids)
{
    m_filtered = std::move(ids);
    m_debounce->start();
}

void WaterfallView::setSelectedRequest(qint64 id)
{
    m_selected = id;
    m_debounce->start();
}

void WaterfallView::rebuildNow()
{
    m_debounce->stop();
    rebuild();
}

void WaterfallView::rebuild()
{
    m_rows.clear();
    if (!m_model || !m_queries || !m_range.isValid()) {
        paintRows({});
        return;
    }
    // Requests overlapping the range, by start; the selected one always included.
    std::vector<const TimelineModel::RequestSpan *> rows;
    for (const auto &r : m_model->requests()) {
        if (r.end < m_range.start) continue;
        if (r.start > m_range.end) break;
        if (m_filtered && !m_filtered->contains(r.id) && r.id != m_selected) continue;
        if (int(rows.size()) < kMaxRows || r.id == m_selected) rows.push_back(&r);
    }
    QList<qint64> ids;
    for (const auto *r : rows) {
        ids << r->id;
    }
    m_rows = std::move(rows);
    // The bars at once, the phases when they arrive (this view's rows may
    // have moved on by then: the ticket says which answer is current).
    paintRows({});
    const quint64 ticket = ++m_ticket;
    m_queries->phasesOf(this, ids, [this, ticket](const Answer<QHash<qint64, QList<PhaseRow>>> &a) {
        if (ticket == m_ticket && a.ok()) paintRows(a.value);
    });
}

void WaterfallView::paintRows(const QHash<qint64, QList<PhaseRow>> &phases)
{
    m_plot->clearItems();
    m_plot->clearGraphs();
    m_tips.clear();
    m_itemRequest.clear();
    const auto &rows = m_rows;
    QSet<QString> kindsSeen;
    QStringList stepNames;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    const QColor text = palette().color(QPalette::Text);
    for (int i = 0; i < int(rows.size()); ++i) {
        const auto &r = *rows[size_t(i)];
        const bool sel = r.id == m_selected;
        auto *bar = new QCPItemRect(m_plot);
        bar->topLeft->setCoords(toX(r.start), i - 0.12);
        bar->bottomRight->setCoords(toX(r.end), i + 0.12);
        const QColor sc = statusColour(r.status);
        bar->setBrush(sc.isValid() ? sc.lighter(140) : QColor(0xb0, 0xbe, 0xc5));
        bar->setPen(sel ? QPen(text, 2) : Qt::NoPen);
        const QString status = r.status >= 0 ? QString::number(r.status) : QStringLiteral("?");
        m_tips.insert(bar, QStringLiteral("<b>%1</b> → %2<br>%3 total<br>%4")
                               .arg(r.label.toHtmlEscaped(), status,
                                    formatDuration(r.end - r.start), r.key.toHtmlEscaped()));
        m_itemRequest.insert(bar, r.id);
        // A short id first (the key's head), so two rows of one URL differ.
        QString label = r.label;
        if (label.size() > 30) label = label.left(29) + QChar(0x2026);
        ticker->addTick(i, r.key.left(8) + QStringLiteral("  ") + label + QStringLiteral("  ") +
                               status);
        const TimeNs total = std::max<TimeNs>(1, r.end - r.start);
        for (const PhaseRow &p : phases.value(r.id)) {
            auto *it = new QCPItemRect(m_plot);
            // Client phases fill the row; server steps sit in its lower half.
            const bool step = p.kind == QLatin1String("step");
            it->topLeft->setCoords(toX(p.start), step ? i : i - 0.38);
            it->bottomRight->setCoords(toX(std::max(p.end, p.start + 1)), i + 0.38);
            const QColor c = categoryColour(p.kind, p.name);
            it->setBrush(c);
            it->setPen(sel ? QPen(text, 1) : QPen(c.darker(120)));
            m_tips.insert(it, QStringLiteral("<b>%1</b> %2<br>%3 (%4% of the request)<br>%5")
                                  .arg(p.kind.toHtmlEscaped(), p.name.toHtmlEscaped(),
                                       formatDuration(p.end - p.start))
                                  .arg(100.0 * double(p.end - p.start) / double(total), 0, 'f', 1)
                                  .arg(r.label.toHtmlEscaped()));
            m_itemRequest.insert(it, r.id);
            kindsSeen.insert(p.kind);
            if (step && stepNames.size() < 12 && !stepNames.contains(p.name)) stepNames << p.name;
        }
    }
    // Legend: one empty graph per phase kind that occurs, in waterfall order.
    for (const PhaseLegend &l : phaseLegend()) {
        const QString k = QString::fromLatin1(l.kind);
        if (!kindsSeen.contains(k)) continue;
        if (k == QLatin1String("step")) {
            // Steps are coloured by name: one entry per step name.
            for (const QString &n : std::as_const(stepNames)) {
                QCPGraph *g = m_plot->addGraph();
                g->setName(tr("step: %1").arg(n));
                g->setPen(QPen(categoryColour(k, n), 8));
            }
            continue;
        }
        QCPGraph *g = m_plot->addGraph();
        g->setName(tr(l.title));
        g->setPen(QPen(
            categoryColour(k, k == QLatin1String("step") ? QStringLiteral("step") : QString()), 8));
    }
    m_plot->legend->setVisible(m_plot->graphCount() > 0);
    m_plot->yAxis->setTicker(ticker);
    m_plot->yAxis->setRange(-0.8, std::max(8.0, double(rows.size()) - 0.2));
    m_settingAxis = true;
    m_plot->xAxis->setRange(toX(m_range.start), toX(m_range.end));
    m_settingAxis = false;
    m_plot->replot();
}

} // namespace ls::gui
