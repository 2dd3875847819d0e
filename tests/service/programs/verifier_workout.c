// Makes the verifier work to its budget: a bounded loop with a data-dependent
// branch per iteration, so every iteration is explored as its own state.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int workout(struct xdp_md *ctx)
{
    __u64 acc = ctx->data_end - ctx->data;
    for (int i = 0; i < 100000; i++) {
        if (acc & (1ULL << (i & 63)))
            acc = acc * 3 + i;
        else
            acc ^= i;
    }
    return acc & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
