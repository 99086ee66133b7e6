#include "inputstream.h"

#include "importer.h"

#include <QFileInfo>

#include <zlib.h>

namespace ls {

struct InputStream::Inflater
{
    z_stream zs{};
    QByteArray in;
    bool done = false;
    Inflater()
    {
        // 16 + MAX_WBITS: gzip header; concatenated members are handled in fill().
        if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
            throw ImportError(QStringLiteral("cannot initialise zlib"));
    }
    ~Inflater() { inflateEnd(&zs); }
};

InputStream::InputStream(const QString &path) : m_name(path)
{
    const QFileInfo fi(path);
    if (!fi.exists()) throw ImportError(QStringLiteral("no such file"));
    if (fi.isDir()) throw ImportError(QStringLiteral("is a folder, not a file"));
    if (!fi.isFile()) throw ImportError(QStringLiteral("not a regular file"));
    m_file = std::make_unique<QFile>(path);
    if (!m_file->open(QIODevice::ReadOnly))
        throw ImportError(QStringLiteral("cannot read: %1").arg(m_file->errorString()));
    m_rawSize = m_file->size();
    char magic[2] = {0, 0};
    if (m_file->peek(magic, 2) == 2 && uchar(magic[0]) == 0x1f && uchar(magic[1]) == 0x8b) {
        m_gzip = true;
        m_inflater = std::make_unique<Inflater>();
    }
}

InputStream::InputStream(QByteArray data, QString name)
    : m_memory(std::move(data)), m_name(std::move(name))
{
    m_rawSize = m_memory.size();
    if (m_memory.size() >= 2 && uchar(m_memory[0]) == 0x1f && uchar(m_memory[1]) == 0x8b) {
        m_gzip = true;
        m_inflater = std::make_unique<Inflater>();
    }
}

InputStream::~InputStream() = default;

qint64 InputStream::rawPosition() const
{
    if (m_file) return m_file->pos();
    return m_memoryPos;
}

QByteArray InputStream::fill(qint64 maxBytes)
{
    auto readRaw = [this](qint64 n) -> QByteArray {
        QByteArray out;
        if (m_file) {
            out = m_file->read(n);
            if (out.isEmpty() && m_file->error() != QFileDevice::NoError)
                throw ImportError(QStringLiteral("read failed: %1").arg(m_file->errorString()),
                                  m_offset);
        } else {
            out = m_memory.mid(m_memoryPos, n);
            m_memoryPos += out.size();
        }
        if (m_hook) m_hook(rawPosition());
        return out;
    };
    if (!m_gzip) {
        QByteArray out = readRaw(maxBytes);
        if (out.isEmpty()) m_eof = true;
        return out;
    }
    Inflater &z = *m_inflater;
    QByteArray out;
    out.resize(maxBytes);
    qint64 produced = 0;
    while (produced < maxBytes) {
        if (z.zs.avail_in == 0) {
            z.in = readRaw(256 * 1024);
            if (z.in.isEmpty()) {
                if (!z.done && produced == 0 && m_offset >= 0)
                    throw ImportError(QStringLiteral("gzip stream is truncated"), m_offset);
                m_eof = produced == 0;
                break;
            }
            if (z.done) {
                // A further gzip member follows (concatenated .gz), or trailing garbage.
                if (uchar(z.in[0]) != 0x1f) {
                    m_eof = produced == 0;
                    z.in.clear();
                    break;
                }
                inflateReset(&z.zs);
                z.done = false;
            }
            z.zs.next_in = reinterpret_cast<Bytef *>(z.in.data());
            z.zs.avail_in = uInt(z.in.size());
        }
        z.zs.next_out = reinterpret_cast<Bytef *>(out.data() + produced);
        z.zs.avail_out = uInt(maxBytes - produced);
        const int rc = inflate(&z.zs, Z_NO_FLUSH);
        produced = maxBytes - z.zs.avail_out;
        if (rc == Z_STREAM_END) {
            z.done = true;
            if (z.zs.avail_in > 0 && uchar(*z.zs.next_in) == 0x1f) {
                inflateReset(&z.zs);
                z.done = false;
            } else if (z.zs.avail_in > 0) {
                z.zs.avail_in = 0; // trailing bytes after the last member: ignored
            }
        } else if (rc == Z_BUF_ERROR && z.zs.avail_in == 0) {
            continue; // needs more input
        } else if (rc != Z_OK) {
            throw ImportError(QStringLiteral("corrupt gzip data (%1)")
                                  .arg(QString::fromLatin1(z.zs.msg ? z.zs.msg : "zlib error")),
                              m_offset + produced);
        }
    }
    out.truncate(produced);
    return out;
}

QByteArray InputStream::read(qint64 maxBytes)
{
    QByteArray out;
    if (!m_pushback.isEmpty()) {
        if (m_pushback.size() <= maxBytes) {
            out = std::move(m_pushback);
            m_pushback.clear();
        } else {
            out = m_pushback.left(maxBytes);
            m_pushback.remove(0, maxBytes);
        }
    } else if (!m_eof) {
        out = fill(maxBytes);
    }
    m_offset += out.size();
    return out;
}

QByteArray InputStream::readAll(qint64 limit)
{
    QByteArray all;
    while (true) {
        QByteArray part = read(4 << 20);
        if (part.isEmpty()) break;
        if (all.size() + part.size() > limit)
            throw ImportError(QStringLiteral("input larger than %1 (the limit for a file this format "
                                             "reads whole)")
                                  .arg(limits::bytesText(limit)),
                              all.size());
        all += part;
    }
    return all;
}

QByteArray InputStream::peek(qint64 n)
{
    while (m_pushback.size() < n && !m_eof) {
        QByteArray more = fill(n - m_pushback.size());
        if (more.isEmpty()) break;
        m_pushback += more;
    }
    return m_pushback.left(n);
}

bool InputStream::atEnd()
{
    if (!m_pushback.isEmpty()) return false;
    if (m_eof) return true;
    return peek(1).isEmpty();
}

// ---------------------------------------------------------------------------

LineReader::LineReader(InputStream &in, qint64 maxLine, qint64 chunk)
    : m_in(in), m_maxLine(maxLine), m_chunk(chunk)
{
    m_bufOffset = in.offset();
}

bool LineReader::refill()
{
    if (m_eof) return false;
    // Keep the last line for unread(); drop everything before it.
    const qint64 keep = m_lastStart >= 0 && m_lastStart < m_pos ? m_lastStart : m_pos;
    if (keep > 0) {
        m_buf.remove(0, keep);
        m_bufOffset += keep;
        m_pos -= keep;
        if (m_lastStart >= 0) m_lastStart -= keep;
    }
    QByteArray more = m_in.read(m_chunk);
    if (more.isEmpty()) {
        m_eof = true;
        return false;
    }
    m_buf += more;
    return true;
}

bool LineReader::next(QByteArrayView &line)
{
    m_truncated = false;
    m_hadCr = false;
    qint64 searchFrom = m_pos;
    while (true) {
        const qint64 nl = m_buf.indexOf('\n', searchFrom);
        if (nl >= 0) {
            qint64 len = nl - m_pos;
            if (len > m_maxLine) {
                m_truncated = true;
                len = m_maxLine;
            }
            m_lastStart = m_pos;
            m_lineOffset = m_bufOffset + m_pos;
            qint64 end = m_pos + len;
            if (!m_truncated && len > 0 && m_buf[end - 1] == '\r') {
                --end;
                m_hadCr = true;
            }
            line = QByteArrayView(m_buf.constData() + m_pos, end - m_pos);
            m_pos = nl + 1;
            ++m_lineNo;
            return true;
        }
        if (m_buf.size() - m_pos > m_maxLine) {
            // An overlong line: keep its first m_maxLine bytes, skip the rest.
            m_longLine = m_buf.mid(m_pos, m_maxLine);
            const qint64 start = m_bufOffset + m_pos;
            m_buf.clear();
            m_bufOffset = m_in.offset();
            m_pos = 0;
            m_lastStart = -1;
            while (true) {
                QByteArray more = m_in.read(m_chunk);
                if (more.isEmpty()) {
                    m_eof = true;
                    break;
                }
                const qint64 nl2 = more.indexOf('\n');
                if (nl2 >= 0) {
                    m_bufOffset = m_in.offset() - more.size() + nl2 + 1;
                    m_buf = more.mid(nl2 + 1);
                    break;
                }
            }
            m_truncated = true;
            m_lineOffset = start;
            ++m_lineNo;
            line = QByteArrayView(m_longLine);
            return true;
        }
        searchFrom = m_buf.size();
        const qint64 before = m_pos;
        if (!refill()) {
            if (m_pos < m_buf.size()) { // last line without terminator
                m_lastStart = m_pos;
                m_lineOffset = m_bufOffset + m_pos;
                qint64 end = m_buf.size();
                if (end > m_pos + m_maxLine) {
                    end = m_pos + m_maxLine;
                    m_truncated = true;
                }
                line = QByteArrayView(m_buf.constData() + m_pos, end - m_pos);
                m_pos = m_buf.size();
                ++m_lineNo;
                return true;
            }
            return false;
        }
        searchFrom -= (before - m_pos); // refill shifted the buffer
    }
}

void LineReader::unread()
{
    if (m_lastStart < 0) return;
    m_pos = m_lastStart;
    m_lastStart = -1;
    --m_lineNo;
}

QByteArrayView LineReader::peekBytes(qint64 n)
{
    while (m_buf.size() - m_pos < n)
        if (!refill()) break;
    const qint64 avail = std::min<qint64>(n, m_buf.size() - m_pos);
    return QByteArrayView(m_buf.constData() + m_pos, avail);
}

QByteArray LineReader::takeBytes(qint64 n)
{
    QByteArray out;
    while (qint64(out.size()) < n) {
        if (m_pos >= m_buf.size()) {
            m_lastStart = -1;
            if (!refill()) break;
        }
        const qint64 take = std::min<qint64>(n - out.size(), m_buf.size() - m_pos);
        out.append(m_buf.constData() + m_pos, take);
        m_pos += take;
    }
    m_lastStart = -1;
    // Line numbers stay right: count the newlines consumed.
    m_lineNo += out.count('\n');
    return out;
}

} // namespace ls
