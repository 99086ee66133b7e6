#include "selection.h"

namespace ls {

void SelectionModel::selectRequest(qint64 id, Zoom zoom)
{
    if (id < 0) id = 0;
    Selection s = m_current;
    if (s.request != id) s.span = s.lane = 0;
    s.request = id;
    set(s, zoom);
}

void SelectionModel::selectSpan(qint64 span, qint64 lane, qint64 request)
{
    Selection s{request > 0 ? request : m_current.request, span, lane};
    set(s, Zoom::No);
}

void SelectionModel::clear()
{
    set({}, Zoom::No);
}

void SelectionModel::set(Selection s, Zoom zoom)
{
    if (s == m_current && zoom == Zoom::No) return;
    const bool requestMoved = s.request != m_current.request;
    if (requestMoved && m_current.request) m_previousRequest = m_current.request;
    m_current = s;
    emit changed(m_current, zoom);
    if (requestMoved || zoom == Zoom::ToRequest) emit requestChanged(m_current.request, zoom);
}

} // namespace ls
