// The packet hook's verdict test program (tests/hooks): the verdict is the
// packet's first byte, any value, so that actions Linux does not know (5 and
// up) reach the hook; a first byte 0xff returns 0x100000002, whose low 32
// bits are XDP_PASS (the verdict is a u32, as Linux). An empty packet:
// XDP_DROP.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
long xdp_verdict(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    unsigned char *data_end = (void *)(long)ctx->data_end;
    if (data + 1 > data_end)
        return XDP_DROP;
    if (data[0] == 0xff)
        return 0x100000002l;
    return data[0];
}

char LICENSE[] SEC("license") = "GPL";
