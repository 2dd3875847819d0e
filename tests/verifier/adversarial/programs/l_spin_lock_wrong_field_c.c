// expect: reject but its struct bpf_spin_lock is at offset 0
// class: lock
// why: bpf_spin_lock on another field of the value
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
    __u32 key = 0;
    struct locked *v = bpf_map_lookup_elem(&values, &key);
    if (!v) return XDP_ABORTED;
    bpf_spin_lock((struct bpf_spin_lock *)&v->counter);
    v->total++;
    bpf_spin_unlock((struct bpf_spin_lock *)&v->counter);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
