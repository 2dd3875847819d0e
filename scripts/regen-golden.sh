#!/bin/sh
# Regenerates the bpf2c golden files (tests/native/golden/*.c) from the
# current generator. Usage: scripts/regen-golden.sh [build-dir]
set -eu
build=${1:-build/release}
cmake --build "$build" --target regen-golden
git -C "$(dirname "$0")/.." status --short tests/native/golden
