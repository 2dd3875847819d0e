// A tracepoint program that reads the record's common_pid: Linux refuses
// reads of the first 8 bytes (the common header) of a tracepoint's record.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct record {
    unsigned short common_type;
    unsigned char common_flags;
    unsigned char common_preempt_count;
    int common_pid;
    long args[6];
};

SEC("tracepoint/syscalls/sys_enter_write")
int header(struct record *ctx)
{
    return ctx->common_pid == 1;
}

char LICENSE[] SEC("license") = "GPL";
