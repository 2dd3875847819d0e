// A load balancer front end in katran's style: the packet is parsed by
// noinline functions (bpf-to-bpf calls), one of them a void function whose R0
// clang leaves unset (rewrite_destination), and one returning a bool. UDP to the virtual IP is
// sent back out (XDP_TX) with the destination rewritten to a backend picked by
// a hash of the source; everything else passes.
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define VIP 0x0a0000fe  /* 10.0.0.254 */

struct flow {
    __u32 src;
    __u32 dst;
    __u8 proto;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u32);
} backends SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, __u64);
} proto_packets SEC(".maps");

static __attribute__((noinline)) void count_protocol(__u8 proto) {
    __u32 key = proto;
    __u64 *packets = bpf_map_lookup_elem(&proto_packets, &key);
    if (packets) __sync_fetch_and_add(packets, 1);
}

static __attribute__((noinline)) bool parse_ipv4(void *data, void *data_end, struct flow *f) {
    struct iphdr *ip = data + sizeof(struct ethhdr);
    if ((void *)(ip + 1) > data_end) return false;
    if (ip->ihl != 5) return false;
    f->src = ip->saddr;
    f->dst = ip->daddr;
    f->proto = ip->protocol;
    return true;
}

/* void: clang sets no R0 here, and the caller never reads it. */
static __attribute__((noinline)) void rewrite_destination(struct iphdr *ip, __u32 backend) {
    ip->daddr = backend;
    ip->check = 0;  /* recomputed by the backend's NIC in this toy */
}

static __attribute__((noinline)) int pick_backend(struct flow *f, __u32 *backend) {
    __u32 key = (bpf_ntohl(f->src) * 2654435761u) >> 30;
    __u32 *addr = bpf_map_lookup_elem(&backends, &key);
    if (!addr || !*addr) return -1;
    *backend = *addr;
    return 0;
}

SEC("xdp")
int balancer_ingress(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct flow f = {};
    __u32 backend;

    if ((void *)(eth + 1) > data_end) return XDP_DROP;
    if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
    if (!parse_ipv4(data, data_end, &f)) return XDP_DROP;
    count_protocol(f.proto);
    if (f.proto != IPPROTO_UDP || f.dst != bpf_htonl(VIP)) return XDP_PASS;
    if (pick_backend(&f, &backend) < 0) return XDP_DROP;

    struct iphdr *ip = data + sizeof(struct ethhdr);
    if ((void *)(ip + 1) > data_end) return XDP_DROP;
    rewrite_destination(ip, backend);
    return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
