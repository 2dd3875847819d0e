#!/bin/sh
# Configures and builds examples/cmake-project (cmake/EbpfProgram.cmake) as a
# standalone project, runs its module, then shows that a program the
# verifier rejects fails the build at its source line.
#   cmake_project_test.sh SOURCE_DIR EBPF_TOOL WORKDIR
set -eu
src=$1 ebpf=$2 work=$3
rm -rf "$work"
cmake -S "$src/examples/cmake-project" -B "$work" -G Ninja -DEBPF_TOOL="$ebpf" >/dev/null
cmake --build "$work"
out=$(cmake --build "$work" --target run 2>&1)
echo "$out"
echo "$out" | grep -q "Return value: 851 " || { echo "FAIL: hello.so did not return 851"; exit 1; }

cmake -S "$src/examples/cmake-project" -B "$work" -DEBPF_BROKEN=ON >/dev/null
if out=$(cmake --build "$work" 2>&1); then
    echo "$out"; echo "FAIL: the build succeeded with an unverifiable program"; exit 1
fi
echo "$out"
echo "$out" | grep -q "broken.bpf.c:9:12: error: " || { echo "FAIL: no broken.bpf.c:LINE:COL: error: line"; exit 1; }
[ ! -e "$work/broken.so" ] || { echo "FAIL: broken.so was written"; exit 1; }
echo PASS
