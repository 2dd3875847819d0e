// expect: accept
// class: 1
// why: XDP tail-calls XDP: same type and context, the normal case
// section: entry
// run: zeros(14) -> 1
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int second(struct xdp_md *ctx)
{
    return XDP_DROP;
}

SEC("xdp")
int entry(struct xdp_md *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, int(void *));
} jump SEC(".maps") = {
    .values = {[0] = (void *)&second},
};

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    bpf_tail_call(ctx, &jump, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
