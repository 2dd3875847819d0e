// sk_lookup passing lookups for one local port, as the sk_lookup selftests do.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("sk_lookup")
int lookup(struct bpf_sk_lookup *ctx)
{
    if (ctx->protocol != 6 /* TCP */)
        return SK_PASS;
    return ctx->local_port == 7007 ? SK_DROP : SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
