#!/usr/bin/env bash
# bpf_printk output and program runs reach bpftrace through the USDT probes,
# from all three modes (interpreter, JIT, a native module calling the
# runtime's helper). Needs root, uprobes and bpftrace: skipped (exit 77, with
# the reason) where they are missing.
# Usage: usdt_bpftrace_test.sh EBPF GLOBAL_DATA_OBJECT
set -u
ebpf=$1
object=$2
. "$(dirname "$0")/usdt_common.sh"
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "bpftrace needs root"
command -v bpftrace > /dev/null || skip "bpftrace is not installed"
[ -d /sys/bus/event_source/devices/uprobe ] || skip "the kernel has no uprobe event source"
probe_file=$(usdt_probe_file "$ebpf") || { echo "FAILED: no file with ebpf_native USDT notes"; exit 1; }

# bpftrace reads the probes from the notes (no uprobes needed for that): a
# probe it cannot list is a failure, not a reason to skip.
listed=$(bpftrace -l "usdt:$probe_file:ebpf_native:*" 2> /dev/null)
for probe in printk prog_run; do
    printf '%s\n' "$listed" | grep -q ":ebpf_native:$probe\$" ||
        { echo "FAILED: bpftrace -l does not list ebpf_native:$probe in $probe_file"; exit 1; }
done

work=$(mktemp -d)
bpftrace_pid=
cleanup() {
    [ -n "$bpftrace_pid" ] && kill "$bpftrace_pid" 2> /dev/null && wait "$bpftrace_pid" 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
export EBPF_TRACE_PATH=$work/trace
"$ebpf" build "$object" -o m.so > build.out 2>&1 || { cat build.out; echo "FAILED: ebpf build"; exit 1; }

ulimit -l unlimited 2> /dev/null || true
bpftrace -e "usdt:$probe_file:ebpf_native:printk { printf(\"printk %s|%s\\n\", str(arg0), str(arg1)); }
             usdt:$probe_file:ebpf_native:prog_run { printf(\"run %s ret=%d\\n\", str(arg0), arg1); }" \
    > bpftrace.out 2> bpftrace.err &
bpftrace_pid=$!
for _ in $(seq 100); do
    grep -q "Attaching" bpftrace.out bpftrace.err 2> /dev/null && break
    kill -0 "$bpftrace_pid" 2> /dev/null || break
    sleep 0.1
done
sleep 0.5  # "Attaching" is printed before the probes are in place
if ! kill -0 "$bpftrace_pid" 2> /dev/null; then
    cat bpftrace.err
    skip "bpftrace cannot attach uprobes here"
fi

# Three runs, one per mode, told apart by the buffer length each prints.
for run in "interpret 11" "jit 12" "native 13"; do
    set -- $run
    head -c "$2" /dev/zero > data.bin
    if [ "$1" = native ]; then
        "$ebpf" run m.so --mode native --prog greet --data-in data.bin > run.out 2>&1
    else
        "$ebpf" run "$object" --prog greet --mode "$1" --data-in data.bin > run.out 2>&1
    fi || { cat run.out; echo "FAILED: ebpf run ($1)"; exit 1; }
done
sleep 0.5
kill -INT "$bpftrace_pid"
wait "$bpftrace_pid" 2> /dev/null
bpftrace_pid=
cat bpftrace.out

failures=0
for n in 11 12 13; do
    if grep -qF "printk greet|greeting for $n bytes" bpftrace.out; then echo "ok: printk of the $n-byte run"
    else echo "FAILED: no printk for the $n-byte run"; failures=$((failures + 1)); fi
done
runs=$(grep -c "^run greet ret=" bpftrace.out)
if [ "$runs" -eq 3 ]; then echo "ok: three prog_run events"; else echo "FAILED: $runs prog_run events"; failures=$((failures + 1)); fi
exit $((failures != 0))
