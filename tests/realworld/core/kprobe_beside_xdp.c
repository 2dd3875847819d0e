// One object, two worlds, as the kernel's samples and libbpf-bootstrap often
// ship them: a kprobe that reads task_struct fields the CO-RE way
// (BPF_CORE_READ against kernel BTF) and an XDP program that counts
// packets. The XDP program loads and runs; the kprobe is resolved against
// the kernel's BTF, verified by the kernel, and reported by us as a type the
// runtime cannot run — it never stops the XDP program from loading.
#include "vmlinux_min.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} events SEC(".maps");

SEC("kprobe/do_nanosleep")
int trace_sleep(void *regs)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u32 key = 1;
    __u64 *seen = bpf_map_lookup_elem(&events, &key);
    if (seen)
        *seen = BPF_CORE_READ(task, tgid);
    return 0;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *packets = bpf_map_lookup_elem(&events, &key);
    if (packets)
        __sync_fetch_and_add(packets, 1);
    return ctx->data_end - ctx->data > 60 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
