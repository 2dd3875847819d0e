#!/usr/bin/env bash
# The deployment workflow through the `ebpf` command against a real registry
# (Debian's docker-registry on a free port): build --sign → push → pull by
# digest → run under the code-integrity policy; pushing twice; and pulls
# that must fail (unknown digest, unreachable registry, tampered storage,
# missing report) with a clear message and the output file untouched; and a
# registry with basic auth (htpasswd).
# Usage: cli_test.sh EBPF HOOK_BUFFER_OBJECT LOCAL_REGISTRY_SH   (exit 77: skipped)
set -u
ebpf=$1
hook_object=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=local_registry.sh
source "$3"
start_local_registry "$work/registry" || exit 77
cd "$work"
failures=0
check() {  # check NAME CONDITION...
    local name=$1; shift
    if "$@"; then echo "ok: $name"; else echo "FAILED: $name"; failures=$((failures + 1)); fi
}
unchanged() { [ "$(cat keep.so)" = "previous contents" ] && [ -z "$(ls -A outdir)" ]; }

"$ebpf" keygen --out keys > /dev/null 2>&1
"$ebpf" build "$hook_object" -o hook.so --sign --key keys/signing-key.pem --cert keys/signing-cert.pem 2> build.err
check "build --sign" test $? -eq 0
echo '{"programs":[{"name":"header_version"}],"signer":"CN=test"}' > report.json

# --- push -----------------------------------------------------------------------
"$ebpf" push hook.so "$LOCAL_REGISTRY/team/hook:v1" --report report.json > ref.out 2> push.err
check "push exits 0" test $? -eq 0
ref=$(cat ref.out)
check "push prints the digest reference" grep -Eq "^$LOCAL_REGISTRY/team/hook@sha256:[0-9a-f]{64}\$" ref.out
check "push says what it uploaded" grep -q "3 blob(s) uploaded, 0 already present" push.err
"$ebpf" push hook.so "$LOCAL_REGISTRY/team/hook:v1" --report report.json > ref2.out 2> push2.err
check "pushing again gives the same digest" cmp -s ref.out ref2.out
check "pushing again uploads nothing" grep -q "0 blob(s) uploaded, 3 already present" push2.err

# --- pull and deploy ----------------------------------------------------------------
"$ebpf" pull "$ref" -o pulled.so --report-out pulled.json 2> pull.err
check "pull by digest exits 0" test $? -eq 0
check "pulled module is the pushed one" cmp -s hook.so pulled.so
check "pulled report is the pushed one" cmp -s report.json pulled.json
check "pull says it verified" grep -q "verified, written to pulled.so" pull.err
"$ebpf" pull "$LOCAL_REGISTRY/team/hook:v1" -o by-tag.so 2> pull-tag.err
check "pull by tag" cmp -s hook.so by-tag.so
check "pull by tag names the digest" grep -q "$ref" pull-tag.err

printf '\x01\x00\x9f\xeb\x07\x00\x00\x00' > header.bin  # struct header { magic, version 7, flags }
printf '\xb7\x00\x00\x00\x2a\x00\x00\x00\x95\x00\x00\x00\x00\x00\x00\x00' > r0_42.bin
if "$ebpf" run r0_42.bin --policy integrity 2>&1 | grep -q "prctl(PR_SET_MDWE"; then
    echo "skip: this kernel lacks PR_SET_MDWE; the --policy integrity run is not checked"
else
    # Exactly what a host runs to deploy.
    rm -f prog.so
    "$ebpf" pull "$ref" -o prog.so 2> /dev/null &&
        "$ebpf" run prog.so --mode native --policy integrity --trust keys/trust --program header_version \
            --mem header.bin > run.out 2> run.err
    check "pull && run --policy integrity" test $? -eq 0
    check "the pulled module runs" grep -q "^Return value: 7 " run.out
fi

# --- failures: clear messages, nothing written -----------------------------------------
echo "previous contents" > keep.so
mkdir outdir
missing="$LOCAL_REGISTRY/team/hook@sha256:$(printf '0%.0s' $(seq 64))"
"$ebpf" pull "$missing" -o keep.so 2> missing.err
check "unknown digest exits 1" test $? -eq 1
check "unknown digest says not found" grep -q "not found (404)" missing.err
check "unknown digest leaves -o alone" unchanged

"$ebpf" pull "$missing" -o outdir/new.so 2> /dev/null
check "a failed pull creates nothing" unchanged

stopped_port=$(( ${LOCAL_REGISTRY##*:} == 65535 ? 65534 : ${LOCAL_REGISTRY##*:} + 1 ))
if ! (exec 3<>"/dev/tcp/127.0.0.1/$stopped_port") 2>/dev/null; then
    "$ebpf" pull "127.0.0.1:$stopped_port/team/hook:v1" -o keep.so 2> unreachable.err
    check "unreachable registry exits 1" test $? -eq 1
    check "unreachable registry says so" grep -q "cannot connect to the registry at http://127.0.0.1:$stopped_port" unreachable.err
    check "unreachable registry leaves -o alone" unchanged
fi

"$ebpf" push hook.so "$LOCAL_REGISTRY/team/noreport:v1" > noreport.ref 2> /dev/null
"$ebpf" pull "$(cat noreport.ref)" -o keep.so --report-out outdir/r.json 2> noreport.err
check "--report-out without a report exits 1" test $? -eq 1
check "--report-out without a report says so" grep -q "the artifact has no report" noreport.err
check "--report-out without a report writes nothing" unchanged

# The registry's storage altered behind its back: it serves the bytes, pull refuses them.
digest=$(grep -o 'module sha256:[0-9a-f]*' push.err | head -1 | cut -d: -f2)
blob="$LOCAL_REGISTRY_STORAGE/docker/registry/v2/blobs/sha256/${digest:0:2}/$digest/data"
check "the module blob is in the registry's storage" test -f "$blob"
printf 'X' | dd of="$blob" bs=1 seek=2000 conv=notrunc status=none
"$ebpf" pull "$ref" -o keep.so 2> tampered.err
check "tampered blob exits 1" test $? -eq 1
check "tampered blob is a digest mismatch" grep -q "module blob sha256:$digest: digest mismatch" tampered.err
check "tampered blob leaves -o alone" unchanged

"$ebpf" pull "$LOCAL_REGISTRY/../etc/passwd:v1" -o keep.so 2> traversal.err
check "path traversal refused" grep -q "must be lowercase components" traversal.err
"$ebpf" pull "$LOCAL_REGISTRY/team/hook@sha256:ABC" -o keep.so 2> baddigest.err
check "a bad digest refused" grep -q "64 lowercase hex digits" baddigest.err
: > empty-token
"$ebpf" pull "$ref" -o keep.so --token-file empty-token 2> token.err
check "an empty token file refused" grep -q "empty-token: empty" token.err
check "refusals leave -o alone" unchanged
"$ebpf" push report.json "$LOCAL_REGISTRY/team/hook:v2" 2> notelf.err
check "push refuses a file that is no module" grep -q "not an ELF shared object" notelf.err

# --- a registry with basic auth (htpasswd, bcrypt from libxcrypt through perl) -----------
stop_local_registry
hash=$(perl -e 'print crypt("secret", "\$2b\$05\$abcdefghijklmnopqrstuu")' 2> /dev/null)
if [[ "$hash" != '$2b$'* ]]; then
    echo "skip: no bcrypt crypt() here; the basic-auth checks are not run"
else
    echo "alice:$hash" > htpasswd
    printf 'alice:secret\n' > good-auth
    printf 'alice:wrong\n' > bad-auth
    LOCAL_REGISTRY_EXTRA_CONFIG="auth:
  htpasswd:
    realm: test
    path: $PWD/htpasswd" start_local_registry "$work/auth-registry" || exit 77
    "$ebpf" push hook.so "$LOCAL_REGISTRY/team/hook:v1" > /dev/null 2> anonymous.err
    check "anonymous push to an auth registry exits 1" test $? -eq 1
    check "anonymous push says how to authenticate" grep -q "requires authentication (401; give --token-file or --basic-auth-file)" anonymous.err
    "$ebpf" push hook.so "$LOCAL_REGISTRY/team/hook:v1" --basic-auth-file good-auth > auth.ref 2> /dev/null
    check "push with basic auth" test $? -eq 0
    "$ebpf" pull "$(cat auth.ref)" -o keep.so --basic-auth-file bad-auth 2> bad-auth.err
    check "wrong password refused" grep -q "the registry refused the credentials (401 Unauthorized)" bad-auth.err
    check "wrong password leaves -o alone" unchanged
    "$ebpf" pull "$(cat auth.ref)" -o auth.so --basic-auth-file good-auth 2> /dev/null
    check "pull with basic auth" cmp -s hook.so auth.so
fi

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all registry CLI checks passed"
