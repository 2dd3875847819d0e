// cgroup/getsockopt that inspects the option buffer (bounds-checked against
// optval_end) and overrides one option, as the kernel's sockopt selftests do.
// (Storing optlen and retval together would let clang merge them into one
// 8-byte store, which Linux refuses, as we do.)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup/getsockopt")
int getsockopt(struct bpf_sockopt *ctx)
{
    __u8 *optval = ctx->optval, *optval_end = ctx->optval_end;

    if (ctx->level != 1 /* SOL_SOCKET */ || ctx->optname != 7 /* SO_SNDBUF */)
        return 1;
    if (optval + 4 > optval_end)
        return 0;
    *(__u32 *)optval = 65536;
    ctx->optlen = 4;
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
