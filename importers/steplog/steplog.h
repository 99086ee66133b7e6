#pragma once

#include "common/logline.h"
#include "importer.h"

#include <QHash>
#include <QSet>

#include <functional>

namespace ls {

class StepLogImporter final : public Importer
{
public:
    QByteArray id() const override;
    QString displayName() const override;
    int sniff(const SniffInput &in) const override;
    void run(ImportContext &ctx, RecordSink &sink) override;
};

// One physical line of a text input, as the line reader handed it out.
struct TextLine
{
    QByteArrayView text; // without the terminator
    qint64 offset = 0;
    qint64 number = 0;
    bool truncated = false;
    bool cr = false; // ended with \r\n
};

// The per-line logic of the step-log importer, shared with importers whose
// files mix step lines with other content (a client log with dumps): feed it
// every line that is not yours. It also recognises panics — a `panic ...`
// log record (or a bare `panic: ...` / `http: panic serving ...` line)
// followed by a `goroutine N [running]:` stack — and keeps the whole text as
// raw text kind 'stack' plus an instant on the goroutine's lane and request.
class StepLogLines
{
public:
    StepLogLines(ImportContext &ctx, RecordSink &sink);
    // Side of access and step lines (the server for service logs).
    void setSide(Side s) { m_side = s; }
    // Sees every parsed record first; returning true consumes it.
    using RecordHook = std::function<bool(const TextLine &, const LogLine &)>;
    void setRecordHook(RecordHook hook) { m_hook = std::move(hook); }
    // True when the line was a structured log record.
    bool handle(const TextLine &line);
    // Ends a pending panic stack; call at the end of input.
    void finish();
    qint64 parsedLines() const { return m_parsedLines; }
    qint64 records() const { return m_records; }
    LogLineParser &parser() { return m_parser; }

private:
    void handleRecord(const TextLine &line, const LogLine &l);
    void startPanic(const TextLine &line, TimeNs ts, const QByteArray &key,
                    const QByteArray &value);
    void flushPanic();
    void emitPanic(const QByteArray &key, TimeNs ts, const QByteArray &value, qint64 goroutine,
                   const QByteArray &text, qint64 offset, qint64 lineNo);

    ImportContext &m_ctx;
    RecordSink &m_sink;
    LogLineParser m_parser;
    LogLine m_line;
    Side m_side = Side::Server;
    RecordHook m_hook;
    qint64 m_parsedLines = 0;
    qint64 m_records = 0;
    QHash<qint64, QByteArray> m_goroutineRequest; // goroutine id -> last request key seen on it
    QHash<QByteArray, std::pair<TimeNs, TimeNs>>
        m_stepBounds; // key -> earliest step start, latest end
    QSet<QByteArray> m_accessSeen;

    struct Panic
    {
        bool active = false;
        bool inStack = false;
        QByteArray key, value, text;
        TimeNs ts = kNoTime;
        qint64 goroutine = -1;
        qint64 offset = -1, line = -1;
    } m_panic;
};

} // namespace ls
