// A tc (sched_cls) classifier with direct packet access through
// skb->data/data_end: marks IPv4 packets by their DSCP value in skb->mark
// and returns TC_ACT_OK (0); frames too short for Ethernet + IPv4, or not
// IPv4, get TC_ACT_OK unchanged; IPv4 with TTL 0 gets TC_ACT_SHOT (2).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int classify(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return TC_ACT_OK;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end)
        return TC_ACT_OK;
    if (ip->ttl == 0)
        return TC_ACT_SHOT;
    skb->mark = ip->tos >> 2;
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
