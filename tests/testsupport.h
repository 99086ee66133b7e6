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

// ../shared/corpus/<rel>; fails the test (QFAIL-style, via qFatal) when absent,
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

// Runs `sql` and renders the rows as CSV (header line, then one line per row).
QByteArray queryCsv(const Db &db, const QString &sql);
// Compares `actual` with the golden file; returns an empty string when equal,
// else a message with a unified-style diff (and writes golden + ".actual").
QString compareGolden(const QByteArray &actual, const QString &goldenPath);

} // namespace ls::test

#define LS_COMPARE_GOLDEN(actual, golden)                                                          \
    do {                                                                                           \
        const QString _msg = ls::test::compareGolden((actual), (golden));                          \
        if (!_msg.isEmpty()) QFAIL(qPrintable(_msg));                                              \
    } while (false)
