// An xdp-tutorial-style parser: walk Ethernet (with up to two VLAN tags),
// IPv4 or IPv6, count packets per IP protocol, and drop UDP to port 9
// (discard) — bounds checked against data_end at every step.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct vlan_hdr {
    __be16 tci;
    __be16 encapsulated_proto;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, __u64);
} proto_packets SEC(".maps");

struct cursor {
    void* pos;
    void* end;
};

static __always_inline int parse_eth(struct cursor* c, __u16* proto) {
    struct ethhdr* eth = c->pos;
    if ((void*)(eth + 1) > c->end) return -1;
    c->pos = eth + 1;
    *proto = eth->h_proto;
#pragma unroll
    for (int i = 0; i < 2; i++) {
        if (*proto != bpf_htons(ETH_P_8021Q) && *proto != bpf_htons(ETH_P_8021AD)) break;
        struct vlan_hdr* vlan = c->pos;
        if ((void*)(vlan + 1) > c->end) return -1;
        c->pos = vlan + 1;
        *proto = vlan->encapsulated_proto;
    }
    return 0;
}

SEC("xdp")
int xdp_proto_count(struct xdp_md* ctx) {
    struct cursor c = {(void*)(long)ctx->data, (void*)(long)ctx->data_end};
    __u16 eth_proto;
    __u32 ip_proto;
    if (parse_eth(&c, &eth_proto) < 0) return XDP_ABORTED;
    if (eth_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr* ip = c.pos;
        if ((void*)(ip + 1) > c.end) return XDP_ABORTED;
        if (ip->ihl < 5) return XDP_DROP;
        c.pos = (void*)ip + ip->ihl * 4;
        ip_proto = ip->protocol;
    } else if (eth_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr* ip6 = c.pos;
        if ((void*)(ip6 + 1) > c.end) return XDP_ABORTED;
        c.pos = ip6 + 1;
        ip_proto = ip6->nexthdr;
    } else {
        return XDP_PASS;
    }
    __u64* count = bpf_map_lookup_elem(&proto_packets, &ip_proto);
    if (count) __sync_fetch_and_add(count, 1);
    if (ip_proto == IPPROTO_UDP) {
        struct udphdr* udp = c.pos;
        if ((void*)(udp + 1) > c.end) return XDP_ABORTED;
        if (udp->dest == bpf_htons(9)) return XDP_DROP;
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
