// cgroup/sysctl that refuses writes to net.* sysctls, as samples/bpf and
// the sysctl selftests do.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup/sysctl")
int sysctl_guard(struct bpf_sysctl *ctx)
{
    char name[8] = {};

    if (!ctx->write)
        return 1;
    if (bpf_sysctl_get_name(ctx, name, sizeof(name), 0) < 0)
        return 0;
    return !(name[0] == 'n' && name[1] == 'e' && name[2] == 't');
}

char LICENSE[] SEC("license") = "GPL";
