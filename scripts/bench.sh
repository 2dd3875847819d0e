#!/usr/bin/env bash
# Runs the performance benchmarks of issue 17 and prints one table:
#   compute   time per run of each mode ÷ the same C (clang -O2), per program,
#             median of REPS repetitions, geometric mean and worst over the
#             compute set (bench/compute/kernels)
#   per run   one run() of a program that returns at once, per mode
#   xdp       ns per packet of XDP programs per mode, next to the running
#             kernel's BPF_PROG_TEST_RUN (same object and packet)
#   maps      lookups from 1, 2 and N threads, LRU insert+delete on a full
#             map, LPM trie lookup among 10,000 prefixes
#   jit       make_jit time per 1,000 instructions (plain and blinded)
#   verifier  the slowest and the largest verification among every program of
#             tests/programs, tests/realworld and bench/, with the kernel's
#             processed-instruction count for the same program
# The native column is measured twice: modules built with the default cc
# (gcc on Debian) and with clang as $CC.
# Single-threaded benchmarks are pinned to one CPU (taskset) so that the
# ratios, measured in one process, stay stable on a shared machine.
#
#   scripts/bench.sh [BUILD_DIR]     (default build/release)
#   REPS=5 CPU=1 MIN_TIME=0.2 scripts/bench.sh
set -euo pipefail
build=${1:-build/release}
reps=${REPS:-3}
cpu=${CPU:-$(( $(nproc) - 1 ))}
min_time=${MIN_TIME:-0.2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for tool in compute/compute_bench xdp/xdp_bench maps/maps_bench jit/jit_bench verifier/verifier_bench; do
    [[ -x $build/bench/$tool ]] || { echo "bench.sh: $build/bench/$tool is missing (cmake --build --preset release)" >&2; exit 1; }
done
pin=(taskset -c "$cpu")
command -v taskset >/dev/null || pin=()

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); single-threaded runs pinned to CPU $cpu" >&2
"${pin[@]}" "$build/bench/compute/compute_bench" --benchmark_format=json --benchmark_repetitions="$reps" \
    --benchmark_min_time="$min_time" --benchmark_filter='compute/.*/(interpret|interpret_checked|jit|native)$' \
    >"$out/compute.json" 2>"$out/compute.err" || { cat "$out/compute.err" >&2; exit 1; }
if command -v clang >/dev/null; then
    CC=clang "${pin[@]}" "$build/bench/compute/compute_bench" --benchmark_format=json --benchmark_repetitions="$reps" \
        --benchmark_min_time="$min_time" --benchmark_filter='compute/.*/native$' \
        >"$out/compute_clang.json" 2>"$out/compute.err" || { cat "$out/compute.err" >&2; exit 1; }
fi
"${pin[@]}" "$build/bench/jit/jit_bench" --benchmark_format=json --benchmark_min_time="$min_time" \
    --benchmark_filter='make_jit_end_to_end' >"$out/jit.json" 2>"$out/jit.err" || { cat "$out/jit.err" >&2; exit 1; }
"${pin[@]}" "$build/bench/verifier/verifier_bench" --benchmark_format=json --benchmark_min_time=0.01 \
    >"$out/verifier.json" 2>"$out/verifier.err" || { cat "$out/verifier.err" >&2; exit 1; }
"${pin[@]}" "$build/bench/xdp/xdp_bench" --benchmark_format=json --benchmark_min_time="$min_time" \
    >"$out/xdp.json" 2>"$out/xdp.err" || { cat "$out/xdp.err" >&2; exit 1; }
"$build/bench/maps/maps_bench" --benchmark_format=json --benchmark_min_time="$min_time" \
    --benchmark_filter='^(lookup/(hash|percpu_hash|lru_hash|lpm_trie)|insert_(delete|evict)/(hash|lru_hash)|update/hash/|delete_insert/lpm_trie)' \
    >"$out/maps.json" 2>"$out/maps.err" || { cat "$out/maps.err" >&2; exit 1; }

python3 - "$out" <<'PY'
import json, math, statistics, sys
out = sys.argv[1]
def load(name):
    return [b for b in json.load(open(f"{out}/{name}.json"))["benchmarks"]]
def ns(b, key="real_time"):
    return b[key] * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]

# --- compute: mode × program, time ÷ C ---------------------------------------
ratios, rejected = {}, {}
for b in load("compute"):
    if b.get("run_type") == "aggregate": continue
    program, mode = b["run_name"].split("/", 1)[1].rsplit("/", 1)
    if b.get("error_occurred"):
        rejected[program] = b.get("error_message", "error"); continue
    ratios.setdefault((program, mode), []).append(b["vs_c"])
modes = ["interpret", "interpret_checked", "jit", "native"]
import os
if os.path.exists(f"{out}/compute_clang.json"):
    for b in load("compute_clang"):
        if b.get("run_type") == "aggregate" or b.get("error_occurred"): continue
        program, _ = b["run_name"].split("/", 1)[1].rsplit("/", 1)
        ratios.setdefault((program, "native(clang)"), []).append(b["vs_c"])
    modes.append("native(clang)")
programs = sorted({p for p, _ in ratios} | set(rejected), key=lambda p: (not p.startswith("set/"), p))
print("compute: time per run ÷ C (clang -O2), median of repetitions")
print(f"{'program':<22}" + "".join(f"{m:>18}" for m in modes))
for p in programs:
    if p in rejected:
        print(f"{p:<22}  rejected: {rejected[p][:70]}"); continue
    print(f"{p:<22}" + "".join(f"{statistics.median(ratios[(p, m)]):>17.2f}×" if (p, m) in ratios else f"{'-':>18}" for m in modes))
for label, chosen in (("geomean (set)", [p for p in programs if p.startswith("set/") and p not in rejected]),
                      ("worst (set)", None)):
    row = f"{label:<22}"
    for m in modes:
        values = [statistics.median(ratios[(p, m)]) for p in programs if p.startswith("set/") and (p, m) in ratios]
        if not values: row += f"{'-':>18}"; continue
        v = math.exp(sum(map(math.log, values)) / len(values)) if chosen is not None else max(values)
        row += f"{v:>17.2f}×"
    print(row)
if any(p.startswith("set/") for p in rejected):
    print("  (rejected programs run in no mode and are not in the geomean)")

# --- per run and XDP ------------------------------------------------------------
xdp = {b["name"]: b for b in load("xdp") if b.get("run_type") != "aggregate"}
print("\nper run: one run() of a program that returns at once (ns, CPU time)")
print(f"{'':<22}" + "".join(f"{m:>12}" for m in ("interpret", "jit", "native")))
for what in ("engine", "program"):
    row = f"{'run/' + what:<22}"
    for m in ("interpret", "jit", "native"):
        b = xdp.get(f"run/{what}/{m}")
        row += f"{b['cpu_time']:>12.1f}" if b and not b.get("error_occurred") else f"{'-':>12}"
    print(row)
print("\nxdp: ns per packet (test_run: CPU time / BPF_PROG_TEST_RUN: its duration; repeat 100000, 64-byte UDP packet)")
print(f"{'program':<22}" + "".join(f"{m:>12}" for m in ("interpret", "jit", "native", "kernel")))
for name in ("xdp_pass", "xdp_count", "xdp_filter", "xdp_rewrite"):
    row = f"{name:<22}"
    for m in ("interpret", "jit", "native", "kernel"):
        b = next((v for k, v in xdp.items() if k.startswith(f"xdp/{name}/{m}")), None)
        row += f"{b['ns_per_packet']:>12.1f}" if b and "ns_per_packet" in b else f"{'skipped':>12}"
    print(row)

# --- maps ---------------------------------------------------------------------------
print("\nmaps: per iteration in each thread, CPU time and wall time (the wall time counts preemption on a\n"
      "loaded machine), and total throughput of all threads")
for b in load("maps"):
    if b.get("run_type") == "aggregate" or b.get("error_occurred"): continue
    note = "  (one insert + one delete)" if b["name"].startswith("insert_delete") else "  (every insert evicts)" if b["name"].startswith("insert_evict") else ""
    name = b["name"].replace("/real_time", "")
    print(f"{name:<46}{b['cpu_time']:>8.1f} ns cpu {b['real_time']:>8.1f} ns wall "
          f"{b.get('items_per_second', 0) / 1e6:>7.1f} M ops/s{note}")

# --- JIT compile time and verifier cost ----------------------------------------------
print("\njit: make_jit end to end (code generation, mapping, W^X), CPU time, µs per 1,000 instructions")
for b in load("jit"):
    if b.get("run_type") == "aggregate": continue
    print(f"{b['name']:<46}{ns(b, 'cpu_time') / b['insns']:>8.1f} µs per 1,000 insns ({int(b['insns'])} insns)")
runs = [b for b in load("verifier") if b.get("run_type") != "aggregate" and not b.get("error_occurred")]
if runs:
    slowest = max(runs, key=lambda b: ns(b, 'cpu_time'))
    largest = max(runs, key=lambda b: b["peak_mem_KiB"])
    print(f"\nverifier: {len(runs)} programs (tests/programs, tests/realworld, bench/compute), "
          f"{sum(1 for b in runs if b['verified'])} verified")
    for label, b in (("slowest", slowest), ("most memory", largest)):
        kernel = f", kernel processed {int(b['kernel_insns'])}" if "kernel_insns" in b else ""
        print(f"  {label:<12} {b['name']}: {ns(b, 'cpu_time') / 1e6:.1f} ms CPU, {b['peak_mem_KiB'] / 1024:.1f} MiB peak, "
              f"{int(b['processed'])} insns processed{kernel}")
PY
