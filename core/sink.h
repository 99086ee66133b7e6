#pragma once
// RecordSink: the one door importers write through. The session's BatchWriter
// implements it on SQLite (prepared statements, interned strings, one
// transaction per source); tests may implement it in memory. Importers never
// see SQL.

#include "records.h"

#include <QByteArrayView>

namespace ls {

class RecordSink
{
public:
    virtual ~RecordSink() = default;

    // Interned string id; equal bytes give equal ids for the whole session.
    virtual StringId intern(QByteArrayView s) = 0;

    // Creates or merges a request by key and returns its id. Fields the record
    // leaves unset keep what earlier evidence said.
    virtual RequestId request(const RequestRecord &r) = 0;
    // Looks a request up by key without creating it; kNoId when unknown.
    virtual RequestId findRequest(QByteArrayView key) = 0;

    virtual void phase(const PhaseRecord &p) = 0;
    virtual LaneId lane(const LaneRecord &l) = 0;
    virtual void renameLane(LaneId lane, QByteArrayView name) = 0;
    virtual SpanId span(const SpanRecord &s) = 0;
    virtual void instant(const InstantRecord &i) = 0;
    virtual void flow(const FlowRecord &f) = 0;
    virtual qint64 rawText(const RawTextRecord &t) = 0;

    virtual ProfileId profile(const ProfileRecord &p) = 0;
    virtual FrameId frame(const FrameRecord &f) = 0;
    virtual CallsiteId callsite(CallsiteId parent, FrameId frame) = 0;
    virtual void sample(const SampleRecord &s) = 0;

    // How this source's timestamps map to the shared timeline. Call before the
    // first timed record; `method` says how the offset was found
    // ("wall clock", "clock snapshot", "request keys", "unaligned").
    virtual void setClock(ClockKind kind, TimeNs offset, QByteArrayView method) = 0;
    // For monotonic sources placed later by shared request keys: the sink
    // collects (key, local start) pairs and can align at the end.
    virtual void alignmentHint(QByteArrayView key, TimeNs localTime) = 0;
};

} // namespace ls
