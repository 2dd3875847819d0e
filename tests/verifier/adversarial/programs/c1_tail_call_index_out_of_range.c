// expect: accept
// class: 1
// why: bpf_tail_call with an index past max_entries falls through
// section: entry
// run: zeros(14) -> 3
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
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
    bpf_tail_call(ctx, &jump, 1000);
    return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
