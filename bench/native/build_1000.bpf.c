// About 1,000 instructions of straight-line and branching code (a mixing
// function unrolled over the buffer) for the `ebpf build` time benchmark.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MIX(i)                                             \
    if (len > (i)) {                                       \
        h ^= buf[(i)];                                     \
        h *= 0x100000001b3ULL;                             \
        h = (h << 7) | (h >> 57);                          \
        h += (i) * 0x9e3779b97f4a7c15ULL;                  \
    }
#define MIX8(i) MIX(i) MIX(i + 1) MIX(i + 2) MIX(i + 3) MIX(i + 4) MIX(i + 5) MIX(i + 6) MIX(i + 7)

SEC("hook/mix")
__u64 mix(__u8 *buf, __u64 len)
{
    __u64 h = 0xcbf29ce484222325ULL;
    if (len < 104)
        return 0;
    MIX8(0) MIX8(8) MIX8(16) MIX8(24) MIX8(32) MIX8(40) MIX8(48) MIX8(56)
    MIX8(64) MIX8(72) MIX8(80) MIX8(88) MIX8(96)
    return h;
}

char LICENSE[] SEC("license") = "GPL";
