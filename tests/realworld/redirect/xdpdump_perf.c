// xdpdump / xdp-tutorial tracing pattern: a perf_event_array sample per frame
// with metadata and the first bytes of the packet (BPF_F_CTXLEN through the
// upper 32 bits of the flags); the helper's result is counted. In a test run
// no perf buffer is open, so Linux gives -ENOENT; asking for more packet
// bytes than the frame has gives -EFAULT first.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __s64);
    __uint(max_entries, 2);
} last_result SEC(".maps");

struct pkt_meta {
    __u32 ifindex;
    __u32 pkt_len;
};

SEC("xdp")
int xdp_dump(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
    struct pkt_meta meta = {ctx->ingress_ifindex, (__u32)(data_end - data)};
    __u64 flags = BPF_F_CURRENT_CPU | ((__u64)64 << 32);
    __u32 key = 0;
    __s64 result = bpf_perf_event_output(ctx, &events, flags, &meta, sizeof(meta));
    bpf_map_update_elem(&last_result, &key, &result, BPF_ANY);
    key = 1;
    result = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &meta, sizeof(meta));
    bpf_map_update_elem(&last_result, &key, &result, BPF_ANY);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
