#!/usr/bin/env bash
# Builds ebpf-native and runs every test. `scripts/test.sh` uses the release
# preset; `scripts/test.sh asan` runs the same tests under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
jobs="$(nproc)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"
ctest --preset "$preset" -j "$jobs" --timeout 600
