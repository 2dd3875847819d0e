// A sock_ops program that turns on the RTT callback for established TCP
// connections and counts operations, as samples/bpf tcp_* and Cilium's
// tcprtt_sockops example do.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 32);
    __type(key, __u32);
    __type(value, __u64);
} ops SEC(".maps");

SEC("sockops")
int tcp_rtt(struct bpf_sock_ops *skops)
{
    __u32 op = skops->op;
    __u64 *count = bpf_map_lookup_elem(&ops, &op);

    if (count)
        __sync_fetch_and_add(count, 1);
    if (skops->family != 2 /* AF_INET */)
        return 1;
    switch (op) {
    case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
    case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
        bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_RTT_CB_FLAG);
        break;
    case BPF_SOCK_OPS_TIMEOUT_INIT:
        skops->reply = 10;
        break;
    }
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
