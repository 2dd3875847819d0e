#!/usr/bin/env bash
# The service from the command line: `ebpf serve` over HTTPS (openssl-made
# server certificate), `ebpf submit` (signed module out; a rejection prints
# exactly what `ebpf verify` prints), ebpf_add_program with
# -DEBPF_BUILD_SERVER, SIGTERM, `ebpf check-audit`.
# Usage: cli_test.sh EBPF SERVICE_PROGRAMS_DIR SOURCE_DIR WORKDIR
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
serve_pid=
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; }
trap cleanup EXIT

"$ebpf" keygen --out keys > /dev/null 2>&1 || { echo "keygen failed"; exit 1; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 1 \
    -subj /CN=test-tls-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
    -subj /CN=localhost 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 \
    -extfile server.ext 2>/dev/null || { echo "openssl failed"; exit 1; }
token=test-token-$$-$RANDOM
printf '%s\n' "$token" > token
printf 'token sha256:%s ci *\n' "$(printf %s "$token" | sha256sum | cut -d' ' -f1)" > access

"$ebpf" serve --listen 127.0.0.1:0 --port-file port --tls-cert server.pem --tls-key server.key --access access \
    --key keys/signing-key.pem --cert keys/signing-cert.pem --store store --audit-log audit.jsonl \
    2> serve.err &
serve_pid=$!
for _ in $(seq 100); do [ -s port ] && break; kill -0 $serve_pid 2>/dev/null || break; sleep 0.1; done
if [ ! -s port ]; then
    cat serve.err
    if grep -q "cannot listen" serve.err; then echo "skip: cannot listen on 127.0.0.1"; exit 77; fi
    echo "FAILED: ebpf serve did not start"; exit 1
fi
url=https://localhost:$(cat port)
submit() { "$ebpf" submit --server "$url" --cacert ca.pem "$@"; }

submit --token-file token "$programs/service_accepted.o" -o accepted.so --report report.json 2> submit.err
check "submit exits 0" test $? -eq 0
check "submit names the digest" grep -q "sha256:" submit.err
check "report written" grep -q '"signed_digest"' report.json
"$ebpf" check-signature accepted.so --trust keys/trust > signature.out
check "module signed by the service's key" grep -q "^Verdict: valid" signature.out
"$ebpf" build "$programs/service_accepted.o" -o local.so 2> /dev/null
check "ebpf build locally gives the service's unsigned module" \
    grep -q "\"digest\": \"sha256:$(sha256sum local.so | cut -d' ' -f1)\"" report.json
printf 'abc' > input.bin
"$ebpf" run accepted.so --mode native --mem input.bin > run.out 2>&1
check "module runs" grep -q "^Return value: 7 " run.out

# Rejected: the same diagnostics as a local `ebpf verify`, exit 1.
cp "$programs/service_null_deref.o" null_deref.o
submit --token-file token null_deref.o -o rejected.so > remote.out 2> remote.err
check "rejected submit exits 1" test $? -eq 1
"$ebpf" verify null_deref.o > local.out 2> local.err
check "same diagnostics as ebpf verify" cmp -s remote.err local.err
check "same verdict line as ebpf verify" cmp -s remote.out local.out
check "diagnostic names the source line" grep -q "null_deref.c:17:" remote.err
check "no module written" test ! -e rejected.so

submit null_deref.o -o x.so 2> anonymous.err
check "no token: exit 1" test $? -eq 1
check "no token: 401 said" grep -q "answered 401" anonymous.err
"$ebpf" submit --server "$url" --token-file token "$programs/service_accepted.o" -o x.so 2> untrusted.err
check "unknown server CA: refused" test $? -ne 0

# ebpf_add_program through the service.
cmake -S "$src/examples/cmake-project" -B cmake-build -G Ninja -DEBPF_TOOL="$ebpf" -DEBPF_BUILD_SERVER="$url" \
    -DEBPF_BUILD_TOKEN_FILE="$work/token" -DEBPF_BUILD_CACERT="$work/ca.pem" > cmake.out 2>&1
check "cmake configures" test $? -eq 0
cmake --build cmake-build > build.out 2>&1
check "cmake builds through the service" grep -q "submit to $url" build.out
check "module signed" bash -c "'$ebpf' check-signature cmake-build/hello.so --trust keys/trust | grep -q '^Verdict: valid'"
check "build report next to it" test -s cmake-build/hello.so.json
out=$(cmake --build cmake-build --target run 2>&1)
check "hello.so runs" grep -q "Return value: 851 " <<< "$out"

kill -TERM $serve_pid
wait $serve_pid
check "SIGTERM: exit 0" test $? -eq 0
serve_pid=
check "stopped cleanly" grep -q "ebpf serve: stopped" serve.err
"$ebpf" check-audit audit.jsonl > audit.out
check "audit chain intact" test $? -eq 0
check "audit counts every request" grep -q ": 4 entries" audit.out
check "audit says who" grep -q '"who":"ci"' audit.jsonl

[ $failures -eq 0 ] && echo PASS || { echo "$failures FAILED"; cat serve.err; exit 1; }
