// expect: reject from a program whose license is missing
// class: license
// why: no license section at all: not GPL-compatible (as Linux)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    bpf_printk("hello");
    return XDP_PASS;
}
