#include "jsondoc.h"

#include <QJsonArray>
#include <QJsonObject>

#include <simdjson.h>

namespace ls {

void forEachJsonDocument(ImportContext &ctx,
                         const std::function<void(const simdjson::dom::element &, qint64)> &fn,
                         qint64 limit)
{
    const QByteArray data = ctx.input().readAll(limit);
    if (data.trimmed().isEmpty()) throw ImportError(QStringLiteral("empty file"), 0);
    simdjson::padded_string padded(data.constData(), size_t(data.size()));
    simdjson::dom::parser parser;
    simdjson::dom::document_stream docs;
    const size_t batch = std::max<size_t>(simdjson::dom::DEFAULT_BATCH_SIZE, padded.size() + 64);
    if (auto err = parser.parse_many(padded, batch).get(docs))
        throw ImportError(
            QStringLiteral("JSON: %1").arg(jsonErrorText(err)), 0);
    qint64 n = 0;
    for (auto it = docs.begin(); it != docs.end(); ++it) {
        simdjson::dom::element e;
        const qint64 offset = qint64(it.current_index());
        if (auto err = (*it).get(e)) {
            const QString msg = QStringLiteral("not valid JSON: %1")
                                    .arg(jsonErrorText(err));
            if (n == 0) throw ImportError(msg, offset);
            ctx.diag("bad-json", Severity::Warning, offset, -1, msg);
            break; // the stream cannot resynchronise after an error
        }
        ++n;
        fn(e, offset);
        ctx.checkpoint();
    }
    if (n == 0) throw ImportError(QStringLiteral("no JSON document in the file"), 0);
}

static_assert(simdjson::DEFAULT_MAX_DEPTH == size_t(limits::kJsonDepth),
              "the stated JSON nesting limit is simdjson's");

QString jsonErrorText(int simdjsonError)
{
    const auto err = simdjson::error_code(simdjsonError);
    if (err == simdjson::DEPTH_ERROR)
        return QStringLiteral("nested deeper than %1 levels (the limit for one JSON document)")
            .arg(limits::kJsonDepth);
    return QLatin1String(simdjson::error_message(err));
}

QJsonValue toQJson(const simdjson::dom::element &e, int depth)
{
    using simdjson::dom::element_type;
    switch (e.type()) {
    case element_type::STRING: {
        const std::string_view s = e.get_string().value_unsafe();
        return QString::fromUtf8(s.data(), qsizetype(s.size()));
    }
    case element_type::INT64:
        return QJsonValue(qint64(e.get_int64().value_unsafe()));
    case element_type::UINT64:
        return QJsonValue(double(e.get_uint64().value_unsafe()));
    case element_type::DOUBLE:
        return e.get_double().value_unsafe();
    case element_type::BOOL:
        return e.get_bool().value_unsafe();
    case element_type::NULL_VALUE:
        return QJsonValue(QJsonValue::Null);
    case element_type::ARRAY: {
        QJsonArray a;
        if (depth > 64) return a;
        const simdjson::dom::array arr = e.get_array().value_unsafe();
        for (simdjson::dom::element x : arr)
            a.append(toQJson(x, depth + 1));
        return a;
    }
    case element_type::OBJECT: {
        QJsonObject o;
        if (depth > 64) return o;
        const simdjson::dom::object obj = e.get_object().value_unsafe();
        for (auto [k, v] : obj)
            o.insert(QString::fromUtf8(k.data(), qsizetype(k.size())), toQJson(v, depth + 1));
        return o;
    }
    }
    return QJsonValue();
}

QByteArray jsonString(const simdjson::dom::element &e)
{
    std::string_view s;
    if (e.get(s) == simdjson::SUCCESS) return QByteArray(s.data(), qsizetype(s.size()));
    return QByteArray();
}

QByteArray jsonMember(const simdjson::dom::object &o, const char *key)
{
    simdjson::dom::element e;
    return o[key].get(e) == simdjson::SUCCESS ? jsonString(e) : QByteArray();
}

char firstJsonByte(QByteArrayView h, qsizetype *at)
{
    qsizetype i = h.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    while (i < h.size() && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t'))
        ++i;
    if (at) *at = i;
    return i < h.size() ? h[i] : 0;
}

} // namespace ls
