#include "requesttablemodel.h"

#include "palette.h"
#include "queryservice.h"
#include "units.h"
#include "viewpalette.h"

#include <QCoreApplication>
#include <QPixmap>

namespace ls::gui {

namespace {

// What one id-list answer carries: the ids in order, their durations, and
// the first page of rows so the top of the table paints at once.
struct IdListWithFirstPage
{
    RequestIdList list;
    std::vector<RequestRow> firstPage;
};

} // namespace

RequestTableModel::RequestTableModel(QueryService *queries, QObject *parent)
    : QAbstractTableModel(parent), m_queries(queries)
{}

void RequestTableModel::setFilter(const QString &filter)
{
    m_filter = filter;
    ask(false);
}

void RequestTableModel::clear()
{
    beginResetModel();
    ++m_epoch;
    m_filter.clear();
    m_ids.clear();
    m_durations.clear();
    m_pages.clear();
    m_lru.clear();
    m_pending.clear();
    m_loading = false;
    m_error.clear();
    endResetModel();
}

void RequestTableModel::ask(bool reorder)
{
    RequestQuery q;
    q.filter = m_filter;
    q.sort = m_sort;
    q.descending = m_desc;
    m_loading = true;
    m_queries->ask<IdListWithFirstPage>(
        this, "ids",
        [q](const Db &db) {
            IdListWithFirstPage a{queryRequestIds(db, q), {}};
            const size_t n = std::min<size_t>(a.list.ids.size(), kPage);
            a.firstPage = requestsByIds(
                db, std::vector<qint64>(a.list.ids.begin(), a.list.ids.begin() + qsizetype(n)));
            return a;
        },
        [this, reorder](const Answer<IdListWithFirstPage> &a) {
            m_loading = false;
            m_error = a.error;
            if (!a.ok()) { // a bad filter or a failed read: the rows shown stay
                emit loaded(a.error);
                return;
            }
            if (reorder) {
                emit layoutAboutToBeChanged();
            } else {
                beginResetModel();
            }
            ++m_epoch;
            m_ids = a.value.list.ids;
            m_durations = a.value.list.durations;
            m_pages.clear();
            m_lru.clear();
            m_pending.clear();
            storePage(0, a.value.firstPage);
            if (reorder) {
                // Rows were reordered: persistent indexes cannot follow, so they are dropped.
                const QModelIndexList old = persistentIndexList();
                changePersistentIndexList(old, QModelIndexList(old.size()));
                emit layoutChanged();
            } else {
                endResetModel();
            }
            emit loaded(QString());
        });
}

void RequestTableModel::fetchPage(int page) const
{
    if (m_pending.contains(page)) return;
    m_pending.insert(page);
    const size_t b = size_t(page) * kPage, e = std::min(m_ids.size(), b + kPage);
    std::vector<qint64> ids(m_ids.begin() + qsizetype(b), m_ids.begin() + qsizetype(e));
    auto *self = const_cast<RequestTableModel *>(this);
    const quint64 epoch = m_epoch;
    m_queries->requestRows(
        self, ids, [self, page, epoch](const Answer<std::vector<RequestRow>> &a) {
            if (epoch != self->m_epoch) return; // a newer id list replaced this one
            self->m_pending.remove(page);
            if (!a.ok()) return; // the error went to the status bar; rows stay "…"
            self->storePage(page, a.value);
            const int first = page * kPage;
            const int last = std::min(int(self->m_ids.size()), first + kPage) - 1;
            if (last >= first)
                emit self->dataChanged(self->index(first, 0), self->index(last, ColumnCount - 1));
        });
}

void RequestTableModel::storePage(int page, std::vector<RequestRow> rows) const
{
    const size_t b = size_t(page) * kPage, e = std::min(m_ids.size(), b + kPage);
    if (b >= e) return;
    if (rows.size() != e - b) {
        // A row vanished under us (should not happen: sessions only grow). Keep indexes aligned.
        std::vector<RequestRow> aligned(e - b);
        size_t k = 0;
        for (size_t i = 0; i < aligned.size(); ++i) {
            if (k < rows.size() && rows[k].id == m_ids[b + i])
                aligned[i] = std::move(rows[k++]);
            else
                aligned[i].id = m_ids[b + i];
        }
        rows.swap(aligned);
    }
    if (m_pages.size() >= kMaxPages && !m_lru.isEmpty()) m_pages.remove(m_lru.takeFirst());
    m_pages.insert(page, std::move(rows));
    m_lru << page;
}

void RequestTableModel::setNotes(const QList<Note> &notes)
{
    // Notes are few: all of them, by request.
    m_notes.clear();
    for (const Note &n : notes)
        if (n.requestId) {
            QString &t = m_notes[n.requestId];
            t = t.isEmpty() ? n.text : t + QStringLiteral(" · ") + n.text;
        }
    if (!m_ids.empty())
        emit dataChanged(index(0, NoteColumn), index(int(m_ids.size()) - 1, NoteColumn));
}

const RequestRow *RequestTableModel::row(int r) const
{
    if (r < 0 || size_t(r) >= m_ids.size()) return nullptr;
    const int page = r / kPage;
    const auto it = m_pages.constFind(page);
    if (it == m_pages.constEnd()) {
        fetchPage(page);
        return nullptr;
    }
    const size_t off = size_t(r % kPage);
    return off < it->size() ? &(*it)[off] : nullptr;
}

qint64 RequestTableModel::idAt(int r) const
{
    return r >= 0 && size_t(r) < m_ids.size() ? m_ids[size_t(r)] : 0;
}

int RequestTableModel::rowOfRequest(qint64 id) const
{
    const auto it = std::find(m_ids.begin(), m_ids.end(), id);
    return it == m_ids.end() ? -1 : int(it - m_ids.begin());
}

int RequestTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

int RequestTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

static qint64 phaseOf(const RequestRow &r, int column)
{
    static const PhaseKind map[] = {PhaseKind::Dns,  PhaseKind::Connect, PhaseKind::Tls,
                                    PhaseKind::Send, PhaseKind::Wait,    PhaseKind::Receive};
    return r.phaseNs[size_t(map[column - RequestTableModel::Dns])];
}

QVariant RequestTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount) return {};
    if (role != Qt::DisplayRole && role != Qt::ForegroundRole && role != Qt::TextAlignmentRole &&
        role != Qt::ToolTipRole && role != Qt::UserRole && role != Qt::DecorationRole &&
        role != Qt::BackgroundRole)
        return {};
    if (role == Qt::TextAlignmentRole) {
        const int c = index.column();
        if ((c == Status || c >= Total) && c != Error)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    const RequestRow *r = row(index.row());
    if (!r) // on its way from the query service
        return role == Qt::DisplayRole && index.column() == Key ? QStringLiteral("…") : QVariant();
    const int c = index.column();
    if (role == Qt::UserRole) return r->id;
    if (role == Qt::DisplayRole) {
        switch (c) {
        case Key:
            return r->key;
        case Method:
            return r->method;
        case Url:
            return r->url;
        case Status:
            return r->status < 0 ? QString() : QString::number(r->status);
        case Start: {
            // Time of day; the date is in the tooltip (one session rarely spans days).
            const QString t = formatTime(r->start);
            return t.size() > 11 ? t.mid(11) : t;
        }
        case Total:
            return r->duration() < 0 ? QString() : formatDuration(r->duration());
        case Error:
            return r->error;
        case Class:
            return r->dominantClass;
        case NoteColumn:
            return m_notes.value(r->id).simplified();
        default: {
            const qint64 v = phaseOf(*r, c);
            return v < 0 ? QString() : formatDuration(v);
        }
        }
    }
    if (role == Qt::DecorationRole && c == Class && !r->dominantClass.isEmpty()) {
        QPixmap swatch(10, 10);
        swatch.fill(QColor(QLatin1String(palette::classColour(r->dominantClass.toLatin1()))));
        return swatch;
    }
    if (role == Qt::ForegroundRole && (c == Status || c == Error)) {
        const QColor col = statusColour(r->status);
        if (col.isValid()) return col;
    }
    if (role == Qt::ToolTipRole && c == NoteColumn) return m_notes.value(r->id);
    if (role == Qt::ToolTipRole && c == Class && !r->cause.isEmpty()) return r->cause;
    if (role == Qt::BackgroundRole && c == NoteColumn && m_notes.contains(r->id))
        return QColor(0xff, 0xf3, 0xc4);
    if (role == Qt::ToolTipRole && (c == Url || c == Error || c == Start || c == Key))
        return c == Url ? r->url : c == Error ? r->error : c == Key ? r->key : formatTime(r->start);
    return {};
}

QVariant RequestTableModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return {};
    static const char *const names[] = {"Key",   "Method",  "URL",     "Status", "Start",
                                        "Total", "DNS",     "Connect", "TLS",    "Send",
                                        "TTFB",  "Receive", "Error",   "Class",  "Note"};
    return QCoreApplication::translate("RequestTableModel", names[section]);
}

void RequestTableModel::sort(int column, Qt::SortOrder order)
{
    static const RequestSort map[] = {
        RequestSort::Key,   RequestSort::Method,   RequestSort::Url,  RequestSort::Status,
        RequestSort::Start, RequestSort::Duration, RequestSort::Dns,  RequestSort::Connect,
        RequestSort::Tls,   RequestSort::Send,     RequestSort::Wait, RequestSort::Receive,
        RequestSort::Error, RequestSort::Class,    RequestSort::Key};
    if (column < 0 || column >= ColumnCount) return;
    m_sort = map[column];
    m_desc = order == Qt::DescendingOrder;
    if (!m_ids.empty() || m_loading) ask(true);
}

} // namespace ls::gui
