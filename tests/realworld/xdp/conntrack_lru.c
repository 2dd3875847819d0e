// A connection table in the style of katran's LRU flow cache and
// bpf-examples' conntrack: the 5-tuple of each TCP/UDP flow keys an LRU hash
// whose value counts packets and bytes and remembers the first packet's TCP
// flags; a full table evicts the least recently used flow.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct flow_key {
    __be32 src;
    __be32 dst;
    __be16 sport;
    __be16 dport;
    __u8 proto;
    __u8 pad[3];
};

struct flow_stats {
    __u64 packets;
    __u64 bytes;
    __u8 first_flags;
    __u8 pad[7];
};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 2);
    __type(key, struct flow_key);
    __type(value, struct flow_stats);
} flows SEC(".maps");

SEC("xdp")
int xdp_conntrack(struct xdp_md* ctx) {
    void* data = (void*)(long)ctx->data;
    void* end = (void*)(long)ctx->data_end;
    struct ethhdr* eth = data;
    struct iphdr* ip = (void*)(eth + 1);
    if ((void*)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5) return XDP_PASS;
    if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP) return XDP_PASS;
    __be16* ports = (void*)(ip + 1);
    if ((void*)(ports + 2) > end) return XDP_PASS;

    struct flow_key key = {.src = ip->saddr, .dst = ip->daddr, .sport = ports[0], .dport = ports[1],
                           .proto = ip->protocol};
    __u64 length = (__u64)(end - data);
    struct flow_stats* stats = bpf_map_lookup_elem(&flows, &key);
    if (stats) {
        __sync_fetch_and_add(&stats->packets, 1);
        __sync_fetch_and_add(&stats->bytes, length);
        return XDP_PASS;
    }
    struct flow_stats fresh = {.packets = 1, .bytes = length};
    if (ip->protocol == IPPROTO_TCP) {
        struct tcphdr* tcp = (void*)(ip + 1);
        if ((void*)(tcp + 1) > end) return XDP_DROP;
        fresh.first_flags = ((__u8*)tcp)[13];
    }
    bpf_map_update_elem(&flows, &key, &fresh, BPF_NOEXIST);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
