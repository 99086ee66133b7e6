#pragma once
// The read API the views and the CLI use. Nothing here writes.
//
// Requests: a filter language shared by the GUI's filter box and the CLI:
//   status>=500  status=404  status:5xx   dur>200ms  ttfb>50ms  dns>1ms
//   host:api  url:/api/lock  method:POST  key:fd6f  handler:lock  side:client
//   error  (has an error)   loadtest   free text (matches key, url, host, error)
//   a leading '-' negates a term; terms are ANDed.
//
// Lane spans: LaneSpans holds one lane's spans as time-sorted flat arrays.
// visible(t0, t1) finds the slice that can intersect [t0, t1] with two binary
// searches: one on start (sorted), one on the running maximum of end, which
// is monotonic, so a long span that began before t0 is never lost.

#include "db.h"
#include "records.h"

#include <QList>
#include <QString>

#include <array>
#include <optional>
#include <vector>

namespace ls {

// Client phase kinds in waterfall order; index into RequestRow::phaseNs.
enum class PhaseKind : int
{
    Blocked = 0,
    Dns,
    Connect,
    Tls,
    Send,
    Wait,
    Receive,
    Count
};
inline constexpr int kPhaseKinds = int(PhaseKind::Count);
const char *phaseKindName(PhaseKind k);
std::optional<PhaseKind> phaseKindFromName(QByteArrayView name);

struct RequestRow
{
    qint64 id = 0;
    QString key, method, url, host, handler, error, side, dominantClass;
    QString cause;   // the latency cause in one line (core/analysis.h), empty when unknown
    int status = -1; // -1 unknown
    TimeNs start = kNoTime, end = kNoTime;
    TimeNs clientStart = kNoTime, clientEnd = kNoTime;
    TimeNs serverStart = kNoTime, serverEnd = kNoTime;
    bool loadTest = false;
    // Summed client phase durations, -1 when the request has none of that kind.
    std::array<qint64, kPhaseKinds> phaseNs{};
    qint64 duration() const { return start == kNoTime || end == kNoTime ? -1 : end - start; }
};

struct FilterError
{
    QString message;
    int position = 0;
};

class RequestFilter
{
public:
    // Parses an expression; on error returns nullopt and fills *err.
    static std::optional<RequestFilter> parse(const QString &expr, FilterError *err = nullptr);
    bool isEmpty() const { return m_where.isEmpty(); }
    // SQL boolean over the columns of the request table (alias r) and the
    // phase sums (alias p) — see queryRequests.
    const QByteArray &where() const { return m_where; }
    const QList<QVariant> &params() const { return m_params; }

private:
    QByteArray m_where;
    QList<QVariant> m_params;
};

enum class RequestSort
{
    Duration,
    Start,
    Status,
    Key,
    Url,
    Method,
    // Appended for the GUI's sortable phase columns.
    Blocked,
    Dns,
    Connect,
    Tls,
    Send,
    Wait,
    Receive,
    Error,
    Class
};

struct RequestQuery
{
    QString filter;
    RequestSort sort = RequestSort::Duration;
    bool descending = true;
    qint64 limit = -1;
};

// Throws DbError; a bad filter throws DbError with the FilterError text.
std::vector<RequestRow> queryRequests(const Db &db, const RequestQuery &q);
std::optional<RequestRow> requestByKey(const Db &db, const QString &key);
// The ids (and durations, -1 unknown) of the requests a query selects, in its
// order: what a lazy table needs up front; rows come later by requestsByIds.
struct RequestIdList
{
    std::vector<qint64> ids;
    std::vector<qint64> durations;
};
RequestIdList queryRequestIds(const Db &db, const RequestQuery &q);
// Rows for the given ids, in the order given (missing ids are skipped).
std::vector<RequestRow> requestsByIds(const Db &db, const std::vector<qint64> &ids);
std::optional<RequestRow> requestById(const Db &db, qint64 id);
qint64 countRequests(const Db &db);

// What `info` prints beside the sources: rows per table (in a fixed order)
// and the requests' time range (kNoTime when there are none).
struct SessionCounts
{
    QList<QPair<QString, qint64>> rows; // table name, row count
    TimeNs start = kNoTime, end = kNoTime;
};
SessionCounts sessionCounts(const Db &db);
// The server step names of the session (at most 1,000), for the colours
// (palette.h's CategoricalColours) every view and report gives them.
QList<QByteArray> stepNames(const Db &db);

struct DiagnosticRow
{
    QString code, severity, message;
    qint64 count = 0, firstOffset = -1, firstLine = -1;
};

struct SourceRow
{
    qint64 id = 0;
    QString path, format, sha256, clock, clockMethod, status;
    qint64 size = 0, events = 0, requests = 0, spans = 0, importMs = 0;
    TimeNs offset = 0;
    QList<DiagnosticRow> diagnostics;
};
QList<SourceRow> querySources(const Db &db);

// Alignment by a shared event: a moment two sources both saw (a process's
// start and its first log line, a dump's timestamp and a request). The
// events a source offers, on the session's timeline: its clock origin (the
// file's own time 0) when its clock is relative or monotonic, then its first
// request phases, spans and instants in time order (at most `limit`).
struct SourceEvent
{
    TimeNs time = 0;
    QString label;
};
QList<SourceEvent> sourceEvents(const Db &db, qint64 sourceId, int limit = 2000);
// The first of `events` whose label contains `text` (case-insensitive);
// "origin" names the clock origin; empty text: the first event.
std::optional<SourceEvent> findSourceEvent(const QList<SourceEvent> &events, const QString &text);
// Aligning `own` (of the source moved) to `ref` (of another source): the
// source's new offset, and the method recorded for it.
TimeNs offsetAligning(TimeNs currentOffset, const SourceEvent &own, const SourceEvent &ref);
QString eventAlignmentMethod(const SourceEvent &own, const QString &refPath,
                             const SourceEvent &ref);

struct LaneRow
{
    qint64 id = 0, sourceId = 0, externalId = 0, parentId = 0, sortKey = 0, spanCount = 0;
    QString kind, name;
};
QList<LaneRow> queryLanes(const Db &db);

struct LaneSpans
{
    qint64 laneId = 0;
    std::vector<TimeNs> start, end, maxEnd; // sorted by start; maxEnd[i] = max(end[0..i])
    std::vector<qint32> depth;
    std::vector<StringId> name, category;
    std::vector<RequestId> request;
    std::vector<SpanId> id;
    size_t size() const { return start.size(); }
    // Index range [first, last) of spans that may intersect [t0, t1].
    std::pair<size_t, size_t> visible(TimeNs t0, TimeNs t1) const;
};
LaneSpans loadLaneSpans(const Db &db, qint64 laneId);

// Percentile of durations with linear interpolation between closest ranks; p in [0, 100].
qint64 percentile(std::vector<qint64> values, double p);

// The one definition of an error request, used by the table's colours, the
// statistics, reports, `check` and the filter term `error` (whose SQL in
// queries.cpp says the same): a 5xx status, no response at all (status 0),
// or an error recorded by the client. An unknown status (-1) is no error.
bool isErrorStatus(int status);
bool isErrorRequest(const RequestRow &r);

// Count, errors and latency percentiles of a set of requests: the figures the
// summary line, the report and `check` show.
struct RequestSummary
{
    qint64 count = 0, errors = 0;
    std::vector<qint64> durations; // known durations, sorted ascending
    qint64 p50 = -1, p90 = -1, p99 = -1, max = -1;
    qint64 at(double p) const; // any percentile of durations; -1 when none
    double errorPercent() const { return count ? 100.0 * double(errors) / double(count) : 0; }
};
RequestSummary summarizeRequests(const std::vector<RequestRow> &rows);
// The same from durations alone (-1 = unknown, skipped) when rows are not at hand.
RequestSummary summarizeDurations(const std::vector<qint64> &durations, qint64 errors = 0);

// The latency histogram the Statistics dock and reports draw: bins of equal
// ratio (6 per decade, at most maxBins) from the shortest to the longest
// positive duration, so a tail three decades long keeps its shape. Bin i
// holds [edges[i], edges[i+1]); edges are whole nanoseconds.
struct LatencyHistogram
{
    std::vector<qint64> edges; // bins + 1 values, empty when no duration
    std::vector<int> counts;   // one per bin
    int bins() const { return int(counts.size()); }
    // Position of a duration along the bins, in bin widths from edges[0].
    double position(qint64 v) const;
};
inline constexpr int kHistogramBinsPerDecade = 6;
LatencyHistogram latencyHistogram(const std::vector<qint64> &durations, int maxBins = 24);

// Runs a read-only statement for the CLI's `sql` command.
struct SqlResult
{
    QStringList columns;
    QList<QStringList> rows;
    QList<QList<int>> types; // SQLite column types per cell, for JSON output
};
SqlResult runSql(const Db &db, const QString &sql, qint64 maxRows = -1);

// RFC 4180 cell: quoted when it holds a comma, quote or line break.
QString csvEscape(const QString &v);

} // namespace ls
