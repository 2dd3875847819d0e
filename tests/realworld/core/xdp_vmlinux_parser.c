// An XDP parser built the CO-RE way, against vmlinux.h types instead of the
// uapi headers (as libbpf-bootstrap and bpf-examples programs are): every
// ctx->data, eth->h_proto, ip->protocol, ip->ihl (a bitfield) and
// udp->dest access is a CO-RE relocation. UDP to port 9 is dropped; packets
// are counted per IP protocol.
#include "vmlinux_min.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP 0x0800
#define IPPROTO_UDP 17

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, __u64);
} proto_seen SEC(".maps");

SEC("xdp")
int xdp_core_parse(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_PASS;
    if (eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end)
        return XDP_PASS;
    __u32 ihl = ip->ihl;
    if (ihl < 5)
        return XDP_DROP;
    __u32 proto = ip->protocol;
    __u64 *count = bpf_map_lookup_elem(&proto_seen, &proto);
    if (count)
        __sync_fetch_and_add(count, 1);
    if (proto != IPPROTO_UDP)
        return XDP_PASS;
    struct udphdr *udp = (void *)ip + ihl * 4;
    if ((void *)(udp + 1) > data_end)
        return XDP_PASS;
    if (udp->dest == bpf_htons(9))
        return XDP_DROP;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
