// libbpf-bootstrap style: types come from a vmlinux.h-like header, whose
// structs all carry preserve_access_index, so every context read is a CO-RE
// relocation. The loader resolves those against our own context layouts
// (struct xdp_md here). Returns XDP_DROP (1) for frames shorter than 60
// bytes, XDP_PASS (2) otherwise.
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef unsigned short __u16;
typedef unsigned char __u8;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct xdp_md {
    __u32 data;
    __u32 data_end;
    __u32 data_meta;
    __u32 ingress_ifindex;
    __u32 rx_queue_index;
    __u32 egress_ifindex;
};
#pragma clang attribute pop

enum xdp_action { XDP_ABORTED = 0, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT };

#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_min_length(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    if (data + 60 > data_end)
        return XDP_DROP;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
