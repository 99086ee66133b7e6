#pragma once
// The limits the importers enforce, in one place (docs/limits.md lists them
// per format). Past a limit an importer allocates no more: it cuts or skips
// the piece with a diagnostic that names the limit, or refuses the file with
// an ImportError that does. No length read from a file sizes an allocation
// before it is checked against the limit and the bytes actually left.

#include <QtGlobal>

class QString;

namespace ls {

class ImportContext;
class LineReader;

namespace limits {

// One line of a text format (LineReader cuts longer lines and skips the rest).
inline constexpr qint64 kLineBytes = qint64(1) << 20;
// One string of a binary format (an execution trace's string table entry).
inline constexpr qint64 kStringBytes = qint64(1) << 20;
// Frames of one stack (execution traces, goroutine dumps, pprof legacy text);
// deeper stacks keep their innermost frames.
inline constexpr qint64 kStackFrames = 1000;
// Open regions, calls or spans nested in one goroutine or thread.
inline constexpr qint64 kNestingDepth = 10000;
// Nesting of one JSON document (simdjson's limit, kept here so it is stated).
inline constexpr qint64 kJsonDepth = 1024;
// A format read whole into memory (HAR, OTLP, Jaeger, execution traces).
inline constexpr qint64 kWholeFileBytes = qint64(2) << 30;
// One record read whole: a Chrome trace event, an execution trace batch.
inline constexpr qint64 kRecordBytes = qint64(64) << 20;
// One HTTP body kept from a dump (longer bodies are cut, marked truncated).
inline constexpr qint64 kBodyBytes = qint64(256) << 20;

// "1 MiB", "2 GiB": a limit as the diagnostics name it.
QString bytesText(qint64 bytes);

} // namespace limits

// A line LineReader cut at limits::kLineBytes: reports "line-too-long" at its
// offset and number. `kept` says whether the importer still reads the line's
// start (else the line is skipped).
void reportLongLine(ImportContext &ctx, qint64 offset, qint64 line, bool kept);
// When the reader's last line was cut: reports it as skipped and returns true.
bool skipLongLine(ImportContext &ctx, const LineReader &reader);

} // namespace ls
