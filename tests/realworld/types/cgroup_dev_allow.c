// cgroup/dev allowing only /dev/null and /dev/zero, as samples/bpf and
// systemd's device policy do.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup/dev")
int dev_policy(struct bpf_cgroup_dev_ctx *ctx)
{
    short type = ctx->access_type & 0xffff;

    if (type != BPF_DEVCG_DEV_CHAR)
        return 0;
    return ctx->major == 1 && (ctx->minor == 3 || ctx->minor == 5);
}

char LICENSE[] SEC("license") = "GPL";
