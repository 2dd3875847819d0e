// The tc half of an XDP-to-tc metadata hand-off: when the XDP program left a
// class in front of the packet, tc reads it through data_meta; otherwise (the
// packet did not come through XDP, as in a test run) it classifies itself.
// The class goes to skb->tc_classid and skb->priority for the qdisc.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int tc_meta_class(struct __sk_buff *skb) {
    void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
    __u32 *meta = (void *)(long)skb->data_meta;
    __u32 class;
    if ((void *)(meta + 1) <= data) {
        class = *meta;
    } else {
        struct ethhdr *eth = data;
        struct iphdr *ip = data + sizeof(*eth);
        if ((void *)(ip + 1) > data_end) return TC_ACT_SHOT;
        class = eth->h_proto != bpf_htons(ETH_P_IP) ? 1 : ip->protocol;
    }
    skb->tc_classid = 0x10000 | class;
    skb->priority = class;
    skb->cb[0] = class;
    return class == 1 ? TC_ACT_UNSPEC : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
