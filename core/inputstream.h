#pragma once
// InputStream: the bytes of one input file, read in chunks, gzip inflated
// transparently. Positions an importer sees (offset()) are offsets in the
// decompressed stream; progress is measured on the compressed bytes read, so
// it reaches 1000 exactly at the end of the file either way.
//
// LineReader sits on top and hands out whole lines (without the line
// terminator) with their offset and 1-based number, keeping partial lines
// across chunk boundaries. A line longer than the reader's limit is returned
// cut, with truncated() set, and the rest is skipped: a 10 MB header line costs
// bounded memory.

#include <QByteArray>
#include <QByteArrayView>
#include <QFile>
#include <QString>

#include "importlimits.h"

#include <functional>
#include <memory>

namespace ls {

class InputStream
{
public:
    // Throws ImportError when the file cannot be opened or is not a regular file.
    explicit InputStream(const QString &path);
    // In-memory input (tests, nested data).
    explicit InputStream(QByteArray data, QString name = QString());
    ~InputStream();
    InputStream(const InputStream &) = delete;
    InputStream &operator=(const InputStream &) = delete;

    // Reads up to maxBytes decompressed bytes; empty at end of input.
    // Throws ImportError on a corrupt gzip stream or a read failure.
    QByteArray read(qint64 maxBytes);
    // Reads the whole remaining input (for formats that need random access).
    // Throws ImportError past `limit` bytes.
    QByteArray readAll(qint64 limit = limits::kWholeFileBytes);
    // The first bytes without consuming them (decompressed).
    QByteArray peek(qint64 n);
    bool atEnd();

    bool gzipped() const { return m_gzip; }
    qint64 offset() const { return m_offset; } // decompressed bytes consumed
    qint64 rawSize() const { return m_rawSize; }
    qint64 rawPosition() const; // compressed bytes consumed
    QString name() const { return m_name; }

    // Called with rawPosition() after each underlying read.
    void setReadHook(std::function<void(qint64)> hook) { m_hook = std::move(hook); }

private:
    QByteArray fill(qint64 maxBytes);

    std::unique_ptr<QFile> m_file;
    QByteArray m_memory;
    qint64 m_memoryPos = 0;
    QString m_name;
    bool m_gzip = false;
    struct Inflater;
    std::unique_ptr<Inflater> m_inflater;
    QByteArray m_pushback; // decompressed bytes peeked and not yet consumed
    qint64 m_offset = 0;
    qint64 m_rawSize = 0;
    bool m_eof = false;
    std::function<void(qint64)> m_hook;
};

class LineReader
{
public:
    explicit LineReader(InputStream &in, qint64 maxLine = limits::kLineBytes, qint64 chunk = 1 << 20);
    // Next line without its terminator (\n, \r\n). False at end of input.
    bool next(QByteArrayView &line);
    qint64 lineOffset() const { return m_lineOffset; }
    qint64 lineNumber() const { return m_lineNo; }
    bool truncated() const { return m_truncated; }
    bool endedWithCr() const { return m_hadCr; } // the line ended with \r\n
    // Takes exactly n raw bytes starting right after the last line returned
    // (a body with a known length). Returns fewer at end of input.
    QByteArray takeBytes(qint64 n);
    // Up to n raw bytes starting right after the last line returned, without
    // consuming them (fewer at end of input). Valid until the next call.
    QByteArrayView peekBytes(qint64 n);
    // The raw bytes from the start of the last line, including the terminator.
    qint64 nextOffset() const { return m_bufOffset + m_pos; }
    // Puts the last line back: next() will return it again.
    void unread();

private:
    bool refill();

    InputStream &m_in;
    qint64 m_maxLine;
    qint64 m_chunk;
    QByteArray m_buf;
    qint64 m_pos = 0;       // read position in m_buf
    qint64 m_bufOffset = 0; // stream offset of m_buf[0]
    qint64 m_lineOffset = 0;
    qint64 m_lineNo = 0;
    qint64 m_lastStart = -1; // for unread
    qint64 m_lastLineOffset = 0;
    bool m_truncated = false;
    bool m_hadCr = false;
    bool m_eof = false;
    QByteArray m_longLine;
};

} // namespace ls
