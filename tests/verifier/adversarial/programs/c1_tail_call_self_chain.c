// expect: accept
// class: 1
// why: a program tail-calls itself: the chain stops after 33 calls in every engine
// section: entry
// run: zeros(14) -> 2
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} hops SEC(".maps");

SEC("xdp")
int entry(struct xdp_md *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, int(void *));
} jump SEC(".maps") = {
    .values = {[0] = (void *)&entry},
};

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *count = bpf_map_lookup_elem(&hops, &key);
    if (count)
        *count += 1;
    bpf_tail_call(ctx, &jump, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
