#pragma once
// Shared test helpers: where the corpus is, throwaway sessions, and
// Perfetto-style golden checks (a SQL query's CSV against a file; on
// mismatch the actual output is written beside it as .actual and a diff is
// printed).

#include "pipeline.h"
#include "session.h"

#include <QString>
#include <QTemporaryDir>

namespace ls::test {

// tests/corpus/<rel> (see its README); fails the test (QFAIL-style, via qFatal) when absent,
// so a missing corpus can never turn into a silent pass.
QString corpus(const QString &rel);
// tests/data/<rel>
QString testData(const QString &rel);

// A session file in a fresh temporary folder.
class TempSession
{
public:
    TempSession();
    QString path() const { return m_path; }
    QString dir() const { return m_dir.path(); }
    Session &session() { return *m_session; }
    ImportResult import(const QString &file, const ImportOptions &opt = {});

private:
    QTemporaryDir m_dir;
    QString m_path;
    std::optional<Session> m_session;
};

// Writes bytes to dir/name (aborting the test binary when it cannot) and returns the path.
QString writeFile(const QString &dir, const QString &name, const QByteArray &bytes);
QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes);
// The whole file; aborts when it cannot be read.
QByteArray readFile(const QString &path);
// True when the import reported a diagnostic with this code.
bool hasDiag(const ImportResult &r, QByteArrayView code);
// The first cell of a query's first row, as text / as an integer (-1: no row).
QString sqlText(const Db &db, const QString &sql);
qint64 scalar(const Db &db, const QString &sql);
// SHA-256 over every row of every table (rowid order, with the table names):
// the session's content as a reader sees it, whatever the journal holds.
QByteArray contentDigest(const Db &db);

// One row of `go tool pprof -top` output (fixtures in tests/data/pprof/).
struct PprofTopRow
{
    QByteArray function;
    qint64 flat = 0;
    qint64 cum = 0;
};
// The first n rows of the table in a `go tool pprof -top` fixture; the
// " (inline)" display notes are dropped from function names.
QList<PprofTopRow> parsePprofTop(const QString &path, int n);

// Data rows ("file", "fixture") for every pprof file of the corpus that has
// `go tool pprof` fixtures in tests/data/pprof/.
void addPprofCorpusRows();
// Data rows (column "file", added by the caller) for every file in a corpus
// folder, in name order, each row named `rowPrefix` + the file name; returns
// how many.
int addCorpusFolderRows(const QString &folder, const QString &rowPrefix = QString());

// A source row with id `id` for tests that write through a BatchWriter
// directly (no import pipeline).
void addTestSource(Db &db, qint64 id, const QString &path = QStringLiteral("a"));

// Imports `file` into a new session and checks it was read as `format` with
// `spans` spans from as many events, and that its lanes read back through
// their runs (a test failure otherwise).
void checkSpanImport(const QString &file, const QByteArray &format, qint64 spans);

// What is wrong with the run tables (span_run, instant_run; see schema.h):
// empty when every span and instant lies in exactly one run of its own lane,
// inside the run's time bounds, and no run is longer than kRunRows.
QString runProblems(const Db &db);
// Also checks that each lane's spans read through the runs (loadLaneSpans)
// equal a plain scan of the span table.
QString laneReadProblems(const Db &db);

// One generation of a Go 1.22+ execution trace in the Go test suite's text
// form (after a "Trace Go1.NN" line): a batch of thread 0 with `events`
// (one event per line), then the frequency (`sync`: a Go 1.25 Sync batch
// with it and `sync` after it), stack and string batches with the bodies
// given.
QByteArray goTextGeneration(int gen, qint64 time, const QByteArray &events,
                            const QByteArray &stacks = {}, const QByteArray &strings = {},
                            const QByteArray &sync = {});

// Runs `sql` and renders the rows as CSV (header line, then one line per row).
QByteArray queryCsv(const Db &db, const QString &sql);
// Compares `actual` with the golden file; returns an empty string when equal,
// else a message with a unified-style diff (and writes golden + ".actual").
// Colour distance for the palette checks: CIEDE2000 between two sRGB
// colours (#rrggbb), as seen (cvd 0) or both seen through a simulated colour
// vision deficiency (Machado et al. 2009 at full severity: 1 protanopia,
// 2 deuteranopia, 3 tritanopia).
double colourDistance(QByteArrayView a, QByteArrayView b, int cvd = 0);

QString compareGolden(const QByteArray &actual, const QString &goldenPath);

} // namespace ls::test

#define LS_COMPARE_GOLDEN(actual, golden)                                                          \
    do {                                                                                           \
        const QString _msg = ls::test::compareGolden((actual), (golden));                          \
        if (!_msg.isEmpty()) QFAIL(qPrintable(_msg));                                              \
    } while (false)
