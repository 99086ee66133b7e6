#include "timeline.h"
#include "schema.h"

#include <QFileInfo>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <thread>

namespace ls {

// ---------------------------------------------------------------------------
// IntervalArrays

void IntervalArrays::reserve(size_t n)
{
    start.reserve(n);
    end.reserve(n);
    category.reserve(n);
    name.reserve(n);
    request.reserve(n);
}

void IntervalArrays::push(TimeNs s, TimeNs e, qint32 cat, qint32 nm, qint32 req, qint32 cnt)
{
    start.push_back(s);
    end.push_back(std::max(s, e));
    category.push_back(cat);
    name.push_back(nm);
    request.push_back(req);
    if (cnt >= 0) {
        count.resize(start.size() - 1, 1);
        count.push_back(cnt);
    } else if (!count.empty()) {
        count.push_back(1);
    }
}

template<typename T> static void permute(std::vector<T> &v, const std::vector<quint32> &order)
{
    if (v.empty()) return;
    std::vector<T> out(v.size());
    for (size_t i = 0; i < order.size(); ++i)
        out[i] = v[order[i]];
    v.swap(out);
}

// The stable order that sorts `t`; empty when it is sorted already.
static std::vector<quint32> timeOrder(const std::vector<TimeNs> &t)
{
    if (std::is_sorted(t.begin(), t.end())) return {};
    std::vector<quint32> order(t.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
                     [&t](quint32 a, quint32 b) { return t[a] < t[b]; });
    return order;
}

void IntervalArrays::finish()
{
    if (const std::vector<quint32> order = timeOrder(start); !order.empty()) {
        permute(start, order);
        permute(end, order);
        permute(category, order);
        permute(name, order);
        permute(request, order);
        permute(count, order);
    }
    maxEnd.resize(start.size());
    TimeNs m = std::numeric_limits<TimeNs>::min();
    for (size_t i = 0; i < start.size(); ++i)
        maxEnd[i] = m = std::max(m, end[i]);
    start.shrink_to_fit();
    end.shrink_to_fit();
    category.shrink_to_fit();
    name.shrink_to_fit();
    request.shrink_to_fit();
    count.shrink_to_fit();
}

std::pair<size_t, size_t> IntervalArrays::visible(TimeNs t0, TimeNs t1) const
{
    const size_t last = size_t(std::upper_bound(start.begin(), start.end(), t1) - start.begin());
    const size_t first = size_t(
        std::lower_bound(maxEnd.begin(), maxEnd.begin() + qsizetype(last), t0) - maxEnd.begin());
    return {first, last};
}

size_t IntervalArrays::memoryBytes() const
{
    return start.capacity() * 8 + end.capacity() * 8 + maxEnd.capacity() * 8 +
           (category.capacity() + name.capacity() + request.capacity() + count.capacity()) * 4;
}

// ---------------------------------------------------------------------------
// Levels of detail

namespace {

// A run being folded: the category that covered most of its time wins. Four
// cats are plenty for state lanes (a handful of states alternate); when they
// are full the smallest slot is replaced, which can only under-count a
// category that was already minor.
struct OpenRun
{
    bool open = false;
    TimeNs start = 0, end = 0;
    qint32 count = 0;
    qint32 firstIndex = -1;
    qint32 name = -1, request = 0;
    std::array<std::pair<qint32, TimeNs>, 4> cats{};
    int used = 0;

    void begin(TimeNs s, TimeNs e, qint32 cat, qint32 cnt, qint32 idx, qint32 nm, qint32 req)
    {
        open = true;
        start = s;
        end = e;
        count = cnt;
        firstIndex = idx;
        name = nm;
        request = req;
        used = 0;
        add(cat, e - s);
    }
    void add(qint32 cat, TimeNs ns)
    {
        for (int i = 0; i < used; ++i)
            if (cats[size_t(i)].first == cat) {
                cats[size_t(i)].second += ns;
                return;
            }
        if (used < int(cats.size())) {
            cats[size_t(used++)] = {cat, ns};
            return;
        }
        auto mn = std::min_element(cats.begin(), cats.end(), [](const auto &a, const auto &b) {
            return a.second < b.second;
        });
        if (mn->second < ns) *mn = {cat, ns};
    }
    void extend(TimeNs s, TimeNs e, qint32 cat, qint32 cnt)
    {
        end = std::max(end, e);
        count += cnt;
        add(cat, e - s);
    }
    qint32 dominant() const
    {
        qint32 best = -1;
        TimeNs bestNs = -1;
        for (int i = 0; i < used; ++i)
            if (cats[size_t(i)].second > bestNs) {
                bestNs = cats[size_t(i)].second;
                best = cats[size_t(i)].first;
            }
        return best;
    }
};

// Folds intervals, fed in start order, into the runs of one level.
class LevelFolder
{
public:
    explicit LevelFolder(TimeNs bucket) : m_bucket(bucket) {}
    TimeNs bucket() const { return m_bucket; }
    size_t size() const { return m_out.size() + (m_run.open ? 1 : 0); }
    void add(TimeNs s, TimeNs e, qint32 cat, qint32 nm, qint32 req, qint32 cnt)
    {
        if (e - s >= m_bucket) {
            flush();
            m_out.push(s, e, cat, nm, req, cnt);
        } else if (m_run.open && m_run.end - m_run.start < m_bucket && s - m_run.end < m_bucket) {
            m_run.extend(s, e, cat, cnt);
        } else {
            flush();
            m_run.begin(s, e, cat, cnt, -1, nm, req);
        }
    }
    IntervalArrays take()
    {
        flush();
        m_out.finish();
        return std::move(m_out);
    }

private:
    void flush()
    {
        if (!m_run.open) return;
        const bool single = m_run.count == 1;
        m_out.push(m_run.start, m_run.end, m_run.dominant(), single ? m_run.name : -1,
                   single ? m_run.request : 0, m_run.count);
        m_run.open = false;
    }
    TimeNs m_bucket;
    OpenRun m_run;
    IntervalArrays m_out;
};

} // namespace

IntervalArrays foldLevel(const IntervalArrays &in, TimeNs bucket)
{
    LevelFolder f(bucket);
    for (size_t i = 0; i < in.size(); ++i)
        f.add(in.start[i], in.end[i], in.category[i], in.name[i], in.request[i], in.countAt(i));
    return f.take();
}

const IntervalArrays &DepthTrack::levelFor(TimeNs nsFold, TimeRange view) const
{
    const IntervalArrays *best = &spans;
    for (const LodLevel &l : levels) {
        if (l.bucket > nsFold) break;
        best = &l.runs;
    }
    return best == &spans ? finestFor(view) : *best;
}

bool DepthTrack::covers(TimeRange view) const
{
    return window.isValid() && view.isValid() && window.contains(view);
}

const IntervalArrays &DepthTrack::finestFor(TimeRange view) const
{
    if (!coarse || levels.empty() || covers(view)) return spans;
    return levels.front().runs;
}

bool DepthTrack::wantsWindow(TimeNs nsFold, TimeRange view) const
{
    return coarse && !levels.empty() && levels.front().bucket > nsFold && !covers(view);
}

bool TimelineLane::wantsWindow(TimeRange range, int widthPx, const GeometryOptions &opt) const
{
    if (!coarse || !range.isValid() || widthPx <= 0) return false;
    const TimeNs nsFold = TimeNs(double(range.length()) / double(widthPx) * opt.foldPx);
    return std::any_of(tracks.begin(), tracks.end(),
                       [&](const DepthTrack &t) { return t.wantsWindow(nsFold, range); });
}

void DepthTrack::buildLevels()
{
    levels.clear();
    if (spans.size() < 256) return;
    const TimeNs length = spans.maxEnd.back() - spans.start.front();
    const IntervalArrays *prev = &spans;
    for (TimeNs bucket = 4000; bucket < length && prev->size() > 64; bucket *= 4) {
        IntervalArrays next = foldLevel(*prev, bucket);
        // Keep a level only when it saves real work; else try a wider bucket.
        if (next.size() * 10 > prev->size() * 7) continue;
        levels.push_back({bucket, std::move(next)});
        prev = &levels.back().runs;
    }
}

qint64 TimelineLane::spanCount() const
{
    qint64 n = 0;
    for (const DepthTrack &t : tracks)
        n += qint64(t.spans.size());
    return n;
}

static void finishTracks(std::vector<DepthTrack> &tracks)
{
    for (DepthTrack &t : tracks) {
        t.spans.finish();
        if (!t.coarse) t.buildLevels(); // a coarse track's levels are the stored ones
    }
}

void TimelineLane::finish()
{
    finishTracks(tracks);
    finishTracks(overlay);
    instants.finish();
}

void InstantArrays::finish()
{
    if (const std::vector<quint32> order = timeOrder(ts); !order.empty()) {
        permute(ts, order);
        permute(value, order);
        permute(name, order);
    }
    blockMin.clear();
    blockMax.clear();
    if (!hasValues || value.empty()) return;
    minValue = maxValue = value.front();
    for (size_t b = 0; b < value.size(); b += kCounterBlock) {
        const size_t e = std::min(value.size(), b + kCounterBlock);
        const auto [mn, mx] =
            std::minmax_element(value.begin() + qsizetype(b), value.begin() + qsizetype(e));
        blockMin.push_back(float(*mn));
        blockMax.push_back(float(*mx));
        minValue = std::min(minValue, *mn);
        maxValue = std::max(maxValue, *mx);
    }
}

// ---------------------------------------------------------------------------
// Geometry

void foldIntervals(const IntervalArrays &a, TimeRange range, int widthPx,
                   const GeometryOptions &opt, bool overlay, LaneGeometry &out, quint8 depth,
                   bool raw)
{
    if (!range.isValid() || widthPx <= 0 || a.size() == 0) return;
    const double pxPerNs = double(widthPx) / double(range.length());
    const auto [first, last] = a.visible(range.start, range.end);
    out.touched += last - first;
    const float lo = -2.f, hi = float(widthPx) + 2.f;
    // Runs are capped at a few pixels so a long stretch of tiny spans still
    // shows how its dominant state changes along the way.
    const float maxRunPx = float(std::max(opt.foldPx, 3.0));
    OpenRun run;
    float runX0 = 0, runX1 = 0;
    auto flush = [&] {
        if (!run.open) return;
        SpanRun r;
        r.x0 = runX0;
        r.x1 = runX1;
        r.start = run.start;
        r.end = run.end;
        r.category = run.dominant();
        r.count = run.count;
        const bool single = run.count == 1;
        r.name = single ? run.name : -1;
        r.request = single ? run.request : 0;
        r.index = single && raw ? run.firstIndex : -1;
        r.depth = depth;
        r.overlay = overlay;
        out.runs.push_back(r);
        run.open = false;
    };
    for (size_t i = first; i < last; ++i) {
        const TimeNs s = a.start[i], e = a.end[i];
        if (e < range.start) continue; // before the range, kept in the slice by a long predecessor
        const float x0 = std::clamp(float(double(s - range.start) * pxPerNs), lo, hi);
        const float x1 = std::clamp(float(double(e - range.start) * pxPerNs), lo, hi);
        const qint32 c = a.countAt(i);
        if (x1 - x0 >= float(opt.foldPx)) {
            flush();
            SpanRun r;
            r.x0 = x0;
            r.x1 = x1;
            r.start = s;
            r.end = e;
            r.category = a.category[i];
            r.name = a.name[i];
            r.request = a.request[i];
            r.count = c;
            r.index = raw ? qint32(i) : -1;
            r.depth = depth;
            r.overlay = overlay;
            out.runs.push_back(r);
            continue;
        }
        if (run.open && x0 - runX1 <= float(opt.gapPx) && runX1 - runX0 < maxRunPx) {
            run.extend(s, e, a.category[i], c);
            runX1 = std::max(runX1, x1);
        } else {
            flush();
            run.begin(s, e, a.category[i], c, qint32(i), a.name[i], a.request[i]);
            runX0 = x0;
            runX1 = std::max(x1, x0);
        }
    }
    flush();
}

void foldIntervals(const IntervalArrays &a, TimeRange range, int widthPx,
                   const GeometryOptions &opt, bool overlay, LaneGeometry &out)
{
    foldIntervals(a, range, widthPx, opt, overlay, out, 0, a.count.empty());
}

static void counterColumns(const InstantArrays &in, TimeRange range, int widthPx, LaneGeometry &out)
{
    out.columns.assign(size_t(widthPx), CounterColumn{});
    const double nsPerPx = double(range.length()) / double(widthPx);
    size_t lo = size_t(std::lower_bound(in.ts.begin(), in.ts.end(), range.start) - in.ts.begin());
    out.touched += 1;
    for (int c = 0; c < widthPx; ++c) {
        const TimeNs tb = range.start + TimeNs(std::ceil(nsPerPx * double(c + 1)));
        const size_t hi = size_t(std::lower_bound(in.ts.begin() + qsizetype(lo), in.ts.end(), tb) -
                                 in.ts.begin());
        CounterColumn &col = out.columns[size_t(c)];
        col.count = qint32(hi - lo);
        if (in.hasValues) {
            if (hi > 0) col.last = float(in.value[hi - 1]);
            if (hi > lo) {
                float mn = std::numeric_limits<float>::max(), mx = -mn;
                size_t i = lo;
                while (i < hi) {
                    if (i % kCounterBlock == 0 && i + kCounterBlock <= hi) {
                        mn = std::min(mn, in.blockMin[i / kCounterBlock]);
                        mx = std::max(mx, in.blockMax[i / kCounterBlock]);
                        i += kCounterBlock;
                    } else {
                        mn = std::min(mn, float(in.value[i]));
                        mx = std::max(mx, float(in.value[i]));
                        ++i;
                    }
                }
                col.min = mn;
                col.max = mx;
            } else {
                col.min = col.max = col.last;
            }
        }
        lo = hi;
    }
}

LaneGeometry buildLaneGeometry(const TimelineLane &lane, TimeRange range, int widthPx,
                               const GeometryOptions &opt)
{
    LaneGeometry g;
    if (!range.isValid() || widthPx <= 0) return g;
    const double nsPerPx = double(range.length()) / double(widthPx);
    const TimeNs nsFold = TimeNs(nsPerPx * opt.foldPx);
    for (size_t d = 0; d < lane.tracks.size(); ++d) {
        const IntervalArrays &a = lane.tracks[d].levelFor(nsFold, range);
        foldIntervals(a, range, widthPx, opt, false, g, quint8(std::min<size_t>(d, 255)),
                      &a == &lane.tracks[d].spans);
    }
    for (size_t d = 0; d < lane.overlay.size(); ++d) {
        const IntervalArrays &a = lane.overlay[d].levelFor(nsFold);
        foldIntervals(a, range, widthPx, opt, true, g, quint8(std::min<size_t>(d, 255)),
                      &a == &lane.overlay[d].spans);
    }
    if (lane.instants.size() > 0) counterColumns(lane.instants, range, widthPx, g);
    return g;
}

const LaneGeometry &GeometryCache::get(const TimelineModel &m, int lane, TimeRange r, int width,
                                       const GeometryOptions &opt)
{
    if (!(r == m_range) || width != m_width) {
        m_cache.clear();
        m_range = r;
        m_width = width;
    }
    auto it = m_cache.find(lane);
    if (it == m_cache.end())
        it = m_cache.insert(lane, buildLaneGeometry(m.lane(lane), r, width, opt));
    return *it;
}

void GeometryCache::clear()
{
    m_cache.clear();
    m_width = -1;
}

TimeNs niceTickStep(TimeNs rangeNs, int widthPx, int pxPerTick)
{
    if (rangeNs <= 0 || widthPx <= 0) return 1;
    const double raw = double(rangeNs) * pxPerTick / widthPx;
    TimeNs step = 1;
    while (true) {
        for (int m : {1, 2, 5}) {
            if (double(step * m) >= raw) return step * m;
        }
        if (step > std::numeric_limits<TimeNs>::max() / 100) return step;
        step *= 10;
    }
}

// ---------------------------------------------------------------------------
// The model

LaneKind laneKindFromName(const QString &k)
{
    if (k == QLatin1String("goroutine")) return LaneKind::Goroutine;
    if (k == QLatin1String("proc")) return LaneKind::Proc;
    if (k == QLatin1String("thread")) return LaneKind::Thread;
    if (k == QLatin1String("gc")) return LaneKind::Gc;
    if (k == QLatin1String("counter")) return LaneKind::Counter;
    if (k == QLatin1String("request")) return LaneKind::Requests;
    return LaneKind::Other;
}

QString laneKindTitle(LaneKind k)
{
    switch (k) {
    case LaneKind::Requests:
        return QStringLiteral("Requests");
    case LaneKind::Goroutine:
        return QStringLiteral("Goroutines");
    case LaneKind::Proc:
        return QStringLiteral("Procs");
    case LaneKind::Thread:
        return QStringLiteral("Threads");
    case LaneKind::Gc:
        return QStringLiteral("GC");
    case LaneKind::Counter:
        return QStringLiteral("Counters");
    case LaneKind::Other:
        break;
    }
    return QStringLiteral("Other");
}

const QString &TimelineModel::string(qint32 i) const
{
    static const QString empty;
    return i >= 0 && size_t(i) < m_strings.size() ? m_strings[size_t(i)] : empty;
}

qint32 TimelineModel::intern(const QString &s)
{
    auto it = m_stringIndex.constFind(s);
    if (it != m_stringIndex.constEnd()) return *it;
    const qint32 id = qint32(m_strings.size());
    m_strings.push_back(s);
    m_stringIndex.insert(s, id);
    return id;
}

const TimelineModel::RequestSpan *TimelineModel::request(qint64 id) const
{
    const int i = m_requestIndex.value(id, -1);
    return i < 0 ? nullptr : &m_requests[size_t(i)];
}

void TimelineModel::addLane(TimelineLane lane)
{
    m_laneIndex.insert(lane.laneId, int(m_lanes.size()));
    m_lanes.push_back(std::move(lane));
}

// Within one process: what the whole process went through (GC, heap, procs,
// threads) above its goroutines.
static int kindOrder(LaneKind k)
{
    switch (k) {
    case LaneKind::Requests:
        return 0;
    case LaneKind::Gc:
        return 1;
    case LaneKind::Counter:
        return 2;
    case LaneKind::Proc:
        return 3;
    case LaneKind::Thread:
        return 4;
    case LaneKind::Goroutine:
        return 5;
    case LaneKind::Other:
        break;
    }
    return 6;
}

// Rows of the span and instant queries below: (lane_id, start_ns, end_ns,
// depth, name, category, request) and (lane_id, ts_ns, name, value).
static void addSpanRow(std::vector<DepthTrack> &tracks, const Stmt &st)
{
    const int depth = std::clamp(int(st.int64(3)), 0, 63);
    if (size_t(depth) >= tracks.size()) tracks.resize(size_t(depth) + 1);
    tracks[size_t(depth)].spans.push(st.int64(1), st.int64(2), qint32(st.int64(5)),
                                     qint32(st.int64(4)), qint32(st.int64(6)));
}

static void addInstantRow(InstantArrays &in, const Stmt &st)
{
    in.ts.push_back(st.int64(1));
    in.name.push_back(qint32(st.int64(2)));
    const bool hv = !st.isNull(3);
    in.value.push_back(hv ? st.real(3) : 0.0);
    in.hasValues = in.hasValues || hv;
}

static void addSampleMark(InstantArrays &in, TimeNs ts, qint32 mark)
{
    in.ts.push_back(ts);
    in.name.push_back(mark);
    in.value.push_back(0.0);
}

static const char kStoredLevelsSql[] =
    "SELECT depth, bucket_ns, base_ns, runs, data FROM lane_level WHERE lane_id = ? ORDER BY "
    "depth, bucket_ns";

static std::vector<DepthTrack> storedLevelsOf(Stmt &st, qint64 laneId);

namespace {
// Reads one lane's rows through its runs, in id order like the full scan
// (finish() sorts the lanes that need it); `coarse`: a lane with stored
// levels comes as those.
class LaneReader
{
public:
    explicit LaneReader(const Db &db, bool coarse = false)
        : m_coarse(coarse), m_levels(db, kStoredLevelsSql),
          m_spans(db, "SELECT s.lane_id, s.start_ns, s.end_ns, s.depth, COALESCE(s.name_id, 0), "
                      "COALESCE(s.category_id, 0), COALESCE(s.request_id, 0) "
                      "FROM " LS_SPANS_BY_RUN " WHERE r.lane_id = ?"),
          m_window(db, "SELECT s.lane_id, s.start_ns, s.end_ns, s.depth, COALESCE(s.name_id, 0), "
                       "COALESCE(s.category_id, 0), COALESCE(s.request_id, 0) FROM " LS_SPANS_BY_RUN
                       " WHERE r.lane_id = ?1 AND r.start_min <= ?3 AND r.end_max >= ?2 AND "
                       "s.start_ns <= ?3 AND s.end_ns >= ?2"),
          m_instants(db, "SELECT s.lane_id, s.ts_ns, COALESCE(s.name_id, 0), s.value "
                         "FROM " LS_INSTANTS_BY_RUN " WHERE r.lane_id = ?")
    {}
    // Returns whether the lane came coarse.
    bool read(qint64 laneId, std::vector<DepthTrack> &tracks, InstantArrays &instants)
    {
        bool coarse = false;
        if (m_coarse) {
            tracks = storedLevelsOf(m_levels, laneId);
            coarse = !tracks.empty();
        }
        if (!coarse) {
            m_spans.bind(1, laneId);
            while (m_spans.step())
                addSpanRow(tracks, m_spans);
            m_spans.reset();
        }
        m_instants.bind(1, laneId);
        while (m_instants.step())
            addInstantRow(instants, m_instants);
        m_instants.reset();
        return coarse;
    }
    // The spans meeting `w` (a coarse lane's window).
    void readWindow(qint64 laneId, TimeRange w, std::vector<DepthTrack> &tracks)
    {
        m_window.bind(1, laneId).bind(2, w.start).bind(3, w.end);
        while (m_window.step())
            addSpanRow(tracks, m_window);
        m_window.reset();
    }

private:
    bool m_coarse;
    Stmt m_levels, m_spans, m_window, m_instants;
};
} // namespace

// ---------------------------------------------------------------------------
// Stored levels

namespace {

void putVarint(QByteArray &out, quint64 v)
{
    while (v >= 0x80) {
        out.append(char(v | 0x80));
        v >>= 7;
    }
    out.append(char(v));
}

void putSigned(QByteArray &out, qint64 v)
{
    putVarint(out, (quint64(v) << 1) ^ quint64(v >> 63));
}

class VarintReader
{
public:
    explicit VarintReader(QByteArrayView b)
        : m_p(reinterpret_cast<const quint8 *>(b.data())), m_end(m_p + b.size())
    {}
    bool atEnd() const { return m_p >= m_end; }
    quint64 next()
    {
        quint64 v = 0;
        for (int shift = 0; m_p < m_end && shift < 64; shift += 7) {
            const quint8 c = *m_p++;
            v |= quint64(c & 0x7f) << shift;
            if (!(c & 0x80)) return v;
        }
        m_bad = true;
        return 0;
    }
    qint64 nextSigned()
    {
        const quint64 v = next();
        return qint64(v >> 1) ^ -qint64(v & 1);
    }
    bool bad() const { return m_bad; }

private:
    const quint8 *m_p, *m_end;
    bool m_bad = false;
};

// Runs in start order: start as a delta from the previous (the first from
// `base`), length, category, name, request and count.
QByteArray encodeRuns(const IntervalArrays &a, TimeNs base)
{
    QByteArray out;
    out.reserve(qsizetype(a.size()) * 6);
    TimeNs prev = base;
    for (size_t i = 0; i < a.size(); ++i) {
        putSigned(out, a.start[i] - prev);
        putVarint(out, quint64(a.end[i] - a.start[i]));
        putSigned(out, a.category[i]);
        putSigned(out, a.name[i]);
        putSigned(out, a.request[i]);
        putVarint(out, quint64(a.countAt(i)));
        prev = a.start[i];
    }
    return out;
}

IntervalArrays decodeRuns(QByteArrayView data, qint64 runs, TimeNs base, bool raw)
{
    IntervalArrays a;
    a.reserve(size_t(std::clamp<qint64>(runs, 0, data.size() / 6))); // a run takes 6 bytes or more
    VarintReader r(data);
    TimeNs prev = base;
    while (!r.atEnd()) {
        const TimeNs s = prev + r.nextSigned();
        const TimeNs e = s + TimeNs(r.next());
        const auto cat = qint32(r.nextSigned()), nm = qint32(r.nextSigned()),
                   req = qint32(r.nextSigned());
        const auto cnt = qint32(r.next());
        if (r.bad()) break;
        a.push(s, e, cat, nm, req, raw ? -1 : cnt);
        prev = s;
    }
    a.finish();
    return a;
}

} // namespace

int storeLaneLevels(Db &db, const StoredLevelOptions &opt, const std::atomic<bool> *cancel,
                    qint64 sourceId)
{
    auto cancelled = [cancel] { return cancel && cancel->load(std::memory_order_relaxed); };
    std::vector<std::pair<qint64, qint64>> lanes; // id, spans
    {
        Stmt st(db, "SELECT lane_id, sum(last_id - first_id + 1) AS n FROM span_run WHERE lane_id "
                    "NOT IN (SELECT lane_id FROM lane_level) AND (?2 = 0 OR lane_id IN (SELECT id "
                    "FROM lane WHERE source_id = ?2)) GROUP BY lane_id HAVING n > ?1");
        st.bind(1, opt.minSpans).bind(2, sourceId);
        while (st.step())
            lanes.push_back({st.int64(0), st.int64(1)});
    }
    Stmt extent(db, "SELECT min(start_min), max(start_max) FROM span_run WHERE lane_id = ?");
    // A lane's spans starting in a window, through its runs (one statement:
    // a proc lane of millions of spans has hundreds of thousands of runs).
    Stmt spansIn(db, "SELECT s.id, s.start_ns, s.end_ns, s.depth, COALESCE(s.name_id, 0), "
                     "COALESCE(s.category_id, 0), COALESCE(s.request_id, 0) FROM " LS_SPANS_BY_RUN
                     " WHERE r.lane_id = ?1 AND r.start_min < ?3 AND r.start_max >= ?2 AND "
                     "s.start_ns >= ?2 AND s.start_ns < ?3");
    Stmt ins(db, "INSERT INTO lane_level(lane_id, depth, bucket_ns, base_ns, runs, data) "
                 "VALUES(?,?,?,?,?,?)");
    int stored = 0;
    for (const auto &[laneId, count] : lanes) {
        if (cancelled()) break;
        extent.bind(1, laneId);
        if (!extent.step() || extent.isNull(0)) {
            extent.reset();
            continue;
        }
        const TimeNs lo = extent.int64(0), hi = std::max(lo, extent.int64(1));
        extent.reset();
        // Per depth: every span while few, and a folder per bucket while
        // its level stays small enough to store.
        struct Depth
        {
            IntervalArrays raw;
            bool rawKept = true;
            qint64 spans = 0;
            std::vector<LevelFolder> folders;
            std::vector<bool> kept;
        };
        std::vector<Depth> depths;
        const TimeNs length = std::max<TimeNs>(1, hi - lo);
        auto depthAt = [&](int d) -> Depth & {
            if (size_t(d) >= depths.size()) depths.resize(size_t(d) + 1);
            Depth &x = depths[size_t(d)];
            if (x.folders.empty())
                for (TimeNs b = 4000; b < length; b *= 4) {
                    x.folders.emplace_back(b);
                    x.kept.push_back(true);
                }
            return x;
        };
        struct Row
        {
            qint64 id;
            TimeNs s, e;
            int depth;
            qint32 nm, cat, req;
        };
        // Time windows of about a million spans, read in start order.
        const qint64 windows = std::max<qint64>(1, count / 1'000'000 + 1);
        const TimeNs step = length / windows + 1;
        std::vector<Row> rows;
        for (TimeNs w0 = lo; w0 <= hi && !cancelled(); w0 += step) {
            const TimeNs w1 = w0 + step;
            rows.clear();
            spansIn.bind(1, laneId).bind(2, w0).bind(3, w1);
            while (spansIn.step())
                rows.push_back({spansIn.int64(0), spansIn.int64(1),
                                std::max(spansIn.int64(1), spansIn.int64(2)),
                                std::clamp(int(spansIn.int64(3)), 0, 63), qint32(spansIn.int64(4)),
                                qint32(spansIn.int64(5)), qint32(spansIn.int64(6))});
            spansIn.reset();
            // Runs interleave in time; id order within one start, as finish() keeps it.
            const auto byStart = [](const Row &a, const Row &b) {
                return a.s != b.s ? a.s < b.s : a.id < b.id;
            };
            if (!std::is_sorted(rows.begin(), rows.end(), byStart))
                std::sort(rows.begin(), rows.end(), byStart);
            for (const Row &r : rows) {
                Depth &d = depthAt(r.depth);
                ++d.spans;
                if (d.rawKept) {
                    d.raw.push(r.s, r.e, r.cat, r.nm, r.req);
                    if (qint64(d.raw.size()) > opt.maxRuns) {
                        d.rawKept = false;
                        d.raw = IntervalArrays();
                    }
                }
                for (size_t k = 0; k < d.folders.size(); ++k) {
                    if (!d.kept[k]) continue;
                    d.folders[k].add(r.s, r.e, r.cat, r.nm, r.req, 1);
                    if (qint64(d.folders[k].size()) > opt.maxRuns) {
                        d.kept[k] = false;
                        d.folders[k] = LevelFolder(d.folders[k].bucket());
                    }
                }
            }
        }
        if (cancelled()) break;
        // What each depth stores: its spans whole, or its levels that fold
        // them to a real saving (as buildLevels() keeps them).
        std::vector<std::vector<std::pair<TimeNs, IntervalArrays>>> out(depths.size());
        bool ok = true, anyLevel = false;
        for (size_t d = 0; d < depths.size() && ok; ++d) {
            Depth &x = depths[d];
            if (x.spans == 0) continue;
            if (x.rawKept && qint64(x.raw.size()) <= opt.maxRuns / 4) {
                x.raw.finish();
                out[d].push_back({0, std::move(x.raw)});
                continue;
            }
            // Levels an eighth of the spans or fewer (a window below the
            // finest holds little), each a real saving on the one below.
            qint64 below = x.spans / 8;
            for (size_t k = 0; k < x.folders.size(); ++k) {
                if (!x.kept[k]) continue;
                IntervalArrays a = x.folders[k].take();
                if (qint64(a.size()) > below) continue;
                below = qint64(a.size()) * 7 / 10;
                out[d].push_back({x.folders[k].bucket(), std::move(a)});
            }
            ok = !out[d].empty();
            anyLevel = anyLevel || ok;
        }
        // A depth of long spans has no level to store; a lane whose depths
        // are all short enough to store whole is read whole as it is.
        if (!ok || !anyLevel) continue;
        for (size_t d = 0; d < out.size(); ++d)
            for (const auto &[bucket, a] : out[d]) {
                ins.bind(1, laneId)
                    .bind(2, qint64(d))
                    .bind(3, bucket)
                    .bind(4, lo)
                    .bind(5, qint64(a.size()))
                    .bindBlob(6, encodeRuns(a, lo))
                    .run();
            }
        ++stored;
    }
    return stored;
}

// The rows of one lane from a prepared kStoredLevelsSql (reset after).
static std::vector<DepthTrack> storedLevelsOf(Stmt &st, qint64 laneId)
{
    std::vector<DepthTrack> tracks;
    st.bind(1, laneId);
    while (st.step()) {
        const int depth = std::clamp(int(st.int64(0)), 0, 63);
        if (size_t(depth) >= tracks.size()) tracks.resize(size_t(depth) + 1);
        DepthTrack &t = tracks[size_t(depth)];
        const TimeNs bucket = st.int64(1);
        if (bucket <= 0) {
            t.spans = decodeRuns(st.textView(4), st.int64(3), st.int64(2), true);
            continue;
        }
        t.coarse = true;
        t.levels.push_back({bucket, decodeRuns(st.textView(4), st.int64(3), st.int64(2), false)});
    }
    st.reset();
    return tracks;
}

std::vector<DepthTrack> readStoredLevels(const Db &db, qint64 laneId)
{
    Stmt st(db, kStoredLevelsSql);
    return storedLevelsOf(st, laneId);
}

qint64 TimelineModel::countSpans(const Db &db)
{
    Stmt st(db, "SELECT COALESCE(sum(last_id - first_id + 1), 0) FROM span_run");
    return st.step() ? st.int64(0) : 0;
}

std::vector<LaneData> TimelineModel::readLanes(const Db &db, const std::vector<qint64> &laneIds,
                                               const LaneReadContext &ctx,
                                               const std::atomic<bool> *cancel, TimeRange window)
{
    std::vector<LaneData> out;
    LaneReader reader(db, true);
    for (const qint64 id : laneIds) {
        if (cancel && cancel->load(std::memory_order_relaxed)) break;
        LaneData d;
        d.laneId = id;
        if (window.isValid()) {
            d.window = window;
            reader.readWindow(id, window, d.tracks);
            for (DepthTrack &t : d.tracks)
                t.spans.finish();
            out.push_back(std::move(d));
            continue;
        }
        d.coarse = reader.read(id, d.tracks, d.instants);
        if (ctx.samples && !d.instants.hasValues)
            if (const auto it = ctx.samples->constFind(id); it != ctx.samples->constEnd())
                for (const TimeNs ts : *it)
                    addSampleMark(d.instants, ts, ctx.cpuSampleMark);
        finishTracks(d.tracks);
        d.instants.finish();
        out.push_back(std::move(d));
    }
    return out;
}

int TimelineModel::installLanes(std::vector<LaneData> data, const QSet<int> &keep, qint64 budget)
{
    for (LaneData &d : data) {
        const int li = laneIndexOf(d.laneId);
        if (li < 0) continue;
        TimelineLane &l = m_lanes[size_t(li)];
        if (d.window.isValid()) { // a coarse lane's spans over a window, in place of the last
            if (!l.loaded || !l.coarse) continue;
            m_loadedSpans -= l.spanCount();
            for (size_t k = 0; k < l.tracks.size(); ++k) {
                DepthTrack &t = l.tracks[k];
                if (!t.coarse) continue;
                t.spans = k < d.tracks.size() ? std::move(d.tracks[k].spans) : IntervalArrays();
                t.window = d.window;
            }
            m_loadedSpans += l.spanCount();
            continue;
        }
        if (l.loaded) continue;
        l.tracks = std::move(d.tracks);
        l.instants = std::move(d.instants);
        l.loaded = true;
        l.coarse = d.coarse;
        m_loadedSpans += l.spanCount();
        if (l.kind != LaneKind::Gc) m_installOrder.push_back(li);
    }
    int dropped = 0;
    for (size_t guard = m_installOrder.size(); m_loadedSpans > budget && guard > 0; --guard) {
        const int li = m_installOrder.front();
        m_installOrder.pop_front();
        if (keep.contains(li)) {
            m_installOrder.push_back(li);
            continue;
        }
        TimelineLane &l = m_lanes[size_t(li)];
        m_loadedSpans -= l.spanCount();
        l.tracks = {};
        l.instants = InstantArrays();
        l.loaded = false;
        l.coarse = false;
        ++dropped;
    }
    return dropped;
}

int TimelineModel::adoptLanes(TimelineModel &from)
{
    if (!m_windowed) return 0;
    int taken = 0;
    for (TimelineLane &src : from.m_lanes) {
        const int i = src.kind == LaneKind::Requests ? -1 : laneIndexOf(src.laneId);
        if (i < 0) continue;
        TimelineLane &to = m_lanes[size_t(i)];
        if (to.kind == LaneKind::Requests || to.loaded || !src.loaded) continue;
        to.tracks = std::move(src.tracks);
        to.instants = std::move(src.instants);
        to.loaded = true;
        to.coarse = src.coarse;
        src.tracks = {};
        src.instants = InstantArrays();
        src.loaded = false;
        m_loadedSpans += to.spanCount();
        if (to.kind != LaneKind::Gc) m_installOrder.push_back(int(i));
        ++taken;
    }
    return taken;
}

void TimelineModel::readStringsOf(const Db &db, const std::vector<TimelineLane> &lanes)
{
    std::vector<char> used(m_strings.size(), 0);
    auto mark = [&used](const std::vector<qint32> &ids) {
        for (const qint32 id : ids)
            if (id > 0 && size_t(id) < used.size()) used[size_t(id)] = 1;
    };
    for (const TimelineLane &l : lanes) {
        for (const DepthTrack &t : l.tracks) {
            mark(t.spans.name);
            mark(t.spans.category);
            for (const LodLevel &lv : t.levels) {
                mark(lv.runs.name);
                mark(lv.runs.category);
            }
        }
        mark(l.instants.name);
    }
    // And those load() interns, so their ids are the full model's (a lane
    // handed over keeps its CPU-sample marks' name).
    {
        Stmt st(db, "SELECT id FROM string WHERE value IN ('CPU sample', 'request', "
                    "'request-4xx', 'request-error')");
        while (st.step())
            if (const qint64 id = st.int64(0); id > 0 && size_t(id) < used.size())
                used[size_t(id)] = 1;
    }
    Stmt st(db, "SELECT value FROM string WHERE id = ?");
    for (size_t id = 1; id < used.size(); ++id) {
        if (!used[id]) continue;
        st.bind(1, qint64(id));
        if (st.step()) {
            m_strings[id] = st.string(0);
            m_stringIndex.insert(m_strings[id], qint32(id));
        }
        st.reset();
    }
}

void TimelineModel::load(const Db &db, const std::atomic<bool> *cancel, int firstLanes,
                         bool windowed)
{
    auto cancelled = [cancel] { return cancel && cancel->load(std::memory_order_relaxed); };
    *this = TimelineModel();
    // A first screen's model reads the strings its lanes use (below), not
    // every one (a Go trace names each goroutine: 800 k strings).
    const bool firstOnly = firstLanes >= 0 && !windowed;
    m_strings.push_back(QString()); // id 0: none
    if (firstOnly) {
        Stmt st(db, "SELECT max(id) FROM string");
        if (st.step() && !st.isNull(0))
            m_strings.resize(size_t(std::clamp<qint64>(st.int64(0), 0, 50'000'000)) + 1);
    } else {
        Stmt st(db, "SELECT id, value FROM string ORDER BY id");
        while (st.step()) {
            const qint64 id = st.int64(0);
            if (id < 0 || id > 50'000'000) continue;
            if (size_t(id) >= m_strings.size()) m_strings.resize(size_t(id) + 1);
            m_strings[size_t(id)] = st.string(1);
            m_stringIndex.insert(m_strings[size_t(id)], qint32(id));
        }
    }
    std::vector<TimelineLane> lanes;
    // A first screen (progressive opening) holds only its lanes: the first
    // `firstLanes` in display order (the keys of the sort below, in SQL;
    // the sort then puts them in the same order, so they are a prefix of
    // the full model's lanes). A Go trace has 800 k lanes.
    {
        Stmt st(db, firstOnly
                        ? "SELECT id, kind, name, external_id, COALESCE(parent_id, 0), sort_key, "
                          "source_id FROM lane ORDER BY kind != 'request', CASE WHEN source_id IN "
                          "(SELECT id FROM source) THEN source_id ELSE -1 END, CASE kind WHEN "
                          "'request' THEN 0 WHEN 'gc' THEN 1 WHEN 'counter' THEN 2 WHEN 'proc' "
                          "THEN 3 WHEN 'thread' THEN 4 WHEN 'goroutine' THEN 5 ELSE 6 END, "
                          "sort_key, external_id, id LIMIT ?"
                        : "SELECT id, kind, name, external_id, COALESCE(parent_id, 0), sort_key, "
                          "source_id FROM lane ORDER BY id");
        if (firstOnly) st.bind(1, firstLanes);
        // A handful of kinds over 800 k lanes: lanes share their kind's text.
        std::vector<std::pair<QByteArray, QString>> kinds;
        while (st.step()) {
            TimelineLane l;
            l.laneId = st.int64(0);
            l.sourceId = st.int64(6);
            const QByteArrayView kind = st.textView(1);
            auto k = std::find_if(kinds.begin(), kinds.end(), [kind](const auto &p) {
                return QByteArrayView(p.first) == kind;
            });
            if (k != kinds.end())
                l.kindName = k->second;
            else if (kinds.size() < 64) // (a session of odd kinds is searched no further)
                l.kindName = kinds.emplace_back(kind.toByteArray(), QString::fromUtf8(kind)).second;
            else
                l.kindName = QString::fromUtf8(kind);
            l.kind = laneKindFromName(l.kindName);
            l.name = st.string(2);
            // A Go trace's goroutine names are strings too: share them.
            if (const auto it = m_stringIndex.constFind(l.name); it != m_stringIndex.constEnd())
                l.name = m_strings[size_t(it.value())];
            l.externalId = st.int64(3);
            l.parentLaneId = st.int64(4);
            l.sortKey = st.int64(5);
            if (l.name.isEmpty())
                l.name = QStringLiteral("%1 %2").arg(l.kindName).arg(l.externalId);
            lanes.push_back(std::move(l));
        }
    }
    // Processes: the sources that have lanes, in source order.
    {
        Stmt st(db, "SELECT id, path, format FROM source WHERE id IN (SELECT source_id FROM lane "
                    "GROUP BY source_id) ORDER BY id");
        while (st.step()) {
            m_processIndex.insert(st.int64(0), int(m_processes.size()));
            m_processes.push_back({st.int64(0), QFileInfo(st.string(1)).fileName(), st.string(2)});
        }
    }
    // Display order first, so a partial load reads the lanes a first screen
    // shows: request lanes, then process by process its GC, counters, procs
    // and threads above its goroutines.
    // (By keys computed once and an index: a Go trace has hundreds of
    // thousands of lanes, too many to look processes up in every comparison.)
    {
        struct Key
        {
            bool notRequests;
            int process, kind;
            qint64 sortKey, externalId;
            auto operator<=>(const Key &) const = default;
        };
        std::vector<Key> keys;
        keys.reserve(lanes.size());
        for (const TimelineLane &l : lanes)
            keys.push_back({l.kind != LaneKind::Requests, processIndexOf(l.sourceId),
                            kindOrder(l.kind), l.sortKey, l.externalId});
        std::vector<quint32> order(lanes.size());
        std::iota(order.begin(), order.end(), 0u);
        std::stable_sort(order.begin(), order.end(),
                         [&keys](quint32 a, quint32 b) { return keys[a] < keys[b]; });
        std::vector<TimelineLane> sorted;
        sorted.reserve(lanes.size() + 1); // and the requests lane, put in front below
        for (const quint32 i : order)
            sorted.push_back(std::move(lanes[i]));
        lanes.swap(sorted);
    }
    QHash<qint64, int> index;
    for (size_t i = 0; i < lanes.size(); ++i)
        index.insert(lanes[i].laneId, int(i));
    if (firstLanes >= 0) {
        m_partial = !windowed;
        m_windowed = windowed;
        LaneReader reader(db, true); // long lanes as their stored levels
        for (size_t i = 0; i < lanes.size(); ++i) {
            TimelineLane &l = lanes[i];
            // A windowed model holds every GC lane (few spans; what overlapped a
            // request is part of its story).
            if (int(i) >= firstLanes && !(windowed && l.kind == LaneKind::Gc)) {
                l.loaded = false;
                continue;
            }
            if (cancelled()) return;
            l.coarse = reader.read(l.laneId, l.tracks, l.instants);
        }
        if (firstOnly) readStringsOf(db, lanes);
    } else {
        // Table order: a sequential scan is several times faster than reading
        // lane by lane, and most importers write each lane in time order, so
        // finish() rarely has to sort.
        Stmt st(db, "SELECT lane_id, start_ns, end_ns, depth, COALESCE(name_id, 0), "
                    "COALESCE(category_id, 0), COALESCE(request_id, 0) FROM span");
        int lastLane = -1;
        qint64 lastId = -1, n = 0;
        while (st.step()) {
            if ((++n & 0xffff) == 0 && cancelled()) return;
            const qint64 laneId = st.int64(0);
            if (laneId != lastId) {
                lastId = laneId;
                lastLane = index.value(laneId, -1);
            }
            if (lastLane >= 0) addSpanRow(lanes[size_t(lastLane)].tracks, st);
        }
        Stmt in(db, "SELECT lane_id, ts_ns, COALESCE(name_id, 0), value FROM instant");
        n = 0;
        while (in.step()) {
            if ((++n & 0xffff) == 0 && cancelled()) return;
            const int li = index.value(in.int64(0), -1);
            if (li >= 0) addInstantRow(lanes[size_t(li)].instants, in);
        }
    }
    // CPU samples an execution trace took on a goroutine: marks on its lane,
    // so a request's samples show beside what its goroutines did.
    {
        // A windowed model keeps them by lane for the lanes it reads later.
        const qint32 mark = intern(QStringLiteral("CPU sample"));
        auto byLane = std::make_shared<QHash<qint64, std::vector<TimeNs>>>();
        Stmt st(db, "SELECT lane_id, ts_ns FROM sample WHERE ts_ns IS NOT NULL AND lane_id IS NOT "
                    "NULL");
        while (st.step()) {
            const int li = index.value(st.int64(0), -1);
            if (li < 0) continue;
            TimelineLane &l = lanes[size_t(li)];
            if (l.kind != LaneKind::Goroutine) continue;
            if (m_windowed) (*byLane)[l.laneId].push_back(st.int64(1));
            if (l.loaded && !l.instants.hasValues) addSampleMark(l.instants, st.int64(1), mark);
        }
        m_readContext.cpuSampleMark = mark;
        if (m_windowed) m_readContext.samples = std::move(byLane);
    }
    if (m_windowed) {
        // Every lane's share of the session, from the run index.
        // (One pass over each run table: their extents are the range too.)
        TimeNs lo = std::numeric_limits<TimeNs>::max(), hi = std::numeric_limits<TimeNs>::min();
        {
            Stmt st(db, "SELECT start_min, end_max, last_id - first_id + 1 FROM span_run");
            while (st.step()) {
                m_runExtents.push_back({st.int64(0), st.int64(1), st.int64(2)});
                m_indexSpans += st.int64(2);
                lo = std::min(lo, st.int64(0));
                hi = std::max(hi, st.int64(1));
            }
        }
        {
            Stmt st(db, "SELECT min(start_min), max(end_max) FROM instant_run");
            if (st.step() && !st.isNull(0)) {
                lo = std::min(lo, st.int64(0));
                hi = std::max(hi, st.int64(1));
            }
        }
        if (lo < hi) m_indexRange = {lo, hi};
        // Which lanes work for which request, and from when (the request's
        // focus and its lanes' first moment, without their spans).
        // In the request index's order, folded here: a GROUP BY sorts every
        // span of every request in a temporary tree (800 MB and 12 s for
        // 10 M spans of 800 k requests).
        {
            Stmt st(db, "SELECT request_id, lane_id, start_ns FROM span WHERE request_id IS NOT "
                        "NULL ORDER BY request_id");
            qint64 n = 0, current = 0;
            std::vector<std::pair<qint64, TimeNs>> lanesOf;
            m_requestLaneAt.assign(1, 0);
            auto flush = [&] {
                if (lanesOf.empty()) return;
                std::sort(lanesOf.begin(), lanesOf.end());
                if (m_requestLanes.size() + lanesOf.size() >= std::numeric_limits<quint32>::max())
                    return; // (4 G entries: the rest of the requests have no focus)
                m_requestLaneIds.push_back(current);
                m_requestLanes.insert(m_requestLanes.end(), lanesOf.begin(), lanesOf.end());
                m_requestLaneAt.push_back(quint32(m_requestLanes.size()));
                lanesOf.clear();
            };
            while (st.step()) {
                if ((++n & 0xffff) == 0 && cancelled()) return;
                const qint64 req = st.int64(0), lane = st.int64(1);
                const TimeNs start = st.int64(2);
                if (req != current) {
                    flush();
                    current = req;
                }
                const auto it = std::find_if(lanesOf.begin(), lanesOf.end(),
                                             [lane](const auto &p) { return p.first == lane; });
                if (it == lanesOf.end())
                    lanesOf.push_back({lane, start});
                else
                    it->second = std::min(it->second, start);
            }
            flush();
        }
    }
    // Requests: one synthetic lane, requests packed greedily into rows.
    {
        // A first screen paints the bars; their keys and labels (most of the
        // cost at 800 k requests) come with the second load.
        Stmt st(db, firstOnly ? "SELECT id, NULL, NULL, NULL, status, start_ns, end_ns FROM "
                                "request WHERE start_ns IS NOT NULL AND end_ns IS NOT NULL ORDER "
                                "BY start_ns, id"
                              : "SELECT id, key, method, url, status, start_ns, end_ns FROM "
                                "request WHERE start_ns IS NOT NULL AND end_ns IS NOT NULL ORDER "
                                "BY start_ns, id");
        while (st.step()) {
            RequestSpan r;
            r.id = st.int64(0);
            if (!firstOnly) {
                r.key = st.string(1);
                r.label = QString(st.string(2) + QLatin1Char(' ') + st.string(3)).trimmed();
            }
            r.status = st.isNull(4) ? -1 : int(st.int64(4));
            r.start = st.int64(5);
            r.end = std::max(r.start, st.int64(6));
            m_requestIndex.insert(r.id, int(m_requests.size()));
            m_requests.push_back(std::move(r));
        }
    }
    if (cancelled()) return;
    if (!m_requests.empty()) {
        TimelineLane rl;
        rl.kind = LaneKind::Requests;
        rl.kindName = QStringLiteral("request");
        rl.name = QStringLiteral("Requests");
        constexpr int kMaxRows = 16;
        std::vector<TimeNs> rowEnd;
        QHash<qint64, int> rowOf;
        const qint32 ok = intern(QStringLiteral("request")),
                     err4 = intern(QStringLiteral("request-4xx")),
                     err5 = intern(QStringLiteral("request-error"));
        for (const RequestSpan &r : m_requests) {
            int row = -1;
            for (size_t k = 0; k < rowEnd.size(); ++k)
                if (rowEnd[k] <= r.start) {
                    row = int(k);
                    break;
                }
            if (row < 0 && int(rowEnd.size()) < kMaxRows) {
                row = int(rowEnd.size());
                rowEnd.push_back(0);
                rl.tracks.emplace_back();
                rl.overlay.emplace_back();
            }
            if (row < 0) // every row busy: the row that frees first
                row = int(std::min_element(rowEnd.begin(), rowEnd.end()) - rowEnd.begin());
            rowEnd[size_t(row)] = std::max(rowEnd[size_t(row)], r.end);
            rowOf.insert(r.id, row);
            const qint32 cat = isErrorStatus(r.status) ? err5 : r.status >= 400 ? err4 : ok;
            rl.tracks[size_t(row)].spans.push(r.start, r.end, cat, ok, qint32(r.id));
        }
        // Phases come with the full load: at a million requests they are millions of rows.
        Stmt st(db, m_partial ? "SELECT request_id, kind, COALESCE(name, ''), start_ns, "
                                "end_ns FROM phase WHERE 0"
                              : "SELECT request_id, kind, COALESCE(name, ''), start_ns, "
                                "end_ns FROM phase");
        qint64 n = 0;
        while (st.step()) {
            if ((++n & 0xffff) == 0 && cancelled()) return;
            const int row = rowOf.value(st.int64(0), -1);
            if (row < 0) continue;
            const QString kind = st.string(1);
            m_hasClientPhases = m_hasClientPhases || kind != QLatin1String("step");
            const qint32 cat = intern(kind);
            const qint32 nm = intern(st.string(2).isEmpty() ? kind : st.string(2));
            rl.overlay[size_t(row)].spans.push(st.int64(3), st.int64(4), cat, nm,
                                               qint32(st.int64(0)));
        }
        lanes.insert(lanes.begin(), std::move(rl));
    }
    // Sorting and levels per lane are independent: spread them over the cores.
    {
        std::atomic<size_t> next{0};
        auto work = [&] {
            for (size_t i = next++; i < lanes.size(); i = next++)
                if (!cancelled()) lanes[i].finish();
        };
        const unsigned n = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
        std::vector<std::thread> pool;
        for (unsigned k = 1; k < n; ++k)
            pool.emplace_back(work);
        work();
        for (std::thread &t : pool)
            t.join();
    }
    if (cancelled()) return;
    // Whole, not lane by lane: a Go trace's 800 k lanes grown one at a time
    // held them about twice over at the peak.
    m_lanes = std::move(lanes);
    m_laneIndex.reserve(qsizetype(m_lanes.size()));
    for (size_t i = 0; i < m_lanes.size(); ++i)
        m_laneIndex.insert(m_lanes[i].laneId, int(i));
    // Arrows come with the second load, as phases do: a first screen is
    // wanted fast and a Go trace has millions (a second of the first paint).
    if (!m_partial) {
        if (Stmt n(db, "SELECT count(*) FROM flow");
            n.step()) // (10 M grown by doubling: twice over)
            m_flows.reserve(size_t(std::clamp<qint64>(n.int64(0), 0, 1 << 28)));
        Stmt st(db, "SELECT from_lane_id, from_ts_ns, to_lane_id, to_ts_ns FROM flow WHERE "
                    "from_lane_id IS NOT NULL AND to_lane_id IS NOT NULL AND from_ts_ns IS NOT "
                    "NULL AND to_ts_ns IS NOT NULL");
        while (st.step() && m_flows.size() < std::numeric_limits<quint32>::max()) {
            Flow f;
            f.fromLane = m_laneIndex.value(st.int64(0), -1);
            f.toLane = m_laneIndex.value(st.int64(2), -1);
            f.fromTs = st.int64(1);
            const TimeNs to = st.int64(3);
            if (f.fromLane < 0 || f.toLane < 0) continue;
            m_maxFlowNs = std::max(m_maxFlowNs, std::abs(to - f.fromTs));
            if (to != f.fromTs) m_flowEnds.emplace_back(quint32(m_flows.size()), to);
            m_flows.push_back(f);
        }
        auto byStart = [](const Flow &a, const Flow &b) { return a.fromTs < b.fromTs; };
        if (m_flowEnds.empty()) {
            std::sort(m_flows.begin(), m_flows.end(), byStart);
        } else {
            // Sorted through a permutation, so the ends follow their flows.
            std::vector<quint32> order(m_flows.size());
            std::iota(order.begin(), order.end(), 0u);
            std::stable_sort(order.begin(), order.end(), [this](quint32 a, quint32 b) {
                return m_flows[a].fromTs < m_flows[b].fromTs;
            });
            std::vector<Flow> sorted(m_flows.size());
            std::vector<quint32> where(m_flows.size());
            for (size_t i = 0; i < order.size(); ++i) {
                sorted[i] = m_flows[order[i]];
                where[order[i]] = quint32(i);
            }
            m_flows = std::move(sorted);
            for (auto &e : m_flowEnds)
                e.first = where[e.first];
            std::sort(m_flowEnds.begin(), m_flowEnds.end());
        }
    }
    finishLoad();
}

void TimelineModel::finishLoad()
{
    TimeNs lo = std::numeric_limits<TimeNs>::max(), hi = std::numeric_limits<TimeNs>::min();
    m_loadedSpans = 0;
    for (const TimelineLane &l : m_lanes) {
        for (const auto *v : {&l.tracks, &l.overlay})
            for (const DepthTrack &t : *v)
                if (const IntervalArrays &a = t.finestFor({}); !a.maxEnd.empty()) {
                    lo = std::min(lo, a.start.front());
                    hi = std::max(hi, a.maxEnd.back());
                }
        if (l.instants.size()) {
            lo = std::min(lo, l.instants.ts.front());
            hi = std::max(hi, l.instants.ts.back());
        }
        if (l.kind != LaneKind::Requests) m_loadedSpans += l.spanCount();
    }
    m_spanCount = m_loadedSpans;
    m_installOrder.clear();
    if (m_windowed) {
        m_spanCount = m_indexSpans;
        if (m_indexRange.isValid()) {
            lo = std::min(lo, m_indexRange.start);
            hi = std::max(hi, m_indexRange.end);
        }
        for (size_t i = 0; i < m_lanes.size(); ++i)
            if (m_lanes[i].loaded && m_lanes[i].kind != LaneKind::Requests &&
                m_lanes[i].kind != LaneKind::Gc)
                m_installOrder.push_back(int(i));
    }
    if (lo > hi) lo = hi = 0;
    if (hi <= lo) hi = lo + 1000;
    m_full = {lo, hi};
    // Request clusters: split where the next request starts more than an
    // hour after every earlier one ended.
    m_fit = m_full;
    m_otherClusters.clear();
    if (!m_requests.empty()) {
        std::vector<const RequestSpan *> byStart;
        byStart.reserve(m_requests.size());
        for (const RequestSpan &r : m_requests)
            byStart.push_back(&r);
        std::sort(byStart.begin(), byStart.end(),
                  [](const RequestSpan *a, const RequestSpan *b) { return a->start < b->start; });
        constexpr TimeNs kGap = 3'600'000'000'000; // an hour
        std::vector<Cluster> clusters;
        for (const RequestSpan *r : byStart) {
            if (clusters.empty() || r->start > clusters.back().range.end + kGap)
                clusters.push_back({{r->start, std::max(r->end, r->start + 1)}, 0});
            Cluster &c = clusters.back();
            c.range.end = std::max(c.range.end, r->end);
            ++c.requests;
        }
        size_t best = 0;
        for (size_t i = 1; i < clusters.size(); ++i)
            if (clusters[i].requests > clusters[best].requests) best = i;
        m_fit = clusters[best].range;
        if (m_fit.length() < 1000) m_fit.end = m_fit.start + 1000;
        for (size_t i = 0; i < clusters.size(); ++i)
            if (i != best) m_otherClusters.push_back(clusters[i]);
    }
    if (m_laneIndex.size() != qsizetype(m_lanes.size())) {
        m_laneIndex.clear();
        for (size_t i = 0; i < m_lanes.size(); ++i)
            m_laneIndex.insert(m_lanes[i].laneId, int(i));
    }
    // The overview: span counts per bucket from each lane's coarsest level.
    constexpr int kBuckets = 1024;
    std::vector<double> acc(kBuckets, 0.0);
    const double per = double(m_full.length()) / kBuckets;
    auto add = [&](TimeNs s, TimeNs e, double count) {
        const int b0 = std::clamp(int(double(s - lo) / per), 0, kBuckets - 1);
        const int b1 = std::clamp(int(double(e - lo) / per), 0, kBuckets - 1);
        const double w = count / (b1 - b0 + 1);
        for (int b = b0; b <= b1; ++b)
            acc[size_t(b)] += w;
    };
    for (const TimelineLane &l : m_lanes) {
        // A windowed model counts its lanes' spans from their runs below.
        if (m_windowed && l.kind != LaneKind::Requests) continue;
        for (const DepthTrack &t : l.tracks) {
            const IntervalArrays &a = t.levelFor(TimeNs(per), m_full);
            for (size_t i = 0; i < a.size(); ++i)
                add(a.start[i], a.end[i], double(a.countAt(i)));
        }
    }
    for (const RunExtent &r : m_runExtents)
        add(r.start, r.end, double(r.count));
    m_runExtents = {};
    const double mx = *std::max_element(acc.begin(), acc.end());
    m_overview.assign(kBuckets, 0.f);
    if (mx > 0)
        for (int b = 0; b < kBuckets; ++b)
            m_overview[size_t(b)] = float(std::sqrt(acc[size_t(b)] / mx));
}

size_t TimelineModel::memoryBytes() const
{
    size_t n = 0;
    for (const TimelineLane &l : m_lanes) {
        for (const auto *v : {&l.tracks, &l.overlay})
            for (const DepthTrack &t : *v) {
                n += t.spans.memoryBytes();
                for (const LodLevel &lv : t.levels)
                    n += lv.runs.memoryBytes();
            }
        n += l.instants.ts.capacity() * 20;
        if (!m_stringIndex.contains(l.name)) // (else shared with the strings)
            n += size_t(l.name.capacity()) * 2 + 32;
    }
    // A QHash node is about key + value + a pointer and a bucket.
    auto hashBytes = [](qsizetype count, size_t entry) { return size_t(count) * (entry + 16); };
    n += m_lanes.capacity() * sizeof(TimelineLane) + hashBytes(m_laneIndex.size(), 12);
    for (const QString &str : m_strings)
        n += sizeof(QString) + (str.isEmpty() ? 0 : size_t(str.capacity()) * 2 + 32);
    n += hashBytes(m_stringIndex.size(), sizeof(QString) + 4);
    for (const RequestSpan &r : m_requests)
        n += sizeof(RequestSpan) + (r.label.isEmpty() ? 0 : size_t(r.label.capacity()) * 2 + 32) +
             (r.key.isEmpty() ? 0 : size_t(r.key.capacity()) * 2 + 32);
    n += hashBytes(m_requestIndex.size(), 12);
    n += m_flows.capacity() * sizeof(Flow) + m_flowEnds.capacity() * sizeof(m_flowEnds[0]);
    n += m_requestLaneIds.capacity() * 8 + m_requestLaneAt.capacity() * 4 +
         m_requestLanes.capacity() * sizeof(m_requestLanes[0]);
    return n;
}

TimeNs TimelineModel::flowEnd(const Flow &f) const
{
    if (m_flowEnds.empty()) return f.fromTs;
    const auto i = quint32(&f - m_flows.data());
    auto it = std::lower_bound(m_flowEnds.begin(), m_flowEnds.end(), i,
                               [](const auto &e, quint32 v) { return e.first < v; });
    return it != m_flowEnds.end() && it->first == i ? it->second : f.fromTs;
}

std::vector<const TimelineModel::Flow *> TimelineModel::flowsFor(const QSet<int> &lanes,
                                                                 TimeRange r, size_t limit) const
{
    std::vector<const Flow *> out;
    if (lanes.isEmpty()) return out;
    // fromTs is sorted; a flow meeting the range starts no earlier than r.start - longest flow.
    auto it = std::lower_bound(m_flows.begin(), m_flows.end(), r.start - m_maxFlowNs,
                               [](const Flow &f, TimeNs t) { return f.fromTs < t; });
    for (; it != m_flows.end() && it->fromTs <= r.end && out.size() < limit; ++it) {
        if (std::max(it->fromTs, flowEnd(*it)) < r.start) continue;
        if (lanes.contains(it->fromLane) || lanes.contains(it->toLane)) out.push_back(&*it);
    }
    return out;
}

int TimelineModel::processIndexOf(qint64 sourceId) const
{
    return m_processIndex.value(sourceId, -1);
}

std::span<const std::pair<qint64, TimeNs>> TimelineModel::requestLanes(qint64 requestId) const
{
    const auto it = std::lower_bound(m_requestLaneIds.begin(), m_requestLaneIds.end(), requestId);
    if (it == m_requestLaneIds.end() || *it != requestId) return {};
    const size_t i = size_t(it - m_requestLaneIds.begin());
    return std::span(m_requestLanes)
        .subspan(m_requestLaneAt[i], m_requestLaneAt[i + 1] - m_requestLaneAt[i]);
}

QList<int> TimelineModel::lanesOfRequest(qint64 requestId) const
{
    QList<int> out;
    if (requestId <= 0) return out;
    if (m_windowed) {
        for (const auto &[laneId, first] : requestLanes(requestId))
            if (const int li = laneIndexOf(laneId); li >= 0) out << li;
        std::sort(out.begin(), out.end());
        return out;
    }
    const RequestSpan *r = request(requestId);
    for (size_t li = 0; li < m_lanes.size(); ++li) {
        const TimelineLane &l = m_lanes[li];
        if (l.kind == LaneKind::Requests) continue;
        bool hit = false;
        for (const DepthTrack &t : l.tracks) {
            // Only the request's time range can hold its spans.
            size_t first = 0, last = t.spans.size();
            if (r) std::tie(first, last) = t.spans.visible(r->start, r->end);
            for (size_t i = first; i < last && !hit; ++i)
                hit = t.spans.request[i] == requestId;
            if (hit) break;
        }
        if (hit) out << int(li);
    }
    return out;
}

TimeNs TimelineModel::firstSpanOfRequest(int lane, qint64 requestId) const
{
    if (lane < 0 || size_t(lane) >= m_lanes.size() || requestId <= 0) return kNoTime;
    if (m_windowed) {
        for (const auto &[laneId, first] : requestLanes(requestId))
            if (laneId == m_lanes[size_t(lane)].laneId) return first;
        return kNoTime;
    }
    const RequestSpan *r = request(requestId);
    TimeNs best = kNoTime;
    for (const DepthTrack &t : m_lanes[size_t(lane)].tracks) {
        size_t first = 0, last = t.spans.size();
        if (r) std::tie(first, last) = t.spans.visible(r->start, r->end);
        for (size_t i = first; i < last; ++i)
            if (t.spans.request[i] == requestId) {
                if (best == kNoTime || t.spans.start[i] < best) best = t.spans.start[i];
                break; // sorted by start: the first hit of a track is its earliest
            }
    }
    return best;
}

RangeStats TimelineModel::statsFor(TimeRange r, const QList<int> &laneList) const
{
    RangeStats st;
    QSet<qint64> reqs;
    for (int li : laneList) {
        if (li < 0 || li >= laneCount()) continue;
        const TimelineLane &l = m_lanes[size_t(li)];
        for (const DepthTrack &t : l.tracks) {
            // A coarse lane's window, else its finest level (runs: counts
            // exact, time by each run's main category).
            const IntervalArrays &a = t.finestFor(r);
            const auto [first, last] = a.visible(r.start, r.end);
            for (size_t i = first; i < last; ++i) {
                if (a.end[i] < r.start) continue;
                const TimeNs ns = std::min(a.end[i], r.end) - std::max(a.start[i], r.start);
                st.spans += a.countAt(i);
                if (l.kind != LaneKind::Requests) {
                    st.nsByCategory[a.category[i]] += ns;
                    if (a.name[i] >= 0) st.nsByName[a.name[i]] += ns;
                }
                if (a.request[i] > 0) reqs.insert(a.request[i]);
            }
        }
    }
    st.requests = QList<qint64>(reqs.begin(), reqs.end());
    std::sort(st.requests.begin(), st.requests.end());
    return st;
}

std::vector<SpanRef> TimelineModel::search(const QString &text, size_t limit) const
{
    std::vector<SpanRef> out;
    if (text.isEmpty()) return out;
    std::vector<char> match(m_strings.size(), 0);
    bool any = false;
    for (size_t i = 0; i < m_strings.size(); ++i)
        if (m_strings[i].contains(text, Qt::CaseInsensitive)) {
            match[i] = 1;
            any = true;
        }
    if (!any) return out;
    for (size_t li = 0; li < m_lanes.size(); ++li) {
        const TimelineLane &l = m_lanes[li];
        if (l.kind == LaneKind::Requests) continue;
        for (size_t d = 0; d < l.tracks.size(); ++d) {
            if (l.tracks[d].coarse) continue; // its spans come and go with the view
            const IntervalArrays &a = l.tracks[d].spans;
            for (size_t i = 0; i < a.size() && out.size() < limit; ++i) {
                const qint32 n = a.name[i];
                if (n >= 0 && size_t(n) < match.size() && match[size_t(n)])
                    out.push_back({int(li), int(d), qint64(i)});
            }
        }
    }
    std::sort(out.begin(), out.end(), [this](const SpanRef &x, const SpanRef &y) {
        return m_lanes[size_t(x.lane)].tracks[size_t(x.depth)].spans.start[size_t(x.index)] <
               m_lanes[size_t(y.lane)].tracks[size_t(y.depth)].spans.start[size_t(y.index)];
    });
    return out;
}

// ---------------------------------------------------------------------------
// Details queries

QList<RawTextRow> queryRawText(const Db &db, qint64 requestId)
{
    QList<RawTextRow> out;
    Stmt st(db,
            "SELECT t.id, t.source_id, COALESCE(t.offset, -1), COALESCE(t.line, -1), t.kind, "
            "COALESCE(t.side, ''), s.path, t.ts_ns, t.data FROM raw_text t JOIN source s ON "
            "s.id = t.source_id WHERE t.request_id = ? ORDER BY t.ts_ns IS NULL, t.ts_ns, t.id");
    st.bind(1, requestId);
    while (st.step()) {
        RawTextRow r;
        r.id = st.int64(0);
        r.sourceId = st.int64(1);
        r.offset = st.int64(2);
        r.line = st.int64(3);
        r.kind = st.string(4);
        r.side = st.string(5);
        r.sourcePath = st.string(6);
        r.ts = st.isNull(7) ? kNoTime : st.int64(7);
        r.data = st.text(8);
        out << r;
    }
    return out;
}

static PhaseRow readPhase(const Stmt &st, int o)
{
    PhaseRow p;
    p.kind = st.string(o);
    p.name = st.string(o + 1);
    p.side = st.string(o + 2);
    p.args = st.string(o + 3);
    p.start = st.int64(o + 4);
    p.end = st.int64(o + 5);
    p.laneId = st.isNull(o + 6) ? 0 : st.int64(o + 6);
    return p;
}

QList<PhaseRow> queryPhases(const Db &db, qint64 requestId)
{
    QList<PhaseRow> out;
    Stmt st(db, "SELECT kind, name, side, args, start_ns, end_ns, lane_id FROM phase WHERE "
                "request_id = ? ORDER BY start_ns, id");
    st.bind(1, requestId);
    while (st.step())
        out << readPhase(st, 0);
    return out;
}

QHash<qint64, QList<PhaseRow>> queryPhasesOf(const Db &db, const QList<qint64> &ids)
{
    QHash<qint64, QList<PhaseRow>> out;
    Stmt st(db, "SELECT request_id, kind, name, side, args, start_ns, end_ns, lane_id FROM phase "
                "WHERE request_id = ? ORDER BY start_ns, id");
    for (qint64 id : ids) {
        st.bind(1, id);
        while (st.step())
            out[id] << readPhase(st, 1);
        st.reset();
    }
    return out;
}

std::optional<SpanDetail> querySpanAt(const Db &db, qint64 laneId, TimeNs start, int depth)
{
    Stmt st(db, "SELECT s.id, s.lane_id, COALESCE(s.request_id, 0), s.start_ns, s.end_ns, "
                "s.depth, n.value, c.value, s.args, l.name FROM " LS_SPANS_BY_RUN
                " LEFT JOIN string n ON n.id = s.name_id LEFT JOIN string c ON c.id = "
                "s.category_id JOIN lane l ON l.id = s.lane_id WHERE r.lane_id = ?1 AND "
                "r.start_min <= ?2 AND r.start_max >= ?2 AND s.start_ns = ?2 AND s.depth = ?3 "
                "ORDER BY s.id LIMIT 1");
    st.bind(1, laneId).bind(2, start).bind(3, depth);
    if (!st.step()) return std::nullopt;
    SpanDetail d;
    d.id = st.int64(0);
    d.laneId = st.int64(1);
    d.requestId = st.int64(2);
    d.start = st.int64(3);
    d.end = st.int64(4);
    d.depth = int(st.int64(5));
    d.name = st.string(6);
    d.category = st.string(7);
    d.args = st.string(8);
    d.laneName = st.string(9);
    return d;
}

std::optional<RequestDetails> loadRequestDetails(const Db &db, qint64 requestId)
{
    auto row = requestById(db, requestId);
    if (!row) return std::nullopt;
    return RequestDetails{std::move(*row), requestClasses(db, requestId),
                          queryRawText(db, requestId), queryPhases(db, requestId)};
}

} // namespace ls
