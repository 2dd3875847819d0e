// A flow dissector that parses the Ethernet header into flow_keys, as the
// kernel's bpf_flow.c selftest does (a shortened version of our own).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("flow_dissector")
int dissect(struct __sk_buff *skb)
{
    struct bpf_flow_keys *keys = skb->flow_keys;
    void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;

    if ((void *)(eth + 1) > data_end)
        return BPF_DROP;
    keys->n_proto = eth->h_proto;
    keys->nhoff = sizeof(*eth);
    keys->thoff = keys->nhoff;
    return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
