#!/usr/bin/env bash
# Builds ebpf-native and runs every test. `scripts/test.sh` uses the release
# preset; `scripts/test.sh asan` runs the same tests under ASan+UBSan;
# `scripts/test.sh aarch64` cross-builds for AArch64 and runs them under
# qemu-aarch64 (after `bash scripts/setup.sh --aarch64`). A second argument
# runs only the tests whose names match it (ctest -R), e.g.
# `scripts/test.sh aarch64 '^(conformance|conformance_plugin|exec|isa|jit|native)\.'`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${EBPF_DOCS_TEST:-}" ]; then
    echo "scripts/test.sh: not from inside the docs test (it is one of the tests); use a console block" >&2
    exit 1
fi
preset="${1:-release}"
jobs="$(nproc)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"
ctest --preset "$preset" -j "$jobs" --timeout 600 ${2:+-R "$2"}
