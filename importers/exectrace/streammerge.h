#pragma once
// Merging per-P event streams into one causal order, shared by the old and
// the new trace format. Each stream is already in order; across streams an
// event may only come once its goroutine's sequence allows it. Among the
// streams whose head is ready, the earliest head (by time, then by when it
// became ready) goes next. When no head is ready — a cut file or a trace
// whose dependencies are inconsistent — the earliest head is taken anyway
// and counted as forced.

#include <QtGlobal>

#include <algorithm>
#include <functional>
#include <numeric>
#include <queue>
#include <tuple>
#include <vector>

namespace ls::exectrace {

// size(i): events in stream i; ready(i, k) / time(i, k): of event k of
// stream i; take(i, k): consume it (apply its transition, output it).
// Returns how many events were forced.
template<typename Size, typename Ready, typename Time, typename Take>
qint64 mergeStreams(size_t n, Size size, Ready ready, Time time, Take take)
{
    std::vector<size_t> pos(n, 0);
    using Item = std::tuple<qint64, quint64, size_t>; // time, insertion order, stream
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> frontier;
    std::vector<size_t> available(n);
    std::iota(available.begin(), available.end(), size_t(0));
    quint64 counter = 0;
    qint64 forced = 0;
    while (true) {
        for (size_t k = 0; k < available.size();) {
            const size_t i = available[k];
            if (pos[i] >= size(i)) {
                available[k] = available.back();
                available.pop_back();
                continue;
            }
            if (!ready(i, pos[i])) {
                ++k;
                continue;
            }
            frontier.emplace(time(i, pos[i]), counter++, i);
            available[k] = available.back();
            available.pop_back();
        }
        if (frontier.empty()) {
            if (available.empty()) break;
            size_t best = available[0];
            for (size_t i : available)
                if (time(i, pos[i]) < time(best, pos[best])) best = i;
            ++forced;
            frontier.emplace(time(best, pos[best]), counter++, best);
            available.erase(std::find(available.begin(), available.end(), best));
        }
        const size_t i = std::get<2>(frontier.top());
        frontier.pop();
        take(i, pos[i]++);
        available.push_back(i);
    }
    return forced;
}

} // namespace ls::exectrace
