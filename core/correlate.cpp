#include "correlate.h"

#include <QHash>

#include <algorithm>
#include <vector>

namespace ls {

namespace {

struct Row
{
    qint64 id;
    TimeNs start, end;
    int status;
};

constexpr TimeNs kSecond = 1000000000;

} // namespace

qint64 joinLoadTestRows(Db &db)
{
    // Rows of (id, start, end, status).
    const auto rows = [&db](const char *sql) {
        std::vector<Row> out;
        Stmt q(db, sql);
        while (q.step())
            out.push_back({q.int64(0), q.int64(1), q.int64(2), int(q.int64(3))});
        return out;
    };
    // Load-generator rows without a request id (ApacheBench writes none).
    const std::vector<Row> lt =
        rows("SELECT id, client_start_ns, client_end_ns, COALESCE(client_status, -1) FROM "
             "request WHERE load_test = 1 AND side = 'client' AND key LIKE '#%' AND "
             "client_start_ns IS NOT NULL AND client_end_ns IS NOT NULL");
    if (lt.empty()) return 0;
    // Server-only requests the load generator may have sent.
    const std::vector<Row> srv =
        rows("SELECT id, server_start_ns, server_end_ns, COALESCE(server_status, -1) FROM "
             "request WHERE side = 'server' AND load_test = 0 AND client_start_ns IS NULL "
             "AND server_start_ns IS NOT NULL AND server_end_ns IS NOT NULL");
    if (srv.empty()) return 0;
    // Bucket both by whole second of their start (the load generator's own
    // resolution); pair within a bucket by rank of duration, which minimises
    // the total duration mismatch for equal-sized buckets.
    QHash<qint64, std::vector<size_t>> ltBySec, srvBySec;
    for (size_t i = 0; i < lt.size(); ++i)
        ltBySec[lt[i].start / kSecond].push_back(i);
    for (size_t i = 0; i < srv.size(); ++i)
        srvBySec[srv[i].start / kSecond].push_back(i);
    Stmt merge(db, "UPDATE request SET client_start_ns = ?2, client_end_ns = ?3, client_status = "
                   "?4, start_ns = ?2, end_ns = ?3, status = COALESCE(?4, status), side = 'both', "
                   "load_test = 1 WHERE id = ?1");
    Stmt drop(db, "DELETE FROM request WHERE id = ?");
    Stmt moveRaw(db, "UPDATE raw_text SET request_id = ?1 WHERE request_id = ?2");
    Stmt movePhase(db, "UPDATE phase SET request_id = ?1 WHERE request_id = ?2");
    qint64 joined = 0;
    auto byDuration = [](const std::vector<Row> &rows) {
        return [&rows](size_t a, size_t b) {
            return rows[a].end - rows[a].start < rows[b].end - rows[b].start;
        };
    };
    for (auto it = ltBySec.begin(); it != ltBySec.end(); ++it) {
        auto s = srvBySec.find(it.key());
        if (s == srvBySec.end()) continue;
        std::vector<size_t> &a = it.value();
        std::vector<size_t> &b = s.value();
        // Only buckets that account for each other one to one: anything else
        // would be a guess.
        if (a.size() != b.size()) continue;
        std::sort(a.begin(), a.end(), byDuration(lt));
        std::sort(b.begin(), b.end(), byDuration(srv));
        for (size_t k = 0; k < a.size(); ++k) {
            const Row &l = lt[a[k]];
            const Row &r = srv[b[k]];
            const TimeNs latency = l.end - l.start;
            // The client saw at least what the server spent; centre the
            // client's span on the server's (its start is known to a second).
            const TimeNs slack = std::max<TimeNs>(0, latency - (r.end - r.start));
            const TimeNs start = r.start - slack / 2;
            merge.bind(1, r.id).bind(2, start).bind(3, start + latency);
            if (l.status >= 0)
                merge.bind(4, qint64(l.status));
            else
                merge.bindNull(4);
            merge.run();
            moveRaw.bind(1, r.id).bind(2, l.id).run();
            movePhase.bind(1, r.id).bind(2, l.id).run();
            drop.bind(1, l.id).run();
            ++joined;
        }
    }
    return joined;
}

} // namespace ls
