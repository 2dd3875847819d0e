// expect: accept
// class: 8
// why: C: bpf_loop summing 0..9 into a context on the stack
// run: zeros(14) -> 3
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct ctx_sum { __u64 sum; };

static long add(__u32 i, void *data)
{
    ((struct ctx_sum *)data)->sum += i;
    return 0;
}

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    struct ctx_sum s = {0};
    bpf_loop(10, add, &s, 0);
    return s.sum == 45 ? XDP_TX : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
