#pragma once
// Parsing and printing of times and durations, shared by every importer and
// view so that "1.5ms" means the same thing everywhere.

#include "records.h"

#include <QByteArrayView>
#include <QString>

#include <optional>

namespace ls {

// Go duration strings as time.Duration.String() writes them and
// time.ParseDuration reads them: "1.234ms", "850µs", "850us", "2m3.5s",
// "-1.5h", "0s". Exact to the nanosecond (no floating point).
std::optional<qint64> parseGoDuration(QByteArrayView s);

// Filter-language durations: a Go duration, or a bare number taken as `unit`.
std::optional<qint64> parseDurationOr(QByteArrayView s, qint64 bareUnitNs);

// RFC 3339 with optional fraction (to ns) and zone (Z or +hh:mm): Unix ns.
std::optional<TimeNs> parseRfc3339(QByteArrayView s);

// Go's log package prefix "2006/01/02 15:04:05[.000000]" (taken as UTC): Unix ns.
// On success *consumed is the prefix length (without the following space).
std::optional<TimeNs> parseGoLogTime(QByteArrayView s, int *consumed = nullptr);

// Days since 1970-01-01 for a proleptic Gregorian date.
qint64 daysFromCivil(qint64 y, unsigned m, unsigned d);

// Integer parsing without allocation; nullopt on any junk.
std::optional<qint64> parseInt(QByteArrayView s);
// Decimal with fraction to an exact integer scaled by 10^scaleDigits ("1.5", 3 → 1500).
std::optional<qint64> parseScaled(QByteArrayView s, int scaleDigits);

// Appends s as a JSON string literal (quotes included); invalid UTF-8 bytes
// become U+FFFD so the result is always valid JSON.
void appendJsonString(QByteArray &out, QByteArrayView s);

// "1.23 ms", "850 µs", "2.1 s": three significant digits.
QString formatDuration(qint64 ns);
// ISO-8601 UTC with microseconds.
QString formatTime(TimeNs ns);
// A counter's value for display: bytes as KiB/MiB/GiB when the counter's
// name says it counts memory ("heap", "bytes", "alloc"), whole numbers with
// digit grouping, others with up to 4 decimals; never scientific notation.
QString formatCounter(const QString &counterName, double value);
// An offset from a timeline's zero, precise to `step` ns, for rulers, axes
// and tooltips: "850µs", "4.75s" under a minute; "12:03.5", "3:12:03.250" and
// "1337d 03:19:07.62" beyond. Never scientific notation.
QString formatOffset(TimeNs offset, TimeNs step);

} // namespace ls
