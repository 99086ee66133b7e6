#pragma once
// Helpers for importers that read a whole (modest) JSON document, or JSON
// Lines, with simdjson's DOM API.

#include "importer.h"
#include "importlimits.h"

#include <QByteArray>
#include <QJsonValue>

#include <functional>

namespace simdjson::dom {
class element;
class object;
} // namespace simdjson::dom

namespace ls {

// Reads the whole input (up to `limit` bytes) and calls `fn` for each JSON
// document in it: one document, or one per line. A document that does not
// parse throws ImportError when it is the first one, else is a diagnostic.
void forEachJsonDocument(
    ImportContext &ctx,
    const std::function<void(const simdjson::dom::element &, qint64 offset)> &fn,
    qint64 limit = limits::kWholeFileBytes);

// A simdjson error as the diagnostics say it; nesting past
// limits::kJsonDepth is named as that limit.
QString jsonErrorText(int simdjsonError);

// A simdjson value as a QJsonValue (64-bit integers kept exact).
QJsonValue toQJson(const simdjson::dom::element &e, int depth = 0);

// A string value's bytes; empty for anything else.
QByteArray jsonString(const simdjson::dom::element &e);
// The string member `key` of an object; empty when absent or not a string.
QByteArray jsonMember(const simdjson::dom::object &o, const char *key);

// The first non-whitespace byte of a sniff head, after a UTF-8 BOM; 0 when none.
char firstJsonByte(QByteArrayView head, qsizetype *at = nullptr);

} // namespace ls
