#include "queryservice.h"

#include "annotations.h"

#include <QCoreApplication>
#include <QDeadlineTimer>

#include <algorithm>
#include <limits>

namespace ls {

QueryService::QueryService(QObject *parent) : QObject(parent) {}

QueryService::~QueryService()
{
    m_worker.clear();
    m_worker.waitIdle();
    // The connection belongs to the worker thread; the last task is done.
    m_session.reset();
}

void QueryService::setSession(const QString &path, quint64 generation)
{
    m_path = path;
    m_generation = generation;
    // Questions of the old generation still waiting are answered stale anyway.
    m_worker.clear();
    if (path.isEmpty()) {
        m_worker.post([this] { m_session.reset(); });
    }
}

const Db &QueryService::connection(const QString &path, quint64 generation)
{
    if (!m_session || m_openPath != path || m_openGeneration != generation) {
        m_session.reset();
        m_session.emplace(Session::open(path, Session::Open::ReadOnly));
        m_openPath = path;
        m_openGeneration = generation;
    }
    return m_session->db();
}

bool QueryService::superseded(const QByteArray &key, quint64 ticket)
{
    QMutexLocker lock(&m_keysMutex);
    return m_latest.value(key) != ticket;
}

bool QueryService::settle(int ms)
{
    QDeadlineTimer deadline(ms);
    // An answer may ask again (a page after the id list): drain until quiet.
    for (int round = 0; round < 8; ++round) {
        if (!m_worker.waitIdle(int(std::max<qint64>(0, deadline.remainingTime())))) return false;
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        if (m_worker.isIdle()) return true;
    }
    return m_worker.isIdle();
}

void QueryService::requestIds(QObject *r, RequestQuery q,
                              std::function<void(const Answer<RequestIdList> &)> f)
{
    ask<RequestIdList>(
        r, "ids", [q](const Db &db) { return queryRequestIds(db, q); }, std::move(f));
}

void QueryService::requestRows(QObject *r, std::vector<qint64> ids,
                               std::function<void(const Answer<std::vector<RequestRow>> &)> f)
{
    ask<std::vector<RequestRow>>(
        r, {}, [ids = std::move(ids)](const Db &db) { return requestsByIds(db, ids); },
        std::move(f));
}

void QueryService::requestDetails(
    QObject *r, qint64 id, std::function<void(const Answer<std::optional<RequestDetails>> &)> f)
{
    ask<std::optional<RequestDetails>>(
        r, "details", [id](const Db &db) { return loadRequestDetails(db, id); }, std::move(f));
}

void QueryService::criticalPath(QObject *r, qint64 id,
                                std::function<void(const Answer<std::vector<PathSegment>> &)> f)
{
    ask<std::vector<PathSegment>>(
        r, "critical-path", [id](const Db &db) { return ls::criticalPath(db, id); }, std::move(f));
}

void QueryService::spanAt(QObject *r, qint64 lane, TimeNs start, int depth,
                          std::function<void(const Answer<std::optional<SpanDetail>> &)> f)
{
    ask<std::optional<SpanDetail>>(
        r, "span", [=](const Db &db) { return querySpanAt(db, lane, start, depth); }, std::move(f));
}

void QueryService::phasesOf(QObject *r, QList<qint64> ids,
                            std::function<void(const Answer<QHash<qint64, QList<PhaseRow>>> &)> f)
{
    ask<QHash<qint64, QList<PhaseRow>>>(
        r, "phases", [ids = std::move(ids)](const Db &db) { return queryPhasesOf(db, ids); },
        std::move(f));
}

void QueryService::profileTypes(QObject *r,
                                std::function<void(const Answer<QList<ProfileType>> &)> f)
{
    ask<QList<ProfileType>>(r, "profile-types", &listProfileTypes, std::move(f));
}

void QueryService::flameGraph(QObject *r, FlameFilter filter,
                              std::function<void(const Answer<FlameGraph> &)> f)
{
    ask<FlameGraph>(
        r, "flame", [filter](const Db &db) { return FlameGraph::build(db, filter); }, std::move(f));
}

void QueryService::stats(QObject *r, QString filter,
                         std::function<void(const Answer<RequestStatistics> &)> f)
{
    ask<RequestStatistics>(
        r, "stats", [filter](const Db &db) { return requestStatistics(db, filter); }, std::move(f));
}

void QueryService::sources(QObject *r, std::function<void(const Answer<QList<SourceRow>> &)> f)
{
    ask<QList<SourceRow>>(r, "sources", &querySources, std::move(f));
}

void QueryService::notes(QObject *r, std::function<void(const Answer<QList<Note>> &)> f)
{
    ask<QList<Note>>(r, "notes", &listNotes, std::move(f));
}

} // namespace ls
