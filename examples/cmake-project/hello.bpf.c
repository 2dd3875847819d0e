// A hook program over the host's buffer: returns the sum of its bytes plus
// the number of times it ran (kept in a global, i.e. a .bss array map).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 runs = 0;

SEC("hook/hello")
__u64 hello(__u8 *buf, __u64 len)
{
    __u64 sum = 0;
    for (__u32 i = 0; i < 64; i++) {
        if (i >= len)
            break;
        sum += buf[i];
    }
    runs++;
    return sum + runs;
}

char LICENSE[] SEC("license") = "GPL";
