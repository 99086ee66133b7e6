#pragma once
// The timeline model: everything the swimlane view paints, held in memory as
// per-lane, time-sorted flat arrays (for a session too big to hold, the
// lanes on screen: see load()), and the geometry builder that turns a
// time range and a pixel width into runs to fill. No Gui here: geometry is
// plain numbers so it is testable without a screen.
//
// Level of detail. A lane's spans are kept as parallel arrays sorted by start
// with a running maximum of end (maxEnd), so the slice that can intersect a
// range is two binary searches away and a long span that began before the
// range is never lost (its end lifts maxEnd for everything after it). On top
// of the raw spans each lane keeps coarser levels: level k folds neighbouring
// spans shorter than bucket(k) = 4^k µs into runs that carry a count and the
// category that covered most of their time. The builder picks the coarsest
// level whose buckets are still narrower than the fold width in pixels, then
// folds what is left to pixel precision. So the work per frame is bounded by
// pixels, not by spans: zoomed out over 10 M spans it touches a few thousand
// runs per visible lane.
//
// Known limit: the requests lane packs requests into 16 rows; with hundreds of
// requests in flight (a million-request session) rows overlap and their
// phase overlays are millions of intervals, so frames there cost tens of ms.
// Packing into more rows per zoom level would fix it.
//
// Invariants: within a lane, start is non-decreasing, start[i] <= end[i], and
// maxEnd[i] = max(end[0..i]). Levels obey the same invariants. Counts add up:
// the counts of a level's runs sum to the lane's span count.

#include "analysis.h"
#include "db.h"
#include "queries.h"
#include "records.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace ls {

struct TimeRange
{
    TimeNs start = 0, end = 0;
    TimeNs length() const { return end - start; }
    bool isValid() const { return end > start; }
    bool contains(TimeNs t) const { return t >= start && t <= end; }
    bool contains(const TimeRange &o) const { return o.start >= start && o.end <= end; }
    bool operator==(const TimeRange &o) const = default;
};

// Compact interval arrays of one lane depth (spans, or folded runs of a LOD level).
struct IntervalArrays
{
    std::vector<TimeNs> start, end, maxEnd;
    std::vector<qint32> category; // model string index (dominant one for a run)
    std::vector<qint32> name;     // model string index; -1 for a folded run
    std::vector<qint32> request;  // request row id, 0 none
    std::vector<qint32> count;    // empty for raw spans (each counts 1)

    size_t size() const { return start.size(); }
    qint32 countAt(size_t i) const { return count.empty() ? 1 : count[i]; }
    void reserve(size_t n);
    void push(TimeNs s, TimeNs e, qint32 cat, qint32 nm, qint32 req, qint32 cnt = -1);
    // Sorts by start (stable) and computes maxEnd; call after the last push.
    void finish();
    // Index range [first, last) of intervals that may intersect [t0, t1].
    std::pair<size_t, size_t> visible(TimeNs t0, TimeNs t1) const;
    size_t memoryBytes() const;
};

struct LodLevel
{
    TimeNs bucket = 0; // runs were folded from intervals shorter than this
    IntervalArrays runs;
};

// One depth of a lane: the raw intervals and their coarser levels. Spans of
// one lane and depth do not overlap (schema), so maxEnd stays tight there and
// the visible slice is exact; maxEnd still keeps overlapping input correct.
//
// A coarse track (a long lane of a windowed model, read from its stored
// levels, storeLaneLevels()) holds levels over the whole lane but raw spans
// only over `window`, read when the view zooms in past its finest level;
// where the window misses the view its finest level stands in.
struct DepthTrack
{
    IntervalArrays spans;
    std::vector<LodLevel> levels; // bucket increasing
    bool coarse = false;
    TimeRange window; // coarse: what `spans` covers
    // The coarsest arrays whose folding is finer than `nsFold` (raw spans when
    // none is) that cover `view`.
    const IntervalArrays &levelFor(TimeNs nsFold, TimeRange view = {}) const;
    // The finest arrays that cover `view`: the spans, but for a coarse track
    // whose window misses it.
    const IntervalArrays &finestFor(TimeRange view) const;
    // Coarse, and `view` folded at `nsFold` wants spans its window lacks.
    bool wantsWindow(TimeNs nsFold, TimeRange view) const;
    bool covers(TimeRange view) const; // the window holds every span of `view`
    void buildLevels();                // after spans.finish()
};

// Point events (log marks, GC marks) and counter samples, sorted by ts.
struct InstantArrays
{
    std::vector<TimeNs> ts;
    std::vector<double> value;
    std::vector<qint32> name;
    std::vector<float> blockMin, blockMax; // per kCounterBlock values
    bool hasValues = false;
    double minValue = 0, maxValue = 0;
    size_t size() const { return ts.size(); }
    void finish(); // sorts by ts, computes blocks and extremes
};

enum class LaneKind
{
    Requests,
    Goroutine,
    Proc,
    Thread,
    Gc,
    Counter,
    Other
};
LaneKind laneKindFromName(const QString &kind);
QString laneKindTitle(LaneKind k);

struct GeometryOptions;

struct TimelineLane
{
    qint64 laneId = 0;   // lane row id; 0 for the synthetic requests lane
    qint64 sourceId = 0; // the source (process) it came from; 0 for the requests lane
    LaneKind kind = LaneKind::Other;
    QString kindName, name;
    qint64 externalId = 0, parentLaneId = 0, sortKey = 0;
    std::vector<DepthTrack> tracks;  // one per depth (requests lane: per packing row)
    std::vector<DepthTrack> overlay; // requests lane: phases drawn over the request bars, per row
    InstantArrays instants;
    bool loaded = true;       // false: spans not read yet (progressive or windowed opening)
    bool coarse = false;      // tracks read from stored levels (see DepthTrack)
    qint64 spanCount() const; // spans held (a coarse lane: those of its window)
    // Coarse, and painting `range` over `widthPx` wants spans not held.
    bool wantsWindow(TimeRange range, int widthPx, const GeometryOptions &opt) const;
    // Sorts, computes maxEnd and builds levels of every track.
    void finish();
};

// The spans and instants of one lane as a windowed model reads them on
// demand, finished (sorted, levels built) off the model's thread.
struct LaneData
{
    qint64 laneId = 0;
    std::vector<DepthTrack> tracks;
    InstantArrays instants;
    bool coarse = false; // tracks are stored levels
    TimeRange window;    // valid: the spans of a coarse lane over it (tracks' spans only)
};

// What reading lanes for a windowed model needs besides the database: fixed
// when the model is loaded, so the loader's thread reads it while the model's
// thread uses the model.
struct LaneReadContext
{
    qint32 cpuSampleMark = -1; // string index of "CPU sample"
    // CPU samples per goroutine lane id, by time: marks on the lane.
    std::shared_ptr<const QHash<qint64, std::vector<TimeNs>>> samples;
};

// One filled rectangle of a lane: a span, or spans folded into a run.
struct SpanRun
{
    float x0 = 0, x1 = 0; // pixels from the left edge, clipped to [-2, width + 2]
    TimeNs start = 0, end = 0;
    qint32 category = -1; // dominant category
    qint32 name = -1;     // -1 for a folded run
    qint32 request = 0;   // the span's request (0 for folded runs)
    qint32 count = 1;     // spans in the run
    qint32 index = -1;    // raw span index when count == 1 and the run is a raw span
    quint8 depth = 0;
    bool overlay = false; // from the overlay arrays (request phases)
};

struct CounterColumn
{
    float min = 0, max = 0, last = 0;
    qint32 count = 0; // events in this pixel column
};

struct LaneGeometry
{
    std::vector<SpanRun> runs;
    std::vector<CounterColumn> columns; // one per pixel; empty when the lane has no instants
    size_t touched = 0;                 // intervals visited (for tests and the benchmark)
};

struct GeometryOptions
{
    double foldPx = 2.0; // intervals narrower than this fold into runs
    double gapPx = 1.0;  // gaps narrower than this join runs
};

// Builds the runs of a lane for [range.start, range.end] mapped onto `widthPx`.
LaneGeometry buildLaneGeometry(const TimelineLane &lane, TimeRange range, int widthPx,
                               const GeometryOptions &opt = {});
// The same folding over one interval array (exposed for tests).
void foldIntervals(const IntervalArrays &a, TimeRange range, int widthPx,
                   const GeometryOptions &opt, bool overlay, LaneGeometry &out);

// Block min/max over counter values so a pixel column's extremes are found
// without scanning every sample in it.
inline constexpr int kCounterBlock = 64;

// Aggregates of an area selection.
struct RangeStats
{
    qint64 spans = 0;
    QHash<qint32, qint64> nsByCategory; // clipped to the range
    QHash<qint32, qint64> nsByName;
    QList<qint64> requests; // request ids touched
};

struct SpanRef
{
    int lane = -1, depth = 0;
    qint64 index = -1;
    bool isValid() const { return lane >= 0 && index >= 0; }
};

// Stored levels (table lane_level): a long lane's coarser levels written at
// import, so a windowed model paints it zoomed out without reading its
// spans (a Go trace's proc and thread lanes hold millions each). Each level
// folds a depth's spans directly at a bucket of 4^k µs; a depth keeps the
// levels of an eighth of its spans or fewer, each at most 70 % of the finer
// one kept (a few per cent of the lane in all); a depth of few spans
// (maxRuns / 4) is stored whole (bucket 0). Times are relative to the row's
// base_ns, which moves with its source's clock.
struct StoredLevelOptions
{
    qint64 minSpans = 100'000; // lanes with more spans get levels
    qint64 maxRuns = 100'000;  // the most runs a stored level (or a depth stored whole) has
};
// Stores the levels of every lane with more than opt.minSpans spans that
// has none yet, reading each a time window at a time (memory stays bounded
// by the stored levels). A lane gets none (it is read whole) when a depth
// has no level small enough, or when every depth is small enough to store
// whole. `sourceId`: only that source's lanes (an import's; 0: every
// lane). Returns the lanes stored.
int storeLaneLevels(Db &db, const StoredLevelOptions &opt = {},
                    const std::atomic<bool> *cancel = nullptr, qint64 sourceId = 0);
// The level of `in` (start order) folded at `bucket` (how levels are made; exposed for tests).
IntervalArrays foldLevel(const IntervalArrays &in, TimeNs bucket);
// A lane's stored levels, one track per depth (coarse); empty when it has none.
std::vector<DepthTrack> readStoredLevels(const Db &db, qint64 laneId);

// The whole session's timeline in memory.
class TimelineModel
{
public:
    // Loads lanes, spans, instants, requests and their phases. `cancel` is
    // polled between rows. Throws DbError.
    //
    // Progressive opening: with `firstLanes` >= 0 only that many lanes (in
    // display order, the ones a first screen shows: the model holds no other
    // lane, so its lanes are a prefix of the full model's) get their spans, read by
    // lane through its runs (schema.h), a long lane as its stored levels
    // (coarse); the strings they use; requests without keys and labels; no
    // request phases and no flows. A second, full load then replaces the model.
    //
    // Windowed opening, for sessions too big to hold (kWindowedSpans): with
    // `windowed`, lanes, requests, phases and flows are read whole but spans
    // and instants only for the first `firstLanes` lanes and every GC lane
    // (kept: a request's story asks which pauses overlapped it), long lanes
    // as their stored levels (coarse: spans read by time window, as the
    // view zooms in past the finest; see DepthTrack); the rest are read
    // when they come into view (readLanes() on the loader's thread,
    // installLanes() on the model's) and dropped again, the longest
    // installed first, when more than kWindowBudget spans are held. The span
    // count, full range and overview come from the run index, and which
    // lanes hold a request's spans from the spans' request index, so they
    // cover every lane, loaded or not.
    void load(const Db &db, const std::atomic<bool> *cancel = nullptr, int firstLanes = -1,
              bool windowed = false);
    static constexpr qint64 kWindowedSpans = 4'000'000;
    static constexpr qint64 kWindowBudget = 3'000'000;
    // The session's span count from its run index (cheap: no span is read).
    static qint64 countSpans(const Db &db);
    bool isPartial() const { return m_partial; }
    bool isWindowed() const { return m_windowed; }
    const LaneReadContext &laneReadContext() const { return m_readContext; }
    // Reads the spans and instants of lanes by id (any thread, its own connection).
    // A lane with stored levels comes coarse; with a valid `window`, the
    // spans of coarse lanes over it.
    static std::vector<LaneData> readLanes(const Db &db, const std::vector<qint64> &laneIds,
                                           const LaneReadContext &ctx,
                                           const std::atomic<bool> *cancel = nullptr,
                                           TimeRange window = {});
    // Puts read lanes in place (lanes already loaded keep theirs, but a
    // coarse lane takes a window's spans); then, past
    // kWindowBudget spans held, unloads the lanes installed longest ago that
    // are not in `keep` (lane indexes on screen). Returns the lanes unloaded.
    int installLanes(std::vector<LaneData> data, const QSet<int> &keep,
                     qint64 budget = kWindowBudget);
    // Spans held in memory (== spanCount() unless windowed).
    qint64 loadedSpanCount() const { return m_loadedSpans; }
    // A windowed model takes the lanes `from` (the first-screen model of the
    // same session: a prefix of its lanes) has read and it has not:
    // the first screen is not read twice. `from`'s lanes are left unloaded.
    // Returns the lanes taken.
    int adoptLanes(TimelineModel &from);
    // Whether any request has client phases (else server steps get the whole request bar).
    bool hasClientPhases() const { return m_hasClientPhases; }
    bool isEmpty() const { return m_lanes.empty(); }
    TimeRange fullRange() const { return m_full; }
    // What Fit All shows: the largest cluster of requests (requests more than
    // an hour apart from the rest are another cluster: a source whose clock
    // sits months away must not stretch the view), else the full range.
    TimeRange fitRange() const { return m_fit; }
    // The request clusters Fit All leaves out, with how many requests each has.
    struct Cluster
    {
        TimeRange range;
        qint64 requests = 0;
    };
    const std::vector<Cluster> &otherClusters() const { return m_otherClusters; }
    const std::vector<TimelineLane> &lanes() const { return m_lanes; }
    const TimelineLane &lane(int i) const { return m_lanes[size_t(i)]; }
    int laneCount() const { return int(m_lanes.size()); }
    int laneIndexOf(qint64 laneId) const { return m_laneIndex.value(laneId, -1); }
    // The processes the lanes belong to: one per source with lanes, in the
    // order their tracks are shown (a trace, a dump, a log of one process).
    struct Process
    {
        qint64 sourceId = 0;
        QString name;   // the file name
        QString format; // importer id
    };
    const std::vector<Process> &processes() const { return m_processes; }
    int processIndexOf(qint64 sourceId) const;
    qint64 spanCount() const { return m_spanCount; }
    // What the model holds, estimated: spans, levels and instants, lanes,
    // strings, requests, flows and the indexes over them.
    size_t memoryBytes() const;

    // Strings: names and categories are indexes into this table.
    const QString &string(qint32 i) const;
    qint32 stringCount() const { return qint32(m_strings.size()); }
    qint32 findString(const QString &s) const { return m_stringIndex.value(s, -1); }
    qint32 intern(const QString &s);

    // Requests: row id -> [start, end] and its packing row on the requests lane.
    struct RequestSpan
    {
        qint64 id = 0;
        TimeNs start = kNoTime, end = kNoTime;
        int status = -1;
        QString key, label;
    };
    const RequestSpan *request(qint64 id) const;
    const std::vector<RequestSpan> &requests() const { return m_requests; }
    // Lanes holding spans of a request (scan of in-memory arrays; not for paint).
    QList<int> lanesOfRequest(qint64 requestId) const;
    // Start of the earliest span of `requestId` on lane `lane` (the moment
    // that goroutine started working for it); kNoTime when it has none.
    TimeNs firstSpanOfRequest(int lane, qint64 requestId) const;

    RangeStats statsFor(TimeRange r, const QList<int> &lanes) const;
    // Spans whose name contains `text` (case-insensitive), sorted by start; at most `limit`.
    std::vector<SpanRef> search(const QString &text, size_t limit = 100000) const;
    // Arrows between lanes (goroutine create, unblock, request -> handler),
    // by fromTs. 16 bytes: a Go trace has millions and nearly all end when
    // they start (a wake-up); the others' ends are kept beside (flowEnd).
    // The kind is not held: every arrow is drawn the same.
    struct Flow
    {
        TimeNs fromTs = 0;
        qint32 fromLane = -1, toLane = -1; // lane indexes
    };
    const std::vector<Flow> &flows() const { return m_flows; }
    TimeNs flowEnd(const Flow &f) const; // f: one of flows()
    // Flows touching any of `lanes` whose time span meets [r.start, r.end]; at most `limit`.
    std::vector<const Flow *> flowsFor(const QSet<int> &lanes, TimeRange r,
                                       size_t limit = 2000) const;

    // The whole-session density per overview bucket (0..1), computed at load.
    const std::vector<float> &overview() const { return m_overview; }

    // Builds a model from arrays directly (tests, the benchmark).
    void addLane(TimelineLane lane);
    void finishLoad();

private:
    // A first screen's model: the strings `lanes` refer to (m_strings sized already).
    void readStringsOf(const Db &db, const std::vector<TimelineLane> &lanes);
    std::vector<TimelineLane> m_lanes;
    std::vector<Process> m_processes;
    QHash<qint64, int> m_processIndex; // source id -> index into m_processes
    TimeRange m_fit;
    std::vector<Cluster> m_otherClusters;
    QHash<qint64, int> m_laneIndex;
    std::vector<QString> m_strings;
    QHash<QString, qint32> m_stringIndex;
    std::vector<RequestSpan> m_requests;
    QHash<qint64, int> m_requestIndex;
    std::vector<float> m_overview;
    std::vector<Flow> m_flows;
    std::vector<std::pair<quint32, TimeNs>> m_flowEnds; // (flow index, end) when end != fromTs
    TimeNs m_maxFlowNs = 0;
    TimeRange m_full;
    qint64 m_spanCount = 0, m_loadedSpans = 0;
    bool m_partial = false, m_windowed = false;
    // Windowed: what the run index says of every lane, the lanes in the
    // order they were installed, and each request's lanes with the start
    // of its first span there.
    TimeRange m_indexRange;
    qint64 m_indexSpans = 0;
    struct RunExtent
    {
        TimeNs start, end;
        qint64 count;
    };
    std::vector<RunExtent> m_runExtents; // for the overview; dropped once it is made
    std::deque<int> m_installOrder;
    // Windowed: each request's lanes (lane id, its first moment for the
    // request), flat: request ids ascending, their entries from
    // m_requestLaneAt[i] to m_requestLaneAt[i + 1].
    std::vector<qint64> m_requestLaneIds;
    std::vector<quint32> m_requestLaneAt;
    std::vector<std::pair<qint64, TimeNs>> m_requestLanes;
    std::span<const std::pair<qint64, TimeNs>> requestLanes(qint64 requestId) const;
    LaneReadContext m_readContext;
    bool m_hasClientPhases = false;
};

// Caches geometry per lane for one (range, width); any change of either drops it.
class GeometryCache
{
public:
    const LaneGeometry &get(const TimelineModel &m, int lane, TimeRange r, int width,
                            const GeometryOptions &opt = {});
    void clear();

private:
    TimeRange m_range;
    int m_width = -1;
    QHash<int, LaneGeometry> m_cache;
};

// Nice tick step (1, 2, 5 × 10^k ns) for a ruler with about `pxPerTick` spacing.
TimeNs niceTickStep(TimeNs rangeNs, int widthPx, int pxPerTick = 100);

// Row details of raw text, phases and spans for the details panel.
struct RawTextRow
{
    qint64 id = 0, sourceId = 0, offset = -1, line = -1;
    QString kind, side, sourcePath;
    TimeNs ts = kNoTime;
    QByteArray data;
};
QList<RawTextRow> queryRawText(const Db &db, qint64 requestId);

struct PhaseRow
{
    QString kind, name, side, args;
    TimeNs start = kNoTime, end = kNoTime;
    qint64 laneId = 0;
};
QList<PhaseRow> queryPhases(const Db &db, qint64 requestId);
// Phases of many requests at once (waterfall), keyed by request id.
QHash<qint64, QList<PhaseRow>> queryPhasesOf(const Db &db, const QList<qint64> &requestIds);

// What the details panel shows of one request, read in one go.
struct RequestDetails
{
    RequestRow row;
    std::optional<ClassBreakdown> classes; // latency classes, when analysed
    QList<RawTextRow> rawText;
    QList<PhaseRow> phases;
};
std::optional<RequestDetails> loadRequestDetails(const Db &db, qint64 requestId);

struct SpanDetail
{
    qint64 id = 0, laneId = 0, requestId = 0;
    TimeNs start = kNoTime, end = kNoTime;
    int depth = 0;
    QString name, category, args, laneName;
};
// The span on a lane starting at `start` (first at that time and depth).
std::optional<SpanDetail> querySpanAt(const Db &db, qint64 laneId, TimeNs start, int depth);

} // namespace ls
