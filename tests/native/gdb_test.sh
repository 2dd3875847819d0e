#!/bin/sh
# Source-level debugging of a native module: builds tests/programs/subprograms.o
# with `ebpf build`, runs a host that loads it (from a sealed memfd) under
# `gdb -batch`, breaks at a line of the eBPF C source inside the dlopened
# module (pending breakpoint), and prints a register local.
#   gdb_test.sh EBPF_TOOL HOST OBJECT WORKDIR
set -eu
ebpf=$1 host=$2 object=$3 work=$4
mkdir -p "$work"
"$ebpf" build "$object" -o "$work/subprograms.so"
# subprograms.c:13 is `return x * x;` in square(); hook/calls passes len.
out=$(timeout -s KILL 60 gdb -batch -nx \
    -ex "set breakpoint pending on" \
    -ex "break subprograms.c:13" \
    -ex "run" \
    -ex "print r1" \
    -ex "bt 1" \
    --args "$host" "$work/subprograms.so" calls 7 2>&1) || true
echo "$out"
echo "$out" | grep -q "^Breakpoint 1" || { echo "FAIL: breakpoint at subprograms.c:13 not hit"; exit 1; }
echo "$out" | grep -q '^\$1 = 7$' || { echo "FAIL: print r1 did not show 7 (the argument of square)"; exit 1; }
echo "$out" | grep -q "subprograms.c" || { echo "FAIL: no eBPF source location in the backtrace"; exit 1; }
echo "PASS"
