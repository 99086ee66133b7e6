#pragma once
// The one time range every view binds to (the role Qt Creator's
// TimelineZoomControl plays): the session's full range, the visible range,
// the selected range and the zoom history. Views ask it for changes and
// repaint on its signals; no view sets another's range.
//
// Rules: the visible range is clamped to the full range padded by 5% on
// each side and is never shorter than kMinVisible; the selection is clamped
// to the full range (an empty one clears it). Each visible change made with
// History::Push adds a step; steps made within the coalescing window of the
// previous one (a wheel or drag gesture) replace it instead, so one gesture
// is one step. back() and forward() walk the steps.

#include "timeline.h"

#include <QElapsedTimer>
#include <QObject>

#include <vector>

namespace ls {

class TimeRangeController : public QObject
{
    Q_OBJECT
public:
    static constexpr TimeNs kMinVisible = 100; // ns
    enum class History
    {
        Push,
        Keep
    };
    explicit TimeRangeController(QObject *parent = nullptr);

    // A new session's range: visible = fit (the part Fit All shows; the full
    // range when not given), zero = its start, selection and history cleared.
    void reset(TimeRange full, TimeRange fit = {});
    TimeRange full() const { return m_full; }
    TimeRange fit() const { return m_fit; }
    // Times are shown relative to this (the fit range's start, or the
    // selected request's).
    TimeNs zero() const { return m_zero; }
    void setZero(TimeNs zero);
    TimeRange visible() const { return m_visible; }
    TimeRange selection() const { return m_selection; }
    bool hasRange() const { return m_full.isValid(); }

    // The range a request of visible() would be clamped to.
    TimeRange clamped(TimeRange r) const;
    void setVisible(TimeRange r, History h = History::Push);
    void fitAll() { setVisible(m_fit); }
    void fitWhole() { setVisible(m_full); }
    void setSelection(TimeRange r);
    void clearSelection() { setSelection({}); }

    bool canGoBack() const { return m_pos > 0; }
    bool canGoForward() const { return m_pos + 1 < int(m_history.size()); }
    void back();
    void forward();
    int historySize() const { return int(m_history.size()); }
    // The next step is a step of its own, however soon it comes (a jump to a
    // request after a wheel zoom).
    void endGesture() { m_lastPush.invalidate(); }
    // Steps closer together than this (ms) are one gesture; 0 makes every step count.
    void setCoalesceMs(int ms) { m_coalesceMs = ms; }

signals:
    void fullChanged(ls::TimeRange full);
    void zeroChanged(ls::TimeNs zero);
    void visibleChanged(ls::TimeRange visible);
    void selectionChanged(ls::TimeRange selection);

private:
    void apply(TimeRange r);
    TimeRange m_full, m_fit, m_visible, m_selection;
    TimeNs m_zero = 0;
    std::vector<TimeRange> m_history;
    int m_pos = -1;
    int m_coalesceMs = 600;
    QElapsedTimer m_lastPush;
};

} // namespace ls
