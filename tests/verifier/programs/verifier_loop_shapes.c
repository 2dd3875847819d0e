// Bounded loops in the shapes clang -O2 keeps when unrolling is disabled:
// a counter kept in a register, a counter spilled to the stack, a counter
// compared with !=, and a while over a packet with a bounded counter. The
// verifier must accept all of them (it once reported the first one as an
// infinite loop).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 16);
} counts SEC(".maps");

// The loop the runtime engineer had to unroll by hand.
SEC("xdp")
int loop_map_update(struct xdp_md *ctx)
{
#pragma clang loop unroll(disable)
    for (int i = 0; i < 4; i++) {
        __u32 k = i;
        __u64 v = i;
        bpf_map_update_elem(&counts, &k, &v, BPF_ANY);
    }
    return XDP_PASS;
}

// The counter lives on the stack across the helper call (volatile keeps
// clang from holding it in a callee-saved register).
SEC("xdp")
int loop_counter_spilled(struct xdp_md *ctx)
{
    volatile int i;
#pragma clang loop unroll(disable)
    for (i = 0; i < 4; i++) {
        __u32 k = i;
        __u64 v = (__u64)i * 10;
        bpf_map_update_elem(&counts, &k, &v, BPF_ANY);
    }
    return XDP_PASS;
}

// The exit test is != rather than <.
SEC("xdp")
int loop_not_equal(struct xdp_md *ctx)
{
    __u32 k = 0;
#pragma clang loop unroll(disable)
    for (__u32 i = 0; i != 4; i++) {
        __u64 v = i + 1;
        k = i;
        bpf_map_update_elem(&counts, &k, &v, BPF_NOEXIST);
    }
    return XDP_PASS;
}

// A while over packet bytes with a bounded counter; the lookups make the
// per-iteration state differ only in the counter.
SEC("xdp")
int loop_packet_while(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    unsigned char *end = (void *)(long)ctx->data_end;
    __u32 n = 0;
#pragma clang loop unroll(disable)
    while (n < 8) {
        if (data + n + 1 > end)
            break;
        __u32 k = data[n] & 15;
        __u64 *seen = bpf_map_lookup_elem(&counts, &k);
        if (seen)
            __sync_fetch_and_add(seen, 1);
        n++;
    }
    return XDP_PASS;
}

// Keys and values in stack arrays indexed by the counter (variable stack
// offsets), the shape of tests/programs/runtime_helpers.c before it was
// unrolled by hand.
SEC("xdp")
int loop_stack_arrays(struct xdp_md *ctx)
{
    __u32 keys[4] = {0, 1, 2, 3};
    __u64 values[4] = {10, 20, 30, 40};
#pragma clang loop unroll(disable)
    for (int i = 0; i < 4; i++)
        bpf_map_update_elem(&counts, &keys[i], &values[i], BPF_ANY);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
