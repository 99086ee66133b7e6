// The command-line front end: import, info, requests, sql, formats. Every
// command works headless on the same core the GUI uses.

#include "cli.h"

#include "analysis.h"
#include "annotations.h"
#include "capture.h"
#include "pipeline.h"
#include "queries.h"
#include "registry.h"
#include "report.h"
#include "session.h"
#include "units.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace ls::cli {

namespace {

OpenHandler &openHandler()
{
    static OpenHandler h = nullptr;
    return h;
}

PdfWriter &pdfWriter()
{
    static PdfWriter w = nullptr;
    return w;
}

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

// A class breakdown as JSON: {"client": {"wait": ns, ...}, "server": {...}}.
QJsonObject classesObject(const ClassBreakdown &b)
{
    QJsonObject client, server;
    for (int i = 0; i < kLatencyClasses; ++i) {
        const qint64 ns = b.ns[size_t(i)];
        if (ns <= 0) continue;
        (isClientClass(LatencyClass(i)) ? client : server)
            .insert(QString::fromLatin1(latencyClassName(LatencyClass(i))), ns);
    }
    QJsonObject o;
    if (!client.isEmpty()) o.insert(QStringLiteral("client"), client);
    if (!server.isEmpty()) o.insert(QStringLiteral("server"), server);
    return o;
}

int usageError(const QString &cmd, const QString &msg)
{
    err() << "lanescope " << cmd << ": " << msg << "\n"
          << "Try 'lanescope " << cmd << " --help'.\n";
    err().flush();
    return 2;
}

QString humanBytes(qint64 b)
{
    if (b < 1024) return QStringLiteral("%1 B").arg(b);
    if (b < 1024 * 1024) return QStringLiteral("%1 KiB").arg(double(b) / 1024, 0, 'f', 1);
    if (b < qint64(1024) * 1024 * 1024)
        return QStringLiteral("%1 MiB").arg(double(b) / 1048576, 0, 'f', 1);
    return QStringLiteral("%1 GiB").arg(double(b) / 1073741824, 0, 'f', 2);
}

// ---------------------------------------------------------------------------

const char kImportHelp[] = R"(Usage: lanescope import -o SESSION FILE|DIR... [--format ID] [--force]

Imports trace files into a session file, creating it when it does not exist
and appending otherwise. A folder imports every file in it (recursively) whose
format is recognised; files that are not are listed and skipped. A file whose
bytes the session already holds (same SHA-256) is skipped too, unless
--force. Each file is one transaction: a file that fails leaves the session
as it was.

Options:
  -o, --output SESSION  the session file (*.lanescope)
  --format ID           force an importer (see 'lanescope formats')
  --force               import a file again although the session holds it
  --quiet               no progress bar

Exit status: 0 all files imported, 1 any file failed, 2 usage error.
)";

class ProgressLine
{
public:
    explicit ProgressLine(bool enabled) : m_enabled(enabled) { m_timer.start(); }
    void update(const QString &name, const ImportProgress &p)
    {
        if (!m_enabled || m_timer.elapsed() - m_last < 100) return;
        m_last = m_timer.elapsed();
        const double secs = std::max(0.001, double(m_timer.elapsed()) / 1000.0);
        const int width = 24;
        const int filled = p.permille * width / 1000;
        QString bar = QString(filled, QLatin1Char('#')) + QString(width - filled, QLatin1Char(' '));
        const double rate = double(p.bytesRead) / secs;
        const double eta = rate > 0 ? double(p.bytesTotal - p.bytesRead) / rate : 0;
        QString line =
            QStringLiteral("\r%1 [%2] %3% %4/%5 %6/s %7 ev/s ETA %8s %9")
                .arg(name.left(28), bar)
                .arg(p.permille / 10)
                .arg(humanBytes(p.bytesRead), humanBytes(p.bytesTotal), humanBytes(qint64(rate)))
                .arg(qint64(double(p.events) / secs))
                .arg(eta, 0, 'f', 0)
                .arg(p.stage);
        err() << line.leftJustified(m_width);
        m_width = int(line.size());
        err().flush();
    }
    void clear()
    {
        if (!m_enabled || m_width == 0) return;
        err() << QLatin1Char('\r') << QString(m_width, QLatin1Char(' ')) << QLatin1Char('\r');
        err().flush();
        m_width = 0;
    }
    void restart()
    {
        m_timer.restart();
        m_last = -1000;
    }

private:
    bool m_enabled;
    QElapsedTimer m_timer;
    qint64 m_last = -1000;
    int m_width = 0;
};

int cmdImport(const QStringList &argv)
{
    Args a;
    QString e;
    if (!parseArgs(argv,
                   {QStringLiteral("-o"), QStringLiteral("--output"), QStringLiteral("--format")},
                   {QStringLiteral("--quiet"), QStringLiteral("--force"), QStringLiteral("-h"),
                    QStringLiteral("--help")},
                   &a, &e))
        return usageError(QStringLiteral("import"), e);
    if (a.has(QStringLiteral("--help")) || a.has(QStringLiteral("-h"))) {
        out() << kImportHelp;
        return 0;
    }
    const QString session = a.value(QStringLiteral("-o"), a.value(QStringLiteral("--output")));
    if (session.isEmpty())
        return usageError(QStringLiteral("import"), QStringLiteral("missing -o SESSION"));
    if (a.positional.isEmpty())
        return usageError(QStringLiteral("import"), QStringLiteral("no input files"));
    const QStringList files = expandInputs(a.positional);
    const bool fromFolder = files.size() != a.positional.size() ||
                            std::any_of(a.positional.begin(), a.positional.end(),
                                        [](const QString &p) { return QFileInfo(p).isDir(); });
    Session s = [&] {
        try {
            return Session::open(session);
        } catch (const DbError &ex) {
            err() << ex.message() << "\n";
            err().flush();
            std::exit(1);
        }
    }();
    const ImporterRegistry &reg = builtinImporters();
    ProgressLine progress(!a.has(QStringLiteral("--quiet")) && isatty(2));
    int failed = 0, skipped = 0, ok = 0;
    for (const QString &f : files) {
        ImportOptions opt;
        opt.format = a.value(QStringLiteral("--format")).toUtf8();
        opt.force = a.has(QStringLiteral("--force"));
        const QString name = QFileInfo(f).fileName();
        progress.restart();
        opt.progress = [&](const ImportProgress &p) { progress.update(name, p); };
        const ImportResult r = importFile(s, f, reg, opt);
        progress.clear();
        if (r.duplicateOf) {
            out() << "skipped " << r.error << "\n";
            ++skipped;
            continue;
        }
        if (!r.ok) {
            // Inside a folder, files of no known format are skipped, not failures.
            if (fromFolder && r.format.isEmpty() &&
                r.error.contains(QLatin1String("unrecognised format"))) {
                out() << "skipped " << f << ": not a recognised format\n";
                ++skipped;
                continue;
            }
            err() << "error: " << r.error << "\n";
            err().flush();
            ++failed;
            continue;
        }
        ++ok;
        qint64 diagCount = 0;
        for (const auto &d : r.diagnostics)
            diagCount += d.count;
        out() << f << ": " << r.format << ", " << r.events << " events, " << r.requests
              << " requests, " << r.phases << " phases, " << r.spans << " spans, " << r.samples
              << " samples, " << diagCount << " diagnostics, " << r.ms << " ms";
        if (r.analysisMs > 0) out() << " (latency classes " << r.analysisMs << " ms)";
        if (r.levelsMs > 0) out() << " (levels of long lanes " << r.levelsMs << " ms)";
        out() << "\n";
        for (const auto &d : r.diagnostics) {
            out() << "  " << severityName(d.severity) << " " << d.code << " x" << d.count;
            if (d.firstLine >= 0)
                out() << " (first at line " << d.firstLine << ")";
            else if (d.firstOffset >= 0)
                out() << " (first at offset " << d.firstOffset << ")";
            out() << ": " << d.message << "\n";
        }
        out().flush();
    }
    out() << ok << " imported, " << failed << " failed";
    if (skipped) out() << ", " << skipped << " skipped";
    out() << " -> " << session << "\n";
    out().flush();
    return failed ? 1 : 0;
}

// ---------------------------------------------------------------------------

const char kInfoHelp[] = R"(Usage: lanescope info SESSION [--json]

Prints what a session holds: every source with its format, clock alignment,
counts and diagnostics, the request count and time range, and row counts.
)";

int cmdInfo(const QStringList &argv)
{
    Args a;
    QString e;
    if (!parseArgs(argv, {},
                   {QStringLiteral("--json"), QStringLiteral("-h"), QStringLiteral("--help")}, &a,
                   &e))
        return usageError(QStringLiteral("info"), e);
    if (a.has(QStringLiteral("--help")) || a.has(QStringLiteral("-h"))) {
        out() << kInfoHelp;
        return 0;
    }
    if (a.positional.size() != 1)
        return usageError(QStringLiteral("info"), QStringLiteral("expects one SESSION"));
    try {
        Session s = Session::open(a.positional[0], Session::Open::ReadOnly);
        const QList<SourceRow> sources = querySources(s.db());
        const SessionCounts sc = sessionCounts(s.db());
        QJsonObject counts;
        for (const auto &[table, n] : sc.rows)
            counts.insert(table, n);
        const TimeNs t0 = sc.start, t1 = sc.end;
        if (a.has(QStringLiteral("--json"))) {
            QJsonArray srcs;
            for (const SourceRow &sr : sources) {
                QJsonArray diags;
                for (const DiagnosticRow &d : sr.diagnostics)
                    diags.append(QJsonObject{{QStringLiteral("code"), d.code},
                                             {QStringLiteral("severity"), d.severity},
                                             {QStringLiteral("count"), d.count},
                                             {QStringLiteral("first_offset"), d.firstOffset},
                                             {QStringLiteral("first_line"), d.firstLine},
                                             {QStringLiteral("message"), d.message}});
                srcs.append(QJsonObject{{QStringLiteral("id"), sr.id},
                                        {QStringLiteral("path"), sr.path},
                                        {QStringLiteral("format"), sr.format},
                                        {QStringLiteral("size"), sr.size},
                                        {QStringLiteral("sha256"), sr.sha256},
                                        {QStringLiteral("clock"), sr.clock},
                                        {QStringLiteral("clock_method"), sr.clockMethod},
                                        {QStringLiteral("offset_ns"), sr.offset},
                                        {QStringLiteral("status"), sr.status},
                                        {QStringLiteral("events"), sr.events},
                                        {QStringLiteral("requests"), sr.requests},
                                        {QStringLiteral("spans"), sr.spans},
                                        {QStringLiteral("import_ms"), sr.importMs},
                                        {QStringLiteral("diagnostics"), diags}});
            }
            QJsonObject root{{QStringLiteral("session"), a.positional[0]},
                             {QStringLiteral("sources"), srcs},
                             {QStringLiteral("counts"), counts}};
            if (t0 != kNoTime) {
                root.insert(QStringLiteral("start_ns"), t0);
                root.insert(QStringLiteral("end_ns"), t1);
            }
            out() << QJsonDocument(root).toJson(QJsonDocument::Indented);
            return 0;
        }
        out() << "Session " << a.positional[0] << "\n";
        out() << counts.value(QStringLiteral("request")).toInteger() << " requests";
        if (t0 != kNoTime)
            out() << " from " << formatTime(t0) << " to " << formatTime(t1) << " ("
                  << formatDuration(t1 - t0) << ")";
        out() << "\n\nSources:\n";
        for (const SourceRow &sr : sources) {
            out() << "  [" << sr.id << "] " << sr.path << "\n"
                  << "      " << sr.format << ", " << humanBytes(sr.size) << ", " << sr.status
                  << ", clock " << sr.clock << " (" << sr.clockMethod << ", offset " << sr.offset
                  << " ns), " << sr.events << " events, " << sr.requests << " requests, "
                  << sr.spans << " spans, " << sr.importMs << " ms\n";
            for (const DiagnosticRow &d : sr.diagnostics) {
                out() << "      " << d.severity << " " << d.code << " x" << d.count;
                if (d.firstLine >= 0)
                    out() << " (first at line " << d.firstLine << ")";
                else if (d.firstOffset >= 0)
                    out() << " (first at offset " << d.firstOffset << ")";
                out() << ": " << d.message << "\n";
            }
        }
        out() << "\nRows:";
        for (auto it = counts.begin(); it != counts.end(); ++it)
            out() << " " << it.key() << "=" << it.value().toInteger();
        out() << "\n";
    } catch (const DbError &ex) {
        err() << "lanescope info: " << ex.message() << "\n";
        return 1;
    }
    return 0;
}

// ---------------------------------------------------------------------------

const char kRequestsHelp[] = R"(Usage: lanescope requests SESSION [--slowest N] [--filter EXPR]
                          [--sort dur|start|status|key|url] [--asc]
                          [--format table|csv|json]

Lists requests, slowest first. Durations are client-observed where client
evidence exists, else the server's. Phase columns are the client phases
(empty when unknown).

Filter expressions (terms are ANDed; a leading '-' negates a term):
  status>=500  status=404  status:5xx    by HTTP status (0 = no response)
  dur>200ms  dur<=1.5s  server>50ms      total, server-side, client-side time
  ttfb>50ms dns>1ms connect>1ms tls>1ms send>1ms receive>1ms
                                         client phases (bare numbers are ms)
  host:api  url:/api/lock  method:POST  key:fd6f  handler:lock  side:client
  class:mutex                            substring match, case-insensitive
                                         (class: the dominant latency class)
  error                                  has an error, status 5xx or no response
  loadtest                               from a load generator's results
  anything else                          free text in key, URL, host, method, error

CSV columns: key,method,url,status,start_ns,duration_ns,dns_ns,connect_ns,
tls_ns,send_ns,wait_ns,receive_ns,error
)";

QString optNum(qint64 v, qint64 none)
{
    return v == none ? QString() : QString::number(v);
}

int cmdRequests(const QStringList &argv)
{
    Args a;
    QString e;
    if (!parseArgs(
            argv,
            {QStringLiteral("--slowest"), QStringLiteral("--filter"), QStringLiteral("--format"),
             QStringLiteral("--sort"), QStringLiteral("--limit")},
            {QStringLiteral("--asc"), QStringLiteral("-h"), QStringLiteral("--help")}, &a, &e))
        return usageError(QStringLiteral("requests"), e);
    if (a.has(QStringLiteral("--help")) || a.has(QStringLiteral("-h"))) {
        out() << kRequestsHelp;
        return 0;
    }
    if (a.positional.size() != 1)
        return usageError(QStringLiteral("requests"), QStringLiteral("expects one SESSION"));
    RequestQuery q;
    q.filter = a.value(QStringLiteral("--filter"));
    const QString format = a.value(QStringLiteral("--format"), QStringLiteral("table"));
    if (format != QLatin1String("table") && format != QLatin1String("csv") &&
        format != QLatin1String("json"))
        return usageError(QStringLiteral("requests"),
                          QStringLiteral("--format is table, csv or json"));
    if (a.has(QStringLiteral("--slowest")) || a.has(QStringLiteral("--limit"))) {
        bool ok;
        q.limit = a.value(a.has(QStringLiteral("--slowest")) ? QStringLiteral("--slowest")
                                                             : QStringLiteral("--limit"))
                      .toLongLong(&ok);
        if (!ok || q.limit < 0)
            return usageError(QStringLiteral("requests"),
                              QStringLiteral("--slowest takes a count"));
    }
    const QString sort = a.value(QStringLiteral("--sort"), QStringLiteral("dur"));
    static const QHash<QString, RequestSort> sorts{{QStringLiteral("dur"), RequestSort::Duration},
                                                   {QStringLiteral("start"), RequestSort::Start},
                                                   {QStringLiteral("status"), RequestSort::Status},
                                                   {QStringLiteral("key"), RequestSort::Key},
                                                   {QStringLiteral("url"), RequestSort::Url},
                                                   {QStringLiteral("method"), RequestSort::Method}};
    if (!sorts.contains(sort))
        return usageError(QStringLiteral("requests"),
                          QStringLiteral("unknown --sort %1").arg(sort));
    q.sort = sorts.value(sort);
    q.descending = !a.has(QStringLiteral("--asc"));
    FilterError fe;
    if (!RequestFilter::parse(q.filter, &fe))
        return usageError(QStringLiteral("requests"),
                          QStringLiteral("bad filter: %1 (at character %2)")
                              .arg(fe.message)
                              .arg(fe.position + 1));
    std::vector<RequestRow> rows;
    std::map<qint64, ClassBreakdown> classes;
    try {
        Session s = Session::open(a.positional[0], Session::Open::ReadOnly);
        rows = queryRequests(s.db(), q);
        if (format == QLatin1String("json")) classes = allRequestClasses(s.db());
    } catch (const DbError &ex) {
        err() << "lanescope requests: " << ex.message() << "\n";
        return 1;
    }
    static const int kCsvPhases[] = {int(PhaseKind::Dns),  int(PhaseKind::Connect),
                                     int(PhaseKind::Tls),  int(PhaseKind::Send),
                                     int(PhaseKind::Wait), int(PhaseKind::Receive)};
    if (format == QLatin1String("csv")) {
        out() << "key,method,url,status,start_ns,duration_ns,dns_ns,connect_ns,tls_ns,send_ns,"
                 "wait_ns,receive_ns,error\n";
        for (const RequestRow &r : rows) {
            QStringList cells{csvEscape(r.key),         csvEscape(r.method),
                              csvEscape(r.url),         optNum(r.status, -1),
                              optNum(r.start, kNoTime), optNum(r.duration(), -1)};
            for (int k : kCsvPhases)
                cells << optNum(r.phaseNs[size_t(k)], -1);
            cells << csvEscape(r.error);
            out() << cells.join(QLatin1Char(',')) << "\n";
        }
    } else if (format == QLatin1String("json")) {
        QJsonArray arr;
        for (const RequestRow &r : rows) {
            QJsonObject o{{QStringLiteral("key"), r.key},
                          {QStringLiteral("method"), r.method},
                          {QStringLiteral("url"), r.url},
                          {QStringLiteral("host"), r.host},
                          {QStringLiteral("side"), r.side}};
            auto put = [&o](const char *k, qint64 v, qint64 none) {
                o.insert(QString::fromLatin1(k), v == none ? QJsonValue() : QJsonValue(v));
            };
            put("status", r.status, -1);
            put("start_ns", r.start, kNoTime);
            put("duration_ns", r.duration(), -1);
            put("client_duration_ns",
                r.clientStart == kNoTime || r.clientEnd == kNoTime ? -1
                                                                   : r.clientEnd - r.clientStart,
                -1);
            put("server_duration_ns",
                r.serverStart == kNoTime || r.serverEnd == kNoTime ? -1
                                                                   : r.serverEnd - r.serverStart,
                -1);
            for (int k = 0; k < kPhaseKinds; ++k)
                put(QByteArray(QByteArray(phaseKindName(PhaseKind(k))) + "_ns").constData(),
                    r.phaseNs[size_t(k)], -1);
            o.insert(QStringLiteral("error"),
                     r.error.isEmpty() ? QJsonValue() : QJsonValue(r.error));
            o.insert(QStringLiteral("load_test"), r.loadTest);
            o.insert(QStringLiteral("class"),
                     r.dominantClass.isEmpty() ? QJsonValue() : QJsonValue(r.dominantClass));
            o.insert(QStringLiteral("cause"),
                     r.cause.isEmpty() ? QJsonValue() : QJsonValue(r.cause));
            const auto c = classes.find(r.id);
            o.insert(QStringLiteral("classes"),
                     c == classes.end() ? QJsonObject() : classesObject(c->second));
            arr.append(o);
        }
        out() << QJsonDocument(arr).toJson(QJsonDocument::Indented);
    } else {
        out() << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
                     .arg(QStringLiteral("KEY"), -36)
                     .arg(QStringLiteral("METHOD"), -6)
                     .arg(QStringLiteral("STATUS"), 6)
                     .arg(QStringLiteral("TOTAL"), 10)
                     .arg(QStringLiteral("TTFB"), 10)
                     .arg(QStringLiteral("SIDE"), -6)
                     .arg(QStringLiteral("CLASS"), -12)
                     .arg(QStringLiteral("URL"));
        for (const RequestRow &r : rows) {
            const qint64 ttfb = r.phaseNs[size_t(PhaseKind::Wait)];
            out() << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8")
                         .arg(r.key, -36)
                         .arg(r.method, -6)
                         .arg(r.status < 0 ? QStringLiteral("-") : QString::number(r.status), 6)
                         .arg(r.duration() < 0 ? QStringLiteral("-") : formatDuration(r.duration()),
                              10)
                         .arg(ttfb < 0 ? QStringLiteral("-") : formatDuration(ttfb), 10)
                         .arg(r.side, -6)
                         .arg(r.dominantClass.isEmpty() ? QStringLiteral("-") : r.dominantClass,
                              -12)
                         .arg(r.url);
            if (!r.error.isEmpty()) out() << "  error: " << r.error;
            if (!r.cause.isEmpty()) out() << "  cause: " << r.cause;
            out() << "\n";
        }
        out() << rows.size() << " requests\n";
    }
    return 0;
}

// ---------------------------------------------------------------------------

const char kSqlHelp[] = R"(Usage: lanescope sql SESSION QUERY [--format table|csv|json]

Runs one read-only SQL statement over the session (opened read-only; writing
statements are refused). The schema is documented in core/schema.cpp.
)";

int cmdSql(const QStringList &argv)
{
    Args a;
    QString e;
    if (!parseArgs(argv, {QStringLiteral("--format")},
                   {QStringLiteral("-h"), QStringLiteral("--help")}, &a, &e))
        return usageError(QStringLiteral("sql"), e);
    if (a.has(QStringLiteral("--help")) || a.has(QStringLiteral("-h"))) {
        out() << kSqlHelp;
        return 0;
    }
    if (a.positional.size() != 2)
        return usageError(QStringLiteral("sql"), QStringLiteral("expects SESSION and QUERY"));
    const QString format = a.value(QStringLiteral("--format"), QStringLiteral("table"));
    SqlResult res;
    try {
        Session s = Session::open(a.positional[0], Session::Open::ReadOnly);
        res = runSql(s.db(), a.positional[1]);
    } catch (const DbError &ex) {
        err() << "lanescope sql: " << ex.message() << "\n";
        return 1;
    }
    if (format == QLatin1String("csv")) {
        QStringList h;
        for (const QString &c : std::as_const(res.columns))
            h << csvEscape(c);
        out() << h.join(QLatin1Char(',')) << "\n";
        for (const QStringList &row : std::as_const(res.rows)) {
            QStringList cells;
            for (const QString &c : row)
                cells << csvEscape(c);
            out() << cells.join(QLatin1Char(',')) << "\n";
        }
    } else if (format == QLatin1String("json")) {
        QJsonArray arr;
        for (int r = 0; r < res.rows.size(); ++r) {
            QJsonObject o;
            for (int c = 0; c < res.columns.size(); ++c) {
                const int t = res.types[r][c];
                const QString &v = res.rows[r][c];
                if (t == 5) // SQLITE_NULL
                    o.insert(res.columns[c], QJsonValue());
                else if (t == 1)
                    o.insert(res.columns[c], v.toLongLong());
                else if (t == 2)
                    o.insert(res.columns[c], v.toDouble());
                else
                    o.insert(res.columns[c], v);
            }
            arr.append(o);
        }
        out() << QJsonDocument(arr).toJson(QJsonDocument::Indented);
    } else if (format == QLatin1String("table")) {
        QList<int> w;
        for (const QString &c : std::as_const(res.columns))
            w << int(std::min<qsizetype>(60, c.size()));
        for (const QStringList &row : std::as_const(res.rows))
            for (int c = 0; c < row.size(); ++c)
                w[c] = std::max(w[c], int(std::min<qsizetype>(60, row[c].size())));
        for (int c = 0; c < res.columns.size(); ++c)
            out() << res.columns[c].leftJustified(w[c], QLatin1Char(' '), true) << ' ';
        out() << "\n";
        for (const QStringList &row : std::as_const(res.rows)) {
            for (int c = 0; c < row.size(); ++c) {
                QString cell = row[c];
                cell.replace(QLatin1Char('\n'), QLatin1Char(' '));
                out() << cell.leftJustified(w[c], QLatin1Char(' '), true) << ' ';
            }
            out() << "\n";
        }
        out() << res.rows.size() << " rows\n";
    } else {
        return usageError(QStringLiteral("sql"), QStringLiteral("--format is table, csv or json"));
    }
    return 0;
}

// ---------------------------------------------------------------------------

const char kReportHelp[] =
    R"(Usage: lanescope report SESSION -o FILE.{html,pdf,md} [--top N] [--filter EXPR]
                        [--title TEXT] [--no-redact] [--redact-header NAME]...

Writes an annotated report: sources, summary (count, error rate, p50/p90/p99/
max), a latency histogram, the phase breakdown and waterfall of the N slowest
requests (default 10) with their raw request text and notes, and every note.
HTML is one self-contained file (charts inline as SVG, no external URL); PDF
uses Qt's PDF writer; Markdown writes its SVG charts into FILE_files/ beside it.

Secrets are redacted by default: Authorization, Proxy-Authorization, Cookie,
Set-Cookie, X-Api-Key (and --redact-header names) header values, token-like
query and form parameters, JSON fields named like password/token/secret. The
rules in force are listed in the report's footer.
)";

int cmdReport(const QStringList &argv)
{
    Args a;
    QString e;
    if (!parseArgs(argv,
                   {QStringLiteral("-o"), QStringLiteral("--output"), QStringLiteral("--top"),
                    QStringLiteral("--filter"), QStringLiteral("--title"),
                    QStringLiteral("--redact-header")},
                   {QStringLiteral("--no-redact"), QStringLiteral("-h"), QStringLiteral("--help")},
                   &a, &e))
        return usageError(QStringLiteral("report"), e);
    if (a.has(QStringLiteral("--help")) || a.has(QStringLiteral("-h"))) {
        out() << kReportHelp;
        return 0;
    }
    const QString output = a.value(QStringLiteral("-o"), a.value(QStringLiteral("--output")));
    if (a.positional.size() != 1 || output.isEmpty())
        return usageError(QStringLiteral("report"), QStringLiteral("expects SESSION and -o FILE"));
    const QString suffix = QFileInfo(output).suffix().toLower();
    if (suffix != QLatin1String("html") && suffix != QLatin1String("htm") &&
        suffix != QLatin1String("pdf") && suffix != QLatin1String("md"))
        return usageError(QStringLiteral("report"),
                          QStringLiteral("the output must end in .html, .pdf or .md"));
    ReportOptions opt;
    if (a.has(QStringLiteral("--top"))) {
        bool ok;
        opt.top = a.value(QStringLiteral("--top")).toInt(&ok);
        if (!ok || opt.top < 0)
            return usageError(QStringLiteral("report"), QStringLiteral("--top takes a count"));
    }
    opt.filter = a.value(QStringLiteral("--filter"));
    FilterError fe;
    if (!RequestFilter::parse(opt.filter, &fe))
        return usageError(QStringLiteral("report"),
                          QStringLiteral("bad filter: %1").arg(fe.message));
    if (a.has(QStringLiteral("--title"))) opt.title = a.value(QStringLiteral("--title"));
    opt.redact = !a.has(QStringLiteral("--no-redact"));
    if (a.has(QStringLiteral("--redact-header")))
        opt.rules.addHeaders(a.value(QStringLiteral("--redact-header")).split(QLatin1Char(',')));
    try {
        Session s = Session::open(a.positional[0], Session::Open::ReadOnly);
        const ReportData d = buildReport(s.db(), a.positional[0], opt);
        QString why;
        if (!writeReport(d, output, &why)) {
            err() << "lanescope report: " << why << "\n";
            return 1;
        }
        out() << "wrote " << output << " (" << d.count << " requests, " << d.slowest.size()
              << " detailed, " << d.notes.size() << " notes"
              << (opt.redact ? ", redacted" : ", NOT redacted") << ")\n";
    } catch (const DbError &ex) {
        err() << "lanescope report: " << ex.message() << "\n";
        return 1;
    }
    return 0;
}

// ---------------------------------------------------------------------------

const char kCheckHelp[] = R"(Usage: lanescope check SESSION [--p50 D] [--p90 D] [--p99 D] [--max D]
                       [--error-rate P] [--min-count N] [--filter EXPR]

Checks service-level objectives over the session's requests (optionally
filtered) and prints, per rule, what was measured against the limit.
Durations are Go-style (200ms, 1.5s; bare numbers are ms); P is a percentage
(1, 1%, 0.5%). Errors are responses with status 5xx, no response, or an error.

Exit status: 0 every rule holds, 3 any rule fails, 2 usage error, 1 the
session cannot be read.
)";

int cmdCheck(const QStringList &argv)
{
    Args a;
    QString e;
    const QStringList durRules{QStringLiteral("--p50"), QStringLiteral("--p90"),
                               QStringLiteral("--p99"), QStringLiteral("--max")};
    if (!parseArgs(argv,
                   durRules + QStringList{QStringLiteral("--error-rate"),
                                          QStringLiteral("--filter"),
                                          QStringLiteral("--min-count")},
                   {QStringLiteral("-h"), QStringLiteral("--help")}, &a, &e))
        return usageError(QStringLiteral("check"), e);
    if (a.has(QStringLiteral("--help")) || a.has(QStringLiteral("-h"))) {
        out() << kCheckHelp;
        return 0;
    }
    if (a.positional.size() != 1)
        return usageError(QStringLiteral("check"), QStringLiteral("expects one SESSION"));
    struct Rule
    {
        QString name;
        double limit;
        bool duration;
    };
    QList<Rule> rules;
    for (const QString &r : durRules) {
        if (!a.has(r)) continue;
        const auto v = parseDurationOr(a.value(r).toUtf8(), 1000000);
        if (!v || *v < 0)
            return usageError(QStringLiteral("check"),
                              QStringLiteral("%1 takes a duration like 200ms").arg(r));
        rules << Rule{r.mid(2), double(*v), true};
    }
    if (a.has(QStringLiteral("--error-rate"))) {
        QString v = a.value(QStringLiteral("--error-rate"));
        v.remove(QLatin1Char('%'));
        bool ok;
        const double p = v.toDouble(&ok);
        if (!ok || p < 0 || p > 100)
            return usageError(QStringLiteral("check"),
                              QStringLiteral("--error-rate takes a percentage"));
        rules << Rule{QStringLiteral("error-rate"), p, false};
    }
    qint64 minCount = 1;
    if (a.has(QStringLiteral("--min-count"))) {
        bool ok;
        minCount = a.value(QStringLiteral("--min-count")).toLongLong(&ok);
        if (!ok || minCount < 0)
            return usageError(QStringLiteral("check"), QStringLiteral("--min-count takes a count"));
    }
    if (rules.isEmpty())
        return usageError(
            QStringLiteral("check"),
            QStringLiteral("no rule given (--p50, --p90, --p99, --max, --error-rate)"));
    FilterError fe;
    const QString filter = a.value(QStringLiteral("--filter"));
    if (!RequestFilter::parse(filter, &fe))
        return usageError(QStringLiteral("check"),
                          QStringLiteral("bad filter: %1").arg(fe.message));
    std::vector<RequestRow> rows;
    try {
        Session s = Session::open(a.positional[0], Session::Open::ReadOnly);
        RequestQuery q;
        q.filter = filter;
        rows = queryRequests(s.db(), q);
    } catch (const DbError &ex) {
        err() << "lanescope check: " << ex.message() << "\n";
        return 1;
    }
    const RequestSummary sum = summarizeRequests(rows);
    const qint64 errors = sum.errors;
    bool allOk = true;
    out() << rows.size() << " requests"
          << (filter.isEmpty() ? QString() : QStringLiteral(" matching '%1'").arg(filter)) << "\n";
    if (qint64(rows.size()) < minCount) {
        out() << "FAIL count: " << rows.size() << " requests, fewer than " << minCount << "\n";
        allOk = false;
    }
    for (const Rule &r : std::as_const(rules)) {
        double measured;
        QString shown, limit;
        if (r.duration) {
            const double p = r.name == QLatin1String("p50")   ? 50
                             : r.name == QLatin1String("p90") ? 90
                             : r.name == QLatin1String("p99") ? 99
                                                              : 100;
            const qint64 v = sum.at(p);
            measured = double(v);
            shown = v < 0 ? QStringLiteral("n/a") : formatDuration(v);
            limit = formatDuration(qint64(r.limit));
        } else {
            measured = sum.errorPercent();
            shown = QStringLiteral("%1% (%2 of %3)")
                        .arg(measured, 0, 'f', 2)
                        .arg(errors)
                        .arg(rows.size());
            limit = QStringLiteral("%1%").arg(r.limit);
        }
        const bool ok = measured <= r.limit && !(r.duration && measured < 0);
        allOk = allOk && ok;
        out() << (ok ? "ok   " : "FAIL ") << r.name << ": " << shown << " (limit " << limit
              << ")\n";
    }
    out() << (allOk ? "all rules hold\n" : "some rules fail\n");
    return allOk ? 0 : 3;
}

// ---------------------------------------------------------------------------

const char kNoteHelp[] =
    R"(Usage: lanescope note SESSION --request KEY --text TEXT [--colour #rrggbb]
       lanescope note SESSION --range START_NS END_NS --text TEXT [--colour #rrggbb]
       lanescope note SESSION --list
       lanescope note SESSION --delete ID

Adds, lists or deletes notes pinned to a request or a time range. Notes are
stored in the session and appear in the app and in reports.
)";

int cmdNote(const QStringList &argv)
{
    Args a;
    QString e;
    if (!parseArgs(
            argv,
            {QStringLiteral("--request"), QStringLiteral("--text"), QStringLiteral("--colour"),
             QStringLiteral("--delete"), QStringLiteral("--range")},
            {QStringLiteral("--list"), QStringLiteral("-h"), QStringLiteral("--help")}, &a, &e))
        return usageError(QStringLiteral("note"), e);
    if (a.has(QStringLiteral("--help")) || a.has(QStringLiteral("-h"))) {
        out() << kNoteHelp;
        return 0;
    }
    if (a.positional.isEmpty())
        return usageError(QStringLiteral("note"), QStringLiteral("expects SESSION"));
    try {
        if (a.has(QStringLiteral("--list"))) {
            Session s = Session::open(a.positional[0], Session::Open::ReadOnly);
            for (const Note &n : listNotes(s.db()))
                out() << n.id << "\t" << n.target << "\t"
                      << (n.requestKey.isEmpty() ? QStringLiteral("-") : n.requestKey) << "\t"
                      << n.colour << "\t" << n.text << "\n";
            return 0;
        }
        Session s = Session::open(a.positional[0]);
        if (a.has(QStringLiteral("--delete"))) {
            deleteNote(s.db(), a.value(QStringLiteral("--delete")).toLongLong());
            return 0;
        }
        const QString text = a.value(QStringLiteral("--text"));
        qint64 id;
        if (a.has(QStringLiteral("--request"))) {
            id = addRequestNote(s.db(), a.value(QStringLiteral("--request")), text,
                                a.value(QStringLiteral("--colour")));
        } else if (a.has(QStringLiteral("--range")) && a.positional.size() == 2) {
            // --range START takes one value; END is the next positional.
            id = addRangeNote(s.db(), a.value(QStringLiteral("--range")).toLongLong(),
                              a.positional[1].toLongLong(), text,
                              a.value(QStringLiteral("--colour")));
        } else {
            return usageError(QStringLiteral("note"),
                              QStringLiteral("give --request KEY or --range START END"));
        }
        out() << "note " << id << "\n";
    } catch (const DbError &ex) {
        err() << "lanescope note: " << ex.message() << "\n";
        return 1;
    }
    return 0;
}

const char kAlignHelp[] =
    R"(Usage: lanescope align SESSION SOURCE (--offset D | --shift D)
       lanescope align SESSION SOURCE --to OTHER [--event TEXT] [--at TEXT]

Places a source's times on the session's timeline, for the sources `info`
lists as "unaligned" (a gctrace, a goroutine dump, dlv traces) or aligned
wrongly.

By hand: --offset D sets the offset added to the file's own times; --shift D
moves the source by D from where it is. D is a Go duration and may be
negative (-2h13m, 1.5s, -250ms).

By a shared event: --to OTHER moves SOURCE so that one of its events happens
at the moment of one of OTHER's: --event TEXT picks SOURCE's first event whose
label contains TEXT ("origin": the file's own time 0, e.g. a gctrace's
process start; default: origin when its clock is relative, else its first
event), --at TEXT picks OTHER's (default: its first event, e.g. the first
line the process logged). --list prints the events a source offers.

SOURCE and OTHER are source ids (see `lanescope info`) or the end of a path
(gctrace.txt). Every timed row of the source moves, the method is recorded
("by hand", or "by event: ... = ..."), and latency classes are recomputed.
)";

int cmdAlign(const QStringList &argv)
{
    Args a;
    QString e;
    if (!parseArgs(argv,
                   {QStringLiteral("--offset"), QStringLiteral("--shift"), QStringLiteral("--to"),
                    QStringLiteral("--event"), QStringLiteral("--at")},
                   {QStringLiteral("-h"), QStringLiteral("--help"), QStringLiteral("--list")}, &a,
                   &e))
        return usageError(QStringLiteral("align"), e);
    if (a.has(QStringLiteral("--help")) || a.has(QStringLiteral("-h"))) {
        out() << kAlignHelp;
        return 0;
    }
    const bool absolute = a.has(QStringLiteral("--offset"));
    const bool byEvent = a.has(QStringLiteral("--to"));
    const bool list = a.has(QStringLiteral("--list"));
    const int modes =
        int(absolute) + int(a.has(QStringLiteral("--shift"))) + int(byEvent) + int(list);
    if (a.positional.size() != 2 || modes != 1)
        return usageError(QStringLiteral("align"),
                          QStringLiteral("expects SESSION SOURCE and one of --offset, --shift, "
                                         "--to, --list"));
    std::optional<TimeNs> d;
    if (!byEvent && !list) {
        const QString given =
            a.value(absolute ? QStringLiteral("--offset") : QStringLiteral("--shift"));
        d = parseGoDuration(given.toUtf8());
        if (!d)
            return usageError(
                QStringLiteral("align"),
                QStringLiteral("'%1' is not a duration (e.g. -2h13m, 1.5s)").arg(given));
    }
    try {
        Session s = Session::open(a.positional[0]);
        const QList<SourceRow> sources = querySources(s.db());
        auto find = [&sources](const QString &want, SourceRow *found) {
            bool isId = false;
            const qint64 id = want.toLongLong(&isId);
            QList<SourceRow> matches;
            for (const SourceRow &src : sources)
                if ((isId && src.id == id) || (!isId && src.path.endsWith(want))) matches << src;
            if (matches.size() == 1) {
                *found = matches.first();
                return true;
            }
            err() << "lanescope align: "
                  << (matches.isEmpty() ? QStringLiteral("no source matches '%1'").arg(want)
                                        : QStringLiteral("'%1' matches %2 sources; give its id")
                                              .arg(want)
                                              .arg(matches.size()))
                  << "\n";
            return false;
        };
        SourceRow src;
        if (!find(a.positional[1], &src)) return 1;
        if (list) {
            for (const SourceEvent &ev : sourceEvents(s.db(), src.id, 200))
                out() << "+" << formatDuration(ev.time - src.offset) << "  " << ev.label << "\n";
            return 0;
        }
        TimeNs offset = 0;
        QString method = QStringLiteral("by hand");
        if (byEvent) {
            SourceRow ref;
            if (!find(a.value(QStringLiteral("--to")), &ref)) return 1;
            if (ref.id == src.id) {
                err() << "lanescope align: a source cannot be aligned to itself\n";
                return 1;
            }
            QString want = a.value(QStringLiteral("--event"));
            if (want.isEmpty() &&
                (src.clock == QLatin1String("relative") || src.clock == QLatin1String("monotonic")))
                want = QStringLiteral("origin");
            const auto own = findSourceEvent(sourceEvents(s.db(), src.id), want);
            const auto at =
                findSourceEvent(sourceEvents(s.db(), ref.id), a.value(QStringLiteral("--at")));
            if (!own || !at) {
                err() << "lanescope align: "
                      << QStringLiteral("no event of %1 matches '%2' (see --list)")
                             .arg(QFileInfo(own ? ref.path : src.path).fileName(),
                                  own ? a.value(QStringLiteral("--at")) : want)
                      << "\n";
                return 1;
            }
            offset = offsetAligning(src.offset, *own, *at);
            method = eventAlignmentMethod(*own, ref.path, *at);
        } else {
            offset = absolute ? *d : src.offset + *d;
        }
        s.setSourceOffset(src.id, offset, method);
        out() << "source " << src.id << " (" << QFileInfo(src.path).fileName() << "): offset "
              << formatOffset(src.offset, 1) << " -> " << formatOffset(offset, 1) << " (" << method
              << ")\n";
    } catch (const DbError &ex) {
        err() << "lanescope align: " << ex.message() << "\n";
        return 1;
    }
    return 0;
}

// ---------------------------------------------------------------------------

const char kCompareHelp[] = R"(Usage: lanescope compare SESSION KEY1 KEY2 [--format table|json]

Two requests side by side: status, durations, client phases, latency classes
(time per class, see 'requests' CLASS), the handler goroutines' state totals
(the handler, goroutines with the request's regions and those they created
during the request, summed), the critical path's time per goroutine (the
handler itself, and by start function the goroutines it waited on, found
through unblock flows) and the server steps. The last column is KEY2 minus
KEY1.

Exit status: 0 shown, 1 unknown key or unreadable session, 2 usage error.
)";

int cmdCompare(const QStringList &argv)
{
    Args a;
    QString e;
    if (!parseArgs(argv, {QStringLiteral("--format")},
                   {QStringLiteral("-h"), QStringLiteral("--help")}, &a, &e))
        return usageError(QStringLiteral("compare"), e);
    if (a.has(QStringLiteral("--help")) || a.has(QStringLiteral("-h"))) {
        out() << kCompareHelp;
        return 0;
    }
    if (a.positional.size() != 3)
        return usageError(QStringLiteral("compare"), QStringLiteral("expects SESSION KEY1 KEY2"));
    const QString format = a.value(QStringLiteral("--format"), QStringLiteral("table"));
    if (format != QLatin1String("table") && format != QLatin1String("json"))
        return usageError(QStringLiteral("compare"), QStringLiteral("--format is table or json"));
    RequestComparison c;
    try {
        Session s = Session::open(a.positional[0], Session::Open::ReadOnly);
        c = compareRequests(s.db(), a.positional[1], a.positional[2]);
    } catch (const DbError &ex) {
        err() << "lanescope compare: " << ex.message() << "\n";
        return 1;
    }
    const QList<CompareLine> lines = compareLines(c);
    if (format == QLatin1String("json")) {
        auto side = [](const RequestFacts &f) {
            return QJsonObject{{QStringLiteral("key"), f.row.key},
                               {QStringLiteral("method"), f.row.method},
                               {QStringLiteral("url"), f.row.url},
                               {QStringLiteral("class"), f.classes.dominant.isEmpty()
                                                             ? QJsonValue()
                                                             : QJsonValue(f.classes.dominant)},
                               {QStringLiteral("cause"),
                                f.row.cause.isEmpty() ? QJsonValue() : QJsonValue(f.row.cause)},
                               {QStringLiteral("classes"), classesObject(f.classes)}};
        };
        QJsonObject sections;
        for (const CompareLine &l : lines) {
            QJsonObject sec = sections.value(l.section).toObject();
            sec.insert(l.name, QJsonArray{l.a < 0 ? QJsonValue() : QJsonValue(l.a),
                                          l.b < 0 ? QJsonValue() : QJsonValue(l.b)});
            sections.insert(l.section, sec);
        }
        QJsonObject o{{QStringLiteral("a"), side(c.a)},
                      {QStringLiteral("b"), side(c.b)},
                      {QStringLiteral("values"), sections}};
        out() << QJsonDocument(o).toJson(QJsonDocument::Indented);
        return 0;
    }
    for (const auto &[tag, f] : {std::pair{"A", &c.a}, std::pair{"B", &c.b}}) {
        out() << tag << ": " << f->row.key << "  " << f->row.method << " " << f->row.url
              << "  class "
              << (f->classes.dominant.isEmpty() ? QStringLiteral("-") : f->classes.dominant)
              << "\n";
        if (!f->row.cause.isEmpty()) out() << "   cause: " << f->row.cause << "\n";
    }
    out() << QStringLiteral("%1 %2 %3 %4 %5\n")
                 .arg(QStringLiteral("SECTION"), -10)
                 .arg(QStringLiteral("NAME"), -28)
                 .arg(QStringLiteral("A"), 12)
                 .arg(QStringLiteral("B"), 12)
                 .arg(QStringLiteral("B-A"), 12);
    const QString none = QStringLiteral("-");
    for (const CompareLine &l : lines)
        out() << QStringLiteral("%1 %2 %3 %4 %5\n")
                     .arg(l.section, -10)
                     .arg(l.name.left(28), -28)
                     .arg(l.valueText(l.a, none), 12)
                     .arg(l.valueText(l.b, none), 12)
                     .arg(l.deltaText(none, none), 12);
    return 0;
}

int cmdFormats()
{
    out() << "Formats Lanescope recognises (by content):\n";
    for (const auto &imp : builtinImporters().all())
        out() << "  " << QString::fromUtf8(imp->id()).leftJustified(16) << imp->displayName()
              << "\n";
    return 0;
}

} // namespace

const char kMainHelp[] = R"(Usage: lanescope [FILE|SESSION...]        open the desktop app
       lanescope COMMAND [ARGS]            run headless

Commands:
  import -o SESSION FILE|DIR...   import trace files into a session
  info SESSION [--json]           sources, clocks, counts and diagnostics
  requests SESSION [...]          list requests (filter, sort, csv/json)
  sql SESSION QUERY [...]         read-only SQL over the session
  report SESSION -o FILE          annotated report (.html, .pdf, .md), redacted
  check SESSION [--p99 D ...]     SLO gate for CI: exit 3 when a rule fails
  note SESSION [...]              add, list or delete notes
  screenshot SESSION -o PNG       render a view offscreen (--view, --request, --size)
  compare SESSION KEY1 KEY2       two requests side by side (phases, classes)
  align SESSION SOURCE --offset D place a source's clock by hand (--shift D, --to OTHER)
  formats                         list the formats that can be imported

Run 'lanescope COMMAND --help' for a command's options.
Options: --help, --version
)";

bool parseArgs(const QStringList &argv, const QStringList &valued, const QStringList &flags,
               Args *args, QString *error)
{
    for (int i = 0; i < argv.size(); ++i) {
        const QString &a = argv[i];
        if (a.startsWith(QLatin1Char('-')) && a.size() > 1 && a != QLatin1String("-")) {
            QString name = a;
            QString value;
            const int eq = int(a.indexOf(QLatin1Char('=')));
            bool hasValue = false;
            if (eq > 0) {
                name = a.left(eq);
                value = a.mid(eq + 1);
                hasValue = true;
            }
            if (valued.contains(name)) {
                if (!hasValue) {
                    if (i + 1 >= argv.size()) {
                        *error = QStringLiteral("%1 needs a value").arg(name);
                        return false;
                    }
                    value = argv[++i];
                }
                args->options.insert(name, value);
                args->lists[name] << value; // every occurrence, for repeatable options
            } else if (flags.contains(name) && !hasValue) {
                args->options.insert(name, QStringLiteral("1"));
            } else {
                *error = QStringLiteral("unknown option %1").arg(name);
                return false;
            }
        } else {
            args->positional << a;
        }
    }
    return true;
}

bool writeReport(const ReportData &d, const QString &output, QString *error)
{
    const QString suffix = QFileInfo(output).suffix().toLower();
    if (suffix == QLatin1String("pdf")) {
        if (!pdfWriter()) {
            *error = QStringLiteral("PDF output is rendered by 'lanescope report' (Qt GUI); "
                                    "this program writes .html and .md");
            return false;
        }
        return pdfWriter()(d, output, error);
    }
    QByteArray text;
    if (suffix == QLatin1String("md")) {
        const QFileInfo fi(output);
        const QString dir =
            fi.absolutePath() + QLatin1Char('/') + fi.completeBaseName() + QStringLiteral("_files");
        text = renderMarkdown(d, dir, fi.completeBaseName());
    } else {
        text = renderHtml(d);
    }
    QFile f(output);
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size()) {
        *error = QStringLiteral("%1: cannot write: %2").arg(output, f.errorString());
        return false;
    }
    return true;
}

void setOpenHandler(OpenHandler handler)
{
    openHandler() = handler;
}

void setPdfWriter(PdfWriter writer)
{
    pdfWriter() = writer;
}

// ---------------------------------------------------------------------------
// capture

const char kCaptureHelp[] =
    R"(Usage: lanescope capture URL -o SESSION [--seconds N] [--log PATH]... [--timeout D] [--open]

Captures a running Go service that serves net/http/pprof (e.g.
http://127.0.0.1:6060): during one window of --seconds N (default 5) the
execution trace and the CPU profile, concurrently; then the goroutine dump
(debug=2), the heap, mutex and block profiles; and what the service appended
to each --log PATH during the window. The files are kept in SESSION's folder
(SESSION.capture-TIME/) and imported into SESSION all or nothing; the summary
follows. --open opens the session in the window afterwards (the `lanescope`
program). Ctrl+C cancels.

Only http and https; redirects are followed only within URL's origin;
nothing received is executed. --timeout D (default 20s) is how long past the
window an answer may take. Exit status 1, and SESSION unchanged, when the
trace or the CPU profile cannot be had (connection refused, 404: pprof not
mounted, a timeout, an HTML page instead of a profile, a busy profiler, a
truncated body) or an import fails.
)";

namespace {
std::atomic<bool> g_interrupted{false};
extern "C" void onInterrupt(int)
{
    g_interrupted.store(true);
}
} // namespace

int cmdCapture(const QStringList &argv)
{
    Args a;
    QString e;
    if (!parseArgs(argv,
                   {QStringLiteral("-o"), QStringLiteral("--seconds"), QStringLiteral("--log"),
                    QStringLiteral("--timeout")},
                   {QStringLiteral("-h"), QStringLiteral("--help"), QStringLiteral("--open")}, &a,
                   &e))
        return usageError(QStringLiteral("capture"), e);
    if (a.has(QStringLiteral("--help")) || a.has(QStringLiteral("-h"))) {
        out() << kCaptureHelp;
        return 0;
    }
    if (a.positional.size() != 1 || !a.has(QStringLiteral("-o")))
        return usageError(QStringLiteral("capture"), QStringLiteral("expects URL and -o SESSION"));
    CaptureOptions opt;
    opt.base = captureBaseUrl(a.positional[0], &e);
    if (opt.base.isEmpty()) return usageError(QStringLiteral("capture"), e);
    bool ok = true;
    opt.seconds = a.value(QStringLiteral("--seconds"), QStringLiteral("5")).toInt(&ok);
    if (!ok || opt.seconds < 1 || opt.seconds > 3600)
        return usageError(QStringLiteral("capture"),
                          QStringLiteral("--seconds takes a whole number from 1 to 3600"));
    if (a.has(QStringLiteral("--timeout"))) {
        const auto t = parseGoDuration(a.value(QStringLiteral("--timeout")).toUtf8());
        if (!t || *t <= 0)
            return usageError(QStringLiteral("capture"),
                              QStringLiteral("--timeout takes a duration such as 20s"));
        opt.slackSeconds = int(std::max<qint64>(1, *t / 1'000'000'000));
    }
    opt.logs = a.values(QStringLiteral("--log"));
    for (const QString &log : std::as_const(opt.logs))
        if (!QFileInfo(log).isFile()) {
            err() << "lanescope capture: " << log << ": no such file\n";
            return 1;
        }
    const QString session = QFileInfo(a.value(QStringLiteral("-o"))).absoluteFilePath();
    opt.outDir = session + QStringLiteral(".capture-") +
                 QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));

    CaptureJob job(opt);
    QEventLoop loop;
    bool captured = false;
    QString error;
    const bool tty = isatty(2);
    QObject::connect(&job, &CaptureJob::progress, &loop, [&](int left, const QString &what) {
        if (tty)
            err() << "\r" << what << ": " << left << " s left   ";
        else
            err() << what << ": " << left << " s left\n";
        err().flush();
    });
    QObject::connect(&job, &CaptureJob::finished, &loop, [&](bool ok, const QString &why) {
        captured = ok;
        error = why;
        loop.quit();
    });
    auto previous = std::signal(SIGINT, onInterrupt);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &job, [&job] {
        if (g_interrupted.exchange(false)) job.cancel();
    });
    poll.start(100);
    out() << "capturing " << opt.base.toString(QUrl::RemoveUserInfo) << " for " << opt.seconds
          << " s into " << QDir::toNativeSeparators(opt.outDir) << "\n";
    out().flush();
    QTimer::singleShot(0, &job, &CaptureJob::start);
    loop.exec();
    poll.stop();
    std::signal(SIGINT, previous);
    if (tty) err() << "\n";
    for (const CaptureArtefact &art : job.artefacts()) {
        if (!art.file.isEmpty())
            out() << "  " << art.name << ": " << art.bytes << " bytes\n";
        else if (!art.error.isEmpty() && !art.required)
            out() << "  " << art.name << ": not captured (" << art.error << ")\n";
    }
    auto keptOrRemoved = [&opt] {
        // A failed capture's files stay for a look; an empty folder goes.
        if (QDir(opt.outDir).isEmpty())
            QDir().rmdir(opt.outDir);
        else
            err() << "lanescope capture: what arrived is in " << opt.outDir << "\n";
    };
    if (!captured) {
        err() << "lanescope capture: " << error << "\n";
        err() << "lanescope capture: nothing imported; " << session << " is unchanged\n";
        keptOrRemoved();
        return 1;
    }
    QList<ImportResult> results;
    if (!commitCapture(session, job.files(), builtinImporters(), &results, &error,
                       job.requiredFiles())) {
        err() << "lanescope capture: " << error << "\n";
        err() << "lanescope capture: nothing imported; " << session << " is unchanged\n";
        keptOrRemoved();
        return 1;
    }
    for (const ImportResult &r : results)
        out() << QFileInfo(r.path).fileName() << ": " << r.format << ", " << r.requests
              << " requests, " << r.spans << " spans, " << r.samples << " samples\n";
    {
        Session s = Session::open(session, Session::Open::ReadOnly);
        const RequestSummary sum = summarizeRequests(queryRequests(s.db(), RequestQuery{}));
        out() << sum.count << " requests in " << session;
        if (sum.count > 0)
            out() << " · p50 " << formatDuration(sum.p50) << " · p99 " << formatDuration(sum.p99)
                  << " · max " << formatDuration(sum.max);
        out() << "\n";
    }
    if (a.has(QStringLiteral("--open"))) {
        if (openHandler())
            openHandler()(session);
        else
            out() << "open it with: lanescope " << session << "\n";
    }
    out().flush();
    return 0;
}

bool isCommand(const QString &arg)
{
    static const QStringList cmds{
        QStringLiteral("import"),  QStringLiteral("info"),    QStringLiteral("requests"),
        QStringLiteral("sql"),     QStringLiteral("formats"), QStringLiteral("--help"),
        QStringLiteral("-h"),      QStringLiteral("help"),    QStringLiteral("--version"),
        QStringLiteral("version"), QStringLiteral("report"),  QStringLiteral("check"),
        QStringLiteral("note"),    QStringLiteral("compare"), QStringLiteral("align"),
        QStringLiteral("capture")};
    return cmds.contains(arg);
}

int run(const QStringList &args)
{
    const QString cmd = args.value(0);
    const QStringList rest = args.mid(1);
    if (cmd == QLatin1String("import")) return cmdImport(rest);
    if (cmd == QLatin1String("info")) return cmdInfo(rest);
    if (cmd == QLatin1String("requests")) return cmdRequests(rest);
    if (cmd == QLatin1String("sql")) return cmdSql(rest);
    if (cmd == QLatin1String("report")) return cmdReport(rest);
    if (cmd == QLatin1String("check")) return cmdCheck(rest);
    if (cmd == QLatin1String("note")) return cmdNote(rest);
    if (cmd == QLatin1String("compare")) return cmdCompare(rest);
    if (cmd == QLatin1String("align")) return cmdAlign(rest);
    if (cmd == QLatin1String("capture")) return cmdCapture(rest);
    if (cmd == QLatin1String("formats")) return cmdFormats();
    if (cmd == QLatin1String("--version") || cmd == QLatin1String("version")) {
        out() << "lanescope " << LANESCOPE_VERSION << "\n";
        return 0;
    }
    out() << kMainHelp;
    return cmd == QLatin1String("--help") || cmd == QLatin1String("-h") ||
                   cmd == QLatin1String("help")
               ? 0
               : 2;
}

} // namespace ls::cli
