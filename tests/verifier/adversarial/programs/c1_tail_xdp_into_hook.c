// expect: reject
// class: 1
// why: an XDP program tail-calls a hook program (its context is a byte buffer, not xdp_md) through a prog_array filled statically with both
// section: entry
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("hook/victim")
__s64 victim(void *buf, __u64 len)
{
    /* Reads "len" bytes of what it believes is a host buffer: here r2 is garbage. */
    if (len < 8)
        return 0;
    return *(__s64 *)buf;
}

SEC("xdp")
int entry(struct xdp_md *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, int(void *));
} jump SEC(".maps") = {
    .values = {[0] = (void *)&victim, [1] = (void *)&entry},
};

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    bpf_tail_call(ctx, &jump, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
