// The import pipeline: importer choice by content, gzip input, two-tier
// errors, rollback (the session file unchanged byte for byte), cancellation
// (synchronous and on the worker thread), diagnostics, and the line reader
// every text importer stands on.

#include "pipeline.h"
#include "queries.h"
#include "registry.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

using namespace ls;
using namespace ls::test;

namespace {

// Writes real rows, then fails structurally on its third line.
class FailingImporter final : public Importer
{
public:
    QByteArray id() const override { return "test-failing"; }
    QString displayName() const override { return QStringLiteral("failing"); }
    int sniff(const SniffInput &in) const override
    {
        return in.head.startsWith("FAILTEST") ? 90 : 0;
    }
    void run(ImportContext &ctx, RecordSink &sink) override
    {
        LineReader r(ctx.input());
        QByteArrayView line;
        const LaneId lane = sink.lane({"goroutine", 1, "g1", kNoId, 0});
        while (r.next(line)) {
            SpanRecord s;
            s.lane = lane;
            s.start = r.lineNumber() * 10;
            s.end = s.start + 5;
            s.name = sink.intern(line);
            sink.span(s);
            RequestRecord rq;
            rq.key = line.toByteArray();
            rq.start = 1;
            rq.end = 2;
            sink.request(rq);
            if (r.lineNumber() == 3)
                throw ImportError(QStringLiteral("bad record here"), r.lineOffset(),
                                  r.lineNumber());
        }
    }
};

// Writes many rows (megabytes of pages reach the log before the end), then fails.
class BulkFailingImporter final : public Importer
{
public:
    QByteArray id() const override { return "test-bulk-failing"; }
    QString displayName() const override { return QStringLiteral("bulk failing"); }
    int sniff(const SniffInput &in) const override
    {
        return in.head.startsWith("BULKFAIL") ? 90 : 0;
    }
    void run(ImportContext &, RecordSink &sink) override
    {
        const LaneId lane = sink.lane({"goroutine", 1, "g1", kNoId, 0});
        for (int i = 0; i < 300000; ++i) {
            SpanRecord s;
            s.lane = lane;
            s.start = i * 10;
            s.end = s.start + 5;
            const QByteArray name = "span " + QByteArray::number(i);
            s.name = sink.intern(name);
            sink.span(s);
            if (i % 10 == 0) {
                RequestRecord rq;
                rq.key = "bulk-" + QByteArray::number(i);
                rq.start = s.start;
                rq.end = s.end;
                sink.request(rq);
            }
        }
        throw ImportError(QStringLiteral("failed after the rows"), 9, 1);
    }
};

// Reads slowly, line by line, checking for cancellation.
class SlowImporter final : public Importer
{
public:
    QByteArrayView marker = "SLOWTEST";
    QByteArray id() const override { return "test-slow"; }
    QString displayName() const override { return QStringLiteral("slow"); }
    int sniff(const SniffInput &in) const override { return in.head.startsWith(marker) ? 90 : 0; }
    void run(ImportContext &ctx, RecordSink &sink) override
    {
        LineReader r(ctx.input(), 1 << 20, 64);
        QByteArrayView line;
        const LaneId lane = sink.lane({"goroutine", 1, "g1", kNoId, 0});
        while (r.next(line)) {
            ctx.checkpoint();
            SpanRecord s;
            s.lane = lane;
            s.start = r.lineNumber();
            s.end = s.start + 1;
            sink.span(s);
            QThread::usleep(200);
        }
    }
};

ImporterRegistry testRegistry()
{
    ImporterRegistry reg;
    registerBuiltinImporters(reg);
    reg.add(std::make_unique<FailingImporter>());
    reg.add(std::make_unique<SlowImporter>());
    reg.add(std::make_unique<BulkFailingImporter>());
    return reg;
}

QByteArray gzip(const QByteArray &data)
{
    z_stream zs{};
    deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(int(deflateBound(&zs, uLong(data.size()))) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = uInt(out.size());
    deflate(&zs, Z_FINISH);
    out.truncate(qsizetype(zs.total_out));
    deflateEnd(&zs);
    return out;
}

QByteArray slowInput(int lines)
{
    QByteArray data = "SLOWTEST\n";
    for (int i = 0; i < lines; ++i)
        data += "line " + QByteArray::number(i) + "\n";
    return data;
}

} // namespace

// Takes an ImportJob's signals on the test's thread. A QSignalSpy on the job
// itself records them on the worker thread (a direct connection) while the
// test reads it: a data race.
class JobRelay : public QObject
{
    Q_OBJECT
public:
    explicit JobRelay(ImportJob &job)
    {
        connect(&job, &ImportJob::progress, this, &JobRelay::progress, Qt::QueuedConnection);
        connect(&job, &ImportJob::fileFinished, this, &JobRelay::fileFinished,
                Qt::QueuedConnection);
        connect(&job, &ImportJob::finished, this, &JobRelay::finished, Qt::QueuedConnection);
    }
signals:
    void progress(int fileIndex, int fileCount, const ls::ImportProgress &p);
    void fileFinished(const ls::ImportResult &result);
    void finished(bool cancelled);
};

class TstPipeline : public QObject
{
    Q_OBJECT
private slots:
    void picksImporterByContent()
    {
        const ImporterRegistry &reg = builtinImporters();
        const QByteArray head =
            readFile(test::corpus(QStringLiteral("gen/server.jsonl"))).left(65536);
        SniffInput in;
        in.head = head;
        in.fileName = QStringLiteral("whatever.txt"); // the extension does not decide
        const Importer *imp = reg.pick(in);
        QVERIFY(imp);
        QCOMPARE(imp->id(), QByteArray("steplog"));
    }

    void extensionOnlyBreaksTies()
    {
        struct Fixed final : Importer
        {
            QByteArray name;
            int score;
            QStringList exts;
            Fixed(QByteArray n, int s, QStringList e)
                : name(std::move(n)), score(s), exts(std::move(e))
            {}
            QByteArray id() const override { return name; }
            QString displayName() const override { return QString::fromUtf8(name); }
            int sniff(const SniffInput &) const override { return score; }
            QStringList extensions() const override { return exts; }
            void run(ImportContext &, RecordSink &) override {}
        };
        ImporterRegistry reg;
        reg.add(std::make_unique<Fixed>("a", 50, QStringList{}));
        reg.add(std::make_unique<Fixed>("b", 50, QStringList{QStringLiteral("har")}));
        reg.add(std::make_unique<Fixed>("c", 40, QStringList{QStringLiteral("log")}));
        SniffInput in;
        in.fileName = QStringLiteral("x.har");
        QCOMPARE(reg.pick(in)->id(), QByteArray("b"));
        in.fileName = QStringLiteral("x.HAR.gz");
        QCOMPARE(reg.pick(in)->id(), QByteArray("b"));
        in.fileName = QStringLiteral("x.log"); // a lower score is not rescued by its extension
        QCOMPARE(reg.pick(in)->id(), QByteArray("a"));
    }

    void refusesBadFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty file") << QByteArray() << QStringLiteral("empty file");
        QTest::newRow("unknown text")
            << QByteArray("hello world\nnothing here\n") << QStringLiteral("unrecognised format");
        QTest::newRow("binary junk")
            << QByteArray("\x00\x01\x02\x03junk", 8)
            << QStringLiteral("unrecognised format (first bytes: \"\\x00\\x01");
        QTest::newRow("empty gzip")
            << gzip(QByteArray()) << QStringLiteral("empty after decompression");
        QTest::newRow("truncated gzip")
            << gzip(readFile(test::corpus(QStringLiteral("gen/server.jsonl")))).left(4000)
            << QStringLiteral("gzip stream is truncated");
    }
    void refusesBadFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        test::TempSession ts;
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("input.bin"), content);
        const QByteArray before = fileSha256(ts.path());
        const ImportResult r = ts.import(path);
        QVERIFY(!r.ok);
        QVERIFY2(r.error.startsWith(path + QLatin1Char(':')), qPrintable(r.error));
        QVERIFY2(r.error.contains(expected), qPrintable(r.error));
        QCOMPARE(fileSha256(ts.path()), before);
        QCOMPARE(countRequests(ts.session().db()), qint64(0));
    }

    void refusesMissingAndFolders()
    {
        test::TempSession ts;
        ImportResult r = ts.import(ts.dir() + QStringLiteral("/does-not-exist.log"));
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QLatin1String("no such file")), qPrintable(r.error));
        r = ts.import(ts.dir());
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QLatin1String("folder")), qPrintable(r.error));
    }

    void gzipIsTransparent()
    {
        QTemporaryDir dir;
        const QByteArray plain = readFile(test::corpus(QStringLiteral("gen/server.jsonl")));
        const QString gz = writeFile(dir, QStringLiteral("server.jsonl.gz"), gzip(plain));
        test::TempSession a, b;
        const ImportResult ra = a.import(test::corpus(QStringLiteral("gen/server.jsonl")));
        const ImportResult rb = b.import(gz);
        QVERIFY2(ra.ok, qPrintable(ra.error));
        QVERIFY2(rb.ok, qPrintable(rb.error));
        QCOMPARE(rb.format, QByteArray("steplog"));
        const QString q =
            QStringLiteral("SELECT r.key, p.name, p.start_ns, p.end_ns FROM phase p JOIN "
                           "request r ON r.id = p.request_id ORDER BY 1, 3, 2");
        QCOMPARE(test::queryCsv(b.session().db(), q), test::queryCsv(a.session().db(), q));
        QCOMPARE(rb.requests, qint64(500));
    }

    void failedImportRollsBack()
    {
        const ImporterRegistry reg = testRegistry();
        test::TempSession ts;
        // Some real data first, so there is something to keep.
        ImportResult ok =
            importFile(ts.session(), test::corpus(QStringLiteral("gen/server.jsonl")), reg);
        QVERIFY2(ok.ok, qPrintable(ok.error));
        const QByteArray before = fileSha256(ts.path());
        QTemporaryDir dir;
        const QString bad =
            writeFile(dir, QStringLiteral("bad.txt"), "FAILTEST\nsecond\nthird\nfourth\n");
        const ImportResult r = importFile(ts.session(), bad, reg);
        QVERIFY(!r.ok);
        QCOMPARE(r.error, bad + QStringLiteral(": line 3: bad record here"));
        QCOMPARE(r.sourceId, qint64(0));
        QCOMPARE(fileSha256(ts.path()), before);
        QCOMPARE(querySources(ts.session().db()).size(), 1);
        // The session still works after the rollback.
        ok = importFile(ts.session(), test::corpus(QStringLiteral("gen/server.log")), reg);
        QVERIFY2(ok.ok, qPrintable(ok.error));
        QCOMPARE(querySources(ts.session().db()).size(), 2);
    }

    // A failure after a large part of a file was written (the rows are in
    // the write-ahead log by then, uncommitted): the session's content and
    // its file are as they were, also for a connection opened afterwards.
    void bigFailedImportKeepsTheContent()
    {
        const ImporterRegistry reg = testRegistry();
        test::TempSession ts;
        QVERIFY(importFile(ts.session(), test::corpus(QStringLiteral("gen/server.jsonl")), reg).ok);
        const QByteArray content = test::contentDigest(ts.session().db());
        const QByteArray file = fileSha256(ts.path());
        QTemporaryDir dir;
        const QString bad = writeFile(dir, QStringLiteral("bulk.txt"), "BULKFAIL\n");
        const ImportResult r = importFile(ts.session(), bad, reg);
        QVERIFY(!r.ok);
        QCOMPARE(r.error, bad + QStringLiteral(": line 1: failed after the rows"));
        QVERIFY2(QFileInfo(ts.path() + QStringLiteral("-wal")).size() > 1 << 20,
                 "the failed rows should have reached the log");
        QCOMPARE(test::contentDigest(ts.session().db()), content);
        QCOMPARE(fileSha256(ts.path()), file);
        Session other = Session::open(ts.path(), Session::Open::ReadOnly);
        QCOMPARE(test::contentDigest(other.db()), content);
        QCOMPARE(countRequests(other.db()), qint64(500));
    }

    // The same bytes again (the same file, or a copy under another name)
    // are skipped unless forced: they would double every lane.
    void sameFileTwiceIsSkipped()
    {
        const ImporterRegistry reg = testRegistry();
        test::TempSession ts;
        const QString f = test::corpus(QStringLiteral("gen/server.jsonl"));
        const ImportResult first = importFile(ts.session(), f, reg);
        QVERIFY(first.ok);
        const QByteArray content = test::contentDigest(ts.session().db());
        QTemporaryDir dir;
        const QString copy = dir.filePath(QStringLiteral("renamed.jsonl"));
        QVERIFY(QFile::copy(f, copy));
        for (const QString &again : {f, copy}) {
            const ImportResult r = importFile(ts.session(), again, reg);
            QVERIFY(!r.ok);
            QCOMPARE(r.duplicateOf, first.sourceId);
            QVERIFY2(r.error.contains(QStringLiteral("already in this session")),
                     qPrintable(r.error));
            QCOMPARE(test::contentDigest(ts.session().db()), content);
        }
        // A file of the same size but other bytes imports.
        QByteArray other = test::readFile(f);
        other[other.size() - 2] = other[other.size() - 2] == 'x' ? 'y' : 'x';
        const QString changed = writeFile(dir, QStringLiteral("changed.jsonl"), other);
        ImportOptions force;
        force.force = true;
        QVERIFY(importFile(ts.session(), changed, reg).ok);
        QVERIFY(importFile(ts.session(), f, reg, force).ok); // forced: imported again
        QCOMPARE(querySources(ts.session().db()).size(), 3);
    }

    // The text and the JSON log of one server are the same events: the
    // second merges into the first with an info note, no warning.
    void secondLogOfTheSameEventsMerges()
    {
        const ImporterRegistry reg = testRegistry();
        test::TempSession ts;
        QVERIFY(importFile(ts.session(), test::corpus(QStringLiteral("gen/server.jsonl")), reg).ok);
        const qint64 phases =
            test::scalar(ts.session().db(), QStringLiteral("SELECT count(*) FROM phase"));
        const ImportResult r =
            importFile(ts.session(), test::corpus(QStringLiteral("gen/server.log")), reg);
        QVERIFY(r.ok);
        QCOMPARE(test::scalar(ts.session().db(), QStringLiteral("SELECT count(*) FROM phase")),
                 phases);
        bool dupInfo = false;
        for (const DiagnosticInfo &d : r.diagnostics) {
            QVERIFY2(d.severity != Severity::Warning || d.code != "duplicate-phase",
                     d.code.constData());
            dupInfo = dupInfo || (d.code == "duplicate-phase" && d.severity == Severity::Info);
        }
        QVERIFY(dupInfo);
    }

    void cancellationRollsBack()
    {
        const ImporterRegistry reg = testRegistry();
        test::TempSession ts;
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("slow.txt"), slowInput(40000));
        const QByteArray before = fileSha256(ts.path());
        std::atomic<bool> cancel{false};
        ImportOptions opt;
        opt.cancel = &cancel;
        int calls = 0;
        opt.progress = [&](const ImportProgress &p) {
            QVERIFY(p.permille >= 0 && p.permille <= 1000);
            if (++calls == 5) cancel = true;
        };
        const ImportResult r = importFile(ts.session(), path, reg, opt);
        QVERIFY(r.cancelled);
        QVERIFY(!r.ok);
        QCOMPARE(fileSha256(ts.path()), before);
    }

    void workerThreadCancel()
    {
        const ImporterRegistry reg = testRegistry();
        test::TempSession ts;
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("slow.txt"), slowInput(20000));
        const QByteArray before = fileSha256(ts.path());
        ImportJob job(ts.path(), {path}, reg, 7);
        JobRelay relay(job);
        QSignalSpy progress(&relay, &JobRelay::progress);
        QSignalSpy finished(&relay, &JobRelay::finished);
        QSignalSpy files(&relay, &JobRelay::fileFinished);
        job.start();
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() > 0, 10000);
        job.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QCOMPARE(finished.first().first().toBool(), true);
        QCOMPARE(files.count(), 1);
        const auto res = files.first().first().value<ImportResult>();
        QVERIFY(res.cancelled);
        QCOMPARE(job.generation(), quint64(7));
        QCOMPARE(fileSha256(ts.path()), before);
    }

    // A file small next to the session keeps the indexes up to date instead
    // of dropping and rebuilding them over every row; either way the session
    // ends with every index, and the rows are the same as in a session where
    // the small file came first.
    // The digest is computed while the file is parsed (an idle-priority
    // thread, finished by the importing thread): it must be the file's.
    void sourceRowHasTheFileDigest()
    {
        test::TempSession ts;
        for (const char *rel : {"gen/client_httptrace.jsonl", "gen/trace.out",
                                "public/pprof/parca_cpu_with_labels.pb.gz"}) {
            const QString file = test::corpus(QString::fromLatin1(rel));
            const ImportResult r = ts.import(file);
            QVERIFY2(r.ok, qPrintable(r.error));
            const QByteArray expected =
                QCryptographicHash::hash(test::readFile(file), QCryptographicHash::Sha256).toHex();
            QCOMPARE(test::sqlText(
                         ts.session().db(),
                         QStringLiteral("SELECT sha256 FROM source WHERE id = %1").arg(r.sourceId))
                         .toLatin1(),
                     expected);
            QCOMPARE(fileSha256(file), expected);
        }
    }

    void smallImportKeepsIndexesLive()
    {
        const QString big = test::corpus(QStringLiteral("gen/trace.out"));
        const QString small = test::corpus(QStringLiteral("gen/server_stderr_gctrace.txt"));
        const auto indexes = [](Db &db) {
            return test::queryCsv(db, QStringLiteral("SELECT name FROM sqlite_master WHERE type = "
                                                     "'index' ORDER BY name"));
        };
        const auto rows = [](Db &db) {
            // Durations, not times: where a gctrace lands depends on what the
            // session held when it came.
            return test::queryCsv(db, QStringLiteral("SELECT s.end_ns - s.start_ns, n.value, "
                                                     "l.kind, l.name FROM span s JOIN lane l ON "
                                                     "l.id = s.lane_id LEFT JOIN string n ON n.id "
                                                     "= s.name_id ORDER BY 1, 2, 3, 4"));
        };
        test::TempSession a, b;
        QVERIFY(a.import(big).ok);
        QVERIFY(QFileInfo(small).size() * 8 < QFileInfo(a.path()).size());
        QVERIFY(a.import(small).ok);
        QVERIFY(b.import(small).ok);
        QVERIFY(b.import(big).ok);
        const QByteArray expected = indexes(b.session().db());
        QCOMPARE(indexes(a.session().db()), expected);
        for (const char *name :
             {"instant_request", "span_request", "sample_request", "callsite_parent"})
            QVERIFY2(expected.contains(name), name);
        QCOMPARE(test::laneReadProblems(a.session().db()), QString());
        QCOMPARE(test::laneReadProblems(b.session().db()), QString());
        QCOMPARE(rows(a.session().db()), rows(b.session().db()));
        QVERIFY(test::scalar(a.session().db(),
                             QStringLiteral("SELECT count(*) FROM span s JOIN lane l ON l.id = "
                                            "s.lane_id WHERE l.kind = 'gc'")) > 0);
    }

    void workerThreadImports()
    {
        test::TempSession ts;
        ImportJob job(ts.path(), {test::corpus(QStringLiteral("gen/server.jsonl"))},
                      builtinImporters(), 1);
        JobRelay relay(job);
        QSignalSpy finished(&relay, &JobRelay::finished);
        QSignalSpy files(&relay, &JobRelay::fileFinished);
        job.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QCOMPARE(finished.first().first().toBool(), false);
        const auto res = files.first().first().value<ImportResult>();
        QVERIFY2(res.ok, qPrintable(res.error));
        QCOMPARE(countRequests(ts.session().db()), qint64(500));
    }

    void diagnosticsAreStored()
    {
        test::TempSession ts;
        QTemporaryDir dir;
        QByteArray data = readFile(test::corpus(QStringLiteral("gen/server.jsonl"))).left(20000);
        data.truncate(data.lastIndexOf('\n') + 1);
        data += "{\"time\": broken json\n";
        data += "{\"msg\":\"parse\",\"dur_ns\":5,\"req_id\":\"no-time\"}\n";
        const QString path = writeFile(dir, QStringLiteral("diag.jsonl"), data);
        const ImportResult r = ts.import(path);
        QVERIFY2(r.ok, qPrintable(r.error));
        const QList<SourceRow> src = querySources(ts.session().db());
        QCOMPARE(src.size(), 1);
        QCOMPARE(src[0].diagnostics.size(), 2);
        const qint64 lines = data.count('\n');
        QCOMPARE(src[0].diagnostics[0].code, QStringLiteral("bad-json"));
        QCOMPARE(src[0].diagnostics[0].firstLine, lines - 1);
        QCOMPARE(src[0].diagnostics[1].code, QStringLiteral("missing-time"));
        QCOMPARE(src[0].diagnostics[1].firstLine, lines);
    }

    void expandsFolders()
    {
        QTemporaryDir dir;
        writeFile(dir, QStringLiteral("b.log"), "x");
        writeFile(dir, QStringLiteral("a.log"), "x");
        writeFile(dir, QStringLiteral(".hidden"), "x");
        writeFile(dir, QStringLiteral("s.lanescope"), "x");
        const QStringList files = expandInputs({dir.path()});
        QCOMPARE(files, QStringList({dir.filePath(QStringLiteral("a.log")),
                                     dir.filePath(QStringLiteral("b.log"))}));
    }

    void lineReader_data()
    {
        QTest::addColumn<int>("chunk");
        QTest::newRow("one byte chunks") << 1;
        QTest::newRow("seven byte chunks") << 7;
        QTest::newRow("big chunks") << (1 << 20);
    }
    void lineReader()
    {
        QFETCH(int, chunk);
        const QByteArray data =
            "first\r\nsecond\n\nlong-" + QByteArray(100, 'x') + "\nbody12345tail\nlast";
        InputStream in(data);
        LineReader r(in, 50, chunk);
        QByteArrayView line;
        QVERIFY(r.next(line));
        QCOMPARE(line, QByteArrayView("first"));
        QVERIFY(r.endedWithCr());
        QCOMPARE(r.lineOffset(), qint64(0));
        QVERIFY(r.next(line));
        QCOMPARE(line, QByteArrayView("second"));
        QCOMPARE(r.lineOffset(), qint64(7));
        r.unread();
        QVERIFY(r.next(line));
        QCOMPARE(line, QByteArrayView("second"));
        QCOMPARE(r.lineNumber(), qint64(2));
        QVERIFY(r.next(line));
        QCOMPARE(line, QByteArrayView(""));
        QVERIFY(r.next(line));
        QVERIFY(r.truncated());
        QCOMPARE(line.size(), qsizetype(50));
        QVERIFY(line.startsWith("long-"));
        QCOMPARE(r.takeBytes(9), QByteArray("body12345"));
        QVERIFY(r.next(line));
        QCOMPARE(line, QByteArrayView("tail"));
        QCOMPARE(r.lineNumber(), qint64(5));
        QVERIFY(r.next(line));
        QCOMPARE(line, QByteArrayView("last"));
        QVERIFY(!r.next(line));
    }
};

QTEST_GUILESS_MAIN(TstPipeline)
#include "tst_pipeline.moc"
