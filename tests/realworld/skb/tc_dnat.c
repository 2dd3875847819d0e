// A tc classifier that steers a virtual IP to a backend, the way
// load balancers and service proxies do it at tc ingress: the destination
// address is rewritten with bpf_skb_store_bytes and both checksums are fixed
// incrementally (bpf_l4_csum_replace with BPF_F_PSEUDO_HDR, since the address
// is part of the TCP/UDP pseudo header, then bpf_l3_csum_replace).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <stddef.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);    // virtual IP (network order)
    __type(value, __u32);  // backend IP (network order)
} backends SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} rewritten SEC(".maps");

#define IP_OFF ETH_HLEN
#define IP_DST_OFF (IP_OFF + offsetof(struct iphdr, daddr))
#define IP_CSUM_OFF (IP_OFF + offsetof(struct iphdr, check))

SEC("tc")
int tc_dnat(struct __sk_buff *skb) {
    void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = data + sizeof(*eth);
    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5) return TC_ACT_OK;
    __u32 old_dst = ip->daddr;
    __u32 *backend = bpf_map_lookup_elem(&backends, &old_dst);
    if (!backend) return TC_ACT_OK;
    __u32 new_dst = *backend;
    __u32 l4_csum_off;
    if (ip->protocol == IPPROTO_TCP) l4_csum_off = IP_OFF + sizeof(*ip) + offsetof(struct tcphdr, check);
    else if (ip->protocol == IPPROTO_UDP) l4_csum_off = IP_OFF + sizeof(*ip) + offsetof(struct udphdr, check);
    else return TC_ACT_SHOT;
    // UDP without a checksum keeps none (BPF_F_MARK_MANGLED_0).
    __u64 flags = BPF_F_PSEUDO_HDR | sizeof(new_dst) | (ip->protocol == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0);
    if (bpf_l4_csum_replace(skb, l4_csum_off, old_dst, new_dst, flags)) return TC_ACT_SHOT;
    if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_dst, new_dst, sizeof(new_dst))) return TC_ACT_SHOT;
    if (bpf_skb_store_bytes(skb, IP_DST_OFF, &new_dst, sizeof(new_dst), 0)) return TC_ACT_SHOT;
    // Packet pointers are invalid after these helpers: read through the context again.
    data = (void *)(long)skb->data;
    data_end = (void *)(long)skb->data_end;
    ip = data + sizeof(*eth);
    if ((void *)(ip + 1) > data_end || ip->daddr != new_dst) return TC_ACT_SHOT;
    __u32 zero = 0;
    __u64 *count = bpf_map_lookup_elem(&rewritten, &zero);
    if (count) __sync_fetch_and_add(count, 1);
    skb->mark = 0xd0;
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
