// expect: reject
// class: 5
// why: C: bpf_printk("%p", ctx): a pointer into the trace
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int entry(struct xdp_md *ctx)
{
    bpf_printk("ctx %p", ctx);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
