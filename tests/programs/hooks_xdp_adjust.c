// The packet hook's head/tail test program (tests/hooks). The verdict comes
// from the first byte of the packet (the destination MAC's first byte):
//   0x00: grow the head by 4 bytes and write "EBPF" there, shrink the tail
//         by 2 bytes; XDP_PASS (the packet comes out 2 bytes longer)
//   0x01: XDP_REDIRECT
//   0x02: shrink the head by 14 bytes (pop the Ethernet header); XDP_TX
//   0x03: grow the tail by 8 bytes (zero-filled, as Linux); XDP_PASS
//   anything else (or shorter than 16 bytes): XDP_DROP
// A failed adjust returns XDP_ABORTED.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_adjust(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    unsigned char *data_end = (void *)(long)ctx->data_end;
    if (data + 16 > data_end)
        return XDP_DROP;
    unsigned char kind = data[0];

    if (kind == 0x00) {
        if (bpf_xdp_adjust_head(ctx, -4))
            return XDP_ABORTED;
        data = (void *)(long)ctx->data;
        data_end = (void *)(long)ctx->data_end;
        if (data + 4 > data_end)
            return XDP_ABORTED;
        data[0] = 'E';
        data[1] = 'B';
        data[2] = 'P';
        data[3] = 'F';
        if (bpf_xdp_adjust_tail(ctx, -2))
            return XDP_ABORTED;
        return XDP_PASS;
    }
    if (kind == 0x01)
        return XDP_REDIRECT;
    if (kind == 0x02) {
        if (bpf_xdp_adjust_head(ctx, 14))
            return XDP_ABORTED;
        return XDP_TX;
    }
    if (kind == 0x03) {
        if (bpf_xdp_adjust_tail(ctx, 8))
            return XDP_ABORTED;
        return XDP_PASS;
    }
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
