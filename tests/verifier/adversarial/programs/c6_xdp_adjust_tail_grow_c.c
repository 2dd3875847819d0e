// expect: accept
// class: 6
// why: C: grow the packet by 4 bytes and return the last new byte (Linux zeroes grown tail room)
// run: zeros(14) -> 3
// run: 0102030405060708090a0b0c0d0e -> 3
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int entry(struct xdp_md *ctx)
{
    if (bpf_xdp_adjust_tail(ctx, 4))
        return XDP_ABORTED;
    __u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 18 > end)
        return XDP_PASS;
    return data[17] == 0 ? XDP_TX : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
