#include "timerange.h"

#include <algorithm>

namespace ls {

TimeRangeController::TimeRangeController(QObject *parent) : QObject(parent) {}

void TimeRangeController::reset(TimeRange full, TimeRange fit)
{
    m_full = full.isValid() ? full : TimeRange{};
    m_fit = fit.isValid() && m_full.contains(fit) ? fit : m_full;
    m_history.clear();
    m_pos = -1;
    m_lastPush.invalidate();
    const bool hadSelection = m_selection.isValid();
    m_selection = {};
    emit fullChanged(m_full);
    setZero(m_fit.start);
    if (hadSelection) emit selectionChanged(m_selection);
    if (m_full.isValid()) {
        setVisible(m_fit);
    } else if (m_visible.isValid()) {
        m_visible = {};
        emit visibleChanged(m_visible);
    }
}

TimeRange TimeRangeController::clamped(TimeRange r) const
{
    if (!m_full.isValid()) return {};
    const TimeNs pad = m_full.length() / 20;
    const TimeRange bounds{m_full.start - pad, m_full.end + pad};
    if (r.end < r.start) std::swap(r.start, r.end);
    if (r.length() < kMinVisible) {
        const TimeNs mid = r.start + r.length() / 2;
        r = {mid - kMinVisible / 2, mid + kMinVisible / 2};
    }
    if (r.length() > bounds.length()) r = bounds;
    if (r.start < bounds.start) r = {bounds.start, bounds.start + r.length()};
    if (r.end > bounds.end) r = {bounds.end - r.length(), bounds.end};
    return r;
}

void TimeRangeController::setVisible(TimeRange r, History h)
{
    r = clamped(r);
    if (!r.isValid() || r == m_visible) return;
    if (h == History::Push) {
        const bool coalesce = m_pos >= 0 && m_lastPush.isValid() &&
                              m_lastPush.elapsed() < m_coalesceMs && m_coalesceMs > 0;
        if (coalesce) {
            m_history[size_t(m_pos)] = r;
        } else {
            m_history.resize(size_t(m_pos + 1));
            m_history.push_back(r);
            m_pos = int(m_history.size()) - 1;
        }
        m_lastPush.restart();
    }
    apply(r);
}

void TimeRangeController::apply(TimeRange r)
{
    m_visible = r;
    emit visibleChanged(r);
}

void TimeRangeController::setZero(TimeNs zero)
{
    if (zero == m_zero) return;
    m_zero = zero;
    emit zeroChanged(zero);
}

void TimeRangeController::setSelection(TimeRange r)
{
    if (r.end < r.start) std::swap(r.start, r.end);
    if (m_full.isValid() && r.isValid())
        r = {std::max(r.start, m_full.start), std::min(r.end, m_full.end)};
    if (!r.isValid()) r = {};
    if (r == m_selection) return;
    m_selection = r;
    emit selectionChanged(r);
}

void TimeRangeController::back()
{
    if (!canGoBack()) return;
    --m_pos;
    m_lastPush.invalidate();
    apply(m_history[size_t(m_pos)]);
}

void TimeRangeController::forward()
{
    if (!canGoForward()) return;
    ++m_pos;
    m_lastPush.invalidate();
    apply(m_history[size_t(m_pos)]);
}

} // namespace ls
