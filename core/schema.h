#pragma once

#include <vector>

namespace ls {

inline constexpr int kSchemaVersion = 2;

const char *schemaV1Sql();
const char *bulkIndexSql();
const char *dropBulkIndexSql();
// migrations()[i] takes a session file from user_version i to i + 1.
const std::vector<const char *> &migrations();

} // namespace ls
