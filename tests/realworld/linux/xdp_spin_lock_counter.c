// Per-protocol packet and byte counters shared by every CPU, updated under a
// bpf_spin_lock so the pair stays consistent (the pattern of the kernel's
// spin-lock samples and of rate limiters that keep a token bucket per flow).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct proto_stats {
    struct bpf_spin_lock lock;
    __u32 pad;
    __u64 packets;
    __u64 bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, struct proto_stats);
} stats SEC(".maps");

SEC("xdp")
int xdp_count_locked(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    struct proto_stats *s;
    __u32 key;

    if ((void *)(ip + 1) > data_end) return XDP_DROP;
    if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
    key = ip->protocol;
    s = bpf_map_lookup_elem(&stats, &key);
    if (!s) return XDP_ABORTED;
    bpf_spin_lock(&s->lock);
    s->packets++;
    s->bytes += data_end - data;
    bpf_spin_unlock(&s->lock);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
