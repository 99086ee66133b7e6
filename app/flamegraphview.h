#pragma once
// The flame graph view: a sampling profile's call tree (core/flamegraph.h)
// for the whole profile, the selected request, or the timeline's visible
// range, with a top table (flat, cumulative), callers and callees of one
// function, search with highlight, click to zoom into a frame, colours by
// package, and SVG/PNG export.
//
// Layout (one rectangle per visible node) is built apart from painting,
// whenever the data, the zoom or the width changes; paint only fills the
// cached rectangles.

#include "flamegraph.h"
#include "timeline.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableWidget;

namespace ls {
class QueryService;
}

namespace ls::gui {

class FlameCanvas : public QWidget
{
    Q_OBJECT
public:
    explicit FlameCanvas(QWidget *parent = nullptr);
    void setGraph(FlameGraph g);
    const FlameGraph &graph() const { return m_graph; }
    // Zoom so that `node` spans the full width (0: the root).
    void zoomTo(int node);
    int zoomNode() const { return m_zoom; }
    void setSearch(const QString &text);
    // Nodes whose function matches the search.
    int matchCount() const { return m_matches; }
    // The node under a point, -1 none.
    int nodeAt(QPointF pos) const;
    QSize sizeHint() const override { return {800, 400}; }
    // Paints the whole graph (for export) onto any paint device of this size.
    void render(QPainter &p, const QSize &size) const;

signals:
    void functionSelected(const QByteArray &function);

protected:
    void paintEvent(QPaintEvent *) override;
    void resizeEvent(QResizeEvent *) override;
    void mousePressEvent(QMouseEvent *e) override;
    void mouseDoubleClickEvent(QMouseEvent *e) override;
    bool event(QEvent *e) override;

private:
    struct Box
    {
        QRectF rect;
        int node;
        bool match;
    };
    void relayout();
    std::vector<Box> layoutFor(const QSize &size) const;

    FlameGraph m_graph;
    int m_zoom = 0;
    QString m_search;
    int m_matches = 0;
    std::vector<Box> m_boxes; // cached layout for the widget's size
};

class FlameGraphView : public QWidget
{
    Q_OBJECT
public:
    enum class Scope
    {
        Whole,
        Request,
        VisibleRange
    };
    explicit FlameGraphView(QWidget *parent = nullptr);
    // Where the profiles come from; reload() asks again for the session's
    // sample types (a new session or import), then rebuilds.
    void setQueries(QueryService *queries);
    void reload();
    void setRequest(qint64 requestId, const QByteArray &key);
    void setRange(TimeRange r);
    void setScope(Scope s);
    Scope scope() const { return m_scope; }
    FlameCanvas *canvas() const { return m_canvas; }
    QTableWidget *topTable() const { return m_top; }
    QString infoText() const;
    bool exportSvg(const QString &path) const;
    bool exportPng(const QString &path) const;
    // Rebuilds the graph for the current type, scope and filter.
    void rebuild();

private:
    void showFunction(const QByteArray &function);
    void showGraph(FlameGraph g, const QString &scopeText, const QString &unit);
    QueryService *m_queries = nullptr;
    bool m_loaded = false; // the sample types have arrived
    Scope m_scope = Scope::Whole;
    qint64 m_request = 0;
    QByteArray m_requestKey;
    TimeRange m_range;
    QComboBox *m_type = nullptr;
    QComboBox *m_scopeBox = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_info = nullptr;
    FlameCanvas *m_canvas = nullptr;
    QTableWidget *m_top = nullptr;
    QTableWidget *m_callers = nullptr;
    QTableWidget *m_callees = nullptr;
};

// A stable colour per Go package (the part of a function name before its
// last '.', without the receiver), warm hues as flame graphs use.
QColor packageColour(QByteArrayView function);

} // namespace ls::gui
