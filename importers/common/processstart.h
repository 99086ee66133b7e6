#pragma once
// ProcessStart: where "time since process start" (gctrace's @T, schedtrace's
// SCHED Tms) sits on the wall clock, estimated from timestamped log lines
// printed in the same stream. A log line printed between two runtime lines
// at relative times r1 < r2 has wall time w with r1 <= w - start <= r2, so
// every such line bounds the start from both sides; the estimate is the
// middle of the tightest bounds (or the median of w - r when the bounds
// contradict each other, as clock jitter can make them).

#include "records.h"

#include <vector>

namespace ls {

class ProcessStart
{
public:
    // In stream order: a runtime line printed at `rel` ns after process start...
    void runtimeLine(TimeNs rel);
    // ...and a log line with a wall-clock time.
    void logLine(TimeNs wall);
    // Wall time of the process start, or kNoTime when no log line helped.
    TimeNs estimate() const;
    int evidence() const { return int(m_points.size()); }

private:
    TimeNs m_lastRel = kNoTime;
    std::vector<TimeNs> m_pendingWalls; // log lines since the last runtime line
    TimeNs m_lower = kNoTime, m_upper = kNoTime;
    std::vector<TimeNs> m_points;
};

} // namespace ls
