// XDP: parse Ethernet + IPv4 (+ UDP/TCP ports) with data/data_end checks,
// count packets per IP protocol, and decide:
//   not IPv4 (or too short for Ethernet)  -> XDP_PASS
//   IPv4 with a bad header                 -> XDP_ABORTED
//   UDP to port 9 (discard)                -> XDP_DROP
//   TTL == 1                               -> XDP_TX
//   anything else                          -> XDP_PASS
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 256);
} proto_count SEC(".maps");

static __always_inline void count_protocol(__u32 protocol)
{
    __u64 *counter = bpf_map_lookup_elem(&proto_count, &protocol);
    if (counter)
        __sync_fetch_and_add(counter, 1);
}

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_PASS;
    if (eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;

    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end)
        return XDP_ABORTED;
    if (ip->ihl < 5 || ip->version != 4)
        return XDP_ABORTED;

    count_protocol(ip->protocol);

    if (ip->ttl == 1)
        return XDP_TX;

    if (ip->protocol == IPPROTO_UDP) {
        struct udphdr *udp = (void *)ip + ip->ihl * 4;
        if ((void *)(udp + 1) > data_end)
            return XDP_ABORTED;
        if (udp->dest == bpf_htons(9))
            return XDP_DROP;
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
