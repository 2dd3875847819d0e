// expect: accept
// class: 4
// why: C: a global function and a static one called from XDP
// run: zeros(14) -> 3
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
static __attribute__((noinline)) int twice(int x)
{
    return x * 2;
}

__attribute__((noinline)) int add_one(int x)
{
    return twice(x) + 1;
}

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    return add_one(1);
}

char LICENSE[] SEC("license") = "GPL";
