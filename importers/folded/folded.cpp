// Folded (collapsed) stacks, as FlameGraph's stackcollapse-*.pl scripts, Go
// pprof-to-folded converters and speedscope write them: one stack per line,
// `root;caller;...;leaf COUNT`. The count is the text after the last space
// (frame names may contain spaces); difffolded output has two counts and the
// second (the "after" profile) is used. The same stack on several lines is
// summed. CRLF, a UTF-8 BOM, UTF-16 with a BOM, blank lines and `#` / `//`
// comment lines are accepted; a line without a count is skipped and counted.
//
// The format is an aggregate without time: one profile (samples/count), a
// callsite per distinct stack and one sample per callsite with its total.

#include "folded.h"
#include "importlimits.h"

#include "units.h"

#include <QHash>
#include <QStringDecoder>

#include <cmath>

namespace ls {

namespace {

bool isCommentOrBlank(QByteArrayView line)
{
    const QByteArrayView t = line.trimmed();
    return t.isEmpty() || t.startsWith('#') || t.startsWith("//");
}

std::optional<qint64> countOf(QByteArrayView s, bool *fraction)
{
    if (auto n = parseInt(s)) return *n;
    // Some tools write decimals: take the nearest integer.
    if (auto scaled = parseScaled(s, 3)) {
        if (fraction) *fraction = true;
        return (*scaled + (*scaled >= 0 ? 500 : -500)) / 1000;
    }
    return std::nullopt;
}

} // namespace

bool parseFoldedLine(QByteArrayView line, QList<QByteArrayView> *frames, qint64 *count,
                     bool *twoCounts, bool *fraction)
{
    line = line.trimmed();
    qsizetype sp = line.lastIndexOf(' ');
    if (sp <= 0) return false;
    auto c = countOf(line.sliced(sp + 1), fraction);
    if (!c) return false;
    QByteArrayView stack = line.first(sp).trimmed();
    // difffolded: "stack before after".
    const qsizetype sp2 = stack.lastIndexOf(' ');
    if (sp2 > 0) {
        bool frac2 = false;
        if (countOf(stack.sliced(sp2 + 1), &frac2) && !stack.sliced(sp2 + 1).contains(';')) {
            const QByteArrayView before = stack.first(sp2).trimmed();
            // Only when what remains still looks like a stack.
            if (!before.isEmpty()) {
                if (twoCounts) *twoCounts = true;
                stack = before;
            }
        }
    }
    if (stack.isEmpty()) return false;
    frames->clear();
    qsizetype start = 0;
    while (start <= stack.size()) {
        qsizetype semi = stack.indexOf(';', start);
        if (semi < 0) semi = stack.size();
        if (semi > start) frames->append(stack.sliced(start, semi - start));
        start = semi + 1;
    }
    *count = *c;
    return !frames->isEmpty();
}

QByteArray FoldedStacksImporter::id() const
{
    return "folded";
}

QString FoldedStacksImporter::displayName() const
{
    return QStringLiteral("Folded stacks (FlameGraph collapsed format)");
}

int FoldedStacksImporter::sniff(const SniffInput &in) const
{
    QByteArray text;
    QByteArrayView head = in.head;
    if (head.startsWith("\xFF\xFE") || head.startsWith("\xFE\xFF")) {
        auto dec = QStringDecoder(head.startsWith("\xFF\xFE") ? QStringConverter::Utf16LE
                                                              : QStringConverter::Utf16BE);
        text = QString(dec.decode(head.sliced(2))).toUtf8();
        head = text;
    } else if (head.startsWith("\xEF\xBB\xBF")) {
        head = head.sliced(3);
    }
    int lines = 0, good = 0, withSemicolon = 0;
    qsizetype pos = 0;
    QList<QByteArrayView> frames;
    while (pos < head.size() && lines < 100) {
        qsizetype nl = head.indexOf('\n', pos);
        const bool last = nl < 0;
        if (last) nl = head.size();
        const QByteArrayView line = head.sliced(pos, nl - pos);
        pos = nl + 1;
        if (last && head.size() >= 65536) break; // possibly cut by the head
        if (isCommentOrBlank(line)) continue;
        ++lines;
        qint64 count = 0;
        if (parseFoldedLine(line, &frames, &count)) {
            ++good;
            if (line.contains(';')) ++withSemicolon;
            // Text with spaces before the count but no frame separators is
            // prose or a log line ("took 5"), not a stack.
            if (!line.contains(';') &&
                line.trimmed().first(line.trimmed().lastIndexOf(' ')).contains(' '))
                --good;
        }
    }
    if (lines == 0 || good * 10 < lines * 8) return 0;
    if (withSemicolon == 0) return good >= 2 ? 15 : 0;
    return 50;
}

void FoldedStacksImporter::run(ImportContext &ctx, RecordSink &sink)
{
    InputStream &in = ctx.input();
    const QByteArray head = in.peek(4);
    std::unique_ptr<InputStream> decoded;
    if (head.startsWith("\xFF\xFE") || head.startsWith("\xFE\xFF")) {
        // UTF-16: small files in practice; decode whole, then read as UTF-8.
        const QByteArray raw = in.readAll(qint64(512) << 20);
        auto dec = QStringDecoder(raw.startsWith("\xFF\xFE") ? QStringConverter::Utf16LE
                                                             : QStringConverter::Utf16BE);
        const QString text = dec.decode(QByteArrayView(raw).sliced(2));
        if (dec.hasError())
            ctx.diag("bad-utf16", Severity::Warning, -1, -1,
                     QStringLiteral("the UTF-16 text has invalid sequences"));
        decoded = std::make_unique<InputStream>(text.toUtf8(), in.name());
    }
    LineReader reader(decoded ? *decoded : in);
    ProfileRecord p;
    p.sampleType = "samples";
    p.unit = "count";
    const ProfileId profile = sink.profile(p);
    QHash<QByteArray, FrameId> frameIds;
    QHash<CallsiteId, qint64> totals;
    std::vector<CallsiteId> order;
    QList<QByteArrayView> frames;
    QByteArrayView line;
    qint64 stacks = 0;
    while (reader.next(line)) {
        if ((reader.lineNumber() & 4095) == 0) ctx.checkpoint();
        if (reader.lineNumber() == 1 && line.startsWith("\xEF\xBB\xBF")) line = line.sliced(3);
        if (isCommentOrBlank(line)) continue;
        if (reader.truncated()) reportLongLine(ctx, reader.lineOffset(), reader.lineNumber(), false);
        qint64 count = 0;
        bool two = false, fraction = false;
        if (reader.truncated() || !parseFoldedLine(line, &frames, &count, &two, &fraction)) {
            if (!reader.truncated())
                ctx.diag(
                    "missing-count", Severity::Warning, reader.lineOffset(), reader.lineNumber(),
                    QStringLiteral("line without a count after its last space: %1")
                        .arg(QString::fromUtf8(line.first(std::min<qsizetype>(line.size(), 80)))));
            continue;
        }
        if (two)
            ctx.diag("two-counts", Severity::Info, reader.lineOffset(), reader.lineNumber(),
                     QStringLiteral("difffolded line with two counts: the second is used"));
        if (fraction)
            ctx.diag("fractional-count", Severity::Info, reader.lineOffset(), reader.lineNumber(),
                     QStringLiteral("a count with a fraction was rounded"));
        CallsiteId cs = kNoId;
        for (QByteArrayView f : frames) {
            const QByteArray name = QByteArray::fromRawData(f.data(), f.size());
            auto it = frameIds.constFind(name);
            if (it == frameIds.constEnd()) {
                FrameRecord fr;
                fr.function = f.toByteArray();
                it = frameIds.insert(fr.function, sink.frame(fr));
            }
            cs = sink.callsite(cs, it.value());
        }
        auto t = totals.find(cs);
        if (t == totals.end()) {
            totals.insert(cs, count);
            order.push_back(cs);
        } else {
            *t += count;
        }
        ++stacks;
    }
    if (stacks == 0) throw ImportError(QStringLiteral("no folded stack line found"), 0, 1);
    for (CallsiteId cs : order) {
        SampleRecord s;
        s.profile = profile;
        s.callsite = cs;
        s.value = totals.value(cs);
        sink.sample(s);
    }
    ctx.addEvents(stacks);
}

} // namespace ls
