// expect: reject bpf_spin_unlock of a different lock
// class: lock
// why: locks value 0 and unlocks value 1: value 0 stays locked for ever
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct locked {
    struct bpf_spin_lock lock;
    __u32 counter;
    __u64 total;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, struct locked);
} values SEC(".maps");

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    __u32 k0 = 0, k1 = 1;
    struct locked *a = bpf_map_lookup_elem(&values, &k0);
    struct locked *b = bpf_map_lookup_elem(&values, &k1);
    if (!a || !b) return XDP_ABORTED;
    bpf_spin_lock(&a->lock);
    a->counter++;
    bpf_spin_unlock(&b->lock);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
