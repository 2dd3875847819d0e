#!/usr/bin/env bash
# The main job, end to end, on the bundled example (examples/demo):
#   eBPF C --clang--> ELF --verify--> bpf2c --cc--> native module --sign-->
#   run under the code-integrity policy, beside the interpreter and the JIT.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
out="$root/build/demo"
ebpf="$root/build/release/tools/ebpf"

step() { printf '\n== %s\n' "$*"; }

# Every tool the README documents: ebpf, bpf2c, the conformance plugin, the
# bind shim. The docs test runs this script in a tree it built already
# (EBPF_DOCS_TEST=1) and skips the build.
if [ -z "${EBPF_DOCS_TEST:-}" ]; then
    step "build ebpf-native's tools (release preset; a first build takes several minutes)"
    cmake --preset release >/dev/null
    cmake --build --preset release -j "$(nproc)" --target ebpf bpf2c ebpf-conformance-plugin ebpf_bind_shim
fi

mkdir -p "$out"
step "compile examples/demo/packet_filter.c with clang -target bpf"
clang -target bpf -O2 -g -I/usr/include/"$(uname -m)"-linux-gnu \
    -c examples/demo/packet_filter.c -o "$out/packet_filter.o"
"$ebpf" show "$out/packet_filter.o"

step "verify"
"$ebpf" verify "$out/packet_filter.o"

step "development keys (for development only)"
rm -rf "$out/keys"
"$ebpf" keygen --out "$out/keys"

step "build a signed native module: verify -> bpf2c -> cc -> sign"
"$ebpf" build "$out/packet_filter.o" -o "$out/packet_filter.so" \
    --sign --key "$out/keys/signing-key.pem" --cert "$out/keys/signing-cert.pem"
"$ebpf" check-signature "$out/packet_filter.so" --trust "$out/keys/trust"

for packet in dns_query udp_8080; do
    step "run on examples/demo/$packet.pkt"
    for mode in interpret jit; do
        printf '%-10s ' "$mode:"
        "$ebpf" run "$out/packet_filter.o" --mode "$mode" --data-in "examples/demo/$packet.pkt" \
            --repeat 1000 | tr '\n' ' '
        echo
    done
    printf '%-10s ' "native:"
    "$ebpf" run "$out/packet_filter.so" --mode native --policy integrity --trust "$out/keys/trust" \
        --data-in "examples/demo/$packet.pkt" --repeat 1000 --dump-maps | grep -v ' 0000000000000000$'
done
echo
echo "XDP verdicts: 1 = XDP_DROP (UDP to the blocked port 53), 2 = XDP_PASS."
