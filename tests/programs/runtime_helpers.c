// Runtime helper coverage: one hook/... program per helper (or group), each
// returning something the host can check (see tests/runtime/helpers_test.cpp).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} ring SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4);
} numbers SEC(".maps");

struct text {
    char bytes[32];
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, struct text);
    __uint(max_entries, 1);
} strings SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 2);
} small_hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __type(value, __u32);
    __uint(max_entries, 2);
} small_queue SEC(".maps");

// bpf_trace_printk: two lines in the trace buffer; returns 0.
SEC("hook/printk")
__s64 printk(void *buf, __u64 len)
{
    bpf_printk("runtime printk %d %u %x", -5, 7, 255);
    bpf_printk("len=%llu char=%c pct=%%", len, 'z');
    return 0;
}

// bpf_snprintf into strings[0]; returns what it returned (length + 1).
SEC("hook/snprintf")
__s64 do_snprintf(void *buf, __u64 len)
{
    __u32 zero = 0;
    struct text *out = bpf_map_lookup_elem(&strings, &zero);
    if (!out)
        return -1;
    static const char fmt[] = "v=%d x=%x len=%llu";
    __u64 args[3] = {(__u64)-42, 255, len};
    return bpf_snprintf(out->bytes, sizeof(out->bytes), fmt, args, sizeof(args));
}

// bpf_csum_diff of {0x01020304, 0x0a0b0c0d} -> {0x05060708, 0x0e0f1011}, seed 7.
SEC("hook/csum")
__s64 csum(void *buf, __u64 len)
{
    __u32 from[2] = {0x01020304, 0x0a0b0c0d};
    __u32 to[2] = {0x05060708, 0x0e0f1011};
    return bpf_csum_diff(from, sizeof(from), to, sizeof(to), 7);
}

// bpf_strncmp: (cmp("abcx", 3, "abd") < 0) | (cmp("abcx", 4, "abcx") == 0) << 1
// | (cmp("abcx", 4, "abca") > 0) << 2; returns 7.
SEC("hook/strncmp")
__s64 strncmp_test(void *buf, __u64 len)
{
    char s[8] = "abcx";
    __s64 result = 0;
    if (bpf_strncmp(s, 3, "abd") < 0)
        result |= 1;
    if (bpf_strncmp(s, 4, "abcx") == 0)
        result |= 2;
    if (bpf_strncmp(s, 4, "abca") > 0)
        result |= 4;
    return result;
}

SEC("hook/ktime")
__s64 ktime(void *buf, __u64 len)
{
    return bpf_ktime_get_ns();
}

SEC("hook/boottime")
__s64 boottime(void *buf, __u64 len)
{
    return bpf_ktime_get_boot_ns();
}

SEC("hook/pid")
__s64 pid(void *buf, __u64 len)
{
    return bpf_get_current_pid_tgid();
}

SEC("hook/cpu")
__s64 cpu(void *buf, __u64 len)
{
    return bpf_get_smp_processor_id();
}

SEC("hook/random")
__s64 random(void *buf, __u64 len)
{
    return bpf_get_prandom_u32();
}

struct bpf_map;

struct sum_ctx {
    __u64 sum;
    __u64 calls;
};

static long add_number(struct bpf_map *map, __u32 *key, __u64 *value, struct sum_ctx *ctx)
{
    ctx->sum += *value;
    ctx->calls += 1;
    return 0;
}

// numbers[i] = (i + 1) * 10, then bpf_for_each_map_elem sums them:
// returns sum * 100 + elements visited = 100 * 100 + 4 = 10004.
SEC("hook/for_each")
__s64 for_each(void *buf, __u64 len)
{
    __u32 keys[4] = {0, 1, 2, 3};
    __u64 values[4] = {10, 20, 30, 40};
    bpf_map_update_elem(&numbers, &keys[0], &values[0], BPF_ANY);
    bpf_map_update_elem(&numbers, &keys[1], &values[1], BPF_ANY);
    bpf_map_update_elem(&numbers, &keys[2], &values[2], BPF_ANY);
    bpf_map_update_elem(&numbers, &keys[3], &values[3], BPF_ANY);
    struct sum_ctx ctx = {0, 0};
    long visited = bpf_for_each_map_elem(&numbers, add_number, &ctx, 0);
    return ctx.sum * 100 + visited;
}

static long stop_at_five(__u32 index, struct sum_ctx *ctx)
{
    ctx->sum += index;
    return index == 5 ? 1 : 0;
}

// bpf_loop(100) stopped by the callback at index 5: sum 0..5 = 15, 6 loops;
// returns 15 * 1000 + 6.
SEC("hook/loop_stop")
__s64 loop_stop(void *buf, __u64 len)
{
    struct sum_ctx ctx = {0, 0};
    long loops = bpf_loop(100, stop_at_five, &ctx, 0);
    return ctx.sum * 1000 + loops;
}

// bpf_ringbuf_output of a u64, a reserved record discarded, one submitted;
// returns the bytes available to the consumer (two 16-byte records and the
// discarded one = 48).
SEC("hook/ringbuf")
__s64 ringbuf(void *buf, __u64 len)
{
    __u64 value = 0x1122334455667788;
    if (bpf_ringbuf_output(&ring, &value, sizeof(value), 0))
        return -1;
    __u64 *dropped = bpf_ringbuf_reserve(&ring, sizeof(__u64), 0);
    if (!dropped)
        return -2;
    *dropped = 1;
    bpf_ringbuf_discard(dropped, 0);
    __u64 *kept = bpf_ringbuf_reserve(&ring, sizeof(__u64), 0);
    if (!kept)
        return -3;
    *kept = len;
    bpf_ringbuf_submit(kept, 0);
    return bpf_ringbuf_query(&ring, BPF_RB_AVAIL_DATA);
}

// Update flags and errors as Linux returns them to programs. Each result is
// one byte of the return value: NOEXIST on a new key (0), NOEXIST again
// (-EEXIST = -17), EXIST on a missing key (-ENOENT = -2), a third key in a
// 2-entry map (-E2BIG = -7), delete of a missing key (-2), push into a full
// queue (-7), pop from the emptied queue (-2).
SEC("hook/errors")
__s64 errors(void *buf, __u64 len)
{
    __u32 k1 = 1, k2 = 2, k3 = 3, k9 = 9, v = 5;
    __u64 one = 1;
    __s64 r0 = bpf_map_update_elem(&small_hash, &k1, &one, BPF_NOEXIST);
    __s64 r1 = bpf_map_update_elem(&small_hash, &k1, &one, BPF_NOEXIST);
    __s64 r2 = bpf_map_update_elem(&small_hash, &k2, &one, BPF_EXIST);
    bpf_map_update_elem(&small_hash, &k2, &one, BPF_ANY);
    __s64 r3 = bpf_map_update_elem(&small_hash, &k3, &one, BPF_ANY);
    __s64 r4 = bpf_map_delete_elem(&small_hash, &k9);
    bpf_map_push_elem(&small_queue, &v, 0);
    bpf_map_push_elem(&small_queue, &v, 0);
    __s64 r5 = bpf_map_push_elem(&small_queue, &v, 0);
    bpf_map_pop_elem(&small_queue, &v);
    bpf_map_pop_elem(&small_queue, &v);
    __s64 r6 = bpf_map_pop_elem(&small_queue, &v);
    return ((-r0) & 0xff) | ((-r1) & 0xff) << 8 | ((-r2) & 0xff) << 16 | ((-r3) & 0xff) << 24 |
           ((-r4) & 0xff) << 32 | ((-r5) & 0xff) << 40 | ((-r6) & 0xff) << 48;
}

// XDP: strips the 14-byte Ethernet header with bpf_xdp_adjust_head and 4
// bytes of trailer with bpf_xdp_adjust_tail; XDP_PASS, or XDP_ABORTED when a
// helper refuses (packet shorter than 32 bytes).
SEC("xdp")
int xdp_adjust(struct xdp_md *ctx)
{
    if (bpf_xdp_adjust_head(ctx, 14))
        return XDP_ABORTED;
    if (bpf_xdp_adjust_tail(ctx, -4))
        return XDP_ABORTED;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
