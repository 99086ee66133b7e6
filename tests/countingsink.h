#pragma once
// A sink that only counts and a context over one file: an importer run with
// nothing but its own work (parser speed, the importer's own memory).

#include "importer.h"
#include "inputstream.h"
#include "sink.h"

namespace ls::test {

class CountingSink final : public RecordSink
{
public:
    qint64 n = 0;
    StringId intern(QByteArrayView) override { return ++n; }
    RequestId request(const RequestRecord &) override { return ++n; }
    RequestId findRequest(QByteArrayView) override { return kNoId; }
    void phase(const PhaseRecord &) override { ++n; }
    LaneId lane(const LaneRecord &) override { return ++n; }
    void renameLane(LaneId, QByteArrayView) override {}
    SpanId span(const SpanRecord &) override { return ++n; }
    void instant(const InstantRecord &) override { ++n; }
    void flow(const FlowRecord &) override { ++n; }
    qint64 rawText(const RawTextRecord &) override { return ++n; }
    ProfileId profile(const ProfileRecord &) override { return ++n; }
    FrameId frame(const FrameRecord &) override { return ++n; }
    CallsiteId callsite(CallsiteId, FrameId) override { return ++n; }
    void sample(const SampleRecord &) override { ++n; }
    void setClock(ClockKind, TimeNs, QByteArrayView) override {}
    void alignmentHint(QByteArrayView, TimeNs) override {}
};

class CountingContext final : public ImportContext
{
public:
    explicit CountingContext(const QString &path) : m_in(path), m_path(path) {}
    InputStream &input() override { return m_in; }
    QString path() const override { return m_path; }
    void diag(QByteArrayView, Severity, qint64, qint64, const QString &) override {}
    void checkpoint() override {}
    void setStage(const QString &) override {}
    void addEvents(qint64 n) override { events += n; }
    qint64 events = 0;

private:
    InputStream m_in;
    QString m_path;
};

} // namespace ls::test
