#include "db.h"

#include <sqlite3.h>

namespace ls {

static QString sqliteMessage(sqlite3 *db)
{
    return QString::fromUtf8(db ? sqlite3_errmsg(db) : "out of memory");
}

Db::Db(const QString &path, Mode mode)
{
    // SQLite's allocation statistics take a global mutex on every malloc; we
    // never read them. Only possible before the library initialises.
    static const bool configured = [] {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        return true;
    }();
    Q_UNUSED(configured);
    const int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY
                                             : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    const QByteArray p = path.toUtf8();
    const int rc = sqlite3_open_v2(p.constData(), &m_db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const QString msg = sqliteMessage(m_db);
        sqlite3_close(m_db);
        m_db = nullptr;
        throw DbError(QStringLiteral("%1: cannot open session: %2").arg(path, msg));
    }
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, 2000);
}

Db::~Db()
{
    if (m_db) sqlite3_close_v2(m_db);
}

Db &Db::operator=(Db &&o) noexcept
{
    if (this != &o) {
        if (m_db) sqlite3_close_v2(m_db);
        m_db = o.m_db;
        o.m_db = nullptr;
    }
    return *this;
}

void Db::exec(const char *sql)
{
    char *err = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        const QString msg = QString::fromUtf8(err ? err : "error");
        sqlite3_free(err);
        throw DbError(msg);
    }
}

qint64 Db::lastInsertId() const
{
    return sqlite3_last_insert_rowid(m_db);
}
int Db::changes() const
{
    return sqlite3_changes(m_db);
}
QString Db::errorMessage() const
{
    return sqliteMessage(m_db);
}

int Db::userVersion()
{
    Stmt st(*this, "PRAGMA user_version");
    st.step();
    return int(st.int64(0));
}

Stmt::Stmt(const Db &db, const char *sql) : m_db(db.handle())
{
    if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_st, nullptr) != SQLITE_OK)
        throw DbError(sqliteMessage(m_db));
    if (!m_st) throw DbError(QStringLiteral("empty statement"));
}

Stmt::Stmt(const Db &db, const QByteArray &sql) : Stmt(db, sql.constData()) {}

Stmt::~Stmt()
{
    if (m_st) sqlite3_finalize(m_st);
}

Stmt &Stmt::operator=(Stmt &&o) noexcept
{
    if (this != &o) {
        if (m_st) sqlite3_finalize(m_st);
        m_st = o.m_st;
        m_db = o.m_db;
        o.m_st = nullptr;
    }
    return *this;
}

Stmt &Stmt::bind(int i, qint64 v)
{
    sqlite3_bind_int64(m_st, i, v);
    return *this;
}

Stmt &Stmt::bind(int i, double v)
{
    sqlite3_bind_double(m_st, i, v);
    return *this;
}

// NULL when v.data() is null; `copy` false: SQLite keeps the pointer.
static void bindTextView(sqlite3_stmt *st, int i, QByteArrayView v, bool copy)
{
    if (!v.data())
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text64(st, i, v.data(), sqlite3_uint64(v.size()),
                            copy ? SQLITE_TRANSIENT : SQLITE_STATIC, SQLITE_UTF8);
}

Stmt &Stmt::bindText(int i, QByteArrayView v)
{
    bindTextView(m_st, i, v, true);
    return *this;
}

Stmt &Stmt::bindText(int i, const QString &v)
{
    if (v.isNull()) return bindNull(i);
    const QByteArray u = v.toUtf8();
    return bindText(i, QByteArrayView(u.constData() ? u.constData() : "", u.size()));
}

Stmt &Stmt::bindText(int i, const QByteArray &v)
{
    return bindText(i, v.isNull() ? QByteArrayView() : QByteArrayView(v.constData(), v.size()));
}

Stmt &Stmt::bindTextStatic(int i, QByteArrayView v)
{
    bindTextView(m_st, i, v, false);
    return *this;
}

Stmt &Stmt::bindBlob(int i, QByteArrayView v)
{
    sqlite3_bind_blob64(m_st, i, v.data() ? v.data() : "", sqlite3_uint64(v.size()),
                        SQLITE_TRANSIENT);
    return *this;
}

Stmt &Stmt::bindNull(int i)
{
    sqlite3_bind_null(m_st, i);
    return *this;
}

Stmt &Stmt::bindOrNull(int i, qint64 v, qint64 null)
{
    return v == null ? bindNull(i) : bind(i, v);
}

bool Stmt::step()
{
    const int rc = sqlite3_step(m_st);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    const QString msg = sqliteMessage(m_db);
    sqlite3_reset(m_st);
    throw DbError(msg);
}

void Stmt::run()
{
    while (step()) {
    }
    reset();
}

void Stmt::runKeepBindings()
{
    while (step()) {
    }
    sqlite3_reset(m_st);
}

void Stmt::reset()
{
    sqlite3_reset(m_st);
    sqlite3_clear_bindings(m_st);
}

int Stmt::columnCount() const
{
    return sqlite3_column_count(m_st);
}
QByteArray Stmt::columnName(int i) const
{
    return QByteArray(sqlite3_column_name(m_st, i));
}
bool Stmt::isNull(int i) const
{
    return sqlite3_column_type(m_st, i) == SQLITE_NULL;
}
int Stmt::columnType(int i) const
{
    return sqlite3_column_type(m_st, i);
}
qint64 Stmt::int64(int i) const
{
    return sqlite3_column_int64(m_st, i);
}
double Stmt::real(int i) const
{
    return sqlite3_column_double(m_st, i);
}

QByteArrayView Stmt::textView(int i) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_blob(m_st, i));
    const int n = sqlite3_column_bytes(m_st, i);
    return QByteArrayView(p, n);
}

QByteArray Stmt::text(int i) const
{
    return textView(i).toByteArray();
}
QString Stmt::string(int i) const
{
    return QString::fromUtf8(textView(i));
}

} // namespace ls
