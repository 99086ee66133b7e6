#include "annotations.h"

#include <QDateTime>
#include <QRegularExpression>

namespace ls {

namespace {

TimeNs nowNs()
{
    return QDateTime::currentMSecsSinceEpoch() * 1000000;
}

QString checkedColour(const QString &c)
{
    if (c.isEmpty()) return QStringLiteral("#f5c542");
    static const QRegularExpression re(QStringLiteral("^#[0-9a-fA-F]{6}$"));
    if (!re.match(c).hasMatch())
        throw DbError(QStringLiteral("colour must look like #rrggbb, not '%1'").arg(c));
    return c.toLower();
}

void checkText(const QString &text)
{
    if (text.trimmed().isEmpty()) throw DbError(QStringLiteral("a note needs text"));
}

qint64 insert(Db &db, const char *target, qint64 requestId, qint64 spanId, TimeNs start, TimeNs end,
              const QString &text, const QString &colour)
{
    Stmt st(db, "INSERT INTO annotation(target, request_id, span_id, start_ns, end_ns, text, "
                "colour, created_ns, updated_ns) VALUES(?,?,?,?,?,?,?,?,?)");
    const TimeNs now = nowNs();
    st.bindText(1, target)
        .bindOrNull(2, requestId, 0)
        .bindOrNull(3, spanId, 0)
        .bindOrNull(4, start, kNoTime)
        .bindOrNull(5, end, kNoTime)
        .bindText(6, text)
        .bindText(7, checkedColour(colour))
        .bind(8, now)
        .bind(9, now)
        .run();
    return db.lastInsertId();
}

} // namespace

qint64 addRequestNote(Db &db, const QString &requestKey, const QString &text, const QString &colour)
{
    checkText(text);
    Stmt q(db, "SELECT id, start_ns, end_ns FROM request WHERE key = ?");
    q.bindText(1, requestKey);
    if (!q.step()) throw DbError(QStringLiteral("no request with key '%1'").arg(requestKey));
    const qint64 id = q.int64(0);
    const TimeNs s = q.isNull(1) ? kNoTime : q.int64(1);
    const TimeNs e = q.isNull(2) ? kNoTime : q.int64(2);
    return insert(db, "request", id, 0, s, e, text, colour);
}

qint64 addSpanNote(Db &db, qint64 spanId, const QString &text, const QString &colour)
{
    checkText(text);
    Stmt q(db, "SELECT start_ns, end_ns, request_id FROM span WHERE id = ?");
    q.bind(1, spanId);
    if (!q.step()) throw DbError(QStringLiteral("no span %1").arg(spanId));
    return insert(db, "span", q.isNull(2) ? 0 : q.int64(2), spanId, q.int64(0), q.int64(1), text,
                  colour);
}

qint64 addRangeNote(Db &db, TimeNs start, TimeNs end, const QString &text, const QString &colour)
{
    checkText(text);
    if (start == kNoTime || end == kNoTime || end < start)
        throw DbError(QStringLiteral("a range note needs start <= end"));
    return insert(db, "range", 0, 0, start, end, text, colour);
}

void updateNote(Db &db, qint64 id, const QString &text, const QString &colour)
{
    checkText(text);
    Stmt st(db, "UPDATE annotation SET text = ?, colour = COALESCE(?, colour), updated_ns = ? "
                "WHERE id = ?");
    st.bindText(1, text);
    if (colour.isEmpty())
        st.bindNull(2);
    else
        st.bindText(2, checkedColour(colour));
    st.bind(3, nowNs()).bind(4, id).run();
    if (db.changes() == 0) throw DbError(QStringLiteral("no note %1").arg(id));
}

void deleteNote(Db &db, qint64 id)
{
    Stmt st(db, "DELETE FROM annotation WHERE id = ?");
    st.bind(1, id).run();
    if (db.changes() == 0) throw DbError(QStringLiteral("no note %1").arg(id));
}

QList<Note> listNotes(const Db &db)
{
    QList<Note> out;
    Stmt st(db, "SELECT a.id, a.target, COALESCE(a.request_id, 0), COALESCE(r.key, ''), "
                "COALESCE(a.span_id, 0), a.start_ns, a.end_ns, a.text, a.colour, a.created_ns, "
                "a.updated_ns FROM annotation a LEFT JOIN request r ON r.id = a.request_id "
                "ORDER BY COALESCE(a.start_ns, r.start_ns), a.id");
    while (st.step()) {
        Note n;
        n.id = st.int64(0);
        n.target = st.string(1);
        n.requestId = st.int64(2);
        n.requestKey = st.string(3);
        n.spanId = st.int64(4);
        n.start = st.isNull(5) ? kNoTime : st.int64(5);
        n.end = st.isNull(6) ? kNoTime : st.int64(6);
        n.text = st.string(7);
        n.colour = st.string(8);
        n.created = st.int64(9);
        n.updated = st.int64(10);
        out << n;
    }
    return out;
}

} // namespace ls
