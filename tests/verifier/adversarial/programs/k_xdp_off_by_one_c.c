// expect: reject
// class: packet
// why: C: checks 14 bytes of packet but reads the 15th
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int entry(struct xdp_md *ctx)
{
    __u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 14 > end)
        return XDP_PASS;
    return data[14];
}

char LICENSE[] SEC("license") = "GPL";
