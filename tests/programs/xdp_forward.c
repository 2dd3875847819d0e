// An xdp-forward-style program with an xdpdump-style sample: every frame's
// ingress port, length and Ethernet header go to user space through a
// perf_event_array; TTL-1 IPv4 frames go back out (XDP_TX); the rest leave by
// the port the `forward` devmap names for the ingress port, or go to the
// stack (XDP_PASS) when it names none.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 16);
} forward SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} samples SEC(".maps");

struct sample_meta {
    __u32 ifindex;
    __u32 length;
};

SEC("xdp")
int xdp_forward(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end) return XDP_DROP;
    struct sample_meta meta = {ctx->ingress_ifindex, (__u32)(end - data)};
    bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU | ((__u64)sizeof(*eth) << 32), &meta, sizeof(meta));
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) <= end && ip->ttl == 1) return XDP_TX;
    }
    return bpf_redirect_map(&forward, ctx->ingress_ifindex, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
