// A raw tracepoint reading its u64 arguments (struct bpf_raw_tracepoint_args),
// as Falco's probe and samples/bpf test_overhead_raw_tp do.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 512);
    __type(key, __u32);
    __type(value, __u64);
} syscalls SEC(".maps");

SEC("raw_tracepoint/sys_enter")
int on_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
    __u32 id = (__u32)ctx->args[1];
    __u64 *count = bpf_map_lookup_elem(&syscalls, &id);

    if (count)
        __sync_fetch_and_add(count, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
