// A common mistake in hand-written parsers (and a classic verifier test):
// the VLAN header is checked against data_end, but the IPv4 header after it
// is read without a new check. Linux refuses it; so must we, before any run.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_missing_bounds(struct xdp_md* ctx) {
    void* data = (void*)(long)ctx->data;
    void* end = (void*)(long)ctx->data_end;
    struct ethhdr* eth = data;
    if ((void*)(eth + 1) + 4 > end) return XDP_PASS;
    struct iphdr* ip = (void*)(eth + 1) + 4;  // after one VLAN tag
    return ip->protocol == 17 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
