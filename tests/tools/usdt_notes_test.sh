#!/usr/bin/env bash
# The USDT probes are in the binary that holds the runtime (the `ebpf` tool,
# or libebpf-native.so when the tool links it): `readelf -n` lists the stapsdt
# notes of provider ebpf_native, printk and prog_run, each with a semaphore.
# Usage: usdt_notes_test.sh EBPF
set -u
. "$(dirname "$0")/usdt_common.sh"
probe_file=$(usdt_probe_file "$1") || { echo "FAILED: no file with ebpf_native USDT notes (ebpf and its libraries)"; exit 1; }
echo "probes in: $probe_file"
notes=$(readelf -n "$probe_file")
failures=0
for probe in printk prog_run; do
    # "Provider: ebpf_native" / "Name: printk" / "Location: ..., Base: ..., Semaphore: 0x..."
    block=$(printf '%s\n' "$notes" | grep -A3 "Provider: ebpf_native" | grep -A2 "Name: $probe\$")
    if [ -z "$block" ]; then echo "FAILED: no note for ebpf_native:$probe"; failures=$((failures + 1)); continue; fi
    if printf '%s\n' "$block" | grep -Eq "Semaphore: 0x0*[1-9a-f]"; then
        echo "ok: ebpf_native:$probe has a semaphore"
    else
        echo "FAILED: ebpf_native:$probe has no semaphore"; failures=$((failures + 1))
    fi
    count=$(printf '%s\n' "$notes" | grep -A1 "Provider: ebpf_native" | grep -c "Name: $probe\$")
    if [ "$count" -eq 1 ]; then echo "ok: ebpf_native:$probe once"; else echo "FAILED: $count sites"; failures=$((failures + 1)); fi
done
exit $((failures != 0))
