// A socket filter that lets only DNS queries (UDP to port 53) through to the
// socket, the way packet-capture and resolver sandboxes filter: a socket
// filter sees the packet from its network header and reads it with
// bpf_skb_load_bytes (no direct packet access), and returns how many bytes to
// keep (0 drops).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <stddef.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} verdicts SEC(".maps");  // 0: dropped, 1: accepted

static __always_inline int count(__u32 index, int keep) {
    __u64 *n = bpf_map_lookup_elem(&verdicts, &index);
    if (n) __sync_fetch_and_add(n, 1);
    return keep;
}

SEC("socket")
int socket_dns(struct __sk_buff *skb) {
    if (skb->protocol != bpf_htons(ETH_P_IP)) return count(0, 0);
    struct iphdr ip;
    if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip))) return count(0, 0);
    if (ip.protocol != IPPROTO_UDP || (ip.frag_off & bpf_htons(0x3fff))) return count(0, 0);
    __u16 dport;
    // The UDP header follows the IP header and its options.
    if (bpf_skb_load_bytes(skb, ip.ihl * 4 + offsetof(struct udphdr, dest), &dport, sizeof(dport))) return count(0, 0);
    if (dport != bpf_htons(53)) return count(0, 0);
    // The link-layer header, for a check only: it is still there before the network header.
    unsigned char eth_type[2];
    if (bpf_skb_load_bytes_relative(skb, 12, eth_type, 2, BPF_HDR_START_MAC) || eth_type[0] != 0x08) return count(0, 0);
    return count(1, skb->len);
}

char LICENSE[] SEC("license") = "GPL";
