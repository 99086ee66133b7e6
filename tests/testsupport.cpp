#include "testsupport.h"

#include <algorithm>
#include <cmath>

#include "queries.h"
#include "registry.h"
#include "schema.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTest>

#include <array>

namespace ls::test {

QByteArray goTextGeneration(int gen, qint64 time, const QByteArray &events,
                            const QByteArray &stacks, const QByteArray &strings,
                            const QByteArray &sync)
{
    const QByteArray g = QByteArray::number(gen);
    const QByteArray noM = "EventBatch gen=" + g + " m=18446744073709551615 time=";
    return "EventBatch gen=" + g + " m=0 time=" + QByteArray::number(time) + " size=0\n" + events +
           noM +
           (sync.isEmpty() ? QByteArray("0 size=0\nFrequency freq=1000000000\n")
                           : QByteArray(QByteArray::number(time) +
                                        " size=0\nSync\nFrequency freq=1000000000\n" + sync)) +
           noM + "0 size=0\nStacks\n" + stacks + noM + "0 size=0\nStrings\n" + strings;
}

QString corpus(const QString &rel)
{
    const QString p = QStringLiteral(LANESCOPE_CORPUS_DIR "/") + rel;
    if (!QFileInfo::exists(p))
        qFatal("corpus file missing: %s (tests/corpus/ of the repository)", qPrintable(p));
    return p;
}

QString testData(const QString &rel)
{
    return QStringLiteral(LANESCOPE_TEST_DATA "/") + rel;
}

TempSession::TempSession()
{
    m_path = m_dir.filePath(QStringLiteral("test.lanescope"));
    m_session.emplace(Session::open(m_path));
}

ImportResult TempSession::import(const QString &file, const ImportOptions &opt)
{
    return importFile(*m_session, file, builtinImporters(), opt);
}

QString writeFile(const QString &dir, const QString &name, const QByteArray &bytes)
{
    const QString p = dir + QLatin1Char('/') + name;
    QFile f(p);
    if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(p));
    f.write(bytes);
    return p;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    return writeFile(dir.path(), name, bytes);
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}

bool hasDiag(const ImportResult &r, QByteArrayView code)
{
    for (const DiagnosticInfo &d : r.diagnostics)
        if (d.code == code) return true;
    return false;
}

QString sqlText(const Db &db, const QString &sql)
{
    const SqlResult r = runSql(db, sql);
    return r.rows.isEmpty() || r.rows[0].isEmpty() ? QString() : r.rows[0][0];
}

qint64 scalar(const Db &db, const QString &sql)
{
    const SqlResult r = runSql(db, sql);
    return r.rows.isEmpty() || r.rows[0].isEmpty() ? -1 : r.rows[0][0].toLongLong();
}

QString runProblems(const Db &db)
{
    QStringList out;
    for (const auto &[rows, runs, start, end] :
         {std::array<QString, 4>{QStringLiteral("span"), QStringLiteral("span_run"),
                                 QStringLiteral("start_ns"), QStringLiteral("end_ns")},
          std::array<QString, 4>{QStringLiteral("instant"), QStringLiteral("instant_run"),
                                 QStringLiteral("ts_ns"), QStringLiteral("ts_ns")}}) {
        const qint64 count = scalar(db, QStringLiteral("SELECT count(*) FROM %1").arg(rows));
        const qint64 covered = scalar(
            db,
            QStringLiteral("SELECT COALESCE(sum(last_id - first_id + 1), 0) FROM %1").arg(runs));
        // Rows inside a run of their lane and within its bounds.
        const qint64 inside = scalar(
            db, QStringLiteral("SELECT count(*) FROM %2 r CROSS JOIN %1 s NOT INDEXED ON s.id "
                               "BETWEEN r.first_id AND r.last_id WHERE s.lane_id = r.lane_id AND "
                               "s.%3 BETWEEN r.start_min AND r.start_max AND s.%4 <= "
                               "r.end_max")
                    .arg(rows, runs, start, end));
        const qint64 overlaps =
            scalar(db, QStringLiteral("SELECT count(*) FROM (SELECT first_id, last_id, "
                                      "lag(last_id) OVER (ORDER BY first_id) AS prev FROM %1) "
                                      "WHERE prev >= first_id OR last_id < first_id")
                           .arg(runs));
        // Bounds are tight: a shift or a migration that left them loose would
        // still find the rows, but waste reads.
        const qint64 loose = scalar(
            db, QStringLiteral("SELECT count(*) FROM %2 r WHERE start_min != (SELECT min(%3) FROM "
                               "%1 WHERE id BETWEEN r.first_id AND r.last_id) OR start_max != "
                               "(SELECT max(%3) FROM %1 WHERE id BETWEEN r.first_id AND "
                               "r.last_id) OR end_max != (SELECT max(%4) FROM %1 WHERE id "
                               "BETWEEN r.first_id AND r.last_id)")
                    .arg(rows, runs, start, end));
        const qint64 longest = scalar(
            db,
            QStringLiteral("SELECT COALESCE(max(last_id - first_id + 1), 0) FROM %1").arg(runs));
        if (count != covered || count != inside || overlaps != 0 || loose != 0 ||
            longest > kRunRows)
            out << QStringLiteral("%1: %2 rows, runs cover %3 ids, %4 rows inside their run, %5 "
                                  "overlapping runs, %7 with loose bounds, longest run %6")
                       .arg(runs)
                       .arg(count)
                       .arg(covered)
                       .arg(inside)
                       .arg(overlaps)
                       .arg(longest)
                       .arg(loose);
    }
    return out.join(u'\n');
}

QString laneReadProblems(const Db &db)
{
    QString problems = runProblems(db);
    // One sorted pass over the whole table, walked lane by lane beside the
    // reads through the runs.
    Stmt plain(db, "SELECT lane_id, start_ns, end_ns, id FROM span ORDER BY lane_id, start_ns, "
                   "end_ns DESC, id");
    bool more = plain.step();
    Stmt lanes(db, "SELECT id FROM lane ORDER BY id");
    while (lanes.step()) {
        const qint64 lane = lanes.int64(0);
        const LaneSpans ls = loadLaneSpans(db, lane);
        size_t i = 0;
        bool same = true;
        for (; more && plain.int64(0) <= lane; more = plain.step()) {
            if (plain.int64(0) < lane) { // a span on a lane that does not exist
                same = false;
                continue;
            }
            same = same && i < ls.size() && ls.start[i] == plain.int64(1) &&
                   ls.end[i] == plain.int64(2) && ls.id[i] == plain.int64(3);
            ++i;
        }
        if (!same || i != ls.size())
            problems += QStringLiteral("\nlane %1: %2 spans by run, %3 in the table or in another "
                                       "order")
                            .arg(lane)
                            .arg(ls.size())
                            .arg(i);
    }
    if (more) problems += QStringLiteral("\nspans on lanes that do not exist");
    return problems.trimmed();
}

QList<PprofTopRow> parsePprofTop(const QString &path, int n)
{
    QList<PprofTopRow> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) qFatal("missing fixture %s", qPrintable(path));
    bool table = false;
    static const QRegularExpression row(
        QStringLiteral("^\\s*(-?\\d+)\\D*\\s+\\S+%\\s+\\S+%\\s+(-?\\d+)\\D*\\s+\\S+%\\s+(.*)$"));
    while (!f.atEnd() && out.size() < n) {
        const QString line = QString::fromUtf8(f.readLine()).trimmed();
        if (line.startsWith(QLatin1String("flat "))) {
            table = true;
            continue;
        }
        if (!table) continue;
        const auto m = row.match(line);
        if (!m.hasMatch()) continue;
        QString name = m.captured(3);
        // A display note of -top, not part of the function's name.
        for (const char *suffix : {" (inline)", " (partial-inline)"})
            if (name.endsWith(QLatin1String(suffix))) name.chop(int(qstrlen(suffix)));
        out.append({name.toUtf8(), m.captured(1).toLongLong(), m.captured(2).toLongLong()});
    }
    return out;
}

int addCorpusFolderRows(const QString &folder, const QString &rowPrefix)
{
    const QDir dir(corpus(folder));
    const QStringList files = dir.entryList(QDir::Files, QDir::Name);
    for (const QString &f : files)
        QTest::newRow(qPrintable(rowPrefix + f)) << dir.filePath(f);
    return int(files.size());
}

void addTestSource(Db &db, qint64 id, const QString &path)
{
    Stmt st(db, "INSERT INTO source(id, path, format, size, sha256, importer_version, "
                "imported_at, status) VALUES(?, ?, 'test', 0, '', 1, 0, 'ok')");
    st.bind(1, id).bindText(2, path).run();
}

void checkSpanImport(const QString &file, const QByteArray &format, qint64 spans)
{
    QVERIFY(spans > 0);
    TempSession s;
    const ImportResult r = s.import(file);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.format, format);
    QCOMPARE(r.spans, spans);
    QCOMPARE(r.events, spans);
    QCOMPARE(laneReadProblems(s.session().db()), QString());
}

void addPprofCorpusRows()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("fixture");
    for (const char *f : {"block", "cpu", "goroutine", "heap", "mutex"})
        QTest::newRow(f) << QStringLiteral("gen/%1.pprof").arg(QLatin1String(f))
                         << QStringLiteral("gen_%1.pprof").arg(QLatin1String(f));
    for (const char *f : {"felixge_cpu.pb.gz", "felixge_goroutine_with_labels.pb.gz",
                          "generated_go1.19.8_cpu_request_labels.pb.gz",
                          "generated_go1.19.8_heap.pb.gz", "google-pprof_report_sample.cpu.pb.gz",
                          "parca_cpu_with_labels.pb.gz", "parca_fgprof_wallclock.pb.gz",
                          "parca_heap_alloc_delta_numlabels.pb.gz", "speedscope_simple.prof"})
        QTest::newRow(f) << QStringLiteral("public/pprof/%1").arg(QLatin1String(f))
                         << QStringLiteral("public_%1").arg(QLatin1String(f));
}

QByteArray queryCsv(const Db &db, const QString &sql)
{
    const SqlResult r = runSql(db, sql);
    QByteArray out = r.columns.join(QLatin1Char(',')).toUtf8() + '\n';
    for (const QStringList &row : r.rows) {
        QStringList cells;
        for (const QString &c : row)
            cells << csvEscape(c);
        out += cells.join(QLatin1Char(',')).toUtf8() + '\n';
    }
    return out;
}

QString compareGolden(const QByteArray &actual, const QString &goldenPath)
{
    QFile f(goldenPath);
    const QString actualPath = goldenPath + QStringLiteral(".actual");
    QByteArray expected;
    if (f.open(QIODevice::ReadOnly)) expected = f.readAll();
    if (expected == actual) {
        QFile::remove(actualPath);
        return QString();
    }
    QFile a(actualPath);
    if (a.open(QIODevice::WriteOnly)) a.write(actual);
    const QList<QByteArray> el = expected.split('\n');
    const QList<QByteArray> al = actual.split('\n');
    QString diff =
        QStringLiteral("golden mismatch: %1 (actual written to %2)\n").arg(goldenPath, actualPath);
    int shown = 0;
    for (qsizetype i = 0; i < std::max(el.size(), al.size()) && shown < 20; ++i) {
        const QByteArray e = i < el.size() ? el[i] : QByteArray("<missing>");
        const QByteArray g = i < al.size() ? al[i] : QByteArray("<missing>");
        if (e != g) {
            diff += QStringLiteral("line %1:\n- %2\n+ %3\n")
                        .arg(i + 1)
                        .arg(QString::fromUtf8(e), QString::fromUtf8(g));
            ++shown;
        }
    }
    return diff;
}

} // namespace ls::test

namespace ls::test {

QByteArray contentDigest(const Db &db)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    QList<QByteArray> tables;
    Stmt t(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    while (t.step())
        tables << t.text(0);
    for (const QByteArray &name : std::as_const(tables)) {
        h.addData(name);
        // A WITHOUT ROWID table has no rowid; it reads in primary key order.
        const bool rowid = scalar(db, QStringLiteral("SELECT count(*) FROM pragma_table_list "
                                                     "WHERE name = '%1' AND wr = 0")
                                          .arg(QString::fromUtf8(name))) > 0;
        Stmt rows(db, "SELECT * FROM \"" + name + "\"" + (rowid ? " ORDER BY rowid" : ""));
        while (rows.step()) {
            for (int c = 0; c < rows.columnCount(); ++c) {
                h.addData(QByteArray::number(rows.columnType(c)));
                h.addData(rows.text(c));
                h.addData(QByteArrayView("\x1f"));
            }
            h.addData(QByteArrayView("\x1e"));
        }
    }
    return h.result().toHex();
}

namespace {

struct Lab
{
    double l, a, b;
};

double linear(int c)
{
    const double v = c / 255.0;
    return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}

Lab labOf(QByteArrayView hex, int cvd)
{
    const bool ok = hex.size() == 7 && hex[0] == '#';
    if (!ok) qFatal("not #rrggbb");
    const QByteArray h(hex.data() + 1, 6);
    const uint v = h.toUInt(nullptr, 16);
    double rgb[3] = {linear(int(v >> 16) & 255), linear(int(v >> 8) & 255), linear(int(v) & 255)};
    static const double kCvd[3][3][3] = {
        {{0.152286, 1.052583, -0.204868},
         {0.114503, 0.786281, 0.099216},
         {-0.003882, -0.048116, 1.051998}},
        {{0.367322, 0.860646, -0.227968},
         {0.280085, 0.672501, 0.047413},
         {-0.011820, 0.042940, 0.968881}},
        {{1.255528, -0.076749, -0.178779},
         {-0.078411, 0.930809, 0.147602},
         {0.004733, 0.691367, 0.303900}}};
    if (cvd >= 1 && cvd <= 3) {
        const auto &m = kCvd[cvd - 1];
        double o[3];
        for (int i = 0; i < 3; ++i)
            o[i] = std::clamp(m[i][0] * rgb[0] + m[i][1] * rgb[1] + m[i][2] * rgb[2], 0.0, 1.0);
        std::copy(o, o + 3, rgb);
    }
    const double x = 0.4124564 * rgb[0] + 0.3575761 * rgb[1] + 0.1804375 * rgb[2];
    const double y = 0.2126729 * rgb[0] + 0.7151522 * rgb[1] + 0.0721750 * rgb[2];
    const double z = 0.0193339 * rgb[0] + 0.1191920 * rgb[1] + 0.9503041 * rgb[2];
    auto f = [](double t) {
        return t > 216.0 / 24389 ? std::cbrt(t) : (24389.0 / 27 * t + 16) / 116;
    };
    const double fx = f(x / 0.95047), fy = f(y), fz = f(z / 1.08883);
    return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

double deltaE2000(const Lab &p, const Lab &q)
{
    constexpr double kPi = 3.14159265358979323846;
    auto rad = [](double d) { return d * kPi / 180; };
    const double c1 = std::hypot(p.a, p.b), c2 = std::hypot(q.a, q.b), cm = (c1 + c2) / 2;
    const double g = 0.5 * (1 - std::sqrt(std::pow(cm, 7) / (std::pow(cm, 7) + std::pow(25, 7))));
    const double a1 = (1 + g) * p.a, a2 = (1 + g) * q.a;
    const double c1p = std::hypot(a1, p.b), c2p = std::hypot(a2, q.b);
    auto hue = [&](double b, double a) {
        double h = std::atan2(b, a) * 180 / kPi;
        return h < 0 ? h + 360 : h;
    };
    const double h1 = hue(p.b, a1), h2 = hue(q.b, a2);
    const double dl = q.l - p.l, dc = c2p - c1p;
    double dh = 0;
    if (c1p * c2p != 0) {
        dh = h2 - h1;
        if (dh > 180) dh -= 360;
        else if (dh < -180) dh += 360;
    }
    const double dH = 2 * std::sqrt(c1p * c2p) * std::sin(rad(dh / 2));
    const double lm = (p.l + q.l) / 2, cpm = (c1p + c2p) / 2;
    double hm = h1 + h2;
    if (c1p * c2p != 0) {
        if (std::abs(h1 - h2) <= 180) hm = (h1 + h2) / 2;
        else if (h1 + h2 < 360) hm = (h1 + h2 + 360) / 2;
        else hm = (h1 + h2 - 360) / 2;
    }
    const double t = 1 - 0.17 * std::cos(rad(hm - 30)) + 0.24 * std::cos(rad(2 * hm)) +
                     0.32 * std::cos(rad(3 * hm + 6)) - 0.20 * std::cos(rad(4 * hm - 63));
    const double dth = 30 * std::exp(-std::pow((hm - 275) / 25, 2));
    const double rc = 2 * std::sqrt(std::pow(cpm, 7) / (std::pow(cpm, 7) + std::pow(25, 7)));
    const double sl = 1 + 0.015 * std::pow(lm - 50, 2) / std::sqrt(20 + std::pow(lm - 50, 2));
    const double sc = 1 + 0.045 * cpm, sh = 1 + 0.015 * cpm * t;
    const double rt = -std::sin(rad(2 * dth)) * rc;
    return std::sqrt(std::pow(dl / sl, 2) + std::pow(dc / sc, 2) + std::pow(dH / sh, 2) +
                     rt * (dc / sc) * (dH / sh));
}

} // namespace

double colourDistance(QByteArrayView a, QByteArrayView b, int cvd)
{
    return deltaE2000(labOf(a, cvd), labOf(b, cvd));
}

} // namespace ls::test
