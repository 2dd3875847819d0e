#!/usr/bin/env bash
# `ebpf trace` when the ring wrapped: a program prints 5000 records into the
# 4096-record ring; the reader prints the newest 4096 and reports the 904
# overwritten ones as lost, in text and in JSON. A reader that starts at the
# end (--new) has lost nothing.
# Usage: trace_lost_test.sh EBPF GLOBAL_DATA_OBJECT
set -u
ebpf=$1
object=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export EBPF_TRACE_PATH=$work/trace
failures=0
check() {
    local name=$1; shift
    if "$@"; then echo "ok: $name"; else echo "FAILED: $name"; failures=$((failures + 1)); fi
}
head -c 5 /dev/zero > data.bin
"$ebpf" run "$object" --prog greet --data-in data.bin --repeat 5000 > run.out 2>&1 || { cat run.out; exit 1; }

"$ebpf" trace > trace.txt
check "trace exits 0" test $? -eq 0
check "text: reports 904 lost" grep -qx "\.\.\. 904 records lost (the ring wrapped: overwritten before they were read)" trace.txt
check "text: the 4096 newest" test "$(grep -c "greeting for 5 bytes" trace.txt)" -eq 4096

"$ebpf" trace --json > trace.json
check "json: every line parses" jq -e . trace.json > /dev/null
check "json: lost 904" test "$(jq -s 'map(select(has("lost"))) | .[0].lost' trace.json)" = 904
check "json: 4096 records" test "$(jq -s 'map(select(has("message"))) | length' trace.json)" -eq 4096

"$ebpf" trace --new > new.txt
check "--new: nothing lost, nothing printed" test ! -s new.txt

# One more lap: the oldest present is now record 905 + 5000 - 4096.
"$ebpf" run "$object" --prog greet --data-in data.bin --repeat 5000 > run.out 2>&1
"$ebpf" trace > again.txt
check "second lap: 5904 lost" grep -q "^\.\.\. 5904 records lost" again.txt
exit $((failures != 0))
