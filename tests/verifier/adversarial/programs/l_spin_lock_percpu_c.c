// expect: reject cannot hold a bpf_spin_lock
// class: lock
// why: a lock in a per-CPU value (Linux allows them only in hash and array maps)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct locked {
    struct bpf_spin_lock lock;
    __u32 counter;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct locked);
} values SEC(".maps");

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    __u32 key = 0;
    struct locked *v = bpf_map_lookup_elem(&values, &key);
    if (!v) return XDP_ABORTED;
    bpf_spin_lock(&v->lock);
    v->counter++;
    bpf_spin_unlock(&v->lock);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
