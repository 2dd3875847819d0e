// expect: reject
// class: mapvalue
// why: C: index a map value array with a packet byte without a bound
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u8[16]);
} bytes SEC(".maps");

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    __u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    __u32 key = 0;
    if (data + 1 > end)
        return XDP_PASS;
    __u8 *value = bpf_map_lookup_elem(&bytes, &key);
    if (!value)
        return XDP_PASS;
    return value[data[0]];
}

char LICENSE[] SEC("license") = "GPL";
