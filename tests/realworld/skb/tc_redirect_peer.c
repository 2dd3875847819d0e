// A container-networking fast path in the style of Cilium's host-to-pod
// redirect: traffic for a local endpoint goes straight into the peer of its
// veth pair with bpf_redirect_peer (the host device's ingress is skipped).
// Flags the helper does not know drop the packet (Linux: TC_ACT_SHOT).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct endpoint {
    __u32 host_ifindex;  // the host side of the pod's veth pair
    __u32 flags;         // for bpf_redirect_peer (0 in a correct setup)
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u32);  // pod address, network order
    __type(value, struct endpoint);
} endpoints SEC(".maps");

SEC("tc")
int to_pod(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = data + sizeof(*eth);
    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return TC_ACT_OK;
    __u32 daddr = ip->daddr;
    struct endpoint *ep = bpf_map_lookup_elem(&endpoints, &daddr);
    if (!ep)
        return TC_ACT_OK;
    return bpf_redirect_peer(ep->host_ifindex, ep->flags);
}

char LICENSE[] SEC("license") = "GPL";
