// expect: reject
// class: 1
// why: bpf_tail_call while a reserved ring buffer record is held: the record is never submitted (Linux rejects)
// section: entry
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} rb SEC(".maps");

SEC("xdp")
int second(struct xdp_md *ctx)
{
    return XDP_DROP;
}

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, int(void *));
} jump SEC(".maps") = {
    .values = {[0] = (void *)&second},
};

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    __u64 *record = bpf_ringbuf_reserve(&rb, 8, 0);
    if (!record)
        return XDP_PASS;
    *record = 1;
    bpf_tail_call(ctx, &jump, 0);
    bpf_ringbuf_submit(record, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
