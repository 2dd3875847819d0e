#!/usr/bin/env bash
# Scale-out: two `ebpf serve` instances (own stores and audit logs, one
# signing key) push every module they sign to one registry (Debian's
# docker-registry on a free port); hosts pull by digest and run the module
# under the code-integrity policy. The same object built by either instance
# is the same module (same module digest).
# Usage: scale_out_test.sh EBPF SERVICE_PROGRAMS_DIR SOURCE_DIR WORKDIR
set -u
ebpf=$1 programs=$2 src=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
cd "$work"
failures=0
check() {  # check NAME CONDITION...
    local name=$1; shift
    if "$@"; then echo "ok: $name"; else echo "FAILED: $name"; failures=$((failures + 1)); fi
}
pids=()
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; }
trap stop_all EXIT
# shellcheck source=../registry/local_registry.sh
source "$src/tests/registry/local_registry.sh"
start_local_registry "$work/registry" || exit 77

"$ebpf" keygen --out keys > /dev/null 2>&1 || { echo "keygen failed"; exit 1; }
token=scale-$$-$RANDOM
printf '%s\n' "$token" > token
printf 'token sha256:%s ci *\n' "$(printf %s "$token" | sha256sum | cut -d' ' -f1)" > access

start_instance() {  # start_instance NAME: prints nothing, sets port file NAME/port
    mkdir -p "$1"
    "$ebpf" serve --listen 127.0.0.1:0 --port-file "$1/port" --insecure-http --access access \
        --key keys/signing-key.pem --cert keys/signing-cert.pem --store "$1/store" --audit-log "$1/audit.jsonl" \
        --push "$LOCAL_REGISTRY/team/modules" 2> "$1/serve.err" &
    pids+=($!)
    for _ in $(seq 100); do [ -s "$1/port" ] && return 0; sleep 0.1; done
    cat "$1/serve.err"
    if grep -q "cannot listen" "$1/serve.err"; then echo "skip: cannot listen on 127.0.0.1"; exit 77; fi
    echo "FAILED: instance $1 did not start"; exit 1
}
start_instance a
start_instance b
submit() {  # submit INSTANCE OBJECT NAME
    "$ebpf" submit --server "http://127.0.0.1:$(cat "$1/port")" --token-file token "$2" -o "$3.so" --report "$3.json"
}
reference_in() { sed -n 's/.*"reference": "\([^"]*\)".*/\1/p' "$1"; }
digest_in() { sed -n 's/.*"digest": "\(sha256:[0-9a-f]*\)".*/\1/p' "$1" | head -n 1; }

submit a "$programs/service_accepted.o" accepted-a 2> /dev/null
check "instance a builds" test $? -eq 0
submit b "$programs/service_accepted.o" accepted-b 2> /dev/null
check "instance b builds" test $? -eq 0
submit b "$programs/service_xdp_pass.o" xdp-b 2> /dev/null
check "instance b builds another" test $? -eq 0
check "one object, one module digest on both instances" test "$(digest_in accepted-a.json)" = "$(digest_in accepted-b.json)"

for name in accepted-a accepted-b xdp-b; do
    ref=$(reference_in $name.json)
    check "$name: the report names a pinned registry reference" grep -q "^$LOCAL_REGISTRY/team/modules@sha256:" <<< "$ref"
    "$ebpf" pull "$ref" -o pulled-$name.so > /dev/null 2>&1
    check "$name: pulled by digest" cmp -s pulled-$name.so $name.so
done
printf 'abc' > input.bin
out=$("$ebpf" run pulled-accepted-a.so --mode native --policy integrity --trust keys/trust --mem input.bin 2>&1)
if grep -q "prctl(PR_SET_MDWE" <<< "$out"; then
    out=$("$ebpf" run pulled-accepted-a.so --mode native --trust keys/trust --mem input.bin 2>&1)
    echo "note: this kernel lacks PR_SET_MDWE; ran without --policy integrity"
fi
check "a pulled module runs" grep -q "^Return value: 7 " <<< "$out"

for instance in a b; do
    kill -TERM "${pids[0]}" 2>/dev/null; wait "${pids[0]}"; pids=("${pids[@]:1}")
    "$ebpf" check-audit $instance/audit.jsonl > /dev/null
    check "instance $instance: audit chain intact" test $? -eq 0
done
check "instance a audited 1 build" test "$(grep -c '"verdict":"signed"' a/audit.jsonl)" -eq 1
check "instance b audited 2 builds" test "$(grep -c '"verdict":"signed"' b/audit.jsonl)" -eq 2
check "audit names the registry" grep -q "\"registry\":\"$LOCAL_REGISTRY/team/modules@sha256:" b/audit.jsonl

[ $failures -eq 0 ] && echo PASS || { echo "$failures FAILED"; cat a/serve.err b/serve.err; exit 1; }
