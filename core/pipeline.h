#pragma once
// The import pipeline: checks a file (exists, regular, readable, decompresses,
// known content), picks the importer by content, and runs it inside one
// transaction through a BatchWriter. Any ImportError, database error or
// cancellation rolls the transaction back, so the session file is left byte
// for byte as it was.
//
// Progress is reported on a fixed 0..1000 scale (compressed bytes read over
// the file size), only when it moves, with stage text; cancellation is a flag
// checked between chunks and records.

#include "importer.h"
#include "session.h"
#include "worker.h"

#include <QList>
#include <QObject>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>

namespace ls {

struct DiagnosticInfo
{
    QByteArray code;
    Severity severity = Severity::Warning;
    qint64 count = 0;
    qint64 firstOffset = -1;
    qint64 firstLine = -1;
    QString message;
};

struct ImportProgress
{
    int permille = 0;
    QString stage;
    qint64 bytesRead = 0; // compressed bytes read
    qint64 bytesTotal = 0;
    qint64 events = 0;
};

struct ImportOptions
{
    std::function<void(const ImportProgress &)> progress;
    const std::atomic<bool> *cancel = nullptr;
    QByteArray format;  // force an importer by id; empty: sniff
    bool force = false; // import a file whose bytes the session already holds
};

struct ImportResult
{
    QString path;
    bool ok = false;
    bool cancelled = false;
    qint64 duplicateOf = 0; // skipped: the session holds these bytes as this source
    QString error;          // full message naming the file, position and reason
    QByteArray format;
    QString formatName;
    qint64 sourceId = 0;
    qint64 bytes = 0;
    qint64 events = 0;
    qint64 requests = 0;
    qint64 spans = 0;
    qint64 phases = 0;
    qint64 samples = 0;
    qint64 ms = 0;
    qint64 analysisMs = 0; // of ms: latency classes recomputed at the end (core/analysis.h)
    qint64 levelsMs = 0;   // of ms: long lanes' levels stored (core/timeline.h)
    QList<DiagnosticInfo> diagnostics;
};

// Imports one file. Never throws for a bad file: the result says what went wrong.
ImportResult importFile(Session &session, const QString &path, const ImporterRegistry &registry,
                        const ImportOptions &options = {});

// Files to import for a list of command-line arguments: files as given,
// folders expanded (sorted, recursively, hidden files and session files skipped).
QStringList expandInputs(const QStringList &args);

// Lowercase hex SHA-256 of a file's bytes.
QByteArray fileSha256(const QString &path);

// Runs imports of several files on a worker thread for the GUI. Each file is
// its own transaction; cancel() stops after the current record and rolls back
// the file in progress. A job carries a generation number so a receiver can
// drop results of a job it no longer waits for.
class ImportJob : public QObject
{
    Q_OBJECT
public:
    ImportJob(QString sessionPath, QStringList files, const ImporterRegistry &registry,
              quint64 generation);
    ~ImportJob() override;
    void start();
    void cancel() { m_cancel.store(true); }
    quint64 generation() const { return m_generation; }
    bool wait(unsigned long ms = ULONG_MAX);

signals:
    void progress(int fileIndex, int fileCount, const ls::ImportProgress &p);
    void fileFinished(const ls::ImportResult &result);
    void finished(bool cancelled);

private:
    QString m_sessionPath;
    QStringList m_files;
    const ImporterRegistry &m_registry;
    quint64 m_generation;
    std::atomic<bool> m_cancel{false};
    std::unique_ptr<Worker> m_worker;
};

} // namespace ls

Q_DECLARE_METATYPE(ls::ImportProgress)
Q_DECLARE_METATYPE(ls::ImportResult)
