#!/usr/bin/env bash
# Installs what is missing, builds, imports the demo set and opens it.
# With no display it renders a screenshot and a text report instead and says where.
#
# --live: builds the example service and load client (examples/, Go), runs
# them on 127.0.0.1, captures the service for 5 s while the client runs,
# adds the client's httptrace lines, and opens that session instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
LANESCOPE_TARGETS=lanescope "$root/scripts/build.sh"
bin="$root/build/app/lanescope"
session="$root/build/demo.lanescope"
rm -f "$session"
if [ "${1:-}" = "--live" ]; then
  live="$root/build/live"
  rm -rf "$live" "$session".capture-*
  mkdir -p "$live"
  (cd "$root/examples" && GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local \
     GOCACHE="$root/build/go-cache" go build -o "$live/" ./service ./load)
  "$live/service" -addr 127.0.0.1:0 -addr-file "$live/addr" -log "$live/service.jsonl" -max-life 60s &
  service=$!
  trap 'kill $service 2>/dev/null || true' EXIT
  for _ in $(seq 50); do [ -s "$live/addr" ] && break; sleep 0.1; done
  addr="$(cat "$live/addr")"
  # The client's load falls inside the capture's window, so every request
  # has its client and its server side.
  "$bin" capture "http://$addr" -o "$session" --seconds 6 --log "$live/service.jsonl" &
  capture=$!
  sleep 1
  "$live/load" -url "http://$addr" -n 0 -duration 4s -c 6 -trace "$live/client.jsonl" \
    -paths /api/lock,/api/lock,/api/downstream,/api/alloc,/api/delay,/api/panic,/api/flaky >/dev/null
  wait $capture
  "$bin" import --quiet -o "$session" "$live/client.jsonl"
else
  "$bin" import --quiet -o "$session" "$root/resources/demo"
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$bin" "$session"
fi
QT_QPA_PLATFORM=offscreen "$bin" screenshot "$session" -o "$root/build/demo.png" --size 1600x1000
"$bin" info "$session" > "$root/build/demo-report.txt"
"$bin" requests "$session" --slowest 10 >> "$root/build/demo-report.txt"
echo "No display: wrote $root/build/demo.png and $root/build/demo-report.txt"
