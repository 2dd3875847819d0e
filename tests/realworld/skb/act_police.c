// A tc action (cls_act "action" section, BPF_PROG_TYPE_SCHED_ACT) that
// polices per destination: a packet over its destination's byte budget is
// dropped (TC_ACT_SHOT), otherwise marked and passed on (TC_ACT_PIPE).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u64);  // bytes left
} budget SEC(".maps");

SEC("action")
int act_police(struct __sk_buff *skb) {
    __u32 daddr;
    if (skb->protocol != bpf_htons(ETH_P_IP)) return TC_ACT_PIPE;
    if (bpf_skb_load_bytes(skb, ETH_HLEN + 16, &daddr, sizeof(daddr))) return TC_ACT_SHOT;
    __u64 *left = bpf_map_lookup_elem(&budget, &daddr);
    if (!left) return TC_ACT_PIPE;
    if (*left < skb->len) return TC_ACT_SHOT;
    *left -= skb->len;
    skb->mark = 0x1;
    return TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
