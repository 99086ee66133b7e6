#pragma once
// Reader of the generation-based execution-trace format (Go 1.22+), binary
// and the line-oriented text form of the Go test suite. See v2parser.cpp.

#include "importer.h"

#include <QByteArray>

namespace ls {
class InputStream;
}

namespace ls::exectrace {

// Offset of a "Trace Go1.NN" line (alone or inside a txtar "-- trace --"
// section) within the first bytes, or -1.
qsizetype findTextTrace(QByteArrayView head);

// A Go string literal (with its quotes) as bytes; *ok false when malformed.
QByteArray goUnquote(QByteArrayView quoted, bool *ok = nullptr);

// Reads from `in` past nothing yet (its 16-byte header included), one
// generation at a time.
void importV2(ImportContext &ctx, RecordSink &sink, InputStream &in, int version);
void importV2Text(ImportContext &ctx, RecordSink &sink, const QByteArray &data);

} // namespace ls::exectrace
