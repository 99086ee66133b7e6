#pragma once
// TraceSpans: what the distributed-tracing formats (OTLP/JSON, Jaeger JSON)
// have in common, and how it becomes Lanescope records. The format readers
// fill TraceSpan values; emitTraceSpans() does the rest the same way for
// both:
//  - one lane of kind 'service' per service name; spans on it are packed
//    into depths so that spans at one depth never overlap (a child that
//    starts while its parent runs lands one level deeper);
//  - a trace with at least one server or client span is a request keyed by
//    its trace id (32 lowercase hex digits), side server or client, with the
//    HTTP method, route or URL, host and status from the span attributes
//    (old and new OpenTelemetry names); every span of the trace links to it;
//  - parent → child and span links become flows between the two spans
//    (kind 'parent' and 'link'); references to spans outside the file are
//    counted, not drawn;
//  - span events / logs are instants on the span's lane;
//  - span kind is the category; attributes, ids and status are the args.
// Times are wall-clock Unix ns.

#include "importer.h"

#include <QByteArray>
#include <QJsonObject>

#include <vector>

namespace ls {

struct TraceSpanEvent
{
    TimeNs ts = kNoTime;
    QByteArray name;
    QJsonObject attributes;
};

struct TraceSpanLink
{
    QByteArray traceId;
    QByteArray spanId;
    QByteArray kind; // parent | link
};

struct TraceSpan
{
    QByteArray traceId; // lowercase hex, 32 digits
    QByteArray spanId;  // lowercase hex
    QByteArray parentSpanId;
    QByteArray name;
    QByteArray service;
    int kind =
        0; // OTLP numbering: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer
    TimeNs start = kNoTime;
    TimeNs end = kNoTime;
    QJsonObject attributes;
    std::vector<TraceSpanEvent> events;
    std::vector<TraceSpanLink> links;
    int statusCode = 0; // 0 unset, 1 ok, 2 error
    QByteArray statusMessage;
    qint64 offset = -1; // where the span was found, for diagnostics
};

// Lowercase hex of a trace or span id written as hex (any case) or base64;
// trace ids shorter than 32 digits (64-bit Jaeger ids) are left-padded with
// zeros. Empty when the text is neither.
QByteArray normalizeTraceId(QByteArrayView text, int hexDigits);

// "SPAN_KIND_SERVER", "server", 2 ... → OTLP kind number.
int spanKindFromText(QByteArrayView text);

void emitTraceSpans(ImportContext &ctx, RecordSink &sink, std::vector<TraceSpan> &spans);

} // namespace ls
