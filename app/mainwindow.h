#pragma once
// The main window: layout, menus and actions over the view state. A start
// page, then the session view — the Timeline (with the Waterfall and the
// Flame graph as further tabs) in the centre, and dockable Requests,
// Details, Sources, Statistics and Notes panels.
//
// State lives in Qt-Core objects the views observe (app/state/): the
// SessionController (which file, its generation, imports, edits), one
// TimeRangeController (visible range, selection, zoom history) the timeline,
// waterfall and flame graph bind to, and one SelectionModel (request, span).
// Every read goes through the controller's QueryService, on its worker
// thread; answers come back as plain structs and errors are shown where the
// answer would have been and in the status bar, never in modal boxes.

#include "analysis.h"
#include "annotations.h"
#include "pipeline.h"
#include "queries.h"
#include "queryservice.h"
#include "requesttablemodel.h"
#include "selection.h"
#include "sessioncontroller.h"
#include "timeline.h"
#include "timerange.h"
#include "worker.h"

#include <QHash>
#include <QMainWindow>

#include <atomic>
#include <memory>

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

class CaptureDialog;
class DetailsPanel;
class FlameGraphView;
class TimelineWidget;
class WaterfallView;

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
    // What File › Open, a drop or the command line do with paths: sessions
    // open; trace files are imported, and when a session is open the user
    // chooses between adding them and a new session.
    void openPaths(const QStringList &paths);
    enum class AddOrNew
    {
        Add,
        New,
        Cancel
    };
    // Tests answer the question instead of a dialog.
    void setAddOrNewChooser(std::function<AddOrNew(const QStringList &)> f)
    {
        m_askAddOrNew = std::move(f);
    }
    bool hasSession() const { return m_controller->isOpen(); }
    RequestTableModel *requestModel() const { return m_model; }
    QTableView *requestView() const { return m_table; }
    bool importRunning() const { return m_controller->importRunning(); }
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
    QLineEdit *filterBox() const { return m_filter; }
    QLabel *summaryLine() const { return m_summary; }
    void refreshStats();
    // Notes: pinned to the clicked span, else the selected request, else the
    // timeline's selected range; noteAdded(id) when written. False when
    // nothing is selected to pin it to.
    bool addNoteForSelection(const QString &text);
    void removeNote(qint64 id);
    // Moves a source on the timeline by a Go duration (Sources › Shift Clock);
    // false when it is not a duration. The views reload when it is done.
    bool shiftSource(qint64 sourceId, const QString &duration);
    // Sources › Align to Another Source: by an event of each, previewed live.
    void showAlignDialog(qint64 sourceId);
    // File › Export Report: the filtered requests as HTML, PDF or Markdown
    // (by the suffix), redacted; reportWritten(path) when done.
    void exportReport(const QString &path);
    void jumpToNote(qint64 id);
    void refreshNotes();
    // Shows the selected request beside another one (phases, classes,
    // goroutine states, critical path, steps) in a dialog named "compare"
    // once read; an unknown key is a status-bar message.
    void showComparison(const QString &otherKey);
    void showComparison(qint64 otherId);
    // Ctrl+K: the two selected rows, else a picker of the filter's requests.
    void compareSelected();
    // File › Capture From Service…: opens the captured session when done.
    CaptureDialog *showCaptureDialog();
    QListWidget *notesList() const { return m_notes; }
    FlameGraphView *flameGraph() const { return m_flame; }
    QTabWidget *centralTabs() const { return m_views; }
    bool timelineReady() const { return m_timelineReady; }
    // What the timeline search bar says (matches, and where it looked).
    QString searchStatus() const;
    // Sessions with more spans than `spans` open windowed: lanes read as they
    // come into view, at most `budget` spans held (TimelineModel::load).
    // For tests; set before a session is opened.
    void setTimelineWindow(qint64 spans, qint64 budget)
    {
        m_windowedSpans = spans;
        m_windowBudget = budget;
    }
    // Selects a request (the selection model tells every view).
    void selectRequest(qint64 id, bool zoom = true);
    qint64 selectedRequest() const { return m_selection->request(); }
    // The view state, for tests and the screenshot command.
    SessionController *controller() const { return m_controller; }
    QueryService *queries() const { return m_controller->queries(); }
    SelectionModel *selection() const { return m_selection; }
    TimeRangeController *ranges() const { return m_ranges; }
    // Waits until every question asked has been answered and shown (tests,
    // screenshots); false after `ms`.
    bool settle(int ms = 30000);
    // Every shortcut with what it does (Help > Keyboard Shortcuts).
    QList<QPair<QString, QString>> shortcutList() const;
    void showShortcuts();

signals:
    void importsFinished(bool cancelled);
    void timelineLoaded();
    void requestSelected(qint64 id);
    void noteAdded(qint64 id);
    void reportWritten(const QString &path);

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
    AddOrNew askAddOrNew(const QStringList &files);
    static QString newSessionPathFor(const QStringList &inputs);
    void onFileFinished(const ImportResult &r);
    void loadTimeline();
    void stopTimelineLoad();
    void showSessionPage(bool on);
    void onTimelineModel(quint64 gen, std::shared_ptr<TimelineModel> model, bool final);
    void readTimelineLanes(const QList<qint64> &laneIds, ls::TimeRange window);
    void onSpanClicked(qint64 laneId, TimeNs start, int depth, qint64 requestId);
    void onSessionChanged();
    void onRequestSelected(qint64 id, SelectionModel::Zoom zoom);
    void onRequestsLoaded(const QString &error);
    void showPath(qint64 id, const std::vector<PathSegment> &path);
    void editNotes(std::function<qint64(Session &)> fn);
    void showSources(const Answer<QList<SourceRow>> &a);
    void showNotes(const QList<Note> &notes);
    const Note *noteById(qint64 id) const;
    void showComparisonDialog(const RequestComparison &c);
    void showComparePicker();
    // Sets a source's offset on the edit worker (from its current one), then reloads.
    void applySourceOffset(qint64 sourceId, std::function<TimeNs(TimeNs)> offsetFrom,
                           const QString &method);

    SessionController *m_controller = nullptr;
    TimeRangeController *m_ranges = nullptr;
    SelectionModel *m_selection = nullptr;
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
    StatsPanel *m_stats = nullptr;
    bool m_statsStale = true;
    bool m_sizeColumns = false;
    std::function<AddOrNew(const QStringList &)>
        m_askAddOrNew; // size the table's columns when the first rows arrive
    QStringList m_errors;
    QList<Note> m_noteList; // the last notes answer (jumps read it)
    // Critical paths of this generation's requests, computed once each.
    QHash<qint64, std::vector<PathSegment>> m_paths;

    std::shared_ptr<TimelineModel> m_timelineModel;
    Worker m_loader{"timeline"};
    std::shared_ptr<std::atomic<bool>> m_loaderCancel;
    quint64 m_timelineGen = 0;
    bool m_timelineReady = false;
    qint64 m_windowedSpans = TimelineModel::kWindowedSpans;
    qint64 m_windowBudget = TimelineModel::kWindowBudget;
};

int runGui(const QStringList &args);
int screenshotCommand(const QStringList &args);

} // namespace ls::gui
