// xdp-tutorial's packet-rewriting pattern (swap the Ethernet, IPv4 and UDP
// source and destination, send back with XDP_TX), run with `repeat`: as in
// Linux's BPF_PROG_TEST_RUN, the runs of one batch share the packet, so an
// even number of swaps gives the packet back unchanged.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_swap(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end || ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
        return XDP_PASS;
    struct udphdr *udp = (void *)(ip + 1);
    if ((void *)(udp + 1) > data_end)
        return XDP_PASS;
    unsigned char mac[ETH_ALEN];
    __builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
    __builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
    __builtin_memcpy(eth->h_source, mac, ETH_ALEN);
    __be32 address = ip->saddr;
    ip->saddr = ip->daddr;
    ip->daddr = address;
    __be16 port = udp->source;
    udp->source = udp->dest;
    udp->dest = port;
    return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
