// A sock_ops program returning 2: Linux allows only 0 or 1.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("sockops")
int bad_return(struct bpf_sock_ops *skops)
{
    return skops->op == BPF_SOCK_OPS_TCP_CONNECT_CB ? 2 : 1;
}

char LICENSE[] SEC("license") = "GPL";
