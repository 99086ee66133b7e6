#pragma once
// FlameGraph: the call tree of a sampling profile, aggregated for display
// (flame graph, top table, callers/callees). Built from the session's
// sample, callsite and frame tables for a set of profiles (one sample type,
// possibly from several sources) and an optional filter: a request (samples
// linked to it, or whose labels name its key) and/or a time range (samples
// with a timestamp inside it; samples without one count when their profile's
// collection window overlaps the range).
//
// Invariants: node 0 is the root (all samples, no function); a node's
// children have distinct function names (callsites of the same function at
// different lines merge); total(node) = self(node) + sum of total(children).
// In the top table a function's cumulative value counts each sample once
// even when the function recurses.

#include "db.h"
#include "records.h"

#include <QByteArray>
#include <QList>

#include <vector>

namespace ls {

// One profile type the flame graph can show: a source's sample type and
// unit, with the profiles that carry it. A pprof CPU profile and an
// execution trace's CPU samples see the same CPU time, so they are separate
// entries, never summed.
struct ProfileType
{
    QString sampleType, unit, sourcePath;
    QList<ProfileId> profiles;
};
// CPU first, then by source.
QList<ProfileType> listProfileTypes(const Db &db);

struct FlameFilter
{
    QList<ProfileId> profiles; // required
    QByteArray requestKey;     // empty: all requests
    RequestId request = kNoId; // kNoId: looked up from requestKey when set
    TimeNs from = kNoTime;     // time range [from, to); kNoTime: open
    TimeNs to = kNoTime;
    // With a time range: whether samples without a timestamp (pprof) count
    // when their profile's window overlaps it. A request's window wants only
    // timed samples (execution-trace CPU samples); a whole-range view wants
    // both.
    bool untimedByWindow = true;
};

struct FlameNode
{
    int parent = -1;
    int depth = 0; // root is 0
    QByteArray function;
    qint64 total = 0;
    qint64 self = 0;
    std::vector<int> children; // sorted by function name
};

struct FunctionStat
{
    QByteArray function;
    qint64 flat = 0; // as the leaf
    qint64 cum = 0;  // anywhere on the stack, once per sample
};

class FlameGraph
{
public:
    // Throws DbError on a database error.
    static FlameGraph build(const Db &db, const FlameFilter &filter);

    const std::vector<FlameNode> &nodes() const { return m_nodes; }
    qint64 total() const { return m_nodes.empty() ? 0 : m_nodes[0].total; }
    // Sample rows that contributed: few rows mean a coarse picture (a CPU
    // profile at 100 Hz gives one row per 10 ms of CPU at best).
    qint64 sampleRows() const { return m_rows; }
    // Functions by flat value (or cumulative), largest absolute value first,
    // ties by name — the order of `go tool pprof -top` (and `-top -cum`).
    std::vector<FunctionStat> top(bool byCumulative = false) const;
    // Functions that call / are called by `function`, with the value that
    // flows through each edge.
    std::vector<FunctionStat> callers(QByteArrayView function) const;
    std::vector<FunctionStat> callees(QByteArrayView function) const;

private:
    std::vector<FlameNode> m_nodes;
    std::vector<FunctionStat> m_functions;
    qint64 m_rows = 0;
};

// The profiles of one sample type (e.g. "cpu", "alloc_space"), in id order.
QList<ProfileId> profilesOfType(const Db &db, QByteArrayView sampleType);

} // namespace ls
