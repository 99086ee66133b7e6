#include "legacytext.h"
#include "importlimits.h"

#include "importer.h"
#include "pprof/profile.pb.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <vector>

namespace ls {

namespace {

constexpr qsizetype kMaxLine = qsizetype(limits::kLineBytes);
constexpr int kMaxStack = int(limits::kStackFrames);

QByteArrayView trimmed(QByteArrayView s)
{
    while (!s.isEmpty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s = s.sliced(1);
    while (!s.isEmpty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.chop(1);
    return s;
}

class Lines
{
public:
    explicit Lines(QByteArrayView d) : m_d(d) {}
    // The next line (without its newline); false at the end.
    bool next(QByteArrayView &line)
    {
        if (m_pos >= m_d.size()) return false;
        qsizetype end = m_d.indexOf('\n', m_pos);
        if (end < 0) end = m_d.size();
        ++m_line;
        if (end - m_pos > kMaxLine)
            fail(QStringLiteral("line longer than %1 (the limit for one line)")
                     .arg(limits::bytesText(limits::kLineBytes)));
        line = m_d.sliced(m_pos, end - m_pos);
        m_prev = m_pos;
        m_pos = end + 1;
        return true;
    }
    // The line just read comes again from next().
    void unread()
    {
        m_pos = m_prev;
        --m_line;
    }
    [[noreturn]] void fail(const QString &why) const { throw ImportError(why, -1, m_line); }
    qint64 lineNumber() const { return m_line; }

private:
    QByteArrayView m_d;
    qsizetype m_pos = 0, m_prev = 0;
    qint64 m_line = 0;
};

bool isComment(QByteArrayView t)
{
    return t.isEmpty() || t.front() == '#';
}

bool parseInt(QByteArrayView s, qint64 &v)
{
    bool ok = false;
    v = QByteArray(s.data(), s.size()).toLongLong(&ok, 10);
    return ok;
}

// "a: b [c: d]" at the start of `s`; returns what follows.
bool parsePairs(QByteArrayView s, qint64 v[4], QByteArrayView *rest)
{
    auto num = [&s](qint64 &out) {
        s = trimmed(s);
        qsizetype n = 0;
        if (n < s.size() && s[n] == '-') ++n;
        while (n < s.size() && s[n] >= '0' && s[n] <= '9')
            ++n;
        if (n == 0 || (n == 1 && s[0] == '-') || n > 19) return false;
        if (!parseInt(s.first(n), out)) return false;
        s = s.sliced(n);
        return true;
    };
    auto expect = [&s](char c) {
        s = trimmed(s);
        if (s.isEmpty() || s.front() != c) return false;
        s = s.sliced(1);
        return true;
    };
    if (!num(v[0]) || !expect(':') || !num(v[1]) || !expect('[') || !num(v[2]) || !expect(':') ||
        !num(v[3]) || !expect(']'))
        return false;
    *rest = trimmed(s);
    return true;
}

// A scaled count as an integer. Go converts without a check; out of range
// (a damaged profile's huge or infinite scale) it is held at the limit.
qint64 scaledCount(double v)
{
    if (std::isnan(v)) return 0;
    if (v >= 9223372036854775807.0) return std::numeric_limits<qint64>::max();
    if (v <= -9223372036854775808.0) return std::numeric_limits<qint64>::min();
    return qint64(v);
}

// Go's scaleHeapSample.
void scaleHeap(qint64 &count, qint64 &size, qint64 rate)
{
    if (count == 0 || size == 0) {
        count = size = 0;
        return;
    }
    if (rate <= 1) return;
    const double avg = double(size) / double(count);
    const double scale = 1 / (1 - std::exp(-avg / double(rate)));
    count = scaledCount(double(count) * scale);
    size = scaledCount(double(size) * scale);
}

class Builder
{
public:
    explicit Builder(lanescope::pprof::Profile &p) : m_p(p) { str(QByteArray()); }

    qint64 str(const QByteArray &s)
    {
        auto it = m_strings.constFind(s);
        if (it != m_strings.constEnd()) return it.value();
        const qint64 id = m_p.string_table_size();
        m_p.add_string_table(s.toStdString());
        m_strings.insert(s, id);
        return id;
    }
    void sampleType(const char *type, const char *unit)
    {
        auto *vt = m_p.add_sample_type();
        vt->set_type(str(type));
        vt->set_unit(str(unit));
    }
    void periodType(const QByteArray &type, const char *unit, qint64 period)
    {
        m_p.mutable_period_type()->set_type(str(type));
        m_p.mutable_period_type()->set_unit(str(unit));
        m_p.set_period(period);
    }

    // "@ 0x1 0x2 ..." -> the stack of a new sample (addresses as pprof keeps
    // them: minus one).
    void beginSample(QByteArrayView at, const Lines &lines)
    {
        at = trimmed(at);
        if (at.isEmpty() || at.front() != '@')
            lines.fail(QStringLiteral("expected '@' and a stack"));
        at = at.sliced(1);
        Pending s;
        for (QByteArrayView tok : QByteArray(at.data(), at.size()).split(' ')) {
            tok = trimmed(tok);
            if (tok.isEmpty()) continue;
            if (!tok.startsWith("0x"))
                lines.fail(
                    QStringLiteral("stack address \"%1\" is not hexadecimal")
                        .arg(QString::fromLatin1(tok.first(std::min<qsizetype>(tok.size(), 40)))));
            bool ok = false;
            const quint64 a = QByteArray(tok.data() + 2, tok.size() - 2).toULongLong(&ok, 16);
            if (!ok || a == 0) lines.fail(QStringLiteral("bad stack address"));
            if (s.addrs.size() >= kMaxStack)
                lines.fail(QStringLiteral("stack deeper than %1 frames (the limit for one stack)")
                               .arg(kMaxStack));
            s.addrs.push_back(a - 1);
        }
        m_samples.push_back(std::move(s));
    }
    std::vector<qint64> &values() { return m_samples.back().values; }
    bool hasSample() const { return !m_samples.empty(); }

    // "#\t0xPC\tname+0xOFF\tfile:line", "#\t0xPC" or "# labels: {...}".
    void comment(QByteArrayView t)
    {
        t = trimmed(t.sliced(1));
        if (t.startsWith("labels:")) {
            if (m_samples.empty()) return;
            const QByteArrayView json = trimmed(t.sliced(7));
            QJsonParseError err;
            const QJsonDocument d =
                QJsonDocument::fromJson(QByteArray(json.data(), json.size()), &err);
            if (!d.isObject()) return;
            const QJsonObject o = d.object();
            for (auto it = o.begin(); it != o.end(); ++it)
                if (it->isString())
                    m_samples.back().labels.push_back({it.key().toUtf8(), it->toString().toUtf8()});
            return;
        }
        if (!t.startsWith("0x")) return; // "# runtime.MemStats" and its figures
        qsizetype end = 0;
        while (end < t.size() && t[end] != '\t' && t[end] != ' ')
            ++end;
        bool ok = false;
        const quint64 pc = QByteArray(t.data() + 2, end - 2).toULongLong(&ok, 16);
        if (!ok) return;
        QByteArrayView rest = trimmed(t.sliced(end));
        if (rest.isEmpty()) return; // an address the runtime could not name
        qsizetype tab = rest.indexOf('\t');
        if (tab < 0) tab = rest.indexOf(' ');
        QByteArrayView name = tab < 0 ? rest : rest.first(tab);
        const QByteArrayView where = tab < 0 ? QByteArrayView() : trimmed(rest.sliced(tab));
        const qsizetype plus = name.lastIndexOf("+0x");
        if (plus > 0) name = name.first(plus);
        Frame f;
        f.function = QByteArray(name.data(), name.size());
        const qsizetype colon = where.lastIndexOf(':');
        if (colon > 0) {
            f.file = QByteArray(where.data(), colon);
            qint64 line = 0;
            if (parseInt(where.sliced(colon + 1), line)) f.line = line;
        } else {
            f.file = QByteArray(where.data(), where.size());
        }
        // Inlined calls print consecutive lines for one address; an address
        // seen again (another stack, recursion) prints them again.
        auto &frames = m_frames[pc];
        const bool continues = m_lastPc == pc && m_lastSample == m_samples.size();
        m_lastPc = pc;
        m_lastSample = m_samples.size();
        if (!frames.empty() && (!continues || frames.front().function == f.function)) return;
        frames.push_back(std::move(f));
    }

    void finish()
    {
        QHash<quint64, quint64> locations; // address -> location id
        QHash<QByteArray, quint64> functions;
        auto functionId = [&](const Frame &f) -> quint64 {
            const QByteArray key = f.function + '\0' + f.file;
            auto it = functions.constFind(key);
            if (it != functions.constEnd()) return it.value();
            auto *fn = m_p.add_function();
            fn->set_id(quint64(m_p.function_size()));
            fn->set_name(str(f.function));
            fn->set_system_name(fn->name());
            fn->set_filename(str(f.file));
            functions.insert(key, fn->id());
            return fn->id();
        };
        auto locationId = [&](quint64 addr) -> quint64 {
            auto it = locations.constFind(addr);
            if (it != locations.constEnd()) return it.value();
            auto *loc = m_p.add_location();
            loc->set_id(quint64(m_p.location_size()));
            loc->set_address(addr);
            auto fr = m_frames.constFind(addr);
            if (fr != m_frames.constEnd())
                for (const Frame &f : fr.value()) {
                    auto *l = loc->add_line();
                    l->set_function_id(functionId(f));
                    l->set_line(f.line);
                }
            locations.insert(addr, loc->id());
            return loc->id();
        };
        for (const Pending &s : m_samples) {
            auto *out = m_p.add_sample();
            // Unnamed addresses at either end are frames the runtime hid.
            qsizetype first = 0, last = qsizetype(s.addrs.size());
            if (!m_frames.isEmpty()) {
                while (first < last && !m_frames.contains(s.addrs[size_t(first)]))
                    ++first;
                while (last > first && !m_frames.contains(s.addrs[size_t(last - 1)]))
                    --last;
            }
            for (qsizetype i = first; i < last; ++i)
                out->add_location_id(locationId(s.addrs[size_t(i)]));
            for (qint64 v : s.values)
                out->add_value(v);
            for (const auto &[k, v] : s.labels) {
                auto *l = out->add_label();
                l->set_key(str(k));
                l->set_str(str(v));
            }
            if (s.blockSize >= 0) {
                auto *l = out->add_label();
                l->set_key(str("bytes"));
                l->set_num(s.blockSize);
            }
        }
    }
    void setBlockSize(qint64 b) { m_samples.back().blockSize = b; }

private:
    struct Frame
    {
        QByteArray function, file;
        qint64 line = 0;
    };
    struct Pending
    {
        std::vector<quint64> addrs;
        std::vector<qint64> values;
        std::vector<std::pair<QByteArray, QByteArray>> labels;
        qint64 blockSize = -1;
    };
    lanescope::pprof::Profile &m_p;
    QHash<QByteArray, qint64> m_strings;
    std::vector<Pending> m_samples;
    QHash<quint64, std::vector<Frame>> m_frames;
    quint64 m_lastPc = 0; // the address of the last "#" line, and its sample
    size_t m_lastSample = 0;
};

// The next sample line, trimmed: comment lines ("#" frames, labels) go to
// the builder on the way; false at the end or at a "---" section.
bool nextSample(Lines &lines, Builder &b, QByteArrayView &t)
{
    QByteArrayView line;
    while (lines.next(line)) {
        t = trimmed(line);
        if (!isComment(t)) return !t.startsWith("---");
        if (!t.isEmpty()) b.comment(t);
    }
    return false;
}

void parseHeap(Lines &lines, QByteArrayView header, Builder &b)
{
    // "heap profile: 9: 6816240 [782: 35061144] @ heap/1048576"
    qint64 h[4];
    QByteArrayView rest;
    if (!parsePairs(header.sliced(int(sizeof("heap profile:")) - 1), h, &rest) ||
        !rest.startsWith("@"))
        lines.fail(QStringLiteral("malformed heap profile header"));
    rest = trimmed(rest.sliced(1));
    const qsizetype slash = rest.indexOf('/');
    const QByteArrayView kind = slash < 0 ? rest : rest.first(slash);
    qint64 period = 0;
    if (slash >= 0 && !parseInt(rest.sliced(slash + 1), period))
        lines.fail(QStringLiteral("malformed heap sampling rate"));
    bool v2 = false;
    if (kind == "heap_v2" || kind == "heapz_v2") {
        v2 = true;
    } else if (kind == "heap") {
        v2 = true;
        period /= 2;
    } else if (kind == "heapprofile") {
        period = 1;
    } else {
        lines.fail(QStringLiteral("unknown heap profile kind \"%1\"")
                       .arg(QString::fromLatin1(kind.first(std::min<qsizetype>(kind.size(), 40)))));
    }
    const bool hasAlloc = (h[2] != h[0] && h[2] != 0) || (h[3] != h[1] && h[3] != 0);
    b.periodType("space", "bytes", period);
    if (hasAlloc) {
        b.sampleType("alloc_objects", "count");
        b.sampleType("alloc_space", "bytes");
        b.sampleType("inuse_objects", "count");
        b.sampleType("inuse_space", "bytes");
    } else {
        b.sampleType("objects", "count");
        b.sampleType("space", "bytes");
    }
    QByteArrayView t;
    while (nextSample(lines, b, t)) {
        qint64 v[4];
        if (!parsePairs(t, v, &rest)) lines.fail(QStringLiteral("malformed heap sample"));
        b.beginSample(rest, lines);
        qint64 blockSize = 0;
        auto add = [&](qint64 count, qint64 size, const char *what) {
            if (count == 0 && size != 0)
                lines.fail(QStringLiteral("%1 count is 0 but its bytes are %2")
                               .arg(QLatin1String(what))
                               .arg(size));
            if (count != 0) {
                blockSize = size / count;
                if (v2) scaleHeap(count, size, period);
            }
            b.values().push_back(count);
            b.values().push_back(size);
        };
        if (hasAlloc) add(v[2], v[3], "allocation");
        add(v[0], v[1], "in-use");
        b.setBlockSize(blockSize);
    }
}

void parseCount(Lines &lines, QByteArrayView header, Builder &b)
{
    // "goroutine profile: total 33"
    const QByteArray name(header.data(), header.indexOf(' '));
    b.periodType(name, "count", 1);
    b.sampleType(name.constData(), "count");
    QByteArrayView t;
    while (nextSample(lines, b, t)) {
        const qsizetype at = t.indexOf(" @");
        qint64 n = 0;
        if (at <= 0 || !parseInt(t.first(at), n) || n < 0)
            lines.fail(QStringLiteral("malformed %1 sample (want \"COUNT @ 0x...\")")
                           .arg(QString::fromLatin1(name)));
        b.beginSample(t.sliced(at), lines);
        b.values().push_back(n);
    }
}

void parseContention(Lines &lines, Builder &b)
{
    qint64 cpuHz = 0, period = 1;
    QByteArrayView line;
    // "attribute = value" lines before the samples.
    while (lines.next(line)) {
        const QByteArrayView t = trimmed(line);
        if (isComment(t)) continue;
        const qsizetype eq = t.indexOf('=');
        if (eq < 0) {
            lines.unread(); // the first sample
            break;
        }
        const QByteArrayView key = trimmed(t.first(eq));
        qint64 v = 0;
        if (!parseInt(trimmed(t.sliced(eq + 1)), v))
            lines.fail(QStringLiteral("malformed contention attribute"));
        if (key == "cycles/second")
            cpuHz = v;
        else if (key == "sampling period")
            period = v;
    }
    b.periodType("contentions", "count", period);
    b.sampleType("contentions", "count");
    b.sampleType("delay", "nanoseconds");
    QByteArrayView t;
    while (nextSample(lines, b, t)) {
        const qsizetype at = t.indexOf(" @");
        const qsizetype sp = t.indexOf(' ');
        qint64 cycles = 0, count = 0;
        if (at <= 0 || sp <= 0 || !parseInt(t.first(sp), cycles) ||
            !parseInt(trimmed(t.sliced(sp, at - sp)), count) || cycles < 0 || count < 0)
            lines.fail(
                QStringLiteral("malformed contention sample (want \"CYCLES COUNT @ 0x...\")"));
        if (period > 0) {
            if (cpuHz > 0)
                cycles = scaledCount(double(cycles) * double(period) / (double(cpuHz) / 1e9));
            count *= period;
        }
        b.beginSample(t.sliced(at), lines);
        b.values().push_back(count);
        b.values().push_back(cycles);
    }
}

} // namespace

bool isLegacyTextProfile(QByteArrayView head)
{
    return head.startsWith("heap profile:") || head.startsWith("--- contention:") ||
           head.startsWith("--- mutex:") || head.startsWith("goroutine profile:") ||
           head.startsWith("threadcreate profile:");
}

void parseLegacyTextProfile(QByteArrayView data, lanescope::pprof::Profile &out)
{
    Lines lines(data);
    Builder b(out);
    QByteArrayView line;
    while (lines.next(line) && isComment(trimmed(line))) {
    }
    const QByteArrayView header = trimmed(line);
    if (header.startsWith("heap profile:")) {
        parseHeap(lines, header, b);
    } else if (header.startsWith("--- mutex:") || header.startsWith("--- contention:")) {
        parseContention(lines, b);
    } else if (header.endsWith("profile: total") || header.contains(" profile: total ")) {
        parseCount(lines, header, b);
    } else {
        lines.fail(QStringLiteral("not a text profile Go writes (heap, goroutine, threadcreate, "
                                  "mutex or block with debug=1)"));
    }
    if (!b.hasSample() && out.sample_type_size() == 0)
        lines.fail(QStringLiteral("the profile declares no sample types"));
    b.finish();
}

} // namespace ls
