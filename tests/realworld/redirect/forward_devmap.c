// xdp-forward / kernel xdp_redirect_map sample pattern: the egress port for
// each ingress port comes from a devmap keyed by the ingress ifindex; the
// source and destination MACs are swapped first (the redirect lesson of
// xdp-tutorial). No entry: the fallback action in the flags (XDP_PASS).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 64);
} tx_port SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 5);
} action_count SEC(".maps");

static __always_inline void swap_macs(struct ethhdr *eth) {
    unsigned char tmp[ETH_ALEN];
    __builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
    __builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
    __builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

SEC("xdp")
int xdp_forward_devmap(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end) return XDP_DROP;
    swap_macs(eth);
    __u32 action = bpf_redirect_map(&tx_port, ctx->ingress_ifindex, XDP_PASS);
    __u64 *count = bpf_map_lookup_elem(&action_count, &action);
    if (count) __sync_fetch_and_add(count, 1);
    return action;
}

char LICENSE[] SEC("license") = "GPL";
