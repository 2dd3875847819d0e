// expect: reject cannot call GPL-only helper bpf_trace_printk (6)
// class: license
// why: a GPL-only helper from a program whose license is not GPL-compatible (as Linux)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    bpf_printk("hello");
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "MIT";
