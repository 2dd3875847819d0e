// A kretprobe that reads the return value (ax) and keeps a log2 histogram,
// as samples/bpf lathist and bcc's funclatency do.
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u64);
} hist SEC(".maps");

SEC("kretprobe/vfs_read")
int BPF_KRETPROBE(read_ret, long ret)
{
    __u32 slot = 0;
    __u64 *count;
    unsigned long v = ret < 0 ? 0 : ret;

    while (v > 1 && slot < 63) {
        v >>= 1;
        slot++;
    }
    count = bpf_map_lookup_elem(&hist, &slot);
    if (count)
        __sync_fetch_and_add(count, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
