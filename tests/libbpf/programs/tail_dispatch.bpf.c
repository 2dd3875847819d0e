// The eBPF side of the tail_dispatch loader test: `classify` counts packets
// per size class in a per-CPU array and tail-calls the program the loader put
// in that class's prog-array slot (XDP_ABORTED when the slot is empty).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u32);
} jump_table SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} size_classes SEC(".maps");

SEC("xdp")
int classify(struct xdp_md *ctx) {
    __u32 length = ctx->data_end - ctx->data;
    __u32 slot = length > 100 ? 1 : 0;
    __u64 *count = bpf_map_lookup_elem(&size_classes, &slot);
    if (count)
        *count += 1;
    bpf_tail_call(ctx, &jump_table, slot);
    return XDP_ABORTED;
}

SEC("xdp")
int pass_small(struct xdp_md *ctx) { return XDP_PASS; }

SEC("xdp")
int drop_large(struct xdp_md *ctx) { return XDP_DROP; }

char LICENSE[] SEC("license") = "GPL";
