#include "processstart.h"

#include <algorithm>

namespace ls {

void ProcessStart::runtimeLine(TimeNs rel)
{
    // Log lines printed before this runtime line: start >= wall - rel.
    for (TimeNs w : m_pendingWalls) {
        const TimeNs lo = w - rel;
        m_lower = m_lower == kNoTime ? lo : std::max(m_lower, lo);
        m_points.push_back(lo);
    }
    m_pendingWalls.clear();
    m_lastRel = rel;
}

void ProcessStart::logLine(TimeNs wall)
{
    // Printed after the last runtime line: start <= wall - lastRel.
    if (m_lastRel != kNoTime) {
        const TimeNs hi = wall - m_lastRel;
        m_upper = m_upper == kNoTime ? hi : std::min(m_upper, hi);
        m_points.push_back(hi);
    }
    if (m_pendingWalls.size() < 4096) m_pendingWalls.push_back(wall);
}

TimeNs ProcessStart::estimate() const
{
    if (m_points.empty()) return kNoTime;
    if (m_lower != kNoTime && m_upper != kNoTime && m_lower <= m_upper)
        return m_lower + (m_upper - m_lower) / 2;
    if (m_lower != kNoTime && m_upper == kNoTime) return m_lower;
    if (m_upper != kNoTime && m_lower == kNoTime) return m_upper;
    std::vector<TimeNs> p = m_points;
    std::nth_element(p.begin(), p.begin() + qsizetype(p.size() / 2), p.end());
    return p[p.size() / 2];
}

} // namespace ls
