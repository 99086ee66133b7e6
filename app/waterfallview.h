#pragma once
// The per-request waterfall (QCustomPlot): one row per request in the
// timeline's visible range, client phases in the Chrome DevTools colours and
// server steps on top of a thin bar for the whole request, with a legend and
// hover tooltips. Its x axis and the timeline's range drive each other.

#include "timeline.h"
#include "timerange.h"

#include <QHash>
#include <QSet>
#include <QWidget>

#include <memory>

class QCustomPlot;
class QCPAbstractItem;
class QTimer;

namespace ls {
class QueryService;
}

namespace ls::gui {

class WaterfallView : public QWidget
{
    Q_OBJECT
public:
    explicit WaterfallView(QWidget *parent = nullptr);
    // Where phases come from and the range it shares with the timeline
    // (its x axis follows the controller's visible range and sets it).
    void bind(QueryService *queries, TimeRangeController *ranges);
    // The timeline model (requests by time); nullptr clears.
    void setModel(std::shared_ptr<const TimelineModel> model);
    void setSelectedRequest(qint64 id);
    // Only these requests get rows (the request filter's; nullptr: all).
    void setRequestFilter(std::shared_ptr<const QSet<qint64>> ids);
    int rowCount() const { return int(m_rows.size()); }
    // The requests with a row, top to bottom.
    std::vector<qint64> rowIds() const;
    QCustomPlot *plot() const { return m_plot; }
    // Rebuilds now instead of after the debounce (screenshots, tests).
    void rebuildNow();

signals:
    void requestClicked(qint64 id);

private:
    void setRange(TimeRange r);
    void rebuild();
    // Paints the rows of m_rows with the phases known for them.
    void paintRows(const QHash<qint64, QList<PhaseRow>> &phases);
    double toX(TimeNs t) const; // ms from the session start
    TimeNs fromX(double x) const;

    QCustomPlot *m_plot = nullptr;
    QTimer *m_debounce = nullptr;
    QueryService *m_queries = nullptr;
    TimeRangeController *m_ranges = nullptr;
    std::shared_ptr<const TimelineModel> m_model;
    TimeRange m_range;
    qint64 m_selected = 0;
    std::vector<const TimelineModel::RequestSpan *> m_rows; // into m_model
    quint64 m_ticket = 0;
    std::shared_ptr<const QSet<qint64>> m_filtered;
    QHash<QCPAbstractItem *, QString> m_tips;
    QHash<QCPAbstractItem *, qint64> m_itemRequest;
    bool m_settingAxis = false; // the axis moved by setRange, not by the user
};

} // namespace ls::gui
