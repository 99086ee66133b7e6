// lanescope_bench: import throughput against the raw SQLite insert ceiling.
//
//   lanescope_bench [--ceiling-rows N] [--scale-log FILE --mb N] FILE...
//   lanescope_bench --parse-only FORMAT FILE
//   lanescope_bench --generate-chrome FILE MB
//   lanescope_bench --store-levels SESSION
//   lanescope_bench --analyze SESSION
//
// Prints one machine-readable line per figure, tab-separated:
//   figure <name> <value> <unit> [<note>]
// Figures:
//   sqlite.span_insert_ceiling   rows/s   prepared INSERTs into the span table in
//                                         one transaction, measured in this run
//   import.<file>.mb_per_s       MB/s     whole import (sniff, parse, write, index)
//   import.<file>.events_per_s   events/s events the importer reported
//   import.<file>.rows_per_s     rows/s   rows written (requests+phases+spans+samples)
//   import.<file>.ceiling_ratio  ratio    rows/s over the ceiling
//   import.<file>.peak_rss_mb    MiB      peak RSS of a child process that only
//                                         imports this file
//   import.<file>.rss_over_input ratio    peak RSS over the input size
// --parse-only runs one importer into a sink that only counts: the parser's
// own speed, without the session store (figure parse.<file>.mb_per_s).
// --store-levels times storing a session's long lanes' levels again (the last
// step of an import; core/timeline.h), rolled back after.
// --analyze times the latency-class pass over a session (core/analysis.h) and
// prints the process's peak RSS, rolled back after.
// --scale-log FILE --mb N writes a log of about N MB by repeating FILE's lines
// with the request ids made unique per repetition, and measures it too (the
// file is removed afterwards). Not part of ctest: timings are machine facts,
// never test assertions.

#include "analysis.h"
#include "batchwriter.h"
#include "countingsink.h"
#include "importer.h"
#include "pipeline.h"
#include "registry.h"
#include "schema.h"
#include "session.h"
#include "timeline.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTextStream>

using namespace ls;

namespace {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

void figure(const QString &name, double value, const char *unit, const QString &note = QString())
{
    out() << "figure\t" << name << '\t' << QString::number(value, 'f', value < 10 ? 3 : 1) << '\t'
          << unit;
    if (!note.isEmpty()) out() << '\t' << note;
    out() << '\n';
    out().flush();
}

// VmHWM, not getrusage: Linux carries ru_maxrss across exec, so a child
// started from a big parent would report the parent's peak.
double peakRssMb();

int parseOnly(const QByteArray &format, const QString &path)
{
    const Importer *imp = builtinImporters().byId(format);
    if (!imp) {
        QTextStream(stderr) << "unknown format " << format << "\n";
        return 2;
    }
    test::CountingContext ctx(path);
    test::CountingSink sink;
    QElapsedTimer t;
    t.start();
    try {
        const_cast<Importer *>(imp)->run(ctx, sink);
    } catch (const ImportError &e) {
        QTextStream(stderr) << e.message(path) << "\n";
        return 1;
    }
    const double secs = double(t.nsecsElapsed()) / 1e9;
    const double bytes = double(QFileInfo(path).size());
    const QString name = QStringLiteral("parse.") + QFileInfo(path).fileName();
    figure(name + QStringLiteral(".mb_per_s"), bytes / 1e6 / secs, "MB/s",
           QStringLiteral("format=%1 events=%2 records=%3")
               .arg(QString::fromUtf8(format))
               .arg(ctx.events)
               .arg(sink.n));
    figure(name + QStringLiteral(".peak_rss_mb"), peakRssMb(), "MiB");
    return 0;
}

// Writes a Chrome trace of about `megabytes` MB: 16 threads of back-to-back X
// slices with args and fractional µs timestamps, every tenth event an instant.
int generateChrome(const char *path, qint64 megabytes)
{
    QFile f(QString::fromLocal8Bit(path));
    if (!f.open(QIODevice::WriteOnly)) {
        std::fprintf(stderr, "cannot write %s\n", path);
        return 1;
    }
    static const char *const names[] = {"net/http.(*conn).serve", "main.handleOrder",
                                        "runtime.gcBgMarkWorker", "database/sql.(*DB).QueryContext",
                                        "main.checkStock"};
    const qint64 target = megabytes << 20;
    qint64 written = 0, n = 0, tsQuarterUs = 4000; // ts in units of 0.25 µs
    QByteArray out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
    char line[512];
    while (written + out.size() < target) {
        const int tid = int(n % 16);
        ++tsQuarterUs;
        const qint64 us = tsQuarterUs / 4, frac = (tsQuarterUs % 4) * 250;
        int len;
        if (n % 10 == 9)
            len = std::snprintf(
                line, sizeof line,
                "{\"ph\":\"i\",\"name\":\"log\",\"pid\":1,\"tid\":%d,\"ts\":%lld.%03lld,"
                "\"s\":\"t\",\"args\":{\"msg\":\"request done\",\"req\":\"r-%lld\"}},\n",
                tid, qlonglong(us), qlonglong(frac), qlonglong(n));
        else
            len = std::snprintf(
                line, sizeof line,
                "{\"name\":\"%s\",\"cat\":\"go,http\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,"
                "\"ts\":%lld.%03lld,\"dur\":0.200,\"args\":{\"req_id\":\"req-%08lld\","
                "\"bytes\":%lld}},\n",
                names[n % 5], tid, qlonglong(us), qlonglong(frac), qlonglong(n),
                qlonglong(n % 4096));
        out.append(line, len);
        ++n;
        if (out.size() > (1 << 20)) {
            written += f.write(out);
            out.clear();
        }
    }
    out += "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"args\":{\"name\":\"server\"}}]}\n";
    written += f.write(out);
    std::printf("%s: %lld bytes, %lld events\n", path, qlonglong(written), qlonglong(n + 1));
    return 0;
}

double peakRssMb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly)) return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    return -1;
}

double spanCeiling(qint64 rows)
{
    QTemporaryDir dir;
    Session s = Session::open(dir.filePath(QStringLiteral("ceiling.lanescope")));
    Db &db = s.db();
    QElapsedTimer t;
    inTransaction(db, [&] {
        db.exec("INSERT INTO source(id, path, format, size, sha256, importer_version, imported_at, "
                "status) VALUES(1, 'x', 'x', 0, '', 1, 0, 'ok')");
        db.exec("INSERT INTO lane(id, source_id, kind) VALUES(1, 1, 'goroutine')");
        db.exec(dropBulkIndexSql());
        Stmt st(db, "INSERT INTO span(lane_id, start_ns, end_ns, depth, name_id, category_id, "
                    "request_id, args) VALUES(?,?,?,?,?,?,?,?)");
        t.start();
        for (qint64 i = 0; i < rows; ++i) {
            st.bind(1, qint64(1))
                .bind(2, i * 100)
                .bind(3, i * 100 + 50)
                .bind(4, 0)
                .bind(5, qint64(1 + (i & 15)))
                .bind(6, qint64(1 + (i & 7)))
                .bindNull(7)
                .bindNull(8)
                .run();
        }
        db.exec(bulkIndexSql());
    });
    return double(rows) / (double(t.nsecsElapsed()) / 1e9);
}

// Child mode: import one file into a fresh session and print raw numbers.
int importOne(const QString &file)
{
    QTemporaryDir dir;
    Session s = Session::open(dir.filePath(QStringLiteral("bench.lanescope")));
    QElapsedTimer t;
    t.start();
    const ImportResult r = importFile(s, file, builtinImporters());
    const double secs = double(t.nsecsElapsed()) / 1e9;
    if (!r.ok) {
        QTextStream(stderr) << r.error << '\n';
        return 1;
    }
    out() << "result\t" << secs << '\t' << r.bytes << '\t' << r.events << '\t'
          << (r.requests + r.phases + r.spans + r.samples) << '\t' << peakRssMb() << '\t'
          << r.format << '\n';
    return 0;
}

// Stores a session's long lanes' levels again, timed, inside a transaction
// that is rolled back (the session is left as it was).
int storeLevels(const QString &path)
{
    try {
        Session s = Session::open(path);
        Db &db = s.db();
        db.exec("BEGIN IMMEDIATE");
        db.exec("DELETE FROM lane_level");
        QElapsedTimer t;
        t.start();
        const int lanes = storeLaneLevels(db);
        const qint64 ms = t.elapsed();
        Stmt n(db, "SELECT count(*), COALESCE(sum(length(data)), 0) FROM lane_level");
        n.step();
        out() << "store levels: " << lanes << " lanes, " << n.int64(0) << " levels, " << n.int64(1)
              << " bytes, " << ms << " ms, peak RSS " << peakRssMb() << " MiB\n";
        db.exec("ROLLBACK");
    } catch (const DbError &e) {
        QTextStream(stderr) << e.message() << '\n';
        return 1;
    }
    return 0;
}

// The latency-class pass alone over a session (rolled back).
int analyze(const QString &path)
{
    try {
        Session s = Session::open(path);
        Db &db = s.db();
        db.exec("BEGIN IMMEDIATE");
        const AnalysisStats st = analyzeRequests(db);
        out() << "latency classes: " << st.requests << " requests, " << st.traced << " traced, "
              << st.ms << " ms, peak RSS " << peakRssMb() << " MiB\n";
        db.exec("ROLLBACK");
    } catch (const DbError &e) {
        QTextStream(stderr) << e.message() << '\n';
        return 1;
    }
    return 0;
}

QString scaleLog(const QString &file, qint64 mb, const QString &outPath)
{
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly)) return QString();
    const QByteArray data = in.readAll();
    QFile o(outPath);
    if (!o.open(QIODevice::WriteOnly)) return QString();
    // Request ids are UUID-like tokens; make each repetition's unique.
    static const QRegularExpression idRe(
        QStringLiteral("([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-)[0-9a-f]{12}"));
    const QString text = QString::fromUtf8(data);
    qint64 written = 0;
    for (int rep = 0; written < mb * 1000000; ++rep) {
        QString copy = text;
        const QString tag = QStringLiteral("%1").arg(rep, 12, 16, QLatin1Char('0'));
        copy.replace(idRe, QStringLiteral("\\1") + tag);
        const QByteArray b = copy.toUtf8();
        o.write(b);
        written += b.size();
    }
    return outPath;
}

void measure(const QString &file, double ceiling, const QString &label)
{
    QProcess p;
    p.setProgram(QCoreApplication::applicationFilePath());
    p.setArguments({QStringLiteral("--import-one"), file});
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start();
    p.waitForFinished(-1);
    const QList<QByteArray> f = p.readAllStandardOutput().trimmed().split('\t');
    if (p.exitCode() != 0 || f.size() < 7 || f[0] != "result") {
        out() << "error\t" << file << "\timport failed\n";
        return;
    }
    const double secs = f[1].toDouble();
    const double bytes = f[2].toDouble();
    const double events = f[3].toDouble();
    const double rows = f[4].toDouble();
    const double rss = f[5].toDouble();
    const QString name = QStringLiteral("import.") + label;
    const QString note = QStringLiteral("format=%1 bytes=%2 secs=%3")
                             .arg(QString::fromUtf8(f[6]))
                             .arg(qint64(bytes))
                             .arg(secs, 0, 'f', 3);
    figure(name + QStringLiteral(".mb_per_s"), bytes / 1e6 / secs, "MB/s", note);
    figure(name + QStringLiteral(".events_per_s"), events / secs, "events/s");
    figure(name + QStringLiteral(".rows_per_s"), rows / secs, "rows/s");
    figure(name + QStringLiteral(".ceiling_ratio"), rows / secs / ceiling, "ratio");
    figure(name + QStringLiteral(".peak_rss_mb"), rss, "MiB");
    figure(name + QStringLiteral(".rss_over_input"), rss * 1048576.0 / std::max(1.0, bytes),
           "ratio");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    if (args.size() == 2 && args[0] == QLatin1String("--import-one")) return importOne(args[1]);
    if (args.size() == 2 && args[0] == QLatin1String("--store-levels")) return storeLevels(args[1]);
    if (args.size() == 2 && args[0] == QLatin1String("--analyze")) return analyze(args[1]);
    if (args.size() == 3 && args[0] == QLatin1String("--parse-only"))
        return parseOnly(args[1].toUtf8(), args[2]);
    if (args.size() == 3 && args[0] == QLatin1String("--generate-chrome"))
        return generateChrome(args[1].toLocal8Bit().constData(), args[2].toLongLong());
    qint64 ceilingRows = 2000000;
    QString scaleFile;
    qint64 scaleMb = 100;
    QStringList files;
    for (int i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--ceiling-rows") && i + 1 < args.size())
            ceilingRows = args[++i].toLongLong();
        else if (args[i] == QLatin1String("--scale-log") && i + 1 < args.size())
            scaleFile = args[++i];
        else if (args[i] == QLatin1String("--mb") && i + 1 < args.size())
            scaleMb = args[++i].toLongLong();
        else if (args[i] == QLatin1String("--help")) {
            out()
                << "Usage: lanescope_bench [--ceiling-rows N] [--scale-log FILE --mb N] FILE...\n";
            return 0;
        } else
            files << args[i];
    }
    const double ceiling = spanCeiling(ceilingRows);
    figure(QStringLiteral("sqlite.span_insert_ceiling"), ceiling, "rows/s",
           QStringLiteral("rows=%1").arg(ceilingRows));
    for (const QString &f : std::as_const(files))
        measure(f, ceiling, QFileInfo(f).fileName());
    if (!scaleFile.isEmpty()) {
        QTemporaryDir dir;
        const QString big =
            scaleLog(scaleFile, scaleMb,
                     dir.filePath(QFileInfo(scaleFile).fileName() + QStringLiteral(".big")));
        if (big.isEmpty()) {
            out() << "error\t" << scaleFile << "\tcannot build the scaled log\n";
            return 1;
        }
        measure(big, ceiling,
                QFileInfo(scaleFile).fileName() + QStringLiteral("x") + QString::number(scaleMb) +
                    QStringLiteral("MB"));
    }
    return 0;
}
