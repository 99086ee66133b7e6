#pragma once
// A synthetic session written through the real BatchWriter: goroutine lanes
// (grouped under a few parents) whose state spans alternate running /
// runnable / blocked-* / syscall / gc, requests with client phases whose
// handler spans sit on the goroutine lanes, a GC lane, two procs and a heap
// counter. Deterministic for a seed. Used by the timeline tests and the
// frame-time benchmark (10 M spans on 1,000 lanes).

#include "session.h"

namespace ls::test {

struct SyntheticSpec
{
    int goroutines = 20;
    qint64 spansPerLane = 200;
    int requests = 50;
    TimeNs start = 1'700'000'000'000'000'000;
    TimeNs duration = 10'000'000'000; // 10 s
    quint32 seed = 1;
    // Raw request / response dumps per request (JSON response bodies, every
    // 7th response binary) as an HTTP-evidence importer would record them.
    bool rawDumps = false;
};

struct SyntheticResult
{
    qint64 spans = 0, requests = 0, lanes = 0;
};

// Writes one source into `session` in one transaction.
SyntheticResult writeSyntheticSession(Session &session, const SyntheticSpec &spec);

} // namespace ls::test
