// expect: reject
// class: 1
// why: an XDP program tail-calls a socket filter (struct __sk_buff layout)
// section: entry
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("socket")
int filter(struct __sk_buff *skb)
{
    return skb->len;
}

SEC("xdp")
int entry(struct xdp_md *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, int(void *));
} jump SEC(".maps") = {
    .values = {[0] = (void *)&filter, [1] = (void *)&entry},
};

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    bpf_tail_call(ctx, &jump, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
