#!/bin/bash
# Runs a libbpf loader and compares what it prints with the expected output.
#   run_loader.sh EXPECTED SKIP_WITHOUT_BPF COMMAND ARGS...
# SKIP_WITHOUT_BPF=1 (the loader built against the system's libbpf, which
# needs the kernel's bpf()): a failed load with EPERM/ENOSYS/EACCES-like
# errors exits 77, which CTest reports as skipped.
set -u
expected=$1 skip_without_bpf=$2
shift 2
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
status=$?
if [ "$status" -ne 0 ]; then
    if [ "$skip_without_bpf" = 1 ] && grep -qiE "operation not permitted|function not implemented|permission denied|failed to load" "$err"; then
        echo "SKIP: bpf() is not available here: $(head -c 300 "$err")"
        exit 77
    fi
    echo "FAIL: $* exited with $status"; cat "$out"; cat "$err"
    exit 1
fi
if ! diff -u "$expected" "$out"; then
    echo "FAIL: output differs from $expected"; cat "$err"
    exit 1
fi
echo "PASS: $*"
