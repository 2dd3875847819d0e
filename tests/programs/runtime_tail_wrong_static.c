// A prog array filled statically (`.values`) with a program of another type
// than the one that tail-calls through it: the XDP dispatcher would run the
// hook program on its XDP context, which the hook program reads as plain
// bytes (leaking the packet's host address). Loading must fail, in every mode.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("hook/leak")
__s64 leak(void *buf, __u64 len)
{
    if (len < 8)
        return -1;
    return *(__s64 *)buf;
}

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __array(values, __s64(void *, __u64));
} jump_table SEC(".maps") = {
    .values = {[0] = (void *)&leak},
};

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
    bpf_tail_call(ctx, &jump_table, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
