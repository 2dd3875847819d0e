// A program under a proprietary license calling a GPL-only helper: Linux
// refuses it ("cannot call GPL-restricted function from non-GPL compatible
// program"), and so do we, naming the helper.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_log_proprietary(struct xdp_md *ctx) {
    bpf_printk("packet of %u bytes", ctx->data_end - ctx->data);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Proprietary";
