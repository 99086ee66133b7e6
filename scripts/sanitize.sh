#!/usr/bin/env bash
# The tests of core and the importers and the fuzz targets' regression corpora
# (ctest labels "lib" and "fuzz"), built with AddressSanitizer and
# UndefinedBehaviorSanitizer (the "asan" preset, into build-asan/). Any
# sanitizer report fails the run. scripts/test.sh runs this after the suite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ ! -f build-asan/CMakeCache.txt ]; then
  cmake --preset asan -DLANESCOPE_WERROR=${LANESCOPE_WERROR:-OFF}
fi
cmake --build build-asan --parallel "$(nproc)" --target lib_tests
cd build-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
QT_QPA_PLATFORM=offscreen ctest --output-on-failure --parallel "$(nproc)" --timeout 1800 -L 'lib|fuzz'
