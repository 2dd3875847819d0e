// eBPF C the verifier must accept: the patterns clang -O2 produces for
// bounded loops over packets and maps, spilled pointers, ring buffers,
// bpf_loop callbacks and bpf-to-bpf calls.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64[8]);
    __uint(max_entries, 4);
} table SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

struct event {
    __u32 len;
    __u32 first;
};

// Sum of the first bytes of the packet, bounded by the packet end.
SEC("xdp")
int accept_packet_loop(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    unsigned char *end = (void *)(long)ctx->data_end;
    __u32 sum = 0;
    for (int i = 0; i < 32; i++) {
        if (data + i + 1 > end)
            break;
        sum += data[i];
    }
    return sum & 1 ? XDP_PASS : XDP_DROP;
}

// Variable index into a map value, masked to stay inside it.
SEC("xdp")
int accept_map_index(struct xdp_md *ctx)
{
    __u32 key = ctx->rx_queue_index & 3;
    __u64 *row = bpf_map_lookup_elem(&table, &key);
    if (!row)
        return XDP_PASS;
    __u32 slot = ctx->ingress_ifindex & 7;
    row[slot] += 1;
    return XDP_PASS;
}

// Ring-buffer record filled from the packet, submitted on every path.
SEC("xdp")
int accept_ringbuf(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    unsigned char *end = (void *)(long)ctx->data_end;
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return XDP_PASS;
    e->len = end - data;
    e->first = 0;
    if (data + 1 <= end)
        e->first = data[0];
    bpf_ringbuf_submit(e, 0);
    return XDP_PASS;
}

struct loop_ctx {
    __u64 total;
};

static long add_index(__u32 index, void *data)
{
    struct loop_ctx *c = data;
    c->total += index;
    return 0;
}

SEC("hook/loop")
__u64 accept_bpf_loop(void *buf, __u64 len)
{
    struct loop_ctx c = {0};
    bpf_loop(16, add_index, &c, 0);
    return c.total;
}

static __attribute__((noinline)) __u64 read_u32_at(__u8 *buf, __u64 len, __u64 off)
{
    if (off + 4 > len)
        return 0;
    return *(__u32 *)(buf + off);
}

// A bpf-to-bpf call that checks the length itself.
SEC("hook/call")
__u64 accept_subprogram(__u8 *buf, __u64 len)
{
    if (len < 8)
        return 0;
    return read_u32_at(buf, len, buf[0] & 3) + buf[7];
}

char LICENSE[] SEC("license") = "GPL";
