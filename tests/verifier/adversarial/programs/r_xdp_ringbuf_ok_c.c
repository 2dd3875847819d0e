// expect: accept
// class: ringbuf
// why: C: reserve, fill with the packet length, submit
// run: zeros(20) -> 2
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} rb SEC(".maps");

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    __u64 *record = bpf_ringbuf_reserve(&rb, 8, 0);
    if (!record)
        return XDP_ABORTED;
    *record = ctx->data_end - ctx->data;
    bpf_ringbuf_submit(record, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
