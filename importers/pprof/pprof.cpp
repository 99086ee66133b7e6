// pprof profile.proto (gzipped or plain), as written by Go's runtime/pprof and
// net/http/pprof, fgprof, and google/pprof. Decoded with libprotobuf from
// profile.proto in this folder. The debug=1 text forms go through
// legacytext.h into the same Profile message.
//
// What becomes what:
//  - every sample type (cpu/nanoseconds, alloc_space/bytes, ...) is one
//    ProfileRecord carrying the period, time_nanos and duration_nanos;
//  - every (function, file, line) seen in a location's lines is a frame; a
//    location with inlined calls gives several frames, innermost last in the
//    stack; a location without lines (stripped binary) is "0x<address>" in
//    its mapping's file;
//  - a sample's stack is a callsite path, root first;
//  - each non-zero value of a sample is one SampleRecord on the profile of its
//    type (zero values add nothing to any total and are not stored); the
//    sample's labels are a JSON object (string labels as strings, numeric ones
//    as numbers, "<key>_unit" beside them when num_unit is set, a key that
//    occurs more than once as an array).
//
// Requests: a request-id label (req_id, request_id, trace_id, ...) links the
// sample to an existing request with that key (findRequest). A profile never
// creates requests: a CPU profile knows nothing of a request but its id, and
// labels of goroutines that outlived their request would otherwise fill the
// request table with empty rows. Import the logs or traces first to get the
// links; the label stays in the sample's labels either way.
//
// Samples have no timestamps; the profile covers [time_nanos, time_nanos +
// duration_nanos] on the wall clock.
//
// Invariants: string indices are checked (an index outside the table is a
// diagnostic and reads as "<bad string N>"); ids are looked up in hash maps,
// never used as array indices; a sample whose values do not match the sample
// types in number uses what it has and is counted.

#include "pprof.h"

#include "common/logline.h"
#include "pprof/legacytext.h"
#include "pprof/profile.pb.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <vector>

namespace ls {

namespace {

constexpr qint64 kMaxProfileBytes = qint64(1) << 30; // libprotobuf's limit is 2 GiB

bool readVarint(QByteArrayView d, qint64 &pos, quint64 &v)
{
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= d.size()) return false;
        const quint8 b = quint8(d[pos++]);
        v |= quint64(b & 0x7f) << shift;
        if (!(b & 0x80)) return true;
    }
    return false;
}

// The wire type each Profile field must have; 13 (comment) may be packed.
bool expectedWireType(quint64 field, quint64 wt)
{
    switch (field) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 11:
        return wt == 2;
    case 7:
    case 8:
    case 9:
    case 10:
    case 12:
    case 14:
    case 15:
        return wt == 0;
    case 13:
        return wt == 0 || wt == 2;
    default:
        return wt == 0 || wt == 1 || wt == 2 || wt == 5; // unknown field: any valid type
    }
}

bool isLegacyCpuProfile(QByteArrayView head)
{
    // 64-bit words: 0 (header count), 3 (header words), 0 (version), period, 0.
    static const char kLegacy[16] = {0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0};
    return head.size() >= 16 && head.first(16) == QByteArrayView(kLegacy, 16);
}

class ProfileReader
{
public:
    ProfileReader(ImportContext &ctx, RecordSink &sink, const lanescope::pprof::Profile &p)
        : m_ctx(ctx), m_sink(sink), m_p(p)
    {}
    void run();

private:
    QByteArray str(qint64 idx);
    QVarLengthArray<FrameId, 4> framesOf(const lanescope::pprof::Location &loc);
    CallsiteId callsiteOf(const lanescope::pprof::Sample &s);
    QByteArray labelsOf(const lanescope::pprof::Sample &s, QByteArray *requestKey);

    ImportContext &m_ctx;
    RecordSink &m_sink;
    const lanescope::pprof::Profile &m_p;
    QHash<quint64, int> m_functions; // id -> index in m_p.function()
    QHash<quint64, int> m_mappings;
    QHash<quint64, int> m_locations;
    QHash<quint64, QVarLengthArray<FrameId, 4>> m_locationFrames; // root-most frame first
    QHash<QPair<CallsiteId, quint64>, CallsiteId> m_steps; // (parent, location) -> deepest callsite
    FrameId m_noStack = kNoId;
};

QByteArray ProfileReader::str(qint64 idx)
{
    if (idx >= 0 && idx < m_p.string_table_size()) {
        const std::string &s = m_p.string_table(int(idx));
        return QByteArray(s.data(), qsizetype(s.size()));
    }
    m_ctx.diag("string-index-out-of-range", Severity::Warning, -1, -1,
               QStringLiteral("string table index %1 is outside the table of %2 strings")
                   .arg(idx)
                   .arg(m_p.string_table_size()));
    return "<bad string " + QByteArray::number(idx) + '>';
}

QVarLengthArray<FrameId, 4> ProfileReader::framesOf(const lanescope::pprof::Location &loc)
{
    QVarLengthArray<FrameId, 4> out;
    if (loc.line_size() == 0) {
        FrameRecord f;
        f.function = "0x" + QByteArray::number(qulonglong(loc.address()), 16);
        auto m = m_mappings.constFind(loc.mapping_id());
        if (m != m_mappings.constEnd()) f.file = str(m_p.mapping(m.value()).filename());
        out.append(m_sink.frame(f));
        return out;
    }
    // Lines are innermost first; the stack wants the physical caller first.
    for (int i = loc.line_size() - 1; i >= 0; --i) {
        const auto &line = loc.line(i);
        FrameRecord f;
        f.line = line.line();
        auto fn = m_functions.constFind(line.function_id());
        if (fn == m_functions.constEnd()) {
            m_ctx.diag("unknown-function", Severity::Warning, -1, -1,
                       QStringLiteral("location %1 refers to function %2, which is not defined")
                           .arg(loc.id())
                           .arg(line.function_id()));
            f.function = "<unknown function " + QByteArray::number(line.function_id()) + '>';
        } else {
            const auto &func = m_p.function(fn.value());
            f.function = str(func.name());
            if (f.function.isEmpty()) f.function = str(func.system_name());
            f.file = str(func.filename());
        }
        out.append(m_sink.frame(f));
    }
    return out;
}

CallsiteId ProfileReader::callsiteOf(const lanescope::pprof::Sample &s)
{
    CallsiteId cs = kNoId;
    // location_id is leaf first: walk it backwards to go from the root down.
    for (int i = s.location_id_size() - 1; i >= 0; --i) {
        const quint64 locId = s.location_id(i);
        const auto key = qMakePair(cs, locId);
        auto step = m_steps.constFind(key);
        if (step != m_steps.constEnd()) {
            cs = step.value();
            continue;
        }
        auto frames = m_locationFrames.constFind(locId);
        if (frames == m_locationFrames.constEnd()) {
            auto loc = m_locations.constFind(locId);
            if (loc == m_locations.constEnd()) {
                m_ctx.diag("unknown-location", Severity::Warning, -1, -1,
                           QStringLiteral("a sample refers to location %1, which is not defined")
                               .arg(locId));
                FrameRecord f;
                f.function = "<unknown location " + QByteArray::number(locId) + '>';
                m_locationFrames.insert(locId, {m_sink.frame(f)});
            } else {
                m_locationFrames.insert(locId, framesOf(m_p.location(loc.value())));
            }
            frames = m_locationFrames.constFind(locId);
        }
        for (FrameId f : frames.value())
            cs = m_sink.callsite(cs, f);
        m_steps.insert(key, cs);
    }
    if (cs == kNoId) {
        if (m_noStack == kNoId) {
            FrameRecord f;
            f.function = "<no stack>";
            m_noStack = m_sink.frame(f);
        }
        cs = m_sink.callsite(kNoId, m_noStack);
    }
    return cs;
}

QByteArray ProfileReader::labelsOf(const lanescope::pprof::Sample &s, QByteArray *requestKey)
{
    if (s.label_size() == 0) return QByteArray();
    QJsonObject o;
    for (const auto &l : s.label()) {
        const QByteArray key = str(l.key());
        const QString k = QString::fromUtf8(key);
        QJsonValue v;
        if (l.str() != 0) {
            const QByteArray value = str(l.str());
            v = QString::fromUtf8(value);
            if (requestKey->isEmpty() && !value.isEmpty())
                for (const char *rk : kRequestIdKeys)
                    if (key == rk) *requestKey = value;
        } else {
            v = double(l.num());
            if (l.num_unit() != 0)
                o.insert(k + QStringLiteral("_unit"), QString::fromUtf8(str(l.num_unit())));
        }
        auto existing = o.find(k);
        if (existing == o.end()) {
            o.insert(k, v);
        } else {
            QJsonArray a = existing->isArray() ? existing->toArray() : QJsonArray{*existing};
            a.append(v);
            *existing = a;
        }
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

void ProfileReader::run()
{
    if (m_p.string_table_size() == 0 || !m_p.string_table(0).empty())
        m_ctx.diag("bad-string-table", Severity::Warning, -1, -1,
                   QStringLiteral("string table entry 0 is not the empty string"));
    if (m_p.sample_type_size() == 0)
        throw ImportError(QStringLiteral("the profile declares no sample types"), 0);

    for (int i = 0; i < m_p.function_size(); ++i)
        m_functions.insert(m_p.function(i).id(), i);
    for (int i = 0; i < m_p.mapping_size(); ++i)
        m_mappings.insert(m_p.mapping(i).id(), i);
    for (int i = 0; i < m_p.location_size(); ++i)
        m_locations.insert(m_p.location(i).id(), i);

    m_sink.setClock(ClockKind::Wall, 0, "wall clock");
    std::vector<ProfileId> profiles;
    const QByteArray periodType = m_p.has_period_type() ? str(m_p.period_type().type()) : "";
    const QByteArray periodUnit = m_p.has_period_type() ? str(m_p.period_type().unit()) : "";
    for (const auto &st : m_p.sample_type()) {
        ProfileRecord r;
        r.sampleType = str(st.type());
        r.unit = str(st.unit());
        r.periodType = periodType;
        r.periodUnit = periodUnit;
        r.period = m_p.period();
        r.time = m_p.time_nanos() != 0 ? m_p.time_nanos() : kNoTime;
        r.durationNs = m_p.duration_nanos();
        profiles.push_back(m_sink.profile(r));
    }

    const int types = int(profiles.size());
    QHash<QByteArray, RequestId> requests; // request key -> id (kNoId: unknown)

    for (int si = 0; si < m_p.sample_size(); ++si) {
        if ((si & 4095) == 0) m_ctx.checkpoint();
        const auto &s = m_p.sample(si);
        if (s.value_size() != types)
            m_ctx.diag("sample-value-count", Severity::Warning, -1, -1,
                       QStringLiteral("sample %1 has %2 values for %3 sample types")
                           .arg(si)
                           .arg(s.value_size())
                           .arg(types));
        QByteArray requestKey;
        SampleRecord r;
        r.labels = labelsOf(s, &requestKey);
        if (!requestKey.isEmpty()) {
            auto it = requests.constFind(requestKey);
            if (it == requests.constEnd())
                it = requests.insert(requestKey, m_sink.findRequest(requestKey));
            r.request = it.value();
        }
        r.callsite = callsiteOf(s);
        const int n = std::min(types, s.value_size());
        for (int t = 0; t < n; ++t) {
            if (s.value(t) == 0) continue;
            r.profile = profiles[size_t(t)];
            r.value = s.value(t);
            m_sink.sample(r);
        }
    }
    m_ctx.addEvents(m_p.sample_size());
}

} // namespace

QString pprofWireCheck(QByteArrayView d, qint64 *offset, bool allowCut, int maxFields,
                       int *complete)
{
    qint64 pos = 0;
    int fields = 0;
    int dummy = 0;
    if (!complete) complete = &dummy;
    while (pos < d.size() && (maxFields < 0 || fields < maxFields)) {
        const qint64 start = pos;
        *offset = start;
        quint64 key = 0;
        if (!readVarint(d, pos, key))
            return allowCut && pos >= d.size() ? QString() : QStringLiteral("bad field key varint");
        const quint64 field = key >> 3, wt = key & 7;
        if (field == 0 || !expectedWireType(field, wt))
            return QStringLiteral("field %1 with wire type %2 is not part of a profile")
                .arg(field)
                .arg(wt);
        quint64 v = 0;
        switch (wt) {
        case 0:
            if (!readVarint(d, pos, v))
                return allowCut && pos >= d.size()
                           ? QString()
                           : QStringLiteral("bad varint in field %1").arg(field);
            break;
        case 1:
        case 5: {
            const qint64 n = wt == 1 ? 8 : 4;
            if (d.size() - pos < n)
                return allowCut ? QString()
                                : QStringLiteral("field %1 is cut off by the end of the data")
                                      .arg(field);
            pos += n;
            break;
        }
        case 2:
            if (!readVarint(d, pos, v))
                return allowCut && pos >= d.size()
                           ? QString()
                           : QStringLiteral("bad length in field %1").arg(field);
            if (v > quint64(d.size() - pos)) {
                if (allowCut) return QString();
                return QStringLiteral("field %1 declares %2 bytes but only %3 remain (truncated?)")
                    .arg(field)
                    .arg(v)
                    .arg(d.size() - pos);
            }
            pos += qint64(v);
            break;
        }
        *complete = ++fields;
    }
    *offset = pos;
    return QString();
}

QByteArray PprofImporter::id() const
{
    return "pprof";
}

QString PprofImporter::displayName() const
{
    return QStringLiteral("pprof profile (profile.proto)");
}

int PprofImporter::sniff(const SniffInput &in) const
{
    if (isLegacyCpuProfile(in.head)) return 90; // claimed so that run() can refuse it clearly
    if (isLegacyTextProfile(in.head)) return 70;
    if (in.head.isEmpty()) return 0;
    switch (quint8(in.head[0])) {
    case 0x0A:
    case 0x12:
    case 0x1A:
    case 0x22:
    case 0x2A:
    case 0x32:
    case 0x48:
    case 0x50:
    case 0x5A:
        break;
    default:
        return 0;
    }
    qint64 offset = 0;
    int complete = 0;
    // Text that happens to start with one of those bytes ("\n", "\"", "2", "H",
    // "P", "Z") fails the walk within a few fields: a key must be one of a
    // dozen byte values, and ASCII lengths jump 32..126 bytes at a time.
    if (!pprofWireCheck(in.head, &offset, true, 64, &complete).isEmpty()) return 0;
    if (in.gzipped) return 80;
    const bool wholeSmallFile = offset == in.head.size() && complete >= 2;
    return complete >= 4 || wholeSmallFile ? 60 : 0;
}

void PprofImporter::run(ImportContext &ctx, RecordSink &sink)
{
    ctx.setStage(QStringLiteral("reading"));
    const QByteArray head = ctx.input().peek(64);
    if (isLegacyCpuProfile(head))
        throw ImportError(QStringLiteral("legacy (pre-protobuf) CPU profile, written before Go 1.9 "
                                         "or by gperftools: not supported; convert it with "
                                         "`go tool pprof -proto FILE > FILE.pb.gz`"),
                          0);
    const QByteArray data = ctx.input().readAll(kMaxProfileBytes);
    if (data.isEmpty()) throw ImportError(QStringLiteral("empty profile"), 0);
    lanescope::pprof::Profile profile;
    if (isLegacyTextProfile(head)) {
        ctx.setStage(QStringLiteral("parsing text profile"));
        parseLegacyTextProfile(data, profile);
        ctx.checkpoint();
        ctx.setStage(QStringLiteral("storing samples"));
        ProfileReader(ctx, sink, profile).run();
        return;
    }
    qint64 offset = 0;
    const QString wireError = pprofWireCheck(data, &offset);
    if (!wireError.isEmpty())
        throw ImportError(QStringLiteral("not a valid pprof protobuf: %1").arg(wireError), offset);
    ctx.setStage(QStringLiteral("decoding"));
    if (!profile.ParseFromArray(data.constData(), int(data.size())))
        throw ImportError(QStringLiteral("not a valid pprof protobuf: a nested message is "
                                         "malformed (corrupt or truncated data)"),
                          -1);
    ctx.checkpoint();
    ctx.setStage(QStringLiteral("storing samples"));
    ProfileReader(ctx, sink, profile).run();
}

} // namespace ls
