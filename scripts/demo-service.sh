#!/usr/bin/env bash
# The signing service end to end on examples/demo:
#   a registry (Debian's docker-registry), a signing key in a SoftHSM2 token,
#   `ebpf serve` over HTTPS that pushes what it signs, `ebpf submit` of the
#   demo program, `ebpf pull` by digest on the "host", and a run under the
#   code-integrity policy. Everything lives in build/demo-service and stops
#   when the script ends.
#   scripts/demo-service.sh [--quick]   (--quick: no cmake, tools already built; used by the test)
# EBPF (the ebpf binary) and DEMO_OUT (the work directory) may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
out="${DEMO_OUT:-$root/build/demo-service}"
ebpf="${EBPF:-$root/build/release/tools/ebpf}"

step() { printf '\n== %s\n' "$*"; }

if [ "${1:-}" != "--quick" ]; then
    step "build ebpf-native (release preset)"
    cmake --preset release > /dev/null
    cmake --build --preset release --target ebpf -j "$(nproc)" | tail -n 1
fi
rm -rf "$out"
mkdir -p "$out"
serve_pid=
# shellcheck disable=SC2317
stop_service() { if [ -n "$serve_pid" ]; then kill "$serve_pid" 2> /dev/null || true; wait "$serve_pid" 2> /dev/null || true; fi; }
trap stop_service EXIT

step "an OCI registry: Debian's docker-registry on a free port"
# shellcheck source=../tests/registry/local_registry.sh
source tests/registry/local_registry.sh
start_local_registry "$out/registry" || exit 77   # no docker-registry here (the test skips)
echo "registry at $LOCAL_REGISTRY"

step "a module-signing key in a SoftHSM2 token (never leaves it), and a code-signing certificate for it"
scripts/softhsm-key.sh "$out/hsm" "$ebpf" > /dev/null
export SOFTHSM2_CONF="$out/hsm/softhsm2.conf"
key_uri=$(cat "$out/hsm/key.uri")
echo "key: ${key_uri%%\?*}"

step "the service: TLS certificate, a submitter token, ebpf serve --push"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$out/tls-ca.key" -out "$out/tls-ca.pem" \
    -days 1 -subj /CN=demo-tls-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2> /dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$out/server.key" -out "$out/server.csr" \
    -subj /CN=localhost 2> /dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$out/server.ext"
openssl x509 -req -in "$out/server.csr" -CA "$out/tls-ca.pem" -CAkey "$out/tls-ca.key" -CAcreateserial \
    -out "$out/server.pem" -days 1 -extfile "$out/server.ext" 2> /dev/null
openssl rand -hex 32 > "$out/token"
printf 'token sha256:%s demo-ci xdp\n' "$(tr -d '\n' < "$out/token" | sha256sum | cut -d' ' -f1)" > "$out/access"
"$ebpf" serve --listen 127.0.0.1:0 --port-file "$out/port" --tls-cert "$out/server.pem" --tls-key "$out/server.key" \
    --access "$out/access" --key "$key_uri" --cert "$out/hsm/keys/signing-cert.pem" \
    --store "$out/store" --audit-log "$out/audit.jsonl" --push "$LOCAL_REGISTRY/demo/packet-filter" \
    2> "$out/serve.log" &
serve_pid=$!
for _ in $(seq 100); do [ -s "$out/port" ] && break; sleep 0.1; done
[ -s "$out/port" ] || { cat "$out/serve.log"; exit 1; }
url="https://localhost:$(cat "$out/port")"
head -n 1 "$out/serve.log"

step "compile examples/demo/packet_filter.c and submit it: verify -> bpf2c -> cc -> sign (in the token) -> push"
clang -target bpf -O2 -g -I/usr/include/"$(uname -m)"-linux-gnu \
    -c examples/demo/packet_filter.c -o "$out/packet_filter.o"
"$ebpf" submit --server "$url" --token-file "$out/token" --cacert "$out/tls-ca.pem" \
    "$out/packet_filter.o" -o "$out/submitted.so" --report "$out/report.json"
reference=$(sed -n 's/.*"reference": "\([^"]*\)".*/\1/p' "$out/report.json")
sed -n -e '/^  "module": {/,/^  }/p' -e '/^  "registry": {/,/^  }/p' -e '/^  "submitter"/p' "$out/report.json"

step "on the host: pull by digest (every digest checked) and run under the code-integrity policy"
mkdir -p "$out/host"
"$ebpf" pull "$reference" -o "$out/host/packet_filter.so"
"$ebpf" check-signature "$out/host/packet_filter.so" --trust "$out/hsm/keys/trust" | grep -E '^(Verdict|  0:)'
for packet in dns_query udp_8080; do
    printf '%-10s ' "$packet:"
    "$ebpf" run "$out/host/packet_filter.so" --mode native --policy integrity --trust "$out/hsm/keys/trust" \
        --data-in "examples/demo/$packet.pkt" | head -n 1
done

step "what the service recorded"
"$ebpf" check-audit "$out/audit.jsonl"
stop_service
serve_pid=
tail -n 1 "$out/serve.log"
echo
echo "XDP verdicts: 1 = XDP_DROP (UDP to the blocked port 53), 2 = XDP_PASS."
