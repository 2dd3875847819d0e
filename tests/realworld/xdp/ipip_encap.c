// katran's encapsulation pattern: a VIP table (hash) names a real server;
// packets to a VIP get an outer IPv4 header (IPIP) in front of the inner one
// with bpf_xdp_adjust_head, the outer checksum computed over the new header,
// and leave through XDP_TX towards the real. Everything else passes.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct vip_key {
    __be32 addr;
    __be16 port;
    __u8 proto;
    __u8 pad;
};

struct real {
    __be32 addr;
    __u8 mac[ETH_ALEN];
    __u16 pad;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, struct vip_key);
    __type(value, struct real);
} vips SEC(".maps");

struct ports {
    __be16 src;
    __be16 dst;
};

static __attribute__((noinline)) __u16 ipv4_csum(struct iphdr* ip) {
    __u32 sum = 0;
    __u16* words = (__u16*)ip;
#pragma unroll
    for (int i = 0; i < (int)(sizeof(*ip) / 2); i++) sum += words[i];
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (__u16)~sum;
}

SEC("xdp")
int xdp_ipip_encap(struct xdp_md* ctx) {
    void* data = (void*)(long)ctx->data;
    void* end = (void*)(long)ctx->data_end;
    struct ethhdr* eth = data;
    struct iphdr* ip = data + sizeof(*eth);
    struct ports* ports = data + sizeof(*eth) + sizeof(*ip);
    if ((void*)(ports + 1) > end) return XDP_PASS;
    if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5) return XDP_PASS;
    if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP) return XDP_PASS;

    struct vip_key key = {.addr = ip->daddr, .port = ports->dst, .proto = ip->protocol};
    struct real* real = bpf_map_lookup_elem(&vips, &key);
    if (!real) return XDP_PASS;
    __u16 inner_len = bpf_ntohs(ip->tot_len);
    __u8 inner_tos = ip->tos;
    __u8 src_mac[ETH_ALEN];
    __builtin_memcpy(src_mac, eth->h_dest, ETH_ALEN);

    if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr))) return XDP_DROP;
    data = (void*)(long)ctx->data;
    end = (void*)(long)ctx->data_end;
    struct ethhdr* new_eth = data;
    struct iphdr* outer = data + sizeof(*new_eth);
    if ((void*)(outer + 1) > end) return XDP_DROP;
    __builtin_memcpy(new_eth->h_dest, real->mac, ETH_ALEN);
    __builtin_memcpy(new_eth->h_source, src_mac, ETH_ALEN);
    new_eth->h_proto = bpf_htons(ETH_P_IP);
    outer->version = 4;
    outer->ihl = 5;
    outer->tos = inner_tos;
    outer->tot_len = bpf_htons(inner_len + sizeof(struct iphdr));
    outer->id = 0;
    outer->frag_off = 0;
    outer->ttl = 64;
    outer->protocol = IPPROTO_IPIP;
    outer->check = 0;
    outer->saddr = bpf_htonl(0xac100001);  // 172.16.0.1, the balancer
    outer->daddr = real->addr;
    outer->check = ipv4_csum(outer);
    return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
