// bpf-to-bpf calls: a static __noinline function and global __noinline
// functions (both end up in .text), a subprogram calling another subprogram,
// and a bpf_loop callback (a static function referenced by address).
//   hook/calls: returns square(len) + add3(len, 1, 2)  (= len*len + len + 3)
//   hook/loop:  bpf_loop(len % 32) summing i*2 over i < n in a context
//               struct; returns the sum (n*(n-1)).
//   hook/nested: returns twice(square(len))           (= 2*len*len)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline __u64 square(__u64 x)
{
    return x * x;
}

__noinline __u64 add3(__u64 a, __u64 b, __u64 c)
{
    return a + b + c;
}

__noinline __u64 twice(__u64 x)
{
    return square(1) * x * 2;
}

SEC("hook/calls")
__s64 calls(void *buf, __u64 len)
{
    return square(len) + add3(len, 1, 2);
}

struct loop_ctx {
    __u64 sum;
};

static int add_index(__u32 index, void *data)
{
    struct loop_ctx *ctx = data;
    ctx->sum += index * 2;
    return 0;
}

SEC("hook/loop")
__s64 loop(void *buf, __u64 len)
{
    struct loop_ctx ctx = {.sum = 0};
    bpf_loop(len % 32, add_index, &ctx, 0);
    return ctx.sum;
}

SEC("hook/nested")
__s64 nested(void *buf, __u64 len)
{
    return twice(square(len));
}

char LICENSE[] SEC("license") = "GPL";
