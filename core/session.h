#pragma once
// Session: one SQLite session file. Opening creates the schema in a new file,
// migrates an older file and refuses a newer one. All writes go through the
// import pipeline (one transaction per source) or the small editing calls
// here (offsets, annotations).

#include "db.h"
#include "records.h"

#include <QString>

namespace ls {

class Session
{
public:
    enum class Open
    {
        ReadWrite,
        ReadOnly
    };
    // Throws DbError naming the path: unreadable, not a session, or a newer schema.
    static Session open(const QString &path, Open mode = Open::ReadWrite);

    Session(Session &&) noexcept = default;
    Session &operator=(Session &&) noexcept = default;

    Db &db() { return m_db; }
    const Db &db() const { return m_db; }
    const QString &path() const { return m_path; }
    bool readOnly() const { return m_readOnly; }

    // Moves every timed row of a source by delta ns (a clock re-alignment).
    void shiftSource(qint64 sourceId, TimeNs delta);
    // Sets a source's offset to the shared timeline by hand.
    void setSourceOffset(qint64 sourceId, TimeNs offset, const QString &method);

private:
    Session(Db db, QString path, bool ro)
        : m_db(std::move(db)), m_path(std::move(path)), m_readOnly(ro)
    {}
    Db m_db;
    QString m_path;
    bool m_readOnly = false;
};

// Moves the timed rows of one source (spans, instants, flows, phases, raw
// text, samples) by delta ns; requests and the source row are the caller's.
void shiftSourceRows(Db &db, qint64 sourceId, TimeNs delta);
// Moves the times of the requests `where` selects (SQL; ?2 is `arg`) by delta.
void shiftRequestTimes(Db &db, TimeNs delta, const char *where, qint64 arg);

// Copies committed pages from the write-ahead log into the session file and
// truncates the log when no reader holds an older snapshot; never throws
// (a busy log is folded in later). True when the log was emptied.
bool checkpointSession(Db &db) noexcept;

// Runs `fn` inside BEGIN IMMEDIATE / COMMIT; rolls back and rethrows on any exception.
template<typename Fn> void inTransaction(Db &db, Fn &&fn)
{
    db.exec("BEGIN IMMEDIATE");
    try {
        fn();
        db.exec("COMMIT");
    } catch (...) {
        try {
            db.exec("ROLLBACK");
        } catch (...) {
        }
        throw;
    }
}

} // namespace ls
