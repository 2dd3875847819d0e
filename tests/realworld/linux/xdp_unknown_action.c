// An XDP program whose verdict comes from a table a control plane fills:
// nothing stops the table from holding a value that is no XDP action. Linux
// loads it and treats such a verdict as XDP_ABORTED when it runs (the packet
// is dropped and the xdp_exception tracepoint fires); BPF_PROG_TEST_RUN
// reports the value itself.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u32);
} verdict_by_class SEC(".maps");

SEC("xdp")
int xdp_table_verdict(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    __u32 key, *verdict;

    if ((void *)(eth + 1) > data_end) return XDP_ABORTED;
    key = eth->h_proto == bpf_htons(ETH_P_IP) ? 0 : 1;
    verdict = bpf_map_lookup_elem(&verdict_by_class, &key);
    if (!verdict) return XDP_PASS;
    return *verdict;  /* any u32: the verifier cannot know it is an action */
}

char LICENSE[] SEC("license") = "GPL";
