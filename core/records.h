#pragma once
// The neutral records importers emit. Importers describe what they found in a
// file in these terms and nothing else; how and where it is stored is the
// sink's business (see sink.h). Every time is integer nanoseconds in the
// source's own clock; the sink adds the source's offset to the shared timeline.
//
// Invariants a sink relies on:
//  - a record refers to lanes, requests, spans, frames and callsites only by ids
//    the same sink handed out earlier in the same import;
//  - start <= end for every interval (the sink clamps and counts a diagnostic
//    when an importer gets this wrong rather than storing a negative interval).

#include <QByteArray>
#include <QtGlobal>

#include <cstdint>
#include <limits>

namespace ls {

using TimeNs = qint64;
inline constexpr TimeNs kNoTime = std::numeric_limits<qint64>::min();

using StringId = qint64;
using RequestId = qint64;
using LaneId = qint64;
using SpanId = qint64;
using ProfileId = qint64;
using FrameId = qint64;
using CallsiteId = qint64;
inline constexpr qint64 kNoId = 0; // SQLite rowids start at 1

enum class Side : quint8
{
    Unknown = 0,
    Client = 1,
    Server = 2
};
const char *sideName(Side s);

// How a source's clock maps onto the shared timeline.
enum class ClockKind : quint8
{
    Wall = 0,      // Unix-epoch nanoseconds already
    Monotonic = 1, // arbitrary epoch; needs an offset (snapshot, request keys, or by hand)
    Relative = 2,  // counts from process start (gctrace @T, schedtrace ms)
};
const char *clockKindName(ClockKind c);

// How far a record's start/end can be trusted when evidence of the same side
// merges. Exact: measured at the source (httptrace hooks, HAR timings); the
// first exact record of a side in an import replaces what other evidence said.
// Approximate: reconstructed (a log line's time minus a logged latency, the
// time a dump was logged); it only fills a side that has no time yet, so a
// coarse log time never widens a measured interval.
enum class TimeQuality : quint8
{
    Normal = 0, // earliest start and latest end win
    Exact = 1,
    Approximate = 2
};

// One logical request seen by this source. Records with the same non-empty key
// merge into one request row, across sources too: a client dump, its
// httptrace phases and the server's step logs become one request with both
// sides kept (client_* and server_* columns).
struct RequestRecord
{
    QByteArray key; // correlation key (request id, trace id); empty: a fresh unique key
    Side side = Side::Unknown;
    QByteArray method;
    QByteArray url;  // as seen: origin-form path or absolute URL
    QByteArray host; // Host header or URL host
    QByteArray handler;
    QByteArray error; // transport / client error text
    int status = -1;  // -1 unknown, 0 no response
    TimeNs start = kNoTime;
    TimeNs end = kNoTime;
    bool loadTest = false; // comes from a load generator's result file
    TimeQuality timeQuality = TimeQuality::Normal;
};

// A per-request interval: client phases (dns, connect, tls, send, wait,
// receive, blocked, getconn) and named server steps (kind "step").
struct PhaseRecord
{
    RequestId request = kNoId;
    Side side = Side::Unknown;
    QByteArray kind; // dns | connect | tls | send | wait | receive | blocked | getconn | step
    QByteArray name; // step name, or detail ("connect 127.0.0.1:80")
    TimeNs start = kNoTime;
    TimeNs end = kNoTime;
    LaneId lane = kNoId; // goroutine that ran it, when known
    QByteArray args;     // JSON object text, may be empty
};

// A swimlane. Lanes are found again by (kind, externalId) within one import:
// asking twice for goroutine 42 returns the same lane.
struct LaneRecord
{
    QByteArray kind; // goroutine | thread | proc | gc | request | counter | service | ...
    qint64 externalId = 0;
    QByteArray name;
    LaneId parent = kNoId;
    qint64 sortKey = 0;
};

struct SpanRecord
{
    LaneId lane = kNoId;
    TimeNs start = kNoTime;
    TimeNs end = kNoTime;
    int depth = 0;
    StringId name = kNoId;
    StringId category = kNoId; // state for goroutine lanes: running, runnable, blocked-net, ...
    RequestId request = kNoId;
    QByteArray args; // JSON object text, may be empty
};

struct InstantRecord
{
    LaneId lane = kNoId;
    TimeNs ts = kNoTime;
    StringId name = kNoId;
    StringId category = kNoId;
    double value = 0; // counters: the sample value
    bool hasValue = false;
    RequestId request = kNoId;
    QByteArray args;
};

struct FlowRecord
{
    QByteArray kind; // create | unblock | handler | parent | link
    LaneId fromLane = kNoId;
    TimeNs fromTs = kNoTime;
    LaneId toLane = kNoId;
    TimeNs toTs = kNoTime;
    SpanId fromSpan = kNoId;
    SpanId toSpan = kNoId;
};

// Bytes exactly as found in the file: a dumped request or response, a panic
// stack, a log line. `offset` is the byte offset of the first byte in the
// (decompressed) input, `line` its 1-based line, when known.
struct RawTextRecord
{
    RequestId request = kNoId;
    Side side = Side::Unknown;
    QByteArray kind; // request | response | stack | log
    QByteArray data;
    qint64 offset = -1;
    qint64 line = -1;
    TimeNs ts = kNoTime;
};

struct ProfileRecord
{
    QByteArray sampleType; // cpu, alloc_space, ...
    QByteArray unit;       // nanoseconds, bytes, count
    QByteArray periodType;
    QByteArray periodUnit;
    qint64 period = 0;
    TimeNs time = kNoTime;
    qint64 durationNs = 0;
};

struct FrameRecord
{
    QByteArray function;
    QByteArray file;
    qint64 line = 0;
};

struct SampleRecord
{
    ProfileId profile = kNoId;
    CallsiteId callsite = kNoId;
    qint64 value = 0;
    TimeNs ts = kNoTime;
    LaneId lane = kNoId;
    RequestId request = kNoId;
    QByteArray labels; // JSON object text
};

} // namespace ls
