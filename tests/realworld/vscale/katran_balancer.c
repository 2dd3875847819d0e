// A katran-style L4 load balancer (our own code, katran's shape): parse
// Ethernet + IPv4/IPv6 + TCP/UDP, look the destination up in a VIP table,
// find the real server of the flow in an LRU connection table or else on
// the VIP's consistent-hash ring (and remember it), count per VIP, and
// encapsulate towards the real: IPIP for an IPv4 real, IPv6 (4in6 / 6in6)
// for an IPv6 one, out through XDP_TX to the default gateway's MAC. Work
// is split into noinline functions as katran's balancer is, and the whole
// program is big enough that verifying it needs pruning that ignores what
// does not matter (docs/limits.md).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define MAX_VIPS 16
#define RING_SIZE 61
#define MAX_REALS 32
#define F_REAL_IPV6 1
#define F_VIP_NO_LRU 2
#define ENCAP_SRC_NET 0xac100000u  // 172.16.0.0/16: outer sources, one per flow hash

struct vip_key {
    __be32 addr[4];  // IPv4 in addr[0]
    __be16 port;
    __u8 proto;
    __u8 pad;
};

struct vip_meta {
    __u32 flags;
    __u32 vip_num;
};

struct flow_key {
    __be32 src[4];
    __be32 dst[4];
    __be16 sport;
    __be16 dport;
    __u8 proto;
    __u8 pad[3];
};

struct real_def {
    __be32 addr[4];
    __u32 flags;
};

struct vip_stats {
    __u64 packets;
    __u64 bytes;
};

struct gateway {
    __u8 mac[ETH_ALEN];
    __u16 pad;
};

struct packet {
    struct flow_key flow;
    __u16 length;  // bytes of the L3 packet
    __u8 tos;
    __u8 ipv6;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, MAX_VIPS);
    __type(key, struct vip_key);
    __type(value, struct vip_meta);
} vip_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 1024);
    __type(key, struct flow_key);
    __type(value, __u32);
} conn_table SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, MAX_VIPS * RING_SIZE);
    __type(key, __u32);
    __type(value, __u32);
} ch_rings SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, MAX_REALS);
    __type(key, __u32);
    __type(value, struct real_def);
} reals SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, MAX_VIPS);
    __type(key, __u32);
    __type(value, struct vip_stats);
} stats SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct gateway);
} gateway_mac SEC(".maps");

static __always_inline __u32 rol32(__u32 word, unsigned int shift) {
    return (word << shift) | (word >> ((-shift) & 31));
}

// A jhash-like mix of the client's address and both ports.
static __attribute__((noinline)) __u32 flow_hash(struct flow_key* flow) {
    __u32 a = 0xdeadbeef + flow->src[0], b = 0xdeadbeef + flow->src[1], c = 0xdeadbeef + flow->src[2];
    a ^= flow->src[3];
    c ^= ((__u32)flow->sport << 16) | flow->dport;
    c ^= b; c -= rol32(b, 14);
    a ^= c; a -= rol32(c, 11);
    b ^= a; b -= rol32(a, 25);
    c ^= b; c -= rol32(b, 16);
    a ^= c; a -= rol32(c, 4);
    b ^= a; b -= rol32(a, 14);
    c ^= b; c -= rol32(b, 24);
    return c;
}

// The real of a flow: the one it used before (LRU), else its place on the
// VIP's ring, remembered for the next packets unless the VIP says not to.
static __attribute__((noinline)) int pick_real(struct flow_key* flow, struct vip_meta* vip, __u32* real) {
    __u32* known = 0;
    if (!(vip->flags & F_VIP_NO_LRU)) known = bpf_map_lookup_elem(&conn_table, flow);
    if (known) {
        *real = *known;
        return 0;
    }
    __u32 slot = vip->vip_num * RING_SIZE + flow_hash(flow) % RING_SIZE;
    __u32* ring = bpf_map_lookup_elem(&ch_rings, &slot);
    if (!ring) return -1;
    *real = *ring;
    if (!(vip->flags & F_VIP_NO_LRU)) bpf_map_update_elem(&conn_table, flow, ring, BPF_ANY);
    return 0;
}

static __attribute__((noinline)) void count(__u32 vip_num, __u16 bytes) {
    struct vip_stats* s = bpf_map_lookup_elem(&stats, &vip_num);
    if (!s) return;
    s->packets += 1;
    s->bytes += bytes;
}

static __always_inline int parse_ports(void* l4, void* end, struct packet* pkt) {
    __be16* ports = l4;
    if ((void*)(ports + 2) > end) return -1;
    pkt->flow.sport = ports[0];
    pkt->flow.dport = ports[1];
    return 0;
}

static __always_inline int parse(void* data, void* end, struct packet* pkt) {
    struct ethhdr* eth = data;
    if ((void*)(eth + 1) > end) return -1;
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr* ip = (void*)(eth + 1);
        if ((void*)(ip + 1) > end) return -1;
        if (ip->ihl != 5 || (ip->frag_off & bpf_htons(0x3fff))) return -1;  // options, fragments: not ours
        pkt->flow.proto = ip->protocol;
        pkt->flow.src[0] = ip->saddr;
        pkt->flow.dst[0] = ip->daddr;
        pkt->tos = ip->tos;
        pkt->length = bpf_ntohs(ip->tot_len);
        pkt->ipv6 = 0;
        if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP) return -1;
        return parse_ports(ip + 1, end, pkt);
    }
    if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr* ip6 = (void*)(eth + 1);
        if ((void*)(ip6 + 1) > end) return -1;
        pkt->flow.proto = ip6->nexthdr;
        __builtin_memcpy(pkt->flow.src, &ip6->saddr, 16);
        __builtin_memcpy(pkt->flow.dst, &ip6->daddr, 16);
        pkt->tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
        pkt->length = bpf_ntohs(ip6->payload_len) + sizeof(struct ipv6hdr);
        pkt->ipv6 = 1;
        if (ip6->nexthdr != IPPROTO_TCP && ip6->nexthdr != IPPROTO_UDP) return -1;
        return parse_ports(ip6 + 1, end, pkt);
    }
    return -1;
}

static __always_inline __u16 csum_fold(__u32 sum) {
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (__u16)~sum;
}

// Room for the outer header in front, the Ethernet header rewritten there.
static __attribute__((noinline)) int push_outer(struct xdp_md* ctx, int room) {
    void* data = (void*)(long)ctx->data;
    void* end = (void*)(long)ctx->data_end;
    struct ethhdr* old_eth = data;
    if ((void*)(old_eth + 1) > end) return -1;
    __u8 mac[ETH_ALEN];
    __builtin_memcpy(mac, old_eth->h_dest, ETH_ALEN);
    if (bpf_xdp_adjust_head(ctx, -room)) return -1;
    data = (void*)(long)ctx->data;
    end = (void*)(long)ctx->data_end;
    struct ethhdr* eth = data;
    if ((void*)(eth + 1) > end) return -1;
    __u32 zero = 0;
    struct gateway* gw = bpf_map_lookup_elem(&gateway_mac, &zero);
    if (!gw) return -1;
    __builtin_memcpy(eth->h_source, mac, ETH_ALEN);
    __builtin_memcpy(eth->h_dest, gw->mac, ETH_ALEN);
    return 0;
}

static __always_inline int encap_ipv4(struct xdp_md* ctx, struct packet* pkt, struct real_def* real, __u32 hash) {
    if (push_outer(ctx, sizeof(struct iphdr))) return XDP_DROP;
    void* data = (void*)(long)ctx->data;
    void* end = (void*)(long)ctx->data_end;
    struct ethhdr* eth = data;
    struct iphdr* ip = (void*)(eth + 1);
    if ((void*)(ip + 1) > end) return XDP_DROP;
    eth->h_proto = bpf_htons(ETH_P_IP);
    ip->version = 4;
    ip->ihl = 5;
    ip->tos = pkt->tos;
    ip->tot_len = bpf_htons(pkt->length + sizeof(struct iphdr));
    ip->id = 0;
    ip->frag_off = 0;
    ip->ttl = 64;
    ip->protocol = IPPROTO_IPIP;
    ip->check = 0;
    ip->saddr = bpf_htonl(ENCAP_SRC_NET | (hash & 0xffff));
    ip->daddr = real->addr[0];
    __u32 sum = 0;
    __u16* words = (__u16*)ip;
#pragma unroll
    for (int i = 0; i < (int)(sizeof(*ip) / 2); i++) sum += words[i];
    ip->check = csum_fold(sum);
    return XDP_TX;
}

static __always_inline int encap_ipv6(struct xdp_md* ctx, struct packet* pkt, struct real_def* real, __u32 hash) {
    if (push_outer(ctx, sizeof(struct ipv6hdr))) return XDP_DROP;
    void* data = (void*)(long)ctx->data;
    void* end = (void*)(long)ctx->data_end;
    struct ethhdr* eth = data;
    struct ipv6hdr* ip6 = (void*)(eth + 1);
    if ((void*)(ip6 + 1) > end) return XDP_DROP;
    eth->h_proto = bpf_htons(ETH_P_IPV6);
    ip6->version = 6;
    ip6->priority = pkt->tos >> 4;
    ip6->flow_lbl[0] = (pkt->tos & 0xf) << 4;
    ip6->flow_lbl[1] = 0;
    ip6->flow_lbl[2] = 0;
    ip6->payload_len = bpf_htons(pkt->length);
    ip6->nexthdr = pkt->ipv6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
    ip6->hop_limit = 64;
    __u32 src[4] = {bpf_htonl(0xfc000000), 0, 0, bpf_htonl(hash)};
    __builtin_memcpy(&ip6->saddr, src, 16);
    __builtin_memcpy(&ip6->daddr, real->addr, 16);
    return XDP_TX;
}

SEC("xdp")
int balancer_ingress(struct xdp_md* ctx) {
    void* data = (void*)(long)ctx->data;
    void* end = (void*)(long)ctx->data_end;
    struct packet pkt = {};
    if (parse(data, end, &pkt)) return XDP_PASS;

    struct vip_key vip = {};
    __builtin_memcpy(vip.addr, pkt.flow.dst, 16);
    vip.port = pkt.flow.dport;
    vip.proto = pkt.flow.proto;
    struct vip_meta* meta = bpf_map_lookup_elem(&vip_map, &vip);
    if (!meta) return XDP_PASS;
    if (meta->vip_num >= MAX_VIPS) return XDP_DROP;

    __u32 real_index = 0;
    if (pick_real(&pkt.flow, meta, &real_index)) return XDP_DROP;
    struct real_def* real = bpf_map_lookup_elem(&reals, &real_index);
    if (!real) return XDP_DROP;
    count(meta->vip_num, pkt.length);
    __u32 hash = flow_hash(&pkt.flow);
    if (real->flags & F_REAL_IPV6) return encap_ipv6(ctx, &pkt, real, hash);
    if (pkt.ipv6) return XDP_DROP;  // an IPv6 client needs an IPv6 real
    return encap_ipv4(ctx, &pkt, real, hash);
}

char LICENSE[] SEC("license") = "GPL";
