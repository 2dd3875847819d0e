// expect: accept
// class: 8
// why: C: bpf_loop(1<<23) nested twice (2^46 callbacks): accepted by Linux, must end within the budget here
// run: zeros(14)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
static long inner(__u32 i, void *data)
{
    return 0;
}

static long outer(__u32 i, void *data)
{
    bpf_loop(1 << 23, inner, 0, 0);
    return 0;
}

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    bpf_loop(1 << 23, outer, 0, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
