// The bundled example: an XDP packet filter in the libbpf style. It parses
// Ethernet → IPv4 → UDP, counts packets per IP protocol in a map, and drops
// UDP packets to a blocked port (kept in .rodata, so a loader could set it).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, __u64);
} packets_per_protocol SEC(".maps");

const volatile __u16 blocked_port = 53;

SEC("xdp")
int packet_filter(struct xdp_md* ctx) {
    void* data = (void*)(long)ctx->data;
    void* data_end = (void*)(long)ctx->data_end;

    struct ethhdr* eth = data;
    if ((void*)(eth + 1) > data_end) return XDP_ABORTED;
    if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;

    struct iphdr* ip = (void*)(eth + 1);
    if ((void*)(ip + 1) > data_end) return XDP_ABORTED;

    __u32 protocol = ip->protocol;
    __u64* count = bpf_map_lookup_elem(&packets_per_protocol, &protocol);
    if (count) __sync_fetch_and_add(count, 1);

    if (ip->protocol != IPPROTO_UDP) return XDP_PASS;
    struct udphdr* udp = (void*)ip + ip->ihl * 4;
    if ((void*)(udp + 1) > data_end) return XDP_ABORTED;
    if (udp->dest == bpf_htons(blocked_port)) {
        bpf_printk("dropped UDP packet to port %d", blocked_port);
        return XDP_DROP;
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
