#include "logline.h"

#include "jsondoc.h"

#include "units.h"

#include <simdjson.h>

#include <charconv>
#include <memory>

namespace ls {

const std::initializer_list<const char *> kRequestIdKeys = {
    "req_id", "request_id", "requestId", "requestID", "x_request_id", "trace_id", "traceId"};
const std::initializer_list<const char *> kDurationKeys = {
    "dur_ns", "dur_us", "dur_ms", "dur", "duration", "latency", "elapsed", "took"};
const std::initializer_list<const char *> kGoroutineKeys = {"goroutine", "goid", "gid", "g"};

const LogField *LogLine::field(QByteArrayView key) const
{
    for (const LogField &f : fields)
        if (f.key == key) return &f;
    return nullptr;
}

const LogField *LogLine::anyField(std::initializer_list<const char *> keys) const
{
    for (const char *k : keys)
        if (const LogField *f = field(k)) return f;
    return nullptr;
}

QByteArray LogLine::value(QByteArrayView key) const
{
    const LogField *f = field(key);
    return f ? f->value : QByteArray();
}

QByteArray requestIdOf(const LogLine &l)
{
    for (const char *k : kRequestIdKeys)
        if (const LogField *f = l.field(k); f && !f->value.isEmpty()) return f->value;
    return QByteArray();
}

std::optional<qint64> durationOf(const LogLine &l, QByteArray *keyUsed)
{
    for (const char *k : kDurationKeys) {
        const LogField *f = l.field(k);
        if (!f || f->value.isEmpty()) continue;
        const QByteArrayView key(k);
        qint64 bareUnit = 1; // ns: slog's JSON and most tools write time.Duration as ns
        if (key.endsWith("_ms"))
            bareUnit = 1000000;
        else if (key.endsWith("_us"))
            bareUnit = 1000;
        std::optional<qint64> v = parseDurationOr(f->value, bareUnit);
        if (v) {
            if (keyUsed) *keyUsed = f->key;
            return v;
        }
    }
    return std::nullopt;
}

bool startsWithGoLogPrefix(QByteArrayView line)
{
    return parseGoLogTime(line).has_value();
}

struct LogLineParser::Json
{
    simdjson::dom::parser parser;
};

LogLineParser::LogLineParser() : m_json(std::make_unique<Json>()) {}
LogLineParser::~LogLineParser() = default;

bool LogLineParser::parse(QByteArrayView line, LogLine &out, bool *jsonError)
{
    out.clear();
    if (jsonError) *jsonError = false;
    qsizetype i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
        ++i;
    if (i < line.size() && line[i] == '{') {
        const bool ok = parseJson(line.sliced(i), out);
        if (!ok && jsonError) *jsonError = true;
        return ok;
    }
    return parseText(line, out);
}

void jsonScalarText(const simdjson::dom::element &v, QByteArray *text, bool *number)
{
    using namespace simdjson;
    *number = false;
    switch (v.type()) {
    case dom::element_type::STRING: {
        std::string_view sv = v.get_string().value_unsafe();
        *text = QByteArray(sv.data(), qsizetype(sv.size()));
        break;
    }
    case dom::element_type::INT64:
        *text = QByteArray::number(qint64(v.get_int64().value_unsafe()));
        *number = true;
        break;
    case dom::element_type::UINT64:
        *text = QByteArray::number(quint64(v.get_uint64().value_unsafe()));
        *number = true;
        break;
    case dom::element_type::DOUBLE: {
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, v.get_double().value_unsafe());
        *text = QByteArray(buf, qsizetype(r.ptr - buf));
        *number = true;
        break;
    }
    case dom::element_type::BOOL:
        *text = v.get_bool().value_unsafe() ? "true" : "false";
        break;
    case dom::element_type::NULL_VALUE:
        text->clear();
        break;
    default: {
        const std::string m = simdjson::minify(v);
        *text = QByteArray(m.data(), qsizetype(m.size()));
        break;
    }
    }
}

static void takeTime(LogLine &out, QByteArrayView key, QByteArrayView value, bool number)
{
    if (out.ts != kNoTime) return;
    if (key != "time" && key != "ts" && key != "timestamp" && key != "t" && key != "@timestamp")
        return;
    if (number) {
        // Unix seconds (float, zap), ms, µs or ns: decide by the magnitude of
        // the integer part.
        const qsizetype dot = value.indexOf('.');
        const auto whole = parseInt(dot < 0 ? value : value.first(dot));
        if (!whole || *whole < 0) return;
        // A number too large for nanoseconds in its unit is not a time.
        qint64 ns = 0;
        if (*whole >= 100000000000000000LL)
            out.ts = *whole; // ns
        else if (*whole >= 100000000000000LL)
            out.ts = __builtin_mul_overflow(*whole, qint64(1000), &ns) ? kNoTime : ns; // µs
        else if (*whole >= 100000000000LL)
            out.ts = __builtin_mul_overflow(*whole, qint64(1000000), &ns) ? kNoTime : ns; // ms
        else if (auto v = parseScaled(value, 9))
            out.ts = *v; // seconds with fraction
        return;
    }
    if (auto t = parseRfc3339(value))
        out.ts = *t;
    else if (auto g = parseGoLogTime(value))
        out.ts = *g;
}

bool LogLineParser::parseJson(QByteArrayView line, LogLine &out)
{
    // The DOM API dispatches to the best kernel for this CPU at run time
    // (the On Demand API would be fixed to the compile-time target).
    using namespace simdjson;
    const size_t need = size_t(line.size()) + SIMDJSON_PADDING;
    if (size_t(m_padded.size()) < need) m_padded.resize(qsizetype(need));
    memcpy(m_padded.data(), line.data(), size_t(line.size()));
    memset(m_padded.data() + line.size(), 0, SIMDJSON_PADDING);
    dom::element doc;
    if (auto err = m_json->parser.parse(m_padded.constData(), size_t(line.size()), false).get(doc)) {
        m_jsonError = ls::jsonErrorText(err);
        return false;
    }
    dom::object obj;
    if (doc.get(obj)) {
        m_jsonError = QStringLiteral("not a JSON object");
        return false;
    }
    for (dom::key_value_pair kv : obj) {
        LogField f;
        f.key = QByteArray(kv.key.data(), qsizetype(kv.key.size()));
        jsonScalarText(kv.value, &f.value, &f.number);
        if (f.key == "msg" || f.key == "message") {
            if (out.msg.isEmpty()) out.msg = f.value;
        }
        takeTime(out, f.key, f.value, f.number);
        out.fields.push_back(std::move(f));
    }
    out.shape = LogLine::Shape::Json;
    return true;
}

// key=value, key="quoted \"value\"", bare words.
bool LogLineParser::parseText(QByteArrayView line, LogLine &out)
{
    qsizetype i = 0;
    int consumed = 0;
    if (auto t = parseGoLogTime(line, &consumed)) {
        out.ts = *t;
        out.shape = LogLine::Shape::GoLog;
        i = consumed;
    }
    QByteArray bare;
    int pairs = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        if (i >= line.size()) break;
        const qsizetype tokStart = i;
        // key candidate
        qsizetype k = i;
        while (k < line.size() && line[k] != '=' && line[k] != ' ' && line[k] != '\t' &&
               line[k] != '"')
            ++k;
        if (k < line.size() && line[k] == '=' && k > tokStart) {
            LogField f;
            f.key = line.sliced(tokStart, k - tokStart).toByteArray();
            i = k + 1;
            if (i < line.size() && line[i] == '"') {
                ++i;
                QByteArray v;
                while (i < line.size() && line[i] != '"') {
                    if (line[i] == '\\' && i + 1 < line.size()) {
                        const char e = line[i + 1];
                        v += e == 'n' ? '\n' : e == 't' ? '\t' : e;
                        i += 2;
                        continue;
                    }
                    v += line[i++];
                }
                if (i < line.size()) ++i; // closing quote
                f.value = v;
            } else {
                const qsizetype vs = i;
                while (i < line.size() && line[i] != ' ' && line[i] != '\t')
                    ++i;
                f.value = line.sliced(vs, i - vs).toByteArray();
                f.number = parseScaled(f.value, 0).has_value();
            }
            if (f.key == "msg" || f.key == "message") {
                if (out.msg.isEmpty()) out.msg = f.value;
            }
            takeTime(out, f.key, f.value, f.number);
            out.fields.push_back(std::move(f));
            ++pairs;
        } else {
            while (i < line.size() && line[i] != ' ' && line[i] != '\t')
                ++i;
            if (!bare.isEmpty()) bare += ' ';
            bare += line.sliced(tokStart, i - tokStart);
        }
    }
    if (out.msg.isEmpty()) out.msg = bare;
    if (out.shape == LogLine::Shape::None) {
        if (pairs == 0) return false;
        out.shape = LogLine::Shape::Logfmt;
    }
    return true;
}

} // namespace ls
