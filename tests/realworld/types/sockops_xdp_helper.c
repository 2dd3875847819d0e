// A sock_ops program calling an XDP helper: Linux refuses the helper for
// this program type.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("sockops")
int wrong_helper(struct bpf_sock_ops *skops)
{
    bpf_xdp_adjust_head((struct xdp_md *)skops, 0);
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
