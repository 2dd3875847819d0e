// xdp-tutorial's "echo" lesson pattern: answer ICMP echo requests in place —
// swap the MAC and IPv4 addresses, turn the request into a reply, patch the
// ICMP checksum incrementally (RFC 1624) and send the frame back (XDP_TX).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// <linux/icmp.h> pulls in libc headers that do not build for -target bpf.
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
struct icmphdr {
    __u8 type;
    __u8 code;
    __sum16 checksum;
    __be16 id;
    __be16 sequence;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} replies SEC(".maps");

static __always_inline __u16 csum_fold(__u32 sum) {
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (__u16)~sum;
}

SEC("xdp")
int xdp_icmp_echo(struct xdp_md* ctx) {
    void* data = (void*)(long)ctx->data;
    void* end = (void*)(long)ctx->data_end;
    struct ethhdr* eth = data;
    struct iphdr* ip = data + sizeof(*eth);
    struct icmphdr* icmp = data + sizeof(*eth) + sizeof(*ip);
    if ((void*)(icmp + 1) > end) return XDP_PASS;
    if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 || ip->protocol != IPPROTO_ICMP) return XDP_PASS;
    if (icmp->type != ICMP_ECHO || icmp->code != 0) return XDP_PASS;

    __u8 mac[ETH_ALEN];
    __builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
    __builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
    __builtin_memcpy(eth->h_source, mac, ETH_ALEN);
    __be32 addr = ip->saddr;
    ip->saddr = ip->daddr;
    ip->daddr = addr;

    // type 8 → 0 in the high byte of the first 16-bit word: HC' = ~(~HC + ~m + m').
    __u16 old_word = bpf_htons(ICMP_ECHO << 8);
    __u16 new_word = bpf_htons(ICMP_ECHOREPLY << 8);
    icmp->type = ICMP_ECHOREPLY;
    __u32 sum = (__u16)~icmp->checksum + (__u16)~old_word + new_word;
    icmp->checksum = csum_fold(sum);

    __u32 key = 0;
    __u64* count = bpf_map_lookup_elem(&replies, &key);
    if (count) *count += 1;
    return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
