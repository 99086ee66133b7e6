// The app's view state and query service without any widget: time range
// clamping and history, selection fan-out, the worker, stale and
// superseded answers dropped, errors carried as answers, the session
// controller's generations, imports and edits.

#include "annotations.h"
#include "queryservice.h"
#include "registry.h"
#include "selection.h"
#include "sessioncontroller.h"
#include "testsupport.h"
#include "timerange.h"
#include "worker.h"

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

using namespace ls;

namespace {

// Holds the service's worker on a task until `release` is set.
void holdWorker(
    QueryService &q, QObject *receiver, std::atomic<bool> &release,
    std::function<void(const Answer<int> &)> onAnswer = [](const Answer<int> &) {})
{
    q.ask<int>(
        receiver, {},
        [&release](const Db &) {
            while (!release.load())
                std::this_thread::yield();
            return 1;
        },
        std::move(onAnswer));
}

} // namespace

class TstViewState : public QObject
{
    Q_OBJECT

private slots:
    void rangeIsClamped()
    {
        TimeRangeController c;
        QSignalSpy visible(&c, &TimeRangeController::visibleChanged);
        QVERIFY(!c.hasRange());
        c.setVisible({0, 10}); // no session range yet: nothing to show
        QCOMPARE(visible.count(), 0);
        c.reset({1000, 2000});
        QCOMPARE(c.visible(), (TimeRange{1000, 2000}));
        QCOMPARE(visible.count(), 1);
        // Past the ends: slid back inside the full range padded by 5%.
        c.setVisible({1900, 2400});
        QCOMPARE(c.visible(), (TimeRange{1550, 2050}));
        c.setVisible({-5000, 90000});
        QCOMPARE(c.visible(), (TimeRange{950, 2050}));
        // Never shorter than the minimum, centred where asked.
        c.setVisible({1500, 1501});
        QCOMPARE(c.visible().length(), TimeRangeController::kMinVisible);
        QCOMPARE(c.visible().start, TimeNs(1450));
        // Reversed ends are one range.
        c.setVisible({1800, 1200});
        QCOMPARE(c.visible(), (TimeRange{1200, 1800}));
        const int before = visible.count();
        c.setVisible({1200, 1800}); // the same: no signal
        QCOMPARE(visible.count(), before);
        // Selection: clamped to the full range; an empty one clears it.
        QSignalSpy sel(&c, &TimeRangeController::selectionChanged);
        c.setSelection({500, 1500});
        QCOMPARE(c.selection(), (TimeRange{1000, 1500}));
        c.setSelection({1500, 1000});
        QCOMPARE(sel.count(), 1);
        c.setSelection({1700, 1700});
        QCOMPARE(c.selection(), TimeRange{});
        QCOMPARE(sel.count(), 2);
        c.setSelection({1100, 1200});
        c.reset({0, 100}); // a new session: selection and history go
        QCOMPARE(c.selection(), TimeRange{});
        QCOMPARE(c.visible(), (TimeRange{0, 100}));
        QCOMPARE(c.historySize(), 1);
    }

    void historyWalksAndTruncates()
    {
        TimeRangeController c;
        c.setCoalesceMs(0);
        c.reset({0, 1000000});
        c.setVisible({0, 500000});
        c.setVisible({0, 250000});
        c.setVisible({0, 1000}, TimeRangeController::History::Keep); // not a step
        QCOMPARE(c.historySize(), 3);
        QVERIFY(c.canGoBack());
        c.back();
        QCOMPARE(c.visible(), (TimeRange{0, 500000}));
        c.back();
        QCOMPARE(c.visible(), (TimeRange{0, 1000000}));
        QVERIFY(!c.canGoBack());
        c.back(); // at the start: stays
        QCOMPARE(c.visible(), (TimeRange{0, 1000000}));
        c.forward();
        QCOMPARE(c.visible(), (TimeRange{0, 500000}));
        QVERIFY(c.canGoForward());
        // A new step after going back drops the steps ahead.
        c.setVisible({100, 200000});
        QVERIFY(!c.canGoForward());
        QCOMPARE(c.historySize(), 3);
        c.back();
        QCOMPARE(c.visible(), (TimeRange{0, 500000}));

        // One gesture (steps inside the coalescing window) is one step.
        TimeRangeController g;
        g.setCoalesceMs(60000);
        g.reset({0, 1000000});
        QTest::qWait(1); // (the reset's step started the window too)
        for (int i = 1; i <= 10; ++i)
            g.setVisible({0, 1000000 - i * 50000});
        QCOMPARE(g.historySize(), 1);
        QCOMPARE(g.visible(), (TimeRange{0, 500000}));
    }

    void selectionFansOutOnce()
    {
        SelectionModel m;
        int a = 0, b = 0, requests = 0;
        Selection last;
        connect(&m, &SelectionModel::changed, this, [&](const Selection &s) {
            ++a;
            last = s;
        });
        connect(&m, &SelectionModel::changed, this, [&] { ++b; });
        connect(&m, &SelectionModel::requestChanged, this, [&] { ++requests; });
        m.selectRequest(5);
        QCOMPARE(a, 1);
        QCOMPARE(b, 1);
        QCOMPARE(requests, 1);
        QCOMPARE(last.request, qint64(5));
        m.selectRequest(5); // a repeat: nobody hears it
        QCOMPARE(a, 1);
        m.selectRequest(5, SelectionModel::Zoom::ToRequest); // asked to zoom: heard
        QCOMPARE(a, 2);
        QCOMPARE(requests, 2);
        // A span of the same request: the request stays, span and lane set.
        m.selectSpan(77, 3, 0);
        QCOMPARE(m.current(), (Selection{5, 77, 3}));
        QCOMPARE(requests, 2);
        // Another request clears the span and remembers the one before.
        m.selectRequest(9);
        QCOMPARE(m.current(), (Selection{9, 0, 0}));
        QCOMPARE(m.previousRequest(), qint64(5));
        QCOMPARE(requests, 3);
        // A span of a third request selects that request too.
        m.selectSpan(12, 4, 11);
        QCOMPARE(m.request(), qint64(11));
        QCOMPARE(m.previousRequest(), qint64(9));
        m.clear();
        QCOMPARE(m.current(), Selection{});
        QCOMPARE(a, 6);
    }

    void workerRunsInOrder()
    {
        Worker w("test");
        std::vector<int> seen;
        std::atomic<bool> release{false};
        w.post([&] {
            while (!release.load())
                std::this_thread::yield();
            seen.push_back(0);
        });
        for (int i = 1; i <= 5; ++i)
            w.post([&seen, i] { seen.push_back(i); });
        QVERIFY(!w.isIdle());
        QVERIFY(!w.waitIdle(20)); // the first task still holds it
        release = true;
        QVERIFY(w.waitIdle(10000));
        QCOMPARE(seen, (std::vector<int>{0, 1, 2, 3, 4, 5}));
        // clear() drops what waits, not what runs.
        release = false;
        seen.clear();
        std::atomic<bool> started{false};
        w.post([&] {
            started = true;
            while (!release.load())
                std::this_thread::yield();
            seen.push_back(0);
        });
        for (int i = 1; i <= 3; ++i)
            w.post([&seen, i] { seen.push_back(i); });
        QTRY_VERIFY(started.load());
        QCOMPARE(w.clear(), 3);
        release = true;
        QVERIFY(w.waitIdle(10000));
        QCOMPARE(seen, std::vector<int>{0});
    }

    void answersCarryTheirGeneration()
    {
        test::TempSession ts;
        QVERIFY(ts.import(test::corpus(QStringLiteral("gen/server.jsonl"))).ok);
        QueryService q;
        q.setSession(ts.path(), 1);
        QList<Answer<RequestIdList>> got;
        const auto keep = [&](const Answer<RequestIdList> &a) { got << a; };
        q.requestIds(this, {}, keep);
        QVERIFY(q.settle());
        QCOMPARE(got.size(), 1);
        QVERIFY2(got[0].ok(), qPrintable(got[0].error));
        QCOMPARE(got[0].generation, quint64(1));
        QCOMPARE(got[0].value.ids.size(), size_t(500));

        // Asked under generation 1, arriving under 2: dropped, never shown.
        q.requestIds(this, {}, keep);
        q.setSession(ts.path(), 2);
        QVERIFY(q.settle());
        QCOMPARE(got.size(), 1);
        // (dropped on arrival, or never run when the new session cleared the queue)
        q.requestIds(this, {}, keep);
        QVERIFY(q.settle());
        QCOMPARE(got.size(), 2);
        QCOMPARE(got[1].generation, quint64(2));

        // The worker's answer is dropped on arrival when the generation moved
        // while it ran.
        std::atomic<bool> release{false};
        holdWorker(q, this, release,
                   [](const Answer<int> &) { QFAIL("a stale answer was delivered"); });
        QTest::qWait(20);
        q.setSession(ts.path(), 3);
        const int dropped = q.droppedAnswers();
        release = true;
        QVERIFY(q.settle());
        QCOMPARE(q.droppedAnswers(), dropped + 1);

        // An answer for a receiver that is gone is dropped too.
        auto *gone = new QObject;
        q.requestIds(gone, {},
                     [&](const Answer<RequestIdList> &) { QFAIL("delivered to a dead receiver"); });
        delete gone;
        QVERIFY(q.settle());
    }

    void keyedQuestionsAreSuperseded()
    {
        test::TempSession ts;
        QVERIFY(ts.import(test::corpus(QStringLiteral("gen/server.jsonl"))).ok);
        QueryService q;
        q.setSession(ts.path(), 1);
        std::atomic<bool> release{false};
        holdWorker(q, this, release);
        QList<qint64> shown;
        for (qint64 id = 1; id <= 20; ++id)
            q.requestDetails(this, id, [&](const Answer<std::optional<RequestDetails>> &a) {
                QVERIFY(a.ok());
                QVERIFY(a.value.has_value());
                shown << a.value->row.id;
            });
        release = true;
        QVERIFY(q.settle());
        QCOMPARE(shown, QList<qint64>{20});
    }

    void errorsAreAnswers()
    {
        QTemporaryDir dir;
        const QString junk =
            test::writeFile(dir, QStringLiteral("junk.lanescope"), QByteArray(8192, 'x'));
        QueryService q;
        QSignalSpy failed(&q, &QueryService::queryFailed);
        q.setSession(junk, 1);
        QString error;
        q.sources(this, [&](const Answer<QList<SourceRow>> &a) { error = a.error; });
        QVERIFY(q.settle());
        QVERIFY2(error.contains(junk), qPrintable(error));
        QCOMPARE(failed.count(), 1);
        // A bad filter is an answer too, with the parser's message.
        test::TempSession ts;
        QVERIFY(ts.import(test::corpus(QStringLiteral("gen/server.jsonl"))).ok);
        q.setSession(ts.path(), 2);
        RequestQuery bad;
        bad.filter = QStringLiteral("status>>5");
        error.clear();
        q.requestIds(this, bad, [&](const Answer<RequestIdList> &a) { error = a.error; });
        QVERIFY(q.settle());
        QVERIFY(!error.isEmpty());
        // No session at all.
        q.setSession(QString(), 3);
        error.clear();
        q.notes(this, [&](const Answer<QList<Note>> &a) { error = a.error; });
        QVERIFY(q.settle());
        QCOMPARE(error, QStringLiteral("no session is open"));
    }

    void controllerImportsAndEdits()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.lanescope"));
        const ImporterRegistry &reg = builtinImporters();
        SessionController c(reg);
        QSignalSpy changed(&c, &SessionController::changed);
        QString error;
        QVERIFY2(c.open(path, &error), qPrintable(error));
        QCOMPARE(changed.count(), 1);
        const quint64 g1 = c.generation();
        QCOMPARE(c.queries()->generation(), g1);
        QSignalSpy finished(&c, &SessionController::importFinished);
        QSignalSpy files(&c, &SessionController::importFileFinished);
        QVERIFY(c.startImport({test::corpus(QStringLiteral("gen/server.jsonl"))}));
        QVERIFY(!c.startImport({test::corpus(QStringLiteral("gen/server.jsonl"))}));
        QVERIFY(!c.open(path, &error)); // not while importing
        QVERIFY(error.contains(QStringLiteral("import")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(files.count(), 1);
        QVERIFY(files.first().first().value<ImportResult>().ok);
        QVERIFY(c.generation() > g1);
        QCOMPARE(changed.count(), 2);
        qint64 n = -1;
        c.queries()->requestIds(
            this, {}, [&](const Answer<RequestIdList> &a) { n = qint64(a.value.ids.size()); });
        QVERIFY(c.queries()->settle());
        QCOMPARE(n, qint64(500));
        // An edit runs on its own connection and reports its result.
        qint64 noteId = 0;
        c.edit(
            this, [](Session &s) { return addRangeNote(s.db(), 10, 20, QStringLiteral("slow")); },
            [&](const Answer<qint64> &a) {
                QVERIFY2(a.ok(), qPrintable(a.error));
                noteId = a.value;
            });
        QTRY_VERIFY_WITH_TIMEOUT(noteId > 0, 10000);
        QList<Note> notes;
        c.queries()->notes(this, [&](const Answer<QList<Note>> &a) { notes = a.value; });
        QVERIFY(c.queries()->settle());
        QCOMPARE(notes.size(), 1);
        QCOMPARE(notes.first().text, QStringLiteral("slow"));
        // A file that is not a session is refused, and the open one stays.
        const QString junk =
            test::writeFile(dir, QStringLiteral("junk.lanescope"), QByteArray(4096, 'j'));
        QVERIFY(!c.open(junk, &error));
        QVERIFY2(error.contains(junk), qPrintable(error));
        QCOMPARE(c.path(), QFileInfo(path).absoluteFilePath());
        c.reload();
        QCOMPARE(changed.count(), 3);
    }
};

QTEST_GUILESS_MAIN(TstViewState)
#include "tst_viewstate.moc"
