// A tracepoint program on sched:sched_process_exec reading the record's
// fields after the common header, as the kernel's syscall_tp and
// libbpf-bootstrap's bootstrap do (the record layout is the event's format).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sched_process_exec {
    unsigned short common_type;
    unsigned char common_flags;
    unsigned char common_preempt_count;
    int common_pid;
    int __data_loc_filename;
    int pid;
    int old_pid;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 256);
    __type(key, int);
    __type(value, int);
} execs SEC(".maps");

SEC("tp/sched/sched_process_exec")
int on_exec(struct sched_process_exec *ctx)
{
    int pid = ctx->pid, old = ctx->old_pid;

    bpf_map_update_elem(&execs, &pid, &old, BPF_ANY);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
