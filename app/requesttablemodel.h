#pragma once
// Requests as a lazy table model over the query service: the id list of a
// filter (with durations for the summary, and the first page of rows) comes
// in one answer; other rows are asked for a page at a time when a view
// first paints them, and a few pages are kept. A row on its way paints as
// an ellipsis; the page's answer repaints it. A million requests cost 16 MB
// of ids; scrolling fetches 256 rows a page. Nothing here blocks on SQLite.

#include "annotations.h"
#include "queries.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>

namespace ls {
class QueryService;
}

namespace ls::gui {

class RequestTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Key,
        Method,
        Url,
        Status,
        Start,
        Total,
        Dns,
        Connect,
        Tls,
        Send,
        Wait,
        Receive,
        Error,
        Class,
        NoteColumn,
        ColumnCount
    };
    static constexpr int kPage = 256;

    explicit RequestTableModel(QueryService *queries, QObject *parent = nullptr);
    // Asks for the requests a filter selects (in the current sort order);
    // loaded() tells when they are in. A bad filter keeps the rows shown.
    void setFilter(const QString &filter);
    // The same filter again (the session changed).
    void reload() { setFilter(m_filter); }
    void clear();
    QString filter() const { return m_filter; }
    bool isLoading() const { return m_loading; }
    // The last answer's error (empty when it loaded).
    QString error() const { return m_error; }

    // A row when its page is in; otherwise asks for the page and returns nullptr.
    const RequestRow *row(int r) const;
    qint64 idAt(int r) const;
    int rowOfRequest(qint64 id) const;
    const std::vector<qint64> &durations() const { return m_durations; }
    // The notes shown in the Note column (all of the session's; request notes are used).
    void setNotes(const QList<Note> &notes);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;
    void sort(int column, Qt::SortOrder order) override;

signals:
    // The id list of the current filter and sort arrived (or failed: error).
    void loaded(const QString &error);

private:
    void ask(bool reorder);
    void fetchPage(int page) const;
    void storePage(int page, std::vector<RequestRow> rows) const;
    static constexpr int kMaxPages = 64;
    QueryService *m_queries = nullptr;
    QString m_filter;
    RequestSort m_sort = RequestSort::Duration;
    bool m_desc = true;
    bool m_loading = false;
    QString m_error;
    quint64 m_epoch = 0; // bumps with each id list; older pages are dropped
    std::vector<qint64> m_ids, m_durations;
    QHash<qint64, QString> m_notes; // request id -> its notes' text
    mutable QHash<int, std::vector<RequestRow>> m_pages;
    mutable QList<int> m_lru;
    mutable QSet<int> m_pending;
};

} // namespace ls::gui
