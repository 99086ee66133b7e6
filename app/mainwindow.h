#pragma once
// The main window: a start page, then the session view — the Timeline (with
// the per-request Waterfall as a second tab) in the centre, and dockable
// Requests, Details and Sources panels. One selection is shared by every
// view: a request chosen anywhere is selected, zoomed to and detailed
// everywhere. Imports and the timeline model load run off the GUI thread;
// errors go to the Sources panel and the status bar, never to modal boxes.

#include "annotations.h"
#include "pipeline.h"
#include "queries.h"
#include "session.h"
#include "timeline.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QMainWindow>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

class QDialog;
class QDockWidget;
class QLabel;
class QLineEdit;
class QListWidget;
class QMenu;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTreeWidget;

namespace ls {
class StatsPanel;
}

namespace ls::gui {

class DetailsPanel;
class FlameGraphView;
class TimelineWidget;
class WaterfallView;

// Requests as a lazy table model: the query yields only ids (and durations
// for the summary) in display order; rows are fetched by id a page at a time
// when a view asks for them, and a few pages are kept. A million requests
// cost 16 MB of ids, and scrolling fetches 256 rows per page.
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
    using QAbstractTableModel::QAbstractTableModel;
    // Runs the query (throws DbError on a bad filter). `db` must outlive the model's use.
    void setQuery(const Db *db, const QString &filter);
    void clear();
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

private:
    void requery();
    static constexpr int kPage = 256;
    static constexpr int kMaxPages = 64;
    const Db *m_db = nullptr;
    QString m_filter;
    RequestSort m_sort = RequestSort::Duration;
    bool m_desc = true;
    std::vector<qint64> m_ids, m_durations;
    QHash<qint64, QString> m_notes; // request id -> its notes' text
    void reloadNotes();
    mutable QHash<int, std::vector<RequestRow>> m_pages;
    mutable QList<int> m_lru;
};

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow();
    ~MainWindow() override;
    // Opens a session file (creating it when it does not exist).
    bool openSession(const QString &path);
    // Imports files into the current session (a new one beside the first file when none).
    void importFiles(const QStringList &files);
    bool hasSession() const { return m_session.has_value(); }
    RequestTableModel *requestModel() const { return m_model; }
    QTableView *requestView() const { return m_table; }
    bool importRunning() const { return m_job != nullptr; }
    void cancelImport();
    void applyFilter(const QString &text);

    // The views, for tests, screenshots and the benchmark.
    TimelineWidget *timeline() const { return m_timeline; }
    WaterfallView *waterfall() const { return m_waterfall; }
    DetailsPanel *details() const { return m_details; }
    QTreeWidget *sources() const { return m_sources; }
    QDockWidget *requestsDock() const { return m_requestsDock; }
    QDockWidget *detailsDock() const { return m_detailsDock; }
    QDockWidget *statsDock() const { return m_statsDock; }
    StatsPanel *stats() const { return m_stats; }
    QString filterText() const;
    void refreshStats();
    // Notes: pinned to the selected request, else to the timeline's selected
    // range; 0 when neither is selected or the text is empty.
    qint64 addNoteForSelection(const QString &text);
    void removeNote(qint64 id);
    void jumpToNote(qint64 id);
    void refreshNotes();
    // Shows the selected request beside another one (phases, classes,
    // goroutine states, critical path, steps); nullptr when a key is unknown.
    QDialog *showComparison(const QString &otherKey);
    QListWidget *notesList() const { return m_notes; }
    FlameGraphView *flameGraph() const { return m_flame; }
    QTabWidget *centralTabs() const { return m_views; }
    bool timelineReady() const { return m_timelineReady; }
    // Selects a request everywhere (table, timeline, waterfall, details).
    void selectRequest(qint64 id, bool zoom = true);
    qint64 selectedRequest() const { return m_selectedRequest; }
    // Every shortcut with what it does (Help > Keyboard Shortcuts).
    QList<QPair<QString, QString>> shortcutList() const;
    void showShortcuts();

signals:
    void importsFinished(bool cancelled);
    void timelineLoaded();
    void requestSelected(qint64 id);

protected:
    void dragEnterEvent(QDragEnterEvent *e) override;
    void dropEvent(QDropEvent *e) override;
    void closeEvent(QCloseEvent *e) override;

private:
    void buildStartPage();
    void buildSessionPage();
    void buildDocks();
    void buildMenus();
    void refresh();
    void refreshSources();
    void refreshRecent();
    void addRecent(const QString &path);
    void openDemo();
    void openFilesDialog();
    void openFolderDialog();
    void openSessionDialog();
    void openPaths(const QStringList &paths);
    void onFileFinished(const ImportResult &r);
    void loadTimeline();
    void stopTimelineLoad();
    void showSessionPage(bool on);
    void onTimelineModel(quint64 gen, std::shared_ptr<TimelineModel> model, bool final);
    void onSpanClicked(qint64 laneId, TimeNs start, int depth, qint64 requestId);

    std::optional<Session> m_session;
    QStackedWidget *m_stack = nullptr;
    QTabWidget *m_views = nullptr;
    QListWidget *m_recent = nullptr;
    QMenu *m_recentMenu = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_summary = nullptr;
    QTableView *m_table = nullptr;
    RequestTableModel *m_model = nullptr;
    QTreeWidget *m_sources = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    TimelineWidget *m_timeline = nullptr;
    WaterfallView *m_waterfall = nullptr;
    DetailsPanel *m_details = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_searchLabel = nullptr;
    QDockWidget *m_requestsDock = nullptr, *m_detailsDock = nullptr, *m_sourcesDock = nullptr;
    QDockWidget *m_statsDock = nullptr, *m_notesDock = nullptr;
    QListWidget *m_notes = nullptr;
    FlameGraphView *m_flame = nullptr;
    qint64 m_clickedSpan = 0;
    qint64 m_previousRequest = 0; // the request selected before the current one // the span last
                                  // clicked on the timeline, for notes
    StatsPanel *m_stats = nullptr;
    bool m_statsStale = true;
    std::unique_ptr<ImportJob> m_job;
    quint64 m_generation = 0;
    QStringList m_errors;

    std::shared_ptr<TimelineModel> m_timelineModel;
    std::thread m_loader;
    std::shared_ptr<std::atomic<bool>> m_loaderCancel;
    quint64 m_timelineGen = 0;
    bool m_timelineReady = false;
    qint64 m_selectedRequest = 0;
    bool m_syncing = false;
};

int runGui(const QStringList &args);
int screenshotCommand(const QStringList &args);

} // namespace ls::gui
