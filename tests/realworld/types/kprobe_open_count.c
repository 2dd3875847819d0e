// A kprobe on the open path that counts calls per process and copies the
// file name argument with bpf_probe_read_user_str, the way the kernel's
// samples/bpf tracex programs and bcc's opensnoop do.
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, __u64);
} opens SEC(".maps");

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(count_open, int dfd, const char *filename)
{
    char name[64];
    char comm[16];
    __u32 pid = bpf_get_current_pid_tgid() >> 32;
    __u64 one = 1, *count;

    bpf_probe_read_user_str(name, sizeof(name), filename);
    bpf_get_current_comm(comm, sizeof(comm));
    count = bpf_map_lookup_elem(&opens, &pid);
    if (count)
        __sync_fetch_and_add(count, 1);
    else
        bpf_map_update_elem(&opens, &pid, &one, BPF_ANY);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
