#pragma once
// Capture from a running Go service that serves net/http/pprof: during one
// window of N seconds, concurrently, the execution trace
// (/debug/pprof/trace?seconds=N) and the CPU profile
// (/debug/pprof/profile?seconds=N, whose samples land in the trace too); then
// the goroutine dump (goroutine?debug=2), the heap, mutex and block profiles;
// and what the service appended to given log files during the window. The
// artefacts are written into a folder beside the session, then imported all
// or nothing (commitCapture): a failed capture leaves the session as it was.
//
// Only http and https; redirects are followed within the same origin only;
// nothing received is executed, only stored and parsed by the importers.
// Qt Core and Qt Network only (the CLI program links no GUI library).

#include "pipeline.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;

namespace ls {

struct CaptureOptions
{
    QUrl base;            // http(s)://host:port[/prefix]; /debug/pprof/ is appended
    int seconds = 5;      // the window
    int slackSeconds = 20; // how long past the window an answer may take
    QStringList logs;     // files the service appends to; the window's part is kept
    QString outDir;       // where the artefacts go (created)
};

struct CaptureArtefact
{
    QString name;   // "trace", "cpu", "goroutine", "heap", "mutex", "block", or a log's file name
    QString file;   // written here (empty: not fetched)
    bool required = false;
    bool log = false;
    QString error;  // why it is missing (a warning for optional artefacts)
    qint64 bytes = 0;
};

// "http://host:port" or "host:port" -> a checked base URL; an error names
// what is wrong (scheme, no host).
QUrl captureBaseUrl(const QString &given, QString *error);

class CaptureJob : public QObject
{
    Q_OBJECT
public:
    explicit CaptureJob(CaptureOptions options, QObject *parent = nullptr);
    ~CaptureJob() override;
    void start();
    void cancel();
    const std::vector<CaptureArtefact> &artefacts() const { return m_artefacts; }
    // The files to import: every artefact fetched (the logs first).
    QStringList files() const;
    // The trace and CPU profile: they must import without an error.
    QStringList requiredFiles() const;

signals:
    // Once a second during the window, then while the rest is fetched.
    void progress(int secondsLeft, const QString &what);
    // ok: every required artefact arrived; error: the first required one's reason.
    void finished(bool ok, const QString &error);

private:
    void fetch(const QString &name, const QString &path, bool required, const QString &fileName,
               int timeoutMs);
    void onReply(QNetworkReply *reply);
    void afterWindow();
    void finish();
    QString describe(QNetworkReply *reply, const QByteArray &body) const;

    CaptureOptions m_opt;
    QNetworkAccessManager *m_net = nullptr;
    QTimer m_tick;
    QElapsedTimer m_clock;
    std::vector<CaptureArtefact> m_artefacts;
    QHash<QNetworkReply *, size_t> m_pending; // reply -> artefact index
    QHash<QString, qint64> m_logStart;        // log path -> size when the window opened
    bool m_secondStage = false, m_done = false, m_cancelled = false;
    QString m_firstError; // the first required artefact's failure, or "cancelled"
};

// Imports `files` into the session at sessionPath all or nothing: into a
// copy, which replaces the session only when every file imported (and the
// files in `whole` without an error diagnostic, such as a cut trace). The
// results are every file's; false (and the session untouched) when one
// failed, with *error naming it.
bool commitCapture(const QString &sessionPath, const QStringList &files,
                   const ImporterRegistry &registry, QList<ImportResult> *results, QString *error,
                   const QStringList &whole = {});

} // namespace ls
