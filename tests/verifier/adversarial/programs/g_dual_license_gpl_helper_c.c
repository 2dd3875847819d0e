// expect: accept
// class: license
// why: "Dual MIT/GPL" is GPL-compatible: the GPL-only helper is allowed
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    bpf_printk("hello");
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
