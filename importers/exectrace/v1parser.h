#pragma once
// Reader of the old execution-trace format (Go 1.5-1.21). See v1parser.cpp.

#include "importer.h"

#include <QByteArray>

namespace ls::exectrace {

// Go trace header "go 1.N trace\0..." (16 bytes): 1000 + N, or 0 when the
// bytes are not a trace header.
int parseTraceHeader(QByteArrayView head);

struct V1Stats
{
    qint64 events = 0;
    qint64 goroutines = 0;
    qint64 tasks = 0;
};

// Parses `data` (the whole file, header included) and emits records.
// Throws ImportError only when nothing at all could be read.
V1Stats importV1(ImportContext &ctx, RecordSink &sink, const QByteArray &data, int version);

} // namespace ls::exectrace
