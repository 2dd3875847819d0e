// cgroup/sock_create that refuses raw sockets and marks the others, as
// samples/bpf sock_flags does.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
    if (sk->type == 3 /* SOCK_RAW */)
        return 0;
    sk->mark = 0x123;
    sk->priority = 2;
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
