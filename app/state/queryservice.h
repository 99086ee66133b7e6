#pragma once
// The query service: every read the GUI makes of a session runs here, on a
// worker thread with a read-only connection of its own (the session is in
// WAL mode, so reads never wait for a running import). A view asks with a
// typed request and gets a plain result struct back on the GUI thread —
// never a Db, never an exception:
//
//   Answer<T>{generation, value, error}
//
// Each answer carries the session generation it was asked under. A new
// session, a reload or an import bumps the generation; answers asked under
// an older one are dropped on arrival, so a view never paints data of a
// session it no longer shows. A request with a key (e.g. "details") is
// superseded by a newer one with the same key while it waits: clicking
// through twenty requests runs the last query, not twenty.

#include "analysis.h"
#include "annotations.h"
#include "flamegraph.h"
#include "queries.h"
#include "session.h"
#include "timeline.h"
#include "worker.h"

#include <QHash>
#include <QMetaObject>
#include <QMutex>
#include <QObject>
#include <QPointer>

#include <functional>
#include <map>
#include <optional>

namespace ls {

template<typename T> struct Answer
{
    quint64 generation = 0;
    T value{};
    QString error; // empty: the query ran
    bool ok() const { return error.isEmpty(); }
};

class QueryService : public QObject
{
    Q_OBJECT
public:
    explicit QueryService(QObject *parent = nullptr);
    ~QueryService() override;

    // GUI thread. The session file to read (empty: none) and its
    // generation; answers to earlier questions are dropped from now on.
    void setSession(const QString &path, quint64 generation);
    quint64 generation() const { return m_generation; }
    QString path() const { return m_path; }

    // Runs query(db) on the worker; onAnswer runs on the GUI thread while
    // `receiver` lives and the generation is still current.
    template<typename T>
    void ask(QObject *receiver, const QByteArray &key, std::function<T(const Db &)> query,
             std::function<void(const Answer<T> &)> onAnswer);

    // Typed requests (the views' whole vocabulary).
    void requestIds(QObject *r, RequestQuery q,
                    std::function<void(const Answer<RequestIdList> &)> f);
    void requestRows(QObject *r, std::vector<qint64> ids,
                     std::function<void(const Answer<std::vector<RequestRow>> &)> f);
    void requestDetails(QObject *r, qint64 id,
                        std::function<void(const Answer<std::optional<RequestDetails>> &)> f);
    void criticalPath(QObject *r, qint64 id,
                      std::function<void(const Answer<std::vector<PathSegment>> &)> f);
    void spanAt(QObject *r, qint64 lane, TimeNs start, int depth,
                std::function<void(const Answer<std::optional<SpanDetail>> &)> f);
    void phasesOf(QObject *r, QList<qint64> ids,
                  std::function<void(const Answer<QHash<qint64, QList<PhaseRow>>> &)> f);
    void profileTypes(QObject *r, std::function<void(const Answer<QList<ProfileType>> &)> f);
    void flameGraph(QObject *r, FlameFilter filter,
                    std::function<void(const Answer<FlameGraph> &)> f);
    // What the Statistics dock draws over the filtered requests (core/analysis.h).
    void stats(QObject *r, QString filter,
               std::function<void(const Answer<RequestStatistics> &)> f);
    void sources(QObject *r, std::function<void(const Answer<QList<SourceRow>> &)> f);
    void notes(QObject *r, std::function<void(const Answer<QList<Note>> &)> f);

    // Tests and screenshots: waits for the queue to drain, then delivers
    // the answers that arrived (runs the GUI thread's posted events).
    bool settle(int ms = 30000);
    int droppedAnswers() const { return m_dropped; }

signals:
    // Every failed query, for the status bar (the asking view shows it inline too).
    void queryFailed(const QString &message);

private:
    // Worker thread: the connection for this generation (reopened on change).
    const Db &connection(const QString &path, quint64 generation);
    bool superseded(const QByteArray &key, quint64 ticket);

    Worker m_worker{"queries"};
    QString m_path;
    quint64 m_generation = 0;
    quint64 m_tickets = 0;
    int m_dropped = 0;
    QMutex m_keysMutex;
    QHash<QByteArray, quint64> m_latest; // key -> newest ticket
    // Worker-thread state.
    std::optional<Session> m_session;
    QString m_openPath;
    quint64 m_openGeneration = 0;
};

template<typename T>
void QueryService::ask(QObject *receiver, const QByteArray &key, std::function<T(const Db &)> query,
                       std::function<void(const Answer<T> &)> onAnswer)
{
    const quint64 gen = m_generation;
    const quint64 ticket = ++m_tickets;
    if (!key.isEmpty()) {
        QMutexLocker lock(&m_keysMutex);
        m_latest.insert(key, ticket);
    }
    QPointer<QObject> target(receiver);
    const QString path = m_path;
    m_worker.post([this, gen, ticket, key, path, target, query = std::move(query),
                   onAnswer = std::move(onAnswer)]() mutable {
        if (!key.isEmpty() && superseded(key, ticket)) return;
        auto a = std::make_shared<Answer<T>>();
        a->generation = gen;
        try {
            if (path.isEmpty()) throw DbError(QStringLiteral("no session is open"));
            a->value = query(connection(path, gen));
        } catch (const DbError &e) {
            a->error = e.message();
        } catch (const std::bad_alloc &) {
            a->error = QStringLiteral("out of memory");
        } catch (const std::exception &e) {
            a->error = QString::fromLocal8Bit(e.what());
        }
        // Delivered through the service (it outlives its worker); the
        // receiver is checked on the GUI thread, where it is deleted.
        QMetaObject::invokeMethod(
            this,
            [this, a, target, onAnswer = std::move(onAnswer)] {
                if (a->generation != m_generation || !target) {
                    ++m_dropped;
                    return;
                }
                if (!a->ok()) emit queryFailed(a->error);
                onAnswer(*a);
            },
            Qt::QueuedConnection);
    });
}

} // namespace ls
