#include "timelinewidget.h"

#include <QLocale>
#include <QScrollBar>

#include "units.h"
#include "viewpalette.h"

#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>

namespace ls::gui {

QString shortLaneName(const QString &name)
{
    // "g142 net/http.(*conn).serve" -> "g142 http.(*conn).serve": the import
    // path before the last '/' of the function name says little in a label.
    const qsizetype sp = name.indexOf(QLatin1Char(' '));
    const qsizetype fnStart = sp >= 0 ? sp + 1 : 0;
    const qsizetype paren = name.indexOf(QLatin1Char('('), fnStart);
    const qsizetype limit = paren >= 0 ? paren : name.size();
    const qsizetype slash = name.lastIndexOf(QLatin1Char('/'), limit - 1);
    if (slash < fnStart) return name;
    return name.left(fnStart) + name.mid(slash + 1);
}

namespace {

constexpr TimeNs kMinRange = TimeRangeController::kMinVisible;

// Ruler label: offset from the session start with as many decimals as the tick step needs.
QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

} // namespace

TimelineWidget::TimelineWidget(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(400, 200);
    setRangeController(nullptr);
    m_vbar = new QScrollBar(Qt::Vertical, this);
    m_vbar->hide();
    m_vbarW = m_vbar->sizeHint().width();
    connect(m_vbar, &QScrollBar::valueChanged, this, [this](int v) {
        m_scrollY = v;
        update();
    });
}

// The rows in view and a screen above and below (so scrolling finds them
// read), the sticky rows, pins and the selection's lanes.
QSet<int> TimelineWidget::lanesOnScreen() const
{
    QSet<int> out = m_highlightLanes;
    if (m_focusLane >= 0) out.insert(m_focusLane);
    for (const int li : m_pinned)
        out.insert(li);
    const int top = lanesTop() + m_stickyH, bottom = height(), screen = bottom - top;
    const size_t sticky = std::min(m_stickyRows, m_rows.size());
    for (size_t i = 0; i < sticky; ++i)
        if (m_rows[i].type == RowType::Lane) out.insert(m_rows[i].lane);
    // The scrolled rows lie in y order: start at the first one near the view
    // (this runs on every paint, over hundreds of thousands of rows).
    const auto from =
        std::partition_point(m_rows.begin() + qsizetype(sticky), m_rows.end(), [&](const Row &r) {
            return lanesTop() + r.y - m_scrollY + r.height < top - screen;
        });
    for (auto it = from; it != m_rows.end() && lanesTop() + it->y - m_scrollY <= bottom + screen;
         ++it)
        if (it->type == RowType::Lane) out.insert(it->lane);
    return out;
}

bool TimelineWidget::lanesPending() const
{
    return !m_lanesAsked.isEmpty() || !m_windowsAsked.isEmpty();
}

void TimelineWidget::askForLanes()
{
    if (!m_model || !m_model->isWindowed()) return;
    QList<qint64> want;
    for (const int li : lanesOnScreen())
        if (const TimelineLane &l = m_model->lane(li);
            !l.loaded && !m_lanesAsked.contains(l.laneId)) {
            m_lanesAsked.insert(l.laneId);
            want << l.laneId;
        }
    if (!want.isEmpty()) emit lanesWanted(want, {});
    // Coarse lanes zoomed in past their levels: their spans around the view.
    if (!m_range.isValid()) return;
    // (Not clipped to the session's range: a view past its edge must still
    // be covered, or it would ask again on every paint.)
    const TimeRange window{m_range.start - m_range.length(), m_range.end + m_range.length()};
    QList<qint64> windows;
    for (const int li : lanesOnScreen()) {
        const TimelineLane &l = m_model->lane(li);
        if (!l.loaded || !l.wantsWindow(m_range, plotWidth(), {})) continue;
        const auto asked = m_windowsAsked.constFind(l.laneId);
        if (asked != m_windowsAsked.constEnd() && asked->contains(m_range)) continue;
        m_windowsAsked.insert(l.laneId, window);
        windows << l.laneId;
    }
    if (!windows.isEmpty()) emit lanesWanted(windows, window);
}

void TimelineWidget::lanesInstalled(bool failed)
{
    if (!m_model) return;
    if (failed) {
        m_lanesAsked.clear();
        m_windowsAsked.clear();
        return;
    }
    for (auto it = m_windowsAsked.begin(); it != m_windowsAsked.end();) {
        const int li = m_model->laneIndexOf(it.key());
        const TimelineLane *l = li < 0 ? nullptr : &m_model->lane(li);
        const bool done = !l || !l->loaded || !l->coarse ||
                          std::any_of(l->tracks.begin(), l->tracks.end(), [&](const DepthTrack &t) {
                              return t.coarse && t.window == it.value();
                          });
        it = done ? m_windowsAsked.erase(it) : std::next(it);
    }
    for (auto it = m_lanesAsked.begin(); it != m_lanesAsked.end();) {
        const int li = m_model->laneIndexOf(*it);
        if (li < 0 || m_model->lane(li).loaded)
            it = m_lanesAsked.erase(it);
        else
            ++it;
    }
    m_cache.clear();
    m_previewCache.clear();
    // The layout changes only when a lane's height does (more depths than
    // one, or gone again) or idle lanes are hidden; building the rows of
    // hundreds of thousands of lanes on every install is what made a
    // scrolled screen slow to fill.
    bool relayout = m_hideIdle;
    for (size_t i = 0; i < m_rows.size() && !relayout; ++i)
        relayout = m_rows[i].type == RowType::Lane &&
                   m_rows[i].height != laneHeight(m_model->lane(m_rows[i].lane));
    if (relayout) rebuildRows();
    update();
}

void TimelineWidget::setLoadingText(const QString &text)
{
    m_loadingText = text;
    update();
}

void TimelineWidget::setModel(std::shared_ptr<const TimelineModel> model, bool keepView)
{
    // A first screen's model holds a prefix of the full model's lanes: the
    // view, pins and selection made on it stay good.
    const bool keep = keepView && m_model && model && m_model->laneCount() <= model->laneCount();
    m_model = std::move(model);
    m_cache.clear();
    m_previewCache.clear();
    m_lanesAsked.clear();
    m_windowsAsked.clear();
    if (keep) {
        m_hits.clear();
        m_searchPos = -1;
        if (m_selectedRequest) selectRequest(m_selectedRequest, false);
        rebuildColours();
        rebuildRows();
        update();
        return;
    }
    m_hits.clear();
    m_searchPos = -1;
    m_pinned.clear();
    m_highlightLanes.clear();
    m_handlerLinks.clear();
    m_focusLane = -1;
    m_selectedRequest = 0;
    m_selection = {};
    m_scrollY = 0;
    m_loadingText.clear();
    rebuildColours();
    rebuildRows();
    // A new session's lanes: the controller starts over at their full range.
    m_ranges->reset(m_model ? m_model->fullRange() : TimeRange{},
                    m_model ? m_model->fitRange() : TimeRange{});
    update();
}

void TimelineWidget::rebuildColours()
{
    m_colours.clear();
    if (!m_model) return;
    m_colours.resize(size_t(m_model->stringCount()));
    for (qint32 i = 0; i < m_model->stringCount(); ++i)
        m_colours[size_t(i)] = categoryColour(m_model->string(i));
    m_stepCategory = m_model->findString(QStringLiteral("step"));
    m_regionCategory = m_model->findString(QStringLiteral("region"));
    m_nameColours.assign(size_t(m_model->stringCount()), QColor());
}

void TimelineWidget::refreshColours()
{
    rebuildColours();
    update();
}

QColor TimelineWidget::nameColour(qint32 name) const
{
    if (name < 0 || size_t(name) >= m_nameColours.size()) return QColor(Qt::gray);
    QColor &c = m_nameColours[size_t(name)];
    if (!c.isValid()) c = categoryColour(QStringLiteral("step"), m_model->string(name));
    return c;
}

int TimelineWidget::trackHeight(const TimelineLane &l) const
{
    return l.kind == LaneKind::Requests ? 16 : 15;
}

int TimelineWidget::laneHeight(const TimelineLane &l) const
{
    if (l.kind == LaneKind::Counter || (l.instants.hasValues && l.tracks.empty())) return 40;
    const int tracks = std::max<int>(1, int(l.tracks.size()));
    return tracks * trackHeight(l) + 3 + (l.instants.size() && !l.instants.hasValues ? 4 : 0);
}

bool TimelineWidget::laneShown(int li) const
{
    const TimelineLane &l = m_model->lane(li);
    if (!m_trackFilter.isEmpty() && !l.name.contains(m_trackFilter, Qt::CaseInsensitive))
        return false;
    if (!m_hideIdle || !m_range.isValid() || !l.loaded) return true;
    // Idle in the visible range: no span and no instant there.
    for (const DepthTrack &t : l.tracks) {
        const IntervalArrays &a = t.finestFor(m_range);
        const auto [first, last] = a.visible(m_range.start, m_range.end);
        for (size_t i = first; i < last; ++i)
            if (a.end[i] >= m_range.start && a.start[i] <= m_range.end) return true;
    }
    const auto &ts = l.instants.ts;
    const auto it = std::lower_bound(ts.begin(), ts.end(), m_range.start);
    return it != ts.end() && *it <= m_range.end;
}

void TimelineWidget::rebuildRows()
{
    m_rows.clear();
    m_rowTexts.clear();
    m_rowOfLane.clear();
    if (!m_model) return;
    int y = 0;
    // A header; `closedByDefault` groups open only when expanded by hand.
    auto header = [&](const QString &group, const QString &title, int indent,
                      bool closedByDefault = false) {
        Row r;
        r.type = RowType::Header;
        r.text = int(m_rowTexts.size());
        m_rowTexts.push_back({group, title});
        r.y = y;
        r.height = 18;
        r.indent = indent;
        r.closed = closedByDefault ? !m_expanded.contains(group) : m_collapsed.contains(group);
        r.closedByDefault = closedByDefault;
        y += r.height;
        m_rows.push_back(r);
        return !r.closed;
    };
    auto lane = [&](int li, int indent) {
        Row r;
        r.type = RowType::Lane;
        r.lane = li;
        r.y = y;
        r.height = laneHeight(m_model->lane(li));
        r.indent = indent;
        // The label is made when the row is painted (rowLabel): held for
        // every row it took more memory than the timeline's model.
        y += r.height;
        m_rows.push_back(r);
    };
    // The requests lane comes first and stays at the top while lanes scroll;
    // pinned lanes stay under it while they take at most 40% of the view
    // (more pins scroll with the rest, still first).
    m_stickyH = 0;
    m_stickyRows = 0;
    if (m_model->laneCount() > 0 && m_model->lane(0).kind == LaneKind::Requests) {
        lane(0, 0);
        m_stickyH = m_rows.back().height;
        m_stickyRows = 1;
    }
    if (!m_pinned.isEmpty()) {
        if (header(QStringLiteral("pinned"), tr("Pinned (%1)").arg(m_pinned.size()), 0)) {
            QList<int> pins(m_pinned.begin(), m_pinned.end());
            std::sort(pins.begin(), pins.end());
            for (int li : pins)
                lane(li, 1);
        }
        const int view = std::max(200, height() - lanesTop());
        if (y <= view * 2 / 5) {
            m_stickyH = y;
            m_stickyRows = m_rows.size();
        }
    }
    // Request focus: the selected request's tracks, in the order its story
    // reads; the processes below stay closed until opened (U shows all).
    const bool focus = focusActive();
    if (focus) {
        const auto *rq = m_model->request(m_selectedRequest);
        const QString what = rq && !rq->label.isEmpty() ? rq->label
                             : rq && !rq->key.isEmpty() ? rq->key
                                                        : QString::number(m_selectedRequest);
        if (header(QStringLiteral("focus"),
                   tr("Request focus: %1 (%2 tracks · U shows all tracks)")
                       .arg(what)
                       .arg(m_focusLanes.size()),
                   0)) {
            // Lanes of several processes side by side: a lane whose name
            // another focused lane shares, or that stands for a whole process
            // (GC, heap), says whose it is.
            QSet<qint64> sources;
            QHash<QString, int> names;
            for (int li : m_focusLanes) {
                sources.insert(m_model->lane(li).sourceId);
                ++names[shortLaneName(m_model->lane(li).name)];
            }
            for (int li : m_focusLanes) {
                lane(li, 1);
                const TimelineLane &fl = m_model->lane(li);
                const int pi = m_model->processIndexOf(fl.sourceId);
                if (sources.size() > 1 && pi >= 0 &&
                    (fl.kind != LaneKind::Goroutine || names.value(shortLaneName(fl.name)) > 1)) {
                    m_rows.back().text = int(m_rowTexts.size());
                    m_rowTexts.push_back(
                        {QString(), QStringLiteral(" · ") + m_model->processes()[size_t(pi)].name});
                }
            }
        }
    }
    // Process by process (one per traced process: its trace, dump or log):
    // what the whole process did (GC, heap, procs, threads) above its
    // goroutines, which are grouped by the goroutine that created them.
    const int n = m_model->laneCount();
    int i = 0;
    while (i < n) {
        if (m_model->lane(i).kind == LaneKind::Requests) {
            if (i != 0 && laneShown(i)) lane(i, 0);
            ++i;
            continue;
        }
        const qint64 source = m_model->lane(i).sourceId;
        int end = i;
        while (end < n && m_model->lane(end).sourceId == source &&
               m_model->lane(end).kind != LaneKind::Requests)
            ++end;
        std::vector<int> shown;
        for (int k = i; k < end; ++k)
            if (laneShown(k)) shown.push_back(k);
        const int pi = m_model->processIndexOf(source);
        if (!shown.empty()) {
            const QString pg = QStringLiteral("process:%1").arg(source);
            QString title = pi >= 0 ? m_model->processes()[size_t(pi)].name : tr("lanes");
            if (pi >= 0 && !m_model->processes()[size_t(pi)].format.isEmpty())
                title += QStringLiteral(" · ") + m_model->processes()[size_t(pi)].format;
            if (header(pg, tr("%1 (%2 tracks)").arg(title).arg(shown.size()), 0, focus)) {
                size_t k = 0;
                while (k < shown.size()) {
                    const LaneKind kind = m_model->lane(shown[k]).kind;
                    size_t j = k;
                    while (j < shown.size() && m_model->lane(shown[j]).kind == kind)
                        ++j;
                    const QString g =
                        pg + QStringLiteral("/kind:") + m_model->lane(shown[k]).kindName;
                    const QString kt =
                        QStringLiteral("%1 (%2)").arg(laneKindTitle(kind)).arg(j - k);
                    if (kind == LaneKind::Goroutine) {
                        if (header(g, kt, 1)) {
                            QHash<qint64, QList<int>> children;
                            QList<qint64> parentsOrder;
                            for (size_t q = k; q < j; ++q) {
                                const qint64 parent = m_model->lane(shown[q]).parentLaneId;
                                const int pli = m_model->laneIndexOf(parent);
                                const qint64 key = pli >= 0 ? parent : 0;
                                if (!children.contains(key)) parentsOrder << key;
                                children[key] << shown[q];
                            }
                            for (qint64 key : std::as_const(parentsOrder)) {
                                const QList<int> &kids = children[key];
                                if (key == 0 || parentsOrder.size() == 1) {
                                    for (int kid : kids)
                                        lane(kid, 2);
                                    continue;
                                }
                                const int pli = m_model->laneIndexOf(key);
                                const QString sub = QStringLiteral("parent:%1").arg(key);
                                if (header(sub,
                                           tr("created by %1 (%2)")
                                               .arg(shortLaneName(m_model->lane(pli).name))
                                               .arg(kids.size()),
                                           2))
                                    for (int kid : kids)
                                        lane(kid, 3);
                            }
                        }
                    } else if (j - k == 1 && kind != LaneKind::Proc && kind != LaneKind::Thread) {
                        lane(shown[k], 1); // a single GC or heap lane needs no header
                    } else if (header(g, kt, 1)) {
                        for (size_t q = k; q < j; ++q)
                            lane(shown[q], 2);
                    }
                    k = j;
                }
            }
        }
        i = end;
    }
    m_contentHeight = y;
    // Each lane's first row (a pinned or focused lane also has its normal
    // place), for the arrows and the critical path painted across rows.
    m_rowOfLane.assign(size_t(n), -1);
    for (size_t k = 0; k < m_rows.size(); ++k)
        if (m_rows[k].type == RowType::Lane && m_rowOfLane[size_t(m_rows[k].lane)] < 0)
            m_rowOfLane[size_t(m_rows[k].lane)] = int(k);
    clampScroll();
}

bool TimelineWidget::focusActive() const
{
    return m_focusMode && m_selectedRequest && !m_focusLanes.empty();
}

void TimelineWidget::updateFocusLanes()
{
    m_focusLanes.clear();
    if (!m_model || !m_selectedRequest) return;
    const auto *rq = m_model->request(m_selectedRequest);
    std::vector<int> order;
    QSet<int> seen;
    const auto add = [&](int li) {
        if (li > 0 && !seen.contains(li)) {
            seen.insert(li);
            order.push_back(li);
        }
    };
    // The goroutines that worked for it, by when they started to (the
    // client's, then the server's handler), then the critical path's
    // goroutines in path order. (Procs and threads that ran its spans stay
    // in their process: they say where, not why.)
    const auto goroutine = [this](int li) {
        return li > 0 && m_model->lane(li).kind == LaneKind::Goroutine;
    };
    for (const auto &[li, t] : m_handlerLinks)
        if (goroutine(li)) add(li);
    for (const PathMark &m : m_path)
        if (goroutine(m_model->laneIndexOf(m.laneId))) add(m_model->laneIndexOf(m.laneId));
    const std::vector<int> storyLanes = order;
    // Their processes' GC lanes when a GC span overlaps the request (before
    // the goroutines merely created or woken: a pause stops everything).
    QSet<qint64> sources;
    for (int li : storyLanes)
        sources.insert(m_model->lane(li).sourceId);
    for (int li = 0; li < m_model->laneCount() && rq; ++li) {
        const TimelineLane &l = m_model->lane(li);
        if (l.kind != LaneKind::Gc || !sources.contains(l.sourceId)) continue;
        bool overlaps = false;
        for (const DepthTrack &t : l.tracks) {
            const auto [first, last] = t.spans.visible(rq->start, rq->end);
            for (size_t k = first; k < last && !overlaps; ++k)
                overlaps = t.spans.end[k] > rq->start && t.spans.start[k] < rq->end;
        }
        if (overlaps) add(li);
    }
    // Goroutines the story's goroutines created or woke during the request.
    if (rq) {
        const QSet<int> base(storyLanes.begin(), storyLanes.end());
        for (const TimelineModel::Flow *f :
             m_model->flowsFor(base, TimeRange{rq->start, rq->end}, 200))
            if (base.contains(f->fromLane) && goroutine(f->toLane)) add(f->toLane);
    }
    m_focusLanes = std::move(order);
}

void TimelineWidget::setFocusMode(bool on)
{
    if (m_focusMode == on) return;
    m_focusMode = on;
    m_expanded.clear();
    rebuildRows();
    update();
}

void TimelineWidget::setTrackFilter(const QString &text)
{
    m_trackFilter = text.trimmed();
    rebuildRows();
    update();
}

void TimelineWidget::setHideIdle(bool on)
{
    m_hideIdle = on;
    rebuildRows();
    update();
}

void TimelineWidget::setAllFlows(bool on)
{
    m_allFlows = on;
    update();
}

std::optional<QRect> TimelineWidget::laneRect(int lane) const
{
    const int r = rowOfLane(lane);
    if (r < 0) return std::nullopt;
    const Row &row = m_rows[size_t(r)];
    const int y = rowScreenY(row);
    const int top = lanesTop() + (size_t(r) >= m_stickyRows ? m_stickyH : 0);
    if (y < top || y + row.height > height()) return std::nullopt;
    return QRect(0, y, width(), row.height);
}

int TimelineWidget::laneAt(int y) const
{
    const int r = rowAt(y);
    return r >= 0 && m_rows[size_t(r)].type == RowType::Lane ? m_rows[size_t(r)].lane : -1;
}

void TimelineWidget::clampScroll()
{
    const int max = std::max(0, m_contentHeight - m_stickyH - scrollView() + 20);
    m_scrollY = std::clamp(m_scrollY, 0, max);
    if (m_vbar) {
        const QSignalBlocker block(m_vbar);
        m_vbar->setRange(0, max);
        m_vbar->setPageStep(scrollView());
        m_vbar->setSingleStep(20);
        m_vbar->setValue(m_scrollY);
        m_vbar->setVisible(max > 0);
    }
}

const LaneGeometry &TimelineWidget::geometry(int lane) const
{
    if (m_previewSource && m_model->lane(lane).sourceId == m_previewSource)
        return m_previewCache.get(*m_model, lane,
                                  {m_range.start - m_previewDelta, m_range.end - m_previewDelta},
                                  plotWidth());
    return m_cache.get(*m_model, lane, m_range, plotWidth());
}

void TimelineWidget::setPreviewShift(qint64 sourceId, TimeNs delta)
{
    if (sourceId == m_previewSource && delta == m_previewDelta) return;
    m_previewSource = delta != 0 ? sourceId : 0;
    m_previewDelta = m_previewSource ? delta : 0;
    m_previewCache.clear();
    update();
}

std::vector<std::pair<float, float>> TimelineWidget::laneRunsX(int lane) const
{
    std::vector<std::pair<float, float>> out;
    if (!m_model || lane < 0 || lane >= m_model->laneCount()) return out;
    for (const SpanRun &r : geometry(lane).runs)
        out.emplace_back(r.x0, r.x1);
    return out;
}

double TimelineWidget::xOf(TimeNs t) const
{
    return m_labelWidth + double(t - m_range.start) * double(plotWidth()) /
                              double(std::max<TimeNs>(1, m_range.length()));
}

TimeNs TimelineWidget::timeAt(double x) const
{
    return m_range.start + TimeNs(std::llround((x - m_labelWidth) * double(m_range.length()) /
                                               double(plotWidth())));
}

void TimelineWidget::setRangeController(TimeRangeController *c)
{
    if (!c) c = new TimeRangeController(this);
    if (c == m_ranges) return;
    for (auto &conn : m_rangeConn)
        disconnect(conn);
    if (m_ranges && m_ranges->parent() == this) m_ranges->deleteLater();
    m_ranges = c;
    m_rangeConn[0] = connect(c, &TimeRangeController::visibleChanged, this, [this](TimeRange r) {
        m_range = r;
        if (m_hideIdle) rebuildRows();
        update();
        emit rangeChanged(r);
    });
    connect(c, &TimeRangeController::zeroChanged, this, [this] { update(); });
    m_rangeConn[1] = connect(c, &TimeRangeController::selectionChanged, this, [this](TimeRange r) {
        if (r == m_selection) return;
        m_selection = r;
        finishSelection();
        update();
    });
    m_range = c->visible();
    m_selection = c->selection();
    update();
}

void TimelineWidget::setRange(TimeRange r, bool history)
{
    if (!m_model) return;
    m_ranges->setVisible(r, history ? TimeRangeController::History::Push
                                    : TimeRangeController::History::Keep);
}

void TimelineWidget::zoomAt(double factor, double x)
{
    if (!m_model) return;
    const TimeNs anchor = timeAt(x);
    const double f = (x - m_labelWidth) / plotWidth();
    const TimeNs len = std::max<TimeNs>(kMinRange, TimeNs(double(m_range.length()) * factor));
    const TimeNs s = anchor - TimeNs(f * double(len));
    setRange({s, s + len});
}

void TimelineWidget::panPixels(double dx)
{
    const TimeNs dt = TimeNs(dx * double(m_range.length()) / plotWidth());
    setRange({m_range.start + dt, m_range.end + dt});
}

void TimelineWidget::fitAll()
{
    if (m_model) m_ranges->fitAll();
}

void TimelineWidget::fitWhole()
{
    if (m_model) m_ranges->fitWhole();
}

void TimelineWidget::toggleZeroAtRequest()
{
    if (!m_model) return;
    const auto *r = m_model->request(m_selectedRequest);
    m_ranges->setZero(r && m_ranges->zero() != r->start ? r->start : m_ranges->fit().start);
    update();
}

void TimelineWidget::fitSelection()
{
    if (m_selection.isValid()) {
        setRange(m_selection);
    } else if (m_model && m_selectedRequest) {
        if (const auto *r = m_model->request(m_selectedRequest)) {
            const TimeNs pad = std::max<TimeNs>(r->end - r->start, 1000) / 10;
            setRange({r->start - pad, r->end + pad});
        }
    } else {
        fitAll();
    }
}

void TimelineWidget::back()
{
    m_ranges->back();
}

void TimelineWidget::forward()
{
    m_ranges->forward();
}

void TimelineWidget::setSelection(TimeRange r)
{
    m_selection = r;
    finishSelection();
    update();
}

void TimelineWidget::updateHandlerLinks()
{
    m_handlerLinks.clear();
    if (!m_model || !m_selectedRequest) return;
    for (int lane : std::as_const(m_highlightLanes)) {
        const TimeNs t = m_model->firstSpanOfRequest(lane, m_selectedRequest);
        if (t != kNoTime) m_handlerLinks.emplace_back(lane, t);
    }
    std::sort(m_handlerLinks.begin(), m_handlerLinks.end(),
              [](const auto &a, const auto &b) { return a.second < b.second; });
}

void TimelineWidget::selectRequest(qint64 id, bool zoom)
{
    m_selectedRequest = id;
    m_highlightLanes.clear();
    if (m_model && id) {
        for (int li : m_model->lanesOfRequest(id))
            m_highlightLanes.insert(li);
    }
    updateHandlerLinks();
    m_path.clear(); // the new request's path arrives with setCriticalPath()
    updateFocusLanes();
    m_expanded.clear();
    rebuildRows();
    if (focusActive()) m_scrollY = 0; // the focus group sits right under the requests lane
    clampScroll();
    if (m_model && id) {
        if (zoom && !m_highlightLanes.isEmpty() && !focusActive()) {
            // Bring the first goroutine that worked for it into view.
            for (size_t i = m_stickyRows; i < m_rows.size(); ++i) {
                const Row &r = m_rows[i];
                if (r.type == RowType::Lane && m_highlightLanes.contains(r.lane)) {
                    scrollRowIntoView(r);
                    break;
                }
            }
        }
        if (zoom) {
            if (const auto *r = m_model->request(id)) {
                const TimeNs pad = std::max<TimeNs>(r->end - r->start, 1000) / 10;
                m_ranges->endGesture();
                setRange({r->start - pad, r->end + pad});
            }
        }
    }
    update();
}

int TimelineWidget::search(const QString &text)
{
    m_hits = m_model ? m_model->search(text) : std::vector<SpanRef>{};
    m_searchPos = m_hits.empty() ? -1 : 0;
    if (!m_hits.empty()) searchStep(0);
    emit searchMoved(m_searchPos, int(m_hits.size()));
    update();
    return int(m_hits.size());
}

void TimelineWidget::searchStep(int delta)
{
    if (m_hits.empty()) return;
    const int n = int(m_hits.size());
    m_searchPos = ((m_searchPos + delta) % n + n) % n;
    const SpanRef &h = m_hits[size_t(m_searchPos)];
    const IntervalArrays &a = m_model->lane(h.lane).tracks[size_t(h.depth)].spans;
    const TimeNs s = a.start[size_t(h.index)], e = a.end[size_t(h.index)];
    const TimeNs len = std::max<TimeNs>(e - s, 1000);
    if (!m_range.contains(TimeRange{s, e}) || m_range.length() > len * 200)
        setRange({s - len, e + len});
    // Bring its lane into view.
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].type == RowType::Lane && m_rows[i].lane == h.lane) {
            scrollRowIntoView(m_rows[i]);
            break;
        }
    emit searchMoved(m_searchPos, n);
    update();
}

void TimelineWidget::togglePin(int lane)
{
    // The requests lane is always on top already.
    if (lane < 0 || !m_model || lane >= m_model->laneCount() ||
        m_model->lane(lane).kind == LaneKind::Requests)
        return;
    if (!m_pinned.remove(lane)) m_pinned.insert(lane);
    rebuildRows();
    update();
}

void TimelineWidget::toggleGroup(const QString &group)
{
    bool byDefault = false;
    for (const Row &r : m_rows)
        if (r.type == RowType::Header && rowGroup(r) == group) byDefault = r.closedByDefault;
    QSet<QString> &set = byDefault ? m_expanded : m_collapsed;
    if (!set.remove(group)) set.insert(group);
    rebuildRows();
    update();
}

bool TimelineWidget::isSticky(const Row &r) const
{
    return !m_rows.empty() && &r >= &m_rows.front() && size_t(&r - &m_rows.front()) < m_stickyRows;
}

int TimelineWidget::rowScreenY(const Row &r) const
{
    if (isSticky(r)) return lanesTop() + r.y;
    return lanesTop() + r.y - m_scrollY;
}

void TimelineWidget::scrollRowIntoView(const Row &r)
{
    if (isSticky(r)) return;
    const int view = scrollView();
    if (r.y < m_scrollY + m_stickyH || r.y + r.height > m_scrollY + m_stickyH + view)
        m_scrollY = r.y - m_stickyH - view / 3;
    clampScroll();
}

int TimelineWidget::rowAt(int y) const
{
    if (y < lanesTop()) return -1;
    const bool sticky = y < lanesTop() + m_stickyH;
    const int cy = y - lanesTop() + (sticky ? 0 : m_scrollY);
    auto it = std::upper_bound(m_rows.begin(), m_rows.end(), cy,
                               [](int v, const Row &r) { return v < r.y; });
    if (it == m_rows.begin()) return -1;
    --it;
    return cy < it->y + it->height ? int(it - m_rows.begin()) : -1;
}

std::optional<QPoint> TimelineWidget::pointOfRequest(qint64 requestId, bool spanLane) const
{
    if (!m_model) return std::nullopt;
    for (const Row &r : m_rows) {
        if (r.type != RowType::Lane) continue;
        if ((m_model->lane(r.lane).kind == LaneKind::Requests) == spanLane) continue;
        const int top = rowScreenY(r);
        if (top < lanesTop() || top + r.height > height()) continue;
        if (!isSticky(r) && top < lanesTop() + m_stickyH) continue;
        const TimelineLane &l = m_model->lane(r.lane);
        const LaneGeometry &g = geometry(r.lane);
        for (const SpanRun &run : g.runs) {
            if (run.overlay || run.request != requestId || run.count != 1) continue;
            const int x =
                m_labelWidth +
                int((std::max(run.x0, 0.f) + std::min<float>(run.x1, float(plotWidth()))) / 2);
            const int y = top + 1 + run.depth * trackHeight(l) + trackHeight(l) / 2;
            return QPoint(x, y);
        }
    }
    return std::nullopt;
}

TimelineWidget::Hit TimelineWidget::hitTest(QPoint p) const
{
    Hit h;
    h.row = rowAt(p.y());
    if (h.row < 0 || !m_model || p.x() < m_labelWidth) return h;
    const Row &row = m_rows[size_t(h.row)];
    if (row.type != RowType::Lane) return h;
    const TimelineLane &l = m_model->lane(row.lane);
    const LaneGeometry &g = geometry(row.lane);
    const double x = p.x() - m_labelWidth;
    const int yIn = p.y() - rowScreenY(row) - 1;
    if (!g.columns.empty() && l.tracks.empty()) {
        h.column = std::clamp(int(x), 0, int(g.columns.size()) - 1);
        return h;
    }
    const int depth = yIn / trackHeight(l);
    // Overlays (phases) sit on top of request bars: prefer them.
    const SpanRun *best = nullptr;
    for (const SpanRun &r : g.runs) {
        if (r.depth != depth || x < r.x0 - 1.5 || x > r.x1 + 1.5) continue;
        if (!best || (r.overlay && !best->overlay)) best = &r;
    }
    h.run = best;
    return h;
}

QString TimelineWidget::overviewTooltip() const
{
    if (!m_model) return {};
    return tr("<b>Overview</b>: the whole session, %1 spans on %2 tracks. A bar's height is "
              "how many spans fall in its slice of time (square-root scale); the box is the "
              "range shown below. Click or drag in it to move there; Shift+0 shows everything.")
        .arg(QLocale().toString(qlonglong(m_model->spanCount())))
        .arg(m_model->laneCount());
}

QString TimelineWidget::tooltipFor(const Hit &h) const
{
    if (h.row < 0 || !m_model) return {};
    const Row &row = m_rows[size_t(h.row)];
    if (row.type == RowType::Header) return rowTitle(row);
    const TimelineLane &l = m_model->lane(row.lane);
    if (h.column >= 0) {
        const LaneGeometry &g = geometry(row.lane);
        const CounterColumn &c = g.columns[size_t(h.column)];
        return QStringLiteral("<b>%1</b><br>%2: %3 (min %4, max %5 in this pixel)")
            .arg(l.name.toHtmlEscaped(), formatOffset(timeAt(m_mouse.x()) - m_ranges->zero(), 1000))
            .arg(formatCounter(l.name, double(c.last)), formatCounter(l.name, double(c.min)),
                 formatCounter(l.name, double(c.max)));
    }
    if (!h.run) return QStringLiteral("<b>%1</b>").arg(l.name.toHtmlEscaped());
    const SpanRun &r = *h.run;
    QString s;
    if (r.count > 1) {
        s = tr("<b>%1 spans</b> folded (narrower than a pixel or two)<br>mostly <b>%2</b><br>%3 – "
               "%4")
                .arg(r.count)
                .arg(m_model->string(r.category).toHtmlEscaped(),
                     formatOffset(r.start - m_ranges->zero(), 1000),
                     formatDuration(r.end - r.start));
    } else {
        QString name = m_model->string(r.name);
        const QString cat = m_model->string(r.category);
        if (l.kind == LaneKind::Requests && !r.overlay) {
            if (const auto *req = m_model->request(r.request))
                name = req->label + QStringLiteral(" → ") +
                       (req->status >= 0 ? QString::number(req->status) : QStringLiteral("?"));
        }
        s = QStringLiteral("<b>%1</b>").arg(name.toHtmlEscaped());
        if (!cat.isEmpty() && cat != name)
            s += QStringLiteral(" <i>%1</i>").arg(cat.toHtmlEscaped());
        s += QStringLiteral("<br>duration <b>%1</b>").arg(formatDuration(r.end - r.start));
        if (l.kind == LaneKind::Requests && r.overlay) {
            if (const auto *req = m_model->request(r.request)) {
                const TimeNs total = std::max<TimeNs>(1, req->end - req->start);
                s += QStringLiteral(" (%1% of the request)")
                         .arg(100.0 * double(r.end - r.start) / double(total), 0, 'f', 1);
            }
        }
        s += QStringLiteral("<br>at %1").arg(formatOffset(r.start - m_ranges->zero(), 1000));
        if (r.request)
            if (const auto *req = m_model->request(r.request))
                s += QStringLiteral("<br>request %1").arg(req->key.toHtmlEscaped());
    }
    return s + QStringLiteral("<br><span style='color:gray'>%1</span>").arg(l.name.toHtmlEscaped());
}

// ---------------------------------------------------------------------------
// Painting

void TimelineWidget::paintEvent(QPaintEvent *)
{
    QElapsedTimer t;
    t.start();
    QPainter p(this);
    const QPalette &pal = palette();
    p.fillRect(rect(), pal.base());
    if (!m_model || m_model->isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter,
                   m_loadingText.isEmpty() ? tr("No timeline data in this session yet.")
                                           : m_loadingText);
        m_lastPaintNs = t.nsecsElapsed();
        return;
    }
    const int top = lanesTop();
    const int viewBottom = height();
    p.save();
    // Scrolled rows below the sticky ones (the requests lane, pins), then
    // the sticky rows on top.
    auto paintRow = [&](const Row &row, int y) {
        if (row.type == RowType::Header) {
            p.fillRect(0, y, width(), row.height,
                       mix(pal.color(QPalette::Base), pal.color(QPalette::Text), 0.08));
            p.setPen(pal.color(QPalette::Text));
            QFont f = font();
            f.setBold(true);
            p.setFont(f);
            const QString arrow = row.closed ? QStringLiteral("▸ ") : QStringLiteral("▾ ");
            p.drawText(QRect(6 + row.indent * 12, y, width(), row.height), Qt::AlignVCenter,
                       arrow + rowTitle(row));
            p.setFont(font());
            return;
        }
        paintLane(p, row, y);
    };
    p.setClipRect(0, top + m_stickyH, width(), height() - top - m_stickyH);
    for (size_t i = m_stickyRows; i < m_rows.size(); ++i) {
        const Row &row = m_rows[i];
        const int y = rowScreenY(row);
        if (y + row.height < top + m_stickyH) continue;
        if (y > viewBottom) break;
        paintRow(row, y);
    }
    askForLanes();
    if (m_stickyH) {
        p.setClipRect(0, top, width(), m_stickyH);
        p.fillRect(0, top, width(), m_stickyH, pal.base());
        for (size_t i = 0; i < m_stickyRows; ++i)
            paintRow(m_rows[i], rowScreenY(m_rows[i]));
        p.setClipRect(0, top, width(), height() - top);
        p.setPen(pal.color(QPalette::Mid));
        p.drawLine(0, top + m_stickyH - 1, width(), top + m_stickyH - 1);
    }
    // Flow arrows: by default only the selection's (the selected request's
    // lanes, the clicked span's lane: its create/unblock chain), in a quiet
    // blue-grey that never competes with the critical path's orange; with
    // "all flows", those of every lane shown.
    if (!m_highlightLanes.isEmpty() || m_focusLane >= 0 || m_allFlows) {
        QSet<int> lanes = m_highlightLanes;
        if (m_focusLane >= 0) lanes.insert(m_focusLane);
        if (m_allFlows)
            for (const Row &r : m_rows)
                if (r.type == RowType::Lane) lanes.insert(r.lane);
        p.setRenderHint(QPainter::Antialiasing, true);
        QColor c(0x60, 0x7d, 0x8b);
        c.setAlpha(m_allFlows ? 90 : 150);
        p.setPen(QPen(c, 1.0));
        p.setBrush(c);
        p.setClipRect(m_labelWidth, top, plotWidth(), height() - top);
        for (const TimelineModel::Flow *f : m_model->flowsFor(lanes, m_range)) {
            const int r0 = rowOfLane(f->fromLane), r1 = rowOfLane(f->toLane);
            if (r0 < 0 || r1 < 0) continue; // in a collapsed group
            const QPointF a(xOf(f->fromTs), rowScreenY(m_rows[size_t(r0)]) + 8);
            const QPointF b(xOf(m_model->flowEnd(*f)), rowScreenY(m_rows[size_t(r1)]) + 8);
            p.drawLine(a, b);
            const QPointF d = b - a;
            const double len = std::hypot(d.x(), d.y());
            if (len < 4) continue;
            const QPointF u = d / len, n(-u.y(), u.x());
            const QPointF head[3] = {b, b - u * 7 + n * 3.5, b - u * 7 - n * 3.5};
            p.drawPolygon(head, 3);
        }
        // Request -> handler: from the selected request's bar down to each
        // goroutine that worked for it, at the moment it started to.
        if (m_stickyRows && m_rows.front().type == RowType::Lane &&
            m_model->lane(m_rows.front().lane).kind == LaneKind::Requests && m_selectedRequest) {
            QColor hc = pal.color(QPalette::Highlight);
            p.setPen(QPen(hc, 1.5, Qt::DashLine));
            p.setBrush(hc);
            const double y0 = top + m_rows.front().height - 3;
            for (const auto &[lane, t] : handlerLinks()) {
                const int r1 = rowOfLane(lane);
                if (r1 < 0) continue;
                const double x = xOf(t), y1 = rowScreenY(m_rows[size_t(r1)]) + 2;
                if (y1 <= y0) continue;
                p.drawLine(QPointF(x, y0), QPointF(x, y1));
                const QPointF head[3] = {{x, y1}, {x - 3.5, y1 - 7}, {x + 3.5, y1 - 7}};
                p.drawPolygon(head, 3);
            }
        }
        p.setRenderHint(QPainter::Antialiasing, false);
        p.setBrush(Qt::NoBrush);
    }
    // Critical path: an orange outline on each segment's lane, hops joined.
    if (!m_path.empty()) {
        p.setClipRect(m_labelWidth, top + m_stickyH, plotWidth(), height() - top - m_stickyH);
        const QColor pc(0xff, 0x6d, 0x00);
        p.setPen(QPen(pc, 2));
        p.setBrush(Qt::NoBrush);
        QPointF prev;
        bool havePrev = false;
        for (const PathMark &m : m_path) {
            const int li = m_model->laneIndexOf(m.laneId);
            const int r = rowOfLane(li);
            if (r < 0 || m.range.end < m_range.start || m.range.start > m_range.end) {
                havePrev = false;
                continue;
            }
            const double x0 = xOf(m.range.start), x1 = std::max(xOf(m.range.end), x0 + 2);
            const double y = rowScreenY(m_rows[size_t(r)]);
            p.drawRect(QRectF(x0, y + 1, x1 - x0, 14));
            if (havePrev && std::abs(prev.y() - (y + 8)) > 1) p.drawLine(prev, QPointF(x0, y + 8));
            prev = QPointF(x1, y + 8);
            havePrev = true;
        }
    }
    if (m_model->laneCount() == 1 && m_model->lane(0).kind == LaneKind::Requests &&
        m_contentHeight - m_scrollY + top + 40 < height()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(
            QRect(m_labelWidth, top - m_scrollY + m_contentHeight + 20, plotWidth(), 40),
            Qt::AlignCenter | Qt::TextWordWrap,
            tr("No goroutine lanes yet: import the service's execution trace (runtime/trace) "
               "to see what its goroutines did during these requests."));
    }
    p.restore();
    // Label column separator.
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(m_labelWidth - 1, top, m_labelWidth - 1, height());
    // Selection.
    if (m_selection.isValid()) {
        const double x0 = std::max<double>(m_labelWidth, xOf(m_selection.start));
        const double x1 = std::min<double>(width(), xOf(m_selection.end));
        if (x1 > x0) {
            QColor c = pal.color(QPalette::Highlight);
            c.setAlpha(50);
            p.fillRect(QRectF(x0, 0, x1 - x0, height()), c);
            c.setAlpha(200);
            p.setPen(c);
            p.drawLine(QPointF(x0, 0), QPointF(x0, height()));
            p.drawLine(QPointF(x1, 0), QPointF(x1, height()));
        }
    }
    paintRuler(p);
    paintOverview(p);
    // Crosshair.
    if (m_mouse.x() > m_labelWidth && m_drag == Drag::None) {
        QColor c = pal.color(QPalette::Text);
        c.setAlpha(70);
        p.setPen(c);
        p.drawLine(m_mouse.x(), kRulerH, m_mouse.x(), height());
    }
    if (!m_statsText.isEmpty()) {
        const QRect box = p.fontMetrics()
                              .boundingRect(QRect(0, 0, 420, 400), Qt::TextWordWrap, m_statsText)
                              .adjusted(-8, -6, 8, 6);
        const QRect r(width() - box.width() - 12, lanesTop() + 8, box.width(), box.height());
        QColor bg = pal.color(QPalette::ToolTipBase);
        bg.setAlpha(235);
        p.fillRect(r, bg);
        p.setPen(pal.color(QPalette::Mid));
        p.drawRect(r);
        p.setPen(pal.color(QPalette::ToolTipText));
        p.drawText(r.adjusted(8, 6, -8, -6), Qt::TextWordWrap, m_statsText);
    }
    m_lastPaintNs = t.nsecsElapsed();
}

const QString &TimelineWidget::rowGroup(const Row &row) const
{
    static const QString none;
    return row.text >= 0 ? m_rowTexts[size_t(row.text)].group : none;
}

const QString &TimelineWidget::rowTitle(const Row &row) const
{
    static const QString none;
    return row.text >= 0 ? m_rowTexts[size_t(row.text)].title : none;
}

QString TimelineWidget::rowLabel(const Row &row) const
{
    QString label = shortLaneName(m_model->lane(row.lane).name) + rowTitle(row);
    if (m_pinned.contains(row.lane)) label.prepend(QStringLiteral("★ ")); // in every font
    return label;
}

QString TimelineWidget::laneLabel(int lane) const
{
    const int r = rowOfLane(lane);
    return r < 0 ? QString() : rowLabel(m_rows[size_t(r)]);
}

void TimelineWidget::paintLane(QPainter &p, const Row &row, int y)
{
    const QPalette &pal = palette();
    const TimelineLane &l = m_model->lane(row.lane);
    const bool highlighted = m_highlightLanes.contains(row.lane);
    // Label.
    QColor labelBg = highlighted ? pal.color(QPalette::Highlight) : pal.color(QPalette::Window);
    if (highlighted) labelBg.setAlpha(90);
    p.fillRect(0, y, m_labelWidth - 1, row.height, labelBg);
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QRect(6 + row.indent * 12, y, m_labelWidth - 10 - row.indent * 12,
                     std::min(row.height, 16)),
               Qt::AlignVCenter | Qt::AlignLeft,
               p.fontMetrics().elidedText(rowLabel(row), Qt::ElideMiddle,
                                          m_labelWidth - 12 - row.indent * 12));
    p.setPen(mix(pal.color(QPalette::Base), pal.color(QPalette::Text), 0.12));
    p.drawLine(0, y + row.height - 1, width(), y + row.height - 1);

    if (!l.loaded) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRect(m_labelWidth + 8, y, plotWidth() - 16, row.height), Qt::AlignVCenter,
                   tr("loading…"));
        return;
    }
    const LaneGeometry &g = geometry(row.lane);
    const int x0 = m_labelWidth;
    const int th = trackHeight(l);
    p.save();
    p.setClipRect(m_labelWidth, std::max(y, lanesTop()), plotWidth(), row.height);
    if (!g.columns.empty() && l.instants.hasValues) {
        // Counter: one column per pixel, min..max bar plus the last value as an area.
        const double span =
            std::max(1e-12, l.instants.maxValue - std::min(0.0, l.instants.minValue));
        const double base = std::min(0.0, l.instants.minValue);
        const int h = row.height - 4;
        QColor area = categoryColour(QStringLiteral("counter"), l.name);
        QColor line = area.darker(140);
        for (size_t c = 0; c < g.columns.size(); ++c) {
            const CounterColumn &col = g.columns[c];
            const int yl = y + 2 + h - int(double(col.last - base) / span * h);
            p.fillRect(QRect(x0 + int(c), yl, 1, y + 2 + h - yl), area);
            if (col.count > 0) {
                const int ymax = y + 2 + h - int(double(col.max - base) / span * h);
                const int ymin = y + 2 + h - int(double(col.min - base) / span * h);
                p.fillRect(QRect(x0 + int(c), ymax, 1, std::max(1, ymin - ymax + 1)), line);
            }
        }
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRect(x0 + 4, y + 2, 200, 14), Qt::AlignLeft | Qt::AlignTop,
                   formatCounter(l.name, l.instants.maxValue));
    } else if (!g.columns.empty()) {
        // Plain instants: a tick per pixel column that holds any.
        const QColor tick = pal.color(QPalette::Text);
        const int ty = y + row.height - 6;
        for (size_t c = 0; c < g.columns.size(); ++c)
            if (g.columns[c].count > 0) p.fillRect(QRect(x0 + int(c), ty, 1, 4), tick);
    }
    const bool isRequests = l.kind == LaneKind::Requests;
    const QColor outline = pal.color(QPalette::Text);
    const int textMinPx = 40;
    QFont small = font();
    small.setPixelSize(10);
    p.setFont(small);
    // Overdraw guard: runs of one track come in start order, so a run that
    // ends before what that track already covers is hidden; skip it. Packed
    // request rows overlap heavily in busy sessions and would otherwise fill
    // the same pixels dozens of times.
    const size_t tracks = std::max(l.tracks.size(), l.overlay.size()) + 1;
    m_covered.assign(tracks * 2, -1e9f);
    for (const SpanRun &r : g.runs) {
        const int ry = y + 1 + r.depth * th;
        if (ry > y + row.height) continue;
        float &covered = m_covered[size_t(r.overlay) * tracks + r.depth];
        if (r.x1 <= covered) continue;
        covered = std::max(covered, r.x1);
        const float w = std::max(1.f, r.x1 - r.x0);
        QRectF rect(x0 + double(r.x0), ry, double(w), th - 1);
        if (isRequests && r.overlay) {
            // Client phases on top, server steps below them when both exist.
            const bool step = r.category == m_stepCategory;
            if (!m_model->hasClientPhases())
                rect.adjust(0, 2, 0, -2);
            else if (step)
                rect.setTop(rect.top() + th * 0.55);
            else
                rect.setBottom(rect.top() + th * 0.55);
        }
        QColor c = r.category >= 0 && size_t(r.category) < m_colours.size()
                       ? m_colours[size_t(r.category)]
                       : QColor(Qt::gray);
        // Regions and server steps are coloured by name (cached per string, no
        // string work per run).
        if (r.name >= 0 && ((!isRequests && r.category == m_regionCategory) ||
                            (isRequests && r.overlay && r.category == m_stepCategory)))
            c = nameColour(r.name);
        if (r.count > 1) c = c.lighter(108);
        p.fillRect(rect, c);
        const bool sel = m_selectedRequest && r.request == m_selectedRequest;
        if (sel) {
            p.setPen(QPen(outline, 1.5));
            p.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5));
        }
        if (w >= textMinPx && r.count == 1 && rect.height() >= 8) {
            QString text;
            if (isRequests && !r.overlay) {
                // With client phases on top the bar's own label would sit under them.
                if (m_model->hasClientPhases()) continue;
                if (const auto *req = m_model->request(r.request)) text = req->label;
            } else {
                text = m_model->string(r.name);
                // A wide client phase also says whose it is: method and path.
                if (isRequests && r.overlay && w >= 140)
                    if (const auto *req = m_model->request(r.request))
                        text = req->label + QStringLiteral(" · ") + text;
            }
            if (!text.isEmpty()) {
                p.setPen(c.lightness() > 140 ? QColor(20, 20, 20) : QColor(250, 250, 250));
                const QRectF tr =
                    QRectF(rect.x() + 3, rect.y() - 1, rect.width() - 5, rect.height() + 2)
                        .intersected(QRectF(x0, ry, plotWidth(), th));
                p.drawText(tr, Qt::AlignVCenter | Qt::AlignLeft,
                           p.fontMetrics().elidedText(text, Qt::ElideRight, int(tr.width())));
            }
        }
    }
    p.setFont(font());
    // Search hits on this lane.
    if (m_searchPos >= 0 && size_t(m_searchPos) < m_hits.size()) {
        const SpanRef &h = m_hits[size_t(m_searchPos)];
        if (h.lane == row.lane) {
            const IntervalArrays &a = l.tracks[size_t(h.depth)].spans;
            const double sx = xOf(a.start[size_t(h.index)]), ex = xOf(a.end[size_t(h.index)]);
            p.setPen(QPen(pal.color(QPalette::Highlight), 2));
            p.drawRect(
                QRectF(sx - 1, y + 1 + h.depth * th - 1, std::max(2.0, ex - sx) + 2, th + 1));
        }
    }
    p.restore();
}

void TimelineWidget::setCriticalPath(std::vector<PathMark> path)
{
    m_path = std::move(path);
    // The path's goroutines join the focus group.
    if (m_focusMode && m_selectedRequest) {
        updateFocusLanes();
        rebuildRows();
    }
    update();
}

void TimelineWidget::setNoteMarks(std::vector<NoteMark> marks)
{
    m_noteMarks = std::move(marks);
    update();
}

TimelineWidget::Ruler TimelineWidget::rulerTicks() const
{
    Ruler r;
    if (!m_model || !m_range.isValid()) return r;
    r.step = niceTickStep(m_range.length(), plotWidth(), 110);
    const TimeNs zero = m_ranges->zero();
    // Ticks at multiples of `step` from the zero.
    TimeNs first = zero + ((m_range.start - zero) / r.step) * r.step;
    while (first < m_range.start)
        first += r.step;
    // Far from the zero with fine ticks ("1337d 03:19:07.623456" each), the
    // whole minutes go to the corner once and the ticks count from there.
    TimeNs base = 0;
    const TimeNs off = first - zero;
    if ((off >= 60'000'000'000 || off <= -60'000'000'000) && r.step < 1'000'000'000) {
        constexpr TimeNs kMinute = 60'000'000'000;
        base = off >= 0 ? (off / kMinute) * kMinute : -((-off + kMinute - 1) / kMinute) * kMinute;
        r.base = formatOffset(base, kMinute);
    }
    for (TimeNs t = first; t <= m_range.end; t += r.step)
        r.ticks.emplace_back(t, formatOffset(t - zero - base, r.step));
    return r;
}

QStringList TimelineWidget::rulerLabels() const
{
    QStringList out;
    for (const auto &[t, label] : rulerTicks().ticks)
        out << label;
    return out;
}

QString TimelineWidget::rulerBase() const
{
    return rulerTicks().base;
}

void TimelineWidget::paintRuler(QPainter &p)
{
    const QPalette &pal = palette();
    p.fillRect(0, 0, width(), kRulerH, pal.color(QPalette::Window));
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(0, kRulerH - 1, width(), kRulerH - 1);
    // Notes: a coloured band along the top of the ruler over each noted range.
    for (const NoteMark &m : m_noteMarks) {
        if (m.range.end < m_range.start || m.range.start > m_range.end) continue;
        const double x0 = std::max<double>(m_labelWidth, xOf(m.range.start));
        const double x1 = std::min<double>(width(), std::max(xOf(m.range.end), x0 + 3));
        p.fillRect(QRectF(x0, 0, x1 - x0, 4), m.colour);
    }
    const Ruler ruler = rulerTicks();
    p.setPen(pal.color(QPalette::Text));
    for (const auto &[t, label] : ruler.ticks) {
        const int x = int(xOf(t));
        p.drawLine(x, kRulerH - 8, x, kRulerH - 1);
        p.drawText(QRect(x + 3, 2, 140, kRulerH - 6), Qt::AlignLeft | Qt::AlignVCenter, label);
        const TimeNs minor = ruler.step / 5;
        if (minor > 0)
            for (int k = 1; k < 5; ++k) {
                const int mx = int(xOf(t + minor * k));
                if (mx < width()) p.drawLine(mx, kRulerH - 4, mx, kRulerH - 1);
            }
    }
    p.fillRect(0, 0, m_labelWidth - 1, kRulerH - 1, pal.color(QPalette::Window));
    // The corner: how much is visible, and the base the tick labels count
    // from when it is far from the zero.
    p.drawText(QRect(6, 0, m_labelWidth - 10, kRulerH), Qt::AlignVCenter,
               ruler.base.isEmpty()
                   ? tr("%1 visible").arg(formatDuration(m_range.length()))
                   : tr("%1 visible · %2 +").arg(formatDuration(m_range.length()), ruler.base));
}

void TimelineWidget::paintOverview(QPainter &p)
{
    const QPalette &pal = palette();
    const QRect r(m_labelWidth, kRulerH, plotWidth(), kOverviewH - 2);
    p.fillRect(0, kRulerH, width(), kOverviewH,
               mix(pal.color(QPalette::Base), pal.color(QPalette::Text), 0.04));
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QRect(6, kRulerH, m_labelWidth - 10, kOverviewH), Qt::AlignVCenter,
               m_model->spanCount() == 0
                   ? tr("Overview")
                   : tr("Overview (%1 spans)")
                         .arg(m_model->spanCount() >= 1'000'000
                                  ? QString::number(double(m_model->spanCount()) / 1e6, 'f', 1) +
                                        QLatin1Char('M')
                              : m_model->spanCount() >= 10'000
                                  ? QString::number(m_model->spanCount() / 1000) + QLatin1Char('k')
                                  : QString::number(m_model->spanCount())));
    const std::vector<float> &ov = m_model->overview();
    const QColor bar = categoryColour(QStringLiteral("receive")).lighter(130);
    if (!ov.empty()) {
        for (int x = 0; x < r.width(); ++x) {
            const size_t b0 = size_t(double(x) / r.width() * double(ov.size()));
            const size_t b1 =
                std::max(b0 + 1, size_t(double(x + 1) / r.width() * double(ov.size())));
            float v = 0;
            for (size_t b = b0; b < std::min(b1, ov.size()); ++b)
                v = std::max(v, ov[b]);
            const int h = int(v * float(r.height() - 2));
            if (h > 0) p.fillRect(r.x() + x, r.bottom() - h, 1, h, bar);
        }
    }
    // The visible range, boxed.
    const TimeRange full = m_model->fullRange();
    const double sx =
        r.x() + double(m_range.start - full.start) / double(full.length()) * r.width();
    const double ex = r.x() + double(m_range.end - full.start) / double(full.length()) * r.width();
    QRectF box(std::max<double>(r.x(), sx), r.y() + 1,
               std::max(2.0, std::min<double>(r.right(), ex) - std::max<double>(r.x(), sx)),
               r.height() - 2);
    QColor hl = pal.color(QPalette::Highlight);
    hl.setAlpha(60);
    p.fillRect(box, hl);
    hl.setAlpha(220);
    p.setPen(QPen(hl, 1.5));
    p.drawRect(box);
    // Requests far from the rest (a source whose clock sits months away):
    // Fit All leaves them out and says so here.
    const auto &others = m_model->otherClusters();
    if (!others.empty()) {
        qint64 n = 0;
        TimeNs farthest = 0;
        for (const TimelineModel::Cluster &c : others) {
            n += c.requests;
            const TimeNs d = c.range.start < m_model->fitRange().start
                                 ? c.range.start - m_model->fitRange().start
                                 : c.range.start - m_model->fitRange().end;
            if (std::abs(d) > std::abs(farthest)) farthest = d;
        }
        const QString note =
            tr("%n request(s) lie apart from these (as far as %1): Shift+0 shows everything",
               nullptr, int(n))
                .arg(formatOffset(farthest, 1'000'000'000));
        const QRect nr = p.fontMetrics().boundingRect(note).adjusted(-6, -1, 6, 1);
        const QRect at(r.right() - nr.width() - 4, r.y() + (r.height() - nr.height()) / 2,
                       nr.width(), nr.height());
        QColor bg = pal.color(QPalette::ToolTipBase);
        bg.setAlpha(230);
        p.fillRect(at, bg);
        p.setPen(pal.color(QPalette::ToolTipText));
        p.drawText(at, Qt::AlignCenter, note);
    }
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(0, lanesTop() - 1, width(), lanesTop() - 1);
}

// ---------------------------------------------------------------------------
// Input

void TimelineWidget::resizeEvent(QResizeEvent *)
{
    m_labelWidth = std::clamp(width() / 6, 170, 300);
    m_vbar->setGeometry(width() - m_vbarW, lanesTop(), m_vbarW, height() - lanesTop());
    if (!m_pinned.isEmpty()) rebuildRows(); // whether the pins fit on top depends on the height
    clampScroll();
}

void TimelineWidget::mousePressEvent(QMouseEvent *e)
{
    setFocus();
    if (!m_model || e->button() != Qt::LeftButton) return;
    m_pressPos = e->pos();
    m_pressRange = m_range;
    const bool inRuler = e->pos().y() < kRulerH;
    const bool inOverview = e->pos().y() >= kRulerH && e->pos().y() < lanesTop();
    if (inOverview && e->pos().x() >= m_labelWidth) {
        m_drag = Drag::Overview;
        mouseMoveEvent(e);
    } else if ((inRuler || (e->modifiers() & Qt::ShiftModifier)) && e->pos().x() >= m_labelWidth) {
        m_drag = Drag::Select;
        m_selAnchor = timeAt(e->pos().x());
        m_selection = {m_selAnchor, m_selAnchor};
    } else {
        m_drag = Drag::Pan;
        setCursor(Qt::ClosedHandCursor);
    }
}

void TimelineWidget::mouseMoveEvent(QMouseEvent *e)
{
    m_mouse = e->pos();
    if (!m_model) return;
    switch (m_drag) {
    case Drag::Pan: {
        const double dx = e->pos().x() - m_pressPos.x();
        const TimeNs dt = TimeNs(-dx * double(m_pressRange.length()) / plotWidth());
        setRange({m_pressRange.start + dt, m_pressRange.end + dt});
        const int dy = e->pos().y() - m_pressPos.y();
        if (dy != 0) {
            m_scrollY -= dy;
            m_pressPos.setY(e->pos().y());
            clampScroll();
        }
        break;
    }
    case Drag::Select: {
        const TimeNs t = timeAt(e->pos().x());
        m_selection = {std::min(t, m_selAnchor), std::max(t, m_selAnchor)};
        break;
    }
    case Drag::Overview: {
        const TimeRange full = m_model->fullRange();
        const double f = double(e->pos().x() - m_labelWidth) / plotWidth();
        const TimeNs c = full.start + TimeNs(f * double(full.length()));
        setRange({c - m_range.length() / 2, c + m_range.length() / 2});
        break;
    }
    case Drag::None:
        break;
    }
    update();
}

void TimelineWidget::mouseReleaseEvent(QMouseEvent *e)
{
    const Drag d = m_drag;
    m_drag = Drag::None;
    unsetCursor();
    if (!m_model || e->button() != Qt::LeftButton) return;
    const bool click = (e->pos() - m_pressPos).manhattanLength() < 4;
    if (d == Drag::Select) {
        if (click) m_selection = {};
        finishSelection();
        update();
        return;
    }
    if (d != Drag::Pan || !click) return;
    const int ri = rowAt(e->pos().y());
    if (ri < 0) return;
    const Row &row = m_rows[size_t(ri)];
    if (row.type == RowType::Header) {
        toggleGroup(rowGroup(row));
        return;
    }
    if (e->pos().x() < m_labelWidth) return;
    const Hit h = hitTest(e->pos());
    if (!h.run) {
        m_statsText.clear();
        update();
        return;
    }
    const TimelineLane &l = m_model->lane(row.lane);
    if (h.run->count > 1) {
        // A folded run: zoom into it.
        const TimeNs pad = (h.run->end - h.run->start) / 10 + 1;
        setRange({h.run->start - pad, h.run->end + pad});
        return;
    }
    if (l.kind != LaneKind::Requests) {
        m_focusLane = row.lane;
        update();
        // The receiver selects the span's request itself (then shows the span).
        emit spanClicked(l.laneId, h.run->start, h.run->depth, h.run->request);
        return;
    }
    if (h.run->request) emit requestClicked(h.run->request);
}

void TimelineWidget::mouseDoubleClickEvent(QMouseEvent *e)
{
    const int ri = rowAt(e->pos().y());
    if (ri >= 0 && e->pos().x() < m_labelWidth && m_rows[size_t(ri)].type == RowType::Lane)
        togglePin(m_rows[size_t(ri)].lane);
}

void TimelineWidget::contextMenuEvent(QContextMenuEvent *e)
{
    const int ri = rowAt(e->pos().y());
    if (ri < 0 || m_rows[size_t(ri)].type != RowType::Lane) return;
    const int lane = m_rows[size_t(ri)].lane;
    QMenu menu(this);
    menu.addAction(isPinned(lane) ? tr("Unpin lane") : tr("Pin lane to the top"), this,
                   [this, lane] { togglePin(lane); });
    menu.exec(e->globalPos());
}

void TimelineWidget::finishSelection()
{
    m_statsText.clear();
    if (!m_model || !m_selection.isValid() || m_selection.length() < 2) {
        m_selection = {};
        m_ranges->clearSelection();
        emit selectionStats(QString());
        return;
    }
    m_ranges->setSelection(m_selection);
    QList<int> lanes;
    for (int i = 0; i < m_model->laneCount(); ++i)
        lanes << i;
    const RangeStats st = m_model->statsFor(m_selection, lanes);
    QList<QPair<qint64, qint32>> cats;
    qint64 total = 0;
    for (auto it = st.nsByCategory.begin(); it != st.nsByCategory.end(); ++it) {
        cats << qMakePair(it.value(), it.key());
        total += it.value();
    }
    std::sort(cats.begin(), cats.end(), std::greater<>());
    QString s = tr("Selection %1\n%2 spans · %3 requests touched")
                    .arg(formatDuration(m_selection.length()))
                    .arg(st.spans)
                    .arg(st.requests.size());
    for (int i = 0; i < std::min<qsizetype>(8, cats.size()); ++i) {
        const QString name = m_model->string(cats[i].second);
        s += QStringLiteral("\n%1: %2 (%3%)")
                 .arg(name.isEmpty() ? tr("(none)") : name, formatDuration(cats[i].first))
                 .arg(total ? 100.0 * double(cats[i].first) / double(total) : 0.0, 0, 'f', 1);
    }
    m_statsText = s;
    emit selectionStats(s);
}

void TimelineWidget::wheelEvent(QWheelEvent *e)
{
    if (!m_model) return;
    const double steps = e->angleDelta().y() / 120.0;
    const double hsteps = e->angleDelta().x() / 120.0;
    const double x = std::max<double>(m_labelWidth, e->position().x());
    if (e->modifiers() & Qt::ControlModifier) {
        zoomAt(std::pow(0.8, steps), x);
    } else if (e->modifiers() & Qt::ShiftModifier) {
        panPixels(-(steps != 0 ? steps : hsteps) * plotWidth() / 10.0);
    } else if (hsteps != 0) {
        panPixels(-hsteps * plotWidth() / 10.0);
    } else {
        m_scrollY -= int(steps * 60);
        clampScroll();
        update();
    }
    e->accept();
}

void TimelineWidget::keyPressEvent(QKeyEvent *e)
{
    if (!m_model) return QWidget::keyPressEvent(e);
    const double cx = m_mouse.x() > m_labelWidth && m_mouse.x() < width()
                          ? m_mouse.x()
                          : m_labelWidth + plotWidth() / 2.0;
    switch (e->key()) {
    case Qt::Key_W:
        zoomAt(0.7, cx);
        break;
    case Qt::Key_S:
        zoomAt(1 / 0.7, cx);
        break;
    case Qt::Key_A:
        panPixels(-plotWidth() / 8.0);
        break;
    case Qt::Key_D:
        panPixels(plotWidth() / 8.0);
        break;
    case Qt::Key_F:
        fitSelection();
        break;
    case Qt::Key_0:
    case Qt::Key_Home:
        if (e->modifiers() & Qt::ShiftModifier)
            fitWhole();
        else
            fitAll();
        break;
    case Qt::Key_Z:
        toggleZeroAtRequest();
        break;
    case Qt::Key_Escape:
        setSelection({});
        break;
    case Qt::Key_U:
        setFocusMode(!m_focusMode);
        emit focusModeChanged(m_focusMode);
        break;
    case Qt::Key_P: {
        const int ri = rowAt(m_mouse.y());
        if (ri >= 0 && m_rows[size_t(ri)].type == RowType::Lane) togglePin(m_rows[size_t(ri)].lane);
        break;
    }
    case Qt::Key_PageDown:
        m_scrollY += height() / 2;
        clampScroll();
        update();
        break;
    case Qt::Key_PageUp:
        m_scrollY -= height() / 2;
        clampScroll();
        update();
        break;
    case Qt::Key_Left:
        if (e->modifiers() & Qt::AltModifier)
            back();
        else
            panPixels(-plotWidth() / 8.0);
        break;
    case Qt::Key_Right:
        if (e->modifiers() & Qt::AltModifier)
            forward();
        else
            panPixels(plotWidth() / 8.0);
        break;
    case Qt::Key_Backspace:
        back();
        break;
    default:
        QWidget::keyPressEvent(e);
    }
}

void TimelineWidget::leaveEvent(QEvent *)
{
    m_mouse = {-1, -1};
    update();
}

bool TimelineWidget::event(QEvent *e)
{
    if (e->type() == QEvent::ToolTip) {
        auto *he = static_cast<QHelpEvent *>(e);
        const QString text = he->pos().y() >= kRulerH && he->pos().y() < lanesTop()
                                 ? overviewTooltip()
                                 : tooltipFor(hitTest(he->pos()));
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(he->globalPos(), text, this);
        return true;
    }
    if (e->type() == QEvent::PaletteChange) rebuildColours();
    return QWidget::event(e);
}

} // namespace ls::gui
