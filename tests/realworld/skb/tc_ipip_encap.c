// A tc egress program that tunnels IPv4 packets to a remote endpoint in
// IPIP, the way tc-based overlay datapaths encapsulate: bpf_skb_adjust_room
// makes room for the outer header after the Ethernet header (BPF_ADJ_ROOM_MAC
// with BPF_F_ADJ_ROOM_ENCAP_L3_IPV4), the program writes it with
// bpf_skb_store_bytes, and its checksum comes from bpf_csum_diff. Packets too
// large for the tunnel are trimmed to a 64-byte probe with bpf_skb_change_tail.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define TUNNEL_MTU 100

SEC("tc")
int tc_ipip_encap(struct __sk_buff *skb) {
    void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
    struct iphdr *inner = data + ETH_HLEN;
    if ((void *)(inner + 1) > data_end || skb->protocol != bpf_htons(ETH_P_IP)) return TC_ACT_OK;
    __u16 inner_len = bpf_ntohs(inner->tot_len);
    if (skb->len > TUNNEL_MTU) {
        // Too big to tunnel: cut to a probe the far end can answer.
        return bpf_skb_change_tail(skb, 64, 0) ? TC_ACT_SHOT : TC_ACT_PIPE;
    }
    struct iphdr outer = {
        .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_IPIP,
        .tot_len = bpf_htons(inner_len + sizeof(struct iphdr)),
        .saddr = bpf_htonl(0xc0000201), .daddr = bpf_htonl(0xc0000202),
    };
    outer.check = ~bpf_csum_diff(0, 0, (__be32 *)&outer, sizeof(outer), 0) & 0xffff;
    if (bpf_skb_adjust_room(skb, sizeof(outer), BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4)) return TC_ACT_SHOT;
    if (bpf_skb_store_bytes(skb, ETH_HLEN, &outer, sizeof(outer), 0)) return TC_ACT_SHOT;
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
