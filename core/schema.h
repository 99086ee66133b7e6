#pragma once

#include <vector>

namespace ls {

inline constexpr int kSchemaVersion = 2;

const char *schemaV1Sql();
// After bulk inserts: every index on the bulk tables.
const char *bulkIndexSql();
// Before bulk inserts: drops the full bulk indexes; the partial ones (rows of
// a request) are made if missing and kept up to date by the inserts.
const char *dropBulkIndexSql();
// Before a small import into a big session: the partial indexes made if
// missing; every index stays and is kept up to date by the inserts.
const char *liveIndexSql();
// migrations()[i] takes a session file from user_version i to i + 1.
const std::vector<const char *> &migrations();

} // namespace ls
