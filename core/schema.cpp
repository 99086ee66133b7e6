// The session schema, every table and column documented in this one place.
// Times are integer nanoseconds on the session's shared timeline (Unix epoch
// when any wall-clock source is present); NULL means unknown.
//
// Versioning: PRAGMA user_version holds the schema version. migrations()[i]
// takes a file from version i to i+1; a file whose version is newer than
// kSchemaVersion is refused (see Session::open).

#include "schema.h"

#include <string>

namespace ls {

static const char kSchemaV1[] = R"SQL(
-- One imported file.
CREATE TABLE source (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,              -- absolute path at import time
  format TEXT NOT NULL,            -- importer id, e.g. 'steplog-jsonl'
  size INTEGER NOT NULL,           -- bytes on disk (compressed when gzipped)
  sha256 TEXT NOT NULL,            -- hex digest of the bytes on disk
  importer_version INTEGER NOT NULL,
  clock TEXT NOT NULL DEFAULT 'wall',  -- wall | monotonic | relative
  clock_method TEXT,               -- how offset_ns was found: wall clock, clock snapshot, request keys, by hand, unaligned
  offset_ns INTEGER NOT NULL DEFAULT 0, -- added to the file's own times to reach the shared timeline
  imported_at INTEGER NOT NULL,    -- Unix ns when imported
  status TEXT NOT NULL,            -- ok | partial (has error diagnostics)
  event_count INTEGER NOT NULL DEFAULT 0, -- records the importer reported
  request_count INTEGER NOT NULL DEFAULT 0,
  span_count INTEGER NOT NULL DEFAULT 0,
  import_ms INTEGER NOT NULL DEFAULT 0    -- wall time the import took
);

-- Per-source problems that did not stop the import, one row per code.
CREATE TABLE diagnostic (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES source(id),
  code TEXT NOT NULL,              -- short machine name, e.g. 'unmatched-end'
  severity TEXT NOT NULL,          -- info | warning | error
  count INTEGER NOT NULL,          -- occurrences
  first_offset INTEGER,            -- byte offset of the first occurrence (decompressed input)
  first_line INTEGER,              -- 1-based line of the first occurrence
  message TEXT NOT NULL            -- human text of the first occurrence
);

-- Interned strings (span names, categories, frame names).
CREATE TABLE string (
  id INTEGER PRIMARY KEY,
  value TEXT NOT NULL UNIQUE
);

-- One logical request, merged across sources by key.
CREATE TABLE request (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,        -- correlation key: request id / trace id / synthetic '#src:n'
  method TEXT,
  url TEXT,                        -- path or absolute URL as first seen
  host TEXT,
  handler TEXT,                    -- server handler name when logged
  status INTEGER,                  -- client status when client evidence exists, else server's; 0 = no response
  error TEXT,                      -- transport / client error
  start_ns INTEGER,                -- client start when known, else server start
  end_ns INTEGER,                  -- client end when known, else server end
  client_start_ns INTEGER, client_end_ns INTEGER, client_status INTEGER,
  server_start_ns INTEGER, server_end_ns INTEGER, server_status INTEGER,
  side TEXT NOT NULL,              -- client | server | both
  load_test INTEGER NOT NULL DEFAULT 0, -- 1 when known from a load generator's results
  dominant_class TEXT,             -- the largest class of request_class (see there), e.g. blocked-mutex
  first_source_id INTEGER REFERENCES source(id)
);

-- Raw bytes exactly as found in a file.
CREATE TABLE raw_text (
  id INTEGER PRIMARY KEY,
  request_id INTEGER REFERENCES request(id),
  source_id INTEGER NOT NULL REFERENCES source(id),
  kind TEXT NOT NULL,              -- request | response | stack | log
  side TEXT,                       -- client | server
  offset INTEGER,                  -- byte offset in the decompressed file
  line INTEGER,                    -- 1-based line
  ts_ns INTEGER,
  data BLOB NOT NULL
);

-- Per-request intervals: client phases and server steps.
CREATE TABLE phase (
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL REFERENCES request(id),
  source_id INTEGER NOT NULL REFERENCES source(id),
  kind TEXT NOT NULL,              -- blocked | getconn | dns | connect | tls | send | wait | receive | step
  name TEXT,                       -- step name or detail
  side TEXT,                       -- client | server
  start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL,
  lane_id INTEGER REFERENCES lane(id), -- goroutine that ran it, when known
  args TEXT                        -- JSON object
);

-- A swimlane.
CREATE TABLE lane (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES source(id),
  kind TEXT NOT NULL,              -- goroutine | thread | proc | gc | request | counter | service | ...
  external_id INTEGER,             -- goroutine id, tid, P number
  name TEXT,
  parent_id INTEGER REFERENCES lane(id), -- creating goroutine, process
  sort_key INTEGER NOT NULL DEFAULT 0
);

-- An interval on a lane. Within one lane and depth spans do not overlap.
CREATE TABLE span (
  id INTEGER PRIMARY KEY,
  lane_id INTEGER NOT NULL REFERENCES lane(id),
  start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL,
  depth INTEGER NOT NULL DEFAULT 0,
  name_id INTEGER REFERENCES string(id),
  category_id INTEGER REFERENCES string(id), -- goroutine state or category
  request_id INTEGER REFERENCES request(id),
  args TEXT                        -- JSON object
);

-- A point event on a lane; counters carry a value.
CREATE TABLE instant (
  id INTEGER PRIMARY KEY,
  lane_id INTEGER NOT NULL REFERENCES lane(id),
  ts_ns INTEGER NOT NULL,
  name_id INTEGER REFERENCES string(id),
  category_id INTEGER REFERENCES string(id),
  value REAL,                      -- counter value, NULL for plain instants
  request_id INTEGER REFERENCES request(id),
  args TEXT
);

-- An arrow between two points (or spans).
CREATE TABLE flow (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,              -- create | unblock | handler | parent | link
  from_lane_id INTEGER REFERENCES lane(id),
  from_ts_ns INTEGER,
  to_lane_id INTEGER REFERENCES lane(id),
  to_ts_ns INTEGER,
  from_span_id INTEGER REFERENCES span(id),
  to_span_id INTEGER REFERENCES span(id)
);

-- One sample type of a profile source.
CREATE TABLE profile (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES source(id),
  sample_type TEXT NOT NULL,       -- cpu, samples, alloc_space, ...
  unit TEXT NOT NULL,              -- nanoseconds, count, bytes
  period_type TEXT, period_unit TEXT,
  period INTEGER,
  time_ns INTEGER,                 -- when the profile was taken
  duration_ns INTEGER
);

-- A source location.
CREATE TABLE frame (
  id INTEGER PRIMARY KEY,
  function TEXT NOT NULL,
  file TEXT,
  line INTEGER
);

-- A node of the call tree: root frames have parent_id NULL.
CREATE TABLE callsite (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES callsite(id),
  frame_id INTEGER NOT NULL REFERENCES frame(id),
  depth INTEGER NOT NULL
);

-- One sample value (or aggregate of equal stacks and labels).
CREATE TABLE sample (
  id INTEGER PRIMARY KEY,
  profile_id INTEGER NOT NULL REFERENCES profile(id),
  callsite_id INTEGER NOT NULL REFERENCES callsite(id), -- leaf
  value INTEGER NOT NULL,
  ts_ns INTEGER,
  lane_id INTEGER REFERENCES lane(id),
  request_id INTEGER REFERENCES request(id),
  labels TEXT                      -- JSON object
);

-- User notes.
CREATE TABLE annotation (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL,            -- request | span | range
  request_id INTEGER REFERENCES request(id),
  span_id INTEGER REFERENCES span(id),
  start_ns INTEGER, end_ns INTEGER,
  text TEXT NOT NULL,
  colour TEXT NOT NULL DEFAULT '#f5c542',
  created_ns INTEGER NOT NULL,
  updated_ns INTEGER NOT NULL
);

-- Small indexes kept during imports (lookups the writer and the views need).
CREATE INDEX phase_request ON phase(request_id);
CREATE INDEX raw_text_request ON raw_text(request_id);
CREATE INDEX lane_source ON lane(source_id);
CREATE INDEX request_start ON request(start_ns);
CREATE INDEX annotation_request ON annotation(request_id);
)SQL";

// Version 2: the latency-class breakdown of each request (core/analysis.cpp
// computes it at the end of every import).
static const char kSchemaV2[] = R"SQL(
-- Time of a request per latency class; only classes with ns > 0 have a row.
CREATE TABLE request_class (
  request_id INTEGER NOT NULL REFERENCES request(id),
  side TEXT NOT NULL,              -- server (goroutine states of an execution trace) | client (httptrace phases)
  class TEXT NOT NULL,             -- server: running | runnable | blocked-net | blocked-mutex | blocked-wait
                                   -- | blocked-chan | blocked-select | sleep | syscall | gc-assist | stw | other
                                   -- (v4; before: blocked-sync and gc); client: dns | connect | tls | wait
                                   -- (time to first byte the server's classes do not explain); plus two server bookkeeping rows:
                                   -- 'window' (server window analysed) and 'traced' (part the handler goroutine covers)
  ns INTEGER NOT NULL,
  PRIMARY KEY (request_id, side, class)
) WITHOUT ROWID;
)SQL";

// Version 3: the (lane, time) index of spans and instants as runs. A run is a
// stretch of consecutive ids on one lane (at most kRunRows rows) with the
// bounds of its times; a lane's rows in a time window are the rows of its
// runs that overlap the window, read by id range. The writer records runs as
// rows arrive, so an import builds no per-row index on these tables (a
// CREATE INDEX over 6.6 M spans took 2.1 s, a quarter of a 1 GB import).
// Read them through LS_SPANS_BY_RUN / LS_INSTANTS_BY_RUN (schema.h).
static const char kSchemaV3[] = R"SQL(
CREATE TABLE span_run (
  lane_id INTEGER NOT NULL,        -- every span with an id in first_id..last_id is on this lane
  first_id INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  start_min INTEGER NOT NULL,      -- least start_ns of those spans
  start_max INTEGER NOT NULL,      -- greatest start_ns
  end_max INTEGER NOT NULL,        -- greatest end_ns
  PRIMARY KEY (lane_id, first_id)
) WITHOUT ROWID;

-- The same for instants: start_min..start_max bound ts_ns, end_max = start_max.
CREATE TABLE instant_run (
  lane_id INTEGER NOT NULL,
  first_id INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  start_min INTEGER NOT NULL,
  start_max INTEGER NOT NULL,
  end_max INTEGER NOT NULL,
  PRIMARY KEY (lane_id, first_id)
) WITHOUT ROWID;

-- The runs of rows already there are written by buildRuns() (batchwriter.h).
DROP INDEX IF EXISTS span_lane_start;
DROP INDEX IF EXISTS instant_lane_ts;
)SQL";

// Indexes on the bulk tables. The full ones are dropped at the start of an
// import and built again at its end (inside the same transaction), which is
// much faster than maintaining them row by row. The partial ones (rows that
// belong to a request) stay: most bulk rows are outside them, so keeping them
// costs little, where building them again would read every row.
static const char kBulkIndexes[] = R"SQL(
CREATE INDEX IF NOT EXISTS span_request ON span(request_id) WHERE request_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS instant_request ON instant(request_id) WHERE request_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS sample_profile ON sample(profile_id);
CREATE INDEX IF NOT EXISTS sample_request ON sample(request_id) WHERE request_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS callsite_parent ON callsite(parent_id, frame_id);
)SQL";

static const char kLiveIndexes[] = R"SQL(
CREATE INDEX IF NOT EXISTS span_request ON span(request_id) WHERE request_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS instant_request ON instant(request_id) WHERE request_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS sample_request ON sample(request_id) WHERE request_id IS NOT NULL;
)SQL";

static const char kDropBulkIndexes[] = R"SQL(
DROP INDEX IF EXISTS sample_profile;
DROP INDEX IF EXISTS callsite_parent;
)SQL";

const char *schemaV1Sql()
{
    return kSchemaV1;
}
const char *bulkIndexSql()
{
    return kBulkIndexes;
}
const char *dropBulkIndexSql()
{
    static const std::string sql = std::string(kDropBulkIndexes) + kLiveIndexes;
    return sql.c_str();
}
const char *liveIndexSql()
{
    return kLiveIndexes;
}

// Version 4: the request's latency cause in one line, and finer classes in
// request_class: the mutex, WaitGroup/Cond, channel and select waits apart
// (they were one 'blocked-sync'), GC assist apart from stop-the-world, and
// waits attributed to what their waker was waiting on (core/analysis.cpp).
// Upgrading recomputes every request.
static const char kSchemaV4[] = R"SQL(
ALTER TABLE request ADD COLUMN cause TEXT; -- e.g. '101 ms network via g301 ... in downstream_call, 89.7 ms sleep in inject_delay'
)SQL";

// Version 5: a long lane's coarser levels, stored at import
// (storeLaneLevels(), core/timeline.h) so the timeline paints a lane of
// millions of spans zoomed out without reading them. Each row is one level
// of one depth of a lane: its runs folded from spans shorter than bucket_ns
// (0: the depth's spans themselves), varint-encoded in start order, times
// relative to base_ns. Older sessions get none: their long lanes are read whole.
static const char kSchemaV5[] = R"SQL(
CREATE TABLE lane_level (
  lane_id INTEGER NOT NULL,
  depth INTEGER NOT NULL,
  bucket_ns INTEGER NOT NULL,
  base_ns INTEGER NOT NULL,        -- moves with the source's clock offset
  runs INTEGER NOT NULL,
  data BLOB NOT NULL,              -- per run: start delta, length, category, name, request, count
  PRIMARY KEY (lane_id, depth, bucket_ns)
) WITHOUT ROWID;
)SQL";

const std::vector<const char *> &migrations()
{
    // migrations()[0] creates version 1 from an empty file.
    static const std::vector<const char *> m{kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4, kSchemaV5};
    return m;
}

} // namespace ls
