// expect: reject
// class: 1
// why: a hook program tail-calls an XDP program that reads xdp_md.data as a pointer from the byte buffer
// section: entry
// run: zeros(32)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int reader(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 8 > end)
        return XDP_DROP;
    return *(__u8 *)data & 3;
}

SEC("hook/entry")
__s64 entry(void *buf, __u64 len);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, int(void *));
} jump SEC(".maps") = {
    .values = {[0] = (void *)&reader, [1] = (void *)&entry},
};

SEC("hook/entry")
__s64 entry(void *buf, __u64 len)
{
    bpf_tail_call(buf, &jump, 0);
    return -1;
}

char LICENSE[] SEC("license") = "GPL";
