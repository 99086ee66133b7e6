#pragma once
// LogLine: one structured log record, whatever its spelling. Go services log
// the same facts in three shapes, and every text importer that reads logs
// (step timings, httptrace events, panics, dumps) needs the same fields out of
// them:
//   - Go `log` lines:  2026/11/27 03:00:30.293625 step=parse dur=207µs req_id=ab
//   - logfmt / slog text: time=2026-11-27T03:00:30Z level=INFO msg="x y" dur=2ms
//   - JSON lines (slog JSON, zap, hand-built): {"time":"…","msg":"…","dur_ns":1}
// parseLogLine() fills a LogLine from any of them without allocating per
// field beyond the value bytes.

#include "records.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QVarLengthArray>

#include <memory>
#include <optional>

namespace ls {

struct LogField
{
    QByteArray key;
    QByteArray value;    // unquoted / unescaped; JSON objects and arrays as raw JSON text
    bool number = false; // JSON number or bare numeric token
};

struct LogLine
{
    enum class Shape
    {
        None,
        GoLog,
        Logfmt,
        Json
    };
    Shape shape = Shape::None;
    TimeNs ts = kNoTime; // Unix ns when the line carries a time
    QByteArray msg;      // msg/message field, or the bare words of a Go log line
    QVarLengthArray<LogField, 16> fields;

    const LogField *field(QByteArrayView key) const;
    // The first present field among keys.
    const LogField *anyField(std::initializer_list<const char *> keys) const;
    QByteArray value(QByteArrayView key) const;
    void clear()
    {
        shape = Shape::None;
        ts = kNoTime;
        msg.clear();
        fields.clear();
    }
};

// Field names that carry a request id / a duration, in order of preference.
extern const std::initializer_list<const char *> kRequestIdKeys;
extern const std::initializer_list<const char *> kDurationKeys;
extern const std::initializer_list<const char *> kGoroutineKeys;

// A request id from the line: the first request-id field that is not empty.
QByteArray requestIdOf(const LogLine &l);
// The duration a line reports in ns: dur_ns / dur_ms / dur_us (numbers, or
// Go durations), dur / duration / latency / elapsed (Go duration strings, or
// JSON numbers taken as ns as slog writes time.Duration).
std::optional<qint64> durationOf(const LogLine &l, QByteArray *keyUsed = nullptr);

class LogLineParser
{
public:
    LogLineParser();
    ~LogLineParser();
    LogLineParser(const LogLineParser &) = delete;
    LogLineParser &operator=(const LogLineParser &) = delete;
    // False when the line is none of the three shapes (a continuation line,
    // a dump's header, plain text). A JSON line that fails to parse is false
    // and sets *jsonError.
    bool parse(QByteArrayView line, LogLine &out, bool *jsonError = nullptr);
    // Why the last JSON line failed ("nested deeper than 1024 levels ...").
    QString jsonErrorText() const { return m_jsonError; }

private:
    bool parseJson(QByteArrayView line, LogLine &out);
    bool parseText(QByteArrayView line, LogLine &out);
    struct Json;
    std::unique_ptr<Json> m_json;
    QByteArray m_padded;
    QString m_jsonError;
};

} // namespace ls

namespace simdjson::dom {
class element;
}

namespace ls {

// A JSON value as text: strings unescaped, numbers as written (shortest
// round-trip for doubles), objects and arrays minified.
void jsonScalarText(const simdjson::dom::element &v, QByteArray *text, bool *number);

// Heuristic used by sniffers: the line begins with a Go log prefix.
bool startsWithGoLogPrefix(QByteArrayView line);

} // namespace ls
