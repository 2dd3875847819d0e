// Programs in the style of libbpf-bootstrap's minimal.bpf.c and kprobe.bpf.c
// (tracepoint and kprobe sections). Our runtime has no such hooks: these load
// as ProgramType::unspec, which `ebpf show` reports.
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

int my_pid = 0;

SEC("tp/syscalls/sys_enter_write")
int handle_tp(void *ctx)
{
    int pid = bpf_get_current_pid_tgid() >> 32;
    if (pid != my_pid)
        return 0;
    bpf_printk("BPF triggered from PID %d.\n", pid);
    return 0;
}

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(do_unlinkat, int dfd, void *name)
{
    int pid = bpf_get_current_pid_tgid() >> 32;
    bpf_printk("KPROBE ENTRY pid = %d, dfd = %d\n", pid, dfd);
    return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
