// A prog array as the inner map of an array of maps: refused when the object
// is opened (as Linux refuses it as an inner map): a tail call through it
// would reach programs whose type no owner check ever compared with the caller's.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct jump_table {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u32);
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 1);
    __type(key, __u32);
    __array(values, struct jump_table);
} tables SEC(".maps");

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
    __u32 key = 0;
    void *table = bpf_map_lookup_elem(&tables, &key);
    if (table)
        bpf_tail_call(ctx, table, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
