// Reads past the end of the host's buffer without a length check: the
// verifier rejects it and the build stops at this line.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("hook/broken")
__u64 broken(__u8 *buf, __u64 len)
{
    return buf[100];
}

char LICENSE[] SEC("license") = "GPL";
