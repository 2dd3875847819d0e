// expect: accept
// class: bounds32
// why: C: a 32-bit index from the packet, checked < 8, indexes an array of u64
// run: 03000000 + zeros(10) -> 3
// run: 09000000 + zeros(10) -> 1
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} table SEC(".maps");

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    __u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 4 > end)
        return XDP_PASS;
    __u32 index = *(__u32 *)data;
    __u64 local[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    if (index >= 8)
        return XDP_DROP;
    return local[index] == index + 1 ? XDP_TX : XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
