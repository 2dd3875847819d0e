// expect: accept
// class: packet
// why: C: Ethernet/IPv4/UDP parse with the usual checks; drops UDP to port 53
// run: 000000000000000000000000080045000000000000004011000000000000000000000000003500350000000000000000 -> 1
// run: zeros(60) -> 2
// run: 00000000000000000000000008004500 -> 0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} table SEC(".maps");

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->ihl < 5)
        return XDP_ABORTED;
    __u32 key = ip->protocol & 7;
    __u64 *count = bpf_map_lookup_elem(&table, &key);
    if (count)
        __sync_fetch_and_add(count, 1);
    if (ip->protocol != 17)
        return XDP_PASS;
    struct udphdr *udp = (void *)ip + ip->ihl * 4;
    if ((void *)(udp + 1) > end)
        return XDP_ABORTED;
    return udp->dest == bpf_htons(53) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
