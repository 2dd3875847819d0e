// An xdpdump-style capture program: each frame's length and its first bytes
// (appended from the packet through the upper 32 bits of the flags) go to
// user space through a perf_event_array; the frame passes.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} dump_events SEC(".maps");

struct dump_meta {
    __u32 magic;
    __u32 length;
};

#define CAPTURE_BYTES 16

SEC("xdp")
int xdp_dump(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct dump_meta meta = {0x5844554d, (__u32)(end - data)};
    __u64 capture = meta.length < CAPTURE_BYTES ? meta.length : CAPTURE_BYTES;
    bpf_perf_event_output(ctx, &dump_events, BPF_F_CURRENT_CPU | (capture << 32), &meta, sizeof(meta));
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
