// A katran-shaped XDP load balancer (our own code): parse IPv4/IPv6 and
// TCP/UDP, VIP lookup, LRU connection table, consistent-hash ring, real
// lookup, IPIP encapsulation with a checksum loop. A scale test for the
// verifier: the precision tests bound its states and memory.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define RING 65
struct vip_key { __u32 addr; __u16 port; __u8 proto; __u8 pad; };
struct vip_meta { __u32 flags; __u32 num; };
struct flow { __u32 src; __u32 dst; __u16 sport; __u16 dport; __u8 proto; __u8 pad[3]; };
struct real { __u32 addr; __u32 weight; };
struct conn { __u32 real; __u64 seen; };
struct stats { __u64 pkts; __u64 bytes; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, struct vip_key); __type(value, struct vip_meta); __uint(max_entries, 512); } vips SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __type(key, struct flow); __type(value, struct conn); __uint(max_entries, 4096); } conns SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __type(key, __u32); __type(value, __u32); __uint(max_entries, 512 * RING); } ring SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __type(key, __u32); __type(value, struct real); __uint(max_entries, 4096); } reals SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __type(key, __u32); __type(value, struct stats); __uint(max_entries, 512); } vip_stats SEC(".maps");

static __always_inline __u32 hash(const struct flow *f)
{
    __u32 h = f->src * 2654435761u ^ f->dst;
    h ^= ((__u32)f->sport << 16) | f->dport;
    h ^= h >> 15; h *= 0x2c1b3c6d; h ^= h >> 12;
    return h;
}

static __always_inline __u16 csum_fold(__u64 sum)
{
#pragma clang loop unroll(disable)
    for (int i = 0; i < 4; i++)
        if (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
    return ~sum;
}

static __always_inline int parse_l4(void *l4, void *end, __u8 proto, struct flow *f)
{
    if (proto == IPPROTO_TCP) {
        struct tcphdr *t = l4;
        if ((void *)(t + 1) > end) return -1;
        f->sport = t->source; f->dport = t->dest;
        if (t->syn) return 1;
        return 0;
    }
    if (proto == IPPROTO_UDP) {
        struct udphdr *u = l4;
        if ((void *)(u + 1) > end) return -1;
        f->sport = u->source; f->dport = u->dest;
        return 0;
    }
    return -1;
}

SEC("xdp")
int balancer(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end) return XDP_DROP;
    struct flow f;
    __builtin_memset(&f, 0, sizeof(f));
    int syn;
    __u32 pkt_len = (__u32)(end - data);
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > end) return XDP_DROP;
        if (ip->ihl != 5) return XDP_PASS;
        if (ip->frag_off & bpf_htons(0x3fff)) return XDP_DROP;
        f.src = ip->saddr; f.dst = ip->daddr; f.proto = ip->protocol;
        syn = parse_l4(ip + 1, end, ip->protocol, &f);
    } else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = (void *)(eth + 1);
        if ((void *)(ip6 + 1) > end) return XDP_DROP;
        f.src = ip6->saddr.in6_u.u6_addr32[3] ^ ip6->saddr.in6_u.u6_addr32[0];
        f.dst = ip6->daddr.in6_u.u6_addr32[3];
        f.proto = ip6->nexthdr;
        syn = parse_l4(ip6 + 1, end, ip6->nexthdr, &f);
    } else {
        return XDP_PASS;
    }
    if (syn < 0) return XDP_DROP;
    struct vip_key vk;
    __builtin_memset(&vk, 0, sizeof(vk));
    vk.addr = f.dst; vk.port = f.dport; vk.proto = f.proto;
    struct vip_meta *vip = bpf_map_lookup_elem(&vips, &vk);
    if (!vip) {
        vk.port = 0;
        vip = bpf_map_lookup_elem(&vips, &vk);
        if (!vip) return XDP_PASS;
    }
    __u32 vip_num = vip->num;
    if (vip_num >= 512) return XDP_DROP;
    struct stats *st = bpf_map_lookup_elem(&vip_stats, &vip_num);
    if (st) { st->pkts++; st->bytes += pkt_len; }
    __u32 real_idx = 0;
    struct conn *c = syn ? 0 : bpf_map_lookup_elem(&conns, &f);
    if (c) {
        real_idx = c->real;
        c->seen = bpf_ktime_get_ns();
    } else {
        __u32 key = vip_num * RING + hash(&f) % RING;
        __u32 *r = bpf_map_lookup_elem(&ring, &key);
        if (!r) return XDP_DROP;
        real_idx = *r;
        struct conn nc;
        __builtin_memset(&nc, 0, sizeof(nc));
        nc.real = real_idx; nc.seen = bpf_ktime_get_ns();
        bpf_map_update_elem(&conns, &f, &nc, BPF_ANY);
    }
    struct real *dst = bpf_map_lookup_elem(&reals, &real_idx);
    if (!dst) return XDP_DROP;
    if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(struct iphdr))) return XDP_DROP;
    data = (void *)(long)ctx->data; end = (void *)(long)ctx->data_end;
    struct ethhdr *neth = data;
    struct iphdr *outer = (void *)(neth + 1);
    struct ethhdr *oeth = (void *)((char *)data + sizeof(struct iphdr));
    if ((void *)(outer + 1) > end || (void *)(oeth + 1) > end) return XDP_DROP;
    __builtin_memcpy(neth->h_dest, oeth->h_source, ETH_ALEN);
    __builtin_memcpy(neth->h_source, oeth->h_dest, ETH_ALEN);
    neth->h_proto = bpf_htons(ETH_P_IP);
    outer->version = 4; outer->ihl = 5; outer->tos = 0;
    outer->tot_len = bpf_htons(pkt_len - sizeof(struct ethhdr) + sizeof(struct iphdr));
    outer->id = 0; outer->frag_off = 0; outer->ttl = 64; outer->protocol = IPPROTO_IPIP;
    outer->saddr = 0x0100000a; outer->daddr = dst->addr; outer->check = 0;
    __u64 sum = 0;
    __u16 *w = (__u16 *)outer;
#pragma clang loop unroll(disable)
    for (int i = 0; i < (int)sizeof(struct iphdr) / 2; i++) {
        sum += w[i];
    }
    outer->check = csum_fold(sum);
    return XDP_TX;
}
char LICENSE[] SEC("license") = "GPL";
