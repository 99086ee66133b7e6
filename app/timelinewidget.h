#pragma once
// The swimlane view: one widget paints every lane (requests with their
// phases, goroutines grouped by creator, procs, threads, GC, counters) under
// a time ruler and an overview strip.
//
// Painting only reads geometry (core/timeline.h) built for the current
// (range, width) and cached per lane; geometry comes from binary searches and
// pre-folded levels, so a frame costs about the same at any zoom. No SQL and
// no lane scans happen here: hit tests walk the cached runs of one lane,
// searches and area statistics run on demand in the model.

#include "timeline.h"
#include "timerange.h"

#include <QElapsedTimer>
#include <QSet>
#include <QWidget>

#include <memory>

class QScrollBar;

namespace ls::gui {

// A lane name for a label: the goroutine id and its start function without
// the import path ("g142 http.(*conn).serve").
QString shortLaneName(const QString &name);

class TimelineWidget : public QWidget
{
    Q_OBJECT
public:
    // The categorical colours changed (viewpalette.h): name colours again.
    void refreshColours();
    explicit TimelineWidget(QWidget *parent = nullptr);

    // `keepView`: the same session's lanes, more completely loaded — keep
    // range, scroll, pins, groups and selection.
    void setModel(std::shared_ptr<const TimelineModel> model, bool keepView = false);
    const TimelineModel *model() const { return m_model.get(); }
    void setLoadingText(const QString &text);

    // The range controller this view binds to (visible range, selection,
    // zoom history); without one it keeps its own. Not owned.
    void setRangeController(TimeRangeController *c);
    TimeRangeController *rangeController() const { return m_ranges; }
    TimeRange range() const { return m_range; }
    // Asks the controller for a visible range (clamped there); a history step unless told.
    void setRange(TimeRange r, bool history = true);
    void zoomAt(double factor, double x);
    void panPixels(double dx);
    // Fit All shows the largest cluster of requests; fitWhole() everything.
    void fitAll();
    void fitWhole();
    void fitSelection();
    // Z: times count from the selected request's start, or back from the
    // session's (the fit range's start).
    void toggleZeroAtRequest();
    // The ruler as painted: its tick labels, and the base they count from
    // when far from the zero (empty when they count from the zero).
    QStringList rulerLabels() const;
    QString rulerBase() const;
    void back();
    void forward();

    TimeRange selection() const { return m_selection; }
    void setSelection(TimeRange r);
    // Highlights a request (its phases, steps and goroutines); zooms to it when asked.
    void selectRequest(qint64 requestId, bool zoom);
    qint64 selectedRequest() const { return m_selectedRequest; }
    // (lane, time) of the request -> handler arrows for the selected request:
    // each goroutine lane that worked for it and when it started to.
    const std::vector<std::pair<int, TimeNs>> &handlerLinks() const { return m_handlerLinks; }
    // Time ranges that carry notes, with their colours: drawn along the ruler.
    struct NoteMark
    {
        TimeRange range;
        QColor colour;
        QString text;
    };
    void setNoteMarks(std::vector<NoteMark> marks);
    // The selected request's critical path across goroutines (computed by
    // the caller off the paint path): outlined on each lane, hops joined.
    struct PathMark
    {
        qint64 laneId = 0; // session lane id
        TimeRange range;
        int hop = 0;
    };
    void setCriticalPath(std::vector<PathMark> path);
    const std::vector<PathMark> &criticalPath() const { return m_path; }
    const std::vector<NoteMark> &noteMarks() const { return m_noteMarks; }

    // Span search by name; returns the number of hits.
    int search(const QString &text);
    void searchStep(int delta);
    int searchIndex() const { return m_searchPos; }
    int searchCount() const { return int(m_hits.size()); }

    // Request focus (on by default): selecting a request puts its tracks in
    // a group of their own under the requests lane — the goroutines that
    // worked for it (handler first), its critical path's, those they created
    // or woke, and the GC lanes of their processes when GC overlapped it —
    // and closes every process below until opened; U toggles it.
    void setFocusMode(bool on);
    bool focusMode() const { return m_focusMode; }
    const std::vector<int> &focusLanes() const { return m_focusLanes; }
    // Show only lanes whose name holds `text` (empty: all).
    void setTrackFilter(const QString &text);
    // Hide lanes with nothing in the visible range.
    void setHideIdle(bool on);
    // Flows of every lane shown, not only the selection's.
    void setAllFlows(bool on);
    // Where a lane's first row is on screen, when it is fully in view.
    std::optional<QRect> laneRect(int lane) const;
    // The lane whose row is at widget y (-1: a header, or none).
    int laneAt(int y) const;
    // A clock alignment previewed: the source's lanes drawn `delta` later
    // than their rows say, until cleared (sourceId 0). Nothing is written.
    void setPreviewShift(qint64 sourceId, TimeNs delta);
    TimeNs previewShift(qint64 sourceId) const
    {
        return sourceId == m_previewSource ? m_previewDelta : 0;
    }
    // The x of each span run of a lane as painted (tests, previews).
    std::vector<std::pair<float, float>> laneRunsX(int lane) const;

    void togglePin(int lane);
    bool isPinned(int lane) const { return m_pinned.contains(lane); }
    // The label a lane's row paints (empty: the lane has no row).
    QString laneLabel(int lane) const;
    void toggleGroup(const QString &group);

    // For tests: the plot-area point where a request's bar (or, when
    // `phase` is set, its first phase) is painted, if visible.
    // With `spanLane`, a span of the request on a goroutine (or other) lane instead.
    std::optional<QPoint> pointOfRequest(qint64 requestId, bool spanLane = false) const;
    int plotLeft() const { return m_labelWidth; }
    int plotWidth() const { return std::max(1, width() - m_labelWidth - m_vbarW); }
    // Last frame's paint time (benchmark).
    qint64 lastPaintNs() const { return m_lastPaintNs; }
    // A windowed model's lanes: the lane indexes on screen or a screen away
    // (rows, the sticky ones, pins, the selection's), which it asks for and
    // which must stay loaded; lanesInstalled() after the model took lanes it
    // asked for (`failed`: they could not be read; not asked again until
    // the next paint); whether some it asked for have not come yet.
    QSet<int> lanesOnScreen() const;
    void lanesInstalled(bool failed = false);
    bool lanesPending() const;

signals:
    void rangeChanged(ls::TimeRange range);
    void requestClicked(qint64 requestId); // a bar or phase on the requests lane
    // A span on any other lane; `requestId` is its request (0 none).
    void spanClicked(qint64 laneId, ls::TimeNs start, int depth, qint64 requestId);
    void selectionStats(const QString &text);
    void searchMoved(int index, int count);
    void focusModeChanged(bool on);
    // A windowed model's lanes on screen (or a screen away) that are not
    // loaded: read them and install them (each lane asked for once until
    // installed or the model changes). With a valid `window`: coarse lanes
    // on screen zoomed in past their stored levels want their spans over it
    // (the view and a screen either side).
    void lanesWanted(const QList<qint64> &laneIds, ls::TimeRange window);

protected:
    void paintEvent(QPaintEvent *) override;
    void resizeEvent(QResizeEvent *) override;
    void mousePressEvent(QMouseEvent *e) override;
    void mouseMoveEvent(QMouseEvent *e) override;
    void mouseReleaseEvent(QMouseEvent *e) override;
    void mouseDoubleClickEvent(QMouseEvent *e) override;
    void wheelEvent(QWheelEvent *e) override;
    void keyPressEvent(QKeyEvent *e) override;
    void leaveEvent(QEvent *) override;
    bool event(QEvent *e) override;
    void contextMenuEvent(QContextMenuEvent *e) override;

private:
    enum class RowType
    {
        Header,
        Lane
    };
    // 24 bytes: a Go trace gives a row to each of its 800 k goroutines.
    struct Row
    {
        RowType type = RowType::Lane;
        bool closed = false;          // header: its lanes are not shown
        bool closedByDefault = false; // header: opens only when expanded by hand (focus)
        int lane = -1;
        int y = 0, height = 0;
        int indent = 0;
        int text = -1; // index into m_rowTexts: a header's group and title, a lane's suffix
    };
    struct RowText
    {
        QString group; // header: its group key
        QString title; // header: its text; lane: the process, when its name needs it (focus)
    };
    const QString &rowGroup(const Row &row) const;
    const QString &rowTitle(const Row &row) const;
    // A lane row's label: pin, short name, suffix.
    QString rowLabel(const Row &row) const;
    struct Hit
    {
        int row = -1;
        const SpanRun *run = nullptr;
        int column = -1; // counter column
    };

    struct Ruler
    {
        TimeNs step = 0;
        QString base;
        std::vector<std::pair<TimeNs, QString>> ticks;
    };
    Ruler rulerTicks() const;
    void rebuildRows();
    bool laneShown(int lane) const;
    bool focusActive() const;
    void updateFocusLanes();
    void rebuildColours();
    int laneHeight(const TimelineLane &l) const;
    int trackHeight(const TimelineLane &l) const;
    const LaneGeometry &geometry(int lane) const;
    double xOf(TimeNs t) const;
    TimeNs timeAt(double x) const;
    int rowAt(int y) const;
    int rowScreenY(const Row &r) const;
    void scrollRowIntoView(const Row &r);
    int scrollView() const { return std::max(1, height() - lanesTop() - m_stickyH); }
    Hit hitTest(QPoint p) const;
    QString tooltipFor(const Hit &h) const;
    void finishSelection();
    void paintRuler(QPainter &p);
    void paintOverview(QPainter &p);

public:
    // What the overview strip is, for its tooltip.
    QString overviewTooltip() const;

private:
    void paintLane(QPainter &p, const Row &row, int y);
    void clampScroll();
    int lanesTop() const { return kRulerH + kOverviewH; }

    static constexpr int kRulerH = 26;
    static constexpr int kOverviewH = 30;

    std::shared_ptr<const TimelineModel> m_model;
    QString m_loadingText;
    std::vector<QColor> m_colours; // per model string index
    qint32 m_stepCategory = -2, m_regionCategory = -2;
    mutable std::vector<QColor> m_nameColours; // lazily, per name string
    QColor nameColour(qint32 name) const;
    std::vector<float> m_covered; // paint scratch: per track, how far runs already cover
    std::vector<Row> m_rows;
    std::vector<RowText> m_rowTexts;
    int m_contentHeight = 0;
    int m_scrollY = 0;
    int m_stickyH = 0;       // the rows that stay on top (requests lane, pins): their height
    size_t m_stickyRows = 0; // and their number, from the first row
    bool isSticky(const Row &r) const;
    int m_labelWidth = 220;
    mutable GeometryCache m_cache;
    mutable GeometryCache m_previewCache; // the previewed source's lanes, at their shifted range
    qint64 m_previewSource = 0;
    TimeNs m_previewDelta = 0;

    // Copies of the controller's, updated on its signals (paint reads them).
    TimeRange m_range, m_selection;
    TimeRangeController *m_ranges = nullptr;
    QMetaObject::Connection m_rangeConn[2];

    qint64 m_selectedRequest = 0;
    std::vector<NoteMark> m_noteMarks;
    std::vector<PathMark> m_path;
    std::vector<std::pair<int, TimeNs>> m_handlerLinks; // computed on selection, not in paint
    std::vector<int> m_rowOfLane;                       // lane index -> first row, with m_rows
    void updateHandlerLinks();
    int rowOfLane(int lane) const
    {
        return lane >= 0 && size_t(lane) < m_rowOfLane.size() ? m_rowOfLane[size_t(lane)] : -1;
    }
    QSet<int> m_highlightLanes;
    int m_focusLane = -1;
    QSet<int> m_pinned;
    QSet<QString> m_collapsed;
    QSet<QString> m_expanded; // closed-by-default groups opened by hand
    bool m_focusMode = true;
    std::vector<int> m_focusLanes;
    QString m_trackFilter;
    bool m_hideIdle = false, m_allFlows = false;
    QScrollBar *m_vbar = nullptr;
    int m_vbarW = 0; // the scrollbar's column at the right, kept whether shown or not

    std::vector<SpanRef> m_hits;
    int m_searchPos = -1;

    enum class Drag
    {
        None,
        Pan,
        Select,
        Overview
    };
    Drag m_drag = Drag::None;
    QPoint m_pressPos;
    TimeRange m_pressRange;
    TimeNs m_selAnchor = 0;
    QPoint m_mouse{-1, -1};
    QString m_statsText;
    qint64 m_lastPaintNs = 0;
    QSet<qint64> m_lanesAsked;               // lane ids asked for by lanesWanted, not installed yet
    QHash<qint64, TimeRange> m_windowsAsked; // coarse lanes' windows asked for, not installed yet
    void askForLanes();
};

} // namespace ls::gui
