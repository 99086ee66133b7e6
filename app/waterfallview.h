#pragma once
// The per-request waterfall (QCustomPlot): one row per request in the
// timeline's visible range, client phases in the Chrome DevTools colours and
// server steps on top of a thin bar for the whole request, with a legend and
// hover tooltips. Its x axis and the timeline's range drive each other.

#include "timeline.h"

#include <QHash>
#include <QWidget>

#include <memory>

class QCustomPlot;
class QCPAbstractItem;
class QTimer;

namespace ls::gui {

class WaterfallView : public QWidget
{
    Q_OBJECT
public:
    explicit WaterfallView(QWidget *parent = nullptr);
    // The session (for phases) and the timeline model (requests by time).
    void setSession(const Db *db, std::shared_ptr<const TimelineModel> model);
    void setRange(TimeRange r);
    void setSelectedRequest(qint64 id);
    int rowCount() const { return int(m_rowIds.size()); }
    QCustomPlot *plot() const { return m_plot; }
    // Rebuilds now instead of after the debounce (screenshots, tests).
    void rebuildNow();

signals:
    void rangeChanged(ls::TimeRange r);
    void requestClicked(qint64 id);

private:
    void rebuild();
    double toX(TimeNs t) const; // ms from the session start
    TimeNs fromX(double x) const;

    QCustomPlot *m_plot = nullptr;
    QTimer *m_debounce = nullptr;
    const Db *m_db = nullptr;
    std::shared_ptr<const TimelineModel> m_model;
    TimeRange m_range;
    qint64 m_selected = 0;
    std::vector<qint64> m_rowIds;
    QHash<QCPAbstractItem *, QString> m_tips;
    QHash<QCPAbstractItem *, qint64> m_itemRequest;
    bool m_syncing = false;
};

} // namespace ls::gui
