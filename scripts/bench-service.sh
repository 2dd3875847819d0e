#!/usr/bin/env bash
# Measures `ebpf serve` on this machine: builds per minute with one client and
# with 4 concurrent clients, the p50/p99 latency of one build, and the
# service's idle memory (VmRSS). Uses curl over plain HTTP on 127.0.0.1, so
# the numbers are the service's (verify → bpf2c → cc → sign, audit, store).
#   scripts/bench-service.sh [BUILD_DIR] [OBJECT] [BUILDS]
set -euo pipefail
build=${1:-build/release}
object=${2:-$build/tests/service/programs/service_accepted.o}
builds=${3:-40}
ebpf=$(cd "$build/tools" && pwd)/ebpf
work=$(mktemp -d)
serve_pid=
trap '[ -n "$serve_pid" ] && kill $serve_pid 2>/dev/null; rm -rf "$work"' EXIT
"$ebpf" keygen --out "$work/keys" > /dev/null 2>&1
token=bench-$RANDOM$RANDOM
printf 'token sha256:%s bench *\n' "$(printf %s "$token" | sha256sum | cut -d' ' -f1)" > "$work/access"
"$ebpf" serve --listen 127.0.0.1:0 --port-file "$work/port" --insecure-http --access "$work/access" \
    --key "$work/keys/signing-key.pem" --cert "$work/keys/signing-cert.pem" --store "$work/store" \
    --audit-log "$work/audit.jsonl" --builds 4 --queue 64 2> "$work/serve.err" &
serve_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat "$work/port")/v1/builds
sleep 0.5
echo "idle memory: $(grep VmRSS /proc/$serve_pid/status | awk '{print $2, $3}')"

one_build() {  # prints the seconds one build took; fails unless 201
    curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/octet-stream' --data-binary @"$object" "$url"
}
start=$(date +%s.%N)
for _ in $(seq "$builds"); do one_build; done > "$work/sequential"
end=$(date +%s.%N)
if grep -qv '^201 ' "$work/sequential"; then echo "some builds failed:"; sort "$work/sequential" | uniq -c; exit 1; fi
echo "sequential: $builds builds, $(echo "$builds * 60 / ($end - $start)" | bc -l | xargs printf %.0f) builds/minute"
sort -n -k2 "$work/sequential" | awk -v n="$builds" '{t[NR]=$2} END {
    p50 = t[int((n + 1) / 2)]; p99 = t[n - int(n / 100)];  # nearest rank
    printf "latency of one build: p50 %.0f ms, p99 %.0f ms\n", p50 * 1000, p99 * 1000 }'

start=$(date +%s.%N)
for client in 1 2 3 4; do
    (for _ in $(seq $((builds / 4))); do one_build; done > "$work/concurrent.$client") &
done
wait $(jobs -p | grep -v "^$serve_pid$")
end=$(date +%s.%N)
total=$(cat "$work"/concurrent.* | grep -c '^201 ')
echo "4 concurrent clients: $total builds, $(echo "$total * 60 / ($end - $start)" | bc -l | xargs printf %.0f) builds/minute"
echo "after the builds: $(grep VmRSS /proc/$serve_pid/status | awk '{print $2, $3}')"
