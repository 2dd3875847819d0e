// An object with a map type the runtime cannot provide (a sockmap): the
// program that does not use it loads; the one that does is refused by name.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_SOCKMAP);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 4);
} socks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1);
} seen SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx) {
    __u32 key = 0;
    __u64 *count = bpf_map_lookup_elem(&seen, &key);
    if (count) __sync_fetch_and_add(count, 1);
    return XDP_PASS;
}

SEC("xdp")
int xdp_uses_sockmap(struct xdp_md *ctx) {
    __u32 key = 0;
    return bpf_map_lookup_elem(&socks, &key) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
