#pragma once
// The one selection every view observes: a request, a span (with its lane),
// or neither. A request chosen in the table, on the timeline, in the
// waterfall or from a note is set here; each view reacts to changed() by
// itself. The request selected before the current one is kept (Compare).
// The selected time range is TimeRangeController's.

#include <QObject>

namespace ls {

struct Selection
{
    qint64 request = 0;
    qint64 span = 0; // a span clicked on a lane (0: none)
    qint64 lane = 0; // the span's lane
    bool operator==(const Selection &o) const = default;
};

class SelectionModel : public QObject
{
    Q_OBJECT
public:
    enum class Zoom
    {
        No,
        ToRequest
    };
    using QObject::QObject;
    const Selection &current() const { return m_current; }
    qint64 request() const { return m_current.request; }
    qint64 previousRequest() const { return m_previousRequest; }

    // A request (clears a span of another request). `zoom`: views that can
    // show it bring it into view.
    void selectRequest(qint64 id, Zoom zoom = Zoom::No);
    // A span on a lane, belonging to `request` (0: none; the request then stays).
    void selectSpan(qint64 span, qint64 lane, qint64 request);
    void clear();

signals:
    // Emitted once per change; a repeat of the current selection only when it
    // asks to zoom (choosing the same request again brings it back into view).
    void changed(const ls::Selection &current, ls::SelectionModel::Zoom zoom);
    void requestChanged(qint64 request, ls::SelectionModel::Zoom zoom);

private:
    void set(Selection s, Zoom zoom);
    Selection m_current;
    qint64 m_previousRequest = 0;
};

} // namespace ls
