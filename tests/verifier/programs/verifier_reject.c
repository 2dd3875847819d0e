// eBPF C the verifier must reject, one mistake per program; the expected key
// phrases are in tests/verifier/programs_test.cpp.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 16);
} counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64[4]);
    __uint(max_entries, 1);
} rows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int reject_unchecked_lookup(struct xdp_md *ctx)
{
    __u32 key = ctx->rx_queue_index;
    __u64 *value = bpf_map_lookup_elem(&counts, &key);
    *value += 1;  /* missing NULL check */
    return XDP_PASS;
}

SEC("xdp")
int reject_leaked_record(struct xdp_md *ctx)
{
    __u32 *record = bpf_ringbuf_reserve(&events, 4, 0);
    if (!record)
        return XDP_PASS;
    *record = ctx->rx_queue_index;
    if (ctx->ingress_ifindex == 1)
        return XDP_DROP;  /* leaks the record */
    bpf_ringbuf_submit(record, 0);
    return XDP_PASS;
}

SEC("xdp")
int reject_unbounded_packet(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    unsigned char *end = (void *)(long)ctx->data_end;
    if (data + 4 > end)
        return XDP_PASS;
    return data[8] ? XDP_PASS : XDP_DROP;  /* only 4 bytes checked */
}

SEC("xdp")
int reject_map_overflow(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *row = bpf_map_lookup_elem(&rows, &key);
    if (!row)
        return XDP_PASS;
    __u32 i = ctx->rx_queue_index & 7;  /* 8 slots, the row has 4 */
    row[i] = 1;
    return XDP_PASS;
}

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u32);
} next_step SEC(".maps");

/* Settings the programs may only read (the host fills them before freezing). */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4);
    __uint(map_flags, BPF_F_RDONLY_PROG);
} settings SEC(".maps");

SEC("xdp")
int reject_tail_call_holding_record(struct xdp_md *ctx)
{
    __u32 *record = bpf_ringbuf_reserve(&events, 4, 0);
    if (!record)
        return XDP_PASS;
    *record = ctx->rx_queue_index;
    bpf_tail_call(ctx, &next_step, 0);  /* the record would never be released */
    bpf_ringbuf_submit(record, 0);
    return XDP_PASS;
}

SEC("xdp")
int reject_update_read_only_map(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 value = ctx->rx_queue_index;
    bpf_map_update_elem(&settings, &key, &value, BPF_ANY);
    return XDP_PASS;
}

SEC("xdp")
int reject_store_into_read_only_map(struct xdp_md *ctx)
{
    __u32 key = 1;
    __u64 *value = bpf_map_lookup_elem(&settings, &key);
    if (!value)
        return XDP_PASS;
    *value = ctx->rx_queue_index;
    return XDP_PASS;
}

SEC("hook/spin")
__u64 reject_infinite_loop(void *buf, __u64 len)
{
    volatile __u64 x = 0;
    for (;;) {
        if (x == 12345678)
            break;
        x = x & 1;
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
