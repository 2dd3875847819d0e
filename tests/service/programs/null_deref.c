// Rejected: a map lookup's result is used without a NULL check.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1);
} counters SEC(".maps");

SEC("xdp")
int count_unchecked(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&counters, &key);
    *value += 1;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
