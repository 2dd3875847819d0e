// tc, socket-filter and XDP programs for the runtime's socket-buffer tests
// (tests/runtime/skb_test.cpp): context fields, test-run conventions and
// bpf_fib_lookup against the runtime's forwarding table.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define AF_INET 2
#define AF_INET6 10

SEC("tc")
int skb_fields(struct __sk_buff *skb) {
    skb->cb[0] = skb->len;
    skb->cb[1] = skb->protocol;
    skb->cb[2] = skb->pkt_type;
    skb->cb[3] = skb->ifindex;
    skb->cb[4] = skb->ingress_ifindex;
    skb->priority = skb->wire_len;
    return skb->mark;
}

SEC("socket")
int skb_socket(struct __sk_buff *skb) {
    __u8 first = 0;
    bpf_skb_load_bytes(skb, 0, &first, 1);
    skb->cb[0] = first;
    return skb->len;
}

SEC("xdp")
int xdp_ifindex(struct xdp_md *ctx) { return ctx->ingress_ifindex == 1 ? XDP_PASS : XDP_DROP; }

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u8[20]);
} fib_result SEC(".maps");

// Looks up the destination in the first 4 bytes of the packet; writes the
// result, the egress ifindex, the MAC addresses, the new destination and the
// MTU into fib_result (not into the packet: the kernel's own FIB answers
// differently, and the kernel comparison of test programs compares packets).
static __always_inline int fib(void *ctx, void *data, void *data_end, __u32 flags, __u16 tot_len) {
    struct bpf_fib_lookup p = {};
    if (data + 20 > data_end) return -1;
    p.family = AF_INET;
    p.ifindex = 1;
    p.tot_len = tot_len;
    __builtin_memcpy(&p.ipv4_dst, data, 4);
    long rc = bpf_fib_lookup(ctx, &p, sizeof(p), flags);
    __u32 zero = 0;
    __u8 *out = bpf_map_lookup_elem(&fib_result, &zero);
    if (!out) return -1;
    out[0] = (__u8)rc;
    out[1] = (__u8)p.ifindex;
    __builtin_memcpy(out + 2, p.dmac, 6);
    __builtin_memcpy(out + 8, p.smac, 6);
    __builtin_memcpy(out + 14, &p.ipv4_dst, 4);
    __builtin_memcpy(out + 18, &p.mtu_result, 2);
    return 0;
}

SEC("xdp")
int xdp_fib(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
    return fib(ctx, data, data_end, 0, 0) ? XDP_ABORTED : XDP_PASS;
}

SEC("tc")
int tc_fib(struct __sk_buff *skb) {
    void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
    return fib(skb, data, data_end, BPF_FIB_LOOKUP_SKIP_NEIGH, 0) ? TC_ACT_SHOT : TC_ACT_OK;
}

// A tunnel key for a collect_md device: VNI 5000 to 2001:db8::9 (flow label
// 0x12345), a 4-byte option; returns what reading the key back gives.
SEC("tc")
int tc_tunnel(struct __sk_buff *skb) {
    struct bpf_tunnel_key key = {.tunnel_id = 5000, .tunnel_ttl = 64, .tunnel_label = 0x12345};
    key.remote_ipv6[0] = __builtin_bswap32(0x20010db8);
    key.remote_ipv6[3] = __builtin_bswap32(9);
    if (bpf_skb_set_tunnel_key(skb, &key, sizeof(key), BPF_F_TUNINFO_IPV6 | BPF_F_DONT_FRAGMENT)) return TC_ACT_SHOT;
    __u32 option = 0xabcd0102;
    if (bpf_skb_set_tunnel_opt(skb, &option, sizeof(option))) return TC_ACT_SHOT;
    struct bpf_tunnel_key back;
    if (bpf_skb_get_tunnel_key(skb, &back, sizeof(back), BPF_F_TUNINFO_IPV6)) return TC_ACT_SHOT;
    return back.tunnel_id == 5000 && back.local_ipv6[3] == key.remote_ipv6[3] ? TC_ACT_OK : TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
