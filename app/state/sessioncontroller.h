#pragma once
// The session controller: which session file is open, its generation, its
// imports and its small edits (notes). Every change of what a reader would
// see — another session, an import that ended, a reload — bumps the
// generation, re-points the query service and emits `changed`, on which
// each view asks again for what it shows. Qt Core only: tested without
// widgets.

#include "pipeline.h"
#include "queryservice.h"
#include "worker.h"

#include <QObject>

#include <memory>

namespace ls {

class SessionController : public QObject
{
    Q_OBJECT
public:
    explicit SessionController(const ImporterRegistry &registry, QObject *parent = nullptr);
    ~SessionController() override;

    // Opens (creating, or upgrading an older schema) and validates a session
    // file; false with the reason in *error. Refused while an import runs.
    bool open(const QString &path, QString *error = nullptr);
    void close();
    // Re-reads the file (after an outside change): a new generation.
    void reload();
    bool isOpen() const { return !m_path.isEmpty(); }
    QString path() const { return m_path; }
    quint64 generation() const { return m_generation; }
    QueryService *queries() const { return m_queries; }

    // Imports files on the import worker (false when one is running or no
    // session is open); progress and results arrive as signals.
    bool startImport(const QStringList &files);
    bool importRunning() const { return m_job != nullptr; }
    void cancelImport();

    // A write to the session (notes): runs on the edit worker with a
    // connection of its own; done() gets the function's result or the error
    // on the GUI thread. Refused (an error answer) while an import runs.
    void edit(QObject *receiver, std::function<qint64(Session &)> fn,
              std::function<void(const Answer<qint64> &)> done);

signals:
    // The session (or its content) changed: views ask again.
    void changed(quint64 generation);
    void opened(const QString &path);
    void importProgress(int fileIndex, int fileCount, const ls::ImportProgress &p);
    void importFileFinished(const ls::ImportResult &result);
    void importFinished(bool cancelled);
    void edited();

private:
    void bump();
    const ImporterRegistry &m_registry;
    QueryService *m_queries = nullptr;
    QString m_path;
    quint64 m_generation = 0;
    std::unique_ptr<ImportJob> m_job;
    Worker m_edits{"edits"};
};

} // namespace ls
