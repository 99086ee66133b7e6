#pragma once
// A sink in front of another that holds spans and instants back and passes
// them on grouped by lane (each lane's in the order they came) when flushed:
// the writer then gives one lane's rows consecutive ids, so its runs
// (core/batchwriter.h) are long instead of one per row. For importers whose
// rows switch lanes at almost every record (execution traces), flushed at
// each generation's end and whenever `limit` records wait. Nothing may use
// the span ids it returns (kNoId); everything else goes straight through.

#include "sink.h"

#include <algorithm>
#include <vector>

namespace ls {

class LaneGroupingSink final : public RecordSink
{
public:
    explicit LaneGroupingSink(RecordSink &inner, size_t limit = size_t(1) << 20)
        : m_inner(inner), m_limit(limit)
    {}
    ~LaneGroupingSink() override { flush(); }

    void flush()
    {
        auto byLane = [](const auto &a, const auto &b) { return a.lane < b.lane; };
        std::stable_sort(m_spans.begin(), m_spans.end(), byLane);
        for (const SpanRecord &s : m_spans)
            m_inner.span(s);
        m_spans.clear();
        std::stable_sort(m_instants.begin(), m_instants.end(), byLane);
        for (const InstantRecord &i : m_instants)
            m_inner.instant(i);
        m_instants.clear();
    }

    SpanId span(const SpanRecord &s) override
    {
        m_spans.push_back(s);
        if (m_spans.size() + m_instants.size() >= m_limit) flush();
        return kNoId;
    }
    void instant(const InstantRecord &i) override
    {
        m_instants.push_back(i);
        if (m_spans.size() + m_instants.size() >= m_limit) flush();
    }

    StringId intern(QByteArrayView s) override { return m_inner.intern(s); }
    RequestId request(const RequestRecord &r) override { return m_inner.request(r); }
    RequestId findRequest(QByteArrayView key) override { return m_inner.findRequest(key); }
    void phase(const PhaseRecord &p) override { m_inner.phase(p); }
    LaneId lane(const LaneRecord &l) override { return m_inner.lane(l); }
    void renameLane(LaneId lane, QByteArrayView name) override { m_inner.renameLane(lane, name); }
    void flow(const FlowRecord &f) override { m_inner.flow(f); }
    qint64 rawText(const RawTextRecord &t) override { return m_inner.rawText(t); }
    ProfileId profile(const ProfileRecord &p) override { return m_inner.profile(p); }
    FrameId frame(const FrameRecord &f) override { return m_inner.frame(f); }
    CallsiteId callsite(CallsiteId parent, FrameId frame) override
    {
        return m_inner.callsite(parent, frame);
    }
    void sample(const SampleRecord &s) override { m_inner.sample(s); }
    void setClock(ClockKind kind, TimeNs offset, QByteArrayView method) override
    {
        m_inner.setClock(kind, offset, method);
    }
    void alignmentHint(QByteArrayView key, TimeNs localTime) override
    {
        m_inner.alignmentHint(key, localTime);
    }

private:
    RecordSink &m_inner;
    size_t m_limit;
    std::vector<SpanRecord> m_spans;
    std::vector<InstantRecord> m_instants;
};

} // namespace ls
