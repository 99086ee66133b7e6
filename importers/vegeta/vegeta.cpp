// vegeta results as `vegeta encode --to csv` or `--to json` writes them: one
// record per request with start (Unix ns / RFC 3339), status code (0 =
// transport error), latency (ns), bytes, error text, method and URL.
//
// Invariants: each record is one client request marked as a load-test
// request, start = timestamp, end = start + latency; vegeta sends no request
// id, so records get fresh keys. CSV fields follow RFC 4180 (quoted when
// needed); 7 to 12 columns are accepted (older versions wrote fewer).

#include "vegeta.h"
#include "importlimits.h"

#include "common/logline.h"
#include "units.h"

namespace ls {

namespace {

// One RFC 4180 record of a single physical line.
bool splitCsv(QByteArrayView line, QList<QByteArray> *out)
{
    out->clear();
    qsizetype i = 0;
    while (true) {
        QByteArray cell;
        if (i < line.size() && line[i] == '"') {
            ++i;
            while (true) {
                if (i >= line.size()) return false; // unterminated quote
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        cell += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                cell += line[i++];
            }
            if (i < line.size() && line[i] != ',') return false;
        } else {
            const qsizetype c = line.indexOf(',', i);
            const qsizetype e = c < 0 ? line.size() : c;
            cell = line.sliced(i, e - i).toByteArray();
            i = e;
        }
        out->append(cell);
        if (i >= line.size()) return true;
        ++i; // comma
    }
}

bool looksLikeCsvRecord(QByteArrayView line)
{
    QList<QByteArray> cells;
    if (!splitCsv(line, &cells) || cells.size() < 7) return false;
    return cells[0].size() >= 18 && cells[0].size() <= 20 && parseInt(cells[0]).has_value() &&
           parseInt(cells[1]).has_value() && parseInt(cells[2]).has_value();
}

} // namespace

QByteArray VegetaImporter::id() const
{
    return "vegeta";
}

QString VegetaImporter::displayName() const
{
    return QStringLiteral("vegeta results (CSV or JSON lines)");
}

int VegetaImporter::sniff(const SniffInput &in) const
{
    QByteArrayView head = in.head;
    if (head.startsWith("\xEF\xBB\xBF")) head = head.sliced(3);
    const qsizetype nl = head.indexOf('\n');
    QByteArrayView first = nl < 0 ? head : head.first(nl);
    if (first.endsWith('\r')) first.chop(1);
    if (first.startsWith('{')) {
        return first.contains("\"attack\"") && first.contains("\"seq\"") &&
                       first.contains("\"code\"") && first.contains("\"timestamp\"") &&
                       first.contains("\"latency\"")
                   ? 90
                   : 0;
    }
    return looksLikeCsvRecord(first) ? 80 : 0;
}

void VegetaImporter::run(ImportContext &ctx, RecordSink &sink)
{
    LineReader reader(ctx.input());
    LogLineParser parser;
    LogLine l;
    QByteArrayView line;
    QList<QByteArray> cells;
    sink.setClock(ClockKind::Wall, 0, "wall clock");
    qint64 rows = 0, lines = 0;
    while (reader.next(line)) {
        if ((reader.lineNumber() & 1023) == 0) ctx.checkpoint();
        if (skipLongLine(ctx, reader)) continue;
        if (reader.lineNumber() == 1 && line.startsWith("\xEF\xBB\xBF")) line = line.sliced(3);
        if (line.trimmed().isEmpty()) continue;
        ++lines;
        RequestRecord r;
        r.side = Side::Client;
        r.loadTest = true;
        qint64 latency = -1;
        if (line.startsWith('{')) {
            bool jsonError = false;
            if (!parser.parse(line, l, &jsonError)) {
                ctx.diag("bad-json", Severity::Warning, reader.lineOffset(), reader.lineNumber(),
                         QStringLiteral("line is not valid JSON: ") + parser.jsonErrorText());
                continue;
            }
            if (auto t = parseRfc3339(l.value("timestamp"))) r.start = *t;
            if (auto c = parseInt(l.value("code"))) r.status = int(*c);
            if (auto v = parseInt(l.value("latency"))) latency = *v;
            r.error = l.value("error");
            r.method = l.value("method");
            r.url = l.value("url");
        } else {
            if (!splitCsv(line, &cells) || cells.size() < 7) {
                ctx.diag("bad-row", Severity::Warning, reader.lineOffset(), reader.lineNumber(),
                         QStringLiteral("row is not a vegeta CSV record (7 to 12 fields)"));
                continue;
            }
            if (auto t = parseInt(cells[0])) r.start = *t;
            if (auto c = parseInt(cells[1])) r.status = int(*c);
            if (auto v = parseInt(cells[2])) latency = *v;
            r.error = cells[5];
            if (cells.size() >= 11) {
                r.method = cells[9];
                r.url = cells[10];
            }
        }
        if (r.start == kNoTime || latency < 0) {
            ctx.diag("bad-row", Severity::Warning, reader.lineOffset(), reader.lineNumber(),
                     QStringLiteral("record without a timestamp or latency"));
            continue;
        }
        r.end = r.start + latency;
        if (r.url.contains("://")) {
            const qsizetype hs = r.url.indexOf("://") + 3;
            qsizetype he = r.url.indexOf('/', hs);
            if (he < 0) he = r.url.size();
            r.host = r.url.mid(hs, he - hs);
        }
        sink.request(r);
        ++rows;
    }
    ctx.addEvents(rows);
    if (rows == 0) {
        if (lines == 0) throw ImportError(QStringLiteral("empty input"), 0, 1);
        throw ImportError(QStringLiteral("no vegeta records found"), 0, 1);
    }
}

} // namespace ls
