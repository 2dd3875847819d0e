// expect: reject
// class: 2
// why: C: casting away const on a const volatile global and writing it
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
const volatile __u64 limit = 3;

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    *(volatile __u64 *)&limit = 100;
    return limit == 100 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
