// The same verdicts on ingress: Linux allows only 0 or 1 there.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/ingress")
int ingress(struct __sk_buff *skb)
{
    return skb->mark == 7 ? 3 : 1;
}

char LICENSE[] SEC("license") = "GPL";
