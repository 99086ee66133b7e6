#include "queries.h"

#include "schema.h"
#include <QFileInfo>

#include "units.h"

#include <QRegularExpression>
#include <QVariant>

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ls {

static const char *const kPhaseNames[kPhaseKinds] = {"blocked", "dns",  "connect", "tls",
                                                     "send",    "wait", "receive"};

const char *phaseKindName(PhaseKind k)
{
    return kPhaseNames[int(k)];
}

std::optional<PhaseKind> phaseKindFromName(QByteArrayView name)
{
    for (int i = 0; i < kPhaseKinds; ++i)
        if (name == kPhaseNames[i]) return PhaseKind(i);
    return std::nullopt;
}

// ---------------------------------------------------------------------------
// Filter language

namespace {

struct NumField
{
    const char *name;
    const char *sql;
    bool duration;
};

const NumField kNumFields[] = {
    {"status", "r.status", false},
    {"dur", "(r.end_ns - r.start_ns)", true},
    {"duration", "(r.end_ns - r.start_ns)", true},
    {"latency", "(r.end_ns - r.start_ns)", true},
    {"server", "(r.server_end_ns - r.server_start_ns)", true},
    {"client", "(r.client_end_ns - r.client_start_ns)", true},
    {"blocked", "p.blocked_ns", true},
    {"dns", "p.dns_ns", true},
    {"connect", "p.connect_ns", true},
    {"tls", "p.tls_ns", true},
    {"send", "p.send_ns", true},
    {"wait", "p.wait_ns", true},
    {"ttfb", "p.wait_ns", true},
    {"receive", "p.receive_ns", true},
    {"start", "r.start_ns", false},
};

struct TextField
{
    const char *name;
    const char *sql;
};

const TextField kTextFields[] = {
    {"host", "r.host"},   {"url", "r.url"},
    {"path", "r.url"},    {"method", "r.method"},
    {"key", "r.key"},     {"id", "r.key"},
    {"error", "r.error"}, {"handler", "r.handler"},
    {"side", "r.side"},   {"class", "r.dominant_class"},
};

QStringList tokenize(const QString &expr, FilterError *err, bool *ok)
{
    QStringList out;
    QString cur;
    bool quoted = false;
    *ok = true;
    for (int i = 0; i < expr.size(); ++i) {
        const QChar c = expr[i];
        if (c == QLatin1Char('"')) {
            quoted = !quoted;
            continue;
        }
        if (c.isSpace() && !quoted) {
            if (!cur.isEmpty()) out << cur;
            cur.clear();
            continue;
        }
        cur += c;
    }
    if (quoted) {
        *ok = false;
        if (err) *err = {QStringLiteral("unterminated quote"), int(expr.size())};
    }
    if (!cur.isEmpty()) out << cur;
    return out;
}

} // namespace

std::optional<RequestFilter> RequestFilter::parse(const QString &expr, FilterError *err)
{
    RequestFilter f;
    bool ok;
    const QStringList terms = tokenize(expr, err, &ok);
    if (!ok) return std::nullopt;
    static const QRegularExpression cmpRe(
        QStringLiteral("^([A-Za-z_]+)\\s*(>=|<=|!=|==|=|>|<)\\s*(.+)$"));
    QList<QByteArray> clauses;
    int pos = 0;
    for (QString term : terms) {
        pos = int(expr.indexOf(term, pos));
        bool neg = false;
        if (term.startsWith(QLatin1Char('-')) && term.size() > 1) {
            neg = true;
            term.remove(0, 1);
        }
        QByteArray clause;
        const auto m = cmpRe.match(term);
        const int colon = int(term.indexOf(QLatin1Char(':')));
        // "dur>" (still being typed, or cut): a comparison without its value,
        // not a text search for "dur>".
        static const QRegularExpression openRe(
            QStringLiteral("^([A-Za-z_]+)\\s*(>=|<=|!=|==|=|>|<)$"));
        if (const auto o = openRe.match(term); o.hasMatch()) {
            if (err)
                *err = {
                    QStringLiteral("'%1' needs a value after %2").arg(o.captured(1), o.captured(2)),
                    pos};
            return std::nullopt;
        }
        if (m.hasMatch()) {
            const QString name = m.captured(1).toLower();
            QString op = m.captured(2);
            if (op == QLatin1String("==")) op = QStringLiteral("=");
            const QString value = m.captured(3);
            const NumField *nf = nullptr;
            for (const NumField &n : kNumFields)
                if (name == QLatin1String(n.name)) nf = &n;
            if (!nf) {
                const TextField *tf = nullptr;
                for (const TextField &t : kTextFields)
                    if (name == QLatin1String(t.name)) tf = &t;
                if (!tf || (op != QLatin1String("=") && op != QLatin1String("!="))) {
                    if (err)
                        *err = {QStringLiteral("unknown field '%1' (numeric fields: status, dur, "
                                               "ttfb, dns, connect, tls, send, wait, receive, "
                                               "server, client)")
                                    .arg(name),
                                pos};
                    return std::nullopt;
                }
                clause = QByteArray(tf->sql) + (op == QLatin1String("=") ? " = ?" : " != ?");
                f.m_params << value;
            } else {
                std::optional<qint64> v;
                const QByteArray vb = value.toUtf8();
                if (nf->duration)
                    v = parseDurationOr(vb, 1000000); // bare numbers are milliseconds
                else
                    v = parseInt(vb);
                if (!v) {
                    if (err)
                        *err = {QStringLiteral("'%1' is not a %2 for %3")
                                    .arg(value,
                                         nf->duration ? QStringLiteral("duration (e.g. 200ms)")
                                                      : QStringLiteral("number"),
                                         name),
                                pos};
                    return std::nullopt;
                }
                clause = QByteArray(nf->sql) + ' ' + op.toLatin1() + " ?";
                f.m_params << QVariant::fromValue<qint64>(*v);
            }
        } else if (colon > 0) {
            const QString name = term.left(colon).toLower();
            const QString value = term.mid(colon + 1);
            if (name == QLatin1String("status")) {
                static const QRegularExpression classRe(QStringLiteral("^([1-5])xx$"));
                const auto cm = classRe.match(value.toLower());
                if (cm.hasMatch()) {
                    const int c = cm.captured(1).toInt();
                    clause = "r.status BETWEEN ? AND ?";
                    f.m_params << QVariant::fromValue<qint64>(c * 100)
                               << QVariant::fromValue<qint64>(c * 100 + 99);
                } else if (auto v = parseInt(value.toUtf8())) {
                    clause = "r.status = ?";
                    f.m_params << QVariant::fromValue<qint64>(*v);
                } else {
                    if (err)
                        *err = {QStringLiteral("status:%1 is not a status or class like 5xx")
                                    .arg(value),
                                pos};
                    return std::nullopt;
                }
            } else {
                const TextField *tf = nullptr;
                for (const TextField &t : kTextFields)
                    if (name == QLatin1String(t.name)) tf = &t;
                if (!tf) {
                    if (err)
                        *err = {QStringLiteral("unknown field '%1' (text fields: host, url, "
                                               "method, key, error, handler, side, class)")
                                    .arg(name),
                                pos};
                    return std::nullopt;
                }
                clause = QByteArray("instr(lower(") + tf->sql + "), lower(?)) > 0";
                f.m_params << value;
            }
        } else if (term.compare(QLatin1String("error"), Qt::CaseInsensitive) == 0 ||
                   term.compare(QLatin1String("errors"), Qt::CaseInsensitive) == 0) {
            // isErrorRequest() in SQL.
            clause = "(r.error IS NOT NULL OR r.status >= 500 OR r.status = 0)";
        } else if (term.compare(QLatin1String("loadtest"), Qt::CaseInsensitive) == 0) {
            clause = "r.load_test = 1";
        } else {
            clause = "(instr(lower(r.key), lower(?1x)) > 0 OR instr(lower(COALESCE(r.url,'')), "
                     "lower(?1x)) > 0 OR instr(lower(COALESCE(r.host,'')), lower(?1x)) > 0 OR "
                     "instr(lower(COALESCE(r.error,'')), lower(?1x)) > 0 OR "
                     "instr(lower(COALESCE(r.method,'')), lower(?1x)) > 0)";
            clause.replace("?1x", "?");
            for (int k = 0; k < 5; ++k)
                f.m_params << term;
        }
        if (neg) clause = "NOT (" + clause + ")";
        clauses << "(" + clause + ")";
        pos += int(term.size());
    }
    f.m_where = clauses.join(" AND ");
    return f;
}

// ---------------------------------------------------------------------------

static void bindVariant(Stmt &st, int i, const QVariant &v)
{
    if (v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int)
        st.bind(i, v.toLongLong());
    else
        st.bindText(i, v.toString());
}

static const char kRequestSelect[] =
    "WITH p AS (SELECT request_id,"
    " MAX(CASE WHEN kind='blocked' THEN end_ns END) - MIN(CASE WHEN kind='blocked' THEN start_ns "
    "END) AS blocked_ns,"
    " MAX(CASE WHEN kind='dns' THEN end_ns END) - MIN(CASE WHEN kind='dns' THEN start_ns END) AS "
    "dns_ns,"
    " MAX(CASE WHEN kind='connect' THEN end_ns END) - MIN(CASE WHEN kind='connect' THEN start_ns "
    "END) AS connect_ns,"
    " MAX(CASE WHEN kind='tls' THEN end_ns END) - MIN(CASE WHEN kind='tls' THEN start_ns END) AS "
    "tls_ns,"
    " MAX(CASE WHEN kind='send' THEN end_ns END) - MIN(CASE WHEN kind='send' THEN start_ns END) "
    "AS send_ns,"
    " MAX(CASE WHEN kind='wait' THEN end_ns END) - MIN(CASE WHEN kind='wait' THEN start_ns END) "
    "AS wait_ns,"
    " MAX(CASE WHEN kind='receive' THEN end_ns END) - MIN(CASE WHEN kind='receive' THEN start_ns "
    "END) AS receive_ns"
    " FROM phase WHERE side IS NULL OR side = 'client' GROUP BY request_id)"
    " SELECT r.id, r.key, r.method, r.url, r.host, r.handler, r.error, r.side, r.dominant_class,"
    " r.status, r.start_ns, r.end_ns, r.client_start_ns, r.client_end_ns, r.server_start_ns,"
    " r.server_end_ns, r.load_test, p.blocked_ns, p.dns_ns, p.connect_ns, p.tls_ns, p.send_ns,"
    " p.wait_ns, p.receive_ns, r.cause FROM request r LEFT JOIN p ON p.request_id = r.id";

static RequestRow readRequestRow(const Stmt &st)
{
    RequestRow r;
    auto t = [&](int i) { return st.isNull(i) ? kNoTime : st.int64(i); };
    r.id = st.int64(0);
    r.key = st.string(1);
    r.method = st.string(2);
    r.url = st.string(3);
    r.host = st.string(4);
    r.handler = st.string(5);
    r.error = st.string(6);
    r.side = st.string(7);
    r.dominantClass = st.string(8);
    r.status = st.isNull(9) ? -1 : int(st.int64(9));
    r.start = t(10);
    r.end = t(11);
    r.clientStart = t(12);
    r.clientEnd = t(13);
    r.serverStart = t(14);
    r.serverEnd = t(15);
    r.loadTest = st.int64(16) != 0;
    for (int k = 0; k < kPhaseKinds; ++k)
        r.phaseNs[size_t(k)] = st.isNull(17 + k) ? -1 : st.int64(17 + k);
    r.cause = st.string(17 + kPhaseKinds);
    return r;
}

static QByteArray requestQuerySql(const RequestQuery &q, const RequestFilter &filter,
                                  const char *columns)
{
    QByteArray sql(kRequestSelect);
    const bool needsPhases = filter.where().contains("p.") ||
                             (q.sort >= RequestSort::Blocked && q.sort <= RequestSort::Receive);
    if (columns && !needsPhases) {
        // Ids only and no phase figures asked for: skip the phase sums, which
        // cost a pass over every phase row (seconds at a million requests).
        sql = QByteArray("SELECT ") + columns + " FROM request r";
    } else if (columns) {
        // Same CTE and joins, another select list.
        const qsizetype from = sql.indexOf(" FROM request r LEFT JOIN p");
        const qsizetype sel = sql.indexOf(" SELECT r.id, r.key");
        sql = sql.left(sel) + " SELECT " + columns + sql.mid(from);
    }
    if (!filter.isEmpty()) sql += " WHERE " + filter.where();
    const char *dir = q.descending ? " DESC" : " ASC";
    auto phaseOrder = [&](const char *col) {
        sql += QByteArray(" ORDER BY ") + col + " IS NULL, " + col + dir +
               ", (r.end_ns - r.start_ns) DESC";
    };
    switch (q.sort) {
    case RequestSort::Duration:
        sql += QByteArray(" ORDER BY (r.end_ns - r.start_ns) IS NULL, (r.end_ns - r.start_ns)") +
               dir + ", r.start_ns, r.id";
        break;
    case RequestSort::Start:
        sql += QByteArray(" ORDER BY r.start_ns") + dir + ", r.id";
        break;
    case RequestSort::Status:
        sql += QByteArray(" ORDER BY r.status") + dir + ", (r.end_ns - r.start_ns) DESC";
        break;
    case RequestSort::Key:
        sql += QByteArray(" ORDER BY r.key") + dir;
        break;
    case RequestSort::Url:
        sql += QByteArray(" ORDER BY r.url") + dir + ", r.key";
        break;
    case RequestSort::Method:
        sql += QByteArray(" ORDER BY r.method") + dir + ", r.key";
        break;
    case RequestSort::Blocked:
        phaseOrder("p.blocked_ns");
        break;
    case RequestSort::Dns:
        phaseOrder("p.dns_ns");
        break;
    case RequestSort::Connect:
        phaseOrder("p.connect_ns");
        break;
    case RequestSort::Tls:
        phaseOrder("p.tls_ns");
        break;
    case RequestSort::Send:
        phaseOrder("p.send_ns");
        break;
    case RequestSort::Wait:
        phaseOrder("p.wait_ns");
        break;
    case RequestSort::Receive:
        phaseOrder("p.receive_ns");
        break;
    case RequestSort::Error:
        phaseOrder("r.error");
        break;
    case RequestSort::Class:
        phaseOrder("r.dominant_class");
        break;
    }
    if (q.limit >= 0) sql += " LIMIT " + QByteArray::number(q.limit);
    return sql;
}

static RequestFilter parseOrThrow(const QString &text)
{
    FilterError fe;
    const auto filter = RequestFilter::parse(text, &fe);
    if (!filter)
        throw DbError(QStringLiteral("filter: %1 (at %2)").arg(fe.message).arg(fe.position));
    return *filter;
}

std::vector<RequestRow> queryRequests(const Db &db, const RequestQuery &q)
{
    const RequestFilter filter = parseOrThrow(q.filter);
    Stmt st(db, requestQuerySql(q, filter, nullptr));
    int i = 1;
    for (const QVariant &v : filter.params())
        bindVariant(st, i++, v);
    std::vector<RequestRow> rows;
    while (st.step())
        rows.push_back(readRequestRow(st));
    return rows;
}

RequestIdList queryRequestIds(const Db &db, const RequestQuery &q)
{
    const RequestFilter filter = parseOrThrow(q.filter);
    Stmt st(db, requestQuerySql(q, filter, "r.id, r.end_ns - r.start_ns"));
    int i = 1;
    for (const QVariant &v : filter.params())
        bindVariant(st, i++, v);
    RequestIdList out;
    while (st.step()) {
        out.ids.push_back(st.int64(0));
        out.durations.push_back(st.isNull(1) ? -1 : st.int64(1));
    }
    return out;
}

std::vector<RequestRow> requestsByIds(const Db &db, const std::vector<qint64> &ids)
{
    std::vector<RequestRow> out;
    if (ids.empty()) return out;
    QByteArray list;
    for (qint64 id : ids) {
        if (!list.isEmpty()) list += ',';
        list += QByteArray::number(id);
    }
    // The phase CTE restricted to these requests keeps a page fetch cheap.
    QByteArray sql(kRequestSelect);
    sql.replace("WHERE side IS NULL OR side = 'client' GROUP BY request_id)",
                QByteArray("WHERE (side IS NULL OR side = 'client') AND request_id IN (" + list +
                           ") GROUP BY request_id)"));
    sql += " WHERE r.id IN (" + list + ")";
    Stmt st(db, sql);
    QHash<qint64, RequestRow> byId;
    while (st.step()) {
        RequestRow r = readRequestRow(st);
        byId.insert(r.id, std::move(r));
    }
    out.reserve(ids.size());
    for (qint64 id : ids) {
        auto it = byId.find(id);
        if (it != byId.end()) out.push_back(std::move(*it));
    }
    return out;
}

std::optional<RequestRow> requestByKey(const Db &db, const QString &key)
{
    Stmt st(db, QByteArray(kRequestSelect) + " WHERE r.key = ?");
    st.bindText(1, key);
    if (st.step()) return readRequestRow(st);
    return std::nullopt;
}

std::optional<RequestRow> requestById(const Db &db, qint64 id)
{
    Stmt st(db, QByteArray(kRequestSelect) + " WHERE r.id = ?");
    st.bind(1, id);
    if (st.step()) return readRequestRow(st);
    return std::nullopt;
}

SessionCounts sessionCounts(const Db &db)
{
    SessionCounts c;
    for (const char *t : {"request", "phase", "raw_text", "lane", "span", "instant", "flow",
                          "profile", "sample", "annotation"}) {
        Stmt st(db, QByteArray("SELECT count(*) FROM ") + t);
        st.step();
        c.rows.append({QString::fromLatin1(t), st.int64(0)});
    }
    Stmt range(db, "SELECT min(start_ns), max(end_ns) FROM request");
    range.step();
    c.start = range.isNull(0) ? kNoTime : range.int64(0);
    c.end = range.isNull(1) ? kNoTime : range.int64(1);
    return c;
}

QList<QByteArray> stepNames(const Db &db)
{
    QList<QByteArray> out;
    Stmt st(db, "SELECT DISTINCT name FROM phase WHERE kind = 'step' AND name IS NOT NULL "
                "LIMIT 1000");
    while (st.step())
        out.append(st.text(0));
    return out;
}

qint64 countRequests(const Db &db)
{
    Stmt st(db, "SELECT count(*) FROM request");
    st.step();
    return st.int64(0);
}

static const char kOriginLabel[] = "clock origin (the file's time 0)";

QList<SourceEvent> sourceEvents(const Db &db, qint64 sourceId, int limit)
{
    QList<SourceEvent> out;
    Stmt src(db, "SELECT clock, offset_ns FROM source WHERE id = ?");
    src.bind(1, sourceId);
    if (!src.step()) throw DbError(QStringLiteral("no source %1").arg(sourceId));
    const QString clock = src.string(0);
    if (clock == QLatin1String("relative") || clock == QLatin1String("monotonic"))
        out.append({src.int64(1), QString::fromLatin1(kOriginLabel)});
    // Rows in import order stop early on a big source; sorted by time after.
    QList<SourceEvent> rows;
    Stmt ph(db, "SELECT p.start_ns, p.kind, COALESCE(p.name, ''), r.key, COALESCE(r.method, ''), "
                "COALESCE(r.url, '') FROM phase p JOIN request r ON r.id = p.request_id WHERE "
                "p.source_id = ? LIMIT ?");
    ph.bind(1, sourceId).bind(2, limit);
    while (ph.step()) {
        const QString what =
            ph.string(2).isEmpty() ? ph.string(1) : ph.string(1) + QLatin1Char(' ') + ph.string(2);
        rows.append(
            {ph.int64(0), QStringLiteral("request %1 %2 %3: %4")
                              .arg(ph.string(3).left(8), ph.string(4), ph.string(5), what)});
    }
    Stmt sp(db,
            "SELECT s.start_ns, COALESCE(n.value, ''), COALESCE(c.value, ''), l.name FROM span "
            "s JOIN lane l ON l.id = s.lane_id LEFT JOIN string n ON n.id = s.name_id LEFT JOIN "
            "string c ON c.id = s.category_id WHERE s.lane_id IN (SELECT id FROM lane WHERE "
            "source_id = ?) LIMIT ?");
    sp.bind(1, sourceId).bind(2, limit);
    while (sp.step())
        rows.append(
            {sp.int64(0),
             QStringLiteral("%1 (%2) on %3").arg(sp.string(1), sp.string(2), sp.string(3))});
    Stmt in(db, "SELECT i.ts_ns, COALESCE(n.value, ''), l.name FROM instant i JOIN lane l ON l.id "
                "= i.lane_id LEFT JOIN string n ON n.id = i.name_id WHERE i.value IS NULL AND "
                "i.lane_id IN (SELECT id FROM lane WHERE source_id = ?) LIMIT ?");
    in.bind(1, sourceId).bind(2, limit);
    while (in.step())
        rows.append({in.int64(0), QStringLiteral("%1 on %2").arg(in.string(1), in.string(2))});
    std::stable_sort(rows.begin(), rows.end(),
                     [](const SourceEvent &a, const SourceEvent &b) { return a.time < b.time; });
    out.append(rows.mid(0, limit));
    return out;
}

std::optional<SourceEvent> findSourceEvent(const QList<SourceEvent> &events, const QString &text)
{
    if (events.isEmpty()) return std::nullopt;
    if (text.isEmpty()) return events.first();
    for (const SourceEvent &e : events)
        if (text == QLatin1String("origin") ? e.label == QLatin1String(kOriginLabel)
                                            : e.label.contains(text, Qt::CaseInsensitive))
            return e;
    return std::nullopt;
}

TimeNs offsetAligning(TimeNs currentOffset, const SourceEvent &own, const SourceEvent &ref)
{
    return currentOffset + (ref.time - own.time);
}

QString eventAlignmentMethod(const SourceEvent &own, const QString &refPath, const SourceEvent &ref)
{
    return QStringLiteral("by event: %1 = %2 in %3")
        .arg(own.label.left(80), ref.label.left(80), QFileInfo(refPath).fileName());
}

QList<SourceRow> querySources(const Db &db)
{
    QList<SourceRow> out;
    Stmt st(db, "SELECT id, path, format, sha256, clock, clock_method, status, size, "
                "event_count, request_count, span_count, import_ms, offset_ns FROM source "
                "ORDER BY id");
    Stmt d(db, "SELECT code, severity, message, count, first_offset, first_line FROM diagnostic "
               "WHERE source_id = ? ORDER BY id");
    while (st.step()) {
        SourceRow s;
        s.id = st.int64(0);
        s.path = st.string(1);
        s.format = st.string(2);
        s.sha256 = st.string(3);
        s.clock = st.string(4);
        s.clockMethod = st.string(5);
        s.status = st.string(6);
        s.size = st.int64(7);
        s.events = st.int64(8);
        s.requests = st.int64(9);
        s.spans = st.int64(10);
        s.importMs = st.int64(11);
        s.offset = st.int64(12);
        d.bind(1, s.id);
        while (d.step()) {
            DiagnosticRow r;
            r.code = d.string(0);
            r.severity = d.string(1);
            r.message = d.string(2);
            r.count = d.int64(3);
            r.firstOffset = d.isNull(4) ? -1 : d.int64(4);
            r.firstLine = d.isNull(5) ? -1 : d.int64(5);
            s.diagnostics << r;
        }
        d.reset();
        out << s;
    }
    return out;
}

QList<LaneRow> queryLanes(const Db &db)
{
    QList<LaneRow> out;
    Stmt st(db,
            "SELECT l.id, l.source_id, l.external_id, COALESCE(l.parent_id, 0), l.sort_key, "
            "l.kind, l.name, (SELECT COALESCE(sum(r.last_id - r.first_id + 1), 0) FROM span_run r "
            "WHERE r.lane_id = l.id) FROM lane l "
            "ORDER BY l.source_id, l.kind, l.sort_key, l.external_id");
    while (st.step()) {
        LaneRow r;
        r.id = st.int64(0);
        r.sourceId = st.int64(1);
        r.externalId = st.int64(2);
        r.parentId = st.int64(3);
        r.sortKey = st.int64(4);
        r.kind = st.string(5);
        r.name = st.string(6);
        r.spanCount = st.int64(7);
        out << r;
    }
    return out;
}

std::pair<size_t, size_t> LaneSpans::visible(TimeNs t0, TimeNs t1) const
{
    // last: first span starting after t1.
    const size_t last = size_t(std::upper_bound(start.begin(), start.end(), t1) - start.begin());
    // first: first span whose running max end reaches t0 (maxEnd is non-decreasing).
    const size_t first = size_t(
        std::lower_bound(maxEnd.begin(), maxEnd.begin() + qsizetype(last), t0) - maxEnd.begin());
    return {first, std::max(first, last)};
}

LaneSpans loadLaneSpans(const Db &db, qint64 laneId)
{
    LaneSpans ls;
    ls.laneId = laneId;
    Stmt st(db, "SELECT s.start_ns, s.end_ns, s.depth, COALESCE(s.name_id, 0), "
                "COALESCE(s.category_id, 0), COALESCE(s.request_id, 0), s.id FROM " LS_SPANS_BY_RUN
                " WHERE r.lane_id = ? ORDER BY s.start_ns, s.end_ns DESC, s.id");
    st.bind(1, laneId);
    TimeNs runMax = std::numeric_limits<TimeNs>::min();
    while (st.step()) {
        const TimeNs s = st.int64(0), e = st.int64(1);
        ls.start.push_back(s);
        ls.end.push_back(e);
        runMax = std::max(runMax, e);
        ls.maxEnd.push_back(runMax);
        ls.depth.push_back(qint32(st.int64(2)));
        ls.name.push_back(st.int64(3));
        ls.category.push_back(st.int64(4));
        ls.request.push_back(st.int64(5));
        ls.id.push_back(st.int64(6));
    }
    return ls;
}

namespace {
// percentile() on values already sorted ascending.
qint64 percentileOfSorted(const std::vector<qint64> &v, double p)
{
    if (v.empty()) return -1;
    const double rank = p / 100.0 * double(v.size() - 1);
    const size_t lo = size_t(std::floor(rank));
    const size_t hi = std::min(v.size() - 1, lo + 1);
    const double frac = rank - double(lo);
    return qint64(std::llround(double(v[lo]) + (double(v[hi]) - double(v[lo])) * frac));
}
} // namespace

qint64 percentile(std::vector<qint64> v, double p)
{
    std::sort(v.begin(), v.end());
    return percentileOfSorted(v, p);
}

bool isErrorStatus(int status)
{
    return status >= 500 || status == 0;
}

bool isErrorRequest(const RequestRow &r)
{
    return isErrorStatus(r.status) || !r.error.isEmpty();
}

qint64 RequestSummary::at(double p) const
{
    return percentileOfSorted(durations, p);
}

RequestSummary summarizeDurations(const std::vector<qint64> &durations, qint64 errors)
{
    RequestSummary s;
    s.count = qint64(durations.size());
    s.errors = errors;
    for (qint64 d : durations)
        if (d >= 0) s.durations.push_back(d);
    std::sort(s.durations.begin(), s.durations.end());
    s.p50 = s.at(50);
    s.p90 = s.at(90);
    s.p99 = s.at(99);
    s.max = s.durations.empty() ? -1 : s.durations.back();
    return s;
}

RequestSummary summarizeRequests(const std::vector<RequestRow> &rows)
{
    std::vector<qint64> durs;
    durs.reserve(rows.size());
    qint64 errors = 0;
    for (const RequestRow &r : rows) {
        durs.push_back(r.duration());
        if (isErrorRequest(r)) ++errors;
    }
    return summarizeDurations(durs, errors);
}

LatencyHistogram latencyHistogram(const std::vector<qint64> &durations, int maxBins)
{
    LatencyHistogram h;
    qint64 shortest = std::numeric_limits<qint64>::max(), longest = 0;
    for (qint64 v : durations)
        if (v > 0) {
            shortest = std::min(shortest, v);
            longest = std::max(longest, v);
        }
    if (longest == 0) return h;
    const double lo = double(shortest), hi = double(longest) * 1.0001 + 1;
    const int bins = std::clamp(int(std::ceil(std::log10(hi / lo) * kHistogramBinsPerDecade)), 1,
                                std::max(1, maxBins));
    const double ratio = std::pow(hi / lo, 1.0 / bins);
    for (int i = 0; i <= bins; ++i)
        h.edges.push_back(i == bins ? qint64(std::ceil(hi))
                                    : qint64(std::floor(lo * std::pow(ratio, i))));
    h.counts.assign(size_t(bins), 0);
    for (qint64 v : durations) {
        if (v <= 0) continue;
        auto it = std::upper_bound(h.edges.begin(), h.edges.end(), v);
        const int b = std::clamp(int(it - h.edges.begin()) - 1, 0, bins - 1);
        ++h.counts[size_t(b)];
    }
    return h;
}

double LatencyHistogram::position(qint64 v) const
{
    if (edges.size() < 2 || v <= 0) return 0;
    const double lo = double(edges.front()), hi = double(edges.back());
    return std::log(double(v) / lo) / std::log(hi / lo) * bins();
}

QString csvEscape(const QString &v)
{
    if (v.contains(QLatin1Char(',')) || v.contains(QLatin1Char('"')) ||
        v.contains(QLatin1Char('\n')) || v.contains(QLatin1Char('\r'))) {
        QString q = v;
        q.replace(QLatin1String("\""), QLatin1String("\"\""));
        return QLatin1Char('"') + q + QLatin1Char('"');
    }
    return v;
}

SqlResult runSql(const Db &db, const QString &sql, qint64 maxRows)
{
    SqlResult res;
    const QByteArray u = sql.toUtf8();
    Stmt st(db, u);
    if (!sqlite3_stmt_readonly(st.handle()))
        throw DbError(QStringLiteral("only read-only statements are allowed"));
    for (int i = 0; i < st.columnCount(); ++i)
        res.columns << QString::fromUtf8(st.columnName(i));
    while (st.step()) {
        if (maxRows >= 0 && res.rows.size() >= maxRows) break;
        QStringList row;
        QList<int> types;
        for (int i = 0; i < st.columnCount(); ++i) {
            const int t = st.columnType(i);
            types << t;
            if (t == SQLITE_NULL)
                row << QString();
            else if (t == SQLITE_BLOB)
                row << QString::fromUtf8(st.textView(i)); // lossy for binary
            else
                row << st.string(i);
        }
        res.rows << row;
        res.types << types;
    }
    return res;
}

} // namespace ls
