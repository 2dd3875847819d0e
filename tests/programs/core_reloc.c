// A CO-RE field access (preserve_access_index), as BPF_CORE_READ produces.
// We have no kernel BTF to resolve it against, so the loader must reject the
// program with an error that names the relocation.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_info {
    int pid;
    int tgid;
} __attribute__((preserve_access_index));

SEC("hook/core")
__s64 read_tgid(struct task_info *task, __u64 len)
{
    return BPF_CORE_READ(task, tgid);
}

char LICENSE[] SEC("license") = "GPL";
