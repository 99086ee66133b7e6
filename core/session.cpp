#include "session.h"

#include "analysis.h"
#include "batchwriter.h"
#include "schema.h"

#include <QFileInfo>

namespace ls {

Session Session::open(const QString &path, Open mode)
{
    const bool ro = mode == Open::ReadOnly;
    if (ro && !QFileInfo::exists(path))
        throw DbError(QStringLiteral("%1: no such session file").arg(path));
    Db db(path, ro ? Db::Mode::ReadOnly : Db::Mode::ReadWrite);
    int version = 0;
    try {
        version = db.userVersion();
        if (version == 0) {
            // Either a new file or something that is not a session.
            Stmt st(db, "SELECT count(*) FROM sqlite_master");
            st.step();
            if (st.int64(0) != 0)
                throw DbError(QStringLiteral("not a Lanescope session (no schema version)"));
        }
    } catch (const DbError &e) {
        throw DbError(QStringLiteral("%1: %2").arg(path, e.message()));
    }
    if (version > kSchemaVersion)
        throw DbError(QStringLiteral("%1: this session was written by a newer Lanescope (schema "
                                     "version %2; this build reads up to %3). Open it with a "
                                     "newer version.")
                          .arg(path)
                          .arg(version)
                          .arg(kSchemaVersion));
    if (version < kSchemaVersion) {
        if (ro)
            throw DbError(QStringLiteral("%1: session needs an upgrade (schema version %2), open "
                                         "it read-write once")
                              .arg(path)
                              .arg(version));
        const auto &steps = migrations();
        inTransaction(db, [&] {
            for (int v = version; v < kSchemaVersion; ++v)
                db.exec(steps[size_t(v)]);
            // The lane index of spans and instants written before v3 (the
            // analysis below reads lanes through it).
            if (version >= 1 && version < 3) buildRuns(db);
            // A session imported before v4 gets its latency classes (and
            // causes) computed by today's rules.
            if (version >= 1 && version < 4) analyzeRequests(db);
            db.exec(QByteArray("PRAGMA user_version = " + QByteArray::number(kSchemaVersion))
                        .constData());
        });
    }
    if (!ro) {
        // Write-ahead log: readers (the app's query thread, `info` beside a
        // running import) read the last committed state and never wait for
        // the import's writer. A failed import's pages stay uncommitted
        // frames in the log, which no reader sees and no checkpoint copies,
        // so the session's content is what it was before.
        db.exec("PRAGMA journal_mode = WAL");
        db.exec("PRAGMA synchronous = NORMAL");
        db.exec("PRAGMA foreign_keys = OFF");
    }
    db.exec("PRAGMA cache_size = -16384");
    db.exec("PRAGMA temp_store = MEMORY");
    return Session(std::move(db), path, ro);
}

bool checkpointSession(Db &db) noexcept
{
    try {
        Stmt st(db, "PRAGMA wal_checkpoint(TRUNCATE)");
        return st.step() && st.int64(0) == 0;
    } catch (const DbError &) {
        return false;
    }
}

void shiftSourceRows(Db &db, qint64 sourceId, TimeNs delta)
{
    if (delta == 0) return;
    static const char *const kShift[] = {
        // Spans and instants found through their runs, then the runs.
        "UPDATE span SET start_ns = start_ns + ?1, end_ns = end_ns + ?1 WHERE id IN (SELECT "
        "s.id FROM " LS_SPANS_BY_RUN " WHERE r.lane_id IN (SELECT id FROM lane WHERE "
        "source_id = ?2))",
        "UPDATE instant SET ts_ns = ts_ns + ?1 WHERE id IN (SELECT s.id FROM " LS_INSTANTS_BY_RUN
        " WHERE r.lane_id IN (SELECT id FROM lane WHERE source_id = ?2))",
        "UPDATE span_run SET start_min = start_min + ?1, start_max = start_max + ?1, end_max = "
        "end_max + ?1 WHERE lane_id IN (SELECT id FROM lane WHERE source_id = ?2)",
        "UPDATE instant_run SET start_min = start_min + ?1, start_max = start_max + ?1, end_max "
        "= end_max + ?1 WHERE lane_id IN (SELECT id FROM lane WHERE source_id = ?2)",
        "UPDATE lane_level SET base_ns = base_ns + ?1 WHERE lane_id IN (SELECT id FROM lane "
        "WHERE source_id = ?2)",
        "UPDATE flow SET from_ts_ns = from_ts_ns + ?1, to_ts_ns = to_ts_ns + ?1 WHERE from_lane_id "
        "IN (SELECT id FROM lane WHERE source_id = ?2)",
        "UPDATE phase SET start_ns = start_ns + ?1, end_ns = end_ns + ?1 WHERE source_id = ?2",
        "UPDATE raw_text SET ts_ns = ts_ns + ?1 WHERE source_id = ?2",
        "UPDATE sample SET ts_ns = ts_ns + ?1 WHERE profile_id IN (SELECT id FROM profile WHERE "
        "source_id = ?2)",
    };
    for (const char *sql : kShift) {
        Stmt st(db, sql);
        st.bind(1, delta).bind(2, sourceId).run();
    }
}

void shiftRequestTimes(Db &db, TimeNs delta, const char *where, qint64 arg)
{
    if (delta == 0) return;
    const QByteArray sql =
        QByteArray("UPDATE request SET start_ns = start_ns + ?1, end_ns = end_ns + ?1, "
                   "client_start_ns = client_start_ns + ?1, client_end_ns = client_end_ns + ?1, "
                   "server_start_ns = server_start_ns + ?1, server_end_ns = server_end_ns + ?1 "
                   "WHERE ") +
        where;
    Stmt st(db, sql);
    st.bind(1, delta).bind(2, arg).run();
}

void Session::shiftSource(qint64 sourceId, TimeNs delta)
{
    if (delta == 0) return;
    shiftSourceRows(m_db, sourceId, delta);
    // Requests first seen in this source and seen nowhere else move with it.
    shiftRequestTimes(m_db, delta,
                      "first_source_id = ?2 AND id NOT IN (SELECT request_id FROM phase WHERE "
                      "source_id != ?2) AND id NOT IN (SELECT request_id FROM raw_text WHERE "
                      "source_id != ?2 AND request_id IS NOT NULL)",
                      sourceId);
    Stmt src(m_db, "UPDATE source SET offset_ns = offset_ns + ?1 WHERE id = ?2");
    src.bind(1, delta).bind(2, sourceId).run();
}

void Session::setSourceOffset(qint64 sourceId, TimeNs offset, const QString &method)
{
    inTransaction(m_db, [&] {
        Stmt q(m_db, "SELECT offset_ns FROM source WHERE id = ?");
        q.bind(1, sourceId);
        if (!q.step()) throw DbError(QStringLiteral("no source %1").arg(sourceId));
        const TimeNs old = q.int64(0);
        shiftSource(sourceId, offset - old);
        Stmt u(m_db, "UPDATE source SET clock_method = ? WHERE id = ?");
        u.bindText(1, method).bind(2, sourceId).run();
        // A moved source moves windows against traces: classes follow.
        analyzeRequests(m_db);
    });
}

} // namespace ls
