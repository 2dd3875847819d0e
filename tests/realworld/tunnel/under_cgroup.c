// A tc program that treats the traffic of one cgroup apart, the pattern of
// the kernel's samples/bpf test_cgrp2_tc: bpf_skb_under_cgroup with a
// cgroup_array whose slots the host fills with cgroup v2 directory fds. Slot
// 2 is the "quarantined" cgroup: packets of its sockets are dropped. Every
// slot's answer (and those for indexes past the array) is recorded in
// `answers`, so an empty slot (-EAGAIN) and an index out of range (-E2BIG)
// are compared too.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define QUARANTINE 2

struct {
    __uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
    __uint(max_entries, 4);
} cgroups SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __s64);
} answers SEC(".maps");

static __always_inline void record(__u32 slot, __s64 answer) {
    __s64 *a = bpf_map_lookup_elem(&answers, &slot);
    if (a) *a = answer;
}

SEC("tc")
int under_cgroup(struct __sk_buff *skb) {
    record(0, bpf_skb_under_cgroup(skb, &cgroups, 0));
    record(1, bpf_skb_under_cgroup(skb, &cgroups, 1));
    record(2, bpf_skb_under_cgroup(skb, &cgroups, 2));
    record(3, bpf_skb_under_cgroup(skb, &cgroups, 3));
    record(4, bpf_skb_under_cgroup(skb, &cgroups, 4));
    record(5, bpf_skb_under_cgroup(skb, &cgroups, 0xffffffff));
    return bpf_skb_under_cgroup(skb, &cgroups, QUARANTINE) == 1 ? TC_ACT_SHOT : TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
