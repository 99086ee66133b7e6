#pragma once
// The statistics panel: four Qt Charts over the requests the table shows
// (the caller passes the filtered rows, so every chart follows the filter):
//  - latency histogram with logarithmic bins (equal ratio per bin),
//  - percentile curve p50 .. p99.9,
//  - stacked phase breakdown of the slowest N requests,
//  - latency classes: total time per class over the rows, the number of
//    requests each class dominates in the label.
// Clicking a bar emits filterRequested() with an expression of the filter
// language (core/queries.h) that selects the requests behind that bar, which
// the table can apply as is. Nothing here queries the database or holds the
// requests' rows: the figures come reduced (core's requestStatistics)
// through setData().

#include "analysis.h"
#include "queries.h"

#include <QWidget>

#include <map>
#include <vector>

class QBarSet;
class QChart;
class QChartView;
class QHorizontalStackedBarSeries;
class QLineSeries;
class QBarSeries;

namespace ls {

class StatsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit StatsPanel(QWidget *parent = nullptr);
    ~StatsPanel() override;

    void setSlowestCount(int n) { m_slowestN = n; }
    // Rebuilds every chart. The slowest requests' bars show their server
    // steps inside the client's wait.
    void setData(RequestStatistics stats);
    // Highlights the selected request: its histogram bin, its phase bar when
    // it is among the slowest, its dominant class. 0 clears the selection.
    void setSelectedRequest(qint64 requestId);
    qint64 selectedRequest() const { return m_selected; }
    int selectedHistogramBin() const; // -1: none

    // The built series, for tests and for a caller that restyles them.
    QBarSet *histogramSet() const { return m_histSet; }
    const std::vector<qint64> &histogramEdges() const { return m_edges; } // ns, size = bins + 1
    QLineSeries *percentileSeries() const { return m_pctSeries; }
    QHorizontalStackedBarSeries *phaseSeries() const { return m_phaseSeries; }
    const std::vector<QString> &phaseKeys() const { return m_phaseKeys; }   // bar index -> key
    const std::vector<QBarSet *> &classSets() const { return m_classSets; } // one per class
    const std::vector<QString> &classNames() const { return m_classNames; } // bar index -> class

    // The filter a click on bar `index` of a chart emits (empty: none).
    QString histogramFilter(int index) const;
    QString phaseFilter(int index) const;
    QString classFilter(int index) const;

signals:
    void filterRequested(const QString &expression);

private:
    void buildHistogram();
    void buildPercentiles();
    void buildPhases();
    void buildClasses();
    void applySelection();

    RequestStatistics m_data;
    int m_slowestN = 10;
    qint64 m_selected = 0;

    QChartView *m_histView, *m_pctView, *m_phaseView, *m_classView;
    QBarSet *m_histSet = nullptr;
    std::vector<qint64> m_edges;
    QLineSeries *m_pctSeries = nullptr;
    QHorizontalStackedBarSeries *m_phaseSeries = nullptr;
    std::vector<QString> m_phaseKeys;
    std::vector<qint64> m_phaseIds; // bar index -> request id
    std::vector<QBarSet *> m_classSets;
    std::vector<QString> m_classNames;
};

} // namespace ls
