// expect: reject one lock at a time
// class: lock
// why: two values locked at once: two programs taking them in opposite orders deadlock
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
    bpf_spin_lock(&b->lock);
    a->counter++;
    b->counter++;
    bpf_spin_unlock(&b->lock);
    bpf_spin_unlock(&a->lock);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
