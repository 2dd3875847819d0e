// An XDP program that classifies at the driver and hands the result on as
// packet metadata, the pattern of xdp-hints style programs: 4 bytes are
// reserved in front of the packet with bpf_xdp_adjust_meta and a class is
// written there for the tc program that runs next (which reads data_meta).
// The packet itself is read with bpf_xdp_load_bytes and its length comes from
// bpf_xdp_get_buff_len.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_meta_mark(struct xdp_md *ctx) {
    struct iphdr ip;
    __u32 class = 1;  // not IPv4
    __u16 proto;
    if (bpf_xdp_load_bytes(ctx, 12, &proto, sizeof(proto))) return XDP_DROP;
    if (proto == bpf_htons(ETH_P_IP) && bpf_xdp_load_bytes(ctx, ETH_HLEN, &ip, sizeof(ip)) == 0)
        class = ip.protocol == IPPROTO_TCP ? 6 : ip.protocol == IPPROTO_UDP ? 17 : 2;
    if (bpf_xdp_get_buff_len(ctx) > 1000) class |= 0x100;  // large
    if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(__u32))) return XDP_ABORTED;
    void *data = (void *)(long)ctx->data;
    __u32 *meta = (void *)(long)ctx->data_meta;
    if ((void *)(meta + 1) > data) return XDP_ABORTED;
    *meta = class;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
