#pragma once
// Annotated reports: a ReportData is read once from the session, then
// rendered as one self-contained HTML file (charts as inline SVG, no external
// URL), as Markdown with SVG images written beside it, or (in the app) as PDF.
//
// Invariants: every string taken from a trace is escaped in HTML (and fenced
// in Markdown); raw request/response text passes through redactHttp() unless
// redaction was switched off, and the rules in force are listed in the footer.

#include "palette.h"
#include "analysis.h"
#include "annotations.h"
#include "queries.h"
#include "redact.h"

#include <QMap>

namespace ls {

struct ReportOptions
{
    QString title = QStringLiteral("Lanescope report");
    int top = 10;
    bool redact = true;
    RedactionRules rules = RedactionRules::defaults();
    QString filter;             // the request filter the summary covers
    qint64 maxRawBytes = 16384; // per raw message; longer ones are cut with a note
};

struct ReportPhase
{
    QString kind, name, side;
    TimeNs start = kNoTime, end = kNoTime;
};

struct ReportRaw
{
    QString kind, side, sourcePath;
    QByteArray data; // already redacted when the report redacts
    qint64 fullSize = 0;
    qint64 offset = -1, line = -1;
};

struct ReportRequest
{
    RequestRow row;
    std::vector<ReportPhase> phases; // by start
    QList<ReportRaw> raw;
    QList<Note> notes;
    ClassBreakdown classes; // empty when nothing was classified
};

// The summary figures (count, errors, percentiles, durations of every request
// in the filter) are the RequestSummary of queries.h, as the app and `check` show them.
struct ReportData : RequestSummary
{
    ReportOptions options;
    QString sessionPath;
    TimeNs generated = 0;
    QList<SourceRow> sources;
    std::vector<ReportRequest> slowest;
    QList<Note> notes;
    palette::CategoricalColours stepColours; // over the session's step names, as the app has them
};

ReportData buildReport(const Db &db, const QString &sessionPath, const ReportOptions &options);

// Charts as standalone SVG documents.
QByteArray latencyHistogramSvg(const ReportData &d, int width = 720, int height = 220);
QByteArray phaseBreakdownSvg(const ReportData &d, int width = 720);
QByteArray waterfallSvg(const ReportRequest &r, int width = 720,
                        const palette::CategoricalColours *stepColours = nullptr);
// One stacked bar of the request's latency classes with a legend; empty when
// the request has none.
QByteArray classBreakdownSvg(const ReportRequest &r, int width = 720);

// `imageRef` turns a chart id ("histogram", "breakdown", "waterfall-3") into
// what goes into <img src>; empty: the SVG is inlined.
using ImageRefFn = std::function<QString(const QString &id, const QByteArray &svg)>;
QByteArray renderHtml(const ReportData &d, const ImageRefFn &imageRef = {});
// Writes the charts as SVG files into imageDir (named imagePrefix-<id>.svg)
// and returns the Markdown text referring to them by relative path.
QByteArray renderMarkdown(const ReportData &d, const QString &imageDir, const QString &imagePrefix);

// Text of a raw message fit for display: valid UTF-8 is kept, CRLF becomes
// LF, control bytes other than tab/CR/LF and invalid sequences become \xNN.
QString displayText(const QByteArray &raw);

} // namespace ls
