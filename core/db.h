#pragma once
// A thin RAII layer over the SQLite C API: a connection and prepared
// statements with typed binds. Errors throw DbError with SQLite's message.

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <stdexcept>

struct sqlite3;
struct sqlite3_stmt;

namespace ls {

class DbError : public std::runtime_error
{
public:
    explicit DbError(const QString &msg) : std::runtime_error(msg.toStdString()) {}
    QString message() const { return QString::fromStdString(what()); }
};

class Db
{
public:
    enum class Mode
    {
        ReadWrite,
        ReadOnly
    };
    Db() = default;
    Db(const QString &path, Mode mode);
    ~Db();
    Db(Db &&o) noexcept : m_db(o.m_db) { o.m_db = nullptr; }
    Db &operator=(Db &&o) noexcept;
    Db(const Db &) = delete;
    Db &operator=(const Db &) = delete;

    sqlite3 *handle() const { return m_db; }
    bool isOpen() const { return m_db != nullptr; }
    void exec(const char *sql);
    qint64 lastInsertId() const;
    int changes() const;
    QString errorMessage() const;
    int userVersion();

private:
    sqlite3 *m_db = nullptr;
};

class Stmt
{
public:
    Stmt() = default;
    Stmt(const Db &db, const char *sql);
    Stmt(const Db &db, const QByteArray &sql);
    ~Stmt();
    Stmt(Stmt &&o) noexcept : m_st(o.m_st), m_db(o.m_db) { o.m_st = nullptr; }
    Stmt &operator=(Stmt &&o) noexcept;
    Stmt(const Stmt &) = delete;
    Stmt &operator=(const Stmt &) = delete;

    bool valid() const { return m_st != nullptr; }
    Stmt &bind(int i, qint64 v);
    Stmt &bind(int i, int v) { return bind(i, qint64(v)); }
    Stmt &bind(int i, double v);
    Stmt &bindText(int i, QByteArrayView v); // NULL when v.data() is null
    Stmt &bindText(int i, const QString &v);
    Stmt &bindText(int i, const QByteArray &v); // NULL when v.isNull()
    Stmt &bindText(int i, const char *v) { return bindText(i, QByteArrayView(v)); }
    // Binds without a copy: v must stay valid until the statement is reset.
    Stmt &bindTextStatic(int i, QByteArrayView v);
    Stmt &bindBlob(int i, QByteArrayView v);
    Stmt &bindNull(int i);
    // Binds NULL when v equals `null`.
    Stmt &bindOrNull(int i, qint64 v, qint64 null);

    bool step(); // true: a row is ready; false: done
    void run();  // step to done, then reset
    // run() for bulk inserts that bind every parameter again for each row.
    void runKeepBindings();
    void reset();

    int columnCount() const;
    QByteArray columnName(int i) const;
    bool isNull(int i) const;
    int columnType(int i) const; // SQLITE_INTEGER ...
    qint64 int64(int i) const;
    double real(int i) const;
    QByteArray text(int i) const;
    QString string(int i) const;
    QByteArrayView textView(int i) const; // valid until the next step

    sqlite3_stmt *handle() const { return m_st; }

private:
    sqlite3_stmt *m_st = nullptr;
    sqlite3 *m_db = nullptr;
};

} // namespace ls
