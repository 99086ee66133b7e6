#!/usr/bin/env python3
"""Cuts the demo set in resources/demo/ out of the generated corpus.

Usage: scripts/make-demo.py tests/corpus/gen resources/demo

Keeps every line (or whole multi-line log record) that belongs to a chosen set
of requests: the first second of the client run plus the notable requests the
corpus README names (slowest, panics, timeouts, GC- and lock-heavy). The files
stay real Go output, just fewer of them.
"""
import json
import os
import re
import sys

gen, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
truth = json.load(open(os.path.join(gen, "truth.json")))
run = truth["main_run"]
reqs = sorted(run["requests"], key=lambda r: r["start_unix_ns"])
t0 = reqs[0]["start_unix_ns"]
keep = {r["req_id"] for r in reqs if r["start_unix_ns"] - t0 < 1_000_000_000}
for group in ("slowest10", "panicked", "client_errors"):
    for item in run.get(group, []):
        keep.add(item if isinstance(item, str) else item["req_id"])
for group in ("gc_heavy", "lock_heavy"):
    for item in run.get(group, [])[:3]:
        keep.add(item if isinstance(item, str) else item["req_id"])
ids = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def wanted(text):
    return any(m in keep for m in ids.findall(text))


def filter_lines(name):
    with open(os.path.join(gen, name), "rb") as f, open(os.path.join(out, name), "wb") as o:
        for line in f:
            if wanted(line.decode("utf-8", "replace")):
                o.write(line)


def filter_records(name):
    # A record starts at a Go log prefix line; continuation lines belong to it.
    prefix = re.compile(rb"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}")
    with open(os.path.join(gen, name), "rb") as f:
        data = f.read()
    starts = [m.start() for m in re.finditer(rb"(?m)^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}", data)]
    starts.append(len(data))
    with open(os.path.join(out, name), "wb") as o:
        for a, b in zip(starts, starts[1:]):
            rec = data[a:b]
            if wanted(rec.decode("utf-8", "replace")):
                o.write(rec)


filter_lines("server.jsonl")
filter_lines("client_httptrace.jsonl")
filter_records("client.log")
# Whole files: small, or binary formats that cannot be cut by request.
for name in ("server_stderr_gctrace.txt", "trace.out", "cpu.pprof"):
    with open(os.path.join(gen, name), "rb") as f, open(os.path.join(out, name), "wb") as o:
        o.write(f.read())
print(f"{len(keep)} requests kept in {out}")
