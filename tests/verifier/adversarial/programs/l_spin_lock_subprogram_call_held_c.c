// expect: accept
// class: lock
// why: a bpf-to-bpf call inside the critical section (Linux 6.x accepts: only helpers are refused)
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

static __attribute__((noinline)) int bump(struct locked *v)
{
    v->counter++;
    return 0;
}

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    __u32 key = 0;
    struct locked *v = bpf_map_lookup_elem(&values, &key);
    if (!v) return XDP_ABORTED;
    bpf_spin_lock(&v->lock);
    bump(v);
    bpf_spin_unlock(&v->lock);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
