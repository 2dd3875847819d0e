// expect: reject
// class: 5
// why: C: store the packet pointer in a map value
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} table SEC(".maps");

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *slot = bpf_map_lookup_elem(&table, &key);
    if (slot)
        *slot = (__u64)(long)ctx->data;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
