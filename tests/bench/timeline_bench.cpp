// Timeline frame-time benchmark (not a ctest test): generates a synthetic
// session of 10 M spans on 1,000 goroutine lanes (once; reused when present),
// opens it in the real main window on the offscreen platform and reports
//  - first paint after opening (window painted with the request table), and
//    the time until the timeline is loaded and painted with all lanes;
//  - p50 / p95 / max frame time while zooming from the whole trace down to
//    1 µs at the cursor, and while panning at several zoom levels;
//  - a windowed session (too big to hold): when the lanes on screen are read,
//    and scrolling down through the lanes a screen at a time;
//  - the request table: filter and sort (until the answer is shown), and
//    jump-scroll frames (a page not yet read paints as "…" and arrives later);
//  - with --during-import FILE: frame times while FILE is imported into a
//    copy of the session and requests are selected and the table scrolled
//    each frame (the query service reads the last commit meanwhile);
//  - peak RSS.
// Usage: timeline_bench [--file PATH] [--lanes N] [--spans-per-lane N] [--raw-dumps] [--regen]
//                       [--during-import FILE] [--hold-whole]
// (--hold-whole: the timeline holds every lane however big the session, as
// before windowed opening.)

#include "mainwindow.h"
#include "synthetic.h"
#include "timelinewidget.h"
#include "units.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QScrollBar>
#include <QTableView>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <cmath>

using namespace ls;

static qint64 peakRssKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly)) return -1;
    for (const QByteArray &l : f.readAll().split('\n'))
        if (l.startsWith("VmHWM:")) return l.mid(6).trimmed().split(' ').first().toLongLong();
    return -1;
}

static QString stats(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    auto pct = [&](double p) {
        return v[std::min(v.size() - 1, size_t(p / 100.0 * double(v.size())))];
    };
    return QStringLiteral("n=%1 p50 %2 ms  p95 %3 ms  max %4 ms")
        .arg(v.size())
        .arg(pct(50), 0, 'f', 2)
        .arg(pct(95), 0, 'f', 2)
        .arg(v.back(), 0, 'f', 2);
}

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("LanescopeBench"));
    QTextStream out(stdout);
    QString path = QDir::temp().filePath(QStringLiteral("lanescope-timeline-bench.lanescope"));
    int lanes = 1000;
    qint64 perLane = 10000;
    bool regen = false, rawDumps = false;
    int requests = 5000;
    QString duringImport;
    bool holdWhole = false; // never windowed, however big the session
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--file") && i + 1 < args.size())
            path = args[++i];
        else if (args[i] == QLatin1String("--lanes") && i + 1 < args.size())
            lanes = args[++i].toInt();
        else if (args[i] == QLatin1String("--spans-per-lane") && i + 1 < args.size())
            perLane = args[++i].toLongLong();
        else if (args[i] == QLatin1String("--requests") && i + 1 < args.size())
            requests = args[++i].toInt();
        else if (args[i] == QLatin1String("--raw-dumps"))
            rawDumps = true;
        else if (args[i] == QLatin1String("--regen"))
            regen = true;
        else if (args[i] == QLatin1String("--during-import") && i + 1 < args.size())
            duringImport = args[++i];
        else if (args[i] == QLatin1String("--hold-whole"))
            holdWhole = true;
    }
    if (regen) QFile::remove(path);
    if (!QFile::exists(path)) {
        QElapsedTimer t;
        t.start();
        Session s = Session::open(path);
        test::SyntheticSpec spec;
        spec.goroutines = lanes;
        spec.spansPerLane = perLane;
        spec.requests = requests;
        spec.rawDumps = rawDumps;
        spec.duration = 60'000'000'000; // 60 s
        const auto r = test::writeSyntheticSession(s, spec);
        out << "generated " << r.spans << " spans on " << r.lanes << " lanes, " << r.requests
            << " requests in " << t.elapsed() << " ms -> " << path << "\n";
        out.flush();
    }
    QElapsedTimer open;
    open.start();
    gui::MainWindow w;
    w.resize(1600, 1000);
    if (holdWhole)
        w.setTimelineWindow(std::numeric_limits<qint64>::max(), std::numeric_limits<qint64>::max());
    if (!w.openSession(path)) {
        out << "cannot open " << path << "\n";
        return 1;
    }
    w.show();
    (void)w.grab(); // forces a full paint of the window
    const qint64 firstPaint = open.elapsed();
    while (!w.timeline()->model() && open.elapsed() < 600000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::msleep(1);
    }
    w.timeline()->repaint();
    const qint64 partialPaint = open.elapsed();
    const bool partial = w.timeline()->model()->isPartial();
    while (!w.timelineReady() && open.elapsed() < 600000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(2);
    }
    gui::TimelineWidget *tl = w.timeline();
    tl->repaint();
    const qint64 timelinePaint = open.elapsed();
    out << "first paint after opening: " << firstPaint << " ms (window, request table)\n";
    out << "timeline first paint: " << partialPaint << " ms"
        << (partial ? " (first screen of lanes; the rest still loading)" : "") << "\n";
    out << "timeline fully loaded and painted: " << timelinePaint << " ms ("
        << tl->model()->spanCount() << " spans, " << tl->model()->laneCount() << " lanes, model "
        << tl->model()->memoryBytes() / (1024 * 1024) << " MB)\n";
    if (tl->model()->isWindowed()) {
        w.settle(600000);
        tl->repaint();
        out << "windowed: the lanes on screen read and painted at " << open.elapsed() << " ms ("
            << tl->model()->loadedSpanCount() << " of " << tl->model()->spanCount()
            << " spans held, model " << tl->model()->memoryBytes() / (1024 * 1024) << " MB)\n";
    }
    out << "RSS peak so far: " << peakRssKb() / 1024 << " MB\n";
    out.flush();
    // Down through the lanes a screen at a time: the frame (a lane not read
    // yet paints as "loading…") and the time until the screen is painted
    // with its lanes' spans.
    if (QScrollBar *bar = tl->findChild<QScrollBar *>(); bar && bar->maximum() > 0) {
        std::vector<double> frames, filled;
        for (int k = 1; k <= 30 && bar->value() < bar->maximum(); ++k) {
            QElapsedTimer f;
            f.start();
            bar->setValue(std::min(bar->maximum(), bar->value() + bar->pageStep()));
            tl->repaint();
            frames.push_back(double(f.nsecsElapsed()) / 1e6);
            w.settle(600000);
            tl->repaint();
            filled.push_back(double(f.nsecsElapsed()) / 1e6);
        }
        out << "scroll a screen of lanes down: frames " << stats(frames)
            << "; painted with spans after " << stats(filled) << " ("
            << tl->model()->loadedSpanCount() << " spans held)\n";
        bar->setValue(0);
        w.settle(600000);
    }

    // A request selected, its tracks gathered by request focus (on by
    // default): the frames below are measured with grouping and focus on.
    if (!tl->model()->requests().empty()) {
        w.selectRequest(tl->model()->requests()[tl->model()->requests().size() / 2].id, false);
        w.settle();
        out << "request focus: " << tl->focusLanes().size() << " tracks gathered\n";
    }
    // Zoom from the whole trace to 1 µs at a point in the middle.
    const TimeRange full = tl->model()->fullRange();
    tl->setRange(full);
    std::vector<double> zoom, pan;
    const double cx = tl->plotLeft() + tl->plotWidth() * 0.5;
    const int steps = int(std::ceil(std::log(double(full.length()) / 1000.0) / std::log(1 / 0.85)));
    for (int i = 0; i < steps; ++i) {
        QElapsedTimer f;
        f.start();
        tl->zoomAt(0.85, cx);
        tl->repaint();
        zoom.push_back(double(f.nsecsElapsed()) / 1e6);
    }
    out << "zoom whole trace -> " << formatDuration(tl->range().length()) << ": " << stats(zoom)
        << "\n";
    // Pan at several zoom levels: 1/8 of the width per frame.
    for (TimeNs len : {full.length(), full.length() / 16, TimeNs(10'000'000), TimeNs(100'000)}) {
        const TimeNs s0 = full.start + full.length() / 3;
        tl->setRange({s0, s0 + len});
        for (int i = 0; i < 60; ++i) {
            QElapsedTimer f;
            f.start();
            tl->panPixels(tl->plotWidth() / 8.0 * (i < 30 ? 1 : -1));
            tl->repaint();
            pan.push_back(double(f.nsecsElapsed()) / 1e6);
        }
    }
    out << "pan at whole, 1/16, 10 ms, 100 µs: " << stats(pan) << "\n";
    std::vector<double> all = zoom;
    all.insert(all.end(), pan.begin(), pan.end());
    out << "all frames: " << stats(all) << "\n";
    // The request table: filter, sort and scroll through every row.
    {
        QElapsedTimer t;
        t.start();
        w.applyFilter(QStringLiteral("status>=200"));
        w.settle();
        const qint64 filterMs = t.elapsed();
        t.restart();
        w.requestModel()->sort(gui::RequestTableModel::Status, Qt::AscendingOrder);
        w.settle();
        const qint64 sortMs = t.elapsed();
        std::vector<double> scroll, arrive;
        QTableView *v = w.requestView();
        const int n = w.requestModel()->rowCount();
        for (int k = 0; k <= 40; ++k) {
            QElapsedTimer f;
            f.start();
            v->scrollTo(w.requestModel()->index(int(qint64(n - 1) * k / 40), 0));
            v->viewport()->repaint();
            scroll.push_back(double(f.nsecsElapsed()) / 1e6);
            w.settle();
            v->viewport()->repaint();
            arrive.push_back(double(f.nsecsElapsed()) / 1e6);
        }
        out << "request table (" << n << " rows): filter " << filterMs << " ms, sort " << sortMs
            << " ms (until shown), jump-scroll frames " << stats(scroll) << "; rows painted after "
            << stats(arrive) << "\n";
    }
    if (!duringImport.isEmpty()) {
        // A copy of the session takes the import (the synthetic one stays as generated).
        const QString copy = path + QStringLiteral(".import-copy");
        QFile::remove(copy);
        if (!QFile::copy(path, copy) || !w.openSession(copy)) {
            out << "cannot copy or open " << copy << "\n";
            return 1;
        }
        while (!w.timelineReady() && open.elapsed() < 600000) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
            QThread::msleep(2);
        }
        w.settle();
        const int rows = std::max(1, w.requestModel()->rowCount());
        // One frame: select a request (every third frame), scroll the
        // table, deliver answers, paint the table and the timeline.
        const auto frame = [&](int k) {
            QElapsedTimer f;
            f.start();
            if (k % 3 == 0) w.requestView()->selectRow((k * 7) % rows);
            w.requestView()->scrollTo(w.requestModel()->index((k * 37) % rows, 0));
            QCoreApplication::processEvents();
            w.requestView()->viewport()->repaint();
            w.timeline()->repaint();
            return double(f.nsecsElapsed()) / 1e6;
        };
        const auto over = [](const std::vector<double> &v, double ms) {
            return std::count_if(v.begin(), v.end(), [ms](double x) { return x > ms; });
        };
        std::vector<double> idle;
        for (int k = 0; k < 200; ++k)
            idle.push_back(frame(k));
        out << "the same frames with no import: " << stats(idle)
            << ", over 16 ms: " << over(idle, 16) << "\n";
        QElapsedTimer t;
        t.start();
        w.importFiles({duringImport});
        std::vector<double> frames;
        for (int k = 0; w.importRunning(); ++k)
            frames.push_back(frame(k));
        out << "during the import of " << QFileInfo(duringImport).fileName() << " (" << t.elapsed()
            << " ms): frames " << stats(frames) << ", over 16 ms: " << over(frames, 16)
            << ", over 100 ms: " << over(frames, 100) << "\n";
        w.settle();
        QFile::remove(copy);
    }
    out << "peak RSS: " << peakRssKb() / 1024 << " MB\n";
    return 0;
}
