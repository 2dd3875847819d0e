# Shared by the USDT tests: which file holds the ebpf_native probes — the
# `ebpf` binary itself, or the shared library it loads the runtime from.
usdt_probe_file() {  # usdt_probe_file EBPF → prints the path
    local candidate
    for candidate in "$1" $(ldd "$1" 2>/dev/null | awk '/ebpf-native/ { print $3 }'); do
        if readelf -n "$candidate" 2>/dev/null | grep -q "Provider: ebpf_native"; then
            readlink -f "$candidate"
            return 0
        fi
    done
    return 1
}
