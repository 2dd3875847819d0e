/* XDP programs for the per-packet benchmark (xdp_bench.cpp), written the way
 * XDP programs usually are: bounds-checked header parsing, maps for state.
 *   xdp_pass      returns at once: the per-run overhead of each mode
 *   xdp_count     parses Ethernet (one VLAN tag), IPv4/IPv6 and the L4
 *                 protocol, and counts packets per IP protocol
 *   xdp_filter    drops packets whose IPv4 source is in a hash map
 *   xdp_rewrite   swaps the MAC and IPv4 addresses and UDP ports, sends back
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 256);
} proto_counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);   /* IPv4 source address, network order */
    __type(value, __u64); /* packets dropped */
    __uint(max_entries, 1024);
} blocked SEC(".maps");

struct vlan_header {
    __be16 tci;
    __be16 encapsulated_proto;
};

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
    (void)ctx;
    return XDP_PASS;
}

/* The L3 protocol and where its header starts, past one optional VLAN tag. */
static __always_inline int parse_ethernet(void *data, void *data_end, __u16 *proto, void **l3)
{
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return -1;
    *proto = eth->h_proto;
    *l3 = eth + 1;
    if (*proto == bpf_htons(ETH_P_8021Q) || *proto == bpf_htons(ETH_P_8021AD)) {
        struct vlan_header *vlan = *l3;
        if ((void *)(vlan + 1) > data_end)
            return -1;
        *proto = vlan->encapsulated_proto;
        *l3 = vlan + 1;
    }
    return 0;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
    __u16 proto;
    void *l3;
    __u32 key;
    if (parse_ethernet(data, data_end, &proto, &l3) < 0)
        return XDP_ABORTED;
    if (proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = l3;
        if ((void *)(ip + 1) > data_end || ip->ihl < 5)
            return XDP_DROP;
        key = ip->protocol;
    } else if (proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = l3;
        if ((void *)(ip6 + 1) > data_end)
            return XDP_DROP;
        key = ip6->nexthdr;
    } else {
        return XDP_PASS;
    }
    __u64 *count = bpf_map_lookup_elem(&proto_counts, &key);
    if (count)
        *count += 1;
    return XDP_PASS;
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
    __u16 proto;
    void *l3;
    if (parse_ethernet(data, data_end, &proto, &l3) < 0 || proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = l3;
    if ((void *)(ip + 1) > data_end)
        return XDP_PASS;
    __u32 source = ip->saddr;
    __u64 *dropped = bpf_map_lookup_elem(&blocked, &source);
    if (!dropped)
        return XDP_PASS;
    __sync_fetch_and_add(dropped, 1);
    return XDP_DROP;
}

SEC("xdp")
int xdp_rewrite(struct xdp_md *ctx)
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
    __be32 address = ip->saddr; /* swapping both keeps the IPv4 checksum valid */
    ip->saddr = ip->daddr;
    ip->daddr = address;
    __be16 port = udp->source; /* and the UDP checksum */
    udp->source = udp->dest;
    udp->dest = port;
    return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
