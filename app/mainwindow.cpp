#include "mainwindow.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "capturedialog.h"

#include "flamegraphview.h"

#include "analysis.h"
#include "annotations.h"
#include "cli.h"
#include "palette.h"
#include "report.h"
#include "reportpdf.h"
#include "statspanel.h"

#include "detailspanel.h"
#include "registry.h"
#include "timelinewidget.h"
#include "units.h"
#include "viewpalette.h"
#include "waterfallview.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QColorDialog>
#include <QComboBox>
#include <QCompleter>
#include <QCoreApplication>
#include <QDateTime>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

// The .qrc lives in a static library: its initialiser must be referenced
// explicitly (and from the global namespace) or the linker drops it.
static void initLanescopeResources()
{
    Q_INIT_RESOURCE(lanescope);
}

namespace ls::gui {

namespace {

// Text elided in the middle (request ids: both ends show).
class MiddleElideDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->textElideMode = Qt::ElideMiddle;
    }
};

} // namespace

// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------

MainWindow::MainWindow()
{
    ::initLanescopeResources();
    setWindowIcon(QIcon(QStringLiteral(":/lanescope/icons/lanescope.svg")));
    setWindowTitle(QStringLiteral("Lanescope"));
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    m_controller = new SessionController(builtinImporters(), this);
    cli::setPdfWriter(&writeReportPdf); // File › Export Report writes PDF too
    m_ranges = new TimeRangeController(this);
    m_selection = new SelectionModel(this);
    m_stack = new QStackedWidget(this);
    setCentralWidget(m_stack);
    buildStartPage();
    buildSessionPage();
    buildDocks();
    buildMenus();
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(260);
    m_progress->hide();
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->hide();
    connect(m_cancel, &QPushButton::clicked, this, &MainWindow::cancelImport);
    // The view state: the session's changes, imports, the selection.
    connect(m_controller, &SessionController::changed, this, &MainWindow::onSessionChanged);
    connect(m_controller, &SessionController::importProgress, this,
            [this](int i, int n, const ImportProgress &p) {
                m_progress->setValue(p.permille);
                m_progress->setFormat(tr("%1/%2 %3 %p%").arg(i + 1).arg(n).arg(p.stage));
            });
    connect(m_controller, &SessionController::importFileFinished, this,
            &MainWindow::onFileFinished);
    connect(m_controller, &SessionController::importFinished, this, [this](bool cancelled) {
        m_progress->hide();
        m_cancel->hide();
        QString msg =
            cancelled ? tr("Import cancelled; the session is unchanged.") : tr("Import finished.");
        if (!m_errors.isEmpty())
            msg += QLatin1Char(' ') +
                   tr("%n file(s) failed; see Sources.", nullptr, int(m_errors.size()));
        statusBar()->showMessage(msg, 10000);
        if (!m_errors.isEmpty()) m_sourcesDock->raise();
        emit importsFinished(cancelled);
    });
    connect(m_controller->queries(), &QueryService::queryFailed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 15000); });
    connect(m_selection, &SelectionModel::requestChanged, this, &MainWindow::onRequestSelected);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    setPaletteKind(settings.value(QStringLiteral("view/colourBlind")).toBool()
                       ? PaletteKind::ColourBlind
                       : PaletteKind::Standard);
    showSessionPage(false);
    refreshRecent();
}

MainWindow::~MainWindow()
{
    stopTimelineLoad();
}

void MainWindow::closeEvent(QCloseEvent *e)
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("requests/header"), m_table->horizontalHeader()->saveState());
    if (hasSession()) s.setValue(QStringLiteral("window/state"), saveState());
    QMainWindow::closeEvent(e);
}

void MainWindow::showSessionPage(bool on)
{
    m_stack->setCurrentIndex(on ? 1 : 0);
    for (QDockWidget *d : {m_requestsDock, m_detailsDock, m_sourcesDock, m_statsDock, m_notesDock})
        d->setVisible(on);
}

void MainWindow::buildStartPage()
{
    auto *page = new QWidget;
    auto *lay = new QVBoxLayout(page);
    lay->setContentsMargins(48, 36, 48, 36);
    auto *title = new QLabel(tr("<h1>Lanescope</h1><p>Open what your Go service left on disk — "
                                "request dumps, HAR, httptrace events, step logs, execution "
                                "traces, profiles — and find out why a request was slow.</p>"));
    title->setWordWrap(true);
    lay->addWidget(title);
    auto *buttons = new QHBoxLayout;
    auto *openFiles = new QPushButton(tr("Open files…"));
    auto *openFolder = new QPushButton(tr("Open folder…"));
    auto *openSession = new QPushButton(tr("Open session…"));
    auto *demo = new QPushButton(tr("Open the demo"));
    for (QPushButton *b : {openFiles, openFolder, openSession, demo})
        buttons->addWidget(b);
    buttons->addStretch();
    lay->addLayout(buttons);
    connect(openFiles, &QPushButton::clicked, this, &MainWindow::openFilesDialog);
    connect(openFolder, &QPushButton::clicked, this, &MainWindow::openFolderDialog);
    connect(openSession, &QPushButton::clicked, this, &MainWindow::openSessionDialog);
    connect(demo, &QPushButton::clicked, this, &MainWindow::openDemo);
    lay->addWidget(new QLabel(tr("<h3>Recent sessions</h3>")));
    m_recent = new QListWidget;
    lay->addWidget(m_recent, 1);
    connect(m_recent, &QListWidget::itemActivated, this, [this](QListWidgetItem *it) {
        const QString p = it->data(Qt::UserRole).toString();
        if (!p.isEmpty()) this->openSession(p);
    });
    lay->addWidget(new QLabel(tr("Drop trace files or a folder anywhere in this window.")));
    m_stack->addWidget(page);
}

void MainWindow::buildSessionPage()
{
    m_views = new QTabWidget;
    m_views->setDocumentMode(true);
    // Timeline page: a search bar over the swimlanes.
    auto *tl = new QWidget;
    auto *tlay = new QVBoxLayout(tl);
    tlay->setContentsMargins(0, 2, 0, 0);
    tlay->setSpacing(2);
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 0, 4, 0);
    m_search = new QLineEdit;
    m_search->setPlaceholderText(
        tr("Search spans by name (Ctrl+F), Enter / F3 next, Shift+F3 previous"));
    m_search->setClearButtonEnabled(true);
    m_searchLabel = new QLabel;
    auto *prev = new QPushButton(tr("◀"));
    auto *next = new QPushButton(tr("▶"));
    prev->setToolTip(tr("Previous match (Shift+F3)"));
    next->setToolTip(tr("Next match (F3)"));
    prev->setMaximumWidth(32);
    next->setMaximumWidth(32);
    auto *hint =
        new QLabel(tr("Ctrl+wheel / W S zoom · drag / A D pan · Shift+drag select · F fit · "
                      "Alt+←/→ history · F1 shortcuts"));
    hint->setForegroundRole(QPalette::PlaceholderText);
    // The hint gives way first when the window is narrow.
    hint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    hint->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_search->setMinimumWidth(240);
    // Which tracks: request focus, a name filter, idle lanes hidden, all flows.
    auto *focus = new QCheckBox(tr("Focus"));
    focus->setChecked(true);
    focus->setToolTip(tr("Selecting a request gathers its tracks under the requests lane and "
                         "closes the processes below (U)"));
    auto *trackFilter = new QLineEdit;
    trackFilter->setPlaceholderText(tr("Filter tracks"));
    trackFilter->setClearButtonEnabled(true);
    trackFilter->setMaximumWidth(160);
    auto *idle = new QCheckBox(tr("Hide idle"));
    idle->setToolTip(tr("Hide tracks with nothing in the visible range"));
    auto *flows = new QCheckBox(tr("All flows"));
    flows->setToolTip(tr("Draw the flows of every track shown, not only the selection's"));
    bar->addWidget(m_search, 2);
    bar->addWidget(prev);
    bar->addWidget(next);
    bar->addWidget(m_searchLabel);
    bar->addWidget(focus);
    bar->addWidget(trackFilter);
    bar->addWidget(idle);
    bar->addWidget(flows);
    bar->addWidget(hint, 3);
    tlay->addLayout(bar);
    m_timeline = new TimelineWidget;
    tlay->addWidget(m_timeline, 1);
    connect(focus, &QCheckBox::toggled, m_timeline, &TimelineWidget::setFocusMode);
    connect(m_timeline, &TimelineWidget::focusModeChanged, focus, &QCheckBox::setChecked);
    connect(trackFilter, &QLineEdit::textChanged, m_timeline, &TimelineWidget::setTrackFilter);
    connect(idle, &QCheckBox::toggled, m_timeline, &TimelineWidget::setHideIdle);
    connect(flows, &QCheckBox::toggled, m_timeline, &TimelineWidget::setAllFlows);
    m_views->addTab(tl, tr("Timeline"));
    m_waterfall = new WaterfallView;
    m_views->addTab(m_waterfall, tr("Waterfall"));
    m_flame = new FlameGraphView;
    m_views->addTab(m_flame, tr("Flame graph"));
    m_stack->addWidget(m_views);

    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        static QString last;
        if (m_search->text() == last && m_timeline->searchCount() > 0)
            m_timeline->searchStep(1);
        else
            m_timeline->search(m_search->text());
        last = m_search->text();
    });
    connect(prev, &QPushButton::clicked, this, [this] { m_timeline->searchStep(-1); });
    connect(next, &QPushButton::clicked, this, [this] { m_timeline->searchStep(1); });
    connect(m_timeline, &TimelineWidget::searchMoved, this, [this](int i, int n) {
        // A windowed timeline searches the lanes it has read (docs/architecture.md).
        const TimelineModel *m = m_timeline->model();
        const QString where = m && m->isWindowed() ? tr(" in the tracks read so far") : QString();
        m_searchLabel->setText(n == 0 ? tr("no matches") + where
                                      : tr("%1 / %2").arg(i + 1).arg(n) + where);
    });
    // One range for the three time views; each follows the controller.
    m_timeline->setRangeController(m_ranges);
    m_waterfall->bind(queries(), m_ranges);
    m_flame->setQueries(queries());
    connect(m_ranges, &TimeRangeController::visibleChanged, m_flame, &FlameGraphView::setRange);
    // A click in a view selects; the selection model tells the others.
    connect(m_timeline, &TimelineWidget::requestClicked, m_selection,
            [this](qint64 id) { m_selection->selectRequest(id); });
    connect(m_waterfall, &WaterfallView::requestClicked, m_selection,
            [this](qint64 id) { m_selection->selectRequest(id); });
    connect(m_timeline, &TimelineWidget::spanClicked, this, &MainWindow::onSpanClicked);
    connect(m_timeline, &TimelineWidget::lanesWanted, this, &MainWindow::readTimelineLanes);
    connect(m_timeline, &TimelineWidget::selectionStats, this, [this](const QString &s) {
        if (!s.isEmpty())
            statusBar()->showMessage(QString(s).replace(QLatin1Char('\n'), QStringLiteral(" · ")),
                                     15000);
    });
}

void MainWindow::buildDocks()
{
    // Requests.
    auto *req = new QWidget;
    auto *lay = new QVBoxLayout(req);
    lay->setContentsMargins(4, 4, 4, 4);
    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("filter: status>=500 dur>200ms host:api text (Ctrl+L)"));
    m_filter->setClearButtonEnabled(true);
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    lay->addWidget(m_filter);
    lay->addWidget(m_summary);
    // The filter applies as you type (after a pause; the query runs on the
    // query service's thread), at once on Enter; clearing the box shows all.
    auto *typing = new QTimer(this);
    typing->setSingleShot(true);
    typing->setInterval(250);
    connect(typing, &QTimer::timeout, this, [this] { applyFilter(m_filter->text()); });
    connect(m_filter, &QLineEdit::textEdited, typing, qOverload<>(&QTimer::start));
    connect(m_filter, &QLineEdit::textChanged, this, [this, typing](const QString &t) {
        if (t.isEmpty()) {
            typing->stop();
            applyFilter(QString());
        }
    });
    connect(m_filter, &QLineEdit::returnPressed, this, [this, typing] {
        typing->stop();
        applyFilter(m_filter->text());
    });
    m_model = new RequestTableModel(queries(), this);
    connect(m_model, &RequestTableModel::loaded, this, &MainWindow::onRequestsLoaded);
    m_table = new QTableView;
    m_table->setModel(m_model);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicator(RequestTableModel::Total, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    // Two rows selected (Ctrl+click) and Ctrl+K compares them.
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        QMenu menu;
        const bool two = m_table->selectionModel()->selectedRows().size() == 2;
        menu.addAction(two ? tr("Compare the Two Selected") : tr("Compare With…"),
                       QKeySequence(Qt::CTRL | Qt::Key_K), this, [this] { compareSelected(); });
        menu.exec(m_table->viewport()->mapToGlobal(pos));
    });
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(20);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    // What a user reads first stays in view at 1280 px: the key (elided in
    // the middle, so both ends of an id show), Total and TTFB, then the rest.
    m_table->setItemDelegateForColumn(RequestTableModel::Key, new MiddleElideDelegate(m_table));
    {
        QHeaderView *h = m_table->horizontalHeader();
        h->moveSection(h->visualIndex(RequestTableModel::Total), 1);
        h->moveSection(h->visualIndex(RequestTableModel::Wait), 2);
        h->setSectionsMovable(true);
        // Columns to show: the header's context menu; order and choice persist.
        h->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(h, &QHeaderView::customContextMenuRequested, this, [this, h](const QPoint &pos) {
            QMenu menu;
            for (int c = 0; c < RequestTableModel::ColumnCount; ++c) {
                QAction *a = menu.addAction(
                    m_model->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
                a->setCheckable(true);
                a->setChecked(!h->isSectionHidden(c));
                a->setEnabled(c != RequestTableModel::Key);
                connect(a, &QAction::toggled, h, [h, c](bool on) { h->setSectionHidden(c, !on); });
            }
            menu.exec(h->mapToGlobal(pos));
        });
        const QByteArray saved = QSettings().value(QStringLiteral("requests/header")).toByteArray();
        if (!saved.isEmpty()) h->restoreState(saved);
    }
    lay->addWidget(m_table, 1);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &cur) {
                if (cur.isValid())
                    m_selection->selectRequest(m_model->idAt(cur.row()),
                                               SelectionModel::Zoom::ToRequest);
            });
    m_requestsDock = new QDockWidget(tr("Requests"), this);
    m_requestsDock->setObjectName(QStringLiteral("requests"));
    m_requestsDock->setWidget(req);
    addDockWidget(Qt::LeftDockWidgetArea, m_requestsDock);

    m_details = new DetailsPanel;
    m_detailsDock = new QDockWidget(tr("Details"), this);
    m_detailsDock->setObjectName(QStringLiteral("details"));
    m_detailsDock->setWidget(m_details);
    addDockWidget(Qt::BottomDockWidgetArea, m_detailsDock);
    connect(m_details, &DetailsPanel::showInSource, this,
            [this](const QString &path, qint64 offset, qint64 line) {
                QApplication::clipboard()->setText(QStringLiteral("%1:%2").arg(path).arg(line));
                statusBar()->showMessage(tr("%1 line %2, byte offset %3 (copied as path:line)")
                                             .arg(path)
                                             .arg(line)
                                             .arg(offset),
                                         15000);
                if (QGuiApplication::platformName() != QLatin1String("offscreen"))
                    QDesktopServices::openUrl(QUrl::fromLocalFile(path));
            });

    m_sources = new QTreeWidget;
    m_sources->setHeaderLabels({tr("Source"), tr("Format"), tr("Clock"), tr("Events"),
                                tr("Requests"), tr("Spans"), tr("Status")});
    // A source's clock placed by hand (what `lanescope align` does).
    m_sources->setContextMenuPolicy(Qt::ActionsContextMenu);
    // The source row the context menu is for (a diagnostic row: its source).
    auto sourceRow = [this]() -> QTreeWidgetItem * {
        QTreeWidgetItem *it = m_sources->currentItem();
        while (it && it->parent())
            it = it->parent();
        return it && it->data(0, Qt::UserRole).isValid() ? it : nullptr;
    };
    auto *shift = new QAction(tr("Shift Clock…"), m_sources);
    m_sources->addAction(shift);
    connect(shift, &QAction::triggered, this, [this, sourceRow] {
        QTreeWidgetItem *it = sourceRow();
        if (!it) return;
        bool ok = false;
        const QString text = QInputDialog::getText(
            this, tr("Shift clock"),
            tr("Move %1 on the timeline by (a Go duration, e.g. -2h13m or 1.5s):").arg(it->text(0)),
            QLineEdit::Normal, QString(), &ok);
        if (ok) shiftSource(it->data(0, Qt::UserRole).toLongLong(), text);
    });
    auto *align = new QAction(tr("Align to Another Source…"), m_sources);
    m_sources->addAction(align);
    connect(align, &QAction::triggered, this, [this, sourceRow] {
        if (QTreeWidgetItem *it = sourceRow())
            showAlignDialog(it->data(0, Qt::UserRole).toLongLong());
    });
    m_sourcesDock = new QDockWidget(tr("Sources"), this);
    m_sourcesDock->setObjectName(QStringLiteral("sources"));
    m_sourcesDock->setWidget(m_sources);
    addDockWidget(Qt::BottomDockWidgetArea, m_sourcesDock);
    tabifyDockWidget(m_detailsDock, m_sourcesDock);

    // Statistics of the requests in the filter; a bar click narrows the filter.
    m_stats = new StatsPanel;
    m_statsDock = new QDockWidget(tr("Statistics"), this);
    m_statsDock->setObjectName(QStringLiteral("statistics"));
    // In a scroll area: the charts' minimum sizes must not hold the window open.
    auto *statsScroll = new QScrollArea;
    statsScroll->setWidgetResizable(true);
    statsScroll->setFrameShape(QFrame::NoFrame);
    statsScroll->setWidget(m_stats);
    m_statsDock->setWidget(statsScroll);
    addDockWidget(Qt::BottomDockWidgetArea, m_statsDock);
    tabifyDockWidget(m_sourcesDock, m_statsDock);
    connect(m_stats, &StatsPanel::filterRequested, this, [this](const QString &expr) {
        const QString cur = m_filter->text().trimmed();
        applyFilter(cur.isEmpty() ? expr : cur + QLatin1Char(' ') + expr);
    });
    connect(m_statsDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible && m_statsStale) refreshStats();
    });
    // Notes pinned to requests, spans and ranges; activating one jumps to it.
    m_notes = new QListWidget;
    m_notes->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_notesDock = new QDockWidget(tr("Notes"), this);
    m_notesDock->setObjectName(QStringLiteral("notes"));
    m_notesDock->setWidget(m_notes);
    addDockWidget(Qt::BottomDockWidgetArea, m_notesDock);
    tabifyDockWidget(m_statsDock, m_notesDock);
    connect(m_notes, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *it) { jumpToNote(it->data(Qt::UserRole).toLongLong()); });
    m_detailsDock->raise();
    resizeDocks({m_requestsDock}, {560}, Qt::Horizontal);
    resizeDocks({m_detailsDock}, {300}, Qt::Vertical);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Files…"), QKeySequence::Open, this, &MainWindow::openFilesDialog);
    file->addAction(tr("Open &Folder…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this,
                    &MainWindow::openFolderDialog);
    file->addAction(tr("Open &Session…"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O), this,
                    &MainWindow::openSessionDialog);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addAction(tr("Open &Demo"), this, &MainWindow::openDemo);
    file->addAction(tr("&Capture From Service…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C),
                    this, [this] { showCaptureDialog(); });
    file->addSeparator();
    file->addAction(tr("&Export Report…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] {
        if (!hasSession()) return;
        const QString f =
            QFileDialog::getSaveFileName(this, tr("Export report"), QString(),
                                         tr("HTML (*.html);;PDF (*.pdf);;Markdown (*.md)"));
        if (!f.isEmpty()) exportReport(f);
    });
    file->addAction(tr("&Cancel Import"), QKeySequence(Qt::CTRL | Qt::Key_Period), this,
                    &MainWindow::cancelImport);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Start Page"), QKeySequence(Qt::CTRL | Qt::Key_Home), this,
                    [this] { showSessionPage(false); });
    view->addAction(tr("&Timeline"), QKeySequence(Qt::CTRL | Qt::Key_1), this, [this] {
        if (!hasSession()) return;
        showSessionPage(true);
        m_views->setCurrentIndex(0);
        m_timeline->setFocus();
    });
    view->addAction(tr("&Waterfall"), QKeySequence(Qt::CTRL | Qt::Key_2), this, [this] {
        if (!hasSession()) return;
        showSessionPage(true);
        m_views->setCurrentIndex(1);
    });
    view->addAction(tr("Focus Request &Filter"), QKeySequence(Qt::CTRL | Qt::Key_L), this, [this] {
        if (!hasSession()) return;
        m_requestsDock->show();
        m_filter->setFocus();
        m_filter->selectAll();
    });
    view->addAction(tr("Search &Spans"), QKeySequence::Find, this, [this] {
        if (!hasSession()) return;
        m_views->setCurrentIndex(0);
        m_search->setFocus();
        m_search->selectAll();
    });
    view->addAction(tr("Find &Next Span"), QKeySequence(Qt::Key_F3), this,
                    [this] { m_timeline->searchStep(1); });
    view->addAction(tr("Find &Previous Span"), QKeySequence(Qt::SHIFT | Qt::Key_F3), this,
                    [this] { m_timeline->searchStep(-1); });
    view->addSeparator();
    QAction *rd = m_requestsDock->toggleViewAction();
    rd->setShortcut(QKeySequence(Qt::ALT | Qt::Key_1));
    QAction *dd = m_detailsDock->toggleViewAction();
    dd->setShortcut(QKeySequence(Qt::ALT | Qt::Key_2));
    QAction *sd = m_sourcesDock->toggleViewAction();
    sd->setShortcut(QKeySequence(Qt::ALT | Qt::Key_3));
    QAction *st = m_statsDock->toggleViewAction();
    st->setShortcut(QKeySequence(Qt::ALT | Qt::Key_4));
    view->addAction(rd);
    view->addAction(dd);
    view->addAction(sd);
    view->addAction(st);
    view->addSeparator();
    QAction *cb = view->addAction(tr("&Colour-blind Palette"));
    cb->setCheckable(true);
    cb->setChecked(paletteKind() == PaletteKind::ColourBlind);
    connect(cb, &QAction::toggled, this, [this](bool on) {
        setPaletteKind(on ? PaletteKind::ColourBlind : PaletteKind::Standard);
        QSettings().setValue(QStringLiteral("view/colourBlind"), on);
        // Views pick colours up again on a palette change.
        QEvent ev(QEvent::PaletteChange);
        QApplication::sendEvent(m_timeline, &ev);
        m_timeline->update();
        m_waterfall->rebuildNow();
    });

    QMenu *go = menuBar()->addMenu(tr("&Go"));
    go->addAction(tr("&Back (zoom history)"), QKeySequence(Qt::ALT | Qt::Key_Left), this,
                  [this] { m_timeline->back(); });
    go->addAction(tr("&Forward (zoom history)"), QKeySequence(Qt::ALT | Qt::Key_Right), this,
                  [this] { m_timeline->forward(); });
    go->addAction(tr("Fit &All"), QKeySequence(Qt::CTRL | Qt::Key_0), this,
                  [this] { m_timeline->fitAll(); });
    go->addAction(tr("Fit &Selection"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F), this,
                  [this] { m_timeline->fitSelection(); });
    go->addAction(tr("&Compare Requests…"), QKeySequence(Qt::CTRL | Qt::Key_K), this,
                  [this] { compareSelected(); });
    go->addAction(tr("&Next Request"), QKeySequence(Qt::CTRL | Qt::Key_Down), this, [this] {
        const int r = m_table->currentIndex().row() + 1;
        if (r < m_model->rowCount()) m_table->selectRow(r);
    });
    go->addAction(tr("&Previous Request"), QKeySequence(Qt::CTRL | Qt::Key_Up), this, [this] {
        const int r = m_table->currentIndex().row() - 1;
        if (r >= 0) m_table->selectRow(r);
    });

    QMenu *notes = menuBar()->addMenu(tr("&Notes"));
    notes->addAction(tr("&Add Note…"), QKeySequence(Qt::Key_N), this, [this] {
        bool ok = false;
        const QString text =
            QInputDialog::getMultiLineText(this, tr("Add note"),
                                           tr("Note for the clicked span, else the selected "
                                              "request, else the selected time range:"),
                                           QString(), &ok);
        if (ok && !text.trimmed().isEmpty()) addNoteForSelection(text);
    });
    QAction *editNote = notes->addAction(tr("&Edit Note…"), QKeySequence(Qt::Key_F2), this, [this] {
        QListWidgetItem *it = m_notes->currentItem();
        const Note *n = it ? noteById(it->data(Qt::UserRole).toLongLong()) : nullptr;
        if (!n) return;
        bool ok = false;
        const QString text =
            QInputDialog::getMultiLineText(this, tr("Edit note"), tr("Note:"), n->text, &ok);
        if (!ok) return;
        const qint64 id = n->id;
        editNotes([id, text](Session &s) {
            updateNote(s.db(), id, text);
            return id;
        });
    });
    QAction *colourNote = notes->addAction(tr("Note &Colour…"), this, [this] {
        QListWidgetItem *it = m_notes->currentItem();
        const Note *n = it ? noteById(it->data(Qt::UserRole).toLongLong()) : nullptr;
        if (!n) return;
        const QColor c = QColorDialog::getColor(QColor(n->colour), this, tr("Note colour"));
        if (!c.isValid()) return;
        const qint64 id = n->id;
        const QString text = n->text;
        editNotes([id, text, c](Session &s) {
            updateNote(s.db(), id, text, c.name());
            return id;
        });
    });
    QAction *deleteNoteAction = notes->addAction(tr("&Delete Note"), this, [this] {
        QListWidgetItem *it = m_notes->currentItem();
        if (it) removeNote(it->data(Qt::UserRole).toLongLong());
    });
    deleteNoteAction->setShortcut(QKeySequence::Delete);
    deleteNoteAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_notes->addAction(editNote);
    m_notes->addAction(colourNote);
    m_notes->addAction(deleteNoteAction);
    QAction *nd = m_notesDock->toggleViewAction();
    nd->setShortcut(QKeySequence(Qt::ALT | Qt::Key_5));
    notes->addAction(nd);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard Shortcuts"), QKeySequence(Qt::Key_F1), this,
                    &MainWindow::showShortcuts);
}

QList<QPair<QString, QString>> MainWindow::shortcutList() const
{
    QList<QPair<QString, QString>> out;
    const QList<QAction *> menus = menuBar()->actions();
    for (QAction *m : menus) {
        if (!m->menu()) continue;
        for (QAction *a : m->menu()->actions()) {
            if (a->shortcut().isEmpty()) continue;
            QString t = a->text();
            t.remove(QLatin1Char('&'));
            out << qMakePair(a->shortcut().toString(QKeySequence::NativeText),
                             m->text().remove(QLatin1Char('&')) + QStringLiteral(" › ") + t);
        }
    }
    // Keys the timeline handles itself (focus on the timeline).
    const QList<QPair<QString, QString>> tl{
        {QStringLiteral("W / S"), tr("Timeline: zoom in / out at the mouse")},
        {QStringLiteral("Ctrl+Wheel"), tr("Timeline: zoom at the mouse")},
        {QStringLiteral("A / D, ← / →"), tr("Timeline: pan left / right")},
        {QStringLiteral("Shift+Wheel"), tr("Timeline: pan")},
        {QStringLiteral("Wheel, PgUp / PgDn"), tr("Timeline: scroll lanes")},
        {QStringLiteral("Drag"), tr("Timeline: pan (both axes)")},
        {QStringLiteral("Shift+Drag, drag on the ruler"),
         tr("Timeline: select a time range (aggregates)")},
        {QStringLiteral("Click / drag on the overview"), tr("Timeline: jump there")},
        {QStringLiteral("F"), tr("Timeline: fit the selection (or the selected request)")},
        {QStringLiteral("0, Home"), tr("Timeline: fit the whole session")},
        {QStringLiteral("Backspace"), tr("Timeline: back in zoom history")},
        {QStringLiteral("Esc"), tr("Timeline: clear the selection")},
        {QStringLiteral("P, double-click a lane name"),
         tr("Timeline: pin / unpin the lane under the mouse")},
        {QStringLiteral("Click a header"), tr("Timeline: collapse / expand a group")},
        {QStringLiteral("Click a span"), tr("Timeline: select its request and show its details")},
        {QStringLiteral("Enter (search box)"), tr("Timeline: search, then next match")},
    };
    return out + tl;
}

void MainWindow::showShortcuts()
{
    auto *dlg = findChild<QDialog *>(QStringLiteral("shortcuts"));
    if (!dlg) {
        dlg = new QDialog(this);
        dlg->setObjectName(QStringLiteral("shortcuts"));
        dlg->setWindowTitle(tr("Keyboard Shortcuts"));
        auto *lay = new QVBoxLayout(dlg);
        auto *t = new QTableWidget;
        const auto list = shortcutList();
        t->setColumnCount(2);
        t->setRowCount(int(list.size()));
        t->setHorizontalHeaderLabels({tr("Keys"), tr("Action")});
        for (int i = 0; i < list.size(); ++i) {
            t->setItem(i, 0, new QTableWidgetItem(list[i].first));
            t->setItem(i, 1, new QTableWidgetItem(list[i].second));
        }
        t->verticalHeader()->hide();
        t->verticalHeader()->setDefaultSectionSize(22);
        t->horizontalHeader()->setStretchLastSection(true);
        t->resizeColumnsToContents();
        t->setEditTriggers(QAbstractItemView::NoEditTriggers);
        lay->addWidget(t);
        dlg->resize(640, 620);
    }
    dlg->show();
    dlg->raise();
}

void MainWindow::refreshRecent()
{
    m_recent->clear();
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recent/sessions")).toStringList();
    for (const QString &p : recent) {
        auto *it = new QListWidgetItem(QStringLiteral("%1\n%2").arg(QFileInfo(p).fileName(), p));
        it->setData(Qt::UserRole, p);
        m_recent->addItem(it);
        m_recentMenu->addAction(p, this, [this, p] { openSession(p); });
    }
    if (recent.isEmpty()) {
        m_recent->addItem(tr("(none yet)"));
        m_recentMenu->addAction(tr("(none yet)"))->setEnabled(false);
    } else {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear List"), this, [this] {
            QSettings().remove(QStringLiteral("recent/sessions"));
            refreshRecent();
        });
    }
}

void MainWindow::addRecent(const QString &path)
{
    QSettings s;
    QStringList recent = s.value(QStringLiteral("recent/sessions")).toStringList();
    const QString abs = QFileInfo(path).absoluteFilePath();
    recent.removeAll(abs);
    recent.prepend(abs);
    while (recent.size() > 12)
        recent.removeLast();
    s.setValue(QStringLiteral("recent/sessions"), recent);
    refreshRecent();
}

bool MainWindow::openSession(const QString &path)
{
    QString error;
    stopTimelineLoad();
    m_model->clear();
    m_details->clear();
    m_selection->clear();
    m_errors.clear();
    if (!m_controller->open(path, &error)) { // changed() refreshes every view
        statusBar()->showMessage(error, 15000);
        return false;
    }
    addRecent(path);
    setWindowTitle(QStringLiteral("%1 — Lanescope").arg(QFileInfo(path).fileName()));
    showSessionPage(true);
    m_sizeColumns = true; // once the first rows are in
    return true;
}

void MainWindow::applyFilter(const QString &text)
{
    if (!hasSession()) return;
    FilterError fe;
    if (!RequestFilter::parse(text, &fe)) {
        statusBar()->showMessage(tr("Filter: %1").arg(fe.message), 8000);
        m_filter->setStyleSheet(QStringLiteral("QLineEdit { border: 1px solid #d32f2f; }"));
        m_filter->setToolTip(fe.message);
        // The reason right under the box; the list keeps the last valid filter.
        m_summary->setText(QStringLiteral("<span style=\"color:#d32f2f\">%1</span>")
                               .arg(tr("Filter not applied: %1").arg(fe.message).toHtmlEscaped()));
        return;
    }
    m_filter->setStyleSheet(QString());
    m_filter->setToolTip(QString());
    if (m_filter->text() != text) m_filter->setText(text);
    m_model->setFilter(text); // onRequestsLoaded() when the ids are in
}

void MainWindow::onRequestsLoaded(const QString &error)
{
    if (!error.isEmpty()) {
        m_summary->setText(
            QStringLiteral("<span style='color:#d32f2f'>%1</span>")
                .arg(tr("Could not read the requests: %1").arg(error.toHtmlEscaped())));
        return;
    }
    if (m_sizeColumns && m_model->rowCount() > 0) {
        m_sizeColumns = false;
        m_table->resizeColumnsToContents();
        for (const auto &[c, w] :
             {std::pair{RequestTableModel::Key, 150}, std::pair{RequestTableModel::Url, 220},
              std::pair{RequestTableModel::Start, 110}})
            m_table->setColumnWidth(c, std::min(m_table->columnWidth(c), w));
    }
    const RequestSummary sum = summarizeDurations(m_model->durations());
    const qsizetype n = m_model->rowCount();
    if (sum.durations.empty()) {
        m_summary->setText(tr("%1 requests").arg(n));
    } else {
        m_summary->setText(tr("%1 requests · p50 %2 · p90 %3 · p99 %4 · max %5")
                               .arg(n)
                               .arg(formatDuration(sum.p50), formatDuration(sum.p90),
                                    formatDuration(sum.p99), formatDuration(sum.max)));
    }
    m_statsStale = true;
    if (m_statsDock && m_statsDock->isVisible() && !m_statsDock->visibleRegion().isEmpty())
        refreshStats();
    // The waterfall shows the filtered requests too.
    if (m_model->filter().trimmed().isEmpty()) {
        m_waterfall->setRequestFilter(nullptr);
    } else {
        auto ids = std::make_shared<QSet<qint64>>();
        ids->reserve(m_model->rowCount());
        for (int r = 0; r < m_model->rowCount(); ++r)
            ids->insert(m_model->idAt(r));
        m_waterfall->setRequestFilter(std::move(ids));
    }
    // Keep the selection when the selected request survived the filter (the
    // table's own row follows without selecting again).
    const int row = m_model->rowOfRequest(selectedRequest());
    if (row >= 0) {
        const QSignalBlocker block(m_table->selectionModel());
        m_table->selectRow(row);
    }
}

QString MainWindow::filterText() const
{
    return m_filter->text();
}

void MainWindow::refreshStats()
{
    if (!hasSession() || !m_stats) return;
    // Reduces the filtered requests on the worker (the table model keeps
    // only ids and a page cache); done only while the panel is shown.
    m_statsStale = false;
    queries()->stats(this, m_filter->text(), [this](const Answer<RequestStatistics> &a) {
        if (!a.ok()) {
            m_statsStale = true;
            return; // the status bar has the message
        }
        m_stats->setData(a.value);
        m_stats->setSelectedRequest(selectedRequest());
    });
}

void MainWindow::refreshSources()
{
    if (!hasSession()) {
        m_sources->clear();
        return;
    }
    queries()->sources(this, [this](const Answer<QList<SourceRow>> &a) { showSources(a); });
}

void MainWindow::showSources(const Answer<QList<SourceRow>> &a)
{
    m_sources->clear();
    if (!a.ok()) {
        auto *it = new QTreeWidgetItem({tr("error"), a.error});
        it->setForeground(1, QColor(0xd3, 0x2f, 0x2f));
        m_sources->addTopLevelItem(it);
    }
    for (const SourceRow &s : a.value) {
        auto *it = new QTreeWidgetItem({QFileInfo(s.path).fileName(), s.format,
                                        QStringLiteral("%1 (%2)").arg(s.clock, s.clockMethod),
                                        QString::number(s.events), QString::number(s.requests),
                                        QString::number(s.spans), s.status});
        it->setToolTip(0, s.path);
        it->setToolTip(2, tr("offset %1 from the file's own clock; right-click to shift it")
                              .arg(formatOffset(s.offset, 1000)));
        it->setData(0, Qt::UserRole, s.id);
        if (s.status != QLatin1String("ok")) it->setForeground(6, QColor(0xe6, 0x7e, 0x22));
        for (const DiagnosticRow &d : s.diagnostics) {
            QString where;
            if (d.firstLine >= 0)
                where = tr(" (first at line %1)").arg(d.firstLine);
            else if (d.firstOffset >= 0)
                where = tr(" (first at byte %1)").arg(d.firstOffset);
            auto *c = new QTreeWidgetItem(
                it, {QStringLiteral("%1 %2 ×%3").arg(d.severity, d.code).arg(d.count),
                     d.message + where});
            c->setToolTip(1, d.message + where);
            if (d.severity == QLatin1String("error")) c->setForeground(0, QColor(0xd3, 0x2f, 0x2f));
        }
        m_sources->addTopLevelItem(it);
    }
    for (const QString &e : std::as_const(m_errors)) {
        auto *it = new QTreeWidgetItem({tr("failed"), e});
        it->setForeground(0, QColor(0xd3, 0x2f, 0x2f));
        it->setForeground(1, QColor(0xd3, 0x2f, 0x2f));
        it->setToolTip(1, e);
        it->setFirstColumnSpanned(false);
        m_sources->addTopLevelItem(it);
    }
    m_sources->expandAll();
    m_sources->resizeColumnToContents(0);
}

void MainWindow::onSessionChanged()
{
    m_paths.clear();
    if (!hasSession()) {
        stopTimelineLoad();
        m_model->clear();
        return;
    }
    // Asked first, so the colours are in before the views' own answers.
    queries()->ask<QList<QByteArray>>(this, "step-names", &stepNames,
                                      [this](const Answer<QList<QByteArray>> &a) {
                                          if (!a.error.isEmpty()) return;
                                          gui::setCategoryNames(a.value);
                                          m_timeline->refreshColours();
                                          m_waterfall->update();
                                          refreshStats();
                                      });
    applyFilter(m_filter->text());
    refreshSources();
    refreshNotes();
    m_flame->reload();
    loadTimeline();
    // What the selected request shows may have grown (an import added evidence).
    if (selectedRequest()) onRequestSelected(selectedRequest(), SelectionModel::Zoom::No);
}

CaptureDialog *MainWindow::showCaptureDialog()
{
    // A new session beside the open one (or in the home folder): the
    // capture never writes into a session the window has open.
    const QString dir =
        hasSession() ? QFileInfo(m_controller->path()).absolutePath() : QDir::homePath();
    const QString name =
        QStringLiteral("capture-%1.lanescope")
            .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    auto *dlg = new CaptureDialog(QDir(dir).filePath(name), this);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    connect(dlg, &CaptureDialog::captured, this, [this](const QString &path) {
        if (openSession(path)) statusBar()->showMessage(tr("Captured into %1.").arg(path), 8000);
    });
    dlg->open();
    return dlg;
}

void MainWindow::compareSelected()
{
    if (!hasSession() || !selectedRequest()) {
        statusBar()->showMessage(tr("Select a request to compare (or two, with Ctrl+click)."),
                                 8000);
        return;
    }
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.size() == 2) {
        const qint64 mine = selectedRequest();
        const qint64 a = m_model->idAt(rows[0].row()), b = m_model->idAt(rows[1].row());
        showComparison(a == mine ? b : a);
        return;
    }
    showComparePicker();
}

// A list of the requests the filter shows (slowest first, the one selected
// before this one on top), searchable by any part of its text.
void MainWindow::showComparePicker()
{
    const qint64 mine = selectedRequest(), previous = m_selection->previousRequest();
    const QString filter = m_model->filter();
    queries()->ask<std::vector<RequestRow>>(
        this, "compare-picker",
        [filter](const Db &db) {
            RequestQuery q;
            q.filter = filter;
            q.limit = 2000;
            return queryRequests(db, q);
        },
        [this, mine, previous](const Answer<std::vector<RequestRow>> &a) {
            if (!a.ok()) return;
            auto *dlg = new QDialog(this);
            dlg->setObjectName(QStringLiteral("comparePicker"));
            dlg->setAttribute(Qt::WA_DeleteOnClose);
            dlg->setWindowTitle(tr("Compare with"));
            auto *lay = new QVBoxLayout(dlg);
            lay->addWidget(new QLabel(tr("Compare the selected request with (type any part of "
                                         "the key, method, URL or status):")));
            auto *box = new QComboBox;
            box->setEditable(true);
            box->setInsertPolicy(QComboBox::NoInsert);
            box->setMinimumWidth(560);
            int current = -1;
            for (const RequestRow &r : a.value) {
                if (r.id == mine) continue;
                box->addItem(
                    QStringLiteral("%1  %2 %3  %4  %5")
                        .arg(r.key, r.method, r.url,
                             r.status >= 0 ? QString::number(r.status) : QStringLiteral("–"),
                             r.duration() < 0 ? QStringLiteral("–") : formatDuration(r.duration())),
                    r.key);
                if (r.id == previous) current = box->count() - 1;
            }
            box->completer()->setFilterMode(Qt::MatchContains);
            box->completer()->setCompletionMode(QCompleter::PopupCompletion);
            box->setCurrentIndex(current >= 0 ? current : 0);
            lay->addWidget(box);
            auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
            lay->addWidget(buttons);
            connect(buttons, &QDialogButtonBox::rejected, dlg, &QDialog::reject);
            connect(buttons, &QDialogButtonBox::accepted, dlg, [this, dlg, box] {
                // A listed request, else what was typed taken as a key.
                const int i = box->findText(box->currentText());
                const QString key = i >= 0 ? box->itemData(i).toString()
                                           : box->currentText().section(QLatin1Char(' '), 0, 0);
                dlg->accept();
                if (!key.trimmed().isEmpty()) showComparison(key.trimmed());
            });
            dlg->open();
        });
}

void MainWindow::showComparison(qint64 otherId)
{
    const qint64 mine = selectedRequest();
    if (!hasSession() || !mine) return;
    queries()->ask<RequestComparison>(
        this, "compare",
        [mine, otherId](const Db &db) {
            const auto row = requestById(db, mine), other = requestById(db, otherId);
            if (!row || !other) throw DbError(QStringLiteral("the selected request is gone"));
            return compareRequests(db, row->key, other->key);
        },
        [this](const Answer<RequestComparison> &a) {
            if (a.ok()) showComparisonDialog(a.value);
        });
}

void MainWindow::showComparison(const QString &otherKey)
{
    const qint64 mine = selectedRequest();
    if (!hasSession() || !mine) return;
    queries()->ask<RequestComparison>(
        this, "compare",
        [mine, otherKey](const Db &db) {
            const auto row = requestById(db, mine);
            if (!row) throw DbError(QStringLiteral("the selected request is gone"));
            return compareRequests(db, row->key, otherKey);
        },
        [this](const Answer<RequestComparison> &a) {
            if (a.ok()) showComparisonDialog(a.value); // else the status bar says why
        });
}

void MainWindow::showComparisonDialog(const RequestComparison &c)
{
    auto *dlg = new QDialog(this);
    dlg->setObjectName(QStringLiteral("compare"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->setWindowTitle(tr("Compare requests"));
    auto *lay = new QVBoxLayout(dlg);
    auto side = [](const char *tag, const RequestFacts &f) {
        return QStringLiteral("<b>%1</b> <code>%2</code> %3 %4 — %5, class <b>%6</b>")
            .arg(QLatin1String(tag), f.row.key.toHtmlEscaped(), f.row.method.toHtmlEscaped(),
                 f.row.url.toHtmlEscaped(),
                 f.row.duration() < 0 ? QStringLiteral("–") : formatDuration(f.row.duration()),
                 f.classes.dominant.isEmpty() ? QStringLiteral("–") : f.classes.dominant);
    };
    auto *head = new QLabel(side("A", c.a) + QStringLiteral("<br>") + side("B", c.b));
    head->setTextFormat(Qt::RichText);
    lay->addWidget(head);
    const QList<CompareLine> lines = compareLines(c);
    auto *t = new QTableWidget(int(lines.size()), 5);
    t->setHorizontalHeaderLabels({tr("Section"), tr("Name"), tr("A"), tr("B"), tr("B − A")});
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (int i = 0; i < lines.size(); ++i) {
        const CompareLine &l = lines[i];
        const QString none = QStringLiteral("–");
        const QStringList cells{l.section, l.name, l.valueText(l.a, none), l.valueText(l.b, none),
                                l.deltaText(none, QStringLiteral("−"))};
        for (int k = 0; k < cells.size(); ++k) {
            auto *it = new QTableWidgetItem(cells[k]);
            if (k >= 2) it->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            t->setItem(i, k, it);
        }
    }
    t->resizeColumnsToContents();
    t->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    t->verticalHeader()->setDefaultSectionSize(22);
    lay->addWidget(t, 1);
    dlg->resize(760, 560);
    dlg->show();
}

void MainWindow::refreshNotes()
{
    if (!hasSession()) {
        m_notes->clear();
        m_noteList.clear();
        return;
    }
    queries()->notes(this, [this](const Answer<QList<Note>> &a) {
        if (a.ok()) showNotes(a.value);
    });
}

const Note *MainWindow::noteById(qint64 id) const
{
    for (const Note &n : m_noteList)
        if (n.id == id) return &n;
    return nullptr;
}

void MainWindow::showNotes(const QList<Note> &notes)
{
    m_notes->clear();
    m_noteList = notes;
    m_model->setNotes(notes);
    std::vector<TimelineWidget::NoteMark> marks;
    for (const Note &n : notes) {
        QString target;
        if (n.target == QLatin1String("request"))
            target = tr("request %1").arg(n.requestKey.left(13));
        else if (n.target == QLatin1String("span"))
            target = tr("span %1").arg(n.spanId);
        else
            target = tr("%1 – %2").arg(formatTime(n.start), formatDuration(n.end - n.start));
        auto *it = new QListWidgetItem(QStringLiteral("%1 — %2").arg(target, n.text.simplified()));
        it->setData(Qt::UserRole, n.id);
        it->setToolTip(n.text);
        QPixmap swatch(12, 12);
        swatch.fill(QColor(n.colour));
        it->setIcon(QIcon(swatch));
        m_notes->addItem(it);
        if (n.start != kNoTime && n.end != kNoTime)
            marks.push_back({TimeRange{n.start, n.end}, QColor(n.colour), n.text});
    }
    m_notesDock->setWindowTitle(m_notes->count() ? tr("Notes (%1)").arg(m_notes->count())
                                                 : tr("Notes"));
    m_timeline->setNoteMarks(std::move(marks));
}

bool MainWindow::addNoteForSelection(const QString &text)
{
    if (!hasSession() || text.trimmed().isEmpty()) return false;
    const Selection sel = m_selection->current();
    const TimeRange range = m_ranges->selection();
    if (!sel.span && !sel.request && !range.isValid()) {
        statusBar()->showMessage(tr("Select a request or a time range to pin the note to."), 8000);
        return false;
    }
    editNotes([sel, range, text](Session &s) -> qint64 {
        if (sel.span) return addSpanNote(s.db(), sel.span, text);
        if (sel.request) {
            const auto row = requestById(s.db(), sel.request);
            if (!row) throw DbError(QStringLiteral("the selected request is gone"));
            return addRequestNote(s.db(), row->key, text);
        }
        return addRangeNote(s.db(), range.start, range.end, text);
    });
    return true;
}

void MainWindow::exportReport(const QString &path)
{
    if (!hasSession()) return;
    ReportOptions opt;
    opt.filter = m_filter->text(); // the report covers what the table shows
    const QString session = m_controller->path();
    queries()->ask<ReportData>(
        this, {}, [opt, session](const Db &db) { return buildReport(db, session, opt); },
        [this, path](const Answer<ReportData> &a) {
            QString why = a.error;
            if (a.ok() && cli::writeReport(a.value, path, &why)) {
                statusBar()->showMessage(tr("Wrote %1 (redacted)").arg(path), 10000);
                emit reportWritten(path);
                return;
            }
            statusBar()->showMessage(tr("Report: %1").arg(why), 10000);
        });
}

bool MainWindow::shiftSource(qint64 sourceId, const QString &duration)
{
    const auto d = parseGoDuration(duration.trimmed().toUtf8());
    if (!d) {
        statusBar()->showMessage(tr("'%1' is not a duration (e.g. -2h13m, 1.5s)").arg(duration),
                                 8000);
        return false;
    }
    const TimeNs delta = *d;
    applySourceOffset(
        sourceId, [delta](TimeNs current) { return current + delta; }, QStringLiteral("by hand"));
    return true;
}

void MainWindow::applySourceOffset(qint64 sourceId, std::function<TimeNs(TimeNs)> offsetFrom,
                                   const QString &method)
{
    m_controller->edit(
        this,
        [sourceId, offsetFrom, method](Session &s) {
            for (const SourceRow &src : querySources(s.db()))
                if (src.id == sourceId) {
                    s.setSourceOffset(sourceId, offsetFrom(src.offset), method);
                    return sourceId;
                }
            throw DbError(QStringLiteral("no source %1").arg(sourceId));
        },
        [this, method](const Answer<qint64> &a) {
            m_timeline->setPreviewShift(0, 0);
            if (!a.ok()) {
                statusBar()->showMessage(a.error, 8000);
                return;
            }
            statusBar()->showMessage(tr("Source moved (%1).").arg(method), 8000);
            m_controller->reload(); // every view asks again
        });
}

// Align a source to another by a moment both saw: pick one event of each;
// the timeline shows the source moved while the choice changes; Apply
// writes it (the method names both events).
void MainWindow::showAlignDialog(qint64 sourceId)
{
    struct Start
    {
        QList<SourceRow> sources;
        QList<SourceEvent> own;
    };
    queries()->ask<Start>(
        this, "align",
        [sourceId](const Db &db) {
            return Start{querySources(db), sourceEvents(db, sourceId)};
        },
        [this, sourceId](const Answer<Start> &a) {
            if (!a.ok()) return;
            SourceRow src;
            for (const SourceRow &r : a.value.sources)
                if (r.id == sourceId) src = r;
            if (!src.id) return;
            auto *dlg = new QDialog(this);
            dlg->setObjectName(QStringLiteral("align"));
            dlg->setAttribute(Qt::WA_DeleteOnClose);
            dlg->setWindowTitle(tr("Align %1").arg(QFileInfo(src.path).fileName()));
            auto *lay = new QVBoxLayout(dlg);
            // "+t" from the file's own time 0, or from the first event when the
            // file has a wall clock (its time 0 is 1970).
            auto originOf = [](const SourceRow &r, const QList<SourceEvent> &events) {
                return r.clock == QLatin1String("wall") && !events.isEmpty() ? events.first().time
                                                                             : r.offset;
            };
            auto picker = [](const QList<SourceEvent> &events, TimeNs origin, QComboBox *box) {
                box->clear();
                for (const SourceEvent &e : events)
                    box->addItem(
                        QStringLiteral("+%1  %2").arg(formatDuration(e.time - origin), e.label),
                        QVariant::fromValue(e.time));
            };
            lay->addWidget(new QLabel(tr("Move <b>%1</b> so that its event")
                                          .arg(QFileInfo(src.path).fileName().toHtmlEscaped())));
            auto *own = new QComboBox;
            own->setObjectName(QStringLiteral("ownEvent"));
            own->setMinimumWidth(620);
            picker(a.value.own, originOf(src, a.value.own), own);
            lay->addWidget(own);
            lay->addWidget(new QLabel(tr("happens at the same moment as this event of")));
            auto *refSource = new QComboBox;
            refSource->setObjectName(QStringLiteral("refSource"));
            for (const SourceRow &r : a.value.sources)
                if (r.id != sourceId) refSource->addItem(QFileInfo(r.path).fileName(), r.id);
            lay->addWidget(refSource);
            auto *ref = new QComboBox;
            ref->setObjectName(QStringLiteral("refEvent"));
            lay->addWidget(ref);
            for (QComboBox *b : {own, ref}) {
                b->setEditable(true);
                b->setInsertPolicy(QComboBox::NoInsert);
                b->completer()->setFilterMode(Qt::MatchContains);
                b->completer()->setCompletionMode(QCompleter::PopupCompletion);
            }
            auto *result = new QLabel;
            result->setObjectName(QStringLiteral("alignResult"));
            lay->addWidget(result);
            auto *buttons =
                new QDialogButtonBox(QDialogButtonBox::Apply | QDialogButtonBox::Cancel);
            lay->addWidget(buttons);
            auto events = std::make_shared<QHash<qint64, QList<SourceEvent>>>();
            events->insert(sourceId, a.value.own);
            auto chosen = [events, own, ref, refSource, sourceId] {
                std::optional<std::pair<SourceEvent, SourceEvent>> out;
                const QList<SourceEvent> &mine = events->value(sourceId);
                const QList<SourceEvent> theirs =
                    events->value(refSource->currentData().toLongLong());
                const int i = own->findText(own->currentText()),
                          j = ref->findText(ref->currentText());
                if (i >= 0 && i < mine.size() && j >= 0 && j < theirs.size())
                    out = std::make_pair(mine[i], theirs[j]);
                return out;
            };
            auto update = [this, chosen, result, src, buttons] {
                const auto c = chosen();
                buttons->button(QDialogButtonBox::Apply)->setEnabled(c.has_value());
                if (!c) {
                    result->setText(tr("Pick an event of each source."));
                    m_timeline->setPreviewShift(0, 0);
                    return;
                }
                const TimeNs offset = offsetAligning(src.offset, c->first, c->second);
                const TimeNs delta = offset - src.offset;
                result->setText(tr("Moves the source by %1%2 (previewed on the timeline).")
                                    .arg(delta < 0 ? QStringLiteral("−") : QStringLiteral("+"),
                                         formatDuration(std::abs(delta))));
                m_timeline->setPreviewShift(src.id, delta);
            };
            const QList<SourceRow> sources = a.value.sources;
            auto loadRef = [this, events, refSource, ref, picker, update, sources, originOf] {
                const qint64 id = refSource->currentData().toLongLong();
                SourceRow row;
                for (const SourceRow &r : sources)
                    if (r.id == id) row = r;
                queries()->ask<QList<SourceEvent>>(
                    ref, "align-ref", [id](const Db &db) { return sourceEvents(db, id); },
                    [events, id, ref, picker, update, row,
                     originOf](const Answer<QList<SourceEvent>> &e) {
                        if (!e.ok()) return;
                        events->insert(id, e.value);
                        const QSignalBlocker block(ref);
                        picker(e.value, originOf(row, e.value), ref);
                        update();
                    });
            };
            connect(refSource, &QComboBox::currentIndexChanged, dlg, loadRef);
            loadRef();
            connect(own, &QComboBox::currentTextChanged, dlg, update);
            connect(ref, &QComboBox::currentTextChanged, dlg, update);
            connect(buttons, &QDialogButtonBox::rejected, dlg, &QDialog::reject);
            connect(dlg, &QDialog::finished, this, [this] { m_timeline->setPreviewShift(0, 0); });
            connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, dlg,
                    [this, dlg, chosen, src, refSource] {
                        const auto c = chosen();
                        if (!c) return;
                        const SourceEvent mine = c->first, theirs = c->second;
                        QString refPath = refSource->currentText();
                        const QString method = eventAlignmentMethod(mine, refPath, theirs);
                        applySourceOffset(
                            src.id,
                            [mine, theirs](TimeNs current) {
                                return offsetAligning(current, mine, theirs);
                            },
                            method);
                        dlg->accept();
                    });
            dlg->open();
        });
}

void MainWindow::editNotes(std::function<qint64(Session &)> fn)
{
    m_controller->edit(this, std::move(fn), [this](const Answer<qint64> &a) {
        if (!a.ok()) {
            statusBar()->showMessage(a.error, 8000);
            return;
        }
        refreshNotes();
        emit noteAdded(a.value);
    });
}

void MainWindow::removeNote(qint64 id)
{
    if (!hasSession()) return;
    editNotes([id](Session &s) {
        deleteNote(s.db(), id);
        return id;
    });
}

void MainWindow::jumpToNote(qint64 id)
{
    const Note *n = noteById(id);
    if (!n) return;
    if (n->requestId) {
        selectRequest(n->requestId, true);
    } else if (n->start != kNoTime && n->end != kNoTime) {
        const TimeNs pad = std::max<TimeNs>((n->end - n->start) / 10, 1000);
        m_ranges->setVisible(TimeRange{n->start - pad, n->end + pad});
    }
}

void MainWindow::stopTimelineLoad()
{
    ++m_timelineGen;
    if (m_loaderCancel) m_loaderCancel->store(true);
    m_loader.clear();
    m_loader.waitIdle();
    m_loaderCancel.reset();
}

void MainWindow::loadTimeline()
{
    stopTimelineLoad();
    m_timelineReady = false;
    m_timelineModel.reset();
    m_timeline->setModel(nullptr);
    m_timeline->setLoadingText(tr("Loading the timeline…"));
    m_waterfall->setModel(nullptr);
    const quint64 gen = m_timelineGen;
    const QString path = m_controller->path();
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_loaderCancel = cancel;
    // On the timeline worker with a read-only connection of its own (a long
    // read that must not hold up the query service's small ones). SQLite
    // connections are not shared
    // across threads. Two stages: the lanes a first screen shows (by index),
    // then everything (one table scan, levels built on all cores).
    // A session too big to hold ends windowed: its second stage reads
    // everything but the spans of lanes off screen, which are read as they
    // come into view (readTimelineLanes).
    m_loader.post([this, gen, path, cancel, windowedSpans = m_windowedSpans] {
        QString error;
        try {
            const Session s = Session::open(path, Session::Open::ReadOnly);
            const Db &db = s.db();
            const bool windowed = TimelineModel::countSpans(db) > windowedSpans;
            for (const int stage : {0, 1}) {
                auto model = std::make_shared<TimelineModel>();
                if (stage == 0)
                    model->load(db, cancel.get(), 48);
                else // windowed: the first screen's lanes come from stage 0 (adoptLanes)
                    model->load(db, cancel.get(), windowed ? 0 : -1, windowed);
                if (cancel->load()) return;
                const bool final = !model->isPartial();
                QMetaObject::invokeMethod(
                    this, [this, gen, model, final] { onTimelineModel(gen, model, final); },
                    Qt::QueuedConnection);
                if (final) return;
            }
        } catch (const DbError &e) {
            error = e.message();
        }
        if (cancel->load() || error.isEmpty()) return;
        QMetaObject::invokeMethod(
            this,
            [this, gen, error] {
                if (gen != m_timelineGen) return;
                m_timeline->setLoadingText(tr("Could not load the timeline: %1").arg(error));
                statusBar()->showMessage(error, 15000);
            },
            Qt::QueuedConnection);
    });
}

QString MainWindow::searchStatus() const
{
    return m_searchLabel->text();
}

void MainWindow::readTimelineLanes(const QList<qint64> &laneIds, TimeRange window)
{
    if (!m_timelineModel || !m_timelineModel->isWindowed() || !m_loaderCancel) return;
    const quint64 gen = m_timelineGen;
    const QString path = m_controller->path();
    const LaneReadContext ctx = m_timelineModel->laneReadContext();
    const std::vector<qint64> ids(laneIds.begin(), laneIds.end());
    m_loader.post([this, gen, path, ctx, ids, window, cancel = m_loaderCancel] {
        auto data = std::make_shared<std::vector<LaneData>>();
        try {
            const Session s = Session::open(path, Session::Open::ReadOnly);
            *data = TimelineModel::readLanes(s.db(), ids, ctx, cancel.get(), window);
        } catch (const DbError &e) {
            const QString error = e.message();
            QMetaObject::invokeMethod(
                this,
                [this, gen, error] {
                    statusBar()->showMessage(error, 15000);
                    if (gen == m_timelineGen) m_timeline->lanesInstalled(true);
                },
                Qt::QueuedConnection);
            return;
        }
        if (cancel->load()) return;
        QMetaObject::invokeMethod(
            this,
            [this, gen, data] {
                if (gen != m_timelineGen || !m_timelineModel) return;
                m_timelineModel->installLanes(std::move(*data), m_timeline->lanesOnScreen(),
                                              m_windowBudget);
                m_timeline->lanesInstalled();
            },
            Qt::QueuedConnection);
    });
}

void MainWindow::onTimelineModel(quint64 gen, std::shared_ptr<TimelineModel> model, bool final)
{
    if (gen != m_timelineGen) return; // a newer load superseded this one
    const bool keep = m_timelineModel != nullptr;
    if (keep && model->isWindowed()) model->adoptLanes(*m_timelineModel);
    m_timelineModel = model;
    m_timeline->setModel(model, keep);
    // (A first screen's model has no request labels or phases: the waterfall waits.)
    if (final) m_waterfall->setModel(model);
    if (!keep && selectedRequest()) m_timeline->selectRequest(selectedRequest(), true);
    m_waterfall->setSelectedRequest(selectedRequest());
    if (!keep && selectedRequest()) {
        const auto it = m_paths.constFind(selectedRequest());
        if (it != m_paths.constEnd()) showPath(selectedRequest(), *it);
    }
    if (final) {
        m_timelineReady = true;
        emit timelineLoaded();
#ifdef __GLIBC__
        // The loader's threads freed hundreds of megabytes of buffers in
        // their own malloc arenas, which the GUI thread never reuses: give
        // them back.
        malloc_trim(0);
#endif
    }
}

void MainWindow::selectRequest(qint64 id, bool zoom)
{
    if (!hasSession() || id <= 0) return;
    m_selection->selectRequest(id,
                               zoom ? SelectionModel::Zoom::ToRequest : SelectionModel::Zoom::No);
}

void MainWindow::onRequestSelected(qint64 id, SelectionModel::Zoom zoom)
{
    if (m_stats && !m_statsStale) m_stats->setSelectedRequest(id);
    const int row = m_model->rowOfRequest(id);
    if (row >= 0) {
        // The table follows the selection; its own signal would select again.
        const QSignalBlocker block(m_table->selectionModel());
        m_table->selectRow(row);
        m_table->scrollTo(m_model->index(row, 0));
    }
    m_timeline->selectRequest(id, zoom == SelectionModel::Zoom::ToRequest);
    m_waterfall->setSelectedRequest(id);
    if (!id) {
        m_details->clear();
        m_timeline->setCriticalPath({});
        emit requestSelected(id);
        return;
    }
    queries()->requestDetails(this, id, [this, id](const Answer<std::optional<RequestDetails>> &a) {
        if (id != selectedRequest()) return;
        if (!a.ok()) {
            m_details->setError(a.error);
            return;
        }
        if (!a.value) {
            m_details->clear();
            return;
        }
        m_details->setData(*a.value);
        m_flame->setRequest(id, a.value->row.key.toUtf8());
    });
    // The critical path: computed once per request and session generation.
    const auto cached = m_paths.constFind(id);
    if (cached != m_paths.constEnd()) {
        showPath(id, *cached);
    } else {
        m_timeline->setCriticalPath({});
        queries()->criticalPath(this, id, [this, id](const Answer<std::vector<PathSegment>> &a) {
            if (!a.ok()) return;
            m_paths.insert(id, a.value);
            if (id == selectedRequest()) showPath(id, a.value);
        });
    }
    emit requestSelected(id);
}

void MainWindow::showPath(qint64, const std::vector<PathSegment> &path)
{
    std::vector<TimelineWidget::PathMark> marks;
    for (const PathSegment &seg : path)
        marks.push_back({seg.laneId, TimeRange{seg.start, seg.end}, seg.hop});
    m_timeline->setCriticalPath(std::move(marks));
}

void MainWindow::onSpanClicked(qint64 laneId, TimeNs start, int depth, qint64 requestId)
{
    if (!hasSession()) return;
    if (requestId > 0) m_selection->selectRequest(requestId);
    queries()->spanAt(this, laneId, start, depth,
                      [this, laneId, requestId](const Answer<std::optional<SpanDetail>> &a) {
                          if (!a.ok() || !a.value) return;
                          m_details->showSpan(*a.value);
                          // N now pins a note to this span.
                          m_selection->selectSpan(a.value->id, laneId, requestId);
                      });
}

void MainWindow::importFiles(const QStringList &inputs)
{
    const QStringList files = expandInputs(inputs);
    if (files.isEmpty()) {
        statusBar()->showMessage(
            tr("Nothing to import in %1").arg(inputs.join(QStringLiteral(", "))), 8000);
        return;
    }
    if (!hasSession() && !openSession(newSessionPathFor(inputs))) return;
    if (importRunning()) {
        statusBar()->showMessage(tr("An import is already running."), 5000);
        return;
    }
    m_errors.clear();
    // The views keep showing the last commit while the import writes (WAL);
    // the controller's changed() refreshes them when it ends.
    if (!m_controller->startImport(files)) return;
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
}

void MainWindow::onFileFinished(const ImportResult &r)
{
    if (r.duplicateOf) { // skipped, not failed: the session holds these bytes already
        statusBar()->showMessage(r.error, 10000);
        return;
    }
    if (!r.ok && !r.cancelled) {
        m_errors << r.error;
        refreshSources();
    }
    if (!r.ok) statusBar()->showMessage(r.error, 10000);
}

void MainWindow::cancelImport()
{
    m_controller->cancelImport();
}

bool MainWindow::settle(int ms)
{
    QElapsedTimer t;
    t.start();
    // Answers may ask again (a page after the ids, the flame graph after the
    // profile types): settle until the service stays idle.
    // A windowed timeline's lanes on screen count too.
    auto lanesPending = [this] { return m_timelineReady && m_timeline->lanesPending(); };
    do {
        if (!queries()->settle(int(std::max<qint64>(1, ms - t.elapsed())))) return false;
        if (lanesPending()) m_loader.waitIdle(int(std::max<qint64>(1, ms - t.elapsed())));
        QCoreApplication::processEvents();
    } while ((!queries()->settle(0) || lanesPending()) && t.elapsed() < ms);
    return t.elapsed() < ms;
}

void MainWindow::dragEnterEvent(QDragEnterEvent *e)
{
    if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::openPaths(const QStringList &paths)
{
    QStringList traces;
    for (const QString &p : paths) {
        if (p.endsWith(QLatin1String(".lanescope")))
            openSession(p);
        else
            traces << p;
    }
    if (traces.isEmpty()) return;
    if (hasSession()) {
        // Files opened into an open session: add them, or start a new one
        // beside the first file (never append without asking).
        const AddOrNew choice = m_askAddOrNew ? m_askAddOrNew(traces) : askAddOrNew(traces);
        if (choice == AddOrNew::Cancel) return;
        if (choice == AddOrNew::New && !openSession(newSessionPathFor(traces))) return;
    }
    importFiles(traces);
}

// A new session for imported files: beside the first of them, else in the
// home folder when that folder is not writable.
QString MainWindow::newSessionPathFor(const QStringList &inputs)
{
    const QFileInfo first(inputs.first());
    const QString dir = first.isDir() ? first.absoluteFilePath() : first.absolutePath();
    const QString name = first.completeBaseName() + QStringLiteral(".lanescope");
    return QFileInfo(dir).isWritable() ? QDir(dir).filePath(name) : QDir::home().filePath(name);
}

MainWindow::AddOrNew MainWindow::askAddOrNew(const QStringList &files)
{
    QMessageBox box(QMessageBox::Question, tr("Open files"),
                    tr("Add %n file(s) to the open session, or open them in a new session?",
                       nullptr, int(files.size())),
                    QMessageBox::Cancel, this);
    QPushButton *add = box.addButton(tr("Add to This Session"), QMessageBox::AcceptRole);
    QPushButton *fresh = box.addButton(tr("New Session"), QMessageBox::ActionRole);
    box.setDefaultButton(add);
    box.exec();
    if (box.clickedButton() == add) return AddOrNew::Add;
    if (box.clickedButton() == fresh) return AddOrNew::New;
    return AddOrNew::Cancel;
}

void MainWindow::dropEvent(QDropEvent *e)
{
    QStringList files;
    for (const QUrl &u : e->mimeData()->urls())
        if (u.isLocalFile()) files << u.toLocalFile();
    openPaths(files);
}

static QString demoDir()
{
    // Installed layout first, then the source tree the binary was built from.
    const QStringList candidates{QCoreApplication::applicationDirPath() +
                                     QStringLiteral("/../share/lanescope/demo"),
                                 QStringLiteral(LANESCOPE_SOURCE_DIR "/resources/demo")};
    for (const QString &c : candidates)
        if (QFileInfo(c).isDir()) return QFileInfo(c).canonicalFilePath();
    return QString();
}

void MainWindow::openDemo()
{
    const QString dir = demoDir();
    if (dir.isEmpty()) {
        statusBar()->showMessage(tr("The demo files are not installed."), 8000);
        return;
    }
    const QString session = QDir::temp().filePath(QStringLiteral("lanescope-demo.lanescope"));
    QFile::remove(session);
    if (openSession(session)) importFiles({dir});
}

void MainWindow::openFilesDialog()
{
    const QStringList files =
        QFileDialog::getOpenFileNames(this, tr("Open trace files or a session"));
    openPaths(files);
}

void MainWindow::openFolderDialog()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a folder of traces"));
    if (!dir.isEmpty()) importFiles({dir});
}

void MainWindow::openSessionDialog()
{
    const QString f = QFileDialog::getSaveFileName(this, tr("Open or create a session"), QString(),
                                                   tr("Lanescope sessions (*.lanescope)"), nullptr,
                                                   QFileDialog::DontConfirmOverwrite);
    if (!f.isEmpty()) openSession(f);
}

// ---------------------------------------------------------------------------

int runGui(const QStringList &args)
{
    MainWindow w;
    w.resize(1600, 1000);
    w.show();
    QStringList traces;
    for (const QString &a : args) {
        if (a.endsWith(QLatin1String(".lanescope")))
            w.openSession(a);
        else
            traces << a;
    }
    if (!traces.isEmpty()) w.importFiles(traces);
    return QApplication::exec();
}

static bool waitFor(const std::function<bool()> &done, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < ms) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(5);
    }
    return done();
}

int screenshotCommand(const QStringList &args)
{
    QTextStream err(stderr);
    const char *usage =
        "Usage: lanescope screenshot SESSION -o out.png [--request KEY] "
        "[--view timeline|waterfall|flame|requests|details|stats|shortcuts] [--size "
        "1600x1000] [--whole]\n"
        "  --whole: show the whole session instead of zooming to the request\n";
    cli::Args a;
    QString parseError;
    if (!cli::parseArgs(args,
                        {QStringLiteral("-o"), QStringLiteral("--output"), QStringLiteral("--size"),
                         QStringLiteral("--request"), QStringLiteral("--view")},
                        {QStringLiteral("--whole"), QStringLiteral("--help"), QStringLiteral("-h")},
                        &a, &parseError)) {
        err << "lanescope screenshot: " << parseError << "\n" << usage;
        return 2;
    }
    if (a.has(QStringLiteral("--help")) || a.has(QStringLiteral("-h"))) {
        QTextStream(stdout) << usage;
        return 0;
    }
    const QString session = a.positional.value(0);
    const QString output = a.value(QStringLiteral("-o"), a.value(QStringLiteral("--output")));
    const QString size = a.value(QStringLiteral("--size"), QStringLiteral("1600x1000"));
    const QString request = a.value(QStringLiteral("--request"));
    const QString view = a.value(QStringLiteral("--view"), QStringLiteral("timeline"));
    const bool whole = a.has(QStringLiteral("--whole"));
    const QStringList wh = size.split(QLatin1Char('x'));
    static const QStringList views{QStringLiteral("timeline"), QStringLiteral("waterfall"),
                                   QStringLiteral("requests"), QStringLiteral("details"),
                                   QStringLiteral("stats"),    QStringLiteral("flame"),
                                   QStringLiteral("shortcuts")};
    if (session.isEmpty() || a.positional.size() > 1 || output.isEmpty() || wh.size() != 2 ||
        wh[0].toInt() < 200 || wh[1].toInt() < 150 || !views.contains(view)) {
        err << usage;
        return 2;
    }
    if (!QFileInfo::exists(session)) {
        err << "lanescope screenshot: " << session << ": no such session file\n";
        return 1;
    }
    const QSize sz(wh[0].toInt(), wh[1].toInt());
    MainWindow w;
    // A screenshot is reproducible: it ignores the saved layout.
    w.restoreState(QByteArray());
    w.resize(sz);
    if (!w.openSession(session)) {
        err << "lanescope screenshot: cannot open " << session << "\n";
        return 1;
    }
    w.show();
    if (!waitFor([&] { return w.timelineReady(); }, 120000) || !w.settle()) {
        err << "lanescope screenshot: the timeline did not load\n";
        return 1;
    }
    qint64 rid = 0;
    if (!request.isEmpty()) {
        w.queries()->ask<qint64>(
            &w, {},
            [request](const Db &db) {
                const auto r = requestByKey(db, request);
                return r ? r->id : qint64(0);
            },
            [&rid](const Answer<qint64> &a) { rid = a.value; });
        w.settle();
        if (!rid) {
            err << "lanescope screenshot: no request with key " << request << "\n";
            return 1;
        }
    } else if (w.requestModel()->rowCount() > 0) {
        rid = w.requestModel()->idAt(0); // the slowest
    }
    if (rid) w.selectRequest(rid, true);
    if (whole) w.timeline()->fitAll();
    w.settle();
    if (view == QLatin1String("flame")) w.centralTabs()->setCurrentIndex(2);
    if (view == QLatin1String("waterfall")) {
        w.centralTabs()->setCurrentIndex(1);
        w.waterfall()->rebuildNow();
        w.settle();
    }
    QWidget *target = &w;
    if (view == QLatin1String("shortcuts")) {
        w.showShortcuts();
        target = w.findChild<QDialog *>(QStringLiteral("shortcuts"));
        target->resize(sz);
    }
    if (view == QLatin1String("stats")) w.refreshStats();
    w.settle();
    if (view == QLatin1String("requests") || view == QLatin1String("details") ||
        view == QLatin1String("stats")) {
        QDockWidget *d = view == QLatin1String("requests")  ? w.requestsDock()
                         : view == QLatin1String("details") ? w.detailsDock()
                                                            : w.statsDock();
        d->setFloating(true);
        d->resize(sz);
        d->show();
        target = d;
    }
    waitFor([] { return false; }, 300);
    const QPixmap pm = target->grab();
    if (!pm.save(output)) {
        err << "lanescope screenshot: cannot write " << output << "\n";
        return 1;
    }
    QTextStream(stdout) << "wrote " << output << "\n";
    return 0;
}

} // namespace ls::gui
