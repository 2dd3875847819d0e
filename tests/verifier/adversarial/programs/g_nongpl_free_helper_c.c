// expect: accept
// class: license
// why: a proprietary program may call helpers that are not GPL-only (bpf_ktime_get_ns)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    return bpf_ktime_get_ns() ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "Proprietary";
