// expect: reject
// class: 1
// why: a cgroup/connect4 program tail-calls an XDP program (struct bpf_sock_addr read as xdp_md)
// section: entry
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int reader(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 1 > end)
        return XDP_DROP;
    return *(__u8 *)data & 1;
}

SEC("cgroup/connect4")
int entry(struct bpf_sock_addr *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, int(void *));
} jump SEC(".maps") = {
    .values = {[0] = (void *)&reader, [1] = (void *)&entry},
};

SEC("cgroup/connect4")
int entry(struct bpf_sock_addr *ctx)
{
    bpf_tail_call(ctx, &jump, 0);
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
