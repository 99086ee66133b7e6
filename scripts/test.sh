#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (offscreen).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh" -DLANESCOPE_WERROR=${LANESCOPE_WERROR:-OFF}
cd "$root/build"
QT_QPA_PLATFORM=offscreen ctest --output-on-failure --parallel "$(nproc)" --timeout 900
# The core and importer tests and the fuzz regression corpora again, under
# AddressSanitizer and UndefinedBehaviorSanitizer (LANESCOPE_SANITIZE=0 skips).
if [ "${LANESCOPE_SANITIZE:-1}" != 0 ]; then
  "$root/scripts/sanitize.sh"
fi
