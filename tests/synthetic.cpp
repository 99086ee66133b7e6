#include "synthetic.h"

#include "batchwriter.h"
#include "schema.h"

#include <random>

namespace ls::test {

SyntheticResult writeSyntheticSession(Session &session, const SyntheticSpec &spec)
{
    SyntheticResult res;
    Db &db = session.db();
    std::mt19937_64 rng(spec.seed);
    inTransaction(db, [&] {
        db.exec(dropBulkIndexSql());
        Stmt src(db, "INSERT INTO source(path, format, size, sha256, importer_version, "
                     "imported_at, status) VALUES('synthetic', 'synthetic', 0, '', 1, 0, 'ok')");
        src.run();
        BatchWriter w(db, db.lastInsertId());
        static const char *const states[] = {"running",      "runnable", "blocked-net",
                                             "blocked-sync", "syscall",  "blocked-chan",
                                             "gc-assist"};
        static const double weights[] = {40, 20, 15, 8, 7, 7, 3};
        StringId stateId[7], nameId[7];
        for (int i = 0; i < 7; ++i) {
            stateId[i] = w.intern(QByteArrayView(states[i]));
            nameId[i] = stateId[i];
        }
        std::discrete_distribution<int> pick(std::begin(weights), std::end(weights));
        // Requests first so handler spans can point at them.
        std::vector<RequestId> reqIds;
        std::vector<std::pair<TimeNs, TimeNs>> reqTimes;
        std::uniform_int_distribution<TimeNs> at(spec.start, spec.start + spec.duration * 9 / 10);
        std::exponential_distribution<double> lat(1.0 / 20e6); // mean 20 ms
        for (int i = 0; i < spec.requests; ++i) {
            RequestRecord r;
            r.key = "syn-" + QByteArray::number(i);
            r.side = Side::Client;
            r.method = i % 5 == 0 ? "POST" : "GET";
            r.url = "/api/item/" + QByteArray::number(i % 37);
            r.host = "api.local";
            r.start = at(rng);
            const TimeNs total = 200'000 + TimeNs(lat(rng));
            r.end = r.start + total;
            r.status = i % 23 == 0 ? 503 : i % 11 == 0 ? 404 : 200;
            const RequestId id = w.request(r);
            reqIds.push_back(id);
            reqTimes.push_back({r.start, r.end});
            if (spec.rawDumps) {
                RawTextRecord req;
                req.request = id;
                req.side = Side::Client;
                req.kind = "request";
                req.data = r.method + ' ' + r.url +
                           " HTTP/1.1\r\nHost: api.local\r\nX-Request-Id: " + r.key +
                           "\r\nAccept: application/json\r\n\r\n";
                req.offset = qint64(i) * 400;
                req.line = qint64(i) * 10 + 1;
                req.ts = r.start;
                w.rawText(req);
                RawTextRecord resp = req;
                resp.kind = "response";
                resp.offset += 200;
                resp.line += 5;
                resp.ts = r.end;
                if (i % 7 == 3) {
                    QByteArray body;
                    for (int b = 0; b < 64; ++b)
                        body += char(b * 5);
                    resp.data = "HTTP/1.1 " + QByteArray::number(r.status) +
                                " OK\r\nContent-Type: application/octet-stream\r\n\r\n" + body;
                } else {
                    resp.data = "HTTP/1.1 " + QByteArray::number(r.status) +
                                " OK\r\nContent-Type: application/json\r\n\r\n{\"id\":" +
                                QByteArray::number(i) + ",\"items\":[1,2,3],\"ok\":true}";
                }
                w.rawText(resp);
            }
            static const char *const kinds[] = {"dns", "connect", "tls", "send", "wait", "receive"};
            static const double share[] = {0.05, 0.08, 0.12, 0.03, 0.6, 0.12};
            TimeNs t = r.start;
            for (int k = 0; k < 6; ++k) {
                PhaseRecord p;
                p.request = id;
                p.side = Side::Client;
                p.kind = kinds[k];
                p.start = t;
                p.end = k == 5 ? r.end : t + TimeNs(double(total) * share[k]);
                t = p.end;
                w.phase(p);
            }
        }
        res.requests = spec.requests;
        // Goroutines: the first few are parents of the rest.
        const int parents = std::max(1, std::min(8, spec.goroutines / 50 + 1));
        std::vector<LaneId> lanes;
        const TimeNs mean =
            std::max<TimeNs>(1, spec.duration / std::max<qint64>(1, spec.spansPerLane));
        std::exponential_distribution<double> dur(1.0 / double(mean));
        for (int g = 0; g < spec.goroutines; ++g) {
            LaneRecord l;
            l.kind = "goroutine";
            l.externalId = g + 1;
            l.name = QByteArray("g" + QByteArray::number(g + 1)) +
                     (g < parents ? " net/http.(*Server).Serve" : " net/http.(*conn).serve");
            l.parent = g < parents ? kNoId : lanes[size_t(g % parents)];
            l.sortKey = g;
            lanes.push_back(w.lane(l));
            TimeNs t = spec.start + TimeNs(std::uniform_int_distribution<TimeNs>(0, mean)(rng));
            if (g >= parents) {
                // The parent created this goroutine just before its first span.
                FlowRecord f;
                f.kind = "create";
                f.fromLane = lanes[size_t(g % parents)];
                f.fromTs = t - 1000;
                f.toLane = lanes.back();
                f.toTs = t;
                w.flow(f);
            }
            for (qint64 i = 0; i < spec.spansPerLane; ++i) {
                SpanRecord s;
                s.lane = lanes.back();
                s.start = t;
                s.end = t + 1 + TimeNs(dur(rng));
                const int st = pick(rng);
                s.category = stateId[st];
                s.name = nameId[st];
                if (!reqIds.empty() && (i % 7) == 0) {
                    const size_t r = size_t((g * 131 + i) % qint64(reqIds.size()));
                    if (reqTimes[r].first <= s.start && s.start < reqTimes[r].second)
                        s.request = reqIds[r];
                }
                w.span(s);
                ++res.spans;
                t = s.end + TimeNs(dur(rng) * 0.1);
            }
        }
        // One handler span per request on a goroutine lane, inside the request.
        for (size_t r = 0; r < reqIds.size() && !lanes.empty(); ++r) {
            SpanRecord s;
            s.lane = lanes[r % lanes.size()];
            s.start = reqTimes[r].first + (reqTimes[r].second - reqTimes[r].first) / 4;
            s.end = reqTimes[r].second - (reqTimes[r].second - reqTimes[r].first) / 8;
            s.depth = 1;
            s.name = w.intern("main.handleItem");
            s.category = w.intern("region");
            s.request = reqIds[r];
            w.span(s);
            ++res.spans;
        }
        LaneRecord gc;
        gc.kind = "gc";
        gc.name = "GC";
        const LaneId gcLane = w.lane(gc);
        for (TimeNs t = spec.start; t < spec.start + spec.duration; t += spec.duration / 40) {
            SpanRecord s;
            s.lane = gcLane;
            s.start = t + 3'000'000;
            s.end = s.start + 800'000;
            s.name = w.intern("GC");
            s.category = w.intern("gc");
            w.span(s);
            ++res.spans;
        }
        for (int p = 0; p < 2; ++p) {
            LaneRecord pl;
            pl.kind = "proc";
            pl.externalId = p;
            pl.name = "P" + QByteArray::number(p);
            const LaneId lane = w.lane(pl);
            for (TimeNs t = spec.start; t < spec.start + spec.duration; t += spec.duration / 400) {
                SpanRecord s;
                s.lane = lane;
                s.start = t + p * 1'000'000;
                s.end = s.start + spec.duration / 600;
                s.name = w.intern("running");
                s.category = s.name;
                w.span(s);
                ++res.spans;
            }
        }
        LaneRecord cl;
        cl.kind = "counter";
        cl.name = "heap (MB)";
        const LaneId cLane = w.lane(cl);
        double heap = 20;
        for (TimeNs t = spec.start; t < spec.start + spec.duration; t += spec.duration / 2000) {
            heap = std::max(4.0, heap + std::normal_distribution<double>(0.05, 1.0)(rng));
            if (std::uniform_int_distribution<int>(0, 49)(rng) == 0) heap *= 0.5;
            InstantRecord in;
            in.lane = cLane;
            in.ts = t;
            in.name = w.intern("heap");
            in.value = heap;
            in.hasValue = true;
            w.instant(in);
        }
        res.lanes = spec.goroutines + 4;
        w.finish();
        db.exec(bulkIndexSql());
    });
    return res;
}

} // namespace ls::test
