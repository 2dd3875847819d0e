// One program of an object needs a field the target does not have (a
// "___v2" flavour of iphdr declaring a field no kernel has, as programs do
// for fields of newer kernels): that program cannot load — the message names
// the type and the field — and the object's other program loads and runs.
// (libbpf fails bpf_object__load as a whole here: the kernel is no oracle.)
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>

struct iphdr___v2 {
    __u8 ttl;
    __u8 hop_budget;   /* no kernel has this */
} __attribute__((preserve_access_index));

SEC("xdp")
int xdp_needs_new_field(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct iphdr___v2 *ip = data + 14;
    if ((void *)(ip + 1) > data_end)
        return XDP_PASS;
    return ip->hop_budget ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_ttl_guard(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct iphdr *ip = data + 14;
    if ((void *)(ip + 1) > data_end)
        return XDP_PASS;
    return ip->ttl <= 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
