#include "flamegraph.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace ls {

namespace {

QByteArray idList(const QList<ProfileId> &ids)
{
    QByteArray out;
    for (ProfileId id : ids) {
        if (!out.isEmpty()) out += ',';
        out += QByteArray::number(id);
    }
    return out;
}

void sortStats(std::vector<FunctionStat> &v, bool byCum)
{
    std::sort(v.begin(), v.end(), [byCum](const FunctionStat &a, const FunctionStat &b) {
        const qint64 x = std::abs(byCum ? a.cum : a.flat), y = std::abs(byCum ? b.cum : b.flat);
        if (x != y) return x > y;
        return a.function < b.function;
    });
}

} // namespace

QList<ProfileId> profilesOfType(const Db &db, QByteArrayView sampleType)
{
    QList<ProfileId> out;
    Stmt q(db, "SELECT id FROM profile WHERE sample_type = ? ORDER BY id");
    q.bindText(1, sampleType);
    while (q.step())
        out.append(q.int64(0));
    return out;
}

FlameGraph FlameGraph::build(const Db &db, const FlameFilter &f)
{
    FlameGraph g;
    FlameNode root;
    root.function = "root";
    g.m_nodes.push_back(root);
    if (f.profiles.isEmpty()) return g;

    // The sample filter, shared by both queries.
    QByteArray where = "s.profile_id IN (" + idList(f.profiles) + ")";
    RequestId request = f.request;
    if (request == kNoId && !f.requestKey.isEmpty()) {
        Stmt q(db, "SELECT id FROM request WHERE key = ?");
        q.bindText(1, f.requestKey);
        if (q.step()) request = q.int64(0);
    }
    if (request != kNoId || !f.requestKey.isEmpty())
        where += " AND (s.request_id = ?1 OR (?2 IS NOT NULL AND EXISTS (SELECT 1 FROM "
                 "json_each(s.labels) WHERE json_each.value = ?2)))";
    if (f.from != kNoTime || f.to != kNoTime) {
        // Untimed samples belong to their profile's whole window.
        if (f.untimedByWindow)
            where += " AND (CASE WHEN s.ts_ns IS NOT NULL THEN s.ts_ns >= ?3 AND s.ts_ns < ?4 ELSE "
                     "(SELECT p.time_ns IS NULL OR (p.time_ns < ?4 AND p.time_ns + "
                     "COALESCE(p.duration_ns, 0) >= ?3) FROM profile p WHERE p.id = s.profile_id) "
                     "END)";
        else
            where += " AND s.ts_ns >= ?3 AND s.ts_ns < ?4";
    }
    auto bindFilter = [&](Stmt &q) {
        if (request != kNoId || !f.requestKey.isEmpty()) {
            q.bind(1, request == kNoId ? qint64(-1) : request);
            if (f.requestKey.isEmpty())
                q.bindNull(2);
            else
                q.bindText(2, f.requestKey);
        }
        if (f.from != kNoTime || f.to != kNoTime) {
            q.bind(3, f.from == kNoTime ? std::numeric_limits<qint64>::min() : f.from);
            q.bind(4, f.to == kNoTime ? std::numeric_limits<qint64>::max() : f.to);
        }
    };

    // Every callsite on a path from a sampled leaf up to its root.
    Stmt cs(db, "WITH RECURSIVE need(id) AS (SELECT DISTINCT s.callsite_id FROM sample s WHERE " +
                    where +
                    " UNION SELECT c.parent_id FROM callsite c JOIN need ON c.id = need.id WHERE "
                    "c.parent_id IS NOT NULL) SELECT c.id, c.parent_id, f.function FROM callsite c "
                    "JOIN need ON need.id = c.id JOIN frame f ON f.id = c.frame_id ORDER BY "
                    "c.depth, c.id");
    bindFilter(cs);
    QHash<qint64, int> nodeOf;                  // callsite -> node
    QHash<QPair<int, QByteArray>, int> childOf; // (parent node, function) -> node
    while (cs.step()) {
        const qint64 id = cs.int64(0);
        const int parent = cs.isNull(1) ? 0 : nodeOf.value(cs.int64(1), 0);
        const QByteArray fn = cs.text(2);
        const auto key = qMakePair(parent, fn);
        auto it = childOf.constFind(key);
        if (it == childOf.constEnd()) {
            FlameNode n;
            n.parent = parent;
            n.depth = g.m_nodes[size_t(parent)].depth + 1;
            n.function = fn;
            g.m_nodes.push_back(std::move(n));
            const int idx = int(g.m_nodes.size() - 1);
            g.m_nodes[size_t(parent)].children.push_back(idx);
            it = childOf.insert(key, idx);
        }
        nodeOf.insert(id, it.value());
    }

    Stmt samples(db, "SELECT s.callsite_id, SUM(s.value), COUNT(*) FROM sample s WHERE " + where +
                         " GROUP BY s.callsite_id");
    bindFilter(samples);
    QHash<QByteArray, FunctionStat> stats;
    QSet<QByteArray> seen;
    while (samples.step()) {
        const int leaf = nodeOf.value(samples.int64(0), 0);
        const qint64 v = samples.int64(1);
        g.m_rows += samples.int64(2);
        g.m_nodes[size_t(leaf)].self += v;
        if (leaf != 0) {
            FunctionStat &st = stats[g.m_nodes[size_t(leaf)].function];
            st.flat += v;
        }
        seen.clear();
        for (int n = leaf; n >= 0; n = g.m_nodes[size_t(n)].parent) {
            FlameNode &node = g.m_nodes[size_t(n)];
            node.total += v;
            if (n != 0 && !seen.contains(node.function)) {
                seen.insert(node.function);
                stats[node.function].cum += v;
            }
        }
    }
    for (auto it = stats.begin(); it != stats.end(); ++it) {
        it->function = it.key();
        g.m_functions.push_back(*it);
    }
    for (FlameNode &n : g.m_nodes)
        std::sort(n.children.begin(), n.children.end(), [&g](int a, int b) {
            return g.m_nodes[size_t(a)].function < g.m_nodes[size_t(b)].function;
        });
    return g;
}

std::vector<FunctionStat> FlameGraph::top(bool byCumulative) const
{
    std::vector<FunctionStat> v = m_functions;
    sortStats(v, byCumulative);
    return v;
}

std::vector<FunctionStat> FlameGraph::callers(QByteArrayView function) const
{
    // Value through each (caller → function) edge of the tree; recursion
    // through the same edge is counted once per node.
    QHash<QByteArray, FunctionStat> out;
    for (const FlameNode &n : m_nodes) {
        if (n.function != function || n.parent <= 0) continue;
        FunctionStat &st = out[m_nodes[size_t(n.parent)].function];
        st.cum += n.total;
        st.flat += n.self;
    }
    std::vector<FunctionStat> v;
    for (auto it = out.begin(); it != out.end(); ++it) {
        it->function = it.key();
        v.push_back(*it);
    }
    sortStats(v, true);
    return v;
}

std::vector<FunctionStat> FlameGraph::callees(QByteArrayView function) const
{
    QHash<QByteArray, FunctionStat> out;
    for (const FlameNode &n : m_nodes) {
        if (n.function != function) continue;
        for (int c : n.children) {
            FunctionStat &st = out[m_nodes[size_t(c)].function];
            st.cum += m_nodes[size_t(c)].total;
            st.flat += m_nodes[size_t(c)].self;
        }
    }
    std::vector<FunctionStat> v;
    for (auto it = out.begin(); it != out.end(); ++it) {
        it->function = it.key();
        v.push_back(*it);
    }
    sortStats(v, true);
    return v;
}

QList<ProfileType> listProfileTypes(const Db &db)
{
    QList<ProfileType> out;
    Stmt st(db, "SELECT p.sample_type, p.unit, s.path, group_concat(p.id) FROM profile p JOIN "
                "source s ON s.id = p.source_id GROUP BY p.source_id, p.sample_type, p.unit "
                "ORDER BY p.sample_type = 'cpu' DESC, p.sample_type = 'samples' DESC, "
                "p.source_id, p.sample_type");
    while (st.step()) {
        ProfileType t{st.string(0), st.string(1), st.string(2), {}};
        for (const QByteArray &id : st.text(3).split(','))
            if (!id.isEmpty()) t.profiles << id.toLongLong();
        out << t;
    }
    return out;
}

} // namespace ls
