#pragma once
// "Why was this request slow": latency classes, the critical path across
// goroutines and a side-by-side comparison of two requests. The rules are
// documented at the top of analysis.cpp; the stored breakdown is the
// request_class table (schema v2) and request.dominant_class.

#include "db.h"
#include "queries.h"

#include "records.h"
#include <QList>

#include <QString>

#include <array>
#include <map>
#include <optional>
#include <vector>

namespace ls {

// Server classes come from the critical path of an execution trace's
// handler goroutine, client ones from httptrace phases. Order is the order
// of a breakdown bar.
enum class LatencyClass : int
{
    Running = 0,
    Runnable,      // scheduler delay
    BlockedNet,    // network and other poller I/O
    BlockedMutex,  // sync.Mutex / RWMutex
    BlockedWait,   // sync.WaitGroup, sync.Cond
    BlockedChan,   // channel send or receive
    BlockedSelect, // select
    Sleep,         // timers (time.Sleep, an injected delay)
    Syscall,
    GcAssist, // GC assist and waits for the GC
    Stw,      // GC stop-the-world
    Other,
    Dns,
    Connect,
    Tls,
    Wait, // time to first byte that the server's classes do not explain
    Count
};
inline constexpr int kLatencyClasses = int(LatencyClass::Count);
const char *latencyClassName(LatencyClass c);
std::optional<LatencyClass> latencyClassFromName(QByteArrayView name);
// The class a goroutine state category (span.category of an execution trace) counts as;
// `name` (span.name) and `waitsOnGroup` (the blocking stack is in sync.WaitGroup or
// sync.Cond) tell a mutex from a WaitGroup/Cond wait among 'blocked-sync' states.
std::optional<LatencyClass> classOfGoroutineState(QByteArrayView category, QByteArrayView name = {},
                                                  bool waitsOnGroup = false);
// A few words for a class in a cause line: "network", "mutex", "sleep", ...
const char *latencyClassPhrase(LatencyClass c);
bool isClientClass(LatencyClass c);

struct ClassBreakdown
{
    qint64 requestId = 0;
    std::array<qint64, kLatencyClasses> ns{}; // time per class, 0 when none
    qint64 serverWindowNs = 0;                // server window that was analysed (0: no trace)
    qint64 serverTracedNs = 0;                // part of it the handler goroutine's states cover
    QString dominant;                         // empty when nothing was classified
    qint64 total() const;
    bool isEmpty() const { return total() == 0; }
};

struct AnalysisStats
{
    qint64 requests = 0; // requests given a breakdown
    qint64 traced = 0;   // of them, with a server-side goroutine breakdown
    qint64 ms = 0;
};

// Computes the classes of the given requests (all requests when empty),
// replaces their request_class rows and sets request.dominant_class. The
// caller owns the transaction (the import pipeline runs it inside its own).
// Goroutine lanes of up to `wholeLaneSpans` spans are read whole and kept
// while the requests are walked; longer ones are read by request window.
// Requests are taken `requestChunk` ids at a time (what the pass holds is
// their region pieces), each range walked in time order; each request's
// results are written as soon as it is classed.
inline constexpr qint64 kAnalysisWholeLaneSpans = 50'000;
inline constexpr qint64 kAnalysisRequestChunk = 16'384;
AnalysisStats analyzeRequests(Db &db, const std::vector<qint64> &requestIds = {},
                              qint64 wholeLaneSpans = kAnalysisWholeLaneSpans,
                              qint64 requestChunk = kAnalysisRequestChunk);

// The cause of a request's latency in one line, as analyzeRequests stores it
// in request.cause: the largest parts of its critical path by class, with the
// goroutine a wait was passed through and the region it happened in ("101 ms
// network via g301 net/http.(*persistConn).readLoop in downstream_call, 89.7
// ms sleep in inject_delay"); without a trace, its largest server steps and
// client phases. Empty when nothing explains it.
QString requestCause(const Db &db, qint64 requestId);

// Stored breakdowns (computed by analyzeRequests).
std::optional<ClassBreakdown> requestClasses(const Db &db, qint64 requestId);
std::map<qint64, ClassBreakdown> allRequestClasses(const Db &db);

// What the Statistics dock draws over the requests a filter selects,
// reduced from their ids and durations (full rows only for the slowest) and
// their breakdowns read in id order, so that nobody holds the rows (a
// million requests' rows and breakdowns took half a gigabyte in the dock).
struct RequestStatistics
{
    qint64 count = 0;           // requests the filter selects
    LatencyHistogram histogram; // of their durations (latencyHistogram)
    // (p, ns) at statsPercentiles(), over the known durations; empty when none.
    std::vector<std::pair<double, qint64>> percentiles;
    // The slowest requests with a duration, slowest first (ties: the
    // earlier start), and their server steps (name, ns): nested steps count
    // only the time an earlier step did not cover, so a bar never exceeds
    // its request.
    std::vector<RequestRow> slowest;
    std::map<qint64, std::vector<std::pair<QString, qint64>>> steps;
    // Time per latency class over the requests (a request with a traced
    // server leaves its client wait out: the server's classes explain it)
    // and the number of requests each class dominates.
    std::array<qint64, kLatencyClasses> classNs{};
    std::array<qint64, kLatencyClasses> dominated{};
    // Each request's duration (-1 unknown) and dominant class (-1 none),
    // sorted by id: what a selection needs.
    struct Request
    {
        qint64 id = 0;
        qint64 durationNs = -1;
        int dominant = -1;
    };
    std::vector<Request> requests;
    const Request *find(qint64 id) const;
};
inline constexpr int kStatsSlowest = 10;
const std::vector<double> &statsPercentiles(); // 50, 75, 90, 95, 99, 99.9
// Throws DbError (a bad filter included).
RequestStatistics requestStatistics(const Db &db, const QString &filter,
                                    int slowest = kStatsSlowest);

// The goroutine that runs the request's handler in an execution trace: the
// lane of its earliest region; 0 when no trace covers the request.
qint64 handlerLane(const Db &db, qint64 requestId);

// One piece of the critical path: what the request was waiting for, on
// which goroutine, during [start, end).
struct PathSegment
{
    qint64 laneId = 0;
    QString laneName;
    TimeNs start = 0, end = 0;
    QString state;  // goroutine state category: running, blocked-sync, ...
    QString reason; // the state's detail (span name), and whom it waited on
    int hop = 0;    // 0: the handler itself, 1: a goroutine it waited on, ...
    // The latency class this piece counts as (latencyClassName): its own
    // state's, except under a mutex wait, which stays a mutex wait whatever
    // the holder did; GC stop-the-world overrides both.
    QString latencyClass;
};
// Segments in time order, tiling the request's server window clipped to the
// request's own [start, end] (untraced parts are left out). Empty when no
// trace covers the request.
std::vector<PathSegment> criticalPath(const Db &db, qint64 requestId);

// Side by side facts of two requests.
struct RequestFacts
{
    RequestRow row;
    ClassBreakdown classes;
    std::map<QString, qint64> goroutineStates; // category -> ns, handler goroutine in its window
    std::map<QString, qint64> steps;           // server step name -> ns
    int goroutines = 0;                        // linked goroutines counted in goroutineStates
    std::map<QString, qint64> pathByGoroutine; // critical path ns: "handler" or start function
};
struct RequestComparison
{
    RequestFacts a, b;
};
// Throws DbError when a key is unknown.
RequestComparison compareRequests(const Db &db, const QString &keyA, const QString &keyB);

// A comparison flattened into rows (section, name, A, B), the order the CLI
// and the app show them in: request, phase, class, goroutine, path, step.
struct CompareLine
{
    QString section, name;
    qint64 a = -1, b = -1; // -1: none
    bool isTime = true;
    // A value (a or b) and b - a as text; `none` stands for a missing value,
    // `minus` for the sign of a negative time difference.
    QString valueText(qint64 v, const QString &none) const;
    QString deltaText(const QString &none, const QString &minus) const;
};
QList<CompareLine> compareLines(const RequestComparison &c);

} // namespace ls
