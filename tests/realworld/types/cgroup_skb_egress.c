// cgroup_skb egress accounting that drops oversized packets and sets the
// congestion bit (return 3), as the kernel's test_cgrp2 samples and
// Cilium's cgroup_skb example do.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} bytes SEC(".maps");

SEC("cgroup_skb/egress")
int egress(struct __sk_buff *skb)
{
    __u32 key = 0;
    __u64 *total = bpf_map_lookup_elem(&bytes, &key);

    if (total)
        __sync_fetch_and_add(total, skb->len);
    if (skb->len > 9000)
        return 0;
    return skb->mark == 7 ? 3 : 1;
}

char LICENSE[] SEC("license") = "GPL";
