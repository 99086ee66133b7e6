#pragma once
// Correlation that keys alone cannot do. Load generators such as ApacheBench
// send no request id, so their result rows cannot merge with the server's
// records by key. joinLoadTestRows() pairs them by time instead: rows and
// server-only requests are bucketed by the whole second they started in (the
// generator's resolution), and a bucket is joined only when both sides have
// the same number of requests, pairing by rank of duration. A joined row's
// client view moves onto the server's request (one logical request, both
// sides, marked load_test) and the row itself is removed. Buckets that do not
// balance are left alone rather than guessed.

#include "db.h"
#include "records.h"

namespace ls {

// Returns how many load-test rows were joined. Runs inside the caller's transaction.
qint64 joinLoadTestRows(Db &db);

} // namespace ls
