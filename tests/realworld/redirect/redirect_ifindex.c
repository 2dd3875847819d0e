// xdp-tutorial redirect lesson (xdp_redirect_func) and the kernel's
// xdp_redirect sample: a fixed egress ifindex from a config array; a bad
// flags value aborts, as Linux's XDP bpf_redirect does; frames for the
// cpumap path are spread over CPUs by protocol (xdp_redirect_cpu sample),
// and an empty cpumap slot gives the flags' fallback.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 2);
} redirect_params SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_CPUMAP);
    __type(key, __u32);
    __type(value, struct bpf_cpumap_val);
    __uint(max_entries, 2);
} cpu_map SEC(".maps");

SEC("xdp")
int xdp_redirect_func(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end) return XDP_ABORTED;
    __u32 key = 0;
    __u32 *ifindex = bpf_map_lookup_elem(&redirect_params, &key);
    key = 1;
    __u32 *mode = bpf_map_lookup_elem(&redirect_params, &key);
    if (!ifindex || !mode) return XDP_ABORTED;
    if (*mode == 1) return bpf_redirect(*ifindex, 1);  // BPF_F_INGRESS is tc's: XDP_ABORTED
    if (*mode == 2) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
        return bpf_redirect_map(&cpu_map, ip->protocol == IPPROTO_UDP ? 1 : 0, XDP_DROP);
    }
    return bpf_redirect(*ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
