// A tc forwarder in the style of bpf-examples' encap-forward and nat64: look
// the destination up in a route map and hand the packet to the egress device
// with bpf_redirect_neigh, which lets the stack fill in the MAC addresses
// (from the neighbour table; a gateway can be given as the next hop). A debug
// line with five values goes through bpf_printk, which libbpf turns into
// bpf_trace_vprintk. Flags the helper does not know drop the packet.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define AF_INET 2

struct route {
    __u32 ifindex;
    __u32 gateway;  // 0: on link
    __u32 flags;    // passed to bpf_redirect_neigh (0 in a correct setup)
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);  // destination address, network order
    __type(value, struct route);
} routes SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} forwarded SEC(".maps");

SEC("tc")
int tc_forward(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = data + sizeof(*eth);
    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return TC_ACT_OK;

    __u32 daddr = ip->daddr;
    struct route *rt = bpf_map_lookup_elem(&routes, &daddr);
    if (!rt)
        return TC_ACT_OK;
    if (ip->ttl <= 1)
        return TC_ACT_SHOT;

    bpf_printk("forward %x proto %d ttl %d to %d via %x", bpf_ntohl(daddr), ip->protocol, ip->ttl, rt->ifindex,
               rt->gateway);
    __u32 zero = 0;
    __u64 *count = bpf_map_lookup_elem(&forwarded, &zero);
    if (count)
        __sync_fetch_and_add(count, 1);

    if (!rt->gateway)
        return bpf_redirect_neigh(rt->ifindex, NULL, 0, rt->flags);
    struct bpf_redir_neigh nh = {.nh_family = AF_INET, .ipv4_nh = rt->gateway};
    return bpf_redirect_neigh(rt->ifindex, &nh, sizeof(nh), rt->flags);
}

char LICENSE[] SEC("license") = "GPL";
