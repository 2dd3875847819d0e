// expect: reject has no struct bpf_spin_lock
// class: lock
// why: a lock on memory of a value type that declares none
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} plain SEC(".maps");

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *v = bpf_map_lookup_elem(&plain, &key);
    if (!v) return XDP_ABORTED;
    bpf_spin_lock((struct bpf_spin_lock *)v);
    bpf_spin_unlock((struct bpf_spin_lock *)v);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
