// expect: accept
// class: 2
// why: C: read a const volatile global
// run: zeros(14) -> 3
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
const volatile __u32 verdict = XDP_TX;

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    return verdict;
}

char LICENSE[] SEC("license") = "GPL";
