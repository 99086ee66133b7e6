#include "report.h"

#include "palette.h"
#include "units.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cmath>

namespace ls {

namespace {

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

QString dur(qint64 ns)
{
    return ns < 0 ? QStringLiteral("–") : formatDuration(ns);
}

// An SVG document's opening tag and white background.
QString svgOpen(int width, int height)
{
    return QStringLiteral("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%1\" height=\"%2\" "
                          "viewBox=\"0 0 %1 %2\" font-family=\"sans-serif\" font-size=\"11\">"
                          "<rect width=\"%1\" height=\"%2\" fill=\"#ffffff\"/>")
        .arg(width)
        .arg(height);
}

} // namespace

QString displayText(const QByteArray &raw)
{
    QString out;
    out.reserve(raw.size());
    qsizetype i = 0;
    while (i < raw.size()) {
        const uchar c = uchar(raw[i]);
        if (c < 0x80) {
            // CRLF line ends (HTTP dumps) read as one line break: a PDF
            // would otherwise break twice.
            if (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') {
                ++i;
                continue;
            }
            if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                out += QLatin1Char(char(c));
                if (c == 0x7f) out.back() = QLatin1Char('?');
            } else {
                out += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
            }
            ++i;
            continue;
        }
        const int len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
        bool ok = len > 0 && i + len <= raw.size();
        for (int k = 1; ok && k < len; ++k)
            ok = (uchar(raw[i + k]) & 0xc0) == 0x80;
        if (ok) {
            out += QString::fromUtf8(raw.constData() + i, len);
            i += len;
        } else {
            out += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
            ++i;
        }
    }
    return out;
}

ReportData buildReport(const Db &db, const QString &sessionPath, const ReportOptions &options)
{
    ReportData d;
    d.options = options;
    d.sessionPath = sessionPath;
    d.generated = QDateTime::currentMSecsSinceEpoch() * 1000000;
    d.sources = querySources(db);
    RequestQuery q;
    q.filter = options.filter;
    const std::vector<RequestRow> rows = queryRequests(db, q); // slowest first
    static_cast<RequestSummary &>(d) = summarizeRequests(rows);
    d.notes = listNotes(db);
    d.stepColours.assign(stepNames(db));
    Stmt ph(db, "SELECT kind, COALESCE(name, ''), COALESCE(side, ''), start_ns, end_ns FROM phase "
                "WHERE request_id = ? ORDER BY start_ns, end_ns DESC");
    Stmt raw(db, "SELECT t.kind, COALESCE(t.side, ''), s.path, t.data, t.offset, t.line FROM "
                 "raw_text t JOIN source s ON s.id = t.source_id WHERE t.request_id = ? AND t.kind "
                 "IN ('request', 'response', 'stack') ORDER BY t.id");
    for (size_t i = 0; i < rows.size() && int(i) < options.top; ++i) {
        ReportRequest rr;
        rr.row = rows[i];
        ph.bind(1, rr.row.id);
        while (ph.step())
            rr.phases.push_back(
                {ph.string(0), ph.string(1), ph.string(2), ph.int64(3), ph.int64(4)});
        ph.reset();
        raw.bind(1, rr.row.id);
        while (raw.step()) {
            ReportRaw r;
            r.kind = raw.string(0);
            r.side = raw.string(1);
            r.sourcePath = raw.string(2);
            QByteArray data = raw.text(3);
            r.fullSize = data.size();
            if (options.redact) data = redactHttp(data, options.rules);
            if (data.size() > options.maxRawBytes) data.truncate(options.maxRawBytes);
            r.data = data;
            r.offset = raw.isNull(4) ? -1 : raw.int64(4);
            r.line = raw.isNull(5) ? -1 : raw.int64(5);
            rr.raw << r;
        }
        raw.reset();
        for (const Note &n : std::as_const(d.notes))
            if (n.requestId == rr.row.id) rr.notes << n;
        if (auto c = requestClasses(db, rr.row.id)) rr.classes = *c;
        if (options.redact)
            rr.row.url = QString::fromLatin1(redactUrl(rr.row.url.toLatin1(), options.rules));
        d.slowest.push_back(std::move(rr));
    }
    return d;
}

// ---------------------------------------------------------------------------
// Charts

QByteArray latencyHistogramSvg(const ReportData &d, int width, int height)
{
    QString svg = svgOpen(width, height);
    if (d.durations.empty()) {
        svg += QStringLiteral("<text x=\"10\" y=\"20\">no request durations</text></svg>");
        return svg.toUtf8();
    }
    // The same bins as the Statistics dock (queries.h).
    const LatencyHistogram hist = latencyHistogram(d.durations);
    if (hist.counts.empty()) {
        svg += QStringLiteral("<text x=\"10\" y=\"20\">no request durations</text></svg>");
        return svg.toUtf8();
    }
    const std::vector<int> &counts = hist.counts;
    const int bins = hist.bins();
    const int maxCount = *std::max_element(counts.begin(), counts.end());
    const int left = 40, right = 10, top = 24, bottom = 34;
    const double bw = double(width - left - right) / bins;
    const double ph = height - top - bottom;
    svg += QStringLiteral("<text x=\"%1\" y=\"14\" font-weight=\"bold\">Latency histogram "
                          "(log-scale bins), %2 requests</text>")
               .arg(left)
               .arg(d.durations.size());
    for (int b = 0; b < bins; ++b) {
        const double h = maxCount ? ph * counts[size_t(b)] / maxCount : 0;
        const qint64 from = hist.edges[size_t(b)], to = hist.edges[size_t(b) + 1];
        svg += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" "
                              "fill=\"#1e88e5\"><title>%5–%6: %7</title></rect>")
                   .arg(left + b * bw + 1, 0, 'f', 1)
                   .arg(top + ph - h, 0, 'f', 1)
                   .arg(std::max(1.0, bw - 2), 0, 'f', 1)
                   .arg(h, 0, 'f', 1)
                   .arg(esc(formatDuration(from)), esc(formatDuration(to)))
                   .arg(counts[size_t(b)]);
        if (b % 2 == 0)
            svg += QStringLiteral(
                       "<text x=\"%1\" y=\"%2\" text-anchor=\"middle\" fill=\"#555\">%3</text>")
                       .arg(left + b * bw, 0, 'f', 1)
                       .arg(height - bottom + 14)
                       .arg(esc(formatDuration(from)));
    }
    svg += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%3\" y2=\"%2\" stroke=\"#333\"/>")
               .arg(left)
               .arg(top + ph, 0, 'f', 1)
               .arg(width - right);
    svg += QStringLiteral("<text x=\"4\" y=\"%1\" fill=\"#555\">%2</text>")
               .arg(top + 10)
               .arg(maxCount);
    // Percentile markers.
    const std::pair<const char *, qint64> marks[] = {{"p50", d.p50}, {"p99", d.p99}};
    // The bins end at the longest request, so a marker near the right edge
    // takes its label on its left; one label line per marker.
    int line = 0;
    for (const auto &[name, v] : marks) {
        if (v <= 0) continue;
        const double x = left + hist.position(v) * bw;
        const bool leftOfLine = x > left + 0.7 * (width - left - right);
        svg += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%1\" y2=\"%3\" stroke=\"#d32f2f\" "
                              "stroke-dasharray=\"3,2\"/>"
                              "<text x=\"%4\" y=\"%5\" fill=\"#d32f2f\" "
                              "text-anchor=\"%8\">%6 %7</text>")
                   .arg(x, 0, 'f', 1)
                   .arg(top)
                   .arg(top + ph, 0, 'f', 1)
                   .arg(leftOfLine ? x - 3 : x + 3, 0, 'f', 1)
                   .arg(top + 10 + 12 * line++)
                   .arg(QLatin1String(name), esc(formatDuration(v)),
                        QLatin1String(leftOfLine ? "end" : "start"));
    }
    svg += QStringLiteral("</svg>");
    return svg.toUtf8();
}

QByteArray phaseBreakdownSvg(const ReportData &d, int width)
{
    const int rowH = 18, left = 110, right = 70, top = 24;
    const int height = top + int(d.slowest.size()) * rowH + 30;
    QString svg = svgOpen(width, height);
    svg += QStringLiteral("<text x=\"4\" y=\"14\" font-weight=\"bold\">Where the time went: the %1 "
                          "slowest requests</text>")
               .arg(d.slowest.size());
    qint64 maxDur = 1;
    for (const ReportRequest &r : d.slowest)
        maxDur = std::max(maxDur, r.row.duration());
    const double scale = double(width - left - right) / double(maxDur);
    int y = top;
    for (const ReportRequest &r : d.slowest) {
        svg += QStringLiteral("<text x=\"4\" y=\"%1\">%2</text>")
                   .arg(y + 12)
                   .arg(esc(r.row.key.left(13)));
        double x = left;
        // Client phases in waterfall order, then the rest as "other".
        qint64 accounted = 0;
        for (int k = 0; k < kPhaseKinds; ++k) {
            const qint64 v = r.row.phaseNs[size_t(k)];
            if (v <= 0) continue;
            accounted += v;
            const char *name = phaseKindName(PhaseKind(k));
            svg += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" "
                                  "fill=\"%5\"><title>%6 %7</title></rect>")
                       .arg(x, 0, 'f', 1)
                       .arg(y + 2)
                       .arg(std::max(0.5, v * scale), 0, 'f', 1)
                       .arg(rowH - 4)
                       .arg(QLatin1String(palette::phaseColour(name)), QLatin1String(name),
                            esc(formatDuration(v)));
            x += v * scale;
        }
        const qint64 rest = std::max<qint64>(0, r.row.duration() - accounted);
        if (rest > 0)
            svg += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" "
                                  "fill=\"#5c6bc0\" opacity=\"0.5\"><title>%5 %6</title></rect>")
                       .arg(x, 0, 'f', 1)
                       .arg(y + 2)
                       .arg(rest * scale, 0, 'f', 1)
                       .arg(rowH - 4)
                       .arg(accounted ? QStringLiteral("other") : QStringLiteral("total"),
                            esc(formatDuration(rest)));
        svg += QStringLiteral("<text x=\"%1\" y=\"%2\" fill=\"#333\">%3</text>")
                   .arg(left + r.row.duration() * scale + 4, 0, 'f', 1)
                   .arg(y + 12)
                   .arg(esc(dur(r.row.duration())));
        y += rowH;
    }
    // Legend.
    double lx = 4;
    for (const char *k : {"dns", "connect", "tls", "send", "wait", "receive"}) {
        svg += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"10\" height=\"10\" "
                              "fill=\"%3\"/><text x=\"%4\" y=\"%5\">%6</text>")
                   .arg(lx, 0, 'f', 1)
                   .arg(y + 8)
                   .arg(QLatin1String(palette::phaseColour(k)))
                   .arg(lx + 13, 0, 'f', 1)
                   .arg(y + 17)
                   .arg(QLatin1String(k));
        lx += 80;
    }
    svg += QStringLiteral("</svg>");
    return svg.toUtf8();
}

QByteArray waterfallSvg(const ReportRequest &r, int width,
                        const palette::CategoricalColours *stepColours)
{
    const int rowH = 16, left = 150, right = 80, top = 6;
    const int rows = int(r.phases.size()) + 1;
    const int height = top + rows * rowH + 8;
    QString svg = svgOpen(width, height);
    TimeNs t0 = r.row.start, t1 = r.row.end;
    for (const ReportPhase &p : r.phases) {
        if (t0 == kNoTime || p.start < t0) t0 = p.start;
        if (t1 == kNoTime || p.end > t1) t1 = p.end;
    }
    if (t0 == kNoTime || t1 <= t0) {
        svg += QStringLiteral("<text x=\"4\" y=\"14\">no timing</text></svg>");
        return svg.toUtf8();
    }
    const double scale = double(width - left - right) / double(t1 - t0);
    auto bar = [&](int row, const QString &label, TimeNs s, TimeNs e, const char *colour) {
        const int y = top + row * rowH;
        svg +=
            QStringLiteral("<text x=\"4\" y=\"%1\">%2</text>").arg(y + 11).arg(esc(label.left(24)));
        const double x = left + (s - t0) * scale;
        svg += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" "
                              "fill=\"%5\"><title>%6 %7</title></rect>")
                   .arg(x, 0, 'f', 1)
                   .arg(y + 2)
                   .arg(std::max(1.0, (e - s) * scale), 0, 'f', 1)
                   .arg(rowH - 4)
                   .arg(QLatin1String(colour), esc(label), esc(formatDuration(e - s)));
        svg += QStringLiteral("<text x=\"%1\" y=\"%2\" fill=\"#555\">%3</text>")
                   .arg(x + std::max(1.0, (e - s) * scale) + 3, 0, 'f', 1)
                   .arg(y + 11)
                   .arg(esc(formatDuration(e - s)));
    };
    bar(0, QStringLiteral("request (%1)").arg(r.row.side),
        r.row.start != kNoTime ? r.row.start : t0, r.row.end != kNoTime ? r.row.end : t1,
        "#546e7a");
    int row = 1;
    for (const ReportPhase &p : r.phases) {
        const QString label = p.kind == QLatin1String("step") ? p.name : p.kind;
        const bool step = p.kind == QLatin1String("step");
        const QByteArray name = p.name.toUtf8();
        bar(row++, label, p.start, p.end,
            !step                ? palette::phaseColour(p.kind.toLatin1())
            : stepColours ? stepColours->colour(name)
                          : palette::kCategorical[size_t(palette::preferredCategory(name))]);
    }
    svg += QStringLiteral("</svg>");
    return svg.toUtf8();
}

QByteArray classBreakdownSvg(const ReportRequest &r, int width)
{
    const ClassBreakdown &c = r.classes;
    // Classes add up: 'wait' is only what the server's classes leave unexplained.
    std::vector<std::pair<LatencyClass, qint64>> parts;
    qint64 total = 0;
    for (int i = 0; i < kLatencyClasses; ++i) {
        const qint64 v = c.ns[size_t(i)];
        if (v <= 0) continue;
        parts.emplace_back(LatencyClass(i), v);
        total += v;
    }
    if (total <= 0) return {};
    const int left = 150, barH = 16, top = 4, legendRow = 16;
    const int legendCols = 4, colW = (width - 8) / legendCols;
    const int legendRows = int((parts.size() + legendCols - 1) / legendCols);
    const int height = top + barH + 6 + legendRows * legendRow + 4;
    QString svg =
        QStringLiteral("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%1\" height=\"%2\" "
                       "viewBox=\"0 0 %1 %2\" font-family=\"sans-serif\" font-size=\"11\">")
            .arg(width)
            .arg(height);
    svg += QStringLiteral("<rect width=\"%1\" height=\"%2\" fill=\"#ffffff\"/>")
               .arg(width)
               .arg(height);
    svg += QStringLiteral("<text x=\"4\" y=\"%1\">latency classes</text>").arg(top + 12);
    const double scale = double(width - left - 8) / double(total);
    double x = left;
    for (const auto &[cls, v] : parts) {
        const QString name = QString::fromLatin1(latencyClassName(cls));
        const double w = double(v) * scale;
        svg += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" fill=\"%5\">"
                              "<title>%6 %7</title></rect>")
                   .arg(x, 0, 'f', 1)
                   .arg(top)
                   .arg(std::max(0.5, w), 0, 'f', 1)
                   .arg(barH)
                   .arg(QLatin1String(palette::classColour(name.toLatin1())), esc(name),
                        esc(formatDuration(v)));
        x += w;
    }
    int k = 0;
    for (const auto &[cls, v] : parts) {
        const QString name = QString::fromLatin1(latencyClassName(cls));
        const int lx = 4 + (k % legendCols) * colW;
        const int ly = top + barH + 6 + (k / legendCols) * legendRow;
        svg += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"10\" height=\"10\" fill=\"%3\"/>"
                              "<text x=\"%4\" y=\"%5\">%6 %7 (%8%)</text>")
                   .arg(lx)
                   .arg(ly + 1)
                   .arg(QLatin1String(palette::classColour(name.toLatin1())))
                   .arg(lx + 14)
                   .arg(ly + 10)
                   .arg(esc(name), esc(formatDuration(v)))
                   .arg(100.0 * double(v) / double(total), 0, 'f', 1);
        ++k;
    }
    svg += QStringLiteral("</svg>");
    return svg.toUtf8();
}

// ---------------------------------------------------------------------------
// HTML

QByteArray renderHtml(const ReportData &d, const ImageRefFn &imageRef)
{
    auto image = [&](const QString &id, const QByteArray &svg) -> QString {
        // A block of its own, so text never flows around a chart.
        if (imageRef)
            return QStringLiteral("<p class=\"chart\"><img alt=\"%1\" src=\"%2\"></p>\n")
                .arg(esc(id), esc(imageRef(id, svg)));
        return QStringLiteral("<div class=\"chart\">") + QString::fromUtf8(svg) +
               QStringLiteral("</div>\n");
    };
    QString h;
    h += QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<meta name=\"generator\" content=\"Lanescope\"><title>%1</title>")
             .arg(esc(d.options.title));
    h += QStringLiteral(
        "<style>body{font-family:sans-serif;margin:2em auto;max-width:980px;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 7px;"
        "text-align:left;font-size:13px}th{background:#f3f3f3}td.num{text-align:right}"
        "pre{background:#f7f7f7;border:1px solid #ddd;padding:8px;overflow-x:auto;font-size:12px;"
        "white-space:pre-wrap;word-break:break-all}.err{color:#d32f2f}.note{border-left:4px solid;"
        "padding:4px 10px;margin:6px 0;background:#fffdf3}.muted{color:#777;font-size:12px}"
        "h2{border-bottom:1px solid #ddd;padding-bottom:3px}section.req{margin-bottom:2em}"
        "</style></head><body>\n");
    h += QStringLiteral("<h1>%1</h1>\n").arg(esc(d.options.title));
    h += QStringLiteral("<p class=\"muted\">Session %1 · generated %2 UTC%3</p>\n")
             .arg(esc(QFileInfo(d.sessionPath).fileName()), esc(formatTime(d.generated)),
                  d.options.filter.isEmpty()
                      ? QString()
                      : QStringLiteral(" · filter <code>%1</code>").arg(esc(d.options.filter)));
    // Summary.
    h += QStringLiteral(
        "<h2>Summary</h2><table><tr><th>requests</th><th>errors</th><th>error rate</th>"
        "<th>p50</th><th>p90</th><th>p99</th><th>max</th></tr><tr>");
    h += QStringLiteral(
             "<td class=\"num\">%1</td><td class=\"num\">%2</td><td class=\"num\">%3%</td>")
             .arg(d.count)
             .arg(d.errors)
             .arg(d.errorPercent(), 0, 'f', 1);
    for (qint64 v : {d.p50, d.p90, d.p99, d.max})
        h += QStringLiteral("<td class=\"num\">%1</td>").arg(esc(dur(v)));
    h += QStringLiteral("</tr></table>\n");
    h += image(QStringLiteral("histogram"), latencyHistogramSvg(d));
    if (!d.slowest.empty()) h += image(QStringLiteral("breakdown"), phaseBreakdownSvg(d));
    // Sources.
    h += QStringLiteral("<h2>Sources</h2><table><tr><th>file</th><th>format</th><th>clock</th>"
                        "<th>events</th><th>requests</th><th>diagnostics</th></tr>\n");
    for (const SourceRow &s : d.sources) {
        QStringList diags;
        for (const DiagnosticRow &dg : s.diagnostics)
            diags << QStringLiteral("%1 %2 ×%3").arg(dg.severity, dg.code).arg(dg.count);
        h += QStringLiteral(
                 "<tr><td title=\"%1\">%2</td><td>%3</td><td>%4 (%5)</td><td class=\"num\">%6</td>"
                 "<td class=\"num\">%7</td><td>%8</td></tr>\n")
                 .arg(esc(s.path), esc(QFileInfo(s.path).fileName()), esc(s.format), esc(s.clock),
                      esc(s.clockMethod))
                 .arg(s.events)
                 .arg(s.requests)
                 .arg(esc(diags.join(QStringLiteral(", "))));
    }
    h += QStringLiteral("</table>\n");
    // Slowest requests.
    h += QStringLiteral("<h2>The %1 slowest requests</h2>\n").arg(d.slowest.size());
    int idx = 0;
    for (const ReportRequest &r : d.slowest) {
        ++idx;
        const bool bad = isErrorRequest(r.row);
        h += QStringLiteral("<section class=\"req\"><h3>%1. <code>%2</code> %3 %4</h3>\n")
                 .arg(idx)
                 .arg(esc(r.row.key), esc(r.row.method), esc(r.row.url));
        h +=
            QStringLiteral("<p>status <b%1>%2</b> · total <b>%3</b> · side %4%5%6</p>\n")
                .arg(bad ? QStringLiteral(" class=\"err\"") : QString())
                .arg(r.row.status < 0 ? QStringLiteral("–") : QString::number(r.row.status))
                .arg(esc(dur(r.row.duration())), esc(r.row.side))
                .arg(
                    r.row.dominantClass.isEmpty()
                        ? QString()
                        : QStringLiteral(" · mostly <b>%1</b>").arg(esc(r.row.dominantClass)),
                    r.row.error.isEmpty()
                        ? QString()
                        : QStringLiteral(" · <span class=\"err\">%1</span>").arg(esc(r.row.error)));
        if (!r.row.cause.isEmpty())
            h += QStringLiteral("<p class=\"cause\">Cause: %1</p>\n").arg(esc(r.row.cause));
        h += image(QStringLiteral("waterfall-%1").arg(idx), waterfallSvg(r, 720, &d.stepColours));
        if (!r.classes.isEmpty())
            h += image(QStringLiteral("classes-%1").arg(idx), classBreakdownSvg(r));
        for (const Note &n : r.notes)
            h += QStringLiteral("<div class=\"note\" style=\"border-color:%1\">%2</div>\n")
                     .arg(esc(n.colour), esc(n.text));
        for (const ReportRaw &raw : r.raw) {
            h += QStringLiteral("<p class=\"muted\">Raw %1 (%2) from %3%4%5</p>")
                     .arg(esc(raw.kind), esc(raw.side), esc(QFileInfo(raw.sourcePath).fileName()))
                     .arg(raw.line >= 0 ? QStringLiteral(", line %1").arg(raw.line) : QString())
                     .arg(raw.data.size() < raw.fullSize ? QStringLiteral(", first %1 of %2 bytes")
                                                               .arg(raw.data.size())
                                                               .arg(raw.fullSize)
                                                         : QString());
            h += QStringLiteral("<pre>%1</pre>\n").arg(esc(displayText(raw.data)));
        }
        h += QStringLiteral("</section>\n");
    }
    // Notes.
    h += QStringLiteral("<h2>Notes</h2>\n");
    if (d.notes.isEmpty()) h += QStringLiteral("<p class=\"muted\">No notes.</p>\n");
    for (const Note &n : d.notes) {
        QString target;
        if (n.target == QLatin1String("request"))
            target = QStringLiteral("request <code>%1</code>").arg(esc(n.requestKey));
        else if (n.target == QLatin1String("span"))
            target = QStringLiteral("span %1").arg(n.spanId);
        else
            target =
                QStringLiteral("%1 – %2").arg(esc(formatTime(n.start)), esc(formatTime(n.end)));
        h += QStringLiteral("<div class=\"note\" style=\"border-color:%1\"><span "
                            "class=\"muted\">%2</span><br>%3</div>\n")
                 .arg(esc(n.colour), target, esc(n.text));
    }
    // Footer.
    h += QStringLiteral("<hr><p class=\"muted\">");
    if (d.options.redact) {
        h += QStringLiteral("Redaction rules in force:</p><ul class=\"muted\">");
        for (const QString &rule : d.options.rules.describe())
            h += QStringLiteral("<li>%1</li>").arg(esc(rule));
        h += QStringLiteral("</ul>");
    } else {
        h += QStringLiteral("Redaction was switched off: this report may contain secrets.</p>");
    }
    h += QStringLiteral("<p class=\"muted\">Made with Lanescope.</p></body></html>\n");
    return h.toUtf8();
}

// ---------------------------------------------------------------------------
// Markdown

namespace {

QString mdCell(const QString &s)
{
    QString o = s;
    o.replace(QLatin1Char('|'), QLatin1String("\\|"));
    o.replace(QLatin1Char('\n'), QLatin1Char(' '));
    // Markdown renderers pass HTML through: keep trace text inert.
    o.replace(QLatin1Char('&'), QLatin1String("&amp;"));
    o.replace(QLatin1Char('<'), QLatin1String("&lt;"));
    o.replace(QLatin1Char('>'), QLatin1String("&gt;"));
    return o;
}

QString fence(const QString &text)
{
    // A fence longer than any backtick run inside.
    int longest = 0, run = 0;
    for (QChar c : text) {
        run = c == QLatin1Char('`') ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    const QString f(std::max(3, longest + 1), QLatin1Char('`'));
    return f + QLatin1String("http\n") + text +
           (text.endsWith(QLatin1Char('\n')) ? QString() : QStringLiteral("\n")) + f +
           QLatin1Char('\n');
}

} // namespace

QByteArray renderMarkdown(const ReportData &d, const QString &imageDir, const QString &imagePrefix)
{
    QDir().mkpath(imageDir);
    auto image = [&](const QString &id, const QByteArray &svg) {
        const QString name = imagePrefix + QLatin1Char('-') + id + QStringLiteral(".svg");
        QFile f(QDir(imageDir).filePath(name));
        if (f.open(QIODevice::WriteOnly)) f.write(svg);
        return QStringLiteral("![%1](%2)\n\n")
            .arg(id, QFileInfo(imageDir).fileName() + QLatin1Char('/') + name);
    };
    QString m;
    m += QStringLiteral("# %1\n\n").arg(mdCell(d.options.title));
    m += QStringLiteral("Session `%1`, generated %2 UTC.\n\n")
             .arg(QFileInfo(d.sessionPath).fileName(), formatTime(d.generated));
    m += QStringLiteral("## Summary\n\n| requests | errors | error rate | p50 | p90 | p99 | max "
                        "|\n|---:|---:|---:|---:|---:|---:|---:|\n");
    m += QStringLiteral("| %1 | %2 | %3% | %4 | %5 | %6 | %7 |\n\n")
             .arg(d.count)
             .arg(d.errors)
             .arg(d.errorPercent(), 0, 'f', 1)
             .arg(dur(d.p50), dur(d.p90), dur(d.p99), dur(d.max));
    m += image(QStringLiteral("histogram"), latencyHistogramSvg(d));
    if (!d.slowest.empty()) m += image(QStringLiteral("breakdown"), phaseBreakdownSvg(d));
    m += QStringLiteral(
        "## Sources\n\n| file | format | clock | events | requests |\n|---|---|---|---:|---:|\n");
    for (const SourceRow &s : d.sources)
        m += QStringLiteral("| %1 | %2 | %3 (%4) | %5 | %6 |\n")
                 .arg(mdCell(QFileInfo(s.path).fileName()), mdCell(s.format), mdCell(s.clock),
                      mdCell(s.clockMethod))
                 .arg(s.events)
                 .arg(s.requests);
    m += QStringLiteral("\n## The %1 slowest requests\n\n").arg(d.slowest.size());
    int idx = 0;
    for (const ReportRequest &r : d.slowest) {
        ++idx;
        m += QStringLiteral("### %1. `%2` %3 %4\n\n")
                 .arg(idx)
                 .arg(r.row.key, mdCell(r.row.method), mdCell(r.row.url));
        m += QStringLiteral("status **%1**, total **%2**, side %3%4\n\n")
                 .arg(r.row.status < 0 ? QStringLiteral("–") : QString::number(r.row.status),
                      dur(r.row.duration()), r.row.side,
                      r.row.error.isEmpty()
                          ? QString()
                          : QStringLiteral(", error: %1").arg(mdCell(r.row.error)));
        if (!r.row.cause.isEmpty()) m += QStringLiteral("Cause: %1\n\n").arg(mdCell(r.row.cause));
        m += image(QStringLiteral("waterfall-%1").arg(idx), waterfallSvg(r, 720, &d.stepColours));
        if (!r.classes.isEmpty())
            m += image(QStringLiteral("classes-%1").arg(idx), classBreakdownSvg(r));
        for (const Note &n : r.notes)
            m += QStringLiteral("> **Note:** %1\n\n").arg(mdCell(n.text));
        for (const ReportRaw &raw : r.raw) {
            m += QStringLiteral("Raw %1 (%2), %3%4:\n\n")
                     .arg(raw.kind, raw.side, QFileInfo(raw.sourcePath).fileName(),
                          raw.line >= 0 ? QStringLiteral(" line %1").arg(raw.line) : QString());
            m += fence(displayText(raw.data)) + QLatin1Char('\n');
        }
    }
    m += QStringLiteral("## Notes\n\n");
    if (d.notes.isEmpty()) m += QStringLiteral("No notes.\n\n");
    for (const Note &n : d.notes)
        m += QStringLiteral("- %1: %2\n")
                 .arg(n.target == QLatin1String("request")
                          ? QStringLiteral("request `%1`").arg(n.requestKey)
                          : n.target,
                      mdCell(n.text));
    m += QStringLiteral("\n---\n\n");
    if (d.options.redact) {
        m += QStringLiteral("Redaction rules in force:\n\n");
        for (const QString &rule : d.options.rules.describe())
            m += QStringLiteral("- %1\n").arg(rule);
    } else {
        m += QStringLiteral("Redaction was switched off: this report may contain secrets.\n");
    }
    return m.toUtf8();
}

} // namespace ls
