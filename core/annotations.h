#pragma once
// User notes pinned to a request, a span or a time range, stored in the
// session's annotation table. Invariant: a note has exactly one target kind;
// request notes have request_id, span notes span_id (and the span's times),
// range notes start_ns <= end_ns.

#include "db.h"
#include "records.h"

#include <QList>
#include <QString>

namespace ls {

struct Note
{
    qint64 id = 0;
    QString target; // request | span | range
    qint64 requestId = 0;
    QString requestKey;
    qint64 spanId = 0;
    TimeNs start = kNoTime, end = kNoTime;
    QString text;
    QString colour = QStringLiteral("#f5c542");
    TimeNs created = 0, updated = 0;
};

// Throws DbError (unknown request key or span, empty text, bad range).
qint64 addRequestNote(Db &db, const QString &requestKey, const QString &text,
                      const QString &colour = QString());
qint64 addSpanNote(Db &db, qint64 spanId, const QString &text, const QString &colour = QString());
qint64 addRangeNote(Db &db, TimeNs start, TimeNs end, const QString &text,
                    const QString &colour = QString());
void updateNote(Db &db, qint64 id, const QString &text, const QString &colour = QString());
void deleteNote(Db &db, qint64 id);
// All notes, in time order of their targets (request start, span start, range start).
QList<Note> listNotes(const Db &db);

} // namespace ls
