#include "mainwindow.h"

#include "registry.h"
#include "units.h"

#include <QAction>
#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTextStream>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace ls::gui {

// ---------------------------------------------------------------------------

void RequestTableModel::setRows(std::vector<RequestRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

const RequestRow *RequestTableModel::row(int r) const
{
    return r >= 0 && size_t(r) < m_rows.size() ? &m_rows[size_t(r)] : nullptr;
}

int RequestTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
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
    const RequestRow *r = row(index.row());
    if (!r) return {};
    const int c = index.column();
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
        case Start:
            return formatTime(r->start);
        case Total:
            return r->duration() < 0 ? QString() : formatDuration(r->duration());
        case Error:
            return r->error;
        default: {
            const qint64 v = phaseOf(*r, c);
            return v < 0 ? QString() : formatDuration(v);
        }
        }
    }
    if (role == Qt::ForegroundRole && c == Status) {
        if (r->status >= 500 || r->status == 0) return QColor(0xd3, 0x2f, 0x2f);
        if (r->status >= 400) return QColor(0xe6, 0x7e, 0x22);
    }
    if (role == Qt::TextAlignmentRole && (c == Status || c >= Total) && c != Error)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && c == Url) return r->url;
    return {};
}

QVariant RequestTableModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    static const char *const names[] = {"Key",   "Method",  "URL",     "Status", "Start",
                                        "Total", "DNS",     "Connect", "TLS",    "Send",
                                        "TTFB",  "Receive", "Error"};
    return QCoreApplication::translate("RequestTableModel", names[section]);
}

void RequestTableModel::sort(int column, Qt::SortOrder order)
{
    beginResetModel();
    auto key = [column](const RequestRow &r) -> qint64 {
        switch (column) {
        case Status:
            return r.status;
        case Start:
            return r.start;
        case Total:
            return r.duration();
        default:
            return column >= Dns && column <= Receive ? phaseOf(r, column) : 0;
        }
    };
    const bool text = column == Key || column == Method || column == Url || column == Error;
    std::stable_sort(m_rows.begin(), m_rows.end(), [&](const RequestRow &a, const RequestRow &b) {
        bool less;
        if (text) {
            const QString &x = column == Key      ? a.key
                               : column == Method ? a.method
                               : column == Url    ? a.url
                                                  : a.error;
            const QString &y = column == Key      ? b.key
                               : column == Method ? b.method
                               : column == Url    ? b.url
                                                  : b.error;
            less = x < y;
            return order == Qt::AscendingOrder ? less : y < x;
        }
        return order == Qt::AscendingOrder ? key(a) < key(b) : key(b) < key(a);
    });
    endResetModel();
}

// ---------------------------------------------------------------------------

MainWindow::MainWindow()
{
    setWindowTitle(QStringLiteral("Lanescope"));
    setAcceptDrops(true);
    m_stack = new QStackedWidget(this);
    setCentralWidget(m_stack);
    buildStartPage();
    buildSessionPage();
    buildMenus();
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(260);
    m_progress->hide();
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->hide();
    connect(m_cancel, &QPushButton::clicked, this, &MainWindow::cancelImport);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    refreshRecent();
}

MainWindow::~MainWindow()
{
    QSettings().setValue(QStringLiteral("window/geometry"), saveGeometry());
    if (m_job) m_job->cancel();
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
    connect(m_recent, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *it) { this->openSession(it->data(Qt::UserRole).toString()); });
    lay->addWidget(new QLabel(tr("Drop trace files or a folder anywhere in this window.")));
    m_stack->addWidget(page);
}

void MainWindow::buildSessionPage()
{
    auto *page = new QWidget;
    auto *lay = new QVBoxLayout(page);
    auto *top = new QHBoxLayout;
    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("filter: status>=500 dur>200ms host:api text"));
    m_filter->setClearButtonEnabled(true);
    m_summary = new QLabel;
    top->addWidget(m_filter, 1);
    top->addWidget(m_summary);
    lay->addLayout(top);
    connect(m_filter, &QLineEdit::returnPressed, this, [this] { applyFilter(m_filter->text()); });
    auto *split = new QSplitter(Qt::Vertical);
    m_model = new RequestTableModel(this);
    m_table = new QTableView;
    m_table->setModel(m_model);
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(22);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    split->addWidget(m_table);
    m_sources = new QTreeWidget;
    m_sources->setHeaderLabels(
        {tr("Source"), tr("Format"), tr("Clock"), tr("Events"), tr("Requests"), tr("Status")});
    split->addWidget(m_sources);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    lay->addWidget(split, 1);
    m_stack->addWidget(page);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Files…"), QKeySequence::Open, this, &MainWindow::openFilesDialog);
    file->addAction(tr("Open &Folder…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this,
                    &MainWindow::openFolderDialog);
    file->addAction(tr("Open &Session…"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O), this,
                    &MainWindow::openSessionDialog);
    file->addAction(tr("Open &Demo"), this, &MainWindow::openDemo);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Start Page"), QKeySequence(Qt::CTRL | Qt::Key_Home), this,
                    [this] { m_stack->setCurrentIndex(0); });
    view->addAction(tr("Focus &Filter"), QKeySequence::Find, this, [this] {
        if (m_session) {
            m_stack->setCurrentIndex(1);
            m_filter->setFocus();
        }
    });
}

void MainWindow::refreshRecent()
{
    m_recent->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recent/sessions")).toStringList();
    for (const QString &p : recent) {
        auto *it = new QListWidgetItem(QStringLiteral("%1\n%2").arg(QFileInfo(p).fileName(), p));
        it->setData(Qt::UserRole, p);
        m_recent->addItem(it);
    }
    if (recent.isEmpty()) m_recent->addItem(tr("(none yet)"));
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
    try {
        m_session.emplace(Session::open(path));
    } catch (const DbError &e) {
        statusBar()->showMessage(e.message(), 15000);
        return false;
    }
    addRecent(path);
    setWindowTitle(QStringLiteral("%1 — Lanescope").arg(QFileInfo(path).fileName()));
    m_stack->setCurrentIndex(1);
    refresh();
    return true;
}

void MainWindow::applyFilter(const QString &text)
{
    if (!m_session) return;
    FilterError fe;
    if (!RequestFilter::parse(text, &fe)) {
        statusBar()->showMessage(tr("Filter: %1").arg(fe.message), 8000);
        m_filter->setStyleSheet(QStringLiteral("QLineEdit { border: 1px solid #d32f2f; }"));
        return;
    }
    m_filter->setStyleSheet(QString());
    m_filter->setText(text);
    RequestQuery q;
    q.filter = text;
    std::vector<RequestRow> rows = queryRequests(m_session->db(), q);
    std::vector<qint64> durs;
    for (const RequestRow &r : rows)
        if (r.duration() >= 0) durs.push_back(r.duration());
    const qsizetype n = qsizetype(rows.size());
    m_model->setRows(std::move(rows));
    if (durs.empty()) {
        m_summary->setText(tr("%1 requests").arg(n));
    } else {
        m_summary->setText(tr("p50 %1  p99 %2  max %3  ·  %4 requests")
                               .arg(formatDuration(percentile(durs, 50)),
                                    formatDuration(percentile(durs, 99)),
                                    formatDuration(percentile(durs, 100)))
                               .arg(n));
    }
}

void MainWindow::refresh()
{
    if (!m_session) return;
    applyFilter(m_filter->text());
    m_table->resizeColumnsToContents();
    m_table->setColumnWidth(RequestTableModel::Url,
                            std::min(m_table->columnWidth(RequestTableModel::Url), 320));
    m_sources->clear();
    for (const SourceRow &s : querySources(m_session->db())) {
        auto *it =
            new QTreeWidgetItem({QFileInfo(s.path).fileName(), s.format,
                                 QStringLiteral("%1 (%2)").arg(s.clock, s.clockMethod),
                                 QString::number(s.events), QString::number(s.requests), s.status});
        it->setToolTip(0, s.path);
        for (const DiagnosticRow &d : s.diagnostics) {
            auto *c = new QTreeWidgetItem(
                it, {QStringLiteral("%1 %2 ×%3").arg(d.severity, d.code).arg(d.count), d.message});
            c->setToolTip(1, d.message);
        }
        m_sources->addTopLevelItem(it);
    }
    for (const QString &e : std::as_const(m_errors)) {
        auto *it = new QTreeWidgetItem({tr("failed"), e});
        it->setForeground(0, QColor(0xd3, 0x2f, 0x2f));
        it->setToolTip(1, e);
        m_sources->addTopLevelItem(it);
    }
    m_sources->expandAll();
    m_sources->resizeColumnToContents(0);
}

void MainWindow::importFiles(const QStringList &inputs)
{
    const QStringList files = expandInputs(inputs);
    if (files.isEmpty()) return;
    if (!m_session) {
        const QFileInfo first(inputs.first());
        const QString dir = first.isDir() ? first.absoluteFilePath() : first.absolutePath();
        QString path = QDir(dir).filePath(first.completeBaseName() + QStringLiteral(".lanescope"));
        if (!QFileInfo(dir).isWritable())
            path = QDir::home().filePath(first.completeBaseName() + QStringLiteral(".lanescope"));
        if (!openSession(path)) return;
    }
    if (m_job) return;
    m_errors.clear();
    m_job =
        std::make_unique<ImportJob>(m_session->path(), files, builtinImporters(), ++m_generation);
    const quint64 gen = m_generation;
    connect(m_job.get(), &ImportJob::progress, this,
            [this, gen](int i, int n, const ImportProgress &p) {
                if (gen != m_generation) return;
                m_progress->setValue(p.permille);
                m_progress->setFormat(tr("%1/%2 %3 %p%").arg(i + 1).arg(n).arg(p.stage));
            });
    connect(m_job.get(), &ImportJob::fileFinished, this, &MainWindow::onFileFinished);
    connect(m_job.get(), &ImportJob::finished, this, [this, gen](bool cancelled) {
        if (gen != m_generation) return;
        m_progress->hide();
        m_cancel->hide();
        m_job.reset();
        // The worker wrote through its own connection; re-read.
        refresh();
        statusBar()->showMessage(cancelled ? tr("Import cancelled; the session is unchanged.")
                                           : tr("Import finished."),
                                 8000);
        emit importsFinished(cancelled);
    });
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
    m_job->start();
}

void MainWindow::onFileFinished(const ImportResult &r)
{
    if (!r.ok && !r.cancelled) m_errors << r.error;
    if (!r.ok) statusBar()->showMessage(r.error, 10000);
}

void MainWindow::cancelImport()
{
    if (m_job) m_job->cancel();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *e)
{
    if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *e)
{
    QStringList files;
    for (const QUrl &u : e->mimeData()->urls())
        if (u.isLocalFile()) files << u.toLocalFile();
    if (files.size() == 1 && files.first().endsWith(QLatin1String(".lanescope")))
        openSession(files.first());
    else
        importFiles(files);
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
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Open trace files"));
    if (files.size() == 1 && files.first().endsWith(QLatin1String(".lanescope")))
        openSession(files.first());
    else if (!files.isEmpty())
        importFiles(files);
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
    w.resize(1400, 900);
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

int screenshotCommand(const QStringList &args)
{
    QTextStream err(stderr);
    QString session, output, size = QStringLiteral("1600x1000");
    for (int i = 0; i < args.size(); ++i) {
        if ((args[i] == QLatin1String("-o") || args[i] == QLatin1String("--output")) &&
            i + 1 < args.size())
            output = args[++i];
        else if (args[i] == QLatin1String("--size") && i + 1 < args.size())
            size = args[++i];
        else if (args[i] == QLatin1String("--help")) {
            QTextStream(stdout)
                << "Usage: lanescope screenshot SESSION -o out.png [--size 1600x1000]\n";
            return 0;
        } else if (session.isEmpty())
            session = args[i];
    }
    const QStringList wh = size.split(QLatin1Char('x'));
    if (session.isEmpty() || output.isEmpty() || wh.size() != 2) {
        err << "Usage: lanescope screenshot SESSION -o out.png [--size 1600x1000]\n";
        return 2;
    }
    if (!QFileInfo::exists(session)) {
        err << "lanescope screenshot: " << session << ": no such session file\n";
        return 1;
    }
    MainWindow w;
    w.resize(wh[0].toInt(), wh[1].toInt());
    if (!w.openSession(session)) {
        err << "lanescope screenshot: cannot open " << session << "\n";
        return 1;
    }
    w.show();
    QCoreApplication::processEvents();
    const QPixmap pm = w.grab();
    if (!pm.save(output)) {
        err << "lanescope screenshot: cannot write " << output << "\n";
        return 1;
    }
    QTextStream(stdout) << "wrote " << output << "\n";
    return 0;
}

} // namespace ls::gui
