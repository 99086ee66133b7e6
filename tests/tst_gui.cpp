// The desktop app on the offscreen platform, against a session imported
// from the shared corpus: selecting the slowest request zooms the timeline to
// it and fills the details; clicking its bar on the timeline selects it
// again; the filter box uses the CLI's language; cancelling an import leaves
// the session file byte for byte unchanged; the lazy request model passes
// QAbstractItemModelTester; every view renders in a screenshot.

#include "analysis.h"
#include "annotations.h"
#include "capturedialog.h"
#include "detailspanel.h"
#include "fakeservice.h"
#include "flamegraphview.h"
#include "mainwindow.h"
#include "palette.h"
#include "queries.h"
#include "queryservice.h"
#include "registry.h"
#include "report.h"
#include "statspanel.h"
#include "synthetic.h"
#include "testsupport.h"
#include "timeline.h"
#include "timelinewidget.h"
#include "units.h"
#include "viewpalette.h"
#include "waterfallview.h"

#include <QAbstractItemModelTester>
#include <QBarSet>
#include <QComboBox>
#include <QCompleter>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>
#include <QTreeWidget>
#include <QWheelEvent>

#include <algorithm>

#include <qcustomplot.h>

using namespace ls;
using namespace ls::gui;

namespace {

// Asks for every page of the request table and waits for them: the model
// fetches rows through the query service, a page at a time.
void loadAllRows(MainWindow &w)
{
    RequestTableModel *m = w.requestModel();
    for (int r = 0; r < m->rowCount(); r += RequestTableModel::kPage)
        m->row(r);
    QVERIFY(w.settle());
}

} // namespace

class TstGui : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void selectSlowestRequest();
    void clickSpanSelectsRequest();
    void rawTextAndSourceLocation();
    void filterStatus_data();
    void filterStatus();
    void cancelledImportLeavesSessionUnchanged();
    void staysResponsiveDuringImport();
    void filterAsYouType();
    void shiftSourceClock();
    void exportReportFromTheWindow();
    void openingFilesIntoASessionAsks();
    void requestFocusBringsTheStoryIntoView_data();
    void requestFocusBringsTheStoryIntoView();
    void coarseLanesReadTheirSpansWhenZoomedIn();
    void rulerReadsAtAnyOffset();
    void sessionBrokenUnderTheApp();
    void lazyModelWithManyRows();
    void failedImportShowsInSources();
    void rawDumpsClickThrough();
    void pinnedLanesStayOnTop();
    void captureFromTheWindow();
    void detailsOpenOnATabWithContent();
    void waterfallFollowsTimeline();
    void stepColoursAreDistinct();
    void renderHttp_data();
    void renderHttp();
    void timelineNavigation();
    void shortcutsListed();
    void statsFollowFilter();
    void notesPanel();
    void classColumn();
    void flameGraph();
    void compareRequests();
    void screenshots_data();
    void screenshots();

private:
    // Opens a session (the shared one by default), waits for the timeline and the first answers.
    void openWindow(MainWindow &w, const QString &path = QString());
    // A fresh copy of the shared session under this name (for tests that write).
    QString sessionCopy(const QString &name);
    QTemporaryDir m_dir;
    QString m_session;
};

void TstGui::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("LanescopeTest"));
    m_session = m_dir.filePath(QStringLiteral("gen.lanescope"));
    Session s = Session::open(m_session);
    // The gen corpus's HTTP evidence and the server's execution trace.
    for (const char *f : {"gen/client.log", "gen/client_httptrace.jsonl", "gen/server.jsonl",
                          "gen/cpu.pprof", "gen/ab.tsv", "gen/trace.out"}) {
        const ImportResult r = importFile(s, test::corpus(QLatin1String(f)), builtinImporters());
        QVERIFY2(r.ok, qPrintable(r.error));
    }
    QCOMPARE(countRequests(s.db()), qint64(500));
}

void TstGui::openWindow(MainWindow &w, const QString &path)
{
    w.resize(1600, 1000);
    QVERIFY(w.openSession(path.isEmpty() ? m_session : path));
    w.show();
    QTRY_VERIFY_WITH_TIMEOUT(w.timelineReady(), 30000);
    QVERIFY(w.settle());
    QVERIFY(w.settle());
}

QString TstGui::sessionCopy(const QString &name)
{
    const QString copy = m_dir.filePath(name);
    QFile::remove(copy);
    if (!QFile::copy(m_session, copy))
        qFatal("cannot copy the test session to %s", qPrintable(copy));
    return copy;
}

void TstGui::selectSlowestRequest()
{
    MainWindow w;
    openWindow(w);
    RequestTableModel *m = w.requestModel();
    QVERIFY(m->rowCount() >= 100);
    loadAllRows(w);
    // Slowest first.
    for (int r = 1; r < m->rowCount(); ++r)
        QVERIFY(m->row(r - 1)->duration() >= m->row(r)->duration());
    const RequestRow slowest = *m->row(0);
    w.requestView()->selectRow(0);
    QVERIFY(w.settle());
    QCOMPARE(w.selectedRequest(), slowest.id);
    const TimeRange range = w.timeline()->range();
    QVERIFY(range.contains(TimeRange{slowest.start, slowest.end}));
    QVERIFY(range.length() <
            (slowest.end - slowest.start) * 2); // zoomed to it, not the whole trace
    QCOMPARE(w.timeline()->selectedRequest(), slowest.id);
    // The details show this request: title, phases with shares of it.
    QCOMPARE(w.details()->requestId(), slowest.id);
    QVERIFY(w.details()->rawRequestText().size() > 0);
    // Without the load test, the slowest is the client run's slowest (corpus
    // README), whose raw request the details show as dumped.
    w.applyFilter(QStringLiteral("-loadtest"));
    QVERIFY(w.settle());
    QTRY_VERIFY(m->rowCount() == 300);
    QCOMPARE(m->row(0)->key, QStringLiteral("22132ae4-f0d2-4ffc-bc16-02c560e38222"));
    w.requestView()->selectRow(0);
    QVERIFY(w.settle());
    QCOMPARE(w.details()->requestId(), m->row(0)->id);
    QVERIFY2(
        w.details()->rawRequestText().startsWith(
            QLatin1String("GET http://127.0.0.1:46525/api/downstream HTTP/1.1")) ||
            w.details()->rawRequestText().startsWith(QLatin1String("GET /api/downstream HTTP/1.1")),
        qPrintable(w.details()->rawRequestText().left(80)));
    QVERIFY(w.details()->rawRequestText().contains(
        QLatin1String("X-Trace-Id: 22132ae4-f0d2-4ffc-bc16-02c560e38222")));
    // Request -> handler arrows: the goroutines of the server's execution
    // trace that worked for it, each from when it started to.
    const RequestRow picked = *m->row(0);
    const auto links = w.timeline()->handlerLinks();
    QVERIFY(!links.empty());
    for (const auto &[lane, t] : links) {
        QVERIFY(lane >= 0);
        QVERIFY(t >= picked.start && t <= picked.end);
    }
    const auto *phases = w.details()->findChild<QTableWidget *>();
    QVERIFY(phases);
    QVERIFY(phases->rowCount() > 0);
    // The waterfall follows the timeline's range and shows the request.
    QTRY_VERIFY(w.waterfall()->rowCount() > 0);
}

void TstGui::clickSpanSelectsRequest()
{
    MainWindow w;
    openWindow(w);
    RequestTableModel *m = w.requestModel();
    const qint64 slowest = m->idAt(0);
    w.requestView()->selectRow(0);
    QVERIFY(w.settle());
    // Select another request without moving the view, then click the slowest's bar.
    w.selectRequest(m->idAt(5), false);
    QVERIFY(w.settle());
    QCOMPARE(w.selectedRequest(), m->idAt(5));
    TimelineWidget *tl = w.timeline();
    const auto pt = tl->pointOfRequest(slowest);
    QVERIFY(pt.has_value());
    QSignalSpy spy(tl, &TimelineWidget::requestClicked);
    QTest::mouseClick(tl, Qt::LeftButton, {}, *pt);
    QVERIFY(w.settle());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(w.selectedRequest(), slowest);
    QCOMPARE(w.requestView()->currentIndex().row(), 0);
    QCOMPARE(w.details()->requestId(), slowest);
}

void TstGui::rawTextAndSourceLocation()
{
    // The step-log importer keeps a request's non-step log lines as raw text
    // with their line numbers: the details show them and where they came from.
    // (A server log alone, so the log line is the request's only raw text.)
    const QString path = m_dir.filePath(QStringLiteral("server-only.lanescope"));
    {
        Session s = Session::open(path);
        QVERIFY(
            importFile(s, test::corpus(QStringLiteral("gen/server.jsonl")), builtinImporters()).ok);
    }
    Session s = Session::open(path, Session::Open::ReadOnly);
    const SqlResult r =
        runSql(s.db(), QStringLiteral("SELECT t.request_id, t.line, t.data FROM raw_text t "
                                      "WHERE t.kind = 'log' ORDER BY t.id LIMIT 1"));
    QCOMPARE(r.rows.size(), 1);
    MainWindow w;
    openWindow(w, path);
    w.selectRequest(r.rows[0][0].toLongLong());
    QVERIFY(w.settle());
    QVERIFY(w.details()->sourceLocation().contains(
        QStringLiteral("server.jsonl line %1").arg(r.rows[0][1])));
    auto *logs = w.details()->tabs()->widget(3);
    QVERIFY(logs);
    const QString text = static_cast<QPlainTextEdit *>(logs)->toPlainText();
    QVERIFY2(text.contains(r.rows[0][2].left(60)), qPrintable(text.left(300)));
}

void TstGui::filterStatus_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<int>("minStatus");
    QTest::addColumn<int>("maxStatus");
    QTest::newRow("status>=500") << QStringLiteral("status>=500") << 500 << 599;
    QTest::newRow("status:5xx") << QStringLiteral("status:5xx") << 500 << 599;
    QTest::newRow("status=404") << QStringLiteral("status=404") << 404 << 404;
}

void TstGui::filterStatus()
{
    QFETCH(QString, filter);
    QFETCH(int, minStatus);
    QFETCH(int, maxStatus);
    MainWindow w;
    openWindow(w);
    const int all = w.requestModel()->rowCount();
    w.applyFilter(filter);
    QVERIFY(w.settle());
    RequestTableModel *m = w.requestModel();
    QVERIFY(m->rowCount() > 0);
    QVERIFY(m->rowCount() < all);
    loadAllRows(w);
    for (int r = 0; r < m->rowCount(); ++r) {
        QVERIFY(m->row(r)->status >= minStatus);
        QVERIFY(m->row(r)->status <= maxStatus);
        // The status column is coloured for errors.
        if (minStatus >= 500)
            QVERIFY(m->data(m->index(r, RequestTableModel::Status), Qt::ForegroundRole).isValid());
    }
    // A bad filter keeps the rows and says why (no modal box).
    const int n = m->rowCount();
    w.applyFilter(QStringLiteral("status>=abc"));
    QVERIFY(w.settle());
    QCOMPARE(m->rowCount(), n);
}

void TstGui::cancelledImportLeavesSessionUnchanged()
{
    // A big enough input that the import is still running when cancelled.
    const QString big = m_dir.filePath(QStringLiteral("big.jsonl"));
    {
        QFile in(test::corpus(QStringLiteral("gen/server.jsonl")));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray data = in.readAll();
        QFile out(big);
        QVERIFY(out.open(QIODevice::WriteOnly));
        for (int i = 0; i < 80; ++i)
            out.write(data);
    }
    const QString copy = sessionCopy(QStringLiteral("cancel.lanescope"));
    const QByteArray before = fileSha256(copy);
    MainWindow w;
    openWindow(w, copy);
    const int rows = w.requestModel()->rowCount();
    QSignalSpy spy(&w, &MainWindow::importsFinished);
    w.importFiles({big});
    QVERIFY(w.importRunning());
    w.cancelImport();
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, 60000);
    QCOMPARE(spy.at(0).at(0).toBool(), true);
    QVERIFY(!w.importRunning());
    QCOMPARE(w.requestModel()->rowCount(), rows);
    QTRY_VERIFY_WITH_TIMEOUT(w.timelineReady(), 30000);
    QVERIFY(w.settle());
    QCOMPARE(fileSha256(copy), before);
}

// The filter applies as the user types (no Enter), the waterfall follows it,
// and clearing the box shows every request again.
void TstGui::filterAsYouType()
{
    MainWindow w;
    openWindow(w);
    RequestTableModel *m = w.requestModel();
    const int all = m->rowCount();
    QTest::keyClicks(w.filterBox(), QStringLiteral("status>=500"));
    QTRY_VERIFY_WITH_TIMEOUT(m->rowCount() > 0 && m->rowCount() < all, 5000);
    QVERIFY(w.settle());
    QSet<qint64> shown;
    for (int r = 0; r < m->rowCount(); ++r)
        shown.insert(m->idAt(r));
    w.centralTabs()->setCurrentIndex(1);
    w.timeline()->fitWhole();
    w.waterfall()->rebuildNow();
    QVERIFY(w.settle());
    QVERIFY(w.waterfall()->rowCount() > 0);
    for (qint64 id : w.waterfall()->rowIds())
        QVERIFY(shown.contains(id) || id == w.selectedRequest());
    // An invalid expression is marked, with its reason under the box; the
    // list keeps the last valid filter.
    const int filtered = m->rowCount();
    QTest::keyClicks(w.filterBox(), QStringLiteral(" dur>abc"));
    QTRY_VERIFY_WITH_TIMEOUT(w.summaryLine()->text().contains(QLatin1String("Filter not applied")),
                             5000);
    QVERIFY(!w.filterBox()->toolTip().isEmpty());
    QVERIFY(w.summaryLine()->text().contains(w.filterBox()->toolTip().toHtmlEscaped()));
    QCOMPARE(m->rowCount(), filtered);
    w.filterBox()->clear();
    QTRY_COMPARE_WITH_TIMEOUT(m->rowCount(), all, 5000);
    QTRY_VERIFY(!w.summaryLine()->text().contains(QLatin1String("Filter not applied")));
    QVERIFY(w.filterBox()->toolTip().isEmpty());
}

// Sources › Shift Clock: the source moves, its method reads "by hand", and
// the views reload (a new generation); a bad duration changes nothing.
void TstGui::shiftSourceClock()
{
    const QString path = m_dir.filePath(QStringLiteral("shift.lanescope"));
    QFile::remove(path);
    qint64 gcSource = 0;
    TimeNs before = 0;
    {
        Session s = Session::open(path);
        QVERIFY(
            importFile(s, test::corpus(QStringLiteral("gen/server.jsonl")), builtinImporters()).ok);
        const ImportResult r = importFile(
            s, test::corpus(QStringLiteral("gen/server_stderr_gctrace.txt")), builtinImporters());
        QVERIFY(r.ok);
        gcSource = r.sourceId;
        for (const SourceRow &src : querySources(s.db()))
            if (src.id == gcSource) before = src.offset;
    }
    MainWindow w;
    openWindow(w, path);
    const quint64 gen = w.controller()->generation();
    QVERIFY(!w.shiftSource(gcSource, QStringLiteral("soon")));
    QVERIFY(w.shiftSource(gcSource, QStringLiteral("-1.5s")));
    QTRY_VERIFY_WITH_TIMEOUT(w.controller()->generation() > gen, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(w.timelineReady(), 30000);
    QVERIFY(w.settle());
    Session s = Session::open(path, Session::Open::ReadOnly);
    for (const SourceRow &src : querySources(s.db()))
        if (src.id == gcSource) {
            QCOMPARE(src.offset, before - 1'500'000'000);
            QCOMPARE(src.clockMethod, QStringLiteral("by hand"));
        }
    // The Sources dock shows it.
    bool shown = false;
    for (int i = 0; i < w.sources()->topLevelItemCount(); ++i)
        shown = shown || w.sources()->topLevelItem(i)->text(2).contains(QLatin1String("by hand"));
    QVERIFY(shown);

    // By a shared event: the gctrace's process start (its clock origin) at
    // the server log's first event, previewed on the timeline before Apply.
    w.showAlignDialog(gcSource);
    QVERIFY(w.settle());
    auto *dlg = w.findChild<QDialog *>(QStringLiteral("align"));
    QVERIFY(dlg);
    auto *own = dlg->findChild<QComboBox *>(QStringLiteral("ownEvent"));
    auto *refSource = dlg->findChild<QComboBox *>(QStringLiteral("refSource"));
    auto *ref = dlg->findChild<QComboBox *>(QStringLiteral("refEvent"));
    QVERIFY(own && refSource && ref);
    QVERIFY2(own->itemText(0).contains(QLatin1String("clock origin")),
             qPrintable(own->itemText(0)));
    QCOMPARE(refSource->currentText(), QStringLiteral("server.jsonl"));
    QTRY_VERIFY(ref->count() > 10);
    own->setCurrentIndex(0);
    ref->setCurrentIndex(0);
    const TimeNs origin = before - 1'500'000'000, logStart = ref->itemData(0).toLongLong();
    QCOMPARE(w.timeline()->previewShift(gcSource), logStart - origin);
    QVERIFY(dlg->findChild<QLabel *>(QStringLiteral("alignResult"))
                ->text()
                .startsWith(QLatin1String("Moves the source by")));
    // The preview moves the gctrace's lanes as drawn: put its GC lane's
    // first span in view, then the preview takes it elsewhere.
    int gcLane = -1;
    for (int l = 0; l < w.timeline()->model()->laneCount(); ++l)
        if (w.timeline()->model()->lane(l).sourceId == gcSource &&
            w.timeline()->model()->lane(l).kind == LaneKind::Gc)
            gcLane = l;
    QVERIFY(gcLane >= 0);
    w.timeline()->setPreviewShift(0, 0);
    const TimeRange span0{origin, origin + 2'000'000'000};
    w.timeline()->setRange(span0);
    const auto unmoved = w.timeline()->laneRunsX(gcLane);
    QVERIFY(!unmoved.empty());
    own->setCurrentIndex(1);
    own->setCurrentIndex(0); // the choice again: the preview again
    QCOMPARE(w.timeline()->previewShift(gcSource), logStart - origin);
    QVERIFY(w.timeline()->laneRunsX(gcLane) != unmoved);
    if (qEnvironmentVariableIsSet("LANESCOPE_ALIGN_PNG")) {
        dlg->grab().save(qEnvironmentVariable("LANESCOPE_ALIGN_PNG"));
        w.grab().save(qEnvironmentVariable("LANESCOPE_ALIGN_PNG") + QStringLiteral(".window.png"));
    }
    const quint64 gen2 = w.controller()->generation();
    dlg->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Apply)->click();
    QTRY_VERIFY_WITH_TIMEOUT(w.controller()->generation() > gen2, 10000);
    QVERIFY(w.settle());
    QCOMPARE(w.timeline()->previewShift(gcSource), 0);
    Session after = Session::open(path, Session::Open::ReadOnly);
    for (const SourceRow &src : querySources(after.db()))
        if (src.id == gcSource) {
            QCOMPARE(src.offset, logStart);
            QVERIFY2(src.clockMethod.startsWith(QLatin1String("by event: clock origin")),
                     qPrintable(src.clockMethod));
        }
}

// File › Export Report: the filtered requests, with their causes, as HTML
// and PDF, written from the query service's answer.
void TstGui::exportReportFromTheWindow()
{
    MainWindow w;
    openWindow(w);
    w.applyFilter(QStringLiteral("url:/api/lock"));
    QVERIFY(w.settle());
    QSignalSpy written(&w, &MainWindow::reportWritten);
    const QString html = m_dir.filePath(QStringLiteral("window-report.html"));
    const QString pdf = m_dir.filePath(QStringLiteral("window-report.pdf"));
    w.exportReport(html);
    w.exportReport(pdf);
    QTRY_COMPARE_WITH_TIMEOUT(written.count(), 2, 30000);
    const QByteArray text = test::readFile(html);
    QVERIFY(text.contains("url:/api/lock"));
    QVERIFY(text.contains("<p class=\"cause\">Cause: "));
    QVERIFY(test::readFile(pdf).startsWith("%PDF"));
}

// Files opened while a session is open: the user is asked; "add" imports
// into it, "new" opens a session beside the first file, "cancel" does
// nothing. Nothing is appended without asking.
void TstGui::openingFilesIntoASessionAsks()
{
    const QString copy = sessionCopy(QStringLiteral("ask.lanescope"));
    QTemporaryDir dir;
    const QString log =
        test::writeFile(dir, QStringLiteral("extra.jsonl"),
                        test::readFile(test::corpus(QStringLiteral("gen/server.log"))));
    MainWindow w;
    openWindow(w, copy);
    int asked = 0;
    MainWindow::AddOrNew answer = MainWindow::AddOrNew::Cancel;
    w.setAddOrNewChooser([&](const QStringList &files) {
        ++asked;
        [&] { QCOMPARE(files, QStringList{log}); }();
        return answer;
    });
    const int sources = w.sources()->topLevelItemCount();
    w.openPaths({log});
    QCOMPARE(asked, 1);
    QVERIFY(!w.importRunning());
    answer = MainWindow::AddOrNew::Add;
    QSignalSpy done(&w, &MainWindow::importsFinished);
    w.openPaths({log});
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 30000);
    QVERIFY(w.settle());
    QCOMPARE(w.controller()->path(), QFileInfo(copy).absoluteFilePath());
    QCOMPARE(w.sources()->topLevelItemCount(), sources + 1);
    answer = MainWindow::AddOrNew::New;
    w.openPaths({log});
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 2, 30000);
    QCOMPARE(w.controller()->path(), dir.filePath(QStringLiteral("extra.lanescope")));
    QCOMPARE(asked, 3);
}

// While a large import runs, the user selects requests and scrolls the
// table: every read goes to the query service (WAL: it reads the last
// commit while the import writes), so the GUI thread never waits for
// SQLite. Each iteration is one frame: select, scroll, deliver answers,
// paint the table and the timeline. A blocked read would stall a frame for
// the 2 s busy timeout; the distribution is printed (the benchmark holds
// the real 16 ms target).
void TstGui::staysResponsiveDuringImport()
{
    const QString big = m_dir.filePath(QStringLiteral("responsive.jsonl"));
    {
        const QByteArray data = test::readFile(test::corpus(QStringLiteral("gen/server.jsonl")));
        QFile out(big);
        QVERIFY(out.open(QIODevice::WriteOnly));
        for (int i = 0; i < 150; ++i)
            out.write(data);
    }
    const QString copy = sessionCopy(QStringLiteral("responsive.lanescope"));
    MainWindow w;
    openWindow(w, copy);
    const int rows = w.requestModel()->rowCount();
    QVERIFY(rows > 100);
    QSignalSpy done(&w, &MainWindow::importsFinished);
    w.importFiles({big});
    QVERIFY(w.importRunning());
    std::vector<double> ms;
    int detailsDuringImport = 0;
    QElapsedTimer total;
    total.start();
    for (int k = 0; w.importRunning() && total.elapsed() < 120000; ++k) {
        QElapsedTimer frame;
        frame.start();
        if (k % 3 == 0) w.requestView()->selectRow((k * 7) % rows); // read for a few frames
        QScrollBar *bar = w.requestView()->verticalScrollBar();
        bar->setValue((k * 37) % std::max(1, bar->maximum()));
        QCoreApplication::processEvents();
        w.requestView()->viewport()->repaint();
        w.timeline()->repaint();
        ms.push_back(double(frame.nsecsElapsed()) / 1e6);
        if (w.importRunning() && w.details()->requestId() == w.selectedRequest() &&
            w.selectedRequest())
            ++detailsDuringImport;
    }
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
    QCOMPARE(done.first().first().toBool(), false);
    QVERIFY2(ms.size() >= 10, "the import ended before the GUI was exercised");
    // Reads were answered while the import was writing.
    QVERIFY(detailsDuringImport > 0);
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    const auto at = [&](double p) { return sorted[size_t(p * double(sorted.size() - 1))]; };
    const auto over = [&](double limit) {
        return std::count_if(ms.begin(), ms.end(), [limit](double v) { return v > limit; });
    };
    qInfo("%zu frames during the import: p50 %.1f ms, p95 %.1f ms, max %.1f ms; "
          "over 16 ms: %td, over 100 ms: %td; details shown during it: %d",
          ms.size(), at(0.5), at(0.95), sorted.back(), over(16), over(100), detailsDuringImport);
    // No frame waited for the import's writer (a blocked read waits 2 s).
    // (How smooth the frames are is the benchmark's to say: a bound on
    // frames over 100 ms failed on a loaded machine while nothing blocked.)
    QVERIFY2(sorted.back() < 1000, qPrintable(QString::number(sorted.back())));
    QVERIFY(w.settle());
    QVERIFY(w.requestModel()->rowCount() >= rows);
}

// The whole gen corpus in one session (client and server traces, dumps,
// dlv traces: 2,000+ lanes): selecting each notable request of the corpus
// README brings its server handler's lane, its client phases and, where GC
// overlapped it, the server's GC lane into the viewport — checked on the
// rows' geometry.
// A windowed session's long lanes open coarse (their stored levels); zoomed
// in past those, the timeline reads their spans around the view and paints
// what the full load paints.
void TstGui::coarseLanesReadTheirSpansWhenZoomedIn()
{
    const QString path = m_dir.filePath(QStringLiteral("coarse.lanescope"));
    QFile::remove(path);
    TimelineModel full;
    {
        Session s = Session::open(path);
        QVERIFY(importFile(s, test::testData(QStringLiteral("exectrace/go123-http.trace")),
                           builtinImporters())
                    .ok);
        full.load(s.db());
        qint64 longest = 0;
        for (const TimelineLane &l : full.lanes())
            if (l.kind != LaneKind::Requests) longest = std::max(longest, l.spanCount());
        QVERIFY(storeLaneLevels(s.db(), {longest / 4, std::max<qint64>(64, longest / 16)}) > 0);
    }
    MainWindow w;
    w.setTimelineWindow(0, 1'000'000);
    openWindow(w, path);
    TimelineWidget *tl = w.timeline();
    const TimelineModel *m = tl->model();
    QVERIFY(m->isWindowed());
    int li = -1;
    for (const int i : tl->lanesOnScreen())
        if (m->lane(i).loaded && m->lane(i).coarse && tl->laneRect(i)) li = i;
    QVERIFY(li >= 0);
    const DepthTrack *coarse = nullptr;
    size_t depth = 0;
    for (size_t d = 0; d < m->lane(li).tracks.size() && !coarse; ++d)
        if (m->lane(li).tracks[d].coarse) coarse = &m->lane(li).tracks[(depth = d)];
    QVERIFY(coarse);
    const IntervalArrays &spans = full.lane(li).tracks[depth].spans;
    const TimeNs mid = spans.start[spans.size() / 2];
    const TimeRange zoom{mid - 200'000, mid + 200'000};
    // Coarse tracks come without spans; a view zoomed in past their levels
    // asks for a window of them (the first view may have already).
    QVERIFY(!coarse->window.isValid() || coarse->window.contains(tl->range()));
    tl->setRange(zoom);
    QVERIFY(w.settle());
    QVERIFY(!tl->lanesPending());
    const TimelineLane &l = m->lane(li);
    QVERIFY(!l.wantsWindow(tl->range(), tl->plotWidth(), {}));
    QVERIFY(l.tracks[depth].window.isValid());
    QVERIFY(l.tracks[depth].window.contains(tl->range()));
    const LaneGeometry a = buildLaneGeometry(l, tl->range(), tl->plotWidth()),
                       b = buildLaneGeometry(full.lane(li), tl->range(), tl->plotWidth());
    QVERIFY(!b.runs.empty());
    QCOMPARE(a.runs.size(), b.runs.size());
    for (size_t i = 0; i < a.runs.size(); ++i) {
        QCOMPARE(a.runs[i].start, b.runs[i].start);
        QCOMPARE(a.runs[i].count, b.runs[i].count);
    }
    // A view reaching past the session's start is covered too (asked once, not on every paint).
    const TimeRange edge{full.fullRange().start - 100'000, full.fullRange().start + 300'000};
    tl->setRange(edge);
    QVERIFY(w.settle());
    QVERIFY(!tl->lanesPending());
    QVERIFY(!l.wantsWindow(tl->range(), tl->plotWidth(), {}));
}

void TstGui::requestFocusBringsTheStoryIntoView_data()
{
    QTest::addColumn<bool>("windowed");
    QTest::newRow("held whole") << false;
    // As a session too big to hold opens: lanes read as they come into view.
    QTest::newRow("windowed") << true;
}

void TstGui::requestFocusBringsTheStoryIntoView()
{
    QFETCH(bool, windowed);
    const QString path = m_dir.filePath(QStringLiteral("whole-gen.lanescope"));
    if (!QFile::exists(path)) {
        Session s = Session::open(path);
        for (const QString &f : expandInputs({test::corpus(QStringLiteral("gen"))}))
            importFile(s, f, builtinImporters()); // README.md and truth.json are refused
    }
    if (!windowed) { // A first screen's lanes are the full model's first, whatever the sources.
        const Session s0 = Session::open(path, Session::Open::ReadOnly);
        TimelineModel first, all;
        first.load(s0.db(), nullptr, 48);
        all.load(s0.db());
        QVERIFY(all.processes().size() >= 4);
        QCOMPARE(first.laneCount(), 49);
        for (int i = 0; i < first.laneCount(); ++i)
            QCOMPARE(first.lane(i).laneId, all.lane(i).laneId);
    }
    MainWindow w;
    if (windowed) w.setTimelineWindow(0, 5000);
    openWindow(w, path);
    TimelineWidget *tl = w.timeline();
    const TimelineModel *m = tl->model();
    QVERIFY(m->processes().size() >= 4);
    QCOMPARE(m->isWindowed(), windowed);
    if (windowed) {
        // What a first screen shows is read, not the session.
        QVERIFY(m->loadedSpanCount() > 0);
        QVERIFY(m->loadedSpanCount() < m->spanCount() / 2);
        for (const int li : tl->lanesOnScreen())
            QVERIFY2(m->lane(li).loaded, qPrintable(m->lane(li).name));
    }
    // A search says where it looked: a windowed timeline, in the tracks it has read.
    tl->search(QStringLiteral("running"));
    QVERIFY2(w.searchStatus().contains(QStringLiteral(" / ")), qPrintable(w.searchStatus()));
    QCOMPARE(w.searchStatus().contains(QStringLiteral("read so far")), windowed);
    Session s = Session::open(path, Session::Open::ReadOnly);
    struct Case
    {
        const char *key;
        bool gc;
    };
    for (const Case &c : {Case{"22132ae4-f0d2-4ffc-bc16-02c560e38222", false},
                          Case{"8c0cccc2-a950-4752-a9c7-f8ae43c91204", false},
                          Case{"06224e05-d692-4432-888a-31efdd3d2c97", true},
                          Case{"f4a1d41f-05d1-4bce-b14f-e5918f171841", false},
                          Case{"7962a0d9-b134-48f5-8b45-6cf38fbad426", false}}) {
        const auto row = requestByKey(s.db(), QLatin1String(c.key));
        QVERIFY2(row, c.key);
        w.selectRequest(row->id, true);
        QVERIFY(w.settle());
        QVERIFY(tl->focusMode());
        const int handler = m->laneIndexOf(handlerLane(s.db(), row->id));
        QVERIFY2(handler > 0, c.key);
        QVERIFY2(tl->laneRect(handler).has_value(), c.key);
        QVERIFY2(m->lane(handler).loaded, c.key); // read when the focus brought it into view
        // The focus group starts with goroutines (the handler among them).
        QVERIFY(!tl->focusLanes().empty());
        QCOMPARE(m->lane(tl->focusLanes().front()).kind, LaneKind::Goroutine);
        // Labels: the short name; a whole process's lane (GC) in a focus
        // that spans processes also names its process.
        {
            QSet<qint64> sources;
            for (int li : tl->focusLanes())
                sources.insert(m->lane(li).sourceId);
            for (int li : tl->focusLanes()) {
                const QString label = tl->laneLabel(li);
                const QString name = shortLaneName(m->lane(li).name);
                QVERIFY2(label.startsWith(name), qPrintable(label));
                const int pi = m->processIndexOf(m->lane(li).sourceId);
                if (sources.size() > 1 && m->lane(li).kind == LaneKind::Gc && pi >= 0)
                    QCOMPARE(label, name + QStringLiteral(" · ") + m->processes()[size_t(pi)].name);
            }
        }
        // Its client phases (or its bar, for the server-only ones) in the requests lane.
        QVERIFY2(tl->pointOfRequest(row->id).has_value(), c.key);
        // The CPU samples the trace took on the handler while it ran are
        // marks on its lane, as many as the session holds.
        {
            const qint64 laneId = m->lane(handler).laneId;
            const qint64 inDb = test::scalar(
                s.db(), QStringLiteral("SELECT count(*) FROM sample WHERE lane_id = %1 AND ts_ns "
                                       "BETWEEN %2 AND %3")
                            .arg(laneId)
                            .arg(row->start)
                            .arg(row->end));
            const InstantArrays &marks = m->lane(handler).instants;
            const qint32 cpu = m->findString(QStringLiteral("CPU sample"));
            qint64 inModel = 0;
            for (size_t k = 0; k < marks.size(); ++k)
                inModel +=
                    marks.name[k] == cpu && marks.ts[k] >= row->start && marks.ts[k] <= row->end;
            QCOMPARE(inModel, inDb);
            if (c.gc) QVERIFY(inDb > 0); // it allocated (and ran) for 23 ms
        }
        if (c.gc) {
            bool gcInView = false;
            for (int li : tl->focusLanes())
                gcInView = gcInView || (m->lane(li).kind == LaneKind::Gc &&
                                        m->lane(li).sourceId == m->lane(handler).sourceId &&
                                        tl->laneRect(li).has_value());
            QVERIFY2(gcInView, c.key);
        }
    }
    // U shows every track again: the processes' headers open.
    QTest::keyClick(tl, Qt::Key_U);
    QVERIFY(!tl->focusMode());
    QTest::keyClick(tl, Qt::Key_U);
    QVERIFY(tl->focusMode());
}

// A HAR file three and a half years older than the gen corpus's log: Fit All
// shows the log's requests (the HAR's are a note, not a stretched axis), and
// the ruler's labels stay distinct and readable at every step of a zoom
// sweep, from the whole session down to a microsecond.
void TstGui::rulerReadsAtAnyOffset()
{
    const QString path = m_dir.filePath(QStringLiteral("far-apart.lanescope"));
    QFile::remove(path);
    {
        Session s = Session::open(path);
        QVERIFY(
            importFile(s, test::corpus(QStringLiteral("gen/server.jsonl")), builtinImporters()).ok);
        QVERIFY(importFile(s, test::corpus(QStringLiteral("public/har/mitmproxy_chrome.har")),
                           builtinImporters())
                    .ok);
    }
    MainWindow w;
    openWindow(w, path);
    TimelineWidget *tl = w.timeline();
    const TimelineModel *m = tl->model();
    QVERIFY(m->fullRange().length() > 365LL * 86'400'000'000'000);
    QVERIFY(m->fitRange().length() < 3'600'000'000'000);
    QVERIFY(!m->otherClusters().empty()); // the HAR's requests (hours apart among themselves too)
    for (const TimelineModel::Cluster &c : m->otherClusters())
        QVERIFY(c.range.end < m->fitRange().start);
    QCOMPARE(tl->range().length(), w.ranges()->clamped(m->fitRange()).length());
    const auto readable = [](const QStringList &labels, const QString &where) {
        QVERIFY2(labels.size() >= 2, qPrintable(where));
        QCOMPARE(QSet<QString>(labels.begin(), labels.end()).size(), labels.size());
        for (const QString &l : labels) {
            QVERIFY2(!l.isEmpty() && l.size() <= 18, qPrintable(where + QLatin1Char(' ') + l));
            QVERIFY2(!l.contains(QLatin1Char('e')) && !l.contains(QStringLiteral("·10")),
                     qPrintable(where + QLatin1Char(' ') + l));
        }
    };
    // The whole session (years): days and clock times.
    tl->fitWhole();
    readable(tl->rulerLabels(), QStringLiteral("whole"));
    // From Fit All down to about a microsecond at the middle.
    tl->fitAll();
    const double cx = tl->plotLeft() + tl->plotWidth() / 2.0;
    int steps = 0;
    while (tl->range().length() > 2000 && steps < 200) {
        readable(tl->rulerLabels(), formatDuration(tl->range().length()));
        tl->zoomAt(0.7, cx);
        ++steps;
    }
    QVERIFY(steps > 20);
    // Far from the zero, the fine ticks count from a base in the corner.
    tl->fitWhole();
    tl->setRange({m->fullRange().start, m->fullRange().start + 10'000});
    readable(tl->rulerLabels(), QStringLiteral("the HAR's first request, years before the zero"));
    QVERIFY(!tl->rulerBase().isEmpty());
    // Zero at the selected request: its start reads 0.
    const qint64 id = w.requestModel()->idAt(0);
    w.selectRequest(id, true);
    QVERIFY(w.settle());
    tl->toggleZeroAtRequest();
    QCOMPARE(w.ranges()->zero(), m->request(id)->start);
    readable(tl->rulerLabels(), QStringLiteral("zero at request"));
    QVERIFY(tl->rulerBase().isEmpty());
}

// The session file corrupted under the running app: every view that asks
// gets the error as its answer — the table's summary line, the details, the
// status bar — and nothing crashes. A deleted file likewise, once reloaded.
void TstGui::sessionBrokenUnderTheApp()
{
    const QString copy = sessionCopy(QStringLiteral("broken.lanescope"));
    MainWindow w;
    openWindow(w, copy);
    const qint64 first = w.requestModel()->idAt(0);
    {
        QFile f(copy);
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.seek(0);
        f.write(QByteArray(f.size(), '\x5a')); // not a database any more
    }
    w.controller()->reload();
    QVERIFY(w.settle());
    QVERIFY2(w.statusBar()->currentMessage().contains(copy),
             qPrintable(w.statusBar()->currentMessage()));
    const QLabel *summary = nullptr;
    for (QLabel *l : w.requestsDock()->findChildren<QLabel *>())
        if (l->text().contains(QLatin1String("Could not read the requests"))) summary = l;
    QVERIFY(summary);
    w.selectRequest(first, true);
    QVERIFY(w.settle());
    QVERIFY(w.details()->findChild<QLabel *>() != nullptr);
    bool inline_ = false;
    for (QLabel *l : w.details()->findChildren<QLabel *>())
        inline_ = inline_ || l->text().contains(QLatin1String("Could not read this request"));
    QVERIFY(inline_);
    // Everything else the user can do still answers with the error.
    w.applyFilter(QStringLiteral("status>=500"));
    w.refreshStats();
    w.refreshNotes();
    w.flameGraph()->setScope(FlameGraphView::Scope::Whole);
    w.waterfall()->rebuildNow();
    QVERIFY(w.settle());
    // Deleted: the same, on the next reload.
    QVERIFY(QFile::remove(copy));
    w.controller()->reload();
    QVERIFY(w.settle());
    QVERIFY2(w.statusBar()->currentMessage().contains(copy),
             qPrintable(w.statusBar()->currentMessage()));
    QVERIFY(!w.openSession(copy + QStringLiteral(".missing/x.lanescope")));
}

void TstGui::lazyModelWithManyRows()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("many.lanescope"));
    {
        Session s = Session::open(path);
        test::SyntheticSpec spec;
        spec.goroutines = 2;
        spec.spansPerLane = 10;
        spec.requests = 100'000;
        test::writeSyntheticSession(s, spec);
    }
    QueryService q;
    q.setSession(path, 1);
    RequestTableModel m(&q);
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QElapsedTimer t;
    t.start();
    m.setFilter(QString());
    QVERIFY(m.isLoading());
    QCOMPARE(m.rowCount(), 0); // nothing read on this thread
    QVERIFY(q.settle());
    QCOMPARE(m.rowCount(), 100'000);
    // The first page came with the ids.
    QCOMPARE(m.data(m.index(0, RequestTableModel::Key), Qt::DisplayRole).toString().isEmpty(),
             false);
    QVERIFY(m.row(RequestTableModel::kPage - 1));
    // A screenful anywhere else is on its way ("…") until its page arrives.
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    for (int r : {50'000, 99'990}) {
        const QModelIndex ix = m.index(r, RequestTableModel::Key);
        QCOMPARE(m.data(ix, Qt::DisplayRole).toString(), QStringLiteral("…"));
        QVERIFY(!m.row(r + 1));
        QVERIFY(q.settle());
        for (int k = r; k < std::min(r + 40, m.rowCount()); ++k) {
            const QString key =
                m.data(m.index(k, RequestTableModel::Key), Qt::DisplayRole).toString();
            QVERIFY(!key.isEmpty() && key != QStringLiteral("…"));
        }
    }
    QCOMPARE(changed.count(), 2); // one repaint per page, not per row
    m.sort(RequestTableModel::Status, Qt::AscendingOrder);
    QVERIFY(q.settle());
    m.row(m.rowCount() - 1);
    QVERIFY(q.settle());
    QVERIFY(m.row(0)->status <= m.row(m.rowCount() - 1)->status);
    m.setFilter(QStringLiteral("status>=500"));
    QVERIFY(q.settle());
    QVERIFY(m.rowCount() > 0 && m.rowCount() < 100'000);
    // A bad filter is an answer with the parser's message; the rows stay.
    const int kept = m.rowCount();
    QSignalSpy loaded(&m, &RequestTableModel::loaded);
    m.setFilter(QStringLiteral("status>>"));
    QVERIFY(q.settle());
    QCOMPARE(loaded.count(), 1);
    QVERIFY(!loaded.first().first().toString().isEmpty());
    QCOMPARE(m.rowCount(), kept);
    qInfo("100k requests: query + scroll + sort in %lld ms", qint64(t.elapsed()));
}

void TstGui::failedImportShowsInSources()
{
    const QString bad = m_dir.filePath(QStringLiteral("not-a-trace.bin"));
    {
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, '\x7f'));
    }
    const QString copy = sessionCopy(QStringLiteral("failed.lanescope"));
    MainWindow w;
    w.resize(1600, 1000);
    QVERIFY(w.openSession(copy));
    w.show();
    QSignalSpy spy(&w, &MainWindow::importsFinished);
    w.importFiles({bad});
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, 30000);
    QVERIFY(w.settle());
    // The error is inline in the Sources panel, naming the file; no modal box.
    QVERIFY(QApplication::activeModalWidget() == nullptr);
    const auto items = w.sources()->findItems(QStringLiteral("failed"), Qt::MatchExactly, 0);
    QCOMPARE(items.size(), 1);
    QVERIFY2(items[0]->text(1).contains(QStringLiteral("not-a-trace.bin")),
             qPrintable(items[0]->text(1)));
}

void TstGui::rawDumpsClickThrough()
{
    // The HTTP-evidence importers are not on this branch: a synthetic session
    // with raw dumps stands in for them to check the click-through end to end.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("dumps.lanescope"));
    {
        Session s = Session::open(path);
        test::SyntheticSpec spec;
        spec.goroutines = 20;
        spec.spansPerLane = 200;
        spec.requests = 30;
        spec.rawDumps = true;
        test::writeSyntheticSession(s, spec);
    }
    MainWindow w;
    openWindow(w, path);
    w.requestView()->selectRow(0);
    QVERIFY(w.settle());
    const RequestRow slowest = *w.requestModel()->row(0);
    QCOMPARE(w.selectedRequest(), slowest.id);
    QVERIFY(w.timeline()->range().contains(TimeRange{slowest.start, slowest.end}));
    DetailsPanel *d = w.details();
    const QString req = d->rawRequestText();
    QVERIFY2(req.startsWith(slowest.method + QLatin1Char(' ') + slowest.url +
                            QStringLiteral(" HTTP/1.1\n")),
             qPrintable(req));
    QVERIFY(req.contains(QStringLiteral("X-Request-Id: ") + slowest.key));
    QCOMPARE(d->tabs()->currentIndex(), 0);
    QVERIFY(d->sourceLocation().contains(QStringLiteral("line ")));
    QVERIFY(d->sourceLocation().contains(QStringLiteral("byte offset ")));
    const QString resp = d->rawResponseText();
    QVERIFY2(resp.contains(QStringLiteral("\"items\": [")) ||
                 resp.contains(QStringLiteral("[binary body")),
             qPrintable(resp));
    // Its goroutines are highlighted: clicking its handler span selects it again.
    w.selectRequest(w.requestModel()->idAt(3), false);
    QVERIFY(w.settle());
    TimelineWidget *tl = w.timeline();
    tl->selectRequest(slowest.id, true);
    QCOMPARE(w.selectedRequest(), w.requestModel()->idAt(3));
    QSignalSpy spans(tl, &TimelineWidget::spanClicked);
    const auto pt = tl->pointOfRequest(slowest.id, true);
    QVERIFY(pt.has_value());
    QTest::mouseClick(tl, Qt::LeftButton, {}, *pt);
    QVERIFY(w.settle());
    QCOMPARE(spans.count(), 1);
    QCOMPARE(w.selectedRequest(), slowest.id);
    // Search by name with next / previous; the hit's lane is scrolled into view.
    QCOMPARE(tl->search(QStringLiteral("handleitem")), 30);
    QCOMPARE(tl->searchIndex(), 0);
    tl->searchStep(1);
    QCOMPARE(tl->searchIndex(), 1);
    tl->searchStep(-2);
    QCOMPARE(tl->searchIndex(), 29);
    // Lanes scroll under the requests lane, which stays on top and clickable.
    tl->selectRequest(slowest.id, true);
    QWheelEvent wheel(QPointF(tl->plotLeft() + 50, 300),
                      tl->mapToGlobal(QPointF(tl->plotLeft() + 50, 300)), QPoint(), QPoint(0, -240),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(tl, &wheel);
    QVERIFY(tl->pointOfRequest(slowest.id).has_value());
    // Pinning a goroutine lane.
    tl->togglePin(1);
    QVERIFY(tl->isPinned(1));
    tl->togglePin(0); // the requests lane is always on top: not pinnable
    QVERIFY(!tl->isPinned(0));
    tl->togglePin(1);
    // The details show the span's args tab with its name.
    QVERIFY(static_cast<QPlainTextEdit *>(d->tabs()->currentWidget())
                ->toPlainText()
                .contains(QStringLiteral("main.handleItem")));
}

// A request known from an execution trace alone (no dumps, logs or phases)
// opens on the raw tab, which says what would fill it, not on empty phases.
void TstGui::detailsOpenOnATabWithContent()
{
    const QString path = m_dir.filePath(QStringLiteral("traceonly.lanescope"));
    QFile::remove(path);
    {
        Session s = Session::open(path);
        QVERIFY(
            importFile(s, test::corpus(QStringLiteral("gen/trace.out")), builtinImporters()).ok);
        QCOMPARE(test::scalar(s.db(), QStringLiteral("SELECT COUNT(*) FROM phase")), qint64(0));
    }
    MainWindow w;
    openWindow(w, path);
    QTRY_VERIFY(w.requestModel()->rowCount() > 0);
    w.requestView()->selectRow(0);
    QVERIFY(w.settle());
    QCOMPARE(w.details()->tabs()->currentIndex(), 0);
    QVERIFY2(w.details()->rawRequestText().startsWith(QLatin1String("(no raw request")),
             qPrintable(w.details()->rawRequestText()));
}

// File › Capture From Service: a countdown while recording, the captured
// session opened in the window; Cancel stops a capture and writes nothing.
void TstGui::captureFromTheWindow()
{
    test::FakeService svc([](const QByteArray &path) {
        if (path.startsWith("/debug/pprof/trace") || path.startsWith("/debug/pprof/profile")) {
            // A real window: answer after a second.
            QElapsedTimer t;
            t.start();
            while (t.elapsed() < 1200)
                QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        }
        return test::goodAnswer(path);
    });
    MainWindow w;
    openWindow(w);
    CaptureDialog *dlg = w.showCaptureDialog();
    QVERIFY(dlg);
    const QString target = m_dir.filePath(QStringLiteral("captured.lanescope"));
    QFile::remove(target);
    dlg->urlEdit()->setText(svc.url());
    dlg->secondsBox()->setValue(2);
    dlg->sessionEdit()->setText(target);
    dlg->captureButton()->click();
    QVERIFY(dlg->running());
    QTRY_VERIFY(dlg->statusLabel()->text().contains(QLatin1String("s left")));
    QVERIFY(dlg->progressBar()->isVisible());
    if (qEnvironmentVariableIsSet("LANESCOPE_CAPTURE_PNG"))
        dlg->grab().save(qEnvironmentVariable("LANESCOPE_CAPTURE_PNG"));
    QTRY_VERIFY_WITH_TIMEOUT(w.controller()->path() == target, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(w.timelineReady(), 30000);
    QVERIFY(w.settle());
    QTRY_VERIFY(w.requestModel()->rowCount() > 100); // the trace's requests
    bool trace = false;
    for (int i = 0; i < w.sources()->topLevelItemCount(); ++i)
        trace = trace || w.sources()->topLevelItem(i)->text(0).contains(QLatin1String("trace.out"));
    QVERIFY(trace);
    if (qEnvironmentVariableIsSet("LANESCOPE_CAPTURE_PNG"))
        w.grab().save(qEnvironmentVariable("LANESCOPE_CAPTURE_PNG") +
                      QStringLiteral(".window.png"));

    // Cancel: a service that never answers.
    test::FakeService silent([](const QByteArray &) { return QByteArray(); });
    CaptureDialog *again = w.showCaptureDialog();
    const QString none = m_dir.filePath(QStringLiteral("cancelled.lanescope"));
    again->urlEdit()->setText(silent.url());
    again->sessionEdit()->setText(none);
    again->captureButton()->click();
    QVERIFY(again->running());
    again->reject(); // the Cancel button
    QTRY_VERIFY(again->statusLabel()->text().contains(QLatin1String("cancelled")));
    QVERIFY(!again->running());
    QVERIFY(again->isVisible()); // stays open to try again
    QVERIFY(!QFileInfo::exists(none));
    QCOMPARE(w.controller()->path(), target);
    again->reject();
    QTRY_VERIFY(!again->isVisible());
}

void TstGui::pinnedLanesStayOnTop()
{
    MainWindow w;
    openWindow(w);
    w.requestView()->selectRow(0);
    QVERIFY(w.settle());
    TimelineWidget *tl = w.timeline();
    QVERIFY(tl->model()->laneCount() > 500);
    QWheelEvent wheel(QPointF(tl->plotLeft() + 50, 300),
                      tl->mapToGlobal(QPointF(tl->plotLeft() + 50, 300)), QPoint(), QPoint(0, -240),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    // Pinned lanes stay on top, under the requests lane, while the rest
    // scrolls; so many pins that they would fill the view scroll with it.
    tl->setFocusMode(false); // every track: a long list to scroll
    const int pin = tl->model()->laneCount() - 1;
    const QString label = shortLaneName(tl->model()->lane(pin).name);
    QVERIFY(!label.isEmpty());
    QCOMPARE(tl->laneLabel(pin), label);
    tl->togglePin(pin);
    QCOMPARE(tl->laneLabel(pin), QStringLiteral("★ ") + label); // made as it is painted
    const auto pinned = tl->laneRect(pin);
    QVERIFY(pinned.has_value());
    auto *vbar = tl->findChild<QScrollBar *>();
    QVERIFY(vbar);
    QVERIFY2(vbar->maximum() > 200, qPrintable(QString::number(vbar->maximum())));
    const int before = vbar->value();
    for (int k = 0; k < 10; ++k)
        QApplication::sendEvent(tl, &wheel);
    QVERIFY(vbar->value() >= std::min(vbar->maximum(), before + 300));
    QCOMPARE(tl->laneRect(pin), pinned);
    if (qEnvironmentVariableIsSet("LANESCOPE_PIN_PNG"))
        w.grab().save(qEnvironmentVariable("LANESCOPE_PIN_PNG"));
    QVERIFY(tl->pointOfRequest(w.selectedRequest()).has_value()); // the requests lane too
    // Clicking the pinned lane's row hits it, not the row scrolled beneath.
    QCOMPARE(tl->laneAt(pinned->center().y()), pin);
    for (int l = 1; l < 80; ++l)
        if (!tl->isPinned(l)) tl->togglePin(l);
    QApplication::sendEvent(tl, &wheel);
    QVERIFY(!tl->laneRect(pin).has_value() || tl->laneRect(pin) != pinned);
    for (int l = 1; l < 80; ++l)
        tl->togglePin(l);
    tl->togglePin(pin);
    QCOMPARE(tl->laneLabel(pin), label);
    tl->setFocusMode(true);
}

void TstGui::waterfallFollowsTimeline()
{
    MainWindow w;
    openWindow(w);
    w.centralTabs()->setCurrentIndex(1);
    const TimeRange full = w.timeline()->range();
    const TimeRange r{full.start + full.length() / 4, full.start + full.length() / 2};
    w.timeline()->setRange(r);
    w.waterfall()->rebuildNow();
    const QCPRange x = w.waterfall()->plot()->xAxis->range();
    QVERIFY(qAbs(x.lower - double(r.start - w.timeline()->model()->fullRange().start) / 1e6) <
            1e-3);
    QVERIFY(w.waterfall()->rowCount() > 0);
    // Zooming the waterfall moves the timeline.
    w.waterfall()->plot()->xAxis->setRange(x.lower, x.lower + (x.upper - x.lower) / 2);
    QVERIFY(w.timeline()->range().length() < r.length() * 3 / 4);
}

// Every server step name of the corpus gets its own colour, distinct as seen
// and with a colour vision deficiency, and the waterfall's legend and bars
// use those colours; the report's waterfall the same ones.
void TstGui::stepColoursAreDistinct()
{
    MainWindow w;
    openWindow(w);
    QList<QByteArray> names;
    {
        Session s = Session::open(m_session);
        names = stepNames(s.db());
    }
    QVERIFY2(names.size() >= 20, qPrintable(QString::number(names.size())));
    QStringList hex;
    for (const QByteArray &n : names)
        hex << gui::categoryColour(QStringLiteral("step"), QString::fromUtf8(n)).name();
    double seen = 1e9, cvd = 1e9;
    QString worst;
    for (int i = 0; i < hex.size(); ++i)
        for (int j = i + 1; j < hex.size(); ++j) {
            const double d = test::colourDistance(hex[i].toLatin1(), hex[j].toLatin1());
            if (d < seen) {
                seen = d;
                worst = QString::fromUtf8(names[i] + " / " + names[j]);
            }
            for (int k = 1; k <= 3; ++k)
                cvd = std::min(cvd, test::colourDistance(hex[i].toLatin1(), hex[j].toLatin1(), k));
        }
    QVERIFY2(seen >= 11, qPrintable(worst + QStringLiteral(": ") + QString::number(seen)));
    QVERIFY2(cvd >= 5, qPrintable(QString::number(cvd)));

    w.centralTabs()->setCurrentIndex(1);
    w.requestView()->selectRow(0); // the slowest: client phases and server steps
    QVERIFY(w.settle());
    QCustomPlot *plot = w.waterfall()->plot();
    auto stepEntries = [plot] {
        int n = 0;
        for (int g = 0; g < plot->graphCount(); ++g)
            if (plot->graph(g)->name().startsWith(QLatin1String("step: "))) ++n;
        return n;
    };
    QTRY_VERIFY(stepEntries() >= 2);
    for (int g = 0; g < plot->graphCount(); ++g) {
        const QString name = plot->graph(g)->name();
        if (name.startsWith(QLatin1String("step: ")))
            QCOMPARE(plot->graph(g)->pen().color(),
                     gui::categoryColour(QStringLiteral("step"), name.mid(6)));
    }
    // The report's waterfall gives a step the session's colour too.
    Session s = Session::open(m_session);
    ReportOptions o;
    o.top = 3;
    const ReportData d = buildReport(s.db(), m_session, o);
    bool sawStep = false;
    for (const ReportRequest &r : d.slowest)
        for (const ReportPhase &p : r.phases)
            if (p.kind == QLatin1String("step")) {
                sawStep = true;
                const QByteArray svg = waterfallSvg(r, 720, &d.stepColours);
                QVERIFY(svg.contains(
                    gui::categoryColour(QStringLiteral("step"), p.name).name().toLatin1()));
            }
    QVERIFY(sawStep);
}

void TstGui::renderHttp_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<bool>("pretty");
    QTest::addColumn<QString>("expect");
    QTest::newRow("json pretty")
        << QByteArray(
               "POST /x HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{\"a\":1,\"b\":[2]}")
        << true << QStringLiteral("{\n    \"a\": 1,");
    QTest::newRow("json raw") << QByteArray("POST /x HTTP/1.1\r\n\r\n{\"a\":1}") << false
                              << QStringLiteral("POST /x HTTP/1.1\n\n{\"a\":1}");
    QTest::newRow("binary as hex") << QByteArray("HTTP/1.1 200 OK\r\n\r\n\x00\x01\x02hello", 27)
                                   << true << QStringLiteral("00000000  00 01 02 68 65 6c 6c 6f");
    QTest::newRow("no body") << QByteArray("GET / HTTP/1.1\r\nHost: a") << true
                             << QStringLiteral("GET / HTTP/1.1\nHost: a");
}

void TstGui::renderHttp()
{
    QFETCH(QByteArray, raw);
    QFETCH(bool, pretty);
    QFETCH(QString, expect);
    const QString out = DetailsPanel::renderHttp(raw, pretty);
    QVERIFY2(out.contains(expect), qPrintable(out));
}

void TstGui::timelineNavigation()
{
    MainWindow w;
    openWindow(w);
    TimelineWidget *tl = w.timeline();
    tl->setFocus();
    // The overview strip explains itself on hover.
    {
        const QPoint at(tl->plotLeft() + 40, 40);
        QHelpEvent help(QEvent::ToolTip, at, tl->mapToGlobal(at));
        QApplication::sendEvent(tl, &help);
        QTRY_VERIFY(QToolTip::isVisible());
        QVERIFY2(
            QToolTip::text().contains(QLocale().toString(qlonglong(tl->model()->spanCount()))) &&
                QToolTip::text().contains(QLatin1String("square-root")),
            qPrintable(QToolTip::text()));
        QToolTip::hideText();
    }
    const TimeRange full = tl->range();
    QTest::keyClick(tl, Qt::Key_W);
    const TimeRange zoomed = tl->range();
    QVERIFY(zoomed.length() < full.length());
    QTest::keyClick(tl, Qt::Key_D);
    QVERIFY(tl->range().start > zoomed.start);
    QCOMPARE(tl->range().length(), zoomed.length());
    tl->back();
    tl->fitAll();
    // Area selection on the ruler: aggregates appear.
    QSignalSpy stats(tl, &TimelineWidget::selectionStats);
    const int x0 = tl->plotLeft() + 100, x1 = tl->plotLeft() + 600;
    QTest::mousePress(tl, Qt::LeftButton, {}, QPoint(x0, 10));
    QTest::mouseMove(tl, QPoint(x1, 10));
    QTest::mouseRelease(tl, Qt::LeftButton, {}, QPoint(x1, 10));
    QCOMPARE(stats.count(), 1);
    QVERIFY(stats.at(0).at(0).toString().contains(QStringLiteral("requests touched")));
    QVERIFY(tl->selection().isValid());
    QTest::keyClick(tl, Qt::Key_F);
    QCOMPARE(tl->range(), tl->selection());
    // Search by name (server steps are phases; no span lanes in this session).
    QCOMPARE(tl->search(QStringLiteral("no-such-span-name")), 0);
}

void TstGui::statsFollowFilter()
{
    MainWindow w;
    openWindow(w);
    w.applyFilter(QStringLiteral("status>=500"));
    QVERIFY(w.settle());
    w.refreshStats();
    QVERIFY(w.settle());
    const int rows = w.requestModel()->rowCount();
    QVERIFY(rows > 0);
    double total = 0;
    for (int i = 0; i < w.stats()->histogramSet()->count(); ++i)
        total += w.stats()->histogramSet()->at(i);
    QCOMPARE(int(total), rows); // every filtered request is in one bin
    // A bar click narrows the current filter.
    emit w.stats()->filterRequested(QStringLiteral("url:/api/panic"));
    QVERIFY(w.settle());
    QCOMPARE(w.filterText(), QStringLiteral("status>=500 url:/api/panic"));
    loadAllRows(w);
    for (int r = 0; r < w.requestModel()->rowCount(); ++r) {
        QVERIFY(w.requestModel()->row(r)->status >= 500);
        QVERIFY(w.requestModel()->row(r)->url.contains(QLatin1String("/api/panic")));
    }
}

void TstGui::notesPanel()
{
    // Notes go into the session file: work on a copy.
    const QString path = sessionCopy(QStringLiteral("notes.lanescope"));
    MainWindow w;
    openWindow(w, path);
    QCOMPARE(w.notesList()->count(), 0);
    w.requestView()->selectRow(0);
    QVERIFY(w.settle());
    const qint64 rid = w.selectedRequest();
    QSignalSpy added(&w, &MainWindow::noteAdded);
    QVERIFY(w.addNoteForSelection(QStringLiteral("slow because of <inventoryMu>")));
    QTRY_COMPARE_WITH_TIMEOUT(added.count(), 1, 10000);
    const qint64 id = added.first().first().toLongLong();
    QVERIFY(id > 0);
    QVERIFY(w.settle());
    QCOMPARE(w.notesList()->count(), 1);
    QVERIFY(
        w.notesList()->item(0)->text().contains(QLatin1String("slow because of <inventoryMu>")));
    // The request's note shows in the table's Note column.
    QCOMPARE(w.requestModel()
                 ->data(w.requestModel()->index(0, RequestTableModel::NoteColumn), Qt::DisplayRole)
                 .toString(),
             QStringLiteral("slow because of <inventoryMu>"));
    // The noted row is highlighted in its Note cell; an un-noted row is not.
    const QVariant noted = w.requestModel()->data(
        w.requestModel()->index(0, RequestTableModel::NoteColumn), Qt::BackgroundRole);
    QVERIFY(noted.canConvert<QColor>());
    QVERIFY(noted.value<QColor>().isValid());
    QVERIFY(
        !w.requestModel()
             ->data(w.requestModel()->index(1, RequestTableModel::NoteColumn), Qt::BackgroundRole)
             .isValid());
    // A range note, then jumping to it zooms the timeline onto the range.
    {
        Session s = Session::open(path);
        const TimeRange full = w.timeline()->range();
        addRangeNote(s.db(), full.start + 1000000, full.start + 2000000,
                     QStringLiteral("GC storm"));
    }
    w.refreshNotes();
    QVERIFY(w.settle());
    QCOMPARE(w.notesList()->count(), 2);
    QCOMPARE(w.timeline()->noteMarks().size(), size_t(2)); // drawn along the ruler
    qint64 rangeNote = 0;
    for (int i = 0; i < w.notesList()->count(); ++i)
        if (w.notesList()->item(i)->text().contains(QLatin1String("GC storm")))
            rangeNote = w.notesList()->item(i)->data(Qt::UserRole).toLongLong();
    QVERIFY(rangeNote > 0);
    w.jumpToNote(rangeNote);
    QVERIFY(w.settle());
    QVERIFY(w.timeline()->range().length() < 2000000);
    // Jumping to the request note selects its request again.
    w.requestView()->selectRow(1);
    QVERIFY(w.settle());
    w.jumpToNote(id);
    QVERIFY(w.settle());
    QCOMPARE(w.selectedRequest(), rid);
    w.removeNote(id);
    QTRY_COMPARE_WITH_TIMEOUT(added.count(), 2, 10000); // an edit reports when done
    QVERIFY(w.settle());
    QCOMPARE(w.notesList()->count(), 1);
    // A span clicked on the timeline takes the next note.
    {
        Session rs = Session::open(path, Session::Open::ReadOnly);
        const SqlResult sp =
            runSql(rs.db(), QStringLiteral("SELECT s.lane_id, s.start_ns, s.depth, "
                                           "COALESCE(s.request_id, 0), s.id FROM span s "
                                           "WHERE s.request_id IS NOT NULL ORDER BY s.id LIMIT 1"));
        QCOMPARE(sp.rows.size(), 1);
        emit w.timeline()->spanClicked(sp.rows[0][0].toLongLong(), sp.rows[0][1].toLongLong(),
                                       sp.rows[0][2].toInt(), sp.rows[0][3].toLongLong());
        QVERIFY(w.settle());
        QVERIFY(w.addNoteForSelection(QStringLiteral("this region")));
        QTRY_COMPARE_WITH_TIMEOUT(added.count(), 3, 10000);
        QVERIFY(w.settle());
        bool found = false;
        for (const Note &n : listNotes(rs.db()))
            found = found ||
                    (n.target == QLatin1String("span") && n.spanId == sp.rows[0][4].toLongLong());
        QVERIFY(found);
        w.refreshNotes();
        QVERIFY(w.settle());
        QCOMPARE(w.notesList()->count(), 2);
    }
    // The notes reach the report.
    Session s = Session::open(path, Session::Open::ReadOnly);
    const ReportData d = buildReport(s.db(), path, ReportOptions());
    QCOMPARE(d.notes.size(), 2);
}

void TstGui::classColumn()
{
    // The lock-heavy request of the corpus waited on inventoryMu: its
    // dominant latency class, from the execution trace, shows in the table.
    MainWindow w;
    openWindow(w);
    w.applyFilter(QStringLiteral("key:8c0cccc2-a950-4752-a9c7-f8ae43c91204"));
    QVERIFY(w.settle());
    QCOMPARE(w.requestModel()->rowCount(), 1);
    const QModelIndex ix = w.requestModel()->index(0, RequestTableModel::Class);
    QCOMPARE(w.requestModel()->data(ix, Qt::DisplayRole).toString(),
             QStringLiteral("blocked-mutex"));
    // A swatch in the class's colour stands beside the name.
    const QVariant swatch = w.requestModel()->data(ix, Qt::DecorationRole);
    QVERIFY(swatch.canConvert<QPixmap>());
    const QImage img = swatch.value<QPixmap>().toImage();
    QVERIFY(!img.isNull());
    QCOMPARE(img.pixelColor(img.width() / 2, img.height() / 2),
             QColor(QLatin1String(palette::classColour("blocked-mutex"))));
    QCOMPARE(w.requestModel()
                 ->headerData(RequestTableModel::Class, Qt::Horizontal, Qt::DisplayRole)
                 .toString(),
             QStringLiteral("Class"));
}

void TstGui::flameGraph()
{
    MainWindow w;
    openWindow(w);
    FlameGraphView *fg = w.flameGraph();
    QVERIFY(fg);
    // The whole CPU profile: the top table lists functions, flat first.
    fg->setScope(FlameGraphView::Scope::Whole);
    QVERIFY(w.settle());
    const FlameGraph &g = fg->canvas()->graph();
    const qint64 wholeTotal = g.total();
    QVERIFY(wholeTotal > 0);
    QVERIFY(fg->topTable()->rowCount() > 0);
    QCOMPARE(fg->topTable()->item(0, 0)->text(), QString::fromUtf8(g.top().front().function));
    // Search highlights, click zooms into a frame, double-click zooms out.
    fg->canvas()->setSearch(QStringLiteral("main.handle"));
    QVERIFY(fg->canvas()->matchCount() > 0);
    fg->canvas()->resize(1000, 400);
    fg->canvas()->zoomTo(0);
    int target = -1;
    for (int y = 30; y < 200 && target <= 0; y += 18)
        target = fg->canvas()->nodeAt(QPointF(500, y));
    QVERIFY(target > 0);
    QTest::mouseClick(fg->canvas(), Qt::LeftButton, {},
                      QPoint(500, int(g.nodes()[size_t(target)].depth * 18 + 5)));
    QVERIFY(fg->canvas()->zoomNode() > 0);
    QTest::mouseDClick(fg->canvas(), Qt::LeftButton, {}, QPoint(10, 5));
    QCOMPARE(fg->canvas()->zoomNode(), 0);
    // Export.
    const QString svg = m_dir.filePath(QStringLiteral("flame.svg"));
    QVERIFY(fg->exportSvg(svg));
    QVERIFY(test::readFile(svg).contains("<svg"));
    QVERIFY(fg->exportPng(m_dir.filePath(QStringLiteral("flame.png"))));
    // One request: only its samples, with a word on how few there are.
    w.applyFilter(QStringLiteral("-loadtest"));
    QVERIFY(w.settle());
    w.requestView()->selectRow(0);
    QVERIFY(w.settle());
    fg->setScope(FlameGraphView::Scope::Request);
    QVERIFY(w.settle());
    QVERIFY(fg->canvas()->graph().total() < wholeTotal);
    QVERIFY2(fg->infoText().contains(QLatin1String("sample rows")), qPrintable(fg->infoText()));
    if (fg->canvas()->graph().sampleRows() == 0)
        QVERIFY(fg->infoText().contains(QLatin1String("no sample fell here")));
    else if (fg->canvas()->graph().sampleRows() < 20)
        QVERIFY(fg->infoText().contains(QLatin1String("rough")));
}

void TstGui::compareRequests()
{
    // The lock-heavy request beside a quick one: classes and goroutine states side by side.
    MainWindow w;
    openWindow(w);
    w.applyFilter(QStringLiteral("key:8c0cccc2-a950-4752-a9c7-f8ae43c91204"));
    QVERIFY(w.settle());
    w.requestView()->selectRow(0);
    QVERIFY(w.settle());
    // The details name the cause in one line, then the classes as one stacked bar.
    QVERIFY2(w.details()->causeText().contains(QLatin1String("138 ms mutex in lock_wait")),
             qPrintable(w.details()->causeText()));
    QVERIFY(w.details()->classBar()->isVisibleTo(w.details()));
    QVERIFY(!w.details()->classBar()->pixmap().isNull());
    w.showComparison(QStringLiteral("no-such-request"));
    QVERIFY(w.settle());
    QVERIFY(!w.findChild<QDialog *>(QStringLiteral("compare")));
    QVERIFY(!w.statusBar()->currentMessage().isEmpty()); // says why
    w.showComparison(QStringLiteral("22132ae4-f0d2-4ffc-bc16-02c560e38222"));
    QVERIFY(w.settle());
    auto *dlg = w.findChild<QDialog *>(QStringLiteral("compare"));
    QVERIFY(dlg);
    auto *t = dlg->findChild<QTableWidget *>();
    QVERIFY(t && t->rowCount() > 5);
    QStringList sections;
    for (int r = 0; r < t->rowCount(); ++r)
        sections << t->item(r, 0)->text();
    for (const char *sec : {"request", "class", "goroutine"})
        QVERIFY2(sections.contains(QLatin1String(sec)), sec);
    bool syncRow = false;
    for (int r = 0; r < t->rowCount(); ++r)
        syncRow = syncRow || (t->item(r, 0)->text() == QLatin1String("class") &&
                              t->item(r, 1)->text() == QLatin1String("blocked-mutex"));
    QVERIFY(syncRow);
    const QPixmap shot = dlg->grab();
    QVERIFY(!shot.isNull());
    if (qEnvironmentVariableIsSet("LANESCOPE_COMPARE_PNG"))
        shot.save(qEnvironmentVariable("LANESCOPE_COMPARE_PNG"));
    delete dlg;

    // From the table: two rows selected (Ctrl+click), Ctrl+K.
    w.applyFilter(QString());
    QVERIFY(w.settle());
    QTRY_VERIFY(w.requestModel()->rowCount() == 500);
    QTRY_VERIFY(w.requestModel()->row(0) && w.requestModel()->row(1) && w.requestModel()->row(2));
    const QString k0 = w.requestModel()->row(0)->key, k1 = w.requestModel()->row(1)->key,
                  k2 = w.requestModel()->row(2)->key;
    w.requestView()->selectRow(1);
    QVERIFY(w.settle());
    w.requestView()->selectionModel()->select(
        w.requestModel()->index(0, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QCOMPARE(w.requestView()->selectionModel()->selectedRows().size(), 2);
    QAction *compare = nullptr;
    for (QAction *a : w.findChildren<QAction *>())
        if (a->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_K)) compare = a;
    QVERIFY(compare);
    compare->trigger();
    QVERIFY(w.settle());
    dlg = w.findChild<QDialog *>(QStringLiteral("compare"));
    QVERIFY(dlg);
    const QString head = dlg->findChild<QLabel *>()->text();
    QVERIFY2(head.indexOf(k1) >= 0 && head.indexOf(k0) > head.indexOf(k1), qPrintable(head));
    delete dlg;

    // One row: a picker of the filter's requests, the previous one first;
    // typing part of a key finds it.
    w.requestView()->selectRow(2);
    QVERIFY(w.settle());
    compare->trigger();
    QVERIFY(w.settle());
    auto *picker = w.findChild<QDialog *>(QStringLiteral("comparePicker"));
    QVERIFY(picker);
    auto *box = picker->findChild<QComboBox *>();
    QVERIFY(box);
    QCOMPARE(box->count(), 499);                 // every request but the selected one
    QCOMPARE(box->currentData().toString(), k1); // the request selected before
    QVERIFY(box->completer()->filterMode() == Qt::MatchContains);
    if (qEnvironmentVariableIsSet("LANESCOPE_COMPARE_PNG"))
        picker->grab().save(qEnvironmentVariable("LANESCOPE_COMPARE_PNG") +
                            QStringLiteral(".picker.png"));
    box->setCurrentIndex(box->findData(k0));
    picker->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    QVERIFY(w.settle());
    dlg = w.findChild<QDialog *>(QStringLiteral("compare"));
    QVERIFY(dlg);
    const QString head2 = dlg->findChild<QLabel *>()->text();
    QVERIFY2(head2.indexOf(k2) >= 0 && head2.indexOf(k0) > head2.indexOf(k2), qPrintable(head2));
}

void TstGui::shortcutsListed()
{
    MainWindow w;
    const auto list = w.shortcutList();
    QStringList keys;
    for (const auto &p : list)
        keys << p.first;
    for (const QString &k : {QStringLiteral("W / S"), QStringLiteral("F"), QStringLiteral("F1"),
                             QStringLiteral("Ctrl+O"), QStringLiteral("Alt+Left")})
        QVERIFY2(keys.contains(k), qPrintable(keys.join(QStringLiteral(" | "))));
}

void TstGui::screenshots_data()
{
    QTest::addColumn<QString>("view");
    for (const char *v : {"timeline", "waterfall", "requests", "details"})
        QTest::newRow(v) << QString::fromLatin1(v);
}

void TstGui::screenshots()
{
    QFETCH(QString, view);
    const QString out = m_dir.filePath(view + QStringLiteral(".png"));
    QCOMPARE(screenshotCommand({m_session, QStringLiteral("-o"), out, QStringLiteral("--view"),
                                view, QStringLiteral("--size"), QStringLiteral("1200x800")}),
             0);
    const QImage img(out);
    QVERIFY(!img.isNull());
    QCOMPARE(img.size(), QSize(1200, 800));
}

QTEST_MAIN(TstGui)
#include "tst_gui.moc"
