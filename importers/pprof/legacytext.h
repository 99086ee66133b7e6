#pragma once
// The text profiles Go's runtime/pprof writes with `?debug=1` (what people
// curl from /debug/pprof): heap and allocs ("heap profile: ..."), goroutine
// and threadcreate ("goroutine profile: total N"), mutex and block
// ("--- mutex:", "--- contention:"). Read as Go's `go tool pprof` reads them
// (github.com/google/pprof/profile/legacy_profile.go), into a Profile message
// that the protobuf path then stores, so both forms of a profile give the same
// session:
//  - heap: sample types alloc_objects/alloc_space/inuse_objects/inuse_space
//    (objects/space when nothing but in-use is recorded); values unsampled
//    with the heap_v2 rule (1 / (1 - e^(-avg/rate)), "heap/R" meaning rate
//    R/2); a "bytes" numeric label with the block size;
//  - count profiles: one sample type "<name>/count", period 1;
//  - contention: contentions/count and delay/nanoseconds, scaled by the
//    sampling period and cycles/second;
//  - the "#\t0xPC\tfunction+0xOFF\tfile:line" lines name each stack address
//    (address - 1, as pprof adjusts it; inlined frames share the address);
//    addresses the runtime left unnamed at either end of a stack
//    (runtime.goexit, the allocator's own frames) are dropped, unnamed
//    addresses inside a stack stay as "0x..." frames;
//  - "# labels: {...}" lines give string labels (goroutine profiles).
// Limits: a line of at most 1 MiB, at most 1,024 addresses per stack; past
// them the import fails naming the line.

#include <QByteArrayView>
#include <QString>

namespace lanescope::pprof {
class Profile;
}

namespace ls {

bool isLegacyTextProfile(QByteArrayView head);

// Fills `out`; throws ImportError (with the line) on malformed input.
void parseLegacyTextProfile(QByteArrayView data, lanescope::pprof::Profile &out);

} // namespace ls
