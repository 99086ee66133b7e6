#!/usr/bin/env bash
# Installs what is missing, builds, imports the demo set and opens it.
# With no display it renders a screenshot and a text report instead and says where.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
LANESCOPE_TARGETS=lanescope "$root/scripts/build.sh"
bin="$root/build/app/lanescope"
session="$root/build/demo.lanescope"
rm -f "$session"
"$bin" import --quiet -o "$session" "$root/resources/demo"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$bin" "$session"
fi
QT_QPA_PLATFORM=offscreen "$bin" screenshot "$session" -o "$root/build/demo.png" --size 1600x1000
"$bin" info "$session" > "$root/build/demo-report.txt"
"$bin" requests "$session" --slowest 10 >> "$root/build/demo-report.txt"
echo "No display: wrote $root/build/demo.png and $root/build/demo-report.txt"
