// Prog-array owner types (issue 12, class 1). "xdp/dispatch" names
// jump_table, so the map belongs to XDP programs; slot 0 holds "xdp/target"
// (static `.values`). The other programs have other types and must never get
// into a slot: tail-called from XDP they would read the XDP context with
// their own layout — "hook/leak" would return the first 8 bytes of it (the
// host address of the packet) as data, "cgroup/connect4" would read struct
// bpf_sock_addr fields beyond it, "raw" would read it as plain bytes too.
//   xdp/dispatch: tail-calls jump_table[packet[0]] (0 for an empty packet);
//                 falls through with XDP_PASS (2)
//   xdp/target:   XDP_DROP (1)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp/target")
int target(struct xdp_md *ctx)
{
    return XDP_DROP;
}

SEC("hook/leak")
__s64 leak(void *buf, __u64 len)
{
    if (len < 8)
        return -1;
    return *(__s64 *)buf;
}

SEC("raw")
__s64 raw_leak(void *buf, __u64 len)
{
    if (len < 8)
        return -1;
    return *(__s64 *)buf;
}

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
    return ctx->user_ip4 != 0;
}

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, int(struct xdp_md *));
} jump_table SEC(".maps") = {
    .values = {[0] = (void *)&target},
};

SEC("xdp/dispatch")
int dispatch(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u32 index = 0;
    if (data + 1 <= data_end)
        index = *(__u8 *)data;
    bpf_tail_call(ctx, &jump_table, index);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
