#pragma once

#include "importer.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace ls {

class HttpDumpImporter final : public Importer
{
public:
    QByteArray id() const override;
    QString displayName() const override;
    int sniff(const SniffInput &in) const override;
    void run(ImportContext &ctx, RecordSink &sink) override;
};

// Pieces of HTTP/1 message text shared with other importers (HAR rebuilds
// request text; tests check the same rules).
namespace http {

// "GET /x HTTP/1.1" (origin-, absolute-, authority- or asterisk-form).
bool isRequestLine(QByteArrayView line);
// "HTTP/1.1 200 OK", "HTTP/1.0 404", "HTTP/2.0 200 OK".
bool isStatusLine(QByteArrayView line);
// Status code of a status line, -1 when malformed.
int statusOf(QByteArrayView statusLine);

struct Header
{
    QByteArray name; // as written
    QByteArray value;
};
// The correlation key a message carries: X-Request-Id, then X-Trace-Id, then
// the trace id of a W3C traceparent header. Empty when none.
QByteArray requestKeyOf(const QList<Header> &headers);
QByteArray headerValue(const QList<Header> &headers, QByteArrayView name);

// True when the bytes at the start of `s` begin a new log record: a Go log
// prefix, a JSON line with a time/level/msg key, or logfmt starting with
// time=/ts=/level=.
bool isLogRecordStart(QByteArrayView s);

} // namespace http

} // namespace ls
