#pragma once
// The importer interface. One implementation per format, registered in one
// list (importers/registry.cpp). The pipeline picks an importer by content:
// each one's sniff() looks at the first bytes of the decompressed input (and
// the file name, only to break ties) and returns a confidence; the highest
// non-zero wins.
//
// Errors come in two tiers: a structural problem throws ImportError (the
// file's import ends, the session is left as it was); a per-record problem is
// reported with ImportContext::diag() and the import goes on.

#include "inputstream.h"
#include "sink.h"

#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <stdexcept>

namespace ls {

class ImportError : public std::exception
{
public:
    // offset: byte offset in the (decompressed) input, -1 unknown; line: 1-based, -1 unknown.
    ImportError(QString reason, qint64 offset = -1, qint64 line = -1)
        : m_reason(std::move(reason)), m_offset(offset), m_line(line)
    {}
    const char *what() const noexcept override { return "lanescope import error"; }
    const QString &reason() const { return m_reason; }
    qint64 offset() const { return m_offset; }
    qint64 line() const { return m_line; }
    // "FILE: line 12: reason" / "FILE: offset 0x1f (31): reason"
    QString message(const QString &file) const;

private:
    QString m_reason;
    qint64 m_offset;
    qint64 m_line;
};

// Thrown by the context when the user cancelled; the pipeline rolls back.
struct ImportCancelled : std::exception
{
    const char *what() const noexcept override { return "import cancelled"; }
};

enum class Severity : quint8
{
    Info = 0,
    Warning = 1,
    Error = 2
};
const char *severityName(Severity s);

struct SniffInput
{
    QByteArrayView head; // first bytes of the decompressed input (up to 64 KiB), BOM kept
    QString fileName;    // base name, for tie-breaking only
    bool gzipped = false;
};

// Calls fn(line) for each complete line of a sniff head (the last, possibly
// cut, line is skipped; a trailing \r is dropped), at most maxLines times or
// until fn returns false. Returns the number of lines visited.
template<typename Fn> int forEachHeadLine(QByteArrayView head, int maxLines, Fn fn)
{
    int n = 0;
    qsizetype pos = 0;
    while (pos < head.size() && n < maxLines) {
        const qsizetype nl = head.indexOf('\n', pos);
        if (nl < 0) break;
        QByteArrayView line = head.sliced(pos, nl - pos);
        pos = nl + 1;
        if (line.endsWith('\r')) line.chop(1);
        ++n;
        if (!fn(line)) break;
    }
    return n;
}

class ImportContext
{
public:
    virtual ~ImportContext() = default;
    virtual InputStream &input() = 0;
    virtual QString path() const = 0;
    // Counts a per-record problem. The first occurrence's position and message
    // are kept; later ones with the same code only increase the count.
    virtual void diag(QByteArrayView code, Severity sev, qint64 offset, qint64 line,
                      const QString &message) = 0;
    // Called by importers between records; cheap. Throws ImportCancelled.
    virtual void checkpoint() = 0;
    // Stage text shown beside the progress bar ("parsing", "matching").
    virtual void setStage(const QString &stage) = 0;
    // Importers that count events report them so progress can show events/s.
    virtual void addEvents(qint64 n) = 0;
};

class Importer
{
public:
    virtual ~Importer() = default;
    virtual QByteArray id() const = 0; // stable format id stored in source.format
    virtual QString displayName() const = 0;
    virtual int version() const { return 1; }
    // 0: not this format. 1..100: confidence.
    virtual int sniff(const SniffInput &in) const = 0;
    // File name suffixes typical of the format ("har", "jsonl"); used only to
    // break a tie between equal sniff scores.
    virtual QStringList extensions() const { return {}; }
    virtual void run(ImportContext &ctx, RecordSink &sink) = 0;
};

class ImporterRegistry
{
public:
    void add(std::unique_ptr<Importer> imp);
    const std::vector<std::unique_ptr<Importer>> &all() const { return m_importers; }
    const Importer *byId(QByteArrayView id) const;
    // The best importer for this input, or nullptr.
    const Importer *pick(const SniffInput &in) const;

private:
    std::vector<std::unique_ptr<Importer>> m_importers;
};

} // namespace ls
