// expect: reject
// class: ringbuf
// why: C: reserve a record and forget it on one path
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
        return XDP_PASS;
    if (ctx->ingress_ifindex == 7)
        return XDP_DROP;
    *record = ctx->ingress_ifindex;
    bpf_ringbuf_submit(record, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
