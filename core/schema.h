#pragma once

#include <vector>

namespace ls {

inline constexpr int kSchemaVersion = 5;

// Most rows in one run of span_run / instant_run (see schema.cpp, version 3).
inline constexpr int kRunRows = 1024;

// FROM clauses that read spans (instants) lane by lane through their runs:
// r is the run, s the row. Put the lane and time conditions on r (r.lane_id,
// r.start_min, r.start_max, r.end_max) and the row's own on s. CROSS JOIN
// keeps the runs outside and NOT INDEXED the planner off other indexes
// (automatic ones included, which it would build over the whole table for a
// condition such as s.category_id = ?), so each run is one range of ids.
#define LS_SPANS_BY_RUN                                                                            \
    "span_run r CROSS JOIN span s NOT INDEXED ON s.id BETWEEN r.first_id AND r.last_id"
#define LS_INSTANTS_BY_RUN                                                                         \
    "instant_run r CROSS JOIN instant s NOT INDEXED ON s.id BETWEEN r.first_id AND r.last_id"

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
