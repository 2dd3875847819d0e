// xdp-filter's pattern: a source-address deny list in an LPM trie (CIDR
// prefixes) and an exact allow list of ports in a hash map, with per-action
// counters; the first rule that matches decides.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct ipv4_prefix {
    __u32 prefixlen;
    __u8 addr[4];
};

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, 128);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct ipv4_prefix);
    __type(value, __u32);  // the rule id
} deny_src SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u16);  // destination port, network order
    __type(value, __u8);
} allow_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 3);  // 0 passed, 1 denied by prefix, 2 allowed by port
    __type(key, __u32);
    __type(value, __u64);
} verdicts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);  // rule id
    __type(value, __u64);
} rule_hits SEC(".maps");

static __always_inline void count(__u32 key) {
    __u64* value = bpf_map_lookup_elem(&verdicts, &key);
    if (value) __sync_fetch_and_add(value, 1);
}

SEC("xdp")
int xdp_filter_lpm(struct xdp_md* ctx) {
    void* data = (void*)(long)ctx->data;
    void* end = (void*)(long)ctx->data_end;
    struct ethhdr* eth = data;
    struct iphdr* ip = (void*)(eth + 1);
    if ((void*)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
    if (ip->protocol == IPPROTO_UDP && ip->ihl == 5) {
        struct udphdr* udp = (void*)(ip + 1);
        if ((void*)(udp + 1) > end) return XDP_PASS;
        __u16 port = udp->dest;
        if (bpf_map_lookup_elem(&allow_ports, &port)) {
            count(2);
            return XDP_PASS;
        }
    }
    struct ipv4_prefix key = {.prefixlen = 32};
    __builtin_memcpy(key.addr, &ip->saddr, 4);
    __u32* rule = bpf_map_lookup_elem(&deny_src, &key);
    if (rule) {
        __u32 id = *rule;
        __u64 one = 1;
        __u64* hits = bpf_map_lookup_elem(&rule_hits, &id);
        if (hits)
            __sync_fetch_and_add(hits, 1);
        else
            bpf_map_update_elem(&rule_hits, &id, &one, BPF_NOEXIST);
        count(1);
        return XDP_DROP;
    }
    count(0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
